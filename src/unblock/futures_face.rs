//! futures-io 0.3 trait faces of [`Unblock`]: each a few lines over the core.

use std::io::{self, IoSlice, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::core::seek_ops;
use crate::Unblock;

impl<T: Read + Send + 'static> futures_io::AsyncRead for Unblock<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().core.poll_read_into(cx, T::read, buf)
    }
}

impl<T: Read + Send + 'static> futures_io::AsyncBufRead for Unblock<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.get_mut().core.poll_fill_buf(cx, T::read)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().core.consume(amt)
    }
}

impl<T: Write + Send + 'static> futures_io::AsyncWrite for Unblock<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .core
            .poll_write_from(cx, T::write, T::flush, &[IoSlice::new(buf)])
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .core
            .poll_write_from(cx, T::write, T::flush, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().core.poll_flush(cx, T::flush)
    }

    /// Flushes (buffered data and the value's own `flush`). `std::io::Write` has no close, so
    /// the value itself is closed when it is dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().core.poll_flush(cx, T::flush)
    }
}

impl<T: Seek + Send + 'static> futures_io::AsyncSeek for Unblock<T> {
    /// Seeks. futures-io has no separate start: polling again with the same `pos` continues
    /// the seek already under way (so a dropped seek future followed by an identical relative
    /// seek moves once, not twice).
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let core = &mut self.get_mut().core;
        core.set_seek_ops(seek_ops::<T>());
        core.poll_seek(cx, pos)
    }
}
