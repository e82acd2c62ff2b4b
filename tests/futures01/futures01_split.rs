//! A wrapper used by two tasks at once (the two halves of a split duplex value, or of a
//! Stream + Sink) wakes each task for its own half: a reader waiting on one half is not lost
//! when a writer polls the other. `futures::compat` is the control.
#![cfg(feature = "futures01")]

use std::io::{Read, Write};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use futures01::executor::{Notify, NotifyHandle};
use futures01::task::Task;
use futures01::{Async, Sink as Sink01, Stream as Stream01};
use iocompat::futures01::{Sink01CompatExt, Tokio01As1, Tokio1As01};

struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
impl Notify for Count {
    fn notify(&self, _: usize) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
fn count() -> Arc<Count> {
    Arc::new(Count(AtomicUsize::new(0)))
}
fn n(c: &Arc<Count>) -> usize {
    c.0.load(Ordering::SeqCst)
}

/// A 0.1 duplex: reads wait for `incoming`, writes wait for room; one Task stored per direction,
/// exactly like a tokio 0.1 `PollEvented` does.
#[derive(Default)]
struct St {
    incoming: Vec<u8>,
    room: usize,
    read_task: Option<Task>,
    write_task: Option<Task>,
}
#[derive(Clone, Default)]
struct Duplex01(Arc<Mutex<St>>);
impl Read for Duplex01 {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut s = self.0.lock().unwrap();
        if s.incoming.is_empty() {
            s.read_task = Some(futures01::task::current());
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        let k = buf.len().min(s.incoming.len());
        buf[..k].copy_from_slice(&s.incoming[..k]);
        s.incoming.drain(..k);
        Ok(k)
    }
}
impl Write for Duplex01 {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut s = self.0.lock().unwrap();
        if s.room == 0 {
            s.write_task = Some(futures01::task::current());
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        let k = buf.len().min(s.room);
        s.room -= k;
        Ok(k)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl tokio_io01::AsyncRead for Duplex01 {}
impl tokio_io01::AsyncWrite for Duplex01 {
    fn shutdown(&mut self) -> futures01::Poll<(), std::io::Error> {
        Ok(Async::Ready(()))
    }
}

/// 0.1 -> 0.3: the read half and the write half of one `Compat01As03` polled by two 0.3 tasks
/// (what `tokio::io::split` does). Data arriving must wake the reader.
#[test]
fn compat01as03_split_halves_reader_is_woken() {
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    let dev = Duplex01::default();
    let mut io = Tokio01As1::new(dev.clone());
    let (r, w) = (count(), count());
    let (rw, ww) = (Waker::from(r.clone()), Waker::from(w.clone()));
    let mut buf = [0u8; 4];
    let mut rb = ReadBuf::new(&mut buf);
    // reader task: nothing yet
    assert!(
        Pin::new(&mut io)
            .poll_read(&mut Context::from_waker(&rw), &mut rb)
            .is_pending()
    );
    // writer task: no room
    assert!(
        Pin::new(&mut io)
            .poll_write(&mut Context::from_waker(&ww), b"x")
            .is_pending()
    );
    // data arrives for the reader
    let t = {
        let mut s = dev.0.lock().unwrap();
        s.incoming.push(1);
        s.read_task.take().unwrap()
    };
    t.notify();
    assert_eq!(n(&r), 1, "reader never woken (writer got {} wakes)", n(&w));
}

/// The same with `Compat01As03Sink` split into its stream and sink halves.
struct Both {
    rx: futures01::sync::mpsc::Receiver<u32>,
    tx: futures01::sync::mpsc::Sender<u32>,
}
impl Stream01 for Both {
    type Item = u32;
    type Error = ();
    fn poll(&mut self) -> futures01::Poll<Option<u32>, ()> {
        self.rx.poll()
    }
}
impl Sink01 for Both {
    type SinkItem = u32;
    type SinkError = ();
    fn start_send(&mut self, i: u32) -> futures01::StartSend<u32, ()> {
        self.tx.start_send(i).map_err(drop)
    }
    fn poll_complete(&mut self) -> futures01::Poll<(), ()> {
        self.tx.poll_complete().map_err(drop)
    }
    fn close(&mut self) -> futures01::Poll<(), ()> {
        self.tx.close().map_err(drop)
    }
}

#[test]
fn compat01as03sink_stream_and_sink_halves_reader_is_woken() {
    use futures::{Sink, Stream};
    let (mut in_tx, in_rx) = futures01::sync::mpsc::channel::<u32>(1);
    let (out_tx, _out_rx) = futures01::sync::mpsc::channel::<u32>(0);
    let mut both = Both {
        rx: in_rx,
        tx: out_tx,
    }
    .sink_compat();
    let (r, w) = (count(), count());
    let (rw, ww) = (Waker::from(r.clone()), Waker::from(w.clone()));
    // reader task waits for an item
    assert!(
        Pin::new(&mut both)
            .poll_next(&mut Context::from_waker(&rw))
            .is_pending()
    );
    // writer task fills the outgoing channel until it is refused
    let mut cx = Context::from_waker(&ww);
    for i in 0.. {
        match Pin::new(&mut both).poll_ready(&mut cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut both).start_send(i).unwrap(),
            Poll::Pending => break,
            Poll::Ready(Err(())) => unreachable!(),
        }
    }
    // an item arrives for the reader
    in_tx.try_send(7).unwrap();
    assert_eq!(n(&r), 1, "reader never woken (writer got {} wakes)", n(&w));
}

/// 0.3 -> 0.1: tokio-io 0.1 `split()` of a `Tokio1As01`, halves in two 0.1 tasks.
#[test]
fn tokio1as01_split_halves_reader_is_woken() {
    let (a, mut b) = tokio::io::duplex(8);
    let mut io = Tokio1As01::new(a);
    let (r, w) = (count(), count());
    let (rh, wh) = (NotifyHandle::from(r.clone()), NotifyHandle::from(w.clone()));
    let mut task_r = futures01::executor::spawn(());
    let mut task_w = futures01::executor::spawn(());
    let mut buf = [0u8; 4];
    let e = task_r
        .poll_fn_notify(&rh, 0, |_| io.read(&mut buf))
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    assert_eq!(
        task_w
            .poll_fn_notify(&wh, 0, |_| io.write(&[0; 16]))
            .unwrap(),
        8
    );
    let e = task_w
        .poll_fn_notify(&wh, 0, |_| io.write(&[0; 16]))
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    // the peer sends a byte: the reader's 0.1 task must be notified
    let _ = futures::executor::block_on(tokio::io::AsyncWriteExt::write_all(&mut b, b"z"));
    assert_eq!(
        n(&r),
        1,
        "reader task never notified (writer got {} notifies)",
        n(&w)
    );
}

/// Control: futures 0.3's own `futures::compat::Compat01As03` passes the same scenario.
#[test]
fn control_futures_compat_split_halves_reader_is_woken() {
    use futures::io::{AsyncRead, AsyncWrite};
    let dev = Duplex01::default();
    let mut io = futures::compat::Compat01As03::new(dev.clone());
    let (r, w) = (count(), count());
    let (rw, ww) = (Waker::from(r.clone()), Waker::from(w.clone()));
    let mut buf = [0u8; 4];
    assert!(
        Pin::new(&mut io)
            .poll_read(&mut Context::from_waker(&rw), &mut buf)
            .is_pending()
    );
    assert!(
        Pin::new(&mut io)
            .poll_write(&mut Context::from_waker(&ww), b"x")
            .is_pending()
    );
    let t = {
        let mut s = dev.0.lock().unwrap();
        s.incoming.push(1);
        s.read_task.take().unwrap()
    };
    t.notify();
    assert_eq!(n(&r), 1);
}
