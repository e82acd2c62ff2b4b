//! [`UnblockBuilder`]: the settings an [`Unblock`] is built with.

use std::io;
use std::sync::Arc;

use super::adapter::Unblock;
use super::core::{Core, Limits, seek_ops};
use crate::pool::{SpawnBlocking, Spawner};

pub(crate) use super::limits::{DEFAULT_CAPACITY, DEFAULT_STREAM_ITEMS};

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
    /// Default settings: [`DEFAULT_CAPACITY`](crate::unblock::DEFAULT_CAPACITY), the automatic
    /// pool, [`DEFAULT_STREAM_ITEMS`](crate::unblock::DEFAULT_STREAM_ITEMS) stream items ahead.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = iocompat::UnblockBuilder::new();
    /// # drop(builder);
    /// ```
    #[must_use = "a builder does nothing until `build` is called"]
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
    #[must_use = "a builder does nothing until `build` is called"]
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
    /// impl iocompat::SpawnBlocking for OwnThreads {
    ///     fn spawn(&self, job: iocompat::BlockingJob) {
    ///         std::thread::spawn(move || job.run());
    ///     }
    /// }
    /// let r = iocompat::Unblock::builder().spawner(OwnThreads).build(std::io::empty());
    /// # drop(r);
    /// ```
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn spawner(mut self, spawner: impl SpawnBlocking) -> Self {
        self.spawner = Spawner::Custom(Arc::new(spawner));
        self
    }

    /// Whether a `std::fs::File` on a regular file may be read from the page cache on the
    /// caller's own thread (Linux; default `true`).
    ///
    /// With it on, a read whose data is already cached is done with
    /// `preadv2(RWF_NOWAIT)`, which copies cached pages and fails at once instead of waiting
    /// for the disk: it never blocks the executor on I/O, and it spares the pool hand-off and
    /// a second copy. A caller buffer of [`INLINE_DIRECT_MIN`](crate::unblock::INLINE_DIRECT_MIN)
    /// bytes or more is filled directly; smaller reads are served from a chunk of up to
    /// [`MAX_INLINE_CHUNK`](crate::unblock::MAX_INLINE_CHUNK) bytes read the same way. Data that is not cached is
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
    #[must_use = "a builder does nothing until `build` is called"]
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
    #[must_use = "a builder does nothing until `build` is called"]
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
