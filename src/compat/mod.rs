//! [`Compat`]: tokio 1 I/O traits <-> futures-io 0.3 I/O traits, and a tokio runtime context for
//! any future polled by another executor.
//!
//! `core.rs` holds the wrapper, one face file per trait family it implements holds the trait
//! impls (`futures_face.rs`: a tokio value gets the futures-io traits; `tokio_face.rs`: a
//! futures-io value gets the tokio traits), and `context.rs` the runtime it enters.
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
    mod futures_face;
    mod tokio_face;
}

pub use self::core::Compat;
cfg_futures_io! {
    pub use self::futures_face::{TokioAsyncReadCompatExt, TokioAsyncWriteCompatExt};
    pub use self::tokio_face::{FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt};
}
