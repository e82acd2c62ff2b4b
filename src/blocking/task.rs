//! [`unblock`]: one closure run on the pool `Unblock` uses (`crate::pool`), its output as a
//! future. The only state is the slot the job fills and the task reads.

use std::fmt;
use std::future::Future;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;

use crate::pool::Spawner;

/// What [`Task::poll`](Future::poll) panics with when the pool dropped the closure unrun.
const DROPPED_UNRUN: &str = "iocompat::blocking::unblock: the closure was dropped without \
    running: the tokio runtime it was handed to is shutting down and refused it; call \
    `unblock` on a live runtime, or outside any runtime to use the `blocking` crate's pool";

/// Runs the blocking closure `f` on a thread pool and returns a future of its output.
///
/// The pool is the one [`Unblock`](crate::Unblock) uses, chosen at this call: tokio's blocking
/// pool ([`spawn_blocking`](tokio::task::spawn_blocking)) when a tokio runtime is current,
/// else the process-wide pool of the [`blocking`](https://docs.rs/blocking) crate. So it works
/// under `#[tokio::main]`, `futures::executor::block_on`, smol or any other executor.
///
/// The closure starts at once: the returned [`Task`] need not be polled for it to run.
///
/// # Panics
///
/// - A panic in `f` is caught on the pool and resumed (with its payload) by the task's poll,
///   in the awaiting task, as [`std::panic::resume_unwind`] does.
/// - If the pool drops the closure without running it (the tokio runtime current at this call
///   is shutting down: tokio then refuses new blocking jobs and drops queued ones), the task's
///   poll panics with a message saying so. `blocking::unblock` cannot fail either, so there is
///   no error to return; a hang would be worse.
///
/// # Cancellation
///
/// Dropping the task does not stop the closure (a blocking call cannot be interrupted): it
/// runs to its end on the pool and its output is dropped there. Unlike `blocking::unblock`,
/// whose dropped task may keep a closure that has not started yet from ever running, the
/// closure here always runs (unless the pool drops it, above).
///
/// # Examples
///
/// ```
/// use iocompat::blocking::unblock;
///
/// # futures::executor::block_on(async {
/// let dir = std::env::temp_dir();
/// let exists = unblock(move || dir.is_dir()).await;
/// assert!(exists);
/// # });
/// ```
pub fn unblock<T, F>(f: F) -> Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let slot = Arc::new(Mutex::new(Outcome::Running(None)));
    let finish = Finish {
        slot: Arc::clone(&slot),
        result: None,
    };
    // The job owns `finish` whole: run, it publishes the result; dropped unrun by the pool, it
    // publishes `Dropped` from its `Drop`.
    Spawner::Auto.spawn(move || finish.publish(panic::catch_unwind(AssertUnwindSafe(f))));
    Task { slot }
}

/// The future returned by [`unblock`]: resolves to the closure's output.
///
/// # Examples
///
/// ```
/// use iocompat::blocking::{Task, unblock};
///
/// # futures::executor::block_on(async {
/// let task: Task<u32> = unblock(|| 6 * 7);
/// assert_eq!(task.await, 42);
/// # });
/// ```
#[must_use = "the closure runs anyway; await the task for its output, or call `detach`"]
pub struct Task<T> {
    slot: Arc<Mutex<Outcome<T>>>,
}

impl<T> Task<T> {
    /// Lets the closure run to its end without waiting for it; its output is dropped.
    /// (Dropping the task does the same; this says so at the call site, as
    /// `blocking::Task::detach` does.)
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// iocompat::blocking::unblock(move || tx.send(1).unwrap()).detach();
    /// assert_eq!(rx.recv().unwrap(), 1);
    /// ```
    pub fn detach(self) {}
}

impl<T> Future for Task<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = lock(&self.slot);
        match &mut *state {
            Outcome::Running(waker) => {
                match waker {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    _ => *waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            Outcome::Done(_) => {
                let Outcome::Done(result) = mem::replace(&mut *state, Outcome::Taken) else {
                    unreachable!("matched `Done` above")
                };
                drop(state);
                match result {
                    Ok(value) => Poll::Ready(value),
                    Err(payload) => panic::resume_unwind(payload),
                }
            }
            Outcome::Dropped => {
                drop(state);
                panic!("{DROPPED_UNRUN}")
            }
            Outcome::Taken => {
                drop(state);
                panic!("iocompat::blocking::Task polled after it completed")
            }
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*lock(&self.slot) {
            Outcome::Running(_) => "Running",
            Outcome::Done(_) => "Done",
            Outcome::Dropped => "Dropped",
            Outcome::Taken => "Taken",
        };
        f.debug_struct("Task").field("state", &state).finish()
    }
}

/// The closure's progress, as the task sees it.
enum Outcome<T> {
    /// Not finished; the waker of the latest poll.
    Running(Option<Waker>),
    /// Finished: its output, or its panic.
    Done(thread::Result<T>),
    /// The pool dropped the closure without running it.
    Dropped,
    /// The output was handed to the awaiting task.
    Taken,
}

/// Owned by the job: publishes its result (or, dropped unrun, `Dropped`) and wakes the task.
struct Finish<T> {
    slot: Arc<Mutex<Outcome<T>>>,
    result: Option<thread::Result<T>>,
}

impl<T> Finish<T> {
    /// Publishes `result` (in `Drop`, which also covers the job dropped unrun).
    fn publish(mut self, result: thread::Result<T>) {
        self.result = Some(result);
    }
}

impl<T> Drop for Finish<T> {
    fn drop(&mut self) {
        let outcome = match self.result.take() {
            Some(result) => Outcome::Done(result),
            None => Outcome::Dropped,
        };
        let previous = mem::replace(&mut *lock(&self.slot), outcome);
        if let Outcome::Running(Some(waker)) = previous {
            waker.wake();
        }
    }
}

/// The slot's lock; a panic never happens while it is held, but poisoning is ignored anyway.
fn lock<T>(slot: &Mutex<Outcome<T>>) -> MutexGuard<'_, Outcome<T>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}
