//! Seeking: futures-io's `poll_seek`, tokio's `start_seek` / `poll_complete`, and how the
//! consumer learns that the value can seek.

use std::any::{Any, TypeId};
use std::io::{self, SeekFrom};
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use super::{Core, InFlight, Local};
use crate::unblock::shared::{Command, Output, SeekOps, SeekOutcome, Shared};

impl<T: Send + 'static> Core<T> {
    pub(crate) fn set_seek_ops(&mut self, ops: SeekOps<T>) {
        let local = &mut self.local;
        if local.seek_ops.is_none() {
            // Treated as a stream only for want of knowing it could seek: now it is known.
            local.stream_like = false;
        }
        local.seek_ops = Some(ops);
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
        let sh = &self.shared;
        ready!(self.local.poll_started_seek(sh, cx))?;
        self.local.poll_seek_as(sh, cx, pos, false)
    }

    /// tokio's `start_seek`: records the seek; `poll_complete` carries it out, after a
    /// futures-io seek that a dropped future left in flight.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn start_seek(&mut self, pos: SeekFrom) -> io::Result<()> {
        let local = &mut self.local;
        if local.queued_seek.is_some()
            || matches!(local.in_flight, Some(InFlight::Seek { started: true, .. }))
        {
            return Err(io::Error::other(
                "iocompat::Unblock::start_seek: another seek is in progress; poll \
                 `poll_complete` until it returns before starting a new one",
            ));
        }
        local.queued_seek = Some(pos);
        Ok(())
    }

    /// tokio's `poll_complete`: finishes the started seek, or reports the current position.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn poll_complete(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let (sh, local) = (&self.shared, &mut self.local);
        if let Some(pos) = local.started_seek() {
            return local.poll_seek_as(sh, cx, pos, true);
        }
        // No seek started: a futures-io seek left in flight by a dropped future lands first,
        // then the position is reported.
        ready!(local.poll_leftover_command(sh, cx))?;
        if let Some(pos) = local.known_pos {
            return Poll::Ready(Ok(pos));
        }
        // The position is unknown: find it out (a real answer, never a placeholder).
        local.poll_seek_as(sh, cx, SeekFrom::Current(0), false)
    }
}

impl<T: Send + 'static> Local<T> {
    /// The tokio seek `start_seek` began and `poll_complete` has not finished (queued, or in
    /// flight).
    fn started_seek(&self) -> Option<SeekFrom> {
        match (self.queued_seek, self.in_flight) {
            (Some(pos), _) | (None, Some(InFlight::Seek { pos, started: true })) => Some(pos),
            _ => None,
        }
    }

    /// Carries out a tokio seek that `start_seek` began and `poll_complete` has not finished,
    /// as tokio's contract asks before any other operation. Its error is returned (once) to
    /// the operation that carried it out; the position is unchanged.
    pub(super) fn poll_started_seek(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        let Some(pos) = self.started_seek() else {
            return Poll::Ready(Ok(()));
        };
        self.poll_seek_as(sh, cx, pos, true).map_ok(drop)
    }

    /// Issues (or continues, when the same seek is in flight) a seek to `pos`.
    fn poll_seek_as(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
        started: bool,
    ) -> Poll<io::Result<u64>> {
        if self.in_flight != Some(InFlight::Seek { pos, started }) {
            // What is in flight first: its error is not this seek's, which stays started.
            ready!(self.poll_leftover_command(sh, cx))?;
            if let Err(e) = ready!(self.poll_issue_seek(sh, cx, pos, started)) {
                // The error belongs to this seek: it is not carried out later.
                if started {
                    self.queued_seek = None;
                }
                return Poll::Ready(Err(e));
            }
        }
        let result = ready!(self.poll_command(sh, cx));
        Poll::Ready(result.and_then(|out| match out {
            Output::Seeked(SeekOutcome::Moved { pos } | SeekOutcome::Reuse { pos, .. }) => Ok(pos),
            _ => Err(io::Error::other(
                "iocompat::Unblock::seek: internal error: unexpected result",
            )),
        }))
    }

    /// Hands a seek to the pump, after the buffered writes (nothing is in flight).
    fn poll_issue_seek(
        &mut self,
        sh: &Arc<Shared<T>>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
        started: bool,
    ) -> Poll<io::Result<()>> {
        let Some(ops) = self.seek_ops.or_else(file_seek_ops::<T>) else {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "iocompat::Unblock::seek: the wrapped value does not implement `Seek`",
            )));
        };
        ready!(self.poll_push_wbuf(sh, cx))?;
        let mut st = sh.lock();
        if let Some(e) = self.take_stop_error(&mut st) {
            return Poll::Ready(Err(e));
        }
        st.read.stop();
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
}

/// `std::fs::File` can seek, and that is known without a `T: Seek` bound: this is what makes
/// a plain `Unblock::new(file)` write at the logical position after reading.
pub(super) fn file_seek_ops<T: 'static>() -> Option<SeekOps<T>> {
    if TypeId::of::<T>() != TypeId::of::<std::fs::File>() {
        return None;
    }
    fn as_file<T: 'static>(value: &mut T) -> io::Result<&mut std::fs::File> {
        (value as &mut dyn Any)
            .downcast_mut::<std::fs::File>()
            .ok_or_else(|| io::Error::other("iocompat::Unblock::seek: internal error: not a File"))
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
