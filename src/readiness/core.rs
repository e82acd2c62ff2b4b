//! [`Readiness`]: a descriptor-backed std reader or writer driven by the tokio reactor; its
//! core methods, which the faces in `tokio_face.rs` and `futures_face.rs` call.

use std::fmt;
use std::io::{self, IoSlice, Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use rustix::event::{PollFd, PollFlags};
use tokio::io::unix::AsyncFd;

use super::flags::{Flags, Mode, Policy};
use crate::io_util;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The most a pipe takes whole once it says it is writable (POSIX's `PIPE_BUF` on Linux).
const PIPE_BUF: usize = 4096;

/// Size of the buffer behind `AsyncBufRead`, allocated on first use. Not part of the semver
/// contract.
const BUF_READ_SIZE: usize = 8 * 1024;

/// Where each operation's errors say they come from.
pub(super) const READ: &str = "Readiness::read";
const FILL_BUF: &str = "Readiness::fill_buf";
const WRITE: &str = "Readiness::write";
const FLUSH: &str = "Readiness::flush";

/// A reader or writer over a file descriptor that epoll can watch (a socket, pipe, terminal,
/// character device), registered with the tokio 1 reactor: no pool thread is used, and a
/// pending read can be dropped at any time.
///
/// `WouldBlock` from the value means "wait for readiness". For the descriptor flags this
/// changes and restores, see the [module docs](crate::readiness#descriptor-flags).
///
/// Implements tokio and futures-io `AsyncRead` + `AsyncBufRead` (for `T: Read`) and
/// `AsyncWrite` (for `T: Write`). Polling needs the tokio runtime it was created in to be
/// running (its reactor wakes the task); the polling task itself may run on any executor.
///
/// Most code wants [`AutoIo`](crate::AutoIo), which picks this where it works and the pool
/// where it does not.
///
/// # Caveats
///
/// - **End of file is not final.** A read returns what the value's own `read` returns: `Ok(0)`
///   for end of file (a pipe with no writer left, a terminal after the EOF character, ^D, at
///   the start of a line in canonical mode), or an error where the kernel reports it so (a
///   pseudo-terminal master whose slave is closed: `EIO` on Linux). Neither ends the adapter:
///   the next read asks the descriptor again, waiting for readiness if it has nothing, so
///   data that comes later (a line typed after ^D, a slave opened again) is delivered.
/// - **Leaked adapters** ([`mem::forget`](std::mem::forget), an `Rc` cycle) run no
///   destructor, so the descriptor's flags are never restored: its open file description
///   keeps `O_NONBLOCK` for good, and a read through another descriptor on it (a `dup` taken
///   earlier) returns `WouldBlock` instead of waiting. The adapter's private duplicate of the
///   descriptor stays open (the description is never closed), as does its entry in the
///   process-wide count of adapters per description: a later adapter on the same
///   description counts the leaked one, so it checks the flag before every call and leaves
///   it set when it goes. The reactor registration's memory is not freed either. No thread
///   is left behind: a `Readiness` never uses one. Other descriptions, even of the same inode
///   (other eventfds, other opens of one FIFO), are not affected.
///
/// # Examples
///
/// ```
/// # #[cfg(all(feature = "tokio", feature = "futures-io"))]
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let (a, b) = std::os::unix::net::UnixStream::pair()?;
/// let mut a = iocompat::Readiness::new(a)?;
/// let mut b = iocompat::Readiness::new(b)?;
/// a.write_all(b"ping").await?;
/// let mut buf = [0; 4];
/// b.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # Ok(()) }
/// # #[cfg(not(all(feature = "tokio", feature = "futures-io")))] fn main() {}
/// ```
pub struct Readiness<T: AsFd> {
    /// A private duplicate of the value's descriptor, registered with the reactor. It shares
    /// the open file description (so readiness is the same), and because only this adapter
    /// holds it (and, when this adapter was the first on its description, the description's
    /// registry entry, through the `Arc`, to probe and restore for later adapters), it stays
    /// open and unchanged for as long as the registration lives, whatever is done with the
    /// value through `get_mut`.
    reg: AsyncFd<Arc<OwnedFd>>,
    inner: Option<T>,
    /// The mode the descriptor is driven in, and this adapter's place in the count of
    /// adapters on its open file description.
    flags: Flags,
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
}

/// The error of [`Readiness::try_new`]: why the descriptor could not be registered, and the
/// value, unchanged.
///
/// # Examples
///
/// ```no_run
/// # #[tokio::main] async fn main() {
/// let file = std::fs::File::open("Cargo.toml").unwrap(); // a regular file: epoll refuses it
/// let err = iocompat::Readiness::try_new(file).unwrap_err();
/// let (why, file) = err.into_parts();
/// # drop((file, why)); }
/// ```
pub struct ReadinessError<T> {
    inner: T,
    error: io::Error,
}

impl<T> ReadinessError<T> {
    /// The error and the value, in the order of `std::io::IntoInnerError::into_parts` and
    /// [`IntoInnerError::into_parts`](crate::IntoInnerError::into_parts).
    ///
    /// # Examples
    ///
    /// See [`ReadinessError`].
    pub fn into_parts(self) -> (io::Error, T) {
        (self.error, self.inner)
    }

    /// The error.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "tokio")] {
    /// // No tokio runtime is current here, so registration fails.
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let err = iocompat::Readiness::try_new(a).unwrap_err();
    /// assert!(!err.error().to_string().is_empty());
    /// # }
    /// ```
    pub fn error(&self) -> &io::Error {
        &self.error
    }
}

impl<T> fmt::Debug for ReadinessError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadinessError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for ReadinessError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot watch this descriptor for readiness: {}",
            self.error
        )
    }
}

impl<T> std::error::Error for ReadinessError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<T> From<ReadinessError<T>> for io::Error {
    fn from(e: ReadinessError<T>) -> Self {
        e.error
    }
}

impl<T: AsFd> Readiness<T> {
    /// Registers `inner` with the current tokio runtime's reactor.
    ///
    /// # Errors
    ///
    /// Fails when no tokio runtime is current, or when epoll refuses the descriptor (a regular
    /// file or a directory: `EPERM`). The value is dropped; use [`try_new`](Self::try_new) to
    /// get it back.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = iocompat::Readiness::new(a)?;
    /// # drop(a); Ok(()) }
    /// ```
    pub fn new(inner: T) -> io::Result<Self> {
        Self::try_new(inner).map_err(io::Error::from)
    }

    /// Like [`new`](Self::new), but gives the value back on failure.
    ///
    /// Registration comes first: a descriptor epoll refuses is never changed.
    ///
    /// # Errors
    ///
    /// As for [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// See [`ReadinessError`].
    pub fn try_new(inner: T) -> Result<Self, ReadinessError<T>> {
        Self::try_new_with(inner, Policy::Auto)
    }

    pub(crate) fn try_new_with(inner: T, policy: Policy) -> Result<Self, ReadinessError<T>> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ReadinessError {
                inner,
                error: io_util::error(
                    io::ErrorKind::Other,
                    "Readiness::new",
                    "no tokio runtime is current, so there is no reactor to register with \
                     (create it inside a runtime, or use AutoIo, which falls back to the \
                     blocking pool)",
                ),
            });
        }
        let dup = match rustix::io::fcntl_dupfd_cloexec(inner.as_fd(), 0) {
            Ok(dup) => Arc::new(dup),
            Err(error) => {
                return Err(ReadinessError {
                    inner,
                    error: error.into(),
                });
            }
        };
        // Sound: `dup` is an `OwnedFd` this adapter owns and never hands out (the registry of
        // descriptions may keep a clone of the `Arc`, which only keeps it open longer), so it
        // is open and the same descriptor for the registration's whole life (what tokio's
        // unsafe `register` asks of its caller; its safe `try_new` is deprecated only because
        // other callers cannot promise that).
        //
        // tokio panics here when the current runtime was built without `enable_io`: that is a
        // "cannot register" like any other, so it becomes an error (and `AutoIo` takes the
        // pool path) instead of a panic in the caller.
        #[allow(deprecated)]
        let registered = catch_unwind(AssertUnwindSafe(|| AsyncFd::try_new(dup)));
        let reg = match registered {
            Ok(Ok(reg)) => reg,
            Ok(Err(e)) => {
                return Err(ReadinessError {
                    inner,
                    error: e.into_parts().1,
                });
            }
            Err(_) => {
                return Err(ReadinessError {
                    inner,
                    error: io_util::error(
                        io::ErrorKind::Unsupported,
                        "Readiness::new",
                        "the current tokio runtime has no I/O driver (build it with \
                         `enable_io()` or `enable_all()`)",
                    ),
                });
            }
        };
        let flags = match Flags::acquire(reg.get_ref(), policy) {
            Ok(flags) => flags,
            Err(error) => return Err(ReadinessError { inner, error }),
        };
        Ok(Self {
            reg,
            inner: Some(inner),
            flags,
            buf: Vec::new(),
            pos: 0,
            filled: 0,
        })
    }
}

impl<T: AsFd> Readiness<T> {
    /// The wrapped value.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = iocompat::Readiness::new(a)?;
    /// assert!(a.get_ref().peer_addr().is_ok());
    /// # Ok(()) }
    /// ```
    pub fn get_ref(&self) -> &T {
        self.inner
            .as_ref()
            .expect("Readiness: the value is present until dropped")
    }

    /// The wrapped value, mutably. Reading or writing it directly bypasses readiness: expect
    /// `WouldBlock` from a non-blocking descriptor.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let mut a = iocompat::Readiness::new(a)?;
    /// a.get_mut().set_read_timeout(None)?;
    /// # Ok(()) }
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.inner
            .as_mut()
            .expect("Readiness: the value is present until dropped")
    }

    /// Deregisters the descriptor, restores its flags, and returns the value. Bytes read into
    /// the `AsyncBufRead` buffer and not consumed are dropped; use
    /// [`into_parts`](Self::into_parts) to keep them.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = iocompat::Readiness::new(a)?.into_inner();
    /// // Blocking again, as it was before.
    /// assert!(a.set_nonblocking(false).is_ok());
    /// # Ok(()) }
    /// ```
    pub fn into_inner(self) -> T {
        self.into_parts().0
    }

    /// Like [`into_inner`](Self::into_inner), also returning the buffered, unconsumed bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let (_a, unread) = iocompat::Readiness::new(a)?.into_parts();
    /// assert!(unread.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn into_parts(mut self) -> (T, Vec<u8>) {
        self.restore_flags();
        let rest = self.buf[self.pos..self.filled].to_vec();
        let inner = self
            .inner
            .take()
            .expect("Readiness: the value is present until dropped");
        (inner, rest)
    }

    fn restore_flags(&mut self) {
        // Through private duplicates: open, and on the same description, whatever became of
        // the value's own descriptor. Best effort: a failure leaves the description
        // non-blocking, and there is nobody to tell.
        let _ = self.flags.release();
    }

    /// Runs `op` once the descriptor is readable (or writable, with `write`), retrying
    /// `Interrupted` and waiting again on `WouldBlock`.
    fn poll_op<R>(
        &mut self,
        cx: &mut Context<'_>,
        site: &'static str,
        write: bool,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(Err(used_after_into_inner(site)));
        };
        let events = if write { PollFlags::OUT } else { PollFlags::IN };
        if let Err(e) = self.flags.ensure() {
            return Poll::Ready(Err(e));
        }
        loop {
            let mut guard = ready!(if write {
                self.reg.poll_write_ready_mut(cx)
            } else {
                self.reg.poll_read_ready_mut(cx)
            })?;
            if self.flags.mode() == Mode::ReadyThenBlocking && !ready_now(inner, events) {
                // A terminal without O_NONBLOCK: only call it when a level check says it
                // will not block, else wait for the next edge.
                guard.clear_ready();
                continue;
            }
            match guard.try_io(|_| io_util::retry_interrupted(|| op(inner))) {
                Ok(result) => return Poll::Ready(result),
                Err(_would_block) => continue,
            }
        }
    }
}

/// A zero-timeout `poll(2)`: whether `fd` is ready for `events` right now (errors and hang-ups
/// count as ready, so the call that follows reports them).
fn ready_now(fd: &impl AsFd, events: PollFlags) -> bool {
    let mut fds = [PollFd::new(fd, events)];
    let timeout = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    match rustix::event::poll(&mut fds, Some(&timeout)) {
        Ok(0) => false,
        Ok(_) => true,
        Err(_) => true,
    }
}

/// The error of an operation on a `Readiness` whose value was taken out by `into_parts`
/// (only reachable through a face that outlived it, such as a `split` half).
fn used_after_into_inner(site: &str) -> io::Error {
    io_util::error(io::ErrorKind::Other, site, "used after into_inner")
}

impl<T: AsFd + Read> Readiness<T> {
    pub(crate) fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.pos < self.filled {
            let n = (self.filled - self.pos).min(dst.len());
            dst[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            return Poll::Ready(Ok(n));
        }
        if dst.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let len = dst.len();
        self.poll_op(cx, READ, false, |t| t.read(dst))
            .map(|r| r.and_then(|n| io_util::check_claimed(READ, n, len)))
    }

    pub(crate) fn poll_fill_buf(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        if self.pos >= self.filled {
            if self.buf.is_empty() {
                self.buf = vec![0; BUF_READ_SIZE];
            }
            let mut buf = std::mem::take(&mut self.buf);
            let len = buf.len();
            let result = self.poll_op(cx, FILL_BUF, false, |t| t.read(&mut buf));
            self.buf = buf;
            let n = ready!(result).and_then(|n| io_util::check_claimed(FILL_BUF, n, len))?;
            self.pos = 0;
            self.filled = n;
        }
        Poll::Ready(Ok(&self.buf[self.pos..self.filled]))
    }

    pub(crate) fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.filled);
    }
}

impl<T: AsFd + Write> Readiness<T> {
    pub(crate) fn poll_write_from(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match bufs {
            // One buffer: a plain `write` (cheaper than `writev` in the kernel).
            [buf] => self.poll_write_one(cx, buf),
            _ if bufs.iter().all(|b| b.is_empty()) => Poll::Ready(Ok(0)),
            _ if self.flags.mode() == Mode::ReadyThenBlocking => {
                let first = bufs
                    .iter()
                    .find(|b| !b.is_empty())
                    .map_or(&[][..], |b| &b[..]);
                self.poll_write_one(cx, first)
            }
            _ => {
                let offered = bufs.iter().map(|b| b.len()).sum();
                self.poll_op(cx, WRITE, true, |t| t.write_vectored(bufs))
                    .map(|r| r.and_then(|n| io_util::check_claimed(WRITE, n, offered)))
            }
        }
    }

    pub(crate) fn poll_write_one(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        // Without O_NONBLOCK a write must not be larger than what a ready descriptor takes
        // whole: PIPE_BUF for a pipe. (A terminal whose output is stopped and full can still
        // block; `stdout()` and `stderr()` use the pool for that reason.)
        let buf = if self.flags.mode() == Mode::ReadyThenBlocking {
            &buf[..buf.len().min(PIPE_BUF)]
        } else {
            buf
        };
        let len = buf.len();
        self.poll_op(cx, WRITE, true, |t| t.write(buf))
            .map(|r| r.and_then(|n| io_util::check_claimed(WRITE, n, len)))
    }

    /// The value's own `flush`, waiting for readiness only if it says `WouldBlock` (a
    /// descriptor has nothing to flush, and waiting for it to be writable could deadlock a
    /// peer that reads only after we finish).
    pub(crate) fn poll_flush_inner(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(Err(used_after_into_inner(FLUSH)));
        };
        match io_util::retry_interrupted(|| inner.flush()) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.poll_op(cx, FLUSH, true, |t| t.flush())
            }
            other => Poll::Ready(other),
        }
    }

    /// Flushes, then for a socket shuts down its writing half, so the peer sees end of file
    /// (what tokio's own socket types do). Other descriptors are closed when dropped.
    pub(crate) fn poll_shutdown_inner(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_flush_inner(cx))?;
        let fd = self.reg.get_ref().as_fd();
        let is_socket = rustix::fs::fstat(fd)
            .map(|st| {
                rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Socket
            })
            .unwrap_or(false);
        if is_socket {
            match rustix::net::shutdown(fd, rustix::net::Shutdown::Write) {
                Ok(()) | Err(rustix::io::Errno::NOTCONN) => {}
                Err(e) => return Poll::Ready(Err(e.into())),
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsFd> Drop for Readiness<T> {
    fn drop(&mut self) {
        // Before the value (and maybe its descriptor) goes away.
        self.restore_flags();
    }
}

impl<T: AsFd> fmt::Debug for Readiness<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readiness")
            .field("fd", &self.inner.as_ref().map(|t| t.as_fd().as_raw_fd()))
            .field("mode", &self.flags.mode())
            .field("buffered", &(self.filled - self.pos))
            .finish()
    }
}

// Readiness<T> holds no self-references; T is never pinned through it.
impl<T: AsFd> Unpin for Readiness<T> {}
