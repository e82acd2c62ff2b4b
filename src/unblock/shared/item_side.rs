//! The iterator side of the shared state (see `stream_face.rs`): items fetched ahead, kept as
//! `VecDeque<Item>`s behind `dyn Any`.

use std::any::Any;

/// A batch of items: a `VecDeque<Item>` behind `dyn Any`.
pub(crate) type Batch = Option<Box<dyn Any + Send>>;

/// Pulls one item from the iterator into the batch; false at end.
pub(crate) type NextFn<T> = fn(&mut T, &mut Batch) -> bool;
/// Moves every item of the second batch to the end of the first.
pub(crate) type MergeFn = fn(&mut Batch, &mut Batch);

/// How the pump drives an iterator: captured where `T: Iterator` is known.
pub(crate) struct IterOps<T> {
    pub(crate) next: NextFn<T>,
    pub(crate) merge: MergeFn,
}

impl<T> Clone for IterOps<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for IterOps<T> {}

/// Items fetched ahead, at most `cap` at once.
pub(crate) struct ItemSide<T> {
    ops: Option<IterOps<T>>,
    /// Items fetched and not yet taken by the consumer.
    batch: Batch,
    /// The pump's staging batch, kept between runs so it is allocated once.
    spare: Batch,
    len: usize,
    cap: usize,
    done: bool,
    /// The iterator panicked: resumed in the consumer's `poll_next`.
    panic: Option<Box<dyn Any + Send>>,
    /// The pump is inside `Iterator::next`.
    fetching: bool,
}

impl<T> ItemSide<T> {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            ops: None,
            batch: None,
            spare: None,
            len: 0,
            cap,
            done: false,
            panic: None,
            fetching: false,
        }
    }

    // ----- consumer -----------------------------------------------------------------------

    /// Asks for items, fetched with `ops`.
    pub(crate) fn request(&mut self, ops: IterOps<T>) {
        self.ops = Some(ops);
    }

    /// No more fetching (the adapter is gone).
    pub(crate) fn detach(&mut self) {
        self.ops = None;
    }

    /// Swaps the consumer's empty batch for the fetched one, if any item was fetched.
    pub(crate) fn swap_batch(&mut self, local: &mut Batch) -> bool {
        if self.len == 0 {
            return false;
        }
        std::mem::swap(local, &mut self.batch);
        self.len = 0;
        true
    }

    pub(crate) fn take_panic(&mut self) -> Option<Box<dyn Any + Send>> {
        self.panic.take()
    }

    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    // ----- pump ---------------------------------------------------------------------------

    pub(crate) fn can_fetch(&self) -> bool {
        self.ops.is_some() && !self.done && self.len < self.cap
    }

    /// Starts one `Iterator::next` call, into the staging batch.
    pub(crate) fn start_fetch(&mut self) -> Option<(IterOps<T>, Batch)> {
        let ops = self.ops?;
        self.fetching = true;
        Some((ops, self.spare.take()))
    }

    /// Records what `next` came to: `more`, an item was staged. The consumer may have swapped
    /// batches meanwhile, so the staged item is merged, never overwrites.
    pub(crate) fn finish_fetch(&mut self, mut staging: Batch, more: bool) {
        self.fetching = false;
        if more {
            if let Some(ops) = self.ops {
                (ops.merge)(&mut self.batch, &mut staging);
            }
            self.len += 1;
        } else {
            self.done = true;
        }
        self.spare = staging;
    }

    pub(crate) fn is_fetching(&self) -> bool {
        self.fetching
    }

    /// The iterator panicked: the stream ends, and the panic is resumed in the consumer.
    pub(crate) fn fail_fetch(&mut self, payload: Box<dyn Any + Send>) {
        self.fetching = false;
        self.done = true;
        self.panic = Some(payload);
    }
}
