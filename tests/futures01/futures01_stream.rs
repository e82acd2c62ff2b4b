//! Streams both ways, on every executor.

#![cfg(feature = "futures01")]

use crate::bounded;

use bounded::{ALL_EXECS, bounded, run_on};
use futures::StreamExt;
use futures01::{Async, Future as _, Stream as Stream01};
use iocompat::futures01::{Stream01CompatExt, TryStreamCompatExt};

/// A 0.1 stream that alternates `NotReady` (notifying from another thread) and items, then
/// fails at `fail_at` if set.
struct Flaky {
    next: u32,
    end: u32,
    fail_at: Option<u32>,
    ready: bool,
}

impl Stream01 for Flaky {
    type Item = u32;
    type Error = String;

    fn poll(&mut self) -> futures01::Poll<Option<u32>, String> {
        if Some(self.next) == self.fail_at {
            return Err(format!("failed at {}", self.next));
        }
        if self.next == self.end {
            return Ok(Async::Ready(None));
        }
        if !self.ready {
            self.ready = true;
            let task = futures01::task::current();
            std::thread::spawn(move || task.notify());
            return Ok(Async::NotReady);
        }
        self.ready = false;
        self.next += 1;
        Ok(Async::Ready(Some(self.next - 1)))
    }
}

#[test]
fn a_01_stream_yields_every_item_then_ends_on_every_executor() {
    for exec in ALL_EXECS {
        let got = run_on(exec, || {
            Flaky {
                next: 0,
                end: 50,
                fail_at: None,
                ready: false,
            }
            .compat()
            .collect::<Vec<_>>()
        });
        assert_eq!(got, (0..50).map(Ok).collect::<Vec<_>>(), "{exec:?}");
    }
}

#[test]
fn a_01_stream_error_is_surfaced_whole() {
    let got = run_on(bounded::Exec::TokioCurrentThread, || {
        Flaky {
            next: 0,
            end: 50,
            fail_at: Some(3),
            ready: false,
        }
        .compat()
        .take(5)
        .collect::<Vec<_>>()
    });
    assert_eq!(got[..3], [Ok(0), Ok(1), Ok(2)]);
    assert_eq!(got[3], Err("failed at 3".to_string()));
}

#[test]
fn a_not_unpin_03_stream_runs_under_01_wait() {
    let got = bounded(|| {
        // `unfold` with an `async` closure body is `!Unpin`.
        let modern = futures::stream::unfold(0u32, |n| async move {
            futures::future::ready(()).await;
            (n < 100).then_some((Ok::<u32, ()>(n), n + 1))
        });
        modern.compat_boxed().collect().wait()
    });
    assert_eq!(got, Ok((0..100).collect::<Vec<_>>()));
}

#[test]
fn a_03_stream_fed_from_another_thread_runs_under_01_wait() {
    let got = bounded(|| {
        let (mut tx, rx) = futures::channel::mpsc::channel::<u32>(1);
        let producer = std::thread::spawn(move || {
            futures::executor::block_on(async move {
                for i in 0..300 {
                    futures::SinkExt::send(&mut tx, i).await.unwrap();
                }
            })
        });
        let got: Vec<u32> = rx.map(Ok::<_, ()>).compat().collect().wait().unwrap();
        producer.join().unwrap();
        got
    });
    assert_eq!(got, (0..300).collect::<Vec<_>>());
}

#[test]
fn a_03_stream_error_reaches_01_code() {
    let got = bounded(|| {
        let modern = futures::stream::iter(vec![Ok(1u8), Err("broken"), Ok(2)]);
        let mut it = modern.compat().wait();
        (it.next(), it.next())
    });
    assert_eq!(got, (Some(Ok(1)), Some(Err("broken"))));
}

#[test]
#[should_panic(expected = "polled outside a futures 0.1 task")]
fn polling_a_03_stream_as_01_outside_a_task_panics_with_a_clear_message() {
    let mut s = futures::stream::iter(vec![Ok::<u8, ()>(1)]).compat();
    let _ = Stream01::poll(&mut s);
}
