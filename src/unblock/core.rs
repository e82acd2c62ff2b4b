//! The consumer side of [`Unblock`](crate::Unblock): one state machine that every trait face
//! (tokio, futures-io, `Stream`) calls into.
//!
//! [`Core`] is two parts: the [`Shared`] state behind its mutex (exchanged with the pump), and
//! the consumer's [`Local`] state, which no other thread sees: the read chunk it is reading
//! from, the write chunk it is filling, the command it waits for, the position. The parts are
//! separate fields, so a method locks the shared part while it changes the local one, and a
//! `poll_read` that is served from the current chunk takes no lock.
//!
//! | file | what |
//! |---|---|
//! | `core.rs` | the two parts, starting the pump, waiting, the command in flight, drop |
//! | `core/read.rs` | reading: buffered chunks, inline reads, read-ahead |
//! | `core/write.rs` | writing: the write chunk, giving back read-ahead, flush |
//! | `core/seek.rs` | seeking: futures-io `poll_seek`, tokio `start_seek` / `poll_complete` |
//! | `core/access.rs` | whole-value access: `get_mut`, `with_mut`, `into_inner` |
//! | `core/items.rs` | iterators: items fetched ahead in batches |
//!
//! Ordering rules that keep the logical position exact:
//! - before a read is sent to the pool, queued writes are written;
//! - before the first write after reading, unread read-ahead is given back by seeking the inner
//!   value back (when it can seek), so the write lands at the position the consumer has read to;
//! - a seek, flush or closure runs after the queued writes, and a seek that lands inside the
//!   read-ahead keeps it.
//!
//! Every `poll_*` that returns `Pending` leaves the state consistent: dropping its future at any
//! point loses nothing, because work handed to the pump is always finished and its result
//! applied by whichever operation comes next. Three ways of waiting for what an earlier,
//! cancelled operation left behind:
//!
//! | method | waits for | then |
//! |---|---|---|
//! | [`poll_leftover_command`](Local::poll_leftover_command) | the command in flight (a flush, seek or closure whose future was dropped) | its error, when the next operation must report it |
//! | [`poll_clear_to_start`](Local::poll_clear_to_start) | that command, and a tokio seek `start_seek` began | an error that stops any operation (a panic, a dropped job, a deferred error) |
//! | [`poll_value_home`](Local::poll_value_home) | all of that, the queued writes, read-ahead given back, the pump stopped | the value is in the consumer's hands; errors are kept for the next operation |

// Without a trait family enabled only the `Stream` face exists; the I/O half is unused.
#![cfg_attr(not(any(feature = "tokio", feature = "futures-io")), allow(dead_code))]

mod access;
mod items;
mod read;
mod seek;
mod write;

use std::any::Any;
use std::io::{self, SeekFrom};
use std::sync::{Arc, MutexGuard};
use std::task::{Context, Poll, ready};

use super::inline_read;
use super::pump::PumpJob;
use super::shared::{Chunk, Command, MAX_READ_CHUNKS, Output, ReadFn, SeekOps, Shared, State};
use crate::pool::Spawner;

#[cfg(feature = "tokio")]
pub(crate) use self::read::ReadDst;
pub(crate) use self::seek::seek_ops;

pub(crate) use super::limits::{FIRST_CHUNK, MAX_WRITE_CHUNK};

/// Buffer sizes derived from the capacity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) capacity: usize,
    max_chunk: usize,
    max_write_chunk: usize,
    first_chunk: usize,
    /// Read a regular file's cached pages on the consumer's thread (see [`inline_read`]).
    inline_reads: bool,
}

impl Limits {
    pub(crate) fn new(capacity: usize) -> Self {
        // Four chunks per direction, each at least one byte.
        let capacity = capacity.max(MAX_READ_CHUNKS);
        let max_chunk = capacity / MAX_READ_CHUNKS;
        Self {
            capacity,
            max_chunk,
            max_write_chunk: max_chunk.min(MAX_WRITE_CHUNK),
            first_chunk: FIRST_CHUNK.min(max_chunk),
            inline_reads: true,
        }
    }

    pub(crate) fn inline_reads(self, inline_reads: bool) -> Self {
        Self {
            inline_reads,
            ..self
        }
    }
}

/// The in-flight command, and which operation it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InFlight {
    Flush,
    /// `started`: begun by tokio's `start_seek` (its error goes to whoever carries it out),
    /// else by futures-io's `poll_seek` (whose caller alone may continue it).
    Seek {
        pos: SeekFrom,
        started: bool,
    },
    /// Giving back read-ahead before a write (or before handing out the value).
    Reposition,
    Run,
}

/// The consumer: the state shared with the pump, and its own.
pub(crate) struct Core<T: Send + 'static> {
    shared: Arc<Shared<T>>,
    local: Local<T>,
}

/// The consumer's own state: never seen by the pump.
struct Local<T: Send + 'static> {
    spawner: Spawner,
    limits: Limits,
    /// The wrapped value when the consumer has taken it back (`get_mut`).
    home: Option<T>,
    /// The chunk being read from.
    current: Option<Chunk>,
    /// The chunk being written into (`len` = bytes buffered).
    wbuf: Vec<u8>,
    write_chunk: usize,
    /// Bytes accepted since the last flush was issued.
    dirty: bool,
    in_flight: Option<InFlight>,
    /// A tokio `start_seek` not yet driven by `poll_complete`.
    queued_seek: Option<SeekFrom>,
    /// An error from an operation whose future was dropped, for the next operation.
    deferred: Option<io::Error>,
    seek_ops: Option<SeekOps<T>>,
    /// The inner value could not seek back (a pipe or socket): read-ahead is kept on writes.
    stream_like: bool,
    /// The consumer's logical position, when a seek has told it.
    known_pos: Option<u64>,
    /// Writes move the value's position by what they write, so `known_pos` survives them
    /// (see [`inline_read::writes_advance_position`]); otherwise a write forgets it.
    writes_advance_pos: bool,
    /// Reading since the last write: read-ahead may exist or be under way.
    read_active: bool,
    /// The consumer's batch of iterator items (a `VecDeque<Item>` behind `dyn Any`).
    local_items: Option<Box<dyn Any + Send>>,
    /// Reads cached pages without the pool (a regular `File` on Linux; see [`inline_read`]).
    inline: Option<ReadFn<T>>,
    /// The value was handed out (`get_mut`, `with_mut`) and may have been replaced or had its
    /// flags changed: decide again, before the next inline read, whether it qualifies.
    inline_recheck: bool,
}

type Guard<'a, T> = MutexGuard<'a, State<T>>;

impl<T: Send + 'static> Core<T> {
    pub(crate) fn new(
        inner: T,
        limits: Limits,
        spawner: Spawner,
        seek_ops: Option<SeekOps<T>>,
        items_cap: usize,
    ) -> Self {
        let inline = if limits.inline_reads {
            inline_read::for_value(&inner)
        } else {
            None
        };
        let writes_advance_pos = inline_read::writes_advance_position(&inner);
        Self {
            shared: Arc::new(Shared::new(inner, limits.first_chunk, items_cap.max(1))),
            local: Local {
                inline,
                inline_recheck: false,
                writes_advance_pos,
                spawner,
                limits,
                home: None,
                current: None,
                wbuf: Vec::new(),
                write_chunk: limits.first_chunk,
                dirty: false,
                in_flight: None,
                queued_seek: None,
                deferred: None,
                seek_ops,
                stream_like: false,
                known_pos: None,
                read_active: false,
                local_items: None,
            },
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.local.limits.capacity
    }
}

impl<T: Send + 'static> Local<T> {
    // ----- pump control -------------------------------------------------------------------

    /// Starts a pump if there is work and none is running. Spawns outside the lock.
    fn kick(&mut self, sh: &Arc<Shared<T>>, mut st: Guard<'_, T>) {
        if !st.wants_pump() {
            return;
        }
        if let Some(inner) = self.home.take() {
            // The caller had the value (`get_mut`): it may have been replaced or reopened.
            self.writes_advance_pos = inline_read::writes_advance_position(&inner);
            st.put_value(inner);
        }
        st.begin_pump();
        drop(st);
        let job = PumpJob::new(Arc::clone(sh));
        self.spawner.spawn(move || job.run());
    }

    /// Waits for the pump: registers the consumer's waker ([`State::park`]) and starts a pump
    /// if none runs. If none can run (the value panicked, or the pool dropped the job), returns
    /// that error instead of `Pending`, so no operation ever waits for a wake-up that cannot
    /// come. A job the pool dropped is reported, not respawned in a loop: the next operation
    /// tries again.
    fn pend<R>(
        &mut self,
        sh: &Arc<Shared<T>>,
        mut st: Guard<'_, T>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<R>> {
        if st.park(cx.waker()) {
            self.kick(sh, st);
            return Poll::Pending;
        }
        let err = self.take_stop_error(&mut st).unwrap_or_else(|| {
            io::Error::other("iocompat::Unblock: internal error: nothing left to wait for")
        });
        Poll::Ready(Err(err))
    }

    /// Errors that end any operation before it starts: a panic earlier, a job the pool dropped,
    /// an error deferred from a cancelled operation.
    fn take_stop_error(&mut self, st: &mut State<T>) -> Option<io::Error> {
        st.take_stop_error().or_else(|| self.deferred.take())
    }

    /// A failed write, reported once: the unwritten data stays queued and is tried again
    /// first by whatever comes next. The position is asked again when next needed.
    fn take_write_error(&mut self, st: &mut State<T>) -> Option<io::Error> {
        let e = st.write.take_error()?;
        self.known_pos = None;
        Some(e)
    }

    // ----- the command in flight ----------------------------------------------------------

    fn issue(&mut self, st: &mut State<T>, cmd: Command<T>, kind: InFlight) {
        st.command.issue(cmd);
        self.in_flight = Some(kind);
    }

    /// Waits for the in-flight command and applies its effect on the buffers. Its error, if
    /// any, is returned: to the operation it belongs to, or as the deferred error of a
    /// cancelled one.
    fn poll_command(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Output>> {
        let mut st = sh.lock();
        let Some((result, from_write)) = st.command.take_result() else {
            if st.take_pool_dropped() {
                // The pump was dropped unrun: the command is still queued; take it back.
                st.command.withdraw();
                self.in_flight = None;
                return Poll::Ready(Err(super::shared::pool_dropped_error()));
            }
            return self.pend(sh, st, cx);
        };
        let kind = self.in_flight.take();
        // `from_write`: the pump answered with the error of a queued write that failed first;
        // that error says nothing about seeking.
        match &result {
            Ok(Output::Seeked(outcome)) => self.apply_seek(&mut st, *outcome),
            Err(e) if kind == Some(InFlight::Reposition) && !from_write && is_not_seekable(e) => {
                // A pipe, socket or terminal: its read side is independent of its write side,
                // so the read-ahead stays to be read.
                self.stream_like = true;
                return Poll::Ready(Ok(Output::Nothing));
            }
            Err(_) if matches!(kind, Some(InFlight::Seek { .. } | InFlight::Reposition)) => {
                self.known_pos = None;
            }
            _ => {}
        }
        Poll::Ready(result)
    }

    /// Waits for the command a cancelled operation left in flight. Its failure is returned
    /// when the next operation must report it.
    fn poll_leftover_command(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        let Some(kind) = self.in_flight else {
            return Poll::Ready(Ok(()));
        };
        match ready!(self.poll_command(sh, cx)) {
            // A failed futures-io seek changed nothing, and its caller is gone: nothing to
            // report. The position is asked again when next needed. (A failed tokio seek is
            // reported: `poll_started_seek` carries those out first.)
            Err(_) if matches!(kind, InFlight::Seek { started: false, .. }) => Poll::Ready(Ok(())),
            // A failed flush (or give-back before a write) may mean data was not written:
            // the next operation reports it.
            Err(e) => Poll::Ready(Err(e)),
            // A with_mut closure panicked after its caller went away: nobody to resume the
            // panic in, and the value itself did not panic, so carry on.
            Ok(Output::Ran(Err(_panic))) => Poll::Ready(Ok(())),
            Ok(_) => Poll::Ready(Ok(())),
        }
    }

    /// Finishes whatever a cancelled operation left behind (a command in flight, a tokio seek
    /// `start_seek` began) and returns the error that stops a new operation, if any.
    fn poll_clear_to_start(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        ready!(self.poll_leftover_command(sh, cx))?;
        ready!(self.poll_started_seek(sh, cx))?;
        let mut st = sh.lock();
        match self.take_stop_error(&mut st) {
            Some(e) => Poll::Ready(Err(e)),
            None => Poll::Ready(Ok(())),
        }
    }
}

impl<T: Send + 'static> Drop for Core<T> {
    /// Buffered writes are still written, and the value is flushed and dropped on the pool
    /// (best effort: nobody is left to see an error), even if the pool drops the job because
    /// its runtime is shutting down (see [`PumpJob`]). Read-ahead stops.
    fn drop(&mut self) {
        let mut st = self.shared.lock();
        st.orphan();
        let local = &mut self.local;
        if !local.wbuf.is_empty() {
            st.write.push(std::mem::take(&mut local.wbuf));
        }
        if !st.write.has_error() && (!st.write.is_drained() || local.dirty) {
            st.close();
        }
        local.kick(&self.shared, st);
    }
}

impl<T: Send + 'static> std::fmt::Debug for Core<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let local = &self.local;
        f.debug_struct("Unblock")
            .field("capacity", &local.limits.capacity)
            .field("spawner", &local.spawner)
            .field(
                "buffered_read",
                &local.current.as_ref().map_or(0, Chunk::remaining),
            )
            .field("buffered_write", &local.wbuf.len())
            .field("in_flight", &local.in_flight)
            .finish_non_exhaustive()
    }
}

/// `ESPIPE` and friends: the value is a pipe, socket or terminal.
fn is_not_seekable(e: &io::Error) -> bool {
    #[cfg(unix)]
    if e.raw_os_error() == Some(rustix::io::Errno::SPIPE.raw_os_error()) {
        return true;
    }
    e.kind() == io::ErrorKind::Unsupported
}
