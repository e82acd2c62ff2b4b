//! The count of live tasks of one of iocompat's tokio 0.1-style runtimes, which
//! `shutdown_on_idle` and `current_thread::Runtime::run` wait on.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use futures01::task::AtomicTask as AtomicTask01;
use futures01::{Async as Async01, Future as Future01, Poll as Poll01};

/// How many tasks spawned through one runtime are alive (spawned and not yet dropped), who
/// waits for that to reach zero, and whether the runtime is gone.
///
/// A task counts from its spawn until its future is dropped (after completing, or when tokio 1
/// drops it at shutdown). A task spawning a child does so while it is itself counted, so the
/// count reaches zero only when no spawned work is left.
#[derive(Default)]
pub(crate) struct Tracker {
    live: AtomicUsize,
    closed: AtomicBool,
    /// The 0.1 task of a `Shutdown` future waiting for idle.
    waiter01: AtomicTask01,
    /// The std waker of a `run` waiting for idle.
    waiter: Mutex<Option<Waker>>,
}

impl Tracker {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Counts one more live task, until the guard is dropped.
    pub(crate) fn guard(self: &Arc<Self>) -> TaskGuard {
        self.live.fetch_add(1, Ordering::SeqCst);
        TaskGuard {
            tracker: Arc::clone(self),
        }
    }

    /// Marks the runtime as shut down: later spawns are refused.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// `Ready` once no counted task is alive; else the current 0.1 task is notified when that
    /// happens. Registers before it checks, so a task ending in between is not missed.
    pub(crate) fn poll_idle_01(&self) -> Async01<()> {
        self.waiter01.register();
        if self.live.load(Ordering::SeqCst) == 0 {
            Async01::Ready(())
        } else {
            Async01::NotReady
        }
    }

    /// The same for a std task.
    pub(crate) fn poll_idle(&self, cx: &Context<'_>) -> Poll<()> {
        {
            let mut waiter = self.waiter.lock().unwrap_or_else(PoisonError::into_inner);
            match &mut *waiter {
                Some(w) if w.will_wake(cx.waker()) => {}
                slot => *slot = Some(cx.waker().clone()),
            }
        }
        if self.live.load(Ordering::SeqCst) == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// One live task of a [`Tracker`].
pub(crate) struct TaskGuard {
    tracker: Arc<Tracker>,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        if self.tracker.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.tracker.waiter01.notify();
            let waker = self
                .tracker
                .waiter
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// A spawned future (0.1 or std) counted by its runtime's [`Tracker`] while it lives. The
    /// future is declared first, so it is dropped before the guard: whatever its drop does has
    /// happened when `shutdown_on_idle` sees the count reach zero.
    pub(crate) struct Tracked<F> {
        #[pin]
        future: F,
        guard: TaskGuard,
    }
}

impl<F> Tracked<F> {
    pub(crate) fn new(future: F, guard: TaskGuard) -> Self {
        Self { future, guard }
    }

    /// The future back, no longer counted (an executor refused it).
    pub(crate) fn into_inner(self) -> F {
        let Self { future, guard } = self;
        drop(guard);
        future
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().future.poll(cx)
    }
}

impl<F: Future01> Future01 for Tracked<F> {
    type Item = F::Item;
    type Error = F::Error;

    fn poll(&mut self) -> Poll01<F::Item, F::Error> {
        self.future.poll()
    }
}

/// Waits, as a std future, until no counted task is alive.
pub(crate) struct Idle<'a>(pub(crate) &'a Tracker);

impl Future for Idle<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.poll_idle(cx)
    }
}
