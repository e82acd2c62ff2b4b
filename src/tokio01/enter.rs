//! `enter`: the tokio 0.1 defaults for the duration of one 0.1 poll, set once per nesting;
//! [`Scope`]: the same defaults for as long as a thread (or a call) of iocompat's own runtimes
//! lasts; [`Entered`]: a `std::future` polled inside `enter`.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::blocking::blocking_01;
use super::executor::CurrentExecutor01;
use super::services;

thread_local! {
    /// `true` while this thread is inside [`enter`]: nested calls run their closure as is.
    static ENTERED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with tokio 0.1's runtime services set as this thread's defaults: the process-wide
/// tokio-reactor 0.1 reactor and tokio-timer 0.2 timer ([`reactor_handle`](fn@super::reactor_handle),
/// [`timer_handle`](fn@super::timer_handle)), [`CurrentExecutor01`] as the default executor, and
/// iocompat's tokio-threadpool `blocking`. They are reset when `f` returns or unwinds.
///
/// [`futures01`](crate::futures01) calls this around every poll of 0.1 code, so code that goes
/// through iocompat's bridges never needs to; call it yourself around 0.1 code you poll another
/// way (`futures::compat`, a hand-written `poll`).
///
/// Cheap, and safe to nest:
///
/// - Only the outermost `enter` on a thread sets anything; nested calls (a 0.1 future polling
///   another bridged value) see a thread-local flag and just call `f`.
/// - Inside a native tokio 0.1 runtime (tokio-executor 0.1's `enter` already taken, as every
///   tokio 0.1 runtime does while it polls), nothing is set: the 0.1 code keeps that runtime's
///   services, and tokio 0.1's `set_default`s, which panic when a default is already set, are
///   never called.
/// - The first call starts the background thread (see [the module docs](super)). If it cannot
///   be started, `f` runs without the services and gets tokio 0.1's own errors.
///
/// # Caveats
///
/// tokio 0.1 defaults installed by hand with their `set_default`, outside tokio-executor 0.1's
/// `enter`, cannot be seen through tokio 0.1's public API, and `enter` then panics inside tokio
/// 0.1 ("default ... already set"); tokio 0.1's runtimes never do that. The same panic follows,
/// on that thread, a `DefaultExecutor::current()` spawn or `status` made by 0.1 code polled
/// outside both a tokio 0.1 runtime and `enter` (through `futures::compat`, say): tokio-executor
/// 0.1.10 leaves the thread marked "executor active" after such a failed lookup. Polled through
/// iocompat's bridges, 0.1 code always runs inside `enter`, so this needs a mix of bridges.
///
/// # Examples
///
/// ```
/// use futures01::Future;
/// use std::time::{Duration, Instant};
///
/// // A tokio 0.1 `Delay` fails with "timer is shutdown" outside a tokio 0.1 runtime...
/// let delay = tokio_timer02::Delay::new(Instant::now() + Duration::from_millis(1));
/// // ...but not inside `enter` (here driven by futures 0.1's own `wait`, on a plain thread).
/// let waited = iocompat::tokio01::enter(|| delay.wait());
/// assert!(waited.is_ok());
/// ```
pub fn enter<R>(f: impl FnOnce() -> R) -> R {
    if ENTERED.try_with(|entered| entered.replace(true)) != Ok(false) {
        // Nested (already `true`), or the thread's locals are being destroyed.
        return f();
    }
    let _reset = ResetEntered;
    let _defaults = if in_native_runtime_01() {
        None
    } else {
        services::get()
            .ok()
            .map(|services| Defaults::set(services, CurrentExecutor01::new()))
    };
    f()
}

/// tokio 0.1's defaults, with `executor` as the default executor, set on this thread until the
/// value is dropped; meanwhile [`enter`] sees its flag set and does nothing, so a 0.1 poll
/// costs what a nested `enter` costs. tokio-executor 0.1's `enter` is held too, as on every
/// thread of a tokio 0.1 runtime: a native tokio 0.1 runtime started here refuses with tokio
/// 0.1's own panic ("attempted to run an executor while another executor is already
/// running") instead of finding defaults already set.
///
/// Dropped on the thread that made it (it is `!Send`); its fields reset the defaults, release
/// tokio-executor's `enter`, then clear the flag, in that order.
pub(crate) struct Scope {
    _defaults: Defaults,
    _enter01: tokio_executor01::Enter,
    _reset: ResetEntered,
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope").finish_non_exhaustive()
    }
}

/// Sets the defaults for a [`Scope`], or `None` (nothing set) when this thread is already
/// inside [`enter`] or a scope, when a native tokio 0.1 runtime polls on it, or when the
/// services cannot be started: the code then runs as it would anywhere else, each bridged 0.1
/// poll entering for itself.
pub(crate) fn scope<E>(executor: E) -> Option<Scope>
where
    E: tokio_executor01::Executor + 'static,
{
    if ENTERED.try_with(Cell::get) != Ok(false) {
        return None;
    }
    let services = services::get().ok()?;
    let enter01 = tokio_executor01::enter().ok()?;
    ENTERED.try_with(|entered| entered.set(true)).ok()?;
    let reset = ResetEntered;
    Some(Scope {
        _defaults: Defaults::set(services, executor),
        _enter01: enter01,
        _reset: reset,
    })
}

pin_project_lite::pin_project! {
    /// A `std::future` whose every poll runs inside [`enter`]: async blocks that call tokio 0.1
    /// APIs directly (a `Delay::new`, a `tokio::spawn` 0.1) see the services wherever they run.
    /// Inside a [`Scope`] (iocompat's runtimes) the wrapper costs a flag check.
    pub(crate) struct Entered<F> {
        #[pin]
        future: F,
    }
}

impl<F> Entered<F> {
    pub(crate) fn new(future: F) -> Self {
        Self { future }
    }
}

impl<F: Future> Future for Entered<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let future = self.project().future;
        enter(|| future.poll(cx))
    }
}

/// Clears [`ENTERED`] on the way out, unwinding too. Declared before the defaults, so it runs
/// after they are reset.
struct ResetEntered;

impl Drop for ResetEntered {
    fn drop(&mut self) {
        let _ = ENTERED.try_with(|entered| entered.set(false));
    }
}

/// The four tokio 0.1 default guards, dropped (reset) in the reverse of the order they were set.
struct Defaults {
    _blocking: tokio_threadpool01::blocking::DefaultGuard<'static>,
    _executor: tokio_executor01::DefaultGuard,
    _timer: tokio_timer02::timer::DefaultGuard,
    _reactor: tokio_reactor01::DefaultGuard,
}

impl Defaults {
    /// Per poll, `executor` is [`CurrentExecutor01`]: zero-sized, so the `Box` tokio-executor
    /// makes of it allocates nothing.
    fn set<E>(services: &services::Services, executor: E) -> Self
    where
        E: tokio_executor01::Executor + 'static,
    {
        let reactor = tokio_reactor01::set_default(&services.reactor);
        let timer = tokio_timer02::timer::set_default(&services.timer);
        let executor = tokio_executor01::set_default(executor);
        let blocking = tokio_threadpool01::blocking::set_default(blocking_01);
        Self {
            _blocking: blocking,
            _executor: executor,
            _timer: timer,
            _reactor: reactor,
        }
    }
}

/// Whether a tokio 0.1 executor of its own runs on this thread: every tokio 0.1 runtime (thread
/// pool workers, `Runtime::block_on`, `current_thread`) holds tokio-executor's `enter` while it
/// polls, and installs its reactor, timer and executor together.
///
/// `DefaultExecutor::current().status()` is not asked: in tokio-executor 0.1.10 a lookup that
/// finds no executor leaves the thread marked "executor active", after which every
/// `set_default` on the thread panics.
fn in_native_runtime_01() -> bool {
    match tokio_executor01::enter() {
        Err(_) => true,
        Ok(enter) => {
            drop(enter);
            false
        }
    }
}
