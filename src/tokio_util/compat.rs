//! Drop-in for `tokio_util::compat`: replace `tokio_util::compat::` with
//! `iocompat::tokio_util::compat::`.
//!
//! ```
//! use iocompat::tokio_util::compat::{FuturesAsyncReadCompatExt, TokioAsyncWriteCompatExt};
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! // futures-io reader -> tokio reader; tokio writer -> futures-io writer
//! let mut reader = futures::io::Cursor::new(b"both ways".to_vec()).compat();
//! let mut writer = Vec::new().compat_write();
//! let mut got = String::new();
//! tokio::io::AsyncReadExt::read_to_string(&mut reader, &mut got).await?;
//! futures::io::AsyncWriteExt::write_all(&mut writer, got.as_bytes()).await?;
//! assert_eq!(writer.into_inner(), b"both ways");
//! # std::io::Result::Ok(()) })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! | `tokio_util::compat` | here |
//! |---|---|
//! | `Compat` | [`Compat`] (re-export of [`crate::Compat`]) |
//! | `FuturesAsyncReadCompatExt::compat`, `FuturesAsyncWriteCompatExt::compat_write` | [`FuturesAsyncReadCompatExt`], [`FuturesAsyncWriteCompatExt`] |
//! | `TokioAsyncReadCompatExt::compat`, `TokioAsyncWriteCompatExt::compat_write` | [`TokioAsyncReadCompatExt`], [`TokioAsyncWriteCompatExt`] |
//!
//! # Deliberate differences
//!
//! | what | `tokio_util::compat` | here | why |
//! |---|---|---|---|
//! | runtime context | none: a tokio value polled under another executor panics ("there is no reactor running") | entered for every poll and for the drop of the value: the runtime current when the `Compat` was made, else the one current at the poll, else a lazily started fallback runtime (see [`Compat`]) | the converted value then works under `futures::executor::block_on` or smol too |
//! | tokio `poll_complete` with no seek started | `Ok(0)` | the real position | `Ok(0)` is a made-up answer |
//! | vectored writes | first non-empty buffer only | forwarded both ways; the tokio face's `is_write_vectored` is `true` | fewer system calls for vectored writers |
//! | a futures-io reader claiming more bytes than its buffer | panics in `ReadBuf::advance` | `InvalidData` | a misbehaving reader is an I/O error |
//! | `Copy` | `Compat<T>` is `Copy` when `T` is | never (`Clone` when `T` is) | our `Compat` has a `Drop` impl: it drops the value inside the runtime context |
//! | extension traits | implemented for `T: Sized` | for `T: ?Sized` too | additions; nothing that compiled stops compiling |
//! | `Future`, `Stream`, [`Compat::new`], [`Compat::with_handle`], [`Compat::get_pin_mut`], `AsFd` | not offered | offered | additions |
//!
//! `Compat<T>` is `Unpin` exactly when `T` is, as in `tokio_util`.

pub use crate::compat::{
    Compat, FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt, TokioAsyncReadCompatExt,
    TokioAsyncWriteCompatExt,
};
