//! The one state machine every [`PositionalFile`](super::PositionalFile) operation runs: the
//! checks, the inline read, one pool job, and what a dropped operation leaves behind.
//!
//! An operation is a [`Call`]: `New` (nothing done yet) -> `Ready` (checks passed; inline
//! reads happen here) -> `Waiting` (one job on the pool owns the buffer) -> `Finished`. The
//! job and the call meet in a [`Slot`]; the job's drop guard fills it even when the pool drops
//! the job unrun, so a call never waits for a job that no longer exists.

use std::error::Error;
use std::fmt;
use std::fs::File;
use std::future::Future;
use std::io;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;

use crate::pool::Spawner;

/// The operations, for error messages and for the rules a dropped operation follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpKind {
    ReadAt,
    ReadExactAt,
    WriteAt,
    WriteAllAt,
    SyncAll,
    SyncData,
    SetLen,
    Metadata,
    Len,
}

impl OpKind {
    fn name(self) -> &'static str {
        match self {
            OpKind::ReadAt => "read_at",
            OpKind::ReadExactAt => "read_exact_at",
            OpKind::WriteAt => "write_at",
            OpKind::WriteAllAt => "write_all_at",
            OpKind::SyncAll => "sync_all",
            OpKind::SyncData => "sync_data",
            OpKind::SetLen => "set_len",
            OpKind::Metadata => "metadata",
            OpKind::Len => "len",
        }
    }

    /// Changes the file: once handed to the pool it runs to its end even if its future is
    /// dropped, and a failure nobody saw is kept for the next operation.
    fn modifies(self) -> bool {
        matches!(self, OpKind::WriteAt | OpKind::WriteAllAt | OpKind::SetLen)
    }

    /// Writes bytes at an offset (and so is refused on an `O_APPEND` file).
    fn writes_at(self) -> bool {
        matches!(self, OpKind::WriteAt | OpKind::WriteAllAt)
    }

    /// Waits for dropped modifying operations still running before it starts.
    fn is_sync(self) -> bool {
        matches!(self, OpKind::SyncAll | OpKind::SyncData)
    }

    /// Takes an offset (and a buffer length) that must be checked.
    fn has_offset(self) -> bool {
        matches!(
            self,
            OpKind::ReadAt | OpKind::ReadExactAt | OpKind::WriteAt | OpKind::WriteAllAt
        )
    }
}

/// What one operation was asked to do, and how far it got.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Args {
    pub(crate) kind: OpKind,
    /// The file offset (the new length for `set_len`).
    pub(crate) offset: u64,
    /// The buffer's length when the operation was made.
    pub(crate) len: usize,
    /// Bytes already transferred (by inline reads, for `read_exact_at`).
    pub(crate) done: usize,
}

impl Args {
    pub(crate) fn new(kind: OpKind, offset: u64, len: usize) -> Self {
        Self {
            kind,
            offset,
            len,
            done: 0,
        }
    }

    /// An error `iocompat::PositionalFile::<op>: <what> at offset N` of `kind`.
    pub(crate) fn error(&self, kind: io::ErrorKind, what: impl fmt::Display) -> io::Error {
        io::Error::new(
            kind,
            OpError {
                message: self.message(what),
                source: None,
            },
        )
    }

    /// `source` with the operation and offset named; its kind is kept and the error itself
    /// (with its OS code) is the new error's [`source`](Error::source).
    pub(crate) fn wrap(&self, source: io::Error) -> io::Error {
        io::Error::new(
            source.kind(),
            OpError {
                message: self.message(&source),
                source: Some(source),
            },
        )
    }

    fn message(&self, what: impl fmt::Display) -> String {
        let name = self.kind.name();
        match self.kind {
            _ if self.kind.has_offset() => format!(
                "iocompat::PositionalFile::{name}: {what} at offset {}",
                self.offset
            ),
            OpKind::SetLen => format!(
                "iocompat::PositionalFile::{name}: {what} (new length {})",
                self.offset
            ),
            _ => format!("iocompat::PositionalFile::{name}: {what}"),
        }
    }

    /// `offset` and `offset + len` as the OS accepts them, or the error saying why not.
    fn check(&self) -> Result<(), io::Error> {
        if !self.kind.has_offset() {
            return Ok(());
        }
        if self.offset.checked_add(self.len as u64).is_none() {
            return Err(self.error(
                io::ErrorKind::InvalidInput,
                format_args!("offset + buffer length ({} bytes) overflows u64", self.len),
            ));
        }
        // The kernel's file offsets are signed 64-bit (`off_t`); a larger one would be read
        // as negative, and `u64::MAX` means "the file's own cursor" to `preadv2`.
        if self.offset > i64::MAX as u64 {
            return Err(self.error(
                io::ErrorKind::InvalidInput,
                "the offset is beyond i64::MAX, the largest file offset",
            ));
        }
        Ok(())
    }
}

/// The error every `PositionalFile` failure carries: the message names the operation and the
/// offset; the original error, if any, is the source.
#[derive(Debug)]
struct OpError {
    message: String,
    source: Option<io::Error>,
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for OpError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_ref().map(|e| e as &(dyn Error + 'static))
    }
}

/// An operation's result, as far as a dropped modifying operation is concerned.
pub(crate) trait Outcome: Send + 'static {
    /// Whether this result of a write of `len` bytes left some of them unwritten.
    fn short_of(&self, _len: usize) -> bool {
        false
    }
}

impl Outcome for usize {
    fn short_of(&self, len: usize) -> bool {
        *self < len
    }
}

impl Outcome for () {}
impl Outcome for u64 {}
impl Outcome for std::fs::Metadata {}

/// The work of one job: runs on the pool with the file, the buffer and the arguments.
pub(crate) type Work<B, R> = fn(&File, &mut B, &Args) -> io::Result<R>;

/// An attempt on the caller's thread (reads only).
pub(crate) type InlineFn<B, R> = fn(&Shared, &mut B, &mut Args, &mut Context<'_>) -> Inline<R>;

/// What an inline attempt came to.
pub(crate) enum Inline<R> {
    /// The operation is finished.
    Done(io::Result<R>),
    /// Part was done and the waker was woken: poll again to continue on this thread.
    Yield,
    /// The rest goes to the pool.
    Pool,
}

/// What every handle of one file shares.
#[derive(Debug)]
pub(crate) struct Shared {
    file: File,
    spawner: Spawner,
    /// The file can be read with `preadv2(RWF_NOWAIT)`, and no call has said otherwise.
    inline: AtomicBool,
    /// When inline reads keep missing the cache, most are skipped: see [`MissBackoff`].
    misses: MissBackoff,
    /// The file was opened with `O_APPEND`: the kernel would ignore every write's offset.
    append: bool,
    dropped: DroppedWrites,
}

impl Shared {
    pub(crate) fn new(file: File, spawner: Spawner, inline_reads: bool) -> Self {
        let inline = inline_reads && crate::unblock::inline_read::for_value(&file).is_some();
        let append = rustix::fs::fcntl_getfl(&file)
            .is_ok_and(|flags| flags.contains(rustix::fs::OFlags::APPEND));
        Self {
            file,
            spawner,
            inline: AtomicBool::new(inline),
            misses: MissBackoff::default(),
            append,
            dropped: DroppedWrites::default(),
        }
    }

    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// Reads cached pages at `offset` into `buf` on this thread, at most
    /// [`MAX_INLINE_CHUNK`](crate::unblock::MAX_INLINE_CHUNK) bytes; `None` when the
    /// pool must do it (not cached, interrupted, or the file cannot be read this way, which
    /// turns inline reads off for every handle of the file).
    #[cfg(target_os = "linux")]
    pub(crate) fn read_cached(&self, buf: &mut [u8], offset: u64) -> Option<usize> {
        use crate::unblock::inline_read::{self as direct, Inline as Sorted};

        /// The file and the offset: what the read below needs, as a plain `fn` takes it.
        struct At<'a> {
            file: &'a File,
            offset: u64,
        }

        if !self.inline.load(Ordering::Relaxed) || self.misses.skip() {
            return None;
        }
        let mut at = At {
            file: &self.file,
            offset,
        };
        let sorted = direct::run(
            |at: &mut At<'_>, buf: &mut [u8]| {
                rustix::io::preadv2(
                    at.file,
                    &mut [io::IoSliceMut::new(buf)],
                    at.offset,
                    rustix::io::ReadWriteFlags::NOWAIT,
                )
                .map_err(io::Error::from)
            },
            &mut at,
            buf,
        );
        match sorted {
            Sorted::Read(n) => {
                self.misses.hit();
                Some(n)
            }
            Sorted::Pool => {
                self.misses.missed();
                None
            }
            Sorted::Never => {
                self.inline.store(false, Ordering::Relaxed);
                None
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn read_cached(&self, _buf: &mut [u8], _offset: u64) -> Option<usize> {
        None
    }
}

/// Skips inline attempts while they keep missing the page cache.
///
/// A `RWF_NOWAIT` read of pages that are not cached is not free: the kernel starts their
/// readahead on the calling thread before it answers `EAGAIN`, so on a file that is mostly
/// not cached every read would pay that on the executor's thread and then the pool hand-off
/// anyway (measured in `benches/positional.rs`: 0.75-0.8x of `spawn_blocking(pread)` with
/// every read trying inline). `m` counts misses, halved by each hit; after a miss the next
/// `2^(m-1) - 1` reads (at most [`MAX_SKIPPED_READS`]) go straight to the pool. Halving rather
/// than resetting keeps the odd hit on a mostly uncached file (a page read twice) from
/// restarting the attempts. Shared by the clones of
/// a handle; the counts are relaxed (a heuristic: a wrong guess costs speed, never a result).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
#[derive(Debug, Default)]
struct MissBackoff {
    misses: AtomicU32,
    skip: AtomicU32,
}

/// The most reads sent straight to the pool after a run of inline misses before the next
/// inline attempt (not part of the semver contract).
const MAX_SKIPPED_READS: u32 = 255;

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
impl MissBackoff {
    /// Whether this read skips the inline attempt.
    fn skip(&self) -> bool {
        // Only written after misses: the all-cached hot path reads one shared word.
        self.skip.load(Ordering::Relaxed) > 0
            && self
                .skip
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
    }

    fn hit(&self) {
        let misses = self.misses.load(Ordering::Relaxed);
        if misses != 0 {
            self.misses.store(misses / 2, Ordering::Relaxed);
        }
    }

    fn missed(&self) {
        let misses = self
            .misses
            .fetch_add(1, Ordering::Relaxed)
            .saturating_add(1);
        let skip = (1u32 << (misses - 1).min(8)) - 1;
        self.skip
            .store(skip.min(MAX_SKIPPED_READS), Ordering::Relaxed);
    }
}

/// Modifying operations whose futures were dropped while their job ran: how many still run
/// (a sync waits for them), and the first failure nobody has seen yet.
#[derive(Debug, Default)]
struct DroppedWrites {
    state: Mutex<Dropped>,
    /// `state.failed` is set: lets every operation check without taking the lock.
    failed: AtomicBool,
}

#[derive(Debug, Default)]
struct Dropped {
    running: usize,
    failed: Option<io::Error>,
    /// Failures after the first, before it was reported.
    more: usize,
    /// Syncs waiting for `running` to reach 0.
    waiters: Vec<Waker>,
}

impl DroppedWrites {
    fn lock(&self) -> MutexGuard<'_, Dropped> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A modifying operation's future was dropped while its job runs.
    fn started(&self) {
        self.lock().running += 1;
    }

    /// That job finished; `failure` is what went wrong, if anything.
    fn finished(&self, failure: Option<io::Error>) {
        let waiters = {
            let mut st = self.lock();
            st.running -= 1;
            if let Some(e) = failure {
                self.record(&mut st, e);
            }
            if st.running == 0 {
                mem::take(&mut st.waiters)
            } else {
                Vec::new()
            }
        };
        waiters.into_iter().for_each(Waker::wake);
    }

    /// A dropped modifying operation failed after its job had already finished.
    fn failed(&self, failure: io::Error) {
        let mut st = self.lock();
        self.record(&mut st, failure);
    }

    /// Keeps `failure` (the first one whole, later ones counted); under the lock.
    fn record(&self, st: &mut Dropped, failure: io::Error) {
        if st.failed.is_none() {
            st.failed = Some(failure);
            self.failed.store(true, Ordering::Release);
        } else {
            st.more += 1;
        }
    }

    /// The failure to report, once.
    fn take_failure(&self) -> Option<io::Error> {
        if !self.failed.load(Ordering::Acquire) {
            return None;
        }
        let mut st = self.lock();
        let first = st.failed.take()?;
        self.failed.store(false, Ordering::Release);
        let more = mem::take(&mut st.more);
        if more == 0 {
            return Some(first);
        }
        let message = format!("{first} (and {more} later dropped operations failed too)");
        Some(io::Error::new(
            first.kind(),
            OpError {
                message,
                source: Some(first),
            },
        ))
    }

    /// Ready when no dropped modifying operation is running.
    fn poll_idle(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = self.lock();
        if st.running == 0 {
            return Poll::Ready(());
        }
        if !st.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            st.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// Where a job leaves its result for the call that spawned it.
enum Slot<B, R> {
    /// The job has not finished. `abandoned`: the call was dropped, nobody will look here.
    Running {
        waker: Option<Waker>,
        abandoned: bool,
    },
    /// The job's result and the buffer.
    Done(io::Result<R>, B),
    /// The job was dropped before it finished (the pool refused it, or it panicked); the
    /// buffer is back.
    Unrun(B),
    /// Handed out, or nobody is left to take it.
    Taken,
}

type SlotRef<B, R> = Arc<Mutex<Slot<B, R>>>;

fn lock<B, R>(slot: &Mutex<Slot<B, R>>) -> MutexGuard<'_, Slot<B, R>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a modifying operation whose future is gone leaves for the next operation.
fn failure_of<R: Outcome>(args: &Args, result: io::Result<R>) -> Option<io::Error> {
    match result {
        Err(e) => Some(io::Error::new(
            e.kind(),
            OpError {
                message: args.message(format_args!("failed after its future was dropped: {e}")),
                source: Some(e),
            },
        )),
        Ok(r) if r.short_of(args.len - args.done) => Some(args.error(
            io::ErrorKind::WriteZero,
            "wrote only part of the buffer after its future was dropped",
        )),
        Ok(_) => None,
    }
}

/// The blocking job: owns the buffer while it runs. Its `Drop` is the guard that fills the
/// slot when the pool drops it unrun.
struct Job<B: Send + 'static, R: Outcome> {
    shared: Arc<Shared>,
    slot: SlotRef<B, R>,
    args: Args,
    work: Work<B, R>,
    buf: Option<B>,
}

impl<B: Send + 'static, R: Outcome> Job<B, R> {
    fn run(mut self) {
        if let Some(mut buf) = self.buf.take() {
            let result = (self.work)(&self.shared.file, &mut buf, &self.args);
            self.finish(result, buf);
        }
    }

    /// Publishes the result, or, when the call is gone, settles it here.
    fn finish(&self, result: io::Result<R>, buf: B) {
        let mut slot = lock(&self.slot);
        match mem::replace(&mut *slot, Slot::Taken) {
            Slot::Running {
                waker,
                abandoned: false,
            } => {
                *slot = Slot::Done(result, buf);
                drop(slot);
                if let Some(waker) = waker {
                    waker.wake();
                }
            }
            Slot::Running {
                abandoned: true, ..
            } => {
                drop(slot);
                if self.args.kind.modifies() {
                    self.shared.dropped.finished(failure_of(&self.args, result));
                }
                drop(buf);
            }
            // Only the job fills the slot, once.
            other => *slot = other,
        }
    }
}

impl<B: Send + 'static, R: Outcome> Drop for Job<B, R> {
    fn drop(&mut self) {
        let Some(mut buf) = self.buf.take() else {
            return;
        };
        // Dropped unrun (or unwinding out of the work). Decide under the lock, so a call
        // dropped at this instant is either told (`Unrun`) or counted as abandoned.
        let mut slot = lock(&self.slot);
        match &mut *slot {
            Slot::Running {
                waker,
                abandoned: false,
            } => {
                let waker = waker.take();
                *slot = Slot::Unrun(buf);
                drop(slot);
                if let Some(waker) = waker {
                    waker.wake();
                }
            }
            Slot::Running {
                abandoned: true, ..
            } if self.args.kind.modifies() => {
                drop(slot);
                // Nobody is left to retry: do the write where the job is dropped (a
                // blocking-pool thread, or the thread shutting the runtime down), as
                // `Unblock` does. Not while unwinding: then it is reported instead.
                let result = if thread::panicking() {
                    Err(io::Error::other("the blocking job panicked"))
                } else {
                    (self.work)(&self.shared.file, &mut buf, &self.args)
                };
                self.finish(result, buf);
            }
            _ => {
                *slot = Slot::Taken;
            }
        }
    }
}

/// Where a call is.
enum State<B, R> {
    /// Not polled yet: nothing checked, nothing done.
    New(B),
    /// Checks passed; inline attempts happen here.
    Ready(B),
    /// One job owns the buffer. `spawn_panic`: the user's `SpawnBlocking` panicked handing it over.
    Waiting {
        slot: SlotRef<B, R>,
        spawn_panic: Option<String>,
    },
    Finished,
}

/// One operation of a `PositionalFile`: resolves to its result and the buffer.
pub(crate) struct Call<B: Send + 'static, R: Outcome> {
    shared: Arc<Shared>,
    args: Args,
    work: Work<B, R>,
    inline: Option<InlineFn<B, R>>,
    state: State<B, R>,
}

// No field is ever pinned: the buffer is moved in and out by value.
impl<B: Send + 'static, R: Outcome> Unpin for Call<B, R> {}

impl<B: Send + 'static, R: Outcome> Call<B, R> {
    pub(crate) fn new(
        shared: &Arc<Shared>,
        args: Args,
        buf: B,
        work: Work<B, R>,
        inline: Option<InlineFn<B, R>>,
    ) -> Self {
        Self {
            shared: Arc::clone(shared),
            args,
            work,
            inline,
            state: State::New(buf),
        }
    }

    /// The checks every operation makes before it does anything: a sync first waits for
    /// dropped writes still running; then a failure of a dropped operation is reported (the
    /// operation itself is not done); then the arguments.
    fn poll_checks(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.args.kind.is_sync() && self.shared.dropped.poll_idle(cx).is_pending() {
            return Poll::Pending;
        }
        if let Some(e) = self.shared.dropped.take_failure() {
            return Poll::Ready(Err(e));
        }
        self.args.check()?;
        if self.args.kind.writes_at() && self.shared.append {
            return Poll::Ready(Err(self.args.error(
                io::ErrorKind::InvalidInput,
                "the file was opened with O_APPEND, where the kernel writes at the end \
                 whatever the offset; open it without append",
            )));
        }
        Poll::Ready(Ok(()))
    }

    /// Hands the rest of the operation to the pool as one job.
    fn spawn(&mut self, buf: B, cx: &mut Context<'_>) {
        let slot = Arc::new(Mutex::new(Slot::Running {
            waker: Some(cx.waker().clone()),
            abandoned: false,
        }));
        let job = Job {
            shared: Arc::clone(&self.shared),
            slot: Arc::clone(&slot),
            args: self.args,
            work: self.work,
            buf: Some(buf),
        };
        let spawner = &self.shared.spawner;
        // A user `SpawnBlocking` may panic; the job it drops while unwinding fills the slot.
        let spawned = panic::catch_unwind(AssertUnwindSafe(|| spawner.spawn(move || job.run())));
        let spawn_panic = spawned
            .err()
            .map(|payload| crate::io_util::panic_message(&*payload));
        self.state = State::Waiting { slot, spawn_panic };
    }

    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Poll<(io::Result<R>, B)> {
        let State::Waiting { slot, spawn_panic } = &mut self.state else {
            unreachable!("poll_waiting outside Waiting");
        };
        let mut guard = lock(slot);
        match mem::replace(&mut *guard, Slot::Taken) {
            Slot::Running { waker, abandoned } => {
                let waker = match waker {
                    Some(w) if w.will_wake(cx.waker()) => w,
                    _ => cx.waker().clone(),
                };
                *guard = Slot::Running {
                    waker: Some(waker),
                    abandoned,
                };
                Poll::Pending
            }
            Slot::Done(result, buf) => {
                drop(guard);
                self.state = State::Finished;
                Poll::Ready((result.map_err(|e| self.args.wrap(e)), buf))
            }
            Slot::Unrun(buf) => {
                let error = match spawn_panic.take() {
                    Some(message) => self.args.error(
                        io::ErrorKind::Other,
                        format_args!("the SpawnBlocking implementation panicked: {message}"),
                    ),
                    None => self.args.error(
                        io::ErrorKind::Other,
                        "the blocking pool dropped the operation before it finished (its tokio \
                         runtime is shutting down or gone; retry on a live runtime, or outside \
                         any runtime to use the `blocking` crate's pool)",
                    ),
                };
                drop(guard);
                self.state = State::Finished;
                Poll::Ready((Err(error), buf))
            }
            Slot::Taken => {
                drop(guard);
                self.state = State::Finished;
                panic!("iocompat::PositionalFile: an operation was polled after it completed")
            }
        }
    }
}

impl<B: Send + 'static, R: Outcome> Future for Call<B, R> {
    type Output = (io::Result<R>, B);

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match mem::replace(&mut this.state, State::Finished) {
                State::New(buf) => match this.poll_checks(cx) {
                    Poll::Pending => {
                        this.state = State::New(buf);
                        return Poll::Pending;
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready((Err(e), buf)),
                    Poll::Ready(Ok(())) => this.state = State::Ready(buf),
                },
                State::Ready(mut buf) => {
                    if let Some(inline) = this.inline {
                        match inline(&this.shared, &mut buf, &mut this.args, cx) {
                            Inline::Done(result) => {
                                return Poll::Ready((result.map_err(|e| this.args.wrap(e)), buf));
                            }
                            Inline::Yield => {
                                this.state = State::Ready(buf);
                                return Poll::Pending;
                            }
                            Inline::Pool => {}
                        }
                    }
                    this.spawn(buf, cx);
                }
                state @ State::Waiting { .. } => {
                    this.state = state;
                    return this.poll_waiting(cx);
                }
                State::Finished => {
                    panic!("iocompat::PositionalFile: an operation was polled after it completed")
                }
            }
        }
    }
}

impl<B: Send + 'static, R: Outcome> Drop for Call<B, R> {
    fn drop(&mut self) {
        let State::Waiting { slot, .. } = &self.state else {
            return;
        };
        let mut guard = lock(slot);
        match &mut *guard {
            Slot::Running { abandoned, .. } => {
                *abandoned = true;
                if self.args.kind.modifies() {
                    self.shared.dropped.started();
                }
            }
            Slot::Done(..) if self.args.kind.modifies() => {
                if let Slot::Done(result, _) = mem::replace(&mut *guard, Slot::Taken) {
                    if let Some(e) = failure_of(&self.args, result) {
                        self.shared.dropped.failed(e);
                    }
                }
            }
            Slot::Unrun(_) if self.args.kind.modifies() => {
                self.shared.dropped.failed(self.args.error(
                    io::ErrorKind::Other,
                    "not done: the blocking pool dropped it unrun, and its future was dropped \
                     before it could report that",
                ));
            }
            _ => {}
        }
    }
}

impl<B: Send + 'static, R: Outcome> fmt::Debug for Call<B, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::New(_) => "New",
            State::Ready(_) => "Ready",
            State::Waiting { .. } => "Waiting",
            State::Finished => "Finished",
        };
        f.debug_struct("Call")
            .field("operation", &self.args.kind.name())
            .field("offset", &self.args.offset)
            .field("state", &state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_checked_before_anything_runs() {
        let ok = Args::new(OpKind::ReadAt, i64::MAX as u64, 0);
        assert!(ok.check().is_ok());
        let past = Args::new(OpKind::WriteAt, i64::MAX as u64 + 1, 0);
        assert!(past.check().unwrap_err().to_string().contains("i64::MAX"));
        let overflow = Args::new(OpKind::ReadExactAt, u64::MAX - 2, 3);
        let e = overflow.check().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            "iocompat::PositionalFile::read_exact_at: offset + buffer length (3 bytes) \
             overflows u64 at offset 18446744073709551613"
        );
        // Operations without an offset are not checked: `set_len`'s size goes to the OS.
        assert!(Args::new(OpKind::SetLen, u64::MAX, 0).check().is_ok());
    }

    #[test]
    fn messages_name_the_operation_and_where() {
        let at = Args::new(OpKind::WriteAllAt, 7, 1);
        let e = at.wrap(io::Error::from_raw_os_error(9));
        assert!(
            e.to_string()
                .starts_with("iocompat::PositionalFile::write_all_at: ")
        );
        assert!(e.to_string().ends_with(" at offset 7"));
        assert_eq!(e.kind(), io::Error::from_raw_os_error(9).kind());
        let source = e.get_ref().and_then(|inner| inner.source()).unwrap();
        let source = source.downcast_ref::<io::Error>().unwrap();
        assert_eq!(source.raw_os_error(), Some(9));
        let sized = Args::new(OpKind::SetLen, 42, 0).error(io::ErrorKind::Other, "no");
        assert_eq!(
            sized.to_string(),
            "iocompat::PositionalFile::set_len: no (new length 42)"
        );
        let plain = Args::new(OpKind::SyncAll, 0, 0).error(io::ErrorKind::Other, "no");
        assert_eq!(plain.to_string(), "iocompat::PositionalFile::sync_all: no");
    }

    #[test]
    fn a_short_or_failed_dropped_write_is_a_failure_a_full_one_is_not() {
        let args = Args::new(OpKind::WriteAt, 3, 10);
        assert!(failure_of(&args, Ok(10usize)).is_none());
        let short = failure_of(&args, Ok(4usize)).unwrap();
        assert_eq!(short.kind(), io::ErrorKind::WriteZero);
        let failed = failure_of::<()>(&args, Err(io::Error::from_raw_os_error(28))).unwrap();
        assert!(failed.to_string().contains("after its future was dropped"));
        assert_eq!(failed.kind(), io::Error::from_raw_os_error(28).kind());
    }

    #[test]
    fn dropped_failures_are_reported_once_first_whole_then_counted() {
        let dropped = DroppedWrites::default();
        assert!(dropped.take_failure().is_none());
        dropped.failed(io::Error::new(io::ErrorKind::StorageFull, "first"));
        dropped.failed(io::Error::other("second"));
        dropped.failed(io::Error::other("third"));
        let e = dropped.take_failure().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        assert_eq!(
            e.to_string(),
            "first (and 2 later dropped operations failed too)"
        );
        assert!(dropped.take_failure().is_none());
        dropped.failed(io::Error::other("alone"));
        assert_eq!(dropped.take_failure().unwrap().to_string(), "alone");
    }

    #[test]
    fn syncs_wait_until_no_dropped_write_runs() {
        let dropped = DroppedWrites::default();
        let mut cx = Context::from_waker(Waker::noop());
        assert!(dropped.poll_idle(&mut cx).is_ready());
        dropped.started();
        dropped.started();
        assert!(dropped.poll_idle(&mut cx).is_pending());
        dropped.finished(None);
        assert!(dropped.poll_idle(&mut cx).is_pending());
        dropped.finished(Some(io::Error::other("late")));
        assert!(dropped.poll_idle(&mut cx).is_ready());
        assert_eq!(dropped.take_failure().unwrap().to_string(), "late");
    }

    #[test]
    fn misses_back_off_exponentially_up_to_the_cap_and_hits_halve_them() {
        let backoff = MissBackoff::default();
        let skipped_after_a_miss = |b: &MissBackoff| {
            b.missed();
            let mut n = 0;
            while b.skip() {
                n += 1;
            }
            n
        };
        let runs: Vec<u32> = (0..12).map(|_| skipped_after_a_miss(&backoff)).collect();
        assert_eq!(runs, [0, 1, 3, 7, 15, 31, 63, 127, 255, 255, 255, 255]);
        backoff.hit();
        assert_eq!(
            skipped_after_a_miss(&backoff),
            63,
            "12 misses, halved to 6, then one more"
        );
        for _ in 0..8 {
            backoff.hit();
        }
        assert!(!backoff.skip());
        assert_eq!(skipped_after_a_miss(&backoff), 0);
    }
}
