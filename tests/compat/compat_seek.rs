//! `Compat` seek faces: tokio `start_seek` / `poll_complete` <-> futures-io `poll_seek`.
#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::compat_model;

use std::io::{self, Cursor, SeekFrom};
use std::pin::Pin;

use compat_model::{Chaos, Step, on_all_executors, within};
use iocompat::{Compat, FuturesAsyncReadCompatExt, TokioAsyncReadCompatExt};

fn poll_complete<T: tokio::io::AsyncSeek + Unpin>(
    seeker: &mut T,
) -> impl std::future::Future<Output = io::Result<u64>> + '_ {
    std::future::poll_fn(move |cx| tokio::io::AsyncSeek::poll_complete(Pin::new(&mut *seeker), cx))
}

#[test]
fn poll_complete_without_a_started_seek_reports_the_real_position() {
    on_all_executors(10, || async {
        let mut r =
            FuturesAsyncReadCompatExt::compat(futures::io::Cursor::new(b"0123456789".to_vec()));
        let mut three = [0u8; 3];
        tokio::io::AsyncReadExt::read_exact(&mut r, &mut three)
            .await
            .unwrap();
        // tokio-util and async-compat answer `Ok(0)` here.
        assert_eq!(poll_complete(&mut r).await.unwrap(), 3);
        // Still at 3: asking moved nothing.
        tokio::io::AsyncReadExt::read_exact(&mut r, &mut three)
            .await
            .unwrap();
        assert_eq!(&three, b"345");
    });
}

#[test]
fn tokio_seek_ext_over_a_futures_seeker() {
    on_all_executors(10, || async {
        let plan = vec![Step::Pending, Step::Max(2)];
        let mut r = FuturesAsyncReadCompatExt::compat(Chaos::new(
            Cursor::new(b"0123456789".to_vec()),
            plan,
        ));
        assert_eq!(
            tokio::io::AsyncSeekExt::seek(&mut r, SeekFrom::Start(4))
                .await
                .unwrap(),
            4
        );
        assert_eq!(
            tokio::io::AsyncSeekExt::seek(&mut r, SeekFrom::Current(-1))
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            tokio::io::AsyncSeekExt::seek(&mut r, SeekFrom::End(-2))
                .await
                .unwrap(),
            8
        );
        let mut rest = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut r, &mut rest)
            .await
            .unwrap();
        assert_eq!(rest, b"89");
        let err = tokio::io::AsyncSeekExt::seek(&mut r, SeekFrom::Current(-100))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        // The failed seek left the adapter idle: the next one works.
        assert_eq!(
            tokio::io::AsyncSeekExt::seek(&mut r, SeekFrom::Start(1))
                .await
                .unwrap(),
            1
        );
    });
}

#[test]
fn a_second_start_seek_before_completion_is_a_clear_error() {
    let mut r = Compat::new(futures::io::Cursor::new(vec![0u8; 10]));
    tokio::io::AsyncSeek::start_seek(Pin::new(&mut r), SeekFrom::Start(2)).unwrap();
    let err = tokio::io::AsyncSeek::start_seek(Pin::new(&mut r), SeekFrom::Start(5)).unwrap_err();
    assert!(err.to_string().contains("call poll_complete"), "{err}");
    // The first seek is still the one that completes.
    within(10, move || {
        assert_eq!(
            futures::executor::block_on(poll_complete(&mut r)).unwrap(),
            2
        );
    });
}

#[test]
fn futures_seek_completes_a_pending_tokio_seek_first() {
    on_all_executors(10, || async {
        // Chaos is strict like tokio::fs::File: `start_seek` with a seek in flight is an error.
        let mut r = TokioAsyncReadCompatExt::compat(Chaos::new(
            Cursor::new(b"0123456789".to_vec()),
            vec![],
        ));
        tokio::io::AsyncSeek::start_seek(Pin::new(r.get_mut()), SeekFrom::Start(8)).unwrap();
        // Relative to where the pending seek lands.
        let pos = futures::io::AsyncSeekExt::seek(&mut r, SeekFrom::Current(-2))
            .await
            .unwrap();
        assert_eq!(pos, 6);
        let mut rest = Vec::new();
        futures::io::AsyncReadExt::read_to_end(&mut r, &mut rest)
            .await
            .unwrap();
        assert_eq!(rest, b"6789");
    });
}

#[test]
fn futures_seek_over_a_tokio_file_with_a_pending_seek() {
    within(20, || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let mut tmp = tempfile::NamedTempFile::new().unwrap();
            std::io::Write::write_all(&mut tmp, b"0123456789").unwrap();
            let file = tokio::fs::File::open(tmp.path()).await.unwrap();
            let mut r = TokioAsyncReadCompatExt::compat(file);
            tokio::io::AsyncSeek::start_seek(Pin::new(r.get_mut()), SeekFrom::Start(5)).unwrap();
            let pos = futures::io::AsyncSeekExt::seek(&mut r, SeekFrom::Current(1))
                .await
                .unwrap();
            assert_eq!(pos, 6);
            let mut rest = String::new();
            futures::io::AsyncReadExt::read_to_string(&mut r, &mut rest)
                .await
                .unwrap();
            assert_eq!(rest, "6789");
        });
    });
}

#[test]
fn a_cancelled_futures_seek_takes_effect_and_the_next_seek_waits_for_it() {
    within(10, || {
        futures::executor::block_on(async {
            // Polls alternate ready / Pending: the first seek's leading (idle) poll_complete is
            // ready, then the seek to 7 starts and its poll_complete is Pending.
            let inner = Chaos::new(
                Cursor::new(b"0123456789".to_vec()),
                vec![Step::Max(1), Step::Pending],
            );
            let mut r = TokioAsyncReadCompatExt::compat(inner);
            {
                let mut seek = futures::io::AsyncSeekExt::seek(&mut r, SeekFrom::Start(7));
                let waker = futures::task::noop_waker();
                let mut cx = std::task::Context::from_waker(&waker);
                assert!(Pin::new(&mut seek).poll(&mut cx).is_pending());
                // Dropped here: the seek to 7 was started on the value.
            }
            let pos = futures::io::AsyncSeekExt::seek(&mut r, SeekFrom::Current(1))
                .await
                .unwrap();
            assert_eq!(pos, 8);
        })
    });
}

#[test]
fn futures_seek_errors_pass_through_and_leave_the_adapter_idle() {
    on_all_executors(10, || async {
        let mut r = TokioAsyncReadCompatExt::compat(Chaos::new(Cursor::new(vec![0u8; 4]), vec![]));
        let err = futures::io::AsyncSeekExt::seek(&mut r, SeekFrom::Current(-1))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let pos = futures::io::AsyncSeekExt::seek(&mut r, SeekFrom::End(0))
            .await
            .unwrap();
        assert_eq!(pos, 4);
    });
}
