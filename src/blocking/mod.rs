//! Drop-in for the [`blocking`](https://docs.rs/blocking) crate: replace `blocking::` with
//! `iocompat::blocking::`.
//!
//! ```
//! # #[cfg(feature = "futures-io")] {
//! use iocompat::blocking::{Unblock, unblock};
//! use futures::io::AsyncReadExt;
//!
//! # futures::executor::block_on(async {
//! let path = std::env::temp_dir().join(format!("iocompat-blocking-doc-{}", std::process::id()));
//! let (p, text) = (path.clone(), "read through the pool");
//! let file = unblock(move || {
//!     std::fs::write(&p, text)?;
//!     std::fs::File::open(&p)
//! })
//! .await?;
//! let mut file = Unblock::new(file);
//! let mut contents = String::new();
//! file.read_to_string(&mut contents).await?;
//! assert_eq!(contents, text);
//! unblock(move || std::fs::remove_file(path)).await?;
//! # std::io::Result::Ok(()) }).unwrap();
//! # }
//! ```
//!
//! | `blocking` | `iocompat::blocking` | core it is a face of |
//! |---|---|---|
//! | `unblock(f)` | [`unblock`](fn@unblock) | `crate::pool` (the pool choice every adapter uses) |
//! | `Task<T>` (what `unblock` returns), `Task::detach` | [`Task`], [`Task::detach`] | `crate::pool` |
//! | `Unblock<T>`: `new`, `with_capacity`, `get_mut`, `with_mut`, `into_inner` | [`Unblock`] (re-export of [`crate::Unblock`]) | `crate::unblock` |
//! | `set_max_blocking_threads` | [`set_max_blocking_threads`] (re-export of `blocking`'s) | the `blocking` crate's pool |
//!
//! # Where the closure runs
//!
//! The pool is chosen where `unblock` is called, by the same rule as for [`Unblock`]: tokio's
//! blocking pool when a tokio runtime is current, else the `blocking` crate's own pool (the
//! one `blocking::unblock` uses). [`set_max_blocking_threads`] sizes only the latter; tokio's
//! is sized by `tokio::runtime::Builder::max_blocking_threads`.
//!
//! # Deliberate differences
//!
//! | what | `blocking` | here | why |
//! |---|---|---|---|
//! | `Unblock::into_inner` | `async fn -> T` | `async fn -> Result<T, IntoInnerError<T>>` | `blocking` silently drops a pending write error (and read-ahead it cannot give back) there; add `?` (it converts into `io::Error`) or handle the error, which gives the adapter back whole |
//! | `Unblock` traits | futures-io `AsyncRead`, `AsyncWrite`, `AsyncSeek`; `Stream` | those, `AsyncBufRead`, and the tokio 1 traits too (features `futures-io`, `tokio`, both default) | one adapter for both ecosystems |
//! | `Unblock<T>` bound | `T: Send + 'static` on each trait impl | on the type itself | the value is moved to pool threads by every operation |
//! | a panic in the value's `read` / `write` / `seek` | not specified | an `io::Error` carrying the panic message (see [`unblock`](crate::unblock#errors)) | an I/O call's failure is an I/O error |
//! | a panic in a `with_mut` closure | a new panic, "`Unblock::with_mut()` operation has panicked" | the closure's own panic, resumed | the payload is kept |
//! | a panic in an `unblock` closure | resumed in the awaiting task | the same | - |
//! | dropping the task of `unblock` | cancels it: a closure not yet started may never run | the closure always runs; its output is dropped | a blocking closure usually has effects (a file written); "maybe" is hard to program against |
//! | the pool drops the closure unrun (tokio runtime shutting down) | cannot happen (its pool is process-wide) | the task's poll panics, saying so | no error type to return, and a hang would be worse |
//! | `Task::cancel`, `Task::fallible`, `Task::is_finished` | offered (from `async-task`) | not offered | the closure cannot be stopped once handed to tokio's pool |
//! | `Unblock` over an `Iterator` | batches of up to 8192 items | up to [`DEFAULT_STREAM_ITEMS`](crate::unblock::DEFAULT_STREAM_ITEMS) items ([`UnblockBuilder::stream_items`](crate::UnblockBuilder::stream_items)) | bounds memory for large items |
//!
//! Everything else `blocking` documents (the 8 MiB default capacity, ours [`DEFAULT_CAPACITY`](crate::unblock::DEFAULT_CAPACITY), `with_capacity`, async
//! `get_mut` and `with_mut`, flushing before dropping) holds here too; see the
//! [`unblock` module](crate::unblock) for the details, which are stricter (a dropped adapter
//! still writes what it accepted).

mod task;

pub use self::task::{Task, unblock};
pub use crate::unblock::{IntoInnerError, Unblock};

/// Sets the maximum number of threads of the `blocking` crate's pool (re-export of
/// [`blocking::set_max_blocking_threads`](https://docs.rs/blocking/latest/blocking/fn.set_max_blocking_threads.html)).
///
/// That pool runs [`unblock`](fn@unblock) closures and [`Unblock`] work when no tokio runtime
/// is current; tokio's own pool is sized by its runtime builder.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
///
/// iocompat::blocking::set_max_blocking_threads(NonZeroUsize::new(64).unwrap());
/// ```
pub use ::blocking::set_max_blocking_threads;
