//! futures 0.3 / std -> futures 0.1: modern futures, streams and sinks (including `!Unpin` ones
//! such as `async` blocks) driven by a futures 0.1 executor.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;

use futures_core::{TryFuture, TryStream};
use futures_sink::Sink;
use futures01::{
    Future as Future01, Poll as Poll01, Sink as Sink01, StartSend as StartSend01,
    Stream as Stream01,
};

use super::poll::{poll_std_to_01, poll_stream_std_to_01, ready_std_to_start_send};
use super::task::{TaskCell, no_task_panic};

/// A futures 0.3 [`TryFuture`] or [`TryStream`], or a futures-io reader / writer, usable as
/// its futures 0.1 / tokio-io 0.1 counterpart.
///
/// Made by [`TryFutureCompatExt::compat`], [`TryStreamCompatExt::compat`],
/// [`AsyncReadCompatExt::compat`](super::AsyncReadCompatExt::compat),
/// [`AsyncWriteCompatExt::compat_write`](super::AsyncWriteCompatExt::compat_write) or
/// [`Compat::new`].
///
/// The value is kept inline, as `futures::compat` keeps it, so the 0.1 faces need it to be
/// `Unpin` (a futures 0.1 `poll` takes `&mut self`, and the wrapper may move between polls).
/// A `!Unpin` value (an `async` block) is pinned on the heap once, at conversion, by
/// [`TryFutureCompatExt::compat_boxed`] / [`TryStreamCompatExt::compat_boxed`] (or
/// `Box::pin(value).compat()`): a `Compat<Pin<Box<T>>>`. Converting an `Unpin` value
/// allocates nothing; the waker is made on first poll and reused (see the
/// [module docs](super#waker-bridging)).
///
/// # Panics
///
/// Polling the 0.1 `Future` / `Stream` outside a futures 0.1 task panics with a message that
/// names this type and says how to drive it (the error type is the user's, so there is no
/// error to return). The I/O impls return an `io::Error` instead; see
/// [`Compat`'s I/O impls](super#io-outside-a-futures-01-task).
///
/// # Examples
///
/// ```
/// use futures01::Future;
/// use iocompat::futures01::TryFutureCompatExt;
///
/// let modern = futures::future::ready(Ok::<u32, ()>(6 * 7));
/// assert_eq!(modern.compat().wait(), Ok(42));
/// let not_unpin = async { Ok::<u32, ()>(6 * 7) };
/// assert_eq!(not_unpin.compat_boxed().wait(), Ok(42));
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Compat<T> {
    pub(crate) inner: T,
    pub(crate) task: TaskCell,
}

impl<T> Compat<T> {
    /// Wraps a 0.3 future, stream or futures-io reader / writer, inline (the 0.1 faces need it
    /// to be `Unpin`; wrap a `!Unpin` one as `Compat::new(Box::pin(value))`).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    /// use iocompat::futures01::Compat;
    ///
    /// assert_eq!(Compat::new(futures::future::ready(Ok::<u8, ()>(1))).wait(), Ok(1));
    /// assert_eq!(Compat::new(Box::pin(async { Ok::<u8, ()>(2) })).wait(), Ok(2));
    /// ```
    #[inline]
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            task: TaskCell::new(),
        }
    }

    /// The wrapped value.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Compat;
    ///
    /// let c = Compat::new(futures::future::ready(Ok::<u8, ()>(1)));
    /// let _ = c.get_ref();
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped value, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Compat;
    ///
    /// let mut c = Compat::new(futures::io::Cursor::new(vec![1u8]));
    /// c.get_mut().set_position(1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped value, pinned (for a `Compat<Pin<Box<T>>>`, `get_mut().as_mut()` pins the
    /// boxed value itself).
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::{Compat, TryFutureCompatExt};
    ///
    /// let mut c = Compat::new(futures::future::ready(Ok::<u8, ()>(1)));
    /// let _pinned = c.get_pin_mut();
    /// let mut boxed = async { Ok::<u8, ()>(1) }.compat_boxed();
    /// let _pinned = boxed.get_mut().as_mut();
    /// ```
    pub fn get_pin_mut(&mut self) -> Pin<&mut T>
    where
        T: Unpin,
    {
        Pin::new(&mut self.inner)
    }

    /// Unwraps the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::{Compat, TryFutureCompatExt};
    ///
    /// let c = Compat::new(futures::io::Cursor::new(vec![1u8]));
    /// assert_eq!(c.into_inner().into_inner(), [1]);
    /// # futures::executor::block_on(async {
    /// let boxed = async { Ok::<u8, ()>(1) }.compat_boxed();
    /// assert_eq!(boxed.into_inner().await, Ok(1));
    /// # });
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for Compat<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compat")
            .field("inner", self.get_ref())
            .finish_non_exhaustive()
    }
}

impl<Fut: TryFuture + Unpin> Future01 for Compat<Fut> {
    type Item = Fut::Ok;
    type Error = Fut::Error;

    fn poll(&mut self) -> Poll01<Self::Item, Self::Error> {
        let mut inner = Pin::new(&mut self.inner);
        match self.task.poll_probe_first(|cx| inner.as_mut().try_poll(cx)) {
            Some(poll) => poll_std_to_01(poll),
            None => no_task_panic("Compat (as a 0.1 Future)"),
        }
    }
}

impl<St: TryStream + Unpin> Stream01 for Compat<St> {
    type Item = St::Ok;
    type Error = St::Error;

    fn poll(&mut self) -> Poll01<Option<Self::Item>, Self::Error> {
        let mut inner = Pin::new(&mut self.inner);
        match self
            .task
            .poll_probe_first(|cx| inner.as_mut().try_poll_next(cx))
        {
            Some(poll) => poll_stream_std_to_01(poll),
            None => no_task_panic("Compat (as a 0.1 Stream)"),
        }
    }
}

/// A futures 0.3 [`Sink`] usable as a futures 0.1 `Sink` (and `Stream`, if it is a
/// [`TryStream`]).
///
/// Made by [`SinkCompatExt::compat`] or [`CompatSink::new`]. The sink is kept inline and must
/// be `Unpin`, as for `futures::compat` (pin a `!Unpin` one with `Box::pin` first).
///
/// # Sink protocol
///
/// - 0.1 `start_send(item)` asks the 0.3 `poll_ready` first; while it is `Pending` the item is
///   handed straight back in `AsyncSink::NotReady(item)`, so it is never lost or buffered here.
/// - 0.1 `poll_complete` is 0.3 `poll_flush`; 0.1 `close` is 0.3 `poll_close` (which flushes).
///
/// # Panics
///
/// Like [`Compat`], polling outside a futures 0.1 task panics with a message that says how to
/// drive it.
///
/// # Examples
///
/// ```
/// use futures01::{Future, Sink};
/// use iocompat::futures01::SinkCompatExt;
///
/// let (tx, mut rx) = futures::channel::mpsc::channel::<u32>(4);
/// let tx = SinkCompatExt::compat(tx);
/// let _tx = tx.send(5).wait().unwrap();
/// assert_eq!(rx.try_next().unwrap(), Some(5));
/// ```
#[must_use = "sinks do nothing unless polled"]
pub struct CompatSink<T, Item> {
    inner: T,
    task: TaskCell,
    _item: PhantomData<fn(Item)>,
}

impl<T, Item> CompatSink<T, Item> {
    /// Wraps a 0.3 sink, inline.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::CompatSink;
    ///
    /// let (tx, _rx) = futures::channel::mpsc::channel::<u32>(4);
    /// let _sink: CompatSink<_, u32> = CompatSink::new(tx);
    /// ```
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            task: TaskCell::new(),
            _item: PhantomData,
        }
    }

    /// The wrapped sink.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::CompatSink;
    ///
    /// let (tx, _rx) = futures::channel::mpsc::channel::<u32>(4);
    /// let sink: CompatSink<_, u32> = CompatSink::new(tx);
    /// assert!(!sink.get_ref().is_closed());
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped sink, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::CompatSink;
    ///
    /// let (tx, _rx) = futures::channel::mpsc::channel::<u32>(4);
    /// let mut sink: CompatSink<_, u32> = CompatSink::new(tx);
    /// sink.get_mut().close_channel();
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped sink, pinned.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::CompatSink;
    ///
    /// let (tx, _rx) = futures::channel::mpsc::channel::<u32>(4);
    /// let mut sink: CompatSink<_, u32> = CompatSink::new(tx);
    /// let _pinned = sink.get_pin_mut();
    /// ```
    pub fn get_pin_mut(&mut self) -> Pin<&mut T>
    where
        T: Unpin,
    {
        Pin::new(&mut self.inner)
    }

    /// Unwraps the sink.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::CompatSink;
    ///
    /// let (tx, _rx) = futures::channel::mpsc::channel::<u32>(4);
    /// let sink: CompatSink<_, u32> = CompatSink::new(tx);
    /// let _tx = sink.into_inner();
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: fmt::Debug, Item> fmt::Debug for CompatSink<T, Item> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompatSink")
            .field("inner", self.get_ref())
            .finish_non_exhaustive()
    }
}

impl<T: Sink<Item> + Unpin, Item> Sink01 for CompatSink<T, Item> {
    type SinkItem = Item;
    type SinkError = T::Error;

    fn start_send(&mut self, item: Item) -> StartSend01<Item, T::Error> {
        let inner = Pin::new(&mut self.inner);
        let Some(ready) = self.task.poll_with(|cx| inner.poll_ready(cx)) else {
            no_task_panic("CompatSink::start_send")
        };
        ready_std_to_start_send(ready, item, |item| {
            Pin::new(&mut self.inner).start_send(item)
        })
    }

    fn poll_complete(&mut self) -> Poll01<(), T::Error> {
        let inner = Pin::new(&mut self.inner);
        match self.task.poll_with(|cx| inner.poll_flush(cx)) {
            Some(poll) => poll_std_to_01(poll),
            None => no_task_panic("CompatSink::poll_complete"),
        }
    }

    fn close(&mut self) -> Poll01<(), T::Error> {
        let inner = Pin::new(&mut self.inner);
        match self.task.poll_with(|cx| inner.poll_close(cx)) {
            Some(poll) => poll_std_to_01(poll),
            None => no_task_panic("CompatSink::close"),
        }
    }
}

impl<T: TryStream + Unpin, Item> Stream01 for CompatSink<T, Item> {
    type Item = T::Ok;
    type Error = T::Error;

    fn poll(&mut self) -> Poll01<Option<Self::Item>, Self::Error> {
        let inner = Pin::new(&mut self.inner);
        match self.task.poll_with(|cx| inner.try_poll_next(cx)) {
            Some(poll) => poll_stream_std_to_01(poll),
            None => no_task_panic("CompatSink (as a 0.1 Stream)"),
        }
    }
}

/// Converts a futures 0.3 [`TryFuture`] (any `Future<Output = Result<T, E>>`) into a futures
/// 0.1 `Future`: the successor of `futures::TryFutureExt::compat`.
pub trait TryFutureCompatExt: TryFuture {
    /// Wraps `self` in a [`Compat`] implementing futures 0.1 `Future<Item = Self::Ok, Error =
    /// Self::Error>`, inline: nothing is allocated. `self` must be `Unpin`, as for
    /// `futures::compat`; a `!Unpin` future (an `async` block) goes through
    /// [`compat_boxed`](TryFutureCompatExt::compat_boxed).
    ///
    /// If futures 0.3's `TryFutureExt` is also in scope with its `compat` feature on, call this
    /// as `TryFutureCompatExt::compat(fut)` (or turn that feature off).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    /// use iocompat::futures01::TryFutureCompatExt;
    ///
    /// let fut = futures::future::ready(Ok::<usize, ()>(11));
    /// assert_eq!(fut.compat().wait(), Ok(11));
    /// ```
    fn compat(self) -> Compat<Self>
    where
        Self: Sized + Unpin,
    {
        Compat::new(self)
    }

    /// Pins `self` on the heap once and wraps it in a [`Compat`]: for `!Unpin` futures such as
    /// `async` blocks. One allocation, at conversion; polling allocates nothing more. The same
    /// as `Box::pin(self).compat()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Future;
    /// use iocompat::futures01::TryFutureCompatExt;
    ///
    /// let borrowed = String::from("pinned once");
    /// let fut = async move { Ok::<usize, ()>(borrowed.len()) };
    /// assert_eq!(fut.compat_boxed().wait(), Ok(11));
    /// ```
    fn compat_boxed(self) -> Compat<Pin<Box<Self>>>
    where
        Self: Sized,
    {
        Compat::new(Box::pin(self))
    }
}

impl<Fut: TryFuture> TryFutureCompatExt for Fut {}

/// Converts a futures 0.3 [`TryStream`] into a futures 0.1 `Stream`: the successor of
/// `futures::TryStreamExt::compat`.
pub trait TryStreamCompatExt: TryStream {
    /// Wraps `self` in a [`Compat`] implementing futures 0.1 `Stream<Item = Self::Ok, Error =
    /// Self::Error>`, inline (`self` must be `Unpin`; see
    /// [`compat_boxed`](TryStreamCompatExt::compat_boxed) for the others).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Stream;
    /// use iocompat::futures01::TryStreamCompatExt;
    ///
    /// let modern = futures::stream::iter(vec![Ok::<u8, ()>(1), Ok(2)]);
    /// let got: Vec<u8> = modern.compat().wait().map(Result::unwrap).collect();
    /// assert_eq!(got, [1, 2]);
    /// ```
    fn compat(self) -> Compat<Self>
    where
        Self: Sized + Unpin,
    {
        Compat::new(self)
    }

    /// Pins `self` on the heap once and wraps it in a [`Compat`]: for `!Unpin` streams (an
    /// `async` generator such as `futures::stream::unfold` over an `async` block).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::Stream;
    /// use iocompat::futures01::TryStreamCompatExt;
    ///
    /// let modern = futures::stream::unfold(0u8, |n| async move {
    ///     (n < 2).then_some((Ok::<u8, ()>(n), n + 1))
    /// });
    /// let got: Vec<u8> = modern.compat_boxed().wait().map(Result::unwrap).collect();
    /// assert_eq!(got, [0, 1]);
    /// ```
    fn compat_boxed(self) -> Compat<Pin<Box<Self>>>
    where
        Self: Sized,
    {
        Compat::new(Box::pin(self))
    }
}

impl<St: TryStream> TryStreamCompatExt for St {}

/// Converts a futures 0.3 [`Sink`] into a futures 0.1 `Sink`: the successor of
/// `futures::SinkExt::compat`.
pub trait SinkCompatExt<Item>: Sink<Item> {
    /// Wraps `self` in a [`CompatSink`] (inline; `self` must be `Unpin`, as for
    /// `futures::compat`); see its docs for the protocol.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures01::{Future, Sink};
    /// use iocompat::futures01::SinkCompatExt;
    ///
    /// let (tx, mut rx) = futures::channel::mpsc::channel::<u32>(4);
    /// let _tx = SinkCompatExt::compat(tx).send(1).wait().unwrap();
    /// assert_eq!(rx.try_next().unwrap(), Some(1));
    /// ```
    fn compat(self) -> CompatSink<Self, Item>
    where
        Self: Sized + Unpin,
    {
        CompatSink::new(self)
    }
}

impl<T: Sink<Item>, Item> SinkCompatExt<Item> for T {}
