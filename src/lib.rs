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
//! Wrap the value in the adapter for the conversion you need:
//!
//! ```
//! # #[cfg(all(feature = "tokio", feature = "futures-io"))]
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! let file = tempfile::tempfile()?; // any std reader
//! let mut file = iocompat::Unblock::new(file);
//! let mut out = tokio::io::sink();
//! tokio::io::copy(&mut file, &mut out).await?;
//! # Ok(()) }
//! # #[cfg(not(all(feature = "tokio", feature = "futures-io")))] fn main() {}
//! ```
//!
//! Which one, for each conversion:
//!
//! | you have | you want | use |
//! |---|---|---|
//! | a blocking `std::io::Read` (a `File`, a decoder, stdin, a C binding) | tokio or futures-io `AsyncRead` + `AsyncBufRead` | [`Unblock`] |
//! | a blocking `std::io::Write` | tokio or futures-io `AsyncWrite` | [`Unblock`] |
//! | a blocking `std::io::Seek` | tokio or futures-io `AsyncSeek` | [`Unblock`] |
//! | an `Iterator` that blocks | a `Stream` | [`Unblock`] |
//! | any of these, terser | the same | [`UnblockExt::unblock`] |
//! | an fd-backed std reader or writer (socket, pipe, tty, or a `File` that may be one) | async I/O without a pool thread where epoll can watch it | [`AutoIo`] (Unix) |
//! | a `std::fs::File` read or written at many offsets at once (a database, an object store) | concurrent `read_at` / `write_at` futures with owned buffers, cached pages read without a pool hand-off | [`PositionalFile`] (Unix) |
//! | the process's stdin / stdout / stderr | cancellable async handles | [`stdin()`], [`stdout()`], [`stderr()`] (Unix) |
//! | futures 0.1 `Future` / `Stream` / `Sink` | futures 0.3 / `std` | [`futures01::Future01CompatExt`], [`futures01::Stream01CompatExt`], [`futures01::Sink01CompatExt`] (feature `futures01`) |
//! | futures 0.3 future / stream / sink | futures 0.1 | [`futures01::TryFutureCompatExt`], [`futures01::TryStreamCompatExt`] (`compat`, or `compat_boxed` for `!Unpin` ones such as `async` blocks), [`futures01::SinkCompatExt`] (feature `futures01`) |
//! | tokio-io 0.1 `AsyncRead` / `AsyncWrite` | futures-io (`compat`), or tokio 1 in one hop (`compat_tokio`) | [`futures01::AsyncRead01CompatExt`], [`futures01::AsyncWrite01CompatExt`] (feature `futures01`) |
//! | tokio 1 / futures-io `AsyncRead` / `AsyncWrite` | tokio-io 0.1 | [`futures01::TokioAsyncRead01CompatExt`], [`futures01::AsyncReadCompatExt`] and the write twins (feature `futures01`) |
//! | a tokio 1 runtime | a futures 0.1 `Executor` | [`futures01::TokioExecutor01`] (feature `futures01`) |
//! | legacy code that uses tokio 0.1's timer, reactor, `spawn` or `fs` | it working on a tokio 1 runtime | the bridges above with feature `tokio01`; see `iocompat::tokio01` |
//! | a tokio 1 `AsyncRead` / `AsyncBufRead` / `AsyncSeek` | the futures-io 0.3 traits | [`Compat`], made by `TokioAsyncReadCompatExt::compat` |
//! | a tokio 1 `AsyncWrite` | futures-io 0.3's `AsyncWrite` | [`Compat`], made by `TokioAsyncWriteCompatExt::compat_write` |
//! | a futures-io 0.3 `AsyncRead` / `AsyncBufRead` / `AsyncSeek` | the tokio 1 traits | [`Compat`], made by `FuturesAsyncReadCompatExt::compat` |
//! | a futures-io 0.3 `AsyncWrite` | tokio 1's `AsyncWrite` | [`Compat`], made by `FuturesAsyncWriteCompatExt::compat_write` |
//! | a tokio 1 or futures-io 0.3 reader / writer / seeker | `std::io::Read` / `BufRead` / `Write` / `Seek` in blocking code (a decoder, a CSV writer) | [`SyncIo`] ([`SyncIo::new`], [`SyncIo::from_futures_io`]) |
//! | a future or stream that uses tokio timers, sockets or `spawn` | to poll it with `futures::executor::block_on`, smol or any executor | [`Compat::new`] (enters a tokio runtime context) |
//!
//! # Coming from another crate
//!
//! One module per crate this one replaces; migrating is a path rename, and each module's docs
//! list every place where it deliberately differs:
//!
//! | coming from | rename to |
//! |---|---|
//! | `blocking::` | [`iocompat::blocking::`](crate::blocking) |
//! | `async_compat::` | `iocompat::async_compat::` (features `tokio`, `futures-io`) |
//! | `tokio_util::compat::`, `tokio_util::io::SyncIoBridge` | `iocompat::tokio_util::compat::`, `iocompat::tokio_util::io::SyncIoBridge` (feature `tokio`) |
//! | `futures::compat::` | `iocompat::futures01::` (feature `futures01`) |
//!
//! # Feature flags
//!
//! | feature | default | what it turns on |
//! |---|---|---|
//! | `tokio` | yes | tokio 1 trait impls; blocking work on tokio's blocking pool when a runtime is current |
//! | `futures-io` | yes | futures-io 0.3 trait impls |
//! | `futures01` | no | [`futures01`]: futures 0.1 / tokio-io 0.1 <-> futures 0.3 / tokio 1 (implies `tokio`, `futures-io`) |
//! | `tokio01` | no | `iocompat::tokio01`: tokio 0.1's timer, reactor, executor and `blocking` for every 0.1 value polled through [`futures01`] (implies `futures01`) |
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

pub mod blocking;
mod io_util;
mod pool;
#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(unix)))]
pub mod positional;
#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(unix)))]
pub mod readiness;
pub mod unblock;

pub use crate::pool::{BlockingJob, SpawnBlocking};

/// The old name of [`SpawnBlocking`] (renamed so it is not mistaken for futures' `Spawn`, which
/// spawns futures; this one runs blocking jobs). Deprecated: new code names `SpawnBlocking`.
/// rustc does not warn on the use of a re-exported name (rust-lang/rust#30827), so the alias
/// stays silent; it will be removed in the next breaking release.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "futures-io")] {
/// // Code written against the old name still compiles.
/// struct Inline;
/// impl iocompat::Spawn for Inline {
///     fn spawn(&self, job: iocompat::BlockingJob) {
///         job.run();
///     }
/// }
/// let _reader = iocompat::Unblock::builder().spawner(Inline).build(&b""[..]);
/// # }
/// ```
#[deprecated(since = "0.1.0", note = "renamed to `SpawnBlocking`")]
pub use crate::pool::SpawnBlocking as Spawn;
pub use crate::unblock::{IntoInnerError, Unblock, UnblockBuilder, UnblockExt};

#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(unix)))]
pub use crate::positional::{PositionalFile, PositionalFileBuilder};
#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(unix)))]
pub use crate::readiness::{AutoIo, IoPath, Stderr, Stdin, Stdout, stderr, stdin, stdout};
#[cfg(all(unix, feature = "tokio"))]
#[cfg_attr(docsrs, doc(cfg(all(unix, feature = "tokio"))))]
pub use crate::readiness::{Readiness, ReadinessError};

cfg_futures01! {
    pub mod futures01;
}
cfg_tokio01! {
    pub mod tokio01;
}
cfg_tokio_and_futures_io! {
    pub mod async_compat;
}
cfg_tokio! {
    pub mod tokio_util;
}
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
