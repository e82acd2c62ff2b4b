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
//! - **Terminals and the standard streams are never changed.** A tty is usually shared with
//!   the shell, and fds 0, 1 and 2 with every process started from here (`O_NONBLOCK` on
//!   stdout would make `println!` fail with `EAGAIN`). [`stdin()`] is read only after a
//!   zero-timeout `poll(2)` says a read will not block (in canonical mode, or raw mode with
//!   `VMIN` 1; another process reading the same terminal at the same moment could still make
//!   it block). [`stdout()`] and [`stderr()`] always take the pool path. A terminal given to
//!   [`AutoIo`] or [`Readiness`] is driven the same way; its writes are at most `PIPE_BUF`
//!   (4 KiB) per call and can block while the terminal's output is stopped (Ctrl-S) and full.
//! - **Anything else** (pipes, sockets, FIFOs, eventfds, character devices) gets `O_NONBLOCK`
//!   only if it did not have it, after the descriptor was registered (a refused descriptor is
//!   never touched), and loses it again when the last adapter on that open file description
//!   is dropped or unwrapped with [`Readiness::into_inner`]. Adapters on `dup`s of one
//!   descriptor (one description) count together; unrelated descriptions that share an inode
//!   (two eventfds, timerfds or signalfds, two opens of one FIFO) are each restored by their
//!   own adapters. A descriptor that was already non-blocking stays so. While an adapter
//!   lives, another process sharing the description (a pipe end inherited by a child) sees
//!   `O_NONBLOCK` too.
//! - To tell descriptions of one inode apart, an adapter being created flips `O_APPEND` on
//!   its own descriptor and back (a flag with no effect on anything but regular files, which
//!   never take this path) and looks whose flags followed; `O_NONBLOCK` is never flipped to
//!   find out. Where the kernel refuses that flip (an append-only inode), the adapter counts
//!   with the other descriptions of its inode, and the flag of one of them may stay set.
//! - While several adapters drive one description, each call first checks the flag and sets
//!   it again if someone cleared it, so an adapter never makes a blocking call on a reactor
//!   thread. An adapter alone on its description skips that system call; another *process*
//!   clearing the flag under it is not detected.
//! - All flag changes go through private duplicates of the descriptor, so a descriptor number
//!   the user closed and the system reused is never touched.
//!
//! `poll_shutdown` / `poll_close` flush and, for a socket, shut down its writing half so the
//! peer sees end of file; `flush` does not wait for writability (a descriptor has nothing to
//! flush). A runtime built without an I/O driver is "cannot register": [`AutoIo`] takes the
//! pool path.
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

#[macro_use]
mod forward;
mod auto;
mod stdio;

#[cfg(feature = "tokio")]
pub(crate) use self::flags::Policy;
/// Without the `tokio` feature there is no readiness path, so nothing to decide.
#[cfg(not(feature = "tokio"))]
#[derive(Debug, Clone, Copy)]
pub(crate) enum Policy {
    Auto,
    Untouched,
}

cfg_tokio! {
    mod flags;
    mod core;
    mod tokio_face;
    pub use self::core::{Readiness, ReadinessError};
}
#[cfg(all(feature = "tokio", feature = "futures-io"))]
mod futures_face;

pub use self::auto::{AutoIo, IoPath};
pub use self::stdio::{Stderr, Stdin, Stdout, stderr, stdin, stdout};
