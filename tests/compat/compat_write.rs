//! `Compat` write faces: vectored writes forwarded both ways, flush, and close <-> shutdown.
#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::compat_model;

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use compat_model::{Chaos, Step, on_all_executors, within};
use iocompat::{FuturesAsyncWriteCompatExt, TokioAsyncWriteCompatExt};

/// Records every call it gets; vectored writes take every slice at once.
#[derive(Default)]
struct Log {
    calls: Vec<String>,
    written: Vec<u8>,
}

impl Log {
    fn write(&mut self, buf: &[u8]) -> usize {
        self.calls.push(format!("write({})", buf.len()));
        self.written.extend_from_slice(buf);
        buf.len()
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> usize {
        self.calls.push(format!("write_vectored({})", bufs.len()));
        bufs.iter()
            .map(|b| {
                self.written.extend_from_slice(b);
                b.len()
            })
            .sum()
    }
}

impl tokio::io::AsyncWrite for Log {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().write(buf)))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().write_vectored(bufs)))
    }
    fn is_write_vectored(&self) -> bool {
        true
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().calls.push("flush".into());
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().calls.push("shutdown".into());
        Poll::Ready(Ok(()))
    }
}

/// The same log, as a futures-io writer.
struct FuturesLog(Log);

impl futures_io::AsyncWrite for FuturesLog {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().0.write(buf)))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().0.write_vectored(bufs)))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().0.calls.push("flush".into());
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().0.calls.push("close".into());
        Poll::Ready(Ok(()))
    }
}

fn slices() -> [IoSlice<'static>; 3] {
    [
        IoSlice::new(b"ab"),
        IoSlice::new(b"cde"),
        IoSlice::new(b"f"),
    ]
}

#[test]
fn vectored_write_reaches_the_tokio_writer_whole() {
    within(10, || {
        futures::executor::block_on(async {
            let mut w = Log::default().compat_write();
            let n = futures::io::AsyncWriteExt::write_vectored(&mut w, &slices())
                .await
                .unwrap();
            assert_eq!(n, 6);
            futures::io::AsyncWriteExt::close(&mut w).await.unwrap();
            let log = w.into_inner();
            assert_eq!(log.calls, ["write_vectored(3)", "shutdown"]);
            assert_eq!(log.written, b"abcdef");
        })
    });
}

#[test]
fn vectored_write_reaches_the_futures_writer_whole() {
    within(10, || {
        futures::executor::block_on(async {
            let mut w = FuturesLog(Log::default()).compat_write();
            assert!(tokio::io::AsyncWrite::is_write_vectored(&w));
            let n = tokio::io::AsyncWriteExt::write_vectored(&mut w, &slices())
                .await
                .unwrap();
            assert_eq!(n, 6);
            tokio::io::AsyncWriteExt::flush(&mut w).await.unwrap();
            tokio::io::AsyncWriteExt::shutdown(&mut w).await.unwrap();
            let log = w.into_inner().0;
            assert_eq!(log.calls, ["write_vectored(3)", "flush", "close"]);
            assert_eq!(log.written, b"abcdef");
        })
    });
}

#[test]
fn tokio_write_all_buf_uses_vectored_writes_through_compat() {
    within(10, || {
        futures::executor::block_on(async {
            let mut w = FuturesLog(Log::default()).compat_write();
            let mut buf = bytes_chain();
            tokio::io::AsyncWriteExt::write_all_buf(&mut w, &mut buf)
                .await
                .unwrap();
            let log = w.into_inner().0;
            assert_eq!(log.calls, ["write_vectored(2)"]);
            assert_eq!(log.written, b"headbody");
        })
    });
}

fn bytes_chain() -> impl tokio_util::bytes::Buf {
    tokio_util::bytes::Buf::chain(&b"head"[..], &b"body"[..])
}

#[test]
fn close_shuts_the_tokio_side_down_and_the_peer_sees_eof() {
    on_all_executors(20, || async {
        let (a, mut b) = tokio::io::duplex(64);
        let mut a = a.compat_write();
        futures::io::AsyncWriteExt::write_all(&mut a, b"bye")
            .await
            .unwrap();
        futures::io::AsyncWriteExt::close(&mut a).await.unwrap();
        let mut got = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut b, &mut got)
            .await
            .unwrap();
        assert_eq!(got, b"bye");
    });
}

#[test]
fn short_and_pending_writes_lose_nothing_both_ways() {
    on_all_executors(20, || async {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 253) as u8).collect();
        let plan = vec![Step::Max(5), Step::Pending, Step::Max(1000), Step::Max(1)];

        let mut w = TokioAsyncWriteCompatExt::compat_write(Chaos::new(Vec::new(), plan.clone()));
        futures::io::AsyncWriteExt::write_all(&mut w, &data)
            .await
            .unwrap();
        futures::io::AsyncWriteExt::close(&mut w).await.unwrap();
        assert_eq!(w.into_inner().into_inner(), data);

        let mut w = FuturesAsyncWriteCompatExt::compat_write(Chaos::new(Vec::new(), plan));
        tokio::io::AsyncWriteExt::write_all(&mut w, &data)
            .await
            .unwrap();
        tokio::io::AsyncWriteExt::shutdown(&mut w).await.unwrap();
        assert_eq!(w.into_inner().into_inner(), data);
    });
}

#[test]
fn write_errors_pass_through_whole() {
    struct Full;
    impl futures_io::AsyncWrite for Full {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Err(io::Error::from_raw_os_error(28)))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }
    within(10, || {
        futures::executor::block_on(async {
            let mut w = Full.compat_write();
            let err = tokio::io::AsyncWriteExt::write(&mut w, b"x")
                .await
                .unwrap_err();
            assert_eq!(err.raw_os_error(), Some(28));
        })
    });
}
