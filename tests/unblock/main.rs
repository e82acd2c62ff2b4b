//! The `unblock` integration tests, one test binary for the area (one link instead of
//! 9). Each file is the module of the same name and keeps its own `cfg`; the
//! support modules are declared once, here; tests whose process-wide state must not be shared (a global allocator,
//! thread or memory counts, child processes on stdio) stay binaries of their own beside it.

#[path = "../support/mod.rs"]
mod support;

mod unblock_cancel;
mod unblock_duplex;
mod unblock_pool;
mod unblock_proptest;
mod unblock_read;
mod unblock_seek;
mod unblock_shutdown;
mod unblock_stream;
mod unblock_write;
