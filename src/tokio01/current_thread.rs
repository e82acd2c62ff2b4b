//! tokio 0.1's `tokio::runtime::current_thread` on tokio 1: a current-thread runtime and a
//! [`LocalSet`], so `!Send` 0.1 futures run on the calling thread.
//!
//! While [`Runtime::block_on`] or [`Runtime::run`] drives it, the calling thread has tokio
//! 0.1's defaults set (the shared reactor and timer, tokio-threadpool `blocking`, and an
//! executor that spawns onto this runtime's `LocalSet`), so 0.1 polls there cost no entering.
//!
//! Differences from tokio 0.1, by design: no `Builder`, `Handle` or `TaskExecutor` (spawn from
//! inside with [`spawn`](fn@spawn) or tokio 0.1's `tokio::spawn`; from other threads, use the
//! multi-thread [`Runtime`](super::Runtime)); [`RunError`] is never returned.
//!
//! ```
//! use futures01::Future;
//! use std::rc::Rc;
//!
//! let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
//! let shared = Rc::new(5); // not `Send`
//! let n = rt.block_on(futures01::future::lazy(move || Ok::<_, ()>(*shared))).unwrap();
//! assert_eq!(n, 5);
//! ```
//!
//! [`LocalSet`]: tokio::task::LocalSet

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::io;
use std::rc::Rc;
use std::sync::Arc;

use futures01::Future as Future01;
use tokio::task::LocalSet;
use tokio_executor01::SpawnError as SpawnError01;

use super::enter::{self, Entered};
use super::tracker::{Idle, Tracked, Tracker};
use crate::futures01::Compat01As03;

/// A tokio 1 current-thread runtime (I/O and time enabled) with a [`LocalSet`], under tokio
/// 0.1's `current_thread::Runtime` names. Not `Send`: it runs on the thread that calls it.
///
/// # Examples
///
/// ```
/// use futures01::Future;
///
/// let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
/// let (tx, rx) = futures01::sync::oneshot::channel();
/// rt.spawn(futures01::future::lazy(move || tx.send(1).map_err(|_| ())));
/// assert_eq!(rt.block_on(rx), Ok(1));
/// ```
///
/// [`LocalSet`]: tokio::task::LocalSet
pub struct Runtime {
    // Declared first: its tasks are dropped while the tokio 1 runtime is still there.
    spawner: LocalSpawner,
    runtime: tokio::runtime::Runtime,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("current_thread::Runtime")
            .finish_non_exhaustive()
    }
}

/// Spawns onto one runtime's `LocalSet`: what [`spawn`](fn@spawn) reaches, and tokio 0.1's
/// default executor while the runtime runs.
#[derive(Clone)]
struct LocalSpawner {
    local: Rc<LocalSet>,
    tracker: Arc<Tracker>,
}

impl LocalSpawner {
    fn spawn_01<F>(&self, future: F)
    where
        F: Future01<Item = (), Error = ()> + 'static,
    {
        let task = Tracked::new(Compat01As03::new(future), self.tracker.guard());
        drop(self.local.spawn_local(task));
    }

    fn spawn_std<F>(&self, future: F)
    where
        F: Future<Output = ()> + 'static,
    {
        let task = Tracked::new(Entered::new(future), self.tracker.guard());
        drop(self.local.spawn_local(task));
    }
}

impl tokio_executor01::Executor for LocalSpawner {
    fn spawn(
        &mut self,
        future: Box<dyn Future01<Item = (), Error = ()> + Send>,
    ) -> Result<(), SpawnError01> {
        self.spawn_01(future);
        Ok(())
    }
}

thread_local! {
    /// The runtime that `block_on` / `run` drives on this thread, for [`spawn`](fn@spawn).
    static CURRENT: RefCell<Option<LocalSpawner>> = const { RefCell::new(None) };
}

/// Clears [`CURRENT`] when the drive ends, unwinding too (to what it was: drives nest only
/// through a runtime inside another runtime's future, which tokio 1 refuses anyway).
struct ResetCurrent(Option<LocalSpawner>);

impl Drop for ResetCurrent {
    fn drop(&mut self) {
        let previous = self.0.take();
        let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
    }
}

impl Runtime {
    /// Starts the runtime on the calling thread (nothing runs until `block_on` or `run`).
    ///
    /// # Errors
    ///
    /// When tokio 1 cannot build the runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let _rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
    /// ```
    pub fn new() -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Self {
            spawner: LocalSpawner {
                local: Rc::new(LocalSet::new()),
                tracker: Tracker::new(),
            },
            runtime,
        })
    }

    /// Spawns a 0.1 future (`Send` or not); it runs while `block_on` or `run` drives the
    /// runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
    /// let ran = Rc::new(Cell::new(false));
    /// let flag = Rc::clone(&ran);
    /// rt.spawn(futures01::future::lazy(move || {
    ///     flag.set(true);
    ///     Ok(())
    /// }));
    /// rt.run().unwrap();
    /// assert!(ran.get());
    /// ```
    pub fn spawn<F>(&mut self, future: F) -> &mut Self
    where
        F: Future01<Item = (), Error = ()> + 'static,
    {
        self.spawner.spawn_01(future);
        self
    }

    /// [`spawn`](Runtime::spawn) for a `std::future`; its polls see the tokio 0.1 services.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// rt.spawn_std(async move { tx.send(2).unwrap() });
    /// rt.run().unwrap();
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// ```
    pub fn spawn_std<F>(&mut self, future: F) -> &mut Self
    where
        F: Future<Output = ()> + 'static,
    {
        self.spawner.spawn_std(future);
        self
    }

    /// Runs a 0.1 future (`Send` or not) to completion on the calling thread, along with the
    /// spawned tasks, which keep running while it does (and stay queued after).
    ///
    /// # Panics
    ///
    /// When called from inside an async context (tokio 1 forbids a runtime inside another).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    /// use std::time::{Duration, Instant};
    ///
    /// let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
    /// let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5));
    /// assert!(rt.block_on(delay).is_ok());
    /// ```
    #[track_caller]
    pub fn block_on<F>(&mut self, future: F) -> Result<F::Item, F::Error>
    where
        F: Future01,
    {
        self.drive(Compat01As03::new(future))
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
    /// let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
    /// let fired = rt.block_on_std(async {
    ///     let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5));
    ///     delay.compat().await.is_ok()
    /// });
    /// assert!(fired);
    /// ```
    #[track_caller]
    pub fn block_on_std<F: Future>(&mut self, future: F) -> F::Output {
        self.drive(Entered::new(future))
    }

    /// Runs the spawned tasks until none is left (tokio 0.1's `run`).
    ///
    /// # Errors
    ///
    /// None today: the `Result` keeps tokio 0.1's signature.
    ///
    /// # Panics
    ///
    /// As for [`block_on`](Runtime::block_on).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
    /// rt.run().unwrap(); // nothing spawned: returns at once
    /// ```
    #[track_caller]
    pub fn run(&mut self) -> Result<(), RunError> {
        let tracker = Arc::clone(&self.spawner.tracker);
        self.drive(Idle(&tracker));
        Ok(())
    }

    /// Drives the runtime and its `LocalSet` until `future` is done, with the thread's tokio
    /// 0.1 defaults and [`CURRENT`] set meanwhile.
    #[track_caller]
    fn drive<F: Future>(&mut self, future: F) -> F::Output {
        let previous = CURRENT
            .try_with(|current| current.replace(Some(self.spawner.clone())))
            .ok()
            .flatten();
        let _reset = ResetCurrent(previous);
        let _scope = enter::scope(self.spawner.clone());
        self.runtime.block_on(self.spawner.local.run_until(future))
    }
}

/// Spawns a 0.1 future (`Send` or not) onto the [`Runtime`] driving the calling thread (tokio
/// 0.1's `current_thread::spawn`).
///
/// # Panics
///
/// When no `current_thread::Runtime` of iocompat is running `block_on` or `run` on this
/// thread, as tokio 0.1's did without its runtime.
///
/// # Examples
///
/// ```
/// use futures01::Future;
///
/// let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
/// let (tx, rx) = futures01::sync::oneshot::channel();
/// let got = rt.block_on(futures01::future::lazy(move || {
///     iocompat::tokio01::current_thread::spawn(futures01::future::lazy(move || {
///         tx.send(7).map_err(|_| ())
///     }));
///     rx
/// }));
/// assert_eq!(got, Ok(7));
/// ```
#[track_caller]
pub fn spawn<F>(future: F)
where
    F: Future01<Item = (), Error = ()> + 'static,
{
    current_spawner("spawn").spawn_01(future);
}

/// [`spawn`](fn@spawn) for a `std::future`; its polls see the tokio 0.1 services.
///
/// # Panics
///
/// As for [`spawn`](fn@spawn).
///
/// # Examples
///
/// ```
/// let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
/// let (tx, rx) = std::sync::mpsc::channel();
/// rt.block_on_std(async move {
///     iocompat::tokio01::current_thread::spawn_std(async move { tx.send(8).unwrap() });
/// });
/// rt.run().unwrap();
/// assert_eq!(rx.try_recv(), Ok(8));
/// ```
#[track_caller]
pub fn spawn_std<F>(future: F)
where
    F: Future<Output = ()> + 'static,
{
    current_spawner("spawn_std").spawn_std(future);
}

#[track_caller]
fn current_spawner(function: &str) -> LocalSpawner {
    match CURRENT.try_with(|current| current.borrow().clone()) {
        Ok(Some(spawner)) => spawner,
        _ => panic!(
            "iocompat::tokio01::current_thread::{function}: no iocompat::tokio01::current_thread::Runtime is running on this thread (call it from a future that Runtime::block_on or run drives)"
        ),
    }
}

/// Runs `future` on a new [`Runtime`], then the tasks it spawned until none is left, and
/// returns the future's result (tokio 0.1's `current_thread::block_on_all`).
///
/// # Panics
///
/// When the runtime cannot be started, and as for [`Runtime::block_on`].
///
/// # Examples
///
/// ```
/// let got = iocompat::tokio01::current_thread::block_on_all(futures01::future::ok::<_, ()>(3));
/// assert_eq!(got, Ok(3));
/// ```
#[track_caller]
pub fn block_on_all<F: Future01>(future: F) -> Result<F::Item, F::Error> {
    let mut runtime = Runtime::new()
        .expect("iocompat::tokio01::current_thread::block_on_all: failed to start the runtime");
    let result = runtime.block_on(future);
    let _ = runtime.run();
    result
}

/// Runs `future` and every task it spawns on a new [`Runtime`] until none is left (tokio
/// 0.1's `current_thread::run`).
///
/// # Panics
///
/// As for [`block_on_all`](fn@block_on_all).
///
/// # Examples
///
/// ```
/// iocompat::tokio01::current_thread::run(futures01::future::lazy(|| {
///     iocompat::tokio01::current_thread::spawn(futures01::future::ok(()));
///     Ok(())
/// }));
/// ```
#[track_caller]
pub fn run<F>(future: F)
where
    F: Future01<Item = (), Error = ()> + 'static,
{
    let mut runtime = Runtime::new()
        .expect("iocompat::tokio01::current_thread::run: failed to start the runtime");
    runtime.spawn(future);
    let _ = runtime.run();
}

/// [`run`](fn@run) for a `std::future`; its polls see the tokio 0.1 services.
///
/// # Panics
///
/// As for [`block_on_all`](fn@block_on_all).
///
/// # Examples
///
/// ```
/// use iocompat::futures01::Future01CompatExt;
/// use std::time::{Duration, Instant};
///
/// iocompat::tokio01::current_thread::run_std(async {
///     let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5));
///     delay.compat().await.unwrap();
/// });
/// ```
#[track_caller]
pub fn run_std<F>(future: F)
where
    F: Future<Output = ()> + 'static,
{
    let mut runtime = Runtime::new()
        .expect("iocompat::tokio01::current_thread::run_std: failed to start the runtime");
    runtime.spawn_std(future);
    let _ = runtime.run();
}

/// The error of [`Runtime::run`] in tokio 0.1's signature; iocompat never returns it (tokio 1
/// has no failing turn to report).
///
/// # Examples
///
/// ```
/// let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
/// let result: Result<(), iocompat::tokio01::current_thread::RunError> = rt.run();
/// assert!(result.is_ok());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct RunError {}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("iocompat::tokio01::current_thread::Runtime::run failed")
    }
}

impl Error for RunError {}
