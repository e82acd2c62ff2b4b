//! A tokio-executor 0.1 `Executor` that spawns onto the tokio 1 runtime current at the spawn.

use futures01::Future as Future01;
use futures01::future::{
    ExecuteError as ExecuteError01, ExecuteErrorKind as ExecuteErrorKind01, Executor as Executor01,
};
use tokio_executor01::SpawnError as SpawnError01;

use crate::futures01::TokioExecutor01;

/// The tokio 0.1 default executor that [`enter`](fn@super::enter) installs: tokio 0.1's
/// `tokio::spawn`, `tokio_executor::spawn` and `DefaultExecutor::current()` reach it, and it
/// spawns each 0.1 future onto the tokio 1 runtime current at that moment
/// ([`Handle::try_current`](tokio::runtime::Handle::try_current)), through
/// [`TokioExecutor01`]. Inside a 0.1 poll that iocompat drives, that is the runtime polling the
/// caller, so a legacy task's children run beside it.
///
/// It holds nothing: a zero-sized value, free to make and to install.
///
/// # Errors
///
/// `spawn`, `TypedExecutor::spawn` and `execute` fail with a shutdown error (never a panic)
/// when no tokio 1 runtime is current or the current one is shutting down; `execute` hands the
/// future back. `status` answers the same shutdown error when no runtime is current. (tokio
/// 0.1's own `tokio::spawn` and `tokio_executor::spawn` turn that error into a panic, as they
/// always did; call `DefaultExecutor::current().spawn(..)` to get the error instead.)
///
/// # Examples
///
/// ```
/// use tokio_executor01::Executor;
/// use iocompat::tokio01::CurrentExecutor01;
///
/// // No tokio 1 runtime is current here: an error, not a panic.
/// assert!(CurrentExecutor01::new().status().unwrap_err().is_shutdown());
///
/// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let (tx, rx) = futures01::sync::oneshot::channel();
/// rt.block_on(async {
///     let task = futures01::future::lazy(move || {
///         tx.send(1).unwrap();
///         Ok(())
///     });
///     CurrentExecutor01::new().spawn(Box::new(task)).unwrap();
/// });
/// assert_eq!(rt.block_on(iocompat::futures01::Future01CompatExt::compat(rx)), Ok(1));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CurrentExecutor01 {
    _private: (),
}

impl CurrentExecutor01 {
    /// The executor (a zero-sized value).
    ///
    /// # Examples
    ///
    /// ```
    /// let _exec = iocompat::tokio01::CurrentExecutor01::new();
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self { _private: () }
    }

    /// Spawns onto the current tokio 1 runtime; the future comes back when there is none or it
    /// is shutting down.
    fn spawn_current<F>(future: F) -> Result<(), ExecuteError01<F>>
    where
        F: Future01<Item = (), Error = ()> + Send + 'static,
    {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => TokioExecutor01::new(handle).execute(future),
            Err(_) => Err(ExecuteError01::new(ExecuteErrorKind01::Shutdown, future)),
        }
    }
}

fn status_current() -> Result<(), SpawnError01> {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => Ok(()),
        Err(_) => Err(SpawnError01::shutdown()),
    }
}

impl tokio_executor01::Executor for CurrentExecutor01 {
    fn spawn(
        &mut self,
        future: Box<dyn Future01<Item = (), Error = ()> + Send>,
    ) -> Result<(), SpawnError01> {
        Self::spawn_current(future).map_err(|_| SpawnError01::shutdown())
    }

    fn status(&self) -> Result<(), SpawnError01> {
        status_current()
    }
}

impl<F> tokio_executor01::TypedExecutor<F> for CurrentExecutor01
where
    F: Future01<Item = (), Error = ()> + Send + 'static,
{
    fn spawn(&mut self, future: F) -> Result<(), SpawnError01> {
        Self::spawn_current(future).map_err(|_| SpawnError01::shutdown())
    }

    fn status(&self) -> Result<(), SpawnError01> {
        status_current()
    }
}

impl<F> Executor01<F> for CurrentExecutor01
where
    F: Future01<Item = (), Error = ()> + Send + 'static,
{
    fn execute(&self, future: F) -> Result<(), ExecuteError01<F>> {
        Self::spawn_current(future)
    }
}
