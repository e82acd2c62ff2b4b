//! futures-io 0.3 value -> tokio 1 traits: `Compat<T: futures_io::*>` implements `tokio::io::*`,
//! and the `Futures*CompatExt` extension traits that make one.

use std::io::{self, IoSlice, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::ReadBuf;

use super::Compat;

/// Wraps a futures-io [`AsyncRead`](trait@futures_io::AsyncRead) so it implements tokio's
/// [`AsyncRead`](trait@tokio::io::AsyncRead) (and `AsyncBufRead` / `AsyncSeek` when the value
/// has the futures-io ones).
///
/// # Examples
///
/// ```
/// use iocompat::FuturesAsyncReadCompatExt;
/// use tokio::io::AsyncReadExt;
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// let mut reader = futures::io::Cursor::new(b"hello".to_vec()).compat();
/// let mut s = String::new();
/// reader.read_to_string(&mut s).await?;
/// assert_eq!(s, "hello");
/// # std::io::Result::Ok(()) })?;
/// # std::io::Result::Ok(())
/// ```
pub trait FuturesAsyncReadCompatExt: futures_io::AsyncRead {
    /// Wraps `self` in a [`Compat`] (see there for the runtime context it enters).
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::FuturesAsyncReadCompatExt;
    ///
    /// let r = futures::io::Cursor::new(vec![1u8]).compat();
    /// # drop(r);
    /// ```
    fn compat(self) -> Compat<Self>
    where
        Self: Sized,
    {
        Compat::new(self)
    }
}

impl<T: futures_io::AsyncRead + ?Sized> FuturesAsyncReadCompatExt for T {}

/// Wraps a futures-io [`AsyncWrite`](trait@futures_io::AsyncWrite) so it implements tokio's
/// [`AsyncWrite`](trait@tokio::io::AsyncWrite).
///
/// # Examples
///
/// ```
/// use iocompat::FuturesAsyncWriteCompatExt;
/// use tokio::io::AsyncWriteExt;
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// let mut out = futures::io::Cursor::new(Vec::new()).compat_write();
/// out.write_all(b"pong").await?;
/// out.shutdown().await?;
/// assert_eq!(out.into_inner().into_inner(), b"pong");
/// # std::io::Result::Ok(()) })?;
/// # std::io::Result::Ok(())
/// ```
pub trait FuturesAsyncWriteCompatExt: futures_io::AsyncWrite {
    /// Wraps `self` in a [`Compat`] (see there for the runtime context it enters).
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::FuturesAsyncWriteCompatExt;
    ///
    /// let w = futures::io::Cursor::new(Vec::new()).compat_write();
    /// # drop(w);
    /// ```
    fn compat_write(self) -> Compat<Self>
    where
        Self: Sized,
    {
        Compat::new(self)
    }
}

impl<T: futures_io::AsyncWrite + ?Sized> FuturesAsyncWriteCompatExt for T {}

impl<T: futures_io::AsyncRead> tokio::io::AsyncRead for Compat<T> {
    /// Reads into the unfilled part of `buf`. Only the part of it not yet initialised is zeroed
    /// (once; a `ReadBuf` over initialised memory is never zeroed again).
    ///
    /// # Errors
    ///
    /// `InvalidData` when the futures-io reader claims more bytes than the slice it was given,
    /// instead of the panic that advancing the `ReadBuf` would cause.
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.with_inner(|inner| {
            crate::io_util::poll_read_buf_with("Compat::poll_read", buf, |slice| {
                futures_io::AsyncRead::poll_read(inner, cx, slice)
            })
        })
    }
}

impl<T: futures_io::AsyncBufRead> tokio::io::AsyncBufRead for Compat<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.with_inner(|inner| futures_io::AsyncBufRead::poll_fill_buf(inner, cx))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.with_inner(|inner| futures_io::AsyncBufRead::consume(inner, amt))
    }
}

impl<T: futures_io::AsyncWrite> tokio::io::AsyncWrite for Compat<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.with_inner(|inner| futures_io::AsyncWrite::poll_write(inner, cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.with_inner(|inner| futures_io::AsyncWrite::poll_write_vectored(inner, cx, bufs))
    }

    /// `true`: futures-io has no way to ask a writer, and forwarding is never worse than not
    /// forwarding, since futures-io's default `poll_write_vectored` writes the first non-empty
    /// buffer, exactly what tokio does for a writer that is not vectored.
    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with_inner(|inner| futures_io::AsyncWrite::poll_flush(inner, cx))
    }

    /// Calls futures-io's `poll_close`, which flushes and then closes.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with_inner(|inner| futures_io::AsyncWrite::poll_close(inner, cx))
    }
}

impl<T: futures_io::AsyncSeek> tokio::io::AsyncSeek for Compat<T> {
    /// Records `pos`; [`poll_complete`](tokio::io::AsyncSeek::poll_complete) performs the seek.
    ///
    /// # Errors
    ///
    /// `Other` when a seek started earlier has not been completed yet: call `poll_complete`
    /// until it is `Ready` first (tokio's `AsyncSeekExt::seek` does).
    fn start_seek(self: Pin<&mut Self>, pos: SeekFrom) -> io::Result<()> {
        let requested = self.project_seek();
        if let Some(earlier) = *requested {
            return Err(io::Error::other(format!(
                "iocompat::Compat: start_seek({pos:?}) while the seek to {earlier:?} is still \
                 in progress; call poll_complete until it returns Ready first"
            )));
        }
        *requested = Some(pos);
        Ok(())
    }

    /// Performs the seek recorded by `start_seek` and returns the new position. With no seek
    /// started it returns the value's current position, asked of the value itself with
    /// `SeekFrom::Current(0)`, never a made-up `0`.
    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        self.with_parts(|parts| {
            let pos = parts.requested_seek.unwrap_or(SeekFrom::Current(0));
            let result = ready!(futures_io::AsyncSeek::poll_seek(parts.inner, cx, pos));
            // Idle again, whatever the result.
            *parts.requested_seek = None;
            Poll::Ready(result)
        })
    }
}
