//! tokio-io 0.1 -> futures-io 0.3 ([`Compat01As03`]) and tokio 1 in one hop ([`Tokio01As1`]):
//! a legacy `AsyncRead` / `AsyncWrite` (a `std::io::Read` / `Write` that answers `WouldBlock`
//! and notifies `task::current()`) used as `AsyncRead` / `AsyncWrite`, plus `AsyncBufRead`
//! when it is `BufRead`. Two types, so no value implements both trait families (which would
//! make tokio-util's two `compat` methods ambiguous, E0034).
//!
//! The logic lives once, in the `poll_*` methods of [`Compat01As03`] below; each trait impl is a
//! few lines that call them.

use std::io::{self, BufRead, IoSlice, Seek, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::ready;
use tokio_io01::{AsyncRead as AsyncRead01, AsyncWrite as AsyncWrite01};

use super::compat01as03::Compat01As03;
use super::poll::{poll_01_to_std, poll_io_01_to_std};
use crate::io_util;

/// Runs `op` until it answers something other than `Interrupted` (which tokio-io 0.1 values
/// may return and the 0.3 traits must not), mapping `WouldBlock` to `Pending`.
fn retry_interrupted<T>(op: impl FnMut() -> io::Result<T>) -> Poll<io::Result<T>> {
    poll_io_01_to_std(io_util::retry_interrupted(op))
}

impl<R: AsyncRead01> Compat01As03<R> {
    /// Reads into an initialised buffer.
    fn poll_read_into(&mut self, cx: &Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let len = buf.len();
        let n = ready!(self.in_notify(cx, |r| retry_interrupted(|| r.read(buf))))?;
        Poll::Ready(io_util::check_claimed(
            "futures01::Compat01As03::poll_read",
            n,
            len,
        ))
    }

    /// Fills the inner `BufRead`'s buffer inside the 0.1 task.
    fn poll_fill(&mut self, cx: &Context<'_>) -> Poll<io::Result<&[u8]>>
    where
        R: BufRead,
    {
        let Self { inner, notify } = self;
        notify.poll_in(cx, || {
            // Today's borrow checker cannot return a borrow from a retry loop, so the loop only
            // decides; a second `fill_buf` returns the bytes now buffered, without I/O.
            loop {
                match inner.fill_buf() {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Poll::Pending,
                    Err(e) => return Poll::Ready(Err(e)),
                    Ok([]) => return Poll::Ready(Ok(&[][..])),
                    Ok(_) => break,
                }
            }
            Poll::Ready(inner.fill_buf())
        })
    }
}

impl<W: AsyncWrite01> Compat01As03<W> {
    fn poll_write_from(&mut self, cx: &Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let len = buf.len();
        let n = ready!(self.in_notify(cx, |w| retry_interrupted(|| w.write(buf))))?;
        Poll::Ready(io_util::check_claimed(
            "futures01::Compat01As03::poll_write",
            n,
            len,
        ))
    }

    fn poll_write_vectored_from(
        &mut self,
        cx: &Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let len = bufs.iter().map(|b| b.len()).sum();
        let n = ready!(self.in_notify(cx, |w| retry_interrupted(|| w.write_vectored(bufs))))?;
        Poll::Ready(io_util::check_claimed(
            "futures01::Compat01As03::poll_write_vectored",
            n,
            len,
        ))
    }

    fn poll_flush_inner(&mut self, cx: &Context<'_>) -> Poll<io::Result<()>> {
        self.in_notify(cx, |w| retry_interrupted(|| w.flush()))
    }

    /// Flushes, then drives tokio-io 0.1's `shutdown` (whose contract also implies a flush; the
    /// explicit flush first means a value that forgets it still loses nothing).
    fn poll_shutdown_inner(&mut self, cx: &Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_flush_inner(cx))?;
        poll_01_to_std(self.in_notify(cx, AsyncWrite01::shutdown))
    }
}

impl<S: Seek> Compat01As03<S> {
    fn poll_seek_to(&mut self, cx: &Context<'_>, pos: SeekFrom) -> Poll<io::Result<u64>> {
        self.in_notify(cx, |s| retry_interrupted(|| s.seek(pos)))
    }
}

/// A tokio-io 0.1 `AsyncRead` / `AsyncWrite` (and any `Seek` answering `WouldBlock`) as tokio
/// 1's `AsyncRead`, `AsyncBufRead`, `AsyncWrite` and `AsyncSeek`, in one hop: made by
/// [`AsyncRead01CompatExt::compat_tokio`] / [`AsyncWrite01CompatExt::compat_tokio`].
///
/// A type of its own, apart from [`Compat01As03`] (the futures-io face, as in
/// `futures::compat`), so that a value never implements both trait families: with both, a
/// program that also imports tokio-util's `compat` traits for the second hop (the usual
/// migration) would find two applicable `compat` methods (E0034).
///
/// # Examples
///
/// ```
/// use iocompat::futures01::AsyncRead01CompatExt;
/// use tokio::io::AsyncReadExt;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let legacy: &[u8] = b"one hop";
/// let mut s = String::new();
/// legacy.compat_tokio().read_to_string(&mut s).await?;
/// assert_eq!(s, "one hop");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
#[must_use = "an adapter does nothing unless polled"]
pub struct Tokio01As1<T> {
    compat: Compat01As03<T>,
    /// tokio's `AsyncSeek::start_seek` position, until `poll_complete` has run it.
    seeking: Option<SeekFrom>,
}

impl<T> Tokio01As1<T> {
    /// Wraps a tokio-io 0.1 value.
    ///
    /// # Examples
    ///
    /// ```
    /// let io = iocompat::futures01::Tokio01As1::new(std::io::Cursor::new(vec![1u8, 2]));
    /// # drop(io);
    /// ```
    pub fn new(inner: T) -> Self {
        Self {
            compat: Compat01As03::new(inner),
            seeking: None,
        }
    }

    /// The wrapped 0.1 value.
    ///
    /// # Examples
    ///
    /// ```
    /// let io = iocompat::futures01::Tokio01As1::new(std::io::Cursor::new(vec![1u8, 2]));
    /// assert_eq!(io.get_ref().get_ref(), &[1, 2]);
    /// ```
    pub fn get_ref(&self) -> &T {
        self.compat.get_ref()
    }

    /// The wrapped 0.1 value, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut io = iocompat::futures01::Tokio01As1::new(std::io::Cursor::new(vec![1u8, 2]));
    /// io.get_mut().set_position(1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.compat.get_mut()
    }

    /// Unwraps the 0.1 value. A tokio seek started and not completed is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let io = iocompat::futures01::Tokio01As1::new(std::io::Cursor::new(vec![1u8, 2]));
    /// assert_eq!(io.into_inner().into_inner(), [1, 2]);
    /// ```
    pub fn into_inner(self) -> T {
        self.compat.into_inner()
    }
}

impl<R: AsyncRead01> tokio::io::AsyncRead for Tokio01As1<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // Zeroes only the part of `buf` never initialised before (tokio tracks it), once.
        let compat = &mut self.get_mut().compat;
        let n = ready!(compat.poll_read_into(cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<R: AsyncRead01 + BufRead> tokio::io::AsyncBufRead for Tokio01As1<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.get_mut().compat.poll_fill(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().compat.inner.consume(amt);
    }
}

impl<W: AsyncWrite01> tokio::io::AsyncWrite for Tokio01As1<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().compat.poll_write_from(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().compat.poll_write_vectored_from(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        // Forwarded to the inner `Write::write_vectored`, which falls back to the first
        // non-empty slice when the value has no vectored path: correct either way.
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().compat.poll_flush_inner(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().compat.poll_shutdown_inner(cx)
    }
}

impl<S: Seek> Tokio01As1<S> {
    fn start_seek_at(&mut self, pos: SeekFrom) -> io::Result<()> {
        if self.seeking.is_some() {
            return Err(io::Error::other(
                "iocompat::futures01: start_seek called while a seek is in progress; call \
                 poll_complete until it is ready first",
            ));
        }
        self.seeking = Some(pos);
        Ok(())
    }

    /// Runs the seek `start_seek` asked for; with none, asks the inner value for its real
    /// position (`SeekFrom::Current(0)`), never a placeholder.
    fn poll_complete_seek(&mut self, cx: &Context<'_>) -> Poll<io::Result<u64>> {
        let pos = self.seeking.unwrap_or(SeekFrom::Current(0));
        let out = ready!(self.compat.poll_seek_to(cx, pos));
        // Idle again, whether the seek succeeded or failed.
        self.seeking = None;
        Poll::Ready(out)
    }
}

/// tokio-io 0.1 has no seek trait: any `std::io::Seek` value (answering `WouldBlock` when it
/// must wait, like its reads) is accepted.
impl<S: Seek> tokio::io::AsyncSeek for Tokio01As1<S> {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        self.get_mut().start_seek_at(position)
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        self.get_mut().poll_complete_seek(cx)
    }
}

impl<S: Seek> futures_io::AsyncSeek for Compat01As03<S> {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        self.get_mut().poll_seek_to(cx, pos)
    }
}

impl<R: AsyncRead01> futures_io::AsyncRead for Compat01As03<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_read_into(cx, buf)
    }
}

impl<R: AsyncRead01 + BufRead> futures_io::AsyncBufRead for Compat01As03<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.get_mut().poll_fill(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().inner.consume(amt);
    }
}

impl<W: AsyncWrite01> futures_io::AsyncWrite for Compat01As03<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_write_from(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_write_vectored_from(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_flush_inner(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_shutdown_inner(cx)
    }
}

/// Converts a tokio-io 0.1 `AsyncRead` into a futures-io `AsyncRead` (and `AsyncBufRead` when
/// it is `BufRead`), as `futures::compat::AsyncRead01CompatExt` did, or in one hop into a
/// tokio 1 `AsyncRead` ([`compat_tokio`](AsyncRead01CompatExt::compat_tokio)).
pub trait AsyncRead01CompatExt: AsyncRead01 {
    /// Wraps `self` in a [`Compat01As03`]: futures-io 0.3's traits, the drop-in for
    /// `futures::compat` (tokio-util's `compat()` then gives tokio 1, as before the move).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// use iocompat::futures01::AsyncRead01CompatExt;
    ///
    /// # futures::executor::block_on(async {
    /// // `&[u8]` is a tokio-io 0.1 `AsyncRead` (it never answers `WouldBlock`).
    /// // (futures' own `AsyncReadExt::compat` is in scope too here: name the trait.)
    /// let legacy: &[u8] = b"hello";
    /// let mut s = String::new();
    /// AsyncRead01CompatExt::compat(legacy).read_to_string(&mut s).await?;
    /// assert_eq!(s, "hello");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn compat(self) -> Compat01As03<Self>
    where
        Self: Sized,
    {
        Compat01As03::new(self)
    }

    /// Wraps `self` in a [`Tokio01As1`]: tokio 1's traits in one hop, with no second adapter.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::AsyncRead01CompatExt;
    /// use tokio::io::AsyncReadExt;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let legacy: &[u8] = b"hello";
    /// let mut s = String::new();
    /// legacy.compat_tokio().read_to_string(&mut s).await?;
    /// assert_eq!(s, "hello");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn compat_tokio(self) -> Tokio01As1<Self>
    where
        Self: Sized,
    {
        Tokio01As1::new(self)
    }
}

impl<R: AsyncRead01> AsyncRead01CompatExt for R {}

/// Converts a tokio-io 0.1 `AsyncWrite` into a futures-io `AsyncWrite`, as
/// `futures::compat::AsyncWrite01CompatExt` did, or in one hop into a tokio 1 `AsyncWrite`
/// ([`compat_tokio`](AsyncWrite01CompatExt::compat_tokio)).
pub trait AsyncWrite01CompatExt: AsyncWrite01 {
    /// Wraps `self` in a [`Compat01As03`]: futures-io 0.3's traits, the drop-in for
    /// `futures::compat`.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// use iocompat::futures01::AsyncWrite01CompatExt;
    ///
    /// # futures::executor::block_on(async {
    /// // `Cursor<Vec<u8>>` is a tokio-io 0.1 `AsyncWrite`.
    /// let mut w = std::io::Cursor::new(Vec::new()).compat();
    /// w.write_all(b"hello").await?;
    /// w.close().await?;
    /// assert_eq!(w.get_ref().get_ref(), b"hello");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn compat(self) -> Compat01As03<Self>
    where
        Self: Sized,
    {
        Compat01As03::new(self)
    }

    /// Wraps `self` in a [`Tokio01As1`]: tokio 1's traits in one hop.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::AsyncWrite01CompatExt;
    /// use tokio::io::AsyncWriteExt;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut w = std::io::Cursor::new(Vec::new()).compat_tokio();
    /// w.write_all(b"hello").await?;
    /// w.shutdown().await?;
    /// assert_eq!(w.get_ref().get_ref(), b"hello");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn compat_tokio(self) -> Tokio01As1<Self>
    where
        Self: Sized,
    {
        Tokio01As1::new(self)
    }
}

impl<W: AsyncWrite01> AsyncWrite01CompatExt for W {}
