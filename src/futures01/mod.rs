//! futures 0.1 / tokio-io 0.1 <-> futures 0.3, tokio 1 and futures-io: migrate legacy code one
//! piece at a time (feature `futures01`). Drop-in for `futures::compat`: replace
//! `futures::compat::` with `iocompat::futures01::` (the table below lists every name).
//!
//! futures 0.4 removed `futures::compat`; this module is its maintained successor. A futures 0.1
//! future cannot be awaited, and a tokio 1 socket is not a tokio-io 0.1 `AsyncRead`:
//!
//! ```compile_fail
//! # async fn f() {
//! let legacy = futures01::future::ok::<u32, ()>(1);
//! // error[E0277]: `FutureResult<u32, ()>` is not a future
//! legacy.await;
//! # }
//! ```
//!
//! Wrap it in the adapter for the direction you need:
//!
//! ```
//! use iocompat::futures01::Future01CompatExt;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let legacy = futures01::future::ok::<u32, ()>(1);
//! assert_eq!(legacy.compat().await, Ok(1));
//! # });
//! ```
//!
//! # Migrating from `futures::compat`
//!
//! Every name of `futures::compat` is here, with the same signature: changing
//! `futures::compat::` to `iocompat::futures01::` in an existing program is all it takes.
//!
//! | futures 0.3 | iocompat | what it does |
//! |---|---|---|
//! | `futures::compat::Future01CompatExt::compat` | [`Future01CompatExt::compat`] | 0.1 `Future` -> `std::future::Future` |
//! | `futures::compat::Stream01CompatExt::compat` | [`Stream01CompatExt::compat`] | 0.1 `Stream` -> 0.3 `Stream` |
//! | `futures::compat::Sink01CompatExt::sink_compat` | [`Sink01CompatExt::sink_compat`] | 0.1 `Sink` -> 0.3 `Sink` |
//! | `futures::compat::AsyncRead01CompatExt::compat` | [`AsyncRead01CompatExt::compat`] | tokio-io 0.1 reader -> futures-io (then tokio-util's `compat()` as before) |
//! | `futures::compat::AsyncWrite01CompatExt::compat` | [`AsyncWrite01CompatExt::compat`] | tokio-io 0.1 writer -> futures-io |
//! | (two hops through tokio-util) | [`AsyncRead01CompatExt::compat_tokio`], [`AsyncWrite01CompatExt::compat_tokio`] | tokio-io 0.1 reader / writer -> tokio 1, one hop ([`Tokio01As1`]) |
//! | `futures::compat::Executor01CompatExt::compat` | [`Executor01CompatExt::compat`] | 0.1 `Executor` -> 0.3 `Spawn` |
//! | `futures::compat::{Compat01As03, Compat01As03Sink}` | [`Compat01As03`], [`Compat01As03Sink`] | the 0.1 -> 0.3 wrappers |
//! | `futures::compat::{Compat, CompatSink}` | [`Compat`], [`CompatSink`] | the 0.3 -> 0.1 wrappers |
//! | `futures::compat::{Executor01As03, Executor01Future}` | [`Executor01As03`], [`Executor01Future`] | the executor wrappers |
//! | `futures::TryFutureExt::compat` | [`TryFutureCompatExt::compat`] (`Unpin`), [`TryFutureCompatExt::compat_boxed`] (any) | 0.3 future -> 0.1 `Future` |
//! | `futures::TryStreamExt::compat` | [`TryStreamCompatExt::compat`] (`Unpin`), [`TryStreamCompatExt::compat_boxed`] (any) | 0.3 stream -> 0.1 `Stream` |
//! | `futures::SinkExt::compat` | [`SinkCompatExt::compat`] | 0.3 `Sink` -> 0.1 `Sink` |
//! | `futures::io::AsyncReadExt::compat` | [`AsyncReadCompatExt::compat`] | futures-io reader -> tokio-io 0.1 |
//! | `futures::io::AsyncWriteExt::compat_write` | [`AsyncWriteCompatExt::compat_write`] | futures-io writer -> tokio-io 0.1 |
//! | (two hops through tokio-util) | [`TokioAsyncRead01CompatExt::compat01`], [`TokioAsyncWrite01CompatExt::compat01_write`] | tokio 1 reader / writer -> tokio-io 0.1, one hop |
//! | (none) | [`TokioExecutor01`] | a tokio 1 runtime as a 0.1 `Executor` |
//!
//! A program that also imports tokio-util's `compat` traits for the second hop keeps
//! compiling after the rename: [`Compat01As03`] implements the futures-io traits only, as
//! `futures::compat`'s does (a value implementing both families would make tokio-util's two
//! `compat` methods ambiguous, E0034), and the one-hop tokio 1 face is the separate
//! [`Tokio01As1`] (`dropin_futures_compat::the_two_hop_program_with_tokio_util_compat_compiles_and_runs_after_the_rename`).
//!
//! The five rows before the last start from futures 0.3 traits, not from `futures::compat`. If futures
//! 0.3's own `TryFutureExt` / `TryStreamExt` / `SinkExt` / `io` extension traits are in scope
//! with its `compat` / `io-compat` features on, the `compat` method names are ambiguous: turn
//! those features off (futures 0.4 has none) or call ours by path, as in
//! `TryFutureCompatExt::compat(fut)`.
//!
//! What differs from `futures::compat`, by design:
//! - 0.3 -> 0.1 keeps the value inline and needs it `Unpin`, as `futures::compat` does (a 0.1
//!   `poll` takes `&mut self`, and the wrapper may move between polls). A `!Unpin` value (an
//!   `async` block) has its own method, [`TryFutureCompatExt::compat_boxed`] /
//!   [`TryStreamCompatExt::compat_boxed`], which pins it on the heap once, at conversion: the
//!   same one `Box` that `futures::compat` users write as `.boxed().compat()`. The one method
//!   name cannot do both without specialization (the result's type would depend on `Unpin`),
//!   and a box for every `Unpin` value costs an allocation per conversion that
//!   `futures::compat` does not pay.
//! - A 0.3 future or stream is polled with a probe waker (one per thread, recording only
//!   whether it was woken) until it keeps a waker, so converting a value that is ready at once,
//!   or that only wakes itself, makes no waker. A value that keeps a clone of the probe is
//!   polled a second time at once, with a real waker (allowed by the `Future` contract: a
//!   0.3 value wakes the waker of its latest poll).
//! - Waker bridging allocates nothing per poll (below), and `Task::will_notify_current()`
//!   works under the bridge.
//! - The tokio-io 0.1 <-> tokio 1 bridge is one hop, with `AsyncBufRead` / `BufRead`,
//!   vectored writes (tokio-io 0.1's `write_buf` included: one vectored write of the `Buf`'s
//!   slices, not one write per slice) and `shutdown` forwarded, and seeking both ways
//!   (`std::io::Seek` <-> tokio and futures-io `AsyncSeek`).
//! - A sink item refused by a full 0.1 sink is kept, never dropped (see
//!   [`Compat01As03Sink`]); `start_send` without `poll_ready` panics instead of overwriting it.
//! - No `unsafe` code.
//!
//! # You have, you want, use
//!
//! | you have | you want | use |
//! |---|---|---|
//! | 0.1 `Future` | `std::future::Future` | [`Future01CompatExt::compat`] -> [`Compat01As03`] |
//! | 0.1 `Stream` | 0.3 `Stream` | [`Stream01CompatExt::compat`] -> [`Compat01As03`] |
//! | 0.1 `Sink` | 0.3 `Sink` | [`Sink01CompatExt::sink_compat`] -> [`Compat01As03Sink`] |
//! | tokio-io 0.1 `AsyncRead` (+ `BufRead`) | futures-io `AsyncRead` (+ `AsyncBufRead`) | [`AsyncRead01CompatExt::compat`] -> [`Compat01As03`] |
//! | tokio-io 0.1 `AsyncRead` (+ `BufRead`) | tokio 1 `AsyncRead` (+ `AsyncBufRead`) | [`AsyncRead01CompatExt::compat_tokio`] -> [`Tokio01As1`] |
//! | tokio-io 0.1 `AsyncWrite` | futures-io / tokio 1 `AsyncWrite` | [`AsyncWrite01CompatExt::compat`] -> [`Compat01As03`] / [`AsyncWrite01CompatExt::compat_tokio`] -> [`Tokio01As1`] |
//! | a 0.1-style `std::io::Seek` | futures-io / tokio 1 `AsyncSeek` | [`Compat01As03::new`] / [`Tokio01As1::new`] |
//! | tokio 1 / futures-io `AsyncSeek` | `std::io::Seek` inside a 0.1 task | [`Tokio1As01`] / [`Compat`] |
//! | 0.3 future (`Unpin`) | 0.1 `Future` | [`TryFutureCompatExt::compat`] -> [`Compat`] |
//! | `async` block, any `!Unpin` 0.3 future | 0.1 `Future` | [`TryFutureCompatExt::compat_boxed`] -> `Compat<Pin<Box<_>>>` |
//! | 0.3 `TryStream` (`Unpin`, or `!Unpin` by [`TryStreamCompatExt::compat_boxed`]) | 0.1 `Stream` | [`TryStreamCompatExt::compat`] -> [`Compat`] |
//! | 0.3 `Sink` | 0.1 `Sink` | [`SinkCompatExt::compat`] -> [`CompatSink`] |
//! | futures-io `AsyncRead` (+ `AsyncBufRead`) / `AsyncWrite` | tokio-io 0.1 (+ `std::io::BufRead`) | [`AsyncReadCompatExt::compat`] / [`AsyncWriteCompatExt::compat_write`] -> [`Compat`] |
//! | tokio 1 `AsyncRead` (+ `AsyncBufRead`) / `AsyncWrite` | tokio-io 0.1 (+ `std::io::BufRead`) | [`TokioAsyncRead01CompatExt::compat01`] / [`TokioAsyncWrite01CompatExt::compat01_write`] -> [`Tokio1As01`] |
//! | tokio 1 `Handle` | 0.1 `Executor` | [`TokioExecutor01`] |
//! | 0.1 `Executor` | 0.3 `Spawn` | [`Executor01CompatExt::compat`] -> [`Executor01As03`] |
//! | a 0.1 / 0.3 poll result | the other form | [`poll_01_to_std`], [`poll_std_to_01`], [`poll_stream_01_to_std`], [`poll_stream_std_to_01`], [`start_send_01_to_std`], [`ready_std_to_start_send`], [`poll_io_01_to_std`], [`poll_io_std_to_01`] |
//!
//! # Waker bridging
//!
//! - 0.1 code under a 0.3 executor: each wrapper makes one notify handle (an `Arc`, turned into
//!   a 0.1 `NotifyHandle` by futures 0.1's safe `From<Arc<T: Notify>>`) the first time the 0.1
//!   code calls `task::current()`, and keeps it. `task::current()` and `Task::clone` then cost a
//!   reference count, and `Task::will_notify_current()` is `true` whenever the same wrapper is
//!   polled, by whatever waker. A notification wakes the latest poll's waker and those of
//!   earlier polls by other wakers (the other half of a split value) that no notification has
//!   reached yet, so no task misses its wake-up; more tasks than the wrapper keeps wakers for
//!   get an early (spurious) wake-up instead. Whether two wakers are the same (`will_wake`) is
//!   used only to skip work: it is not reliable in release builds, where tokio's `block_on`
//!   waker and its clones have different vtable addresses.
//! - 0.3 code under a 0.1 executor: a future or stream is polled with a thread-local probe
//!   waker until it keeps a waker (a wake it asks for meanwhile is passed to the current 0.1
//!   task), so a value ready at once needs no waker. One that keeps a clone of the probe is
//!   asked again at once with a real waker, which holds the current 0.1 task and is kept; the
//!   wrapper gives it back to the thread's idle ones when done (its task cleared, so no 0.1
//!   task outlives the wrapper), so the next wrapper allocates none. A wrapper polled by
//!   another 0.1 task (the kept waker's task no longer `will_notify_current()`) takes a waker
//!   for that task first, and the wakers the 0.3 value already holds keep notifying theirs.
//!
//! Both are proved allocation-free per poll by `tests/futures01_alloc.rs`, over 100k stream
//! items that each answer not-ready first; the same file counts allocations per conversion
//! beside `futures::compat`'s (none for an `Unpin` future ready at once or answering
//! `Pending` first, against `futures::compat`'s one per waker clone; one `Box` for a
//! `!Unpin` one, as `futures::compat` with `Box::pin`).
//!
//! # Error and failure mapping
//!
//! Every rule (each is held by a test; the repository's `ARCHITECTURE.md` names them):
//!
//! | situation | result |
//! |---|---|
//! | 0.1 `NotReady` / 0.3 `Pending` | the other one |
//! | tokio-io 0.1 `WouldBlock` | `Pending` (and back) |
//! | tokio-io 0.1 `Interrupted` | retried, never surfaced |
//! | any other `io::Error` | passed through whole: kind, message, OS code |
//! | a 0.1 reader / writer claims more bytes than the buffer | `InvalidData` error naming the counts, no panic |
//! | 0.1-facing I/O used outside a 0.1 task | `ErrorKind::Other` naming the call and how to fix it (`futures01::future::lazy`, or `.compat()`) |
//! | 0.1-facing future / stream / sink polled outside a 0.1 task | a panic naming the type and what to do (its error type is the caller's, so there is no error to return) |
//! | 0.3 `start_send` without `poll_ready` on [`Compat01As03Sink`] while an item is kept | a panic saying to wait for `poll_ready` (never a dropped item) |
//! | tokio `start_seek` while a seek is in progress | `ErrorKind::Other` saying to call `poll_complete` first |
//! | tokio `poll_complete` with no seek started | the real position (`SeekFrom::Current(0)`), never a placeholder `0` |
//! | a failed seek | the error; the adapter is idle again |
//! | [`Tokio1As01`] `seek` answered `WouldBlock` | retry with the same position finishes it; another position is `InvalidInput` |
//! | [`TokioExecutor01`] on a shut-down runtime | `ExecuteError` of kind `Shutdown`, future handed back |
//! | a 0.1 executor refuses a 0.3 task | `SpawnError::shutdown()` |
//!
//! # IO outside a futures 0.1 task
//!
//! [`Compat`] and [`Tokio1As01`] implement `std::io::Read` / `Write` / `BufRead` and the
//! tokio-io 0.1 traits, which only make sense inside a 0.1 task (a `WouldBlock` promises that
//! the current task will be notified). Called from plain code outside one, every method returns
//! an `io::Error` of kind `Other` that names the call (`read`, `fill_buf`, `write`,
//! `write_vectored`, `flush`, `shutdown`, `seek`, as in `iocompat::futures01::Tokio1As01::write`)
//! and says how to fix it, instead of futures 0.1's panic "no Task is currently running" from
//! deep inside. Nothing is read or written. Legacy libraries that start I/O as soon as they are
//! called (tokio-tungstenite 0.9's `client_async`) meet this; wrap the call in
//! `futures01::future::lazy` so it runs inside the 0.1 task that polls it, or poll the 0.1
//! future making the call through `.compat()`:
//!
//! ```
//! use futures01::Future;
//! use iocompat::futures01::{Future01CompatExt, TokioAsyncWrite01CompatExt};
//! use std::io::Write;
//!
//! let mut w = Vec::<u8>::new().compat01_write();
//! assert!(w.write(b"x").is_err()); // no 0.1 task here
//! let n = futures01::future::lazy(|| w.write(b"x")).wait().unwrap(); // inside one
//! assert_eq!(n, 1);
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let n = futures01::future::lazy(|| w.write(b"y")).compat().await.unwrap();
//! assert_eq!(n, 1);
//! # });
//! assert_eq!(w.get_ref(), b"xy");
//! ```
//!
//! # Memory
//!
//! No adapter here buffers data. [`Compat01As03Sink`] keeps at most one item (the one a full 0.1
//! sink handed back); [`Compat`] and [`CompatSink`] hold the wrapped value inline (a
//! `Compat<Pin<Box<T>>>` from `compat_boxed`, one heap pin); each wrapper holds at most one
//! notify handle (with the wakers it wakes: the first, the latest and at most four more, not
//! part of the semver contract) or one waker. Each thread that polls 0.3 code through the
//! bridge keeps one probe waker and at most four idle wakers (not part of the semver
//! contract), none of them holding a 0.1 task.
//!
//! # Caveats
//!
//! - tokio-io 0.1's `read_buf` zeroes the spare capacity it reads into, because skipping that
//!   needs an `unsafe fn prepare_uninitialized_buffer` override and this crate forbids
//!   `unsafe`. Plain `read` into an initialised buffer (what codecs end up calling through
//!   `read_buf`, after that zeroing) is never zeroed again; [`Tokio1As01`] hands that buffer to
//!   tokio as is. In the other direction, tokio's `ReadBuf` zeroes only memory never
//!   initialised before, once.
//! - [`Compat01As03`]'s `poll_fill_buf` calls the inner `BufRead::fill_buf` a second time to
//!   return the slice (today's borrow checker cannot return it from the retry loop); that call
//!   returns the bytes already buffered without I/O, as `std::io::BufReader` and every
//!   well-behaved `BufRead` do.
//!
//! # Performance
//!
//! `cargo bench --bench futures01 --features futures01` runs every conversion beside
//! `futures::compat` and native code (or, per conversion, the same work in plain futures 0.1)
//! and counts allocations per conversion; the dated numbers are in the repository's
//! `benches/README.md`. In short: no conversion allocates more than `futures::compat`'s; a
//! 0.3 future or stream driven by a 0.1 task runs at 1.15-4x `futures::compat`'s speed (no
//! waker until the value keeps one, wakers reused, none made per poll or per clone); the
//! 0.1 -> 0.3 cases cost about what `futures::compat`'s cost (a plain 0.1 stream of ready
//! items 0.91x its speed, 0.3 ns an item; a stream that parks, 1.05-2x).
//!
//! Those 0.1 -> 0.3 cases sit on a floor futures 0.1 sets: every wrapper must be its own 0.1
//! task, and futures 0.1's public API makes one only through `executor::spawn` (a global
//! atomic task-id counter and a task-local map, most of a ready future's cost) and enters it
//! per poll through a thread-local. Sharing one task per thread would be faster and would mix
//! up `task_local!` data between unrelated tasks, so it is not done.
//!
//! Reading in small pieces shows the fixed cost of a call through an async read (a future, a
//! `ReadBuf`, and entering a 0.1 task, a few ns); at common buffer sizes it disappears in the
//! copy.

mod compat01as03;
mod compat03as01;
mod executor;
mod io01as03;
mod io03as01;
mod poll;
mod task;

pub use self::compat01as03::{
    Compat01As03, Compat01As03Sink, Future01CompatExt, Sink01CompatExt, Stream01CompatExt,
};
pub use self::compat03as01::{
    Compat, CompatSink, SinkCompatExt, TryFutureCompatExt, TryStreamCompatExt,
};
pub use self::executor::{Executor01As03, Executor01CompatExt, Executor01Future, TokioExecutor01};
pub use self::io01as03::{AsyncRead01CompatExt, AsyncWrite01CompatExt, Tokio01As1};
pub use self::io03as01::{
    AsyncReadCompatExt, AsyncWriteCompatExt, Tokio1As01, TokioAsyncRead01CompatExt,
    TokioAsyncWrite01CompatExt,
};
pub use self::poll::{
    poll_01_to_std, poll_io_01_to_std, poll_io_std_to_01, poll_std_to_01, poll_stream_01_to_std,
    poll_stream_std_to_01, ready_std_to_start_send, start_send_01_to_std,
};
