//! Iterators: items fetched ahead on the pool in batches.

use std::collections::VecDeque;
use std::task::{Context, Poll};

use super::Core;
use crate::unblock::shared::IterOps;

impl<T: Send + 'static> Core<T> {
    /// The next item of a wrapped iterator, fetched ahead in batches: the consumer swaps its
    /// empty batch for the pump's filled one under a single lock.
    pub(crate) fn poll_next_item<I: Send + 'static>(
        &mut self,
        cx: &mut Context<'_>,
        ops: IterOps<T>,
    ) -> Poll<Option<I>> {
        let (sh, local) = (&self.shared, &mut self.local);
        if let Some(item) = pop_item::<I>(&mut local.local_items) {
            return Poll::Ready(Some(item));
        }
        let mut st = sh.lock();
        st.items.request(ops);
        if st.items.swap_batch(&mut local.local_items) {
            local.kick(sh, st);
            return Poll::Ready(pop_item::<I>(&mut local.local_items));
        }
        if let Some(payload) = st.items.take_panic() {
            drop(st);
            std::panic::resume_unwind(payload);
        }
        if st.items.is_done() {
            return Poll::Ready(None);
        }
        match local.pend::<()>(sh, st, cx) {
            Poll::Pending => Poll::Pending,
            // A `Stream` has no error channel, and ending it here would silently truncate it.
            Poll::Ready(Err(e)) => {
                panic!("iocompat::Unblock::poll_next: the iterator stream cannot continue: {e}")
            }
            Poll::Ready(Ok(())) => Poll::Pending,
        }
    }
}

fn pop_item<I: 'static>(batch: &mut Option<Box<dyn std::any::Any + Send>>) -> Option<I> {
    batch
        .as_mut()
        .and_then(|b| b.downcast_mut::<VecDeque<I>>())
        .and_then(VecDeque::pop_front)
}
