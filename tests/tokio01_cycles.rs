//! 200 cycles of: create a runtime, spawn 0.1 tasks with timers and sockets, drop it. The
//! process's thread count and resident memory stay flat. Alone in its binary, so no other
//! test's threads are counted.
//!
//! Tolerance (documented here and in the module docs): threads no more than after the warm-up
//! (a leaked runtime leaves at least one); resident memory (`/proc/self/statm`, in pages) at
//! most 1024 pages above the warm-up (4 MiB with 4 KiB pages: a leaked runtime, its timer
//! entries or sockets would cost well over 20 KiB a cycle).

#![cfg(all(feature = "tokio01", target_os = "linux"))]

#[path = "support/bounded.rs"]
mod bounded;

use std::time::{Duration, Instant};

use futures01::Future as Future01;
use futures01::future::lazy;
use iocompat::futures01::Future01CompatExt;
use tokio_io01::io::{read_exact, write_all};

const WARM_UP: usize = 20;
const CYCLES: usize = 200;
const RSS_TOLERANCE_PAGES: u64 = 1024;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

fn rss_pages() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    statm.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn delay01(ms: u64) -> tokio01::timer::Delay {
    tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(ms))
}

/// The 0.1 work of one cycle: a task left waiting on a far `Delay` (dropped with the runtime),
/// a short `Delay`, and an echo over a tokio 0.1 socket pair on 127.0.0.1.
fn legacy_work() -> impl Future01<Item = (), Error = ()> + Send {
    lazy(|| {
        tokio01::spawn(delay01(600_000).map_err(|e| panic!("{e}")));
        let addr = "127.0.0.1:0".parse().unwrap();
        let listener = tokio01::net::TcpListener::bind(&addr).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = futures01::Stream::into_future(listener.incoming())
            .map_err(|(e, _)| panic!("{e}"))
            .and_then(|(socket, _)| read_exact(socket.unwrap(), [0u8; 4]))
            .and_then(|(socket, buf)| write_all(socket, buf));
        let client = tokio01::net::TcpStream::connect(&addr)
            .and_then(|s| write_all(s, *b"ping"))
            .and_then(|(s, _)| read_exact(s, [0u8; 4]));
        delay01(1)
            .map_err(|e| panic!("{e}"))
            .and_then(move |()| server.join(client).map_err(|e| panic!("{e}")))
            .map(|(_, (_, reply))| assert_eq!(&reply, b"ping"))
    })
}

fn cycle(i: usize) {
    match i % 3 {
        0 => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(legacy_work().compat()).unwrap();
        }
        1 => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(legacy_work().compat()).unwrap();
        }
        _ => {
            let mut rt = iocompat::tokio01::Runtime::new().unwrap();
            rt.block_on(legacy_work()).unwrap();
            rt.shutdown_now().wait().unwrap();
        }
    }
}

#[test]
fn runtime_cycles_leave_thread_count_and_rss_flat() {
    let (before, after) = bounded::bounded(|| {
        for i in 0..WARM_UP {
            cycle(i);
        }
        let before = (threads(), rss_pages());
        for i in 0..CYCLES {
            cycle(i);
        }
        (before, (threads(), rss_pages()))
    });
    eprintln!(
        "threads {} -> {}, rss {} -> {} pages",
        before.0, after.0, before.1, after.1
    );
    assert!(after.0 <= before.0, "threads grew: {before:?} -> {after:?}");
    assert!(
        after.1 <= before.1 + RSS_TOLERANCE_PAGES,
        "RSS grew by more than {RSS_TOLERANCE_PAGES} pages: {before:?} -> {after:?}"
    );
}
