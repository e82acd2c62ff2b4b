//! [`Unblock`]: a blocking `std::io` reader, writer, seeker or iterator used from async code.
//!
//! DOCS_PLACEHOLDER

mod adapter;
mod core;
mod shared;
mod stream;

cfg_tokio! {
    mod tokio_io;
}

cfg_futures_io! {
    mod futures_io;
}

pub use self::adapter::{IntoInnerError, Unblock, UnblockBuilder, UnblockExt};
