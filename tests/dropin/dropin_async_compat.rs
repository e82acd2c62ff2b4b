//! Programs written the way async-compat's docs teach (a tokio timer and tokio I/O under
//! `futures::executor::block_on`, `Compat` on the outer future, futures-io values inside tokio,
//! `compat_ref` / `compat_mut`), the same text instantiated with `async_compat::` and with
//! `iocompat::async_compat::`.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::dropin;

use dropin::{Executor, on_each};

macro_rules! program {
    ($name:ident, $($path:tt)+) => {
        mod $name {
            use $($path)+::{Compat, CompatExt};
            use std::io;
            use std::pin::Pin;
            use std::sync::Mutex;
            use std::task::{Context, Poll};
            use std::time::Duration;

            /// `block_on(Compat::new(async { tokio::time::sleep(..).await }))`
            pub(crate) fn timer_under_block_on() -> bool {
                futures::executor::block_on(Compat::new(async {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    true
                }))
            }

            /// `futures::io::copy(reader.compat(), &mut writer.compat_mut()).compat().await`
            pub(crate) async fn copy_tokio_io_with_futures_copy() -> io::Result<(u64, Vec<u8>)> {
                let reader = tokio::io::AsyncReadExt::take(tokio::io::repeat(b'r'), 5);
                let mut writer: Vec<u8> = Vec::new();
                let n = futures::io::copy(reader.compat(), &mut writer.compat_mut())
                    .compat()
                    .await?;
                Ok((n, writer))
            }

            /// The same, with `Compat` applied once to the outer future instead.
            pub(crate) fn outer_future_compat() -> io::Result<(u64, Vec<u8>)> {
                futures::executor::block_on(Compat::new(async {
                    // A tokio type that needs the runtime context to be made.
                    let (mut tx, rx) = tokio::io::duplex(16);
                    let feed = tokio::spawn(async move {
                        tokio::io::AsyncWriteExt::write_all(&mut tx, b"fed by a task").await
                    });
                    let mut writer: Vec<u8> = Vec::new();
                    let n = futures::io::copy(rx.compat(), &mut writer.compat_mut()).await?;
                    feed.await.unwrap()?;
                    Ok((n, writer))
                }))
            }

            /// futures-io values used by tokio's `copy` through `compat_mut`.
            pub(crate) async fn futures_io_in_tokio() -> io::Result<(u64, Vec<u8>)> {
                let mut input = futures::io::Cursor::new(b"futures-io inside tokio".to_vec());
                let mut output = futures::io::Cursor::new(Vec::new());
                let n = tokio::io::copy(&mut input.compat_mut(), &mut output.compat_mut()).await?;
                Ok((n, output.into_inner()))
            }

            /// A socket made and used under the futures executor (the `get_ref` example).
            pub(crate) fn socket_get_ref() -> io::Result<bool> {
                futures::executor::block_on(Compat::new(async {
                    let socket = Compat::new(tokio::net::UdpSocket::bind("127.0.0.1:0").await?);
                    let addr = socket.get_ref().local_addr()?;
                    Ok(addr.ip().is_loopback())
                }))
            }

            /// `compat_ref` over a type that reads through a shared reference (as sockets do).
            pub(crate) async fn compat_ref_reads_through_a_shared_reference() -> io::Result<String> {
                let shared = SharedReader(Mutex::new(&b"read via &T"[..]));
                let mut text = String::new();
                futures::io::AsyncReadExt::read_to_string(&mut shared.compat_ref(), &mut text)
                    .await?;
                // The value is still ours: another adapter by reference reads on (at the end).
                let mut rest = Vec::new();
                futures::io::AsyncReadExt::read_to_end(&mut shared.compat_ref(), &mut rest).await?;
                assert!(rest.is_empty());
                Ok(text)
            }

            /// `compat_mut` borrows: the value is used directly again after the adapter is gone.
            pub(crate) async fn compat_mut_borrows() -> io::Result<Vec<u8>> {
                let mut writer: Vec<u8> = Vec::new();
                futures::io::AsyncWriteExt::write_all(&mut writer.compat_mut(), b"via compat, ")
                    .await?;
                tokio::io::AsyncWriteExt::write_all(&mut writer, b"then direct").await?;
                Ok(writer)
            }

            /// `into_inner` and `get_mut` as the docs show them.
            pub(crate) fn accessors() -> (Vec<u8>, u8) {
                let mut compat = Compat::new(vec![1u8, 2]);
                compat.get_mut().push(3);
                let first = compat.get_ref()[0];
                (compat.into_inner(), first)
            }

            /// The value is dropped inside a runtime context (fallback when none is current).
            pub(crate) fn drop_runs_in_a_runtime_context() -> bool {
                struct NeedsRuntime(std::sync::mpsc::Sender<bool>);
                impl Drop for NeedsRuntime {
                    fn drop(&mut self) {
                        let _ = self.0.send(tokio::runtime::Handle::try_current().is_ok());
                    }
                }
                let (tx, rx) = std::sync::mpsc::channel();
                drop(Compat::new(NeedsRuntime(tx)));
                rx.recv().unwrap()
            }

            /// `Clone` (derived in async-compat).
            pub(crate) fn clone() -> (Vec<u8>, Vec<u8>) {
                let a = Compat::new(vec![9u8]);
                let b = a.clone();
                (a.into_inner(), b.into_inner())
            }

            struct SharedReader(Mutex<&'static [u8]>);

            impl tokio::io::AsyncRead for &SharedReader {
                fn poll_read(
                    self: Pin<&mut Self>,
                    _cx: &mut Context<'_>,
                    buf: &mut tokio::io::ReadBuf<'_>,
                ) -> Poll<io::Result<()>> {
                    let mut data = self.0.lock().unwrap();
                    let n = data.len().min(buf.remaining());
                    buf.put_slice(&data[..n]);
                    *data = &data[n..];
                    Poll::Ready(Ok(()))
                }
            }
        }
    };
}

program!(theirs, ::async_compat);
program!(ours, iocompat::async_compat);

/// Runs `f` of both instantiations (bounded, on a fresh thread); returns ours, asserted equal.
macro_rules! same_sync {
    ($f:ident) => {{
        let ours = dropin::bounded(ours::$f);
        let theirs = dropin::bounded(theirs::$f);
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        ours
    }};
}

/// Runs the async `f` of both instantiations on `executors`; returns ours, asserted equal.
macro_rules! same_async {
    ($executors:expr, $f:ident) => {{
        let ours = on_each($executors, || async { ours::$f().await.unwrap() });
        let theirs = on_each($executors, || async { theirs::$f().await.unwrap() });
        assert_eq!(ours, theirs);
        ours
    }};
}

#[test]
fn a_tokio_timer_under_block_on() {
    assert!(same_sync!(timer_under_block_on));
}

#[test]
fn futures_copy_of_tokio_io_with_compat_and_compat_mut() {
    let answers = same_async!(&Executor::ALL, copy_tokio_io_with_futures_copy);
    assert_eq!(answers, vec![(5, b"rrrrr".to_vec()); 3]);
}

#[test]
fn compat_on_the_outer_future_covers_tokio_spawn_and_io_inside() {
    let (n, bytes) = same_sync!(outer_future_compat).unwrap();
    assert_eq!((n, bytes.as_slice()), (13, &b"fed by a task"[..]));
}

#[test]
fn futures_io_values_inside_tokio_copy() {
    let text = b"futures-io inside tokio".to_vec();
    let answers = same_async!(&Executor::ALL, futures_io_in_tokio);
    assert_eq!(answers, vec![(text.len() as u64, text); 3]);
}

#[test]
fn a_tokio_socket_made_under_block_on() {
    assert!(same_sync!(socket_get_ref).unwrap());
}

#[test]
fn compat_ref_reads_through_a_shared_reference() {
    let answers = same_async!(&Executor::ALL, compat_ref_reads_through_a_shared_reference);
    assert_eq!(answers, vec!["read via &T".to_owned(); 3]);
}

#[test]
fn compat_mut_borrows_and_gives_the_value_back() {
    let answers = same_async!(&Executor::ALL, compat_mut_borrows);
    assert_eq!(answers, vec![b"via compat, then direct".to_vec(); 3]);
}

#[test]
fn accessors() {
    assert_eq!(same_sync!(accessors), (vec![1, 2, 3], 1));
}

#[test]
fn the_value_is_dropped_inside_a_runtime_context() {
    assert!(same_sync!(drop_runs_in_a_runtime_context));
}

#[test]
fn clone() {
    assert_eq!(same_sync!(clone), (vec![9], vec![9]));
}

/// The documented difference in which runtime is entered: ours keeps the one current when the
/// `Compat` was made; async-compat uses whichever is current at the poll.
#[test]
fn the_runtime_current_at_new_is_the_one_entered() {
    dropin::bounded(|| {
        let made_on = tokio::runtime::Runtime::new().unwrap();
        let polled_on = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let id = || tokio::runtime::Handle::current().id();
        // Made while `made_on` is current (as inside its `block_on`).
        let entered = made_on.enter();
        let ours = iocompat::async_compat::Compat::new(async move { id() });
        let theirs = async_compat::Compat::new(async move { id() });
        drop(entered);
        assert_eq!(polled_on.block_on(ours), made_on.handle().id());
        assert_eq!(polled_on.block_on(theirs), polled_on.handle().id());
    });
}
