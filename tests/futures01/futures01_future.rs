//! futures 0.1 futures under tokio 1 / futures 0.3 executors, and 0.3 futures under 0.1.

#![cfg(feature = "futures01")]

use crate::bounded;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use bounded::{ALL_EXECS, bounded, run_on};
use futures01::{Async, Future as Future01};
use iocompat::futures01::{Compat, Compat01As03, Future01CompatExt, TryFutureCompatExt};

/// A 0.1 future that hands `task::current()` to another thread, which notifies it later.
struct NotifiedFromThread {
    done: Arc<AtomicBool>,
    sent: bool,
    polls: Arc<AtomicUsize>,
}

impl Future01 for NotifiedFromThread {
    type Item = &'static str;
    type Error = ();

    fn poll(&mut self) -> futures01::Poll<&'static str, ()> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        if self.done.load(Ordering::SeqCst) {
            return Ok(Async::Ready("notified"));
        }
        if !self.sent {
            self.sent = true;
            let task = futures01::task::current();
            let done = Arc::clone(&self.done);
            // The thread may notify before or after this poll returns NotReady: both must work.
            std::thread::spawn(move || {
                done.store(true, Ordering::SeqCst);
                task.notify();
            });
        }
        Ok(Async::NotReady)
    }
}

#[test]
fn a_01_future_notified_from_another_thread_completes_on_every_executor() {
    for exec in ALL_EXECS {
        let polls = Arc::new(AtomicUsize::new(0));
        let p = Arc::clone(&polls);
        let out = run_on(exec, move || {
            NotifiedFromThread {
                done: Arc::new(AtomicBool::new(false)),
                sent: false,
                polls: p,
            }
            .compat()
        });
        assert_eq!(out, Ok("notified"), "{exec:?}");
        assert!(
            polls.load(Ordering::SeqCst) >= 2,
            "{exec:?}: completed without waiting"
        );
    }
}

#[test]
fn ready_pending_and_error_map_through() {
    for exec in ALL_EXECS {
        let out = run_on(exec, || async {
            let ok = futures01::future::ok::<u8, String>(1).compat().await;
            let err = futures01::future::err::<u8, String>("bad".into())
                .compat()
                .await;
            (ok, err)
        });
        assert_eq!(out, (Ok(1), Err("bad".to_string())), "{exec:?}");
    }
}

/// Counts wakes; used to drive futures by hand.
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Registers `task::current()` once and afterwards only re-registers when the stored task
/// no longer `will_notify_current()`, as well-written 0.1 code does.
struct RegistersOnce {
    task: Option<futures01::task::Task>,
    registrations: usize,
    polls: usize,
}

impl Future01 for RegistersOnce {
    type Item = usize;
    type Error = ();

    fn poll(&mut self) -> futures01::Poll<usize, ()> {
        self.polls += 1;
        let stale = !self.task.as_ref().is_some_and(|t| t.will_notify_current());
        if stale {
            self.task = Some(futures01::task::current());
            self.registrations += 1;
        }
        if self.polls == 100 {
            return Ok(Async::Ready(self.registrations));
        }
        self.task.as_ref().unwrap().notify();
        Ok(Async::NotReady)
    }
}

#[test]
fn will_notify_current_is_true_under_the_bridge() {
    let wake = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&wake));
    let mut fut = RegistersOnce {
        task: None,
        registrations: 0,
        polls: 0,
    }
    .compat();
    let mut cx = Context::from_waker(&waker);
    let registrations = loop {
        if let Poll::Ready(r) = std::pin::Pin::new(&mut fut).poll(&mut cx) {
            break r.unwrap();
        }
    };
    assert_eq!(registrations, 1, "the 0.1 side had to re-register");
    assert_eq!(wake.0.load(Ordering::SeqCst), 99);
}

/// Stores `task::current()` on its first poll and notifies it on every poll; on each later poll
/// records whether the stored task, and a clone of it, `will_notify_current()`. Ready after
/// four answers. A notify that does not reach the 0.3 task leaves it pending (and the test's
/// time bound fails it).
#[derive(Default)]
struct StoresTheFirstTask {
    stored: Option<futures01::task::Task>,
    answers: Vec<(bool, bool)>,
}

impl Future01 for StoresTheFirstTask {
    type Item = Vec<(bool, bool)>;
    type Error = ();

    fn poll(&mut self) -> futures01::Poll<Vec<(bool, bool)>, ()> {
        match &self.stored {
            None => self.stored = Some(futures01::task::current()),
            Some(task) => self.answers.push((
                task.will_notify_current(),
                task.clone().will_notify_current(),
            )),
        }
        if self.answers.len() == 4 {
            return Ok(Async::Ready(std::mem::take(&mut self.answers)));
        }
        self.stored.as_ref().unwrap().notify();
        Ok(Async::NotReady)
    }
}

const ALL_TRUE: [(bool, bool); 4] = [(true, true); 4];

/// The reported case: `#[tokio::test]` (current-thread) inside `tokio::time::timeout`. In a
/// release build tokio's `block_on` waker and its clones have different vtable addresses, so
/// they never `will_wake` each other.
#[tokio::test]
async fn a_stored_task_will_notify_current_on_later_polls_under_tokio_current_thread() {
    let answers = tokio::time::timeout(bounded::LIMIT, StoresTheFirstTask::default().compat())
        .await
        .expect("a notify did not reach the task")
        .unwrap();
    assert_eq!(answers, ALL_TRUE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_task_will_notify_current_on_later_polls_under_tokio_multi_thread() {
    let answers = tokio::time::timeout(bounded::LIMIT, StoresTheFirstTask::default().compat())
        .await
        .expect("a notify did not reach the task")
        .unwrap();
    assert_eq!(answers, ALL_TRUE);
    // A spawned task's waker too.
    let spawned = tokio::spawn(tokio::time::timeout(
        bounded::LIMIT,
        StoresTheFirstTask::default().compat(),
    ));
    let answers = spawned
        .await
        .unwrap()
        .expect("a notify did not reach the task");
    assert_eq!(answers.unwrap(), ALL_TRUE);
}

#[test]
fn a_stored_task_will_notify_current_on_later_polls_on_every_executor() {
    let wrong: Vec<_> = ALL_EXECS
        .into_iter()
        .map(|exec| {
            (
                exec,
                run_on(exec, || StoresTheFirstTask::default().compat()),
            )
        })
        .filter(|(_, answers)| *answers != Ok(ALL_TRUE.to_vec()))
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

/// Two wakers of one task that never `will_wake` each other: the same data pointer under two
/// vtables (each clone keeps its own), the shape of tokio's `block_on` waker and its clones in
/// a release build, made here on purpose instead of by the compiler's luck.
mod two_vtables {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{RawWaker, RawWakerVTable, Waker};

    pub static WAKES: AtomicUsize = AtomicUsize::new(0);

    fn raw(vtable: &'static RawWakerVTable) -> RawWaker {
        RawWaker::new(std::ptr::from_ref(&WAKES).cast(), vtable)
    }
    fn clone_a(_: *const ()) -> RawWaker {
        raw(&VTABLE_A)
    }
    fn clone_b(_: *const ()) -> RawWaker {
        raw(&VTABLE_B)
    }
    fn wake(_: *const ()) {
        WAKES.fetch_add(1, Ordering::SeqCst);
    }
    fn drop(_: *const ()) {}

    // Different `clone` functions, so the two statics cannot be merged into one.
    static VTABLE_A: RawWakerVTable = RawWakerVTable::new(clone_a, wake, wake, drop);
    static VTABLE_B: RawWakerVTable = RawWakerVTable::new(clone_b, wake, wake, drop);

    pub fn wakers() -> (Waker, Waker) {
        // SAFETY: the data pointer is never dereferenced (every function uses the static
        // directly), so any pointer is valid for it; the functions are thread-safe (one atomic
        // add) and `clone` returns a waker with the same contract; nothing is owned, so `drop`
        // has nothing to release.
        unsafe {
            (
                Waker::from_raw(raw(&VTABLE_A)),
                Waker::from_raw(raw(&VTABLE_B)),
            )
        }
    }
}

#[test]
fn two_equivalent_wakers_with_different_vtables_keep_will_notify_current_and_the_wake_ups() {
    use std::future::Future;
    let (a, b) = two_vtables::wakers();
    assert!(!a.will_wake(&b) && !b.will_wake(&a), "the premise");
    let mut fut = StoresTheFirstTask::default().compat();
    let mut wakes_seen = two_vtables::WAKES.load(Ordering::SeqCst);
    for poll in 0.. {
        assert!(poll < 10, "never finished");
        let waker = if poll % 2 == 0 { &a } else { &b };
        let answer = std::pin::Pin::new(&mut fut).poll(&mut Context::from_waker(waker));
        if let Poll::Ready(answers) = answer {
            assert_eq!(answers, Ok(ALL_TRUE.to_vec()));
            break;
        }
        // The future notified its stored task during the poll: the wake-up reached us.
        let wakes = two_vtables::WAKES.load(Ordering::SeqCst);
        assert!(wakes > wakes_seen, "poll {poll}: the wake-up was lost");
        wakes_seen = wakes;
    }
}

#[test]
fn a_task_stored_under_one_waker_keeps_waking_it_and_reregistration_reaches_the_new_one() {
    let first = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let second = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let stored = Arc::new(std::sync::Mutex::new(None::<futures01::task::Task>));
    let s = Arc::clone(&stored);
    // Well-behaved 0.1 code: registers again when its stored task would not notify the
    // current one.
    let mut fut = Compat01As03::new(futures01::future::poll_fn(move || {
        let mut slot = s.lock().unwrap();
        if !slot.as_ref().is_some_and(|t| t.will_notify_current()) {
            *slot = Some(futures01::task::current());
        }
        Ok::<_, ()>(Async::NotReady::<()>)
    }));
    let w1 = Waker::from(Arc::clone(&first));
    let w2 = Waker::from(Arc::clone(&second));
    use std::future::Future;
    assert!(
        std::pin::Pin::new(&mut fut)
            .poll(&mut Context::from_waker(&w1))
            .is_pending()
    );
    let under_first = stored.lock().unwrap().clone().unwrap();
    assert!(
        std::pin::Pin::new(&mut fut)
            .poll(&mut Context::from_waker(&w2))
            .is_pending()
    );
    // The task registered under the second waker wakes the second...
    stored.lock().unwrap().as_ref().unwrap().notify();
    assert_eq!(second.0.load(Ordering::SeqCst), 1);
    // ...and one stored under the first (a split half still waiting) still wakes the first.
    under_first.notify();
    assert_eq!(first.0.load(Ordering::SeqCst), 1);
}

#[test]
fn a_not_unpin_async_block_runs_as_a_01_future() {
    let out = bounded(|| {
        let text = String::from("borrowed across an await");
        let fut = async move {
            let r = &text;
            futures::future::ready(()).await;
            Ok::<usize, ()>(r.len())
        };
        // `fut` is !Unpin: it holds a borrow of its own state across an await.
        fut.compat_boxed().wait()
    });
    assert_eq!(out, Ok(24));
}

#[test]
fn a_03_future_woken_from_another_thread_completes_under_wait() {
    let out = bounded(|| {
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        std::thread::spawn(move || tx.send(9).unwrap());
        Compat::new(rx).wait()
    });
    assert_eq!(out, Ok(9));
}

#[test]
fn round_trip_through_both_directions_keeps_the_result() {
    for exec in ALL_EXECS {
        let out = run_on(exec, || async {
            let legacy = async { Ok::<_, String>(5u8) }.compat_boxed();
            let legacy = legacy.map(|v| v * 2);
            legacy.compat().await
        });
        assert_eq!(out, Ok(10), "{exec:?}");
    }
}

#[test]
#[should_panic(expected = "polled outside a futures 0.1 task")]
fn polling_a_compat_outside_a_01_task_panics_with_a_clear_message() {
    let mut fut = async { Ok::<(), ()>(()) }.compat_boxed();
    let _ = fut.poll();
}

#[test]
fn the_03_side_is_pinned_once_and_accessors_work() {
    // An `Unpin` value is kept inline, as futures::compat keeps it.
    let mut c = Compat::new(futures::future::ready(Ok::<u8, ()>(3)));
    let inline: *const _ = c.get_ref();
    assert_eq!(inline, &*c.get_pin_mut() as *const _);
    assert_eq!(inline, c.get_mut() as *const _);
    assert_eq!(c.into_inner().into_inner(), Ok(3));
    // A `!Unpin` one is pinned on the heap once: moving the wrapper does not move it.
    let boxed = async { Ok::<u8, ()>(4) }.compat_boxed();
    let before: *const _ = &**boxed.get_ref();
    let mut moved = vec![boxed];
    let mut boxed = moved.pop().unwrap();
    let after: *const _ = &*boxed.get_mut().as_mut();
    assert_eq!(before, after);
    assert_eq!(boxed.wait(), Ok(4));
    let mut f = Compat01As03::new(futures01::future::ok::<u8, ()>(1));
    let _ = f.get_mut();
    let _ = f.into_inner();
}

/// Counts 0.1 notifications.
struct CountNotify(AtomicUsize);

impl futures01::executor::Notify for CountNotify {
    fn notify(&self, _id: usize) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn count_notify() -> Arc<CountNotify> {
    Arc::new(CountNotify(AtomicUsize::new(0)))
}

#[test]
fn a_compat_moved_to_another_01_task_wakes_the_new_task() {
    let (tx, rx) = futures::channel::oneshot::channel::<u8>();
    let (a, b) = (count_notify(), count_notify());
    let mut in_a = futures01::executor::spawn(Compat::new(rx));
    assert_eq!(in_a.poll_future_notify(&a, 0), Ok(Async::NotReady));
    let mut in_b = futures01::executor::spawn(in_a.into_inner());
    assert_eq!(in_b.poll_future_notify(&b, 0), Ok(Async::NotReady));
    tx.send(1).unwrap();
    assert_eq!(a.0.load(Ordering::SeqCst), 0);
    assert_eq!(b.0.load(Ordering::SeqCst), 1);
    assert_eq!(in_b.poll_future_notify(&b, 0), Ok(Async::Ready(1)));
}

/// A 0.3 future that wakes itself during every poll and stays pending.
struct WakesItself;

impl std::future::Future for WakesItself {
    type Output = Result<(), ()>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), ()>> {
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn a_wake_during_the_poll_that_moves_tasks_is_not_lost() {
    let (a, b) = (count_notify(), count_notify());
    let mut in_a = futures01::executor::spawn(Compat::new(WakesItself));
    assert_eq!(in_a.poll_future_notify(&a, 0), Ok(Async::NotReady));
    assert!(a.0.load(Ordering::SeqCst) >= 1);
    let mut in_b = futures01::executor::spawn(in_a.into_inner());
    assert_eq!(in_b.poll_future_notify(&b, 0), Ok(Async::NotReady));
    // The wake inside this poll reached the stored task (A) first; B must hear of it too.
    assert!(b.0.load(Ordering::SeqCst) >= 1, "the wake was lost");
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<&str>() {
        Ok(s) => s.to_string(),
        Err(payload) => *payload.downcast::<String>().unwrap(),
    }
}

#[test]
fn a_panic_in_01_code_reaches_the_03_caller_and_leaves_no_01_task_current() {
    let caught = std::panic::catch_unwind(|| {
        let legacy = futures01::future::lazy(|| -> Result<(), ()> { panic!("legacy boom") });
        futures::executor::block_on(legacy.compat())
    });
    assert_eq!(panic_message(caught.unwrap_err()), "legacy boom");
    assert!(!futures01::task::is_in_task());
    let again = futures::executor::block_on(futures01::future::ok::<u8, ()>(1).compat());
    assert_eq!(again, Ok(1));
}

#[test]
fn a_panic_in_03_code_reaches_the_01_caller_and_leaves_no_01_task_current() {
    let caught = std::panic::catch_unwind(|| {
        let modern = async {
            if std::hint::black_box(true) {
                panic!("modern boom");
            }
            Ok::<(), ()>(())
        };
        modern.compat_boxed().wait()
    });
    assert_eq!(panic_message(caught.unwrap_err()), "modern boom");
    assert!(!futures01::task::is_in_task());
    assert_eq!(async { Ok::<u8, ()>(2) }.compat_boxed().wait(), Ok(2));
}

/// A 0.1 future: the first poll hands `task::current()` to another thread, which notifies it;
/// the second is ready.
struct NotifiedOnce(bool);

impl Future01 for NotifiedOnce {
    type Item = ();
    type Error = ();

    fn poll(&mut self) -> futures01::Poll<(), ()> {
        if self.0 {
            return Ok(Async::Ready(()));
        }
        self.0 = true;
        let task = futures01::task::current();
        std::thread::spawn(move || task.notify());
        Ok(Async::NotReady)
    }
}

/// A 0.3 "executor" whose wake polls the future on the spot, each time with a new waker.
struct PollsOnWake {
    fut: std::sync::Mutex<Option<Compat01As03<NotifiedOnce>>>,
    done: AtomicBool,
}

/// A fresh waker for each poll (so the bridge must swap the waker it holds).
struct Fresh(Arc<PollsOnWake>);

impl Wake for Fresh {
    fn wake(self: Arc<Self>) {
        PollsOnWake::poll_now(&self.0);
    }
}

impl PollsOnWake {
    fn poll_now(this: &Arc<Self>) {
        let waker = Waker::from(Arc::new(Fresh(Arc::clone(this))));
        let mut slot = this.fut.lock().unwrap();
        if let Some(fut) = slot.as_mut() {
            use std::future::Future;
            if std::pin::Pin::new(fut)
                .poll(&mut Context::from_waker(&waker))
                .is_ready()
            {
                this.done.store(true, Ordering::SeqCst);
            }
        }
    }
}

#[test]
fn a_waker_that_polls_inside_wake_does_not_deadlock_the_bridge() {
    bounded(|| {
        let exec = Arc::new(PollsOnWake {
            fut: std::sync::Mutex::new(Some(NotifiedOnce(false).compat())),
            done: AtomicBool::new(false),
        });
        PollsOnWake::poll_now(&exec);
        while !exec.done.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
    });
}

#[test]
fn the_wrappers_are_send_when_what_they_wrap_is() {
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&futures01::future::ok::<u8, ()>(1).compat());
    assert_send(&async { Ok::<u8, ()>(1) }.compat_boxed());
    let (tx, _rx) = futures01::sync::mpsc::channel::<u8>(1);
    assert_send(&iocompat::futures01::Sink01CompatExt::sink_compat(tx));
    let (tx, _rx) = futures::channel::mpsc::channel::<u8>(1);
    assert_send(&iocompat::futures01::SinkCompatExt::compat(tx));
    assert_send(&iocompat::futures01::Tokio1As01::new(tokio::io::empty()));
}
