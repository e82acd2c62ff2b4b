//! Inline reads (Linux): a regular `File` whose data is in the page cache is read on the
//! caller's thread with `preadv2(RWF_NOWAIT)`; what is not cached goes to the pool. Bytes and
//! positions are the same either way.

#![cfg(all(target_os = "linux", feature = "tokio", feature = "futures-io"))]

mod support;

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::num::NonZeroU64;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use iocompat::{BlockingJob, SpawnBlocking, Unblock};
use support::pool::{ManualPool, drive, poll_once};

/// A file on the target directory's disk (not a tmpfs, where pages cannot be evicted).
fn data_file(name: &str, len: usize) -> (PathBuf, Vec<u8>) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("unblock_inline_{name}_{}.bin", std::process::id()));
    let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 4099) as u8).collect();
    let mut f = File::create(&path).unwrap();
    f.write_all(&data).unwrap();
    f.sync_all().unwrap();
    (path, data)
}

/// Drops the file's pages from the page cache in every other `stride`-byte block. The file
/// was synced, so its pages are clean and unmapped and the kernel drops them (`stride` is
/// 2 MiB-aligned: a large folio is dropped only when the range covers all of it). Nothing
/// here probes the cache afterwards, since a probe would start reading the pages back in.
///
/// Each range is advised twice, with a sync before each: under load the first call can find
/// pages still held in another CPU's LRU batch or under writeback, which it then skips; the
/// kernel drains those batches when a call fails to drop a page, so the second call drops what
/// the first could not.
fn evict_every_other(path: &PathBuf, len: usize, stride: usize) {
    let f = File::open(path).unwrap();
    for _ in 0..2 {
        f.sync_data().unwrap();
        let mut off = 0;
        while off < len {
            rustix::fs::fadvise(
                &f,
                off as u64,
                NonZeroU64::new(stride as u64),
                rustix::fs::Advice::DontNeed,
            )
            .unwrap();
            off += 2 * stride;
        }
    }
}

/// `file` in an `Unblock` whose pool runs jobs only when the test says so.
fn on_manual_pool(pool: &ManualPool, file: File) -> Unblock<File> {
    Unblock::builder().spawner(pool.clone()).build(file)
}

/// The next read of `r` must go to the pool (one job queued, then dropped unrun).
fn next_read_waits_for_the_pool(r: &mut Unblock<File>, pool: &ManualPool, what: &str) {
    let mut buf = vec![0u8; 64 * 1024];
    assert!(
        poll_once(&mut r.read(&mut buf)).is_pending(),
        "{what} was read inline"
    );
    assert_eq!(pool.queued(), 1);
    pool.drop_all();
}

/// Runs every job on a new thread and counts them.
#[derive(Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl SpawnBlocking for Counting {
    fn spawn(&self, job: BlockingJob) {
        self.0.fetch_add(1, Ordering::SeqCst);
        std::thread::spawn(move || job.run());
    }
}

#[test]
fn cached_file_is_read_without_the_pool() {
    let (path, data) = data_file("cached", 3 << 20);
    // Large reads (straight into the caller's buffer), small reads (from an inline chunk),
    // and fill_buf: every poll is ready at once and no job is ever queued.
    for bufsize in [64 * 1024, 8 * 1024, 100, 1] {
        let pool = ManualPool::default();
        let mut r = on_manual_pool(&pool, File::open(&path).unwrap());
        let mut out = Vec::new();
        let mut buf = vec![0u8; bufsize];
        loop {
            let n = match poll_once(&mut r.read(&mut buf)) {
                Poll::Ready(n) => n.unwrap(),
                Poll::Pending => panic!("a cached read went to the pool ({bufsize})"),
            };
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            if bufsize == 1 && out.len() == 100_000 {
                break;
            }
        }
        assert!(out[..] == data[..out.len()], "bytes differ at {bufsize}");
        assert_eq!(pool.queued(), 0);
    }
    let pool = ManualPool::default();
    let mut r = on_manual_pool(&pool, File::open(&path).unwrap());
    let Poll::Ready(chunk) = poll_once(&mut r.fill_buf()) else {
        panic!("fill_buf on a cached file went to the pool");
    };
    assert!(chunk.unwrap() == &data[..16 * 1024]);
    assert_eq!(pool.queued(), 0);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn inline_reads_off_uses_the_pool() {
    let (path, data) = data_file("off", 200_000);
    let pool = ManualPool::default();
    let mut r = Unblock::builder()
        .spawner(pool.clone())
        .inline_reads(false)
        .build(File::open(&path).unwrap());
    let mut buf = vec![0u8; 64 * 1024];
    assert!(poll_once(&mut r.read(&mut buf)).is_pending());
    assert_eq!(pool.queued(), 1);
    let mut out = Vec::new();
    drive(&pool, Box::pin(r.read_to_end(&mut out))).unwrap();
    assert!(out == data);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn uncached_pages_go_to_the_pool() {
    let len = 4 << 20;
    let (path, data) = data_file("evicted", len);
    // The kernel may keep a page it was asked to drop (one still in another CPU's LRU batch):
    // try a few times. Code that read uncached pages inline would be ready every time.
    let mut evicted = None;
    for _ in 0..20 {
        evict_every_other(&path, len, 2 << 20);
        let pool = ManualPool::default();
        let mut r = on_manual_pool(&pool, File::open(&path).unwrap());
        let mut buf = vec![0u8; 64 * 1024];
        if poll_once(&mut r.read(&mut buf)).is_pending() {
            evicted = Some((pool, r));
            break;
        }
    }
    let Some((pool, mut r)) = evicted else {
        panic!(
            "an evicted page was read inline twenty times (or posix_fadvise never evicted it: \
             this test needs a disk filesystem under CARGO_TARGET_TMPDIR, not a tmpfs)"
        );
    };
    assert_eq!(pool.queued(), 1);
    let mut out = Vec::new();
    drive(&pool, Box::pin(r.read_to_end(&mut out))).unwrap();
    assert!(out == data);
    std::fs::remove_file(path).unwrap();
}

/// However large the caller's buffer, one inline read copies at most 256 KiB on the caller's
/// thread (a short read), so a cached file never stalls the executor for long.
#[test]
fn one_inline_read_copies_at_most_256_kib() {
    let (path, data) = data_file("big", 8 << 20);
    let pool = ManualPool::default();
    let mut r = on_manual_pool(&pool, File::open(&path).unwrap());
    let mut buf = vec![0u8; 8 << 20];
    let mut got = 0;
    while got < data.len() {
        let n = match poll_once(&mut r.read(&mut buf[got..])) {
            Poll::Ready(n) => n.unwrap(),
            Poll::Pending => panic!("a cached read went to the pool"),
        };
        assert!(n > 0 && n <= 256 * 1024, "one inline read copied {n} bytes");
        got += n;
    }
    assert!(buf == data);
    let mut tokio_buf = vec![0u8; 4 << 20];
    let mut r = on_manual_pool(&pool, File::open(&path).unwrap());
    match poll_once(&mut Box::pin(tokio::io::AsyncReadExt::read(
        &mut r,
        &mut tokio_buf,
    ))) {
        Poll::Ready(n) => assert_eq!(n.unwrap(), 256 * 1024),
        Poll::Pending => panic!("a cached read went to the pool"),
    }
    assert_eq!(pool.queued(), 0);
    std::fs::remove_file(path).unwrap();
}

/// `get_mut` and `with_mut` hand the value out: it may be replaced, or get `O_DIRECT`. The
/// adapter decides again whether it may read inline.
#[test]
fn a_value_changed_through_get_mut_or_with_mut_is_checked_again() {
    let (path, _) = data_file("swap", 1 << 20);
    let pool = ManualPool::default();
    let mut r = on_manual_pool(&pool, File::open(&path).unwrap());
    let mut buf = vec![0u8; 64 * 1024];
    assert!(poll_once(&mut r.read(&mut buf)).is_ready());
    // Replaced by a character device: never read inline.
    *drive(&pool, Box::pin(r.get_mut())) = File::open("/dev/null").unwrap();
    assert!(
        poll_once(&mut r.read(&mut buf)).is_pending(),
        "/dev/null was read inline"
    );
    assert_eq!(pool.queued(), 1);
    pool.run_all();
    assert_eq!(drive(&pool, Box::pin(r.read(&mut buf))).unwrap(), 0);
    // Back to a regular file: inline again.
    *drive(&pool, Box::pin(r.get_mut())) = File::open(&path).unwrap();
    assert!(poll_once(&mut r.read(&mut buf)).is_ready());
    // O_DIRECT switched on through `with_mut` (where the filesystem allows it).
    let set = drive(
        &pool,
        Box::pin(r.with_mut(|f| {
            let flags = rustix::fs::fcntl_getfl(&*f)?;
            rustix::fs::fcntl_setfl(&*f, flags | rustix::fs::OFlags::DIRECT)
        })),
    );
    if set.is_ok() {
        next_read_waits_for_the_pool(&mut r, &pool, "an O_DIRECT file");
    }
    std::fs::remove_file(path).unwrap();
}

/// The same stale-chunk case as `unblock_seek::exhausted_chunk_is_not_reused_by_a_seek_after_a_write`,
/// reached through an inline chunk: a dropped pool job left read-ahead on, an inline chunk
/// was read to its end, then a write and a backward seek.
#[test]
fn exhausted_inline_chunk_is_not_reused_by_a_seek_after_a_write() {
    let (path, mut model) = data_file("stale", 100_000);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    let pool = ManualPool::default();
    let mut io = on_manual_pool(&pool, file);
    // Go to the pool once and have the job dropped (evicting the pages makes the inline
    // read say EAGAIN; if the kernel kept them, the read is inline and nothing is dropped).
    evict_every_other(&path, 100_000, 2 << 20);
    if poll_once(&mut io.fill_buf()).is_pending() {
        pool.drop_all();
        let mut ten = [0u8; 10];
        assert!(matches!(
            poll_once(&mut io.read(&mut ten)),
            Poll::Ready(Err(_))
        ));
        let _ = std::fs::read(&path).unwrap(); // cached again
    }
    let n = match poll_once(&mut io.fill_buf()) {
        Poll::Ready(r) => r.unwrap().len(),
        Poll::Pending => panic!("expected an inline read"),
    };
    io.consume_unpin(n);
    drive(&pool, Box::pin(io.write_all(&[b'W'; 100]))).unwrap();
    drive(&pool, Box::pin(io.flush())).unwrap();
    model[n..n + 100].copy_from_slice(&[b'W'; 100]);
    let pos = drive(&pool, Box::pin(io.seek(SeekFrom::Current(-200)))).unwrap();
    assert_eq!(pos as usize, n - 100);
    let mut got = [0u8; 200];
    drive(&pool, Box::pin(io.read_exact(&mut got))).unwrap();
    assert!(
        got[..] == model[n - 100..n + 100],
        "stale read-ahead was reused"
    );
    std::fs::remove_file(path).unwrap();
}

/// Half the file cached, half not, read with every buffer size on every executor: reads
/// switch between inline and the pool and every byte arrives once, in order.
#[test]
fn mixed_cached_and_uncached_reads_lose_nothing() {
    let len = 8 << 20;
    let (path, data) = data_file("mixed", len);
    for bufsize in [1 << 20, 64 * 1024, 8 * 1024, 777] {
        let jobs = Counting::default();
        let (p, d, j) = (path.clone(), data.clone(), jobs.clone());
        support::on_all(move || {
            let (p, d, j) = (p.clone(), d.clone(), j.clone());
            evict_every_other(&p, len, 2 << 20);
            async move {
                let mut r = Unblock::builder().spawner(j).build(File::open(&p).unwrap());
                let mut buf = vec![0u8; bufsize];
                let mut out = Vec::with_capacity(d.len());
                loop {
                    let n = r.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..n]);
                }
                assert!(out == d, "bytes differ at buffer size {bufsize}");
                let file = r.into_inner().await.unwrap();
                let mut file = file;
                assert_eq!(file.stream_position().unwrap(), d.len() as u64);
            }
        });
        assert!(jobs.0.load(Ordering::SeqCst) > 0, "the pool was never used");
    }
    std::fs::remove_file(path).unwrap();
}

/// Inline reads read ahead of the caller too (a chunk): a write, a seek and `into_inner` all
/// act at the logical position, as with `std`.
#[test]
fn writes_and_seeks_after_inline_reads_are_at_the_logical_position() {
    let (path, mut model) = data_file("rw", 100_000);
    let open_rw = || {
        OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap()
    };
    // The inline chunk holds 16 KiB, so the file's cursor is past what the caller read;
    // `into_inner` gives the rest back.
    let pool = ManualPool::default();
    let mut io = on_manual_pool(&pool, open_rw());
    let mut ten = [0u8; 10];
    match poll_once(&mut io.read_exact(&mut ten)) {
        Poll::Ready(r) => r.unwrap(),
        Poll::Pending => panic!("a cached read went to the pool"),
    }
    assert!(ten[..] == model[..10]);
    let mut file = drive(&pool, Box::pin(io.into_inner())).unwrap();
    assert_eq!(file.stream_position().unwrap(), 10);
    drop(file);
    support::on_all(|| {
        let file = open_rw();
        async move {
            let mut io = Unblock::new(file);
            let mut first = [0u8; 100];
            io.read_exact(&mut first).await.unwrap();
            io.write_all(b"XYZ").await.unwrap();
            assert_eq!(io.seek(SeekFrom::Current(0)).await.unwrap(), 103);
            let mut next = [0u8; 5];
            io.read_exact(&mut next).await.unwrap();
            io.seek(SeekFrom::Start(40)).await.unwrap();
            let mut at40 = [0u8; 2];
            io.read_exact(&mut at40).await.unwrap();
            let mut file = io.into_inner().await.unwrap();
            assert_eq!(file.stream_position().unwrap(), 42);
            let mut all = Vec::new();
            file.seek(SeekFrom::Start(0)).unwrap();
            file.read_to_end(&mut all).unwrap();
            assert_eq!(&all[100..103], b"XYZ");
            assert_eq!(&next, &all[103..108]);
            assert_eq!(&at40, &all[40..42]);
            assert_eq!(all.len(), 100_000);
        }
    });
    model[100..103].copy_from_slice(b"XYZ");
    assert!(std::fs::read(&path).unwrap() == model);
    std::fs::remove_file(path).unwrap();
}

/// A caller buffer that is not initialised yet (tokio's `read_buf` into spare capacity) is
/// not zeroed for an inline read: it takes the chunk path, and the bytes are right.
#[test]
fn tokio_read_buf_into_spare_capacity() {
    let (path, data) = data_file("readbuf", 300_000);
    support::on_all(|| {
        let (path, data) = (path.clone(), data.clone());
        async move {
            let mut r = Unblock::new(File::open(&path).unwrap());
            let mut out = Vec::with_capacity(1 << 20);
            while tokio::io::AsyncReadExt::read_buf(&mut r, &mut out)
                .await
                .unwrap()
                > 0
            {}
            assert!(out == data);
        }
    });
    std::fs::remove_file(path).unwrap();
}

#[test]
fn files_that_are_not_regular_or_are_o_direct_are_never_read_inline() {
    use std::os::unix::fs::OpenOptionsExt;
    let dev_null = File::open("/dev/null").unwrap();
    let pool = ManualPool::default();
    let mut r = on_manual_pool(&pool, dev_null);
    let mut buf = vec![0u8; 64 * 1024];
    assert!(poll_once(&mut r.read(&mut buf)).is_pending());
    assert_eq!(pool.queued(), 1);
    pool.run_all();
    assert_eq!(
        poll_once(&mut r.read(&mut buf)).map(|r| r.unwrap()),
        Poll::Ready(0)
    );

    let (path, _) = data_file("direct", 1 << 16);
    let direct = OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::DIRECT.bits() as i32)
        .open(&path);
    // Some filesystems refuse O_DIRECT at open; then there is nothing to check.
    if let Ok(direct) = direct {
        let pool = ManualPool::default();
        let mut r = on_manual_pool(&pool, direct);
        next_read_waits_for_the_pool(&mut r, &pool, "an O_DIRECT file");
    }
    std::fs::remove_file(path).unwrap();
}

/// A write-only file cannot be read inline (`EBADF`): the pool's `read` reports the real
/// error, in full.
#[test]
fn write_only_file_reports_the_read_error_from_the_pool() {
    let (path, _) = data_file("wronly", 1000);
    support::on_all(|| {
        let path = path.clone();
        async move {
            let f = OpenOptions::new().write(true).open(&path).unwrap();
            let mut r = Unblock::new(f);
            let mut buf = vec![0u8; 64 * 1024];
            let err = r.read(&mut buf).await.unwrap_err();
            assert_eq!(err.raw_os_error(), Some(9), "{err}");
        }
    });
    std::fs::remove_file(path).unwrap();
}

/// Files that look regular but are made up by the kernel as they are read (`/proc`, `/sys`),
/// and sockets and FIFOs handed over as a `File`, are read on the pool, never inline.
#[test]
fn proc_and_sys_files_sockets_and_fifos_passed_as_file_are_not_read_inline() {
    use std::os::fd::OwnedFd;

    for path in [
        "/proc/self/status",
        "/proc/self/mountinfo",
        "/sys/kernel/mm/transparent_hugepage/enabled",
    ] {
        let Ok(file) = File::open(path) else { continue };
        let pool = ManualPool::default();
        let mut r = on_manual_pool(&pool, file);
        let mut buf = vec![0u8; 64 * 1024];
        let mut small = [0u8; 100];
        assert!(
            poll_once(&mut r.read(&mut small)).is_pending(),
            "{path} was read inline"
        );
        assert_eq!(pool.queued(), 1, "{path}");
        pool.run_all();
        let mut got = Vec::new();
        loop {
            let n = drive(&pool, Box::pin(r.read(&mut buf))).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert!(
            !got.is_empty() || path.starts_with("/sys"),
            "{path}: nothing read"
        );
    }

    let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
    let socket = File::from(OwnedFd::from(a));
    let pool = ManualPool::default();
    let mut r = on_manual_pool(&pool, socket);
    let mut buf = vec![0u8; 64 * 1024];
    assert!(
        poll_once(&mut r.read(&mut buf)).is_pending(),
        "a socket was read inline"
    );
    b.write_all(b"over the socket").unwrap();
    pool.run_all();
    let n = drive(&pool, Box::pin(r.read(&mut buf))).unwrap();
    assert_eq!(&buf[..n], b"over the socket");

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        0,
    )
    .unwrap();
    // Read and write: the open does not wait for a writer.
    let reader = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    let mut writer = OpenOptions::new().write(true).open(&fifo).unwrap();
    let pool = ManualPool::default();
    let mut r = on_manual_pool(&pool, reader);
    assert!(
        poll_once(&mut r.read(&mut buf)).is_pending(),
        "a FIFO was read inline"
    );
    writer.write_all(b"through the fifo").unwrap();
    pool.run_all();
    let n = drive(&pool, Box::pin(r.read(&mut buf))).unwrap();
    assert_eq!(&buf[..n], b"through the fifo");
}

/// Another writer truncates the file under an inline reader: no read issued after the
/// truncation returns bytes past the new end, and nothing panics. Bytes already read ahead
/// before it (small reads go through a chunk) are served as read, like `std`'s `BufReader`.
#[test]
fn a_file_truncated_by_another_writer_is_read_up_to_its_new_end() {
    const LEN: usize = 1 << 20;
    for bufsize in [64 * 1024, 8 * 1024] {
        let (path, data) = data_file(&format!("truncated{bufsize}"), LEN);
        support::on_all(|| {
            let (path, data) = (path.clone(), data.clone());
            async move {
                std::fs::write(&path, &data).unwrap();
                let mut r = Unblock::new(File::open(&path).unwrap());
                let mut buf = vec![0u8; bufsize];
                let mut got = Vec::new();
                while got.len() < 256 * 1024 {
                    let n = r.read(&mut buf).await.unwrap();
                    got.extend_from_slice(&buf[..n]);
                }
                let before = got.len();
                // Shrink to below what was read, then to above it.
                OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .unwrap()
                    .set_len(100 * 1024)
                    .unwrap();
                let mut after_shrink = Vec::new();
                loop {
                    let n = r.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    after_shrink.extend_from_slice(&buf[..n]);
                }
                if bufsize >= 32 * 1024 {
                    assert!(after_shrink.is_empty(), "read past the new end");
                }
                // Whatever came was read ahead before the truncation: the old bytes, in order.
                let end = before + after_shrink.len();
                assert!(after_shrink[..] == data[before..end]);
                assert!(
                    end <= before + 256 * 1024,
                    "more than one chunk of read-ahead"
                );
                // The file grows again (with new bytes) past the reader's position: a
                // later read sees the new bytes from the file's cursor on.
                let mut w = OpenOptions::new().write(true).open(&path).unwrap();
                w.seek(SeekFrom::Start(0)).unwrap();
                w.write_all(&vec![0xEE; 600 * 1024]).unwrap();
                let mut tail = Vec::new();
                loop {
                    let n = r.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    tail.extend_from_slice(&buf[..n]);
                }
                assert_eq!(
                    tail.len(),
                    600 * 1024 - end,
                    "from the cursor to the new end"
                );
                assert!(tail.iter().all(|&b| b == 0xEE));
            }
        });
        std::fs::remove_file(path).unwrap();
    }
}

/// `tail -f`: after end of file, bytes another writer appends are read by the next read; a
/// file replaced by a rename is not seen (the adapter reads the file it opened, as `File`
/// does).
#[test]
fn a_reader_at_end_of_file_sees_appended_bytes_and_keeps_reading_a_replaced_file() {
    let (path, data) = data_file("tailed", 100_000);
    support::on_all(|| {
        let (path, data) = (path.clone(), data.clone());
        async move {
            std::fs::write(&path, &data).unwrap();
            let mut r = Unblock::new(File::open(&path).unwrap());
            let mut got = Vec::new();
            r.read_to_end(&mut got).await.unwrap();
            assert!(got == data);
            let mut buf = vec![0u8; 64 * 1024];
            assert_eq!(r.read(&mut buf).await.unwrap(), 0, "still at the end");
            let mut log = OpenOptions::new().append(true).open(&path).unwrap();
            log.write_all(b"one more line\n").unwrap();
            let n = r.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"one more line\n", "the appended bytes");
            let mut small = [0u8; 5];
            log.write_all(b"and another\n").unwrap();
            let mut line = Vec::new();
            while line.len() < 12 {
                let n = r.read(&mut small).await.unwrap();
                assert!(n > 0, "appended bytes through small reads");
                line.extend_from_slice(&small[..n]);
            }
            assert_eq!(line, b"and another\n");
            // Replace the file: the reader keeps the old one, which nobody writes any more.
            let new = path.with_extension("new");
            std::fs::write(&new, b"replacement").unwrap();
            std::fs::rename(&new, &path).unwrap();
            assert_eq!(
                r.read(&mut buf).await.unwrap(),
                0,
                "the old file ends where it was"
            );
            log.write_all(b"to the old file\n").unwrap();
            let n = r.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"to the old file\n");
        }
    });
    std::fs::remove_file(path).unwrap();
}
