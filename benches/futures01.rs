//! `iocompat::futures01` beside `futures::compat` and native code, on the same work, in one run.
//!
//! Run with `cargo bench --bench futures01 --features futures01`. Prints, for each case, the
//! median of several rounds (variants interleaved within a round, so noise hits them alike) in
//! ns per item (or GiB/s for I/O), and the ratios ours / futures::compat and ours / native.
//! The machine is shared: compare ratios, not absolute times. On Unix the times are the bench
//! thread's CPU time (every case runs on that one thread), so time the machine gives other
//! processes is not counted; elsewhere, the wall clock.
//!
//! The per-conversion cases also print allocations per conversion for each variant, counted by
//! the global allocator below on the bench's own thread, in a separate run after the timed
//! rounds (so counting never costs time in them).

use std::hint::black_box;

#[path = "../tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::CountingAlloc;
use std::io::Read;
use std::time::{Duration, Instant};

use futures::StreamExt;

const ROUNDS: usize = 9;
/// Rounds for the per-conversion cases: shorter rounds, more of them, so that a burst of load
/// from elsewhere on the shared machine moves fewer of the medians.
const CONVERSION_ROUNDS: usize = 21;
const STREAM_ITEMS: u64 = 10_000_000;
const FUTURES: u64 = 250_000;
const PARKING_ITEMS: u64 = 1_000_000;
const IO_BYTES: usize = 64 << 20;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Allocations per item while `f` handles `items` items (one untimed run).
fn allocs_per_item(items: u64, f: &dyn Fn() -> u64) -> f64 {
    let (_, allocs) = counting_alloc::allocations_during(|| black_box(f()));
    allocs as f64 / items as f64
}

/// Prints allocations per conversion for each variant.
fn report_allocs(items: u64, variants: &[(&'static str, &dyn Fn() -> u64)]) {
    for (name, f) in variants {
        println!(
            "  {name:<28} {:>8.3} allocations/item",
            allocs_per_item(items, *f)
        );
    }
}

/// This thread's CPU time so far.
#[cfg(unix)]
fn thread_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The wall clock since the first call (no portable thread CPU clock here).
#[cfg(not(unix))]
fn thread_time() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs every variant once per round, `ROUNDS` times, and answers each variant's median.
fn measure(variants: &[(&'static str, &dyn Fn() -> u64)]) -> Vec<(&'static str, Duration)> {
    measure_rounds(ROUNDS, variants)
}

/// [`measure`] with `rounds` rounds.
fn measure_rounds(
    rounds: usize,
    variants: &[(&'static str, &dyn Fn() -> u64)],
) -> Vec<(&'static str, Duration)> {
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); variants.len()];
    // One warm-up round, not counted.
    for (_, f) in variants {
        black_box(f());
    }
    // Each round starts at a different variant, so drift and position effects hit all alike.
    let n = variants.len();
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let start = thread_time();
            black_box((variants[i].1)());
            times[i].push(thread_time() - start);
        }
    }
    variants
        .iter()
        .zip(times)
        .map(|((name, _), t)| (*name, median(t)))
        .collect()
}

fn report_per_item(case: &str, items: u64, rows: &[(&str, Duration)]) {
    report_per_item_of(case, items, ROUNDS, rows);
}

fn report_per_item_of(case: &str, items: u64, rounds: usize, rows: &[(&str, Duration)]) {
    println!("\n{case} ({items} items, median of {rounds})");
    let ns = |d: Duration| d.as_secs_f64() * 1e9 / items as f64;
    for (name, d) in rows {
        println!("  {name:<28} {:>8.2} ns/item", ns(*d));
    }
    let get = |n: &str| rows.iter().find(|r| r.0 == n).map(|r| ns(r.1));
    if let (Some(ours), Some(compat)) = (get("iocompat"), get("futures::compat")) {
        print!(
            "  ratio ours / futures::compat = {:.2} ({:.2}x its speed)",
            ours / compat,
            compat / ours,
        );
        for floor in ["native", "futures 0.1 floor"] {
            if let Some(floor_ns) = get(floor) {
                print!("; ours / {floor} = {:.2}", ours / floor_ns);
                print!("; futures::compat / {floor} = {:.2}", compat / floor_ns);
            }
        }
        println!();
    }
}

fn stream01_as_03() {
    let native = || {
        futures::executor::block_on(async {
            let mut s = futures::stream::iter(0..STREAM_ITEMS);
            let mut sum = 0u64;
            while let Some(v) = s.next().await {
                sum = sum.wrapping_add(v);
            }
            sum
        })
    };
    let compat = || {
        futures::executor::block_on(async {
            let legacy = futures01::stream::iter_ok::<_, ()>(0..STREAM_ITEMS);
            let mut s = futures::compat::Stream01CompatExt::compat(legacy);
            let mut sum = 0u64;
            while let Some(v) = s.next().await {
                sum = sum.wrapping_add(v.unwrap());
            }
            sum
        })
    };
    let ours = || {
        futures::executor::block_on(async {
            let legacy = futures01::stream::iter_ok::<_, ()>(0..STREAM_ITEMS);
            let mut s = iocompat::futures01::Stream01CompatExt::compat(legacy);
            let mut sum = 0u64;
            while let Some(v) = s.next().await {
                sum = sum.wrapping_add(v.unwrap());
            }
            sum
        })
    };
    let rows = measure(&[
        ("iocompat", &ours),
        ("futures::compat", &compat),
        ("native", &native),
    ]);
    report_per_item("0.1 stream consumed as a 0.3 stream", STREAM_ITEMS, &rows);
}

/// A 0.1 stream that parks before every item: it stores `task::current()` (again only when
/// the stored task no longer `will_notify_current()`, as well-written 0.1 code does), notifies
/// it and answers `NotReady`. The path every real 0.1 I/O source takes through the bridge.
struct Parking01 {
    next: u64,
    ready: bool,
    task: Option<futures01::task::Task>,
}

impl futures01::Stream for Parking01 {
    type Item = u64;
    type Error = ();

    fn poll(&mut self) -> futures01::Poll<Option<u64>, ()> {
        if self.next == PARKING_ITEMS {
            return Ok(futures01::Async::Ready(None));
        }
        if !self.ready {
            self.ready = true;
            if !self.task.as_ref().is_some_and(|t| t.will_notify_current()) {
                self.task = Some(futures01::task::current());
            }
            self.task.as_ref().unwrap().notify();
            return Ok(futures01::Async::NotReady);
        }
        self.ready = false;
        self.next += 1;
        Ok(futures01::Async::Ready(Some(self.next - 1)))
    }
}

/// The same in 0.3: wakes its waker and answers `Pending` before every item.
struct Parking03 {
    next: u64,
    ready: bool,
}

impl futures::Stream for Parking03 {
    type Item = u64;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u64>> {
        if self.next == PARKING_ITEMS {
            return std::task::Poll::Ready(None);
        }
        if !self.ready {
            self.ready = true;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        self.ready = false;
        self.next += 1;
        std::task::Poll::Ready(Some(self.next - 1))
    }
}

fn parking01() -> Parking01 {
    Parking01 {
        next: 0,
        ready: false,
        task: None,
    }
}

async fn sum_parking01_ours() -> u64 {
    let mut s = iocompat::futures01::Stream01CompatExt::compat(parking01());
    let mut sum = 0u64;
    while let Some(v) = s.next().await {
        sum = sum.wrapping_add(v.unwrap());
    }
    sum
}

async fn sum_parking01_compat() -> u64 {
    let mut s = futures::compat::Stream01CompatExt::compat(parking01());
    let mut sum = 0u64;
    while let Some(v) = s.next().await {
        sum = sum.wrapping_add(v.unwrap());
    }
    sum
}

async fn sum_parking03() -> u64 {
    let mut s = Parking03 {
        next: 0,
        ready: false,
    };
    let mut sum = 0u64;
    while let Some(v) = s.next().await {
        sum = sum.wrapping_add(v);
    }
    sum
}

fn parking_01_stream_as_03() {
    let ours = || futures::executor::block_on(sum_parking01_ours());
    let compat = || futures::executor::block_on(sum_parking01_compat());
    let native = || futures::executor::block_on(sum_parking03());
    let rows = measure(&[
        ("iocompat", &ours),
        ("futures::compat", &compat),
        ("native", &native),
    ]);
    report_per_item(
        "0.1 stream parking before every item, consumed as a 0.3 stream (futures block_on)",
        PARKING_ITEMS,
        &rows,
    );
    // tokio's current-thread `block_on` waker and its clones do not `will_wake` each other in
    // an optimised build.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let ours = || rt.block_on(sum_parking01_ours());
    let compat = || rt.block_on(sum_parking01_compat());
    let native = || rt.block_on(sum_parking03());
    let rows = measure(&[
        ("iocompat", &ours),
        ("futures::compat", &compat),
        ("native", &native),
    ]);
    report_per_item(
        "the same under tokio's current-thread block_on",
        PARKING_ITEMS,
        &rows,
    );
}

fn stream03_by_01_wait() {
    let native = || {
        let mut sum = 0u64;
        for v in futures01::Stream::wait(futures01::stream::iter_ok::<_, ()>(0..STREAM_ITEMS)) {
            sum = sum.wrapping_add(v.unwrap());
        }
        sum
    };
    let compat = || {
        let modern = futures::stream::iter(0..STREAM_ITEMS).map(Ok::<u64, ()>);
        let legacy = futures::TryStreamExt::compat(modern);
        let mut sum = 0u64;
        for v in futures01::Stream::wait(legacy) {
            sum = sum.wrapping_add(v.unwrap());
        }
        sum
    };
    let ours = || {
        let modern = futures::stream::iter(0..STREAM_ITEMS).map(Ok::<u64, ()>);
        let legacy = iocompat::futures01::TryStreamCompatExt::compat(modern);
        let mut sum = 0u64;
        for v in futures01::Stream::wait(legacy) {
            sum = sum.wrapping_add(v.unwrap());
        }
        sum
    };
    let rows = measure(&[
        ("iocompat", &ours),
        ("futures::compat", &compat),
        ("native", &native),
    ]);
    report_per_item("0.3 stream consumed by 0.1 wait()", STREAM_ITEMS, &rows);
}

fn ready_futures01() {
    let native = || {
        futures::executor::block_on(async {
            let mut sum = 0u64;
            for i in 0..FUTURES {
                sum = sum.wrapping_add(
                    futures::future::ready(Ok::<u64, ()>(black_box(i)))
                        .await
                        .unwrap(),
                );
            }
            sum
        })
    };
    let compat = || {
        futures::executor::block_on(async {
            let mut sum = 0u64;
            for i in 0..FUTURES {
                let legacy = futures01::future::ok::<u64, ()>(black_box(i));
                sum = sum.wrapping_add(
                    futures::compat::Future01CompatExt::compat(legacy)
                        .await
                        .unwrap(),
                );
            }
            sum
        })
    };
    let ours = || {
        futures::executor::block_on(async {
            let mut sum = 0u64;
            for i in 0..FUTURES {
                let legacy = futures01::future::ok::<u64, ()>(black_box(i));
                sum = sum.wrapping_add(
                    iocompat::futures01::Future01CompatExt::compat(legacy)
                        .await
                        .unwrap(),
                );
            }
            sum
        })
    };
    // What futures 0.1 itself costs per 0.1 future polled from 0.3 code: a task of its own
    // (`executor::spawn`) entered once with a notify handle, as both bridges do.
    let floor = || {
        futures::executor::block_on(async {
            let notify = NoopNotify01::handle();
            let mut sum = 0u64;
            for i in 0..FUTURES {
                let legacy = futures01::future::ok::<u64, ()>(black_box(i));
                let mut task = futures01::executor::spawn(legacy);
                match task.poll_future_notify(&notify, 0) {
                    Ok(futures01::Async::Ready(v)) => sum = sum.wrapping_add(v),
                    _ => unreachable!("a ready 0.1 future"),
                }
            }
            sum
        })
    };
    let variants: [(&'static str, &dyn Fn() -> u64); 4] = [
        ("iocompat", &ours),
        ("futures::compat", &compat),
        ("futures 0.1 floor", &floor),
        ("native", &native),
    ];
    let rows = measure_rounds(CONVERSION_ROUNDS, &variants);
    report_per_item_of(
        "convert and await ready 0.1 futures",
        FUTURES,
        CONVERSION_ROUNDS,
        &rows,
    );
    report_allocs(FUTURES, &variants);
}

/// A 0.1 `Notify` that does nothing, for the futures 0.1 floor rows.
struct NoopNotify01;

impl futures01::executor::Notify for NoopNotify01 {
    fn notify(&self, _id: usize) {}
}

impl NoopNotify01 {
    fn handle() -> futures01::executor::NotifyHandle {
        futures01::executor::NotifyHandle::from(std::sync::Arc::new(NoopNotify01))
    }
}

/// Converts `FUTURES` 0.3 futures made by `make` to 0.1 with iocompat (`ours`) and
/// futures::compat (`theirs`), and drives each with 0.1 `wait()`; the floor is a 0.1 future
/// doing the same work under `wait()`, no bridge.
fn per_conversion_wait(
    case: &str,
    ours: &dyn Fn(u64) -> Result<u64, ()>,
    theirs: &dyn Fn(u64) -> Result<u64, ()>,
    floor: &dyn Fn(u64) -> Result<u64, ()>,
) {
    let run = |one: &dyn Fn(u64) -> Result<u64, ()>| {
        let mut sum = 0u64;
        for i in 0..FUTURES {
            sum = sum.wrapping_add(one(black_box(i)).unwrap());
        }
        sum
    };
    let (o, t, f) = (|| run(ours), || run(theirs), || run(floor));
    let variants: [(&'static str, &dyn Fn() -> u64); 3] = [
        ("iocompat", &o),
        ("futures::compat", &t),
        ("futures 0.1 floor", &f),
    ];
    let rows = measure_rounds(CONVERSION_ROUNDS, &variants);
    report_per_item_of(case, FUTURES, CONVERSION_ROUNDS, &rows);
    report_allocs(FUTURES, &variants);
}

/// A 0.3 future that answers `Pending` `pendings` times (each time waking its waker, by
/// reference or through a clone it keeps, as channels and `AtomicWaker` do), then `Ready`.
struct Pending03 {
    value: u64,
    pendings: u8,
    clone_waker: bool,
    kept: Option<std::task::Waker>,
}

impl Pending03 {
    fn new(value: u64, pendings: u8, clone_waker: bool) -> Self {
        Self {
            value,
            pendings,
            clone_waker,
            kept: None,
        }
    }
}

impl std::future::Future for Pending03 {
    type Output = Result<u64, ()>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<u64, ()>> {
        if self.pendings == 0 {
            return std::task::Poll::Ready(Ok(self.value));
        }
        self.pendings -= 1;
        if self.clone_waker {
            let kept = self.kept.insert(cx.waker().clone());
            kept.wake_by_ref();
        } else {
            cx.waker().wake_by_ref();
        }
        std::task::Poll::Pending
    }
}

/// The same in 0.1: notifies `task::current()` and answers `NotReady` `pendings` times.
struct Pending01 {
    value: u64,
    pendings: u8,
}

impl futures01::Future for Pending01 {
    type Item = u64;
    type Error = ();

    fn poll(&mut self) -> futures01::Poll<u64, ()> {
        if self.pendings == 0 {
            return Ok(futures01::Async::Ready(self.value));
        }
        self.pendings -= 1;
        futures01::task::current().notify();
        Ok(futures01::Async::NotReady)
    }
}

fn future03_by_01_wait() {
    use futures01::Future as _;
    per_conversion_wait(
        "convert ready 0.3 futures to 0.1 and wait() each (`future::ready`, Unpin)",
        &|i| iocompat::futures01::TryFutureCompatExt::compat(futures::future::ready(Ok(i))).wait(),
        &|i| futures::TryFutureExt::compat(futures::future::ready(Ok(i))).wait(),
        &|i| futures01::future::ok::<u64, ()>(i).wait(),
    );
    per_conversion_wait(
        "the same with `async` blocks (!Unpin; boxed: ours by compat_boxed, futures::compat's by Box::pin)",
        &|i| iocompat::futures01::TryFutureCompatExt::compat_boxed(async move { Ok(i) }).wait(),
        &|i| futures::TryFutureExt::compat(Box::pin(async move { Ok(i) })).wait(),
        &|i| futures01::future::ok::<u64, ()>(i).wait(),
    );
    // iocompat polls a 0.3 future with a probe waker until it keeps one: a future that
    // only wakes itself costs no waker, and its wake goes to the 0.1 task; one that keeps a
    // clone is asked again at once with a real waker.
    per_conversion_wait(
        "0.3 futures answering Pending once (wake_by_ref: a yield), converted and wait()ed",
        &|i| iocompat::futures01::TryFutureCompatExt::compat(Pending03::new(i, 1, false)).wait(),
        &|i| futures::TryFutureExt::compat(Pending03::new(i, 1, false)).wait(),
        &|i| {
            Pending01 {
                value: i,
                pendings: 1,
            }
            .wait()
        },
    );
    per_conversion_wait(
        "0.3 futures answering Pending twice (wake_by_ref), converted and wait()ed",
        &|i| iocompat::futures01::TryFutureCompatExt::compat(Pending03::new(i, 2, false)).wait(),
        &|i| futures::TryFutureExt::compat(Pending03::new(i, 2, false)).wait(),
        &|i| {
            Pending01 {
                value: i,
                pendings: 2,
            }
            .wait()
        },
    );
    per_conversion_wait(
        "0.3 futures answering Pending twice (keeping a waker clone), converted and wait()ed",
        &|i| iocompat::futures01::TryFutureCompatExt::compat(Pending03::new(i, 2, true)).wait(),
        &|i| futures::TryFutureExt::compat(Pending03::new(i, 2, true)).wait(),
        &|i| {
            Pending01 {
                value: i,
                pendings: 2,
            }
            .wait()
        },
    );
}

fn io01_through_tokio() {
    io01_through_tokio_in(16 << 10);
    io01_through_tokio_in(512);
}

fn io01_through_tokio_in(chunk: usize) {
    let data = vec![7u8; IO_BYTES];
    let native = || {
        let mut legacy = std::io::Cursor::new(&data[..]);
        let mut buf = vec![0u8; chunk];
        let mut total = 0u64;
        loop {
            let n = legacy.read(&mut buf).unwrap();
            if n == 0 {
                break total;
            }
            total += black_box(&buf[..n]).len() as u64;
        }
    };
    let ours = || {
        futures::executor::block_on(async {
            use tokio::io::AsyncReadExt;
            let legacy = std::io::Cursor::new(&data[..]);
            let mut r = iocompat::futures01::AsyncRead01CompatExt::compat_tokio(legacy);
            let mut buf = vec![0u8; chunk];
            let mut total = 0u64;
            loop {
                let n = r.read(&mut buf).await.unwrap();
                if n == 0 {
                    break total;
                }
                total += black_box(&buf[..n]).len() as u64;
            }
        })
    };
    let compat = || {
        futures::executor::block_on(async {
            use tokio::io::AsyncReadExt;
            use tokio_util::compat::FuturesAsyncReadCompatExt;
            let legacy = std::io::Cursor::new(&data[..]);
            // Two hops: tokio-io 0.1 -> futures-io (futures::compat) -> tokio 1 (tokio-util).
            let mut r = futures::compat::AsyncRead01CompatExt::compat(legacy).compat();
            let mut buf = vec![0u8; chunk];
            let mut total = 0u64;
            loop {
                let n = r.read(&mut buf).await.unwrap();
                if n == 0 {
                    break total;
                }
                total += black_box(&buf[..n]).len() as u64;
            }
        })
    };
    let rows = measure(&[
        ("iocompat", &ours),
        ("futures::compat", &compat),
        ("native", &native),
    ]);
    println!(
        "\ntokio-io 0.1 reader (Cursor, {} MiB in {chunk}-byte reads) read through tokio 1, median of {ROUNDS}",
        IO_BYTES >> 20,
    );
    let gibs = |d: Duration| IO_BYTES as f64 / d.as_secs_f64() / (1u64 << 30) as f64;
    for (name, d) in &rows {
        let label = match *name {
            "native" => "native (std::io::Read)",
            "futures::compat" => "futures::compat + tokio-util",
            other => other,
        };
        println!("  {label:<28} {:>8.2} GiB/s", gibs(*d));
    }
    let t = |n: &str| {
        rows.iter()
            .find(|r| r.0 == n)
            .map(|r| r.1.as_secs_f64())
            .unwrap()
    };
    println!(
        "  throughput ours / native = {:.2}; ours / futures::compat two hops = {:.2}",
        t("native") / t("iocompat"),
        t("futures::compat") / t("iocompat")
    );
}

fn main() {
    // `cargo bench --bench futures01 --features futures01 -- NAME` runs only the cases whose
    // function name contains NAME.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let start = Instant::now();
    let cases: [(&str, fn()); 6] = [
        ("stream01_as_03", stream01_as_03),
        ("parking_01_stream_as_03", parking_01_stream_as_03),
        ("stream03_by_01_wait", stream03_by_01_wait),
        ("ready_futures01", ready_futures01),
        ("future03_by_01_wait", future03_by_01_wait),
        ("io01_through_tokio", io01_through_tokio),
    ];
    for (name, case) in cases {
        if wanted(name) {
            case();
        }
    }
    println!("\n(total {:.1} s)", start.elapsed().as_secs_f64());
}
