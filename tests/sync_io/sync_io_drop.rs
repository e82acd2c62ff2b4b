//! A `SyncIo` writer dropped after writes that no flush followed flushes the value, as
//! `std::io::BufWriter` does, so bytes the value accepted into its own buffer are not lost;
//! where it cannot block it does nothing, and never while a panic unwinds.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::support;

use std::io::{self, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll};

use iocompat::{SyncIo, Unblock};
use support::LIMIT;
use support::shutdown::{Fate, Losses, Sink, Spinner, payload};

const RUNS: usize = 300;

/// An async writer into memory (both trait families) that reports its contents when dropped.
struct Mem {
    data: Arc<Mutex<Vec<u8>>>,
    on_drop: Option<mpsc::Sender<Vec<u8>>>,
}

/// What the test keeps of a [`Mem`]: a view of its contents, and where they arrive on drop.
type MemView = (Arc<Mutex<Vec<u8>>>, mpsc::Receiver<Vec<u8>>);

impl Mem {
    fn new() -> (Self, MemView) {
        let data = Arc::default();
        let (tx, rx) = mpsc::channel();
        let mem = Self {
            data: Arc::clone(&data),
            on_drop: Some(tx),
        };
        (mem, (data, rx))
    }
}

impl Drop for Mem {
    fn drop(&mut self) {
        if let Some(tx) = self.on_drop.take() {
            let _ = tx.send(self.data.lock().unwrap().clone());
        }
    }
}

impl tokio::io::AsyncWrite for Mem {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.data.lock().unwrap().extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl futures::io::AsyncWrite for Mem {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.data.lock().unwrap().extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The tokio fates: the `SyncIo` lives on a blocking-pool thread of the runtime.
fn tokio_fates() -> impl Iterator<Item = Fate> {
    Fate::ALL.into_iter().filter(|f| *f != Fate::BlockOn)
}

#[test]
fn bytes_buffered_in_a_tokio_bufwriter_are_flushed_on_drop_whatever_the_runtime_does_next() {
    let _spin = Spinner::start();
    let data = payload(5, 1000); // smaller than BufWriter's buffer: all of it stays there
    for fate in tokio_fates() {
        let losses = Losses::default();
        for run in 0..RUNS {
            let (mem, (_, contents)) = Mem::new();
            let data2 = data.clone();
            fate.run(async move {
                tokio::task::spawn_blocking(move || {
                    let mut w = SyncIo::new(tokio::io::BufWriter::new(mem));
                    w.write_all(&data2).unwrap();
                    drop(w);
                })
                .await
                .unwrap();
            });
            let got = contents
                .recv_timeout(LIMIT)
                .expect("the value was never dropped");
            if got != data {
                losses.record(format!("{fate:?} run {run}: {} of 1000 bytes", got.len()));
            }
        }
        losses.assert_none(RUNS);
    }
}

#[test]
fn a_sync_io_over_unblock_dropped_unflushed_loses_nothing_whatever_the_runtime_does_next() {
    let _spin = Spinner::start();
    const SIZE: usize = 3 << 20;
    let data = Arc::new(payload(6, SIZE));
    for fate in tokio_fates() {
        let losses = Losses::default();
        for run in 0..RUNS {
            let (sink, contents) = Sink::new();
            let data2 = Arc::clone(&data);
            fate.run(async move {
                let mut w = SyncIo::new(Unblock::new(sink));
                tokio::task::spawn_blocking(move || {
                    w.write_all(&data2).unwrap();
                    drop(w);
                })
                .await
                .unwrap();
            });
            let (got, flushed) = contents
                .recv_timeout(LIMIT)
                .expect("the sink was never dropped");
            if got != *data || flushed != SIZE {
                losses.record(format!(
                    "{fate:?} run {run}: {} of {SIZE} bytes, {flushed} flushed",
                    got.len()
                ));
            }
        }
        losses.assert_none(RUNS);
    }
}

#[test]
fn a_futures_io_writer_is_flushed_on_drop_on_a_plain_thread() {
    let (mem, (_, contents)) = Mem::new();
    let mut w = SyncIo::from_futures_io(futures::io::BufWriter::new(mem));
    w.write_all(b"buffered in futures' BufWriter").unwrap();
    drop(w);
    assert_eq!(
        contents.recv_timeout(LIMIT).unwrap(),
        b"buffered in futures' BufWriter"
    );
}

#[test]
fn a_flush_or_shutdown_after_the_writes_means_drop_has_nothing_to_do() {
    /// Counts flushes.
    struct Counting(Arc<Mutex<usize>>);
    impl tokio::io::AsyncWrite for Counting {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            b: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Ok(b.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            *self.0.lock().unwrap() += 1;
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }
    let flushes = Arc::new(Mutex::new(0));
    let mut w = SyncIo::new(Counting(Arc::clone(&flushes)));
    w.write_all(b"x").unwrap();
    w.flush().unwrap();
    drop(w);
    assert_eq!(*flushes.lock().unwrap(), 1, "flushed once, by the caller");

    let mut w = SyncIo::new(Counting(Arc::clone(&flushes)));
    w.write_all(b"x").unwrap();
    w.shutdown().unwrap();
    drop(w);
    assert_eq!(*flushes.lock().unwrap(), 1, "shutdown counts as the flush");

    let mut w = SyncIo::new(Counting(Arc::clone(&flushes)));
    w.write_all(b"x").unwrap();
    drop(w);
    assert_eq!(
        *flushes.lock().unwrap(),
        2,
        "drop flushed the unflushed write"
    );
}

#[test]
fn into_inner_does_not_flush() {
    let (mem, (data, _)) = Mem::new();
    let mut w = SyncIo::new(tokio::io::BufWriter::new(mem));
    w.write_all(b"still buffered").unwrap();
    let buf = w.into_inner();
    assert_eq!(buf.buffer(), b"still buffered");
    assert!(data.lock().unwrap().is_empty());
}

#[test]
fn dropped_on_a_runtime_thread_it_does_not_block_or_hang() {
    // Written on a blocking thread, then dropped inside a task: flushing there would block a
    // runtime thread, so the drop does nothing (documented), and returns at once.
    support::on_current_thread(async {
        let (mem, (data, _contents)) = Mem::new();
        let w = tokio::task::spawn_blocking(move || {
            let mut w = SyncIo::new(tokio::io::BufWriter::new(mem));
            w.write_all(b"abc").unwrap();
            w
        })
        .await
        .unwrap();
        drop(w);
        assert!(
            data.lock().unwrap().is_empty(),
            "not flushed on a runtime thread"
        );
    });
}

#[test]
fn a_panic_with_unflushed_writes_does_not_flush_while_unwinding() {
    /// Panics on flush: flushing while unwinding would abort the process.
    struct PanicsOnFlush;
    impl tokio::io::AsyncWrite for PanicsOnFlush {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            b: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Ok(b.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            panic!("flush called while unwinding")
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }
    let result = std::panic::catch_unwind(|| {
        let mut w = SyncIo::new(PanicsOnFlush);
        w.write_all(b"x").unwrap();
        panic!("the caller panics");
    });
    let payload = result.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"the caller panics"));
}
