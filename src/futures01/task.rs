//! The waker bridge every futures01 adapter uses, written once.
//!
//! Two directions, two small state machines:
//!
//! - [`NotifyCell`] (0.1 code polled by a 0.3 executor): one [`WakerNotify`] and one
//!   `NotifyHandle` per wrapper, created the first time the 0.1 side calls `task::current()`
//!   and never replaced. Every `task::current()` is a clone of that handle (futures 0.1's safe
//!   `From<Arc<T: Notify>>`), so it costs a reference count, never a `Box`, and
//!   `Task::will_notify_current()` is `true` whenever the wrapper is polled, whatever waker
//!   polls it. A notification wakes every waker that may depend on it: the latest poll's, and
//!   those of earlier polls whose waker looked different, until one notification has woken
//!   them (the two halves of one split value both get their wake-ups). Waker identity
//!   (`Waker::will_wake`) only saves work: a false "different" costs a clone and perhaps a
//!   spurious wake-up, never a lost one and never a new handle.
//! - [`TaskCell`] (0.3 code polled by a 0.1 executor): futures and streams are polled with a
//!   thread-local probe waker, which only records a wake, until they keep a waker: a value
//!   ready at once, or one that only wakes itself (its wake is passed to the 0.1 task), costs
//!   no waker of its own. A value that keeps a clone of the probe is asked again at once with
//!   a real waker: an `Arc<TaskWake>` holding the current 0.1 `Task`, taken from the thread's
//!   idle ones and given back (its task cleared, so no 0.1 task outlives the wrapper) when the
//!   wrapper drops it and nothing else holds it, so converting allocates nothing in steady
//!   state. When a different 0.1 task polls the wrapper (the other half of a split value),
//!   the wrapper takes a waker for that task before polling, so the wakers the 0.3 value
//!   already holds keep notifying the task they were made for. A false "different" from
//!   `will_notify_current()` costs a waker, never a lost notification: the old `TaskWake`
//!   still notifies the task it holds.

use std::cell::{Cell, OnceCell, RefCell};
use std::fmt;
use std::mem;
use std::sync::atomic::{AtomicBool, Ordering, fence};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use futures01::executor::{
    Notify as Notify01, NotifyHandle as NotifyHandle01, Spawn as Spawn01, spawn as spawn01,
};
use futures01::task as task01;

/// How many wakers of earlier polls a wrapper keeps, besides the latest poll's and the first
/// one, until a notification wakes them (not part of the semver contract). One more waker that
/// looks different wakes them all at once: spurious wake-ups, never a lost one.
const EARLIER_WAKERS: usize = 4;

/// What a notification wakes besides the first waker.
#[derive(Default)]
struct Others {
    /// The latest poll's waker, when it is not the first waker. Kept after a notification:
    /// 0.1 code that trusts `will_notify_current()` keeps its stored task and never registers
    /// again.
    latest: Option<Waker>,
    /// The first waker is not the latest, but the next notification must still wake it.
    first_waiting: bool,
    /// Wakers of earlier polls that looked different from the one after them (another task,
    /// such as the other half of a split value, may be waiting on them); filled from the
    /// front, emptied by the next notification.
    earlier: [Option<Waker>; EARLIER_WAKERS],
    earlier_len: usize,
}

/// What the poll path took out of [`Others`], to be woken or dropped once the lock is
/// released (a waker's `wake` or `drop` may run executor code that polls this wrapper again).
#[derive(Default)]
struct Displaced {
    dropped: Option<Waker>,
    woken: [Option<Waker>; EARLIER_WAKERS],
}

impl Displaced {
    fn settle(self) {
        drop(self.dropped);
        for waker in self.woken.into_iter().flatten() {
            waker.wake();
        }
    }
}

impl Others {
    /// Whether a notification has nothing to wake but the first waker.
    fn only_first(&self) -> bool {
        self.latest.is_none() && self.earlier_len == 0
    }

    /// Keeps `previous` for the next notification, unless it is known to wake the same task
    /// as a waker already kept.
    fn keep_earlier(&mut self, previous: Waker, displaced: &mut Displaced) {
        let mut known =
            (self.latest.iter()).chain(self.earlier[..self.earlier_len].iter().flatten());
        if known.any(|w| w.will_wake(&previous)) {
            displaced.dropped = Some(previous);
            return;
        }
        if self.earlier_len == EARLIER_WAKERS {
            // Full: wake them now (they poll again and register again) rather than grow.
            displaced.woken = mem::take(&mut self.earlier);
            self.earlier_len = 0;
        }
        self.earlier[self.earlier_len] = Some(previous);
        self.earlier_len += 1;
    }
}

/// The wrapper's wakers seen by futures 0.1 as a `Notify`.
struct WakerNotify {
    /// The first waker registered, never replaced: while it is the latest (one 0.3 task polls
    /// the wrapper, the usual case) a notification wakes it without taking the lock.
    first: OnceLock<Waker>,
    /// `Others::only_first`, readable without the lock; written only under it.
    only_first: AtomicBool,
    others: Mutex<Others>,
}

impl WakerNotify {
    fn new(waker: Option<&Waker>) -> Self {
        Self {
            first: waker.cloned().map(OnceLock::from).unwrap_or_default(),
            only_first: AtomicBool::new(true),
            others: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Others> {
        // Nothing panics while the lock is held; a poisoned lock still holds whole wakers.
        self.others.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The poll path: `waker`, not known to wake the same task as the latest one, polls now.
    fn make_latest(&self, waker: &Waker) -> Displaced {
        let mut displaced = Displaced::default();
        let Some(first) = self.first.get() else {
            // No waker yet (the handle was made by a call without a `Context`). Only the poll
            // path, which the wrapper's `&mut` serialises, sets it.
            displaced.dropped = self.first.set(waker.clone()).err();
            return displaced;
        };
        let mut others = self.lock();
        if waker.will_wake(first) {
            // Back to the first waker.
            if let Some(previous) = others.latest.take() {
                others.keep_earlier(previous, &mut displaced);
            }
            others.first_waiting = false;
        } else {
            match others.latest.replace(waker.clone()) {
                Some(previous) => others.keep_earlier(previous, &mut displaced),
                None => others.first_waiting = true,
            }
        }
        // SeqCst, like the load in `notify`: the 0.1 code that runs after this in the poll,
        // and the notifier, may synchronise through SeqCst atomics alone.
        self.only_first.store(others.only_first(), Ordering::SeqCst);
        displaced
    }

    /// A notification while other wakers than the first are kept: wakes the latest, the
    /// earlier ones and the first if it waits; the earlier ones are then dropped (one
    /// notification is all they were owed: their tasks poll again and register again).
    #[cold]
    #[inline(never)]
    fn notify_others(&self) {
        let (wake_first, latest, earlier) = {
            let mut others = self.lock();
            let wake_first = mem::take(&mut others.first_waiting) || others.latest.is_none();
            others.earlier_len = 0;
            let earlier = mem::take(&mut others.earlier);
            self.only_first.store(others.only_first(), Ordering::SeqCst);
            (wake_first, others.latest.clone(), earlier)
        };
        // Woken outside the lock: an executor that polls inside `wake` must not find it held.
        for waker in earlier.into_iter().flatten() {
            waker.wake();
        }
        if let Some(waker) = latest {
            waker.wake();
        }
        if wake_first {
            self.wake_first();
        }
    }

    fn wake_first(&self) {
        if let Some(first) = self.first.get() {
            first.wake_by_ref();
        }
    }
}

impl Notify01 for WakerNotify {
    fn notify(&self, _id: usize) {
        if self.only_first.load(Ordering::SeqCst) {
            self.wake_first();
        } else {
            self.notify_others();
        }
    }
}

/// The wrapper's one notify handle, and what the poll path needs to keep it up to date.
struct NotifyRegistered {
    /// Every `task::current()` (and so every `will_notify_current()` comparison) gets a handle
    /// made from this one `Arc` (futures 0.1's `From<Arc<T: Notify>>`: a reference count, and
    /// the same handle identity every time).
    shared: Arc<WakerNotify>,
    /// A clone of the latest poll's waker (only the poll path changes it), so the
    /// steady-state check needs no lock.
    seen: Option<Waker>,
}

impl NotifyRegistered {
    fn new(waker: Option<&Waker>) -> Self {
        let shared = Arc::new(WakerNotify::new(waker));
        Self {
            shared,
            seen: waker.cloned(),
        }
    }

    /// Before a poll with `waker`: make sure notifications reach it.
    #[inline]
    fn track(&mut self, waker: &Waker) {
        if !self.seen.as_ref().is_some_and(|seen| seen.will_wake(waker)) {
            self.track_other(waker);
        }
    }

    #[inline(never)]
    fn track_other(&mut self, waker: &Waker) {
        // A waker and its clones may not `will_wake` each other (tokio's `block_on` waker in a
        // release build: its vtable is a constant copied into each codegen unit), so compare
        // a clone with the clone kept before taking this for another task's waker.
        let waker = waker.clone();
        if self
            .seen
            .as_ref()
            .is_some_and(|seen| seen.will_wake(&waker))
        {
            return;
        }
        let displaced = self.shared.make_latest(&waker);
        self.seen = Some(waker);
        displaced.settle();
    }
}

/// What `Spawn::poll_fn_notify` turns into a `NotifyHandle` when the 0.1 side asks for one
/// (`task::current()`, `will_notify_current()`).
#[derive(Clone, Copy)]
struct LazyNotify<'a> {
    registered: &'a OnceCell<NotifyRegistered>,
    /// The poll's waker, if the call has one.
    waker: Option<&'a Waker>,
}

impl From<LazyNotify<'_>> for NotifyHandle01 {
    fn from(lazy: LazyNotify<'_>) -> Self {
        let registered = lazy
            .registered
            .get_or_init(|| NotifyRegistered::new(lazy.waker));
        NotifyHandle01::from(Arc::clone(&registered.shared))
    }
}

/// Polls 0.1 code under a 0.3 [`Context`].
///
/// The 0.1 value itself stays in the wrapper (so `fill_buf` can return a slice borrowed from
/// it); this cell owns the 0.1 task identity (a `Spawn<()>`: task id and task-local data) that
/// every poll of the wrapper enters, and the one notify handle every 0.1 `Task` of the
/// wrapper holds.
pub(crate) struct NotifyCell {
    task: Spawn01<()>,
    /// Created when the 0.1 side first calls `task::current()`; kept for the wrapper's life.
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

    /// Runs `f` inside a 0.1 task whose notifications wake `cx` (and the wakers of earlier
    /// polls that may still wait on them).
    #[inline]
    pub(crate) fn poll_in<R>(&mut self, cx: &Context<'_>, f: impl FnOnce() -> R) -> R {
        let waker = cx.waker();
        if let Some(registered) = self.registered.get_mut() {
            registered.track(waker);
        }
        let lazy = LazyNotify {
            registered: &self.registered,
            waker: Some(waker),
        };
        #[cfg(feature = "tokio01")]
        let f = || crate::tokio01::enter(f);
        self.task.poll_fn_notify(&lazy, 0, |()| f())
    }

    /// Runs `f` inside the wrapper's 0.1 task, leaving the wakers its notifications reach as
    /// they are (none, if no poll has registered one yet). For calls that get no [`Context`],
    /// such as `Sink::start_send`.
    pub(crate) fn poll_keeping_wakers<R>(&mut self, f: impl FnOnce() -> R) -> R {
        let lazy = LazyNotify {
            registered: &self.registered,
            waker: None,
        };
        self.task.poll_fn_notify(&lazy, 0, |()| f())
    }
}

impl fmt::Debug for NotifyCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifyCell")
            .field("allocated", &self.registered.get().is_some())
            .finish()
    }
}

/// How many idle wakers each thread keeps for the next wrappers to reuse (not part of the
/// semver contract): enough for conversions made one after another, and for a few nested in
/// each other.
const IDLE_WAKERS: usize = 4;

thread_local! {
    /// Wakers of dropped wrappers that nothing else held, their task already cleared.
    static IDLE: RefCell<Vec<Arc<TaskWake>>> = const { RefCell::new(Vec::new()) };
}

/// A 0.1 `Task` seen by 0.3 code as a [`Waker`]: it notifies the one task it was made for.
/// The task is set before the waker is handed out and never changed while anything else holds
/// it, so a wake reads it without a lock.
struct TaskWake {
    task: Option<task01::Task>,
}

impl Wake for TaskWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(task) = &self.task {
            task.notify();
        }
    }
}

/// The waker a wrapper polls with, and the 0.1 task it notifies.
struct TaskRegistered {
    shared: Arc<TaskWake>,
    waker: Waker,
}

impl TaskRegistered {
    /// A waker for the current 0.1 task: one of this thread's idle ones if there is one, else a
    /// new one.
    #[cold]
    #[inline(never)]
    fn for_current_task() -> Self {
        let task = Some(task01::current());
        let idle = IDLE.try_with(|idle| idle.borrow_mut().pop()).ok().flatten();
        let shared = match idle {
            Some(mut wake) => match Arc::get_mut(&mut wake) {
                Some(unshared) => {
                    unshared.task = task;
                    wake
                }
                None => Arc::new(TaskWake { task }),
            },
            None => Arc::new(TaskWake { task }),
        };
        Self {
            waker: Waker::from(Arc::clone(&shared)),
            shared,
        }
    }

    /// Whether the waker notifies the current 0.1 task.
    #[inline]
    fn notifies_current(&self) -> bool {
        (self.shared.task.as_ref()).is_some_and(task01::Task::will_notify_current)
    }

    /// Clears the task (releasing what its notify handle holds, as dropping it would) and
    /// keeps the waker for the next wrapper on this thread, when nothing else holds it (the
    /// 0.3 value dropped every clone); otherwise it goes with its last holder, task and all.
    fn release(self) {
        let Self { mut shared, waker } = self;
        drop(waker);
        let Some(unshared) = Arc::get_mut(&mut shared) else {
            return;
        };
        unshared.task = None;
        // During thread exit the list may be gone: then the waker is simply freed.
        let _ = IDLE.try_with(|idle| {
            let mut idle = idle.borrow_mut();
            if idle.len() < IDLE_WAKERS {
                idle.push(shared);
            }
        });
    }
}

/// The waker of a 0.3 value's polls until it first keeps a waker: it only records a wake.
struct Probe {
    woken: AtomicBool,
}

impl Wake for Probe {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Relaxed);
    }
}

/// This thread's probe: the waker, the `Arc` it holds (so two strong references while no
/// clone is out), and whether a probed poll is running (a nested one falls back to a real
/// waker, so it never clears the outer poll's `woken`).
struct ProbeSlot {
    probe: Arc<Probe>,
    waker: Waker,
    busy: Cell<bool>,
}

/// What a probed poll left behind.
enum Probed {
    /// No clone of the probe is left anywhere; `woken`: the value woke it (asked to be polled
    /// again).
    NothingKept { woken: bool },
    /// The value kept a clone: it must be asked again with a real waker.
    CloneKept,
}

/// Resets [`ProbeSlot::busy`], also when the poll panics.
struct NotBusy<'a>(&'a Cell<bool>);

impl Drop for NotBusy<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl ProbeSlot {
    fn new() -> Self {
        let probe = Arc::new(Probe {
            woken: AtomicBool::new(false),
        });
        Self {
            waker: Waker::from(Arc::clone(&probe)),
            probe,
            busy: Cell::new(false),
        }
    }

    /// Polls with the probe, when no clone of it is out (so none can come or go but the
    /// value's own) and no probed poll is running; `None` (without polling) otherwise.
    fn poll<T>(
        &self,
        poll: &mut impl FnMut(&mut Context<'_>) -> Poll<T>,
    ) -> Option<(Poll<T>, Probed)> {
        if self.busy.get() || Arc::strong_count(&self.probe) != 2 {
            return None;
        }
        self.busy.set(true);
        let _reset = NotBusy(&self.busy);
        self.probe.woken.store(false, Ordering::Relaxed);
        let out = poll(&mut Context::from_waker(&self.waker));
        if Arc::strong_count(&self.probe) != 2 {
            return Some((out, Probed::CloneKept));
        }
        // A clone woken and dropped on another thread during the poll: its drop (a Release
        // decrement) happened before the count just read, so its wake is seen.
        fence(Ordering::Acquire);
        let woken = self.probe.woken.load(Ordering::Relaxed);
        Some((out, Probed::NothingKept { woken }))
    }
}

thread_local! {
    static PROBE: ProbeSlot = ProbeSlot::new();
}

/// Polls 0.3 code from inside a 0.1 task.
///
/// The waker notifies the 0.1 task current when it was made. It is taken from the thread's
/// idle ones (made the first time) and given back, its task cleared, when the wrapper drops it
/// and nothing else holds it, so making one per wrapper allocates nothing in steady state and
/// keeps no 0.1 task alive past the wrapper. When another 0.1 task polls the wrapper (the kept
/// waker's task no longer `will_notify_current()`), the wrapper takes a waker for that task
/// before polling, and the wakers the 0.3 value already holds keep notifying the task they
/// were made for.
///
/// [`TaskCell::poll_probe_first`] goes one step further for futures and streams: until the
/// value keeps a waker it is polled with a thread-local probe waker that only records a wake,
/// so a value that is ready at once (most conversions), or that only wakes itself, needs no
/// waker of its own at all.
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

    /// The waker to poll with now: the kept one while its task is the current one.
    #[inline]
    fn waker_for_current_task(&mut self) -> &Waker {
        if !(self.registered.as_ref()).is_some_and(TaskRegistered::notifies_current) {
            // First poll, or another 0.1 task polls now (the other half of a split value): it
            // gets a waker of its own, and the wakers the 0.3 value already holds keep
            // notifying their task.
            if let Some(previous) = self.registered.take() {
                previous.release();
            }
        }
        &self
            .registered
            .get_or_insert_with(TaskRegistered::for_current_task)
            .waker
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
        Some(poll(&mut Context::from_waker(
            self.waker_for_current_task(),
        )))
    }

    /// [`TaskCell::poll_with`] for futures and streams, which need no waker until they keep
    /// one: until then `poll` runs with this thread's probe waker. Answered `Ready`, nothing
    /// was made. Answered `Pending` with no clone of the probe kept, nothing can wake the
    /// value but a wake it asked for during the poll (a `yield_now`), which is passed to the
    /// current 0.1 task at once. Answered `Pending` with a clone kept, `poll` is asked again at
    /// once with the real waker (a 0.3 value wakes the waker of its latest poll), which is
    /// kept from then on.
    #[inline]
    pub(crate) fn poll_probe_first<T>(
        &mut self,
        mut poll: impl FnMut(&mut Context<'_>) -> Poll<T>,
    ) -> Option<Poll<T>> {
        if !task01::is_in_task() {
            return None;
        }
        if self.registered.is_none() {
            match PROBE.try_with(|probe| probe.poll(&mut poll)).ok().flatten() {
                Some((Poll::Ready(out), _)) => return Some(Poll::Ready(out)),
                Some((Poll::Pending, Probed::NothingKept { woken })) => {
                    if woken {
                        task01::current().notify();
                    }
                    return Some(Poll::Pending);
                }
                Some((Poll::Pending, Probed::CloneKept)) | None => {}
            }
        }
        Some(poll(&mut Context::from_waker(
            self.waker_for_current_task(),
        )))
    }
}

impl Drop for TaskCell {
    fn drop(&mut self) {
        if let Some(registered) = self.registered.take() {
            registered.release();
        }
    }
}

impl fmt::Debug for TaskCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskCell")
            .field("allocated", &self.registered.is_some())
            .finish()
    }
}

/// The `io::Error` every 0.1-facing I/O adapter returns when called outside a 0.1 task;
/// `call` is `Type::method`, as in `Tokio1As01::write`.
pub(crate) fn no_task_error(call: &str) -> std::io::Error {
    std::io::Error::other(format!(
        "iocompat::{call}: called outside a futures 0.1 task (tokio-io 0.1 I/O needs \
         one to notify when the value is not ready); run the call inside \
         `futures01::future::lazy(|| ..)` (or another 0.1 `poll`, driven by `Future::wait` or a \
         0.1 executor), or poll the 0.1 future that makes it through `.compat()` \
         (`Future01CompatExt`) from a tokio 1 / futures 0.3 task"
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Runs `body` on its own thread; a hang (a deadlock in the bridge) fails the test.
    fn bounded(body: impl FnOnce() + Send + 'static) {
        let (done, wait) = std::sync::mpsc::channel();
        let body = std::thread::spawn(move || {
            body();
            let _ = done.send(());
        });
        let finished = wait.recv_timeout(std::time::Duration::from_secs(20));
        if let Err(panic) = body.join() {
            std::panic::resume_unwind(panic);
        }
        finished.expect("the test body did not finish within 20 s");
    }

    /// Counts the wake-ups of one 0.3 task.
    #[derive(Default)]
    struct Wakes(AtomicUsize);

    impl Wakes {
        fn get(&self) -> usize {
            self.0.load(Ordering::SeqCst)
        }
    }

    impl Wake for Wakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A second way to wake the same task: a waker of another type (another vtable) over
    /// another `Arc` (another data pointer), so it never `will_wake` one made by [`Wakes`],
    /// whatever the compiler does with vtables.
    struct Alias(Arc<Wakes>);

    impl Wake for Alias {
        fn wake(self: Arc<Self>) {
            self.0.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// One poll of 0.1 code that stores `task::current()` when it has no task yet, or when
    /// the stored one does not `will_notify_current()` (as well-written 0.1 code does).
    /// Answers `true` when the stored task, and a clone of it, were current; `false` when it
    /// had to store a new one.
    fn poll_storing(cell: &mut NotifyCell, waker: &Waker, slot: &mut Option<task01::Task>) -> bool {
        cell.poll_in(&Context::from_waker(waker), || {
            let fresh = !slot.as_ref().is_some_and(task01::Task::will_notify_current);
            if fresh {
                *slot = Some(task01::current());
            }
            let task = slot.as_ref().unwrap();
            !fresh && task.clone().will_notify_current()
        })
    }

    #[test]
    fn two_equivalent_wakers_keep_will_notify_current_true_and_get_the_wake_ups() {
        bounded(|| {
            let wakes = Arc::new(Wakes::default());
            let direct = Waker::from(Arc::clone(&wakes));
            let alias = Waker::from(Arc::new(Alias(Arc::clone(&wakes))));
            assert!(!direct.will_wake(&alias) && !alias.will_wake(&direct));
            let mut cell = NotifyCell::new();
            let mut slot = None;
            assert!(
                !poll_storing(&mut cell, &direct, &mut slot),
                "first poll stores"
            );
            for round in 0..20 {
                let waker = if round % 2 == 0 { &alias } else { &direct };
                assert!(
                    poll_storing(&mut cell, waker, &mut slot),
                    "round {round}: will_notify_current() turned false"
                );
                let before = wakes.get();
                slot.as_ref().unwrap().notify();
                assert!(wakes.get() > before, "round {round}: the wake-up was lost");
            }
        });
    }

    #[test]
    fn a_task_stored_for_one_03_task_still_wakes_it_after_another_polls() {
        bounded(|| {
            // The two halves of one split value: each 0.3 task stores its own 0.1 task.
            let (reader, writer) = (Arc::new(Wakes::default()), Arc::new(Wakes::default()));
            let (rw, ww) = (
                Waker::from(Arc::clone(&reader)),
                Waker::from(Arc::clone(&writer)),
            );
            let mut cell = NotifyCell::new();
            let (mut read_task, mut write_task) = (None, None);
            poll_storing(&mut cell, &rw, &mut read_task);
            poll_storing(&mut cell, &ww, &mut write_task);
            // One handle for the wrapper: either task's stored 0.1 task is current for both.
            assert!(poll_storing(&mut cell, &rw, &mut write_task));
            assert!(poll_storing(&mut cell, &ww, &mut read_task));
            read_task.as_ref().unwrap().notify();
            assert!(reader.get() >= 1, "the reader's wake-up was lost");
            assert!(
                writer.get() >= 1,
                "the writer polled last and may wait on it too"
            );
            // Both polled again after that notification; the next one reaches both again.
            poll_storing(&mut cell, &rw, &mut read_task);
            poll_storing(&mut cell, &ww, &mut write_task);
            let (r, w) = (reader.get(), writer.get());
            write_task.as_ref().unwrap().notify();
            assert!(reader.get() > r && writer.get() > w);
        });
    }

    #[test]
    fn a_wrapper_polled_by_a_then_b_then_a_again_wakes_both() {
        bounded(|| {
            let (a, b) = (Arc::new(Wakes::default()), Arc::new(Wakes::default()));
            let (aw, bw) = (Waker::from(Arc::clone(&a)), Waker::from(Arc::clone(&b)));
            let mut cell = NotifyCell::new();
            let mut slot = None;
            poll_storing(&mut cell, &aw, &mut slot);
            assert!(poll_storing(&mut cell, &bw, &mut slot));
            assert!(poll_storing(&mut cell, &aw, &mut slot));
            slot.as_ref().unwrap().notify();
            assert!(a.get() >= 1, "the latest poll's task was not woken");
            assert!(
                b.get() >= 1,
                "the task that polled in between was not woken"
            );
            // The latest poll's waker is kept after a notification (nothing registers again).
            let woken = a.get();
            slot.as_ref().unwrap().notify();
            assert!(a.get() > woken);
        });
    }

    #[test]
    fn more_03_tasks_than_kept_wakers_lose_no_wake_up() {
        bounded(|| {
            let tasks: Vec<_> = (0..EARLIER_WAKERS + 3)
                .map(|_| Arc::new(Wakes::default()))
                .collect();
            let mut cell = NotifyCell::new();
            let mut slot = None;
            for wakes in &tasks {
                poll_storing(&mut cell, &Waker::from(Arc::clone(wakes)), &mut slot);
            }
            slot.as_ref().unwrap().notify();
            for (i, wakes) in tasks.iter().enumerate() {
                assert!(wakes.get() >= 1, "task {i} was never woken");
            }
        });
    }

    #[test]
    fn a_notify_before_any_waker_was_registered_wakes_nothing_and_the_next_poll_registers() {
        bounded(|| {
            let wakes = Arc::new(Wakes::default());
            let waker = Waker::from(Arc::clone(&wakes));
            let mut cell = NotifyCell::new();
            let task = cell.poll_keeping_wakers(task01::current);
            task.notify();
            assert_eq!(wakes.get(), 0);
            assert!(cell.poll_in(&Context::from_waker(&waker), || task.will_notify_current()));
            task.notify();
            assert_eq!(wakes.get(), 1);
        });
    }

    /// Counts 0.1 notifications.
    struct Notified(AtomicUsize);

    impl Notify01 for Notified {
        fn notify(&self, _id: usize) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Runs `f` inside a 0.1 task whose notifications count in `notified`.
    fn in_01_task<R>(notified: &Arc<Notified>, f: impl FnOnce() -> R) -> R {
        let handle = NotifyHandle01::from(Arc::clone(notified));
        spawn01(()).poll_fn_notify(&handle, 0, |()| f())
    }

    fn notified() -> Arc<Notified> {
        Arc::new(Notified(AtomicUsize::new(0)))
    }

    #[test]
    fn a_value_ready_at_once_is_polled_once_with_no_waker_made() {
        bounded(|| {
            let mut cell = TaskCell::new();
            let mut polls = 0;
            let out = in_01_task(&notified(), || {
                cell.poll_probe_first(|_| {
                    polls += 1;
                    Poll::Ready(7)
                })
            });
            assert_eq!(out, Some(Poll::Ready(7)));
            assert_eq!(polls, 1);
            assert!(
                cell.registered.is_none(),
                "a waker was made for a ready value"
            );
        });
    }

    #[test]
    fn a_value_that_only_wakes_itself_is_not_asked_again_and_its_wake_reaches_the_01_task() {
        bounded(|| {
            let task = notified();
            let mut cell = TaskCell::new();
            let mut polls = 0;
            let out = in_01_task(&task, || {
                cell.poll_probe_first(|cx| {
                    polls += 1;
                    cx.waker().wake_by_ref();
                    Poll::<()>::Pending
                })
            });
            assert_eq!(out, Some(Poll::Pending));
            assert_eq!(polls, 1, "polled again although it kept no waker");
            assert_eq!(task.0.load(Ordering::SeqCst), 1, "the wake-up was lost");
            assert!(cell.registered.is_none(), "a waker was made");
            // Pending without a wake and without a kept waker: nothing to pass on.
            in_01_task(&task, || cell.poll_probe_first(|_| Poll::<()>::Pending));
            assert_eq!(task.0.load(Ordering::SeqCst), 1);
        });
    }

    #[test]
    fn a_probed_poll_inside_another_uses_a_real_waker_and_loses_no_wake_up() {
        bounded(|| {
            let task = notified();
            let (mut outer, mut inner) = (TaskCell::new(), TaskCell::new());
            let mut inner_waker = None;
            in_01_task(&task, || {
                outer.poll_probe_first(|cx| {
                    cx.waker().wake_by_ref();
                    inner.poll_probe_first(|cx| {
                        inner_waker = Some(cx.waker().clone());
                        Poll::<()>::Pending
                    });
                    Poll::<()>::Pending
                })
            });
            assert_eq!(task.0.load(Ordering::SeqCst), 1, "the outer wake was lost");
            inner_waker.unwrap().wake_by_ref();
            assert_eq!(task.0.load(Ordering::SeqCst), 2, "the inner wake was lost");
        });
    }

    #[test]
    fn the_first_pending_is_asked_again_with_a_waker_that_notifies_the_01_task() {
        bounded(|| {
            let task = notified();
            let mut cell = TaskCell::new();
            let mut wakers = Vec::new();
            let out = in_01_task(&task, || {
                cell.poll_probe_first(|cx| {
                    wakers.push(cx.waker().clone());
                    Poll::<()>::Pending
                })
            });
            assert_eq!(out, Some(Poll::Pending));
            assert_eq!(wakers.len(), 2, "the first Pending is asked again once");
            wakers[0].wake_by_ref();
            assert_eq!(
                task.0.load(Ordering::SeqCst),
                0,
                "the first poll's waker (the probe) notified a task"
            );
            wakers[1].wake_by_ref();
            assert_eq!(task.0.load(Ordering::SeqCst), 1, "the wake-up was lost");
            // Later polls use the kept waker, once each.
            let mut later = 0;
            in_01_task(&task, || {
                cell.poll_probe_first(|cx| {
                    later += 1;
                    assert!(cx.waker().will_wake(&wakers[1]));
                    Poll::<()>::Pending
                })
            });
            assert_eq!(later, 1);
        });
    }

    /// Polls a fresh wrapper once (`Pending`) inside a 0.1 task notifying `task`, and answers
    /// the wrapper and, if `keep`, a clone of its waker (as a 0.3 value keeps one).
    fn pending_in(task: &Arc<Notified>, keep: bool) -> (TaskCell, Option<Waker>) {
        let mut cell = TaskCell::new();
        let mut kept = None;
        in_01_task(task, || {
            cell.poll_with(|cx| {
                if keep {
                    kept = Some(cx.waker().clone());
                }
                Poll::<()>::Pending
            })
        });
        (cell, kept)
    }

    #[test]
    fn a_dropped_wrapper_keeps_no_01_task_alive_and_its_waker_is_reused() {
        bounded(|| {
            let task = notified();
            let (cell, _) = pending_in(&task, false);
            assert!(Arc::strong_count(&task) > 1, "the waker holds the task");
            let first: *const TaskWake = &*cell.registered.as_ref().unwrap().shared;
            drop(cell);
            assert_eq!(
                Arc::strong_count(&task),
                1,
                "the 0.1 task (its notify handle) outlived the wrapper"
            );
            let other = notified();
            let (cell, _) = pending_in(&other, false);
            let second: *const TaskWake = &*cell.registered.as_ref().unwrap().shared;
            assert_eq!(first, second, "the idle waker was not reused");
            cell.registered.as_ref().unwrap().waker.wake_by_ref();
            assert_eq!(
                (
                    task.0.load(Ordering::SeqCst),
                    other.0.load(Ordering::SeqCst)
                ),
                (0, 1),
                "a reused waker notified the task it was made for before"
            );
        });
    }

    #[test]
    fn a_waker_the_03_value_keeps_notifies_its_task_after_the_wrapper_is_gone() {
        bounded(|| {
            let (a, b) = (notified(), notified());
            let (cell, kept) = pending_in(&a, true);
            let kept = kept.unwrap();
            drop(cell);
            // Still held by the 0.3 side: not reused for the next wrapper, nor cleared.
            let (cell, _) = pending_in(&b, false);
            let theirs = &cell.registered.as_ref().unwrap().waker;
            assert!(!theirs.will_wake(&kept));
            kept.wake_by_ref();
            theirs.wake_by_ref();
            assert_eq!(
                (a.0.load(Ordering::SeqCst), b.0.load(Ordering::SeqCst)),
                (1, 1)
            );
        });
    }
}
