//! Test helpers for the `Compat` and `SyncIo` suites: a chaos wrapper that gives a plain
//! `std::io` value all eight async I/O traits (tokio 1 and futures-io 0.3) with short
//! operations and spurious `Pending`, and a watchdog that turns a hang into a failure.
#![allow(dead_code)]

use std::future::Future;
use std::io::{self, BufRead, IoSlice, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

/// One step of a [`Chaos`] plan: what the next poll does.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    /// Wake the task at once and return `Pending` (a spurious `Pending`).
    Pending,
    /// Do the operation, moving at most this many bytes (at least 1).
    Max(usize),
    /// Fail with `ErrorKind::Interrupted`, moving nothing (reads and writes only).
    Interrupted,
}

/// Wraps a plain `std::io` value; each poll follows the next [`Step`] of a cyclic plan.
#[derive(Debug)]
pub struct Chaos<T> {
    inner: T,
    plan: Vec<Step>,
    next: usize,
    /// Bytes handed out by the last `poll_fill_buf` and not yet consumed: asked again, the same
    /// slice comes back at once (the `AsyncBufRead` contract).
    filled: Option<usize>,
    /// A tokio `start_seek` not yet completed.
    seek_started: Option<SeekFrom>,
    pub polls: usize,
}

impl<T> Chaos<T> {
    /// An empty plan means "always do the whole operation at once".
    pub fn new(inner: T, plan: Vec<Step>) -> Self {
        Self {
            inner,
            plan,
            next: 0,
            filled: None,
            seek_started: None,
            polls: 0,
        }
    }

    pub fn into_inner(self) -> T {
        self.inner
    }

    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The next step's byte limit, or `None` after arranging a spurious `Pending`. Seeks and
    /// `fill_buf` treat `Interrupted` as "no limit".
    fn step(&mut self, cx: &mut Context<'_>) -> Option<usize> {
        match self.next_step() {
            Step::Pending => {
                cx.waker().wake_by_ref();
                None
            }
            Step::Max(n) => Some(n.max(1)),
            Step::Interrupted => Some(usize::MAX),
        }
    }

    fn next_step(&mut self) -> Step {
        self.polls += 1;
        if self.plan.is_empty() {
            return Step::Max(usize::MAX);
        }
        let step = self.plan[self.next % self.plan.len()];
        self.next += 1;
        step
    }

    /// Like [`step`](Self::step) for reads and writes, which can also be interrupted.
    fn io_step(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        match self.next_step() {
            Step::Pending => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Step::Max(n) => Poll::Ready(Ok(n.max(1))),
            Step::Interrupted => Poll::Ready(Err(io::ErrorKind::Interrupted.into())),
        }
    }
}

impl<T: Unpin> Chaos<T> {
    fn read_step(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>
    where
        T: Read,
    {
        let max = std::task::ready!(self.io_step(cx))?;
        let n = max.min(buf.len());
        Poll::Ready(self.inner.read(&mut buf[..n]))
    }

    fn write_step(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>
    where
        T: Write,
    {
        let max = std::task::ready!(self.io_step(cx))?;
        let n = max.min(buf.len());
        Poll::Ready(self.inner.write(&buf[..n]))
    }

    fn fill_step(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>>
    where
        T: BufRead,
    {
        let max = match self.filled {
            Some(n) => n,
            None => match self.step(cx) {
                Some(max) => max,
                None => return Poll::Pending,
            },
        };
        let buf = match self.inner.fill_buf() {
            Ok(buf) => buf,
            Err(e) => return Poll::Ready(Err(e)),
        };
        let n = max.min(buf.len());
        self.filled = Some(n);
        Poll::Ready(Ok(&buf[..n]))
    }

    fn consume_step(&mut self, amt: usize)
    where
        T: BufRead,
    {
        self.filled = None;
        self.inner.consume(amt);
    }
}

impl<T: Read + Unpin> tokio::io::AsyncRead for Chaos<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = std::task::ready!(this.read_step(cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<T: Read + Unpin> futures_io::AsyncRead for Chaos<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().read_step(cx, buf)
    }
}

impl<T: BufRead + Unpin> tokio::io::AsyncBufRead for Chaos<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.get_mut().fill_step(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().consume_step(amt);
    }
}

impl<T: BufRead + Unpin> futures_io::AsyncBufRead for Chaos<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.get_mut().fill_step(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().consume_step(amt);
    }
}

impl<T: Write + Unpin> tokio::io::AsyncWrite for Chaos<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write_step(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.get_mut().inner.flush())
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.get_mut().inner.flush())
    }
}

impl<T: Write + Unpin> futures_io::AsyncWrite for Chaos<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write_step(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &**b);
        self.get_mut().write_step(cx, first)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.get_mut().inner.flush())
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.get_mut().inner.flush())
    }
}

impl<T: Seek + Unpin> futures_io::AsyncSeek for Chaos<T> {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        if this.step(cx).is_none() {
            return Poll::Pending;
        }
        this.filled = None;
        Poll::Ready(this.inner.seek(pos))
    }
}

/// Strict like `tokio::fs::File`: `start_seek` while a seek is in flight is an error.
impl<T: Seek + Unpin> tokio::io::AsyncSeek for Chaos<T> {
    fn start_seek(self: Pin<&mut Self>, pos: SeekFrom) -> io::Result<()> {
        let this = self.get_mut();
        if this.seek_started.is_some() {
            return Err(io::Error::other(
                "Chaos: start_seek while a seek is pending; call poll_complete first",
            ));
        }
        this.seek_started = Some(pos);
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        if this.step(cx).is_none() {
            return Poll::Pending;
        }
        this.filled = None;
        let pos = this.seek_started.take().unwrap_or(SeekFrom::Current(0));
        Poll::Ready(this.inner.seek(pos))
    }
}

/// Runs `f` on its own thread and fails the test if it takes longer than `secs` (a hang).
#[track_caller]
pub fn within<R: Send + 'static>(secs: u64, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let r = f();
        let _ = tx.send(());
        r
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => worker.join().expect("test thread panicked after finishing"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("hang: the test took longer than {secs}s"),
    }
}

/// Runs the async test made by `make` to completion on tokio's current-thread runtime, tokio's
/// multi-thread runtime and `futures::executor::block_on`, each bounded to `secs`.
#[track_caller]
pub fn on_all_executors<F, Fut>(secs: u64, make: F)
where
    F: Fn() -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = ()>,
{
    let m = make.clone();
    within(secs, move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(m())
    });
    let m = make.clone();
    within(secs, move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(m())
    });
    within(secs, move || futures::executor::block_on(make()));
}
