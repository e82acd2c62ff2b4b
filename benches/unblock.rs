//! `Unblock` against its peers, in one run: sequential reads of a file in the page cache with
//! 64 KiB and 8 KiB consumer buffers, sequential writes, and memory per idle reader.
//!
//! Run with `cargo bench --bench unblock`. Environment knobs: `IOCOMPAT_BENCH_MIB` (file size,
//! default 256), `IOCOMPAT_BENCH_RUNS` (runs per case, default 7).
//!
//! Every async case runs on a tokio current-thread runtime; the pool behind each adapter is
//! its own (tokio's blocking pool for ours, tokio's `fs` and `spawn_blocking`; the `blocking`
//! crate's for `blocking::Unblock` and `async-fs`). Medians and ratios are printed; the machine
//! is shared, so single times mean little.

use std::fs::File;
use std::future::Future;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use futures::io::{AsyncReadExt as _, AsyncWriteExt as _};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Ours at default settings, unless `IOCOMPAT_BENCH_CAPACITY` (bytes) says otherwise.
fn ours_new(file: File) -> iocompat::Unblock<File> {
    match std::env::var("IOCOMPAT_BENCH_CAPACITY")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(cap) => iocompat::Unblock::with_capacity(cap, file),
        None => iocompat::Unblock::new(file),
    }
}

struct Bench {
    rt: tokio::runtime::Runtime,
    runs: usize,
    bytes: u64,
}

impl Bench {
    fn time_sync(&self, mut f: impl FnMut()) -> Duration {
        let mut times: Vec<Duration> = (0..self.runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        times.sort();
        times[times.len() / 2]
    }

    fn time_async<F: Future<Output = ()>>(&self, mut f: impl FnMut() -> F) -> Duration {
        self.time_sync(|| self.rt.block_on(f()))
    }
}

fn report(title: &str, bytes: u64, rows: &[(&str, Duration)]) {
    println!("\n## {title}");
    println!(
        "{:<28} {:>12} {:>10} {:>12} {:>12}",
        "case", "median ms", "GiB/s", "x std", "ours / this"
    );
    let std_t = rows[0].1.as_secs_f64();
    let ours_t = rows[1].1.as_secs_f64();
    for (name, t) in rows {
        let s = t.as_secs_f64();
        println!(
            "{:<28} {:>12.1} {:>10.2} {:>12.2} {:>12.2}",
            name,
            s * 1e3,
            bytes as f64 / s / (1u64 << 30) as f64,
            std_t / s,
            s / ours_t, // = our throughput / its throughput
        );
    }
}

const CHECK: fn(&[u8], &mut u64) = |buf, acc| {
    // Touch the data so nothing is optimised away; cheap compared with the copy.
    *acc = acc.wrapping_add(buf.len() as u64 + u64::from(buf[0]));
};

fn read_cases(b: &Bench, path: &Path, bufsize: usize) {
    let path = path.to_path_buf();
    let std_t = b.time_sync(|| {
        let mut f = File::open(&path).unwrap();
        let mut buf = vec![0u8; bufsize];
        let (mut total, mut acc) = (0u64, 0u64);
        loop {
            let n = f.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            CHECK(&buf[..n], &mut acc);
            total += n as u64;
        }
        assert_eq!(total, b.bytes);
        std::hint::black_box(acc);
    });
    let ours = b.time_async(|| {
        let path = path.clone();
        async move {
            let mut f = ours_new(File::open(&path).unwrap());
            let mut buf = vec![0u8; bufsize];
            let (mut total, mut acc) = (0u64, 0u64);
            loop {
                let n = tokio::io::AsyncReadExt::read(&mut f, &mut buf)
                    .await
                    .unwrap();
                if n == 0 {
                    break;
                }
                CHECK(&buf[..n], &mut acc);
                total += n as u64;
            }
            assert_eq!(total, b.bytes);
            std::hint::black_box(acc);
        }
    });
    let tokio_fs = b.time_async(|| {
        let path = path.clone();
        async move {
            let mut f = tokio::fs::File::open(&path).await.unwrap();
            let mut buf = vec![0u8; bufsize];
            let (mut total, mut acc) = (0u64, 0u64);
            loop {
                let n = tokio::io::AsyncReadExt::read(&mut f, &mut buf)
                    .await
                    .unwrap();
                if n == 0 {
                    break;
                }
                CHECK(&buf[..n], &mut acc);
                total += n as u64;
            }
            assert_eq!(total, b.bytes);
            std::hint::black_box(acc);
        }
    });
    let blocking_t = b.time_async(|| {
        let path = path.clone();
        async move {
            let mut f = blocking::Unblock::new(File::open(&path).unwrap());
            let mut buf = vec![0u8; bufsize];
            let (mut total, mut acc) = (0u64, 0u64);
            loop {
                let n = f.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                CHECK(&buf[..n], &mut acc);
                total += n as u64;
            }
            assert_eq!(total, b.bytes);
            std::hint::black_box(acc);
        }
    });
    let async_fs_t = b.time_async(|| {
        let path = path.clone();
        async move {
            let mut f = async_fs::File::open(&path).await.unwrap();
            let mut buf = vec![0u8; bufsize];
            let (mut total, mut acc) = (0u64, 0u64);
            loop {
                let n = f.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                CHECK(&buf[..n], &mut acc);
                total += n as u64;
            }
            assert_eq!(total, b.bytes);
            std::hint::black_box(acc);
        }
    });
    let spawn_blocking_t = b.time_async(|| {
        let path = path.clone();
        let bytes = b.bytes;
        async move {
            tokio::task::spawn_blocking(move || {
                let mut f = File::open(&path).unwrap();
                let mut buf = vec![0u8; bufsize];
                let (mut total, mut acc) = (0u64, 0u64);
                loop {
                    let n = f.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    CHECK(&buf[..n], &mut acc);
                    total += n as u64;
                }
                assert_eq!(total, bytes);
                std::hint::black_box(acc);
            })
            .await
            .unwrap();
        }
    });
    report(
        &format!("sequential read, {} KiB consumer buffer", bufsize / 1024),
        b.bytes,
        &[
            ("std::fs::File (sync)", std_t),
            ("iocompat::Unblock", ours),
            ("tokio::fs::File", tokio_fs),
            ("blocking::Unblock", blocking_t),
            ("async_fs::File", async_fs_t),
            ("spawn_blocking + std loop", spawn_blocking_t),
        ],
    );
}

fn write_cases(b: &Bench, dir: &Path, bufsize: usize) {
    let path = dir.join("write.bin");
    let chunk: Vec<u8> = (0..bufsize).map(|i| i as u8).collect();
    let count = (b.bytes / bufsize as u64) as usize;
    let std_t = b.time_sync(|| {
        let mut f = File::create(&path).unwrap();
        for _ in 0..count {
            f.write_all(&chunk).unwrap();
        }
        f.flush().unwrap();
    });
    let ours = b.time_async(|| {
        let (path, chunk) = (path.clone(), chunk.clone());
        async move {
            let mut f = ours_new(File::create(&path).unwrap());
            for _ in 0..count {
                tokio::io::AsyncWriteExt::write_all(&mut f, &chunk)
                    .await
                    .unwrap();
            }
            tokio::io::AsyncWriteExt::flush(&mut f).await.unwrap();
        }
    });
    let tokio_fs = b.time_async(|| {
        let (path, chunk) = (path.clone(), chunk.clone());
        async move {
            let mut f = tokio::fs::File::create(&path).await.unwrap();
            for _ in 0..count {
                tokio::io::AsyncWriteExt::write_all(&mut f, &chunk)
                    .await
                    .unwrap();
            }
            tokio::io::AsyncWriteExt::flush(&mut f).await.unwrap();
        }
    });
    let blocking_t = b.time_async(|| {
        let (path, chunk) = (path.clone(), chunk.clone());
        async move {
            let mut f = blocking::Unblock::new(File::create(&path).unwrap());
            for _ in 0..count {
                f.write_all(&chunk).await.unwrap();
            }
            f.flush().await.unwrap();
        }
    });
    let async_fs_t = b.time_async(|| {
        let (path, chunk) = (path.clone(), chunk.clone());
        async move {
            let mut f = async_fs::File::create(&path).await.unwrap();
            for _ in 0..count {
                f.write_all(&chunk).await.unwrap();
            }
            f.flush().await.unwrap();
        }
    });
    let spawn_blocking_t = b.time_async(|| {
        let (path, chunk) = (path.clone(), chunk.clone());
        async move {
            tokio::task::spawn_blocking(move || {
                let mut f = File::create(&path).unwrap();
                for _ in 0..count {
                    f.write_all(&chunk).unwrap();
                }
                f.flush().unwrap();
            })
            .await
            .unwrap();
        }
    });
    report(
        &format!("sequential write, {} KiB writes", bufsize / 1024),
        b.bytes,
        &[
            ("std::fs::File (sync)", std_t),
            ("iocompat::Unblock", ours),
            ("tokio::fs::File", tokio_fs),
            ("blocking::Unblock", blocking_t),
            ("async_fs::File", async_fs_t),
            ("spawn_blocking + std loop", spawn_blocking_t),
        ],
    );
}

/// Resident set size in bytes, from /proc (Linux); 0 elsewhere.
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn idle_memory(b: &Bench) {
    const N: usize = 300;
    struct Zeros;
    impl Read for Zeros {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(1);
            Ok(buf.len())
        }
    }
    println!(
        "\n## memory per idle reader ({N} readers over an always-ready reader, one byte read each, kept alive)"
    );
    let before = rss();
    let ours: Vec<_> = b.rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..N {
            let mut r = iocompat::Unblock::new(Zeros);
            let mut one = [0u8; 1];
            tokio::io::AsyncReadExt::read_exact(&mut r, &mut one)
                .await
                .unwrap();
            v.push(r);
        }
        // Let read-ahead that is still running settle.
        for r in &mut v {
            let _ = r.get_mut().await;
        }
        v
    });
    let ours_rss = rss().saturating_sub(before);
    drop(ours);
    let before = rss();
    let theirs: Vec<_> = b.rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..N {
            let mut r = blocking::Unblock::new(Zeros);
            let mut one = [0u8; 1];
            r.read_exact(&mut one).await.unwrap();
            v.push(r);
        }
        v
    });
    // blocking's pool keeps filling the pipes in the background: give it the same settle.
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
    let runs = env_usize("IOCOMPAT_BENCH_RUNS", 7);
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
    let b = Bench { rt, runs, bytes };
    println!("# iocompat::Unblock vs peers: {mib} MiB, median of {runs} runs");
    println!(
        "x std: throughput / plain std throughput (higher is better); ours / this: our throughput / its throughput"
    );
    read_cases(&b, &path, 64 * 1024);
    read_cases(&b, &path, 8 * 1024);
    write_cases(&b, dir.path(), 64 * 1024);
    idle_memory(&b);
}
