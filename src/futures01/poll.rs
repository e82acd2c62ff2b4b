//! Poll-style results: futures 0.1's `Poll<T, E>` = `Result<Async<T>, E>`, `StartSend` /
//! `AsyncSink`, and `io::Result` with `WouldBlock`, each to and from [`std::task::Poll`].
//!
//! | futures 0.1 / tokio-io 0.1 | std / futures 0.3 / tokio 1 |
//! |---|---|
//! | `Ok(Async::Ready(t))` | `Poll::Ready(Ok(t))` |
//! | `Ok(Async::NotReady)` | `Poll::Pending` |
//! | `Err(e)` | `Poll::Ready(Err(e))` |
//! | `Ok(AsyncSink::Ready)` from `start_send(item)` | `poll_ready` gave `Ready(Ok(()))`, then `start_send(item)` |
//! | `Ok(AsyncSink::NotReady(item))` | `poll_ready` gave `Pending`: keep `item` |
//! | `Err(e)` with `ErrorKind::WouldBlock` (tokio-io 0.1) | `Poll::Pending` |
//!
//! The same hand-written `poll`, both ways:
//!
//! ```
//! use std::pin::Pin;
//! use std::task::{Context, Poll};
//! use futures01::Async;
//! use iocompat::futures01::{poll_01_to_std, poll_std_to_01};
//!
//! /// Counts down; done at zero.
//! struct Countdown(u32);
//!
//! // futures 0.1: `Ready` / `NotReady` / `Err`, and `task::current()` to be woken.
//! impl futures01::Future for Countdown {
//!     type Item = &'static str;
//!     type Error = String;
//!     fn poll(&mut self) -> futures01::Poll<&'static str, String> {
//!         match self.0 {
//!             0 => Ok(Async::Ready("liftoff")),
//!             n if n > 100 => Err(format!("{n} is too far")),
//!             _ => {
//!                 self.0 -= 1;
//!                 futures01::task::current().notify();
//!                 Ok(Async::NotReady)
//!             }
//!         }
//!     }
//! }
//!
//! // futures 0.3 / std: `Ready(Ok)` / `Pending` / `Ready(Err)`, and the `Context`'s waker.
//! struct Countdown03(u32);
//! impl std::future::Future for Countdown03 {
//!     type Output = Result<&'static str, String>;
//!     fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
//!         match self.0 {
//!             0 => Poll::Ready(Ok("liftoff")),
//!             n if n > 100 => Poll::Ready(Err(format!("{n} is too far"))),
//!             _ => {
//!                 self.0 -= 1;
//!                 cx.waker().wake_by_ref();
//!                 Poll::Pending
//!             }
//!         }
//!     }
//! }
//!
//! // The conversions map one answer onto the other, case by case.
//! assert_eq!(poll_01_to_std(Ok::<_, String>(Async::Ready("liftoff"))), Poll::Ready(Ok("liftoff")));
//! assert_eq!(poll_std_to_01(Poll::<Result<&str, String>>::Pending), Ok(Async::NotReady));
//! assert_eq!(futures01::Future::wait(Countdown(3)), Ok("liftoff"));
//! assert_eq!(futures::executor::block_on(Countdown03(3)), Ok("liftoff"));
//! ```

use std::io;
use std::task::Poll;

use futures01::{
    Async as Async01, AsyncSink as AsyncSink01, Poll as Poll01, StartSend as StartSend01,
};

/// Converts a futures 0.1 poll result into a [`std::task::Poll`].
///
/// # Examples
///
/// ```
/// use futures01::Async;
/// use iocompat::futures01::poll_01_to_std;
/// use std::task::Poll;
///
/// // futures 0.1: Ready / NotReady / Error
/// let ready: futures01::Poll<u8, ()> = Ok(Async::Ready(7));
/// let not_ready: futures01::Poll<u8, ()> = Ok(Async::NotReady);
/// let error: futures01::Poll<u8, ()> = Err(());
/// // std / futures 0.3
/// assert_eq!(poll_01_to_std(ready), Poll::Ready(Ok(7)));
/// assert_eq!(poll_01_to_std(not_ready), Poll::Pending);
/// assert_eq!(poll_01_to_std(error), Poll::Ready(Err(())));
/// ```
#[inline]
pub fn poll_01_to_std<T, E>(poll: Poll01<T, E>) -> Poll<Result<T, E>> {
    match poll {
        Ok(Async01::Ready(t)) => Poll::Ready(Ok(t)),
        Ok(Async01::NotReady) => Poll::Pending,
        Err(e) => Poll::Ready(Err(e)),
    }
}

/// Converts a [`std::task::Poll`] of a `Result` into a futures 0.1 poll result.
///
/// # Examples
///
/// ```
/// use futures01::Async;
/// use iocompat::futures01::poll_std_to_01;
/// use std::task::Poll;
///
/// assert_eq!(poll_std_to_01(Poll::Ready(Ok::<u8, ()>(7))), Ok(Async::Ready(7)));
/// assert_eq!(poll_std_to_01(Poll::<Result<u8, ()>>::Pending), Ok(Async::NotReady));
/// assert_eq!(poll_std_to_01(Poll::Ready(Err::<u8, ()>(()))), Err(()));
/// ```
#[inline]
pub fn poll_std_to_01<T, E>(poll: Poll<Result<T, E>>) -> Poll01<T, E> {
    match poll {
        Poll::Ready(Ok(t)) => Ok(Async01::Ready(t)),
        Poll::Pending => Ok(Async01::NotReady),
        Poll::Ready(Err(e)) => Err(e),
    }
}

/// Converts a futures 0.1 stream poll (`Poll<Option<T>, E>`) into the 0.3 stream form
/// (`Poll<Option<Result<T, E>>>`).
///
/// # Examples
///
/// ```
/// use futures01::Async;
/// use iocompat::futures01::poll_stream_01_to_std;
/// use std::task::Poll;
///
/// assert_eq!(poll_stream_01_to_std(Ok::<_, ()>(Async::Ready(Some(1)))), Poll::Ready(Some(Ok(1))));
/// assert_eq!(poll_stream_01_to_std(Ok::<Async<Option<u8>>, ()>(Async::Ready(None))), Poll::Ready(None));
/// assert_eq!(poll_stream_01_to_std(Ok::<Async<Option<u8>>, ()>(Async::NotReady)), Poll::Pending);
/// assert_eq!(poll_stream_01_to_std(Err::<Async<Option<u8>>, _>(())), Poll::Ready(Some(Err(()))));
/// ```
#[inline]
pub fn poll_stream_01_to_std<T, E>(poll: Poll01<Option<T>, E>) -> Poll<Option<Result<T, E>>> {
    match poll {
        Ok(Async01::Ready(Some(t))) => Poll::Ready(Some(Ok(t))),
        Ok(Async01::Ready(None)) => Poll::Ready(None),
        Ok(Async01::NotReady) => Poll::Pending,
        Err(e) => Poll::Ready(Some(Err(e))),
    }
}

/// Converts a 0.3 stream poll (`Poll<Option<Result<T, E>>>`) into the futures 0.1 stream form
/// (`Poll<Option<T>, E>`).
///
/// # Examples
///
/// ```
/// use futures01::Async;
/// use iocompat::futures01::poll_stream_std_to_01;
/// use std::task::Poll;
///
/// assert_eq!(poll_stream_std_to_01(Poll::Ready(Some(Ok::<u8, ()>(1)))), Ok(Async::Ready(Some(1))));
/// assert_eq!(poll_stream_std_to_01(Poll::<Option<Result<u8, ()>>>::Ready(None)), Ok(Async::Ready(None)));
/// assert_eq!(poll_stream_std_to_01(Poll::<Option<Result<u8, ()>>>::Pending), Ok(Async::NotReady));
/// assert_eq!(poll_stream_std_to_01(Poll::Ready(Some(Err::<u8, ()>(())))), Err(()));
/// ```
#[inline]
pub fn poll_stream_std_to_01<T, E>(poll: Poll<Option<Result<T, E>>>) -> Poll01<Option<T>, E> {
    match poll {
        Poll::Ready(Some(Ok(t))) => Ok(Async01::Ready(Some(t))),
        Poll::Ready(None) => Ok(Async01::Ready(None)),
        Poll::Pending => Ok(Async01::NotReady),
        Poll::Ready(Some(Err(e))) => Err(e),
    }
}

/// Converts the result of a futures 0.1 `Sink::start_send` into the 0.3 `poll_ready` answer.
///
/// A 0.1 sink that refuses an item hands it back in `AsyncSink::NotReady(item)`; this function
/// puts it back into `slot` (so it is never lost) and answers `Pending`.
///
/// # Examples
///
/// ```
/// use futures01::AsyncSink;
/// use iocompat::futures01::start_send_01_to_std;
/// use std::task::Poll;
///
/// let mut slot = None;
/// // futures 0.1: the sink took the item / gave it back / failed
/// assert_eq!(start_send_01_to_std(Ok::<_, ()>(AsyncSink::Ready), &mut slot), Poll::Ready(Ok(())));
/// assert_eq!(start_send_01_to_std(Ok::<_, ()>(AsyncSink::NotReady("item")), &mut slot), Poll::Pending);
/// assert_eq!(slot, Some("item"));
/// assert_eq!(start_send_01_to_std::<&str, _>(Err(()), &mut None), Poll::Ready(Err(())));
/// ```
#[inline]
pub fn start_send_01_to_std<T, E>(
    start_send: StartSend01<T, E>,
    slot: &mut Option<T>,
) -> Poll<Result<(), E>> {
    match start_send {
        Ok(AsyncSink01::Ready) => Poll::Ready(Ok(())),
        Ok(AsyncSink01::NotReady(item)) => {
            *slot = Some(item);
            Poll::Pending
        }
        Err(e) => Poll::Ready(Err(e)),
    }
}

/// Builds a futures 0.1 `StartSend` from a 0.3 `poll_ready` answer: when the sink is ready,
/// `start_send` is called with the item; when it is not, the item is handed back in
/// `AsyncSink::NotReady`, as futures 0.1 callers expect.
///
/// # Examples
///
/// ```
/// use futures01::AsyncSink;
/// use iocompat::futures01::ready_std_to_start_send;
/// use std::task::Poll;
///
/// let mut sent = Vec::new();
/// let mut send = |i| -> Result<(), ()> {
///     sent.push(i);
///     Ok(())
/// };
/// // std / futures 0.3: ready -> the item goes in; pending -> 0.1 gets it back
/// let r = ready_std_to_start_send(Poll::Ready(Ok(())), 1, &mut send);
/// assert_eq!(r, Ok(AsyncSink::Ready));
/// let r = ready_std_to_start_send(Poll::Pending, 2, &mut send);
/// assert_eq!(r, Ok(AsyncSink::NotReady(2)));
/// assert_eq!(sent, [1]);
/// ```
#[inline]
pub fn ready_std_to_start_send<T, E>(
    ready: Poll<Result<(), E>>,
    item: T,
    start_send: impl FnOnce(T) -> Result<(), E>,
) -> StartSend01<T, E> {
    match ready {
        Poll::Ready(Ok(())) => start_send(item).map(|()| AsyncSink01::Ready),
        Poll::Ready(Err(e)) => Err(e),
        Poll::Pending => Ok(AsyncSink01::NotReady(item)),
    }
}

/// Converts a tokio-io 0.1 style `io::Result` (where `WouldBlock` means "not ready, the current
/// task will be notified") into a [`std::task::Poll`].
///
/// # Examples
///
/// ```
/// use iocompat::futures01::poll_io_01_to_std;
/// use std::io;
/// use std::task::Poll;
///
/// let would_block: io::Result<usize> = Err(io::ErrorKind::WouldBlock.into());
/// assert!(poll_io_01_to_std(would_block).is_pending());
/// assert!(matches!(poll_io_01_to_std(Ok(3)), Poll::Ready(Ok(3))));
/// let broken: io::Result<usize> = Err(io::ErrorKind::BrokenPipe.into());
/// assert!(matches!(poll_io_01_to_std(broken), Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe));
/// ```
#[inline]
pub fn poll_io_01_to_std<T>(result: io::Result<T>) -> Poll<io::Result<T>> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
        other => Poll::Ready(other),
    }
}

/// Converts a [`std::task::Poll`] of an `io::Result` into the tokio-io 0.1 form, where
/// `Pending` becomes an `io::Error` of kind `WouldBlock`.
///
/// # Examples
///
/// ```
/// use iocompat::futures01::poll_io_std_to_01;
/// use std::io;
/// use std::task::Poll;
///
/// let pending: Poll<io::Result<usize>> = Poll::Pending;
/// assert_eq!(poll_io_std_to_01(pending).unwrap_err().kind(), io::ErrorKind::WouldBlock);
/// assert_eq!(poll_io_std_to_01(Poll::Ready(Ok(3))).unwrap(), 3);
/// ```
#[inline]
pub fn poll_io_std_to_01<T>(poll: Poll<io::Result<T>>) -> io::Result<T> {
    match poll {
        Poll::Ready(result) => result,
        Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_keep_every_case() {
        for p in [Ok(Async01::Ready(1u8)), Ok(Async01::NotReady), Err(9u8)] {
            assert_eq!(poll_std_to_01(poll_01_to_std(p)), p);
        }
        for p in [
            Ok(Async01::Ready(Some(1u8))),
            Ok(Async01::Ready(None)),
            Ok(Async01::NotReady),
            Err(9u8),
        ] {
            assert_eq!(poll_stream_std_to_01(poll_stream_01_to_std(p)), p);
        }
    }

    #[test]
    fn io_error_keeps_kind_message_and_os_code() {
        let e = io::Error::from_raw_os_error(32);
        let back = match poll_io_01_to_std::<()>(Err(e)) {
            Poll::Ready(Err(e)) => e,
            other => panic!("expected an error, got {other:?}"),
        };
        assert_eq!(back.raw_os_error(), Some(32));
        let custom = io::Error::other("disk on fire");
        let kept = poll_io_std_to_01::<()>(Poll::Ready(Err(custom))).unwrap_err();
        assert_eq!(kept.to_string(), "disk on fire");
    }

    #[test]
    fn refused_item_is_kept() {
        let mut slot = None;
        let p = start_send_01_to_std(Ok::<_, ()>(AsyncSink01::NotReady(5)), &mut slot);
        assert!(p.is_pending());
        assert_eq!(slot, Some(5));
        let r: StartSend01<u8, ()> = ready_std_to_start_send(Poll::Ready(Err(())), 1, |_| Ok(()));
        assert_eq!(r, Err(()));
    }
}
