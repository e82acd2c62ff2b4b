//! `std::io` traits for a [`SyncIo`] over a tokio 1 value.

use std::io::{self, IoSlice, SeekFrom};

use super::{SyncIo, TokioTraits};

impl<T: tokio::io::AsyncRead + Unpin> io::Read for SyncIo<T, TokioTraits> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.block_on_poll("read", |inner, cx| {
            crate::io_util::poll_read_slice_with(&mut *buf, |read_buf| {
                tokio::io::AsyncRead::poll_read(inner, cx, read_buf)
            })
        })
    }
}

impl<T: tokio::io::AsyncBufRead + Unpin> io::BufRead for SyncIo<T, TokioTraits> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let empty = self.block_on_poll("fill_buf", |inner, cx| {
            tokio::io::AsyncBufRead::poll_fill_buf(inner, cx).map_ok(<[u8]>::is_empty)
        })?;
        if empty {
            return Ok(&[]);
        }
        self.poll_once("fill_buf", tokio::io::AsyncBufRead::poll_fill_buf)
    }

    fn consume(&mut self, amt: usize) {
        tokio::io::AsyncBufRead::consume(std::pin::Pin::new(self.get_mut()), amt);
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> io::Write for SyncIo<T, TokioTraits> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.set_unflushed(Some(Self::flush_on_drop));
        self.block_on_poll("write", |inner, cx| {
            tokio::io::AsyncWrite::poll_write(inner, cx, buf)
        })
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.set_unflushed(Some(Self::flush_on_drop));
        self.block_on_poll("write_vectored", |inner, cx| {
            tokio::io::AsyncWrite::poll_write_vectored(inner, cx, bufs)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.block_on_poll("flush", tokio::io::AsyncWrite::poll_flush)?;
        self.set_unflushed(None);
        Ok(())
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> SyncIo<T, TokioTraits> {
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
    /// let mut out = iocompat::SyncIo::new(Vec::<u8>::new());
    /// out.write_all(b"done")?;
    /// out.shutdown()?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn shutdown(&mut self) -> io::Result<()> {
        self.block_on_poll("shutdown", tokio::io::AsyncWrite::poll_shutdown)?;
        self.set_unflushed(None);
        Ok(())
    }

    /// What `Drop` runs after a write that no flush followed: errors have nowhere to go.
    fn flush_on_drop(&mut self) {
        let _ = io::Write::flush(self);
    }
}

impl<T: tokio::io::AsyncSeek + Unpin> io::Seek for SyncIo<T, TokioTraits> {
    /// Completes any seek already started on the value (tokio's rule before `start_seek`),
    /// then seeks. A call that fails while waiting leaves its seek started: the next seek
    /// completes it first.
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.block_on_poll("seek", tokio::io::AsyncSeek::poll_complete)?;
        tokio::io::AsyncSeek::start_seek(std::pin::Pin::new(self.get_mut()), pos)?;
        self.block_on_poll("seek", tokio::io::AsyncSeek::poll_complete)
    }
}
