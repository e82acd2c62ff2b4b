//! [`Compat`]: tokio 1 I/O traits <-> futures-io 0.3 I/O traits, and a tokio runtime context for
//! any future polled by another executor.
//!
//! One file per direction: `tokio_to_futures.rs` (a tokio value gets the futures-io traits) and
//! `futures_to_tokio.rs` (a futures-io value gets the tokio traits); `core.rs` holds the wrapper
//! and `context.rs` the runtime it enters.
//!
//! # Examples
//!
//! ```
//! use iocompat::compat::{Compat, TokioAsyncWriteCompatExt};
//!
//! # futures::executor::block_on(async {
//! let mut w: Compat<Vec<u8>> = Vec::new().compat_write();
//! futures::io::AsyncWriteExt::write_all(&mut w, b"via futures-io").await?;
//! assert_eq!(w.into_inner(), b"via futures-io");
//! # std::io::Result::Ok(()) }).unwrap();
//! ```

mod context;
mod core;
cfg_futures_io! {
    mod futures_to_tokio;
    mod tokio_to_futures;
}

pub use self::core::Compat;
cfg_futures_io! {
    pub use self::futures_to_tokio::{FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt};
    pub use self::tokio_to_futures::{TokioAsyncReadCompatExt, TokioAsyncWriteCompatExt};
}
