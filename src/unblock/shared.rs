//! The state an [`Unblock`](crate::Unblock) shares with its pump on the blocking pool.
//!
//! [`State`] is what the mutex guards: the wrapped value while no pump holds it, whether a
//! pump runs, the consumer's waker, and one type per side, each keeping its own counts behind
//! methods:
//!
//! | side | type | file |
//! |---|---|---|
//! | read-ahead: filled chunks, free chunks, end of file or error | [`ReadSide`] | `shared/read_side.rs` |
//! | write-behind: queued chunks, free chunks, a failed write | [`WriteSide`] | `shared/write_side.rs` |
//! | the one command (flush, seek, closure) and its result | [`CommandSlot`] | `shared/command.rs` |
//! | iterator items fetched ahead | [`ItemSide`] | `shared/item_side.rs` |
//!
//! The pump itself (the blocking job that owns the value while it runs) is in `pump.rs`.
//!
//! The pump gets the operations it needs (`Read::read`, `Write::write`, ...) as plain function
//! pointers captured by the trait impls that know the bounds, so this module needs no bounds
//! on `T` beyond `Send + 'static`.

// Without a trait family enabled only the `Stream` face exists; the I/O half is unused.
#![cfg_attr(not(any(feature = "tokio", feature = "futures-io")), allow(dead_code))]

mod command;
mod item_side;
mod read_side;
mod write_side;

use std::any::Any;
use std::io::{self, SeekFrom};
use std::sync::{Mutex, MutexGuard};
use std::task::Waker;

pub(crate) use self::command::{Command, CommandSlot, Output, SeekOutcome};
pub(crate) use self::item_side::{Batch, ItemSide, IterOps};
pub(crate) use self::read_side::{Chunk, MAX_READ_CHUNKS, ReadEnd, ReadSide};
pub(crate) use self::write_side::WriteSide;

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

pub(crate) struct State<T> {
    /// The wrapped value while no pump holds it.
    inner: Option<T>,
    /// A pump job is spawned or running.
    running: bool,
    /// The consumer's waker, taken (and woken) by the pump when it makes progress. Set only
    /// by [`park`](Self::park), which refuses when no pump can come.
    waker: Option<Waker>,
    /// Set when the wrapped value panicked: the message, for every later operation.
    poisoned: Option<String>,
    /// Set when the pool dropped a pump job without running it.
    pool_dropped: bool,
    /// Drop asked the pump to write what is queued, flush, and leave the value to be dropped
    /// on the pool thread.
    closing: bool,
    /// The adapter was dropped: nobody is left to see an error or to retry, so a pump job the
    /// pool drops unrun does its work where it is dropped (see `PumpJob`).
    orphaned: bool,
    pub(crate) read: ReadSide<T>,
    pub(crate) write: WriteSide<T>,
    pub(crate) command: CommandSlot<T>,
    pub(crate) items: ItemSide<T>,
}

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
                closing: false,
                orphaned: false,
                read: ReadSide::new(read_chunk),
                write: WriteSide::new(),
                command: CommandSlot::new(),
                items: ItemSide::new(items_cap),
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
            return self.command.has_pending();
        }
        self.write.can_write()
            || self.command.has_pending()
            || self.closing
            || self.read.can_read_ahead()
            || self.items.can_fetch()
    }

    /// Registers the consumer's waker if a pump will wake it: one is running, or there is work
    /// for one the caller then starts. Returns false, registering nothing, when none can come
    /// (the value panicked with nothing left to run, or the pool dropped the job): the caller
    /// must return an error instead of `Pending`. Every `Pending` of the consumer goes through
    /// here, so this is where "every `Pending` has a pump" is kept.
    pub(crate) fn park(&mut self, waker: &Waker) -> bool {
        if self.pool_dropped || !(self.running || self.has_work()) {
            return false;
        }
        self.waker = Some(waker.clone());
        true
    }

    /// Wakes the consumer if it is waiting. Waking under the lock is fine: the woken task can
    /// only run once the lock is released, and a `Waker` never calls back into this state.
    pub(crate) fn wake(&mut self) {
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }

    /// Takes the consumer's waker, to be woken once the lock is released.
    fn take_waker(&mut self) -> Option<Waker> {
        self.waker.take()
    }

    pub(crate) fn is_running(&self) -> bool {
        self.running
    }

    /// A pump is wanted: there is work and none runs.
    pub(crate) fn wants_pump(&self) -> bool {
        !self.running && self.has_work()
    }

    /// Marks a pump as spawned: the caller spawns it next.
    pub(crate) fn begin_pump(&mut self) {
        self.running = true;
        self.pool_dropped = false;
    }

    /// The pump is done: the value is back and the consumer is woken.
    pub(crate) fn end_pump(&mut self, inner: Option<T>) {
        if let Some(inner) = inner {
            self.inner = Some(inner);
        }
        self.running = false;
        self.wake();
    }

    /// The pool dropped the pump job unrun: the waiting operation is to fail, not hang.
    /// Returns the waker to wake once the lock is released.
    pub(crate) fn job_dropped(&mut self) -> Option<Waker> {
        self.running = false;
        self.pool_dropped = true;
        self.take_waker()
    }

    /// The value, for the pump to take or the consumer to take home (`None` while a pump
    /// holds it).
    pub(crate) fn take_value(&mut self) -> Option<T> {
        self.inner.take()
    }

    /// Gives the value back (the consumer had it home).
    pub(crate) fn put_value(&mut self, inner: T) {
        self.inner = Some(inner);
    }

    /// The value while it is idle here, with the read side: what an inline read needs.
    pub(crate) fn value_and_read(&mut self) -> Option<(&mut T, &mut ReadSide<T>)> {
        Some((self.inner.as_mut()?, &mut self.read))
    }

    /// Nothing runs, is queued, buffered, owed or broken: the consumer may call the value
    /// itself (an inline read) and what it reads is the next data.
    pub(crate) fn is_quiet(&self) -> bool {
        !self.running
            && !self.read.has_buffered()
            && self.write.is_idle()
            && !self.write.has_error()
            && self.poisoned.is_none()
            && !self.pool_dropped
            && self.command.is_idle()
    }

    pub(crate) fn poisoned(&self) -> Option<&str> {
        self.poisoned.as_deref()
    }

    /// The value panicked: from now on every operation fails (only `with_mut` still runs).
    pub(crate) fn poison(&mut self, message: String) {
        self.read.stop();
        self.poisoned = Some(message);
    }

    /// The pool dropped the last job and no new one runs.
    pub(crate) fn pool_dropped(&self) -> bool {
        self.pool_dropped && !self.running
    }

    /// The error that ends an operation before it starts, when the value panicked or the pool
    /// dropped the job. A dropped job is reported once: the next operation tries again.
    pub(crate) fn take_stop_error(&mut self) -> Option<io::Error> {
        if let Some(msg) = &self.poisoned {
            return Some(poisoned_error(msg));
        }
        if self.take_pool_dropped() {
            // The read-ahead the dropped job was to do is off until the consumer asks again.
            self.read.stop();
            return Some(pool_dropped_error());
        }
        None
    }

    /// Clears a dropped job, to report it once.
    pub(crate) fn take_pool_dropped(&mut self) -> bool {
        if !self.pool_dropped() {
            return false;
        }
        self.pool_dropped = false;
        true
    }

    /// The adapter is gone: stop reading ahead and fetching items, and let a job the pool
    /// drops unrun do its work where it is dropped.
    pub(crate) fn orphan(&mut self) {
        self.orphaned = true;
        self.read.stop();
        self.items.detach();
    }

    pub(crate) fn is_orphaned(&self) -> bool {
        self.orphaned
    }

    /// Asks the pump to write what is queued, flush, and drop the value (the adapter is gone).
    pub(crate) fn close(&mut self) {
        self.closing = true;
    }

    /// The final flush, once the queued writes are written (or stuck behind an error).
    pub(crate) fn take_close(&mut self) -> Option<FlushFn<T>> {
        if !self.closing || !(self.write.is_drained() || self.write.has_error()) {
            return None;
        }
        self.closing = false;
        self.write.flush_fn()
    }
}

/// The error every operation returns once the wrapped value has panicked.
pub(crate) fn poisoned_error(message: &str) -> io::Error {
    io::Error::other(format!(
        "iocompat::Unblock: the wrapped value panicked in an earlier operation ({message}); \
         it may be in an inconsistent state, so the adapter refuses further I/O"
    ))
}

/// The error of an operation whose pump job the pool dropped unrun.
pub(crate) fn pool_dropped_error() -> io::Error {
    io::Error::other(
        "iocompat::Unblock: the blocking pool dropped the operation before running it (was the \
         tokio runtime shut down?); retry on a live runtime or outside any runtime",
    )
}

/// Operations on `()` that always succeed, for the unit tests of the sides and the pump.
#[cfg(test)]
pub(crate) mod test_ops {
    use std::io;

    /// Reads 0 bytes: end of file.
    pub(crate) fn read_nothing(_: &mut (), _: &mut [u8]) -> io::Result<usize> {
        Ok(0)
    }

    /// Fills the buffer.
    pub(crate) fn read_full(_: &mut (), buf: &mut [u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    /// Takes the whole buffer.
    pub(crate) fn write_all(_: &mut (), buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    pub(crate) fn flush_nothing(_: &mut ()) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::test_ops::{flush_nothing, read_nothing};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    struct Wakes(AtomicUsize);

    impl Wake for Wakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Wakes>, Waker) {
        let wakes = Arc::new(Wakes(AtomicUsize::new(0)));
        (wakes.clone(), Waker::from(wakes))
    }

    #[test]
    fn park_refuses_when_no_pump_can_come() {
        let shared = Shared::new((), 16, 1);
        let mut st = shared.lock();
        let (_, w) = waker();
        assert!(!st.has_work());
        assert!(!st.park(&w), "nothing runs and nothing is to do");
    }

    #[test]
    fn park_waits_for_a_running_pump_or_for_work() {
        let shared = Shared::new((), 16, 1);
        let mut st = shared.lock();
        let (wakes, w) = waker();
        st.begin_pump();
        assert!(st.park(&w));
        st.end_pump(None);
        assert_eq!(wakes.0.load(Ordering::SeqCst), 1, "the end of a pump wakes");
        st.read.request(read_nothing);
        assert!(st.wants_pump());
        assert!(st.park(&w), "work for a pump the caller starts next");
    }

    #[test]
    fn a_dropped_job_is_refused_and_reported_once() {
        let shared = Shared::new((), 16, 1);
        let mut st = shared.lock();
        let (wakes, w) = waker();
        st.read.request(read_nothing);
        st.begin_pump();
        assert!(st.park(&w));
        let woken = st.job_dropped();
        assert!(
            woken.is_some(),
            "the waiting consumer is handed back to be woken"
        );
        if let Some(w) = woken {
            w.wake();
        }
        assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
        assert!(!st.park(&w), "no pump comes after a dropped job");
        let e = st.take_stop_error().expect("the dropped job is reported");
        assert!(e.to_string().starts_with("iocompat::Unblock: "), "{e}");
        assert!(
            !st.read.can_read_ahead(),
            "its read-ahead is off until asked again"
        );
        assert!(st.take_stop_error().is_none(), "reported once");
    }

    #[test]
    fn a_poisoned_state_has_work_only_for_a_command() {
        let shared = Shared::new((), 16, 1);
        let mut st = shared.lock();
        let (_, w) = waker();
        st.read.request(read_nothing);
        st.poison("boom".to_owned());
        assert!(!st.has_work(), "read-ahead stops after a panic");
        assert!(!st.park(&w));
        st.command.issue(Command::Flush(flush_nothing));
        assert!(st.park(&w), "the pump still answers the command");
        let e = st.take_stop_error().expect("the panic is reported");
        assert!(e.to_string().contains("boom"), "{e}");
    }

    #[test]
    fn the_value_is_quiet_only_with_nothing_queued_or_running() {
        let shared = Shared::new((), 16, 1);
        let mut st = shared.lock();
        assert!(st.is_quiet());
        st.write.push(vec![1]);
        assert!(!st.is_quiet(), "a queued write comes first");
        let running = Shared::new((), 16, 1);
        let mut st = running.lock();
        st.begin_pump();
        assert!(!st.is_quiet(), "a pump holds the value");
    }
}
