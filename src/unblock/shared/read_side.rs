//! The read side of the shared state: read-ahead chunks and how many exist.

use std::collections::VecDeque;
use std::io;

use super::ReadFn;
use crate::unblock::inline_read::Inline;

/// Read chunks in existence at once: the one the consumer reads from plus read-ahead.
pub(crate) const MAX_READ_CHUNKS: usize = 4;

/// A filled read chunk: `buf[start..end]` is unread data. `buf.len()` is the chunk's size and
/// stays so while it is recycled, so a recycled chunk is never zeroed again.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub(crate) buf: Vec<u8>,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Chunk {
    pub(crate) fn remaining(&self) -> usize {
        self.end - self.start
    }

    pub(crate) fn unread(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }
}

/// What ends the read-ahead, after the filled chunks.
#[derive(Debug)]
pub(crate) enum ReadEnd {
    Eof,
    Error(io::Error),
}

/// Read-ahead. Every chunk is counted in `out` from the moment it leaves `free` (for a `read`
/// call, or an inline read) until it comes back through [`recycle`](Self::recycle) or a
/// failed read: at most [`MAX_READ_CHUNKS`] exist.
pub(crate) struct ReadSide<T> {
    read_fn: Option<ReadFn<T>>,
    /// The consumer allows read-ahead. Cleared after a short read, end of file or error, so
    /// a socket or pipe is not read again until the consumer asks.
    want: bool,
    filled: VecDeque<Chunk>,
    end: Option<ReadEnd>,
    /// Read chunks not in `free`: the consumer's, `filled`, and one in a `read` call.
    out: usize,
    free: Vec<Vec<u8>>,
    /// Size of the next read chunk.
    chunk_size: usize,
    /// The pump is inside a `read` call.
    reading: bool,
}

impl<T> ReadSide<T> {
    pub(crate) fn new(chunk_size: usize) -> Self {
        Self {
            read_fn: None,
            want: false,
            filled: VecDeque::new(),
            end: None,
            out: 0,
            free: Vec::new(),
            chunk_size,
            reading: false,
        }
    }

    // ----- consumer -----------------------------------------------------------------------

    /// Asks for read-ahead with `read` (until a short read, end of file or error stops it).
    pub(crate) fn request(&mut self, read: ReadFn<T>) {
        self.read_fn = Some(read);
        self.want = true;
    }

    /// Records how to read, without asking for read-ahead yet.
    pub(crate) fn set_read_fn(&mut self, read: ReadFn<T>) {
        self.read_fn = Some(read);
    }

    /// No more read-ahead until the consumer asks again.
    pub(crate) fn stop(&mut self) {
        self.want = false;
    }

    /// Read-ahead is asked for, or a `read` call is under way.
    pub(crate) fn is_active(&self) -> bool {
        self.want || self.reading
    }

    pub(crate) fn is_reading(&self) -> bool {
        self.reading
    }

    /// The next filled chunk, now the consumer's (still counted).
    pub(crate) fn pop_filled(&mut self) -> Option<Chunk> {
        self.filled.pop_front()
    }

    /// What ends the read-ahead (end of file or an error), reported once.
    pub(crate) fn take_end(&mut self) -> Option<ReadEnd> {
        self.end.take()
    }

    /// Forgets a reported-to-be end of file (the value moved, or was written to).
    pub(crate) fn clear_eof(&mut self) {
        if matches!(self.end, Some(ReadEnd::Eof)) {
            self.end = None;
        }
    }

    /// Filled chunks, or an end, wait for the consumer.
    pub(crate) fn has_buffered(&self) -> bool {
        !self.filled.is_empty() || self.end.is_some()
    }

    pub(crate) fn has_filled(&self) -> bool {
        !self.filled.is_empty()
    }

    /// Unread bytes in the filled chunks.
    pub(crate) fn filled_ahead(&self) -> u64 {
        self.filled.iter().map(|c| c.remaining() as u64).sum()
    }

    pub(crate) fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// Returns a chunk to the free list. `grow_to`: the chunk was read to its end by a
    /// sequential reader, so the next chunks are twice as large, up to this size. Buffers
    /// smaller than the current chunk size (cut to `keep_cap`) are dropped.
    pub(crate) fn recycle(&mut self, chunk: Chunk, grow_to: Option<usize>, keep_cap: usize) {
        self.out -= 1;
        if let Some(max) = grow_to {
            if chunk.end == chunk.buf.len() {
                self.chunk_size = (self.chunk_size * 2).min(max);
            }
        }
        if chunk.buf.len() >= self.chunk_size.min(keep_cap) {
            self.free.push(chunk.buf);
        }
    }

    /// Drops every filled chunk and the end, stops read-ahead, and starts over with chunks of
    /// `first_chunk` bytes (the value moved).
    pub(crate) fn discard(&mut self, first_chunk: usize, keep_cap: usize) {
        while let Some(chunk) = self.filled.pop_front() {
            self.recycle(chunk, None, keep_cap);
        }
        self.end = None;
        self.want = false;
        self.chunk_size = first_chunk;
    }

    /// Moves the unread bytes of every filled chunk to `rest`, recycling the chunks.
    pub(crate) fn drain_into(&mut self, rest: &mut Vec<u8>, keep_cap: usize) {
        while let Some(chunk) = self.filled.pop_front() {
            rest.extend_from_slice(chunk.unread());
            self.recycle(chunk, None, keep_cap);
        }
    }

    /// Runs an inline read of `len` bytes into a free chunk. When it reads data the chunk is
    /// returned, counted, for the consumer to read from.
    pub(crate) fn fill_inline(
        &mut self,
        len: usize,
        read: impl FnOnce(&mut [u8]) -> Inline,
    ) -> (Inline, Option<Chunk>) {
        let mut buf = self.free.pop().unwrap_or_default();
        if buf.len() < len {
            buf.resize(len, 0);
        }
        match read(&mut buf[..len]) {
            Inline::Read(n) if n > 0 => {
                self.out += 1;
                (
                    Inline::Read(n),
                    Some(Chunk {
                        buf,
                        start: 0,
                        end: n,
                    }),
                )
            }
            other => {
                self.free.push(buf);
                (other, None)
            }
        }
    }

    // ----- pump ---------------------------------------------------------------------------

    /// The pump may read ahead now.
    pub(crate) fn can_read_ahead(&self) -> bool {
        self.want && self.read_fn.is_some() && self.end.is_none() && self.out < MAX_READ_CHUNKS
    }

    /// Starts a `read` call: the function and a free chunk of the current size (counted).
    pub(crate) fn start_read(&mut self) -> Option<(ReadFn<T>, Vec<u8>)> {
        let read = self.read_fn?;
        let buf = self.take_free();
        self.out += 1;
        self.reading = true;
        Some((read, buf))
    }

    /// A free read chunk of the current size, recycled when one fits.
    fn take_free(&mut self) -> Vec<u8> {
        let size = self.chunk_size;
        while let Some(buf) = self.free.pop() {
            if buf.len() >= size {
                return buf;
            }
        }
        vec![0; size]
    }

    /// Records what the `read` call came to.
    pub(crate) fn finish_read(&mut self, buf: Vec<u8>, result: io::Result<usize>) {
        self.reading = false;
        match result {
            Ok(0) => {
                self.out -= 1;
                self.free.push(buf);
                self.end = Some(ReadEnd::Eof);
                self.want = false;
            }
            Ok(n) => {
                // Keep reading ahead only while reads fill their chunk (files); a short read
                // means a pipe or socket that must not be read again unasked.
                if n < buf.len() {
                    self.want = false;
                }
                self.filled.push_back(Chunk {
                    buf,
                    start: 0,
                    end: n,
                });
            }
            Err(err) => {
                self.out -= 1;
                self.free.push(buf);
                self.end = Some(ReadEnd::Error(err));
                self.want = false;
            }
        }
    }

    /// The value panicked inside the `read` call (its chunk is lost): the error ends the
    /// read-ahead.
    pub(crate) fn fail_read(&mut self, error: io::Error) {
        self.reading = false;
        self.out -= 1;
        self.end = Some(ReadEnd::Error(error));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unblock::shared::test_ops::read_nothing;

    #[test]
    fn at_most_max_read_chunks_are_out() {
        let mut side = ReadSide::<()>::new(8);
        side.request(read_nothing);
        for _ in 0..MAX_READ_CHUNKS {
            assert!(side.can_read_ahead());
            let (_, buf) = side.start_read().unwrap();
            side.finish_read(buf, Ok(8));
            side.request(read_nothing);
        }
        assert!(!side.can_read_ahead(), "every chunk is out");
        let chunk = side.pop_filled().unwrap();
        side.recycle(chunk, None, usize::MAX);
        assert!(
            side.can_read_ahead(),
            "a recycled chunk may be read into again"
        );
    }

    #[test]
    fn a_short_read_or_the_end_stops_read_ahead() {
        let mut side = ReadSide::<()>::new(8);
        side.request(read_nothing);
        let (_, buf) = side.start_read().unwrap();
        assert!(side.is_reading());
        side.finish_read(buf, Ok(3));
        assert!(
            !side.is_active(),
            "a short read: a socket, not read again unasked"
        );
        assert_eq!(side.filled_ahead(), 3);
        side.request(read_nothing);
        let (_, buf) = side.start_read().unwrap();
        side.finish_read(buf, Ok(0));
        assert!(matches!(side.take_end(), Some(ReadEnd::Eof)));
        assert!(side.take_end().is_none(), "the end is reported once");
    }

    #[test]
    fn chunks_read_to_their_end_double_up_to_the_limit() {
        let mut side = ReadSide::<()>::new(8);
        side.request(read_nothing);
        for expected in [16, 20, 20] {
            let (_, buf) = side.start_read().unwrap();
            let n = buf.len();
            side.finish_read(buf, Ok(n));
            let mut chunk = side.pop_filled().unwrap();
            chunk.start = chunk.end;
            side.recycle(chunk, Some(20), usize::MAX);
            assert_eq!(side.chunk_size(), expected);
            side.request(read_nothing);
        }
        side.discard(8, usize::MAX);
        assert_eq!(side.chunk_size(), 8, "a seek starts over");
    }

    #[test]
    fn an_inline_read_counts_its_chunk_only_when_it_read_data() {
        let mut side = ReadSide::<()>::new(8);
        let (outcome, chunk) = side.fill_inline(8, |_| Inline::Pool);
        assert!(matches!(outcome, Inline::Pool) && chunk.is_none());
        let (outcome, chunk) = side.fill_inline(8, |buf| {
            buf[..2].copy_from_slice(b"ab");
            Inline::Read(2)
        });
        assert!(matches!(outcome, Inline::Read(2)));
        let chunk = chunk.unwrap();
        assert_eq!(chunk.unread(), b"ab");
        side.recycle(chunk, None, usize::MAX);
        side.request(read_nothing);
        for _ in 0..MAX_READ_CHUNKS {
            let (_, buf) = side.start_read().unwrap();
            side.finish_read(buf, Ok(8));
            side.request(read_nothing);
        }
        assert!(
            !side.can_read_ahead(),
            "the count is back to zero before these"
        );
    }
}
