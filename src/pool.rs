//! Where blocking work runs.
//!
//! Every adapter that has to call blocking code hands it to this module, never to a thread pool
//! of its own choosing. The rule, decided at each spawn:
//!
//! 1. a [`SpawnBlocking`] implementation the user passed in (for example
//!    [`UnblockBuilder::spawner`](crate::UnblockBuilder::spawner)) always wins;
//! 2. otherwise, with the `tokio` feature, when a tokio runtime is current (the code is being
//!    polled inside `Runtime::block_on`, a spawned task, or after `Handle::enter`), the job goes
//!    to that runtime's blocking pool ([`tokio::task::spawn_blocking`]);
//! 3. otherwise it goes to the process-wide pool of the [`blocking`] crate (threads named
//!    `blocking-N`, started on demand, at most 500 by default, idle ones exit after a second;
//!    `BLOCKING_MAX_THREADS` sets the maximum). This is what makes the adapters work under
//!    `futures::executor::block_on`, smol, async-std or any other executor.
//!
//! A job that is dropped without running (tokio drops queued blocking jobs when its runtime
//! shuts down) is detected by the adapter that spawned it, which then fails the operation that
//! waited for it with an error instead of hanging; when the adapter itself was dropped, the job
//! runs where it is dropped instead, so the bytes it accepted are still written.

use std::fmt;
use std::sync::Arc;

/// A place to run blocking jobs: implement this to choose the threads yourself.
///
/// The implementation must eventually either call [`BlockingJob::run`] or drop the job. Dropping
/// it makes the operation waiting for it fail with an error; keeping it forever makes that
/// operation wait forever. A job of an adapter that has itself been dropped is the exception:
/// nobody is left to see an error, so dropping it runs it on the dropping thread (it writes out
/// what the adapter accepted, see the [`unblock` docs](crate::unblock#drop)).
///
/// # Examples
///
/// ```
/// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
/// use iocompat::{BlockingJob, SpawnBlocking};
///
/// /// Runs every job on a fresh thread (fine for a test, wasteful in production).
/// struct ThreadPerJob;
///
/// impl SpawnBlocking for ThreadPerJob {
///     fn spawn(&self, job: BlockingJob) {
///         std::thread::spawn(move || job.run());
///     }
/// }
///
/// # futures::executor::block_on(async {
/// use futures::io::AsyncReadExt;
/// let mut reader = iocompat::Unblock::builder()
///     .spawner(ThreadPerJob)
///     .build(&b"hello"[..]);
/// let mut text = String::new();
/// reader.read_to_string(&mut text).await?;
/// assert_eq!(text, "hello");
/// # std::io::Result::Ok(()) }).unwrap();
/// # }
/// ```
pub trait SpawnBlocking: Send + Sync + 'static {
    /// Runs `job` on some thread where blocking is acceptable, or drops it.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::{BlockingJob, SpawnBlocking};
    ///
    /// /// Refuses all work: every operation then fails with an error saying the pool dropped it.
    /// struct Closed;
    /// impl SpawnBlocking for Closed {
    ///     fn spawn(&self, job: BlockingJob) {
    ///         drop(job);
    ///     }
    /// }
    /// # let _ = Closed;
    /// ```
    fn spawn(&self, job: BlockingJob);
}

/// One unit of blocking work handed to a [`SpawnBlocking`] implementation.
///
/// # Examples
///
/// ```
/// use iocompat::{BlockingJob, SpawnBlocking};
///
/// struct Inline;
/// impl SpawnBlocking for Inline {
///     fn spawn(&self, job: BlockingJob) {
///         job.run(); // runs on the polling thread: only acceptable in tests
///     }
/// }
/// # let _ = Inline;
/// ```
pub struct BlockingJob {
    job: Box<dyn FnOnce() + Send + 'static>,
}

impl BlockingJob {
    pub(crate) fn new(job: impl FnOnce() + Send + 'static) -> Self {
        Self { job: Box::new(job) }
    }

    /// Runs the job on the current thread. It may block.
    ///
    /// # Examples
    ///
    /// ```
    /// # use iocompat::{BlockingJob, SpawnBlocking};
    /// struct OneThread(std::sync::mpsc::Sender<BlockingJob>);
    /// impl SpawnBlocking for OneThread {
    ///     fn spawn(&self, job: BlockingJob) {
    ///         let _ = self.0.send(job); // a dedicated thread calls `job.run()`
    ///     }
    /// }
    /// let (tx, rx) = std::sync::mpsc::channel::<BlockingJob>();
    /// std::thread::spawn(move || rx.into_iter().for_each(BlockingJob::run));
    /// # let _ = OneThread(tx);
    /// ```
    pub fn run(self) {
        (self.job)()
    }
}

impl fmt::Debug for BlockingJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingJob").finish_non_exhaustive()
    }
}

/// The pool choice of one adapter: automatic (tokio if current, else `blocking`) or the user's.
#[derive(Clone, Default)]
pub(crate) enum Spawner {
    #[default]
    Auto,
    Custom(Arc<dyn SpawnBlocking>),
}

impl Spawner {
    /// Hands `job` to the pool. Never blocks, never panics; a pool that refuses drops the job.
    pub(crate) fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        match self {
            Spawner::Custom(spawn) => spawn.spawn(BlockingJob::new(job)),
            Spawner::Auto => spawn_auto(job),
        }
    }
}

fn spawn_auto(job: impl FnOnce() + Send + 'static) {
    #[cfg(feature = "tokio")]
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        // The JoinHandle is not needed: completion is reported through the adapter's own state,
        // and a job dropped by a shutting-down runtime is detected by the job's drop guard.
        drop(handle.spawn_blocking(job));
        return;
    }
    blocking::unblock(job).detach();
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spawner::Auto => f.write_str("Auto"),
            Spawner::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}
