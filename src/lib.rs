//! Convert between the three generations of Rust I/O: blocking [`std::io`], the futures 0.1 /
//! tokio-io 0.1 world, and today's `AsyncRead` / `AsyncWrite` (tokio 1 and futures-io 0.3).
//!
//! # The problem
//!
//! A blocking reader is not an async reader, and tokio's traits are not futures-io's:
//!
//! ```compile_fail
//! # async fn f() -> std::io::Result<()> {
//! let mut file = std::fs::File::open("Cargo.toml")?;
//! let mut out = tokio::io::sink();
//! // error[E0277]: the trait bound `File: tokio::io::AsyncRead` is not satisfied
//! tokio::io::copy(&mut file, &mut out).await?;
//! # Ok(()) }
//! ```
//!
//! # The fix
//!
//! Wrap the value in the adapter for the conversion you need.
//!
//! | you have | you want | use |
//! |---|---|---|
//! | a tokio 1 `AsyncRead` / `AsyncBufRead` / `AsyncSeek` | the futures-io 0.3 traits | [`Compat`], made by `TokioAsyncReadCompatExt::compat` |
//! | a tokio 1 `AsyncWrite` | futures-io 0.3's `AsyncWrite` | [`Compat`], made by `TokioAsyncWriteCompatExt::compat_write` |
//! | a futures-io 0.3 `AsyncRead` / `AsyncBufRead` / `AsyncSeek` | the tokio 1 traits | [`Compat`], made by `FuturesAsyncReadCompatExt::compat` |
//! | a futures-io 0.3 `AsyncWrite` | tokio 1's `AsyncWrite` | [`Compat`], made by `FuturesAsyncWriteCompatExt::compat_write` |
//! | a tokio 1 or futures-io 0.3 reader / writer / seeker | `std::io::Read` / `BufRead` / `Write` / `Seek` in blocking code (a decoder, a CSV writer) | [`SyncIo`] ([`SyncIo::new`], [`SyncIo::from_futures_io`]) |
//! | a future or stream that uses tokio timers, sockets or `spawn` | to poll it with `futures::executor::block_on`, smol or any executor | [`Compat::new`] (enters a tokio runtime context) |
//!
//! # Feature flags
//!
//! | feature | default | what it turns on |
//! |---|---|---|
//! | `tokio` | yes | tokio 1 trait impls; blocking work on tokio's blocking pool when a runtime is current |
//! | `futures-io` | yes | futures-io 0.3 trait impls |
//! | `full` | no | everything |
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[macro_use]
mod macros;

cfg_tokio! {
    pub mod compat;
    pub use crate::compat::Compat;
}
cfg_tokio_and_futures_io! {
    pub use crate::compat::{
        FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt, TokioAsyncReadCompatExt,
        TokioAsyncWriteCompatExt,
    };
}

#[cfg(any(feature = "tokio", feature = "futures-io"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tokio", feature = "futures-io"))))]
pub mod sync_io;
#[cfg(any(feature = "tokio", feature = "futures-io"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tokio", feature = "futures-io"))))]
pub use crate::sync_io::SyncIo;
