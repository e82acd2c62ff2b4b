//! `O_NONBLOCK` on a descriptor: set while a [`Readiness`](super::Readiness) adapter needs it,
//! restored when it lets go.
//!
//! `O_NONBLOCK` belongs to the open file description, which other descriptors and other
//! processes may share, so:
//! - a terminal, and the process's standard streams, are never changed: they are called only
//!   after readiness, without `O_NONBLOCK` ([`Mode::ReadyThenBlocking`]), and are not counted;
//! - any other descriptor gets `O_NONBLOCK` only if its description did not have it, and loses
//!   it again when the last adapter on that description is dropped or unwrapped;
//! - adapters are counted per open file description (see [`Flags`]): one on a `dup` of
//!   another's descriptor keeps the flag set until both are gone, and two unrelated
//!   descriptions of one inode (two eventfds, two opens of one FIFO) are each restored by
//!   their own adapters. While a description is shared, each call also checks the flag first
//!   and sets it again if someone cleared it, instead of making a blocking call on a reactor
//!   thread (an adapter alone on its description skips that system call).
//!
//! All of this goes through private duplicates of the descriptor (the adapter's, and the one
//! its description's entry keeps), which refer to the same description and stay open, so a
//! descriptor number that the user closed and the system reused is never touched.
//!
//! # Telling descriptions apart
//!
//! `fstat` gives the inode, not the description: every eventfd, timerfd, signalfd and inotify
//! descriptor shares one anonymous inode, and every open of a FIFO its inode. What was weighed:
//! - `kcmp(2)` with `KCMP_FILE` answers exactly this, but no safe wrapper exists in the crates
//!   we may use (`rustix` 1.x has none, `nix` has none, `nc` has only an `unsafe fn`), and it
//!   is missing without `CONFIG_CHECKPOINT_RESTORE` and often blocked by seccomp (container
//!   runtimes' default profiles), so a fallback would be needed anyway.
//! - `fcntl(F_DUPFD_QUERY)` (Linux 6.10) too, but `rustix` does not expose it either, and
//!   older kernels lack it.
//! - What we do: compare flags. A description has one status-flags word, so two descriptors
//!   whose `F_GETFL` differ are two descriptions. Where they are equal, the newcomer's
//!   `O_APPEND` is flipped and flipped back (under the registry lock), and a candidate whose
//!   `F_GETFL` followed the flip is the same description. `O_APPEND` acts only on regular
//!   files, which never get here (epoll refuses them), so nobody sharing the description can
//!   tell; `O_NONBLOCK` itself is never flipped to find out. Only descriptors of one inode are
//!   compared, so the common case (a socket or pipe, alone on its inode) costs nothing. If the
//!   flip is refused (an append-only inode), the newcomer is counted with the first candidate
//!   whose flags matched: the flag may then stay set on one description (the behaviour before
//!   descriptions were told apart), which is safe, where guessing "different" could clear the
//!   flag under a live adapter.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use rustix::fs::OFlags;

/// The open file descriptions adapters drive, by (device, inode), several per inode where
/// unrelated descriptions share one (eventfds, opens of one FIFO). Every change of
/// `O_NONBLOCK` by an adapter, and every probe, happens under this lock, so an adapter joining
/// a description never sees the flag that the last one leaving is about to clear.
static DESCRIPTIONS: Mutex<Option<Registry>> = Mutex::new(None);

type Registry = HashMap<(u64, u64), Vec<Weak<Description>>>;

fn registry() -> MutexGuard<'static, Option<Registry>> {
    DESCRIPTIONS.lock().unwrap_or_else(|e| e.into_inner())
}

/// One open file description that adapters drive.
#[derive(Debug)]
struct Description {
    /// A descriptor of it: the private duplicate of the adapter that created the entry, kept
    /// open while any adapter drives the description (to probe newcomers and to restore).
    fd: Arc<OwnedFd>,
    /// Where it is filed; `None` when `fstat` failed: then it is never found by another
    /// adapter and counts as shared, so every call checks the flag.
    key: Option<(u64, u64)>,
    /// Adapters on it. Changed under the registry lock; read without it before each call.
    users: AtomicUsize,
    /// Some adapter on it set `O_NONBLOCK`: the last one to leave clears it. Written under
    /// the registry lock.
    set_by_us: AtomicBool,
}

impl Description {
    /// Sets `O_NONBLOCK` if it is not set. Call with the registry lock held.
    fn set_nonblocking(&self) -> io::Result<()> {
        let flags = rustix::fs::fcntl_getfl(&*self.fd)?;
        if !flags.contains(OFlags::NONBLOCK) {
            rustix::fs::fcntl_setfl(&*self.fd, flags | OFlags::NONBLOCK)?;
            self.set_by_us.store(true, Ordering::SeqCst);
        }
        Ok(())
    }
}

/// How a descriptor is driven once the reactor says it is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `O_NONBLOCK` is set (by us, or it was already): `WouldBlock` means "wait for readiness".
    NonBlocking,
    /// Flags untouched: one call after a zero-timeout `poll(2)` says it will not block (writes
    /// limited to `PIPE_BUF` bytes, which a ready pipe always takes whole).
    ReadyThenBlocking,
}

/// Who decides whether the descriptor may be made non-blocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    /// Non-blocking unless the descriptor is a terminal.
    Auto,
    /// Never change the flags (the process's standard streams, shared with everything).
    Untouched,
}

/// One adapter's hold on its descriptor's flags: the mode it drives the descriptor in, and
/// its membership in the count of adapters on the description.
#[derive(Debug)]
pub(crate) struct Flags {
    mode: Mode,
    /// `None` in [`Mode::ReadyThenBlocking`] (nothing to restore), and once released.
    description: Option<Arc<Description>>,
}

impl Flags {
    /// Chooses the mode for `fd` (the adapter's private duplicate, which its description's
    /// entry may keep) and, for a non-terminal, counts the adapter in on its description and
    /// sets `O_NONBLOCK` there if it is not set.
    pub(crate) fn acquire(fd: &Arc<OwnedFd>, policy: Policy) -> io::Result<Self> {
        if policy == Policy::Untouched || rustix::termios::isatty(&**fd) {
            return Ok(Self {
                mode: Mode::ReadyThenBlocking,
                description: None,
            });
        }
        // The field types differ between Unix platforms (`st_dev` is 32-bit on some).
        #[allow(clippy::unnecessary_cast)]
        let key = rustix::fs::fstat(&**fd)
            .ok()
            .map(|st| (st.st_dev as u64, st.st_ino as u64));
        let mut registry = registry();
        let registry = registry.get_or_insert_with(HashMap::new);
        let found = key.and_then(|key| {
            let candidates = registry.get_mut(&key)?;
            candidates.retain(|d| d.strong_count() > 0);
            let live: Vec<_> = candidates.iter().filter_map(Weak::upgrade).collect();
            same_description(fd.as_fd(), &live).map(|i| Arc::clone(&live[i]))
        });
        let (description, new) = match found {
            Some(description) => (description, false),
            None => {
                let description = Arc::new(Description {
                    fd: Arc::clone(fd),
                    key,
                    users: AtomicUsize::new(0),
                    set_by_us: AtomicBool::new(false),
                });
                (description, true)
            }
        };
        // Nothing is counted or filed until the flag is set: on an error there is nothing to
        // undo.
        description.set_nonblocking()?;
        description.users.fetch_add(1, Ordering::SeqCst);
        if let (true, Some(key)) = (new, key) {
            registry
                .entry(key)
                .or_default()
                .push(Arc::downgrade(&description));
        }
        Ok(Self {
            mode: Mode::NonBlocking,
            description: Some(description),
        })
    }

    /// How to drive the descriptor.
    #[inline]
    pub(crate) fn mode(&self) -> Mode {
        self.mode
    }

    /// Before a call: while the description is shared (another adapter, or a descriptor
    /// `fstat` could not describe), sets `O_NONBLOCK` again if someone cleared it. An adapter
    /// alone on its description makes no system call here.
    #[inline]
    pub(crate) fn ensure(&self) -> io::Result<()> {
        match &self.description {
            Some(d) if d.key.is_none() || d.users.load(Ordering::SeqCst) > 1 => ensure_shared(d),
            _ => Ok(()),
        }
    }

    /// Counts this adapter out. The last adapter on a description clears `O_NONBLOCK` if any
    /// of them set it (clearing it while others still drive the description would make their
    /// next call block). Afterwards the mode is [`Mode::ReadyThenBlocking`]; a second call
    /// does nothing.
    pub(crate) fn release(&mut self) -> io::Result<()> {
        self.mode = Mode::ReadyThenBlocking;
        let Some(description) = self.description.take() else {
            return Ok(());
        };
        let mut registry = registry();
        if description.users.fetch_sub(1, Ordering::SeqCst) != 1 {
            return Ok(());
        }
        if let (Some(key), Some(registry)) = (description.key, registry.as_mut()) {
            if let Some(candidates) = registry.get_mut(&key) {
                candidates.retain(|d| !std::ptr::eq(d.as_ptr(), Arc::as_ptr(&description)));
                if candidates.is_empty() {
                    registry.remove(&key);
                }
            }
        }
        if description.set_by_us.load(Ordering::SeqCst) {
            let flags = rustix::fs::fcntl_getfl(&*description.fd)?;
            rustix::fs::fcntl_setfl(&*description.fd, flags - OFlags::NONBLOCK)?;
        }
        Ok(())
    }
}

impl Drop for Flags {
    fn drop(&mut self) {
        // Best effort: a failure leaves the description non-blocking, and there is nobody to
        // tell.
        let _ = self.release();
    }
}

/// The shared case of [`Flags::ensure`]: one `F_GETFL`, and the lock only to set the flag.
#[cold]
fn ensure_shared(description: &Description) -> io::Result<()> {
    let flags = rustix::fs::fcntl_getfl(&*description.fd)?;
    if flags.contains(OFlags::NONBLOCK) {
        return Ok(());
    }
    let _registry = registry();
    description.set_nonblocking()
}

/// Which of `candidates` (descriptions of `fd`'s inode) `fd` belongs to, if any. Call with the
/// registry lock held. See the module docs for the method.
fn same_description(fd: BorrowedFd<'_>, candidates: &[Arc<Description>]) -> Option<usize> {
    let Ok(flags) = rustix::fs::fcntl_getfl(fd) else {
        return candidates.first().map(|_| 0);
    };
    // One description has one flags word: only those with the same word can be `fd`'s.
    let alike: Vec<usize> = (0..candidates.len())
        .filter(|&i| rustix::fs::fcntl_getfl(&*candidates[i].fd).is_ok_and(|f| f == flags))
        .collect();
    let first = *alike.first()?;
    if rustix::fs::fcntl_setfl(fd, flags ^ OFlags::APPEND).is_err() {
        return Some(first);
    }
    let found = alike.iter().copied().find(|&i| {
        rustix::fs::fcntl_getfl(&*candidates[i].fd)
            .is_ok_and(|f| f.contains(OFlags::APPEND) != flags.contains(OFlags::APPEND))
    });
    // Put `O_APPEND` back as it was, keeping whatever else changed meanwhile.
    if let Ok(now) = rustix::fs::fcntl_getfl(fd) {
        let _ = rustix::fs::fcntl_setfl(fd, (now - OFlags::APPEND) | (flags & OFlags::APPEND));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eventfd() -> Arc<OwnedFd> {
        Arc::new(rustix::event::eventfd(0, rustix::event::EventfdFlags::CLOEXEC).unwrap())
    }

    fn filed(fd: &OwnedFd) -> usize {
        let st = rustix::fs::fstat(fd).unwrap();
        #[allow(clippy::unnecessary_cast)]
        let key = (st.st_dev as u64, st.st_ino as u64);
        registry()
            .as_ref()
            .and_then(|r| r.get(&key))
            .map_or(0, |c| {
                c.iter()
                    .filter_map(Weak::upgrade)
                    .filter(|d| rustix::fs::fcntl_getfl(&*d.fd).is_ok())
                    .filter(|d| same_description(fd.as_fd(), &[Arc::clone(d)]).is_some())
                    .count()
            })
    }

    #[test]
    fn probe_finds_a_dup_and_not_another_eventfd() {
        let a = eventfd();
        let b = eventfd();
        let a2 = rustix::io::fcntl_dupfd_cloexec(&*a, 0).unwrap();
        let before = (
            rustix::fs::fcntl_getfl(&*a).unwrap(),
            rustix::fs::fcntl_getfl(&*b).unwrap(),
        );
        let entry = |fd: &Arc<OwnedFd>| {
            Arc::new(Description {
                fd: Arc::clone(fd),
                key: None,
                users: AtomicUsize::new(1),
                set_by_us: AtomicBool::new(false),
            })
        };
        let candidates = [entry(&b), entry(&a)];
        let _lock = registry();
        assert_eq!(same_description(a2.as_fd(), &candidates), Some(1));
        assert_eq!(same_description(b.as_fd(), &candidates[1..]), None);
        let after = (
            rustix::fs::fcntl_getfl(&*a).unwrap(),
            rustix::fs::fcntl_getfl(&*b).unwrap(),
        );
        assert_eq!(before, after, "the probe puts O_APPEND back");
    }

    #[test]
    fn one_entry_per_description_dropped_with_the_last_adapter() {
        let a = eventfd();
        let a2 = Arc::new(rustix::io::fcntl_dupfd_cloexec(&*a, 0).unwrap());
        let first = Flags::acquire(&a, Policy::Auto).unwrap();
        let mut second = Flags::acquire(&a2, Policy::Auto).unwrap();
        assert_eq!(filed(&a), 1, "both adapters share one entry");
        assert!(Arc::ptr_eq(
            first.description.as_ref().unwrap(),
            second.description.as_ref().unwrap()
        ));
        second.release().unwrap();
        second.release().unwrap();
        assert_eq!(
            first
                .description
                .as_ref()
                .unwrap()
                .users
                .load(Ordering::SeqCst),
            1
        );
        drop(first);
        assert_eq!(filed(&a), 0, "the last adapter out removes the entry");
        assert!(
            !rustix::fs::fcntl_getfl(&*a)
                .unwrap()
                .contains(OFlags::NONBLOCK)
        );
    }

    #[test]
    fn never_count_a_terminal_or_an_untouched_descriptor() {
        let a = eventfd();
        let untouched = Flags::acquire(&a, Policy::Untouched).unwrap();
        assert_eq!(untouched.mode(), Mode::ReadyThenBlocking);
        assert!(untouched.description.is_none());
        assert!(
            !rustix::fs::fcntl_getfl(&*a)
                .unwrap()
                .contains(OFlags::NONBLOCK)
        );
        let master =
            rustix::pty::openpt(rustix::pty::OpenptFlags::RDWR | rustix::pty::OpenptFlags::NOCTTY)
                .unwrap();
        let master = Arc::new(master);
        let tty = Flags::acquire(&master, Policy::Auto).unwrap();
        assert_eq!(tty.mode(), Mode::ReadyThenBlocking);
        assert!(tty.description.is_none());
        assert_eq!(filed(&master), 0);
    }
}
