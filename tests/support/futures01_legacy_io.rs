//! Scripted tokio-io 0.1 values (legacy readers and writers) and a chaos wrapper for tokio 1
//! values, for the futures01 I/O tests.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{self, IoSlice, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

/// One scripted answer of a [`LegacyReader`].
#[derive(Debug)]
pub enum Step {
    /// Hand out these bytes (over as many reads as the caller's buffers need).
    Data(Vec<u8>),
    /// Answer `WouldBlock` after arranging for `task::current()` to be notified from another
    /// thread, as a tokio 0.1 socket would.
    WouldBlock,
    /// Answer `Interrupted`.
    Interrupted,
    /// Answer this error.
    Fail(io::ErrorKind, &'static str),
    /// Claim to have read this many bytes more than the buffer holds (a buggy reader).
    Overrun(usize),
}

/// A tokio-io 0.1 `AsyncRead` that plays a script, then reports end of file. Asserts on drop
/// that its script was used up.
#[derive(Debug)]
pub struct LegacyReader {
    script: VecDeque<Step>,
}

impl LegacyReader {
    pub fn new(script: impl IntoIterator<Item = Step>) -> Self {
        Self {
            script: script.into_iter().collect(),
        }
    }
}

impl Drop for LegacyReader {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert!(
                self.script.is_empty(),
                "script not used up: {:?}",
                self.script
            );
        }
    }
}

impl Read for LegacyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.script.pop_front() {
            None => Ok(0),
            Some(Step::Data(mut data)) => {
                let n = data.len().min(buf.len());
                buf[..n].copy_from_slice(&data[..n]);
                if n < data.len() {
                    self.script.push_front(Step::Data(data.split_off(n)));
                }
                Ok(n)
            }
            Some(Step::WouldBlock) => {
                let task = futures01::task::current();
                std::thread::spawn(move || task.notify());
                Err(io::ErrorKind::WouldBlock.into())
            }
            Some(Step::Interrupted) => Err(io::ErrorKind::Interrupted.into()),
            Some(Step::Fail(kind, msg)) => Err(io::Error::new(kind, msg)),
            Some(Step::Overrun(extra)) => Ok(buf.len() + extra),
        }
    }
}

impl tokio_io01::AsyncRead for LegacyReader {}

/// A tokio-io 0.1 `AsyncWrite` that accepts at most `max_write` bytes per call, answers
/// `WouldBlock` (notifying) before every accepted write when `blink` is set, and records calls.
#[derive(Debug, Default)]
pub struct LegacyWriter {
    pub written: Vec<u8>,
    pub max_write: usize,
    pub blink: bool,
    pub blocked: bool,
    pub calls: Vec<&'static str>,
    /// Bytes written since the last flush; `flush` moves them to `flushed`.
    pub flushed: usize,
}

impl LegacyWriter {
    pub fn new(max_write: usize, blink: bool) -> Self {
        Self {
            max_write,
            blink,
            ..Self::default()
        }
    }

    fn maybe_block(&mut self) -> io::Result<()> {
        if self.blink {
            self.blocked = !self.blocked;
            if self.blocked {
                futures01::task::current().notify();
                return Err(io::ErrorKind::WouldBlock.into());
            }
        }
        Ok(())
    }
}

impl Write for LegacyWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.maybe_block()?;
        self.calls.push("write");
        let n = buf.len().min(self.max_write);
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.maybe_block()?;
        self.calls.push("write_vectored");
        let mut n = 0;
        for b in bufs {
            let take = b.len().min(self.max_write - n);
            self.written.extend_from_slice(&b[..take]);
            n += take;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.maybe_block()?;
        self.calls.push("flush");
        self.flushed = self.written.len();
        Ok(())
    }
}

impl tokio_io01::AsyncWrite for LegacyWriter {
    fn shutdown(&mut self) -> futures01::Poll<(), io::Error> {
        self.calls.push("shutdown");
        Ok(futures01::Async::Ready(()))
    }
}

/// A tokio 1 / futures-io value that answers `Pending` (waking at once) on every other call and
/// moves at most `max` bytes per read or write.
#[derive(Debug)]
pub struct Chaos<T> {
    pub inner: T,
    pub max: usize,
    pending: bool,
    pub vectored_calls: usize,
    pub shutdowns: usize,
}

impl<T> Chaos<T> {
    pub fn new(inner: T, max: usize) -> Self {
        Self {
            inner,
            max,
            pending: false,
            vectored_calls: 0,
            shutdowns: 0,
        }
    }

    fn blink(&mut self, cx: &mut Context<'_>) -> bool {
        self.pending = !self.pending;
        if self.pending {
            cx.waker().wake_by_ref();
        }
        self.pending
    }
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Chaos<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.blink(cx) {
            return Poll::Pending;
        }
        let max = self.max.min(buf.remaining());
        let mut small = vec![0; max];
        let mut small_buf = tokio::io::ReadBuf::new(&mut small);
        futures::ready!(Pin::new(&mut self.inner).poll_read(cx, &mut small_buf))?;
        buf.put_slice(small_buf.filled());
        Poll::Ready(Ok(()))
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Chaos<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.blink(cx) {
            return Poll::Pending;
        }
        let max = self.max.min(buf.len());
        Pin::new(&mut self.inner).poll_write(cx, &buf[..max])
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.blink(cx) {
            return Poll::Pending;
        }
        self.vectored_calls += 1;
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        let max = self.max.min(first.len());
        Pin::new(&mut self.inner).poll_write(cx, &first[..max])
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.blink(cx) {
            return Poll::Pending;
        }
        self.shutdowns += 1;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<T: futures_io::AsyncRead + Unpin> futures_io::AsyncRead for Chaos<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.blink(cx) {
            return Poll::Pending;
        }
        let max = self.max.min(buf.len());
        Pin::new(&mut self.inner).poll_read(cx, &mut buf[..max])
    }
}

impl<T: futures_io::AsyncWrite + Unpin> futures_io::AsyncWrite for Chaos<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.blink(cx) {
            return Poll::Pending;
        }
        let max = self.max.min(buf.len());
        Pin::new(&mut self.inner).poll_write(cx, &buf[..max])
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.blink(cx) {
            return Poll::Pending;
        }
        self.shutdowns += 1;
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

impl<T: tokio::io::AsyncSeek + Unpin> tokio::io::AsyncSeek for Chaos<T> {
    fn start_seek(mut self: Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        Pin::new(&mut self.inner).start_seek(position)
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        if self.blink(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_complete(cx)
    }
}
