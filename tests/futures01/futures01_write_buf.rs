//! tokio-io 0.1's `AsyncWrite::write_buf` (the path hyper 0.12 and h2 0.1 write through) on
//! `Tokio1As01` and `Compat` is one vectored write of the `Buf`'s slices, counted at the inner
//! writer.

#![cfg(feature = "futures01")]

use crate::bounded;

use std::io::{self, Cursor, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use bounded::bounded;
use bytes04::Buf;
use futures01::{Async, Future as Future01};
use iocompat::futures01::{Compat, Tokio1As01};
use tokio_io01::AsyncWrite as AsyncWrite01;

/// A tokio 1 and futures-io writer that counts its calls and the slices it is handed; takes at
/// most `max` bytes per call, and answers `Pending` (waking at once) to the first vectored call
/// if `pending_first`.
#[derive(Default)]
struct Counting {
    written: Vec<u8>,
    writes: usize,
    vectored: usize,
    slices_per_call: Vec<usize>,
    max: usize,
    pending_first: bool,
}

impl Counting {
    fn taking(max: usize) -> Self {
        Self {
            max,
            ..Self::default()
        }
    }

    fn write(&mut self, buf: &[u8]) -> usize {
        self.writes += 1;
        let n = buf.len().min(self.max);
        self.written.extend_from_slice(&buf[..n]);
        n
    }

    fn write_vectored(
        &mut self,
        cx: &Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.vectored += 1;
        self.slices_per_call.push(bufs.len());
        if std::mem::take(&mut self.pending_first) {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let mut room = self.max;
        let mut n = 0;
        for buf in bufs {
            let k = buf.len().min(room);
            self.written.extend_from_slice(&buf[..k]);
            room -= k;
            n += k;
        }
        Poll::Ready(Ok(n))
    }
}

impl tokio::io::AsyncWrite for Counting {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().write(buf)))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl futures::io::AsyncWrite for Counting {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().write(buf)))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// An HTTP/1 response head chained to its body, as hyper 0.12 queues them.
const HEADER: &[u8] = b"HTTP/1.1 200 OK\r\n\r\n";

fn body() -> Vec<u8> {
    (0..4096u32).map(|i| (i % 251) as u8).collect()
}

/// Runs `write_buf` until the `Buf` is empty, inside a 0.1 task (0.1 `wait`, bounded in time);
/// answers what each call returned.
fn write_buf_all<W: AsyncWrite01 + Send + 'static, B: Buf + Send + 'static>(
    mut w: W,
    mut buf: B,
) -> (W, Vec<usize>) {
    bounded(move || {
        let mut answers = Vec::new();
        futures01::future::poll_fn(|| -> futures01::Poll<(), io::Error> {
            while buf.has_remaining() {
                let before = buf.remaining();
                match w.write_buf(&mut buf)? {
                    Async::Ready(n) => {
                        assert_eq!(buf.remaining(), before - n, "advanced by what was written");
                        answers.push(n);
                    }
                    Async::NotReady => {
                        assert_eq!(buf.remaining(), before, "nothing consumed while pending");
                        return Ok(Async::NotReady);
                    }
                }
            }
            Ok(Async::Ready(()))
        })
        .wait()
        .unwrap();
        (w, answers)
    })
}

fn expected() -> Vec<u8> {
    [HEADER, &body()].concat()
}

#[test]
fn a_header_chained_to_a_body_is_one_vectored_write_on_tokio1as01() {
    assert_eq!(HEADER.len(), 19);
    let buf = Cursor::new(HEADER).chain(Cursor::new(body()));
    let (w, answers) = write_buf_all(Tokio1As01::new(Counting::taking(usize::MAX)), buf);
    let w = w.into_inner();
    assert_eq!(answers, [19 + 4096]);
    assert_eq!(
        (w.vectored, w.writes),
        (1, 0),
        "one vectored call, no plain write"
    );
    assert_eq!(w.slices_per_call, [2]);
    assert_eq!(w.written, expected());
}

#[test]
fn a_header_chained_to_a_body_is_one_vectored_write_on_compat() {
    let buf = Cursor::new(HEADER).chain(Cursor::new(body()));
    let (w, answers) = write_buf_all(Compat::new(Counting::taking(usize::MAX)), buf);
    let w = w.into_inner();
    assert_eq!(answers, [19 + 4096]);
    assert_eq!(
        (w.vectored, w.writes),
        (1, 0),
        "one vectored call, no plain write"
    );
    assert_eq!(w.slices_per_call, [2]);
    assert_eq!(w.written, expected());
}

/// 70 slices of 10 bytes, to a writer that takes 100 bytes a call: each call is handed at most
/// 64 slices, the `Buf` advances by exactly what was taken, and every byte arrives in order.
#[test]
fn short_vectored_writes_advance_the_buf_exactly_and_slices_are_bounded() {
    let pieces: Vec<Vec<u8>> = (0..70u8).map(|i| vec![i; 10]).collect();
    let mut buf: Box<dyn Buf + Send> = Box::new(Cursor::new(pieces[0].clone()));
    for piece in &pieces[1..] {
        buf = Box::new(buf.chain(Cursor::new(piece.clone())));
    }
    let (w, answers) = write_buf_all(Tokio1As01::new(Counting::taking(100)), buf);
    let w = w.into_inner();
    assert_eq!(answers, [100; 7]);
    assert_eq!(
        w.slices_per_call[0], 64,
        "bounded, and more than one slice per call"
    );
    assert!(w.slices_per_call.iter().all(|&n| n <= 64));
    assert_eq!(w.writes, 0);
    assert_eq!(w.written, pieces.concat());
}

/// A writer that is not ready: `NotReady`, nothing consumed, and the 0.1 task is woken to try
/// again (a lost wake-up hangs `wait`, which the time bound fails).
#[test]
fn a_pending_vectored_write_is_not_ready_and_consumes_nothing() {
    let buf = Cursor::new(HEADER).chain(Cursor::new(body()));
    let counting = Counting {
        pending_first: true,
        ..Counting::taking(usize::MAX)
    };
    let (w, answers) = write_buf_all(Tokio1As01::new(counting), buf);
    let w = w.into_inner();
    assert_eq!(answers, [19 + 4096]);
    assert_eq!((w.vectored, w.writes), (2, 0));
    assert_eq!(w.written, expected());
}

#[test]
fn a_writer_claiming_more_than_it_was_offered_is_an_error_not_a_panic() {
    struct Overclaims;
    impl tokio::io::AsyncWrite for Overclaims {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Ok(buf.len() + 1))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }
    let err = bounded(|| {
        let mut w = Tokio1As01::new(Overclaims);
        let mut buf = Cursor::new(b"abc");
        futures01::future::lazy(move || w.write_buf(&mut buf))
            .wait()
            .unwrap_err()
    });
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(
        err.to_string().starts_with(
            "iocompat::futures01::Tokio1As01::write_buf: the wrapped value returned 4 \
             bytes for a 3-byte buffer"
        ),
        "{err}"
    );
}

#[test]
fn write_buf_outside_a_01_task_is_the_clear_error_even_for_an_empty_buf() {
    let mut w = Tokio1As01::new(Counting::taking(usize::MAX));
    for bytes in [&b"x"[..], b""] {
        let err = w.write_buf(&mut Cursor::new(bytes)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("iocompat::futures01::Tokio1As01::write_buf: called outside"),
            "{err}"
        );
    }
    let mut c = Compat::new(Counting::taking(usize::MAX));
    let err = c.write_buf(&mut Cursor::new(b"x")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("iocompat::futures01::Compat::write_buf: called outside"),
        "{err}"
    );
    let w = w.into_inner();
    assert_eq!((w.vectored, w.writes), (0, 0), "nothing was written");
}
