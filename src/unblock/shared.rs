//! The state shared between an [`Unblock`](crate::Unblock) and its pump on the blocking pool,
//! and the pump itself.
//!
//! The pump is one blocking job that owns the wrapped value while it runs. It loops, taking its
//! work from [`State`] under the mutex and doing it without the lock:
//!
//! 1. queued write chunks, in order, unless an earlier write failed and that failure has not
//!    been reported yet;
//! 2. the one pending command (flush, seek, closure);
//! 3. read-ahead: one `read` call into a free chunk, while the consumer allows it and fewer than
//!    [`MAX_READ_CHUNKS`] chunks are out.
//!
//! When there is nothing left to do it puts the value back and returns. It never waits for the
//! consumer, so a pool thread is never parked on a slow reader. The consumer starts a new pump
//! when it queues work and none is running.
//!
//! The pump gets the operations it needs (`Read::read`, `Write::write`, ...) as plain function
//! pointers captured by the trait impls that know the bounds, so this module needs no bounds
//! on `T` beyond `Send + 'static`.

// Without a trait family enabled only the `Stream` face exists; the I/O half is unused.
#![cfg_attr(not(any(feature = "tokio", feature = "futures-io")), allow(dead_code))]

use std::any::Any;
use std::collections::VecDeque;
use std::io::{self, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

/// Read chunks in existence at once: the one the consumer reads from plus read-ahead.
pub(crate) const MAX_READ_CHUNKS: usize = 4;
/// Write chunks in existence at once: the one the consumer fills plus the ones queued.
pub(crate) const MAX_WRITE_CHUNKS: usize = 4;

pub(crate) type ReadFn<T> = fn(&mut T, &mut [u8]) -> io::Result<usize>;
pub(crate) type WriteFn<T> = fn(&mut T, &[u8]) -> io::Result<usize>;
pub(crate) type FlushFn<T> = fn(&mut T) -> io::Result<()>;
pub(crate) type SeekFn<T> = fn(&mut T, SeekFrom) -> io::Result<u64>;
pub(crate) type TellFn<T> = fn(&mut T) -> io::Result<u64>;
pub(crate) type RunFn<T> = Box<dyn FnOnce(&mut T) -> Box<dyn Any + Send> + Send>;

/// How to seek the wrapped value: captured where `T: Seek` is known.
pub(crate) struct SeekOps<T> {
    pub(crate) seek: SeekFn<T>,
    pub(crate) tell: TellFn<T>,
}

impl<T> Clone for SeekOps<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SeekOps<T> {}

/// A filled read chunk: `buf[start..end]` is unread data. `buf.len()` is the chunk's size and
/// stays so while it is recycled, so a recycled chunk is never zeroed again.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub(crate) buf: Vec<u8>,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Chunk {
    pub(crate) fn remaining(&self) -> usize {
        self.end - self.start
    }
}

/// What ends the read-ahead, after the filled chunks.
#[derive(Debug)]
pub(crate) enum ReadEnd {
    Eof,
    Error(io::Error),
}

/// One operation the consumer asked for, run by the pump after the queued writes.
pub(crate) enum Command<T> {
    Flush(FlushFn<T>),
    /// Seek, keeping read-ahead where the target falls inside it (unless `discard`).
    /// `local_ahead` / `local_behind`: unread and already-read bytes of the consumer's chunk.
    Seek {
        ops: SeekOps<T>,
        pos: SeekFrom,
        local_ahead: u64,
        local_behind: u64,
        discard: bool,
    },
    Run(RunFn<T>),
}

/// Where a seek landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeekOutcome {
    /// The target is inside the read-ahead: skip `delta` bytes from the consumer's position
    /// (negative: step back inside its chunk). The inner value did not move.
    Reuse { pos: u64, delta: i64 },
    /// The inner value moved to `pos`: all read-ahead is stale.
    Moved { pos: u64 },
}

pub(crate) enum Output {
    Done,
    Seeked(SeekOutcome),
    /// A `with_mut` closure's return value, or its panic payload (resumed in the caller).
    Ran(std::thread::Result<Box<dyn Any + Send>>),
}

pub(crate) struct State<T> {
    /// The wrapped value while no pump holds it.
    pub(crate) inner: Option<T>,
    /// A pump job is spawned or running.
    pub(crate) running: bool,
    /// The consumer's waker, taken (and woken) by the pump when it makes progress.
    pub(crate) waker: Option<Waker>,
    /// Set when the wrapped value panicked: the message, for every later operation.
    pub(crate) poisoned: Option<String>,
    /// Set when the pool dropped a pump job without running it.
    pub(crate) pool_dropped: bool,

    // Read side.
    pub(crate) read_fn: Option<ReadFn<T>>,
    /// The consumer allows read-ahead. Cleared by the pump after a short read, end of file or
    /// error, so a socket or pipe is not read again until the consumer asks.
    pub(crate) want_read: bool,
    pub(crate) filled: VecDeque<Chunk>,
    pub(crate) read_end: Option<ReadEnd>,
    /// Read chunks not in `read_free`: the consumer's, `filled`, and one in a `read` call.
    pub(crate) read_out: usize,
    pub(crate) read_free: Vec<Vec<u8>>,
    /// Size of the next read chunk.
    pub(crate) read_chunk: usize,
    /// The pump is inside a `read` call.
    pub(crate) reading: bool,

    // Write side.
    pub(crate) write_fn: Option<WriteFn<T>>,
    pub(crate) to_write: VecDeque<Vec<u8>>,
    /// Write chunks not in `write_free` and not the consumer's: queued or being written.
    pub(crate) write_out: usize,
    pub(crate) write_free: Vec<Vec<u8>>,
    /// A failed write, kept whole until the consumer reports it. The unwritten rest of the
    /// failed chunk stays at the front of `to_write`.
    pub(crate) write_error: Option<io::Error>,
    pub(crate) flush_fn: Option<FlushFn<T>>,
    /// Drop asked the pump to write what is queued, flush, and leave the value to be dropped
    /// on the pool thread.
    pub(crate) closing: bool,
    /// The adapter was dropped: nobody is left to see an error or to retry, so a pump job the
    /// pool drops unrun does its work where it is dropped (see [`PumpJob`]).
    pub(crate) orphaned: bool,

    // Commands.
    pub(crate) command: Option<Command<T>>,
    pub(crate) result: Option<io::Result<Output>>,
    /// `result` is the error of a queued write, given to a command that had to wait for it.
    pub(crate) result_from_write: bool,

    // Iterator side (see `stream.rs`): `VecDeque<Item>`s behind `dyn Any`.
    pub(crate) iter_ops: Option<IterOps<T>>,
    /// Items fetched and not yet taken by the consumer.
    pub(crate) items: Option<Box<dyn Any + Send>>,
    /// The pump's staging batch, kept between runs so it is allocated once.
    pub(crate) items_spare: Option<Box<dyn Any + Send>>,
    pub(crate) items_len: usize,
    pub(crate) items_cap: usize,
    pub(crate) items_done: bool,
    /// The iterator panicked: resumed in the consumer's `poll_next`.
    pub(crate) items_panic: Option<Box<dyn Any + Send>>,
}

/// Pulls one item from the iterator into the `VecDeque<Item>` behind `dyn Any`; false at end.
pub(crate) type NextFn<T> = fn(&mut T, &mut Option<Box<dyn Any + Send>>) -> bool;
/// Moves every item of the second `VecDeque<Item>` to the end of the first.
pub(crate) type MergeFn = fn(&mut Option<Box<dyn Any + Send>>, &mut Option<Box<dyn Any + Send>>);

/// How the pump drives an iterator: captured where `T: Iterator` is known.
pub(crate) struct IterOps<T> {
    pub(crate) next: NextFn<T>,
    pub(crate) merge: MergeFn,
}

impl<T> Clone for IterOps<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for IterOps<T> {}

pub(crate) struct Shared<T> {
    state: Mutex<State<T>>,
}

impl<T> Shared<T> {
    pub(crate) fn new(inner: T, read_chunk: usize, items_cap: usize) -> Self {
        Self {
            state: Mutex::new(State {
                inner: Some(inner),
                running: false,
                waker: None,
                poisoned: None,
                pool_dropped: false,
                read_fn: None,
                want_read: false,
                filled: VecDeque::new(),
                read_end: None,
                read_out: 0,
                read_free: Vec::new(),
                read_chunk,
                reading: false,
                write_fn: None,
                to_write: VecDeque::new(),
                write_out: 0,
                write_free: Vec::new(),
                write_error: None,
                flush_fn: None,
                closing: false,
                orphaned: false,
                command: None,
                result: None,
                result_from_write: false,
                iter_ops: None,
                items: None,
                items_spare: None,
                items_len: 0,
                items_cap,
                items_done: false,
                items_panic: None,
            }),
        }
    }

    /// Locks the state. A poisoned mutex cannot happen (no user code runs under the lock), but
    /// if it did the state is still consistent, so the guard is taken either way.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T> State<T> {
    /// There is work the pump would do now.
    pub(crate) fn has_work(&self) -> bool {
        if self.poisoned.is_some() {
            // Only to fail (or, for `with_mut`, run) the pending command.
            return self.command.is_some();
        }
        (self.write_error.is_none() && !self.to_write.is_empty())
            || self.command.is_some()
            || self.closing
            || self.can_read_ahead()
            || self.can_fetch_items()
    }

    fn can_read_ahead(&self) -> bool {
        self.want_read
            && self.read_fn.is_some()
            && self.read_end.is_none()
            && self.read_out < MAX_READ_CHUNKS
            && self.poisoned.is_none()
    }

    fn can_fetch_items(&self) -> bool {
        self.iter_ops.is_some()
            && !self.items_done
            && self.items_len < self.items_cap
            && self.poisoned.is_none()
    }

    /// A free read chunk of the current size, recycled when one fits.
    fn take_read_buf(&mut self) -> Vec<u8> {
        let size = self.read_chunk;
        while let Some(buf) = self.read_free.pop() {
            if buf.len() >= size {
                return buf;
            }
        }
        vec![0; size]
    }

    /// Takes the consumer's waker, to be woken once the lock is released.
    pub(crate) fn take_waker(&mut self) -> Option<Waker> {
        self.waker.take()
    }
}

/// The error every operation returns once the wrapped value has panicked.
pub(crate) fn poisoned_error(message: &str) -> io::Error {
    io::Error::other(format!(
        "Unblock: the wrapped value panicked in an earlier operation ({message}); \
         it may be in an inconsistent state, so the adapter refuses further I/O"
    ))
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

fn panic_error(what: &str, message: &str) -> io::Error {
    io::Error::other(format!(
        "Unblock: the wrapped value panicked during {what}: {message}"
    ))
}

/// The pump job: spawned by the consumer with `running` already set.
///
/// If the pool drops it without running it (tokio drops the queued blocking jobs of a runtime
/// that shuts down, and refuses new ones once it has begun to), its `Drop`:
/// - while the adapter is alive, clears `running`, records why, and wakes the consumer, whose
///   operation then fails with an error and may be retried;
/// - once the adapter has been dropped, runs the pump right there, so the writes it accepted
///   and the final flush still happen: nobody is left to retry them. That thread is one the
///   pool or the runtime was ending on: a blocking-pool thread draining its queue at shutdown,
///   or the thread that dropped the adapter while its runtime was shutting down.
pub(crate) struct PumpJob<T: Send + 'static> {
    shared: Option<Arc<Shared<T>>>,
}

impl<T: Send + 'static> PumpJob<T> {
    pub(crate) fn new(shared: Arc<Shared<T>>) -> Self {
        Self {
            shared: Some(shared),
        }
    }

    pub(crate) fn run(mut self) {
        if let Some(shared) = self.shared.take() {
            pump(&shared);
        }
    }
}

impl<T: Send + 'static> Drop for PumpJob<T> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            if shared.lock().orphaned {
                pump(&shared);
                return;
            }
            let waker = {
                let mut st = shared.lock();
                st.running = false;
                st.pool_dropped = true;
                st.take_waker()
            };
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

enum Work<T> {
    Write(WriteFn<T>, Vec<u8>),
    Command(Command<T>),
    Read(ReadFn<T>, Vec<u8>),
    Next(IterOps<T>),
    Close(FlushFn<T>),
}

/// What was in flight, for reporting a panic.
#[derive(Clone, Copy)]
enum Kind {
    Write,
    Command,
    Read,
    Next,
    Close,
}

fn pump<T: Send + 'static>(shared: &Shared<T>) {
    let mut st = shared.lock();
    let Some(mut inner) = st.inner.take() else {
        st.running = false;
        wake(&mut st);
        return;
    };
    loop {
        let Some(work) = next_work(&mut st) else {
            break;
        };
        let kind = match &work {
            Work::Write(..) => Kind::Write,
            Work::Command(_) => Kind::Command,
            Work::Read(..) => Kind::Read,
            Work::Next(_) => Kind::Next,
            Work::Close(_) => Kind::Close,
        };
        // The seek command needs the read-ahead count, known only under the lock.
        let filled_ahead: u64 = st.filled.iter().map(|c| c.remaining() as u64).sum();
        let mut staging = st.items_spare.take();
        drop(st);

        let outcome = catch_unwind(AssertUnwindSafe(|| {
            do_work(&mut inner, work, filled_ahead, &mut staging)
        }));

        st = shared.lock();
        if let (Ok(Done::Next(true)), Some(ops)) = (&outcome, st.iter_ops) {
            // The consumer may have swapped batches meanwhile: merge, never overwrite.
            (ops.merge)(&mut st.items, &mut staging);
        }
        st.items_spare = staging;
        match outcome {
            Ok(done) => publish(&mut st, done),
            Err(payload) => {
                let message = panic_message(&*payload);
                let what = match kind {
                    Kind::Read => "read",
                    Kind::Write => "write",
                    Kind::Command => "a flush, seek or with_mut call",
                    Kind::Next => "Iterator::next",
                    Kind::Close => "the final flush on drop",
                };
                let error = panic_error(what, &message);
                match kind {
                    Kind::Read => {
                        st.reading = false;
                        st.read_out -= 1;
                        st.read_end = Some(ReadEnd::Error(error));
                    }
                    Kind::Write => {
                        st.write_out -= 1;
                        st.write_error = Some(error);
                    }
                    Kind::Command => st.result = Some(Err(error)),
                    Kind::Next => {
                        st.items_done = true;
                        st.items_panic = Some(payload);
                    }
                    Kind::Close => {}
                }
                st.want_read = false;
                st.poisoned = Some(message);
                wake(&mut st);
                break;
            }
        }
        wake(&mut st);
    }
    st.inner = Some(inner);
    st.running = false;
    wake(&mut st);
}

/// Picks the pump's next piece of work, in the order the module docs give.
fn next_work<T>(st: &mut State<T>) -> Option<Work<T>> {
    if let Some(message) = &st.poisoned {
        // After a panic only `with_mut` closures run; everything else fails.
        return match st.command.take() {
            Some(Command::Run(f)) => Some(Work::Command(Command::Run(f))),
            Some(_) => {
                st.result = Some(Err(poisoned_error(message)));
                None
            }
            None => None,
        };
    }
    if st.write_error.is_none() && !st.to_write.is_empty() {
        let write = st.write_fn?;
        let buf = st.to_write.pop_front()?;
        return Some(Work::Write(write, buf));
    }
    if let Some(cmd) = st.command.take() {
        if !st.to_write.is_empty() && !matches!(cmd, Command::Run(_)) {
            // Queued data could not be written: the flush or seek reports why. The data stays
            // queued and is tried again by the next write, flush or seek.
            let err = st
                .write_error
                .take()
                .unwrap_or_else(|| io::Error::other("Unblock: queued writes failed"));
            st.result = Some(Err(err));
            st.result_from_write = true;
            return next_work(st);
        }
        return Some(Work::Command(cmd));
    }
    if st.closing && (st.to_write.is_empty() || st.write_error.is_some()) {
        st.closing = false;
        if let Some(flush) = st.flush_fn {
            return Some(Work::Close(flush));
        }
    }
    if st.can_read_ahead() {
        let read = st.read_fn?;
        let buf = st.take_read_buf();
        st.read_out += 1;
        st.reading = true;
        return Some(Work::Read(read, buf));
    }
    if st.can_fetch_items() {
        return st.iter_ops.map(Work::Next);
    }
    None
}

/// Records the result of one piece of work.
fn publish<T>(st: &mut State<T>, done: Done) {
    match done {
        Done::Wrote(buf, Ok(())) => {
            st.write_out -= 1;
            st.write_free.push(buf);
        }
        Done::Wrote(rest, Err(err)) => {
            // The unwritten rest goes back to the front: nothing is lost.
            st.to_write.push_front(rest);
            st.write_error = Some(err);
        }
        Done::Command(result) => st.result = Some(result),
        Done::Read(buf, result) => {
            st.reading = false;
            match result {
                Ok(0) => {
                    st.read_out -= 1;
                    st.read_free.push(buf);
                    st.read_end = Some(ReadEnd::Eof);
                    st.want_read = false;
                }
                Ok(n) => {
                    // Keep reading ahead only while reads fill their chunk (files); a short read
                    // means a pipe or socket that must not be read again unasked.
                    if n < buf.len() {
                        st.want_read = false;
                    }
                    st.filled.push_back(Chunk {
                        buf,
                        start: 0,
                        end: n,
                    });
                }
                Err(err) => {
                    st.read_out -= 1;
                    st.read_free.push(buf);
                    st.read_end = Some(ReadEnd::Error(err));
                    st.want_read = false;
                }
            }
        }
        Done::Next(more) => {
            if more {
                st.items_len += 1;
            } else {
                st.items_done = true;
            }
        }
        Done::Closed => {}
    }
}

/// Wakes the consumer if it is waiting. Waking under the lock is fine: the woken task can
/// only run once the pump has released it, and a `Waker` never calls back into this state.
fn wake<T>(st: &mut State<T>) {
    if let Some(w) = st.take_waker() {
        w.wake();
    }
}

enum Done {
    Wrote(Vec<u8>, io::Result<()>),
    Command(io::Result<Output>),
    Read(Vec<u8>, io::Result<usize>),
    Next(bool),
    Closed,
}

fn do_work<T>(
    inner: &mut T,
    work: Work<T>,
    filled_ahead: u64,
    items: &mut Option<Box<dyn Any + Send>>,
) -> Done {
    match work {
        Work::Write(write, buf) => write_chunk(inner, write, buf),
        Work::Command(cmd) => Done::Command(run_command(inner, cmd, filled_ahead)),
        Work::Read(read, mut buf) => {
            let result = retry(|| read(inner, &mut buf)).and_then(|n| {
                if n > buf.len() {
                    Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "Unblock: the wrapped reader returned {n} bytes for a {}-byte \
                             buffer (a broken `Read::read` implementation)",
                            buf.len()
                        ),
                    ))
                } else {
                    Ok(n)
                }
            });
            Done::Read(buf, result)
        }
        Work::Next(ops) => Done::Next((ops.next)(inner, items)),
        Work::Close(flush) => {
            // Drop asked for this: best effort, nobody is left to see an error.
            let _ = retry(|| flush(inner));
            Done::Closed
        }
    }
}

/// Calls `op` until it returns something other than `Interrupted`.
fn retry<R>(mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Writes the whole chunk, retrying `Interrupted`. On failure returns the unwritten rest.
fn write_chunk<T>(inner: &mut T, write: WriteFn<T>, mut buf: Vec<u8>) -> Done {
    let mut written = 0;
    let result = loop {
        if written == buf.len() {
            break Ok(());
        }
        match write(inner, &buf[written..]) {
            Ok(0) => {
                break Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "Unblock: the wrapped writer accepted 0 bytes of a non-empty buffer",
                ));
            }
            Ok(n) if n > buf.len() - written => {
                break Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "Unblock: the wrapped writer claimed {n} bytes written of a {}-byte \
                         buffer (a broken `Write::write` implementation)",
                        buf.len() - written
                    ),
                ));
            }
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    if result.is_ok() {
        buf.clear();
    } else {
        buf.drain(..written);
    }
    Done::Wrote(buf, result)
}

fn run_command<T>(inner: &mut T, cmd: Command<T>, filled_ahead: u64) -> io::Result<Output> {
    match cmd {
        Command::Flush(flush) => retry(|| flush(inner)).map(|()| Output::Done),
        Command::Run(f) => Ok(Output::Ran(catch_unwind(AssertUnwindSafe(|| f(inner))))),
        Command::Seek {
            ops,
            pos,
            local_ahead,
            local_behind,
            discard,
        } => {
            let ahead = local_ahead + filled_ahead;
            seek(inner, ops, pos, ahead, local_behind, discard).map(Output::Seeked)
        }
    }
}

/// Seeks relative to the consumer's logical position, which is `ahead` bytes behind the inner
/// value's own cursor. Keeps read-ahead when the target lies inside it.
fn seek<T>(
    inner: &mut T,
    ops: SeekOps<T>,
    pos: SeekFrom,
    ahead: u64,
    behind: u64,
    discard: bool,
) -> io::Result<SeekOutcome> {
    if let SeekFrom::End(_) = pos {
        let pos = retry(|| (ops.seek)(inner, pos))?;
        return Ok(SeekOutcome::Moved { pos });
    }
    let cur = retry(|| (ops.tell)(inner))?;
    let Some(logical) = cur.checked_sub(ahead) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "Unblock: seek: the wrapped value reports position {cur}, but {ahead} bytes \
                 were already read ahead from it (a broken `Seek` implementation)"
            ),
        ));
    };
    let target = match pos {
        SeekFrom::Start(x) => Some(x),
        SeekFrom::Current(k) => logical.checked_add_signed(k),
        SeekFrom::End(_) => None,
    };
    let Some(target) = target else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "Unblock: seek: {pos:?} from position {logical} lands before the start of the \
                 stream or past u64::MAX"
            ),
        ));
    };
    let window_start = logical.saturating_sub(behind);
    if !discard && target >= window_start && target <= cur {
        let delta = target as i128 - logical as i128;
        if let Ok(delta) = i64::try_from(delta) {
            return Ok(SeekOutcome::Reuse { pos: target, delta });
        }
    }
    let pos = retry(|| (ops.seek)(inner, SeekFrom::Start(target)))?;
    Ok(SeekOutcome::Moved { pos })
}
