//! Which tokio runtime a [`Compat`](super::Compat) enters while it polls or drops its value.
//!
//! Rules, in order:
//! 1. the runtime that was current when the `Compat` was made (or the handle passed to
//!    `Compat::with_handle`);
//! 2. else, the runtime current on the polling thread, which is already entered, so nothing
//!    is done;
//! 3. else the fallback runtime: a current-thread tokio runtime with IO and time drivers,
//!    started on first use and driven for the rest of the process by one thread named
//!    [`FALLBACK_THREAD_NAME`].

use std::sync::OnceLock;

use tokio::runtime::{EnterGuard, Handle};

use crate::io_util;

/// Name of the thread that drives the fallback runtime.
pub(crate) const FALLBACK_THREAD_NAME: &str = "iocompat-tokio-fallback";

/// The fallback runtime, or `None` if it could not be started (tried once).
static FALLBACK: OnceLock<Option<Handle>> = OnceLock::new();

/// Enters the runtime a `Compat` should use (see the module docs) until the guard drops.
///
/// Enters nothing when that runtime is already the current one (the common case of a value
/// polled inside the runtime it was made in), and nothing while the thread's locals are being
/// destroyed, where tokio could not record the context (`Handle::enter` would panic there).
///
/// # Panics
///
/// Only when the fallback runtime is needed and cannot be started: the OS refused to create
/// its IO driver or its thread.
#[track_caller]
pub(crate) fn enter(captured: Option<&Handle>) -> Option<EnterGuard<'_>> {
    let current = Handle::try_current();
    let handle = match (&current, captured) {
        // Inside a runtime and nothing captured: that runtime is the one to use.
        (Ok(_), None) => return None,
        (Ok(_), Some(handle)) => handle,
        (Err(e), _) if e.is_thread_local_destroyed() => return None,
        (Err(_), _) => match captured_or_fallback(captured) {
            Some(handle) => handle,
            None => panic!(
                "iocompat::Compat::poll: no tokio runtime is current and the fallback runtime \
                 could not be started (the OS refused its IO driver or its thread)"
            ),
        },
    };
    io_util::enter_unless_current(handle, &current)
}

/// Like [`enter`], for dropping the value: if the fallback runtime is needed and cannot be
/// started, enters nothing instead of panicking (a panic in `Drop` during an unwind would
/// abort the process; tokio types can be dropped without a context).
pub(crate) fn enter_for_drop(captured: Option<&Handle>) -> Option<EnterGuard<'_>> {
    let current = Handle::try_current();
    let handle = match (&current, captured) {
        (Ok(_), None) => return None,
        (Ok(_), Some(handle)) => handle,
        (Err(e), _) if e.is_thread_local_destroyed() => return None,
        (Err(_), _) => captured_or_fallback(captured)?,
    };
    io_util::enter_unless_current(handle, &current)
}

/// The captured runtime, else the fallback.
fn captured_or_fallback(captured: Option<&Handle>) -> Option<&Handle> {
    match captured {
        Some(handle) => Some(handle),
        None => fallback(),
    }
}

/// The fallback runtime's handle, starting the runtime on first use; `None` if the OS refused
/// its IO driver or its thread.
fn fallback() -> Option<&'static Handle> {
    FALLBACK
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            let handle = runtime.handle().clone();
            std::thread::Builder::new()
                .name(FALLBACK_THREAD_NAME.to_owned())
                .spawn(move || runtime.block_on(std::future::pending::<()>()))
                .ok()?;
            Some(handle)
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_runtime_runs_on_its_named_thread() {
        assert!(Handle::try_current().is_err());
        let _guard = enter(None).expect("no runtime is current: the fallback is entered");
        let (tx, rx) = std::sync::mpsc::channel();
        tokio::spawn(async move {
            let _ = tx.send(std::thread::current().name().map(str::to_owned));
        });
        let name = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        assert_eq!(name.as_deref(), Some(FALLBACK_THREAD_NAME));
    }

    #[test]
    fn nothing_is_entered_when_the_runtime_is_already_current() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let _in_rt = rt.enter();
        assert!(enter(Some(rt.handle())).is_none());
        assert!(enter(None).is_none());
        let other = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let guard = enter(Some(other.handle())).expect("another runtime is entered");
        assert_eq!(Handle::current().id(), other.handle().id());
        drop(guard);
        assert_eq!(Handle::current().id(), rt.handle().id());
    }
}
