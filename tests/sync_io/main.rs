//! The `sync_io` integration tests, one test binary for the area (one link instead of
//! 4). Each file is the module of the same name and keeps its own `cfg`; the
//! support modules are declared once, here; tests whose process-wide state must not be shared (a global allocator,
//! thread or memory counts, child processes on stdio) stay binaries of their own beside it.

#[cfg(all(feature = "tokio", feature = "futures-io"))]
#[path = "../support/compat_model.rs"]
mod compat_model;
#[cfg(all(feature = "tokio", feature = "futures-io"))]
#[path = "../support/mod.rs"]
mod support;
#[cfg(all(feature = "tokio", feature = "futures-io"))]
use support::data;

mod sync_io_drop;
mod sync_io_errors;
mod sync_io_prop;
mod sync_io_std;
