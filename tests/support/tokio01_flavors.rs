//! Runs a test body on both tokio 1 runtime flavours, each bounded in time.

use std::future::Future;
use std::time::Duration;

/// Longest any one body may take before the test fails (not a synchronisation: a bound).
pub const BOUND: Duration = Duration::from_secs(20);

/// Runs `body()` on a current-thread and on a multi-thread tokio 1 runtime, with timers and
/// I/O enabled, failing if either run does not finish within [`BOUND`].
pub fn on_both_flavors<F, Fut>(body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    run(&current, body(), "current_thread");
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    run(&multi, body(), "multi_thread");
}

fn run<Fut: Future<Output = ()> + Send + 'static>(
    rt: &tokio::runtime::Runtime,
    body: Fut,
    flavor: &str,
) {
    // Spawned, so a multi-thread body runs on a worker (where `block_in_place` applies).
    let task = rt.spawn(async move { tokio::time::timeout(BOUND, body).await });
    match rt.block_on(task) {
        Ok(Ok(())) => {}
        Ok(Err(_)) => panic!("{flavor}: the test body did not finish within {BOUND:?}"),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
