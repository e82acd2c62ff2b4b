//! `Unblock<T: Write>`: write-behind, flush, errors, drop, read-then-write positioning.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::support;
use support::data::data;

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex, mpsc};

use iocompat::Unblock;
use support::mock::Script;
use support::{LIMIT, on_all};

/// A writer into shared memory that counts flushes and reports its contents when dropped.
#[derive(Debug, Default, Clone)]
struct Shared {
    data: Arc<Mutex<Vec<u8>>>,
    flushes: Arc<Mutex<usize>>,
}

struct SharedWriter {
    shared: Shared,
    on_drop: Option<mpsc::Sender<Vec<u8>>>,
}

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.shared.data.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        *self.shared.flushes.lock().unwrap() += 1;
        Ok(())
    }
}

impl Drop for SharedWriter {
    fn drop(&mut self) {
        if let Some(tx) = self.on_drop.take() {
            let _ = tx.send(self.shared.data.lock().unwrap().clone());
        }
    }
}

#[test]
fn writes_and_flushes_everything() {
    on_all(|| async {
        use futures::io::AsyncWriteExt;
        let src = data(2_500_000);
        let mut w = Unblock::new(Vec::new());
        for piece in src.chunks(7919) {
            w.write_all(piece).await.unwrap();
        }
        w.flush().await.unwrap();
        assert_eq!(*w.get_mut().await, src);
        assert_eq!(w.into_inner().await.unwrap(), src);
    });
}

#[test]
fn shutdown_flushes_the_inner_writer() {
    on_all(|| async {
        use tokio::io::AsyncWriteExt;
        let shared = Shared::default();
        let mut w = Unblock::new(SharedWriter {
            shared: shared.clone(),
            on_drop: None,
        });
        w.write_all(b"hello").await.unwrap();
        w.shutdown().await.unwrap();
        assert_eq!(*shared.data.lock().unwrap(), b"hello");
        assert!(*shared.flushes.lock().unwrap() >= 1);
    });
}

#[test]
fn vectored_writes_are_gathered() {
    on_all(|| async {
        use tokio::io::AsyncWriteExt;
        let mut w = Unblock::new(Vec::new());
        assert!(tokio::io::AsyncWrite::is_write_vectored(&w));
        let bufs = [
            io::IoSlice::new(b"ab"),
            io::IoSlice::new(b"cd"),
            io::IoSlice::new(b"ef"),
        ];
        let n = w.write_vectored(&bufs).await.unwrap();
        assert_eq!(n, 6, "all slices accepted in one call");
        w.flush().await.unwrap();
        assert_eq!(w.into_inner().await.unwrap(), b"abcdef");
    });
}

#[test]
fn write_error_comes_back_whole_once_then_data_is_retried() {
    on_all(|| async {
        use futures::io::AsyncWriteExt;
        let script = Script::new()
            .write(b"he")
            .write_error(io::ErrorKind::StorageFull, "disk full")
            .write(b"llo");
        let mut w = Unblock::new(script);
        w.write_all(b"hello").await.unwrap();
        let err = w.flush().await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert_eq!(err.to_string(), "disk full");
        // Reported once: the next flush retries the unwritten "llo" and succeeds.
        w.flush().await.unwrap();
        drop(w.into_inner().await.unwrap());
    });
}

#[test]
fn write_error_reported_by_next_poll_write_not_as_zero() {
    on_all(|| async {
        use futures::io::AsyncWriteExt;
        let script = Script::new()
            .write_error(io::ErrorKind::BrokenPipe, "reader went away")
            .lenient();
        let mut w = Unblock::new(script);
        assert_eq!(w.write(b"abc").await.unwrap(), 3);
        // The first write went to the pool and failed there: the next write (after giving the
        // pool a chance through flush's error path) must see it, never Ok(0) or WriteZero.
        let mut seen = None;
        for _ in 0..1000 {
            match w.write(b"d").await {
                Ok(n) => assert!(n > 0),
                Err(e) => {
                    seen = Some(e);
                    break;
                }
            }
            // Let the pump run: a flush would also report it, so use get_mut to wait.
            let _ = w.get_mut().await;
        }
        let err = seen.expect("the write error must be reported by poll_write");
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(err.to_string(), "reader went away");
    });
}

#[test]
fn os_error_code_of_a_write_failure_is_kept() {
    on_all(|| async {
        use futures::io::AsyncWriteExt;
        struct Enospc;
        impl Write for Enospc {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from_raw_os_error(28))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut w = Unblock::new(Enospc);
        w.write_all(b"x").await.unwrap();
        let err = w.flush().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(28));
    });
}

#[test]
fn flush_never_succeeds_for_unwritten_data() {
    on_all(|| async {
        use futures::io::AsyncWriteExt;
        struct Always;
        impl Write for Always {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("no"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut w = Unblock::new(Always);
        w.write_all(b"abc").await.unwrap();
        for _ in 0..3 {
            assert!(
                w.flush().await.is_err(),
                "flush must fail while data is unwritten"
            );
        }
    });
}

#[test]
fn get_mut_keeps_a_pending_error_and_into_inner_returns_it() {
    on_all(|| async {
        use futures::io::AsyncWriteExt;
        let script = Script::new()
            .write_error(io::ErrorKind::PermissionDenied, "read-only")
            .write(b"abc");
        let mut w = Unblock::new(script);
        w.write_all(b"abc").await.unwrap();
        let _ = w.get_mut().await;
        // The error was not dropped by get_mut: into_inner reports it, with the adapter.
        let err = w.into_inner().await.unwrap_err();
        assert_eq!(err.error().kind(), io::ErrorKind::PermissionDenied);
        let mut w = err.into_unblock();
        w.flush().await.unwrap();
        drop(w.into_inner().await.unwrap());
    });
}

#[test]
fn panic_in_writer_becomes_error() {
    on_all(|| async {
        use futures::io::AsyncWriteExt;
        let mut w = Unblock::new(Script::new().panic("encoder bug").lenient());
        w.write_all(b"abc").await.unwrap();
        let err = w.flush().await.unwrap_err();
        assert!(err.to_string().contains("encoder bug"), "{err}");
        let err = w.write(b"x").await.unwrap_err();
        assert!(err.to_string().contains("encoder bug"), "{err}");
    });
}

#[test]
fn drop_writes_buffered_data_on_the_pool() {
    on_all(|| async {
        use futures::io::AsyncWriteExt;
        let (tx, rx) = mpsc::channel();
        let mut w = Unblock::new(SharedWriter {
            shared: Shared::default(),
            on_drop: Some(tx),
        });
        w.write_all(&data(100_000)).await.unwrap();
        drop(w);
        let written = rx.recv_timeout(LIMIT).expect("value dropped on the pool");
        assert_eq!(written, data(100_000));
    });
}

/// The case users meet first: a `File` opened read-write, read a little, then write.
#[test]
fn read_then_write_on_a_file_lands_at_the_logical_position() {
    on_all(|| async {
        use futures::io::{AsyncReadExt, AsyncWriteExt};
        let original = data(200_000);
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&original).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();

        let mut ours = Unblock::new(file);
        let mut head = [0u8; 10];
        ours.read_exact(&mut head).await.unwrap();
        ours.write_all(b"XYZ").await.unwrap();
        let mut next = [0u8; 5];
        ours.read_exact(&mut next).await.unwrap();
        ours.flush().await.unwrap();
        let mut file = ours.into_inner().await.unwrap();

        // What std does with the same calls.
        let mut model = io::Cursor::new(original.clone());
        let mut h = [0u8; 10];
        model.read_exact(&mut h).unwrap();
        model.write_all(b"XYZ").unwrap();
        let mut n = [0u8; 5];
        model.read_exact(&mut n).unwrap();

        assert_eq!(head, h);
        assert_eq!(next, n);
        assert_eq!(file.stream_position().unwrap(), model.position());
        let mut contents = Vec::new();
        file.seek(SeekFrom::Start(0)).unwrap();
        file.read_to_end(&mut contents).unwrap();
        assert_eq!(contents, model.into_inner());
    });
}

#[test]
fn read_then_write_on_any_seekable_value_with_build_seekable() {
    on_all(|| async {
        use futures::io::{AsyncReadExt, AsyncWriteExt};
        let original = data(100_000);
        let mut ours = Unblock::builder().build_seekable(io::Cursor::new(original.clone()));
        let mut head = [0u8; 3];
        ours.read_exact(&mut head).await.unwrap();
        ours.write_all(b"__").await.unwrap();
        ours.flush().await.unwrap();
        let cursor = ours.into_inner().await.unwrap();
        assert_eq!(cursor.position(), 5);
        let mut expect = original;
        expect[3..5].copy_from_slice(b"__");
        assert_eq!(cursor.into_inner(), expect);
    });
}

#[test]
fn write_then_read_sees_the_written_data() {
    on_all(|| async {
        use futures::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
        let mut ours = Unblock::new(tempfile::tempfile().unwrap());
        ours.write_all(b"hello world").await.unwrap();
        ours.seek(SeekFrom::Start(6)).await.unwrap();
        let mut s = String::new();
        ours.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "world");
    });
}

/// A seekable value whose first write fails once.
struct FailsOnce {
    inner: io::Cursor<Vec<u8>>,
    fail: Option<io::ErrorKind>,
}
impl Read for FailsOnce {
    fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
        self.inner.read(b)
    }
}
impl Write for FailsOnce {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self.fail.take() {
            Some(kind) => Err(io::Error::new(kind, "transient")),
            None => self.inner.write(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
impl Seek for FailsOnce {
    fn seek(&mut self, p: SeekFrom) -> io::Result<u64> {
        self.inner.seek(p)
    }
}

/// A read never goes past data that failed to be written: it reports the failure, and after
/// that the data is written first and everything lands where `std` would put it.
#[test]
fn read_after_a_failed_write_reports_it_and_positions_stay_exact() {
    on_all(|| async {
        use futures::io::{AsyncReadExt, AsyncWriteExt};
        for kind in [io::ErrorKind::Other, io::ErrorKind::Unsupported] {
            let inner = FailsOnce {
                inner: io::Cursor::new(b"0123456789".to_vec()),
                fail: Some(kind),
            };
            let mut u = Unblock::builder().build_seekable(inner);
            u.write_all(b"AB").await.unwrap();
            let mut two = [0u8; 2];
            let err = u.read_exact(&mut two).await.unwrap_err();
            assert_eq!(err.kind(), kind, "the write failure, reported to the read");
            u.read_exact(&mut two).await.unwrap();
            assert_eq!(
                &two, b"23",
                "read after the retried write, at the logical position"
            );
            u.write_all(b"CD").await.unwrap();
            u.flush().await.unwrap();
            let inner = u.into_inner().await.unwrap();
            assert_eq!(inner.inner.into_inner(), b"AB23CD6789");
        }
    });
}
