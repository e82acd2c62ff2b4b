//! Changing `futures::compat::` to `iocompat::futures01::` is all it takes: the same program
//! text, instantiated once with each path, compiles and gives the same answers.

#![cfg(feature = "futures01")]

use crate::bounded;

/// A 0.1 executor that runs each future with `wait()` on its own thread.
#[derive(Clone)]
pub(crate) struct ThreadPerTask;

impl<F> futures01::future::Executor<F> for ThreadPerTask
where
    F: futures01::Future<Item = (), Error = ()> + Send + 'static,
{
    fn execute(&self, future: F) -> Result<(), futures01::future::ExecuteError<F>> {
        std::thread::spawn(move || future.wait());
        Ok(())
    }
}

/// A program written against `futures::compat`, with the module path left open.
macro_rules! legacy_program {
    ($compat:ident) => {
        mod $compat {
            use futures::task::SpawnExt;
            use futures::{AsyncReadExt, AsyncWriteExt, SinkExt, StreamExt};
            use futures01::Future as _;

            pub(crate) use super::ThreadPerTask;

            pub(crate) fn run() -> (u32, Vec<u32>, Vec<u32>, Vec<u8>, Vec<u8>, u32, u8) {
                use self::compat::{
                    AsyncRead01CompatExt, AsyncWrite01CompatExt, Compat, Compat01As03,
                    Compat01As03Sink, CompatSink, Executor01As03, Executor01CompatExt,
                    Executor01Future, Future01CompatExt, Sink01CompatExt, Stream01CompatExt,
                };
                futures::executor::block_on(async {
                    let a = futures01::future::ok::<u32, ()>(1).compat().await.unwrap();
                    let s: Vec<u32> = futures01::stream::iter_ok::<_, ()>(vec![1, 2, 3])
                        .compat()
                        .map(Result::unwrap)
                        .collect()
                        .await;
                    let (tx, rx) = futures01::sync::mpsc::channel::<u32>(2);
                    let mut tx = tx.sink_compat();
                    tx.send(7).await.unwrap();
                    tx.send(8).await.unwrap();
                    drop(tx);
                    let sunk: Vec<u32> = Compat01As03::new(rx).map(Result::unwrap).collect().await;
                    let _named: Option<Compat01As03Sink<futures01::sync::mpsc::Sender<u32>, u32>> =
                        None;
                    let mut read = Vec::new();
                    // `Cursor` is both a reader and a writer, so the trait is named, as with
                    // futures::compat.
                    AsyncRead01CompatExt::compat(std::io::Cursor::new(b"abc".to_vec()))
                        .read_to_end(&mut read)
                        .await
                        .unwrap();
                    let mut w = AsyncWrite01CompatExt::compat(std::io::Cursor::new(Vec::new()));
                    w.write_all(b"xyz").await.unwrap();
                    let written = w.into_inner().into_inner();
                    let spawner: Executor01As03<ThreadPerTask> = ThreadPerTask.compat();
                    let h = spawner.spawn_with_handle(async { 5u32 }).unwrap();
                    let spawned = h.await;
                    let _named: Option<Executor01Future> = None;
                    let back = Compat::new(futures::future::ready(Ok::<u8, ()>(9)))
                        .wait()
                        .unwrap();
                    let (tx, _rx) = futures::channel::mpsc::channel::<u8>(1);
                    let _sink: CompatSink<_, u8> = CompatSink::new(tx);
                    (a, s, sunk, read, written, spawned, back)
                })
            }

            mod compat {
                pub(crate) use super::super::compat_path::$compat::*;
            }
        }
    };
}

mod compat_path {
    pub(crate) mod futures_compat {
        pub(crate) use futures::compat::*;
    }
    pub(crate) mod iocompat_futures01 {
        pub(crate) use iocompat::futures01::*;
    }
}

legacy_program!(futures_compat);
legacy_program!(iocompat_futures01);

#[test]
fn the_same_program_runs_on_futures_compat_and_on_iocompat() {
    let theirs = bounded::bounded(futures_compat::run);
    let ours = bounded::bounded(iocompat_futures01::run);
    assert_eq!(theirs, ours);
    assert_eq!(
        ours,
        (
            1,
            vec![1, 2, 3],
            vec![7, 8],
            b"abc".to_vec(),
            b"xyz".to_vec(),
            5,
            9
        )
    );
}

/// The usual migration: tokio-io 0.1 values made futures-io by `futures::compat`, then tokio 1
/// by tokio-util's `compat` traits (both directions imported). With the path renamed it must
/// still compile (a value implementing both trait families made tokio-util's two `compat`
/// methods ambiguous, E0034) and give the same answers.
macro_rules! two_hop_program {
    ($compat:ident) => {
        pub(crate) mod $compat {
            pub(crate) fn run() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
                use self::compat::{AsyncRead01CompatExt, AsyncWrite01CompatExt};
                use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
                use tokio_util::compat::{
                    FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt, TokioAsyncReadCompatExt,
                    TokioAsyncWriteCompatExt,
                };
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    // A legacy reader, two hops to tokio 1.
                    let legacy = std::io::Cursor::new(b"two hops\nand a line".to_vec());
                    let mut r = AsyncRead01CompatExt::compat(legacy).compat();
                    let mut first = Vec::new();
                    r.read_to_end(&mut first).await.unwrap();
                    // A legacy writer, two hops to tokio 1.
                    let legacy = std::io::Cursor::new(Vec::new());
                    let mut w = AsyncWrite01CompatExt::compat(legacy).compat_write();
                    w.write_all(b"written back").await.unwrap();
                    w.flush().await.unwrap();
                    let written = w.into_inner().into_inner().into_inner();
                    // And tokio 1 values through tokio-util's other direction in the same scope.
                    let (a, b) = tokio::io::duplex(64);
                    let mut fa = a.compat_write();
                    futures::AsyncWriteExt::write_all(&mut fa, b"over a duplex\n")
                        .await
                        .unwrap();
                    let mut line = Vec::new();
                    let mut lines = tokio::io::BufReader::new(b.compat().compat());
                    lines.read_until(b'\n', &mut line).await.unwrap();
                    (first, written, line)
                })
            }

            mod compat {
                pub(crate) use super::super::compat_path::$compat::*;
            }
        }
    };
}

mod two_hops {
    use super::compat_path;
    two_hop_program!(futures_compat);
    two_hop_program!(iocompat_futures01);
}

#[test]
fn the_two_hop_program_with_tokio_util_compat_compiles_and_runs_after_the_rename() {
    let theirs = bounded::bounded(two_hops::futures_compat::run);
    let ours = bounded::bounded(two_hops::iocompat_futures01::run);
    assert_eq!(theirs, ours);
    assert_eq!(ours.0, b"two hops\nand a line");
    assert_eq!(ours.1, b"written back");
    assert_eq!(ours.2, b"over a duplex\n");
}
