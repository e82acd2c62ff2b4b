//! tokio 0.1 runtime services (timer, executor, `blocking`, reactor) for 0.1 code polled
//! through `iocompat::futures01` on plain tokio 1 runtimes of both flavours.

#![cfg(feature = "tokio01")]

use crate::flavors;

use std::io::Write as _;
use std::time::{Duration, Instant};

use flavors::on_both_flavors;
use futures01::future::lazy;
use futures01::{Future as Future01, Stream as Stream01};
use iocompat::futures01::{Future01CompatExt, Stream01CompatExt};
use tokio_executor01::Executor as _;

#[test]
fn a_tokio01_delay_fires() {
    on_both_flavors(|| async {
        let start = Instant::now();
        let delay = tokio01::timer::Delay::new(start + Duration::from_millis(20));
        delay.compat().await.expect("the 0.1 timer answers");
        assert!(start.elapsed() >= Duration::from_millis(20));
    });
}

#[test]
fn a_tokio01_interval_drives_a_01_stream_pipeline() {
    on_both_flavors(|| async {
        let pipeline = tokio01::timer::Interval::new_interval(Duration::from_millis(2))
            .take(5)
            .map_err(|e| e.to_string())
            .fold(0u32, |n, _instant| Ok::<_, String>(n + 1))
            .map(|n| n * 10);
        assert_eq!(pipeline.compat().await, Ok(50));

        // The same, as a 0.3 stream.
        let ticks = tokio01::timer::Interval::new_interval(Duration::from_millis(2)).take(3);
        let got: Vec<_> = futures::StreamExt::collect(ticks.compat()).await;
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(Result::is_ok), "{got:?}");
    });
}

#[test]
fn a_tokio01_timeout_elapses_and_lets_a_ready_future_through() {
    on_both_flavors(|| async {
        let never = futures01::future::empty::<(), ()>();
        let timed = tokio01::timer::Timeout::new(never, Duration::from_millis(10));
        let err = timed.compat().await.unwrap_err();
        assert!(err.is_elapsed(), "{err:?}");

        let ready = futures01::future::ok::<u8, ()>(7);
        let timed = tokio01::timer::Timeout::new(ready, Duration::from_secs(5));
        assert_eq!(timed.compat().await.unwrap(), 7);
    });
}

#[test]
fn tokio_executor_spawn_inside_a_01_task_runs_on_tokio_1() {
    on_both_flavors(|| async {
        let (tx, rx) = futures01::sync::oneshot::channel();
        let legacy = lazy(move || {
            tokio_executor01::spawn(lazy(move || {
                tx.send(tokio::runtime::Handle::try_current().is_ok())
                    .map_err(|_| ())
            }));
            Ok::<_, ()>(())
        });
        legacy.compat().await.unwrap();
        assert_eq!(
            rx.compat().await,
            Ok(true),
            "the spawned task ran on tokio 1"
        );
    });
}

#[test]
fn tokio01_spawn_inside_a_01_task_and_from_a_spawned_01_task() {
    on_both_flavors(|| async {
        let (tx, rx) = futures01::sync::mpsc::unbounded::<&str>();
        let legacy = lazy(move || {
            let tx1 = tx.clone();
            tokio01::spawn(lazy(move || {
                tx1.unbounded_send("child").unwrap();
                // Nested: a spawned 0.1 task spawns again.
                tokio01::spawn(lazy(move || {
                    tx1.unbounded_send("grandchild").unwrap();
                    Ok(())
                }));
                Ok(())
            }));
            tx.unbounded_send("parent").unwrap();
            Ok::<_, ()>(())
        });
        legacy.compat().await.unwrap();
        let mut got: Vec<_> = rx.take(3).collect().compat().await.expect("three messages");
        got.sort_unstable();
        assert_eq!(got, ["child", "grandchild", "parent"]);
    });
}

#[test]
fn default_executor_status_and_spawn_answer_inside_a_01_poll() {
    on_both_flavors(|| async {
        let legacy = lazy(|| {
            let mut exec = tokio_executor01::DefaultExecutor::current();
            let status = exec.status();
            let spawned = exec.spawn(Box::new(futures01::future::ok(())));
            Ok::<_, ()>((status.is_ok(), spawned.is_ok()))
        });
        assert_eq!(legacy.compat().await, Ok((true, true)));
    });
}

#[test]
fn tokio01_fs_file_open_and_read_go_through_blocking() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"legacy bytes").unwrap();
    let path = file.path().to_owned();
    on_both_flavors(move || {
        let path = path.clone();
        async move {
            let read = tokio01::fs::File::open(path)
                .and_then(|f| tokio01::io::read_to_end(f, Vec::new()))
                .map(|(_f, bytes)| bytes);
            assert_eq!(read.compat().await.unwrap(), b"legacy bytes");
        }
    });
}

#[test]
fn tokio01_tcp_echo_over_loopback() {
    on_both_flavors(|| async {
        let addr = "127.0.0.1:0".parse().unwrap();
        let listener = tokio01::net::TcpListener::bind(&addr).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = listener
            .incoming()
            .take(1)
            .for_each(|socket| {
                let (reader, writer) = tokio01::io::AsyncRead::split(socket);
                tokio01::spawn(
                    tokio01::io::copy(reader, writer)
                        .map(|_| ())
                        .map_err(|e| panic!("echo: {e}")),
                );
                Ok(())
            })
            .map_err(|e| panic!("accept: {e}"));
        let server = tokio::spawn(server.compat());

        let client = tokio01::net::TcpStream::connect(&addr)
            .and_then(|stream| tokio01::io::write_all(stream, b"ping over tokio 0.1"))
            .and_then(|(stream, _)| {
                stream.shutdown(std::net::Shutdown::Write)?;
                Ok(stream)
            })
            .and_then(|stream| tokio01::io::read_to_end(stream, Vec::new()))
            .map(|(_stream, echoed)| echoed);
        assert_eq!(client.compat().await.unwrap(), b"ping over tokio 0.1");
        server.await.unwrap().unwrap();
    });
}
