//! Reads of a regular file's page cache on the consumer's own thread (Linux).
//!
//! `preadv2(..., RWF_NOWAIT)` copies data that is already in the page cache and fails with
//! `EAGAIN` instead of waiting for the disk, so it never blocks the executor on I/O: it costs
//! what a `memcpy` of the same bytes costs. When the data is cached, `Unblock<File>` reads it
//! this way, straight into the caller's buffer when that buffer is large, which takes the pool
//! hand-off (and its second copy) off the hot path. When it is not, the read goes to the pool
//! as always. This is how io_uring serves cached buffered reads inline, too.
//!
//! Only plain `std::fs::File`s on regular files qualify: not `O_DIRECT` files (a direct read
//! waits for the device even with `RWF_NOWAIT`), and not pipes, sockets or terminals (the
//! readiness adapter serves those). A filesystem that cannot honour `RWF_NOWAIT` says so with
//! `EOPNOTSUPP`, and the adapter then stops trying.

use std::io;

use super::shared::ReadFn;

pub(crate) use super::limits::{INLINE_DIRECT_MIN, MAX_INLINE_CHUNK};

/// What a read on the consumer's thread came to.
pub(crate) enum Inline {
    /// `n` bytes were copied (0: end of file).
    Read(usize),
    /// The data is not in the page cache (or the call was interrupted): use the pool.
    Pool,
    /// The file cannot be read this way at all: use the pool, and stop trying.
    Never,
}

/// The inline read for `inner` when it is a `std::fs::File` on a regular file that is not
/// opened with `O_DIRECT`; `None` for anything else.
#[cfg(target_os = "linux")]
pub(crate) fn for_value<T: 'static>(inner: &T) -> Option<ReadFn<T>> {
    use std::any::Any;
    use std::fs::File;

    let file = (inner as &dyn Any).downcast_ref::<File>()?;
    let regular = file.metadata().ok()?.file_type().is_file();
    let flags = rustix::fs::fcntl_getfl(file).ok()?;
    if !regular || flags.contains(rustix::fs::OFlags::DIRECT) {
        return None;
    }
    Some(|value, buf| {
        let file = (value as &mut dyn Any)
            .downcast_mut::<File>()
            .ok_or_else(|| {
                io::Error::other("iocompat::Unblock::read: internal error: not a File")
            })?;
        // `u64::MAX`: read at, and advance, the file's own cursor, as `read` does.
        rustix::io::preadv2(
            &*file,
            &mut [io::IoSliceMut::new(buf)],
            u64::MAX,
            rustix::io::ReadWriteFlags::NOWAIT,
        )
        .map_err(io::Error::from)
    })
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn for_value<T: 'static>(_inner: &T) -> Option<ReadFn<T>> {
    None
}

/// Whether a write of `n` bytes is known to move the value's position by exactly `n`: a
/// `std::fs::File` not opened with `O_APPEND` (where the kernel first moves the offset to the
/// end). For an append-mode file and for any type this crate knows nothing about, the position
/// after a write is asked of the value instead of computed.
#[cfg(unix)]
pub(crate) fn writes_advance_position<T: 'static>(inner: &T) -> bool {
    use std::any::Any;

    (inner as &dyn Any)
        .downcast_ref::<std::fs::File>()
        .and_then(|file| rustix::fs::fcntl_getfl(file).ok())
        .is_some_and(|flags| !flags.contains(rustix::fs::OFlags::APPEND))
}

#[cfg(not(unix))]
pub(crate) fn writes_advance_position<T: 'static>(_inner: &T) -> bool {
    false
}

/// Runs `read` and sorts its result.
/// `buf` is cut to [`MAX_INLINE_CHUNK`].
pub(crate) fn run<T>(read: ReadFn<T>, inner: &mut T, buf: &mut [u8]) -> Inline {
    let len = buf.len().min(MAX_INLINE_CHUNK);
    match read(inner, &mut buf[..len]) {
        Ok(n) if n <= len => Inline::Read(n),
        Ok(_) => Inline::Never,
        Err(e) if never_inline(&e) => Inline::Never,
        // EAGAIN (not cached), EINTR, or a real failure (EIO, ENOMEM): the pool's plain `read`
        // runs next, and any error comes from it in the usual way.
        Err(_) => Inline::Pool,
    }
}

/// Errors that say this file can never be read inline: one of
/// [`NEVER_INLINE_ERRNOS`](super::limits::NEVER_INLINE_ERRNOS), or `Unsupported`.
fn never_inline(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    if let Some(code) = e.raw_os_error() {
        return super::limits::NEVER_INLINE_ERRNOS.contains(&code);
    }
    e.kind() == io::ErrorKind::Unsupported
}
