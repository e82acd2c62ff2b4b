//! `iocompat::tokio01::{run, Runtime}` and `current_thread`: tokio 0.1's runtime names on tokio
//! 1, with `shutdown_on_idle` waiting for spawned 0.1 tasks and the defaults set once per
//! runtime thread.

#![cfg(feature = "tokio01")]

use crate::bounded;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bounded::bounded;
use futures01::Future as Future01;
use futures01::future::{Executor as _, lazy};
use iocompat::futures01::Future01CompatExt;
use iocompat::tokio01::{Runtime, current_thread};

fn delay01(ms: u64) -> tokio01::timer::Delay {
    tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(ms))
}

/// Sends on drop: a task holding one is observed being dropped.
struct DropSignal(mpsc::Sender<&'static str>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send("dropped");
    }
}

/// `run` returns only after the future and what it spawned (a 0.1 `Delay`, and a grandchild
/// spawned from it) have finished.
#[test]
fn run_waits_for_spawned_tasks_and_their_children() {
    let done = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&done);
    bounded(move || {
        iocompat::tokio01::run(lazy(move || {
            let child_done = Arc::clone(&done);
            tokio01::spawn(delay01(20).map_err(|e| panic!("{e}")).map(move |()| {
                child_done.fetch_add(1, Ordering::SeqCst);
                tokio01::spawn(delay01(10).map_err(|e| panic!("{e}")).map(move |()| {
                    done.fetch_add(1, Ordering::SeqCst);
                }));
            }));
            Ok(())
        }));
    });
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}

/// `run_std`: an async block calls tokio 0.1's `spawn` and `Delay` directly (not through a 0.1
/// poll), and `run_std` waits for the spawned task.
#[test]
fn run_std_async_block_calls_tokio01_apis_directly() {
    let (tx, rx) = mpsc::channel();
    bounded(move || {
        iocompat::tokio01::run_std(async move {
            tokio01::spawn(delay01(10).map_err(|e| panic!("{e}")).map(move |()| {
                tx.send("spawned child finished").unwrap();
            }));
            delay01(5).compat().await.unwrap();
        });
    });
    assert_eq!(rx.try_recv(), Ok("spawned child finished"));
}

/// The brief's case: a task spawned with a 0.1 `Delay` has finished when
/// `shutdown_on_idle().wait()` returns; tasks spawned from another thread through
/// `executor()` count too.
#[test]
fn shutdown_on_idle_waits_for_a_spawned_01_delay() {
    let (tx, rx) = mpsc::channel();
    bounded(move || {
        let mut rt = Runtime::new().unwrap();
        let tx2 = tx.clone();
        rt.spawn(
            delay01(30)
                .map_err(|e| panic!("{e}"))
                .map(move |()| tx.send("runtime.spawn").unwrap()),
        );
        let executor = rt.executor();
        std::thread::spawn(move || {
            executor.spawn_std(async move {
                delay01(20).compat().await.unwrap();
                tx2.send("executor.spawn_std").unwrap();
            });
        })
        .join()
        .unwrap();
        rt.shutdown_on_idle().wait().unwrap();
    });
    let mut got: Vec<_> = rx.try_iter().collect();
    got.sort_unstable();
    assert_eq!(got, ["executor.spawn_std", "runtime.spawn"]);
}

/// `shutdown_now` drops the tasks still alive; so does dropping the `Runtime`.
#[test]
fn shutdown_now_and_drop_drop_the_tasks() {
    for how in ["shutdown_now", "drop"] {
        let (tx, rx) = mpsc::channel();
        let (started_tx, started_rx) = futures01::sync::oneshot::channel::<()>();
        bounded(move || {
            let mut rt = Runtime::new().unwrap();
            let signal = DropSignal(tx);
            rt.spawn(lazy(move || {
                let _ = started_tx.send(());
                delay01(60_000)
                    .map_err(|e| panic!("{e}"))
                    .map(move |()| drop(signal))
            }));
            assert_eq!(started_rx.wait(), Ok(()));
            if how == "shutdown_now" {
                rt.shutdown_now().wait().unwrap();
            } else {
                drop(rt);
            }
        });
        assert_eq!(rx.try_recv(), Ok("dropped"), "{how}");
    }
}

/// `block_on` runs the 0.1 future on a runtime thread whose defaults are set for the thread's
/// life: tokio-executor 0.1's `enter` is held there (no per-poll entering), a 0.1 `Delay` and
/// `tokio::spawn` work, and the spawned task runs on the same tokio 1 runtime.
#[test]
fn block_on_runs_on_a_thread_with_the_defaults_set_for_its_life() {
    bounded(|| {
        let mut rt = Runtime::new().unwrap();
        let runtime_id = rt.handle().id();
        let got = rt.block_on(lazy(move || {
            let held = tokio_executor01::enter().is_err();
            let (tx, rx) = futures01::sync::oneshot::channel();
            tokio01::spawn(lazy(move || {
                tx.send(tokio::runtime::Handle::current().id() == runtime_id)
                    .map_err(|_| ())
            }));
            delay01(5)
                .map_err(|e| e.to_string())
                .and_then(|()| rx.map_err(|e| e.to_string()))
                .map(move |same_runtime| (held, same_runtime))
        }));
        assert_eq!(got, Ok((true, true)));
        rt.shutdown_on_idle().wait().unwrap();
    });
}

/// A panic in `block_on`'s future reaches the caller as that panic.
#[test]
fn a_panic_in_block_on_is_resumed_on_the_caller() {
    let got = bounded(|| {
        let mut rt = Runtime::new().unwrap();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(lazy(|| -> Result<(), ()> { panic!("legacy panic") }))
        }))
    });
    let panic = got.unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"legacy panic"));
}

/// A tokio 1 task and a 0.1 task side by side on one `Runtime`.
#[test]
fn tokio1_and_01_code_share_the_runtime() {
    bounded(|| {
        let mut rt = Runtime::new().unwrap();
        let modern = rt.handle().spawn(async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            "tokio 1"
        });
        let legacy = rt.block_on(delay01(5).map(|()| "tokio 0.1"));
        assert_eq!(legacy.unwrap(), "tokio 0.1");
        assert_eq!(rt.block_on_std(modern).unwrap(), "tokio 1");
    });
}

/// After the runtime is gone its executor refuses work with tokio 0.1's errors: `execute`
/// hands the future back, `status` is a shutdown error, `spawn` panics (as in tokio 0.1).
#[test]
fn an_executor_outliving_its_runtime_refuses_work() {
    let executor = bounded(|| {
        let rt = Runtime::new().unwrap();
        let executor = rt.executor();
        drop(rt);
        executor
    });
    assert!(executor.execute(futures01::future::ok(())).is_err());
    assert!(tokio_executor01::Executor::status(&executor).is_err());
    let spawned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        executor.spawn(futures01::future::ok(()));
    }));
    assert!(spawned.is_err());
}

/// A native tokio 0.1 runtime cannot start on a runtime thread (documented): tokio 0.1's own
/// panic, not "default already set".
#[test]
fn a_native_tokio01_runtime_on_a_runtime_thread_refuses_with_tokio01s_panic() {
    let message = bounded(|| {
        let mut rt = Runtime::new().unwrap();
        rt.block_on_std(async {
            let refused = std::panic::catch_unwind(|| {
                let mut native = tokio01::runtime::current_thread::Runtime::new().unwrap();
                let _ = native.block_on(futures01::future::ok::<(), ()>(()));
            });
            let panic = refused.unwrap_err();
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        })
    });
    assert!(message.contains("executor"), "{message}");
    assert!(!message.contains("already set"), "{message}");
}

/// `current_thread`: `!Send` 0.1 futures, `current_thread::spawn` and tokio 0.1's
/// `tokio::spawn` from inside, and `run` waiting for all of them.
#[test]
fn current_thread_runs_not_send_tasks_and_run_waits_for_them() {
    bounded(|| {
        let mut rt = current_thread::Runtime::new().unwrap();
        let count = Rc::new(Cell::new(0));
        let c = Rc::clone(&count);
        rt.spawn(lazy(move || {
            let c2 = Rc::clone(&c);
            current_thread::spawn(delay01(10).map_err(|e| panic!("{e}")).map(move |()| {
                c2.set(c2.get() + 1);
            }));
            let (tx, rx) = futures01::sync::oneshot::channel();
            tokio01::spawn(delay01(5).map_err(|e| panic!("{e}")).map(move |()| {
                tx.send(()).unwrap();
            }));
            rx.map_err(|e| panic!("{e}"))
                .map(move |()| c.set(c.get() + 1))
        }));
        rt.run().unwrap();
        assert_eq!(count.get(), 2);
    });
}

/// `current_thread::Runtime::block_on_std`: an async block calling tokio 0.1 APIs directly,
/// with a `!Send` value held across an await; the thread's defaults are set while it runs and
/// reset after.
#[test]
fn current_thread_block_on_std_sees_the_services_and_resets_them() {
    bounded(|| {
        let mut rt = current_thread::Runtime::new().unwrap();
        let got = rt.block_on_std(async {
            let not_send = Rc::new(3);
            let (tx, rx) = futures01::sync::oneshot::channel();
            tokio01::spawn(lazy(move || tx.send(4).map_err(|_| ())));
            delay01(5).compat().await.unwrap();
            *not_send + rx.compat().await.unwrap()
        });
        assert_eq!(got, 7);
        // Reset: a native tokio 0.1 runtime may run on this thread now.
        let mut native = tokio01::runtime::current_thread::Runtime::new().unwrap();
        assert_eq!(native.block_on(futures01::future::ok::<_, ()>(1)), Ok(1));
    });
}

/// `current_thread::spawn` with no runtime driving the thread panics, naming what to do.
#[test]
fn current_thread_spawn_outside_its_runtime_panics_clearly() {
    let panic =
        std::panic::catch_unwind(|| current_thread::spawn(futures01::future::ok(()))).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(message.contains("block_on or run"), "{message}");
}

/// `current_thread::{block_on_all, run, run_std}` wait for spawned tasks.
#[test]
fn current_thread_free_functions_wait_for_spawned_tasks() {
    bounded(|| {
        let (tx, rx) = mpsc::channel();
        let tx2 = tx.clone();
        let got = current_thread::block_on_all(lazy(move || {
            current_thread::spawn(
                delay01(5)
                    .map_err(|e| panic!("{e}"))
                    .map(move |()| tx.send("block_on_all").unwrap()),
            );
            Ok::<_, ()>(1)
        }));
        assert_eq!(got, Ok(1));
        current_thread::run_std(async move {
            current_thread::spawn_std(async move {
                delay01(5).compat().await.unwrap();
                tx2.send("run_std").unwrap();
            });
        });
        assert_eq!(
            rx.try_iter().collect::<Vec<_>>(),
            ["block_on_all", "run_std"]
        );
    });
}
