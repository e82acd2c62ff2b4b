//! [`Unblock`] and [`UnblockExt`].

use std::fmt;
use std::future::poll_fn;

use super::builder::UnblockBuilder;
use super::core::Core;
use super::into_inner_error::IntoInnerError;

/// Runs a blocking reader, writer, seeker or iterator on a blocking pool, so async code can use
/// it without blocking the executor.
///
/// `Unblock<T>` implements, depending on what `T` implements:
///
/// | `T` implements | `Unblock<T>` implements |
/// |---|---|
/// | [`std::io::Read`] | tokio `AsyncRead` + `AsyncBufRead`, futures-io `AsyncRead` + `AsyncBufRead` |
/// | [`std::io::Write`] | tokio `AsyncWrite`, futures-io `AsyncWrite` (vectored writes gathered into one chunk) |
/// | [`std::io::Seek`] | tokio `AsyncSeek`, futures-io `AsyncSeek` |
/// | [`Iterator`] (items `Send + 'static`) | [`futures_core::Stream`] |
///
/// See the [module docs](crate::unblock) for how reading ahead, writing behind and seeking
/// work, where the blocking work runs, and what every error means.
///
/// # Examples
///
/// ```no_run
/// use tokio::io::AsyncBufReadExt;
///
/// # #[cfg(all(feature = "tokio", feature = "futures-io"))]
/// # #[tokio::main] async fn main() -> std::io::Result<()> {
/// let file = std::fs::File::open("access.log")?;
/// let mut lines = iocompat::Unblock::new(file).lines();
/// while let Some(line) = lines.next_line().await? {
///     println!("{line}");
/// }
/// # Ok(()) }
/// # #[cfg(not(all(feature = "tokio", feature = "futures-io")))] fn main() {}
/// ```
pub struct Unblock<T: Send + 'static> {
    pub(crate) core: Core<T>,
}

// `T` is never pinned through `Unblock`: it lives behind an `Arc` or is moved to and from the
// pool by value. So `Unblock<T>` can be moved freely whatever `T` is.
impl<T: Send + 'static> Unpin for Unblock<T> {}

impl<T: Send + 'static> Unblock<T> {
    /// Wraps `inner` with the default capacity ([`DEFAULT_CAPACITY`](crate::unblock::DEFAULT_CAPACITY)
    /// of read-ahead and as much write-behind at most, reached only by long sequential
    /// transfers; the default is not part of the semver contract).
    ///
    /// Nothing is allocated and no thread is used until the first operation, and read-ahead
    /// starts with chunks of [`FIRST_CHUNK`](crate::unblock::FIRST_CHUNK) bytes that widen only
    /// while the consumer keeps reading.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
    /// # futures::executor::block_on(async {
    /// use futures::io::AsyncReadExt;
    ///
    /// let mut reader = iocompat::Unblock::new(std::io::Cursor::new(b"legacy bytes".to_vec()));
    /// let mut out = Vec::new();
    /// reader.read_to_end(&mut out).await?;
    /// assert_eq!(out, b"legacy bytes");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// # }
    /// ```
    pub fn new(inner: T) -> Self {
        UnblockBuilder::new().build(inner)
    }

    /// Wraps `inner`, holding at most `capacity` bytes of read-ahead and at most `capacity`
    /// bytes of write-behind.
    ///
    /// Buffers are four chunks per direction of up to `capacity / 4` bytes each (write chunks
    /// stop at [`MAX_WRITE_CHUNK`](crate::unblock::MAX_WRITE_CHUNK)). A capacity below 4 is
    /// raised to 4 (chunks of one byte: correct, but slow); `with_capacity(0)`
    /// therefore works and never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
    /// # futures::executor::block_on(async {
    /// use futures::io::AsyncReadExt;
    ///
    /// let mut reader = iocompat::Unblock::with_capacity(64 * 1024, &b"small"[..]);
    /// let mut out = String::new();
    /// reader.read_to_string(&mut out).await?;
    /// assert_eq!(out, "small");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// # }
    /// ```
    pub fn with_capacity(capacity: usize, inner: T) -> Self {
        UnblockBuilder::new().capacity(capacity).build(inner)
    }

    /// The capacity in bytes, after raising it to the minimum of 4.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(iocompat::Unblock::with_capacity(0, std::io::empty()).capacity(), 4);
    /// ```
    pub fn capacity(&self) -> usize {
        self.core.capacity()
    }

    /// Waits for the operation in flight, writes out buffered data, and returns the wrapped
    /// value.
    ///
    /// This is `async` because the value may be out on the blocking pool: it comes back only
    /// when the pool has finished with it. Before it is returned, buffered writes are written
    /// and, when the value can seek (a `std::fs::File`, or one built with
    /// [`UnblockBuilder::build_seekable`] or seeked through the adapter), unread read-ahead is
    /// given back so the value's cursor is at the position the consumer has reached.
    ///
    /// An error met on the way is not dropped: it is reported by the next operation on the
    /// adapter (or by [`into_inner`](Self::into_inner)).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
    /// # futures::executor::block_on(async {
    /// use futures::io::AsyncWriteExt;
    ///
    /// let mut writer = iocompat::Unblock::new(Vec::<u8>::new());
    /// writer.write_all(b"abc").await?;
    /// assert_eq!(writer.get_mut().await.as_slice(), b"abc");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// # }
    /// ```
    pub async fn get_mut(&mut self) -> &mut T {
        poll_fn(|cx| self.core.poll_value_home(cx)).await;
        self.core
            .home_mut()
            .expect("iocompat::Unblock::get_mut: the wrapped value is back once the pool is idle")
    }

    /// Runs `op` on the blocking pool with the wrapped value, after the operations already
    /// queued, and returns its result.
    ///
    /// This is `async` for the same reason as [`get_mut`](Self::get_mut), and because `op` may
    /// itself block.
    ///
    /// # Panics
    ///
    /// If `op` panics, the panic is resumed here. If the blocking pool drops the job without
    /// running it (its tokio runtime is shutting down), this panics with a message saying so,
    /// since there is no `R` to return.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let mut file = iocompat::Unblock::new(tempfile::tempfile()?);
    /// let len = file.with_mut(|f| f.metadata().map(|m| m.len())).await?;
    /// assert_eq!(len, 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn with_mut<R, F>(&mut self, op: F) -> R
    where
        F: FnOnce(&mut T) -> R + Send + 'static,
        R: Send + 'static,
    {
        let mut op =
            Some(
                Box::new(move |value: &mut T| Box::new(op(value)) as Box<dyn std::any::Any + Send>)
                    as super::shared::RunFn<T>,
            );
        let result = poll_fn(|cx| self.core.poll_run(cx, &mut op)).await;
        match result {
            Ok(Ok(value)) => match value.downcast::<R>() {
                Ok(value) => *value,
                Err(_) => unreachable!("with_mut's closure returns R"),
            },
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => panic!("iocompat::Unblock::with_mut: the closure could not run: {e}"),
        }
    }

    /// Waits for the operation in flight, writes out buffered data, and returns the wrapped
    /// value.
    ///
    /// # Errors
    ///
    /// Unlike `blocking::Unblock::into_inner`, nothing is dropped silently: if a write failed
    /// (now or earlier, unreported), if buffered data could not be written, or if read-ahead
    /// could not be given back to a value that cannot seek (a pipe or socket), this returns an
    /// [`IntoInnerError`] that holds the error and the adapter itself, with all its data. Use
    /// [`into_parts`](Self::into_parts) to take unread read-ahead along with the value.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
    /// # futures::executor::block_on(async {
    /// use futures::io::AsyncWriteExt;
    ///
    /// let mut writer = iocompat::Unblock::new(Vec::<u8>::new());
    /// writer.write_all(b"abc").await?;
    /// let bytes = writer.into_inner().await?;
    /// assert_eq!(bytes, b"abc");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// # }
    /// ```
    pub async fn into_inner(self) -> Result<T, IntoInnerError<T>> {
        self.finish(false).await.map(|(inner, _)| inner)
    }

    /// Like [`into_inner`](Self::into_inner), but also returns the bytes that were read ahead
    /// and not yet consumed (empty when the value could seek back).
    ///
    /// # Errors
    ///
    /// As for [`into_inner`](Self::into_inner), except that unread read-ahead is returned
    /// instead of being an error.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
    /// # futures::executor::block_on(async {
    /// use futures::io::AsyncBufReadExt;
    ///
    /// let mut reader = iocompat::Unblock::new(&b"hello world"[..]);
    /// let first = reader.fill_buf().await?.len();
    /// assert!(first > 0);
    /// let (_inner, unread) = reader.into_parts().await?;
    /// assert_eq!(unread, b"hello world");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// # }
    /// ```
    pub async fn into_parts(self) -> Result<(T, Vec<u8>), IntoInnerError<T>> {
        self.finish(true).await
    }

    async fn finish(mut self, take_unread: bool) -> Result<(T, Vec<u8>), IntoInnerError<T>> {
        poll_fn(|cx| self.core.poll_value_home(cx)).await;
        match self.core.take_leftovers(take_unread) {
            Ok(rest) => {
                let inner = self
                    .core
                    .take_home()
                    .expect("iocompat::Unblock::into_inner: the wrapped value is back once the pool is idle");
                Ok((inner, rest))
            }
            Err(error) => Err(IntoInnerError::new(error, self)),
        }
    }
}

impl Unblock<()> {
    /// A builder for the other knobs: capacity, the pool, seeking support, stream batches.
    ///
    /// Defined on `Unblock<()>` only so that `Unblock::builder()` needs no type annotation;
    /// the builder's `build` methods wrap any type.
    ///
    /// # Examples
    ///
    /// ```
    /// let reader = iocompat::Unblock::builder()
    ///     .capacity(256 * 1024)
    ///     .build(std::io::empty());
    /// # drop(reader);
    /// ```
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn builder() -> UnblockBuilder {
        UnblockBuilder::new()
    }
}

impl<T: Send + 'static> fmt::Debug for Unblock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt(f)
    }
}

/// `value.unblock()`: wraps any blocking reader, writer, seeker or iterator in an [`Unblock`].
///
/// Implemented for every `Send + 'static` type, because "implements `Read` or `Write` or
/// `Iterator`" cannot be written as one bound in Rust (two blanket impls would overlap for
/// `File`, which is both). The resulting [`Unblock`] implements only the async traits that
/// match what the value implements.
///
/// # Examples
///
/// ```
/// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
/// # futures::executor::block_on(async {
/// use futures::io::AsyncReadExt;
/// use iocompat::UnblockExt;
///
/// let mut r = std::io::Cursor::new(b"abc".to_vec()).unblock();
/// let mut s = String::new();
/// r.read_to_string(&mut s).await?;
/// assert_eq!(s, "abc");
/// # std::io::Result::Ok(()) }).unwrap();
/// # }
/// ```
pub trait UnblockExt: Sized + Send + 'static {
    /// Wraps `self` with the default capacity: [`Unblock::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::UnblockExt;
    /// let stdin = std::io::stdin().unblock();
    /// # drop(stdin);
    /// ```
    fn unblock(self) -> Unblock<Self> {
        Unblock::new(self)
    }

    /// Wraps `self` with the given capacity: [`Unblock::with_capacity`].
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::UnblockExt;
    /// let sink = std::io::sink().unblock_with_capacity(64 * 1024);
    /// assert_eq!(sink.capacity(), 64 * 1024);
    /// ```
    fn unblock_with_capacity(self, capacity: usize) -> Unblock<Self> {
        Unblock::with_capacity(capacity, self)
    }
}

impl<T: Send + 'static> UnblockExt for T {}
