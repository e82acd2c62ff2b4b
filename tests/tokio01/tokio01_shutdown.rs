//! What a tokio 1 runtime's end does to 0.1 work: the 0.1 tasks spawned onto it are dropped,
//! and 0.1 timers and sockets made on it keep working afterwards, because the tokio 0.1
//! reactor and timer belong to the process (iocompat's background thread), not to any
//! runtime. Nothing hangs and nothing panics.

#![cfg(feature = "tokio01")]

use crate::bounded;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use bounded::bounded;
use futures01::Future as Future01;
use futures01::future::{Executor as _, lazy};
use iocompat::futures01::{Future01CompatExt, TokioExecutor01};

fn flavors() -> Vec<(&'static str, tokio::runtime::Runtime)> {
    vec![
        (
            "current_thread",
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        ),
        (
            "multi_thread",
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
        ),
    ]
}

struct DropSignal(mpsc::Sender<&'static str>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send("dropped");
    }
}

/// 0.1 tasks spawned by tokio 0.1's `tokio::spawn` (from a bridged poll) and through
/// `TokioExecutor01`, each started and waiting on a far 0.1 `Delay` while holding a guard, are
/// dropped (guards observed) when the tokio 1 runtime is dropped.
#[test]
fn dropping_a_tokio1_runtime_drops_the_01_tasks_spawned_onto_it() {
    for (flavor, rt) in flavors() {
        let (dropped_tx, dropped) = mpsc::channel();
        let (started_tx, started) = mpsc::channel();
        let rt = bounded(move || {
            let (tx, started2) = (started_tx.clone(), started_tx);
            let (d1, d2) = (DropSignal(dropped_tx.clone()), DropSignal(dropped_tx));
            rt.block_on(async move {
                lazy(move || {
                    tokio01::spawn(lazy(move || {
                        tx.send(()).unwrap();
                        tokio01::timer::Delay::new(Instant::now() + Duration::from_secs(600))
                            .map_err(|e| panic!("{e}"))
                            .map(move |()| drop(d1))
                    }));
                    Ok::<_, ()>(())
                })
                .compat()
                .await
                .unwrap();
                TokioExecutor01::try_current()
                    .unwrap()
                    .execute(lazy(move || {
                        started2.send(()).unwrap();
                        futures01::future::empty::<(), ()>().map(move |()| drop(d2))
                    }))
                    .unwrap();
            });
            // Let the runtime poll both tasks once (the started signals), not a sleep.
            rt.block_on(async {
                let mut seen = 0;
                while seen < 2 {
                    seen += started.try_iter().count();
                    tokio::task::yield_now().await;
                }
            });
            rt
        });
        assert!(
            dropped.try_recv().is_err(),
            "{flavor}: alive before the drop"
        );
        bounded(move || drop(rt));
        let got: Vec<_> = dropped.try_iter().collect();
        assert_eq!(got, ["dropped", "dropped"], "{flavor}");
    }
}

/// Defined behaviour: a 0.1 `Delay` and a tokio 0.1 socket pair made on a tokio 1 runtime
/// keep working after that runtime is dropped (the delay fires, bytes go through), polled with
/// no tokio 1 runtime at all; a 0.1 spawn then is a shutdown error (see
/// `tokio01_nesting::spawning_with_no_tokio1_runtime_is_an_error_not_a_panic`).
#[test]
fn a_01_timer_and_socket_made_on_a_dropped_runtime_keep_working() {
    use tokio_io01::io::{read_exact, write_all};

    for (flavor, rt) in flavors() {
        let made = bounded(move || {
            let made = rt.block_on(async {
                let delay = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(20));
                let addr = "127.0.0.1:0".parse().unwrap();
                let listener = tokio01::net::TcpListener::bind(&addr).unwrap();
                let addr = listener.local_addr().unwrap();
                let client = tokio01::net::TcpStream::connect(&addr)
                    .compat()
                    .await
                    .unwrap();
                let (server, _) = futures01::Stream::into_future(listener.incoming())
                    .map_err(|(e, _)| e)
                    .compat()
                    .await
                    .unwrap();
                (delay, client, server.unwrap())
            });
            drop(rt);
            made
        });
        let (delay, client, server) = made;
        let after = bounded(move || {
            futures::executor::block_on(async move {
                delay.compat().await.map_err(|e| e.to_string())?;
                let (_, _) = write_all(client, b"after")
                    .compat()
                    .await
                    .map_err(|e| e.to_string())?;
                let (_, got) = read_exact(server, [0u8; 5])
                    .compat()
                    .await
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>(got)
            })
        });
        assert_eq!(after, Ok(*b"after"), "{flavor}");
    }
}
