//! The [`Compat`] wrapper itself: construction, accessors, runtime context, and the `Future` /
//! `Stream` faces. The I/O faces live in `futures_face.rs` and `tokio_face.rs`.

use std::future::Future;
use std::io::SeekFrom;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tokio::runtime::Handle;

use super::context;

pin_project! {
    /// Gives a tokio 1 I/O value the futures-io 0.3 traits, a futures-io value the tokio 1
    /// traits, and any future, stream or I/O value a tokio runtime context wherever it is polled.
    ///
    /// | `T` implements | `Compat<T>` implements |
    /// |---|---|
    /// | `tokio::io::AsyncRead` | `futures_io::AsyncRead` |
    /// | `tokio::io::AsyncBufRead` | `futures_io::AsyncBufRead` |
    /// | `tokio::io::AsyncWrite` | `futures_io::AsyncWrite` (vectored writes forwarded) |
    /// | `tokio::io::AsyncSeek` | `futures_io::AsyncSeek` |
    /// | `futures_io::AsyncRead` | `tokio::io::AsyncRead` |
    /// | `futures_io::AsyncBufRead` | `tokio::io::AsyncBufRead` |
    /// | `futures_io::AsyncWrite` | `tokio::io::AsyncWrite` (vectored writes forwarded) |
    /// | `futures_io::AsyncSeek` | `tokio::io::AsyncSeek` |
    /// | `Future` | `Future` |
    /// | `futures_core::Stream` | `futures_core::Stream` |
    ///
    /// # Runtime context
    ///
    /// Every poll (future, stream and each I/O poll) and the drop of the wrapped value run inside
    /// a tokio runtime context, so tokio timers, sockets and `tokio::spawn` work even when the
    /// `Compat` is polled by `futures::executor::block_on`, smol or any other executor. The
    /// runtime entered is, in order:
    ///
    /// 1. the runtime current when the `Compat` was made ([`Compat::new`]) or the one given to
    ///    [`Compat::with_handle`];
    /// 2. else the runtime already current on the polling thread (nothing to enter);
    /// 3. else a fallback runtime: a current-thread tokio runtime with IO and time enabled,
    ///    started lazily on first need and driven for the rest of the process by one thread
    ///    named `iocompat-tokio-fallback`.
    ///
    /// # Mapping rules
    ///
    /// Each rule is held by a test in `tests/compat_*.rs` (the repository's `ARCHITECTURE.md`
    /// names them).
    ///
    /// | rule |
    /// |---|
    /// | `Pending` stays `Pending`; results and errors pass through whole (kind, message, OS code), `Interrupted` included, for the caller to retry as each family expects |
    /// | tokio `ReadBuf`: only its never-initialised part is zeroed, once |
    /// | a futures-io reader claiming more bytes than its buffer: `InvalidData` |
    /// | vectored writes forwarded both ways; tokio-face `is_write_vectored` is `true` |
    /// | futures-io `poll_close` <-> tokio `poll_shutdown` |
    /// | tokio `poll_complete` with no seek started: the real position (`SeekFrom::Current(0)` asked of the value) |
    /// | tokio `start_seek` while a seek is in progress: an error saying to call `poll_complete` |
    /// | futures-io `poll_seek` completes a pending tokio seek first |
    /// | a panic in the value's poll unwinds to the poller unchanged (nothing runs elsewhere) |
    ///
    /// # Examples
    ///
    /// A tokio timer polled by the futures executor:
    ///
    /// ```
    /// use iocompat::Compat;
    /// use std::time::Duration;
    ///
    /// futures::executor::block_on(Compat::new(async {
    ///     tokio::time::sleep(Duration::from_millis(1)).await;
    /// }));
    /// ```
    ///
    /// A tokio reader used through futures-io:
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// use iocompat::TokioAsyncReadCompatExt;
    ///
    /// # futures::executor::block_on(async {
    /// // `&[u8]` is a reader in both families (and futures has a `compat` of its own): name
    /// // the trait to say which conversion is meant.
    /// let mut reader = TokioAsyncReadCompatExt::compat(&b"hello"[..]);
    /// let mut s = String::new();
    /// reader.read_to_string(&mut s).await?;
    /// assert_eq!(s, "hello");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    #[must_use = "futures, streams and I/O values do nothing unless you `.await` or poll them"]
    pub struct Compat<T> {
        // `Some` from construction until `into_inner` or drop; set to `None` in place by drop so
        // the value is dropped while the runtime context is entered.
        #[pin]
        inner: Option<T>,
        handle: Option<Handle>,
        // futures-io face over a tokio seeker: the target passed to the inner `start_seek` whose
        // `poll_complete` has not yet returned `Ready`.
        started_seek: Option<SeekFrom>,
        // tokio face over a futures-io seeker: the target given to our `start_seek`, to be
        // driven by `poll_complete`.
        requested_seek: Option<SeekFrom>,
    }

    impl<T> PinnedDrop for Compat<T> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            if this.inner.is_none() {
                // Unwrapped already: nothing to drop, so no runtime to enter (or start).
                return;
            }
            let _guard = context::enter_for_drop(this.handle.as_ref());
            this.inner.set(None);
        }
    }
}

/// Shows the value and which runtime it enters, not the seek bookkeeping.
impl<T: std::fmt::Debug> std::fmt::Debug for Compat<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compat")
            .field("inner", &self.inner)
            .field("runtime", &self.handle.as_ref().map(Handle::id))
            .finish_non_exhaustive()
    }
}

/// Projection used by the I/O faces: the pinned inner value, and the seek bookkeeping.
#[cfg_attr(not(feature = "futures-io"), allow(dead_code))]
pub(super) struct Parts<'a, T> {
    pub(super) inner: Pin<&'a mut T>,
    pub(super) started_seek: &'a mut Option<SeekFrom>,
    pub(super) requested_seek: &'a mut Option<SeekFrom>,
}

const TAKEN: &str = "iocompat: Compat used after its value was taken (internal invariant broken)";

impl<T> Compat<T> {
    /// Wraps `inner`, remembering the tokio runtime current on this thread, if any, as the one
    /// to enter while polling (see [Runtime context](Compat#runtime-context)).
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::Compat;
    ///
    /// let rt = tokio::runtime::Runtime::new()?;
    /// // Made inside `rt`: `rt`'s timers and sockets are used wherever this is polled.
    /// let fut = rt.block_on(async { Compat::new(tokio::task::yield_now()) });
    /// futures::executor::block_on(fut);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new(inner: T) -> Self {
        Self::with_runtime(inner, Handle::try_current().ok())
    }

    /// Wraps `inner`, entering the runtime behind `handle` whenever it is polled or dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::Compat;
    /// use std::time::Duration;
    ///
    /// let rt = tokio::runtime::Runtime::new()?;
    /// let sleep = Compat::with_handle(
    ///     async { tokio::time::sleep(Duration::from_millis(1)).await },
    ///     rt.handle().clone(),
    /// );
    /// futures::executor::block_on(sleep);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn with_handle(inner: T, handle: Handle) -> Self {
        Self::with_runtime(inner, Some(handle))
    }

    fn with_runtime(inner: T, handle: Option<Handle>) -> Self {
        Self {
            inner: Some(inner),
            handle,
            started_seek: None,
            requested_seek: None,
        }
    }

    /// The wrapped value.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::Compat;
    ///
    /// let compat = Compat::new(std::io::Cursor::new(vec![1u8]));
    /// assert_eq!(compat.get_ref().get_ref(), &[1]);
    /// ```
    pub fn get_ref(&self) -> &T {
        self.inner.as_ref().expect(TAKEN)
    }

    /// The wrapped value, mutably.
    ///
    /// # Caveats
    ///
    /// Reading, writing or seeking the value directly bypasses `Compat`: a seek started with
    /// `start_seek` on it is completed by the next `Compat` seek before that seek starts.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::Compat;
    ///
    /// let mut compat = Compat::new(std::io::Cursor::new(vec![1u8]));
    /// compat.get_mut().get_mut().push(2);
    /// assert_eq!(compat.get_ref().get_ref(), &[1, 2]);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // The caller may seek the value directly: a later `poll_seek` with the same target is
        // a new seek, not the continuation of one started before.
        self.started_seek = None;
        self.inner.as_mut().expect(TAKEN)
    }

    /// The wrapped value, pinned.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::Compat;
    /// use std::pin::pin;
    ///
    /// let mut compat = pin!(Compat::new(async { 1 }));
    /// let _inner = compat.as_mut().get_pin_mut();
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut T> {
        let this = self.project();
        *this.started_seek = None;
        this.inner.as_pin_mut().expect(TAKEN)
    }

    /// Unwraps the value. A seek the futures-io face started on a tokio value and that has not
    /// completed stays started on the value. A tokio-face `start_seek` on a futures-io value
    /// whose `poll_complete` was never polled is only recorded (futures-io cannot start a seek
    /// without a `Context`) and is dropped here: poll `poll_complete` first.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::Compat;
    ///
    /// let compat = Compat::new(std::io::Cursor::new(vec![1u8]));
    /// assert_eq!(compat.into_inner().into_inner(), vec![1]);
    /// ```
    pub fn into_inner(mut self) -> T {
        self.inner.take().expect(TAKEN)
    }

    /// Runs `f` on the pinned parts with the runtime context entered.
    pub(super) fn with_parts<'a, R>(
        self: Pin<&'a mut Self>,
        f: impl FnOnce(Parts<'a, T>) -> R,
    ) -> R {
        let this = self.project();
        let _guard = context::enter(this.handle.as_ref());
        f(Parts {
            inner: this.inner.as_pin_mut().expect(TAKEN),
            started_seek: this.started_seek,
            requested_seek: this.requested_seek,
        })
    }

    /// The seek target recorded by the tokio face's `start_seek` (no polling, no context).
    #[cfg_attr(not(feature = "futures-io"), allow(dead_code))]
    pub(super) fn project_seek(self: Pin<&mut Self>) -> &mut Option<SeekFrom> {
        self.project().requested_seek
    }

    /// Like [`with_parts`](Self::with_parts) for faces that only need the value.
    pub(super) fn with_inner<'a, R>(
        self: Pin<&'a mut Self>,
        f: impl FnOnce(Pin<&'a mut T>) -> R,
    ) -> R {
        self.with_parts(|parts| {
            // Any other operation ends "the same `poll_seek` again is its continuation": a seek
            // started before it has landed by now (tokio values finish a pending seek first).
            *parts.started_seek = None;
            f(parts.inner)
        })
    }
}

impl<T: Future> Future for Compat<T> {
    type Output = T::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T::Output> {
        self.with_inner(|inner| inner.poll(cx))
    }
}

impl<T: futures_core::Stream> futures_core::Stream for Compat<T> {
    type Item = T::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T::Item>> {
        self.with_inner(|inner| inner.poll_next(cx))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.get_ref().size_hint()
    }
}

/// Clones the value, the runtime it enters and the seek bookkeeping (a clone of a value with a
/// seek in flight continues that seek, as the value's own clone does).
///
/// # Examples
///
/// ```
/// use iocompat::Compat;
///
/// let a = Compat::new(std::io::Cursor::new(vec![1u8]));
/// let b = a.clone();
/// assert_eq!(a.get_ref(), b.get_ref());
/// ```
impl<T: Clone> Clone for Compat<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            handle: self.handle.clone(),
            started_seek: self.started_seek,
            requested_seek: self.requested_seek,
        }
    }
}

/// The wrapped value's descriptor (as `tokio_util::compat::Compat` offers).
///
/// # Examples
///
/// ```
/// # #[cfg(unix)] {
/// use std::os::fd::AsRawFd;
///
/// let file = tempfile::tempfile()?;
/// let fd = file.as_raw_fd();
/// assert_eq!(iocompat::Compat::new(file).as_raw_fd(), fd);
/// # }
/// # std::io::Result::Ok(())
/// ```
#[cfg(unix)]
impl<T: std::os::fd::AsRawFd> std::os::fd::AsRawFd for Compat<T> {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.get_ref().as_raw_fd()
    }
}

/// The wrapped value's descriptor, borrowed.
///
/// # Examples
///
/// ```
/// # #[cfg(unix)] {
/// use std::os::fd::{AsFd, AsRawFd};
///
/// let file = tempfile::tempfile()?;
/// let fd = file.as_raw_fd();
/// assert_eq!(iocompat::Compat::new(file).as_fd().as_raw_fd(), fd);
/// # }
/// # std::io::Result::Ok(())
/// ```
#[cfg(unix)]
impl<T: std::os::fd::AsFd> std::os::fd::AsFd for Compat<T> {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.get_ref().as_fd()
    }
}

/// The wrapped value's handle (as `tokio_util::compat::Compat` offers).
#[cfg(windows)]
impl<T: std::os::windows::io::AsRawHandle> std::os::windows::io::AsRawHandle for Compat<T> {
    fn as_raw_handle(&self) -> std::os::windows::io::RawHandle {
        self.get_ref().as_raw_handle()
    }
}
