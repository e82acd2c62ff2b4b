//! The `compat` integration tests, one test binary for the area (one link instead of
//! 6). Each file is the module of the same name and keeps its own `cfg`; the
//! support modules are declared once, here; tests whose process-wide state must not be shared (a global allocator,
//! thread or memory counts, child processes on stdio) stay binaries of their own beside it.

#[cfg(all(feature = "tokio", feature = "futures-io"))]
#[path = "../support/compat_model.rs"]
mod compat_model;
#[cfg(all(feature = "tokio", feature = "futures-io"))]
#[path = "../support/data.rs"]
mod data;

mod compat_prop;
mod compat_read;
mod compat_runtime;
mod compat_seek;
mod compat_seek_retry;
mod compat_write;
