//! `Compat` read faces: tokio -> futures-io and futures-io -> tokio, `AsyncRead` and
//! `AsyncBufRead`.
#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::compat_model;
use crate::data::data;

use std::io::{self, Cursor};
use std::pin::Pin;
use std::task::{Context, Poll};

use compat_model::{Chaos, Step, on_all_executors, within};
use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
use iocompat::{Compat, FuturesAsyncReadCompatExt, TokioAsyncReadCompatExt};
use tokio::io::{AsyncWriteExt as _, ReadBuf};

#[test]
fn tokio_duplex_read_through_futures_io_with_a_producer_task() {
    on_all_executors(20, || async {
        let expected = data(100_000);
        let (mut tx, rx) = tokio::io::duplex(1024);
        let producer = {
            let expected = expected.clone();
            async move {
                for chunk in expected.chunks(777) {
                    tx.write_all(chunk).await.unwrap();
                }
            }
        };
        let consumer = async move {
            let mut got = Vec::new();
            rx.compat().read_to_end(&mut got).await.unwrap();
            got
        };
        let ((), got) = futures::join!(Compat::new(producer), Compat::new(consumer));
        assert_eq!(got, expected);
    });
}

#[test]
fn futures_reader_read_through_tokio_under_chaos() {
    on_all_executors(20, || async {
        let expected = data(50_000);
        let plan = vec![Step::Max(3), Step::Pending, Step::Max(4096), Step::Max(1)];
        let mut reader =
            FuturesAsyncReadCompatExt::compat(Chaos::new(Cursor::new(expected.clone()), plan));
        let mut got = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut got)
            .await
            .unwrap();
        assert_eq!(got, expected);
    });
}

/// A futures-io reader that records what it was handed, writes `fill` over all of it and
/// claims `claim` bytes.
struct Recorder {
    seen: Vec<Vec<u8>>,
    fill: u8,
    claim: usize,
}

impl futures_io::AsyncRead for Recorder {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.seen.push(buf.to_vec());
        buf.fill(this.fill);
        Poll::Ready(Ok(this.claim))
    }
}

fn poll_tokio_read(reader: &mut Compat<Recorder>, buf: &mut ReadBuf<'_>) -> io::Result<()> {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    match tokio::io::AsyncRead::poll_read(Pin::new(reader), &mut cx, buf) {
        Poll::Ready(r) => r,
        Poll::Pending => panic!("Recorder is always ready"),
    }
}

#[test]
fn initialised_read_buf_region_is_not_zeroed_again() {
    // Already-initialised memory goes to the reader as it is.
    let mut reader = Compat::new(Recorder {
        seen: Vec::new(),
        fill: 0x55,
        claim: 1,
    });
    let mut storage = [0xAAu8; 8];
    let mut buf = ReadBuf::new(&mut storage);
    poll_tokio_read(&mut reader, &mut buf).unwrap();
    assert_eq!(reader.get_ref().seen[0], [0xAA; 8]);
    assert_eq!(buf.filled(), [0x55]);

    // Uninitialised memory is zeroed once; after that the bytes the reader left there stay.
    let mut storage = [std::mem::MaybeUninit::<u8>::uninit(); 8];
    let mut buf = ReadBuf::uninit(&mut storage);
    poll_tokio_read(&mut reader, &mut buf).unwrap();
    assert_eq!(reader.get_ref().seen[1], [0; 8]);
    buf.clear();
    poll_tokio_read(&mut reader, &mut buf).unwrap();
    assert_eq!(
        reader.get_ref().seen[2],
        [0x55; 8],
        "the initialised region was zeroed again"
    );
}

#[test]
fn futures_reader_claiming_more_than_the_buffer_is_invalid_data_not_a_panic() {
    let mut reader = Compat::new(Recorder {
        seen: Vec::new(),
        fill: 0,
        claim: 100,
    });
    let mut storage = [0u8; 8];
    let mut buf = ReadBuf::new(&mut storage);
    let err = poll_tokio_read(&mut reader, &mut buf).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(
        err.to_string().contains("100 bytes for a 8-byte buffer"),
        "{err}"
    );
    assert!(buf.filled().is_empty());
}

#[test]
fn reader_errors_pass_through_whole() {
    within(10, || {
        futures::executor::block_on(async {
            let failing = tokio_test_reader_error();
            let mut reader = failing.compat();
            let err = reader.read(&mut [0u8; 4]).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
            assert_eq!(err.to_string(), "peer went away");
        })
    });
}

fn tokio_test_reader_error() -> impl tokio::io::AsyncRead + Unpin {
    struct Failing;
    impl tokio::io::AsyncRead for Failing {
        fn poll_read(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            _buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "peer went away",
            )))
        }
    }
    Failing
}

#[test]
fn tokio_buf_reader_lines_through_futures_io() {
    on_all_executors(20, || async {
        let text = "alpha\nbeta\n\ngamma";
        let reader = tokio::io::BufReader::with_capacity(
            3,
            Chaos::new(Cursor::new(text), vec![Step::Pending, Step::Max(2)]),
        );
        let mut lines = TokioAsyncReadCompatExt::compat(reader).lines();
        let mut got = Vec::new();
        while let Some(line) = futures::StreamExt::next(&mut lines).await {
            got.push(line.unwrap());
        }
        assert_eq!(got, ["alpha", "beta", "", "gamma"]);
    });
}

#[test]
fn futures_buf_reader_lines_through_tokio() {
    on_all_executors(20, || async {
        let text = "alpha\nbeta\n\ngamma";
        let reader = Chaos::new(Cursor::new(text), vec![Step::Max(2), Step::Pending]);
        let mut lines =
            tokio::io::AsyncBufReadExt::lines(FuturesAsyncReadCompatExt::compat(reader));
        let mut got = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            got.push(line);
        }
        assert_eq!(got, ["alpha", "beta", "", "gamma"]);
    });
}

#[test]
fn fill_buf_and_consume_are_forwarded_both_ways() {
    within(10, || {
        futures::executor::block_on(async {
            // tokio value, futures-io face.
            let mut r = TokioAsyncReadCompatExt::compat(Cursor::new(b"abcdef".to_vec()));
            assert_eq!(
                futures::io::AsyncBufReadExt::fill_buf(&mut r)
                    .await
                    .unwrap(),
                b"abcdef"
            );
            futures::io::AsyncBufReadExt::consume_unpin(&mut r, 4);
            assert_eq!(
                futures::io::AsyncBufReadExt::fill_buf(&mut r)
                    .await
                    .unwrap(),
                b"ef"
            );

            // futures-io value, tokio face.
            let mut r =
                FuturesAsyncReadCompatExt::compat(futures::io::Cursor::new(b"abcdef".to_vec()));
            assert_eq!(
                tokio::io::AsyncBufReadExt::fill_buf(&mut r).await.unwrap(),
                b"abcdef"
            );
            tokio::io::AsyncBufReadExt::consume(&mut r, 5);
            assert_eq!(
                tokio::io::AsyncBufReadExt::fill_buf(&mut r).await.unwrap(),
                b"f"
            );
        })
    });
}
