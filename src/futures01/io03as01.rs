//! tokio 1 and futures-io 0.3 -> tokio-io 0.1, in one hop: a modern reader or writer (a tokio 1
//! `TcpStream`, a futures-io adapter) used as a tokio-io 0.1 `AsyncRead` / `AsyncWrite`, and so
//! as `std::io::Read` / `Write` / `BufRead` where `WouldBlock` means "not ready, the current 0.1
//! task will be notified". Legacy tokio-io 0.1 codecs and combinators run over it unchanged.
//!
//! The bridging is written once ([`io_in_task`]); each trait impl is one call.
//!
//! # Outside a futures 0.1 task
//!
//! The 0.1 protocol needs a current 0.1 task to notify. Called outside one (plain blocking code
//! calling `read`, or a legacy library that starts I/O as soon as it is called rather than when
//! its future is first polled), every method here returns an `io::Error` of kind
//! [`Other`](std::io::ErrorKind::Other) whose message names the call and says how to fix it
//! (run it inside `futures01::future::lazy`, or poll the 0.1 future through `.compat()`), never
//! the deep "no Task is currently running" panic of futures 0.1.

use std::fmt;
use std::io::{self, BufRead, IoSlice, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes04::Buf as Buf04;
use futures01::{Async as Async01, Poll as Poll01};
use tokio_io01::{AsyncRead as AsyncRead01, AsyncWrite as AsyncWrite01};

use super::compat03as01::Compat;
use super::poll::poll_io_std_to_01;
use super::task::{TaskCell, no_task_error};

/// Polls `op` with a [`Context`] that notifies the current 0.1 task, and answers in the
/// tokio-io 0.1 form (`Pending` is `WouldBlock`); outside a 0.1 task, an error that names the
/// `call` (`Type::method`) and how to fix it.
fn io_in_task<T>(
    task: &mut TaskCell,
    call: &str,
    op: impl FnOnce(&mut Context<'_>) -> Poll<io::Result<T>>,
) -> io::Result<T> {
    poll_io_std_to_01(task.poll_with(op).ok_or_else(|| no_task_error(call))?)
}

/// How many slices of a `Buf` one `write_buf` gathers into a vectored write (not part of the
/// semver contract; Linux's `writev` takes up to 1024, and 64 covers what hyper 0.12 and h2 0.1
/// queue).
const WRITE_BUF_SLICES: usize = 64;

/// A placeholder for the `IoVec`s `Buf::bytes_vec` has not filled (an `IoVec` cannot be empty).
static ONE_BYTE: [u8; 1] = [0];

/// tokio-io 0.1's `AsyncWrite::write_buf` as one vectored write: gathers up to
/// [`WRITE_BUF_SLICES`] of the `Buf`'s slices (`Buf::bytes_vec`), hands them to
/// `poll_write_vectored` in the current 0.1 task, and advances the `Buf` by what was written.
/// tokio-io's default makes one `poll_write` per slice instead.
fn write_buf_vectored<B: Buf04>(
    task: &mut TaskCell,
    call: &str,
    buf: &mut B,
    poll_write_vectored: impl FnOnce(&mut Context<'_>, &[IoSlice<'_>]) -> Poll<io::Result<usize>>,
) -> Poll01<usize, io::Error> {
    if !buf.has_remaining() {
        // Nothing to write, so no call; outside a 0.1 task still the error every call gives.
        return match futures01::task::is_in_task() {
            true => Ok(Async01::Ready(0)),
            false => Err(no_task_error(call)),
        };
    }
    let written = {
        let mut iovecs = [<&_>::from(&ONE_BYTE[..]); WRITE_BUF_SLICES];
        let filled = buf.bytes_vec(&mut iovecs);
        let mut slices = [IoSlice::new(&[]); WRITE_BUF_SLICES];
        for (slice, iovec) in slices.iter_mut().zip(&iovecs[..filled]) {
            *slice = IoSlice::new(iovec);
        }
        let only;
        let slices = if filled == 0 {
            // A `Buf` that gathers nothing although it has bytes: its first slice, what
            // tokio-io's default would write.
            only = [IoSlice::new(buf.bytes())];
            &only[..]
        } else {
            &slices[..filled]
        };
        let offered: usize = slices.iter().map(|s| s.len()).sum();
        match io_in_task(task, call, |cx| poll_write_vectored(cx, slices)) {
            Ok(n) => crate::io_util::check_claimed(call, n, offered)?,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Async01::NotReady),
            Err(e) => return Err(e),
        }
    };
    buf.advance(written);
    Ok(Async01::Ready(written))
}

/// `Ok(())` becomes `Async::Ready(())`; `WouldBlock` becomes `Async::NotReady`.
fn io_to_poll01(result: io::Result<()>) -> Poll01<(), io::Error> {
    match result {
        Ok(()) => Ok(Async01::Ready(())),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Async01::NotReady),
        Err(e) => Err(e),
    }
}

impl<R: futures_io::AsyncRead + Unpin> Read for Compat<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Compat::read", |cx| {
            inner.poll_read(cx, buf)
        })
    }
}

impl<R: futures_io::AsyncBufRead + Unpin> BufRead for Compat<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Compat::fill_buf", |cx| {
            inner.poll_fill_buf(cx)
        })
    }

    fn consume(&mut self, amt: usize) {
        Pin::new(&mut self.inner).consume(amt);
    }
}

impl<W: futures_io::AsyncWrite + Unpin> Write for Compat<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Compat::write", |cx| {
            inner.poll_write(cx, buf)
        })
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Compat::write_vectored", |cx| {
            inner.poll_write_vectored(cx, bufs)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Compat::flush", |cx| {
            inner.poll_flush(cx)
        })
    }
}

impl<S: futures_io::AsyncSeek + Unpin> Seek for Compat<S> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Compat::seek", |cx| {
            inner.poll_seek(cx, pos)
        })
    }
}

/// tokio-io 0.1's `read_buf` zeroes the spare capacity it reads into: skipping that needs an
/// `unsafe fn prepare_uninitialized_buffer` override, and this crate forbids `unsafe`. `read`
/// into an initialised buffer never zeroes.
impl<R: futures_io::AsyncRead + Unpin> AsyncRead01 for Compat<R> {}

impl<W: futures_io::AsyncWrite + Unpin> AsyncWrite01 for Compat<W> {
    /// futures-io `poll_close`, which flushes first.
    fn shutdown(&mut self) -> Poll01<(), io::Error> {
        let inner = Pin::new(&mut self.inner);
        io_to_poll01(io_in_task(
            &mut self.task,
            "futures01::Compat::shutdown",
            |cx| inner.poll_close(cx),
        ))
    }

    /// One futures-io `poll_write_vectored` over the `Buf`'s slices (up to 64, not part of the
    /// semver contract), not one `poll_write` per slice.
    fn write_buf<B: Buf04>(&mut self, buf: &mut B) -> Poll01<usize, io::Error> {
        let inner = Pin::new(&mut self.inner);
        write_buf_vectored(
            &mut self.task,
            "futures01::Compat::write_buf",
            buf,
            |cx, slices| inner.poll_write_vectored(cx, slices),
        )
    }
}

/// A tokio 1 `AsyncRead` / `AsyncWrite` (and `AsyncBufRead`) usable as a tokio-io 0.1
/// `AsyncRead` / `AsyncWrite` (and `std::io::BufRead`), in one hop.
///
/// Made by [`TokioAsyncRead01CompatExt::compat01`],
/// [`TokioAsyncWrite01CompatExt::compat01_write`] or [`Tokio1As01::new`]. The value is kept
/// inline (it must be `Unpin`; pin a `!Unpin` one with `Box::pin` first). `read` hands the
/// caller's initialised buffer to tokio as a filled-from-zero `ReadBuf`: nothing is zeroed or
/// copied. `write_vectored` and `shutdown` are forwarded, and tokio-io 0.1's `write_buf` (what
/// hyper 0.12 and h2 0.1 write through) is one `poll_write_vectored` over the `Buf`'s slices.
///
/// # Errors
///
/// Outside a futures 0.1 task every method returns an `io::Error` of kind
/// [`Other`](std::io::ErrorKind::Other) naming the operation (see the
/// [module docs](super#io-outside-a-futures-01-task)); `Pending` is `WouldBlock`; every other
/// error is passed through whole.
///
/// # Examples
///
/// ```
/// use futures01::{Future, Stream};
/// use iocompat::futures01::TokioAsyncRead01CompatExt;
/// use tokio_io01::codec::{FramedRead, LinesCodec};
///
/// // A tokio 1 reader, framed by a tokio-io 0.1 codec, consumed by 0.1 `wait()`.
/// let modern: &[u8] = b"one\ntwo\n";
/// let lines = FramedRead::new(modern.compat01(), LinesCodec::new());
/// let got: Vec<String> = lines.collect().wait().unwrap();
/// assert_eq!(got, ["one", "two"]);
/// ```
pub struct Tokio1As01<T> {
    inner: T,
    task: TaskCell,
    /// The position of a tokio seek started but not yet complete (it answered `WouldBlock`).
    seeking: Option<SeekFrom>,
}

impl<T> Tokio1As01<T> {
    /// Wraps a tokio 1 reader or writer.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Tokio1As01;
    ///
    /// let _io = Tokio1As01::new(tokio::io::empty());
    /// ```
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            task: TaskCell::new(),
            seeking: None,
        }
    }

    /// The wrapped value.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Tokio1As01;
    ///
    /// let io = Tokio1As01::new(std::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.get_ref().position(), 0);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped value, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Tokio1As01;
    ///
    /// let mut io = Tokio1As01::new(std::io::Cursor::new(vec![1u8]));
    /// io.get_mut().set_position(1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Tokio1As01;
    ///
    /// let io = Tokio1As01::new(std::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.into_inner().into_inner(), [1]);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for Tokio1As01<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokio1As01")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<R: tokio::io::AsyncRead + Unpin> Read for Tokio1As01<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Tokio1As01::read", |cx| {
            crate::io_util::poll_read_slice_with(buf, |read_buf| inner.poll_read(cx, read_buf))
        })
    }
}

impl<R: tokio::io::AsyncBufRead + Unpin> BufRead for Tokio1As01<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Tokio1As01::fill_buf", |cx| {
            inner.poll_fill_buf(cx)
        })
    }

    fn consume(&mut self, amt: usize) {
        Pin::new(&mut self.inner).consume(amt);
    }
}

impl<W: tokio::io::AsyncWrite + Unpin> Write for Tokio1As01<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Tokio1As01::write", |cx| {
            inner.poll_write(cx, buf)
        })
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(
            &mut self.task,
            "futures01::Tokio1As01::write_vectored",
            |cx| inner.poll_write_vectored(cx, bufs),
        )
    }

    fn flush(&mut self) -> io::Result<()> {
        let inner = Pin::new(&mut self.inner);
        io_in_task(&mut self.task, "futures01::Tokio1As01::flush", |cx| {
            inner.poll_flush(cx)
        })
    }
}

/// A seek that answers `WouldBlock` stays in progress: call `seek` again with the same position
/// (as 0.1 code retries a `WouldBlock` call) to finish it; a different position is an
/// `InvalidInput` error until then.
impl<S: tokio::io::AsyncSeek + Unpin> Seek for Tokio1As01<S> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self.seeking {
            Some(started) if started != pos => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "iocompat::futures01: seek to {pos:?} while the seek to {started:?} is \
                         still in progress; retry that one until it completes"
                    ),
                ));
            }
            Some(_) => {}
            None => {
                if !futures01::task::is_in_task() {
                    return Err(no_task_error("futures01::Tokio1As01::seek"));
                }
                Pin::new(&mut self.inner).start_seek(pos)?;
                self.seeking = Some(pos);
            }
        }
        let inner = Pin::new(&mut self.inner);
        let out = io_in_task(&mut self.task, "futures01::Tokio1As01::seek", |cx| {
            inner.poll_complete(cx)
        });
        match &out {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            // Idle again, whether the seek succeeded or failed.
            _ => self.seeking = None,
        }
        out
    }
}

/// See the note on [`Compat`]'s impl: tokio-io 0.1's `read_buf` zeroes spare capacity.
impl<R: tokio::io::AsyncRead + Unpin> AsyncRead01 for Tokio1As01<R> {}

impl<W: tokio::io::AsyncWrite + Unpin> AsyncWrite01 for Tokio1As01<W> {
    /// tokio 1 `poll_shutdown`.
    fn shutdown(&mut self) -> Poll01<(), io::Error> {
        let inner = Pin::new(&mut self.inner);
        io_to_poll01(io_in_task(
            &mut self.task,
            "futures01::Tokio1As01::shutdown",
            |cx| inner.poll_shutdown(cx),
        ))
    }

    /// One tokio `poll_write_vectored` over the `Buf`'s slices (up to 64, not part of the semver
    /// contract), not one `poll_write` per slice: the path hyper 0.12 and h2 0.1 write through.
    fn write_buf<B: Buf04>(&mut self, buf: &mut B) -> Poll01<usize, io::Error> {
        let inner = Pin::new(&mut self.inner);
        write_buf_vectored(
            &mut self.task,
            "futures01::Tokio1As01::write_buf",
            buf,
            |cx, slices| inner.poll_write_vectored(cx, slices),
        )
    }
}

/// Converts a futures-io `AsyncRead` into a tokio-io 0.1 `AsyncRead`: the successor of
/// `futures::io::AsyncReadExt::compat`.
pub trait AsyncReadCompatExt: futures_io::AsyncRead {
    /// Wraps `self` in a [`Compat`], inline (`self` must be `Unpin`, as for `futures::compat`).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::{Future, Stream};
    /// use iocompat::futures01::AsyncReadCompatExt;
    /// use tokio_io01::codec::{FramedRead, LinesCodec};
    ///
    /// let modern = futures::io::Cursor::new(b"a\nb\n".to_vec());
    /// let lines = FramedRead::new(AsyncReadCompatExt::compat(modern), LinesCodec::new());
    /// assert_eq!(lines.collect().wait().unwrap(), ["a", "b"]);
    /// ```
    fn compat(self) -> Compat<Self>
    where
        Self: Sized + Unpin,
    {
        Compat::new(self)
    }
}

impl<R: futures_io::AsyncRead> AsyncReadCompatExt for R {}

/// Converts a futures-io `AsyncWrite` into a tokio-io 0.1 `AsyncWrite`: the successor of
/// `futures::io::AsyncWriteExt::compat_write`.
pub trait AsyncWriteCompatExt: futures_io::AsyncWrite {
    /// Wraps `self` in a [`Compat`], inline (`self` must be `Unpin`, as for `futures::compat`).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    /// use iocompat::futures01::AsyncWriteCompatExt;
    ///
    /// let modern = futures::io::Cursor::new(Vec::new());
    /// let (w, _) = tokio_io01::io::write_all(modern.compat_write(), b"hi").wait().unwrap();
    /// assert_eq!(w.get_ref().get_ref(), b"hi");
    /// ```
    fn compat_write(self) -> Compat<Self>
    where
        Self: Sized + Unpin,
    {
        Compat::new(self)
    }
}

impl<W: futures_io::AsyncWrite> AsyncWriteCompatExt for W {}

/// Converts a tokio 1 `AsyncRead` (and `AsyncBufRead`) into a tokio-io 0.1 `AsyncRead` (and
/// `BufRead`), in one hop.
pub trait TokioAsyncRead01CompatExt: tokio::io::AsyncRead {
    /// Wraps `self` in a [`Tokio1As01`].
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    /// use iocompat::futures01::TokioAsyncRead01CompatExt;
    ///
    /// let modern: &[u8] = b"hi";
    /// let (_, buf) = tokio_io01::io::read_to_end(modern.compat01(), Vec::new()).wait().unwrap();
    /// assert_eq!(buf, b"hi");
    /// ```
    fn compat01(self) -> Tokio1As01<Self>
    where
        Self: Sized,
    {
        Tokio1As01::new(self)
    }
}

impl<R: tokio::io::AsyncRead> TokioAsyncRead01CompatExt for R {}

/// Converts a tokio 1 `AsyncWrite` into a tokio-io 0.1 `AsyncWrite`, in one hop.
pub trait TokioAsyncWrite01CompatExt: tokio::io::AsyncWrite {
    /// Wraps `self` in a [`Tokio1As01`].
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    /// use iocompat::futures01::TokioAsyncWrite01CompatExt;
    ///
    /// let modern: Vec<u8> = Vec::new();
    /// let (w, _) = tokio_io01::io::write_all(modern.compat01_write(), b"hi").wait().unwrap();
    /// assert_eq!(w.get_ref(), b"hi");
    /// ```
    fn compat01_write(self) -> Tokio1As01<Self>
    where
        Self: Sized,
    {
        Tokio1As01::new(self)
    }
}

impl<W: tokio::io::AsyncWrite> TokioAsyncWrite01CompatExt for W {}
