//! tokio 0.1's `tokio::run` and `tokio::runtime::Runtime`, built on a tokio 1 multi-thread
//! runtime whose threads carry tokio 0.1's defaults for their whole life.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;

use futures01::future::{ExecuteError as ExecuteError01, Executor as Executor01};
use futures01::{Async as Async01, Future as Future01, Poll as Poll01};
use tokio::runtime::Handle;
use tokio_executor01::SpawnError as SpawnError01;

use super::enter::{self, Entered, Scope};
use super::tracker::{Tracked, Tracker};
use crate::futures01::{Compat01As03, TokioExecutor01};

/// Starts a [`Runtime`], spawns `future` onto it, and returns once the runtime is idle: the
/// future and every task it spawned (through tokio 0.1's `tokio::spawn` or otherwise onto the
/// runtime) have finished. The drop-in for tokio 0.1's `tokio::run`: change `tokio::run(f)` to
/// `iocompat::tokio01::run(f)`.
///
/// # Panics
///
/// When the runtime cannot be started, as tokio 0.1's `run` did, and when called from inside
/// an async context (tokio 1 forbids blocking there).
///
/// # Examples
///
/// ```
/// use futures01::Future;
/// use std::time::{Duration, Instant};
///
/// iocompat::tokio01::run(futures01::future::lazy(|| {
///     tokio01::spawn(
///         tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5))
///             .map_err(|e| panic!("{e}")),
///     );
///     Ok(())
/// }));
/// // The spawned delay has fired: `run` waited for it.
/// ```
#[track_caller]
pub fn run<F>(future: F)
where
    F: Future01<Item = (), Error = ()> + Send + 'static,
{
    let mut runtime = Runtime::new().expect("iocompat::tokio01::run: failed to start the runtime");
    runtime.spawn(future);
    wait_shutdown(runtime.shutdown_on_idle());
}

/// [`run`](fn@run) for a `std::future` (an async block that calls tokio 0.1 APIs directly
/// works: its polls see the tokio 0.1 services).
///
/// # Panics
///
/// As for [`run`](fn@run).
///
/// # Examples
///
/// ```
/// use iocompat::futures01::Future01CompatExt;
/// use std::time::{Duration, Instant};
///
/// iocompat::tokio01::run_std(async {
///     let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5));
///     delay.compat().await.unwrap();
/// });
/// ```
#[track_caller]
pub fn run_std<F>(future: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut runtime =
        Runtime::new().expect("iocompat::tokio01::run_std: failed to start the runtime");
    runtime.spawn_std(future);
    wait_shutdown(runtime.shutdown_on_idle());
}

fn wait_shutdown(shutdown: Shutdown) {
    // `Shutdown` never fails.
    let _ = shutdown.wait();
}

/// tokio 0.1's thread-pool `Runtime` (`tokio::runtime::Runtime`), on a tokio 1 multi-thread
/// runtime with I/O and time enabled, the default number of workers.
///
/// Every thread of the runtime (workers and its blocking pool) has tokio 0.1's defaults set
/// from its start to its end, so 0.1 code polled there (bridged or not) sees the shared tokio
/// 0.1 reactor and timer, tokio-threadpool `blocking`, and this runtime's [`TaskExecutor`] as
/// tokio 0.1's default executor. Spawned tasks are counted, so
/// [`shutdown_on_idle`](Runtime::shutdown_on_idle) waits for them as tokio 0.1's did.
///
/// Differences from tokio 0.1, by design:
///
/// - No `Builder`, `reactor()` or `handle()` (tokio 0.1 deprecated the latter two). For the
///   tokio 1 side, [`handle`](Runtime::handle) gives the tokio 1 `Handle`.
/// - `block_on` resumes a panic of the future on the caller (tokio 0.1 panicked with a
///   `Canceled` error instead).
/// - `shutdown_on_idle` waits for tasks spawned through this runtime's executors (its own
///   `spawn`, [`TaskExecutor`], tokio 0.1's `tokio::spawn` from its threads); tasks spawned
///   with tokio 1's `tokio::spawn` are not waited for (they are dropped at shutdown).
/// - On its threads a native tokio 0.1 runtime cannot be started (tokio 0.1's panic
///   "attempted to run an executor while another executor is already running"), also not
///   inside `spawn_blocking`; tokio 0.1's own runtime threads refused that too. Start one on a
///   `std::thread` if you must.
///
/// # Examples
///
/// ```
/// use futures01::Future;
/// use std::time::{Duration, Instant};
///
/// let mut rt = iocompat::tokio01::Runtime::new().unwrap();
/// let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5));
/// assert!(rt.block_on(delay).is_ok());
/// rt.shutdown_on_idle().wait().unwrap();
/// ```
pub struct Runtime {
    inner: Option<tokio::runtime::Runtime>,
    executor: TaskExecutor,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime").finish_non_exhaustive()
    }
}

thread_local! {
    /// The defaults of this thread, when it is a thread of an iocompat [`Runtime`].
    static THREAD_SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// `on_thread_start`: the thread's defaults, for its whole life.
fn set_thread_defaults(tracker: &Arc<Tracker>) {
    let Ok(handle) = Handle::try_current() else {
        return;
    };
    let executor = TaskExecutor {
        spawner: TokioExecutor01::new(handle),
        tracker: Arc::clone(tracker),
    };
    let scope = enter::scope(executor);
    let _ = THREAD_SCOPE.try_with(|slot| *slot.borrow_mut() = scope);
}

/// `on_thread_stop`: reset them before the thread's locals go.
fn reset_thread_defaults() {
    let scope = THREAD_SCOPE
        .try_with(|slot| slot.borrow_mut().take())
        .ok()
        .flatten();
    drop(scope);
}

impl Runtime {
    /// Starts the runtime (tokio 1 multi-thread, `enable_all`).
    ///
    /// # Errors
    ///
    /// When tokio 1 cannot build the runtime (threads or the I/O driver refused).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = iocompat::tokio01::Runtime::new().unwrap();
    /// # drop(rt);
    /// ```
    pub fn new() -> io::Result<Self> {
        let tracker = Tracker::new();
        let for_threads = Arc::clone(&tracker);
        let inner = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .on_thread_start(move || set_thread_defaults(&for_threads))
            .on_thread_stop(reset_thread_defaults)
            .build()?;
        let executor = TaskExecutor {
            spawner: TokioExecutor01::new(inner.handle().clone()),
            tracker,
        };
        Ok(Self {
            inner: Some(inner),
            executor,
        })
    }

    /// The tokio 1 handle of the runtime: tokio 1 code can spawn onto it or enter it.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = iocompat::tokio01::Runtime::new().unwrap();
    /// let answer = rt.handle().block_on(async { 6 * 7 });
    /// assert_eq!(answer, 42);
    /// ```
    pub fn handle(&self) -> &Handle {
        self.executor.spawner.handle()
    }

    /// An executor that spawns onto this runtime, from any thread (tokio 0.1's
    /// `Runtime::executor`).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    ///
    /// let rt = iocompat::tokio01::Runtime::new().unwrap();
    /// let (tx, rx) = futures01::sync::oneshot::channel();
    /// rt.executor().spawn(futures01::future::lazy(move || tx.send(1).map_err(|_| ())));
    /// assert_eq!(rx.wait(), Ok(1));
    /// ```
    pub fn executor(&self) -> TaskExecutor {
        self.executor.clone()
    }

    /// Spawns a 0.1 future onto the runtime.
    ///
    /// # Panics
    ///
    /// Never while `self` is alive (the runtime cannot be shut down under it).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    ///
    /// let mut rt = iocompat::tokio01::Runtime::new().unwrap();
    /// let (tx, rx) = futures01::sync::oneshot::channel();
    /// rt.spawn(futures01::future::lazy(move || tx.send(2).map_err(|_| ())));
    /// assert_eq!(rx.wait(), Ok(2));
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> &mut Self
    where
        F: Future01<Item = (), Error = ()> + Send + 'static,
    {
        self.executor.spawn(future);
        self
    }

    /// [`spawn`](Runtime::spawn) for a `std::future`; its polls see the tokio 0.1 services.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut rt = iocompat::tokio01::Runtime::new().unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// rt.spawn_std(async move { tx.send(3).unwrap() });
    /// assert_eq!(rx.recv(), Ok(3));
    /// ```
    #[track_caller]
    pub fn spawn_std<F>(&mut self, future: F) -> &mut Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.executor.spawn_std(future);
        self
    }

    /// Runs a 0.1 future to completion on the runtime (spawned onto a worker, as tokio 0.1
    /// did), blocking the calling thread until it is done.
    ///
    /// # Panics
    ///
    /// When called from inside an async context (tokio 1 forbids blocking there); when the
    /// future panics, with its panic.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut rt = iocompat::tokio01::Runtime::new().unwrap();
    /// assert_eq!(rt.block_on(futures01::future::ok::<_, ()>(5)), Ok(5));
    /// ```
    #[track_caller]
    pub fn block_on<F, R, E>(&mut self, future: F) -> Result<R, E>
    where
        F: Future01<Item = R, Error = E> + Send + 'static,
        R: Send + 'static,
        E: Send + 'static,
    {
        self.block_on_std(Compat01As03::new(future))
    }

    /// [`block_on`](Runtime::block_on) for a `std::future`; its polls see the tokio 0.1
    /// services.
    ///
    /// # Panics
    ///
    /// As for [`block_on`](Runtime::block_on).
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Future01CompatExt;
    /// use std::time::{Duration, Instant};
    ///
    /// let mut rt = iocompat::tokio01::Runtime::new().unwrap();
    /// let fired = rt.block_on_std(async {
    ///     let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5));
    ///     delay.compat().await.is_ok()
    /// });
    /// assert!(fired);
    /// ```
    #[track_caller]
    pub fn block_on_std<F>(&mut self, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = Tracked::new(Entered::new(future), self.executor.tracker.guard());
        let runtime = self.runtime();
        match runtime.block_on(runtime.spawn(task)) {
            Ok(output) => output,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only a shutdown cancels it, and `self` holds the runtime up.
            Err(e) => panic!("iocompat::tokio01::Runtime::block_on: {e}"),
        }
    }

    /// Runs `future` to completion, then waits for the runtime to become idle and shuts it
    /// down (tokio 0.1's `block_on_all`).
    ///
    /// # Panics
    ///
    /// As for [`block_on`](Runtime::block_on).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = iocompat::tokio01::Runtime::new().unwrap();
    /// assert_eq!(rt.block_on_all(futures01::future::ok::<_, ()>(8)), Ok(8));
    /// ```
    #[track_caller]
    pub fn block_on_all<F, R, E>(mut self, future: F) -> Result<R, E>
    where
        F: Future01<Item = R, Error = E> + Send + 'static,
        R: Send + 'static,
        E: Send + 'static,
    {
        let result = self.block_on(future);
        wait_shutdown(self.shutdown_on_idle());
        result
    }

    /// A future that completes once every task spawned onto the runtime has finished, and then
    /// shuts the runtime down (tokio 0.1's `shutdown_on_idle`). See [`Shutdown`].
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    /// use std::time::{Duration, Instant};
    ///
    /// let mut rt = iocompat::tokio01::Runtime::new().unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// rt.spawn(
    ///     tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5))
    ///         .map(move |()| tx.send("fired").unwrap())
    ///         .map_err(|e| panic!("{e}")),
    /// );
    /// rt.shutdown_on_idle().wait().unwrap();
    /// assert_eq!(rx.try_recv(), Ok("fired"));
    /// ```
    pub fn shutdown_on_idle(mut self) -> Shutdown {
        self.shutdown(true)
    }

    /// Shuts the runtime down now, dropping every task (tokio 0.1's `shutdown_now`); the future
    /// completes once that is done.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    ///
    /// let mut rt = iocompat::tokio01::Runtime::new().unwrap();
    /// rt.spawn(futures01::future::empty());
    /// rt.shutdown_now().wait().unwrap();
    /// ```
    pub fn shutdown_now(mut self) -> Shutdown {
        self.shutdown(false)
    }

    fn shutdown(&mut self, wait_for_idle: bool) -> Shutdown {
        Shutdown {
            runtime: self.inner.take(),
            tracker: Arc::clone(&self.executor.tracker),
            wait_for_idle,
        }
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        match &self.inner {
            Some(runtime) => runtime,
            // `inner` is taken only by `shutdown_*`, which consume `self`.
            None => unreachable!("iocompat::tokio01::Runtime used after shutdown"),
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.inner.take() {
            shut_down(runtime, &self.executor.tracker);
        }
    }
}

/// Refuses further spawns, then drops the runtime (waiting for its threads) where blocking is
/// allowed; inside another runtime, where tokio 1 forbids that, shuts it down in the
/// background instead.
fn shut_down(runtime: tokio::runtime::Runtime, tracker: &Tracker) {
    tracker.close();
    if Handle::try_current().is_ok() {
        runtime.shutdown_background();
    } else {
        drop(runtime);
    }
}

/// The future of [`Runtime::shutdown_on_idle`] and [`Runtime::shutdown_now`]: a 0.1 future
/// that never fails.
///
/// Once the runtime is idle (or at once, for `shutdown_now`), its first poll shuts the runtime
/// down: where blocking is allowed (no tokio 1 runtime current, as under `.wait()` in a
/// legacy `main`) it waits for the runtime's threads to exit, as tokio 0.1 did; inside a tokio
/// 1 runtime it shuts down in the background without waiting. Dropping it unfinished shuts the
/// runtime down the same way, dropping the tasks still alive.
///
/// # Examples
///
/// ```
/// use futures01::Future;
///
/// let rt = iocompat::tokio01::Runtime::new().unwrap();
/// let shutdown: iocompat::tokio01::Shutdown = rt.shutdown_on_idle();
/// assert_eq!(shutdown.wait(), Ok(()));
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Shutdown {
    runtime: Option<tokio::runtime::Runtime>,
    tracker: Arc<Tracker>,
    wait_for_idle: bool,
}

impl fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shutdown")
            .field("wait_for_idle", &self.wait_for_idle)
            .finish_non_exhaustive()
    }
}

impl Future01 for Shutdown {
    type Item = ();
    type Error = ();

    fn poll(&mut self) -> Poll01<(), ()> {
        if self.wait_for_idle && self.tracker.poll_idle_01().is_not_ready() {
            return Ok(Async01::NotReady);
        }
        if let Some(runtime) = self.runtime.take() {
            shut_down(runtime, &self.tracker);
        }
        Ok(Async01::Ready(()))
    }
}

impl Drop for Shutdown {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            shut_down(runtime, &self.tracker);
        }
    }
}

/// Spawns onto one [`Runtime`] (tokio 0.1's `TaskExecutor`), from any thread; cheap to clone.
/// It is also tokio 0.1's default executor on the runtime's threads, so tokio 0.1's
/// `tokio::spawn` there spawns through it.
///
/// # Examples
///
/// ```
/// use futures01::Future;
///
/// let rt = iocompat::tokio01::Runtime::new().unwrap();
/// let executor: iocompat::tokio01::TaskExecutor = rt.executor();
/// let (tx, rx) = futures01::sync::oneshot::channel();
/// std::thread::spawn(move || {
///     executor.spawn(futures01::future::lazy(move || tx.send(4).map_err(|_| ())));
/// });
/// assert_eq!(rx.wait(), Ok(4));
/// ```
#[derive(Clone)]
pub struct TaskExecutor {
    spawner: TokioExecutor01,
    tracker: Arc<Tracker>,
}

impl fmt::Debug for TaskExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskExecutor").finish_non_exhaustive()
    }
}

impl TaskExecutor {
    /// Spawns a 0.1 future onto the runtime.
    ///
    /// # Panics
    ///
    /// When the runtime has shut down, as tokio 0.1's `TaskExecutor::spawn` did; use
    /// `futures01::future::Executor::execute` to get the error instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    ///
    /// let rt = iocompat::tokio01::Runtime::new().unwrap();
    /// let (tx, rx) = futures01::sync::oneshot::channel();
    /// rt.executor().spawn(futures01::future::lazy(move || tx.send(6).map_err(|_| ())));
    /// assert_eq!(rx.wait(), Ok(6));
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F)
    where
        F: Future01<Item = (), Error = ()> + Send + 'static,
    {
        if self.execute(future).is_err() {
            panic!("iocompat::tokio01::TaskExecutor::spawn: the runtime has shut down");
        }
    }

    /// [`spawn`](TaskExecutor::spawn) for a `std::future`; its polls see the tokio 0.1
    /// services.
    ///
    /// # Panics
    ///
    /// When the runtime has shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = iocompat::tokio01::Runtime::new().unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// rt.executor().spawn_std(async move { tx.send(9).unwrap() });
    /// assert_eq!(rx.recv(), Ok(9));
    /// ```
    #[track_caller]
    pub fn spawn_std<F>(&self, future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        if self.tracker.is_closed() {
            panic!("iocompat::tokio01::TaskExecutor::spawn_std: the runtime has shut down");
        }
        let task = Tracked::new(Entered::new(future), self.tracker.guard());
        // A runtime shutting down meanwhile drops the task unrun, as tokio 1 does.
        drop(self.spawner.handle().spawn(task));
    }
}

impl<F> Executor01<F> for TaskExecutor
where
    F: Future01<Item = (), Error = ()> + Send + 'static,
{
    fn execute(&self, future: F) -> Result<(), ExecuteError01<F>> {
        if self.tracker.is_closed() {
            return Err(ExecuteError01::new(
                futures01::future::ExecuteErrorKind::Shutdown,
                future,
            ));
        }
        self.spawner
            .execute(Tracked::new(future, self.tracker.guard()))
            .map_err(|e| {
                let kind = e.kind();
                ExecuteError01::new(kind, e.into_future().into_inner())
            })
    }
}

impl tokio_executor01::Executor for TaskExecutor {
    fn spawn(
        &mut self,
        future: Box<dyn Future01<Item = (), Error = ()> + Send>,
    ) -> Result<(), SpawnError01> {
        self.execute(future).map_err(|_| SpawnError01::shutdown())
    }

    fn status(&self) -> Result<(), SpawnError01> {
        if self.tracker.is_closed() {
            Err(SpawnError01::shutdown())
        } else {
            Ok(())
        }
    }
}

impl<F> tokio_executor01::TypedExecutor<F> for TaskExecutor
where
    F: Future01<Item = (), Error = ()> + Send + 'static,
{
    fn spawn(&mut self, future: F) -> Result<(), SpawnError01> {
        self.execute(future).map_err(|_| SpawnError01::shutdown())
    }

    fn status(&self) -> Result<(), SpawnError01> {
        tokio_executor01::Executor::status(self)
    }
}
