//! `O_NONBLOCK` on a descriptor: set while a [`Readiness`](super::Readiness) adapter needs it,
//! restored when it lets go.
//!
//! `O_NONBLOCK` belongs to the open file description, which other descriptors and other
//! processes may share, so:
//! - a terminal, and the process's standard streams, are never changed: they are called only
//!   after readiness, without `O_NONBLOCK` ([`Mode::ReadyThenBlocking`]);
//! - any other descriptor gets `O_NONBLOCK` only if it did not have it, and loses it again
//!   when the adapter that set it is dropped or unwrapped;
//! - because someone sharing the description may clear the flag meanwhile (another adapter on
//!   a `dup` of it being dropped, another process), an adapter checks it before each call and
//!   sets it again if it is gone, instead of making a blocking call on a reactor thread.
//!
//! All of this goes through the adapter's private duplicate of the descriptor, which is open
//! for the adapter's whole life and refers to the same description, so a descriptor number
//! that the user closed and the system reused is never touched.

use std::io;
use std::os::fd::BorrowedFd;

use rustix::fs::OFlags;

/// Who decides whether the descriptor may be made non-blocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    /// Non-blocking unless the descriptor is a terminal.
    Auto,
    /// Never change the flags (the process's standard streams, shared with everything).
    Untouched,
}

/// How a descriptor is driven once the reactor says it is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `O_NONBLOCK` is set (by us, or it was already): `WouldBlock` means "wait for readiness".
    NonBlocking { set_by_us: bool },
    /// Flags untouched: one call after a zero-timeout `poll(2)` says it will not block (writes
    /// limited to `PIPE_BUF` bytes, which a ready pipe always takes whole).
    ReadyThenBlocking,
}

/// Chooses the mode for `fd` and sets `O_NONBLOCK` when that mode needs it.
pub(crate) fn acquire(fd: BorrowedFd<'_>, policy: Policy) -> io::Result<Mode> {
    if policy == Policy::Untouched || rustix::termios::isatty(fd) {
        return Ok(Mode::ReadyThenBlocking);
    }
    let mut mode = Mode::NonBlocking { set_by_us: false };
    ensure(fd, &mut mode)?;
    Ok(mode)
}

/// Before a call in non-blocking mode: sets `O_NONBLOCK` again if someone cleared it.
pub(crate) fn ensure(fd: BorrowedFd<'_>, mode: &mut Mode) -> io::Result<()> {
    let Mode::NonBlocking { set_by_us } = mode else {
        return Ok(());
    };
    let flags = rustix::fs::fcntl_getfl(fd)?;
    if !flags.contains(OFlags::NONBLOCK) {
        rustix::fs::fcntl_setfl(fd, flags | OFlags::NONBLOCK)?;
        *set_by_us = true;
    }
    Ok(())
}

/// Undoes [`acquire`]: clears `O_NONBLOCK` if this adapter set it.
pub(crate) fn release(fd: BorrowedFd<'_>, mode: Mode) -> io::Result<()> {
    if mode != (Mode::NonBlocking { set_by_us: true }) {
        return Ok(());
    }
    let flags = rustix::fs::fcntl_getfl(fd)?;
    rustix::fs::fcntl_setfl(fd, flags - OFlags::NONBLOCK)?;
    Ok(())
}
