//! Property tests: bytes and seek positions through `SyncIo`, over tokio and futures-io values,
//! equal a plain `std::io::Cursor` model under any chunking, spurious `Pending` and
//! `Interrupted` (which `SyncIo` passes through, as `std::io` callers expect).
#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::compat_model;

use std::io::{self, BufRead, Cursor, IoSlice, Read, Seek, SeekFrom, Write};

use compat_model::{Chaos, Step, within};
use iocompat::SyncIo;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

fn plan() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => (1usize..300).prop_map(Step::Max),
        1 => Just(Step::Pending),
        1 => Just(Step::Interrupted),
    ];
    (prop::collection::vec(step, 0..8), 1usize..300).prop_map(|(mut plan, n)| {
        plan.push(Step::Max(n));
        plan
    })
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

fn io_case() -> impl Strategy<Value = (Vec<u8>, Vec<Step>, Vec<usize>)> {
    (
        prop::collection::vec(any::<u8>(), 0..3000),
        plan(),
        prop::collection::vec(1usize..400, 1..6),
    )
}

/// Reads to EOF with reads of `sizes`, retrying `Interrupted`.
fn read_all(r: &mut impl Read, sizes: &[usize]) -> Result<Vec<u8>, TestCaseError> {
    let mut out = Vec::new();
    for i in 0.. {
        let mut buf = vec![0u8; sizes[i % sizes.len()]];
        match r.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(TestCaseError::fail(format!("read failed: {e}"))),
        }
    }
    unreachable!()
}

/// Reads to EOF with `fill_buf` and partial `consume`s of at most `sizes`.
fn fill_consume_all(r: &mut impl BufRead, sizes: &[usize]) -> Result<Vec<u8>, TestCaseError> {
    let mut out = Vec::new();
    for i in 0.. {
        match r.fill_buf() {
            Ok([]) => return Ok(out),
            Ok(buf) => {
                let take = buf.len().min(sizes[i % sizes.len()]);
                out.extend_from_slice(&buf[..take]);
                r.consume(take);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(TestCaseError::fail(format!("fill_buf failed: {e}"))),
        }
    }
    unreachable!()
}

/// Writes `data` in `sizes` chunks, every other one as a two-slice vectored write.
fn write_all(w: &mut impl Write, data: &[u8], sizes: &[usize]) -> Result<(), TestCaseError> {
    let mut pos = 0;
    let mut i = 0;
    while pos < data.len() {
        let end = data.len().min(pos + sizes[i % sizes.len()]);
        let chunk = &data[pos..end];
        let result = if i % 2 == 0 {
            w.write(chunk)
        } else {
            let (a, b) = chunk.split_at(chunk.len() / 2);
            w.write_vectored(&[IoSlice::new(a), IoSlice::new(b)])
        };
        match result {
            Ok(n) => pos += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(TestCaseError::fail(format!("write failed: {e}"))),
        }
        i += 1;
    }
    w.flush().map_err(|e| TestCaseError::fail(e.to_string()))
}

#[test]
fn reads_over_tokio_and_futures_values_equal_the_source() {
    run(io_case(), |(data, plan, sizes)| {
        let mut r = SyncIo::new(Chaos::new(Cursor::new(data.clone()), plan.clone()));
        prop_assert_eq!(&read_all(&mut r, &sizes)?, &data);
        let mut r = SyncIo::from_futures_io(Chaos::new(Cursor::new(data.clone()), plan));
        prop_assert_eq!(&read_all(&mut r, &sizes)?, &data);
        Ok(())
    });
}

#[test]
fn buffered_reads_over_tokio_and_futures_values_equal_the_source() {
    run(io_case(), |(data, plan, sizes)| {
        let mut r = SyncIo::new(Chaos::new(Cursor::new(data.clone()), plan.clone()));
        prop_assert_eq!(&fill_consume_all(&mut r, &sizes)?, &data);
        let mut r = SyncIo::from_futures_io(Chaos::new(Cursor::new(data.clone()), plan));
        prop_assert_eq!(&fill_consume_all(&mut r, &sizes)?, &data);
        Ok(())
    });
}

#[test]
fn writes_over_tokio_and_futures_values_equal_the_source() {
    run(io_case(), |(data, plan, sizes)| {
        let mut w = SyncIo::new(Chaos::new(Vec::new(), plan.clone()));
        write_all(&mut w, &data, &sizes)?;
        prop_assert_eq!(&w.into_inner().into_inner(), &data);
        let mut w = SyncIo::from_futures_io(Chaos::new(Vec::new(), plan));
        write_all(&mut w, &data, &sizes)?;
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

/// Applies `ops`; a read reads until `n` bytes or EOF, so short reads do not matter.
fn apply(io: &mut (impl Read + Seek), ops: &[Op]) -> Vec<Result<Vec<u8>, io::ErrorKind>> {
    ops.iter()
        .map(|op| match op {
            Op::Read(n) => {
                let mut buf = vec![0u8; *n];
                let mut k = 0;
                while k < *n {
                    match io.read(&mut buf[k..]) {
                        Ok(0) => break,
                        Ok(m) => k += m,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e.kind()),
                    }
                }
                buf.truncate(k);
                Ok(buf)
            }
            Op::Seek(pos) => io
                .seek(*pos)
                .map(|p| p.to_le_bytes().to_vec())
                .map_err(|e| e.kind()),
        })
        .collect()
}

#[test]
fn seek_positions_over_tokio_and_futures_values_agree_with_the_model() {
    let case = (
        prop::collection::vec(any::<u8>(), 0..100),
        plan(),
        prop::collection::vec(op(), 1..25),
    );
    run(case, |(data, plan, ops)| {
        let expected = apply(&mut Cursor::new(data.clone()), &ops);
        let mut s = SyncIo::new(Chaos::new(Cursor::new(data.clone()), plan.clone()));
        prop_assert_eq!(&apply(&mut s, &ops), &expected);
        let mut s = SyncIo::from_futures_io(Chaos::new(Cursor::new(data.clone()), plan));
        prop_assert_eq!(&apply(&mut s, &ops), &expected);
        Ok(())
    });
}
