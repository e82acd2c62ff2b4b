//! Whole-value access: waiting until the value is home for `get_mut` and `into_inner`,
//! running a `with_mut` closure on the pool, and what `into_inner` must not drop.

use std::any::Any;
use std::io;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use super::{Core, InFlight, Local};
use crate::unblock::shared::{Command, Output, RunFn, Shared};

impl<T: Send + 'static> Core<T> {
    /// Waits until the wrapped value is idle, at the consumer's logical position and in the
    /// consumer's hands: queued writes written, read-ahead given back when the value can seek,
    /// the pump stopped. Errors are kept for the next operation instead of being dropped.
    pub(crate) fn poll_value_home(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.local.poll_value_home(&self.shared, cx)
    }

    /// The wrapped value, once [`poll_value_home`](Self::poll_value_home) returned.
    pub(crate) fn home_mut(&mut self) -> Option<&mut T> {
        self.local.home.as_mut()
    }

    pub(crate) fn take_home(&mut self) -> Option<T> {
        self.local.home.take()
    }

    /// Runs `f` on the pool, after the queued work.
    pub(crate) fn poll_run(
        &mut self,
        cx: &mut Context<'_>,
        f: &mut Option<RunFn<T>>,
    ) -> Poll<io::Result<std::thread::Result<Box<dyn Any + Send>>>> {
        let (sh, local) = (&self.shared, &mut self.local);
        // Continue only a closure this call handed over; one left by a cancelled `with_mut`
        // is finished (and its result dropped) by `poll_value_home` first.
        if local.in_flight != Some(InFlight::Run) || f.is_some() {
            ready!(local.poll_value_home(sh, cx));
            let Some(f) = f.take() else {
                return Poll::Ready(Err(io::Error::other(
                    "iocompat::Unblock::with_mut: polled after completion",
                )));
            };
            local.issue(&mut sh.lock(), Command::Run(f), InFlight::Run);
            // The closure may reopen the value or change its flags where we cannot look.
            local.writes_advance_pos = false;
        }
        match ready!(local.poll_command(sh, cx)) {
            Ok(Output::Ran(result)) => Poll::Ready(Ok(result)),
            Ok(_) => Poll::Ready(Err(io::Error::other(
                "iocompat::Unblock::with_mut: internal error: unexpected result",
            ))),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// What `into_inner` must not drop: a pending error, data it could not write, read-ahead it
    /// could not give back (unless `take_unread`, when it is returned).
    pub(crate) fn take_leftovers(&mut self, take_unread: bool) -> Result<Vec<u8>, io::Error> {
        let (sh, local) = (&self.shared, &mut self.local);
        let mut st = sh.lock();
        if let Some(e) = st.write.take_error() {
            return Err(e);
        }
        if let Some(e) = local.take_stop_error(&mut st) {
            return Err(e);
        }
        if !st.write.is_drained() || !local.wbuf.is_empty() {
            return Err(io::Error::other(
                "iocompat::Unblock::into_inner: buffered writes could not be written",
            ));
        }
        let unread = local.unread(&st);
        if unread > 0 && !take_unread {
            return Err(io::Error::other(format!(
                "iocompat::Unblock::into_inner: {unread} bytes were read ahead and not consumed, \
                 and the value cannot seek back; read them first, or use `into_parts` to take \
                 them"
            )));
        }
        let mut rest = Vec::with_capacity(unread as usize);
        if let Some(c) = local.current.take() {
            rest.extend_from_slice(c.unread());
            local.recycle_read(&mut st, c, false);
        }
        st.read.drain_into(&mut rest, local.keep_cap());
        Ok(rest)
    }
}

impl<T: Send + 'static> Local<T> {
    fn poll_value_home(&mut self, sh: &Arc<Shared<T>>, cx: &mut Context<'_>) -> Poll<()> {
        if let Err(e) = ready!(self.poll_clear_to_start(sh, cx)) {
            self.deferred.get_or_insert(e);
        }
        if let Err(e) = ready!(self.poll_writes_out(sh, cx)) {
            self.deferred.get_or_insert(e);
        }
        if self.deferred.is_none() {
            if let Err(e) = ready!(self.poll_write_mode(sh, cx)) {
                self.deferred.get_or_insert(e);
            }
        }
        let mut st = sh.lock();
        st.read.stop();
        if st.is_running() {
            // The pump wakes us when it stops (or its job's drop guard does).
            let parked = st.park(cx.waker());
            debug_assert!(parked, "a running pump always wakes its consumer");
            return Poll::Pending;
        }
        if self.home.is_none() {
            self.home = st.take_value();
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
}
