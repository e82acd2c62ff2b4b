//! The [`SyncIo`] wrapper and its core: one loop that polls the wrapped value on the calling
//! thread and parks between polls, with the guards that turn "this would stall an executor" and
//! "nothing will ever wake us" into errors. The `std::io` faces are in `tokio_face.rs` and
//! `futures_face.rs`.

use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::park;

/// Marker for [`SyncIo`]: the wrapped value implements tokio 1's I/O traits (the default).
///
/// # Examples
///
/// ```
/// use iocompat::sync_io::{SyncIo, TokioTraits};
///
/// let io: SyncIo<tokio::io::Empty, TokioTraits> = SyncIo::new(tokio::io::empty());
/// # drop(io);
/// ```
#[derive(Debug)]
pub enum TokioTraits {}

/// Marker for [`SyncIo`]: the wrapped value implements futures-io 0.3's I/O traits.
///
/// # Examples
///
/// ```
/// use iocompat::sync_io::{FuturesTraits, SyncIo};
///
/// let io: SyncIo<futures::io::Empty, FuturesTraits> = SyncIo::from_futures_io(futures::io::empty());
/// # drop(io);
/// ```
#[derive(Debug)]
pub enum FuturesTraits {}

mod sealed {
    /// What each trait family means for liveness checks (sealed: only the two markers).
    pub trait Family {
        /// Whether a blocked call watches the tokio runtime current at the call (a tokio value
        /// depends on one; a futures-io value does not, so watching it could report a false
        /// deadlock).
        const WATCH_CURRENT: bool;
    }
}
use sealed::Family;

impl Family for TokioTraits {
    const WATCH_CURRENT: bool = true;
}

impl Family for FuturesTraits {
    const WATCH_CURRENT: bool = false;
}

/// Default for [`SyncIo::set_stall_timeout`]. Not part of the semver contract.
pub(super) const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(1);

/// How often a blocked call checks on its runtime. Not part of the semver contract.
#[cfg(feature = "tokio")]
const CHECK_INTERVAL: Duration = park::TICK;

/// Uses an async reader, writer or seeker from blocking code, through [`std::io::Read`],
/// [`BufRead`](std::io::BufRead), [`Write`](std::io::Write) and [`Seek`](std::io::Seek).
///
/// Each call polls the wrapped value on the calling thread and parks the thread until the
/// value's waker fires. No task is spawned and nothing is buffered here, so dropping a
/// `SyncIo` (or getting an error from it) never loses a byte the value handed over.
///
/// `Traits` says which trait family the value implements: [`TokioTraits`] (the default, made by
/// [`SyncIo::new`] and [`SyncIo::with_handle`]) or [`FuturesTraits`] (made by
/// [`SyncIo::from_futures_io`]).
///
/// # Errors
///
/// Besides the value's own errors, every call returns an [`io::Error`] instead of blocking
/// when blocking cannot work:
///
/// | situation | kind |
/// |---|---|
/// | called on a thread that drives a tokio runtime (inside a task on a worker, or inside `block_on` on a current-thread runtime's thread) | `Deadlock` |
/// | the runtime of [`SyncIo::with_handle`] / [`SyncIo::new`] (else the one current where the call runs) is a current-thread runtime that nobody drives (no thread is inside its `Runtime::block_on`, tokio #7441) for longer than the [stall timeout](SyncIo::set_stall_timeout) | `Deadlock` |
/// | that runtime was shut down while the call waited | `Other` |
///
/// Each message names the call, what happened, and what to do instead. The wrapped value is
/// left as it was after its last poll: retrying, or moving the `SyncIo` to a thread where it
/// can block, continues where it stopped.
///
/// # Mapping rules
///
/// | the value does | `SyncIo` does |
/// |---|---|
/// | returns `Pending` | parks the thread until the value's waker fires (never `WouldBlock`) |
/// | returns an error, `Interrupted` included | returns it whole; `std`'s `read_exact`, `read_to_end`, `write_all` retry `Interrupted` |
/// | claims more bytes than the buffer (futures-io) | `InvalidData` |
/// | panics in a poll | the panic unwinds to the caller (it runs on the caller's thread); the `SyncIo` stays usable |
/// | has a tokio seek pending | `seek` completes it first |
/// | is `Pending` in `fill_buf` right after being ready | `Other` error naming the broken contract |
///
/// And the cases of the [Errors](#errors) table: `sync_io_errors::*`.
///
/// # Caveats
///
/// - Inside `tokio::task::block_in_place` on a multi-thread worker, blocking is allowed and
///   `SyncIo` works (`sync_io_errors::inside_block_in_place_on_a_worker_it_works`).
/// - On a multi-thread runtime the thread that runs `Runtime::block_on` is not a worker:
///   `SyncIo` works there (the workers drive the I/O), but it blocks that `block_on` future and
///   everything it joins. Prefer `tokio::task::spawn_blocking`.
/// - A futures-io value ([`SyncIo::from_futures_io`]) is woken by whatever drives it; if that
///   is the very executor thread calling `SyncIo`, the call waits for ever. tokio runtimes are
///   detected (above); other executors cannot be.
/// - `Drop` flushes what was written since the last flush, as `std::io::BufWriter` does, so
///   bytes the value accepted into its own buffer (a tokio `BufWriter`, say) are not lost;
///   errors are ignored. It gives up when the flush shows no progress (no wake-up) for the
///   [stall timeout](SyncIo::set_stall_timeout), so `Drop` never blocks for ever. It cannot
///   flush where a call could not block either (on a runtime thread, or with the runtime
///   gone): there, and while a panic unwinds, it does nothing, and what the value buffered is
///   dropped with it. Call [`Write::flush`](std::io::Write::flush) or
///   `shutdown` to be sure, and to see errors. [`SyncIo::into_inner`] does not flush.
///
/// # Examples
///
/// A blocking parser reading an async stream on a blocking thread:
///
/// ```
/// use iocompat::SyncIo;
/// use std::io::Read;
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// let (mut tx, rx) = tokio::io::duplex(64);
/// let mut reader = SyncIo::new(rx);
/// let parse = tokio::task::spawn_blocking(move || {
///     let mut s = String::new();
///     reader.read_to_string(&mut s).map(|_| s)
/// });
/// tokio::io::AsyncWriteExt::write_all(&mut tx, b"a,b,c").await?;
/// drop(tx);
/// assert_eq!(parse.await??, "a,b,c");
/// # std::io::Result::Ok(()) })?;
/// # std::io::Result::Ok(())
/// ```
pub struct SyncIo<T, Traits = TokioTraits> {
    /// `Some` for the adapter's whole life: only `into_inner`, which consumes it, takes the
    /// value (a type with `Drop` cannot be moved out of otherwise).
    inner: Option<T>,
    #[cfg(feature = "tokio")]
    handle: Option<tokio::runtime::Handle>,
    stall_timeout: Duration,
    traits: PhantomData<fn() -> Traits>,
    /// Set by a write, cleared by a flush or shutdown that succeeded: `Drop` then flushes, as
    /// `std::io::BufWriter` does. A function, because only the `Write` impls know the value
    /// is a writer.
    flush_on_drop: Option<fn(&mut Self)>,
    /// While `Drop` flushes: give up after this long without a wake-up, so a flush that
    /// cannot finish never keeps `Drop` blocked for ever.
    idle_limit: Option<Duration>,
}

impl<T, Traits> Drop for SyncIo<T, Traits> {
    /// Flushes what was written since the last flush, where blocking is possible (see
    /// [`SyncIo`]'s caveats); never while a panic unwinds.
    fn drop(&mut self) {
        if let Some(flush) = self.flush_on_drop.take() {
            if !std::thread::panicking() {
                self.idle_limit = Some(self.stall_timeout);
                flush(self);
            }
        }
    }
}

impl<T: fmt::Debug, Traits> fmt::Debug for SyncIo<T, Traits> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("SyncIo");
        s.field("inner", self.get_ref());
        #[cfg(feature = "tokio")]
        s.field("handle", &self.handle);
        s.field("stall_timeout", &self.stall_timeout).finish()
    }
}

cfg_tokio! {
    impl<T> SyncIo<T, TokioTraits> {
        /// Wraps a tokio I/O value, using the tokio runtime current on this thread, if any, for
        /// its runtime context and liveness checks; without one, each call watches the runtime
        /// current where it runs, if any. Never panics: outside a runtime there is simply no
        /// runtime to enter (fine for values like `tokio::io::duplex` that need none).
        ///
        /// # Examples
        ///
        /// ```
        /// use iocompat::SyncIo;
        /// use std::io::Read;
        ///
        /// let mut reader = SyncIo::new(&b"no runtime needed"[..]);
        /// let mut s = String::new();
        /// reader.read_to_string(&mut s)?;
        /// assert_eq!(s, "no runtime needed");
        /// # std::io::Result::Ok(())
        /// ```
        pub fn new(inner: T) -> Self {
            Self::from_tokio(inner)
        }

        /// The same as [`new`](Self::new), named to pair with
        /// [`from_futures_io`](SyncIo::from_futures_io) where both families are in use.
        ///
        /// # Examples
        ///
        /// ```
        /// use iocompat::SyncIo;
        /// use std::io::Read;
        ///
        /// let mut from_tokio = SyncIo::from_tokio(&b"t"[..]);
        /// let mut s = String::new();
        /// from_tokio.read_to_string(&mut s)?;
        /// assert_eq!(s, "t");
        /// # std::io::Result::Ok(())
        /// ```
        pub fn from_tokio(inner: T) -> Self {
            Self::build(inner, tokio::runtime::Handle::try_current().ok())
        }

        /// Wraps a tokio I/O value that belongs to the runtime behind `handle`: that runtime's
        /// context is entered for each call, and a call that waits on it fails instead of
        /// hanging when it is shut down or, for a current-thread runtime, not driven.
        ///
        /// # Examples
        ///
        /// ```
        /// use iocompat::SyncIo;
        /// use std::io::Write;
        ///
        /// let rt = tokio::runtime::Runtime::new()?;
        /// let (tx, mut rx) = tokio::io::duplex(64);
        /// let mut writer = SyncIo::with_handle(tx, rt.handle().clone());
        /// writer.write_all(b"hi")?;
        /// writer.shutdown()?;
        /// let mut got = Vec::new();
        /// rt.block_on(tokio::io::AsyncReadExt::read_to_end(&mut rx, &mut got))?;
        /// assert_eq!(got, b"hi");
        /// # std::io::Result::Ok(())
        /// ```
        pub fn with_handle(inner: T, handle: tokio::runtime::Handle) -> Self {
            Self::build(inner, Some(handle))
        }
    }
}

cfg_futures_io! {
    impl<T> SyncIo<T, FuturesTraits> {
        /// Wraps a futures-io I/O value. Needs no tokio at all (not even the `tokio` feature);
        /// no runtime is entered.
        ///
        /// # Examples
        ///
        /// ```
        /// use iocompat::SyncIo;
        /// use std::io::{Read, Seek, SeekFrom};
        ///
        /// let mut file = SyncIo::from_futures_io(futures::io::Cursor::new(b"0123456789".to_vec()));
        /// file.seek(SeekFrom::Start(7))?;
        /// let mut tail = String::new();
        /// file.read_to_string(&mut tail)?;
        /// assert_eq!(tail, "789");
        /// # std::io::Result::Ok(())
        /// ```
        pub fn from_futures_io(inner: T) -> Self {
            Self::build(
                inner,
                #[cfg(feature = "tokio")]
                None,
            )
        }
    }
}

impl<T, Traits> SyncIo<T, Traits> {
    fn build(inner: T, #[cfg(feature = "tokio")] handle: Option<tokio::runtime::Handle>) -> Self {
        Self {
            inner: Some(inner),
            #[cfg(feature = "tokio")]
            handle,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            traits: PhantomData,
            flush_on_drop: None,
            idle_limit: None,
        }
    }

    /// Sets how long a call may wait on a current-thread runtime that shows no sign of being
    /// driven before it fails with `ErrorKind::Deadlock` (default: 1 second, not part of the
    /// semver contract). The check spawns a no-op task on the runtime and waits for it to run,
    /// so a runtime whose `block_on` thread is busy for longer than this also trips it.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::SyncIo;
    /// use std::time::Duration;
    ///
    /// let mut io = SyncIo::new(tokio::io::empty());
    /// io.set_stall_timeout(Duration::from_secs(5));
    /// ```
    pub fn set_stall_timeout(&mut self, timeout: Duration) {
        self.stall_timeout = timeout;
    }

    /// The wrapped value.
    ///
    /// # Examples
    ///
    /// ```
    /// let io = iocompat::SyncIo::new(tokio::io::empty());
    /// let _empty: &tokio::io::Empty = io.get_ref();
    /// ```
    pub fn get_ref(&self) -> &T {
        match &self.inner {
            Some(value) => value,
            None => unreachable!("SyncIo: the value is only taken by into_inner"),
        }
    }

    /// The wrapped value, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut io = iocompat::SyncIo::new(Vec::<u8>::new());
    /// io.get_mut().push(1);
    /// assert_eq!(io.get_ref(), &[1]);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        present(&mut self.inner)
    }

    /// Unwraps the value, without flushing it. `SyncIo` holds no buffer, so nothing is lost:
    /// what the value itself buffered stays in it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let mut io = iocompat::SyncIo::new(Vec::<u8>::new());
    /// io.write_all(b"kept")?;
    /// assert_eq!(io.into_inner(), b"kept");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn into_inner(mut self) -> T {
        self.flush_on_drop = None;
        match self.inner.take() {
            Some(value) => value,
            None => unreachable!("SyncIo: the value is only taken by into_inner"),
        }
    }

    /// Records that a write was accepted (`flush`: how `Drop` flushes this writer), or, with
    /// `None`, that everything accepted was flushed.
    pub(super) fn set_unflushed(&mut self, flush: Option<fn(&mut Self)>) {
        self.flush_on_drop = flush;
    }
}

impl<T: Unpin, Traits: Family> SyncIo<T, Traits> {
    /// The core: polls `poll` on the calling thread until it is ready, parking in between.
    ///
    /// `op` names the `std::io` call for error messages.
    pub(super) fn block_on_poll<R>(
        &mut self,
        op: &'static str,
        mut poll: impl FnMut(Pin<&mut T>, &mut Context<'_>) -> Poll<io::Result<R>>,
    ) -> io::Result<R> {
        refuse_on_runtime_thread(op)?;
        #[cfg(feature = "tokio")]
        let current = tokio::runtime::Handle::try_current();
        #[cfg(feature = "tokio")]
        let _guard = enter(self.handle.as_ref(), &current);
        // Watch the runtime we were given, else (for a tokio value) the one current here: a
        // `SyncIo` made outside any runtime and used in `spawn_blocking` is still watched.
        #[cfg(feature = "tokio")]
        let mut liveness = Liveness::new(
            self.handle
                .as_ref()
                .or(current.as_ref().ok().filter(|_| Traits::WATCH_CURRENT)),
            self.stall_timeout,
        );
        let (notify, waker) = park::current();
        let mut cx = Context::from_waker(&waker);
        // A bounded wait needs the watchdog's nudges to look at the clock.
        let idle_limit = self.idle_limit;
        #[cfg(feature = "tokio")]
        let watched = liveness.watched() || idle_limit.is_some();
        #[cfg(not(feature = "tokio"))]
        let watched = idle_limit.is_some();
        loop {
            if let Poll::Ready(result) = poll(Pin::new(present(&mut self.inner)), &mut cx) {
                return result;
            }
            let mut idle_since = None;
            while !notify.wait(watched) {
                #[cfg(feature = "tokio")]
                liveness.check(op)?;
                if let Some(limit) = idle_limit {
                    let since = *idle_since.get_or_insert_with(std::time::Instant::now);
                    if since.elapsed() >= limit {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!(
                                "iocompat::SyncIo::{op}: no progress for {limit:?} while the                                  SyncIo was dropped; gave up"
                            ),
                        ));
                    }
                }
            }
        }
    }

    /// Polls once more, after [`block_on_poll`](Self::block_on_poll) saw the value ready: for
    /// `fill_buf`, whose borrowed result cannot be carried out of the polling loop.
    pub(super) fn poll_once<'a, R>(
        &'a mut self,
        op: &'static str,
        poll: impl FnOnce(Pin<&'a mut T>, &mut Context<'_>) -> Poll<io::Result<R>>,
    ) -> io::Result<R> {
        #[cfg(feature = "tokio")]
        let _guard = enter(self.handle.as_ref(), &tokio::runtime::Handle::try_current());
        let (_notify, waker) = park::current();
        let mut cx = Context::from_waker(&waker);
        match poll(Pin::new(self.get_mut()), &mut cx) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::Error::other(format!(
                "iocompat::SyncIo::{op}: the value returned Pending right after it reported \
                 ready, with nothing consumed in between (it breaks the AsyncBufRead contract)"
            ))),
        }
    }
}

/// The wrapped value: `Some` for the adapter's whole life, until `into_inner` takes it.
fn present<T>(inner: &mut Option<T>) -> &mut T {
    match inner {
        Some(value) => value,
        None => unreachable!("SyncIo: the value is only taken by into_inner"),
    }
}

/// Enters `handle`'s runtime unless it is already the current one, or the thread's locals are
/// being destroyed (where `Handle::enter` would panic).
#[cfg(feature = "tokio")]
fn enter<'a>(
    handle: Option<&'a tokio::runtime::Handle>,
    current: &Result<tokio::runtime::Handle, tokio::runtime::TryCurrentError>,
) -> Option<tokio::runtime::EnterGuard<'a>> {
    crate::io_util::enter_unless_current(handle?, current)
}

/// Fails when the calling thread drives a tokio runtime, where blocking stalls every task on
/// it (and, on a current-thread runtime, the very I/O driver we would wait for).
fn refuse_on_runtime_thread(op: &'static str) -> io::Result<()> {
    #[cfg(feature = "tokio")]
    if tokio::runtime::worker_index().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::Deadlock,
            format!(
                "iocompat::SyncIo::{op} was called on a thread that drives a tokio runtime (an \
                 async task on a worker, or block_on on a current-thread runtime's thread); \
                 blocking here would stall that runtime. Move the SyncIo into \
                 tokio::task::spawn_blocking or a std::thread"
            ),
        ));
    }
    let _ = op;
    Ok(())
}

/// Watches, while a call waits, whether the runtime it belongs to can still wake it.
///
/// A no-op probe task is spawned on the runtime: it is cancelled at once when the runtime has
/// shut down, and on a current-thread runtime it runs only while some thread is inside
/// `Runtime::block_on`, the only thing that drives that runtime's I/O and timers.
#[cfg(feature = "tokio")]
struct Liveness<'a> {
    handle: Option<&'a tokio::runtime::Handle>,
    stall_timeout: Duration,
    /// When the next check is due; set at the first wait that ends without a wake, so calls
    /// that are only ever woken (the fast path) never read the clock.
    due: Option<std::time::Instant>,
    probe: Option<Probe>,
}

#[cfg(feature = "tokio")]
struct Probe {
    task: tokio::task::JoinHandle<()>,
    ran: std::sync::Arc<std::sync::atomic::AtomicBool>,
    spawned: std::time::Instant,
}

#[cfg(feature = "tokio")]
impl<'a> Liveness<'a> {
    fn new(handle: Option<&'a tokio::runtime::Handle>, stall_timeout: Duration) -> Self {
        Self {
            handle,
            stall_timeout,
            due: None,
            probe: None,
        }
    }

    /// Whether waits need the watchdog's nudges: only when there is a runtime to check on.
    fn watched(&self) -> bool {
        self.handle.is_some()
    }

    /// Called after a wait that ended without a wake (a timeout or a spurious unpark): checks
    /// the runtime at most once per [`CHECK_INTERVAL`].
    fn check(&mut self, op: &'static str) -> io::Result<()> {
        use std::sync::atomic::Ordering;

        let Some(handle) = self.handle else {
            return Ok(());
        };
        let now = std::time::Instant::now();
        match self.due {
            Some(due) if now >= due => self.due = Some(now + CHECK_INTERVAL / 2),
            Some(_) => return Ok(()),
            None => {
                self.due = Some(now + CHECK_INTERVAL / 2);
                return Ok(());
            }
        }
        let Some(probe) = &self.probe else {
            let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = std::sync::Arc::clone(&ran);
            let task = handle.spawn(async move { flag.store(true, Ordering::Release) });
            self.probe = Some(Probe {
                task,
                ran,
                spawned: std::time::Instant::now(),
            });
            return Ok(());
        };
        if probe.ran.load(Ordering::Acquire) {
            // Alive and driven: probe again at the next check.
            self.probe = None;
        } else if probe.task.is_finished() {
            return Err(io::Error::other(format!(
                "iocompat::SyncIo::{op}: the tokio runtime this SyncIo belongs to was shut down \
                 while the call waited; nothing can wake it any more"
            )));
        } else if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread
            && probe.spawned.elapsed() >= self.stall_timeout
        {
            return Err(io::Error::new(
                io::ErrorKind::Deadlock,
                format!(
                    "iocompat::SyncIo::{op}: the current-thread tokio runtime this SyncIo belongs \
                     to has not been driven for {:?} (no thread is inside its Runtime::block_on, \
                     or that thread is blocked), so its I/O and timers cannot wake this call \
                     (tokio #7441). Keep a thread in Runtime::block_on while using the SyncIo \
                     (e.g. await the spawn_blocking task that uses it), or use a multi-thread \
                     runtime",
                    self.stall_timeout
                ),
            ));
        }
        Ok(())
    }
}
