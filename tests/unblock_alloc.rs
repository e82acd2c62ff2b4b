//! No per-chunk allocation in steady state: once read-ahead and write-behind have widened to
//! their full chunk size, reading and writing recycle their chunks. A counting global
//! allocator sees every buffer-sized allocation (one test in this binary, so nothing else
//! allocates meanwhile). Moving 1,024 chunks of data may still complete the set of four
//! chunks per direction (how many are in use at once depends on thread timing), but never
//! allocates one per chunk moved.
#![cfg(all(feature = "tokio", feature = "futures-io"))]

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use iocompat::Unblock;

/// Counts allocations of at least 4 KiB (chunk-sized; runtime bookkeeping is smaller).
struct CountLarge;

static LARGE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountLarge {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= 4096 {
            LARGE.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: forwarding the caller's layout to the system allocator unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= 4096 {
            LARGE.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: CountLarge = CountLarge;

/// A reader that is always ready and allocates nothing.
struct Fill;
impl std::io::Read for Fill {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(9);
        Ok(buf.len())
    }
}

#[test]
fn steady_state_reads_and_writes_allocate_no_chunks() {
    support::on_current_thread(async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut buf = vec![0u8; 64 * 1024];

        let start = LARGE.load(Ordering::SeqCst);
        let mut r = Unblock::with_capacity(256 * 1024, Fill);
        // Widen to the full chunk size first.
        for _ in 0..64 {
            r.read_exact(&mut buf).await.unwrap();
        }
        let before = LARGE.load(Ordering::SeqCst);
        assert!(
            before > start,
            "the counter sees chunk allocations while widening"
        );
        for _ in 0..1024 {
            r.read_exact(&mut buf).await.unwrap();
        }
        let reads = LARGE.load(Ordering::SeqCst) - before;

        let mut w = Unblock::with_capacity(256 * 1024, std::io::sink());
        for _ in 0..64 {
            w.write_all(&buf).await.unwrap();
        }
        w.flush().await.unwrap();
        let before = LARGE.load(Ordering::SeqCst);
        for _ in 0..1024 {
            w.write_all(&buf).await.unwrap();
        }
        w.flush().await.unwrap();
        let writes = LARGE.load(Ordering::SeqCst) - before;

        // At most the set of four chunks per direction, never one per chunk moved.
        assert!(
            reads <= 4,
            "64 MiB read in steady state allocated {reads} chunks"
        );
        assert!(
            writes <= 4,
            "64 MiB written in steady state allocated {writes} chunks"
        );
    });
}
