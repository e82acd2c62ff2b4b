//! `std::io` traits for a [`SyncIo`] over a futures-io 0.3 value.

use std::io::{self, IoSlice, IoSliceMut, SeekFrom};

use super::{FuturesTraits, SyncIo};

use crate::io_util::check_claimed;

impl<T: futures_io::AsyncRead + Unpin> io::Read for SyncIo<T, FuturesTraits> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let capacity = buf.len();
        let n = self.block_on_poll("read", |inner, cx| {
            futures_io::AsyncRead::poll_read(inner, cx, buf)
        })?;
        check_claimed("SyncIo::read", n, capacity)
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        let capacity = bufs.iter().map(|b| b.len()).sum();
        let n = self.block_on_poll("read_vectored", |inner, cx| {
            futures_io::AsyncRead::poll_read_vectored(inner, cx, bufs)
        })?;
        check_claimed("SyncIo::read_vectored", n, capacity)
    }
}

impl<T: futures_io::AsyncBufRead + Unpin> io::BufRead for SyncIo<T, FuturesTraits> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let empty = self.block_on_poll("fill_buf", |inner, cx| {
            futures_io::AsyncBufRead::poll_fill_buf(inner, cx).map(|r| r.map(<[u8]>::is_empty))
        })?;
        if empty {
            return Ok(&[]);
        }
        self.poll_once("fill_buf", futures_io::AsyncBufRead::poll_fill_buf)
    }

    fn consume(&mut self, amt: usize) {
        futures_io::AsyncBufRead::consume(std::pin::Pin::new(self.get_mut()), amt);
    }
}

impl<T: futures_io::AsyncWrite + Unpin> io::Write for SyncIo<T, FuturesTraits> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.set_unflushed(Some(Self::flush_on_drop));
        self.block_on_poll("write", |inner, cx| {
            futures_io::AsyncWrite::poll_write(inner, cx, buf)
        })
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.set_unflushed(Some(Self::flush_on_drop));
        self.block_on_poll("write_vectored", |inner, cx| {
            futures_io::AsyncWrite::poll_write_vectored(inner, cx, bufs)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.block_on_poll("flush", futures_io::AsyncWrite::poll_flush)?;
        self.set_unflushed(None);
        Ok(())
    }
}

impl<T: futures_io::AsyncWrite + Unpin> SyncIo<T, FuturesTraits> {
    /// Flushes and closes the value (futures-io's `poll_close`), blocking until done.
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
    /// let mut out = iocompat::SyncIo::from_futures_io(futures::io::Cursor::new(Vec::new()));
    /// out.write_all(b"done")?;
    /// out.shutdown()?;
    /// assert_eq!(out.into_inner().into_inner(), b"done");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn shutdown(&mut self) -> io::Result<()> {
        self.block_on_poll("shutdown", futures_io::AsyncWrite::poll_close)?;
        self.set_unflushed(None);
        Ok(())
    }

    /// What `Drop` runs after a write that no flush followed: errors have nowhere to go.
    fn flush_on_drop(&mut self) {
        let _ = io::Write::flush(self);
    }
}

impl<T: futures_io::AsyncSeek + Unpin> io::Seek for SyncIo<T, FuturesTraits> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.block_on_poll("seek", |inner, cx| {
            futures_io::AsyncSeek::poll_seek(inner, cx, pos)
        })
    }
}
