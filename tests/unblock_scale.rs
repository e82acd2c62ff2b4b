//! Idle adapters are cheap: 1,000 readers that each read one byte and stay alive grow the
//! process by at most 128 KiB each and hold no pool thread. (One test in this binary, so the
//! memory reading is not disturbed by other tests.)
#![cfg(all(target_os = "linux", feature = "tokio", feature = "futures-io"))]

mod support;

use iocompat::Unblock;
use support::mock::Repeat;
use support::{LIMIT, watchdog};

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn thousand_idle_readers_stay_small_and_hold_no_thread() {
    watchdog("thousand_idle_readers", || {
        const N: usize = 1000;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(4)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use tokio::io::AsyncReadExt;
            // Warm up the runtime and its pool so their own memory is not counted.
            let mut warm = Unblock::new(Repeat(1));
            warm.read_exact(&mut [0u8; 1]).await.unwrap();
            let _ = warm.get_mut().await;
            let before = rss_bytes();
            let mut alive = Vec::with_capacity(N);
            for _ in 0..N {
                let mut r = Unblock::new(Repeat(3));
                let mut one = [0u8; 1];
                r.read_exact(&mut one).await.unwrap();
                assert_eq!(one[0], 3);
                alive.push(r);
            }
            // Let read-ahead already under way finish, so its memory is counted too.
            for r in &mut alive {
                let _ = r.get_mut().await;
            }
            let grown = rss_bytes().saturating_sub(before);
            let per_reader = grown / N as u64;
            eprintln!("RSS grew by {} KiB per idle reader", per_reader / 1024);
            assert!(
                per_reader <= 128 * 1024,
                "each idle reader costs {per_reader} bytes (limit 128 KiB)"
            );
            let answer = tokio::time::timeout(LIMIT, tokio::task::spawn_blocking(|| 42))
                .await
                .expect("no pool thread may be held by idle readers")
                .unwrap();
            assert_eq!(answer, 42);
            drop(alive);
        });
    });
}
