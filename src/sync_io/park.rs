//! Parking the calling thread until the wrapped value's waker fires, and the watchdog thread
//! that nudges watched waits so they can check on their runtime.
//!
//! Why a watchdog and not `park_timeout`: a timed futex wait arms a kernel timer on every park,
//! which cost about a fifth of `SyncIo`'s throughput on a duplex stream (measured with
//! `benches/sync_io_compat.rs`). Waits park untimed; one process-wide thread
//! ([`WATCHDOG_THREAD_NAME`]) unparks every watched wait each [`TICK`] while there are any.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::task::{Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// How often watched waits are nudged. Not part of the semver contract.
pub(super) const TICK: Duration = Duration::from_millis(50);

/// Name of the watchdog thread.
pub(super) const WATCHDOG_THREAD_NAME: &str = "iocompat-syncio-watchdog";

/// Idle ticks (no watched wait seen) after which the watchdog parks until the next wait.
const IDLE_TICKS: u32 = 20;

/// Wakes one thread by unparking it; `notified` keeps a wake that comes before the park.
#[derive(Debug)]
pub(super) struct ThreadNotify {
    thread: Thread,
    notified: AtomicBool,
    /// Parked in a watched wait: the watchdog may unpark it.
    watched: AtomicBool,
    /// Known to the watchdog.
    registered: AtomicBool,
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
    /// Parks the current thread until woken; returns whether a wake arrived, and consumes it.
    ///
    /// `false` means the park ended without a wake: a spurious unpark or, for a `watched`
    /// wait, the watchdog's nudge (at least every [`TICK`]). A real wake is never lost:
    /// `notified` stays set until consumed, and an `unpark` before the `park` makes the `park`
    /// return at once.
    pub(super) fn wait(self: &Arc<Self>, watched: bool) -> bool {
        if self.notified.swap(false, Ordering::Acquire) {
            return true;
        }
        if watched {
            // Publish first, then look at the watchdog (it does the reverse before sleeping):
            // with both `SeqCst`, at least one of the two sees the other.
            self.watched.store(true, Ordering::SeqCst);
            if !watchdog::watch(self) {
                // No watchdog thread could be started: fall back to a timed park.
                thread::park_timeout(TICK);
                self.watched.store(false, Ordering::SeqCst);
                return self.notified.swap(false, Ordering::Acquire);
            }
        }
        thread::park();
        if watched {
            self.watched.store(false, Ordering::SeqCst);
        }
        self.notified.swap(false, Ordering::Acquire)
    }
}

fn new_notify() -> Arc<ThreadNotify> {
    Arc::new(ThreadNotify {
        thread: thread::current(),
        notified: AtomicBool::new(false),
        watched: AtomicBool::new(false),
        registered: AtomicBool::new(false),
    })
}

thread_local! {
    static CURRENT: Arc<ThreadNotify> = new_notify();
}

/// The notifier of the calling thread and a waker for it (one allocation per thread, not per
/// call; a fresh one for a call made while the thread's locals are being destroyed, from
/// another thread-local's `Drop`).
pub(super) fn current() -> (Arc<ThreadNotify>, Waker) {
    let notify = CURRENT
        .try_with(Arc::clone)
        .unwrap_or_else(|_| new_notify());
    let waker = Waker::from(Arc::clone(&notify));
    (notify, waker)
}

/// The process-wide watchdog: started on the first watched wait, then runs for the process's
/// life, parked (untimed) whenever no watched wait has been seen for [`IDLE_TICKS`] ticks.
mod watchdog {
    use super::*;

    static THREAD: OnceLock<Option<Thread>> = OnceLock::new();
    static WAITERS: Mutex<Vec<Weak<ThreadNotify>>> = Mutex::new(Vec::new());
    static SLEEPING: AtomicBool = AtomicBool::new(false);

    fn waiters() -> std::sync::MutexGuard<'static, Vec<Weak<ThreadNotify>>> {
        WAITERS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes sure `notify`, which has published `watched`, is nudged while it waits. `false`
    /// when there is no watchdog thread (the OS refused to start it).
    pub(super) fn watch(notify: &Arc<ThreadNotify>) -> bool {
        let thread = THREAD.get_or_init(|| {
            thread::Builder::new()
                .name(WATCHDOG_THREAD_NAME.to_owned())
                .spawn(run)
                .ok()
                .map(|handle| handle.thread().clone())
        });
        let Some(thread) = thread else {
            return false;
        };
        if !notify.registered.load(Ordering::Acquire)
            && !notify.registered.swap(true, Ordering::AcqRel)
        {
            waiters().push(Arc::downgrade(notify));
        }
        if SLEEPING.load(Ordering::SeqCst) && SLEEPING.swap(false, Ordering::SeqCst) {
            thread.unpark();
        }
        true
    }

    #[cfg(test)]
    pub(super) fn is_sleeping() -> bool {
        SLEEPING.load(Ordering::SeqCst)
    }

    /// Unparks every watched wait; whether there was any. Forgets threads that have exited.
    fn nudge() -> bool {
        let mut any = false;
        waiters().retain(|weak| match weak.upgrade() {
            Some(notify) => {
                if notify.watched.load(Ordering::SeqCst) {
                    any = true;
                    notify.thread.unpark();
                }
                true
            }
            None => false,
        });
        any
    }

    fn run() {
        let mut idle = 0;
        loop {
            thread::sleep(TICK);
            idle = if nudge() { 0 } else { idle + 1 };
            if idle < IDLE_TICKS {
                continue;
            }
            idle = 0;
            // Announce the sleep, then look once more (a wait does the reverse).
            SLEEPING.store(true, Ordering::SeqCst);
            if nudge() {
                SLEEPING.store(false, Ordering::SeqCst);
                continue;
            }
            while SLEEPING.load(Ordering::SeqCst) {
                thread::park();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wake_before_the_wait_is_not_lost() {
        let (notify, waker) = current();
        waker.wake_by_ref();
        assert!(notify.wait(false));
    }

    #[test]
    fn a_wake_from_another_thread_ends_the_wait() {
        let (notify, waker) = current();
        let waker_thread = thread::spawn(move || waker.wake());
        while !notify.wait(false) {}
        waker_thread.join().unwrap();
    }

    #[test]
    fn a_watched_wait_is_nudged_by_the_watchdog() {
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let (notify, _waker) = current();
            // Nothing wakes this wait: only the watchdog (or a spurious unpark) can end it.
            let woken = notify.wait(true);
            let _ = done_tx.send(woken);
        });
        let woken = done_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("a watched wait was never nudged: it would hang");
        assert!(!woken);
    }

    #[test]
    fn the_watchdog_wakes_up_again_after_sleeping() {
        // Start the watchdog, then wait (bounded) until it has gone to sleep for lack of waits.
        a_watched_wait_is_nudged_by_the_watchdog();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !watchdog::is_sleeping() {
            assert!(
                std::time::Instant::now() < deadline,
                "the watchdog never went idle"
            );
            // Polling a condition, not sleeping in place of synchronisation.
            thread::sleep(Duration::from_millis(5));
        }
        // A new watched wait must wake it and be nudged.
        a_watched_wait_is_nudged_by_the_watchdog();
    }
}
