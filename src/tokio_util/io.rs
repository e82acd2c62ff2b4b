//! Drop-in for `tokio_util::io::SyncIoBridge`: replace `tokio_util::io::SyncIoBridge` with
//! `iocompat::tokio_util::io::SyncIoBridge`. A thin wrapper over [`SyncIo`] (tokio traits):
//! every call is one call of the same `SyncIo` method.

use std::io::{self, BufRead, IoSlice, Read, Seek, SeekFrom, Write};
use std::time::Duration;

use tokio::runtime::Handle;

use crate::sync_io::{SyncIo, TokioTraits};

/// Uses a tokio [`AsyncRead`](tokio::io::AsyncRead) as a [`std::io::Read`] (and
/// `AsyncBufRead`, `AsyncWrite`, `AsyncSeek` as `BufRead`, `Write`, `Seek`) from blocking
/// code, with `tokio_util::io::SyncIoBridge`'s names, over [`SyncIo`].
///
/// As with `tokio_util`, use it on a thread where blocking is fine, typically inside
/// [`tokio::task::spawn_blocking`].
///
/// # Deliberate differences
///
/// | what | `tokio_util::io::SyncIoBridge` | here | why |
/// |---|---|---|---|
/// | [`new`](SyncIoBridge::new) outside a tokio runtime | panics | never panics: with no runtime to capture, each call watches the runtime current where it runs, if any | values such as `tokio::io::duplex` need no runtime; a constructor that cannot fail should not panic |
/// | a call on a thread that drives a runtime (inside a task, or inside a current-thread runtime's `block_on`) | panics ("Cannot start a runtime from within a runtime") | returns an `ErrorKind::Deadlock` error | an I/O call's failure is an I/O error, and the caller can move the work to `spawn_blocking` |
/// | the value belongs to a current-thread runtime that no thread drives | hangs (its I/O is never polled, tokio #7441) | an `ErrorKind::Deadlock` error after the stall timeout ([`set_stall_timeout`](SyncIoBridge::set_stall_timeout), default 1 s) | a hang is the worst answer |
/// | the runtime shuts down while a call waits | not detected | an `ErrorKind::Other` error saying so | the same |
/// | dropped after writes that no `flush` or `shutdown` followed | nothing is flushed | flushed where the thread can block, as `std::io::BufWriter` does (errors ignored) | bytes a tokio `BufWriter` accepted are not lost |
/// | `read_to_end`, `read_line`, `write_all`, ... | each one `Handle::block_on` of tokio's async version | `std`'s defaults over `read`, `fill_buf` / `consume`, `write` | same bytes and errors; no future is created per call |
/// | how it blocks | `Handle::block_on` (needs the runtime's handle) | polls the value on the calling thread and parks between polls | works for any runtime flavour and with no runtime at all |
/// | [`set_stall_timeout`](SyncIoBridge::set_stall_timeout) | not offered | offered | tunes the `Deadlock` check |
///
/// # Examples
///
/// ```
/// use iocompat::tokio_util::io::SyncIoBridge;
/// use std::io::Write;
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// let (tx, mut rx) = tokio::io::duplex(64);
/// let mut writer = SyncIoBridge::new(tx);
/// let done = tokio::task::spawn_blocking(move || {
///     writer.write_all(b"from blocking code")?;
///     writer.shutdown()
/// });
/// let mut got = Vec::new();
/// tokio::io::AsyncReadExt::read_to_end(&mut rx, &mut got).await?;
/// done.await??;
/// assert_eq!(got, b"from blocking code");
/// # std::io::Result::Ok(()) })?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug)]
pub struct SyncIoBridge<T> {
    io: SyncIo<T, TokioTraits>,
}

impl<T: Unpin> SyncIoBridge<T> {
    /// Wraps `src`, using the tokio runtime current on this thread, if any (never panics; see
    /// the [differences](SyncIoBridge#deliberate-differences)). Made inside a runtime, it may be
    /// moved to a blocking thread and used there.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::tokio_util::io::SyncIoBridge;
    /// use std::io::Read;
    ///
    /// // No runtime: fine for a value that needs none.
    /// let mut bridge = SyncIoBridge::new(&b"abc"[..]);
    /// let mut s = String::new();
    /// bridge.read_to_string(&mut s)?;
    /// assert_eq!(s, "abc");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new(src: T) -> Self {
        Self {
            io: SyncIo::new(src),
        }
    }

    /// Wraps `src`, which belongs to the runtime behind `rt`: that runtime is entered for each
    /// call, and watched while a call waits. May be called outside any runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::tokio_util::io::SyncIoBridge;
    /// use std::io::Read;
    ///
    /// let rt = tokio::runtime::Runtime::new()?;
    /// let (mut tx, rx) = tokio::io::duplex(64);
    /// rt.spawn(async move { tokio::io::AsyncWriteExt::write_all(&mut tx, b"hi").await });
    /// let mut bridge = SyncIoBridge::new_with_handle(rx, rt.handle().clone());
    /// let mut s = String::new();
    /// bridge.read_to_string(&mut s)?;
    /// assert_eq!(s, "hi");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new_with_handle(src: T, rt: Handle) -> Self {
        Self {
            io: SyncIo::with_handle(src, rt),
        }
    }

    /// Unwraps the value, without flushing it (nothing is buffered here).
    ///
    /// # Examples
    ///
    /// ```
    /// let bridge = iocompat::tokio_util::io::SyncIoBridge::new(tokio::io::empty());
    /// let _empty: tokio::io::Empty = bridge.into_inner();
    /// ```
    pub fn into_inner(self) -> T {
        self.io.into_inner()
    }
}

impl<T> SyncIoBridge<T> {
    /// Sets how long a call may wait on a current-thread runtime that nobody drives before it
    /// fails with `ErrorKind::Deadlock` ([`SyncIo::set_stall_timeout`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut bridge = iocompat::tokio_util::io::SyncIoBridge::new(tokio::io::empty());
    /// bridge.set_stall_timeout(std::time::Duration::from_secs(5));
    /// ```
    pub fn set_stall_timeout(&mut self, timeout: Duration) {
        self.io.set_stall_timeout(timeout);
    }
}

impl<T: tokio::io::AsyncWrite> SyncIoBridge<T> {
    /// Whether the wrapped writer has an efficient vectored write
    /// ([`tokio::io::AsyncWrite::is_write_vectored`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let bridge = iocompat::tokio_util::io::SyncIoBridge::new(tokio::io::sink());
    /// // What the writer itself says.
    /// assert_eq!(
    ///     bridge.is_write_vectored(),
    ///     tokio::io::AsyncWrite::is_write_vectored(bridge.as_ref()),
    /// );
    /// ```
    pub fn is_write_vectored(&self) -> bool {
        tokio::io::AsyncWrite::is_write_vectored(self.io.get_ref())
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> SyncIoBridge<T> {
    /// Flushes and shuts down the write side (tokio's `poll_shutdown`), blocking until done.
    ///
    /// # Errors
    ///
    /// The value's own error, or one of the [`SyncIo` errors](SyncIo#errors).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let mut bridge = iocompat::tokio_util::io::SyncIoBridge::new(Vec::<u8>::new());
    /// bridge.write_all(b"done")?;
    /// bridge.shutdown()?;
    /// assert_eq!(bridge.into_inner(), b"done");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn shutdown(&mut self) -> io::Result<()> {
        self.io.shutdown()
    }
}

impl<T: tokio::io::AsyncRead + Unpin> Read for SyncIoBridge<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read(buf)
    }
}

impl<T: tokio::io::AsyncBufRead + Unpin> BufRead for SyncIoBridge<T> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.io.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.io.consume(amt);
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> Write for SyncIoBridge<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.io.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io.write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.io.flush()
    }
}

impl<T: tokio::io::AsyncSeek + Unpin> Seek for SyncIoBridge<T> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.io.seek(pos)
    }
}

impl<T> AsRef<T> for SyncIoBridge<T> {
    fn as_ref(&self) -> &T {
        self.io.get_ref()
    }
}

impl<T> AsMut<T> for SyncIoBridge<T> {
    fn as_mut(&mut self) -> &mut T {
        self.io.get_mut()
    }
}
