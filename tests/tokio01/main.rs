//! The `tokio01` integration tests, one test binary for the area (one link instead of
//! 8). Each file is the module of the same name and keeps its own `cfg`; the
//! support modules are declared once, here; tests whose process-wide state must not be shared (a global allocator,
//! thread or memory counts, child processes on stdio) stay binaries of their own beside it.

#[cfg(any(all(feature = "tokio01", unix), feature = "tokio01"))]
#[path = "../support/bounded.rs"]
mod bounded;
#[cfg(any(all(feature = "tokio01", unix), feature = "tokio01"))]
#[path = "../support/tokio01_flavors.rs"]
mod flavors;

mod tokio01_example;
mod tokio01_hyper;
mod tokio01_nesting;
mod tokio01_process;
mod tokio01_runtime;
mod tokio01_services;
mod tokio01_shutdown;
mod tokio01_timers;
