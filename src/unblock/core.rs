//! The consumer side of [`Unblock`](crate::Unblock): one state machine that every trait face
//! (tokio, futures-io, `Stream`) calls into.
//!
//! The consumer owns the read chunk it is reading from and the write chunk it is filling; all
//! else lives in [`Shared`] and is exchanged with the pump under its mutex at chunk
//! boundaries, so a `poll_read` that is served from the current chunk takes no lock.
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
//! applied by whichever operation comes next.

// Without a trait family enabled only the `Stream` face exists; the I/O half is unused.
#![cfg_attr(not(any(feature = "tokio", feature = "futures-io")), allow(dead_code))]

use std::any::{Any, TypeId};
use std::collections::VecDeque;
use std::io::{self, SeekFrom};
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use super::inline_read::{self, Inline};
use super::shared::{
    Chunk, Command, FlushFn, IterOps, MAX_READ_CHUNKS, MAX_WRITE_CHUNKS, Output, PumpJob, ReadEnd,
    ReadFn, SeekOps, SeekOutcome, Shared, State, WriteFn, poisoned_error,
};
use crate::pool::Spawner;

/// Size of the first read and write chunk; chunks double while the consumer keeps going.
pub(crate) const FIRST_CHUNK: usize = 16 * 1024;
/// Largest write chunk. Reads gain from chunks larger than a core's cache (the pool thread
/// then writes lines the consumer no longer holds); writes measured best at this size, where
/// the consumer's copy is still in cache when the pool thread writes it out.
pub(crate) const MAX_WRITE_CHUNK: usize = 512 * 1024;

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

/// Where a read puts its bytes: a plain slice (futures-io) or tokio's `ReadBuf`, whose
/// unfilled part may not be initialised yet.
pub(crate) trait ReadDst {
    /// Bytes that still fit.
    fn room(&self) -> usize;
    /// The part of the room the value can be handed as `&mut [u8]` without zeroing it first
    /// (all of a slice; the initialised unfilled part of a `ReadBuf`).
    fn ready_room(&mut self) -> &mut [u8];
    /// Marks the first `n` bytes of [`ready_room`](Self::ready_room) as filled.
    fn advance(&mut self, n: usize);
    /// Copies `src` (at most [`room`](Self::room) bytes) in, as filled.
    fn put(&mut self, src: &[u8]);
}

impl ReadDst for [u8] {
    fn room(&self) -> usize {
        self.len()
    }

    fn ready_room(&mut self) -> &mut [u8] {
        self
    }

    fn advance(&mut self, _n: usize) {}

    fn put(&mut self, src: &[u8]) {
        self[..src.len()].copy_from_slice(src);
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

pub(crate) struct Core<T: Send + 'static> {
    shared: Arc<Shared<T>>,
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
            inline,
            inline_recheck: false,
            writes_advance_pos,
            shared: Arc::new(Shared::new(inner, limits.first_chunk, items_cap.max(1))),
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
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.limits.capacity
    }

    // ----- pump control -------------------------------------------------------------------

    /// Starts a pump if there is work and none is running. Takes the lock; spawns outside it.
    fn kick_locked(&mut self, mut st: std::sync::MutexGuard<'_, State<T>>) {
        if st.running || !st.has_work() {
            return;
        }
        if let Some(inner) = self.home.take() {
            // The caller had the value (`get_mut`): it may have been replaced or reopened.
            self.writes_advance_pos = inline_read::writes_advance_position(&inner);
            st.inner = Some(inner);
        }
        st.running = true;
        st.pool_dropped = false;
        drop(st);
        let job = PumpJob::new(Arc::clone(&self.shared));
        self.spawner.spawn(move || job.run());
    }

    /// Registers the consumer's waker and makes sure a pump will wake it. If none can run (the
    /// value panicked, or the pool dropped the job), returns that error instead of `Pending`,
    /// so no operation ever waits for a wake-up that cannot come.
    fn pend<R>(
        &mut self,
        mut st: std::sync::MutexGuard<'_, State<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<R>> {
        // A job the pool dropped is reported, not respawned in a loop: the next operation
        // tries again.
        if !st.pool_dropped && (st.running || st.has_work()) {
            st.waker = Some(cx.waker().clone());
            self.kick_locked(st);
            return Poll::Pending;
        }
        let err = self.take_blocking_error(&mut st).unwrap_or_else(|| {
            io::Error::other("Unblock: internal error: nothing left to wait for")
        });
        Poll::Ready(Err(err))
    }

    /// Errors that end any operation before it starts: a panic earlier, a job the pool dropped,
    /// an error deferred from a cancelled operation.
    fn take_blocking_error(&mut self, st: &mut State<T>) -> Option<io::Error> {
        Self::blocking_error(&mut self.deferred, st)
    }

    /// [`take_blocking_error`](Self::take_blocking_error) on the fields it needs, for callers
    /// that hold the lock through a borrow of `self.shared`.
    fn blocking_error(deferred: &mut Option<io::Error>, st: &mut State<T>) -> Option<io::Error> {
        if let Some(msg) = &st.poisoned {
            return Some(poisoned_error(msg));
        }
        if st.pool_dropped && !st.running {
            st.pool_dropped = false;
            // The read-ahead the dropped job was to do is off until the consumer asks again.
            st.want_read = false;
            return Some(pool_dropped_error());
        }
        deferred.take()
    }

    /// A failed write, reported once: the unwritten data stays queued and is tried again
    /// first by whatever comes next. The position is asked again when next needed.
    fn take_write_error(known_pos: &mut Option<u64>, st: &mut State<T>) -> Option<io::Error> {
        let e = st.write_error.take()?;
        *known_pos = None;
        Some(e)
    }

    /// Waits for the in-flight command and applies its effect on the buffers. Its error, if
    /// any, is returned: to the operation it belongs to, or as the deferred error of a
    /// cancelled one.
    fn poll_command(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Output>> {
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        let Some(result) = st.result.take() else {
            if st.pool_dropped && !st.running {
                // The pump was dropped unrun: the command is still queued; take it back.
                st.command = None;
                st.pool_dropped = false;
                self.in_flight = None;
                return Poll::Ready(Err(pool_dropped_error()));
            }
            return self.pend(st, cx);
        };
        let kind = self.in_flight.take();
        // The pump answers a command with the error of a queued write that failed first; that
        // error says nothing about seeking.
        let from_write = std::mem::take(&mut st.result_from_write);
        match &result {
            Ok(Output::Seeked(outcome)) => self.apply_seek(&mut st, *outcome),
            Err(e) if kind == Some(InFlight::Reposition) && !from_write && is_not_seekable(e) => {
                // A pipe, socket or terminal: its read side is independent of its write side,
                // so the read-ahead stays to be read.
                self.stream_like = true;
                return Poll::Ready(Ok(Output::Done));
            }
            Err(_) if matches!(kind, Some(InFlight::Seek { .. } | InFlight::Reposition)) => {
                self.known_pos = None;
            }
            _ => {}
        }
        Poll::Ready(result)
    }

    /// Finishes whatever a cancelled operation left behind (a command in flight, a queued tokio
    /// seek) and returns the error to report now, if any.
    fn poll_settle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_finish_in_flight(cx))?;
        ready!(self.poll_started_seek(cx))?;
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        match self.take_blocking_error(&mut st) {
            Some(e) => Poll::Ready(Err(e)),
            None => Poll::Ready(Ok(())),
        }
    }

    /// Waits for the command a cancelled operation left in flight.
    fn poll_finish_in_flight(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some(kind) = self.in_flight else {
            return Poll::Ready(Ok(()));
        };
        match ready!(self.poll_command(cx)) {
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

    fn issue(&mut self, st: &mut State<T>, cmd: Command<T>, kind: InFlight) {
        debug_assert!(st.command.is_none() && st.result.is_none());
        st.command = Some(cmd);
        self.in_flight = Some(kind);
    }

    // ----- reading ------------------------------------------------------------------------

    /// Returns buffered data, reading ahead on the pool when there is none.
    pub(crate) fn poll_fill_buf(
        &mut self,
        cx: &mut Context<'_>,
        read: ReadFn<T>,
    ) -> Poll<io::Result<&[u8]>> {
        if self.in_flight.is_some() || self.queued_seek.is_some() {
            // A cancelled seek must land before anything is read.
            ready!(self.poll_settle(cx))?;
        }
        if self.current.as_ref().is_some_and(|c| c.remaining() > 0) {
            return Poll::Ready(Ok(self.current_slice()));
        }
        ready!(self.poll_settle(cx))?;
        ready!(self.poll_writes_out(cx))?;
        let released = self.current.take();
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        if let Some(chunk) = released {
            self.recycle_read(&mut st, chunk, true);
        }
        st.read_fn = Some(read);
        self.read_active = true;
        if let Some(chunk) = st.filled.pop_front() {
            self.current = Some(chunk);
            self.kick_locked(st);
            return Poll::Ready(Ok(self.current_slice()));
        }
        match st.read_end.take() {
            Some(ReadEnd::Eof) => return Poll::Ready(Ok(&[])),
            Some(ReadEnd::Error(e)) => return Poll::Ready(Err(e)),
            None => {}
        }
        if let Some(e) = self.take_blocking_error(&mut st) {
            return Poll::Ready(Err(e));
        }
        if let Some(n) = self.read_inline_chunk(&mut st) {
            drop(st);
            if n == 0 {
                return Poll::Ready(Ok(&[]));
            }
            return Poll::Ready(Ok(self.current_slice()));
        }
        st.want_read = true;
        self.pend(st, cx)
    }

    /// The inline read and the value it may run on now, with the free chunks and the count of
    /// chunks out: only when no pump holds the value and nothing is queued, buffered or owed
    /// to the caller, and the value (checked again if it was handed out) qualifies.
    #[allow(clippy::type_complexity)]
    fn inline_target<'a>(
        &'a mut self,
        st: &'a mut State<T>,
    ) -> Option<(ReadFn<T>, &'a mut T, &'a mut Vec<Vec<u8>>, &'a mut usize)> {
        if st.running
            || !st.filled.is_empty()
            || st.read_end.is_some()
            || !st.to_write.is_empty()
            || st.write_out != 0
            || st.write_error.is_some()
            || st.poisoned.is_some()
            || st.pool_dropped
            || st.command.is_some()
            || st.result.is_some()
        {
            return None;
        }
        let inner = match self.home.as_mut() {
            Some(value) => value,
            None => st.inner.as_mut()?,
        };
        let read = recheck_inline(
            &mut self.inline,
            &mut self.inline_recheck,
            self.limits.inline_reads,
            inner,
        )?;
        Some((read, inner, &mut st.read_free, &mut st.read_out))
    }

    /// With nothing buffered: reads the next chunk from the page cache on this thread, when
    /// the value is a regular file whose data is cached. `Some(n)`: `n` bytes are now the
    /// current chunk (0: end of file); `None`: the pool must read.
    fn read_inline_chunk(&mut self, st: &mut State<T>) -> Option<usize> {
        if self.inline.is_none() && !self.inline_recheck {
            return None;
        }
        let len = st.read_chunk.min(inline_read::MAX_INLINE_CHUNK);
        let (read, inner, free, out) = self.inline_target(st)?;
        let mut buf = free.pop().unwrap_or_default();
        if buf.len() < len {
            buf.resize(len, 0);
        }
        match inline_read::run(read, inner, &mut buf[..len]) {
            Inline::Read(0) => {
                free.push(buf);
                Some(0)
            }
            Inline::Read(n) => {
                *out += 1;
                self.current = Some(Chunk {
                    buf,
                    start: 0,
                    end: n,
                });
                Some(n)
            }
            Inline::Pool => {
                free.push(buf);
                None
            }
            Inline::Never => {
                free.push(buf);
                self.inline = None;
                None
            }
        }
    }

    /// A read of a large `dst` served straight from the page cache, with nothing buffered in
    /// between: `None` when the pool (or the buffered data) must serve it instead.
    pub(crate) fn read_inline_into(&mut self, dst: &mut [u8]) -> Option<io::Result<usize>> {
        if (self.inline.is_none() && !self.inline_recheck)
            || dst.len() < inline_read::DIRECT_TO_CALLER
            || self.in_flight.is_some()
            || self.queued_seek.is_some()
            || self.deferred.is_some()
            || !self.wbuf.is_empty()
            || self.current.as_ref().is_some_and(|c| c.remaining() > 0)
        {
            return None;
        }
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        let (read, inner, _, _) = self.inline_target(&mut st)?;
        match inline_read::run(read, inner, dst) {
            Inline::Read(n) => {
                if let Some(chunk) = self.current.take() {
                    self.recycle_read(&mut st, chunk, true);
                }
                self.read_active = true;
                self.known_pos = self.known_pos.and_then(|p| p.checked_add(n as u64));
                Some(Ok(n))
            }
            Inline::Pool => None,
            Inline::Never => {
                self.inline = None;
                None
            }
        }
    }

    fn current_slice(&self) -> &[u8] {
        match &self.current {
            Some(c) => &c.buf[c.start..c.end],
            None => &[],
        }
    }

    /// Marks `amt` bytes of the current chunk as read (clamped to what is there).
    pub(crate) fn consume(&mut self, amt: usize) {
        if let Some(c) = &mut self.current {
            let amt = amt.min(c.remaining());
            c.start += amt;
            self.known_pos = self.known_pos.and_then(|p| p.checked_add(amt as u64));
        }
    }

    /// Reads into `dst`: straight from the page cache when `dst`'s ready part is large and that
    /// can be done without blocking, else from the buffered chunk (filled on the pool).
    pub(crate) fn poll_read_into<D: ReadDst + ?Sized>(
        &mut self,
        cx: &mut Context<'_>,
        read: ReadFn<T>,
        dst: &mut D,
    ) -> Poll<io::Result<usize>> {
        if dst.room() == 0 {
            return Poll::Ready(Ok(0));
        }
        // One copy, no hand-off, when a regular file's cached pages can fill the caller's
        // buffer (see [`inline_read`]).
        if let Some(result) = self.read_inline_into(dst.ready_room()) {
            let n = result?;
            dst.advance(n);
            return Poll::Ready(Ok(n));
        }
        let src = ready!(self.poll_fill_buf(cx, read))?;
        let n = src.len().min(dst.room());
        dst.put(&src[..n]);
        self.consume(n);
        Poll::Ready(Ok(n))
    }

    /// Returns a read chunk to the free list. A chunk read to its end widens the read-ahead:
    /// the next chunks are twice as large, up to a quarter of the capacity.
    fn recycle_read(&mut self, st: &mut State<T>, chunk: Chunk, sequential: bool) {
        st.read_out -= 1;
        if sequential && chunk.end == chunk.buf.len() {
            st.read_chunk = (st.read_chunk * 2).min(self.limits.max_chunk);
        }
        // Inline reads use chunks of at most `MAX_INLINE_CHUNK`: keep those too.
        let keep = match self.inline {
            Some(_) => st.read_chunk.min(inline_read::MAX_INLINE_CHUNK),
            None => st.read_chunk,
        };
        if chunk.buf.len() >= keep {
            st.read_free.push(chunk.buf);
        }
    }

    /// Unread bytes: in the consumer's chunk plus everything filled ahead.
    fn unread(&self, st: &State<T>) -> u64 {
        let local = self.current.as_ref().map_or(0, |c| c.remaining() as u64);
        local + st.filled.iter().map(|c| c.remaining() as u64).sum::<u64>()
    }

    /// Drops all read-ahead (after the inner value moved).
    fn discard_read_ahead(&mut self, st: &mut State<T>) {
        if let Some(chunk) = self.current.take() {
            self.recycle_read(st, chunk, false);
        }
        while let Some(chunk) = st.filled.pop_front() {
            self.recycle_read(st, chunk, false);
        }
        st.read_end = None;
        st.want_read = false;
        st.read_chunk = self.limits.first_chunk;
    }

    fn apply_seek(&mut self, st: &mut State<T>, outcome: SeekOutcome) {
        match outcome {
            SeekOutcome::Moved { pos } => {
                self.discard_read_ahead(st);
                self.known_pos = Some(pos);
            }
            SeekOutcome::Reuse { pos, delta } => {
                self.known_pos = Some(pos);
                if delta < 0 {
                    if let Some(c) = &mut self.current {
                        c.start -= delta.unsigned_abs() as usize;
                    }
                    return;
                }
                let mut skip = delta as u64;
                loop {
                    if let Some(c) = &mut self.current {
                        let n = skip.min(c.remaining() as u64) as usize;
                        c.start += n;
                        skip -= n as u64;
                        if skip == 0 {
                            break;
                        }
                    }
                    if let Some(chunk) = self.current.take() {
                        self.recycle_read(st, chunk, false);
                    }
                    match st.filled.pop_front() {
                        Some(next) => self.current = Some(next),
                        None => break,
                    }
                }
            }
        }
    }

    // ----- writing ------------------------------------------------------------------------

    /// Waits until the queued writes are written, or returns the failure of one (reported
    /// once; the unwritten data stays queued). Pushes the consumer's partial chunk first.
    fn poll_writes_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.wbuf.is_empty() && self.write_chunks_idle() {
            return Poll::Ready(Ok(()));
        }
        ready!(self.poll_push_wbuf(cx))?;
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        // What comes next (a read) must not go past data that is not written: report the
        // failure now.
        if let Some(e) = Self::take_write_error(&mut self.known_pos, &mut st) {
            return Poll::Ready(Err(e));
        }
        if st.to_write.is_empty() && st.write_out == 0 {
            return Poll::Ready(Ok(()));
        }
        self.pend(st, cx)
    }

    fn write_chunks_idle(&self) -> bool {
        let st = self.shared.lock();
        st.to_write.is_empty() && st.write_out == 0
    }

    /// Moves the consumer's write chunk to the queue; `Pending` while the queue is full.
    fn poll_push_wbuf(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.wbuf.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        if st.write_out + 1 >= MAX_WRITE_CHUNKS {
            // The queue is stuck behind a failed write: report it.
            if let Some(e) = Self::take_write_error(&mut self.known_pos, &mut st) {
                return Poll::Ready(Err(e));
            }
            return self.pend(st, cx);
        }
        self.push_wbuf_locked(&mut st);
        self.kick_locked(st);
        Poll::Ready(Ok(()))
    }

    fn push_wbuf_locked(&mut self, st: &mut State<T>) {
        let full = self.wbuf.len() >= self.write_chunk;
        let buf = std::mem::take(&mut self.wbuf);
        st.to_write.push_back(buf);
        st.write_out += 1;
        if full {
            self.write_chunk = (self.write_chunk * 2).min(self.limits.max_write_chunk);
        }
    }

    /// Takes a recycled write chunk of the current size, or allocates one.
    fn fresh_wbuf(&mut self) {
        if self.wbuf.capacity() >= self.write_chunk {
            return;
        }
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        while let Some(buf) = st.write_free.pop() {
            if buf.capacity() >= self.write_chunk {
                self.wbuf = buf;
                return;
            }
        }
        drop(st);
        self.wbuf = Vec::with_capacity(self.write_chunk);
    }

    /// Before the first write after reading: gives back unread read-ahead so the write lands
    /// at the consumer's logical position.
    fn poll_write_mode(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let local = self.current.as_ref().map_or(0, |c| c.remaining());
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        if local == 0 && st.filled.is_empty() && !st.want_read && !st.reading {
            if let Some(chunk) = self.current.take() {
                self.recycle_read(&mut st, chunk, false);
            }
            if matches!(st.read_end, Some(ReadEnd::Eof)) {
                st.read_end = None;
            }
            self.read_active = false;
            return Poll::Ready(Ok(()));
        }
        st.want_read = false;
        if st.reading {
            // Wait for the read in progress: its bytes count as read-ahead too.
            return self.pend(st, cx);
        }
        if self.unread(&st) == 0 || self.stream_like {
            if local == 0 {
                // A chunk read to its end must not outlive the write: after it, the chunk's
                // already-read bytes no longer end at the logical position, so a later seek
                // could not reuse them.
                if let Some(chunk) = self.current.take() {
                    self.recycle_read(&mut st, chunk, false);
                }
                if matches!(st.read_end, Some(ReadEnd::Eof)) {
                    st.read_end = None;
                }
            }
            self.read_active = false;
            return Poll::Ready(Ok(()));
        }
        let Some(ops) = self.seek_ops.or_else(file_seek_ops::<T>) else {
            // Not known to seek: a stream whose read and write sides are independent.
            self.stream_like = true;
            self.read_active = false;
            return Poll::Ready(Ok(()));
        };
        let local_behind = self.current.as_ref().map_or(0, |c| c.start as u64);
        self.issue(
            &mut st,
            Command::Seek {
                ops,
                pos: SeekFrom::Current(0),
                local_ahead: local as u64,
                local_behind,
                discard: true,
            },
            InFlight::Reposition,
        );
        drop(st);
        ready!(self.poll_command(cx))?;
        self.read_active = false;
        Poll::Ready(Ok(()))
    }

    pub(crate) fn poll_write_from(
        &mut self,
        cx: &mut Context<'_>,
        write: WriteFn<T>,
        flush: FlushFn<T>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if total == 0 {
            return Poll::Ready(Ok(0));
        }
        if self.in_flight.is_some() || self.queued_seek.is_some() || self.read_active {
            ready!(self.poll_settle(cx))?;
            ready!(self.poll_write_mode(cx))?;
        }
        if self.wbuf.len() >= self.write_chunk {
            ready!(self.poll_push_wbuf(cx))?;
        }
        {
            // Locked through a field borrow: no reference-count traffic on every write.
            let mut st = self.shared.lock();
            // The state is idle and consistent when either error is returned.
            if let Some(e) = Self::take_write_error(&mut self.known_pos, &mut st) {
                return Poll::Ready(Err(e));
            }
            if let Some(e) = Self::blocking_error(&mut self.deferred, &mut st) {
                return Poll::Ready(Err(e));
            }
            st.write_fn = Some(write);
            st.flush_fn = Some(flush);
        }
        self.fresh_wbuf();
        let mut accepted = 0;
        for buf in bufs {
            let room = self.write_chunk - self.wbuf.len();
            let n = buf.len().min(room);
            self.wbuf.extend_from_slice(&buf[..n]);
            accepted += n;
            if n < buf.len() {
                break;
            }
        }
        self.dirty = true;
        // An append-mode file (or a value we cannot inspect) may land the write elsewhere:
        // the next `poll_complete` asks the value.
        self.known_pos = self
            .known_pos
            .filter(|_| self.writes_advance_pos)
            .and_then(|p| p.checked_add(accepted as u64));
        // Hand the chunk to the pool now if it is full or the pool is idle: low latency when
        // writes are sparse, coalescing into big chunks while the pool is busy.
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        if (self.wbuf.len() >= self.write_chunk || !st.running)
            && st.write_out + 1 < MAX_WRITE_CHUNKS
        {
            self.push_wbuf_locked(&mut st);
            self.kick_locked(st);
        }
        Poll::Ready(Ok(accepted))
    }

    /// Writes everything buffered, then flushes the inner value.
    pub(crate) fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        flush: FlushFn<T>,
    ) -> Poll<io::Result<()>> {
        if self.in_flight == Some(InFlight::Flush) && !self.dirty {
            // The flush issued earlier (perhaps by a dropped future) covers everything.
            return self.poll_command(cx).map_ok(drop);
        }
        ready!(self.poll_settle(cx))?;
        ready!(self.poll_push_wbuf(cx))?;
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        if let Some(e) = Self::take_write_error(&mut self.known_pos, &mut st) {
            return Poll::Ready(Err(e));
        }
        st.flush_fn = Some(flush);
        self.issue(&mut st, Command::Flush(flush), InFlight::Flush);
        self.dirty = false;
        drop(st);
        self.poll_command(cx).map_ok(drop)
    }

    // ----- seeking ------------------------------------------------------------------------

    pub(crate) fn set_seek_ops(&mut self, ops: SeekOps<T>) {
        if self.seek_ops.is_none() {
            // Treated as a stream only for want of knowing it could seek: now it is known.
            self.stream_like = false;
        }
        self.seek_ops = Some(ops);
    }

    /// futures-io's `poll_seek`: seeks to `pos`, reusing read-ahead when the target is inside
    /// it. Re-polling with the same `pos` continues a seek of this face already under way. A
    /// tokio seek started and not completed lands first, and its failure is this call's.
    #[cfg_attr(not(feature = "futures-io"), allow(dead_code))]
    pub(crate) fn poll_seek(
        &mut self,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        ready!(self.poll_started_seek(cx))?;
        self.poll_seek_as(cx, pos, false)
    }

    /// Carries out a tokio seek that `start_seek` began and `poll_complete` has not finished
    /// (queued, or in flight), as tokio's contract asks before any other operation. Its error
    /// is returned (once) to the operation that carried it out; the position is unchanged.
    fn poll_started_seek(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let pos = match (self.queued_seek, self.in_flight) {
            (Some(pos), _) | (None, Some(InFlight::Seek { pos, started: true })) => pos,
            _ => return Poll::Ready(Ok(())),
        };
        self.poll_seek_as(cx, pos, true).map_ok(drop)
    }

    /// Issues (or continues, when the same seek is in flight) a seek to `pos`.
    fn poll_seek_as(
        &mut self,
        cx: &mut Context<'_>,
        pos: SeekFrom,
        started: bool,
    ) -> Poll<io::Result<u64>> {
        if self.in_flight != Some(InFlight::Seek { pos, started }) {
            // What is in flight first: its error is not this seek's, which stays started.
            ready!(self.poll_finish_in_flight(cx))?;
            if let Err(e) = ready!(self.poll_issue_seek(cx, pos, started)) {
                // The error belongs to this seek: it is not carried out later.
                if started {
                    self.queued_seek = None;
                }
                return Poll::Ready(Err(e));
            }
        }
        let result = ready!(self.poll_command(cx));
        Poll::Ready(result.and_then(|out| match out {
            Output::Seeked(SeekOutcome::Moved { pos } | SeekOutcome::Reuse { pos, .. }) => Ok(pos),
            _ => Err(io::Error::other("Unblock: seek: unexpected result")),
        }))
    }

    /// Hands a seek to the pump, after the buffered writes (nothing is in flight).
    fn poll_issue_seek(
        &mut self,
        cx: &mut Context<'_>,
        pos: SeekFrom,
        started: bool,
    ) -> Poll<io::Result<()>> {
        let Some(ops) = self.seek_ops.or_else(file_seek_ops::<T>) else {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "Unblock: seek: the wrapped value does not implement `Seek`",
            )));
        };
        ready!(self.poll_push_wbuf(cx))?;
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        if let Some(e) = self.take_blocking_error(&mut st) {
            return Poll::Ready(Err(e));
        }
        st.want_read = false;
        let local_ahead = self.current.as_ref().map_or(0, |c| c.remaining() as u64);
        let local_behind = self.current.as_ref().map_or(0, |c| c.start as u64);
        self.issue(
            &mut st,
            Command::Seek {
                ops,
                pos,
                local_ahead,
                local_behind,
                discard: false,
            },
            InFlight::Seek { pos, started },
        );
        // A started tokio seek is now in flight, no longer queued.
        if started {
            self.queued_seek = None;
        }
        Poll::Ready(Ok(()))
    }

    /// tokio's `start_seek`: records the seek; `poll_complete` carries it out, after a
    /// futures-io seek that a dropped future left in flight.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn start_seek(&mut self, pos: SeekFrom) -> io::Result<()> {
        if self.queued_seek.is_some()
            || matches!(self.in_flight, Some(InFlight::Seek { started: true, .. }))
        {
            return Err(io::Error::other(
                "Unblock: start_seek: another seek is in progress; poll `poll_complete` until it \
                 returns before starting a new one",
            ));
        }
        self.queued_seek = Some(pos);
        Ok(())
    }

    /// tokio's `poll_complete`: finishes the started seek, or reports the current position.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn poll_complete(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        if let (Some(pos), _) | (None, Some(InFlight::Seek { pos, started: true })) =
            (self.queued_seek, self.in_flight)
        {
            return self.poll_seek_as(cx, pos, true);
        }
        // No seek started: a futures-io seek left in flight by a dropped future lands first,
        // then the position is reported.
        ready!(self.poll_finish_in_flight(cx))?;
        if let Some(pos) = self.known_pos {
            return Poll::Ready(Ok(pos));
        }
        // The position is unknown: find it out (a real answer, never a placeholder).
        self.poll_seek_as(cx, SeekFrom::Current(0), false)
    }

    // ----- whole-value access -------------------------------------------------------------

    /// Waits until the wrapped value is idle and at the consumer's logical position: queued
    /// writes written, read-ahead given back when the value can seek. Errors are kept for the
    /// next operation instead of being dropped.
    pub(crate) fn poll_quiesce(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Err(e) = ready!(self.poll_settle(cx)) {
            self.deferred.get_or_insert(e);
        }
        if let Err(e) = ready!(self.poll_writes_out(cx)) {
            self.deferred.get_or_insert(e);
        }
        if self.deferred.is_none() {
            if let Err(e) = ready!(self.poll_write_mode(cx)) {
                self.deferred.get_or_insert(e);
            }
        }
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        st.want_read = false;
        if st.running {
            // The pump wakes us when it stops (or its job's drop guard does).
            st.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        if self.home.is_none() {
            self.home = st.inner.take();
        }
        if self.current.as_ref().is_some_and(|c| c.remaining() == 0) {
            // The caller may move the cursor: a chunk read to its end must not be reused by
            // a later seek as if it still ended at the logical position.
            if let Some(chunk) = self.current.take() {
                self.recycle_read(&mut st, chunk, false);
            }
        }
        // The caller may move the value's cursor, replace the value or change its flags.
        self.known_pos = None;
        self.inline_recheck = self.limits.inline_reads;
        Poll::Ready(())
    }

    /// The wrapped value, once [`poll_quiesce`](Self::poll_quiesce) returned.
    pub(crate) fn home_mut(&mut self) -> Option<&mut T> {
        self.home.as_mut()
    }

    /// Runs `f` on the pool, after the queued work.
    pub(crate) fn poll_run(
        &mut self,
        cx: &mut Context<'_>,
        f: &mut Option<super::shared::RunFn<T>>,
    ) -> Poll<io::Result<std::thread::Result<Box<dyn Any + Send>>>> {
        // Continue only a closure this call handed over; one left by a cancelled `with_mut`
        // is finished (and its result dropped) by `poll_quiesce` first.
        if self.in_flight != Some(InFlight::Run) || f.is_some() {
            ready!(self.poll_quiesce(cx));
            let Some(f) = f.take() else {
                return Poll::Ready(Err(io::Error::other(
                    "Unblock: with_mut polled after completion",
                )));
            };
            let shared = Arc::clone(&self.shared);
            let mut st = shared.lock();
            self.issue(&mut st, Command::Run(f), InFlight::Run);
            // The closure may reopen the value or change its flags where we cannot look.
            self.writes_advance_pos = false;
        }
        match ready!(self.poll_command(cx)) {
            Ok(Output::Ran(result)) => Poll::Ready(Ok(result)),
            Ok(_) => Poll::Ready(Err(io::Error::other(
                "Unblock: with_mut: unexpected result",
            ))),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// What `into_inner` must not drop: a pending error, data it could not write, read-ahead it
    /// could not give back (unless `take_unread`, when it is returned).
    pub(crate) fn take_leftovers(&mut self, take_unread: bool) -> Result<Vec<u8>, io::Error> {
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        if let Some(e) = st.write_error.take() {
            return Err(e);
        }
        if let Some(e) = self.take_blocking_error(&mut st) {
            return Err(e);
        }
        if !st.to_write.is_empty() || !self.wbuf.is_empty() {
            return Err(io::Error::other(
                "Unblock::into_inner: buffered writes could not be written",
            ));
        }
        let unread = self.unread(&st);
        if unread > 0 && !take_unread {
            return Err(io::Error::other(format!(
                "Unblock::into_inner: {unread} bytes were read ahead and not consumed, and the \
                 value cannot seek back; read them first, or use `into_parts` to take them"
            )));
        }
        let mut rest = Vec::with_capacity(unread as usize);
        if let Some(c) = self.current.take() {
            rest.extend_from_slice(&c.buf[c.start..c.end]);
            self.recycle_read(&mut st, c, false);
        }
        while let Some(c) = st.filled.pop_front() {
            rest.extend_from_slice(&c.buf[c.start..c.end]);
            self.recycle_read(&mut st, c, false);
        }
        Ok(rest)
    }

    pub(crate) fn take_home(&mut self) -> Option<T> {
        self.home.take()
    }

    // ----- iterators ----------------------------------------------------------------------

    /// The next item of a wrapped iterator, fetched ahead in batches: the consumer swaps its
    /// empty batch for the pump's filled one under a single lock.
    pub(crate) fn poll_next_item<I: Send + 'static>(
        &mut self,
        cx: &mut Context<'_>,
        ops: IterOps<T>,
    ) -> Poll<Option<I>> {
        if let Some(item) = self
            .local_items
            .as_mut()
            .and_then(|b| b.downcast_mut::<VecDeque<I>>())
            .and_then(VecDeque::pop_front)
        {
            return Poll::Ready(Some(item));
        }
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        st.iter_ops = Some(ops);
        if st.items_len > 0 {
            std::mem::swap(&mut self.local_items, &mut st.items);
            st.items_len = 0;
            self.kick_locked(st);
            let item = self
                .local_items
                .as_mut()
                .and_then(|b| b.downcast_mut::<VecDeque<I>>())
                .and_then(VecDeque::pop_front);
            return Poll::Ready(item);
        }
        if let Some(payload) = st.items_panic.take() {
            drop(st);
            std::panic::resume_unwind(payload);
        }
        if st.items_done {
            return Poll::Ready(None);
        }
        match self.pend::<()>(st, cx) {
            Poll::Pending => Poll::Pending,
            // A `Stream` has no error channel, and ending it here would silently truncate it.
            Poll::Ready(Err(e)) => panic!("Unblock: the iterator stream cannot continue: {e}"),
            Poll::Ready(Ok(())) => Poll::Pending,
        }
    }
}

impl<T: Send + 'static> Drop for Core<T> {
    /// Buffered writes are still written, and the value is flushed and dropped on the pool
    /// (best effort: nobody is left to see an error), even if the pool drops the job because
    /// its runtime is shutting down (see [`PumpJob`]). Read-ahead stops.
    fn drop(&mut self) {
        let shared = Arc::clone(&self.shared);
        let mut st = shared.lock();
        st.orphaned = true;
        st.want_read = false;
        st.iter_ops = None;
        if !self.wbuf.is_empty() {
            let buf = std::mem::take(&mut self.wbuf);
            st.to_write.push_back(buf);
            st.write_out += 1;
        }
        if st.write_error.is_none() && (!st.to_write.is_empty() || self.dirty) {
            st.closing = true;
        }
        self.kick_locked(st);
    }
}

impl<T: Send + 'static> std::fmt::Debug for Core<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unblock")
            .field("capacity", &self.limits.capacity)
            .field("spawner", &self.spawner)
            .field(
                "buffered_read",
                &self.current.as_ref().map_or(0, Chunk::remaining),
            )
            .field("buffered_write", &self.wbuf.len())
            .field("in_flight", &self.in_flight)
            .finish_non_exhaustive()
    }
}

fn pool_dropped_error() -> io::Error {
    io::Error::other(
        "Unblock: the blocking pool dropped the operation before running it (was the tokio \
         runtime shut down?); retry on a live runtime or outside any runtime",
    )
}

/// `ESPIPE` and friends: the value is a pipe, socket or terminal.
fn is_not_seekable(e: &io::Error) -> bool {
    #[cfg(unix)]
    if e.raw_os_error() == Some(29) {
        return true;
    }
    e.kind() == io::ErrorKind::Unsupported
}

/// The inline read to use for `inner`, deciding again first when the value was handed out
/// since the last decision (`enabled`: the builder's setting).
fn recheck_inline<T: 'static>(
    inline: &mut Option<ReadFn<T>>,
    recheck: &mut bool,
    enabled: bool,
    inner: &T,
) -> Option<ReadFn<T>> {
    if std::mem::take(recheck) {
        *inline = if enabled {
            inline_read::for_value(inner)
        } else {
            None
        };
    }
    *inline
}

/// `std::fs::File` can seek, and that is known without a `T: Seek` bound: this is what makes
/// a plain `Unblock::new(file)` write at the logical position after reading.
pub(crate) fn file_seek_ops<T: 'static>() -> Option<SeekOps<T>> {
    if TypeId::of::<T>() != TypeId::of::<std::fs::File>() {
        return None;
    }
    fn as_file<T: 'static>(value: &mut T) -> io::Result<&mut std::fs::File> {
        (value as &mut dyn Any)
            .downcast_mut::<std::fs::File>()
            .ok_or_else(|| io::Error::other("Unblock: internal error: not a File"))
    }
    Some(SeekOps {
        seek: |value, pos| io::Seek::seek(as_file(value)?, pos),
        tell: |value| io::Seek::stream_position(as_file(value)?),
    })
}

/// Seek operations for any `T: Seek`.
pub(crate) fn seek_ops<T: io::Seek>() -> SeekOps<T> {
    SeekOps {
        seek: <T as io::Seek>::seek,
        tell: <T as io::Seek>::stream_position,
    }
}
