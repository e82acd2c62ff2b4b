//! The small pieces of I/O logic every adapter needs, written once: retrying `Interrupted`, the
//! check on a value that claims more bytes than its buffer, tokio's `ReadBuf` <-> a plain slice,
//! and entering a tokio runtime only when that is needed and possible.
//!
//! Every error the crate makes starts `iocompat::<Type>::<operation>: ` (see [`error`]), so a
//! message in a log says which adapter and which call produced it.

// Each helper serves a subset of the trait families; with a family turned off, some go unused.
#![cfg_attr(
    not(all(feature = "tokio", feature = "futures-io")),
    allow(dead_code, unused_imports)
)]

use std::io;
use std::task::{Poll, ready};

/// An `io::Error` of `kind` in the crate's one style: `iocompat::<site>: <what>`, where `site`
/// is `Type::operation` (`"Readiness::read"`).
pub(crate) fn error(kind: io::ErrorKind, site: &str, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(kind, format!("iocompat::{site}: {what}"))
}

/// Calls `op` until it answers something other than `Interrupted`, which `std::io` allows any
/// call to return and which async callers must never see.
pub(crate) fn retry_interrupted<R>(mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// The message of a caught panic: its `&str` or `String` payload, or a placeholder for any
/// other payload. Adapters that run user code on a pool carry it in the `io::Error` they return.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// `Ok(n)` when a wrapped value's read or write of a `len`-byte buffer answered `n <= len`;
/// otherwise an `InvalidData` error naming both counts. Trusting such an answer would panic
/// (tokio's `ReadBuf::advance`, a slice index) or skip bytes, so a broken implementation is
/// reported as what it is.
pub(crate) fn check_claimed(site: &str, n: usize, len: usize) -> io::Result<usize> {
    if n > len {
        return Err(claimed_too_many(site, n, len));
    }
    Ok(n)
}

/// The error of [`check_claimed`], for callers that have already compared the counts.
pub(crate) fn claimed_too_many(site: &str, n: usize, len: usize) -> io::Error {
    error(
        io::ErrorKind::InvalidData,
        site,
        format_args!(
            "the wrapped value returned {n} bytes for a {len}-byte buffer (a broken \
             implementation of its read or write)"
        ),
    )
}

/// A tokio `ReadBuf` read through a slice-based read: `read` fills the unfilled part of `buf`
/// (initialised first, zeroing only what was never initialised), its count is checked with
/// [`check_claimed`], and `buf` is advanced by it.
#[cfg(feature = "tokio")]
pub(crate) fn poll_read_buf_with(
    site: &str,
    buf: &mut tokio::io::ReadBuf<'_>,
    read: impl FnOnce(&mut [u8]) -> Poll<io::Result<usize>>,
) -> Poll<io::Result<()>> {
    let dst = buf.initialize_unfilled();
    let len = dst.len();
    let n = check_claimed(site, ready!(read(dst))?, len)?;
    buf.advance(n);
    Poll::Ready(Ok(()))
}

/// A slice read through a tokio `ReadBuf`-based read: the slice is handed over whole as an
/// initialised `ReadBuf` (nothing is zeroed), and the answer is how many bytes were filled.
#[cfg(feature = "tokio")]
pub(crate) fn poll_read_slice_with(
    dst: &mut [u8],
    read: impl FnOnce(&mut tokio::io::ReadBuf<'_>) -> Poll<io::Result<()>>,
) -> Poll<io::Result<usize>> {
    let mut read_buf = tokio::io::ReadBuf::new(dst);
    ready!(read(&mut read_buf))?;
    Poll::Ready(Ok(read_buf.filled().len()))
}

/// Enters `handle`'s runtime until the guard drops, unless it is the runtime `current` already
/// is (nothing to do), or the thread's locals are being destroyed (where `Handle::enter` would
/// panic, and where nothing can be spawned anyway).
#[cfg(feature = "tokio")]
pub(crate) fn enter_unless_current<'a>(
    handle: &'a tokio::runtime::Handle,
    current: &Result<tokio::runtime::Handle, tokio::runtime::TryCurrentError>,
) -> Option<tokio::runtime::EnterGuard<'a>> {
    match current {
        Ok(current) if current.id() == handle.id() => None,
        Err(e) if e.is_thread_local_destroyed() => None,
        _ => Some(handle.enter()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_the_site_and_what_happened() {
        let e = error(
            io::ErrorKind::Other,
            "Readiness::read",
            "used after into_inner",
        );
        assert_eq!(e.kind(), io::ErrorKind::Other);
        assert_eq!(
            e.to_string(),
            "iocompat::Readiness::read: used after into_inner"
        );
    }

    #[test]
    fn panic_messages_come_from_str_and_string_payloads() {
        assert_eq!(panic_message(&"static"), "static");
        assert_eq!(panic_message(&String::from("owned")), "owned");
        assert_eq!(panic_message(&42u8), "a panic with a non-string payload");
    }

    #[test]
    fn interrupted_is_retried_and_other_errors_are_kept() {
        let mut calls = 0;
        let r = retry_interrupted(|| {
            calls += 1;
            if calls < 3 {
                Err(io::Error::from(io::ErrorKind::Interrupted))
            } else {
                Ok(calls)
            }
        });
        assert_eq!(r.unwrap(), 3);
        let e = retry_interrupted::<()>(|| Err(io::Error::from_raw_os_error(32))).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(32));
    }

    #[test]
    fn a_count_larger_than_the_buffer_is_invalid_data_naming_both() {
        assert_eq!(check_claimed("X::read", 4, 4).unwrap(), 4);
        let e = check_claimed("X::read", 5, 4).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let text = e.to_string();
        assert!(text.starts_with("iocompat::X::read: "), "{text}");
        assert!(text.contains("5 bytes for a 4-byte buffer"), "{text}");
    }

    #[cfg(feature = "tokio")]
    #[test]
    fn read_buf_and_slice_conversions_keep_counts_and_refuse_overruns() {
        let mut storage = [0u8; 8];
        let mut buf = tokio::io::ReadBuf::new(&mut storage);
        let r = poll_read_buf_with("X::poll_read", &mut buf, |dst| {
            dst[..3].copy_from_slice(b"abc");
            Poll::Ready(Ok(3))
        });
        assert!(matches!(r, Poll::Ready(Ok(()))));
        assert_eq!(buf.filled(), b"abc");
        let r = poll_read_buf_with("X::poll_read", &mut buf, |dst| {
            Poll::Ready(Ok(dst.len() + 1))
        });
        assert!(matches!(r, Poll::Ready(Err(ref e)) if e.kind() == io::ErrorKind::InvalidData));
        assert_eq!(buf.filled(), b"abc", "a refused count advances nothing");

        let mut dst = [0u8; 4];
        let r = poll_read_slice_with(&mut dst, |rb| {
            rb.put_slice(b"xy");
            Poll::Ready(Ok(()))
        });
        assert!(matches!(r, Poll::Ready(Ok(2))));
        assert_eq!(&dst[..2], b"xy");
    }

    #[cfg(feature = "tokio")]
    #[test]
    fn enter_unless_current_enters_only_another_runtime() {
        let a = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let b = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let _in_a = a.enter();
        let current = tokio::runtime::Handle::try_current();
        assert!(enter_unless_current(a.handle(), &current).is_none());
        let guard = enter_unless_current(b.handle(), &current);
        assert!(guard.is_some());
        assert_eq!(tokio::runtime::Handle::current().id(), b.handle().id());
    }
}
