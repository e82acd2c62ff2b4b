//! [`SyncIo`]: an async reader, writer or seeker (tokio 1 or futures-io 0.3) used from blocking
//! code through `std::io`.
//!
//! `core.rs` holds the wrapper and its one polling loop, `park.rs` the thread waker, and one file
//! per trait family holds the thin `std::io` faces: `tokio_face.rs`, `futures_face.rs`.
//!
//! # Examples
//!
//! ```
//! use iocompat::sync_io::SyncIo;
//! use std::io::BufRead;
//!
//! let lines = SyncIo::from_futures_io(futures::io::Cursor::new("a\nb\n"));
//! assert_eq!(lines.lines().count(), 2);
//! ```

mod core;
mod park;
cfg_tokio! {
    mod tokio_face;
}
cfg_futures_io! {
    mod futures_face;
}

pub use self::core::{FuturesTraits, SyncIo, TokioTraits};
