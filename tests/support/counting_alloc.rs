//! A global allocator that counts the allocations one thread makes while it asks to be
//! counted (other threads, and this one outside [`allocations_during`], are not counted).
//! Shared by `tests/futures01_alloc.rs` and `benches/futures01.rs`; each binary installs it
//! with `#[global_allocator] static GLOBAL: CountingAlloc = CountingAlloc;`.
#![allow(unsafe_code, dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// `System`, plus a per-thread count of `alloc` and `realloc` calls while counting is on.
pub struct CountingAlloc;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the only
// addition is a const-initialised thread-local flag and counter, neither of which allocates or
// touches the memory.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is; `ptr` came from `System.alloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: forwarded as is; `ptr` came from `System.alloc` above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Counting on this thread from [`start`](Self::start) to [`stop`](Self::stop), for code
/// that awaits in between (where a closure cannot be wrapped around it).
pub struct Counter {
    before: usize,
}

impl Counter {
    pub fn start() -> Self {
        let before = ALLOCS.with(Cell::get);
        COUNTING.with(|c| c.set(true));
        Self { before }
    }

    /// The allocations this thread made since `start`.
    pub fn stop(self) -> usize {
        COUNTING.with(|c| c.set(false));
        ALLOCS.with(Cell::get) - self.before
    }
}

/// Runs `f` with counting on for this thread: its result, and the allocations it made.
pub fn allocations_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let counter = Counter::start();
    let r = f();
    (r, counter.stop())
}
