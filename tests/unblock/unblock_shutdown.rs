//! Bytes an `Unblock` (or an `AutoIo` on the pool path) accepted are written even when it is
//! dropped unflushed and the runtime ends right after: dropped (`#[tokio::main]` returning),
//! `shutdown_background`, `shutdown_timeout(0)`, or no tokio at all (`block_on`). Each case runs
//! 300 times per fate while another thread keeps the second core busy.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::support;

use iocompat::Unblock;
use support::LIMIT;
use support::shutdown::{Fate, Losses, Sink, Spinner, payload};

const RUNS: usize = 300;
/// Six 512 KiB chunks and more: more than the four write chunks that may be queued at once.
const SIZE: usize = 3 << 20;

/// Writes `data` with `write_all` and drops the adapter without flushing, under `fate`.
fn write_and_drop<W>(fate: Fate, make: impl FnOnce() -> W + Send, data: &[u8])
where
    W: tokio::io::AsyncWrite + Unpin,
{
    fate.run(async move {
        use tokio::io::AsyncWriteExt;
        let mut w = make();
        w.write_all(data).await.unwrap();
        drop(w);
    });
}

#[test]
fn a_dropped_unflushed_writer_loses_nothing_whatever_the_runtime_does_next() {
    let _spin = Spinner::start();
    let data = payload(0, SIZE);
    for fate in Fate::ALL {
        let losses = Losses::default();
        for run in 0..RUNS {
            let (sink, contents) = Sink::new();
            write_and_drop(fate, || Unblock::new(sink), &data);
            // The adapter has finished with the sink when it drops it, on a pool thread that
            // may outlive the runtime (shutdown_background): wait for that, bounded.
            let (got, flushed) = contents
                .recv_timeout(LIMIT)
                .unwrap_or_else(|e| panic!("{fate:?} run {run}: the sink was never dropped: {e}"));
            if got != data {
                losses.record(format!(
                    "{fate:?} run {run}: {} of {SIZE} bytes written",
                    got.len()
                ));
            } else if flushed != SIZE {
                losses.record(format!(
                    "{fate:?} run {run}: written but not flushed ({flushed} flushed)"
                ));
            }
        }
        losses.assert_none(RUNS);
    }
}

/// Writes `SIZE` bytes into a new file through the adapter `wrap` makes, drops it unflushed
/// under each fate that waits for the pool, and checks the file right after, 300 times each.
fn file_is_complete_after_each_waiting_fate<W>(
    seed: usize,
    wrap: impl Fn(std::fs::File) -> W + Sync,
) where
    W: tokio::io::AsyncWrite + Unpin,
{
    let _spin = Spinner::start();
    let dir = tempfile::tempdir().unwrap();
    let data = payload(seed, SIZE);
    for fate in Fate::ALL.into_iter().filter(|f| f.waits_for_the_pool()) {
        let losses = Losses::default();
        for run in 0..RUNS {
            let path = dir.path().join(format!("out-{run}"));
            let file = std::fs::File::create(&path).unwrap();
            write_and_drop(fate, || wrap(file), &data);
            let got = std::fs::read(&path).unwrap();
            if got != data {
                losses.record(format!(
                    "{fate:?} run {run}: the file holds {} of {SIZE} bytes",
                    got.len()
                ));
            }
            std::fs::remove_file(&path).unwrap();
        }
        losses.assert_none(RUNS);
    }
}

#[test]
fn a_dropped_unflushed_file_is_complete_when_the_dropped_runtime_returns() {
    // The program: `#[tokio::main]` returning right after dropping the writer.
    file_is_complete_after_each_waiting_fate(1, Unblock::new);
}

#[cfg(unix)]
#[test]
fn a_dropped_auto_io_on_the_pool_path_loses_nothing() {
    use iocompat::{AutoIo, IoPath};
    file_is_complete_after_each_waiting_fate(2, |file| {
        let io = AutoIo::new(file);
        assert_eq!(io.path(), IoPath::Pool, "a regular file takes the pool");
        io
    });
}

#[test]
fn an_adapter_dropped_with_its_task_when_the_runtime_ends_loses_nothing() {
    // The adapter lives in a spawned task that never finishes: the runtime drops the task (and
    // with it the adapter) while it shuts down.
    let _spin = Spinner::start();
    let data = std::sync::Arc::new(payload(3, SIZE));
    for fate in Fate::ALL.into_iter().filter(|f| *f != Fate::BlockOn) {
        let losses = Losses::default();
        for run in 0..RUNS {
            let (sink, contents) = Sink::new();
            let data2 = std::sync::Arc::clone(&data);
            fate.run(async move {
                use tokio::io::AsyncWriteExt;
                let (accepted, wait) = tokio::sync::oneshot::channel();
                tokio::spawn(async move {
                    let mut w = Unblock::new(sink);
                    w.write_all(&data2).await.unwrap();
                    accepted.send(()).unwrap();
                    std::future::pending::<()>().await;
                });
                wait.await.unwrap();
            });
            let (got, flushed) = contents
                .recv_timeout(LIMIT)
                .unwrap_or_else(|e| panic!("{fate:?} run {run}: the sink was never dropped: {e}"));
            if got != *data || flushed != SIZE {
                losses.record(format!(
                    "{fate:?} run {run}: {} of {SIZE} bytes written, {flushed} flushed",
                    got.len()
                ));
            }
        }
        losses.assert_none(RUNS);
    }
}

/// The same race, made exact with a hand-stepped pool: the pool drops the job of an adapter
/// that was dropped with data buffered, and the job still writes everything, on the thread
/// that drops it.
#[test]
fn a_job_the_pool_drops_after_the_adapter_was_dropped_still_writes_and_flushes() {
    use support::pool::{ManualPool, drive};
    use tokio::io::AsyncWriteExt;
    let pool = ManualPool::default();
    let (sink, contents) = Sink::new();
    let mut w = Unblock::builder().spawner(pool.clone()).build(sink);
    let data = payload(4, SIZE);
    drive(&pool, Box::pin(w.write_all(&data))).unwrap();
    drop(w);
    assert!(pool.queued() > 0, "the drop hands the rest to the pool");
    pool.drop_all();
    let (got, flushed) = contents
        .try_recv()
        .expect("written and dropped by the drop");
    assert_eq!(got.len(), SIZE);
    assert!(got == data);
    assert_eq!(flushed, SIZE);
}

/// While the adapter is alive, a dropped job is an error the caller sees, and nothing runs
/// behind its back.
#[test]
fn a_job_the_pool_drops_while_the_adapter_lives_fails_the_operation() {
    use support::pool::{ManualPool, poll_once};
    use tokio::io::AsyncWriteExt;
    let pool = ManualPool::default();
    let (sink, _contents) = Sink::new();
    let mut w = Unblock::builder().spawner(pool.clone()).build(sink);
    let mut fut = Box::pin(w.write_all(b"abc"));
    assert!(poll_once(&mut fut).is_ready());
    drop(fut);
    let mut flush = Box::pin(w.flush());
    assert!(poll_once(&mut flush).is_pending());
    pool.drop_all();
    let err = match poll_once(&mut flush) {
        std::task::Poll::Ready(r) => r.unwrap_err(),
        std::task::Poll::Pending => panic!("a dropped job must not leave the flush pending"),
    };
    assert!(err.to_string().contains("dropped"), "{err}");
}

/// `mem::forget` skips the drop: what a pump already holds is written, the chunk still being
/// filled is not, and the value is never dropped (documented in the `unblock` module docs).
#[test]
fn a_forgotten_adapter_writes_what_it_handed_over_and_leaks_the_value() {
    use support::pool::{ManualPool, drive};
    use tokio::io::AsyncWriteExt;
    /// Writes into memory the test can still see after the writer is leaked; the `Sink`
    /// reports, when dropped, that the value was dropped.
    struct Visible(
        std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
        #[allow(dead_code)] Sink,
    );
    impl std::io::Write for Visible {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let pool = ManualPool::default();
    let (sink, contents) = Sink::new();
    let seen = std::sync::Arc::default();
    let mut w = Unblock::builder()
        .spawner(pool.clone())
        .capacity(64 * 1024)
        .build(Visible(std::sync::Arc::clone(&seen), sink));
    // Chunks of 16 KiB: the first write is handed over at once (the pool is idle), the second
    // stays in the chunk being filled.
    drive(&pool, Box::pin(w.write_all(&[1; 1000]))).unwrap();
    drive(&pool, Box::pin(w.write_all(&[2; 1000]))).unwrap();
    std::mem::forget(w);
    pool.run_all();
    assert_eq!(
        *seen.lock().unwrap(),
        [1; 1000],
        "only what was handed over is written"
    );
    assert!(
        matches!(
            contents.try_recv(),
            Err(std::sync::mpsc::TryRecvError::Empty)
        ),
        "a forgotten adapter leaks its value: it is never dropped"
    );
}
