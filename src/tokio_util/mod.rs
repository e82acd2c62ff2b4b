//! Drop-in for [`tokio-util`](https://docs.rs/tokio-util)'s `compat` module and its
//! `io::SyncIoBridge`: replace `tokio_util::` with `iocompat::tokio_util::` in those paths.
//!
//! ```
//! use iocompat::tokio_util::compat::TokioAsyncReadCompatExt;
//! use iocompat::tokio_util::io::SyncIoBridge;
//! use std::io::Read;
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! // tokio reader -> futures-io reader
//! let mut reader = tokio::io::repeat(b'z').compat();
//! let mut two = [0; 2];
//! futures::io::AsyncReadExt::read_exact(&mut reader, &mut two).await?;
//! assert_eq!(&two, b"zz");
//!
//! // tokio reader -> std::io::Read, on a blocking thread
//! let mut bridge = SyncIoBridge::new(tokio::io::AsyncReadExt::take(tokio::io::repeat(b'y'), 3));
//! let text = tokio::task::spawn_blocking(move || {
//!     let mut s = String::new();
//!     bridge.read_to_string(&mut s).map(|_| s)
//! })
//! .await??;
//! assert_eq!(text, "yyy");
//! # std::io::Result::Ok(()) })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! | `tokio_util` | `iocompat::tokio_util` | core it is a face of |
//! |---|---|---|
//! | `compat::Compat<T>`: `get_ref`, `get_mut`, `into_inner`; both families' `AsyncRead`, `AsyncBufRead`, `AsyncWrite`, `AsyncSeek`; `Clone`, `AsRawFd` | [`compat::Compat`] (re-export of [`crate::Compat`]) | `crate::compat` |
//! | `compat::{TokioAsyncReadCompatExt, TokioAsyncWriteCompatExt}` (`compat`, `compat_write`) | [`compat::TokioAsyncReadCompatExt`], [`compat::TokioAsyncWriteCompatExt`] | `crate::compat` (tokio -> futures-io) |
//! | `compat::{FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt}` (`compat`, `compat_write`) | [`compat::FuturesAsyncReadCompatExt`], [`compat::FuturesAsyncWriteCompatExt`] | `crate::compat` (futures-io -> tokio) |
//! | `io::SyncIoBridge<T>`: `new`, `new_with_handle`, `into_inner`, `shutdown`, `is_write_vectored`, `AsRef`, `AsMut`; `Read`, `BufRead`, `Write`, `Seek` | [`io::SyncIoBridge`] | `crate::sync_io` ([`SyncIo`](crate::SyncIo), tokio traits) |
//!
//! The rest of `tokio_util` (codecs, `ReaderStream`, `StreamReader`, `CancellationToken`, ...)
//! is not replaced: keep `tokio-util` for it.
//!
//! The deliberate differences are listed in [`compat`] and at [`io::SyncIoBridge`].

cfg_futures_io! {
    pub mod compat;
}
pub mod io;
