//! 1,000 concurrent tokio 0.1 `Delay`s fire within the tolerance of 1,000 tokio 1 sleeps with
//! the same deadlines, on the same runtime, at the same time, under the same load. A
//! correctness bound, not a benchmark: the numbers are in `benches/README.md`.
//!
//! The margin is generous on purpose ([`MARGIN`]): the 0.1 timer runs on iocompat's
//! background thread and wakes tokio 1 tasks from there, one cross-thread wake more than a
//! tokio 1 sleep, and the machine running the tests is shared. What must never happen (a delay
//! lost, fired early, or seconds late while tokio 1's fire on time) fails it.

#![cfg(feature = "tokio01")]

use crate::bounded;
use crate::flavors;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flavors::on_both_flavors;
use futures01::Future as Future01;
use iocompat::futures01::Future01CompatExt;

const DELAYS: u64 = 1_000;
/// How much later than tokio 1's our p50 and p99 lateness may be.
const MARGIN: Duration = Duration::from_millis(50);

/// Deadline of delay `i`: spread 20-70 ms after `start`.
fn deadline(start: Instant, i: u64) -> Instant {
    start + Duration::from_millis(20) + Duration::from_micros(i * 50_000 / DELAYS)
}

/// Lateness (fire minus deadline) of every delay, sorted; `None` entries fired early.
#[derive(Default)]
struct Lateness(Mutex<Vec<Option<Duration>>>);

impl Lateness {
    fn record(&self, deadline: Instant) {
        let now = Instant::now();
        let late = now.checked_duration_since(deadline);
        self.0.lock().unwrap().push(late);
    }

    /// (p50, p99, max), after checking that all fired and none early.
    fn summary(&self, what: &str) -> (Duration, Duration, Duration) {
        let mut all = self.0.lock().unwrap().clone();
        assert_eq!(all.len() as u64, DELAYS, "{what}: every delay fired");
        let early = all.iter().filter(|l| l.is_none()).count();
        assert_eq!(
            early, 0,
            "{what}: {early} delays fired before their deadline"
        );
        all.sort();
        let at = |q: u64| all[(DELAYS * q / 100) as usize].unwrap();
        (at(50), at(99), all[all.len() - 1].unwrap())
    }
}

/// The tests of this file run one at a time: each brings its own load, and two at once would
/// put more spinning threads than cores beside the timer thread.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Load: `n` tasks that each burn about 200 µs of CPU, then yield, until `stop`.
fn load(n: usize, stop: &Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<()>> {
    (0..n)
        .map(|_| {
            let stop = Arc::clone(stop);
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let burn = Instant::now();
                    while burn.elapsed() < Duration::from_micros(200) {
                        std::hint::spin_loop();
                    }
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect()
}

/// Runs 1,000 0.1 `Delay`s (spawned as 0.1 tasks through `spawn01`) and 1,000 tokio 1 sleeps
/// with the same deadlines, interleaved, beside one task that keeps the runtime busy;
/// compares the two distributions.
async fn compare(spawn01: impl Fn(Box<dyn Future01<Item = (), Error = ()> + Send>)) {
    let stop = Arc::new(AtomicBool::new(false));
    let burners = load(1, &stop);
    let ours = Arc::new(Lateness::default());
    let tokio1 = Arc::new(Lateness::default());
    let (done01_tx, done01) = futures01::sync::mpsc::unbounded::<()>();
    let mut sleeps = Vec::new();
    let start = Instant::now();
    for i in 0..DELAYS {
        let at = deadline(start, i);
        let record = Arc::clone(&ours);
        let done = done01_tx.clone();
        spawn01(Box::new(tokio01::timer::Delay::new(at).then(move |r| {
            r.expect("the 0.1 timer answers");
            record.record(at);
            let _ = done.unbounded_send(());
            Ok(())
        })));
        let record = Arc::clone(&tokio1);
        sleeps.push(tokio::spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            record.record(at);
        }));
    }
    drop(done01_tx);
    for sleep in sleeps {
        sleep.await.unwrap();
    }
    // The 0.1 tasks' senders all dropped: the stream ends when every delay has fired.
    let fired = futures01::Stream::collect(done01).compat().await.unwrap();
    assert_eq!(fired.len() as u64, DELAYS);
    stop.store(true, Ordering::Relaxed);
    for burner in burners {
        burner.await.unwrap();
    }

    let (t50, t99, tmax) = tokio1.summary("tokio 1 sleeps");
    let (o50, o99, omax) = ours.summary("0.1 delays");
    let report = format!(
        "lateness p50 / p99 / max: 0.1 delays {o50:?} / {o99:?} / {omax:?}, \
         tokio 1 sleeps {t50:?} / {t99:?} / {tmax:?}"
    );
    eprintln!("{report}");
    assert!(o50 <= t50 + MARGIN, "{report}");
    assert!(o99 <= t99 + MARGIN, "{report}");
}

#[test]
fn a_thousand_01_delays_are_as_punctual_as_tokio_1_sleeps_on_both_flavors() {
    let _serial = one_at_a_time();
    on_both_flavors(|| {
        compare(|task| {
            tokio::spawn(task.compat());
        })
    });
}

#[test]
fn a_thousand_01_delays_spawned_with_tokio01_spawn_on_iocompat_runtime() {
    let _serial = one_at_a_time();
    bounded::bounded(|| {
        let mut rt = iocompat::tokio01::Runtime::new().unwrap();
        rt.block_on_std(compare(|task| {
            tokio01::spawn(task);
        }));
        rt.shutdown_on_idle().wait().unwrap();
    });
}
