//! Test helpers for the futures01 tests: a time bound and the three executors.

#![allow(dead_code)]

use std::future::Future;
use std::sync::mpsc;
use std::time::Duration;

/// Every futures01 test body gets this long; a hang fails instead of stalling CI.
pub const LIMIT: Duration = Duration::from_secs(20);

/// Runs `body` on its own thread and fails the test if it does not finish within [`LIMIT`].
/// A panic in `body` is re-raised with its message.
#[track_caller]
pub fn bounded<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let out = body();
        let _ = tx.send(());
        out
    });
    match rx.recv_timeout(LIMIT) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Ok(out) => out,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("test body did not finish within {LIMIT:?}"),
    }
}

/// Which executor drives a 0.3 future in a test.
#[derive(Clone, Copy, Debug)]
pub enum Exec {
    TokioCurrentThread,
    TokioMultiThread,
    FuturesBlockOn,
}

pub const ALL_EXECS: [Exec; 3] = [
    Exec::TokioCurrentThread,
    Exec::TokioMultiThread,
    Exec::FuturesBlockOn,
];

/// Runs `make()`'s future to completion on `exec`, within [`LIMIT`].
#[track_caller]
pub fn run_on<F, Fut>(exec: Exec, make: F) -> Fut::Output
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    bounded(move || match exec {
        Exec::TokioCurrentThread => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(make()),
        Exec::TokioMultiThread => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(make()),
        Exec::FuturesBlockOn => futures::executor::block_on(make()),
    })
}
