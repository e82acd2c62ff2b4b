//! `O_NONBLOCK` on a descriptor: set while a [`Readiness`](super::Readiness) adapter needs it,
//! restored when it lets go.
//!
//! `O_NONBLOCK` belongs to the open file description, which other descriptors and other
//! processes may share, so:
//! - a terminal, and the process's standard streams, are never changed: they are called only
//!   after readiness, without `O_NONBLOCK` ([`Mode::ReadyThenBlocking`]);
//! - any other descriptor gets `O_NONBLOCK` only if it did not have it, and loses it again
//!   when the last adapter on its file is dropped or unwrapped;
//! - adapters are counted per file (device and inode, see [`Sharing`]), so one on a `dup` of
//!   another's descriptor keeps the flag set until both are gone; while a file is shared, each
//!   call also checks the flag first and sets it again if someone cleared it, instead of
//!   making a blocking call on a reactor thread (an adapter alone on its file skips that
//!   system call).
//!
//! All of this goes through the adapter's private duplicate of the descriptor, which is open
//! for the adapter's whole life and refers to the same description, so a descriptor number
//! that the user closed and the system reused is never touched.

use std::collections::HashMap;
use std::io;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use rustix::fs::OFlags;

/// Adapters per file, by (device, inode): a pipe, socket or FIFO that several adapters drive
/// (through `dup`s of one descriptor, typically).
static FILES: Mutex<Option<Files>> = Mutex::new(None);

/// (device, inode) -> the adapters' shared entry.
type Files = HashMap<(u64, u64), Weak<Entry>>;

#[derive(Debug, Default)]
struct Entry {
    users: AtomicUsize,
    /// Some adapter on this file set `O_NONBLOCK`: the last one to leave clears it.
    set_by_one: AtomicBool,
}

fn files() -> std::sync::MutexGuard<'static, Option<Files>> {
    FILES.lock().unwrap_or_else(|e| e.into_inner())
}

/// One adapter's membership in the count of adapters on its file.
#[derive(Debug)]
pub(crate) struct Sharing {
    key: Option<(u64, u64)>,
    entry: Arc<Entry>,
    left: bool,
}

impl Sharing {
    /// Counts this adapter in for `fd`'s file. A descriptor `fstat` cannot describe counts as
    /// shared, so it is always checked.
    pub(crate) fn join(fd: BorrowedFd<'_>) -> Self {
        let Ok(st) = rustix::fs::fstat(fd) else {
            let entry = Arc::new(Entry::default());
            entry.users.store(2, Ordering::SeqCst);
            return Self {
                key: None,
                entry,
                left: false,
            };
        };
        // The field types differ between Unix platforms (`st_dev` is 32-bit on some).
        #[allow(clippy::unnecessary_cast)]
        let key = (st.st_dev as u64, st.st_ino as u64);
        let mut files = files();
        let map = files.get_or_insert_with(HashMap::new);
        let entry = map.get(&key).and_then(Weak::upgrade).unwrap_or_else(|| {
            let entry = Arc::new(Entry::default());
            map.insert(key, Arc::downgrade(&entry));
            entry
        });
        entry.users.fetch_add(1, Ordering::SeqCst);
        Self {
            key: Some(key),
            entry,
            left: false,
        }
    }

    /// Whether another adapter drives the same file now.
    pub(crate) fn is_shared(&self) -> bool {
        self.entry.users.load(Ordering::SeqCst) > 1
    }

    /// Counts this adapter out. True when it was the last one and some adapter on the file
    /// had set `O_NONBLOCK`: then the caller clears it. (Clearing it while others still drive
    /// the file would make their next call block.)
    pub(crate) fn leave(&mut self, set_by_us: bool) -> bool {
        if self.left {
            return false;
        }
        self.left = true;
        let mut files = files();
        if set_by_us {
            self.entry.set_by_one.store(true, Ordering::SeqCst);
        }
        if self.entry.users.fetch_sub(1, Ordering::SeqCst) != 1 {
            return false;
        }
        if let (Some(key), Some(map)) = (self.key, files.as_mut()) {
            map.remove(&key);
        }
        self.entry.set_by_one.load(Ordering::SeqCst)
    }
}

impl Drop for Sharing {
    fn drop(&mut self) {
        self.leave(false);
    }
}

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

/// Undoes [`acquire`] when this adapter leaves its file: the last adapter on the file clears
/// `O_NONBLOCK` if any of them set it.
pub(crate) fn release(fd: BorrowedFd<'_>, mode: Mode, sharing: &mut Sharing) -> io::Result<()> {
    let set_by_us = mode == (Mode::NonBlocking { set_by_us: true });
    if !sharing.leave(set_by_us) {
        return Ok(());
    }
    let flags = rustix::fs::fcntl_getfl(fd)?;
    rustix::fs::fcntl_setfl(fd, flags - OFlags::NONBLOCK)?;
    Ok(())
}
