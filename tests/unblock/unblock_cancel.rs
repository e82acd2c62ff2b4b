//! Cancellation: a read, write, seek or flush future dropped at any point loses and duplicates
//! nothing. The pool is stepped by hand so the drop happens at exact points.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::support;
use support::data::data;

use std::io::{Cursor, SeekFrom};
use std::task::Poll;

use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use iocompat::Unblock;
use support::pool::{ManualPool, drive, poll_once};

fn manual<T: Send + 'static>(pool: &ManualPool, inner: T) -> Unblock<T> {
    Unblock::builder().spawner(pool.clone()).build(inner)
}

#[test]
fn dropped_read_before_the_pool_ran_loses_nothing() {
    let pool = ManualPool::default();
    let src = data(100_000);
    let mut r = manual(&pool, Cursor::new(src.clone()));
    let mut buf = [0u8; 10];
    {
        let mut fut = r.read(&mut buf);
        assert!(poll_once(&mut fut).is_pending());
    }
    assert_eq!(pool.queued(), 1, "the read was handed to the pool");
    let mut out = Vec::new();
    drive(&pool, r.read_to_end(&mut out)).unwrap();
    assert_eq!(out, src);
}

#[test]
fn dropped_read_after_the_pool_ran_loses_nothing() {
    let pool = ManualPool::default();
    let src = data(100_000);
    let mut r = manual(&pool, Cursor::new(src.clone()));
    let mut buf = [0u8; 10];
    {
        let mut fut = r.read(&mut buf);
        assert!(poll_once(&mut fut).is_pending());
        pool.run_all();
        // Dropped before it was polled again: the chunk it fetched stays buffered.
    }
    let mut out = Vec::new();
    drive(&pool, r.read_to_end(&mut out)).unwrap();
    assert_eq!(out, src);
}

#[test]
fn dropped_flush_writes_exactly_once() {
    let pool = ManualPool::default();
    let mut w = manual(&pool, Vec::new());
    drive(&pool, w.write_all(b"hello")).unwrap();
    {
        let mut fut = w.flush();
        assert!(poll_once(&mut fut).is_pending());
    }
    drive(&pool, w.write_all(b" world")).unwrap();
    drive(&pool, w.flush()).unwrap();
    let v = drive(&pool, Box::pin(w.into_inner())).unwrap();
    assert_eq!(v, b"hello world");
}

#[test]
fn dropped_flush_is_reused_when_nothing_was_written_since() {
    let pool = ManualPool::default();
    let mut w = manual(&pool, Vec::new());
    drive(&pool, w.write_all(b"abc")).unwrap();
    {
        let mut fut = w.flush();
        assert!(poll_once(&mut fut).is_pending());
    }
    pool.run_all();
    // The earlier flush already completed: this one returns at once.
    let mut fut = w.flush();
    assert!(matches!(poll_once(&mut fut), Poll::Ready(Ok(()))));
}

#[test]
fn dropped_futures_io_seek_then_read_reads_from_the_target() {
    let pool = ManualPool::default();
    let src = data(100_000);
    let mut r = manual(&pool, Cursor::new(src.clone()));
    let mut head = [0u8; 5];
    drive(&pool, r.read_exact(&mut head)).unwrap();
    {
        let mut fut = r.seek(SeekFrom::Start(50_000));
        assert!(poll_once(&mut fut).is_pending());
    }
    // The seek was under way: it completes before the read, which reads from its target.
    let mut buf = [0u8; 10];
    drive(&pool, r.read_exact(&mut buf)).unwrap();
    assert_eq!(&buf[..], &src[50_000..50_010]);
}

#[test]
fn dropped_tokio_seek_then_read_reads_from_the_target() {
    let pool = ManualPool::default();
    let src = data(100_000);
    let mut r = manual(&pool, Cursor::new(src.clone()));
    {
        let mut fut = Box::pin(tokio::io::AsyncSeekExt::seek(&mut r, SeekFrom::Start(777)));
        // tokio's seek future first completes any earlier seek (here: asks the position),
        // then starts ours. Step until ours is started and pending, then drop it.
        assert!(poll_once(&mut fut).is_pending());
        pool.run_all();
        assert!(poll_once(&mut fut).is_pending());
    }
    let mut buf = [0u8; 4];
    drive(&pool, r.read_exact(&mut buf)).unwrap();
    assert_eq!(&buf[..], &src[777..781]);
    let pos = drive(
        &pool,
        Box::pin(tokio::io::AsyncSeekExt::stream_position(&mut r)),
    )
    .unwrap();
    assert_eq!(pos, 781);
}

#[test]
fn dropped_relative_seek_moves_once() {
    let pool = ManualPool::default();
    let src = data(100_000);
    let mut r = manual(&pool, Cursor::new(src.clone()));
    {
        let mut fut = r.seek(SeekFrom::Current(1000));
        assert!(poll_once(&mut fut).is_pending());
        pool.run_all();
    }
    let mut buf = [0u8; 3];
    drive(&pool, r.read_exact(&mut buf)).unwrap();
    assert_eq!(&buf[..], &src[1000..1003]);
}

#[test]
fn cancelled_fill_buf_keeps_data_for_the_next_read() {
    let pool = ManualPool::default();
    let src = data(50_000);
    let mut r = manual(&pool, Cursor::new(src.clone()));
    {
        let mut fut = r.fill_buf();
        assert!(poll_once(&mut fut).is_pending());
    }
    pool.run_all();
    let first = drive(&pool, r.fill_buf()).unwrap().to_vec();
    assert_eq!(&first[..], &src[..first.len()]);
}

#[test]
fn pool_dropping_the_job_is_an_error_not_a_hang_and_the_next_call_works() {
    let pool = ManualPool::default();
    let src = data(1000);
    let mut r = manual(&pool, Cursor::new(src.clone()));
    let mut buf = [0u8; 10];
    {
        let mut fut = r.read(&mut buf);
        assert!(poll_once(&mut fut).is_pending());
        pool.drop_all();
        match poll_once(&mut fut) {
            Poll::Ready(Err(e)) => assert!(e.to_string().contains("dropped"), "{e}"),
            other => panic!("expected an error, got {other:?}"),
        }
    }
    let mut out = Vec::new();
    drive(&pool, r.read_to_end(&mut out)).unwrap();
    assert_eq!(out, src);
}

#[test]
fn a_cancelled_with_mut_does_not_answer_the_next_one() {
    let pool = ManualPool::default();
    let mut u = manual(&pool, Vec::<u8>::new());
    {
        let mut fut = Box::pin(u.with_mut(|v| {
            v.push(1);
            7u32
        }));
        assert!(poll_once(&mut fut).is_pending());
    }
    // A different closure, even with a different result type: it must run, and get its own.
    let r: String = drive(
        &pool,
        Box::pin(u.with_mut(|v| {
            v.push(2);
            "second".to_string()
        })),
    );
    assert_eq!(r, "second");
    let v = drive(&pool, Box::pin(u.with_mut(|v| v.clone())));
    assert_eq!(
        v,
        vec![1, 2],
        "the cancelled closure ran once, the second one too"
    );
}

#[test]
fn a_tokio_seek_that_failed_is_not_carried_out_later() {
    let pool = ManualPool::default();
    let mut u = manual(&pool, Cursor::new(vec![0u8; 100]));
    assert_eq!(
        drive(
            &pool,
            Box::pin(tokio::io::AsyncSeekExt::seek(&mut u, SeekFrom::Start(0)))
        )
        .unwrap(),
        0
    );
    drive(
        &pool,
        Box::pin(tokio::io::AsyncWriteExt::write_all(&mut u, b"x")),
    )
    .unwrap();
    pool.drop_all();
    // The pool drops the queued write: the seek fails with that, and must not run later.
    assert!(
        drive(
            &pool,
            Box::pin(tokio::io::AsyncSeekExt::seek(&mut u, SeekFrom::Current(5)))
        )
        .is_err()
    );
    assert_eq!(
        drive(
            &pool,
            Box::pin(tokio::io::AsyncSeekExt::seek(&mut u, SeekFrom::Current(5)))
        )
        .unwrap(),
        6,
        "moved once, from 1"
    );
}

/// A spawner that drops every job (a runtime shutting down, a pool shedding load).
#[derive(Clone)]
struct Dropper;
impl iocompat::SpawnBlocking for Dropper {
    fn spawn(&self, job: iocompat::BlockingJob) {
        drop(job);
    }
}

#[test]
fn a_full_write_queue_on_a_pool_that_drops_jobs_is_an_error_not_a_livelock() {
    let mut u = Unblock::builder()
        .capacity(4)
        .spawner(Dropper)
        .build(Vec::<u8>::new());
    let mut outcome = None;
    for _ in 0..10_000 {
        let mut f = u.write(b"x");
        match poll_once(&mut f) {
            Poll::Ready(Err(e)) => {
                outcome = Some(e);
                break;
            }
            Poll::Ready(Ok(_)) | Poll::Pending => {}
        }
    }
    let err = outcome.expect("the dropped jobs must surface as an error");
    assert!(err.to_string().contains("dropped"), "{err}");
}
