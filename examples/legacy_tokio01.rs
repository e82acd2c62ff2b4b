//! A program written against tokio 0.1 as it was in 2019, running on tokio 1 with one line
//! changed: `tokio::run(..)` became `iocompat::tokio01::run(..)`. Beside it, in the same
//! process, a tokio 1 task does its own work.
//!
//! Run with `cargo run --example legacy_tokio01 --features tokio01`. No arguments; it uses
//! 127.0.0.1 only and exits by itself in a fraction of a second.

use std::sync::mpsc;

/// The legacy program, as it was written for tokio 0.1 (only the dependency is renamed in this
/// crate's Cargo.toml, hence the `use tokio01 as tokio`).
pub mod legacy {
    use std::net::SocketAddr;
    use std::sync::mpsc::Sender;
    use std::time::{Duration, Instant};

    use tokio01 as tokio;

    use tokio::net::{TcpListener, TcpStream};
    use tokio::prelude::*;
    use tokio::timer::{Delay, Interval, Timeout};

    /// An echo server on 127.0.0.1, one connection; returns its address and the server future.
    fn echo_server() -> (SocketAddr, impl Future<Item = (), Error = ()> + Send) {
        let addr = "127.0.0.1:0".parse().unwrap();
        let listener = TcpListener::bind(&addr).expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let server = listener
            .incoming()
            .take(1)
            .for_each(|socket| {
                let (reader, writer) = socket.split();
                tokio::spawn(
                    tokio::io::copy(reader, writer)
                        .map(|_| ())
                        .map_err(|e| eprintln!("echo: {}", e)),
                );
                Ok(())
            })
            .map_err(|e| eprintln!("accept: {}", e));
        (addr, server)
    }

    /// Everything the program does; each step reports to `events` when it is done.
    pub fn program(events: Sender<&'static str>) -> impl Future<Item = (), Error = ()> + Send {
        future::lazy(move || {
            // An interval driving a stream pipeline.
            let ticks = events.clone();
            tokio::spawn(
                Interval::new(Instant::now(), Duration::from_millis(10))
                    .take(3)
                    .fold(0, |n, _| Ok(n + 1))
                    .map(move |n| {
                        println!("legacy: the interval ticked {} times", n);
                        ticks.send("interval").unwrap();
                    })
                    .map_err(|e| panic!("interval: {}", e)),
            );

            // An echo over a tokio 0.1 TcpListener, with a client.
            let (addr, server) = echo_server();
            tokio::spawn(server);
            let echoed = events.clone();
            tokio::spawn(
                TcpStream::connect(&addr)
                    .and_then(|stream| tokio::io::write_all(stream, b"hello, 2019"))
                    .and_then(|(stream, _)| tokio::io::read_exact(stream, vec![0; 11]))
                    .map(move |(_, reply)| {
                        println!("legacy: echo replied {:?}", String::from_utf8_lossy(&reply));
                        assert_eq!(reply, b"hello, 2019");
                        echoed.send("echo").unwrap();
                    })
                    .map_err(|e| panic!("client: {}", e)),
            );

            // A timeout around something that never finishes, and a delay.
            let timed_out = events.clone();
            tokio::spawn(
                Timeout::new(future::empty::<(), ()>(), Duration::from_millis(20)).then(
                    move |result| {
                        let elapsed = result.unwrap_err().is_elapsed();
                        println!("legacy: the timeout elapsed: {}", elapsed);
                        assert!(elapsed);
                        timed_out.send("timeout").unwrap();
                        Ok(())
                    },
                ),
            );
            Delay::new(Instant::now() + Duration::from_millis(5))
                .map(move |()| {
                    println!("legacy: the delay fired");
                    events.send("delay").unwrap();
                })
                .map_err(|e| panic!("delay: {}", e))
        })
    }
}

/// A tokio 1 task, written today, beside the legacy program.
async fn modern_task() -> u32 {
    let mut interval = tokio::time::interval(std::time::Duration::from_millis(5));
    let mut ticks = 0;
    while ticks < 4 {
        interval.tick().await;
        ticks += 1;
    }
    ticks
}

pub fn main() {
    let modern = tokio::runtime::Runtime::new().expect("tokio 1 runtime");
    let modern_ticks = modern.spawn(modern_task());

    let (events, reported) = mpsc::channel();
    // The one changed line; it was `tokio::run(legacy::program(events));`
    iocompat::tokio01::run(legacy::program(events));

    let mut done: Vec<_> = reported.try_iter().collect();
    done.sort_unstable();
    assert_eq!(done, ["delay", "echo", "interval", "timeout"]);
    let ticks = modern.block_on(modern_ticks).expect("the tokio 1 task");
    println!("modern: the tokio 1 task ticked {ticks} times beside it");
    println!("legacy_tokio01: done");
}
