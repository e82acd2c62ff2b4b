//! Programs written the way tokio-util's docs teach `compat` and `io::SyncIoBridge` (the
//! bridge inside `spawn_blocking`, reading and writing, `shutdown`, `new_with_handle`), the
//! same text instantiated with `tokio_util::` and with `iocompat::tokio_util::`, plus the
//! documented differences.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::dropin;

use std::io::ErrorKind;

use dropin::{Executor, on_each};

macro_rules! program {
    ($name:ident, $($path:tt)+) => {
        mod $name {
            use $($path)+ as tokio_util;
            use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
            use tokio::task::spawn_blocking;
            use tokio_util::compat::{
                FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt, TokioAsyncReadCompatExt,
                TokioAsyncWriteCompatExt,
            };
            use tokio_util::io::SyncIoBridge;

            /// Both directions of `compat`: tokio halves used through futures-io, and a
            /// futures-io value used through tokio.
            pub(crate) async fn compat_both_ways() -> io::Result<(Vec<u8>, String)> {
                let (client, server) = tokio::io::duplex(64);
                let mut client = client.compat_write();
                futures::io::AsyncWriteExt::write_all(&mut client, b"over futures-io").await?;
                futures::io::AsyncWriteExt::close(&mut client).await?;
                let mut got = Vec::new();
                futures::io::AsyncReadExt::read_to_end(&mut server.compat(), &mut got).await?;

                let cursor = futures::io::Cursor::new(b"over tokio".to_vec());
                let mut text = String::new();
                tokio::io::AsyncReadExt::read_to_string(&mut cursor.compat(), &mut text).await?;
                let mut out = futures::io::Cursor::new(Vec::new()).compat_write();
                tokio::io::AsyncWriteExt::write_all(&mut out, text.as_bytes()).await?;
                let _: &futures::io::Cursor<Vec<u8>> = out.get_ref();
                let text = String::from_utf8(out.into_inner().into_inner()).unwrap();
                Ok((got, text))
            }

            /// The docs' `process_sync_io`: a bridge moved into `spawn_blocking`, `io::copy`.
            pub(crate) async fn read_in_spawn_blocking() -> io::Result<Vec<u8>> {
                let reader = std::io::Cursor::new(b"Hello, world!".to_vec());
                let mut sync_reader = SyncIoBridge::new(reader);
                let result = spawn_blocking(move || {
                    let mut buffer = Vec::new();
                    std::io::copy(&mut sync_reader, &mut buffer)?;
                    Ok::<_, io::Error>(buffer)
                })
                .await??;
                Ok(result)
            }

            /// Writing from `spawn_blocking` into a duplex read by a task; `shutdown` gives
            /// the reader its end of file.
            pub(crate) async fn write_in_spawn_blocking() -> io::Result<(Vec<u8>, bool)> {
                let (tx, mut rx) = tokio::io::duplex(8); // smaller than the data: waits
                let mut bridge = SyncIoBridge::new(tx);
                let vectored = bridge.is_write_vectored();
                let writer = spawn_blocking(move || {
                    bridge.write_all(b"written by blocking code")?;
                    bridge.flush()?;
                    bridge.shutdown()
                });
                let mut got = Vec::new();
                tokio::io::AsyncReadExt::read_to_end(&mut rx, &mut got).await?;
                writer.await??;
                Ok((got, vectored))
            }

            /// `BufRead` and `Seek` through the bridge.
            pub(crate) async fn lines_and_seek() -> io::Result<(Vec<String>, String)> {
                let lines = SyncIoBridge::new(tokio::io::BufReader::new(&b"a\nb\nc\n"[..]));
                let mut file = SyncIoBridge::new(std::io::Cursor::new(b"0123456789".to_vec()));
                spawn_blocking(move || {
                    let lines = lines.lines().collect::<io::Result<Vec<_>>>()?;
                    file.seek(SeekFrom::Start(6))?;
                    let mut tail = String::new();
                    file.read_to_string(&mut tail)?;
                    let _: &std::io::Cursor<Vec<u8>> = file.as_ref();
                    file.as_mut().set_position(0);
                    assert_eq!(file.into_inner().position(), 0);
                    Ok((lines, tail))
                })
                .await?
            }

            /// `new_with_handle` from a thread outside the runtime.
            pub(crate) fn new_with_handle_outside_the_runtime() -> io::Result<String> {
                let rt = tokio::runtime::Runtime::new()?;
                let (mut tx, rx) = tokio::io::duplex(4);
                rt.spawn(async move {
                    tokio::io::AsyncWriteExt::write_all(&mut tx, b"from the runtime").await
                });
                let handle = rt.handle().clone();
                std::thread::spawn(move || {
                    let mut bridge = SyncIoBridge::new_with_handle(rx, handle);
                    let mut s = String::new();
                    bridge.read_to_string(&mut s).map(|_| s)
                })
                .join()
                .unwrap()
            }
        }
    };
}

program!(theirs, ::tokio_util);
program!(ours, iocompat::tokio_util);

macro_rules! same_async {
    ($executors:expr, $f:ident) => {{
        let ours = on_each($executors, || async { ours::$f().await.unwrap() });
        let theirs = on_each($executors, || async { theirs::$f().await.unwrap() });
        assert_eq!(ours, theirs);
        ours
    }};
}

#[test]
fn compat_both_ways() {
    let answers = same_async!(&Executor::ALL, compat_both_ways);
    let expected = (b"over futures-io".to_vec(), "over tokio".to_owned());
    assert_eq!(answers, vec![expected; 3]);
}

#[test]
fn sync_io_bridge_reads_in_spawn_blocking() {
    let answers = same_async!(&Executor::TOKIO, read_in_spawn_blocking);
    assert_eq!(answers, vec![b"Hello, world!".to_vec(); 2]);
}

#[test]
fn sync_io_bridge_writes_in_spawn_blocking_and_shutdown_ends_the_stream() {
    let answers = same_async!(&Executor::TOKIO, write_in_spawn_blocking);
    for (bytes, _vectored) in answers {
        assert_eq!(bytes, b"written by blocking code");
    }
}

#[test]
fn sync_io_bridge_buf_read_seek_and_accessors() {
    let answers = same_async!(&Executor::TOKIO, lines_and_seek);
    let expected = (
        vec!["a".to_owned(), "b".into(), "c".into()],
        "6789".to_owned(),
    );
    assert_eq!(answers, vec![expected; 2]);
}

#[test]
fn sync_io_bridge_new_with_handle_outside_the_runtime() {
    let ours = dropin::bounded(ours::new_with_handle_outside_the_runtime).unwrap();
    let theirs = dropin::bounded(theirs::new_with_handle_outside_the_runtime).unwrap();
    assert_eq!(
        (ours.as_str(), theirs.as_str()),
        ("from the runtime", "from the runtime")
    );
}

/// Difference: `new` outside a runtime panics in tokio-util, works here for a value that needs
/// no runtime.
#[test]
fn new_outside_a_runtime_does_not_panic_here() {
    dropin::bounded(|| {
        let theirs =
            std::panic::catch_unwind(|| tokio_util::io::SyncIoBridge::new(tokio::io::empty()));
        assert!(theirs.is_err());
        let mut ours = iocompat::tokio_util::io::SyncIoBridge::new(&b"no runtime"[..]);
        let mut s = String::new();
        std::io::Read::read_to_string(&mut ours, &mut s).unwrap();
        assert_eq!(s, "no runtime");
    });
}

/// Difference: on a thread that drives a runtime (inside a task), tokio-util panics; ours
/// returns `Deadlock`.
#[test]
fn a_call_inside_a_task_is_a_deadlock_error_here() {
    for executor in Executor::TOKIO {
        let kind = executor.run(|| async {
            tokio::spawn(async {
                let (_tx, rx) = tokio::io::duplex(4);
                let mut bridge = iocompat::tokio_util::io::SyncIoBridge::new(rx);
                std::io::Read::read(&mut bridge, &mut [0; 4])
                    .unwrap_err()
                    .kind()
            })
            .await
            .unwrap()
        });
        assert_eq!(kind, ErrorKind::Deadlock, "{executor:?}");
    }
}
