//! `SyncIo` `std::io` faces over tokio 1 and futures-io 0.3 values: `Read`, `BufRead`, `Write`
//! (vectored forwarded), `Seek`, `shutdown`.
#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::compat_model;
use crate::data::data;

use std::io::{self, BufRead, Cursor, IoSlice, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use compat_model::{Chaos, Step, within};
use iocompat::SyncIo;

fn chaos_plan() -> Vec<Step> {
    vec![
        Step::Max(3),
        Step::Pending,
        Step::Max(10_000),
        Step::Max(1),
        Step::Pending,
    ]
}

fn read_duplex_on_a_blocking_thread(rt: tokio::runtime::Runtime) {
    let expected = data(300_000);
    let got = rt.block_on(async {
        let (mut tx, rx) = tokio::io::duplex(4096);
        let producer = {
            let expected = expected.clone();
            tokio::spawn(async move {
                for chunk in expected.chunks(1000) {
                    tokio::io::AsyncWriteExt::write_all(&mut tx, chunk)
                        .await
                        .unwrap();
                }
            })
        };
        let mut reader = SyncIo::new(rx);
        let got = tokio::task::spawn_blocking(move || {
            let mut got = Vec::new();
            reader.read_to_end(&mut got).unwrap();
            got
        })
        .await
        .unwrap();
        producer.await.unwrap();
        got
    });
    assert_eq!(got, expected);
}

#[test]
fn reads_a_duplex_fed_by_a_task_on_a_multi_thread_runtime() {
    within(30, || {
        read_duplex_on_a_blocking_thread(tokio::runtime::Runtime::new().unwrap())
    });
}

#[test]
fn reads_a_duplex_fed_by_a_task_on_a_current_thread_runtime() {
    within(30, || {
        read_duplex_on_a_blocking_thread(
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        )
    });
}

#[test]
fn tcp_stream_on_a_current_thread_runtime_that_is_being_driven() {
    within(30, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.write_all(b"hello over tcp").unwrap();
        });
        let got = rt.block_on(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let mut sync = SyncIo::new(stream);
            // The runtime thread awaits this task, so it drives the I/O the read waits for.
            tokio::task::spawn_blocking(move || {
                let mut s = String::new();
                sync.read_to_string(&mut s).unwrap();
                s
            })
            .await
            .unwrap()
        });
        assert_eq!(got, "hello over tcp");
        server.join().unwrap();
    });
}

#[test]
fn tokio_values_under_chaos_read_bufread_write_seek() {
    within(20, || {
        let expected = data(20_000);
        let mut r = SyncIo::new(Chaos::new(Cursor::new(expected.clone()), chaos_plan()));
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        assert_eq!(got, expected);

        let text = "one\ntwo\n\nthree";
        let r = SyncIo::new(Chaos::new(Cursor::new(text), chaos_plan()));
        let lines: Vec<String> = r.lines().map(Result::unwrap).collect();
        assert_eq!(lines, ["one", "two", "", "three"]);

        let mut w = SyncIo::new(Chaos::new(Vec::new(), chaos_plan()));
        w.write_all(&expected).unwrap();
        w.flush().unwrap();
        w.shutdown().unwrap();
        assert_eq!(w.into_inner().into_inner(), expected);

        let mut s = SyncIo::new(Chaos::new(
            Cursor::new(b"0123456789".to_vec()),
            chaos_plan(),
        ));
        assert_eq!(s.seek(SeekFrom::End(-3)).unwrap(), 7);
        assert_eq!(s.seek(SeekFrom::Current(-2)).unwrap(), 5);
        let mut two = [0u8; 2];
        s.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"56");
        assert_eq!(s.stream_position().unwrap(), 7);
    });
}

#[test]
fn futures_values_with_no_runtime_at_all() {
    within(20, || {
        let expected = data(20_000);
        let mut r =
            SyncIo::from_futures_io(Chaos::new(Cursor::new(expected.clone()), chaos_plan()));
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        assert_eq!(got, expected);

        let text = "one\ntwo\n\nthree";
        let r = SyncIo::from_futures_io(Chaos::new(Cursor::new(text), chaos_plan()));
        let lines: Vec<String> = r.lines().map(Result::unwrap).collect();
        assert_eq!(lines, ["one", "two", "", "three"]);

        let mut w = SyncIo::from_futures_io(Chaos::new(Vec::new(), chaos_plan()));
        w.write_all(&expected).unwrap();
        w.shutdown().unwrap();
        assert_eq!(w.into_inner().into_inner(), expected);

        let mut s = SyncIo::from_futures_io(Chaos::new(
            Cursor::new(b"0123456789".to_vec()),
            chaos_plan(),
        ));
        assert_eq!(s.seek(SeekFrom::Start(4)).unwrap(), 4);
        assert_eq!(s.seek(SeekFrom::Current(3)).unwrap(), 7);
        let mut rest = String::new();
        s.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "789");
    });
}

#[test]
fn a_pending_tokio_seek_is_completed_before_the_next_seek() {
    within(10, || {
        // Chaos is strict like tokio::fs::File about start_seek while a seek is pending.
        let mut s = SyncIo::new(Chaos::new(Cursor::new(b"0123456789".to_vec()), vec![]));
        tokio::io::AsyncSeek::start_seek(Pin::new(s.get_mut()), SeekFrom::Start(8)).unwrap();
        assert_eq!(s.seek(SeekFrom::Current(-1)).unwrap(), 7);
    });
}

#[test]
fn seek_errors_come_back_whole() {
    within(10, || {
        let mut s = SyncIo::new(Chaos::new(Cursor::new(vec![0u8; 4]), vec![]));
        assert_eq!(
            s.seek(SeekFrom::Current(-1)).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(s.seek(SeekFrom::End(0)).unwrap(), 4);
    });
}

/// Records the number of slices of each vectored write, in both trait families.
#[derive(Default)]
struct VectoredLog {
    calls: Vec<usize>,
    written: Vec<u8>,
}

impl VectoredLog {
    fn take(&mut self, bufs: &[IoSlice<'_>]) -> usize {
        self.calls.push(bufs.len());
        bufs.iter()
            .map(|b| {
                self.written.extend_from_slice(b);
                b.len()
            })
            .sum()
    }
}

impl tokio::io::AsyncWrite for VectoredLog {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().take(&[IoSlice::new(buf)])))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().take(bufs)))
    }
    fn is_write_vectored(&self) -> bool {
        true
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl futures_io::AsyncWrite for VectoredLog {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().take(&[IoSlice::new(buf)])))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().take(bufs)))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[test]
fn vectored_writes_are_forwarded_in_both_families() {
    within(10, || {
        let slices = [
            IoSlice::new(b"ab"),
            IoSlice::new(b"c"),
            IoSlice::new(b"def"),
        ];
        let mut w = SyncIo::new(VectoredLog::default());
        assert_eq!(w.write_vectored(&slices).unwrap(), 6);
        assert_eq!(w.get_ref().calls, [3]);
        assert_eq!(w.get_ref().written, b"abcdef");

        let mut w = SyncIo::from_futures_io(VectoredLog::default());
        assert_eq!(w.write_vectored(&slices).unwrap(), 6);
        assert_eq!(w.get_ref().calls, [3]);
    });
}

#[test]
fn shutdown_flushes_and_the_peer_sees_eof() {
    within(20, || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (tx, mut rx) = tokio::io::duplex(64);
        let mut w = SyncIo::with_handle(tokio::io::BufWriter::new(tx), rt.handle().clone());
        w.write_all(b"buffered").unwrap();
        w.shutdown().unwrap();
        let mut got = Vec::new();
        rt.block_on(tokio::io::AsyncReadExt::read_to_end(&mut rx, &mut got))
            .unwrap();
        assert_eq!(got, b"buffered");
    });
}

/// A futures-io reader that claims more bytes than it was given.
struct Liar;

impl futures_io::AsyncRead for Liar {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len() + 1))
    }
}

#[test]
fn a_reader_claiming_too_many_bytes_is_invalid_data_not_a_panic() {
    within(10, || {
        let mut r = SyncIo::from_futures_io(Liar);
        let err = r.read(&mut [0u8; 4]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(
            err.to_string().contains("5 bytes for a 4-byte buffer"),
            "{err}"
        );
        let mut two = [0u8; 2];
        let mut bufs = [io::IoSliceMut::new(&mut two)];
        assert_eq!(
            r.read_vectored(&mut bufs).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    });
}

/// Panics on its first poll, then reads normally.
struct PanicsOnce(bool, Cursor<Vec<u8>>);

impl tokio::io::AsyncRead for PanicsOnce {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.0 {
            this.0 = true;
            panic!("user code panicked");
        }
        let n = this.1.read(buf.initialize_unfilled())?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

#[test]
fn a_panic_in_the_value_reaches_the_caller_and_the_adapter_still_works() {
    within(10, || {
        let mut r = SyncIo::new(PanicsOnce(false, Cursor::new(b"after".to_vec())));
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = r.read(&mut [0u8; 8]);
        }))
        .unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"user code panicked"));
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "after");
    });
}

#[test]
fn new_outside_a_runtime_does_not_panic_and_accessors_work() {
    let mut io = SyncIo::new(Cursor::new(vec![1u8, 2]));
    io.get_mut().set_position(1);
    assert_eq!(io.get_ref().position(), 1);
    let mut b = [0u8; 1];
    io.read_exact(&mut b).unwrap();
    assert_eq!(b, [2]);
    assert_eq!(io.into_inner().into_inner(), [1, 2]);
}

/// Ready with data, then `Pending` when asked again without a `consume`: breaks the
/// `AsyncBufRead` contract.
struct Flaky(bool);

impl tokio::io::AsyncBufRead for Flaky {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        this.0 = !this.0;
        if this.0 {
            Poll::Ready(Ok(b"data"))
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
    fn consume(self: Pin<&mut Self>, _amt: usize) {}
}

impl tokio::io::AsyncRead for Flaky {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[test]
fn fill_buf_that_breaks_the_contract_is_a_clear_error_not_a_hang() {
    within(10, || {
        let mut r = SyncIo::new(Flaky(false));
        let err = r.fill_buf().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Other);
        assert!(err.to_string().contains("AsyncBufRead contract"), "{err}");
    });
}
