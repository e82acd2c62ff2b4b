//! Runs a blocking test body on its own thread, failing the test if it takes longer than a
//! bound (not a synchronisation: a bound).

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Longest any one body may take.
pub const BOUND: Duration = Duration::from_secs(20);

/// Runs `body` on a new thread and returns its result, resuming its panic; fails if it has not
/// finished within [`BOUND`] (the thread is then left behind, the test failed).
pub fn bounded<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let thread = thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        let _ = tx.send(result);
    });
    match rx.recv_timeout(BOUND) {
        Ok(Ok(value)) => {
            thread.join().unwrap();
            value
        }
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("the test body did not finish within {BOUND:?}"),
    }
}
