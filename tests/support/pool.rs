//! A pool that runs jobs only when the test says so (tokio tests its `fs::File` the same way),
//! so cancellation can be tested at exact points.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use iocompat::{BlockingJob, SpawnBlocking};

#[derive(Clone, Default)]
pub struct ManualPool {
    jobs: Arc<Mutex<VecDeque<BlockingJob>>>,
}

impl SpawnBlocking for ManualPool {
    fn spawn(&self, job: BlockingJob) {
        self.jobs.lock().unwrap().push_back(job);
    }
}

impl ManualPool {
    /// Runs one queued job; false if there was none.
    pub fn run_one(&self) -> bool {
        let job = self.jobs.lock().unwrap().pop_front();
        match job {
            Some(job) => {
                job.run();
                true
            }
            None => false,
        }
    }

    /// Runs jobs until none is queued.
    pub fn run_all(&self) {
        while self.run_one() {}
    }

    /// Drops every queued job without running it (a runtime shutting down does this).
    pub fn drop_all(&self) {
        self.jobs.lock().unwrap().clear();
    }

    pub fn queued(&self) -> usize {
        self.jobs.lock().unwrap().len()
    }
}

/// Polls `fut` once with a no-op waker.
pub fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    Pin::new(fut).poll(&mut cx)
}

/// Drives `fut` to completion, running pool jobs whenever it is pending.
pub fn drive<F: Future + Unpin>(pool: &ManualPool, mut fut: F) -> F::Output {
    for _ in 0..1_000_000 {
        if let Poll::Ready(out) = poll_once(&mut fut) {
            return out;
        }
        if !pool.run_one() {
            // Pending with nothing queued: the future must be waiting for nothing, a hang.
            panic!("future pending with no pool job queued: it would hang");
        }
    }
    panic!("future did not complete");
}
