//! The `readiness` integration tests, one test binary for the area (one link instead of
//! 2). Each file is the module of the same name and keeps its own `cfg`; the
//! support modules are declared once, here; tests whose process-wide state must not be shared (a global allocator,
//! thread or memory counts, child processes on stdio) stay binaries of their own beside it.

#[cfg(all(unix, feature = "tokio", feature = "futures-io"))]
#[path = "../support/mod.rs"]
mod support;

mod readiness_adapter;
mod readiness_flags;
