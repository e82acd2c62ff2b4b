//! Writing: the consumer's write chunk, the queue on the pool, giving back read-ahead before
//! a write, and flush.

use std::io::{self, SeekFrom};
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use super::seek::file_seek_ops;
use super::{Core, InFlight, Local};
use crate::unblock::shared::{Command, FlushFn, Shared, State, WriteFn};

impl<T: Send + 'static> Core<T> {
    /// Copies `bufs` (as much as fits) into the write chunk; the pump writes it behind.
    pub(crate) fn poll_write_from(
        &mut self,
        cx: &mut Context<'_>,
        write: WriteFn<T>,
        flush: FlushFn<T>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.local
            .poll_write_from(&self.shared, cx, write, flush, bufs)
    }

    /// Writes everything buffered, then flushes the inner value.
    pub(crate) fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        flush: FlushFn<T>,
    ) -> Poll<io::Result<()>> {
        self.local.poll_flush(&self.shared, cx, flush)
    }
}

impl<T: Send + 'static> Local<T> {
    /// Waits until the queued writes are written, or returns the failure of one (reported
    /// once; the unwritten data stays queued). Pushes the consumer's partial chunk first.
    pub(super) fn poll_writes_out(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        if self.wbuf.is_empty() && sh.lock().write.is_idle() {
            return Poll::Ready(Ok(()));
        }
        ready!(self.poll_push_wbuf(sh, cx))?;
        let mut st = sh.lock();
        // What comes next (a read) must not go past data that is not written: report the
        // failure now.
        if let Some(e) = self.take_write_error(&mut st) {
            return Poll::Ready(Err(e));
        }
        if st.write.is_idle() {
            return Poll::Ready(Ok(()));
        }
        self.pend(sh, st, cx)
    }

    /// Moves the consumer's write chunk to the queue; `Pending` while the queue is full.
    pub(super) fn poll_push_wbuf(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        if self.wbuf.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let mut st = sh.lock();
        if st.write.is_full() {
            // The queue is stuck behind a failed write: report it.
            if let Some(e) = self.take_write_error(&mut st) {
                return Poll::Ready(Err(e));
            }
            return self.pend(sh, st, cx);
        }
        self.push_wbuf(&mut st);
        self.kick(sh, st);
        Poll::Ready(Ok(()))
    }

    fn push_wbuf(&mut self, st: &mut State<T>) {
        let full = self.wbuf.len() >= self.write_chunk;
        st.write.push(std::mem::take(&mut self.wbuf));
        if full {
            self.write_chunk = (self.write_chunk * 2).min(self.limits.max_write_chunk);
        }
    }

    /// Takes a recycled write chunk of the current size, or allocates one.
    fn fresh_wbuf(&mut self, sh: &Shared<T>) {
        if self.wbuf.capacity() >= self.write_chunk {
            return;
        }
        let recycled = sh.lock().write.take_free(self.write_chunk);
        self.wbuf = recycled.unwrap_or_else(|| Vec::with_capacity(self.write_chunk));
    }

    /// Before the first write after reading: gives back unread read-ahead so the write lands
    /// at the consumer's logical position.
    pub(super) fn poll_write_mode(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        let local = self.current.as_ref().map_or(0, |c| c.remaining());
        let mut st = sh.lock();
        if local == 0 && !st.read.has_filled() && !st.read.is_active() {
            if let Some(chunk) = self.current.take() {
                self.recycle_read(&mut st, chunk, false);
            }
            st.read.clear_eof();
            self.read_active = false;
            return Poll::Ready(Ok(()));
        }
        st.read.stop();
        if st.read.is_reading() {
            // Wait for the read in progress: its bytes count as read-ahead too.
            return self.pend(sh, st, cx);
        }
        if self.unread(&st) == 0 || self.stream_like {
            if local == 0 {
                // A chunk read to its end must not outlive the write: after it, the chunk's
                // already-read bytes no longer end at the logical position, so a later seek
                // could not reuse them.
                if let Some(chunk) = self.current.take() {
                    self.recycle_read(&mut st, chunk, false);
                }
                st.read.clear_eof();
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
        ready!(self.poll_command(sh, cx))?;
        self.read_active = false;
        Poll::Ready(Ok(()))
    }

    fn poll_write_from(
        &mut self,
        sh: &Arc<Shared<T>>,
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
            ready!(self.poll_clear_to_start(sh, cx))?;
            ready!(self.poll_write_mode(sh, cx))?;
        }
        if self.wbuf.len() >= self.write_chunk {
            ready!(self.poll_push_wbuf(sh, cx))?;
        }
        {
            let mut st = sh.lock();
            // The state is idle and consistent when either error is returned.
            if let Some(e) = self.take_write_error(&mut st) {
                return Poll::Ready(Err(e));
            }
            if let Some(e) = self.take_stop_error(&mut st) {
                return Poll::Ready(Err(e));
            }
            st.write.set_fns(write, flush);
        }
        self.fresh_wbuf(sh);
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
        let mut st = sh.lock();
        if (self.wbuf.len() >= self.write_chunk || !st.is_running()) && !st.write.is_full() {
            self.push_wbuf(&mut st);
            self.kick(sh, st);
        }
        Poll::Ready(Ok(accepted))
    }

    fn poll_flush(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
        flush: FlushFn<T>,
    ) -> Poll<io::Result<()>> {
        if self.in_flight == Some(InFlight::Flush) && !self.dirty {
            // The flush issued earlier (perhaps by a dropped future) covers everything.
            return self.poll_command(sh, cx).map_ok(drop);
        }
        ready!(self.poll_clear_to_start(sh, cx))?;
        ready!(self.poll_push_wbuf(sh, cx))?;
        let mut st = sh.lock();
        if let Some(e) = self.take_write_error(&mut st) {
            return Poll::Ready(Err(e));
        }
        st.write.set_flush_fn(flush);
        self.issue(&mut st, Command::Flush(flush), InFlight::Flush);
        self.dirty = false;
        drop(st);
        self.poll_command(sh, cx).map_ok(drop)
    }
}
