//! Where the blocking work runs, and what happens when the pool goes away.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::support;

use std::io::{self, Cursor, Read};
use std::sync::mpsc;

use iocompat::Unblock;
use support::mock::Repeat;
use support::{LIMIT, on_all, watchdog};

/// A pool thread is never parked waiting for the consumer: 500 adapters over always-ready
/// readers, each read once and kept alive, leave the 4 blocking threads free.
#[test]
fn idle_adapters_hold_no_pool_thread() {
    watchdog("idle_adapters_hold_no_pool_thread", || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(4)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use tokio::io::AsyncReadExt;
            let mut alive = Vec::new();
            for _ in 0..500 {
                let mut r = Unblock::new(Repeat(7));
                let mut one = [0u8; 1];
                r.read_exact(&mut one).await.unwrap();
                assert_eq!(one[0], 7);
                alive.push(r);
            }
            let answer = tokio::time::timeout(LIMIT, tokio::task::spawn_blocking(|| 42))
                .await
                .expect("a blocking thread must be free")
                .unwrap();
            assert_eq!(answer, 42);
            drop(alive);
        });
    });
}

#[test]
fn works_without_any_tokio_runtime() {
    support::on_block_on(async {
        use futures::io::AsyncReadExt;
        let name = std::thread::current().name().map(str::to_owned);
        let mut r = Unblock::new(Cursor::new(vec![1u8; 100_000]));
        let mut out = Vec::new();
        r.read_to_end(&mut out).await.unwrap();
        assert_eq!(out.len(), 100_000);
        // And the work ran on the `blocking` crate's threads, not on ours.
        let pool_thread = r
            .with_mut(|_| std::thread::current().name().map(str::to_owned))
            .await;
        assert_ne!(pool_thread, name);
        assert!(
            pool_thread.as_deref().unwrap_or("").starts_with("blocking"),
            "{pool_thread:?}"
        );
    });
}

#[test]
fn with_mut_runs_on_tokio_blocking_pool_inside_a_runtime() {
    support::on_multi_thread(async {
        let mut r = Unblock::new(io::empty());
        let on_runtime_pool = r
            .with_mut(|_| tokio::runtime::Handle::try_current().is_ok())
            .await;
        assert!(
            on_runtime_pool,
            "spawn_blocking threads carry the runtime context"
        );
    });
}

#[test]
fn panic_in_with_mut_is_resumed_in_the_caller_and_the_value_survives() {
    on_all(|| async {
        use futures::FutureExt;
        use futures::io::AsyncReadExt;
        let mut r = Unblock::new(Cursor::new(b"still here".to_vec()));
        let caught = std::panic::AssertUnwindSafe(r.with_mut(|_| -> () { panic!("user bug") }))
            .catch_unwind()
            .await;
        let payload = caught.expect_err("the panic must reach the caller");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"user bug"));
        let mut s = String::new();
        r.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "still here");
    });
}

/// Dropping the runtime while an operation waits on its blocking pool: no hang. (tokio still
/// runs a job that was queued behind a busy thread when it shuts down, so here the read
/// completes.)
#[test]
fn dropped_runtime_while_pending_does_not_hang() {
    watchdog("dropped_runtime_while_pending", || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(1)
            .build()
            .unwrap();
        // Occupy the only blocking thread, so our job stays queued.
        let (release, wait) = mpsc::channel::<()>();
        let (started, is_started) = mpsc::channel::<()>();
        rt.spawn_blocking(move || {
            started.send(()).unwrap();
            let _ = wait.recv_timeout(LIMIT);
        });
        is_started.recv_timeout(LIMIT).unwrap();

        let mut r = Unblock::new(Cursor::new(b"data".to_vec()));
        let mut buf = [0u8; 4];
        {
            let _guard = rt.enter();
            let mut fut = futures::io::AsyncReadExt::read(&mut r, &mut buf);
            assert!(support::pool::poll_once(&mut fut).is_pending());
        }
        rt.shutdown_background();
        release.send(()).unwrap();

        let result = futures::executor::block_on(futures::io::AsyncReadExt::read(&mut r, &mut buf));
        match result {
            Ok(n) => assert_eq!(&buf[..n], b"data"),
            Err(e) => assert!(e.to_string().contains("dropped"), "{e}"),
        }
    });
}

/// An operation on a runtime that has shut down: its blocking pool drops the job unrun. The
/// operation fails with an error that says so, and the next one works on the fallback pool.
#[test]
fn pool_of_a_dead_runtime_gives_an_error_then_recovers() {
    watchdog("pool_of_a_dead_runtime", || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let handle = rt.handle().clone();
        drop(rt);
        let mut r = Unblock::new(Cursor::new(b"data".to_vec()));
        let mut buf = [0u8; 4];
        let err = {
            let _guard = handle.enter();
            futures::executor::block_on(futures::io::AsyncReadExt::read(&mut r, &mut buf))
                .unwrap_err()
        };
        assert!(err.to_string().contains("dropped the operation"), "{err}");
        let n =
            futures::executor::block_on(futures::io::AsyncReadExt::read(&mut r, &mut buf)).unwrap();
        assert_eq!(&buf[..n], b"data");
    });
}

/// A reader blocked forever in `read` (stdin with nobody typing) does not stop the process:
/// the adapter can be dropped, and the runtime shut down with a timeout.
#[test]
fn drop_while_read_blocks_does_not_hang() {
    watchdog("drop_while_read_blocks", || {
        struct Forever(mpsc::Receiver<()>);
        impl Read for Forever {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                let _ = self.0.recv();
                Ok(0)
            }
        }
        let (unblock_it, rx) = mpsc::channel();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let mut r = Unblock::new(Forever(rx));
            let mut buf = [0u8; 1];
            let res = tokio::time::timeout(std::time::Duration::from_millis(50), async {
                tokio::io::AsyncReadExt::read(&mut r, &mut buf).await
            })
            .await;
            assert!(res.is_err(), "the read is still blocked");
            drop(r);
        });
        rt.shutdown_timeout(std::time::Duration::from_millis(100));
        drop(unblock_it);
    });
}
