//! The write side of the shared state: queued write chunks and how many exist.

use std::collections::VecDeque;
use std::io;

use super::{FlushFn, WriteFn};

/// Write chunks in existence at once: the one the consumer fills plus the ones queued.
pub(crate) const MAX_WRITE_CHUNKS: usize = 4;

/// Write-behind. A chunk is counted in `out` from [`push`](Self::push) until the pump has
/// written all of it: at most [`MAX_WRITE_CHUNKS`] exist, the consumer's included.
pub(crate) struct WriteSide<T> {
    write_fn: Option<WriteFn<T>>,
    flush_fn: Option<FlushFn<T>>,
    queue: VecDeque<Vec<u8>>,
    /// Write chunks not in `free` and not the consumer's: queued or being written.
    out: usize,
    free: Vec<Vec<u8>>,
    /// A failed write, kept whole until the consumer reports it. The unwritten rest of the
    /// failed chunk stays at the front of `queue`.
    error: Option<io::Error>,
    /// The pump is inside a `write` call.
    writing: bool,
}

impl<T> WriteSide<T> {
    pub(crate) fn new() -> Self {
        Self {
            write_fn: None,
            flush_fn: None,
            queue: VecDeque::new(),
            out: 0,
            free: Vec::new(),
            error: None,
            writing: false,
        }
    }

    // ----- consumer -----------------------------------------------------------------------

    /// Records how to write and flush (the final flush on drop uses `flush`).
    pub(crate) fn set_fns(&mut self, write: WriteFn<T>, flush: FlushFn<T>) {
        self.write_fn = Some(write);
        self.flush_fn = Some(flush);
    }

    pub(crate) fn set_flush_fn(&mut self, flush: FlushFn<T>) {
        self.flush_fn = Some(flush);
    }

    pub(crate) fn flush_fn(&self) -> Option<FlushFn<T>> {
        self.flush_fn
    }

    /// Queues a chunk for the pump.
    pub(crate) fn push(&mut self, buf: Vec<u8>) {
        self.queue.push_back(buf);
        self.out += 1;
    }

    /// Queuing one more chunk would leave the consumer none to fill.
    pub(crate) fn is_full(&self) -> bool {
        self.out + 1 >= MAX_WRITE_CHUNKS
    }

    /// Every queued chunk is written.
    pub(crate) fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.out == 0
    }

    /// Nothing waits in the queue (a chunk may still be being written).
    pub(crate) fn is_drained(&self) -> bool {
        self.queue.is_empty()
    }

    pub(crate) fn has_error(&self) -> bool {
        self.error.is_some()
    }

    /// A failed write, reported once; the unwritten data stays queued.
    pub(crate) fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    /// A recycled chunk with room for `cap` bytes; smaller ones met on the way are dropped.
    pub(crate) fn take_free(&mut self, cap: usize) -> Option<Vec<u8>> {
        while let Some(buf) = self.free.pop() {
            if buf.capacity() >= cap {
                return Some(buf);
            }
        }
        None
    }

    // ----- pump ---------------------------------------------------------------------------

    /// The pump may write now: data is queued and no earlier failure waits to be reported.
    pub(crate) fn can_write(&self) -> bool {
        self.error.is_none() && !self.queue.is_empty()
    }

    /// Starts writing the first queued chunk (still counted).
    pub(crate) fn start_write(&mut self) -> Option<(WriteFn<T>, Vec<u8>)> {
        let write = self.write_fn?;
        let buf = self.queue.pop_front()?;
        self.writing = true;
        Some((write, buf))
    }

    /// Records what writing the chunk came to. On failure `rest` is its unwritten part, which
    /// goes back to the front: nothing is lost.
    pub(crate) fn finish_write(&mut self, rest: Vec<u8>, result: io::Result<()>) {
        self.writing = false;
        match result {
            Ok(()) => {
                self.out -= 1;
                self.free.push(rest);
            }
            Err(err) => {
                self.queue.push_front(rest);
                self.error = Some(err);
            }
        }
    }

    pub(crate) fn is_writing(&self) -> bool {
        self.writing
    }

    /// The value panicked inside `write` (the chunk is lost).
    pub(crate) fn fail_write(&mut self, error: io::Error) {
        self.writing = false;
        self.out -= 1;
        self.error = Some(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unblock::shared::test_ops::{flush_nothing, write_all};

    #[test]
    fn the_queue_holds_all_chunks_but_the_consumer_s() {
        let mut side = WriteSide::<()>::new();
        side.set_fns(write_all, flush_nothing);
        for _ in 0..MAX_WRITE_CHUNKS - 1 {
            assert!(!side.is_full());
            side.push(vec![0; 4]);
        }
        assert!(side.is_full());
        let (_, buf) = side.start_write().unwrap();
        assert!(side.is_full(), "a chunk being written is still out");
        side.finish_write(buf, Ok(()));
        assert!(!side.is_full());
        assert!(side.take_free(4).is_some(), "the written chunk is recycled");
    }

    #[test]
    fn a_failed_write_keeps_its_rest_first_and_is_reported_once() {
        let mut side = WriteSide::<()>::new();
        side.set_fns(write_all, flush_nothing);
        side.push(b"abcd".to_vec());
        side.push(b"efgh".to_vec());
        let (_, _buf) = side.start_write().unwrap();
        side.finish_write(b"cd".to_vec(), Err(io::Error::other("disk full")));
        assert!(
            !side.can_write(),
            "nothing is written past an unreported failure"
        );
        assert!(!side.is_idle());
        assert_eq!(side.take_error().unwrap().to_string(), "disk full");
        assert!(side.take_error().is_none());
        let (_, rest) = side.start_write().unwrap();
        assert_eq!(rest, b"cd", "the unwritten rest goes first");
    }
}
