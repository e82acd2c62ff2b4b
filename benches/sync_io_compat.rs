//! `SyncIo` against `tokio_util::io::SyncIoBridge`, and `Compat` against `tokio_util::compat`
//! and native tokio I/O, on the same work in one run.
//!
//! Run with `cargo bench --bench sync_io_compat`. Prints, per case, the median time of each
//! contender over interleaved samples and speed ratios (`ours / peer` = peer time / our time:
//! above 1.0 means we are faster). The machine is shared and noisy: read the ratios, not the
//! absolute times. `IOCOMPAT_BENCH_MIB` and `IOCOMPAT_BENCH_SAMPLES` change the size (default
//! 256 MiB) and the number of samples (default 21).

use std::io::Read;
use std::time::{Duration, Instant};

use iocompat::{Compat, FuturesAsyncReadCompatExt as _, SyncIo, TokioAsyncReadCompatExt as _};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::runtime::{Handle, Runtime};

const CHUNK: usize = 64 * 1024;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Reads `r` to EOF with a `CHUNK` buffer; returns the byte count.
fn drain_sync(mut r: impl Read) -> u64 {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        match r.read(std::hint::black_box(&mut buf)).expect("bench read") {
            0 => return total,
            n => total += std::hint::black_box(&buf[..n]).len() as u64,
        }
    }
}

async fn drain_tokio(mut r: impl tokio::io::AsyncRead + Unpin) -> u64 {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        match r
            .read(std::hint::black_box(&mut buf))
            .await
            .expect("bench read")
        {
            0 => return total,
            n => total += std::hint::black_box(&buf[..n]).len() as u64,
        }
    }
}

async fn drain_futures(mut r: impl futures::io::AsyncRead + Unpin) -> u64 {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        match futures::io::AsyncReadExt::read(&mut r, std::hint::black_box(&mut buf))
            .await
            .expect("bench read")
        {
            0 => return total,
            n => total += std::hint::black_box(&buf[..n]).len() as u64,
        }
    }
}

/// Writes `bytes` into `tx` in `CHUNK` pieces.
async fn produce(mut tx: tokio::io::DuplexStream, bytes: u64) {
    let chunk = vec![7u8; CHUNK];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(CHUNK as u64) as usize;
        tx.write_all(&chunk[..n]).await.expect("bench feed");
        left -= n as u64;
    }
}

/// A duplex stream whose writer half is fed `bytes` by a task on `handle`.
fn fed_duplex(handle: &Handle, bytes: u64) -> tokio::io::DuplexStream {
    let (tx, rx) = tokio::io::duplex(CHUNK);
    handle.spawn(produce(tx, bytes));
    rx
}

/// Runs `consume` on a duplex fed by a producer on the same current-thread runtime (one
/// thread: the adapter's cost, not the OS scheduler's, is what is measured).
fn same_thread<F, Fut>(rt: &Runtime, bytes: u64, consume: F) -> u64
where
    F: FnOnce(tokio::io::DuplexStream) -> Fut,
    Fut: std::future::Future<Output = u64>,
{
    rt.block_on(async {
        let (tx, rx) = tokio::io::duplex(CHUNK);
        let ((), n) = tokio::join!(produce(tx, bytes), consume(rx));
        n
    })
}

struct Contender<'a> {
    name: &'static str,
    run: Box<dyn Fn() -> u64 + 'a>,
    times: Vec<Duration>,
}

fn contender<'a>(name: &'static str, run: impl Fn() -> u64 + 'a) -> Contender<'a> {
    Contender {
        name,
        run: Box::new(run),
        times: Vec::new(),
    }
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// Runs every contender `samples` times, interleaved, and prints medians and ratios of the
/// first contender ("ours") against each other one.
fn case(title: &str, bytes: u64, samples: usize, mut contenders: Vec<Contender<'_>>) {
    // One warm-up round, not measured.
    for c in &contenders {
        assert_eq!((c.run)(), bytes, "{}: wrong byte count", c.name);
    }
    // Interleaved, and each round starts with a different contender, so neither drift in the
    // machine's load nor the position in a round favours anyone.
    let count = contenders.len();
    for round in 0..samples {
        for k in 0..count {
            let c = &mut contenders[(round + k) % count];
            let start = Instant::now();
            let n = (c.run)();
            c.times.push(start.elapsed());
            assert_eq!(n, bytes, "{}: wrong byte count", c.name);
        }
    }
    println!("\n{title}");
    let mib = bytes as f64 / (1024.0 * 1024.0);
    let ours = median(&contenders[0].times);
    for c in &contenders {
        let m = median(&c.times);
        println!(
            "  {:<34} median {:>9.2?}  {:>8.0} MiB/s",
            c.name,
            m,
            mib / m.as_secs_f64()
        );
    }
    for c in &contenders[1..] {
        let ratio = median(&c.times).as_secs_f64() / ours.as_secs_f64();
        println!("  ratio ours / {:<27} {ratio:.2}x", c.name);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: then run tiny.
    let quick = !std::env::args().any(|a| a == "--bench");
    let mib = if quick {
        1
    } else {
        env_or("IOCOMPAT_BENCH_MIB", 256)
    };
    let samples = if quick {
        1
    } else {
        env_or("IOCOMPAT_BENCH_SAMPLES", 21)
    };
    let bytes = (mib * 1024 * 1024) as u64;
    let rt = Runtime::new().expect("bench runtime");
    let handle = rt.handle().clone();
    println!("sync_io_compat: {mib} MiB per sample, {samples} samples, {CHUNK}-byte reads");

    // SyncIo is called from a plain thread (the main thread), as in spawn_blocking.
    case(
        "SyncIo: read tokio::io::repeat from blocking code",
        bytes,
        samples,
        vec![
            contender("iocompat::SyncIo", || {
                drain_sync(SyncIo::with_handle(
                    tokio::io::AsyncReadExt::take(tokio::io::repeat(7), bytes),
                    handle.clone(),
                ))
            }),
            contender("tokio_util::io::SyncIoBridge", || {
                drain_sync(tokio_util::io::SyncIoBridge::new_with_handle(
                    tokio::io::AsyncReadExt::take(tokio::io::repeat(7), bytes),
                    handle.clone(),
                ))
            }),
            contender("std::io::repeat (native std)", || {
                drain_sync(std::io::Read::take(std::io::repeat(7), bytes))
            }),
        ],
    );

    case(
        "SyncIo: read a tokio::io::duplex fed by a producer task",
        bytes,
        samples,
        vec![
            contender("iocompat::SyncIo", || {
                drain_sync(SyncIo::with_handle(
                    fed_duplex(&handle, bytes),
                    handle.clone(),
                ))
            }),
            contender("tokio_util::io::SyncIoBridge", || {
                drain_sync(tokio_util::io::SyncIoBridge::new_with_handle(
                    fed_duplex(&handle, bytes),
                    handle.clone(),
                ))
            }),
            contender("async read in block_on (native)", || {
                rt.block_on(drain_tokio(fed_duplex(&handle, bytes)))
            }),
        ],
    );

    let ct = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("bench runtime");
    case(
        "Compat tokio -> futures-io: duplex, producer and consumer joined on one thread",
        bytes,
        samples,
        vec![
            contender("iocompat::Compat", || {
                // Made inside the runtime: the handle is captured and entered on every poll.
                same_thread(&ct, bytes, |rx| drain_futures(rx.compat()))
            }),
            contender("tokio_util::compat", || {
                same_thread(&ct, bytes, |rx| {
                    drain_futures(tokio_util::compat::TokioAsyncReadCompatExt::compat(rx))
                })
            }),
            contender("tokio AsyncRead (native)", || {
                same_thread(&ct, bytes, drain_tokio)
            }),
        ],
    );

    case(
        "Compat round trip tokio -> futures-io -> tokio: same duplex work",
        bytes,
        samples,
        vec![
            contender("iocompat::Compat x2", || {
                same_thread(&ct, bytes, |rx| drain_tokio(Compat::new(rx).compat()))
            }),
            contender("tokio_util::compat x2", || {
                same_thread(&ct, bytes, |rx| {
                    drain_tokio(tokio_util::compat::FuturesAsyncReadCompatExt::compat(
                        tokio_util::compat::TokioAsyncReadCompatExt::compat(rx),
                    ))
                })
            }),
            contender("tokio AsyncRead (native)", || {
                same_thread(&ct, bytes, drain_tokio)
            }),
        ],
    );
}
