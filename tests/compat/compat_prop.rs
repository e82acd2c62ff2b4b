//! Property tests: bytes and seek positions through `Compat`, both ways, equal a plain
//! `std::io::Cursor` model under any chunking, spurious `Pending`, `Interrupted` and
//! cancellation of reads and writes.
#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::compat_model;

use std::future::Future;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::pin::pin;
use std::task::{Context, Poll};

use compat_model::{Chaos, Step, within};
use futures::future::LocalBoxFuture;
use iocompat::{
    FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt, TokioAsyncReadCompatExt,
    TokioAsyncWriteCompatExt,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1usize..300).prop_map(Step::Max),
        1 => Just(Step::Pending),
        1 => Just(Step::Interrupted),
    ]
}

/// A plan that always makes progress somewhere in its cycle.
fn plan() -> impl Strategy<Value = Vec<Step>> {
    (prop::collection::vec(step(), 0..8), 1usize..300).prop_map(|(mut plan, n)| {
        plan.push(Step::Max(n));
        plan
    })
}

/// Polls `fut` once; if it is pending, drops it (`cancel`) or blocks until it is done.
fn poll_or_cancel<F: Future>(fut: F, cancel: bool) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let waker = futures::task::noop_waker();
    match fut.as_mut().poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(out) => Some(out),
        Poll::Pending if cancel => None,
        Poll::Pending => Some(futures::executor::block_on(fut)),
    }
}

fn run<S: Strategy + Send + 'static>(
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
) where
    S::Value: std::fmt::Debug,
{
    within(120, move || {
        let mut runner = TestRunner::new(Config {
            cases: 200,
            failure_persistence: None,
            ..Config::default()
        });
        if let Err(e) = runner.run(&strategy, test) {
            panic!("{e}");
        }
    });
}

type Io<'a, T> = LocalBoxFuture<'a, io::Result<T>>;

/// Reads everything from `r` with `read`, cancelling where `cancels` says, retrying
/// `Interrupted`.
fn read_all<R>(
    r: &mut R,
    len: usize,
    sizes: &[usize],
    cancels: &[bool],
    read: for<'a> fn(&'a mut R, usize) -> Io<'a, Vec<u8>>,
) -> Result<Vec<u8>, TestCaseError> {
    let mut out = Vec::new();
    for i in 0..(len + 2) * 40 {
        let n = sizes[i % sizes.len()];
        match poll_or_cancel(read(r, n), cancels[i % cancels.len()]) {
            None => {}
            Some(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Some(Err(e)) => return Err(TestCaseError::fail(format!("read failed: {e}"))),
            Some(Ok(chunk)) if chunk.is_empty() => return Ok(out),
            Some(Ok(chunk)) => out.extend_from_slice(&chunk),
        }
    }
    Err(TestCaseError::fail("no EOF after many reads"))
}

fn futures_read<R: futures_io::AsyncRead + Unpin>(r: &mut R, n: usize) -> Io<'_, Vec<u8>> {
    Box::pin(async move {
        let mut buf = vec![0u8; n];
        let k = futures::io::AsyncReadExt::read(r, &mut buf).await?;
        buf.truncate(k);
        Ok(buf)
    })
}

fn tokio_read<R: tokio::io::AsyncRead + Unpin>(r: &mut R, n: usize) -> Io<'_, Vec<u8>> {
    Box::pin(async move {
        let mut buf = vec![0u8; n];
        let k = tokio::io::AsyncReadExt::read(r, &mut buf).await?;
        buf.truncate(k);
        Ok(buf)
    })
}

fn futures_fill_consume<R: futures_io::AsyncBufRead + Unpin>(
    r: &mut R,
    n: usize,
) -> Io<'_, Vec<u8>> {
    Box::pin(async move {
        let buf = futures::io::AsyncBufReadExt::fill_buf(&mut *r).await?;
        let take = buf.len().min(n);
        let chunk = buf[..take].to_vec();
        futures::io::AsyncBufReadExt::consume_unpin(r, take);
        Ok(chunk)
    })
}

fn tokio_fill_consume<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R, n: usize) -> Io<'_, Vec<u8>> {
    Box::pin(async move {
        let buf = tokio::io::AsyncBufReadExt::fill_buf(&mut *r).await?;
        let take = buf.len().min(n);
        let chunk = buf[..take].to_vec();
        tokio::io::AsyncBufReadExt::consume(r, take);
        Ok(chunk)
    })
}

fn io_case() -> impl Strategy<Value = (Vec<u8>, Vec<Step>, Vec<usize>, Vec<bool>)> {
    (
        prop::collection::vec(any::<u8>(), 0..3000),
        plan(),
        prop::collection::vec(1usize..400, 1..6),
        prop::collection::vec(any::<bool>(), 1..6),
    )
}

#[test]
fn tokio_reader_through_the_futures_face_equals_the_source() {
    run(io_case(), |(data, plan, sizes, cancels)| {
        let mut r = TokioAsyncReadCompatExt::compat(Chaos::new(Cursor::new(data.clone()), plan));
        let got = read_all(&mut r, data.len(), &sizes, &cancels, futures_read)?;
        prop_assert_eq!(got, data);
        Ok(())
    });
}

#[test]
fn futures_reader_through_the_tokio_face_equals_the_source() {
    run(io_case(), |(data, plan, sizes, cancels)| {
        let mut r = FuturesAsyncReadCompatExt::compat(Chaos::new(Cursor::new(data.clone()), plan));
        let got = read_all(&mut r, data.len(), &sizes, &cancels, tokio_read)?;
        prop_assert_eq!(got, data);
        Ok(())
    });
}

#[test]
fn buffered_reads_through_both_faces_equal_the_source() {
    run(io_case(), |(data, plan, sizes, cancels)| {
        // fill_buf + partial consume, via the futures face over a tokio BufReader.
        let inner = tokio::io::BufReader::with_capacity(
            64,
            Chaos::new(Cursor::new(data.clone()), plan.clone()),
        );
        let mut r = TokioAsyncReadCompatExt::compat(inner);
        let got = read_all(&mut r, data.len(), &sizes, &cancels, futures_fill_consume)?;
        prop_assert_eq!(&got, &data);

        // The same via the tokio face over a futures-io value.
        let mut r = FuturesAsyncReadCompatExt::compat(Chaos::new(Cursor::new(data.clone()), plan));
        let got = read_all(&mut r, data.len(), &sizes, &cancels, tokio_fill_consume)?;
        prop_assert_eq!(got, data);
        Ok(())
    });
}

/// Writes `data` to `w` in `sizes` chunks with `write`, cancelling where `cancels` says,
/// retrying `Interrupted`.
fn write_all<W>(
    w: &mut W,
    data: &[u8],
    sizes: &[usize],
    cancels: &[bool],
    write: for<'a> fn(&'a mut W, Vec<u8>) -> Io<'a, usize>,
) -> Result<(), TestCaseError> {
    let mut pos = 0;
    for i in 0..(data.len() + 2) * 40 {
        if pos == data.len() {
            return Ok(());
        }
        let end = data.len().min(pos + sizes[i % sizes.len()]);
        match poll_or_cancel(
            write(w, data[pos..end].to_vec()),
            cancels[i % cancels.len()],
        ) {
            None => {}
            Some(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Some(Err(e)) => return Err(TestCaseError::fail(format!("write failed: {e}"))),
            Some(Ok(n)) => pos += n,
        }
    }
    Err(TestCaseError::fail("writes made no progress"))
}

fn futures_write<W: futures_io::AsyncWrite + Unpin>(w: &mut W, chunk: Vec<u8>) -> Io<'_, usize> {
    Box::pin(async move { futures::io::AsyncWriteExt::write(w, &chunk).await })
}

fn tokio_write<W: tokio::io::AsyncWrite + Unpin>(w: &mut W, chunk: Vec<u8>) -> Io<'_, usize> {
    Box::pin(async move { tokio::io::AsyncWriteExt::write(w, &chunk).await })
}

#[test]
fn writes_through_both_faces_equal_the_source() {
    run(io_case(), |(data, plan, sizes, cancels)| {
        let mut w = TokioAsyncWriteCompatExt::compat_write(Chaos::new(Vec::new(), plan.clone()));
        write_all(&mut w, &data, &sizes, &cancels, futures_write)?;
        prop_assert_eq!(&w.into_inner().into_inner(), &data);

        let mut w = FuturesAsyncWriteCompatExt::compat_write(Chaos::new(Vec::new(), plan));
        write_all(&mut w, &data, &sizes, &cancels, tokio_write)?;
        prop_assert_eq!(&w.into_inner().into_inner(), &data);
        Ok(())
    });
}

#[derive(Clone, Debug)]
enum Op {
    Read(usize),
    Seek(SeekFrom),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..50).prop_map(Op::Read),
        (0u64..120).prop_map(|n| Op::Seek(SeekFrom::Start(n))),
        (-60i64..60).prop_map(|n| Op::Seek(SeekFrom::Current(n))),
        (-120i64..10).prop_map(|n| Op::Seek(SeekFrom::End(n))),
    ]
}

/// What the model says each op returns: bytes read, or the position / error kind of a seek.
#[derive(Debug, PartialEq)]
enum Outcome {
    Read(Vec<u8>),
    Seek(Result<u64, io::ErrorKind>),
}

fn model(data: &[u8], ops: &[Op]) -> Vec<Outcome> {
    let mut c = Cursor::new(data.to_vec());
    ops.iter()
        .map(|op| match op {
            Op::Read(n) => {
                let mut buf = vec![0u8; *n];
                let k = c.read(&mut buf).unwrap();
                buf.truncate(k);
                Outcome::Read(buf)
            }
            Op::Seek(pos) => Outcome::Seek(c.seek(*pos).map_err(|e| e.kind())),
        })
        .collect()
}

fn seek_case() -> impl Strategy<Value = (Vec<u8>, Vec<Step>, Vec<Op>)> {
    (
        prop::collection::vec(any::<u8>(), 0..100),
        // Always some progress in the cycle.
        prop::collection::vec(
            prop_oneof![(1usize..40).prop_map(Step::Max), Just(Step::Pending)],
            0..6,
        )
        .prop_map(|mut plan| {
            plan.push(Step::Max(7));
            plan
        }),
        prop::collection::vec(op(), 1..25),
    )
}

#[test]
fn seek_positions_through_the_tokio_face_agree_with_the_model() {
    run(seek_case(), |(data, plan, ops)| {
        let mut r = FuturesAsyncReadCompatExt::compat(Chaos::new(Cursor::new(data.clone()), plan));
        let got: Vec<Outcome> = futures::executor::block_on(async {
            let mut out = Vec::new();
            for op in &ops {
                out.push(match op {
                    Op::Read(n) => {
                        let mut buf = vec![0u8; *n];
                        // One read may be short (Chaos): read until n bytes or EOF, like the
                        // model's single read over a Cursor, which is never short.
                        let mut k = 0;
                        while k < *n {
                            let m = tokio::io::AsyncReadExt::read(&mut r, &mut buf[k..])
                                .await
                                .unwrap();
                            if m == 0 {
                                break;
                            }
                            k += m;
                        }
                        buf.truncate(k);
                        Outcome::Read(buf)
                    }
                    Op::Seek(pos) => Outcome::Seek(
                        tokio::io::AsyncSeekExt::seek(&mut r, *pos)
                            .await
                            .map_err(|e| e.kind()),
                    ),
                });
            }
            out
        });
        prop_assert_eq!(got, model(&data, &ops));
        Ok(())
    });
}

#[test]
fn seek_positions_through_the_futures_face_agree_with_the_model() {
    run(seek_case(), |(data, plan, ops)| {
        let mut r = TokioAsyncReadCompatExt::compat(Chaos::new(Cursor::new(data.clone()), plan));
        let got: Vec<Outcome> = futures::executor::block_on(async {
            let mut out = Vec::new();
            for op in &ops {
                out.push(match op {
                    Op::Read(n) => {
                        let mut buf = vec![0u8; *n];
                        let mut k = 0;
                        while k < *n {
                            let m = futures::io::AsyncReadExt::read(&mut r, &mut buf[k..])
                                .await
                                .unwrap();
                            if m == 0 {
                                break;
                            }
                            k += m;
                        }
                        buf.truncate(k);
                        Outcome::Read(buf)
                    }
                    Op::Seek(pos) => Outcome::Seek(
                        futures::io::AsyncSeekExt::seek(&mut r, *pos)
                            .await
                            .map_err(|e| e.kind()),
                    ),
                });
            }
            out
        });
        prop_assert_eq!(got, model(&data, &ops));
        Ok(())
    });
}
