//! Reading: the consumer's chunk, chunks read ahead on the pool, and inline reads of cached
//! pages (see [`inline_read`]).

use std::io;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use super::{Core, Local};
use crate::unblock::inline_read::{self, Inline};
use crate::unblock::shared::{Chunk, ReadEnd, ReadFn, ReadSide, SeekOutcome, Shared, State};

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

impl<T: Send + 'static> Core<T> {
    /// Returns buffered data, reading ahead on the pool when there is none.
    pub(crate) fn poll_fill_buf(
        &mut self,
        cx: &mut Context<'_>,
        read: ReadFn<T>,
    ) -> Poll<io::Result<&[u8]>> {
        self.local.poll_fill_buf(&self.shared, cx, read)
    }

    /// Marks `amt` bytes of the current chunk as read (clamped to what is there).
    pub(crate) fn consume(&mut self, amt: usize) {
        self.local.consume(amt)
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
        // buffer.
        if let Some(result) = self.local.read_inline_into(&self.shared, dst.ready_room()) {
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
}

impl<T: Send + 'static> Local<T> {
    fn poll_fill_buf(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
        read: ReadFn<T>,
    ) -> Poll<io::Result<&[u8]>> {
        if self.in_flight.is_some() || self.queued_seek.is_some() {
            // A cancelled seek must land before anything is read.
            ready!(self.poll_clear_to_start(sh, cx))?;
        }
        if self.current.as_ref().is_some_and(|c| c.remaining() > 0) {
            return Poll::Ready(Ok(self.current_slice()));
        }
        ready!(self.poll_clear_to_start(sh, cx))?;
        ready!(self.poll_writes_out(sh, cx))?;
        let mut st = sh.lock();
        if let Some(chunk) = self.current.take() {
            self.recycle_read(&mut st, chunk, true);
        }
        st.read.set_read_fn(read);
        self.read_active = true;
        if let Some(chunk) = st.read.pop_filled() {
            self.current = Some(chunk);
            self.kick(sh, st);
            return Poll::Ready(Ok(self.current_slice()));
        }
        match st.read.take_end() {
            Some(ReadEnd::Eof) => return Poll::Ready(Ok(&[])),
            Some(ReadEnd::Error(e)) => return Poll::Ready(Err(e)),
            None => {}
        }
        if let Some(e) = self.take_stop_error(&mut st) {
            return Poll::Ready(Err(e));
        }
        if let Some(n) = self.read_inline_chunk(&mut st) {
            drop(st);
            if n == 0 {
                return Poll::Ready(Ok(&[]));
            }
            return Poll::Ready(Ok(self.current_slice()));
        }
        st.read.request(read);
        self.pend(sh, st, cx)
    }

    /// Inline reads may be tried: the value qualified when last checked, or is to be checked.
    fn may_read_inline(&self) -> bool {
        self.inline.is_some() || self.inline_recheck
    }

    /// The inline read and the value it may run on now: only when the consumer may call the
    /// value itself ([`State::is_quiet`]: no pump holds it, nothing is queued, buffered or
    /// owed to the caller) and the value (checked again if it was handed out) qualifies.
    fn inline_target<'a>(&'a mut self, st: &'a mut State<T>) -> Option<InlineTarget<'a, T>> {
        if !st.is_quiet() {
            return None;
        }
        let (value, side) = match self.home.as_mut() {
            Some(value) => (value, &mut st.read),
            None => st.value_and_read()?,
        };
        if std::mem::take(&mut self.inline_recheck) {
            self.inline = if self.limits.inline_reads {
                inline_read::for_value(value)
            } else {
                None
            };
        }
        let read = self.inline?;
        Some(InlineTarget { read, value, side })
    }

    /// With nothing buffered: reads the next chunk from the page cache on this thread, when
    /// the value is a regular file whose data is cached. `Some(n)`: `n` bytes are now the
    /// current chunk (0: end of file); `None`: the pool must read.
    fn read_inline_chunk(&mut self, st: &mut State<T>) -> Option<usize> {
        if !self.may_read_inline() {
            return None;
        }
        let len = st.read.chunk_size().min(inline_read::MAX_INLINE_CHUNK);
        let InlineTarget { read, value, side } = self.inline_target(st)?;
        let (outcome, chunk) = side.fill_inline(len, |buf| inline_read::run(read, value, buf));
        match outcome {
            Inline::Read(n) => {
                self.current = chunk;
                Some(n)
            }
            Inline::Pool => None,
            Inline::Never => {
                self.inline = None;
                None
            }
        }
    }

    /// A read of a large `dst` served straight from the page cache, with nothing buffered in
    /// between: `None` when the pool (or the buffered data) must serve it instead.
    fn read_inline_into(
        &mut self,
        sh: &Arc<Shared<T>>,
        dst: &mut [u8],
    ) -> Option<io::Result<usize>> {
        if !self.may_read_inline()
            || dst.len() < inline_read::INLINE_DIRECT_MIN
            || self.in_flight.is_some()
            || self.queued_seek.is_some()
            || self.deferred.is_some()
            || !self.wbuf.is_empty()
            || self.current.as_ref().is_some_and(|c| c.remaining() > 0)
        {
            return None;
        }
        let mut st = sh.lock();
        let InlineTarget { read, value, .. } = self.inline_target(&mut st)?;
        match inline_read::run(read, value, dst) {
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
            Some(c) => c.unread(),
            None => &[],
        }
    }

    fn consume(&mut self, amt: usize) {
        if let Some(c) = &mut self.current {
            let amt = amt.min(c.remaining());
            c.start += amt;
            self.known_pos = self.known_pos.and_then(|p| p.checked_add(amt as u64));
        }
    }

    /// Inline reads use chunks of at most `MAX_INLINE_CHUNK`: recycled chunks that size are
    /// kept too.
    pub(super) fn keep_cap(&self) -> usize {
        match self.inline {
            Some(_) => inline_read::MAX_INLINE_CHUNK,
            None => usize::MAX,
        }
    }

    /// Returns a read chunk to the free list. A chunk read to its end by a `sequential` reader
    /// widens the read-ahead: the next chunks are twice as large, up to a quarter of the
    /// capacity.
    pub(super) fn recycle_read(&mut self, st: &mut State<T>, chunk: Chunk, sequential: bool) {
        let grow_to = sequential.then_some(self.limits.max_chunk);
        st.read.recycle(chunk, grow_to, self.keep_cap());
    }

    /// Unread bytes: in the consumer's chunk plus everything filled ahead.
    pub(super) fn unread(&self, st: &State<T>) -> u64 {
        let local = self.current.as_ref().map_or(0, |c| c.remaining() as u64);
        local + st.read.filled_ahead()
    }

    /// Drops all read-ahead (after the inner value moved).
    fn discard_read_ahead(&mut self, st: &mut State<T>) {
        if let Some(chunk) = self.current.take() {
            self.recycle_read(st, chunk, false);
        }
        st.read.discard(self.limits.first_chunk, self.keep_cap());
    }

    /// Applies where a seek landed to the buffers: reuse the read-ahead, or drop it.
    pub(super) fn apply_seek(&mut self, st: &mut State<T>, outcome: SeekOutcome) {
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
                    match st.read.pop_filled() {
                        Some(next) => self.current = Some(next),
                        None => break,
                    }
                }
            }
        }
    }
}

/// What an inline read runs with: the read, the value, and the read side whose free chunks
/// it reads into.
struct InlineTarget<'a, T> {
    read: ReadFn<T>,
    value: &'a mut T,
    side: &'a mut ReadSide<T>,
}
