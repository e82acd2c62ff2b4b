//! The `futures01` integration tests, one test binary for the area (one link instead of
//! 8). Each file is the module of the same name and keeps its own `cfg`; the
//! support modules are declared once, here; tests whose process-wide state must not be shared (a global allocator,
//! thread or memory counts, child processes on stdio) stay binaries of their own beside it.

#[cfg(feature = "futures01")]
#[path = "../support/futures01_bounded.rs"]
mod bounded;
#[cfg(feature = "futures01")]
#[path = "../support/data.rs"]
mod data;
#[cfg(feature = "futures01")]
#[path = "../support/futures01_legacy_io.rs"]
mod legacy_io;

mod futures01_echo;
mod futures01_executor;
mod futures01_future;
mod futures01_io;
mod futures01_sink;
mod futures01_split;
mod futures01_stream;
mod futures01_write_buf;
