//! `O_NONBLOCK` on a descriptor: set while a [`Readiness`](super::Readiness) adapter needs it,
//! restored when the last one that needed it lets go.
//!
//! `O_NONBLOCK` belongs to the open file description, which other processes (and other file
//! descriptors of this process) may share. So the rules are:
//! - a terminal is never changed: it is read after readiness without `O_NONBLOCK` (see
//!   [`Mode::ReadyThenBlocking`]);
//! - any other descriptor gets `O_NONBLOCK` only if it did not have it, and loses it again
//!   when the last adapter on that descriptor number is dropped or unwrapped; a descriptor that
//!   was already non-blocking is left as it was.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::Mutex;

use rustix::fs::OFlags;

/// How a descriptor is driven once the reactor says it is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `O_NONBLOCK` is set (by us or already): `WouldBlock` means "wait for readiness".
    NonBlocking { set_by_us: bool },
    /// A terminal, shared with the shell: flags untouched; one call after readiness.
    ReadyThenBlocking,
}

/// Per descriptor number: how many adapters use it, and whether we set `O_NONBLOCK`.
static USERS: Mutex<Option<HashMap<RawFd, (usize, bool)>>> = Mutex::new(None);

fn users() -> std::sync::MutexGuard<'static, Option<HashMap<RawFd, (usize, bool)>>> {
    USERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Chooses the mode for `fd` and sets `O_NONBLOCK` when that mode needs it.
pub(crate) fn acquire(fd: BorrowedFd<'_>) -> io::Result<Mode> {
    if rustix::termios::isatty(fd) {
        return Ok(Mode::ReadyThenBlocking);
    }
    let raw = fd.as_raw_fd();
    let mut guard = users();
    let map = guard.get_or_insert_with(HashMap::new);
    if let Some((count, set_by_us)) = map.get_mut(&raw) {
        *count += 1;
        return Ok(Mode::NonBlocking {
            set_by_us: *set_by_us,
        });
    }
    let flags = rustix::fs::fcntl_getfl(fd)?;
    let set_by_us = !flags.contains(OFlags::NONBLOCK);
    if set_by_us {
        rustix::fs::fcntl_setfl(fd, flags | OFlags::NONBLOCK)?;
    }
    map.insert(raw, (1, set_by_us));
    Ok(Mode::NonBlocking { set_by_us })
}

/// Undoes [`acquire`]: the last user of a descriptor we made non-blocking makes it blocking
/// again. Must be called while `fd` is still open.
pub(crate) fn release(fd: BorrowedFd<'_>, mode: Mode) -> io::Result<()> {
    if mode == Mode::ReadyThenBlocking {
        return Ok(());
    }
    let raw = fd.as_raw_fd();
    let mut guard = users();
    let map = guard.get_or_insert_with(HashMap::new);
    let Some((count, set_by_us)) = map.get_mut(&raw) else {
        return Ok(());
    };
    *count -= 1;
    if *count > 0 {
        return Ok(());
    }
    let set_by_us = *set_by_us;
    map.remove(&raw);
    if set_by_us {
        let flags = rustix::fs::fcntl_getfl(fd)?;
        rustix::fs::fcntl_setfl(fd, flags - OFlags::NONBLOCK)?;
    }
    Ok(())
}
