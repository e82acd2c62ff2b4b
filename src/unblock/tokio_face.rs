//! tokio 1 trait faces of [`Unblock`]: each a few lines over the core.

use std::io::{self, IoSlice, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::core::{ReadDst, seek_ops};
use crate::Unblock;

impl<T: Read + Send + 'static> tokio::io::AsyncRead for Unblock<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_mut()
            .core
            .poll_read_into(cx, T::read, buf)
            .map_ok(drop)
    }
}

/// A `ReadBuf` is filled without zeroing its unfilled part: the value is handed only the
/// part already initialised, and buffered bytes are copied with `put_slice`.
impl ReadDst for tokio::io::ReadBuf<'_> {
    fn room(&self) -> usize {
        self.remaining()
    }

    fn ready_room(&mut self) -> &mut [u8] {
        let filled = self.filled().len();
        &mut self.initialized_mut()[filled..]
    }

    fn advance(&mut self, n: usize) {
        tokio::io::ReadBuf::advance(self, n);
    }

    fn put(&mut self, src: &[u8]) {
        self.put_slice(src);
    }
}

impl<T: Read + Send + 'static> tokio::io::AsyncBufRead for Unblock<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.get_mut().core.poll_fill_buf(cx, T::read)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().core.consume(amt)
    }
}

impl<T: Write + Send + 'static> tokio::io::AsyncWrite for Unblock<T> {
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

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().core.poll_flush(cx, T::flush)
    }

    /// Flushes (buffered data and the value's own `flush`). `std::io::Write` has no close, so
    /// the value itself is closed when it is dropped.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().core.poll_flush(cx, T::flush)
    }
}

impl<T: Seek + Send + 'static> tokio::io::AsyncSeek for Unblock<T> {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        let core = &mut self.get_mut().core;
        core.set_seek_ops(seek_ops::<T>());
        core.start_seek(position)
    }

    /// Completes the seek started by `start_seek`. Without one, returns the real current
    /// position (asking the value when it is not known), never a placeholder.
    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let core = &mut self.get_mut().core;
        core.set_seek_ops(seek_ops::<T>());
        core.poll_complete(cx)
    }
}
