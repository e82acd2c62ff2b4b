//! Waker bridging allocates nothing per poll in steady state, proved with a counting global
//! allocator over 100k stream items, each of which first answers `NotReady` and notifies; and
//! each conversion allocates no more than `futures::compat`'s, counted side by side over
//! 1,000 conversions of each kind.

#![cfg(feature = "futures01")]

#[path = "support/futures01_bounded.rs"]
mod bounded;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::CountingAlloc;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures_core::Stream;
use futures01::{Async, Stream as Stream01};
use iocompat::futures01::{Future01CompatExt, Stream01CompatExt, TryStreamCompatExt};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Counts allocations made while `f` runs.
fn allocations_during(f: impl FnOnce()) -> usize {
    counting_alloc::allocations_during(f).1
}

const ITEMS: u64 = 100_000;

/// A 0.1 stream that answers `NotReady` before every item, after calling `task::current()`,
/// cloning the task, asking `will_notify_current()` and notifying: everything 0.1 code does.
struct Blinking {
    next: u64,
    ready: bool,
}

impl Stream01 for Blinking {
    type Item = u64;
    type Error = ();

    fn poll(&mut self) -> futures01::Poll<Option<u64>, ()> {
        if self.next == ITEMS {
            return Ok(Async::Ready(None));
        }
        if !self.ready {
            self.ready = true;
            let task = futures01::task::current();
            let clone = task.clone();
            assert!(clone.will_notify_current());
            clone.notify();
            return Ok(Async::NotReady);
        }
        self.ready = false;
        self.next += 1;
        Ok(Async::Ready(Some(self.next - 1)))
    }
}

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn a_01_stream_of_100k_items_polled_from_03_allocates_nothing_per_poll() {
    let wakes = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&wakes));
    let mut cx = Context::from_waker(&waker);
    let mut stream = Blinking {
        next: 0,
        ready: false,
    }
    .compat();
    // Warm up: the first `task::current()` allocates the wrapper's one notify handle.
    let mut sum = 0u64;
    let mut seen = 0u64;
    let mut step = |cx: &mut Context<'_>, sum: &mut u64, seen: &mut u64| match Pin::new(&mut stream)
        .poll_next(cx)
    {
        Poll::Ready(Some(Ok(v))) => {
            *sum += v;
            *seen += 1;
            true
        }
        Poll::Ready(Some(Err(()))) => panic!("stream failed"),
        Poll::Ready(None) => false,
        Poll::Pending => true,
    };
    for _ in 0..4 {
        step(&mut cx, &mut sum, &mut seen);
    }
    let allocs = allocations_during(|| while step(&mut cx, &mut sum, &mut seen) {});
    assert_eq!(seen, ITEMS);
    assert_eq!(sum, ITEMS * (ITEMS - 1) / 2);
    assert_eq!(wakes.0.load(Ordering::Relaxed), ITEMS as usize);
    assert_eq!(allocs, 0, "allocations while polling {ITEMS} items");
}

/// The same under tokio's current-thread `block_on`, whose waker and its clones do not
/// `will_wake` each other in a release build: the bridge must not take each poll for a new
/// task (a new notify handle per poll, and `will_notify_current()` false).
#[test]
fn a_01_stream_polled_by_tokio_block_on_allocates_nothing_per_poll() {
    // On its own thread (the counter is per thread), so a lost wake-up fails the test instead
    // of hanging it.
    let (sum, allocs) = bounded::bounded(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut stream = Blinking {
            next: 0,
            ready: false,
        }
        .compat();
        rt.block_on(async {
            use futures::StreamExt;
            // Warm up: the first `task::current()` allocates the wrapper's one notify handle.
            let mut sum = stream.next().await.unwrap().unwrap();
            let counter = counting_alloc::Counter::start();
            while let Some(v) = stream.next().await {
                sum += v.unwrap();
            }
            (sum, counter.stop())
        })
    });
    assert_eq!(sum, ITEMS * (ITEMS - 1) / 2);
    assert_eq!(
        allocs, 0,
        "allocations while polling {ITEMS} items under tokio"
    );
}

/// A 0.3 stream that answers `Pending` before every item, waking its waker.
struct Blinking03 {
    next: u64,
    ready: bool,
}

impl Stream for Blinking03 {
    type Item = Result<u64, ()>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.next == ITEMS {
            return Poll::Ready(None);
        }
        if !self.ready {
            self.ready = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.ready = false;
        self.next += 1;
        Poll::Ready(Some(Ok(self.next - 1)))
    }
}

#[test]
fn a_03_stream_of_100k_items_consumed_by_01_wait_allocates_nothing_per_poll() {
    let mut items = Blinking03 {
        next: 0,
        ready: false,
    }
    .compat()
    .wait();
    let mut sum = 0u64;
    for _ in 0..2 {
        sum += items.next().unwrap().unwrap();
    }
    let allocs = allocations_during(|| {
        for item in items.by_ref() {
            sum += item.unwrap();
        }
    });
    assert_eq!(sum, ITEMS * (ITEMS - 1) / 2);
    assert_eq!(allocs, 0, "allocations while consuming {ITEMS} items");
}

#[test]
fn the_counter_sees_allocations_on_this_thread() {
    let allocs = allocations_during(|| drop(std::hint::black_box(Box::new(7u64))));
    assert_eq!(allocs, 1);
}

/// Conversions per measurement in the per-conversion tests below.
const CONVERSIONS: usize = 1_000;

/// Allocations per conversion while `convert` runs `CONVERSIONS` times, after one warm-up
/// conversion (which may make what a thread keeps for good: futures 0.1's thread notifier for
/// `wait()`, the bridge's last waker).
fn allocations_per_conversion(mut convert: impl FnMut(usize)) -> f64 {
    convert(0);
    let total = allocations_during(|| {
        for i in 0..CONVERSIONS {
            convert(std::hint::black_box(i));
        }
    });
    total as f64 / CONVERSIONS as f64
}

/// A 0.3 future that answers `Pending` `pendings` times, each time waking its waker (by
/// reference, or through a clone it keeps, as channels and `AtomicWaker` do), then `Ready`.
struct Pending03 {
    pendings: u8,
    clone_waker: bool,
    kept: Option<Waker>,
}

impl Pending03 {
    fn new(pendings: u8, clone_waker: bool) -> Self {
        Self {
            pendings,
            clone_waker,
            kept: None,
        }
    }
}

impl std::future::Future for Pending03 {
    type Output = Result<usize, ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<usize, ()>> {
        if self.pendings == 0 {
            return Poll::Ready(Ok(1));
        }
        self.pendings -= 1;
        if self.clone_waker {
            self.kept.insert(cx.waker().clone()).wake_by_ref();
        } else {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

/// Ours and futures::compat's allocations per conversion of the 0.3 futures `make` builds,
/// each driven to completion by 0.1 `wait()`.
fn per_conversion_03_as_01_wait<F>(make: impl Fn() -> F) -> (f64, f64)
where
    F: std::future::Future<Output = Result<usize, ()>> + Unpin,
{
    use futures01::Future as _;
    let ours = allocations_per_conversion(|_| {
        assert_eq!(
            iocompat::futures01::TryFutureCompatExt::compat(make()).wait(),
            Ok(1)
        );
    });
    let theirs = allocations_per_conversion(|_| {
        assert_eq!(futures::TryFutureExt::compat(make()).wait(), Ok(1));
    });
    (ours, theirs)
}

#[test]
fn converting_a_ready_03_future_for_01_wait_allocates_nothing_like_futures_compat() {
    let (ours, theirs) = bounded::bounded(|| {
        per_conversion_03_as_01_wait(|| futures::future::ready(Ok::<usize, ()>(1)))
    });
    assert_eq!(theirs, 0.0, "futures::compat's allocations per conversion");
    assert_eq!(ours, 0.0, "our allocations per conversion");
}

#[test]
fn converting_a_pending_03_future_for_01_wait_allocates_no_more_than_futures_compat() {
    for pendings in [1, 2, 5] {
        for clone_waker in [false, true] {
            let (ours, theirs) = bounded::bounded(move || {
                per_conversion_03_as_01_wait(|| Pending03::new(pendings, clone_waker))
            });
            let case = format!("{pendings} Pending answers, waker cloned: {clone_waker}");
            assert_eq!(ours, 0.0, "our allocations per conversion, {case}");
            assert!(
                ours <= theirs,
                "{case}: ours {ours} > futures::compat {theirs}"
            );
        }
    }
}

#[test]
fn converting_a_not_unpin_03_future_allocates_its_one_box_like_futures_compat() {
    use futures01::Future as _;
    let (ours, theirs) = bounded::bounded(|| {
        let ours = allocations_per_conversion(|i| {
            let fut = async move { Ok::<usize, ()>(i) };
            assert_eq!(
                iocompat::futures01::TryFutureCompatExt::compat_boxed(fut).wait(),
                Ok(i)
            );
        });
        let theirs = allocations_per_conversion(|i| {
            let fut = async move { Ok::<usize, ()>(i) };
            assert_eq!(futures::TryFutureExt::compat(Box::pin(fut)).wait(), Ok(i));
        });
        (ours, theirs)
    });
    assert_eq!(
        theirs, 1.0,
        "futures::compat with Box::pin: one box per conversion"
    );
    assert_eq!(ours, 1.0, "compat_boxed: one box per conversion");
}

#[test]
fn awaiting_a_ready_01_future_through_the_bridge_allocates_nothing_like_futures_compat() {
    let (ours, theirs) = bounded::bounded(|| {
        let ours = allocations_per_conversion(|i| {
            let legacy = futures01::future::ok::<usize, ()>(i);
            let out = futures::executor::block_on(legacy.compat());
            assert_eq!(out, Ok(i));
        });
        let theirs = allocations_per_conversion(|i| {
            let legacy = futures01::future::ok::<usize, ()>(i);
            let out =
                futures::executor::block_on(futures::compat::Future01CompatExt::compat(legacy));
            assert_eq!(out, Ok(i));
        });
        (ours, theirs)
    });
    assert_eq!(theirs, 0.0, "futures::compat's allocations per conversion");
    assert_eq!(ours, 0.0, "our allocations per conversion");
}

/// A 0.1 future that answers `NotReady` once, after notifying `task::current()`.
struct NotReadyOnce01(bool);

impl futures01::Future for NotReadyOnce01 {
    type Item = usize;
    type Error = ();

    fn poll(&mut self) -> futures01::Poll<usize, ()> {
        if self.0 {
            return Ok(Async::Ready(1));
        }
        self.0 = true;
        futures01::task::current().notify();
        Ok(Async::NotReady)
    }
}

#[test]
fn awaiting_a_pending_01_future_through_the_bridge_allocates_no_more_than_futures_compat() {
    let (ours, theirs) = bounded::bounded(|| {
        let ours = allocations_per_conversion(|_| {
            let out = futures::executor::block_on(NotReadyOnce01(false).compat());
            assert_eq!(out, Ok(1));
        });
        let theirs = allocations_per_conversion(|_| {
            let legacy = NotReadyOnce01(false);
            let out =
                futures::executor::block_on(futures::compat::Future01CompatExt::compat(legacy));
            assert_eq!(out, Ok(1));
        });
        (ours, theirs)
    });
    assert!(ours <= theirs, "ours {ours} > futures::compat {theirs}");
}
