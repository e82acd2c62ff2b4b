//! Helpers shared by the integration tests: executors with a time bound, scripted mocks,
//! chaos wrappers.
#![allow(dead_code, unreachable_pub)]

pub mod data;
pub mod mock;
pub mod pool;
#[cfg(unix)]
pub mod positional;

use std::future::Future;
use std::sync::mpsc;
use std::time::Duration;

/// Every test's bound: a hang fails the test instead of stalling CI.
pub const LIMIT: Duration = Duration::from_secs(60);

/// Runs `f` under a watchdog: if it does not finish within [`LIMIT`], the process aborts with
/// a message naming the test (block_on cannot be interrupted from outside).
pub fn watchdog<R>(name: &str, f: impl FnOnce() -> R) -> R {
    let (done, wait) = mpsc::channel::<()>();
    let name = name.to_owned();
    let guard = std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(LIMIT) {
            eprintln!("test {name} hung for {LIMIT:?}: aborting");
            std::process::abort();
        }
    });
    let r = f();
    drop(done);
    let _ = guard.join();
    r
}

/// On tokio's current-thread runtime, bounded by a tokio timeout.
pub fn on_current_thread<F: Future>(fut: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        tokio::time::timeout(LIMIT, fut)
            .await
            .expect("test timed out")
    })
}

/// On tokio's multi-thread runtime, bounded by a tokio timeout.
pub fn on_multi_thread<F: Future>(fut: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        tokio::time::timeout(LIMIT, fut)
            .await
            .expect("test timed out")
    })
}

/// On `futures::executor::block_on` (no tokio runtime: the `blocking` pool is used).
pub fn on_block_on<F: Future>(fut: F) -> F::Output {
    watchdog("block_on", || futures::executor::block_on(fut))
}

/// Runs the same test body on all three executors.
pub fn on_all<F, Fut>(f: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    on_current_thread(f());
    on_multi_thread(f());
    on_block_on(f());
}
pub mod shutdown;
