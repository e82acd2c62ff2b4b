//! Executors both ways: tokio 1 as a futures 0.1 `Executor`, and a 0.1 `Executor` as a 0.3
//! `Spawn`.

#![cfg(feature = "futures01")]

use crate::bounded;

use bounded::{Exec, bounded, run_on};
use futures::task::SpawnExt;
use futures01::future::{ExecuteError, ExecuteErrorKind, Executor};
use futures01::{Future as Future01, Stream as _};
use iocompat::futures01::{
    Executor01CompatExt, Executor01Future, Future01CompatExt, TokioExecutor01,
};

type BoxFuture01 = Box<dyn Future01<Item = (), Error = ()> + Send>;

/// Legacy code: spawns `n` 0.1 futures on whatever `Executor` it is given, each sending its
/// number down a 0.1 channel, and answers a 0.1 future of the sorted numbers.
fn legacy_fan_out<E: Executor<BoxFuture01>>(
    exec: &E,
    n: u32,
) -> impl Future01<Item = Vec<u32>, Error = ()> + Send + use<E> {
    let (tx, rx) = futures01::sync::mpsc::unbounded();
    for i in 0..n {
        let tx = tx.clone();
        let task: BoxFuture01 = Box::new(futures01::future::lazy(move || {
            tx.unbounded_send(i).map_err(|_| ())
        }));
        exec.execute(task).expect("the runtime is running");
    }
    drop(tx);
    rx.collect().map(|mut v| {
        v.sort_unstable();
        v
    })
}

#[test]
fn legacy_code_spawns_01_futures_on_tokio_1_of_both_flavours() {
    for exec in [Exec::TokioCurrentThread, Exec::TokioMultiThread] {
        let got = run_on(exec, || async {
            let spawner = TokioExecutor01::try_current().unwrap();
            legacy_fan_out(&spawner, 64).compat().await
        });
        assert_eq!(got, Ok((0..64).collect::<Vec<_>>()), "{exec:?}");
    }
}

#[test]
fn spawning_onto_a_shut_down_runtime_is_an_error_with_the_future_handed_back() {
    bounded(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let exec = TokioExecutor01::new(rt.handle().clone());
        drop(rt);
        let err: ExecuteError<_> = exec
            .execute(futures01::future::ok::<(), ()>(()))
            .unwrap_err();
        assert!(matches!(err.kind(), ExecuteErrorKind::Shutdown));
        // The future comes back intact and can still be run.
        assert_eq!(err.into_future().wait(), Ok(()));
    });
}

#[test]
fn try_current_outside_a_runtime_is_an_error_not_a_panic() {
    assert!(TokioExecutor01::try_current().is_err());
}

/// A futures 0.1 executor that runs each future to completion with `wait()` on its own
/// thread: no tokio anywhere.
#[derive(Clone)]
struct ThreadPerTask;

impl<F: Future01<Item = (), Error = ()> + Send + 'static> Executor<F> for ThreadPerTask {
    fn execute(&self, future: F) -> Result<(), ExecuteError<F>> {
        std::thread::spawn(move || future.wait());
        Ok(())
    }
}

/// A futures 0.1 executor that refuses everything.
#[derive(Clone)]
struct Full;

impl Executor<Executor01Future> for Full {
    fn execute(&self, future: Executor01Future) -> Result<(), ExecuteError<Executor01Future>> {
        Err(ExecuteError::new(ExecuteErrorKind::NoCapacity, future))
    }
}

#[test]
fn a_01_executor_spawns_03_futures() {
    let got = bounded(|| {
        let spawner = ThreadPerTask.compat();
        let handles: Vec<_> = (0..16u32)
            .map(|i| {
                spawner
                    .spawn_with_handle(async move {
                        let (tx, rx) = futures::channel::oneshot::channel();
                        std::thread::spawn(move || tx.send(i * 2).unwrap());
                        rx.await.unwrap()
                    })
                    .unwrap()
            })
            .collect();
        futures::executor::block_on(futures::future::join_all(handles))
    });
    assert_eq!(got, (0..16).map(|i| i * 2).collect::<Vec<_>>());
}

#[test]
fn a_refusing_01_executor_is_a_spawn_error_not_a_panic() {
    let err = Full.compat().spawn(async {}).unwrap_err();
    assert!(err.is_shutdown());
}

#[test]
fn tokio_as_a_03_spawn_through_both_adapters() {
    let got = bounded(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let spawner = TokioExecutor01::new(rt.handle().clone()).compat();
        let handle = spawner.spawn_with_handle(async { 40 + 2 }).unwrap();
        rt.block_on(handle)
    });
    assert_eq!(got, 42);
}
