//! `Unblock<T: Iterator>` as a `Stream`, fetched in batches.

use crate::support;

use futures::StreamExt;
use iocompat::Unblock;
use support::on_all;

#[test]
fn yields_every_item_in_order() {
    on_all(|| async {
        let items: Vec<u64> = Unblock::new(0..100_000u64).collect().await;
        assert!(
            items == (0..100_000).collect::<Vec<_>>(),
            "got {} items",
            items.len()
        );
    });
}

#[test]
fn small_batches_and_blocking_items() {
    on_all(|| async {
        let lines = std::io::BufRead::lines(std::io::Cursor::new("a\nb\nc\n"));
        let s = Unblock::builder().stream_items(1).build(lines);
        let got: Vec<String> = s.map(|l| l.unwrap()).collect().await;
        assert_eq!(got, ["a", "b", "c"]);
    });
}

#[test]
fn empty_iterator_ends_at_once() {
    on_all(|| async {
        let mut s = Unblock::new(std::iter::empty::<u8>());
        assert_eq!(s.next().await, None);
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn panic_in_iterator_is_resumed_in_the_consumer() {
    on_all(|| async {
        use futures::FutureExt;
        let it = (0..10).map(|i| if i == 3 { panic!("bad item") } else { i });
        let mut s = Unblock::builder().stream_items(2).build(it);
        let mut got = Vec::new();
        let caught = std::panic::AssertUnwindSafe(async {
            while let Some(i) = s.next().await {
                got.push(i);
            }
        })
        .catch_unwind()
        .await;
        let payload = caught.expect_err("panic resumed");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"bad item"));
        assert_eq!(got, [0, 1, 2]);
        assert_eq!(s.next().await, None, "the stream ends after the panic");
    });
}
