//! Readiness first, pool as fallback: descriptors that epoll can watch never occupy a pool
//! thread.
//!
//! A blocking-pool thread per wrapped socket, pipe or terminal is waste, and a blocking `read`
//! on such a descriptor cannot be cancelled (tokio's own `stdin()` keeps a runtime from
//! shutting down while a read waits). For those, readiness-driven I/O is the right path:
//! [`Readiness`] registers the descriptor with the tokio 1 reactor and treats `WouldBlock` as
//! "wait until ready". Regular files and directories, which epoll refuses with `EPERM`, go to
//! the blocking pool through [`Unblock`](crate::Unblock).
//!
//! | you have | use |
//! |---|---|
//! | some fd-backed std reader or writer (`File`, `UnixStream`, `ChildStdout`, a FIFO, a tty) | [`AutoIo::new`]: readiness where it works, the pool where not; [`AutoIo::path`] says which |
//! | a descriptor you know epoll accepts | [`Readiness::new`] |
//! | the process's stdin, stdout, stderr | [`stdin()`], [`stdout()`], [`stderr()`] |
//!
//! # Descriptor flags
//!
//! Readiness needs reads and writes that return `WouldBlock` instead of blocking, which is the
//! `O_NONBLOCK` flag. That flag lives on the *open file description*, which other descriptors
//! and other processes may share, so the adapter is careful with it:
//!
//! - **Terminals are never changed.** A tty is usually shared with the shell (and stdin,
//!   stdout and stderr often are one description). It is read and written once it is ready,
//!   without `O_NONBLOCK`. In canonical (line) mode, or raw mode with `VMIN` 1, a read after
//!   readiness does not block; another process reading the same terminal at the same time
//!   could make it block.
//! - **Anything else** (pipes, sockets, FIFOs, character devices) gets `O_NONBLOCK` only if it
//!   did not have it, after the descriptor was registered (a refused descriptor is never
//!   touched). It is cleared again when the last adapter on that descriptor number is dropped
//!   or unwrapped with [`Readiness::into_inner`]. A descriptor that was already non-blocking
//!   stays so. While an adapter lives, another process sharing the description (a pipe end
//!   inherited by a child) sees `O_NONBLOCK` too.
//! - Two adapters on two *different* descriptors of one description (after `dup`) are not
//!   recognised as one: the first to be dropped clears the flag for both.
//!
//! # Platform-specific behavior
//!
//! Unix only. Elsewhere, use [`Unblock`](crate::Unblock): every descriptor takes the pool path.
//! [`Readiness`] needs the `tokio` feature; without it [`AutoIo`] always takes the pool path.

// The trait faces are feature-gated; with a family turned off, their helpers go unused.
#![cfg_attr(
    not(all(feature = "tokio", feature = "futures-io")),
    allow(unused_imports, unused_macros)
)]

mod auto;
mod stdio;

cfg_tokio! {
    mod flags;
    mod evented;
    pub use self::evented::{Readiness, ReadinessError};
}

pub use self::auto::{AutoIo, IoPath};
pub use self::stdio::{Stderr, Stdin, Stdout, stderr, stdin, stdout};
