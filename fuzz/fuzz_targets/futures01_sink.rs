//! The futures 0.1 <-> 0.3 sink bridges under any interleaving of sends, readiness, flushes,
//! closes, changes of the inner sink's capacity and readiness, and dropped send futures.
//!
//! - `Compat01As03Sink`: 0.3 code (`poll_ready` / `start_send` / `poll_flush` / `poll_close`,
//!   and `SinkExt::send` / `feed` futures polled a few times, then dropped) over a 0.1 sink.
//! - `CompatSink`: 0.1 code (`start_send` / `poll_complete` / `close` inside a 0.1 task, and
//!   0.1 `Sink::send` futures polled a few times in a task of their own, then dropped) over a
//!   0.3 sink.
//!
//! Checked: every accepted item reaches the inner sink exactly once, in order (items are not
//! `Clone`, and one dropped anywhere but with the send future that still owned it is a lost
//! item); a completed flush or close has delivered every accepted item; nothing reaches the
//! inner sink after its close began; the inner 0.3 sink's `start_send` is only called after
//! its `poll_ready` said `Ready`; every `Pending` / `NotReady` left a task or waker with the
//! inner sink, and waking it reaches the outer task; no panic.

#![no_main]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use arbitrary::Arbitrary;
use futures::SinkExt;
use futures_sink::Sink;
use futures01::executor::{Notify, NotifyHandle};
use futures01::{Async, AsyncSink, Sink as Sink01};
use iocompat::futures01::{Compat01As03Sink, CompatSink};
use libfuzzer_sys::fuzz_target;

const MAX_OPS: usize = 96;

#[derive(Arbitrary, Debug)]
struct Input {
    /// 0.3 code over a 0.1 sink (`Compat01As03Sink`).
    to_01: Vec<Op03>,
    cap_01: u8,
    /// 0.1 code over a 0.3 sink (`CompatSink`).
    to_03: Vec<Op01>,
    cap_03: u8,
}

/// Changes to the inner sink, the same on both sides.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Inner {
    /// Room for `n % 4` items (0: full until drained and widened).
    SetCap(u8),
    /// Moves up to `n % 4` held items out and wakes the waiting task.
    Drain(u8),
    /// Whether the inner flush (and close) can finish; wakes the waiting task.
    FlushReady(bool),
    CloseReady(bool),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Op03 {
    PollReady,
    /// Only after `poll_ready` said `Ready` (the 0.3 contract); skipped otherwise.
    StartSend,
    PollFlush,
    PollClose,
    /// `SinkExt::send` / `feed`, polled `1 + polls % 5` times, then dropped.
    Send {
        polls: u8,
        flush: bool,
    },
    Inner(Inner),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Op01 {
    /// `start_send` of a new item (or of the one handed back last).
    StartSend,
    PollComplete,
    Close,
    /// 0.1 `Sink::send` in its own 0.1 task, polled `1 + polls % 5` times, then dropped.
    Send {
        polls: u8,
    },
    Inner(Inner),
}

// ----- items that notice being lost ---------------------------------------------------------

#[derive(Default)]
struct Items {
    next: u32,
    /// The item the harness is dropping on purpose (with the future that owned it).
    may_drop: Option<u32>,
    /// Dropped on purpose, so never accepted.
    dropped: Vec<u32>,
    /// Dropped anywhere else before reaching the inner sink: lost.
    lost: Vec<u32>,
}

struct Item {
    id: u32,
    items: Rc<RefCell<Items>>,
    /// Reached the inner sink.
    arrived: bool,
}

impl Item {
    fn new(items: &Rc<RefCell<Items>>) -> Item {
        let mut it = items.borrow_mut();
        it.next += 1;
        Item {
            id: it.next,
            items: Rc::clone(items),
            arrived: false,
        }
    }

    /// The inner sink takes it.
    fn arrive(mut self) -> u32 {
        self.arrived = true;
        self.id
    }
}

impl Drop for Item {
    fn drop(&mut self) {
        if self.arrived {
            return;
        }
        let mut it = self.items.borrow_mut();
        if it.may_drop == Some(self.id) {
            it.dropped.push(self.id);
        } else {
            it.lost.push(self.id);
        }
    }
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Item({})", self.id)
    }
}

/// Drops `value`, which owns item `id`, allowing that one item to go with it.
fn drop_owning<T>(items: &Rc<RefCell<Items>>, id: u32, value: T) {
    items.borrow_mut().may_drop = Some(id);
    drop(value);
    items.borrow_mut().may_drop = None;
}

// ----- the inner sinks' shared state --------------------------------------------------------

#[derive(Default)]
struct InnerState {
    cap: usize,
    held: VecDeque<u32>,
    delivered: Vec<u32>,
    flush_blocked: bool,
    close_blocked: bool,
    close_started: bool,
    closed: bool,
    /// Broken rules, reported by the harness after each step.
    violations: Vec<String>,
    task01: Option<futures01::task::Task>,
    waker: Option<Waker>,
}

impl InnerState {
    fn new(cap: u8) -> Self {
        Self {
            cap: usize::from(cap % 4),
            ..Self::default()
        }
    }

    fn accept(&mut self, item: Item) {
        let id = item.arrive();
        if self.close_started {
            self.violations.push(format!(
                "item {id} reached the inner sink after its close began"
            ));
        }
        self.held.push_back(id);
    }

    fn full(&self) -> bool {
        self.held.len() >= self.cap
    }

    fn deliver_all(&mut self) {
        self.delivered.extend(self.held.drain(..));
    }

    /// Applies a change; true if a task or waker was waiting and was woken.
    fn change(&mut self, change: Inner) -> bool {
        match change {
            Inner::SetCap(n) => self.cap = usize::from(n % 4),
            Inner::Drain(n) => {
                for _ in 0..n % 4 {
                    if let Some(id) = self.held.pop_front() {
                        self.delivered.push(id);
                    }
                }
            }
            Inner::FlushReady(ready) => self.flush_blocked = !ready,
            Inner::CloseReady(ready) => self.close_blocked = !ready,
        }
        let mut woke = false;
        if let Some(task) = self.task01.take() {
            task.notify();
            woke = true;
        }
        if let Some(waker) = self.waker.take() {
            waker.wake();
            woke = true;
        }
        woke
    }

    /// Everything unblocked, for the end of a run.
    fn open_all(&mut self) {
        self.cap = usize::MAX;
        self.flush_blocked = false;
        self.close_blocked = false;
    }
}

// ----- wake counters ------------------------------------------------------------------------

#[derive(Default)]
struct Count(AtomicUsize);

impl Count {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Notify for Count {
    fn notify(&self, _id: usize) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

// ----- 0.3 code over a 0.1 sink -------------------------------------------------------------

struct Sink01Side {
    state: Rc<RefCell<InnerState>>,
}

impl Sink01 for Sink01Side {
    type SinkItem = Item;
    type SinkError = String;

    fn start_send(&mut self, item: Item) -> futures01::StartSend<Item, String> {
        let mut st = self.state.borrow_mut();
        if st.full() {
            st.task01 = Some(futures01::task::current());
            return Ok(AsyncSink::NotReady(item));
        }
        st.accept(item);
        Ok(AsyncSink::Ready)
    }

    fn poll_complete(&mut self) -> futures01::Poll<(), String> {
        let mut st = self.state.borrow_mut();
        if st.flush_blocked {
            st.task01 = Some(futures01::task::current());
            return Ok(Async::NotReady);
        }
        st.deliver_all();
        Ok(Async::Ready(()))
    }

    fn close(&mut self) -> futures01::Poll<(), String> {
        let mut st = self.state.borrow_mut();
        st.close_started = true;
        if st.flush_blocked || st.close_blocked {
            st.task01 = Some(futures01::task::current());
            return Ok(Async::NotReady);
        }
        st.deliver_all();
        st.closed = true;
        Ok(Async::Ready(()))
    }
}

struct Run03 {
    sink: Compat01As03Sink<Sink01Side, Item>,
    state: Rc<RefCell<InnerState>>,
    items: Rc<RefCell<Items>>,
    wakes: Arc<Count>,
    waker: Waker,
    /// `poll_ready` said `Ready` and no item was sent since.
    ready: bool,
    /// The last poll returned `Pending`: a wake is owed when the inner sink notifies.
    waiting: bool,
    close_started: bool,
    accepted: Vec<u32>,
    history: Vec<String>,
}

impl Run03 {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "Compat01As03Sink: {what}\naccepted: {:?}\ndelivered: {:?} held: {:?}\n\
             operations:\n  {}",
            self.accepted,
            self.state.borrow().delivered,
            self.state.borrow().held,
            self.history.join("\n  ")
        );
    }

    /// A `Pending` must leave a 0.1 task with the inner sink, or nobody wakes us.
    fn pending(&mut self, what: &str) {
        self.waiting = true;
        if self.state.borrow().task01.is_none() {
            self.fail(&format!(
                "{what} returned Pending with no 0.1 task left to notify"
            ));
        }
    }

    fn flushed(&self, what: &str) {
        if self.state.borrow().delivered != self.accepted {
            self.fail(&format!(
                "{what} returned Ready before every accepted item arrived"
            ));
        }
    }

    fn apply(&mut self, op: Op03) {
        self.history.push(format!("{op:?}"));
        if !matches!(op, Op03::Inner(_)) {
            // Set again below if this call returns `Pending`.
            self.waiting = false;
        }
        let waker = self.waker.clone();
        let mut cx = Context::from_waker(&waker);
        match op {
            Op03::PollReady => {
                if self.close_started {
                    return;
                }
                match Pin::new(&mut self.sink).poll_ready(&mut cx) {
                    Poll::Ready(Ok(())) => self.ready = true,
                    Poll::Ready(Err(e)) => self.fail(&format!("poll_ready failed: {e}")),
                    Poll::Pending => {
                        if !self.state.borrow().full() {
                            self.fail("poll_ready Pending while the 0.1 sink has room");
                        }
                        self.pending("poll_ready");
                    }
                }
            }
            Op03::StartSend => {
                if !self.ready || self.close_started {
                    return;
                }
                self.ready = false;
                let item = Item::new(&self.items);
                let id = item.id;
                match Pin::new(&mut self.sink).start_send(item) {
                    Ok(()) => self.accepted.push(id),
                    Err(e) => self.fail(&format!("start_send failed: {e}")),
                }
            }
            Op03::PollFlush => {
                if self.close_started {
                    return;
                }
                match Pin::new(&mut self.sink).poll_flush(&mut cx) {
                    Poll::Ready(Ok(())) => self.flushed("poll_flush"),
                    Poll::Ready(Err(e)) => self.fail(&format!("poll_flush failed: {e}")),
                    Poll::Pending => self.pending("poll_flush"),
                }
            }
            Op03::PollClose => {
                self.close_started = true;
                self.ready = false;
                match Pin::new(&mut self.sink).poll_close(&mut cx) {
                    Poll::Ready(Ok(())) => {
                        self.flushed("poll_close");
                        if !self.state.borrow().closed {
                            self.fail("poll_close returned Ready without closing the 0.1 sink");
                        }
                    }
                    Poll::Ready(Err(e)) => self.fail(&format!("poll_close failed: {e}")),
                    Poll::Pending => self.pending("poll_close"),
                }
            }
            Op03::Send { polls, flush } => {
                if self.close_started {
                    return;
                }
                self.ready = false;
                let item = Item::new(&self.items);
                let id = item.id;
                let n = 1 + polls % 5;
                let done = {
                    let mut fut = if flush {
                        futures::future::Either::Left(self.sink.send(item))
                    } else {
                        futures::future::Either::Right(self.sink.feed(item))
                    };
                    let mut result = None;
                    for _ in 0..n {
                        if let Poll::Ready(r) = Pin::new(&mut fut).poll(&mut cx) {
                            result = Some(r);
                            break;
                        }
                    }
                    if result.is_none() {
                        drop_owning(&self.items, id, fut);
                    }
                    result
                };
                let dropped = self.items.borrow().dropped.contains(&id);
                if !dropped {
                    self.accepted.push(id);
                }
                match done {
                    Some(Ok(())) if flush => self.flushed("send"),
                    Some(Ok(())) => {}
                    Some(Err(e)) => self.fail(&format!("send failed: {e}")),
                    None => {
                        if !dropped {
                            // Accepted but not finished: the bridge waits on the 0.1 sink.
                            self.pending("a dropped send");
                        }
                    }
                }
            }
            Op03::Inner(change) => {
                let before = self.wakes.get();
                let woke = self.state.borrow_mut().change(change);
                // Owed only after a `Pending`: `start_send` has no `Context`, and the next
                // `poll_ready` re-registers (documented).
                if woke && std::mem::take(&mut self.waiting) && self.wakes.get() == before {
                    self.fail("the 0.1 sink notified its task, and the 0.3 waker was not woken");
                }
            }
        }
        self.check();
    }

    fn check(&self) {
        if let Some(v) = self.state.borrow().violations.first() {
            self.fail(v);
        }
        let lost = self.items.borrow().lost.clone();
        if !lost.is_empty() {
            self.fail(&format!(
                "items {lost:?} were dropped before reaching the 0.1 sink"
            ));
        }
        let st = self.state.borrow();
        let arrived: Vec<u32> = st.delivered.iter().chain(st.held.iter()).copied().collect();
        if !self.accepted.starts_with(&arrived) {
            drop(st);
            self.fail(&format!(
                "the 0.1 sink got {arrived:?}: not a prefix of the accepted items (order, \
                 duplicates, or items never accepted)"
            ));
        }
    }

    fn finish(mut self) {
        self.history.push("end: open everything, poll_close".into());
        self.state.borrow_mut().open_all();
        let waker = self.waker.clone();
        let mut cx = Context::from_waker(&waker);
        match Pin::new(&mut self.sink).poll_close(&mut cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(e)) => self.fail(&format!("final poll_close failed: {e}")),
            Poll::Pending => self.fail("final poll_close Pending with the 0.1 sink wide open"),
        }
        self.close_started = true;
        self.flushed("final poll_close");
        self.check();
        let Run03 { sink, items, .. } = self;
        let (_inner, kept) = sink.into_parts();
        if let Some(item) = kept {
            let id = item.id;
            drop_owning(&items, id, item);
            panic!("Compat01As03Sink: still kept item {id} after a successful close");
        }
    }
}

fn run_to_01(ops: &[Op03], cap: u8) {
    let state = Rc::new(RefCell::new(InnerState::new(cap)));
    let wakes = Arc::new(Count::default());
    let mut run = Run03 {
        sink: Compat01As03Sink::new(Sink01Side {
            state: Rc::clone(&state),
        }),
        state,
        items: Rc::default(),
        waker: Waker::from(Arc::clone(&wakes)),
        wakes,
        ready: false,
        waiting: false,
        close_started: false,
        accepted: Vec::new(),
        history: Vec::new(),
    };
    for op in ops.iter().take(MAX_OPS) {
        run.apply(*op);
    }
    run.finish();
}

// ----- 0.1 code over a 0.3 sink -------------------------------------------------------------

struct Sink03Side {
    state: Rc<RefCell<InnerState>>,
    /// `poll_ready` said `Ready` and no item was sent since.
    granted: bool,
}

impl Sink<Item> for Sink03Side {
    type Error = String;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        let mut st = self.state.borrow_mut();
        if st.full() {
            st.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        drop(st);
        self.granted = true;
        Poll::Ready(Ok(()))
    }

    fn start_send(mut self: Pin<&mut Self>, item: Item) -> Result<(), String> {
        let granted = std::mem::take(&mut self.granted);
        let mut st = self.state.borrow_mut();
        if !granted {
            st.violations.push(format!(
                "start_send({item:?}) without a Ready from poll_ready"
            ));
        }
        st.accept(item);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        let mut st = self.state.borrow_mut();
        if st.flush_blocked {
            st.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        st.deliver_all();
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        let mut st = self.state.borrow_mut();
        st.close_started = true;
        if st.flush_blocked || st.close_blocked {
            st.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        st.deliver_all();
        st.closed = true;
        Poll::Ready(Ok(()))
    }
}

struct Run01 {
    sink: futures01::executor::Spawn<CompatSink<Sink03Side, Item>>,
    state: Rc<RefCell<InnerState>>,
    items: Rc<RefCell<Items>>,
    wakes: Arc<Count>,
    notify: NotifyHandle,
    /// The item the 0.1 sink handed back, offered again by the next `start_send`.
    handed_back: Option<Item>,
    /// The last call returned `NotReady`: a notification is owed when the inner sink wakes.
    waiting: bool,
    close_started: bool,
    accepted: Vec<u32>,
    history: Vec<String>,
}

impl Run01 {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "CompatSink: {what}\naccepted: {:?}\ndelivered: {:?} held: {:?}\noperations:\n  {}",
            self.accepted,
            self.state.borrow().delivered,
            self.state.borrow().held,
            self.history.join("\n  ")
        );
    }

    fn pending(&mut self, what: &str) {
        self.waiting = true;
        if self.state.borrow().waker.is_none() {
            self.fail(&format!(
                "{what} returned NotReady with no waker left with the 0.3 sink"
            ));
        }
    }

    fn flushed(&self, what: &str) {
        if self.state.borrow().delivered != self.accepted {
            self.fail(&format!(
                "{what} returned Ready before every accepted item arrived"
            ));
        }
    }

    fn apply(&mut self, op: Op01) {
        self.history.push(format!("{op:?}"));
        if !matches!(op, Op01::Inner(_)) {
            self.waiting = false;
        }
        match op {
            Op01::StartSend => {
                if self.close_started {
                    return;
                }
                let item = self
                    .handed_back
                    .take()
                    .unwrap_or_else(|| Item::new(&self.items));
                let id = item.id;
                match self.sink.start_send_notify(item, &self.notify, 0) {
                    Ok(AsyncSink::Ready) => self.accepted.push(id),
                    Ok(AsyncSink::NotReady(back)) => {
                        if back.id != id {
                            self.fail(&format!("start_send({id}) handed back item {}", back.id));
                        }
                        if !self.state.borrow().full() {
                            self.fail("start_send NotReady while the 0.3 sink has room");
                        }
                        self.handed_back = Some(back);
                        self.pending("start_send");
                    }
                    Err(e) => self.fail(&format!("start_send failed: {e}")),
                }
            }
            Op01::PollComplete => {
                if self.close_started {
                    return;
                }
                match self.sink.poll_flush_notify(&self.notify, 0) {
                    Ok(Async::Ready(())) => self.flushed("poll_complete"),
                    Ok(Async::NotReady) => self.pending("poll_complete"),
                    Err(e) => self.fail(&format!("poll_complete failed: {e}")),
                }
            }
            Op01::Close => {
                self.close_started = true;
                match self.sink.close_notify(&self.notify, 0) {
                    Ok(Async::Ready(())) => {
                        self.flushed("close");
                        if !self.state.borrow().closed {
                            self.fail("close returned Ready without closing the 0.3 sink");
                        }
                    }
                    Ok(Async::NotReady) => self.pending("close"),
                    Err(e) => self.fail(&format!("close failed: {e}")),
                }
            }
            Op01::Send { polls } => {
                if self.close_started {
                    return;
                }
                let item = self
                    .handed_back
                    .take()
                    .unwrap_or_else(|| Item::new(&self.items));
                let id = item.id;
                let n = 1 + polls % 5;
                let done = {
                    // A 0.1 task of its own: the bridge must notice the task changed.
                    let mut task =
                        futures01::executor::spawn(Sink01::send(self.sink.get_mut(), item));
                    let mut result = None;
                    for _ in 0..n {
                        match task.poll_future_notify(&self.notify, 1) {
                            Ok(Async::Ready(_)) => {
                                result = Some(Ok(()));
                                break;
                            }
                            Ok(Async::NotReady) => {}
                            Err(e) => {
                                result = Some(Err(e));
                                break;
                            }
                        }
                    }
                    if result.is_none() {
                        drop_owning(&self.items, id, task);
                    }
                    result
                };
                let dropped = self.items.borrow().dropped.contains(&id);
                if !dropped {
                    self.accepted.push(id);
                }
                match done {
                    Some(Ok(())) => self.flushed("send"),
                    Some(Err(e)) => self.fail(&format!("send failed: {e}")),
                    None => self.pending("a dropped send"),
                }
            }
            Op01::Inner(change) => {
                let before = self.wakes.get();
                let woke = self.state.borrow_mut().change(change);
                if woke && std::mem::take(&mut self.waiting) && self.wakes.get() == before {
                    self.fail("the 0.3 sink woke its waker, and the 0.1 task was not notified");
                }
            }
        }
        self.check();
    }

    fn check(&self) {
        if let Some(v) = self.state.borrow().violations.first() {
            self.fail(v);
        }
        let lost = self.items.borrow().lost.clone();
        if !lost.is_empty() {
            self.fail(&format!(
                "items {lost:?} were dropped before reaching the 0.3 sink"
            ));
        }
        let st = self.state.borrow();
        let arrived: Vec<u32> = st.delivered.iter().chain(st.held.iter()).copied().collect();
        if arrived != self.accepted {
            drop(st);
            self.fail(&format!(
                "the 0.3 sink got {arrived:?}, not exactly the accepted items in order"
            ));
        }
    }

    fn finish(mut self) {
        self.history.push("end: open everything, close".into());
        self.state.borrow_mut().open_all();
        match self.sink.close_notify(&self.notify, 0) {
            Ok(Async::Ready(())) => {}
            Ok(Async::NotReady) => self.fail("final close NotReady with the 0.3 sink wide open"),
            Err(e) => self.fail(&format!("final close failed: {e}")),
        }
        self.flushed("final close");
        self.check();
        if let Some(item) = self.handed_back.take() {
            // Never accepted: ours to drop.
            drop_owning(&self.items, item.id, item);
        }
    }
}

fn run_to_03(ops: &[Op01], cap: u8) {
    let state = Rc::new(RefCell::new(InnerState::new(cap)));
    let wakes = Arc::new(Count::default());
    let sink = CompatSink::new(Sink03Side {
        state: Rc::clone(&state),
        granted: false,
    });
    let mut run = Run01 {
        sink: futures01::executor::spawn(sink),
        state,
        items: Rc::default(),
        notify: NotifyHandle::from(Arc::clone(&wakes)),
        wakes,
        handed_back: None,
        waiting: false,
        close_started: false,
        accepted: Vec::new(),
        history: Vec::new(),
    };
    for op in ops.iter().take(MAX_OPS) {
        run.apply(*op);
    }
    run.finish();
}

fuzz_target!(|input: Input| {
    run_to_01(&input.to_01, input.cap_01);
    run_to_03(&input.to_03, input.cap_03);
});
