//! The `dropin` integration tests, one test binary for the area (one link instead of
//! 4). Each file is the module of the same name and keeps its own `cfg`; the
//! support modules are declared once, here; tests whose process-wide state must not be shared (a global allocator,
//! thread or memory counts, child processes on stdio) stay binaries of their own beside it.

#[cfg(feature = "futures01")]
#[path = "../support/futures01_bounded.rs"]
mod bounded;
#[cfg(any(all(feature = "tokio", feature = "futures-io"), feature = "futures-io"))]
#[path = "../support/dropin.rs"]
mod dropin;

mod dropin_async_compat;
mod dropin_blocking;
mod dropin_futures_compat;
mod dropin_tokio_util;
