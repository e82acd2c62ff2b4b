//! [`PositionalFile`]: many concurrent `read_at` / `write_at` on one file, from async code
//! (Unix).
//!
//! Databases, object stores, torrent and media servers read one file at many offsets at
//! once. `tokio::fs::File` serialises every access through one cursor (it needs `&mut` and a
//! seek per read), and `spawn_blocking(move || file.read_at(..))` by hand pays a pool
//! hand-off even when the pages are cached. A `PositionalFile` is a cloneable `Send + Sync`
//! handle over one `std::fs::File` whose operations take an offset and an owned buffer:
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> std::io::Result<()> {
//! use iocompat::PositionalFile;
//!
//! let file = PositionalFile::new(std::fs::File::open("index.db")?);
//! let (a, b) = tokio::join!(
//!     file.read_exact_at(vec![0u8; 4096], 0),
//!     file.read_exact_at(vec![0u8; 4096], 1 << 20),
//! );
//! let (page_a, page_b) = (a.0.map(|()| a.1)?, b.0.map(|()| b.1)?);
//! # drop((page_a, page_b));
//! # Ok(()) }
//! ```
//!
//! | operation | does | resolves to |
//! |---|---|---|
//! | [`read_at`](PositionalFile::read_at)`(buf, offset)` | one `pread` | `(io::Result<usize>, buf)` |
//! | [`read_exact_at`](PositionalFile::read_exact_at)`(buf, offset)` | fills `buf` | `(io::Result<()>, buf)` |
//! | [`write_at`](PositionalFile::write_at)`(buf, offset)` | one `pwrite` | `(io::Result<usize>, buf)` |
//! | [`write_all_at`](PositionalFile::write_all_at)`(buf, offset)` | writes all of `buf` | `(io::Result<()>, buf)` |
//! | [`sync_all`](PositionalFile::sync_all), [`sync_data`](PositionalFile::sync_data) | `fsync`, `fdatasync` | `io::Result<()>` |
//! | [`set_len`](PositionalFile::set_len)`(size)` | `ftruncate` | `io::Result<()>` |
//! | [`metadata`](PositionalFile::metadata), [`len`](PositionalFile::len) | `fstat` | `io::Result<Metadata>`, `io::Result<u64>` |
//!
//! Buffers are any `B: AsMut<[u8]>` (reads) or `B: AsRef<[u8]>` (writes) that is
//! `Send + 'static`: `Vec<u8>`, `Box<[u8]>`, `[u8; N]`, `bytes::BytesMut`. The buffer is
//! given back with the result, so it can be reused.
//!
//! # Where the work runs
//!
//! Nothing happens until an operation's future is first polled. Then:
//!
//! 1. Reads (Linux): `preadv2(fd, buf, offset, RWF_NOWAIT)` on the polling thread. It copies
//!    pages already in the page cache and fails with `EAGAIN` instead of waiting for the
//!    disk, so the executor never waits on I/O; one call copies at most 256 KiB (a larger
//!    `read_at` returns a short count, a larger `read_exact_at` continues at its next poll,
//!    after yielding). What is not cached goes to step 2. Such a miss is not free (the
//!    kernel starts the readahead on the calling thread before it answers), so while
//!    attempts keep missing, most reads skip them: with `m` misses counted (each hit halves
//!    the count), a miss sends the next `2^(m-1) - 1` reads (at most 255) straight to the
//!    pool. A filesystem without `RWF_NOWAIT` support, an `O_DIRECT` file or a kernel
//!    without `preadv2` turns this off for the handle (and its clones) by itself;
//!    [`PositionalFileBuilder::inline_reads`] turns it off by hand.
//! 2. Everything else: one job on the blocking pool, chosen as for every adapter of this
//!    crate: the [`SpawnBlocking`](crate::SpawnBlocking) given to [`PositionalFileBuilder::spawner`]; else
//!    the blocking pool of the tokio runtime current at that poll; else the process-wide pool
//!    of the [`blocking`](https://docs.rs/blocking) crate, which is what makes it work under
//!    `futures::executor::block_on`, smol or any other executor. The job owns the buffer
//!    while it runs and does the whole operation (a `read_exact_at` or `write_all_at` loops
//!    there, retrying `Interrupted`).
//!
//! An idle handle holds no thread and no buffer: just the file and an `Arc`. Operations never
//! wait for each other, except that a sync first waits for writes whose futures were dropped
//! (below). Overlapping writes in flight at once land in the order the kernel runs them, as
//! with concurrent `pwrite`s from threads.
//!
//! # Cancellation
//!
//! - A dropped read loses nothing: reads have no effect, and a buffer out on the pool is
//!   freed there when the job ends.
//! - A dropped write (`write_at`, `write_all_at`) or `set_len` whose future was polled once
//!   is **completed in full on the pool**: the job is not stopped. If it fails, or a dropped
//!   `write_at` writes only part of its buffer, the failure is kept (whole, as the
//!   [`source`](std::error::Error::source) of an error naming the operation and offset) and
//!   **reported by the next operation** started on any clone of the handle, which then does
//!   nothing else and returns the failure. One failure is reported, with a count of any
//!   later ones.
//! - [`sync_all`](PositionalFile::sync_all) and [`sync_data`](PositionalFile::sync_data)
//!   first wait for such dropped writes still running, so a successful sync covers them, and
//!   a failed one is reported by the sync.
//! - If the pool drops a job unrun (a tokio runtime shutting down drops its queued blocking
//!   jobs and refuses new ones): an operation still awaited fails with an error that says so
//!   (retry on a live runtime); a dropped write's job does its write on the thread that drops
//!   it (a pool thread, or the one shutting the runtime down), as [`Unblock`](crate::Unblock)
//!   does, so accepted writes are not lost.
//! - A future dropped before its first poll did nothing.
//!
//! # Errors
//!
//! Every error names the operation, and the offset or size: `iocompat::PositionalFile::read_at:
//! Bad file descriptor (os error 9) at offset 4096`. An OS error keeps its kind, and the
//! original `io::Error` (with its OS code) is the new error's
//! [`source`](std::error::Error::source).
//!
//! | what happens | what the operation returns |
//! |---|---|
//! | an empty buffer | `Ok(0)` / `Ok(())` at once, no system call (after the checks below) |
//! | `offset + buf.len()` overflows `u64` | `InvalidInput`, saying so; nothing done |
//! | `offset` beyond `i64::MAX` (the kernel's largest file offset) | `InvalidInput`, saying so; nothing done |
//! | a read at or past the end of the file | `read_at`: `Ok(0)`; `read_exact_at`: `UnexpectedEof` saying how many bytes it got |
//! | a write past the end of the file | extends it; the gap reads as zeros |
//! | a write beyond the filesystem's largest file | the OS error (`EFBIG`) |
//! | a read on a file opened without read access, a write or `set_len` without write access | the OS error (`EBADF`) |
//! | a write on a file opened with `O_APPEND` (the kernel would ignore the offset) | `InvalidInput`, saying so; nothing done |
//! | `Interrupted` | retried on the pool, never returned |
//! | the file accepts 0 bytes in `write_all_at` | `WriteZero` |
//! | a dropped write failed earlier | that failure, once (see [Cancellation](#cancellation)) |
//! | the pool drops the job unrun (its tokio runtime shut down) | `Other`, saying so; the next operation tries again |
//! | the user's [`SpawnBlocking`](crate::SpawnBlocking) panics | `Other`, carrying the panic message (a job it handed on before panicking may still run; then its result stands) |
//!
//! A future polled again after it returned its result panics, as most futures do.
//!
//! # Memory
//!
//! No internal buffers: every byte moves between the file and the caller's buffer. Each
//! operation in flight holds one small allocation (the result slot) and, on the pool, one job.
//!
//! # Platform-specific behavior
//!
//! Unix only: the type is built on [`FileExt::read_at`](std::os::unix::fs::FileExt::read_at)
//! and `write_at`, and is not compiled elsewhere (Windows' `seek_read` moves the file cursor,
//! so it would not be positional, and no test of ours runs there). Inline reads of cached
//! pages are Linux only; on other Unix systems every read goes to the pool.

mod adapter;
mod core;

pub use self::adapter::{PositionalFile, PositionalFileBuilder};
