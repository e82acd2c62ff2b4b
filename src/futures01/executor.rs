//! Executors, both ways: a futures 0.1 `Executor` used as a futures 0.3 `Spawn`
//! ([`Executor01CompatExt`]), and a tokio 1 runtime used as a futures 0.1 `Executor`
//! ([`TokioExecutor01`]), so legacy code that spawns 0.1 futures runs on tokio 1.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_task::{FutureObj, Spawn, SpawnError};
use futures01::future::{
    ExecuteError as ExecuteError01, ExecuteErrorKind as ExecuteErrorKind01, Executor as Executor01,
};
use futures01::{Async as Async01, Future as Future01, Poll as Poll01};

use super::compat01as03::Compat01As03;
use super::task::{TaskCell, no_task_panic};

/// A futures 0.3 task as a futures 0.1 `Future<Item = (), Error = ()>`: what
/// [`Executor01As03`] hands to the 0.1 executor.
///
/// # Panics
///
/// Polling it outside a futures 0.1 task panics with a message saying how to drive it.
///
/// # Examples
///
/// ```
/// use futures::task::SpawnExt;
/// use futures01::future::{ExecuteError, Executor, Future};
/// use iocompat::futures01::{Executor01CompatExt, Executor01Future};
///
/// /// A 0.1 executor that runs each task to completion on the spot.
/// #[derive(Clone)]
/// struct Inline;
///
/// impl Executor<Executor01Future> for Inline {
///     fn execute(&self, task: Executor01Future) -> Result<(), ExecuteError<Executor01Future>> {
///         task.wait().unwrap();
///         Ok(())
///     }
/// }
///
/// let (tx, mut rx) = futures::channel::oneshot::channel();
/// Inline.compat().spawn(async move { tx.send(3).unwrap() }).unwrap();
/// assert_eq!(rx.try_recv(), Ok(Some(3)));
/// ```
pub struct Executor01Future {
    future: FutureObj<'static, ()>,
    task: TaskCell,
}

impl fmt::Debug for Executor01Future {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor01Future").finish_non_exhaustive()
    }
}

impl Future01 for Executor01Future {
    type Item = ();
    type Error = ();

    fn poll(&mut self) -> Poll01<(), ()> {
        let future = Pin::new(&mut self.future);
        match self.task.poll_with(|cx| future.poll(cx)) {
            Some(Poll::Ready(())) => Ok(Async01::Ready(())),
            Some(Poll::Pending) => Ok(Async01::NotReady),
            None => no_task_panic("Executor01Future"),
        }
    }
}

/// A futures 0.1 `Executor` usable as a futures 0.3 [`Spawn`]: made by
/// [`Executor01CompatExt::compat`].
///
/// # Errors
///
/// `spawn_obj` answers [`SpawnError::shutdown`] when the 0.1 executor refuses the task (its
/// `execute` returned an `ExecuteError`, of either kind).
///
/// # Examples
///
/// ```
/// use futures::task::SpawnExt;
/// use iocompat::futures01::{Executor01CompatExt, TokioExecutor01};
///
/// let rt = tokio::runtime::Runtime::new().unwrap();
/// let spawner = TokioExecutor01::new(rt.handle().clone()).compat();
/// let (tx, rx) = futures::channel::oneshot::channel();
/// spawner.spawn(async move { tx.send(7).unwrap() }).unwrap();
/// assert_eq!(rt.block_on(rx), Ok(7));
/// ```
#[derive(Clone, Debug)]
pub struct Executor01As03<Ex> {
    executor01: Ex,
}

impl<Ex> Spawn for Executor01As03<Ex>
where
    Ex: Executor01<Executor01Future> + Clone + Send + 'static,
{
    fn spawn_obj(&self, future: FutureObj<'static, ()>) -> Result<(), SpawnError> {
        let task = Executor01Future {
            future,
            task: TaskCell::new(),
        };
        self.executor01
            .execute(task)
            .map_err(|_| SpawnError::shutdown())
    }
}

/// Converts a futures 0.1 `Executor` into a futures 0.3 [`Spawn`]: the drop-in successor of
/// `futures::compat::Executor01CompatExt`.
pub trait Executor01CompatExt: Executor01<Executor01Future> + Clone + Send + 'static {
    /// Wraps `self` in an [`Executor01As03`].
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::task::SpawnExt;
    /// use iocompat::futures01::{Executor01CompatExt, TokioExecutor01};
    ///
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let spawner = TokioExecutor01::new(rt.handle().clone()).compat();
    /// let handle = spawner.spawn_with_handle(async { 1 + 1 }).unwrap();
    /// assert_eq!(rt.block_on(handle), 2);
    /// ```
    fn compat(self) -> Executor01As03<Self>
    where
        Self: Sized,
    {
        Executor01As03 { executor01: self }
    }
}

impl<Ex> Executor01CompatExt for Ex where Ex: Executor01<Executor01Future> + Clone + Send + 'static {}

/// A tokio 1 runtime [`Handle`](tokio::runtime::Handle) as a futures 0.1 `Executor`: legacy code
/// that takes an `Executor` (or calls `execute`) spawns its 0.1 futures onto tokio 1.
///
/// # Errors
///
/// `execute` returns an `ExecuteError` of kind `Shutdown`, with the future handed back, when
/// the runtime behind the handle has shut down: tokio drops a task spawned onto a shut-down
/// runtime without running it, and this executor notices that before returning.
///
/// # Examples
///
/// ```
/// use futures01::future::{Executor, Future};
/// use iocompat::futures01::TokioExecutor01;
///
/// let rt = tokio::runtime::Runtime::new().unwrap();
/// let exec = TokioExecutor01::new(rt.handle().clone());
/// let (tx, rx) = futures01::sync::oneshot::channel();
/// exec.execute(futures01::future::lazy(move || {
///     tx.send(5).unwrap();
///     Ok(())
/// }))
/// .unwrap();
/// assert_eq!(rx.wait(), Ok(5));
/// ```
#[derive(Clone, Debug)]
pub struct TokioExecutor01 {
    handle: tokio::runtime::Handle,
}

impl TokioExecutor01 {
    /// An executor that spawns onto the runtime behind `handle`.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::TokioExecutor01;
    ///
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let _exec = TokioExecutor01::new(rt.handle().clone());
    /// ```
    pub fn new(handle: tokio::runtime::Handle) -> Self {
        Self { handle }
    }

    /// An executor for the tokio runtime this thread is in.
    ///
    /// # Errors
    ///
    /// Fails, without panicking, when no tokio runtime is current.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::TokioExecutor01;
    ///
    /// assert!(TokioExecutor01::try_current().is_err());
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let _guard = rt.enter();
    /// assert!(TokioExecutor01::try_current().is_ok());
    /// ```
    pub fn try_current() -> Result<Self, tokio::runtime::TryCurrentError> {
        tokio::runtime::Handle::try_current().map(Self::new)
    }

    /// The tokio handle this executor spawns onto.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::TokioExecutor01;
    ///
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let exec = TokioExecutor01::new(rt.handle().clone());
    /// let _ = exec.handle().runtime_flavor();
    /// ```
    pub fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }
}

/// The 0.1 future waits here until tokio first polls its task; if tokio drops the task
/// unpolled (runtime shut down), `execute` takes the future back out.
type Slot<F> = Arc<Mutex<Option<F>>>;

/// The tokio task that runs one 0.1 future spawned through [`TokioExecutor01`].
struct Launch<F> {
    slot: Slot<F>,
    running: Option<Compat01As03<F>>,
}

impl<F: Future01<Item = (), Error = ()>> Future for Launch<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.running.is_none() {
            let taken = this
                .slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match taken {
                Some(f) => this.running = Some(Compat01As03::new(f)),
                // `execute` took it back: nothing to run.
                None => return Poll::Ready(()),
            }
        }
        match &mut this.running {
            // A 0.1 executor ignores the `()` error of a spawned future, as tokio 0.1 did.
            Some(fut) => Pin::new(fut).poll(cx).map(|_| ()),
            None => Poll::Ready(()),
        }
    }
}

// Only `Compat01As03<F>` and `Arc` inside, neither relies on being pinned.
impl<F> Unpin for Launch<F> {}

impl<F> Executor01<F> for TokioExecutor01
where
    F: Future01<Item = (), Error = ()> + Send + 'static,
{
    fn execute(&self, future: F) -> Result<(), ExecuteError01<F>> {
        let slot: Slot<F> = Arc::new(Mutex::new(Some(future)));
        let launch = Launch {
            slot: Arc::clone(&slot),
            running: None,
        };
        drop(self.handle.spawn(launch));
        // Once the task is gone, the only clone left is ours: if the future is still in the
        // slot, tokio dropped the task without polling it (the runtime has shut down).
        if Arc::strong_count(&slot) == 1 {
            let back = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(future) = back {
                return Err(ExecuteError01::new(ExecuteErrorKind01::Shutdown, future));
            }
        }
        Ok(())
    }
}
