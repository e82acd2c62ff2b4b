//! The waker bridge every futures01 adapter uses, written once.
//!
//! Two directions, two small state machines:
//!
//! - [`NotifyCell`] (0.1 code polled by a 0.3 executor): one [`WakerNotify`] per wrapper, created
//!   the first time the 0.1 side calls `task::current()`, then reused. The 0.1 side sees a
//!   `NotifyHandle` made from that `Arc` (futures 0.1's safe `From<Arc<T: Notify>>`), so
//!   `task::current()` and `Task::clone` cost a reference count, never a `Box`, and
//!   `Task::will_notify_current()` compares equal while the same wrapper is polled with the
//!   same waker. A waker that does not `will_wake` the previous one gets a new handle, so tasks
//!   stored earlier keep waking their own waker (two tasks on two halves of one split value
//!   both get their wake-ups) and the 0.1 code, seeing `will_notify_current()` false,
//!   registers again.
//! - [`TaskCell`] (0.3 code polled by a 0.1 executor): one `Arc<TaskWake>` and one `Waker` per
//!   wrapper, created on first poll. The current 0.1 `Task` is looked up only after a `Pending`
//!   answer. When a different 0.1 task polls the wrapper (the other half of a split value), it
//!   gets a fresh `Arc<TaskWake>` before polling, so the wakers the 0.3 value already holds keep
//!   notifying the task they were made for.

use std::cell::OnceCell;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use futures01::executor::{
    Notify as Notify01, NotifyHandle as NotifyHandle01, Spawn as Spawn01, spawn as spawn01,
};
use futures01::task as task01;

/// A 0.3 [`Waker`] seen by futures 0.1 as a `Notify`.
struct WakerNotify {
    /// Fixed for the handle's life: a new waker gets a new handle.
    waker: Waker,
}

impl Notify01 for WakerNotify {
    fn notify(&self, _id: usize) {
        self.waker.wake_by_ref();
    }
}

/// The wrapper's one notify handle, and the waker it holds (kept here too, so the
/// steady-state `will_wake` check needs no lock).
struct NotifyRegistered {
    shared: Arc<WakerNotify>,
    waker: Waker,
}

/// What `Spawn::poll_fn_notify` turns into a `NotifyHandle` when the 0.1 side asks for one.
#[derive(Clone, Copy)]
struct LazyNotify<'a> {
    registered: &'a OnceCell<NotifyRegistered>,
    waker: &'a Waker,
}

impl From<LazyNotify<'_>> for NotifyHandle01 {
    fn from(lazy: LazyNotify<'_>) -> Self {
        let registered = lazy.registered.get_or_init(|| NotifyRegistered {
            shared: Arc::new(WakerNotify {
                waker: lazy.waker.clone(),
            }),
            waker: lazy.waker.clone(),
        });
        NotifyHandle01::from(Arc::clone(&registered.shared))
    }
}

/// Polls 0.1 code under a 0.3 [`Context`].
///
/// The 0.1 value itself stays in the wrapper (so `fill_buf` can return a slice borrowed from
/// it); this cell owns the 0.1 task identity (a `Spawn<()>`: task id and task-local data) that
/// every poll of the wrapper enters.
pub(crate) struct NotifyCell {
    task: Spawn01<()>,
    /// Created when the 0.1 side first calls `task::current()`; reused for the wrapper's life.
    registered: OnceCell<NotifyRegistered>,
}

impl NotifyCell {
    /// A cell with nothing allocated yet.
    #[inline]
    pub(crate) fn new() -> Self {
        Self {
            task: spawn01(()),
            registered: OnceCell::new(),
        }
    }

    /// Runs `f` inside a 0.1 task whose notifications wake `cx`.
    #[inline]
    pub(crate) fn poll_in<R>(&mut self, cx: &Context<'_>, f: impl FnOnce() -> R) -> R {
        let waker = cx.waker();
        if self
            .registered
            .get()
            .is_some_and(|reg| !reg.waker.will_wake(waker))
        {
            // A different waker: a new notify handle, made when the 0.1 side asks for one.
            // Tasks the 0.1 code stored earlier keep waking the waker they were made for (the
            // other half of a split value may still be waiting on it), and
            // `will_notify_current()` turns false, so the 0.1 code registers again.
            self.forget_registration();
        }
        let lazy = LazyNotify {
            registered: &self.registered,
            waker,
        };
        #[cfg(feature = "tokio01")]
        let f = || crate::tokio01::enter(f);
        self.task.poll_fn_notify(&lazy, 0, |()| f())
    }

    /// Out of line, so the steady-state poll path stays small enough to inline.
    #[cold]
    #[inline(never)]
    fn forget_registration(&mut self) {
        self.registered = OnceCell::new();
    }

    /// Runs `f` inside a 0.1 task whose notifications go to the last registered waker (or
    /// nowhere, if no waker was ever registered). For calls that get no [`Context`], such as
    /// `Sink::start_send`.
    pub(crate) fn poll_with_last<R>(&mut self, f: impl FnOnce() -> R) -> R {
        match self.registered.get().map(|reg| reg.waker.clone()) {
            Some(waker) => self.poll_in(&Context::from_waker(&waker), f),
            None => self.poll_in(&Context::from_waker(Waker::noop()), f),
        }
    }
}

impl fmt::Debug for NotifyCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifyCell")
            .field("allocated", &self.registered.get().is_some())
            .finish()
    }
}

/// A 0.1 `Task` seen by 0.3 code as a [`Waker`].
struct TaskWake {
    task: Mutex<Option<task01::Task>>,
    /// Set by every wake; lets a poll that had to re-register find out whether a wake arrived
    /// (and went to the previous task) while it ran.
    woken: AtomicBool,
}

impl Wake for TaskWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        // Notify outside the lock: a 0.1 executor that polls on the spot must not find it
        // held. (A poisoned lock still holds a whole `Option<Task>`.)
        let task = self
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(task) = task {
            task.notify();
        }
    }
}

struct TaskRegistered {
    shared: Arc<TaskWake>,
    waker: Waker,
    /// The task stored in `shared`, kept here so the check needs no lock.
    task: Option<task01::Task>,
}

impl TaskRegistered {
    fn new() -> Self {
        let shared = Arc::new(TaskWake {
            task: Mutex::new(None),
            woken: AtomicBool::new(false),
        });
        Self {
            waker: Waker::from(Arc::clone(&shared)),
            shared,
            task: None,
        }
    }

    /// After a `Pending` poll: make sure wakes reach the current 0.1 task.
    #[cold]
    #[inline(never)]
    fn register_current(&mut self) {
        if self
            .task
            .as_ref()
            .is_some_and(task01::Task::will_notify_current)
        {
            return;
        }
        let task = task01::current();
        *self
            .shared
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(task.clone());
        // A wake that arrived during the poll went to the previous task (or nowhere): pass it on.
        if self.shared.woken.swap(false, Ordering::AcqRel) {
            task.notify();
        }
        self.task = Some(task);
    }
}

/// Polls 0.3 code from inside a 0.1 task.
///
/// The waker is made once per wrapper. The current 0.1 task is looked up only after a poll
/// answers `Pending` (a `Ready` answer needs no wake-up), and replaced only when the stored one
/// no longer `will_notify_current()`; a wake that raced with the replacement is passed on.
#[derive(Default)]
pub(crate) struct TaskCell {
    registered: Option<TaskRegistered>,
}

impl TaskCell {
    /// A cell with nothing allocated yet.
    #[inline]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Runs `poll` with a [`Context`] whose waker notifies the current 0.1 task; `None`
    /// (without running it) outside a 0.1 task.
    #[inline]
    pub(crate) fn poll_with<T>(
        &mut self,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Option<Poll<T>> {
        if !task01::is_in_task() {
            return None;
        }
        if self
            .registered
            .as_ref()
            .and_then(|reg| reg.task.as_ref())
            .is_some_and(|task| !task.will_notify_current())
        {
            // Another 0.1 task polls now (the other half of a split value): it gets a waker of
            // its own, and the wakers the 0.3 value already holds keep notifying their task.
            self.registered = None;
        }
        let reg = self.registered.get_or_insert_with(TaskRegistered::new);
        reg.shared.woken.store(false, Ordering::Relaxed);
        let out = poll(&mut Context::from_waker(&reg.waker));
        if out.is_pending() {
            reg.register_current();
        }
        Some(out)
    }
}

impl fmt::Debug for TaskCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskCell")
            .field("allocated", &self.registered.is_some())
            .finish()
    }
}

/// The `io::Error` every 0.1-facing I/O adapter returns when called outside a 0.1 task.
pub(crate) fn no_task_error(op: &str) -> std::io::Error {
    std::io::Error::other(format!(
        "iocompat::futures01: {op} called outside a futures 0.1 task; call it from a 0.1 \
         `poll` (driven by `Future::wait`, a 0.1 executor or `Compat01As03`), or use the \
         tokio 1 / futures-io value directly"
    ))
}

/// The panic every 0.1-facing future, stream and sink raises when polled outside a 0.1 task
/// (their error type is the user's, so there is no error value to return).
#[track_caller]
pub(crate) fn no_task_panic(what: &str) -> ! {
    panic!(
        "iocompat::futures01::{what} polled outside a futures 0.1 task; drive it with a 0.1 \
         executor (`Future::wait`, `Stream::wait`, `Executor::execute`) or convert it back \
         with `Compat01As03`"
    )
}
