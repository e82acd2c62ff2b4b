//! `Unblock<T: Seek>`: position-exact seeking, read-ahead reuse, tokio's start/complete.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::support;
use support::data::data;

use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use iocompat::Unblock;
use support::on_all;

/// A cursor that counts the bytes read from it.
struct Counting {
    inner: Cursor<Vec<u8>>,
    read: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::SeqCst);
        Ok(n)
    }
}

impl Seek for Counting {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn seek_current_counts_from_what_the_consumer_read() {
    on_all(|| async {
        use futures::io::{AsyncReadExt, AsyncSeekExt};
        let src = data(500_000);
        let mut r = Unblock::new(Cursor::new(src.clone()));
        let mut buf = [0u8; 100];
        r.read_exact(&mut buf).await.unwrap();
        // Read-ahead has moved the inner cursor far beyond 100; the answer must not show it.
        assert_eq!(r.seek(SeekFrom::Current(0)).await.unwrap(), 100);
        assert_eq!(r.seek(SeekFrom::Current(50)).await.unwrap(), 150);
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf[..], &src[150..250]);
        assert_eq!(r.seek(SeekFrom::Current(-200)).await.unwrap(), 50);
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf[..], &src[50..150]);
        assert_eq!(r.seek(SeekFrom::End(-10)).await.unwrap(), 499_990);
        let mut tail = Vec::new();
        r.read_to_end(&mut tail).await.unwrap();
        assert_eq!(tail, &src[499_990..]);
    });
}

#[test]
fn seek_inside_read_ahead_reuses_it() {
    on_all(|| async {
        use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt};
        let src = data(1_000_000);
        let count = Arc::new(AtomicU64::new(0));
        let mut r = Unblock::new(Counting {
            inner: Cursor::new(src.clone()),
            read: count.clone(),
        });
        let have = r.fill_buf().await.unwrap().len();
        assert!(have >= 1000);
        let mut buf = [0u8; 500];
        r.read_exact(&mut buf).await.unwrap();
        // Wait until read-ahead is quiet, then note how much the inner value has given.
        let _ = r.seek(SeekFrom::Current(0)).await.unwrap();
        let before = count.load(Ordering::SeqCst);
        // Backwards and forwards inside the first chunk: no new read of the inner value.
        assert_eq!(r.seek(SeekFrom::Start(10)).await.unwrap(), 10);
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf[..], &src[10..510]);
        assert_eq!(r.seek(SeekFrom::Current(200)).await.unwrap(), 710);
        r.read_exact(&mut buf[..100]).await.unwrap();
        assert_eq!(&buf[..100], &src[710..810]);
        assert_eq!(
            count.load(Ordering::SeqCst),
            before,
            "read-ahead was reused"
        );
    });
}

#[test]
fn tokio_seek_and_poll_complete_without_start_is_the_real_position() {
    on_all(|| async {
        use tokio::io::{AsyncReadExt, AsyncSeek, AsyncSeekExt};
        let src = data(100_000);
        let mut cursor = Cursor::new(src.clone());
        cursor.set_position(1000);
        let mut r = Unblock::new(cursor);
        let mut buf = [0u8; 10];
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf[..], &src[1000..1010]);
        // No start_seek: not a placeholder 0, the real position.
        let pos = std::future::poll_fn(|cx| Pin::new(&mut r).poll_complete(cx))
            .await
            .unwrap();
        assert_eq!(pos, 1010);
        assert_eq!(r.seek(SeekFrom::Start(5)).await.unwrap(), 5);
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf[..], &src[5..15]);
        assert_eq!(r.stream_position().await.unwrap(), 15);
    });
}

#[test]
fn second_start_seek_while_one_is_pending_is_an_error() {
    on_all(|| async {
        use tokio::io::AsyncSeek;
        let mut r = Unblock::new(Cursor::new(data(100)));
        Pin::new(&mut r).start_seek(SeekFrom::Start(3)).unwrap();
        let err = Pin::new(&mut r).start_seek(SeekFrom::Start(4)).unwrap_err();
        assert!(err.to_string().contains("poll_complete"), "{err}");
        let pos = std::future::poll_fn(|cx| Pin::new(&mut r).poll_complete(cx))
            .await
            .unwrap();
        assert_eq!(pos, 3);
    });
}

#[test]
fn seek_before_start_is_invalid_input_and_adapter_stays_usable() {
    on_all(|| async {
        use futures::io::{AsyncReadExt, AsyncSeekExt};
        let src = data(1000);
        let mut r = Unblock::new(Cursor::new(src.clone()));
        let mut buf = [0u8; 4];
        r.read_exact(&mut buf).await.unwrap();
        let err = r.seek(SeekFrom::Current(-10)).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf[..], &src[4..8]);
    });
}

#[test]
fn seek_on_a_file_after_reading_ahead() {
    on_all(|| async {
        use futures::io::{AsyncReadExt, AsyncSeekExt};
        use std::io::Write;
        let src = data(300_000);
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&src).unwrap();
        f.rewind().unwrap();
        let mut r = Unblock::new(f);
        let mut buf = vec![0u8; 70_000];
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(r.seek(SeekFrom::Current(0)).await.unwrap(), 70_000);
        let mut f = r.into_inner().await.unwrap();
        // The File's own cursor was given back to the logical position.
        assert_eq!(f.stream_position().unwrap(), 70_000);
    });
}

/// A value that says it is at `u64::MAX`: positions are tracked without overflow (no panic;
/// the adapter just stops claiming to know the position).
#[test]
fn a_position_at_u64_max_does_not_overflow() {
    on_all(|| async {
        use futures::io::{AsyncSeekExt, AsyncWriteExt};
        struct Big;
        impl io::Write for Big {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        impl Seek for Big {
            fn seek(&mut self, p: SeekFrom) -> io::Result<u64> {
                match p {
                    SeekFrom::Start(x) => Ok(x),
                    _ => Ok(u64::MAX),
                }
            }
        }
        let mut u = Unblock::builder().build_seekable(Big);
        assert_eq!(u.seek(SeekFrom::Start(u64::MAX)).await.unwrap(), u64::MAX);
        assert_eq!(u.write(b"x").await.unwrap(), 1);
        u.flush().await.unwrap();
    });
}

/// A chunk read to its end, kept across a write (its refill job was dropped by the pool, so
/// read-ahead was still switched on), must not be reused by a backward seek after the write:
/// the seek would serve the chunk's bytes at offsets the write moved past.
#[test]
fn exhausted_chunk_is_not_reused_by_a_seek_after_a_write() {
    use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
    use std::io::Write;
    use std::task::Poll;
    use support::pool::{ManualPool, drive, poll_once};

    let mut model = data(100_000);
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(&model).unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    let pool = ManualPool::default();
    let mut io = Unblock::builder()
        .spawner(pool.clone())
        .inline_reads(false)
        .build(file);
    assert!(poll_once(&mut io.fill_buf()).is_pending());
    pool.run_all(); // four 16 KiB chunks read ahead
    let mut consumed = 0;
    for _ in 0..4 {
        let n = loop {
            match poll_once(&mut io.fill_buf()) {
                Poll::Ready(Ok(chunk)) => break chunk.len(),
                // The dropped refill job, reported once.
                Poll::Ready(Err(_)) => continue,
                Poll::Pending => panic!("read-ahead is there: no wait expected"),
            }
        };
        pool.drop_all(); // a runtime shutting down drops the refill job
        io.consume_unpin(n);
        consumed += n;
    }
    assert_eq!(consumed, 4 * 16 * 1024);
    // The first write may report the dropped job; the retry goes through.
    if drive(&pool, Box::pin(io.write_all(&[b'W'; 100]))).is_err() {
        drive(&pool, Box::pin(io.write_all(&[b'W'; 100]))).unwrap();
    }
    drive(&pool, Box::pin(io.flush())).unwrap();
    model[consumed..consumed + 100].copy_from_slice(&[b'W'; 100]);
    let pos = drive(&pool, Box::pin(io.seek(SeekFrom::Current(-200)))).unwrap();
    assert_eq!(pos as usize, consumed - 100);
    let mut got = [0u8; 200];
    drive(&pool, Box::pin(io.read_exact(&mut got))).unwrap();
    assert!(
        got[..] == model[consumed - 100..consumed + 100],
        "stale read-ahead was reused"
    );
}

/// Where the kernel moves the offset itself (`O_APPEND`: every write goes to the end first),
/// `poll_complete` with no seek started reports where the file really is, not a position
/// computed from the writes.
#[test]
fn poll_complete_after_a_write_to_an_append_mode_file_is_the_real_position() {
    on_all(|| async {
        use tokio::io::{AsyncSeek, AsyncSeekExt, AsyncWriteExt};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, data(1000)).unwrap();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .unwrap();
        let mut w = Unblock::new(file);
        assert_eq!(w.seek(SeekFrom::Start(0)).await.unwrap(), 0);
        w.write_all(b"hello").await.unwrap();
        w.flush().await.unwrap();
        let pos = std::future::poll_fn(|cx| Pin::new(&mut w).poll_complete(cx))
            .await
            .unwrap();
        assert_eq!(
            pos, 1005,
            "the write landed at the end, and so did the offset"
        );
        assert_eq!(w.stream_position().await.unwrap(), 1005);
        let mut file = w.into_inner().await.unwrap();
        assert_eq!(file.stream_position().unwrap(), 1005);
        assert_eq!(&std::fs::read(&path).unwrap()[1000..], b"hello");
    });
}

/// The same when the value becomes an append-mode file through `get_mut`.
#[test]
fn poll_complete_is_the_real_position_after_get_mut_swaps_in_an_append_mode_file() {
    on_all(|| async {
        use tokio::io::{AsyncSeek, AsyncSeekExt, AsyncWriteExt};
        let dir = tempfile::tempdir().unwrap();
        let (plain, log) = (dir.path().join("plain"), dir.path().join("log"));
        std::fs::write(&plain, data(10)).unwrap();
        std::fs::write(&log, data(300)).unwrap();
        let mut w = Unblock::new(
            std::fs::OpenOptions::new()
                .write(true)
                .open(&plain)
                .unwrap(),
        );
        w.write_all(b"abc").await.unwrap();
        assert_eq!(w.stream_position().await.unwrap(), 3);
        *w.get_mut().await = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        assert_eq!(w.seek(SeekFrom::Start(7)).await.unwrap(), 7);
        w.write_all(b"xyz").await.unwrap();
        let pos = std::future::poll_fn(|cx| Pin::new(&mut w).poll_complete(cx))
            .await
            .unwrap();
        assert_eq!(pos, 303);
    });
}

/// For a value the crate cannot inspect, a write does not make the position a guess either.
#[test]
fn poll_complete_after_writes_to_a_cursor_is_the_cursor_position() {
    on_all(|| async {
        use tokio::io::{AsyncSeek, AsyncSeekExt, AsyncWriteExt};
        let mut w = Unblock::new(Cursor::new(data(50)));
        assert_eq!(w.seek(SeekFrom::Start(20)).await.unwrap(), 20);
        w.write_all(b"12345").await.unwrap();
        let pos = std::future::poll_fn(|cx| Pin::new(&mut w).poll_complete(cx))
            .await
            .unwrap();
        assert_eq!(pos, 25);
        assert_eq!(w.into_inner().await.unwrap().position(), 25);
    });
}

/// Found by `fuzz/unblock_ops`: a tokio seek that `start_seek` began and `poll_complete` never
/// drove was overtaken by a futures-io seek, which then counted from the old position.
#[test]
fn a_started_tokio_seek_lands_before_a_futures_io_seek() {
    on_all(|| async {
        use tokio::io::AsyncSeek;
        let src = data(30_326);
        let mut r = Unblock::builder()
            .capacity(4096)
            .build_seekable(Cursor::new(src.clone()));
        Pin::new(&mut r).start_seek(SeekFrom::End(255)).unwrap();
        let pos = futures::io::AsyncSeekExt::seek(&mut r, SeekFrom::Current(-8230))
            .await
            .unwrap();
        assert_eq!(pos, 30_326 + 255 - 8230);
        // Both relative seeks count, even when they are the same `SeekFrom`.
        Pin::new(&mut r).start_seek(SeekFrom::Current(10)).unwrap();
        let pos = futures::io::AsyncSeekExt::seek(&mut r, SeekFrom::Current(10))
            .await
            .unwrap();
        assert_eq!(pos, 30_326 + 255 - 8230 + 20);
        let mut buf = [0u8; 4];
        futures::io::AsyncReadExt::read_exact(&mut r, &mut buf)
            .await
            .unwrap();
        assert_eq!(&buf[..], &src[22_371..22_375]);
        // tokio's poll_complete now has no started seek: it reports the position.
        let pos = std::future::poll_fn(|cx| Pin::new(&mut r).poll_complete(cx))
            .await
            .unwrap();
        assert_eq!(pos, 22_375);
    });
}

/// A started tokio seek that fails is reported, once, by whichever operation carries it out
/// (a read here), whether or not `poll_complete` was polled before; the position is unchanged
/// and the next read works.
#[test]
fn a_failed_started_tokio_seek_is_reported_once_by_the_next_operation() {
    use support::pool::{ManualPool, poll_once};
    use tokio::io::{AsyncReadExt, AsyncSeek};
    for polled_first in [false, true] {
        let pool = ManualPool::default();
        let src = data(100);
        let mut r = Unblock::builder()
            .spawner(pool.clone())
            .build_seekable(Cursor::new(src.clone()));
        let mut buf = [0u8; 10];
        support::pool::drive(&pool, Box::pin(r.read_exact(&mut buf))).unwrap();
        Pin::new(&mut r).start_seek(SeekFrom::Current(-50)).unwrap();
        if polled_first {
            let mut complete = std::future::poll_fn(|cx| Pin::new(&mut r).poll_complete(cx));
            assert!(poll_once(&mut complete).is_pending());
        }
        let err = support::pool::drive(&pool, Box::pin(r.read(&mut buf))).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        support::pool::drive(&pool, Box::pin(r.read_exact(&mut buf))).unwrap();
        assert_eq!(&buf[..], &src[10..20], "the failed seek moved nothing");
    }
}
