//! `Compat` runtime context: tokio types work under other executors, in the runtime the value
//! was made in, else in the lazily started fallback runtime; for `poll`, I/O polls and `Drop`.
#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::compat_model;

use std::io;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::Duration;

use compat_model::within;
use iocompat::{Compat, TokioAsyncReadCompatExt};

fn named_runtime(name: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(name)
        .enable_all()
        .build()
        .unwrap()
}

/// The name of the thread a freshly spawned tokio task runs on.
async fn spawned_thread_name() -> String {
    tokio::spawn(async { std::thread::current().name().unwrap_or("").to_owned() })
        .await
        .unwrap()
}

#[test]
fn a_future_made_in_a_runtime_uses_it_under_futures_block_on() {
    within(20, || {
        let rt = named_runtime("made-in-rt");
        let fut = {
            let _made_in_rt = rt.enter();
            Compat::new(async {
                tokio::time::sleep(Duration::from_millis(1)).await;
                spawned_thread_name().await
            })
        };
        assert_eq!(futures::executor::block_on(fut), "made-in-rt");
    });
}

#[test]
fn a_future_made_in_one_runtime_keeps_it_when_polled_in_another() {
    within(20, || {
        let a = named_runtime("rt-a");
        let b = named_runtime("rt-b");
        let fut = {
            let _made_in_a = a.enter();
            Compat::new(spawned_thread_name())
        };
        assert_eq!(b.block_on(fut), "rt-a");
    });
}

#[test]
fn with_handle_uses_the_given_runtime() {
    within(20, || {
        let rt = named_runtime("given-rt");
        let fut = Compat::with_handle(spawned_thread_name(), rt.handle().clone());
        assert_eq!(futures::executor::block_on(fut), "given-rt");
    });
}

#[test]
fn without_a_runtime_the_fallback_runs_timers_spawn_and_tcp() {
    within(20, || {
        futures::executor::block_on(Compat::new(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            assert_eq!(spawned_thread_name().await, "iocompat-tokio-fallback");

            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = tokio::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                tokio::io::AsyncWriteExt::write_all(&mut s, b"over tcp")
                    .await
                    .unwrap();
            });
            let client = tokio::net::TcpStream::connect(addr).await.unwrap();
            // The stream used through futures-io, under the futures executor.
            let mut got = String::new();
            futures::io::AsyncReadExt::read_to_string(&mut client.compat(), &mut got)
                .await
                .unwrap();
            assert_eq!(got, "over tcp");
            server.await.unwrap();
        }));
    });
}

/// A tokio reader that needs a runtime context in every poll, as tokio types that lazily
/// register or spawn do.
struct NeedsContext;

impl tokio::io::AsyncRead for NeedsContext {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match tokio::runtime::Handle::try_current() {
            Ok(_) => {
                buf.put_slice(b"x");
                Poll::Ready(Ok(()))
            }
            Err(e) => Poll::Ready(Err(io::Error::other(e))),
        }
    }
}

#[test]
fn io_polls_run_inside_the_runtime_context() {
    within(20, || {
        futures::executor::block_on(async {
            let mut r = NeedsContext.compat();
            let mut b = [0u8; 1];
            let n = futures::io::AsyncReadExt::read(&mut r, &mut b)
                .await
                .unwrap();
            assert_eq!((n, b), (1, *b"x"));
        })
    });
}

/// Reports, from its `Drop`, the thread a task spawned there runs on.
struct SpawnsOnDrop(mpsc::Sender<String>);

impl Drop for SpawnsOnDrop {
    fn drop(&mut self) {
        let tx = self.0.clone();
        // Panics without a runtime context.
        drop(tokio::spawn(async move {
            let _ = tx.send(std::thread::current().name().unwrap_or("").to_owned());
        }));
    }
}

#[test]
fn drop_runs_inside_the_runtime_the_value_was_made_in() {
    within(20, || {
        let rt = named_runtime("drop-rt");
        let (tx, rx) = mpsc::channel();
        let compat = rt.block_on(async { Compat::new(SpawnsOnDrop(tx)) });
        drop(compat); // outside any runtime
        let name = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(name, "drop-rt");
    });
}

#[test]
fn drop_without_a_runtime_uses_the_fallback() {
    within(20, || {
        let (tx, rx) = mpsc::channel();
        drop(Compat::new(SpawnsOnDrop(tx)));
        let name = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(name, "iocompat-tokio-fallback");
    });
}

#[test]
fn into_inner_does_not_drop_the_value() {
    within(20, || {
        let (tx, rx) = mpsc::channel();
        let value = Compat::new(SpawnsOnDrop(tx)).into_inner();
        assert!(rx.try_recv().is_err());
        let rt = named_runtime("later-rt");
        rt.block_on(async move { drop(value) });
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)).unwrap(),
            "later-rt"
        );
    });
}

#[test]
fn streams_get_the_runtime_context_too() {
    within(20, || {
        let rt = named_runtime("stream-rt");
        let stream =
            rt.block_on(async { Compat::new(futures::stream::once(spawned_thread_name())) });
        let all: Vec<String> = futures::executor::block_on(futures::StreamExt::collect(stream));
        assert_eq!(all, ["stream-rt"]);
    });
}

/// Panics in its first poll.
struct PanicsInPoll;

impl futures_io::AsyncRead for PanicsInPoll {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        panic!("user poll panicked")
    }
}

#[test]
fn a_panic_in_the_value_reaches_the_poller() {
    within(20, || {
        let mut r = iocompat::FuturesAsyncReadCompatExt::compat(PanicsInPoll);
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            futures::executor::block_on(tokio::io::AsyncReadExt::read(&mut r, &mut [0u8; 4]))
        }))
        .unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"user poll panicked"));
        // The runtime context guard unwound with the panic: a later Compat still works.
        assert_eq!(
            futures::executor::block_on(Compat::new(spawned_thread_name())),
            "iocompat-tokio-fallback"
        );
        drop(r);
    });
}

#[test]
fn tokio_timers_spawn_and_tcp_work_under_smols_executor() {
    within(20, || {
        let ex = async_executor::Executor::new();
        let task = ex.spawn(Compat::new(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = tokio::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                tokio::io::AsyncWriteExt::write_all(&mut s, b"smol")
                    .await
                    .unwrap();
            });
            let client = tokio::net::TcpStream::connect(addr).await.unwrap();
            let mut got = String::new();
            futures::io::AsyncReadExt::read_to_string(&mut client.compat(), &mut got)
                .await
                .unwrap();
            server.await.unwrap();
            (got, spawned_thread_name().await)
        }));
        let (got, name) = futures::executor::block_on(ex.run(task));
        assert_eq!(got, "smol");
        assert_eq!(name, "iocompat-tokio-fallback");
    });
}
