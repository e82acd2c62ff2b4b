//! `iocompat::tokio01` beside a native tokio 0.1 runtime doing the same work, in one run.
//!
//! Run with `cargo bench --bench tokio01 --features tokio01` (a filter argument runs only the
//! cases whose name contains it: `timers`, `hyper`, `per_poll`). Every case runs its variants
//! once per round, each round starting at a different variant so drift hits all alike, after
//! one uncounted warm-up round, and prints medians over the rounds (with min-max) and ratios.
//! The machine is shared: compare ratios, not absolute numbers.
//!
//! - `timers`: 10,000 concurrent tokio 0.1 `Delay`s, deadlines spread 10-50 ms out, each its
//!   own task: the time until all fired, and the median and p99 lateness (fire time minus
//!   deadline) of the delays. tokio 1 sleeps on a tokio 1 runtime are shown for reference.
//! - `hyper`: a hyper 0.12 hello-world server and a hyper 0.12 client on the same runtime,
//!   4 concurrent keep-alive connections, 1,000 requests on each: requests per second (wall
//!   clock), and the process's CPU time per request (all threads: client, server, runtimes),
//!   which a machine busy with other work disturbs less than the wall clock.
//! - `per_poll`: the cost of entering the tokio 0.1 services per poll. The bridge that never
//!   enters them is `futures::compat` (futures-util's); "entered" is the same bridge with every
//!   poll inside `iocompat::tokio01::enter`, so the difference is the enter and nothing else.
//!   iocompat's own `.compat()` (which enters) is shown beside. On a plain tokio 1 runtime each
//!   outermost poll sets tokio 0.1's four defaults; on `iocompat::tokio01::Runtime` they are
//!   set once per thread and a poll pays a flag check.

use std::hint::black_box;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use futures01::future::{Loop, loop_fn};
use futures01::{Future as Future01, Stream as Stream01};
use hyper012::service::{make_service_fn, service_fn};
use hyper012::{Body, Client, Response, Server};
use iocompat::futures01::{Future01CompatExt as _, Stream01CompatExt as _};

const ROUNDS: usize = 7;
const DELAYS: usize = 10_000;
const CONNECTIONS: usize = 4;
const REQUESTS_PER_CONNECTION: usize = 1_000;
const STREAM_ITEMS: u64 = 2_000_000;
const READY_FUTURES: u64 = 1_000_000;
const HELLO: &str = "Hello, World!";

/// Runs every variant once per round (one warm-up round first, not kept), each round starting
/// at the next variant, and answers every variant's results in round order.
fn rounds<M>(variants: &mut [Variant<'_, M>]) -> Vec<Vec<M>> {
    for (_, f) in variants.iter_mut() {
        black_box(f());
    }
    let n = variants.len();
    let mut results: Vec<Vec<M>> = (0..n).map(|_| Vec::new()).collect();
    for round in 0..ROUNDS {
        for k in 0..n {
            let i = (round + k) % n;
            results[i].push((variants[i].1)());
        }
    }
    results
}

/// A named variant of a case: one call is one run, answering its measurement.
type Variant<'a, M> = (&'static str, &'a mut dyn FnMut() -> M);

/// Median, min and max.
fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn selected(filter: &Option<String>, case: &str) -> bool {
    filter.as_ref().is_none_or(|f| case.contains(f.as_str()))
}

// ---------------------------------------------------------------------------------------------
// timers

/// One run of the timer case: when the last delay fired, and the lateness distribution.
struct TimerRun {
    all_fired_ms: f64,
    p50_late_ms: f64,
    p99_late_ms: f64,
}

fn deadlines(start: Instant) -> impl Iterator<Item = Instant> {
    let spread = 40_000u64; // µs
    (0..DELAYS as u64).map(move |i| {
        start + Duration::from_millis(10) + Duration::from_micros(i * spread / DELAYS as u64)
    })
}

fn summarize(start: Instant, fired: &mpsc::Receiver<(Instant, Instant)>) -> TimerRun {
    let mut late: Vec<f64> = Vec::with_capacity(DELAYS);
    let mut last = start;
    for _ in 0..DELAYS {
        let (deadline, at) = fired.recv().expect("every delay reports");
        last = last.max(at);
        late.push(at.saturating_duration_since(deadline).as_secs_f64() * 1e3);
    }
    late.sort_by(f64::total_cmp);
    TimerRun {
        all_fired_ms: (last - start).as_secs_f64() * 1e3,
        p50_late_ms: late[DELAYS / 2],
        p99_late_ms: late[DELAYS * 99 / 100],
    }
}

/// The legacy task: a tokio 0.1 `Delay`, then report when it fired.
fn delay_task01(
    deadline: Instant,
    fired: mpsc::Sender<(Instant, Instant)>,
) -> impl Future01<Item = (), Error = ()> + Send {
    tokio01::timer::Delay::new(deadline).then(move |r| {
        r.expect("the 0.1 timer answers");
        let _ = fired.send((deadline, Instant::now()));
        Ok(())
    })
}

fn timers() {
    let native = tokio01::runtime::Runtime::new().unwrap();
    let ours = iocompat::tokio01::Runtime::new().unwrap();
    let plain = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sleeps = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    let mut run_native = || {
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        let executor = native.executor();
        for deadline in deadlines(start) {
            executor.spawn(delay_task01(deadline, tx.clone()));
        }
        summarize(start, &rx)
    };
    let mut run_ours = || {
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        let executor = ours.executor();
        for deadline in deadlines(start) {
            executor.spawn(delay_task01(deadline, tx.clone()));
        }
        summarize(start, &rx)
    };
    let mut run_plain = || {
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        for deadline in deadlines(start) {
            plain.spawn(delay_task01(deadline, tx.clone()).compat());
        }
        summarize(start, &rx)
    };
    let mut run_sleeps = || {
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        for deadline in deadlines(start) {
            let tx = tx.clone();
            sleeps.spawn(async move {
                tokio::time::sleep_until(deadline.into()).await;
                let _ = tx.send((deadline, Instant::now()));
            });
        }
        summarize(start, &rx)
    };
    let mut variants: [Variant<'_, TimerRun>; 4] = [
        ("native tokio 0.1 Runtime", &mut run_native),
        ("iocompat::tokio01::Runtime", &mut run_ours),
        ("tokio 1 multi-thread + .compat()", &mut run_plain),
        ("(tokio 1 sleeps, reference)", &mut run_sleeps),
    ];
    let results = rounds(&mut variants);

    println!(
        "\ntimers: {DELAYS} concurrent 0.1 Delays, 10-50 ms out (median [min-max] of {ROUNDS})"
    );
    let mut medians = Vec::new();
    for ((name, _), runs) in variants.iter().zip(results) {
        let all = stats(runs.iter().map(|r| r.all_fired_ms).collect());
        let p50 = stats(runs.iter().map(|r| r.p50_late_ms).collect());
        let p99 = stats(runs.iter().map(|r| r.p99_late_ms).collect());
        println!(
            "  {name:<34} all fired {:>6.2} ms [{:.2}-{:.2}]   lateness p50 {:>5.2} ms [{:.2}-{:.2}]   p99 {:>5.2} ms [{:.2}-{:.2}]",
            all.0, all.1, all.2, p50.0, p50.1, p50.2, p99.0, p99.1, p99.2
        );
        medians.push((all.0, p50.0, p99.0));
    }
    let native = medians[0];
    for (i, name) in [
        (1, "iocompat::tokio01::Runtime"),
        (2, "tokio 1 + .compat()"),
    ] {
        let m = medians[i];
        println!(
            "  native / {name}: all fired {:.3}x, p50 lateness {:.2} vs {:.2} ms, p99 lateness {:.2} vs {:.2} ms",
            native.0 / m.0,
            m.1,
            native.1,
            m.2,
            native.2
        );
    }
}

// ---------------------------------------------------------------------------------------------
// hyper

/// A hyper 0.12 hello-world server on 127.0.0.1, as hyper 0.12's own example writes it.
fn hello_server() -> (SocketAddr, impl Future01<Item = (), Error = ()> + Send) {
    let addr = ([127, 0, 0, 1], 0).into();
    let server = Server::bind(&addr).serve(make_service_fn(|_| {
        Ok::<_, hyper012::Error>(service_fn(|_request| {
            futures01::future::ok::<_, hyper012::Error>(Response::new(Body::from(HELLO)))
        }))
    }));
    let addr = server.local_addr();
    (addr, server.map_err(|e| panic!("server: {e}")))
}

/// `CONNECTIONS` concurrent loops of `REQUESTS_PER_CONNECTION` GETs on one hyper 0.12
/// `Client::new()` (keep-alive: each loop reuses its connection).
fn client_load(addr: SocketAddr) -> impl Future01<Item = (), Error = ()> + Send {
    let client = Client::new();
    let uri: hyper012::Uri = format!("http://{addr}/").parse().unwrap();
    let loops = (0..CONNECTIONS).map(move |_| {
        let client = client.clone();
        let uri = uri.clone();
        loop_fn(0, move |n| {
            let more = n + 1 < REQUESTS_PER_CONNECTION;
            client
                .get(uri.clone())
                .and_then(|response| response.into_body().concat2())
                .map(move |body| {
                    assert_eq!(&body[..], HELLO.as_bytes());
                    if more {
                        Loop::Continue(n + 1)
                    } else {
                        Loop::Break(())
                    }
                })
        })
    });
    futures01::future::join_all(loops)
        .map(|_| ())
        .map_err(|e| panic!("client: {e}"))
}

const REQUESTS: f64 = (CONNECTIONS * REQUESTS_PER_CONNECTION) as f64;

/// CPU time used by the whole process so far.
fn process_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Wall clock and CPU time of one client run.
struct Started(Instant, Duration);

impl Started {
    fn now() -> Self {
        Self(Instant::now(), process_cpu())
    }

    /// (requests per second, CPU µs per request).
    fn done(self) -> (f64, f64) {
        let wall = self.0.elapsed().as_secs_f64();
        let cpu = (process_cpu() - self.1).as_secs_f64();
        (REQUESTS / wall, cpu * 1e6 / REQUESTS)
    }
}

fn hyper() {
    let mut native = tokio01::runtime::Runtime::new().unwrap();
    let (native_addr, server) = hello_server();
    native.spawn(server);

    let mut native_ct = tokio01::runtime::current_thread::Runtime::new().unwrap();
    let (native_ct_addr, server) = hello_server();
    native_ct.spawn(server);

    let mut ours = iocompat::tokio01::Runtime::new().unwrap();
    let (ours_addr, server) = hello_server();
    ours.spawn(server);

    let mut ours_ct = iocompat::tokio01::current_thread::Runtime::new().unwrap();
    let (ours_ct_addr, server) = hello_server();
    ours_ct.spawn(server);

    let plain = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (plain_addr, server) = hello_server();
    plain.spawn(server.compat());

    let mut run_native = || {
        let start = Started::now();
        native.block_on(client_load(native_addr)).unwrap();
        start.done()
    };
    let mut run_native_ct = || {
        let start = Started::now();
        native_ct.block_on(client_load(native_ct_addr)).unwrap();
        start.done()
    };
    let mut run_ours = || {
        let start = Started::now();
        ours.block_on(client_load(ours_addr)).unwrap();
        start.done()
    };
    let mut run_ours_ct = || {
        let start = Started::now();
        ours_ct.block_on(client_load(ours_ct_addr)).unwrap();
        start.done()
    };
    let mut run_plain = || {
        let start = Started::now();
        let task = plain.spawn(client_load(plain_addr).compat());
        plain.block_on(task).unwrap().unwrap();
        start.done()
    };
    let mut variants: [Variant<'_, (f64, f64)>; 5] = [
        ("native tokio 0.1 Runtime", &mut run_native),
        ("iocompat::tokio01::Runtime", &mut run_ours),
        ("tokio 1 multi-thread + .compat()", &mut run_plain),
        ("native tokio 0.1 current_thread", &mut run_native_ct),
        ("iocompat::tokio01::current_thread", &mut run_ours_ct),
    ];
    let results = rounds(&mut variants);

    println!(
        "\nhyper 0.12 hello world: {CONNECTIONS} keep-alive connections x {REQUESTS_PER_CONNECTION} requests (median [min-max] of {ROUNDS})"
    );
    let mut medians = Vec::new();
    for ((name, _), runs) in variants.iter().zip(results) {
        let (rps, lo, hi) = stats(runs.iter().map(|r| r.0).collect());
        let (cpu, cpu_lo, cpu_hi) = stats(runs.iter().map(|r| r.1).collect());
        println!(
            "  {name:<34} {rps:>8.0} req/s [{lo:.0}-{hi:.0}]   CPU {cpu:>6.2} µs/request [{cpu_lo:.2}-{cpu_hi:.2}]"
        );
        medians.push((rps, cpu));
    }
    for (ours, native, what) in [
        (1, 0, "iocompat::tokio01::Runtime / native Runtime"),
        (2, 0, "tokio 1 + .compat() / native Runtime"),
        (4, 3, "iocompat current_thread / native current_thread"),
    ] {
        println!(
            "  {what}: req/s {:.3}, CPU per request native / ours {:.3}",
            medians[ours].0 / medians[native].0,
            medians[native].1 / medians[ours].1
        );
    }
}

// ---------------------------------------------------------------------------------------------
// per-poll overhead

/// A 0.3 stream or future whose every poll runs inside `iocompat::tokio01::enter`.
struct EnterEachPoll<T>(T);

impl<S: futures::Stream + Unpin> futures::Stream for EnterEachPoll<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let inner = &mut self.0;
        iocompat::tokio01::enter(|| Pin::new(inner).poll_next(cx))
    }
}

impl<F: std::future::Future + Unpin> std::future::Future for EnterEachPoll<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let inner = &mut self.0;
        iocompat::tokio01::enter(|| Pin::new(inner).poll(cx))
    }
}

#[derive(Clone, Copy)]
enum Bridge {
    /// `futures::compat`: never enters the services.
    NotEntered,
    /// `futures::compat` inside `enter` per poll.
    Entered,
    /// `iocompat::futures01` (enters per poll).
    Iocompat,
}

async fn sum_stream(bridge: Bridge) -> u64 {
    let legacy = || futures01::stream::iter_ok::<_, ()>(0..STREAM_ITEMS);
    let mut sum = 0u64;
    match bridge {
        Bridge::NotEntered => {
            let mut s = futures::compat::Stream01CompatExt::compat(legacy());
            while let Some(v) = s.next().await {
                sum = sum.wrapping_add(v.unwrap());
            }
        }
        Bridge::Entered => {
            let mut s = EnterEachPoll(futures::compat::Stream01CompatExt::compat(legacy()));
            while let Some(v) = s.next().await {
                sum = sum.wrapping_add(v.unwrap());
            }
        }
        Bridge::Iocompat => {
            let mut s = legacy().compat();
            while let Some(v) = s.next().await {
                sum = sum.wrapping_add(v.unwrap());
            }
        }
    }
    sum
}

async fn await_ready_futures(bridge: Bridge) -> u64 {
    let mut sum = 0u64;
    for i in 0..READY_FUTURES {
        let legacy = futures01::future::ok::<_, ()>(i);
        let v = match bridge {
            Bridge::NotEntered => futures::compat::Future01CompatExt::compat(legacy).await,
            Bridge::Entered => {
                EnterEachPoll(futures::compat::Future01CompatExt::compat(legacy)).await
            }
            Bridge::Iocompat => legacy.compat().await,
        };
        sum = sum.wrapping_add(v.unwrap());
    }
    sum
}

fn per_poll() {
    let plain = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut ours = iocompat::tokio01::Runtime::new().unwrap();

    type Work = fn(Bridge) -> Pin<Box<dyn std::future::Future<Output = u64> + Send>>;
    let works: [(&str, u64, Work); 2] = [
        ("0.1 stream of ready items", STREAM_ITEMS, |b| {
            Box::pin(sum_stream(b))
        }),
        ("ready 0.1 futures awaited", READY_FUTURES, |b| {
            Box::pin(await_ready_futures(b))
        }),
    ];
    for (work_name, items, work) in works {
        let ns = |start: Instant| start.elapsed().as_secs_f64() * 1e9 / items as f64;
        let mut plain_off = || {
            let t = Instant::now();
            black_box(plain.block_on(work(Bridge::NotEntered)));
            ns(t)
        };
        let mut plain_on = || {
            let t = Instant::now();
            black_box(plain.block_on(work(Bridge::Entered)));
            ns(t)
        };
        let mut plain_ours = || {
            let t = Instant::now();
            black_box(plain.block_on(work(Bridge::Iocompat)));
            ns(t)
        };
        // On a worker of iocompat's Runtime (`block_on_std` spawns there), where the defaults
        // are set once per thread.
        let mut rt = |bridge: Bridge| {
            let t = Instant::now();
            black_box(ours.block_on_std(work(bridge)));
            ns(t)
        };
        let rt = std::cell::RefCell::new(&mut rt);
        let mut ours_off = || (rt.borrow_mut())(Bridge::NotEntered);
        let mut ours_on = || (rt.borrow_mut())(Bridge::Entered);
        let mut ours_ours = || (rt.borrow_mut())(Bridge::Iocompat);
        let mut variants: [Variant<'_, f64>; 6] = [
            ("tokio 1 current-thread: not entered", &mut plain_off),
            ("tokio 1 current-thread: entered", &mut plain_on),
            ("tokio 1 current-thread: iocompat", &mut plain_ours),
            ("tokio01::Runtime: not entered", &mut ours_off),
            ("tokio01::Runtime: entered", &mut ours_on),
            ("tokio01::Runtime: iocompat", &mut ours_ours),
        ];
        let results = rounds(&mut variants);
        println!(
            "\nper_poll: {work_name}, {items} items (ns per item, median [min-max] of {ROUNDS})"
        );
        let mut medians = Vec::new();
        for ((name, _), runs) in variants.iter().zip(results) {
            let (m, lo, hi) = stats(runs);
            println!("  {name:<38} {m:>7.2} ns [{lo:.2}-{hi:.2}]");
            medians.push(m);
        }
        println!(
            "  entered / not entered: tokio 1 current-thread {:.3} (+{:.1} ns), tokio01::Runtime {:.3} (+{:.1} ns)",
            medians[1] / medians[0],
            medians[1] - medians[0],
            medians[4] / medians[3],
            medians[4] - medians[3]
        );
        println!(
            "  iocompat / not entered (futures::compat): tokio 1 current-thread {:.3}, tokio01::Runtime {:.3}",
            medians[2] / medians[0],
            medians[5] / medians[3]
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; the first other argument filters cases.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if selected(&filter, "timers") {
        timers();
    }
    if selected(&filter, "hyper") {
        hyper();
    }
    if selected(&filter, "per_poll") {
        per_poll();
    }
}
