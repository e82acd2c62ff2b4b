//! The `Stream` face of [`Unblock`] over an [`Iterator`].

use std::any::Any;
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::shared::IterOps;
use crate::Unblock;

/// # Panics
///
/// A panic inside the iterator's `next` is resumed in `poll_next`; the stream then ends.
impl<T> futures_core::Stream for Unblock<T>
where
    T: Iterator + Send + 'static,
    T::Item: Send + 'static,
{
    type Item = T::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T::Item>> {
        let ops = IterOps {
            next: next_into::<T>,
            merge: merge::<T::Item>,
        };
        self.get_mut().core.poll_next_item(cx, ops)
    }
}

/// Runs on the pool: pulls one item into the shared batch. False once the iterator ends.
fn next_into<T>(iter: &mut T, items: &mut Option<Box<dyn Any + Send>>) -> bool
where
    T: Iterator,
    T::Item: Send + 'static,
{
    let Some(item) = iter.next() else {
        return false;
    };
    let batch = items.get_or_insert_with(|| Box::new(VecDeque::<T::Item>::new()));
    match batch.downcast_mut::<VecDeque<T::Item>>() {
        Some(batch) => batch.push_back(item),
        None => *items = Some(Box::new(VecDeque::from([item]))),
    }
    true
}

/// Runs under the lock: appends the staged items to the batch the consumer will take.
fn merge<I: Send + 'static>(
    batch: &mut Option<Box<dyn Any + Send>>,
    staged: &mut Option<Box<dyn Any + Send>>,
) {
    let Some(from) = staged
        .as_mut()
        .and_then(|b| b.downcast_mut::<VecDeque<I>>())
    else {
        return;
    };
    match batch.as_mut().and_then(|b| b.downcast_mut::<VecDeque<I>>()) {
        Some(to) if !to.is_empty() => to.append(from),
        // Empty or missing: swap whole batches, keeping both allocations.
        _ => std::mem::swap(batch, staged),
    }
}
