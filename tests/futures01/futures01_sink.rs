//! Sinks both ways: backpressure from `poll_ready`, nothing lost when a send is dropped, flush
//! and close forwarded.

#![cfg(feature = "futures01")]

use crate::bounded;

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bounded::{ALL_EXECS, bounded, run_on};
use futures::{FutureExt, SinkExt, StreamExt};
use futures_sink::Sink;
use futures01::{Async, AsyncSink, Future as Future01, Sink as Sink01, Stream as Stream01};
use iocompat::futures01::{CompatSink, Sink01CompatExt, SinkCompatExt, Stream01CompatExt};

/// A 0.1 sink with room for `cap` items; `drain` empties it. Records every call.
#[derive(Clone)]
struct Slots {
    state: Arc<Mutex<SlotsState>>,
}

#[derive(Default)]
struct SlotsState {
    cap: usize,
    held: VecDeque<u32>,
    delivered: Vec<u32>,
    calls: Vec<&'static str>,
    task: Option<futures01::task::Task>,
}

impl Slots {
    fn new(cap: usize) -> Self {
        Self {
            state: Arc::new(Mutex::new(SlotsState {
                cap,
                ..SlotsState::default()
            })),
        }
    }

    /// Moves every held item to `delivered` and notifies a waiting sender.
    fn drain(&self) {
        let mut s = self.state.lock().unwrap();
        while let Some(v) = s.held.pop_front() {
            s.delivered.push(v);
        }
        if let Some(t) = s.task.take() {
            t.notify();
        }
    }

    fn delivered(&self) -> Vec<u32> {
        self.state.lock().unwrap().delivered.clone()
    }

    fn is_full(&self) -> bool {
        let s = self.state.lock().unwrap();
        s.held.len() == s.cap
    }

    fn calls(&self) -> Vec<&'static str> {
        self.state.lock().unwrap().calls.clone()
    }
}

impl Sink01 for Slots {
    type SinkItem = u32;
    type SinkError = String;

    fn start_send(&mut self, item: u32) -> futures01::StartSend<u32, String> {
        let mut s = self.state.lock().unwrap();
        s.calls.push("start_send");
        if s.held.len() == s.cap {
            s.task = Some(futures01::task::current());
            return Ok(AsyncSink::NotReady(item));
        }
        s.held.push_back(item);
        Ok(AsyncSink::Ready)
    }

    fn poll_complete(&mut self) -> futures01::Poll<(), String> {
        let mut s = self.state.lock().unwrap();
        s.calls.push("poll_complete");
        while let Some(v) = s.held.pop_front() {
            s.delivered.push(v);
        }
        Ok(Async::Ready(()))
    }

    fn close(&mut self) -> futures01::Poll<(), String> {
        self.state.lock().unwrap().calls.push("close");
        self.poll_complete()
    }
}

fn noop_cx() -> Context<'static> {
    Context::from_waker(std::task::Waker::noop())
}

#[test]
fn backpressure_of_a_full_01_sink_is_reported_by_poll_ready() {
    let slots = Slots::new(1);
    let mut sink = slots.clone().sink_compat();
    let mut cx = noop_cx();
    assert!(Pin::new(&mut sink).poll_ready(&mut cx).is_ready());
    Pin::new(&mut sink).start_send(1).unwrap();
    assert!(Pin::new(&mut sink).poll_ready(&mut cx).is_ready());
    // The 0.1 sink is full: it hands item 2 back, and the wrapper keeps it.
    Pin::new(&mut sink).start_send(2).unwrap();
    assert!(Pin::new(&mut sink).poll_ready(&mut cx).is_pending());
    assert!(Pin::new(&mut sink).poll_ready(&mut cx).is_pending());
    slots.drain();
    assert!(Pin::new(&mut sink).poll_ready(&mut cx).is_ready());
    assert!(Pin::new(&mut sink).poll_flush(&mut cx).is_ready());
    assert_eq!(slots.delivered(), [1, 2]);
}

#[test]
fn a_01_channel_reports_backpressure_and_wakes_the_sender() {
    for exec in ALL_EXECS {
        let got = run_on(exec, || async {
            let (tx, rx) = futures01::sync::mpsc::channel::<u32>(0);
            let mut tx = tx.sink_compat();
            let producer = async move {
                for i in 0..200 {
                    tx.send(i).await.unwrap();
                }
            };
            let consumer = rx.compat().map(Result::unwrap).collect::<Vec<_>>();
            let ((), got) = futures::join!(producer, consumer);
            got
        });
        assert_eq!(got, (0..200).collect::<Vec<_>>(), "{exec:?}");
    }
}

#[test]
fn dropping_a_send_future_part_way_loses_nothing() {
    let slots = Slots::new(1);
    let out = run_on(bounded::Exec::FuturesBlockOn, {
        let slots = slots.clone();
        move || async move {
            let mut sink = slots.clone().sink_compat();
            sink.feed(1).await.unwrap();
            // The 0.1 sink is full; this send gets the item in but cannot finish.
            let mut send = sink.send(2);
            assert!((&mut send).now_or_never().is_none());
            drop(send);
            slots.drain();
            sink.flush().await.unwrap();
            sink.send(3).await.unwrap();
            sink.close().await
        }
    });
    assert_eq!(out, Ok(()));
    assert_eq!(slots.delivered(), [1, 2, 3]);
}

#[test]
fn flush_and_close_drive_poll_complete_and_close() {
    let slots = Slots::new(8);
    let out = run_on(bounded::Exec::FuturesBlockOn, {
        let slots = slots.clone();
        move || async move {
            let mut sink = slots.sink_compat();
            sink.feed(1).await.unwrap();
            sink.flush().await.unwrap();
            sink.feed(2).await.unwrap();
            sink.close().await
        }
    });
    assert_eq!(out, Ok(()));
    assert_eq!(slots.delivered(), [1, 2]);
    assert_eq!(
        slots.calls(),
        [
            "start_send",
            "poll_complete",
            "start_send",
            "close",
            "poll_complete"
        ]
    );
}

#[test]
fn into_parts_gives_back_a_kept_item() {
    let slots = Slots::new(0);
    let mut sink = slots.sink_compat();
    let mut cx = noop_cx();
    assert!(Pin::new(&mut sink).poll_ready(&mut cx).is_ready());
    Pin::new(&mut sink).start_send(9).unwrap();
    let (_slots, kept) = sink.into_parts();
    assert_eq!(kept, Some(9));
}

#[test]
#[should_panic(expected = "wait for `poll_ready`")]
fn start_send_without_poll_ready_panics_instead_of_dropping_an_item() {
    let mut sink = Slots::new(0).sink_compat();
    Pin::new(&mut sink).start_send(1).unwrap();
    let _ = Pin::new(&mut sink).start_send(2);
}

/// A 0.3 sink that records calls and accepts one item per `poll_ready` round after `open`.
struct Gate {
    open: bool,
    items: Vec<u32>,
    calls: Vec<&'static str>,
}

impl Sink<u32> for Gate {
    type Error = String;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        self.calls.push("poll_ready");
        if self.open {
            Poll::Ready(Ok(()))
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    fn start_send(mut self: Pin<&mut Self>, item: u32) -> Result<(), String> {
        self.calls.push("start_send");
        self.items.push(item);
        Ok(())
    }

    fn poll_flush(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        self.calls.push("poll_flush");
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        self.calls.push("poll_close");
        Poll::Ready(Ok(()))
    }
}

#[test]
fn a_03_sink_that_is_not_ready_hands_the_item_back_to_01_code() {
    bounded(|| {
        let gate = Gate {
            open: false,
            items: Vec::new(),
            calls: Vec::new(),
        };
        let mut sink = CompatSink::new(gate);
        futures01::future::lazy(move || {
            assert_eq!(sink.start_send(1), Ok(AsyncSink::NotReady(1)));
            sink.get_mut().open = true;
            assert_eq!(sink.start_send(1), Ok(AsyncSink::Ready));
            assert_eq!(sink.poll_complete(), Ok(Async::Ready(())));
            assert_eq!(sink.close(), Ok(Async::Ready(())));
            let gate = sink.into_inner();
            assert_eq!(gate.items, [1]);
            assert_eq!(
                gate.calls,
                [
                    "poll_ready",
                    "poll_ready",
                    "start_send",
                    "poll_flush",
                    "poll_close"
                ]
            );
            Ok::<(), ()>(())
        })
        .wait()
        .unwrap();
    });
}

#[test]
fn a_03_channel_fed_by_01_forward_gets_every_item() {
    let got = bounded(|| {
        let (tx, rx) = futures::channel::mpsc::channel::<u32>(0);
        let consumer =
            std::thread::spawn(move || futures::executor::block_on(rx.collect::<Vec<_>>()));
        let tx = SinkCompatExt::compat(tx).sink_map_err(|_| ());
        let items = futures01::stream::iter_ok::<_, ()>(0..500u32);
        let (_, tx) = items.forward(tx).wait().unwrap();
        drop(tx);
        consumer.join().unwrap()
    });
    assert_eq!(got, (0..500).collect::<Vec<_>>());
}

#[derive(Clone, Debug)]
enum Op {
    Offer,
    Drain,
    Flush,
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![Just(Op::Offer), Just(Op::Drain), Just(Op::Flush)]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 128, ..Default::default() })]

    /// Any capacity and any interleaving of offers, drains and flushes: every item the 0.3
    /// side handed to `start_send` reaches the 0.1 sink once, in order; `poll_ready` refuses
    /// only while the 0.1 sink is full.
    #[test]
    fn every_accepted_item_arrives_once_in_order(
        cap in 1usize..4,
        ops in proptest::collection::vec(op(), 0..60),
    ) {
        let slots = Slots::new(cap);
        let mut sink = slots.clone().sink_compat();
        let mut cx = noop_cx();
        let mut next = 0u32;
        let mut entered = Vec::new();
        for op in ops {
            match op {
                Op::Offer => {
                    match Pin::new(&mut sink).poll_ready(&mut cx) {
                        Poll::Ready(r) => {
                            r.unwrap();
                            Pin::new(&mut sink).start_send(next).unwrap();
                            entered.push(next);
                            next += 1;
                        }
                        Poll::Pending => proptest::prop_assert!(slots.is_full()),
                    }
                }
                Op::Drain => slots.drain(),
                Op::Flush => {
                    let _ = Pin::new(&mut sink).poll_flush(&mut cx);
                }
            }
        }
        let mut rounds = 0;
        while Pin::new(&mut sink).poll_close(&mut cx).is_pending() {
            slots.drain();
            rounds += 1;
            proptest::prop_assert!(rounds < 10, "close did not finish");
        }
        proptest::prop_assert_eq!(slots.delivered(), entered);
    }
}

#[test]
fn start_send_hands_the_item_to_the_01_sink_at_once() {
    let slots = Slots::new(4);
    let mut sink = slots.clone().sink_compat();
    let mut cx = noop_cx();
    assert!(Pin::new(&mut sink).poll_ready(&mut cx).is_ready());
    Pin::new(&mut sink).start_send(1).unwrap();
    // No flush yet, and the 0.1 sink already holds the item (futures::compat kept it in the
    // wrapper until the next poll).
    assert_eq!(slots.calls(), ["start_send"]);
    assert_eq!(slots.state.lock().unwrap().held, [1]);
}
