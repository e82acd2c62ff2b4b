//! `SyncIo` where blocking cannot work: on a runtime's own threads, on a current-thread runtime
//! nobody drives (tokio #7441), with a runtime dropped mid-call. Errors, never a panic or hang.
#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::compat_model;

use std::io::{self, BufRead, Cursor, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::Duration;

use compat_model::within;
use iocompat::SyncIo;

/// Every `std::io` call of a `SyncIo` over a duplex stream, by name and result.
fn every_call(
    io: &mut SyncIo<tokio::io::BufStream<tokio::io::DuplexStream>>,
) -> Vec<(&'static str, io::Result<()>)> {
    vec![
        ("read", io.read(&mut [0u8; 4]).map(drop)),
        ("fill_buf", io.fill_buf().map(drop)),
        ("write", io.write(b"x").map(drop)),
        (
            "write_vectored",
            io.write_vectored(&[io::IoSlice::new(b"x")]).map(drop),
        ),
        ("flush", io.flush()),
        ("shutdown", io.shutdown()),
    ]
}

fn assert_refused(results: Vec<(&'static str, io::Result<()>)>) {
    for (op, result) in results {
        let err = result.expect_err(op);
        assert_eq!(err.kind(), io::ErrorKind::Deadlock, "{op}: {err}");
        let msg = err.to_string();
        assert!(msg.contains(&format!("SyncIo::{op} ")), "{op}: {msg}");
        assert!(msg.contains("spawn_blocking"), "{op}: {msg}");
    }
}

fn duplex_stream() -> SyncIo<tokio::io::BufStream<tokio::io::DuplexStream>> {
    let (a, b) = tokio::io::duplex(64);
    std::mem::forget(b); // keep the peer open and silent
    SyncIo::new(tokio::io::BufStream::new(a))
}

#[test]
fn in_a_task_on_a_multi_thread_worker_every_call_is_an_error() {
    within(20, || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let results = rt.block_on(async {
            tokio::spawn(async {
                let mut io = duplex_stream();
                let mut results = every_call(&mut io);
                let mut seeker = SyncIo::new(Cursor::new(vec![0u8; 4]));
                results.push(("seek", seeker.seek(SeekFrom::Start(1)).map(drop)));
                results
            })
            .await
            .unwrap()
        });
        assert_refused(results);
    });
}

#[test]
fn in_block_on_on_a_current_thread_runtime_every_call_is_an_error() {
    within(20, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let results = rt.block_on(async {
            let mut io = duplex_stream();
            every_call(&mut io)
        });
        assert_refused(results);
    });
}

#[test]
fn in_a_task_on_a_current_thread_runtime_futures_io_values_are_refused_too() {
    within(20, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = rt
            .block_on(async {
                tokio::spawn(async {
                    let mut io = SyncIo::from_futures_io(futures::io::Cursor::new(vec![1u8]));
                    io.read(&mut [0u8; 1])
                })
                .await
                .unwrap()
            })
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Deadlock);
    });
}

#[test]
fn on_the_block_on_thread_of_a_multi_thread_runtime_it_works() {
    within(20, || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let got = rt.block_on(async {
            let (mut tx, rx) = tokio::io::duplex(16);
            tokio::spawn(async move {
                tokio::io::AsyncWriteExt::write_all(&mut tx, b"from a worker")
                    .await
                    .unwrap();
            });
            let mut s = String::new();
            SyncIo::new(rx).read_to_string(&mut s).unwrap();
            s
        });
        assert_eq!(got, "from a worker");
    });
}

/// tokio #7441: `SyncIoBridge` hangs when the current-thread runtime its stream belongs to is
/// not being driven (no thread is inside `Runtime::block_on`).
#[test]
fn tokio_7441_current_thread_runtime_not_driven_is_an_error_and_loses_nothing() {
    within(30, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            go_rx.recv().unwrap();
            s.write_all(b"survives the error").unwrap();
        });
        let stream = rt.block_on(tokio::net::TcpStream::connect(addr)).unwrap();
        // The runtime is idle now: nothing drives its I/O driver, so the data sent from here on
        // can only be seen once some thread is in `Runtime::block_on` again.
        go_tx.send(()).unwrap();
        server.join().unwrap();
        let mut sync = SyncIo::with_handle(stream, rt.handle().clone());
        sync.set_stall_timeout(Duration::from_millis(200));
        let (sync, err) = std::thread::spawn(move || {
            let err = sync.read(&mut [0u8; 64]).unwrap_err();
            (sync, err)
        })
        .join()
        .unwrap();
        assert_eq!(err.kind(), io::ErrorKind::Deadlock);
        let msg = err.to_string();
        assert!(
            msg.contains("SyncIo::read") && msg.contains("#7441"),
            "{msg}"
        );

        // Driven again, the same SyncIo reads every byte.
        let mut sync = sync;
        let got = rt.block_on(async move {
            tokio::task::spawn_blocking(move || {
                let mut s = String::new();
                sync.read_to_string(&mut s).unwrap();
                s
            })
            .await
            .unwrap()
        });
        assert_eq!(got, "survives the error");
    });
}

/// Always `Pending`, and drops the waker: only the runtime checks can end a wait on it.
struct NeverReady;

impl tokio::io::AsyncRead for NeverReady {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Pending
    }
}

fn read_while_the_runtime_is_dropped(rt: tokio::runtime::Runtime) -> io::Error {
    let mut sync = SyncIo::with_handle(NeverReady, rt.handle().clone());
    sync.set_stall_timeout(Duration::from_secs(3600)); // only shutdown may end this wait
    let (started_tx, started_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        started_tx.send(()).unwrap();
        sync.read(&mut [0u8; 8]).unwrap_err()
    });
    started_rx.recv().unwrap();
    // Before or during the wait: either way the call must fail.
    drop(rt);
    reader.join().unwrap()
}

#[test]
fn a_multi_thread_runtime_dropped_while_blocked_is_an_error() {
    within(20, || {
        let err = read_while_the_runtime_is_dropped(tokio::runtime::Runtime::new().unwrap());
        assert_eq!(err.kind(), io::ErrorKind::Other);
        assert!(err.to_string().contains("shut down"), "{err}");
    });
}

#[test]
fn a_current_thread_runtime_dropped_while_blocked_is_an_error() {
    within(20, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = read_while_the_runtime_is_dropped(rt);
        assert!(err.to_string().contains("shut down"), "{err}");
    });
}

#[test]
fn a_tcp_stream_whose_runtime_is_dropped_mid_read_errors() {
    within(20, || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stream = rt.block_on(tokio::net::TcpStream::connect(addr)).unwrap();
        let (_silent_peer, _) = listener.accept().unwrap();
        let mut sync = SyncIo::with_handle(stream, rt.handle().clone());
        let (started_tx, started_rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            started_tx.send(()).unwrap();
            sync.read(&mut [0u8; 8])
        });
        started_rx.recv().unwrap();
        drop(rt);
        assert!(reader.join().unwrap().is_err());
    });
}

/// A writer whose flush never completes.
struct StuckFlush;

impl tokio::io::AsyncWrite for StuckFlush {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, b: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(b.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Pending
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Pending
    }
}

/// `Drop` flushes unflushed writes, but gives up after the stall timeout without progress.
impl futures::io::AsyncWrite for StuckFlush {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, b: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(b.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Pending
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Pending
    }
}

#[test]
fn drop_does_not_block_for_ever_on_a_flush_that_cannot_finish() {
    within(10, || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let mut w = SyncIo::with_handle(StuckFlush, rt.handle().clone());
        w.set_stall_timeout(std::time::Duration::from_millis(100));
        w.write_all(b"unflushed").unwrap();
        drop(w);
    });
    // The same without any runtime to watch (a futures-io value).
    within(10, || {
        let mut w = SyncIo::from_futures_io(StuckFlush);
        w.set_stall_timeout(std::time::Duration::from_millis(100));
        w.write_all(b"unflushed").unwrap();
        drop(w);
    });
}

#[test]
fn a_syncio_made_outside_a_runtime_watches_the_runtime_current_at_the_call() {
    within(20, || {
        let mut sync = SyncIo::new(NeverReady);
        sync.set_stall_timeout(Duration::from_millis(200));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // Entered but not driven: nobody is in `rt.block_on`.
        let _entered = rt.enter();
        let err = sync.read(&mut [0u8; 8]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Deadlock, "{err}");
    });
}

#[test]
fn inside_block_in_place_on_a_worker_it_works() {
    within(20, || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let got = rt.block_on(async {
            tokio::spawn(async {
                let (mut tx, rx) = tokio::io::duplex(16);
                tokio::spawn(async move {
                    tokio::io::AsyncWriteExt::write_all(&mut tx, b"blocking allowed here")
                        .await
                        .unwrap();
                });
                let mut sync = SyncIo::new(rx);
                // block_in_place hands this worker's tasks to another thread first.
                tokio::task::block_in_place(move || {
                    let mut s = String::new();
                    sync.read_to_string(&mut s).map(|_| s)
                })
            })
            .await
            .unwrap()
        });
        assert_eq!(got.unwrap(), "blocking allowed here");
    });
}

/// A futures-io value does not depend on tokio: on a current-thread runtime's blocking thread,
/// with that runtime idle, a slow value is waited for, not reported as a deadlock.
#[test]
fn a_futures_io_value_is_not_watched_for_the_current_runtime() {
    use futures::TryStreamExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (tx, rx) = futures::channel::mpsc::unbounded::<io::Result<Vec<u8>>>();
    let (done_tx, done_rx) = mpsc::channel();
    rt.spawn_blocking(move || {
        let mut s = SyncIo::from_futures_io(rx.into_async_read());
        s.set_stall_timeout(Duration::from_millis(20));
        let mut buf = [0u8; 5];
        let _ = done_tx.send(s.read(&mut buf).map(|n| buf[..n].to_vec()));
    });
    // A slow producer: ten stall timeouts late (this simulates latency; nothing waits on it).
    std::thread::sleep(Duration::from_millis(200));
    tx.unbounded_send(Ok(b"hello".to_vec())).unwrap();
    let got = done_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(got.map_err(|e| e.kind()), Ok(b"hello".to_vec()));
}

/// `SyncIo` used from another thread-local's destructor (a writer flushed on thread exit)
/// works instead of panicking inside a TLS destructor, which would abort the process. Run in a
/// child process, since the failure would be an abort.
#[test]
fn sync_io_works_from_a_thread_local_destructor() {
    if std::env::var_os("IOCOMPAT_TLS_CHILD").is_some() {
        struct FlushOnDrop(std::cell::RefCell<Option<SyncIo<Vec<u8>>>>);
        impl Drop for FlushOnDrop {
            fn drop(&mut self) {
                if let Some(s) = self.0.borrow_mut().as_mut() {
                    let r = Write::write(s, b"bye");
                    eprintln!("write in TLS dtor: {r:?}");
                }
            }
        }
        thread_local!(static W: FlushOnDrop = const { FlushOnDrop(std::cell::RefCell::new(None)) });
        std::thread::spawn(|| {
            W.with(|w| *w.0.borrow_mut() = Some(SyncIo::new(Vec::new())));
            // The first call sets up SyncIo's own thread-local after W, so it is destroyed
            // before W's destructor runs.
            W.with(|w| Write::write(w.0.borrow_mut().as_mut().unwrap(), b"hi").unwrap());
        })
        .join()
        .unwrap();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        // A filter, not `--exact`: the name is unique, and its full path depends on which
        // binary this file is built into.
        .args([
            "sync_io_works_from_a_thread_local_destructor",
            "--nocapture",
        ])
        .env("IOCOMPAT_TLS_CHILD", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("write in TLS dtor: Ok(3)"),
        "{err}"
    );
}
