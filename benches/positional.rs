//! `PositionalFile` against its peers, in one run: 4 KiB reads at random (4 KiB-aligned)
//! offsets over a 1 GiB file of real bytes, 64 concurrent tasks, with the file in the page
//! cache and with it evicted (`posix_fadvise(DONTNEED)` before each round of each case).
//!
//! Run with `cargo bench --bench positional`. Environment knobs: `IOCOMPAT_BENCH_MIB` (file
//! size, default 1024), `IOCOMPAT_BENCH_RUNS` (rounds, default 15),
//! `IOCOMPAT_BENCH_DIR` (where the file goes, default the system temp dir),
//! `IOCOMPAT_BENCH_ONLY` (run ours and the cases whose name contains this; for profiling).
//!
//! Cases, each reading the same offsets in a round:
//! - `pread loop, 1 thread` / `2 threads`: blocking `FileExt::read_at` in a plain loop (the
//!   offsets split in two for two threads): the floor any async wrapper adds to.
//! - `iocompat PositionalFile`: 64 tasks on clones of one handle, each `read_exact_at`.
//! - `iocompat, inline_reads off`: ours with every read on the pool: the pool path alone.
//! - `spawn_blocking(pread)`: 64 tasks, each read a `tokio::task::spawn_blocking` of
//!   `read_exact_at` on an `Arc<File>` (the hand-written workaround).
//! - `tokio::fs::File + Mutex`: 64 tasks sharing one `tokio::fs::File` behind a
//!   `tokio::sync::Mutex`, `seek` + `read_exact` per read (the cursor-based status quo).
//!
//! Every async case runs on one tokio multi-thread runtime with 2 workers (the machine has 2
//! cores). Cases are interleaved: each round runs every case once, starting at a different
//! case each round and in reverse order every other round, so drift on a shared machine hits
//! all of them alike. Medians and ratios
//! (ours / peer throughput: above 1.0 means ours is faster) are printed.

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("benches/positional.rs needs Linux (posix_fadvise, the inline read path)");
}

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::io::Write;
    use std::os::unix::fs::FileExt;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use iocompat::PositionalFile;

    const PAGE: usize = 4096;
    const TASKS: usize = 64;

    fn env_usize(name: &str, default: usize) -> usize {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    /// xorshift64*: the same offsets for every case of a round, and no dependency.
    fn offsets(seed: u64, count: usize, pages: u64) -> Vec<u64> {
        let mut x = seed | 1;
        (0..count)
            .map(|_| {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                (x.wrapping_mul(0x2545_F491_4F6C_DD1D) % pages) * PAGE as u64
            })
            .collect()
    }

    /// Writes `mib` MiB of real (non-zero, non-sparse) bytes.
    fn create(path: &Path, mib: usize) -> File {
        let mut file = File::create(path).unwrap();
        let mut chunk = vec![0u8; 1 << 20];
        for (i, b) in chunk.iter_mut().enumerate() {
            *b = (i % 251) as u8 + 1;
        }
        for i in 0..mib {
            chunk[0] = i as u8;
            file.write_all(&chunk).unwrap();
        }
        file.sync_all().unwrap();
        File::open(path).unwrap()
    }

    fn evict(file: &File) {
        rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed).unwrap();
    }

    fn warm(file: &File, len: u64) {
        let mut buf = vec![0u8; 1 << 20];
        let mut at = 0;
        while at < len {
            at += file.read_at(&mut buf, at).unwrap() as u64;
        }
    }

    /// Checks that a read got real bytes (the file has no zero byte except where the
    /// chunk counter wrapped), and keeps the compiler from discarding it.
    fn touch(buf: &[u8]) -> u64 {
        std::hint::black_box(u64::from(buf[PAGE - 1]) + u64::from(buf[1]))
    }

    type Run<'a> = Box<dyn FnMut(&[u64]) -> u64 + 'a>;

    fn cases<'a>(rt: &'a tokio::runtime::Runtime, path: &'a Path) -> Vec<(&'static str, Run<'a>)> {
        let std_file = Arc::new(File::open(path).unwrap());
        // Every case reads through one open file description (ours through duplicates of it),
        // so the kernel's readahead state is the same for all.
        let ours = PositionalFile::new(std_file.try_clone().unwrap());
        let ours_pool = PositionalFile::builder()
            .inline_reads(false)
            .build(std_file.try_clone().unwrap());
        let tokio_file = Arc::new(tokio::sync::Mutex::new(
            rt.block_on(tokio::fs::File::open(path)).unwrap(),
        ));
        let one = Arc::clone(&std_file);
        let two = Arc::clone(&std_file);
        let spawned = Arc::clone(&std_file);
        vec![
            (
                "pread loop, 1 thread",
                Box::new(move |offs: &[u64]| {
                    let mut buf = vec![0u8; PAGE];
                    offs.iter()
                        .map(|&o| {
                            one.read_exact_at(&mut buf, o).unwrap();
                            touch(&buf)
                        })
                        .sum()
                }),
            ),
            (
                "pread loop, 2 threads",
                Box::new(move |offs: &[u64]| {
                    let (a, b) = offs.split_at(offs.len() / 2);
                    std::thread::scope(|s| {
                        let work = |part: &[u64]| {
                            let mut buf = vec![0u8; PAGE];
                            part.iter()
                                .map(|&o| {
                                    two.read_exact_at(&mut buf, o).unwrap();
                                    touch(&buf)
                                })
                                .sum::<u64>()
                        };
                        let other = s.spawn(move || work(b));
                        work(a) + other.join().unwrap()
                    })
                }),
            ),
            (
                "iocompat PositionalFile",
                Box::new(move |offs: &[u64]| {
                    rt.block_on(per_task(offs, |part| {
                        let file = ours.clone();
                        async move {
                            let mut buf = vec![0u8; PAGE];
                            let mut acc = 0;
                            for o in part {
                                let (res, b) = file.read_exact_at(buf, o).await;
                                res.unwrap();
                                acc += touch(&b);
                                buf = b;
                            }
                            acc
                        }
                    }))
                }),
            ),
            (
                "iocompat, inline_reads off",
                Box::new(move |offs: &[u64]| {
                    rt.block_on(per_task(offs, |part| {
                        let file = ours_pool.clone();
                        async move {
                            let mut buf = vec![0u8; PAGE];
                            let mut acc = 0;
                            for o in part {
                                let (res, b) = file.read_exact_at(buf, o).await;
                                res.unwrap();
                                acc += touch(&b);
                                buf = b;
                            }
                            acc
                        }
                    }))
                }),
            ),
            (
                "spawn_blocking(pread)",
                Box::new(move |offs: &[u64]| {
                    rt.block_on(per_task(offs, |part| {
                        let file = Arc::clone(&spawned);
                        async move {
                            let mut buf = vec![0u8; PAGE];
                            let mut acc = 0;
                            for o in part {
                                let f = Arc::clone(&file);
                                buf = tokio::task::spawn_blocking(move || {
                                    f.read_exact_at(&mut buf, o).map(|()| buf)
                                })
                                .await
                                .unwrap()
                                .unwrap();
                                acc += touch(&buf);
                            }
                            acc
                        }
                    }))
                }),
            ),
            (
                "tokio::fs::File + Mutex",
                Box::new(move |offs: &[u64]| {
                    rt.block_on(per_task(offs, |part| {
                        let file = Arc::clone(&tokio_file);
                        async move {
                            use tokio::io::{AsyncReadExt, AsyncSeekExt};
                            let mut buf = vec![0u8; PAGE];
                            let mut acc = 0;
                            for o in part {
                                let mut f = file.lock().await;
                                f.seek(std::io::SeekFrom::Start(o)).await.unwrap();
                                f.read_exact(&mut buf).await.unwrap();
                                drop(f);
                                acc += touch(&buf);
                            }
                            acc
                        }
                    }))
                }),
            ),
        ]
    }

    /// Splits the offsets among `TASKS` spawned tasks and sums their results.
    async fn per_task<F, Fut>(offs: &[u64], mut task: F) -> u64
    where
        F: FnMut(Vec<u64>) -> Fut,
        Fut: std::future::Future<Output = u64> + Send + 'static,
    {
        let per = offs.len().div_ceil(TASKS);
        let handles: Vec<_> = offs
            .chunks(per)
            .map(|part| tokio::spawn(task(part.to_vec())))
            .collect();
        let mut acc = 0;
        for h in handles {
            acc += h.await.unwrap();
        }
        acc
    }

    /// Runs every case once per round, rotating the order; `before` runs untimed before each.
    fn interleaved(
        rounds: usize,
        reads: usize,
        pages: u64,
        cases: &mut [(&'static str, Run<'_>)],
        mut before: impl FnMut(),
    ) -> Vec<(&'static str, Duration)> {
        let n = cases.len();
        let mut times = vec![Vec::with_capacity(rounds); n];
        for round in 0..rounds {
            let offs = offsets(0x9E37_79B9_7F4A_7C15 ^ round as u64, reads, pages);
            for k in 0..n {
                // Rotated, and reversed every other round, so no case always follows the same
                // one (the blocking pool's threads are warm after some cases, idle after others).
                let i = if round % 2 == 0 {
                    (round + k) % n
                } else {
                    (round + n - k) % n
                };
                before();
                let t = Instant::now();
                std::hint::black_box((cases[i].1)(&offs));
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

    fn report(title: &str, reads: usize, rows: &[(&str, Duration)]) {
        println!("\n## {title}: {reads} reads of 4 KiB per round, {TASKS} tasks");
        println!(
            "{:<26} {:>10} {:>12} {:>12}",
            "case", "median ms", "reads/s", "ours / this"
        );
        let ours = rows
            .iter()
            .find(|(n, _)| *n == "iocompat PositionalFile")
            .unwrap()
            .1
            .as_secs_f64();
        for (name, t) in rows {
            let s = t.as_secs_f64();
            println!(
                "{:<26} {:>10.1} {:>12.0} {:>12.2}",
                name,
                s * 1e3,
                reads as f64 / s,
                s / ours
            );
        }
    }

    pub(super) fn main() {
        let mib = env_usize("IOCOMPAT_BENCH_MIB", 1024);
        let dir = match std::env::var_os("IOCOMPAT_BENCH_DIR") {
            Some(d) => tempfile::tempdir_in(d),
            None => tempfile::tempdir(),
        }
        .unwrap();
        let path = dir.path().join("positional.bin");
        let t = Instant::now();
        let file = create(&path, mib);
        let len = file.metadata().unwrap().len();
        println!(
            "file: {mib} MiB of real bytes written in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let pages = len / PAGE as u64;

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut cases = cases(&rt, &path);
        if let Ok(only) = std::env::var("IOCOMPAT_BENCH_ONLY") {
            cases.retain(|(name, _)| {
                *name == "iocompat PositionalFile" || name.contains(only.as_str())
            });
        }

        let reads = 32 * 1024;
        warm(&file, len);
        let rows = interleaved(
            env_usize("IOCOMPAT_BENCH_RUNS", 15),
            reads,
            pages,
            &mut cases,
            || {},
        );
        report("cached (the whole file in the page cache)", reads, &rows);

        let reads = 4 * 1024;
        let rows = interleaved(
            env_usize("IOCOMPAT_BENCH_RUNS", 15),
            reads,
            pages,
            &mut cases,
            || evict(&file),
        );
        report(
            "evicted (posix_fadvise(DONTNEED) before each round of each case)",
            reads,
            &rows,
        );
        evict(&file);
    }
}
