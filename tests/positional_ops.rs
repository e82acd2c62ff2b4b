//! `PositionalFile`: what each operation does, its edge cases and its errors, on tokio's
//! current-thread and multi-thread runtimes and on `futures::executor::block_on`.

#![cfg(unix)]

mod support;

use std::io;

use iocompat::PositionalFile;
use support::on_all;
use support::pool::{ManualPool, drive, poll_once};
use support::positional::{assert_names, file_with, open, os_code};

const EBADF: i32 = 9;

#[test]
fn every_operation_does_what_its_std_twin_does() {
    on_all(|| async {
        let (_named, std_file) = file_with(b"0123456789");
        let file = PositionalFile::new(std_file);

        let (n, buf) = file.read_at(vec![0; 4], 3).await;
        assert_eq!(n.unwrap(), 4);
        assert_eq!(buf, b"3456");

        let (res, buf) = file.read_exact_at([0u8; 10], 0).await;
        res.unwrap();
        assert_eq!(&buf, b"0123456789");

        let (n, _) = file.write_at(b"ab".to_vec(), 1).await;
        assert_eq!(n.unwrap(), 2);
        let (res, _) = file.write_all_at(Box::<[u8]>::from(&b"XYZ"[..]), 7).await;
        res.unwrap();
        let (res, buf) = file.read_exact_at(vec![0; 10], 0).await;
        res.unwrap();
        assert_eq!(buf, b"0ab3456XYZ");

        assert_eq!(file.len().await.unwrap(), 10);
        file.set_len(4).await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), 4);
        file.sync_data().await.unwrap();
        file.sync_all().await.unwrap();
        let (n, buf) = file.read_at(vec![0; 10], 0).await;
        assert_eq!(&buf[..n.unwrap()], b"0ab3");
        // The handle never touched the file's own cursor.
        use std::io::Seek;
        assert_eq!(file.get_ref().stream_position().unwrap(), 0);
    });
}

#[test]
fn the_handle_is_clone_send_sync_and_its_futures_are_send() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>(_: &T) {}
    fn assert_send<T: Send + 'static>(_: &T) {}
    let (_named, std_file) = file_with(b"");
    let file = PositionalFile::new(std_file);
    assert_send_sync(&file);
    assert_send(&file.read_at(vec![0u8; 1], 0));
    assert_send(&file.write_all_at(vec![0u8; 1], 0));
    assert_send(&file.sync_all());
}

/// 64 tasks on clones, each writing its own 4 KiB region and reading every region back:
/// nothing waits for anything else, and every byte lands where it was written.
#[test]
fn many_tasks_on_clones_at_once() {
    const TASKS: u64 = 64;
    const PAGE: usize = 4096;
    let body = || async {
        let (_named, std_file) = file_with(b"");
        let file = PositionalFile::new(std_file);
        let writes = (0..TASKS).map(|i| {
            let file = file.clone();
            async move {
                let (res, _) = file
                    .write_all_at(vec![i as u8; PAGE], i * PAGE as u64)
                    .await;
                res.unwrap();
            }
        });
        futures::future::join_all(writes).await;
        let reads = (0..TASKS).map(|i| {
            let file = file.clone();
            async move {
                let (res, buf) = file.read_exact_at(vec![0; PAGE], i * PAGE as u64).await;
                res.unwrap();
                assert!(buf.iter().all(|&b| b == i as u8), "region {i}");
            }
        });
        futures::future::join_all(reads).await;
        assert_eq!(file.len().await.unwrap(), TASKS * PAGE as u64);
    };
    support::on_current_thread(body());
    support::on_block_on(body());
    // On the multi-thread runtime, as separate tasks that run in parallel.
    support::on_multi_thread(async {
        let (_named, std_file) = file_with(b"");
        let file = PositionalFile::new(std_file);
        let tasks: Vec<_> = (0..TASKS)
            .map(|i| {
                let file = file.clone();
                tokio::spawn(async move {
                    let at = i * PAGE as u64;
                    let (res, _) = file.write_all_at(vec![i as u8; PAGE], at).await;
                    res.unwrap();
                    let (res, buf) = file.read_exact_at(vec![0; PAGE], at).await;
                    res.unwrap();
                    assert!(buf.iter().all(|&b| b == i as u8), "region {i}");
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
}

#[test]
fn reads_at_or_past_the_end() {
    on_all(|| async {
        let (_named, std_file) = file_with(b"abcdef");
        let file = PositionalFile::new(std_file);
        assert_eq!(file.read_at(vec![0; 4], 6).await.0.unwrap(), 0);
        assert_eq!(file.read_at(vec![0; 4], 1 << 40).await.0.unwrap(), 0);
        let (n, buf) = file.read_at(vec![0; 4], 4).await;
        assert_eq!(&buf[..n.unwrap()], b"ef");

        let (res, _) = file.read_exact_at(vec![0; 4], 4).await;
        let e = res.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_names(&e, "read_exact_at", 4);
        assert!(e.to_string().contains("after 2 of 4 bytes"), "{e}");
        let (res, _) = file.read_exact_at(vec![0; 1], 100).await;
        assert_eq!(res.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    });
}

#[test]
fn writes_past_the_end_extend_the_file_with_zeros() {
    on_all(|| async {
        let (_named, std_file) = file_with(b"ab");
        let file = PositionalFile::new(std_file);
        let (res, _) = file.write_all_at(*b"z", 5).await;
        res.unwrap();
        let (res, buf) = file.read_exact_at([9u8; 6], 0).await;
        res.unwrap();
        assert_eq!(&buf, b"ab\0\0\0z");
    });
}

/// Empty buffers: done at once, no pool job, the file unchanged; the offset checks still apply.
#[test]
fn zero_length_buffers() {
    support::watchdog("zero_length_buffers", || {
        let (_named, std_file) = file_with(b"abc");
        let pool = ManualPool::default();
        let file = PositionalFile::builder()
            .spawner(pool.clone())
            .build(std_file);
        let mut read = file.read_at(Vec::new(), 1);
        assert_eq!(poll_once(&mut read).map(|(n, _)| n.unwrap()), 0.into());
        let mut read = file.read_exact_at([0u8; 0], 100);
        assert!(poll_once(&mut read).map(|(r, _)| r.is_ok()) == true.into());
        let mut write = file.write_at(Vec::new(), 1 << 30);
        assert_eq!(poll_once(&mut write).map(|(n, _)| n.unwrap()), 0.into());
        let mut write = file.write_all_at([0u8; 0], 1 << 30);
        assert!(poll_once(&mut write).map(|(r, _)| r.is_ok()) == true.into());
        assert_eq!(pool.queued(), 0);
        assert_eq!(drive(&pool, file.len()).unwrap(), 3);

        let mut bad = file.read_at(Vec::new(), u64::MAX);
        let std::task::Poll::Ready((res, _)) = poll_once(&mut bad) else {
            panic!("an empty read is never pending");
        };
        assert_eq!(res.unwrap_err().kind(), io::ErrorKind::InvalidInput);
    });
}

#[test]
fn offset_plus_length_overflowing_u64_is_refused() {
    on_all(|| async {
        let (_named, std_file) = file_with(b"abc");
        let file = PositionalFile::new(std_file);
        let offset = u64::MAX - 1;
        let (res, _) = file.read_at(vec![0; 4], offset).await;
        let e = res.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_names(&e, "read_at", offset);
        assert!(e.to_string().contains("overflows u64"), "{e}");
        let (res, _) = file.write_all_at(vec![1; 4], offset).await;
        let e = res.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_names(&e, "write_all_at", offset);
        let (res, _) = file.read_exact_at(vec![0; 4], offset).await;
        assert_names(&res.unwrap_err(), "read_exact_at", offset);
        let (res, _) = file.write_at(vec![0; 4], offset).await;
        assert_names(&res.unwrap_err(), "write_at", offset);
        assert_eq!(file.len().await.unwrap(), 3, "nothing was written");
    });
}

/// `u64::MAX` would mean "the file's cursor" to `preadv2`, and any offset beyond `i64::MAX`
/// is negative to the kernel: both are refused before any system call.
#[test]
fn offsets_beyond_i64_max_are_refused() {
    on_all(|| async {
        let (_named, std_file) = file_with(b"abc");
        let file = PositionalFile::new(std_file);
        for offset in [i64::MAX as u64 + 1, u64::MAX] {
            let (res, _) = file.read_at(vec![0; 1], offset).await;
            let e = res.unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
            let (res, _) = file.read_at(Vec::new(), offset).await;
            let e = res.unwrap_err();
            assert_names(&e, "read_at", offset);
            assert!(e.to_string().contains("i64::MAX"), "{e}");
            let (res, _) = file.write_at(Vec::new(), offset).await;
            assert_eq!(res.unwrap_err().kind(), io::ErrorKind::InvalidInput);
        }
    });
}

/// The largest offset the kernel takes, beyond what any filesystem stores: the OS error
/// (`EFBIG`), named; a read there is simply past the end.
#[test]
fn offsets_beyond_the_largest_file() {
    on_all(|| async {
        let (_named, std_file) = file_with(b"abc");
        let file = PositionalFile::new(std_file);
        let offset = i64::MAX as u64 - 1;
        let (res, _) = file.write_all_at(*b"x", offset).await;
        let e = res.unwrap_err();
        assert_names(&e, "write_all_at", offset);
        assert_eq!(os_code(&e), Some(27), "EFBIG: {e}");
        assert_eq!(file.read_at(vec![0; 1], offset).await.0.unwrap(), 0);
    });
}

#[test]
fn a_file_opened_without_read_access() {
    on_all(|| async {
        let (named, _) = file_with(b"abcdef");
        let file = PositionalFile::new(open(&named, false, true, false));
        for _ in 0..2 {
            let (res, _) = file.read_at(vec![0; 4], 2).await;
            let e = res.unwrap_err();
            assert_names(&e, "read_at", 2);
            assert_eq!(os_code(&e), Some(EBADF), "{e}");
        }
        let (res, _) = file.read_exact_at(vec![0; 4], 0).await;
        assert_eq!(os_code(&res.unwrap_err()), Some(EBADF));
        // Writing works.
        let (res, _) = file.write_all_at(*b"ZZ", 0).await;
        res.unwrap();
        assert_eq!(std::fs::read(named.path()).unwrap(), b"ZZcdef");
    });
}

#[test]
fn a_file_opened_without_write_access() {
    on_all(|| async {
        let (named, _) = file_with(b"abcdef");
        let file = PositionalFile::new(open(&named, true, false, false));
        let (res, _) = file.write_at(b"x".to_vec(), 1).await;
        let e = res.unwrap_err();
        assert_names(&e, "write_at", 1);
        assert_eq!(os_code(&e), Some(EBADF), "{e}");
        let (res, _) = file.write_all_at(b"x".to_vec(), 3).await;
        assert_names(&res.unwrap_err(), "write_all_at", 3);
        let e = file.set_len(1).await.unwrap_err();
        assert!(
            e.to_string()
                .starts_with("iocompat::PositionalFile::set_len: "),
            "{e}"
        );
        assert!(e.to_string().contains("(new length 1)"), "{e}");
        assert!(os_code(&e).is_some(), "{e}");
        // Reading works, and nothing changed.
        let (res, buf) = file.read_exact_at(vec![0; 6], 0).await;
        res.unwrap();
        assert_eq!(buf, b"abcdef");
    });
}

/// On an `O_APPEND` file the kernel ignores `pwrite`'s offset: refused, not misplaced.
#[test]
fn a_file_opened_for_appending_refuses_positional_writes() {
    on_all(|| async {
        let (named, _) = file_with(b"abc");
        let file = PositionalFile::new(open(&named, true, true, true));
        let (res, _) = file.write_at(b"x".to_vec(), 0).await;
        let e = res.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_names(&e, "write_at", 0);
        assert!(e.to_string().contains("O_APPEND"), "{e}");
        let (res, _) = file.write_all_at(b"x".to_vec(), 0).await;
        assert_eq!(res.unwrap_err().kind(), io::ErrorKind::InvalidInput);
        assert_eq!(std::fs::read(named.path()).unwrap(), b"abc");
        let (res, _) = file.read_exact_at(vec![0; 3], 0).await;
        res.unwrap();
    });
}

/// An OS error keeps its kind, and the original error (with its code) is the source.
#[test]
fn errors_keep_the_os_error_whole() {
    on_all(|| async {
        let (named, _) = file_with(b"abc");
        let file = PositionalFile::new(open(&named, false, true, false));
        let (res, _) = file.read_at(vec![0; 1], 7).await;
        let e = res.unwrap_err();
        assert_eq!(e.kind(), io::Error::from_raw_os_error(EBADF).kind());
        let source = std::error::Error::source(e.get_ref().unwrap())
            .and_then(|s| s.downcast_ref::<io::Error>())
            .expect("the OS error is the source");
        assert_eq!(source.raw_os_error(), Some(EBADF));
        assert_eq!(
            e.to_string(),
            format!("iocompat::PositionalFile::read_at: {source} at offset 7")
        );
    });
}

/// Cached pages are read on the polling thread: the first poll is ready and no job is
/// queued, for `read_at` and for a `read_exact_at` larger than one inline copy (which
/// yields between copies).
#[cfg(target_os = "linux")]
#[test]
fn cached_reads_run_on_the_calling_thread() {
    support::watchdog("cached_reads_run_on_the_calling_thread", || {
        let content: Vec<u8> = (0..(1usize << 20) + 123).map(|i| (i % 251) as u8).collect();
        let (_named, std_file) = file_with(&content);
        let pool = ManualPool::default();
        let file = PositionalFile::builder()
            .spawner(pool.clone())
            .build(std_file);
        let mut read = file.read_at(vec![0; 4096], 5000);
        let std::task::Poll::Ready((n, buf)) = poll_once(&mut read) else {
            panic!("a cached read went to the pool");
        };
        assert_eq!(n.unwrap(), 4096);
        assert_eq!(buf, &content[5000..9096]);

        let mut read = file.read_exact_at(vec![0; content.len() - 7], 7);
        let mut polls = 0;
        let (res, buf) = loop {
            polls += 1;
            if let std::task::Poll::Ready(out) = poll_once(&mut read) {
                break out;
            }
            assert_eq!(pool.queued(), 0, "a cached read went to the pool");
        };
        res.unwrap();
        assert_eq!(buf, &content[7..]);
        assert!(polls > 1, "one inline copy is at most 256 KiB: it yields");
        assert_eq!(pool.queued(), 0);
    });
}

/// Pages not in the cache go to the pool (as one job), and so does every read with inline
/// reads off.
#[cfg(target_os = "linux")]
#[test]
fn uncached_reads_and_inline_off_use_the_pool() {
    support::watchdog("uncached_reads_use_the_pool", || {
        let content = vec![7u8; 1 << 16];
        let (_named, std_file) = file_with(&content);
        support::positional::evict(&std_file);
        let pool = ManualPool::default();
        let file = PositionalFile::builder()
            .spawner(pool.clone())
            .build(std_file.try_clone().unwrap());
        let mut read = file.read_exact_at(vec![0; 1 << 16], 0);
        assert!(poll_once(&mut read).is_pending());
        assert_eq!(pool.queued(), 1);
        let (res, buf) = drive(&pool, read);
        res.unwrap();
        assert_eq!(buf, content);

        let file = PositionalFile::builder()
            .spawner(pool.clone())
            .inline_reads(false)
            .build(std_file);
        let mut read = file.read_at(vec![0; 16], 0);
        assert!(poll_once(&mut read).is_pending(), "inline reads are off");
        assert_eq!(pool.queued(), 1);
        let (n, _) = drive(&pool, read);
        assert_eq!(n.unwrap(), 16);
    });
}

/// The pool choice is made per operation: without any runtime, the `blocking` crate's pool;
/// a user `SpawnBlocking` when given.
#[test]
fn a_user_spawn_runs_every_job() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Counting(Arc<AtomicUsize>);
    impl iocompat::SpawnBlocking for Counting {
        fn spawn(&self, job: iocompat::BlockingJob) {
            self.0.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || job.run());
        }
    }
    on_all(|| async {
        let jobs = Arc::new(AtomicUsize::new(0));
        let (_named, std_file) = file_with(b"abc");
        let file = PositionalFile::builder()
            .spawner(Counting(Arc::clone(&jobs)))
            .inline_reads(false)
            .build(std_file);
        let (res, _) = file.write_all_at(*b"xyz", 3).await;
        res.unwrap();
        let (n, buf) = file.read_at(vec![0; 6], 0).await;
        assert_eq!(&buf[..n.unwrap()], b"abcxyz");
        file.sync_all().await.unwrap();
        assert_eq!(jobs.load(Ordering::SeqCst), 3);
    });
}

/// Inline attempts that keep missing the cache back off: after two misses in a row the next
/// read goes straight to the pool even though its page is cached by then; hits try inline
/// again (each halves the count of misses).
#[cfg(target_os = "linux")]
#[test]
fn inline_misses_back_off_and_hits_try_again() {
    support::watchdog("inline_misses_back_off", || {
        let (_named, std_file) = file_with(&[5u8; 4096]);
        let pool = ManualPool::default();
        let file = PositionalFile::builder()
            .spawner(pool.clone())
            .build(std_file.try_clone().unwrap());
        let ready_at_once = || {
            let mut read = file.read_at(vec![0; 4096], 0);
            let (ready, (n, buf)) = match poll_once(&mut read) {
                std::task::Poll::Ready(out) => (true, out),
                std::task::Poll::Pending => (false, drive(&pool, read)),
            };
            assert_eq!(n.unwrap(), 4096);
            assert!(buf.iter().all(|&b| b == 5));
            ready
        };
        for _ in 0..2 {
            support::positional::evict(&std_file);
            assert!(!ready_at_once(), "evicted: the pool read it");
        }
        // Cached now (the pool's read brought it in), but skipped once after two misses.
        assert!(!ready_at_once(), "backing off: straight to the pool");
        assert!(ready_at_once(), "tried inline again: a hit");
        assert!(ready_at_once(), "and again");
    });
}

/// No thread is held per idle handle: 200 handles that each finished a pool operation, kept
/// alive, leave a runtime with 2 blocking threads free for the next operation.
#[cfg(feature = "tokio")]
#[test]
fn idle_handles_hold_no_pool_thread() {
    support::watchdog("idle_handles_hold_no_pool_thread", || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (_named, std_file) = file_with(b"abc");
            let mut alive = Vec::new();
            for _ in 0..200 {
                let file = PositionalFile::builder()
                    .inline_reads(false)
                    .build(std_file.try_clone().unwrap());
                let (n, _) = file.read_at(vec![0; 3], 0).await;
                assert_eq!(n.unwrap(), 3);
                alive.push(file);
            }
            let last = tokio::time::timeout(support::LIMIT, alive[0].sync_all()).await;
            last.expect("a pool thread is held by an idle handle")
                .unwrap();
        });
    });
}
