//! The command slot of the shared state: the one flush, seek or closure the consumer asked
//! for, and its result.

use std::any::Any;
use std::io::{self, SeekFrom};

use super::{FlushFn, RunFn, SeekOps};

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

impl<T> Command<T> {
    /// The `Unblock` operation this command carries out, for error messages.
    pub(crate) fn operation(&self) -> &'static str {
        match self {
            Command::Flush(_) => "flush",
            Command::Seek { .. } => "seek",
            Command::Run(_) => "with_mut",
        }
    }
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

/// What a command came to.
pub(crate) enum Output {
    /// Nothing to hand back: a flush, or a give-back of read-ahead to a value that cannot
    /// seek.
    Nothing,
    Seeked(SeekOutcome),
    /// A `with_mut` closure's return value, or its panic payload (resumed in the caller).
    Ran(std::thread::Result<Box<dyn Any + Send>>),
}

/// The one command in flight. Issued by the consumer, taken and answered by the pump; the
/// consumer takes the answer.
pub(crate) struct CommandSlot<T> {
    pending: Option<Command<T>>,
    result: Option<io::Result<Output>>,
    /// `result` is the error of a queued write, given to a command that had to wait for it.
    result_from_write: bool,
    /// The pump is running the command.
    running: bool,
}

impl<T> CommandSlot<T> {
    pub(crate) fn new() -> Self {
        Self {
            pending: None,
            result: None,
            result_from_write: false,
            running: false,
        }
    }

    // ----- consumer -----------------------------------------------------------------------

    pub(crate) fn issue(&mut self, cmd: Command<T>) {
        debug_assert!(self.is_idle());
        self.pending = Some(cmd);
    }

    /// No command is pending and no result waits.
    pub(crate) fn is_idle(&self) -> bool {
        self.pending.is_none() && self.result.is_none()
    }

    /// The answer, once there is one, and whether it is the error of a queued write that
    /// failed first (which says nothing about the command itself).
    pub(crate) fn take_result(&mut self) -> Option<(io::Result<Output>, bool)> {
        let result = self.result.take()?;
        Some((result, std::mem::take(&mut self.result_from_write)))
    }

    /// Takes back a command no pump will run (the pool dropped the job).
    pub(crate) fn withdraw(&mut self) {
        self.pending = None;
    }

    // ----- pump ---------------------------------------------------------------------------

    pub(crate) fn has_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Takes the pending command to look at it; give it to [`start`](Self::start) or answer
    /// it with [`answer`](Self::answer).
    pub(crate) fn take(&mut self) -> Option<Command<T>> {
        self.pending.take()
    }

    /// The pump runs `cmd` now.
    pub(crate) fn start(&mut self, cmd: Command<T>) -> Command<T> {
        self.running = true;
        cmd
    }

    pub(crate) fn is_running(&self) -> bool {
        self.running
    }

    /// Answers the command (run, or failed before it could run).
    pub(crate) fn answer(&mut self, result: io::Result<Output>) {
        self.running = false;
        self.result = Some(result);
    }

    /// Answers the command with the failure of a queued write it had to wait for.
    pub(crate) fn answer_with_write_error(&mut self, error: io::Error) {
        self.answer(Err(error));
        self.result_from_write = true;
    }
}
