//! [`Unblock`]: a blocking `std::io` reader, writer, seeker or iterator used from async code.
//!
//! Wrap a `std::fs::File`, a flate2 decoder, stdin, a C binding or an `Iterator`, and use it
//! with tokio, futures-io or `Stream` combinators without blocking the executor: every call
//! into the wrapped value runs on a blocking pool.
//!
//! ```no_run
//! # #[cfg(all(feature = "tokio", feature = "futures-io"))]
//! # #[tokio::main] async fn main() -> std::io::Result<()> {
//! use iocompat::Unblock;
//!
//! let gz = flate2::read::GzDecoder::new(std::fs::File::open("logs.gz")?);
//! let mut input = Unblock::new(gz);
//! let mut output = tokio::fs::File::create("logs.txt").await?;
//! // `Unblock` is `AsyncBufRead`: `copy_buf` reads straight out of its buffer.
//! tokio::io::copy_buf(&mut input, &mut output).await?;
//! # Ok(()) }
//! # #[cfg(not(all(feature = "tokio", feature = "futures-io")))] fn main() {}
//! ```
//!
//! # Where the blocking work runs
//!
//! Decided at each hand-off, in this order: the [`Spawn`](crate::Spawn) implementation given to
//! [`UnblockBuilder::spawner`]; else tokio's blocking pool when a tokio runtime is current (the
//! adapter is polled inside a runtime, or under `Handle::enter`); else the process-wide pool
//! of the [`blocking`](https://docs.rs/blocking) crate (threads named `blocking-N`), which is
//! what makes `Unblock` work under `futures::executor::block_on`, smol or any other executor.
//!
//! One exception, on Linux: a `std::fs::File` on a regular file whose data is already in the
//! page cache is read on the caller's own thread, with `preadv2(RWF_NOWAIT)` (see *Inline
//! reads* below). That call copies cached pages or fails at once; it never waits for the disk.
//!
//! One blocking job (the *pump*) owns the wrapped value while it works. It never waits for the
//! consumer: when there is nothing it may do (buffers full, nothing queued) it returns, and the
//! adapter starts a new one when the consumer frees space or queues work. So a pool thread is
//! only ever busy inside a call of the wrapped value, and 500 idle adapters hold no thread.
//!
//! # Reading ahead
//!
//! Reads are pipelined: while the consumer handles one chunk, the pump fills the next ones.
//! Read-ahead starts with 16 KiB chunks and doubles the chunk size each time the consumer
//! finishes one, up to a quarter of the capacity, with at most four chunks in existence. The
//! pump keeps reading ahead only while each `read` fills its chunk (a file); after a short
//! read (a socket, pipe or terminal), end of file or an error it stops until the consumer asks
//! again, so a blocking socket is never read while the consumer means to write.
//!
//! [`AsyncBufRead`](tokio::io::AsyncBufRead) hands out the internal chunk, so `copy_buf`,
//! `lines()` and `read_until` cost no extra copy. An end of file is reported once; the next
//! read tries again (a file may have grown).
//!
//! # Inline reads of cached files (Linux)
//!
//! A `std::fs::File` on a regular file (not `O_DIRECT`) is read on the caller's thread when
//! nothing is buffered, no pump is running and the data is in the page cache:
//! `preadv2(RWF_NOWAIT)` copies cached pages and returns `EAGAIN` instead of waiting for the
//! disk, so the executor is never blocked on I/O (this is how io_uring serves cached buffered
//! reads too). A caller buffer of 32 KiB or more is filled directly, with one copy and no
//! hand-off; a smaller read is served from a chunk of up to 256 KiB read the same way. What
//! is not cached (`EAGAIN`) is read on the pool with read-ahead, as above; a filesystem that
//! does not support `RWF_NOWAIT` (`EOPNOTSUPP`) turns inline reads off for that adapter. The
//! file's cursor, the logical position and every rule below are the same either way. One
//! inline read copies at most 256 KiB (a larger caller buffer gets a short read), about as
//! long as a `memcpy` of that size. After [`Unblock::get_mut`] or [`Unblock::with_mut`] the
//! value is checked again (it may have been replaced, or given `O_DIRECT`).
//!
//! Files that change under the reader: the adapter reads the file it was given, through its
//! cursor, as `File` does. Bytes another writer appends are returned by the next read, also
//! after a read returned end of file (`tail -f`). After a truncation, no read that reaches the
//! file returns bytes past the new end; bytes read ahead before it (small reads go through a
//! chunk of at most 256 KiB) are still served, as `std`'s `BufReader` would. A file replaced by
//! a rename is not seen: the old one is read to its end. Files the kernel makes up as they are
//! read (`/proc`, `/sys`), and pipes, FIFOs and sockets passed as a `File`, are read on the
//! pool: the first refuse `RWF_NOWAIT`, the others are not regular files.
//!
//! Caveats: the kernel may still make an inline read wait briefly where io_uring's inline
//! reads wait too: for the file-position lock when the open file is shared with another
//! thread reading it with blocking calls (after `try_clone`), and for the filesystem journal
//! when the read updates the access time (with `relatime`, at most once a day per file). Turn
//! inline reads off with [`UnblockBuilder::inline_reads`] to keep every system call on the
//! pool.
//!
//! # Writing behind
//!
//! `poll_write` copies into a chunk and returns at once; full chunks (or any chunk, when the
//! pool is idle) go to the pump, which writes them with `write_all` semantics. At most four
//! write chunks exist, so a slow writer makes `poll_write` return `Pending` (backpressure).
//! Vectored writes are gathered into the same chunk in one call ([`is_write_vectored`] is
//! true). `poll_flush` returns only when every accepted byte was written and the value's own
//! `flush` returned; `poll_shutdown` / `poll_close` flush the same way (`std::io::Write` has
//! no close: the value is closed when dropped). Before anything is read, queued writes are
//! written, so reading a socket after writing a request cannot deadlock for want of a flush.
//!
//! # Position: seeking, and writing after reading
//!
//! The position the adapter reports and acts on is the consumer's *logical* position: what
//! it has read or written, never where read-ahead left the inner cursor.
//!
//! - `SeekFrom::Current(n)` counts from the logical position. A seek whose target lies inside
//!   the read-ahead (including the part of the current chunk already read) reuses it without
//!   touching the value; any other seek moves the value and drops the read-ahead.
//! - A write after reading lands at the logical position, exactly as with `std`: the unread
//!   read-ahead is given back by seeking the value back first. Generic code cannot see `Seek`
//!   from inside the `Write` impl, so the adapter learns that the value can seek in one of
//!   three ways: it is a `std::fs::File` (recognised by type, so plain `Unblock::new(file)`
//!   does the right thing); it was built with [`UnblockBuilder::build_seekable`]; or it has
//!   been seeked through the adapter's `AsyncSeek`. Otherwise, or when the seek back fails with
//!   `ESPIPE` (a `File` that is a pipe or terminal), the value is treated as a stream whose
//!   read and write sides are independent (a socket): read-ahead is kept across writes.
//! - Without a started seek, tokio's `poll_complete` returns the real logical position (asking
//!   the value when it is not known yet), never a placeholder. After a write the position is
//!   computed only for a `std::fs::File` not opened with `O_APPEND`; an append-mode file (the
//!   kernel moves its offset to the end before each write) and any other value are asked.
//!
//! # Cancellation
//!
//! Dropping a read, write, seek or flush future at any point loses and duplicates nothing.
//! Work handed to the pool always finishes and its result is applied by the next operation:
//! data read ahead stays buffered, a started seek lands before the next read or write, and a
//! failed flush is reported by the next operation. A failed seek whose future was dropped
//! changed nothing and is not reported. A tokio seek that `start_seek` began lands before
//! any other operation, a futures-io seek included, whether or not `poll_complete` was polled;
//! if it fails, the operation that carried it out returns its error (once) and the position
//! is unchanged. With futures-io, which has no separate "start seek",
//! polling `poll_seek` again with the same `SeekFrom` continues the seek under way.
//!
//! # Duplex values: sockets and pipes
//!
//! One `Unblock` over a blocking socket or pipe serves request/response protocols (write,
//! flush or not, then read) without deadlock. What it cannot do is read and write *at the same
//! time* (for example after `tokio::io::split`, with one task blocked reading while another
//! wants to write): the value is in one blocking call at a time. For that, use two handles
//! (`UnixStream::try_clone`, one `Unblock` per direction) or, for descriptors epoll can
//! watch, the readiness path: `AutoIo` (Unix), which needs no pool thread at all.
//!
//! # Memory
//!
//! At most `capacity` bytes of read-ahead and at most `capacity` bytes of write-behind
//! (default 8 MiB each; the default is not part of the semver contract): four chunks per
//! direction, read chunks of up to `capacity / 4` bytes and write chunks of up to 512 KiB (or
//! `capacity / 4` if smaller), reached only while a transfer stays sequential. Chunks are
//! recycled, so steady-state reading and writing allocate nothing per chunk moved. Inline
//! reads use chunks of at most 256 KiB, within the same limits. An idle
//! reader that has read one byte holds four 16 KiB chunks (64 KiB). A capacity below 4 is raised to 4. Iterators are fetched ahead by at most
//! [`UnblockBuilder::stream_items`] items (default 1024).
//!
//! # Errors
//!
//! Every rule in one place:
//!
//! | what happens | what the caller sees |
//! |---|---|
//! | the value returns `Interrupted` | retried on the pool, never surfaced |
//! | a read error | returned once, by the read that reaches it (after the bytes before it); reading then continues |
//! | a write error | kept whole (kind, message, OS code) and returned once by the next `poll_write`, `poll_flush`, `poll_shutdown`, seek, or read (a read waits for queued writes, so it never reads past data that failed to be written); never `Ok(0)`, never `WriteZero`; the unwritten bytes stay queued and are written first by whatever comes next |
//! | the value's `write` returns `Ok(0)` | `WriteZero`, saying so |
//! | a reader claims more bytes than the buffer holds | `InvalidData` |
//! | a seek before byte 0 | `InvalidInput` from the value (or from the adapter), position unchanged |
//! | `start_seek` while a seek is pending | an error telling you to call `poll_complete` first |
//! | the value panics in `read`, `write`, `flush`, `seek` | an `io::Error` carrying the panic message; every later operation fails with an error saying the value panicked earlier (`with_mut` still runs) |
//! | a `with_mut` closure panics | the panic is resumed in the caller |
//! | an iterator panics | the panic is resumed in `poll_next`; the stream then ends |
//! | the pool drops a job unrun (its tokio runtime shut down) | an error that says so; the next operation tries again (after the adapter was dropped: the job runs where it is dropped, see [Drop](#drop)) |
//! | `get_mut` meets an error | kept, and returned by the next operation |
//! | `into_inner` meets an error, unwritten data, or read-ahead it cannot give back | [`IntoInnerError`] with the error and the adapter itself |
//!
//! # Accessors are `async`
//!
//! [`Unblock::get_mut`], [`Unblock::with_mut`] and [`Unblock::into_inner`] are `async`
//! because the value may be out on the pool: they wait for the pump to hand it back, and
//! write out buffered data first, so the value you get is at the logical position with
//! nothing of yours still in flight.
//!
//! # Drop
//!
//! Dropping the adapter stops read-ahead. Buffered writes are still written and the value is
//! flushed and dropped on the pool (best effort: call `flush` or `shutdown` first to see
//! errors). An operation in flight finishes on the pool. A value blocked forever in `read`
//! (stdin with nobody typing) keeps its pool thread until the call returns; the readiness
//! path (`AutoIo`, `iocompat::stdin()` on Unix) avoids that.
//!
//! Every byte a write accepted is written, whatever the runtime does next:
//!
//! | right after the drop | what happens to the accepted bytes |
//! |---|---|
//! | the tokio runtime is dropped (`#[tokio::main]` returning), or `shutdown_timeout` | written before the runtime's drop returns (it waits for its blocking threads; `shutdown_timeout` waits at most its timeout, then as below) |
//! | `shutdown_background` | written by a blocking-pool thread that outlives the runtime |
//! | no tokio runtime (`futures::executor::block_on`, smol, ...) | written by a thread of the `blocking` crate's pool |
//! | the adapter is dropped while its runtime is shutting down (inside a task being dropped) | written on that thread, before the drop returns |
//!
//! tokio drops the blocking jobs still queued when its runtime shuts down, and refuses new
//! ones once it has begun to: a job of a dropped adapter then does its writes and final flush
//! on the thread that drops it (a blocking-pool thread, or the thread shutting the runtime
//! down), instead of losing them.
//!
//! What cannot be saved: bytes a pool thread is still writing when the *process* ends
//! (`std::process::exit`, or `main` returning after `shutdown_background` or a short
//! `shutdown_timeout`, or with no tokio runtime at all, whose `blocking` threads do not keep the
//! process alive), and an adapter leaked with [`std::mem::forget`]: its last chunk is never
//! handed over, and the value is never flushed, dropped or closed (queued chunks are still
//! written by a pump already running; no thread is kept). Call `flush`, `shutdown` or
//! `into_inner` before exiting to be sure, and to see errors.
//!
//! # Coming from `blocking::Unblock`
//!
//! Change the import (`blocking::` -> [`iocompat::blocking::`](crate::blocking), which also
//! has `unblock`). The one difference you will notice: `into_inner().await` returns
//! `Result<T, IntoInnerError<T>>` instead of `T`, because `blocking` silently drops a pending
//! write error there (and unread data of a socket); add `?` (it converts into `io::Error`) or
//! handle the error, which gives the adapter back with everything still in it.
//!
//! [`is_write_vectored`]: tokio::io::AsyncWrite::is_write_vectored

mod adapter;
mod core;
pub(crate) mod direct;
mod shared;
mod stream;

cfg_tokio! {
    mod tokio_io;
}

cfg_futures_io! {
    mod futures_io;
}

pub use self::adapter::{IntoInnerError, Unblock, UnblockBuilder, UnblockExt};
