//! Every size and limit of [`Unblock`](crate::Unblock), written once. The docs link here
//! instead of repeating the numbers.
//!
//! The values are not part of the semver contract: they are tuned by measurement and may
//! change in any release. Read them from these constants rather than hard-coding them.

/// Default capacity of an [`Unblock`](crate::Unblock), per direction: the most read-ahead
/// and the most write-behind it holds (set another with
/// [`UnblockBuilder::capacity`](crate::UnblockBuilder::capacity)). Reached only by long
/// sequential transfers, since chunks start at [`FIRST_CHUNK`] and double from there.
/// Measured on a 2-core machine with 2 MiB of L2 per core: chunks well beyond the L2 size keep
/// the pool thread's writes from invalidating lines the consumer still caches (see
/// `benches/unblock.rs`).
///
/// # Examples
///
/// ```
/// assert_eq!(iocompat::unblock::DEFAULT_CAPACITY, 8 * 1024 * 1024);
/// ```
pub const DEFAULT_CAPACITY: usize = 8 * 1024 * 1024;

/// Size of the first read and write chunk; chunks double while the consumer keeps going, up
/// to a quarter of the capacity for reads (four chunks in existence at once) and
/// [`MAX_WRITE_CHUNK`] for writes. An idle reader that has read one byte holds four of these.
///
/// # Examples
///
/// ```
/// assert_eq!(iocompat::unblock::FIRST_CHUNK, 16 * 1024);
/// ```
pub const FIRST_CHUNK: usize = 16 * 1024;

/// Largest write chunk. Reads gain from chunks larger than a core's cache (the pool thread
/// then writes lines the consumer no longer holds); writes measured best at this size, where
/// the consumer's copy is still in cache when the pool thread writes it out.
///
/// # Examples
///
/// ```
/// assert_eq!(iocompat::unblock::MAX_WRITE_CHUNK, 512 * 1024);
/// ```
pub const MAX_WRITE_CHUNK: usize = 512 * 1024;

/// Default number of iterator items fetched ahead by an `Unblock` over an `Iterator` (set
/// another with [`UnblockBuilder::stream_items`](crate::UnblockBuilder::stream_items)).
///
/// # Examples
///
/// ```
/// assert_eq!(iocompat::unblock::DEFAULT_STREAM_ITEMS, 1024);
/// ```
pub const DEFAULT_STREAM_ITEMS: usize = 1024;

/// Largest copy done on the consumer's thread by one inline read of a cached file (Linux),
/// into the adapter's own chunk or into the caller's buffer: one copy of this size takes a
/// few tens of microseconds, within what an executor allows between yields. A larger caller
/// buffer gets a short read.
///
/// # Examples
///
/// ```
/// assert_eq!(iocompat::unblock::MAX_INLINE_CHUNK, 256 * 1024);
/// ```
pub const MAX_INLINE_CHUNK: usize = 256 * 1024;

/// Caller buffers at least this large are filled straight from the page cache by an inline
/// read (Linux), with one copy and no intermediate chunk; smaller reads are served from a
/// chunk read inline.
///
/// # Examples
///
/// ```
/// assert_eq!(iocompat::unblock::INLINE_DIRECT_MIN, 32 * 1024);
/// ```
pub const INLINE_DIRECT_MIN: usize = 32 * 1024;

/// The errors of an inline read that mean the file can never be read inline, so the adapter
/// stops trying (Linux): the filesystem does not do `RWF_NOWAIT` (`EOPNOTSUPP`), the kernel
/// has no `preadv2` (`ENOSYS`) or rejects the flag (`EINVAL`), or the file is not open for
/// reading (`EBADF`). Any other error, `EAGAIN` (not cached) included, sends that one read to
/// the pool, whose plain `read` reports a real failure in the usual way.
///
/// # Examples
///
/// ```
/// # #[cfg(target_os = "linux")]
/// assert!(iocompat::unblock::NEVER_INLINE_ERRNOS.contains(&95)); // EOPNOTSUPP
/// ```
#[cfg(target_os = "linux")]
pub const NEVER_INLINE_ERRNOS: [i32; 4] = [
    rustix::io::Errno::OPNOTSUPP.raw_os_error(),
    rustix::io::Errno::NOSYS.raw_os_error(),
    rustix::io::Errno::INVAL.raw_os_error(),
    rustix::io::Errno::BADF.raw_os_error(),
];
