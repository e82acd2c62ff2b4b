//! `PositionalFile`: dropped futures, pools that drop jobs, runtimes that go away, and a
//! user `SpawnBlocking` that panics. Stepped with a manual pool where the exact point matters.

#![cfg(unix)]

mod support;

use std::io;
use std::sync::mpsc;
use std::task::Poll;

use iocompat::{BlockingJob, PositionalFile, SpawnBlocking};
use support::pool::{ManualPool, drive, poll_once};
use support::positional::{CountedBuf, assert_names, drops, file_with, open, os_code};
use support::{LIMIT, watchdog};

const EBADF: i32 = 9;

fn on_manual_pool(std_file: std::fs::File) -> (PositionalFile, ManualPool) {
    let pool = ManualPool::default();
    let file = PositionalFile::builder()
        .spawner(pool.clone())
        .inline_reads(false)
        .build(std_file);
    (file, pool)
}

/// A read dropped while its job is queued: the job still owns the buffer, and frees it when it
/// runs, or when the pool drops it.
#[test]
fn a_dropped_read_frees_its_buffer_on_the_pool() {
    watchdog("a_dropped_read_frees_its_buffer", || {
        let (_named, std_file) = file_with(b"abcdef");
        let (file, pool) = on_manual_pool(std_file);
        for run_it in [true, false] {
            let (buf, counter) = CountedBuf::new(4);
            let mut read = file.read_exact_at(buf, 1);
            assert!(poll_once(&mut read).is_pending());
            drop(read);
            assert_eq!(drops(&counter), 0, "the queued job owns the buffer");
            if run_it {
                pool.run_all();
            } else {
                pool.drop_all();
            }
            assert_eq!(drops(&counter), 1);
        }
        // The handle is unaffected.
        let (res, buf) = drive(&pool, file.read_exact_at(vec![0; 3], 3));
        res.unwrap();
        assert_eq!(buf, b"def");
    });
}

/// A write dropped after its first poll is written in full on the pool; nothing is reported.
#[test]
fn a_dropped_write_completes_on_the_pool() {
    watchdog("a_dropped_write_completes_on_the_pool", || {
        let (named, std_file) = file_with(b"");
        let (file, pool) = on_manual_pool(std_file);
        let (mut buf, counter) = CountedBuf::new(0);
        buf.bytes = b"written anyway".to_vec();
        let mut write = file.write_all_at(buf, 2);
        assert!(poll_once(&mut write).is_pending());
        drop(write);
        assert_eq!(std::fs::read(named.path()).unwrap(), b"");
        pool.run_all();
        assert_eq!(drops(&counter), 1);
        assert_eq!(std::fs::read(named.path()).unwrap(), b"\0\0written anyway");
        assert_eq!(drive(&pool, file.len()).unwrap(), 16, "nothing to report");
    });
}

/// A future dropped before its first poll did nothing at all.
#[test]
fn a_write_never_polled_does_nothing() {
    watchdog("a_write_never_polled_does_nothing", || {
        let (named, std_file) = file_with(b"abc");
        let (file, pool) = on_manual_pool(std_file);
        drop(file.write_all_at(*b"xyz", 0));
        drop(file.set_len(0));
        assert_eq!(pool.queued(), 0);
        assert_eq!(std::fs::read(named.path()).unwrap(), b"abc");
    });
}

/// A dropped write that fails: the next operation (on any clone) returns the failure, whole
/// and named, and does nothing else; the one after works again.
#[test]
fn a_dropped_write_that_fails_is_reported_by_the_next_operation() {
    watchdog("a_dropped_write_that_fails", || {
        let (named, _) = file_with(b"abcdef");
        let (file, pool) = on_manual_pool(open(&named, true, false, false));
        let clone = file.clone();
        let mut write = file.write_all_at(*b"xy", 5);
        assert!(poll_once(&mut write).is_pending());
        drop(write);
        pool.run_all();

        let (res, buf) = drive(&pool, clone.read_at(vec![0; 6], 0));
        let e = res.unwrap_err();
        assert_names(&e, "write_all_at", 5);
        assert!(
            e.to_string().contains("after its future was dropped"),
            "{e}"
        );
        assert_eq!(os_code(&e), Some(EBADF), "{e}");
        assert_eq!(pool.queued(), 0, "the reporting read did not run");
        assert_eq!(buf, [0; 6]);

        let (n, buf) = drive(&pool, clone.read_at(vec![0; 6], 0));
        assert_eq!(&buf[..n.unwrap()], b"abcdef", "reported once");
    });
}

/// The result of a dropped write that had already finished (the future was dropped between
/// the job's end and the next poll) is not lost either.
#[test]
fn a_failed_write_dropped_after_its_job_finished_is_reported() {
    watchdog("a_failed_write_dropped_after_its_job_finished", || {
        let (named, _) = file_with(b"abc");
        let (file, pool) = on_manual_pool(open(&named, true, false, false));
        let mut write = file.write_at(b"x".to_vec(), 1);
        assert!(poll_once(&mut write).is_pending());
        pool.run_all();
        drop(write);
        let e = drive(&pool, file.len()).unwrap_err();
        assert_names(&e, "write_at", 1);
        assert_eq!(drive(&pool, file.len()).unwrap(), 3);
    });
}

/// Several dropped failures: one report, with the count of the others.
#[test]
fn several_dropped_failures_are_reported_once_with_a_count() {
    watchdog("several_dropped_failures", || {
        let (named, _) = file_with(b"abc");
        let (file, pool) = on_manual_pool(open(&named, true, false, false));
        for offset in 0..3 {
            let mut write = file.write_all_at(*b"x", offset);
            assert!(poll_once(&mut write).is_pending());
        }
        pool.run_all();
        let e = drive(&pool, file.metadata()).unwrap_err();
        assert_names(&e, "write_all_at", 0);
        assert!(e.to_string().contains("and 2 later"), "{e}");
        assert_eq!(os_code(&e), Some(EBADF));
        assert!(drive(&pool, file.metadata()).is_ok());
    });
}

/// A sync first waits for dropped writes still running, so a successful sync covers them;
/// a dropped write's failure is the sync's result.
#[test]
fn a_sync_waits_for_dropped_writes_and_reports_their_failure() {
    watchdog("a_sync_waits_for_dropped_writes", || {
        let (named, std_file) = file_with(b"");
        let (file, pool) = on_manual_pool(std_file);
        let mut write = file.write_all_at(*b"durable", 0);
        assert!(poll_once(&mut write).is_pending());
        drop(write);
        let mut sync = file.sync_data();
        assert!(poll_once(&mut sync).is_pending());
        assert_eq!(pool.queued(), 1, "the sync waits: only the write is queued");
        assert!(pool.run_one());
        assert!(poll_once(&mut sync).is_pending());
        assert_eq!(pool.queued(), 1, "now the sync runs");
        drive(&pool, sync).unwrap();
        assert_eq!(std::fs::read(named.path()).unwrap(), b"durable");

        let (file, pool) = on_manual_pool(open(&named, true, false, false));
        let mut write = file.write_at(b"x".to_vec(), 0);
        assert!(poll_once(&mut write).is_pending());
        drop(write);
        let mut sync = file.sync_all();
        assert!(poll_once(&mut sync).is_pending());
        pool.run_all();
        let e = drive(&pool, sync).unwrap_err();
        assert_names(&e, "write_at", 0);
    });
}

/// The pool drops a job while its future waits: the future fails with an error that says so
/// and gets its buffer back; the next operation works.
#[test]
fn a_job_the_pool_drops_fails_its_operation() {
    watchdog("a_job_the_pool_drops", || {
        let (_named, std_file) = file_with(b"abc");
        let (file, pool) = on_manual_pool(std_file);
        let (buf, counter) = CountedBuf::new(3);
        let mut read = file.read_exact_at(buf, 0);
        assert!(poll_once(&mut read).is_pending());
        pool.drop_all();
        let Poll::Ready((res, buf)) = poll_once(&mut read) else {
            panic!("still pending after its job was dropped");
        };
        let e = res.unwrap_err();
        assert_names(&e, "read_exact_at", 0);
        assert!(e.to_string().contains("dropped the operation"), "{e}");
        assert_eq!(drops(&counter), 0, "the buffer came back");
        drop(buf);

        let mut write = file.write_all_at(*b"x", 0);
        assert!(poll_once(&mut write).is_pending());
        pool.drop_all();
        let Poll::Ready((res, _)) = poll_once(&mut write) else {
            panic!("still pending after its job was dropped");
        };
        assert_names(&res.unwrap_err(), "write_all_at", 0);
        let (res, buf) = drive(&pool, file.read_exact_at(vec![0; 3], 0));
        res.unwrap();
        assert_eq!(buf, b"abc", "the refused write did nothing");
    });
}

/// A dropped write whose job the pool then drops unrun is written where the job is dropped:
/// nobody is left to retry it.
#[test]
fn a_dropped_write_whose_job_is_dropped_unrun_is_still_written() {
    watchdog("a_dropped_write_whose_job_is_dropped_unrun", || {
        let (named, std_file) = file_with(b"abc");
        let (file, pool) = on_manual_pool(std_file);
        let mut write = file.write_all_at(*b"XY", 1);
        assert!(poll_once(&mut write).is_pending());
        drop(write);
        pool.drop_all();
        assert_eq!(std::fs::read(named.path()).unwrap(), b"aXY");
        assert!(drive(&pool, file.sync_all()).is_ok());
    });
}

struct PanicsBeforeRun;
impl SpawnBlocking for PanicsBeforeRun {
    fn spawn(&self, _job: BlockingJob) {
        panic!("spawner on fire");
    }
}

struct RunsThenPanics;
impl SpawnBlocking for RunsThenPanics {
    fn spawn(&self, job: BlockingJob) {
        job.run();
        panic!("spawner on fire after the job");
    }
}

/// A user `SpawnBlocking` that panics: the operation fails with an `io::Error` carrying the panic
/// message (the panic does not reach the caller); a job that ran before the panic keeps its
/// result.
#[test]
fn a_panicking_spawn_is_an_error() {
    support::on_all(|| async {
        let (named, std_file) = file_with(b"abc");
        let file = PositionalFile::builder()
            .spawner(PanicsBeforeRun)
            .inline_reads(false)
            .build(std_file);
        let (res, buf) = file.read_at(vec![0; 3], 1).await;
        let e = res.unwrap_err();
        assert_names(&e, "read_at", 1);
        assert!(e.to_string().contains("panicked: spawner on fire"), "{e}");
        assert_eq!(buf.len(), 3, "the buffer came back");
        let (res, _) = file.write_all_at(*b"zz", 0).await;
        assert!(res.unwrap_err().to_string().contains("spawner on fire"));
        let e = file.sync_all().await.unwrap_err();
        assert!(e.to_string().contains("sync_all"), "{e}");
        assert_eq!(std::fs::read(named.path()).unwrap(), b"abc");

        let file = PositionalFile::builder()
            .spawner(RunsThenPanics)
            .inline_reads(false)
            .build(open(&named, true, true, false));
        let (res, _) = file.write_all_at(*b"Z", 0).await;
        res.unwrap();
        let (n, buf) = file.read_at(vec![0; 3], 0).await;
        assert_eq!(&buf[..n.unwrap()], b"Zbc");
    });
}

/// An operation on a runtime that has shut down: tokio drops the job unrun; the operation
/// fails with an error that says so, and the next one, outside the dead runtime, works.
#[cfg(feature = "tokio")]
#[test]
fn an_operation_on_a_dead_runtime_fails_then_the_next_works() {
    watchdog("an_operation_on_a_dead_runtime", || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let handle = rt.handle().clone();
        drop(rt);
        let (_named, std_file) = file_with(b"abc");
        let file = PositionalFile::builder()
            .inline_reads(false)
            .build(std_file);
        let (res, buf) = {
            let _guard = handle.enter();
            futures::executor::block_on(file.read_exact_at(vec![0; 3], 0))
        };
        let e = res.unwrap_err();
        assert_names(&e, "read_exact_at", 0);
        assert!(e.to_string().contains("dropped the operation"), "{e}");
        let (res, buf) = futures::executor::block_on(file.read_exact_at(buf, 0));
        res.unwrap();
        assert_eq!(buf, b"abc");
    });
}

/// The runtime goes away while operations are in flight on its blocking pool (a read still
/// awaited, a write whose future was dropped): nothing hangs, the read either completes or
/// says its job was dropped, and the write lands.
#[cfg(feature = "tokio")]
#[test]
fn the_runtime_shuts_down_with_operations_in_flight() {
    for background in [true, false] {
        watchdog("the_runtime_shuts_down_with_operations_in_flight", || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .max_blocking_threads(1)
                .build()
                .unwrap();
            // Occupy the only blocking thread, so our jobs stay queued.
            let (release, wait) = mpsc::channel::<()>();
            let (started, is_started) = mpsc::channel::<()>();
            rt.spawn_blocking(move || {
                started.send(()).unwrap();
                let _ = wait.recv_timeout(LIMIT);
            });
            is_started.recv_timeout(LIMIT).unwrap();

            let (named, std_file) = file_with(b"abc");
            let file = PositionalFile::builder()
                .inline_reads(false)
                .build(std_file);
            let mut read = file.read_exact_at(vec![0; 3], 0);
            let mut write = file.write_all_at(*b"XYZ", 3);
            {
                let _guard = rt.enter();
                assert!(poll_once(&mut read).is_pending());
                assert!(poll_once(&mut write).is_pending());
            }
            drop(write);
            if background {
                rt.shutdown_background();
                release.send(()).unwrap();
            } else {
                release.send(()).unwrap();
                rt.shutdown_timeout(std::time::Duration::ZERO);
            }
            let (res, buf) = futures::executor::block_on(read);
            match res {
                Ok(()) => assert_eq!(buf, b"abc"),
                Err(e) => assert!(e.to_string().contains("dropped the operation"), "{e}"),
            }
            // The sync waits for the dropped write, wherever it ends up running.
            futures::executor::block_on(file.sync_all()).unwrap();
            assert_eq!(std::fs::read(named.path()).unwrap(), b"abcXYZ");
        });
    }
}

/// Dropped reads and writes under a real runtime, at whatever point the pool has reached:
/// reads leak no buffer, and every write polled once lands.
#[test]
fn cancellation_at_any_point_under_real_pools() {
    let body = || async {
        let (named, std_file) = file_with(&[0u8; 64]);
        let file = PositionalFile::builder()
            .inline_reads(false)
            .build(std_file);
        let mut counters = Vec::new();
        for i in 0..64u64 {
            let (buf, counter) = CountedBuf::new(8);
            counters.push(counter);
            let mut read = file.read_exact_at(buf, i % 56);
            let _ = poll_once(&mut read);
            let mut write = file.write_all_at([i as u8 + 1], i);
            let _ = poll_once(&mut write);
            if i % 3 == 0 {
                tokio::task::yield_now().await;
            }
        }
        file.sync_all().await.unwrap();
        let expected: Vec<u8> = (1..=64).collect();
        assert_eq!(std::fs::read(named.path()).unwrap(), expected);
        drop(file);
        // Every dropped read's job ends (the sync waited for the writes queued after them on
        // the same pool, but not necessarily for them): wait for the buffers, bounded.
        for counter in counters {
            let deadline = std::time::Instant::now() + LIMIT;
            while drops(&counter) == 0 {
                assert!(std::time::Instant::now() < deadline, "a buffer leaked");
                tokio::task::yield_now().await;
            }
            assert_eq!(drops(&counter), 1);
        }
    };
    support::on_current_thread(body());
    support::on_multi_thread(body());
    support::on_block_on(body());
}

#[test]
fn errors_name_the_operation_even_for_unrun_plain_operations() {
    watchdog("errors_name_plain_operations", || {
        let (_named, std_file) = file_with(b"");
        let (file, pool) = on_manual_pool(std_file);
        let mut len = file.len();
        assert!(poll_once(&mut len).is_pending());
        pool.drop_all();
        let Poll::Ready(res) = poll_once(&mut len) else {
            panic!("pending after its job was dropped");
        };
        let e: io::Error = res.unwrap_err();
        assert!(
            e.to_string().starts_with("iocompat::PositionalFile::len: "),
            "{e}"
        );
    });
}
