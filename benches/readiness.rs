//! Bytes through a Unix socket pair: `iocompat::AutoIo` (readiness path) against tokio's own
//! `UnixStream` and against `Unblock` (the pool path) over the same std sockets, in one run.
//!
//! Run with `cargo bench --bench readiness`. `IOCOMPAT_BENCH_MIB` sets the volume (default
//! 256), `IOCOMPAT_BENCH_RUNS` the runs per case (default 7). Medians and ratios are printed.

#![cfg_attr(not(unix), allow(unused))]

#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[cfg(not(unix))]
fn main() {
    println!("the readiness path is Unix-only");
}

async fn pump<W, R>(mut w: W, mut r: R, bytes: usize)
where
    W: AsyncWrite + Unpin,
    R: AsyncRead + Unpin,
{
    let chunk = vec![5u8; 64 * 1024];
    let writer = async move {
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len());
            w.write_all(&chunk[..n]).await.unwrap();
            left -= n;
        }
        w.flush().await.unwrap();
        w.shutdown().await.unwrap();
        drop(w);
    };
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0;
        while total < bytes {
            let n = r.read(&mut buf).await.unwrap();
            assert!(n > 0, "early end of stream");
            total += n;
        }
    };
    tokio::join!(writer, reader);
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[cfg(unix)]
fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mib = env_usize("IOCOMPAT_BENCH_MIB", 256);
    let runs = env_usize("IOCOMPAT_BENCH_RUNS", 7);
    let bytes = mib << 20;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mut ours, mut native, mut pool) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        // Interleaved, so drift on a shared machine hits every case alike.
        ours.push(rt.block_on(async {
            let (a, b) = UnixStream::pair().unwrap();
            let (a, b) = (iocompat::AutoIo::new(a), iocompat::AutoIo::new(b));
            assert_eq!(a.path(), iocompat::IoPath::Readiness);
            let t = Instant::now();
            pump(a, b, bytes).await;
            t.elapsed()
        }));
        native.push(rt.block_on(async {
            let (a, b) = UnixStream::pair().unwrap();
            a.set_nonblocking(true).unwrap();
            b.set_nonblocking(true).unwrap();
            let a = tokio::net::UnixStream::from_std(a).unwrap();
            let b = tokio::net::UnixStream::from_std(b).unwrap();
            let t = Instant::now();
            pump(a, b, bytes).await;
            t.elapsed()
        }));
        pool.push(rt.block_on(async {
            let (a, b) = UnixStream::pair().unwrap();
            let (a, b) = (iocompat::Unblock::new(a), iocompat::Unblock::new(b));
            let t = Instant::now();
            pump(a, b, bytes).await;
            t.elapsed()
        }));
    }
    let (o, n, p) = (median(ours), median(native), median(pool));
    println!("# Unix socket pair, {mib} MiB, 64 KiB writes and reads, median of {runs}");
    println!(
        "{:<36} {:>10} {:>10} {:>14}",
        "case", "median ms", "GiB/s", "ours / this"
    );
    for (name, t) in [
        ("iocompat::AutoIo (readiness)", o),
        ("tokio::net::UnixStream", n),
        ("iocompat::Unblock (pool)", p),
    ] {
        println!(
            "{:<36} {:>10.1} {:>10.2} {:>14.2}",
            name,
            t.as_secs_f64() * 1e3,
            bytes as f64 / t.as_secs_f64() / (1u64 << 30) as f64,
            t.as_secs_f64() / o.as_secs_f64()
        );
    }
}
