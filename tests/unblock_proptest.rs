//! Property tests: `Unblock` over chaotic inner values (short reads and writes, `Interrupted`,
//! errors at chosen offsets) behaves exactly like a plain `std::io::Cursor`, under random
//! operations, seeks and cancellation points, on all three executors.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

mod support;

use std::io::{Cursor, Read, Seek, SeekFrom, Write};

use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use iocompat::Unblock;
use proptest::prelude::*;
use support::mock::Chaos;

#[derive(Debug, Clone)]
enum Op {
    Read(usize),
    FillConsume(usize),
    Write(Vec<u8>),
    Seek(SeekFrom),
    Flush,
    CancelRead(usize),
    CancelWrite(Vec<u8>),
    CancelFlush,
    CancelSeek(SeekFrom),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1usize..70_000).prop_map(Op::Read),
        2 => (1usize..5_000).prop_map(Op::FillConsume),
        3 => proptest::collection::vec(any::<u8>(), 1..30_000).prop_map(Op::Write),
        2 => seek_from().prop_map(Op::Seek),
        1 => Just(Op::Flush),
        1 => (1usize..10_000).prop_map(Op::CancelRead),
        1 => proptest::collection::vec(any::<u8>(), 1..300_000).prop_map(Op::CancelWrite),
        1 => Just(Op::CancelFlush),
        1 => seek_from().prop_map(Op::CancelSeek),
    ]
}

fn seek_from() -> impl Strategy<Value = SeekFrom> {
    prop_oneof![
        (0u64..120_000).prop_map(SeekFrom::Start),
        (-40_000i64..40_000).prop_map(SeekFrom::Current),
        (-60_000i64..10).prop_map(SeekFrom::End),
    ]
}

fn capacity() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0usize),
        Just(7),
        Just(4096),
        Just(65_536),
        Just(1 << 20)
    ]
}

async fn run_ops(initial: Vec<u8>, cap: usize, seed: u64, ops: Vec<Op>) {
    let model = Cursor::new(initial.clone());
    let ours = Unblock::builder()
        .capacity(cap)
        .build_seekable(Chaos::new(Cursor::new(initial), seed));
    let (inner, model) = run_ops_on(ours, model, ops).await;
    assert!(inner.inner.into_inner() == model, "final contents differ");
}

/// The same over a real `File` opened read-write (on Linux, read inline from the page cache
/// where it can be, and on the pool where it cannot: `evicted` drops the pages first).
async fn run_ops_on_file(initial: Vec<u8>, cap: usize, evicted: bool, ops: Vec<Op>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SERIAL: AtomicUsize = AtomicUsize::new(0);
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "unblock_proptest_{}_{}.bin",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, &initial).unwrap();
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    if evicted {
        file.sync_all().unwrap();
        #[cfg(target_os = "linux")]
        rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed).unwrap();
    }
    let ours = Unblock::builder().capacity(cap).build(file);
    let (file, model) = run_ops_on(ours, Cursor::new(initial), ops).await;
    drop(file);
    let contents = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(contents == model, "final file contents differ");
}

/// Applies `ops` to `ours` and to the `model`, comparing every result; returns the inner
/// value and the model's contents for the caller to compare.
async fn run_ops_on<T>(
    mut ours: Unblock<T>,
    mut model: Cursor<Vec<u8>>,
    ops: Vec<Op>,
) -> (T, Vec<u8>)
where
    T: Read + Write + Seek + Send + 'static,
{
    for op in ops {
        match op {
            Op::Read(n) => {
                let mut buf = vec![0u8; n];
                let got = ours.read(&mut buf).await.unwrap();
                let mut want = vec![0u8; got];
                let m = model.read(&mut want).unwrap();
                assert_eq!(m, got, "read length");
                assert!(buf[..got] == want[..], "read bytes differ");
                if got == 0 {
                    assert_eq!(model.read(&mut [0u8; 1]).unwrap(), 0, "0 only at the end");
                }
            }
            Op::FillConsume(n) => {
                let have = ours.fill_buf().await.unwrap();
                let k = have.len().min(n);
                let mut want = vec![0u8; k];
                model.read_exact(&mut want).unwrap();
                assert!(have[..k] == want[..], "fill_buf bytes differ");
                ours.consume_unpin(k);
            }
            Op::Write(data) => {
                ours.write_all(&data).await.unwrap();
                model.write_all(&data).unwrap();
            }
            Op::Seek(pos) => {
                let got = ours.seek(pos).await;
                let want = model.seek(pos);
                match (got, want) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "seek {pos:?}"),
                    (Err(_), Err(_)) => {}
                    (a, b) => panic!("seek {pos:?}: ours {a:?}, std {b:?}"),
                }
            }
            Op::Flush => ours.flush().await.unwrap(),
            Op::CancelRead(n) => {
                let mut buf = vec![0u8; n];
                let mut fut = ours.read(&mut buf);
                if let std::task::Poll::Ready(res) = futures::poll!(&mut fut) {
                    let got = res.unwrap();
                    let mut want = vec![0u8; got];
                    model.read_exact(&mut want).unwrap();
                    drop(fut);
                    assert!(buf[..got] == want[..], "cancelled read bytes differ");
                }
            }
            Op::CancelWrite(data) => {
                // Accepted bytes count; a write dropped while pending accepted nothing.
                let mut fut = ours.write(&data);
                if let std::task::Poll::Ready(res) = futures::poll!(&mut fut) {
                    let n = res.unwrap();
                    model.write_all(&data[..n]).unwrap();
                }
            }
            Op::CancelFlush => {
                let mut fut = ours.flush();
                let _ = futures::poll!(&mut fut);
            }
            Op::CancelSeek(pos) => {
                let before = model.position();
                let target = model.clone().seek(pos).ok();
                {
                    let mut fut = ours.seek(pos);
                    if let std::task::Poll::Ready(res) = futures::poll!(&mut fut) {
                        assert_eq!(res.ok(), target);
                    }
                }
                // A dropped seek either happened or did not: nothing in between.
                let now = ours.seek(SeekFrom::Current(0)).await.unwrap();
                assert!(
                    now == before || Some(now) == target,
                    "after a dropped seek to {pos:?}: at {now}, before {before}, target {target:?}"
                );
                model.set_position(now);
            }
        }
    }
    ours.flush().await.unwrap();
    let pos = ours.seek(SeekFrom::Current(0)).await.unwrap();
    assert_eq!(pos, model.position(), "final position");
    let inner = ours.into_inner().await.unwrap();
    (inner, model.into_inner())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(24),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn behaves_like_a_cursor_current_thread(
        initial in proptest::collection::vec(any::<u8>(), 0..100_000),
        cap in capacity(),
        seed in any::<u64>(),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        support::on_current_thread(run_ops(initial, cap, seed, ops));
    }

    #[test]
    fn behaves_like_a_cursor_multi_thread(
        initial in proptest::collection::vec(any::<u8>(), 0..100_000),
        cap in capacity(),
        seed in any::<u64>(),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        support::on_multi_thread(run_ops(initial, cap, seed, ops));
    }

    #[test]
    fn behaves_like_a_cursor_block_on(
        initial in proptest::collection::vec(any::<u8>(), 0..100_000),
        cap in capacity(),
        seed in any::<u64>(),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        support::on_block_on(run_ops(initial, cap, seed, ops));
    }

    #[test]
    fn a_real_file_behaves_like_a_cursor(
        initial in proptest::collection::vec(any::<u8>(), 0..100_000),
        cap in capacity(),
        evicted in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        support::on_current_thread(run_ops_on_file(initial.clone(), cap, evicted, ops.clone()));
        support::on_block_on(run_ops_on_file(initial, cap, evicted, ops));
    }

    /// An error at a random offset is reported exactly once, in place: every byte before it
    /// arrives, and reading then continues with every byte after it.
    #[test]
    fn read_error_at_random_offset_loses_nothing(
        src in proptest::collection::vec(any::<u8>(), 1..200_000),
        at_frac in 0.0f64..1.0,
        cap in capacity(),
        seed in any::<u64>(),
    ) {
        let at = ((src.len() - 1) as f64 * at_frac) as u64;
        support::on_multi_thread(async move {
            let mut chaos = Chaos::new(Cursor::new(src.clone()), seed);
            chaos.fail_at = Some(at);
            let mut ours = Unblock::with_capacity(cap, chaos);
            let mut out = Vec::new();
            let mut errors = 0;
            let mut buf = vec![0u8; 10_000];
            loop {
                match ours.read(&mut buf).await {
                    Ok(0) => break,
                    Ok(n) => out.extend_from_slice(&buf[..n]),
                    Err(e) => {
                        assert_eq!(e.to_string(), format!("chaos read error at {at}"));
                        assert!(out.len() as u64 <= at);
                        errors += 1;
                    }
                }
            }
            assert_eq!(errors, 1);
            assert!(out == src, "bytes lost or duplicated around the error");
        });
    }

    /// A write error at a random offset comes back once; flushing again writes the rest, so
    /// the final contents are exactly what was written.
    #[test]
    fn write_error_at_random_offset_loses_nothing(
        src in proptest::collection::vec(any::<u8>(), 1..200_000),
        at_frac in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        let at = ((src.len() - 1) as f64 * at_frac) as u64;
        support::on_current_thread(async move {
            let mut chaos = Chaos::new(Cursor::new(Vec::new()), seed);
            chaos.fail_at = Some(at);
            let mut ours = Unblock::new(chaos);
            let mut errors = 0;
            let mut rest = &src[..];
            while !rest.is_empty() {
                match ours.write(rest).await {
                    Ok(n) => rest = &rest[n..],
                    Err(e) => {
                        assert_eq!(e.to_string(), format!("chaos write error at {at}"));
                        errors += 1;
                    }
                }
            }
            loop {
                match ours.flush().await {
                    Ok(()) => break,
                    Err(e) => {
                        assert_eq!(e.to_string(), format!("chaos write error at {at}"));
                        errors += 1;
                    }
                }
            }
            assert_eq!(errors, 1, "the error is reported exactly once");
            let inner = ours.into_inner().await.unwrap();
            assert!(inner.inner.into_inner() == src, "bytes lost or duplicated");
        });
    }
}
