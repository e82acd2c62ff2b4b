//! Drop-in for [`async-compat`](https://docs.rs/async-compat): replace `async_compat::` with
//! `iocompat::async_compat::`.
//!
//! ```
//! use iocompat::async_compat::{Compat, CompatExt};
//! use std::time::Duration;
//!
//! // A tokio timer and a tokio reader under the futures executor: the runtime context is
//! // entered for every poll, from a fallback runtime when none is current.
//! futures::executor::block_on(Compat::new(async {
//!     tokio::time::sleep(Duration::from_millis(1)).await;
//!     let mut reader = tokio::io::repeat(b'x');
//!     let mut buf = [0; 3];
//!     futures::io::AsyncReadExt::read_exact(&mut reader.compat_mut(), &mut buf).await?;
//!     assert_eq!(&buf, b"xxx");
//!     std::io::Result::Ok(())
//! }))?;
//! # std::io::Result::Ok(())
//! ```
//!
//! | `async_compat` | `iocompat::async_compat` | core it is a face of |
//! |---|---|---|
//! | `Compat<T>`: `new`, `get_ref`, `get_mut`, `into_inner`; `Future`, both families' `AsyncRead`, `AsyncBufRead`, `AsyncWrite`, `AsyncSeek`; `Clone` | [`Compat`] (re-export of [`crate::Compat`]) | `crate::compat` |
//! | `CompatExt`: `compat`, `compat_ref`, `compat_mut` | [`CompatExt`] | `crate::compat` (each method is `Compat::new`) |
//!
//! Same behaviour: the runtime context is entered for every poll and for the drop of the
//! value; when no runtime is current, a current-thread fallback runtime (IO and time enabled),
//! started on first need and driven by one process-lifetime thread, is entered instead.
//! `compat_ref` and `compat_mut` wrap `&T` / `&mut T`, which get the converted traits wherever
//! the reference implements the source trait (`&mut T` does for any `T: Unpin` reader or
//! writer; `&T` for types such as sockets that read and write through a shared reference).
//!
//! # Deliberate differences
//!
//! | what | `async_compat` | here | why |
//! |---|---|---|---|
//! | which runtime is entered | the one current at each poll, else the fallback | the one current at `Compat::new` (or given to [`Compat::with_handle`]), else the one current at the poll, else the fallback | a value made on a runtime keeps using that runtime's timers and `spawn` wherever it is polled |
//! | fallback thread | `async-compat/tokio-1`; feature `multi-thread` makes it a multi-thread runtime | `iocompat-tokio-fallback`, always current-thread | for `block_in_place` in spawned tasks, pass a multi-thread runtime's handle to [`Compat::with_handle`] |
//! | tokio `poll_complete` with no seek started | `Ok(0)` | the real position | `Ok(0)` is a made-up answer (STYLE: an anti-pattern) |
//! | a tokio seek started and not completed, then a futures-io `poll_seek` | starts a second seek | completes the first, then seeks | tokio's rule for `start_seek` |
//! | vectored writes | first non-empty buffer only | forwarded both ways | fewer system calls for vectored writers |
//! | a futures-io reader claiming more bytes than its buffer | panics in `ReadBuf::advance` | `InvalidData` | a misbehaving reader is an I/O error |
//! | `Stream`, [`Compat::with_handle`], [`Compat::get_pin_mut`], `AsRawFd` / `AsFd` | not offered | offered | additions; nothing that compiled stops compiling |
//!
//! `Compat<T>` is `Unpin` exactly when `T` is, and `Clone` when `T` is, as in `async_compat`.
//!
//! # Why `CompatExt` is implemented for every type
//!
//! Elsewhere in this crate an extension trait is bounded by the trait it starts from
//! ([`TokioAsyncReadCompatExt`](crate::TokioAsyncReadCompatExt): `tokio::io::AsyncRead`).
//! `async_compat::CompatExt` is implemented for every type, and programs call `.compat()` on
//! futures and on I/O values of both families through it, so this module mirrors that exactly:
//! a bounded trait would reject calls that compile with `async_compat`. The price is the same as
//! there: with another `compat` method in scope (this crate's bounded traits, or
//! `futures::io::AsyncReadExt::compat` with futures' `io-compat` feature) the call is ambiguous;
//! import one of them.

mod ext;

pub use self::ext::CompatExt;
pub use crate::compat::Compat;
