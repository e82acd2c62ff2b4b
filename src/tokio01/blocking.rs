//! tokio-threadpool 0.1's `blocking`, run on tokio 1.

use futures01::{Async as Async01, Poll as Poll01};
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio_threadpool01::BlockingError as BlockingError01;

/// The `BlockingImpl` every 0.1 poll gets: on a tokio 1 multi-thread worker, the closure runs
/// under `block_in_place` (the worker's other tasks move to another thread first); anywhere
/// else (a current-thread runtime, a multi-thread runtime's `block_on` thread, a blocking-pool
/// thread, no runtime) it runs inline, blocking the calling thread for its duration.
///
/// Never `NotReady`, never an error: tokio 1 has no limit to wait for and no state in which the
/// call can be refused, and running the closure inline is what the caller's thread would do
/// with `std` I/O.
pub(crate) fn blocking_01(f: &mut dyn FnMut()) -> Poll01<(), BlockingError01> {
    if on_multi_thread_worker() {
        tokio::task::block_in_place(f);
    } else {
        f();
    }
    Ok(Async01::Ready(()))
}

/// `block_in_place` panics on a current-thread runtime (whose `worker_index` is also `Some`),
/// so the flavour is checked too.
fn on_multi_thread_worker() -> bool {
    tokio::runtime::worker_index().is_some()
        && Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread)
}
