//! tokio 1 value -> futures-io 0.3 traits: `Compat<T: tokio::io::*>` implements `futures_io::*`,
//! and the `Tokio*CompatExt` extension traits that make one.

use std::io::{self, IoSlice, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::Compat;

/// Wraps a tokio [`AsyncRead`](trait@tokio::io::AsyncRead) so it implements futures-io's
/// [`AsyncRead`](trait@futures_io::AsyncRead) (and `AsyncBufRead` / `AsyncSeek` when the value
/// has the tokio ones).
///
/// # Examples
///
/// ```
/// use futures::io::AsyncReadExt;
/// use iocompat::TokioAsyncReadCompatExt;
///
/// # futures::executor::block_on(async {
/// let (client, mut server) = tokio::io::duplex(64);
/// tokio::io::AsyncWriteExt::write_all(&mut server, b"ping").await?;
/// drop(server);
/// let mut buf = Vec::new();
/// client.compat().read_to_end(&mut buf).await?;
/// assert_eq!(buf, b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait TokioAsyncReadCompatExt: tokio::io::AsyncRead {
    /// Wraps `self` in a [`Compat`] (see there for the runtime context it enters).
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::TokioAsyncReadCompatExt;
    ///
    /// let r = (&b"x"[..]).compat();
    /// # drop(r);
    /// ```
    fn compat(self) -> Compat<Self>
    where
        Self: Sized,
    {
        Compat::new(self)
    }
}

impl<T: tokio::io::AsyncRead + ?Sized> TokioAsyncReadCompatExt for T {}

/// Wraps a tokio [`AsyncWrite`](trait@tokio::io::AsyncWrite) so it implements futures-io's
/// [`AsyncWrite`](trait@futures_io::AsyncWrite).
///
/// # Examples
///
/// ```
/// use futures::io::AsyncWriteExt;
/// use iocompat::TokioAsyncWriteCompatExt;
///
/// # futures::executor::block_on(async {
/// // `Vec<u8>` is a writer in both families: name the trait to say which conversion is meant.
/// let mut out = TokioAsyncWriteCompatExt::compat_write(Vec::<u8>::new());
/// out.write_all(b"pong").await?;
/// out.close().await?;
/// assert_eq!(out.into_inner(), b"pong");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait TokioAsyncWriteCompatExt: tokio::io::AsyncWrite {
    /// Wraps `self` in a [`Compat`] (see there for the runtime context it enters).
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::TokioAsyncWriteCompatExt;
    ///
    /// let w = Vec::<u8>::new().compat_write();
    /// # drop(w);
    /// ```
    fn compat_write(self) -> Compat<Self>
    where
        Self: Sized,
    {
        Compat::new(self)
    }
}

impl<T: tokio::io::AsyncWrite + ?Sized> TokioAsyncWriteCompatExt for T {}

impl<T: tokio::io::AsyncRead> futures_io::AsyncRead for Compat<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.with_inner(|inner| {
            crate::io_util::poll_read_slice_with(buf, |read_buf| {
                tokio::io::AsyncRead::poll_read(inner, cx, read_buf)
            })
        })
    }
}

impl<T: tokio::io::AsyncBufRead> futures_io::AsyncBufRead for Compat<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.with_inner(|inner| tokio::io::AsyncBufRead::poll_fill_buf(inner, cx))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.with_inner(|inner| tokio::io::AsyncBufRead::consume(inner, amt))
    }
}

impl<T: tokio::io::AsyncWrite> futures_io::AsyncWrite for Compat<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.with_inner(|inner| tokio::io::AsyncWrite::poll_write(inner, cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.with_inner(|inner| tokio::io::AsyncWrite::poll_write_vectored(inner, cx, bufs))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with_inner(|inner| tokio::io::AsyncWrite::poll_flush(inner, cx))
    }

    /// Calls tokio's `poll_shutdown`, which flushes and then shuts the write side down.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with_inner(|inner| tokio::io::AsyncWrite::poll_shutdown(inner, cx))
    }
}

impl<T: tokio::io::AsyncSeek> futures_io::AsyncSeek for Compat<T> {
    /// Completes any seek already started on the tokio value (by a cancelled earlier
    /// `poll_seek`, or directly through [`Compat::get_mut`]) before starting this one, as
    /// tokio's `start_seek` contract requires.
    ///
    /// A seek that was started and then cancelled has taken effect: a later `poll_seek` with
    /// the same `pos` is treated as its continuation, one with another `pos` waits for it and
    /// then starts its own.
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        self.with_parts(|parts| {
            let mut inner = parts.inner;
            let started = parts.started_seek;
            loop {
                match *started {
                    Some(target) => {
                        let result =
                            ready!(tokio::io::AsyncSeek::poll_complete(inner.as_mut(), cx));
                        // Idle again, whatever the result.
                        *started = None;
                        if target == pos {
                            return Poll::Ready(result);
                        }
                        // The earlier, cancelled seek's error is the current state of the
                        // value: report it rather than seeking from an unknown position.
                        result?;
                    }
                    None => {
                        // A seek started directly on the value must finish first.
                        ready!(tokio::io::AsyncSeek::poll_complete(inner.as_mut(), cx))?;
                        tokio::io::AsyncSeek::start_seek(inner.as_mut(), pos)?;
                        *started = Some(pos);
                    }
                }
            }
        })
    }
}
