//! [`Unblock`], its builder, and its error type.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::sync::Arc;

use super::core::{Core, Limits, seek_ops};
use crate::pool::{Spawn, Spawner};

/// Default capacity: 8 MiB per direction, reached only by long sequential transfers (the
/// chunks start at 16 KiB). Not part of the semver contract. Measured on a 2-core machine
/// with 2 MiB of L2 per core: chunks well beyond the L2 size keep the pool thread's writes
/// from invalidating lines the consumer still caches (see `benches/unblock.rs`).
pub(crate) const DEFAULT_CAPACITY: usize = 8 * 1024 * 1024;
/// Default number of iterator items fetched ahead. Not part of the semver contract.
pub(crate) const DEFAULT_STREAM_ITEMS: usize = 1024;

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
    /// Wraps `inner` with the default capacity (8 MiB of read-ahead and 8 MiB of write-behind
    /// at most, reached only by long sequential transfers; the default is not part of the
    /// semver contract).
    ///
    /// Nothing is allocated and no thread is used until the first operation, and read-ahead
    /// starts with 16 KiB chunks that widen only while the consumer keeps reading.
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
    /// stop at 512 KiB). A capacity
    /// below 4 is raised to 4 (chunks of one byte: correct, but slow); `with_capacity(0)`
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
            Err(error) => Err(IntoInnerError {
                error,
                unblock: self,
            }),
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
    pub fn builder() -> UnblockBuilder {
        UnblockBuilder::new()
    }
}

impl<T: Send + 'static> fmt::Debug for Unblock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt(f)
    }
}

/// Builds an [`Unblock`] with non-default settings.
///
/// # Examples
///
/// ```
/// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
/// # futures::executor::block_on(async {
/// use futures::io::{AsyncReadExt, AsyncSeekExt};
/// use std::io::SeekFrom;
///
/// // A Read + Write + Seek value other than a File: say so, and writes after reads land at
/// // the logical position.
/// let mut io = iocompat::Unblock::builder()
///     .capacity(64 * 1024)
///     .build_seekable(std::io::Cursor::new(b"0123456789".to_vec()));
/// let mut two = [0; 2];
/// io.read_exact(&mut two).await?;
/// assert_eq!(io.seek(SeekFrom::Current(0)).await?, 2);
/// # std::io::Result::Ok(()) }).unwrap();
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct UnblockBuilder {
    capacity: usize,
    spawner: Spawner,
    stream_items: usize,
    inline_reads: bool,
}

impl Default for UnblockBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl UnblockBuilder {
    /// Default settings: 8 MiB capacity, the automatic pool, 1024 stream items ahead.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = iocompat::UnblockBuilder::new();
    /// # drop(builder);
    /// ```
    pub fn new() -> Self {
        Self {
            capacity: DEFAULT_CAPACITY,
            spawner: Spawner::Auto,
            stream_items: DEFAULT_STREAM_ITEMS,
            inline_reads: true,
        }
    }

    /// Bytes of read-ahead, and separately of write-behind, held at most (see
    /// [`Unblock::with_capacity`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let r = iocompat::Unblock::builder().capacity(8192).build(std::io::empty());
    /// assert_eq!(r.capacity(), 8192);
    /// ```
    pub fn capacity(mut self, bytes: usize) -> Self {
        self.capacity = bytes;
        self
    }

    /// Runs the blocking work with `spawner` instead of the automatic choice (tokio's blocking
    /// pool when a runtime is current, else the `blocking` crate's pool).
    ///
    /// # Examples
    ///
    /// ```
    /// struct OwnThreads;
    /// impl iocompat::Spawn for OwnThreads {
    ///     fn spawn(&self, job: iocompat::BlockingJob) {
    ///         std::thread::spawn(move || job.run());
    ///     }
    /// }
    /// let r = iocompat::Unblock::builder().spawner(OwnThreads).build(std::io::empty());
    /// # drop(r);
    /// ```
    pub fn spawner(mut self, spawner: impl Spawn) -> Self {
        self.spawner = Spawner::Custom(Arc::new(spawner));
        self
    }

    /// Whether a `std::fs::File` on a regular file may be read from the page cache on the
    /// caller's own thread (Linux; default `true`).
    ///
    /// With it on, a read whose data is already cached is done with
    /// `preadv2(RWF_NOWAIT)`, which copies cached pages and fails at once instead of waiting
    /// for the disk: it never blocks the executor on I/O, and it spares the pool hand-off and
    /// a second copy. A caller buffer of 32 KiB or more is filled directly; smaller reads are
    /// served from a chunk of up to 256 KiB read the same way. Data that is not cached is
    /// read on the pool as usual, with read-ahead. `O_DIRECT` files, pipes, sockets and
    /// terminals are never read inline, and a filesystem without `RWF_NOWAIT` support turns it
    /// off by itself. Turn it off to keep every system call on the pool.
    ///
    /// # Platform-specific behavior
    ///
    /// Linux only (`preadv2` with `RWF_NOWAIT`, Linux 4.14 and later; an older kernel answers
    /// `ENOSYS` and the adapter stops trying). Elsewhere this setting has no effect and every
    /// read runs on the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let file = tempfile::tempfile()?;
    /// let r = iocompat::Unblock::builder().inline_reads(false).build(file);
    /// # drop(r);
    /// # Ok(()) }
    /// ```
    pub fn inline_reads(mut self, enabled: bool) -> Self {
        self.inline_reads = enabled;
        self
    }

    /// For an [`Iterator`]: how many items are fetched ahead at most (minimum 1).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = iocompat::Unblock::builder().stream_items(16).build(0..100);
    /// # drop(s);
    /// ```
    pub fn stream_items(mut self, items: usize) -> Self {
        self.stream_items = items;
        self
    }

    /// Wraps `inner`.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = iocompat::Unblock::builder().build(std::io::empty());
    /// # drop(r);
    /// ```
    pub fn build<T: Send + 'static>(self, inner: T) -> Unblock<T> {
        Unblock {
            core: Core::new(
                inner,
                Limits::new(self.capacity).inline_reads(self.inline_reads),
                self.spawner,
                None,
                self.stream_items,
            ),
        }
    }

    /// Wraps a value that can seek, so that a write after reading lands at the logical
    /// position (unread read-ahead is given back by seeking), exactly as with `std`.
    ///
    /// A `std::fs::File` gets this from [`build`](Self::build) and [`Unblock::new`] already,
    /// and any value gets it once it has been seeked through the adapter. Without it, the
    /// value is treated as a stream whose read and write sides are independent (a socket), and
    /// read-ahead is kept across writes.
    ///
    /// # Examples
    ///
    /// ```
    /// let io = iocompat::Unblock::builder().build_seekable(std::io::Cursor::new(Vec::<u8>::new()));
    /// # drop(io);
    /// ```
    pub fn build_seekable<T: io::Seek + Send + 'static>(self, inner: T) -> Unblock<T> {
        Unblock {
            core: Core::new(
                inner,
                Limits::new(self.capacity).inline_reads(self.inline_reads),
                self.spawner,
                Some(seek_ops::<T>()),
                self.stream_items,
            ),
        }
    }
}

/// The error of [`Unblock::into_inner`] and [`Unblock::into_parts`]: why the value was not
/// returned, and the adapter itself, with its data, so nothing is lost.
///
/// Converts into [`io::Error`] (dropping the adapter) for use with `?`.
///
/// # Examples
///
/// ```
/// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
/// # futures::executor::block_on(async {
/// use futures::io::AsyncWriteExt;
///
/// struct Full;
/// impl std::io::Write for Full {
///     fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
///         Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
///     }
///     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
/// }
///
/// let mut w = iocompat::Unblock::new(Full);
/// w.write_all(b"data").await.unwrap();
/// let Err(err) = w.into_inner().await else { panic!("the write error must come back") };
/// assert_eq!(err.error().kind(), std::io::ErrorKind::StorageFull);
/// # })
/// # }
/// ```
pub struct IntoInnerError<T: Send + 'static> {
    error: io::Error,
    unblock: Unblock<T>,
}

impl<T: Send + 'static> IntoInnerError<T> {
    /// The error that stopped the value from being returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
    /// # futures::executor::block_on(async {
    /// use futures::io::AsyncWriteExt;
    /// # struct Full;
    /// # impl std::io::Write for Full {
    /// #     fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
    /// #         Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
    /// #     }
    /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// let mut w = iocompat::Unblock::new(Full);
    /// w.write_all(b"data").await.unwrap();
    /// let Err(err) = w.into_inner().await else { unreachable!() };
    /// assert_eq!(err.error().to_string(), "disk full");
    /// # })
    /// # }
    /// ```
    pub fn error(&self) -> &io::Error {
        &self.error
    }

    /// The error, dropping the adapter (buffered writes are still tried on drop).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
    /// # futures::executor::block_on(async {
    /// use futures::io::AsyncWriteExt;
    /// # struct Full;
    /// # impl std::io::Write for Full {
    /// #     fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
    /// #         Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
    /// #     }
    /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// let mut w = iocompat::Unblock::new(Full);
    /// w.write_all(b"data").await.unwrap();
    /// let Err(err) = w.into_inner().await else { unreachable!() };
    /// let e: std::io::Error = err.into_error();
    /// assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
    /// # })
    /// # }
    /// ```
    pub fn into_error(self) -> io::Error {
        self.error
    }

    /// The adapter, to retry (`flush`, then `into_inner` again) or inspect. The error has been
    /// taken out of it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
    /// # futures::executor::block_on(async {
    /// use futures::io::AsyncWriteExt;
    /// # struct Full;
    /// # impl std::io::Write for Full {
    /// #     fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
    /// #         Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
    /// #     }
    /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// let mut w = iocompat::Unblock::new(Full);
    /// w.write_all(b"data").await.unwrap();
    /// let Err(err) = w.into_inner().await else { unreachable!() };
    /// let mut w = err.into_unblock();
    /// // The data is still buffered: flushing tries again (and fails again here).
    /// assert!(w.flush().await.is_err());
    /// # })
    /// # }
    /// ```
    pub fn into_unblock(self) -> Unblock<T> {
        self.unblock
    }

    /// Both parts.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
    /// # futures::executor::block_on(async {
    /// use futures::io::AsyncWriteExt;
    /// # struct Full;
    /// # impl std::io::Write for Full {
    /// #     fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
    /// #         Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
    /// #     }
    /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// let mut w = iocompat::Unblock::new(Full);
    /// w.write_all(b"data").await.unwrap();
    /// let Err(err) = w.into_inner().await else { unreachable!() };
    /// let (e, _unblock) = err.into_parts();
    /// assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
    /// # })
    /// # }
    /// ```
    pub fn into_parts(self) -> (io::Error, Unblock<T>) {
        (self.error, self.unblock)
    }
}

impl<T: Send + 'static> fmt::Debug for IntoInnerError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoInnerError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> fmt::Display for IntoInnerError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<T: Send + 'static> std::error::Error for IntoInnerError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<T: Send + 'static> From<IntoInnerError<T>> for io::Error {
    fn from(e: IntoInnerError<T>) -> Self {
        e.error
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
