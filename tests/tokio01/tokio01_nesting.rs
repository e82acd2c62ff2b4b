//! `iocompat::tokio01::enter`'s nesting rule: nested bridges set nothing twice, a native tokio
//! 0.1 runtime keeps its own services, and spawning with no tokio 1 runtime is an error.

#![cfg(feature = "tokio01")]

use crate::flavors;

use std::time::{Duration, Instant};

use flavors::on_both_flavors;
use futures01::Future as Future01;
use futures01::future::lazy;
use iocompat::futures01::{Future01CompatExt, TryFutureCompatExt};
use tokio_executor01::Executor as _;

/// A 0.1 `Delay` bridged to 0.3, wrapped back into 0.1, bridged to 0.3 again: the inner poll
/// runs inside the outer one's `enter`.
#[test]
fn nested_bridges_set_the_defaults_once() {
    on_both_flavors(|| async {
        let inner = async {
            let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5));
            delay.compat().await.map_err(|e| e.to_string())?;
            // A spawn from the innermost 0.1 poll still reaches tokio 1.
            let (tx, rx) = futures01::sync::oneshot::channel();
            lazy(move || {
                tokio01::spawn(lazy(move || tx.send(3).map_err(|_| ())));
                Ok::<_, String>(())
            })
            .compat()
            .await?;
            rx.compat().await.map_err(|e| e.to_string())
        };
        let outer = TryFutureCompatExt::compat(Box::pin(inner)).map(|n| n + 1);
        assert_eq!(outer.compat().await, Ok(4));
    });
}

/// Legacy code on a real tokio 0.1 runtime that polls a bridged value: nothing panics, and the
/// 0.1 code keeps that runtime's timer and executor (its spawned task runs outside tokio 1).
#[test]
fn a_native_tokio01_runtime_keeps_its_own_services() {
    fn legacy() -> impl Future01<Item = bool, Error = String> + Send {
        let bridged = async {
            let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5));
            delay.compat().await.map_err(|e| e.to_string())?;
            let (tx, rx) = futures01::sync::oneshot::channel();
            lazy(move || {
                tokio01::spawn(lazy(move || {
                    tx.send(tokio::runtime::Handle::try_current().is_err())
                        .map_err(|_| ())
                }));
                Ok::<_, String>(())
            })
            .compat()
            .await?;
            rx.compat().await.map_err(|e| e.to_string())
        };
        TryFutureCompatExt::compat(Box::pin(bridged))
    }

    let mut pool = tokio01::runtime::Runtime::new().unwrap();
    let timed = tokio01::timer::Timeout::new(legacy(), flavors::BOUND);
    assert_eq!(pool.block_on(timed).ok(), Some(true), "thread pool runtime");
    drop(pool);

    let mut current = tokio01::runtime::current_thread::Runtime::new().unwrap();
    let timed = tokio01::timer::Timeout::new(legacy(), flavors::BOUND);
    assert_eq!(
        current.block_on(timed).ok(),
        Some(true),
        "current_thread runtime"
    );
}

/// A 0.1 spawn from a 0.1 poll with no tokio 1 runtime current: a shutdown `SpawnError`, and
/// `execute` hands the future back; tokio 0.1's timer still works (it needs no tokio 1).
#[test]
fn spawning_with_no_tokio1_runtime_is_an_error_not_a_panic() {
    let legacy = lazy(|| {
        let spawned = tokio_executor01::DefaultExecutor::current()
            .spawn(Box::new(futures01::future::ok(())))
            .map_err(|e| e.is_shutdown());
        let executed = futures01::future::Executor::execute(
            &iocompat::tokio01::CurrentExecutor01::new(),
            futures01::future::ok::<(), ()>(()),
        )
        .map_err(|e| matches!(e.kind(), futures01::future::ExecuteErrorKind::Shutdown));
        Ok::<_, ()>((spawned, executed))
    });
    let got = futures::executor::block_on(legacy.compat()).unwrap();
    assert_eq!(got, (Err(true), Err(true)));

    let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(2));
    assert!(futures::executor::block_on(delay.compat()).is_ok());
}

/// The same on a tokio 1 runtime that has shut down: an error, never a panic or a lost task.
#[test]
fn spawning_onto_a_shut_down_tokio1_runtime_is_an_error() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handle = rt.handle().clone();
    drop(rt);
    let _entered = handle.enter();
    let legacy = lazy(|| {
        let spawned = tokio_executor01::DefaultExecutor::current()
            .spawn(Box::new(futures01::future::ok(())))
            .map_err(|e| e.is_shutdown());
        Ok::<_, ()>(spawned)
    });
    assert_eq!(futures::executor::block_on(legacy.compat()), Ok(Err(true)));
}
