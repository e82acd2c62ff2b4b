//! The pump: one blocking job that owns the wrapped value while it runs.
//!
//! It loops, taking its work from the shared [`State`] under the mutex and doing it without
//! the lock:
//!
//! 1. queued write chunks, in order, unless an earlier write failed and that failure has not
//!    been reported yet;
//! 2. the one pending command (flush, seek, closure);
//! 3. read-ahead: one `read` call into a free chunk, while the consumer allows it and fewer than
//!    [`MAX_READ_CHUNKS`](super::shared::MAX_READ_CHUNKS) chunks are out;
//! 4. iterator items, while fewer than the batch size are fetched.
//!
//! When there is nothing left to do it puts the value back and returns. It never waits for the
//! consumer, so a pool thread is never parked on a slow reader. The consumer starts a new pump
//! when it queues work and none is running.

// Without a trait family enabled only the `Stream` face exists; the I/O half is unused.
#![cfg_attr(not(any(feature = "tokio", feature = "futures-io")), allow(dead_code))]

mod seek;

use std::any::Any;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::shared::{
    Batch, Command, FlushFn, IterOps, Output, ReadFn, Shared, State, WriteFn, poisoned_error,
};

use crate::io_util;

/// The pump job: spawned by the consumer once it has marked the pump as started.
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
            if shared.lock().is_orphaned() {
                pump(&shared);
                return;
            }
            let waker = shared.lock().job_dropped();
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

/// One piece of the pump's work, taken under the lock and done without it.
enum Work<T> {
    Write(WriteFn<T>, Vec<u8>),
    /// With the unread bytes of the filled chunks, for a seek.
    Command(Command<T>, u64),
    Read(ReadFn<T>, Vec<u8>),
    Next(IterOps<T>, Batch),
    Close(FlushFn<T>),
}

/// What a piece of work came to, published under the lock.
enum Finished {
    Wrote(Vec<u8>, io::Result<()>),
    Command(io::Result<Output>),
    Read(Vec<u8>, io::Result<usize>),
    Next(Batch, bool),
    Closed,
}

impl<T> Work<T> {
    /// The `Unblock` operation this work serves, for a panic's error message.
    fn operation(&self) -> &'static str {
        match self {
            Work::Write(..) => "write",
            Work::Command(cmd, _) => cmd.operation(),
            Work::Read(..) => "read",
            Work::Next(..) => "poll_next",
            Work::Close(_) => "drop",
        }
    }

    fn run(self, inner: &mut T) -> Finished {
        match self {
            Work::Write(write, buf) => {
                let (rest, result) = write_chunk(inner, write, buf);
                Finished::Wrote(rest, result)
            }
            Work::Command(cmd, filled_ahead) => {
                Finished::Command(run_command(inner, cmd, filled_ahead))
            }
            Work::Read(read, mut buf) => {
                let result = read_chunk(inner, read, &mut buf);
                Finished::Read(buf, result)
            }
            Work::Next(ops, mut staging) => {
                let more = (ops.next)(inner, &mut staging);
                Finished::Next(staging, more)
            }
            Work::Close(flush) => {
                // Drop asked for this: best effort, nobody is left to see an error.
                let _ = io_util::retry_interrupted(|| flush(inner));
                Finished::Closed
            }
        }
    }
}

fn pump<T: Send + 'static>(shared: &Shared<T>) {
    let mut st = shared.lock();
    let Some(mut inner) = st.take_value() else {
        st.end_pump(None);
        return;
    };
    while let Some(work) = next_work(&mut st) {
        let operation = work.operation();
        drop(st);
        let outcome = catch_unwind(AssertUnwindSafe(|| work.run(&mut inner)));
        st = shared.lock();
        match outcome {
            Ok(finished) => publish(&mut st, finished),
            Err(payload) => {
                record_panic(&mut st, operation, payload);
                st.wake();
                break;
            }
        }
        st.wake();
    }
    st.end_pump(Some(inner));
}

/// Picks the pump's next piece of work, in the order the module docs give.
fn next_work<T>(st: &mut State<T>) -> Option<Work<T>> {
    if let Some(message) = st.poisoned() {
        // After a panic only `with_mut` closures run; everything else fails.
        let error = poisoned_error(message);
        return match st.command.take() {
            Some(cmd @ Command::Run(_)) => Some(Work::Command(st.command.start(cmd), 0)),
            Some(_) => {
                st.command.answer(Err(error));
                None
            }
            None => None,
        };
    }
    if st.write.can_write() {
        let (write, buf) = st.write.start_write()?;
        return Some(Work::Write(write, buf));
    }
    if let Some(cmd) = st.command.take() {
        if !st.write.is_drained() && !matches!(cmd, Command::Run(_)) {
            // Queued data could not be written: the flush or seek reports why. The data stays
            // queued and is tried again by the next write, flush or seek.
            let err = st.write.take_error().unwrap_or_else(|| {
                io::Error::other(format!(
                    "iocompat::Unblock::{}: queued writes failed",
                    cmd.operation()
                ))
            });
            st.command.answer_with_write_error(err);
            return next_work(st);
        }
        // The seek command needs the read-ahead count, known only under the lock.
        let filled_ahead = st.read.filled_ahead();
        return Some(Work::Command(st.command.start(cmd), filled_ahead));
    }
    if let Some(flush) = st.take_close() {
        return Some(Work::Close(flush));
    }
    if st.read.can_read_ahead() {
        let (read, buf) = st.read.start_read()?;
        return Some(Work::Read(read, buf));
    }
    if st.items.can_fetch() {
        let (ops, staging) = st.items.start_fetch()?;
        return Some(Work::Next(ops, staging));
    }
    None
}

/// Records the result of one piece of work.
fn publish<T>(st: &mut State<T>, finished: Finished) {
    match finished {
        Finished::Wrote(rest, result) => st.write.finish_write(rest, result),
        Finished::Command(result) => st.command.answer(result),
        Finished::Read(buf, result) => st.read.finish_read(buf, result),
        Finished::Next(staging, more) => st.items.finish_fetch(staging, more),
        Finished::Closed => {}
    }
}

/// The value panicked during `operation`: the side that was busy gets the error (an
/// iterator's panic is resumed in the consumer), and the value is poisoned.
fn record_panic<T>(st: &mut State<T>, operation: &str, payload: Box<dyn Any + Send>) {
    let message = io_util::panic_message(&*payload);
    let error = io::Error::other(format!(
        "iocompat::Unblock::{operation}: the wrapped value panicked: {message}"
    ));
    if st.read.is_reading() {
        st.read.fail_read(error);
    } else if st.write.is_writing() {
        st.write.fail_write(error);
    } else if st.command.is_running() {
        st.command.answer(Err(error));
    } else if st.items.is_fetching() {
        st.items.fail_fetch(payload);
    }
    st.poison(message);
}

/// One `read` into `buf`, retrying `Interrupted`; a reader claiming more than `buf` fails.
fn read_chunk<T>(inner: &mut T, read: ReadFn<T>, buf: &mut [u8]) -> io::Result<usize> {
    let n = io_util::retry_interrupted(|| read(inner, buf))?;
    io_util::check_claimed("Unblock::read", n, buf.len())
}

/// Writes the whole chunk, retrying `Interrupted`. Returns what is left of it: nothing on
/// success, the unwritten rest on failure.
fn write_chunk<T>(inner: &mut T, write: WriteFn<T>, mut buf: Vec<u8>) -> (Vec<u8>, io::Result<()>) {
    let mut written = 0;
    let result = loop {
        if written == buf.len() {
            break Ok(());
        }
        match write(inner, &buf[written..]) {
            Ok(0) => {
                break Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "iocompat::Unblock::write: the wrapped writer accepted 0 bytes of a \
                     non-empty buffer",
                ));
            }
            Ok(n) if n > buf.len() - written => {
                break Err(io_util::claimed_too_many(
                    "Unblock::write",
                    n,
                    buf.len() - written,
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
    (buf, result)
}

fn run_command<T>(inner: &mut T, cmd: Command<T>, filled_ahead: u64) -> io::Result<Output> {
    match cmd {
        Command::Flush(flush) => {
            io_util::retry_interrupted(|| flush(inner)).map(|()| Output::Nothing)
        }
        Command::Run(f) => Ok(Output::Ran(catch_unwind(AssertUnwindSafe(|| f(inner))))),
        Command::Seek {
            ops,
            pos,
            local_ahead,
            local_behind,
            discard,
        } => {
            let ahead = local_ahead + filled_ahead;
            seek::seek(inner, ops, pos, ahead, local_behind, discard).map(Output::Seeked)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unblock::shared::ReadEnd;
    use crate::unblock::shared::test_ops::{flush_nothing, read_full, write_all};

    /// A writer that takes at most `max` bytes a call, failing with `Interrupted` every other
    /// call and with `error` once `fail_at` bytes are in.
    struct Writer {
        data: Vec<u8>,
        max: usize,
        calls: usize,
        fail_at: usize,
    }

    fn write_to(w: &mut Writer, buf: &[u8]) -> io::Result<usize> {
        w.calls += 1;
        if w.calls % 2 == 0 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        if w.data.len() >= w.fail_at {
            return Err(io::Error::other("disk full"));
        }
        let n = buf.len().min(w.max);
        w.data.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    #[test]
    fn a_chunk_is_written_whole_through_short_writes_and_interrupts() {
        let mut w = Writer {
            data: Vec::new(),
            max: 3,
            calls: 0,
            fail_at: usize::MAX,
        };
        let (rest, result) = write_chunk(&mut w, write_to, b"0123456789".to_vec());
        result.unwrap();
        assert!(rest.is_empty());
        assert_eq!(w.data, b"0123456789");
    }

    #[test]
    fn a_failed_write_hands_back_exactly_the_unwritten_rest() {
        let mut w = Writer {
            data: Vec::new(),
            max: 3,
            calls: 0,
            fail_at: 6,
        };
        let (rest, result) = write_chunk(&mut w, write_to, b"0123456789".to_vec());
        assert_eq!(result.unwrap_err().to_string(), "disk full", "kept whole");
        assert_eq!(w.data, b"012345");
        assert_eq!(rest, b"6789");
    }

    #[test]
    fn broken_writers_and_readers_get_errors_saying_so() {
        let (rest, result) = write_chunk(&mut (), |_, _| Ok(0), b"ab".to_vec());
        let e = result.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WriteZero);
        assert!(
            e.to_string().starts_with("iocompat::Unblock::write: "),
            "{e}"
        );
        assert_eq!(rest, b"ab");
        let (_, result) = write_chunk(&mut (), |_, buf| Ok(buf.len() + 1), b"ab".to_vec());
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::InvalidData);
        let e = read_chunk(&mut (), |_, buf| Ok(buf.len() + 1), &mut [0; 4]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(
            e.to_string().starts_with("iocompat::Unblock::read: "),
            "{e}"
        );
    }

    #[test]
    fn work_comes_in_order_writes_then_the_command_then_read_ahead() {
        let shared = Shared::new((), 8, 1);
        let mut st = shared.lock();
        st.read.request(read_full);
        st.write.set_fns(write_all, flush_nothing);
        st.write.push(b"ab".to_vec());
        st.command.issue(Command::Flush(flush_nothing));
        let Some(Work::Write(_, buf)) = next_work(&mut st) else {
            panic!("the queued write first")
        };
        publish(&mut st, Finished::Wrote(buf, Ok(())));
        let Some(Work::Command(cmd @ Command::Flush(_), _)) = next_work(&mut st) else {
            panic!("then the command")
        };
        publish(&mut st, Finished::Command(run_command(&mut (), cmd, 0)));
        assert!(matches!(
            st.command.take_result(),
            Some((Ok(Output::Nothing), false))
        ));
        assert!(
            matches!(next_work(&mut st), Some(Work::Read(..))),
            "then read-ahead"
        );
    }

    #[test]
    fn a_command_behind_a_failed_write_gets_that_error_and_the_rest_is_retried() {
        let shared = Shared::new((), 8, 1);
        let mut st = shared.lock();
        st.write.set_fns(write_all, flush_nothing);
        st.write.push(b"ab".to_vec());
        let Some(Work::Write(_, _)) = next_work(&mut st) else {
            panic!("the write")
        };
        publish(
            &mut st,
            Finished::Wrote(b"b".to_vec(), Err(io::Error::other("disk full"))),
        );
        st.command.issue(Command::Flush(flush_nothing));
        // The flush is answered with the failure, which is then reported: the rest is tried
        // again at once.
        let Some(Work::Write(_, rest)) = next_work(&mut st) else {
            panic!("the unwritten rest is tried again")
        };
        assert_eq!(rest, b"b");
        let Some((Err(e), from_write)) = st.command.take_result() else {
            panic!("the flush is answered")
        };
        assert!(from_write);
        assert_eq!(e.to_string(), "disk full");
    }

    #[test]
    fn a_panic_is_charged_to_the_busy_side_and_poisons_the_value() {
        let shared = Shared::new((), 8, 1);
        let mut st = shared.lock();
        st.read.request(read_full);
        let Some(Work::Read(..)) = next_work(&mut st) else {
            panic!("a read")
        };
        record_panic(&mut st, "read", Box::new("decoder exploded"));
        let Some(ReadEnd::Error(e)) = st.read.take_end() else {
            panic!("the read fails")
        };
        assert_eq!(
            e.to_string(),
            "iocompat::Unblock::read: the wrapped value panicked: decoder exploded"
        );
        assert_eq!(st.poisoned(), Some("decoder exploded"));
        st.command.issue(Command::Flush(flush_nothing));
        assert!(
            next_work(&mut st).is_none(),
            "after a panic only with_mut runs"
        );
        let Some((Err(e), _)) = st.command.take_result() else {
            panic!("refused")
        };
        assert!(e.to_string().contains("earlier operation"), "{e}");
        st.command.issue(Command::Run(Box::new(|_: &mut ()| {
            Box::new(()) as Box<dyn Any + Send>
        })));
        assert!(matches!(
            next_work(&mut st),
            Some(Work::Command(Command::Run(_), _))
        ));
    }
}
