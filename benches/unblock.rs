//! `Unblock` against its peers, in one run: sequential reads of a file in the page cache with
//! 64 KiB and 8 KiB consumer buffers, sequential writes, and memory per idle reader.
//!
//! Run with `cargo bench --bench unblock`. Environment knobs: `IOCOMPAT_BENCH_MIB` (file size,
//! default 256), `IOCOMPAT_BENCH_RUNS` (rounds, default 7), `IOCOMPAT_BENCH_CAPACITY` (our
//! capacity in bytes, default: the crate default).
//!
//! "iocompat, inline_reads off" is ours with every read on the pool (no `RWF_NOWAIT` reads on
//! the caller's thread): the pool path alone, beside the same hand-off in the peers.
//!
//! Every async case runs on one tokio current-thread runtime; the pool behind each adapter is
//! its own (tokio's blocking pool for ours, tokio's `fs` and `spawn_blocking`; the `blocking`
//! crate's for `blocking::Unblock` and `async-fs`). Cases are interleaved: each round runs
//! every case once, starting at a different case each round, so drift on a shared machine
//! hits all of them alike. Medians and ratios are printed; single times mean little.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::io::{AsyncReadExt as _, AsyncWriteExt as _};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Ours at default settings, unless `IOCOMPAT_BENCH_CAPACITY` says otherwise.
fn ours_new(file: File) -> iocompat::Unblock<File> {
    match std::env::var("IOCOMPAT_BENCH_CAPACITY")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(cap) => iocompat::Unblock::with_capacity(cap, file),
        None => iocompat::Unblock::new(file),
    }
}

type Case<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// Runs every case once per round, rotating the order, and returns each case's median.
fn interleaved(rounds: usize, mut cases: Vec<Case<'_>>) -> Vec<(&'static str, Duration)> {
    let n = cases.len();
    let mut times = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let t = Instant::now();
            (cases[i].1)();
            times[i].push(t.elapsed());
        }
    }
    cases
        .iter()
        .zip(times)
        .map(|((name, _), mut t)| {
            t.sort();
            (*name, t[t.len() / 2])
        })
        .collect()
}

fn report(title: &str, bytes: u64, rows: &[(&str, Duration)]) {
    println!("\n## {title}");
    println!(
        "{:<28} {:>10} {:>8} {:>8} {:>12}",
        "case", "median ms", "GiB/s", "x std", "ours / this"
    );
    let std_t = rows[0].1.as_secs_f64();
    let ours_t = rows[1].1.as_secs_f64();
    for (name, t) in rows {
        let s = t.as_secs_f64();
        println!(
            "{:<28} {:>10.1} {:>8.2} {:>8.2} {:>12.2}",
            name,
            s * 1e3,
            bytes as f64 / s / (1u64 << 30) as f64,
            std_t / s,
            s / ours_t,
        );
    }
}

/// Reads everything with `read` calls of `bufsize` bytes, sync or async.
macro_rules! read_all {
    ($reader:expr, $bufsize:expr, $bytes:expr, $read:expr) => {{
        let mut r = $reader;
        let mut buf = vec![0u8; $bufsize];
        let (mut total, mut acc) = (0u64, 0u64);
        loop {
            let n = $read(&mut r, &mut buf);
            if n == 0 {
                break;
            }
            acc = acc.wrapping_add(u64::from(buf[n - 1]));
            total += n as u64;
        }
        assert_eq!(total, $bytes);
        std::hint::black_box(acc);
    }};
}

/// Reads everything through tokio's `AsyncRead` with `read` calls of `bufsize` bytes.
async fn read_all_tokio(mut r: impl tokio::io::AsyncRead + Unpin, bufsize: usize, bytes: u64) {
    let mut buf = vec![0u8; bufsize];
    let mut total = 0u64;
    loop {
        let n = tokio::io::AsyncReadExt::read(&mut r, &mut buf)
            .await
            .unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    assert_eq!(total, bytes);
}

/// The same through futures-io's `AsyncRead`.
async fn read_all_futures(mut r: impl futures::io::AsyncRead + Unpin, bufsize: usize, bytes: u64) {
    let mut buf = vec![0u8; bufsize];
    let mut total = 0u64;
    loop {
        let n = r.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    assert_eq!(total, bytes);
}

fn read_cases(
    rt: &tokio::runtime::Runtime,
    rounds: usize,
    path: &Path,
    bytes: u64,
    bufsize: usize,
) {
    let p = || path.to_path_buf();
    let on = |f: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>| rt.block_on(f);
    let rows = interleaved(
        rounds,
        vec![
            (
                "std::fs::File (sync)",
                Box::new(|| {
                    read_all!(
                        File::open(p()).unwrap(),
                        bufsize,
                        bytes,
                        |r: &mut File, b: &mut [u8]| r.read(b).unwrap()
                    )
                }),
            ),
            (
                "iocompat::Unblock",
                Box::new(|| {
                    on(Box::pin(async {
                        read_all_tokio(ours_new(File::open(p()).unwrap()), bufsize, bytes).await
                    }))
                }),
            ),
            (
                "iocompat, inline_reads off",
                Box::new(|| {
                    on(Box::pin(async {
                        let file = File::open(p()).unwrap();
                        let r = iocompat::Unblock::builder().inline_reads(false).build(file);
                        read_all_tokio(r, bufsize, bytes).await
                    }))
                }),
            ),
            (
                "tokio::fs::File",
                Box::new(|| {
                    on(Box::pin(async {
                        read_all_tokio(tokio::fs::File::open(p()).await.unwrap(), bufsize, bytes)
                            .await
                    }))
                }),
            ),
            (
                "blocking::Unblock",
                Box::new(|| {
                    on(Box::pin(async {
                        read_all_futures(
                            blocking::Unblock::new(File::open(p()).unwrap()),
                            bufsize,
                            bytes,
                        )
                        .await
                    }))
                }),
            ),
            (
                "async_fs::File",
                Box::new(|| {
                    on(Box::pin(async {
                        read_all_futures(async_fs::File::open(p()).await.unwrap(), bufsize, bytes)
                            .await
                    }))
                }),
            ),
            (
                "spawn_blocking + std loop",
                Box::new(|| {
                    on(Box::pin(async {
                        let path: PathBuf = p();
                        tokio::task::spawn_blocking(move || {
                            read_all!(
                                File::open(path).unwrap(),
                                bufsize,
                                bytes,
                                |r: &mut File, b: &mut [u8]| r.read(b).unwrap()
                            )
                        })
                        .await
                        .unwrap();
                    }))
                }),
            ),
        ],
    );
    report(
        &format!("sequential read, {} KiB consumer buffer", bufsize / 1024),
        bytes,
        &rows,
    );
}

fn write_cases(
    rt: &tokio::runtime::Runtime,
    rounds: usize,
    dir: &Path,
    bytes: u64,
    bufsize: usize,
) {
    let path = dir.join("write.bin");
    let chunk: Vec<u8> = (0..bufsize).map(|i| i as u8).collect();
    let count = (bytes / bufsize as u64) as usize;
    let (p, c) = (|| path.clone(), &chunk);
    let on = |f: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>| rt.block_on(f);
    let rows = interleaved(
        rounds,
        vec![
            (
                "std::fs::File (sync)",
                Box::new(|| {
                    let mut f = File::create(p()).unwrap();
                    for _ in 0..count {
                        f.write_all(c).unwrap();
                    }
                    f.flush().unwrap();
                }),
            ),
            (
                "iocompat::Unblock",
                Box::new(|| {
                    on(Box::pin(async {
                        let mut f = ours_new(File::create(p()).unwrap());
                        for _ in 0..count {
                            tokio::io::AsyncWriteExt::write_all(&mut f, c)
                                .await
                                .unwrap();
                        }
                        tokio::io::AsyncWriteExt::flush(&mut f).await.unwrap();
                    }))
                }),
            ),
            (
                "tokio::fs::File",
                Box::new(|| {
                    on(Box::pin(async {
                        let mut f = tokio::fs::File::create(p()).await.unwrap();
                        for _ in 0..count {
                            tokio::io::AsyncWriteExt::write_all(&mut f, c)
                                .await
                                .unwrap();
                        }
                        tokio::io::AsyncWriteExt::flush(&mut f).await.unwrap();
                    }))
                }),
            ),
            (
                "blocking::Unblock",
                Box::new(|| {
                    on(Box::pin(async {
                        let mut f = blocking::Unblock::new(File::create(p()).unwrap());
                        for _ in 0..count {
                            f.write_all(c).await.unwrap();
                        }
                        f.flush().await.unwrap();
                    }))
                }),
            ),
            (
                "async_fs::File",
                Box::new(|| {
                    on(Box::pin(async {
                        let mut f = async_fs::File::create(p()).await.unwrap();
                        for _ in 0..count {
                            f.write_all(c).await.unwrap();
                        }
                        f.flush().await.unwrap();
                    }))
                }),
            ),
            (
                "spawn_blocking + std loop",
                Box::new(|| {
                    on(Box::pin(async {
                        let (path, chunk) = (p(), c.clone());
                        tokio::task::spawn_blocking(move || {
                            let mut f = File::create(path).unwrap();
                            for _ in 0..count {
                                f.write_all(&chunk).unwrap();
                            }
                            f.flush().unwrap();
                        })
                        .await
                        .unwrap();
                    }))
                }),
            ),
        ],
    );
    report(
        &format!("sequential write, {} KiB writes", bufsize / 1024),
        bytes,
        &rows,
    );
}

/// Resident set size in bytes, from /proc (Linux); 0 elsewhere.
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn idle_memory(rt: &tokio::runtime::Runtime) {
    const N: usize = 300;
    struct Ones;
    impl Read for Ones {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(1);
            Ok(buf.len())
        }
    }
    println!(
        "\n## memory per idle reader ({N} readers over an always-ready reader, one byte read \
         each, kept alive)"
    );
    let before = rss();
    let ours: Vec<_> = rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..N {
            let mut r = iocompat::Unblock::new(Ones);
            let mut one = [0u8; 1];
            tokio::io::AsyncReadExt::read_exact(&mut r, &mut one)
                .await
                .unwrap();
            v.push(r);
        }
        // Let read-ahead still under way finish, so its memory is counted.
        for r in &mut v {
            let _ = r.get_mut().await;
        }
        v
    });
    let ours_rss = rss().saturating_sub(before);
    drop(ours);
    let before = rss();
    let theirs: Vec<_> = rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..N {
            let mut r = blocking::Unblock::new(Ones);
            let mut one = [0u8; 1];
            r.read_exact(&mut one).await.unwrap();
            v.push(r);
        }
        v
    });
    // blocking's pool keeps filling its pipes in the background; there is no way to wait for
    // that, so give it a moment (this only makes its number smaller, never larger).
    std::thread::sleep(Duration::from_millis(500));
    let theirs_rss = rss().saturating_sub(before);
    drop(theirs);
    println!("{:<28} {:>16}", "case", "KiB per reader");
    println!(
        "{:<28} {:>16.1}",
        "iocompat::Unblock",
        ours_rss as f64 / N as f64 / 1024.0
    );
    println!(
        "{:<28} {:>16.1}",
        "blocking::Unblock",
        theirs_rss as f64 / N as f64 / 1024.0
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mib = env_usize("IOCOMPAT_BENCH_MIB", 256);
    let rounds = env_usize("IOCOMPAT_BENCH_RUNS", 7);
    let bytes = (mib as u64) << 20;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("read.bin");
    {
        let mut f = File::create(&path).unwrap();
        let block: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 31 + 7) as u8).collect();
        for _ in 0..mib {
            f.write_all(&block).unwrap();
        }
    }
    // Warm the page cache.
    std::io::copy(&mut File::open(&path).unwrap(), &mut std::io::sink()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("# iocompat::Unblock vs peers: {mib} MiB, median of {rounds} interleaved rounds");
    println!(
        "x std: throughput / plain std throughput (higher is better); \
         ours / this: our throughput / its throughput"
    );
    read_cases(&rt, rounds, &path, bytes, 64 * 1024);
    read_cases(&rt, rounds, &path, bytes, 8 * 1024);
    write_cases(&rt, rounds, dir.path(), bytes, 64 * 1024);
    idle_memory(&rt);
}
