//! futures 0.1 -> futures 0.3 / std: 0.1 `Future`, `Stream` and `Sink` values driven by a 0.3
//! executor (tokio 1, `futures::executor`, anything that gives a [`Context`]).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_sink::Sink;
use futures01::{Future as Future01, Sink as Sink01, Stream as Stream01};

use super::poll::{poll_01_to_std, poll_stream_01_to_std, start_send_01_to_std};
use super::task::NotifyCell;

/// A futures 0.1 `Future`, `Stream`, or tokio-io 0.1 `AsyncRead` / `AsyncWrite`, usable as a
/// [`std::future::Future`], a [`futures_core::Stream`], and a tokio 1 / futures-io reader or
/// writer.
///
/// Made by [`Future01CompatExt::compat`], [`Stream01CompatExt::compat`],
/// [`AsyncRead01CompatExt::compat`](super::AsyncRead01CompatExt::compat),
/// [`AsyncWrite01CompatExt::compat`](super::AsyncWrite01CompatExt::compat) or
/// [`Compat01As03::new`].
///
/// The 0.1 side runs inside a 0.1 task whose notifications wake the 0.3 task. One notify handle
/// is allocated per wrapper, the first time the 0.1 code calls `task::current()`, and reused
/// while the wrapper lives: polling allocates nothing in steady state, and
/// `Task::will_notify_current()` answers `true` while the same wrapper is polled, whatever
/// waker polls it.
///
/// # Examples
///
/// ```
/// use iocompat::futures01::Future01CompatExt;
///
/// # futures::executor::block_on(async {
/// let legacy = futures01::future::ok::<u32, ()>(42);
/// assert_eq!(legacy.compat().await, Ok(42));
/// # });
/// ```
pub struct Compat01As03<T> {
    pub(crate) inner: T,
    pub(crate) notify: NotifyCell,
}

// futures 0.1 values never rely on being pinned.
impl<T> Unpin for Compat01As03<T> {}

impl<T> Compat01As03<T> {
    /// Wraps a futures 0.1 `Future`, `Stream`, or tokio-io 0.1 `AsyncRead` / `AsyncWrite`.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Compat01As03;
    ///
    /// # futures::executor::block_on(async {
    /// let fut = Compat01As03::new(futures01::future::ok::<u8, ()>(1));
    /// assert_eq!(fut.await, Ok(1));
    /// # });
    /// ```
    #[inline]
    pub fn new(object: T) -> Self {
        Self {
            inner: object,
            notify: NotifyCell::new(),
        }
    }

    /// The wrapped 0.1 value.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Compat01As03;
    ///
    /// let fut = Compat01As03::new(futures01::future::ok::<u8, ()>(1));
    /// let _: &futures01::future::FutureResult<u8, ()> = fut.get_ref();
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped 0.1 value, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Compat01As03;
    ///
    /// let mut stream = Compat01As03::new(futures01::stream::iter_ok::<_, ()>(vec![1, 2]));
    /// let _ = stream.get_mut();
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the 0.1 value.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Compat01As03;
    ///
    /// let fut = Compat01As03::new(futures01::future::ok::<u8, ()>(1));
    /// let _legacy = fut.into_inner();
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// Runs `f` on the 0.1 value inside a 0.1 task that wakes `cx`.
    #[inline]
    pub(crate) fn in_notify<R>(&mut self, cx: &Context<'_>, f: impl FnOnce(&mut T) -> R) -> R {
        let inner = &mut self.inner;
        self.notify.poll_in(cx, || f(inner))
    }
}

impl<T: fmt::Debug> fmt::Debug for Compat01As03<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compat01As03")
            .field("inner", self.get_ref())
            .finish_non_exhaustive()
    }
}

impl<Fut: Future01> Future for Compat01As03<Fut> {
    type Output = Result<Fut::Item, Fut::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        poll_01_to_std(self.get_mut().in_notify(cx, Future01::poll))
    }
}

impl<St: Stream01> Stream for Compat01As03<St> {
    type Item = Result<St::Item, St::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        poll_stream_01_to_std(self.get_mut().in_notify(cx, Stream01::poll))
    }
}

/// A futures 0.1 `Sink` (and `Stream`, if it is one) usable as a 0.3 [`Sink`] (and
/// [`Stream`]).
///
/// Made by [`Sink01CompatExt::sink_compat`] or [`Compat01As03Sink::new`].
///
/// # Sink protocol
///
/// futures 0.1 has no `poll_ready`: a 0.1 sink says it is full by handing the item back from
/// `start_send`. This wrapper keeps at most one item (the one the 0.1 sink handed back):
///
/// - `start_send` offers the item to the 0.1 sink at once; if the sink hands it back, it is
///   kept here, never dropped.
/// - `poll_ready` offers the kept item again and answers `Pending` while the 0.1 sink refuses
///   it: that is the 0.1 sink's backpressure, reported before the next item is accepted.
/// - `poll_flush` offers the kept item, then drives the 0.1 `poll_complete`.
/// - `poll_close` offers the kept item, then drives the 0.1 `close` (which flushes).
///
/// So dropping a `send` future part-way loses nothing: the item is in the 0.1 sink or kept
/// here, and goes out with the next `poll_ready` / `poll_flush` / `poll_close`. Dropping the
/// wrapper itself with an item kept drops that item; [`Compat01As03Sink::into_parts`] gives it
/// back instead.
///
/// # Panics
///
/// `start_send` panics if it is called while an earlier item is still kept, that is, without
/// `poll_ready` having returned `Ready(Ok(()))` first (a breach of the 0.3 `Sink` contract that
/// would otherwise lose an item).
///
/// # Examples
///
/// ```
/// use futures::{SinkExt, StreamExt};
/// use iocompat::futures01::{Sink01CompatExt, Stream01CompatExt};
///
/// # futures::executor::block_on(async {
/// let (tx, rx) = futures01::sync::mpsc::channel::<u32>(4);
/// let mut tx = tx.sink_compat();
/// tx.send(1).await.unwrap();
/// tx.close().await.unwrap();
/// drop(tx); // the receiver ends once every sender is gone
/// let got: Vec<_> = rx.compat().map(Result::unwrap).collect().await;
/// assert_eq!(got, [1]);
/// # });
/// ```
pub struct Compat01As03Sink<S, SinkItem> {
    inner: S,
    notify: NotifyCell,
    kept: Option<SinkItem>,
}

// futures 0.1 values never rely on being pinned.
impl<S, SinkItem> Unpin for Compat01As03Sink<S, SinkItem> {}

impl<S, SinkItem> Compat01As03Sink<S, SinkItem> {
    /// Wraps a futures 0.1 `Sink`.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Compat01As03Sink;
    ///
    /// let (tx, _rx) = futures01::sync::mpsc::channel::<u32>(1);
    /// let _sink: Compat01As03Sink<_, u32> = Compat01As03Sink::new(tx);
    /// ```
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            notify: NotifyCell::new(),
            kept: None,
        }
    }

    /// The wrapped 0.1 sink.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Sink01CompatExt;
    ///
    /// let (tx, _rx) = futures01::sync::mpsc::channel::<u32>(1);
    /// let sink = tx.sink_compat();
    /// let _: &futures01::sync::mpsc::Sender<u32> = sink.get_ref();
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped 0.1 sink, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Sink01CompatExt;
    ///
    /// let (tx, _rx) = futures01::sync::mpsc::channel::<u32>(1);
    /// let mut sink = tx.sink_compat();
    /// let _ = sink.get_mut();
    /// ```
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the 0.1 sink. An item the 0.1 sink refused and this wrapper still keeps is
    /// dropped: use [`Compat01As03Sink::into_parts`] (or flush first) to keep it.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Sink01CompatExt;
    ///
    /// let (tx, _rx) = futures01::sync::mpsc::channel::<u32>(1);
    /// let _tx = tx.sink_compat().into_inner();
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// Unwraps the 0.1 sink and the item it refused, if this wrapper still keeps one.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Sink01CompatExt;
    ///
    /// let (tx, _rx) = futures01::sync::mpsc::channel::<u32>(1);
    /// let (_tx, kept) = tx.sink_compat().into_parts();
    /// assert_eq!(kept, None);
    /// ```
    pub fn into_parts(self) -> (S, Option<SinkItem>) {
        (self.inner, self.kept)
    }
}

impl<S: Sink01> Compat01As03Sink<S, S::SinkItem> {
    /// Offers the kept item to the 0.1 sink; `Ready(Ok)` once nothing is kept.
    fn poll_offer_kept(&mut self, cx: &Context<'_>) -> Poll<Result<(), S::SinkError>> {
        match self.kept.take() {
            None => Poll::Ready(Ok(())),
            Some(item) => {
                let inner = &mut self.inner;
                let r = self.notify.poll_in(cx, || Sink01::start_send(inner, item));
                start_send_01_to_std(r, &mut self.kept)
            }
        }
    }
}

impl<S: fmt::Debug, SinkItem> fmt::Debug for Compat01As03Sink<S, SinkItem> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compat01As03Sink")
            .field("inner", self.get_ref())
            .field("kept", &self.kept.is_some())
            .finish_non_exhaustive()
    }
}

impl<S: Sink01> Sink<S::SinkItem> for Compat01As03Sink<S, S::SinkItem> {
    type Error = S::SinkError;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.get_mut().poll_offer_kept(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: S::SinkItem) -> Result<(), Self::Error> {
        let this = self.get_mut();
        if this.kept.is_some() {
            kept_item_panic();
        }
        // No `Context` here: the 0.1 sink is offered the item under the wakers already
        // registered; if it hands it back, the next `poll_ready` registers the caller's waker.
        let inner = &mut this.inner;
        let r = this
            .notify
            .poll_keeping_wakers(|| Sink01::start_send(inner, item));
        match start_send_01_to_std(r, &mut this.kept) {
            Poll::Ready(Err(e)) => Err(e),
            Poll::Ready(Ok(())) | Poll::Pending => Ok(()),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        futures_core::ready!(this.poll_offer_kept(cx))?;
        let inner = &mut this.inner;
        poll_01_to_std(this.notify.poll_in(cx, || Sink01::poll_complete(inner)))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        futures_core::ready!(this.poll_offer_kept(cx))?;
        let inner = &mut this.inner;
        poll_01_to_std(this.notify.poll_in(cx, || Sink01::close(inner)))
    }
}

/// `start_send` without a `Ready` from `poll_ready` breaks the 0.3 `Sink` contract. The error
/// type is the user's, so there is no error to return, and overwriting the kept item would lose
/// it silently.
#[track_caller]
fn kept_item_panic() -> ! {
    panic!(
        "iocompat::futures01::Compat01As03Sink::start_send called while the 0.1 sink still \
         refuses the previous item; wait for `poll_ready` to return `Ready(Ok(()))` first"
    )
}

impl<S: Stream01, SinkItem> Stream for Compat01As03Sink<S, SinkItem> {
    type Item = Result<S::Item, S::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let inner = &mut this.inner;
        poll_stream_01_to_std(this.notify.poll_in(cx, || Stream01::poll(inner)))
    }
}

/// Converts a futures 0.1 `Future` into a [`std::future::Future`]: the drop-in successor of
/// `futures::compat::Future01CompatExt`.
pub trait Future01CompatExt: Future01 {
    /// Wraps `self` in a [`Compat01As03`] that implements [`std::future::Future`] with
    /// `Output = Result<Self::Item, Self::Error>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::futures01::Future01CompatExt;
    ///
    /// # futures::executor::block_on(async {
    /// let legacy = futures01::future::err::<(), &str>("no");
    /// assert_eq!(legacy.compat().await, Err("no"));
    /// # });
    /// ```
    fn compat(self) -> Compat01As03<Self>
    where
        Self: Sized,
    {
        Compat01As03::new(self)
    }
}

impl<Fut: Future01> Future01CompatExt for Fut {}

/// Converts a futures 0.1 `Stream` into a [`futures_core::Stream`]: the drop-in successor of
/// `futures::compat::Stream01CompatExt`.
pub trait Stream01CompatExt: Stream01 {
    /// Wraps `self` in a [`Compat01As03`] that implements [`futures_core::Stream`] with
    /// `Item = Result<Self::Item, Self::Error>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use iocompat::futures01::Stream01CompatExt;
    ///
    /// # futures::executor::block_on(async {
    /// let legacy = futures01::stream::iter_ok::<_, ()>(vec![1, 2, 3]);
    /// let got: Vec<_> = legacy.compat().collect().await;
    /// assert_eq!(got, [Ok(1), Ok(2), Ok(3)]);
    /// # });
    /// ```
    fn compat(self) -> Compat01As03<Self>
    where
        Self: Sized,
    {
        Compat01As03::new(self)
    }
}

impl<St: Stream01> Stream01CompatExt for St {}

/// Converts a futures 0.1 `Sink` into a futures 0.3 [`Sink`]: the drop-in successor of
/// `futures::compat::Sink01CompatExt`.
pub trait Sink01CompatExt: Sink01 {
    /// Wraps `self` in a [`Compat01As03Sink`]; see its docs for the protocol.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::SinkExt;
    /// use iocompat::futures01::Sink01CompatExt;
    ///
    /// # futures::executor::block_on(async {
    /// let (tx, _rx) = futures01::sync::mpsc::channel::<u32>(4);
    /// tx.sink_compat().send(7).await.unwrap();
    /// # });
    /// ```
    fn sink_compat(self) -> Compat01As03Sink<Self, Self::SinkItem>
    where
        Self: Sized,
    {
        Compat01As03Sink::new(self)
    }
}

impl<Si: Sink01> Sink01CompatExt for Si {}
