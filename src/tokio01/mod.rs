//! tokio 0.1 runtime services on tokio 1 (feature `tokio01`): legacy code that sleeps, spawns,
//! opens files and uses sockets through tokio 0.1 works when polled through
//! [`iocompat::futures01`](crate::futures01), on any tokio 1 runtime, with no runtime change.
//!
//! Without this feature, a tokio 0.1 timer polled through a bridge fails with "timer is
//! shutdown", `tokio::spawn` 0.1 panics with `SpawnError { is_shutdown: true }`, and tokio 0.1
//! `fs` fails with "`blocking` annotated I/O must be called from the context of the Tokio
//! runtime". With it:
//!
//! ```
//! use futures01::Future;
//! use iocompat::futures01::Future01CompatExt;
//! use std::time::{Duration, Instant};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // Legacy code, unchanged: a tokio 0.1 timer and a tokio 0.1 spawn.
//! let (tx, rx) = futures01::sync::oneshot::channel();
//! let legacy = tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(5))
//!     .map_err(|e| panic!("{e}"))
//!     .map(move |()| {
//!         tokio01::spawn(futures01::future::lazy(move || {
//!             tx.send("spawned").unwrap();
//!             Ok(())
//!         }));
//!     });
//! legacy.compat().await.unwrap();
//! assert_eq!(rx.compat().await, Ok("spawned"));
//! # });
//! ```
//!
//! # How it works
//!
//! - **One background thread**, `iocompat-tokio01`, started by the first 0.1 poll (or the first
//!   [`reactor_handle`](fn@reactor_handle) / [`timer_handle`](fn@timer_handle) call), runs one
//!   tokio-reactor 0.1 `Reactor` with a tokio-timer 0.2 `Timer` on top, shared by every tokio 1
//!   runtime of the process. It lives for the process. Idle it costs no CPU (it sleeps in
//!   `epoll_wait` with no timeout while no 0.1 timer is pending, and until the next deadline
//!   while one is), one epoll descriptor and the reactor's wake-up descriptors, its stack, and
//!   the timer wheel (a few KiB). It is not stopped when unused: a 0.1 `Delay` or socket may
//!   outlive every runtime and be polled again later, and would then need the same reactor and
//!   timer it registered with.
//! - **Per poll**, [`enter`](fn@enter) sets tokio 0.1's defaults on the polling thread: that
//!   reactor and timer, [`CurrentExecutor01`] (spawns onto the tokio 1 runtime current at the
//!   spawn) and a tokio-threadpool `blocking` that runs on tokio 1. They are set by the
//!   outermost 0.1 poll on the thread only and reset when it returns; a nested poll sees a
//!   thread-local flag and sets nothing. They are not left set between polls, because a thread
//!   that later runs a native tokio 0.1 runtime would then panic in tokio 0.1's `set_default`
//!   ("default executor already set"). Inside a native tokio 0.1 runtime nothing is set: its
//!   own services stay in charge.
//! - **`blocking`** (tokio 0.1 `fs`, `io::stdin` / `stdout` / `stderr`,
//!   `tokio_threadpool::blocking`): on a tokio 1 multi-thread worker the closure runs under
//!   [`tokio::task::block_in_place`], so the worker's other tasks move to another thread while
//!   it blocks, as under tokio 0.1's thread pool. Anywhere else (a current-thread runtime, a
//!   multi-thread runtime's `block_on` thread, no runtime) it runs inline and blocks that thread
//!   for its duration, as `std` I/O called from an async task would: fine for one file
//!   operation, but on a current-thread runtime every other task waits meanwhile, and a read
//!   that can wait for ever (tokio 0.1's `io::stdin()`) stops the runtime. Use
//!   [`iocompat::Unblock`](crate::Unblock) (a pool thread, cancellable) for those. (The closure
//!   is borrowed, not `'static` nor `Send`, so it cannot be handed to tokio 1's blocking pool.)
//!
//! - **iocompat's runtimes** ([`run`](fn@run), [`Runtime`], [`current_thread`]): drop-ins for
//!   tokio 0.1's, built on tokio 1. A [`Runtime`] is a tokio 1 multi-thread runtime whose
//!   threads get tokio 0.1's defaults in `on_thread_start` and lose them in `on_thread_stop`,
//!   with its own [`TaskExecutor`] as the default executor; those threads also hold
//!   tokio-executor 0.1's `enter`, as every tokio 0.1 runtime thread did, so the flag `enter`
//!   checks says "entered" and a native tokio 0.1 runtime started there fails with tokio 0.1's
//!   own "executor already running" panic (which the per-poll rule above avoids on threads
//!   iocompat does not own). A [`current_thread::Runtime`] is a tokio 1 current-thread runtime
//!   with a [`LocalSet`](tokio::task::LocalSet); it sets the defaults on the calling thread for
//!   the length of each `block_on` / `run`. Both count the tasks spawned through them (from
//!   outside, and by tokio 0.1's `tokio::spawn` from inside), which is what
//!   [`Runtime::shutdown_on_idle`] and [`current_thread::Runtime::run`] wait for. The `_std`
//!   functions take `std::future`s and poll them inside [`enter`](fn@enter), so async blocks
//!   calling tokio 0.1 APIs directly work too.
//!
//! # Shutdown and resources
//!
//! - Dropping a tokio 1 runtime (or an iocompat [`Runtime`], or its `shutdown_now`) drops the
//!   0.1 tasks spawned onto it, whatever spawned them, as tokio 1 drops its own tasks.
//! - A 0.1 timer or socket outlives the runtime it was made on and **keeps working**: the
//!   reactor and timer belong to the background thread, not to any runtime, so a 0.1 `Delay`
//!   polled after its runtime is gone (by another runtime, or `futures::executor::block_on`)
//!   fires on time, and a tokio 0.1 socket still moves bytes. Nothing hangs and nothing
//!   panics; only a 0.1 spawn with no tokio 1 runtime is refused (a shutdown error, above).
//! - Creating and dropping runtimes does not accumulate threads or memory (tested over 200
//!   cycles with 0.1 timers and sockets: the thread count stays equal, resident memory within
//!   4 MiB).
//!
//! # Cost per poll
//!
//! Measured in a release build on the shared 2-core development machine (2026-12-01, not part
//! of any contract): the outermost `enter` on a thread costs about 60-70 ns, about 50 ns of it
//! in tokio 0.1's own reactor and timer `set_default` (each clones a `Weak` handle and drops it
//! again, two atomic operations apiece); a nested `enter` costs about 1 ns. A 0.1 stream of
//! ready items read through [`Stream01CompatExt::compat`] went from about 14 ns to about 75 ns
//! per item, a ready 0.1 future converted and awaited from about 27 ns to about 90 ns. Against
//! a poll that does I/O or touches a timer this disappears; against a poll that does nothing it
//! dominates. Nothing is allocated per poll.
//!
//! On iocompat's own runtimes ([`Runtime`], [`current_thread::Runtime`], [`run`](fn@run)) the
//! defaults are set once per thread instead (below), and a 0.1 poll pays only the nested-`enter`
//! flag check: the same stream read on a [`Runtime`] cost about 6 ns per item against about
//! 60 ns on a plain tokio 1 multi-thread runtime (same machine, release build, 2026-12-02).
//! `benches/tokio01.rs` measures this (case `per_poll`) beside 0.1 timers and hyper 0.12 on a
//! native tokio 0.1 runtime; the numbers, and why a 0.1 timer fire or I/O event costs one
//! cross-thread wake more than under tokio 0.1, are in `benches/README.md`.
//!
//! # Moving a tokio 0.1 program
//!
//! 1. Add `iocompat` with the `tokio01` feature, and tokio 1 with the runtime you want.
//! 2. Keep the legacy code and its tokio 0.1 dependencies as they are.
//! 3. Start it on tokio 1. Either change the one line that starts it: `tokio::run(f)` becomes
//!    [`iocompat::tokio01::run(f)`](fn@run), `tokio::runtime::Runtime` becomes [`Runtime`],
//!    `tokio::runtime::current_thread` becomes [`current_thread`] (same method names; see
//!    `examples/legacy_tokio01.rs`). Or start it from tokio 1: `#[tokio::main]` (either
//!    flavour) or a tokio 1 runtime you build, handing each 0.1 future to it through
//!    [`Future01CompatExt::compat`] (`legacy.compat().await`) or [`TokioExecutor01`]. 0.1
//!    streams, sinks and tokio-io values bridged by [`iocompat::futures01`](crate::futures01)
//!    see the services too.
//! 4. Move pieces to tokio 1 one at a time; the bridges work in both directions, and tokio 1
//!    code runs on iocompat's runtimes beside the legacy code ([`Runtime::handle`]).
//!
//! What works, and what does not yet:
//!
//! | tokio 0.1 API | status under iocompat |
//! |---|---|
//! | `tokio::timer::{Delay, Interval, Timeout}`, tokio-timer 0.2, `DelayQueue` | works: the shared timer |
//! | `tokio::spawn`, `tokio_executor::spawn`, `DefaultExecutor::current()` | works, from any 0.1 poll, nested too: spawns onto the tokio 1 runtime polling the caller |
//! | `tokio::net::{TcpListener, TcpStream, UdpSocket}`, `tokio_uds`, `PollEvented` | works: the shared reactor (also without the feature, through tokio-reactor's private fallback thread) |
//! | hyper 0.12: `Server::bind(..).serve(..)`, `Client::new()`, `Http::new()` (HTTP/1 keep-alive and HTTP/2), with their default executors | works, on both tokio 1 flavours and on [`run`](fn@run), [`Runtime`], [`current_thread`] (`tests/tokio01/tokio01_hyper.rs`); throughput in `benches/README.md` |
//! | tokio-process 0.2: `spawn_async`, `output_async`, `status_async`, the child's pipes | works: the child's pipes and its `SIGCHLD` go through the shared reactor (`tests/tokio01/tokio01_process.rs`) |
//! | `tokio::fs`, `tokio_threadpool::blocking` | works; blocks the thread on a current-thread runtime (above) |
//! | `tokio::io::{stdin, stdout, stderr}` | works on a multi-thread runtime; on a current-thread runtime a read blocks the runtime: use [`iocompat::stdin`](fn@crate::stdin) / [`Unblock`](crate::Unblock) |
//! | tokio 0.1 code polled by `futures::compat` or by hand | works inside [`enter`](fn@enter) |
//! | `tokio::run` | [`run`](fn@run) (and [`run_std`](fn@run_std)): waits for spawned tasks, as tokio 0.1's did |
//! | `tokio::runtime::Runtime`: `new`, `spawn`, `block_on`, `block_on_all`, `executor`, `shutdown_on_idle`, `shutdown_now`; `TaskExecutor` | [`Runtime`], [`TaskExecutor`], [`Shutdown`], with `_std` twins; no `Builder`, `reactor()`, `handle()` 0.1 (differences listed on [`Runtime`]) |
//! | `tokio::runtime::current_thread::{Runtime, spawn, run, block_on_all}` | [`current_thread`] (`!Send` futures, on a tokio 1 `LocalSet`), with `_std` twins; no `Builder`, `Handle`, `TaskExecutor` |
//! | a native tokio 0.1 runtime started on a thread of iocompat's [`Runtime`] | panics with tokio 0.1's "executor already running", as on tokio 0.1's own runtime threads: start it on a `std::thread` |
//! | a 0.1 `Delay` under `tokio::time::pause()` | not supported: the 0.1 timer follows the system clock. It is one timer for the whole process, so that 0.1 delays outlive the runtime they were made on, while a paused clock belongs to one tokio 1 runtime and is readable only inside it; and tokio 1's auto-advance does not see a pending 0.1 delay, so under `pause()` a 0.1 delay still takes its full real time. Following the paused clock would need a 0.1 timer per runtime, bound to it (and gone with it) |
//! | `tokio::spawn` 0.1 from a 0.1 poll outside any tokio 1 runtime (`futures::executor::block_on`) | panics, as in tokio 0.1 with no runtime: [`CurrentExecutor01`] has nowhere to spawn and answers a shutdown `SpawnError`, which tokio 0.1's `spawn` turns into a panic |
//!
//! [`Future01CompatExt::compat`]: crate::futures01::Future01CompatExt::compat
//! [`TokioExecutor01`]: crate::futures01::TokioExecutor01
//! [`Stream01CompatExt::compat`]: crate::futures01::Stream01CompatExt::compat

mod blocking;
pub mod current_thread;
mod enter;
mod executor;
mod runtime;
mod services;
mod tracker;

pub use self::enter::enter;
pub use self::executor::CurrentExecutor01;
pub use self::runtime::{Runtime, Shutdown, TaskExecutor, run, run_std};
pub use self::services::{reactor_handle, timer_handle};
