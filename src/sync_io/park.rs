//! Parking the calling thread until the wrapped value's waker fires.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// Wakes one thread by unparking it; `notified` keeps a wake that comes before the park.
#[derive(Debug)]
pub(super) struct ThreadNotify {
    thread: Thread,
    notified: AtomicBool,
}

impl Wake for ThreadNotify {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.notified.swap(true, Ordering::Release) {
            self.thread.unpark();
        }
    }
}

impl ThreadNotify {
    /// Parks the current thread until woken or until `timeout` has passed (forever when
    /// `None`). Returns whether a wake arrived, and consumes it.
    pub(super) fn wait(&self, timeout: Option<Duration>) -> bool {
        if self.notified.swap(false, Ordering::Acquire) {
            return true;
        }
        match timeout {
            Some(timeout) => thread::park_timeout(timeout),
            None => thread::park(),
        }
        // A spurious unpark reads as "not woken": the caller re-checks its deadline or parks
        // again, and a real wake is never lost because `notified` stays set until consumed.
        self.notified.swap(false, Ordering::Acquire)
    }
}

thread_local! {
    static CURRENT: Arc<ThreadNotify> = Arc::new(ThreadNotify {
        thread: thread::current(),
        notified: AtomicBool::new(false),
    });
}

/// The notifier of the calling thread and a waker for it (one allocation per thread, not per
/// call).
pub(super) fn current() -> (Arc<ThreadNotify>, Waker) {
    let notify = CURRENT.with(Arc::clone);
    let waker = Waker::from(Arc::clone(&notify));
    (notify, waker)
}
