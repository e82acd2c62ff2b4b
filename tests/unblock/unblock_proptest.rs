//! Property tests: `Unblock` over chaotic inner values (short reads and writes, `Interrupted`,
//! errors at chosen offsets) behaves exactly like a plain `std::io::Cursor`, under random
//! operations, seeks and cancellation points, on all three executors.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::support;

use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::Path;

use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use iocompat::Unblock;
use proptest::prelude::*;
use support::mock::Chaos;
use support::pool::ManualPool;

#[derive(Debug, Clone)]
enum Op {
    /// futures-io `read`.
    Read(usize),
    /// tokio `read` into an initialised buffer (inline reads fill it directly).
    TokioRead(usize),
    /// tokio `read_buf` into spare capacity (never zeroed for an inline read).
    TokioReadBuf(usize),
    FillConsume(usize),
    Write(Vec<u8>),
    Seek(SeekFrom),
    /// tokio `start_seek`, then a read without `poll_complete`.
    StartSeekThenRead(SeekFrom, usize),
    Flush,
    /// `get_mut`, then the value's own cursor, a seek or a read on it.
    GetMutPosition,
    GetMutSeek(SeekFrom),
    GetMutRead(usize),
    /// `with_mut`, reading the value's cursor on the pool.
    WithMutPosition,
    /// Drop the file's pages from the page cache (a real `File` only).
    Evict,
    CancelRead(usize),
    CancelTokioRead(usize),
    CancelWrite(Vec<u8>),
    CancelFlush,
    CancelSeek(SeekFrom),
}

fn read_size() -> impl Strategy<Value = usize> {
    prop_oneof![1usize..100, 100usize..40_000, 30_000usize..300_000]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => read_size().prop_map(Op::Read),
        2 => read_size().prop_map(Op::TokioRead),
        1 => read_size().prop_map(Op::TokioReadBuf),
        2 => (1usize..5_000).prop_map(Op::FillConsume),
        3 => proptest::collection::vec(any::<u8>(), 1..30_000).prop_map(Op::Write),
        2 => seek_from().prop_map(Op::Seek),
        1 => (seek_from(), read_size()).prop_map(|(s, n)| Op::StartSeekThenRead(s, n)),
        1 => Just(Op::Flush),
        1 => Just(Op::GetMutPosition),
        1 => seek_from().prop_map(Op::GetMutSeek),
        1 => read_size().prop_map(Op::GetMutRead),
        1 => Just(Op::WithMutPosition),
        1 => Just(Op::Evict),
        1 => (1usize..10_000).prop_map(Op::CancelRead),
        1 => read_size().prop_map(Op::CancelTokioRead),
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
        Just(1 << 20),
        Just(8 << 20)
    ]
}

async fn run_ops(initial: Vec<u8>, cap: usize, seed: u64, ops: Vec<Op>) {
    let model = Cursor::new(initial.clone());
    let ours = Unblock::builder()
        .capacity(cap)
        .build_seekable(Chaos::new(Cursor::new(initial), seed));
    let (inner, model, _) = run_ops_on(ours, model, ops, None).await;
    assert!(inner.inner.into_inner() == model, "final contents differ");
}

/// The same over a real `File` opened read-write: on Linux read inline from the page cache
/// where it can be and on the pool where it cannot (`Op::Evict` drops the pages). `spawner`:
/// a hand-driven pool, else the automatic one.
async fn run_ops_on_file(initial: Vec<u8>, cap: usize, ops: Vec<Op>, spawner: Option<ManualPool>) {
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
    let builder = Unblock::builder().capacity(cap);
    let ours = match spawner {
        Some(pool) => builder.spawner(pool).build(file),
        None => builder.build(file),
    };
    let (mut file, model, pos) = run_ops_on(ours, Cursor::new(initial), ops, Some(&path)).await;
    assert_eq!(
        file.stream_position().unwrap(),
        pos,
        "into_inner: the file's cursor"
    );
    drop(file);
    let contents = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(contents == model, "final file contents differ");
}

/// Drops the file's pages from the page cache (best effort: the kernel may keep some).
fn evict(path: &Path) {
    let f = std::fs::File::open(path).unwrap();
    f.sync_all().unwrap();
    #[cfg(target_os = "linux")]
    rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::DontNeed).unwrap();
}

/// Checks `got` against the model's next bytes.
fn check_read(model: &mut Cursor<Vec<u8>>, got: &[u8], what: &str) {
    let mut want = vec![0u8; got.len()];
    let m = model.read(&mut want).unwrap();
    assert_eq!(
        m,
        got.len(),
        "{what}: length (model at {})",
        model.position()
    );
    assert!(got == &want[..], "{what}: bytes differ");
    if got.is_empty() {
        assert_eq!(
            model.read(&mut [0u8; 1]).unwrap(),
            0,
            "{what}: 0 only at the end"
        );
    }
}

/// Applies `ops` to `ours` and to the `model`, comparing every result; returns the inner
/// value, the model's contents and the final position for the caller to compare. `file`: the path behind a real
/// `File`, for `Op::Evict` (a no-op otherwise).
async fn run_ops_on<T>(
    mut ours: Unblock<T>,
    mut model: Cursor<Vec<u8>>,
    ops: Vec<Op>,
    file: Option<&Path>,
) -> (T, Vec<u8>, u64)
where
    T: Read + Write + Seek + Send + 'static,
{
    for op in ops {
        match op {
            Op::Read(n) => {
                let mut buf = vec![0u8; n];
                let got = ours.read(&mut buf).await.unwrap();
                check_read(&mut model, &buf[..got], "futures read");
            }
            Op::TokioRead(n) => {
                let mut buf = vec![0u8; n];
                let got = tokio::io::AsyncReadExt::read(&mut ours, &mut buf)
                    .await
                    .unwrap();
                check_read(&mut model, &buf[..got], "tokio read");
            }
            Op::TokioReadBuf(n) => {
                let mut buf = Vec::with_capacity(n);
                let got = tokio::io::AsyncReadExt::read_buf(&mut ours, &mut buf)
                    .await
                    .unwrap();
                assert_eq!(got, buf.len());
                check_read(&mut model, &buf, "tokio read_buf");
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
            Op::StartSeekThenRead(pos, n) => {
                let target = model.clone().seek(pos);
                tokio::io::AsyncSeek::start_seek(std::pin::Pin::new(&mut ours), pos).unwrap();
                let mut buf = vec![0u8; n];
                let got = tokio::io::AsyncReadExt::read(&mut ours, &mut buf).await;
                match target {
                    Ok(p) => {
                        model.set_position(p);
                        check_read(&mut model, &buf[..got.unwrap()], "read after start_seek");
                    }
                    // A failed seek changed nothing; the read (documented: a seek whose
                    // completion nobody awaited is not reported) reads from where we were.
                    Err(_) => {
                        if let Ok(n) = got {
                            check_read(&mut model, &buf[..n], "read after a failed start_seek");
                        }
                    }
                }
            }
            Op::Flush => ours.flush().await.unwrap(),
            Op::GetMutPosition => {
                let value = ours.get_mut().await;
                assert_eq!(
                    value.stream_position().unwrap(),
                    model.position(),
                    "get_mut: the value's cursor is the logical position"
                );
            }
            Op::GetMutSeek(pos) => {
                let value = ours.get_mut().await;
                assert_eq!(value.seek(pos).ok(), model.seek(pos).ok(), "get_mut seek");
            }
            Op::GetMutRead(n) => {
                let value = ours.get_mut().await;
                let mut buf = vec![0u8; n];
                let got = loop {
                    match value.read(&mut buf) {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        other => break other.unwrap(),
                    }
                };
                check_read(&mut model, &buf[..got], "get_mut read");
            }
            Op::WithMutPosition => {
                let pos = ours.with_mut(|v| v.stream_position().unwrap()).await;
                assert_eq!(pos, model.position(), "with_mut: the value's cursor");
            }
            Op::Evict => {
                if let Some(path) = file {
                    evict(path);
                }
            }
            Op::CancelRead(n) => {
                let mut buf = vec![0u8; n];
                let mut fut = ours.read(&mut buf);
                if let std::task::Poll::Ready(res) = futures::poll!(&mut fut) {
                    let got = res.unwrap();
                    drop(fut);
                    check_read(&mut model, &buf[..got], "cancelled read");
                }
            }
            Op::CancelTokioRead(n) => {
                let mut buf = vec![0u8; n];
                let mut fut = Box::pin(tokio::io::AsyncReadExt::read(&mut ours, &mut buf));
                if let std::task::Poll::Ready(res) = futures::poll!(fut.as_mut()) {
                    let got = res.unwrap();
                    drop(fut);
                    check_read(&mut model, &buf[..got], "cancelled tokio read");
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
    (inner, model.into_inner(), pos)
}

/// Drives `fut` with a hand-stepped pool: whenever it is pending, runs one to three queued
/// jobs, chosen by `seed`, so operations are cancelled (`futures::poll!`) in the states the
/// pool leaves them in.
fn on_manual_pool<F: std::future::Future>(pool: &ManualPool, fut: F, mut seed: u64) {
    let mut fut = Box::pin(fut);
    let waker = futures::task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    seed |= 1;
    for _ in 0..10_000_000u64 {
        if fut.as_mut().poll(&mut cx).is_ready() {
            pool.run_all();
            return;
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut ran = false;
        for _ in 0..1 + seed % 3 {
            ran |= pool.run_one();
        }
        assert!(ran, "pending with no pool job queued: it would hang");
    }
    panic!("did not finish");
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
        initial in proptest::collection::vec(any::<u8>(), 0..200_000),
        cap in capacity(),
        ops in proptest::collection::vec(op(), 1..40),
        seed in any::<u64>(),
    ) {
        support::on_current_thread(run_ops_on_file(initial.clone(), cap, ops.clone(), None));
        support::on_multi_thread(run_ops_on_file(initial.clone(), cap, ops.clone(), None));
        support::on_block_on(run_ops_on_file(initial.clone(), cap, ops.clone(), None));
        let pool = ManualPool::default();
        let fut = run_ops_on_file(initial, cap, ops, Some(pool.clone()));
        support::watchdog("manual pool", || on_manual_pool(&pool, fut, seed));
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
