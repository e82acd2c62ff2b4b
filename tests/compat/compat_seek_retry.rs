//! Regressions in `Compat`'s futures-io seek over tokio seekers: a retried seek after a
//! cancelled one (with a read, or a direct seek through `get_mut`, in between) is a new seek,
//! not the continuation of the cancelled one.
#![cfg(all(feature = "tokio", feature = "futures-io"))]

use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::io::{AsyncReadExt as _, AsyncSeekExt as _};
use iocompat::TokioAsyncReadCompatExt;

/// A tokio seeker shaped like `tokio::fs::File`: `poll_complete` is Pending once per started
/// seek; a read issued while a seek is in flight lets the seek land first, then reads.
struct Lagging {
    cur: Cursor<Vec<u8>>,
    pending: Option<SeekFrom>,
    polled: bool,
}

impl Lagging {
    fn new(data: &[u8]) -> Self {
        Self {
            cur: Cursor::new(data.to_vec()),
            pending: None,
            polled: false,
        }
    }
    fn land(&mut self) -> io::Result<u64> {
        let pos = self.pending.take().unwrap();
        self.cur.seek(pos)
    }
}

impl tokio::io::AsyncSeek for Lagging {
    fn start_seek(mut self: Pin<&mut Self>, pos: SeekFrom) -> io::Result<()> {
        if self.pending.is_some() {
            return Err(io::Error::other("seek in progress"));
        }
        self.pending = Some(pos);
        self.polled = false;
        Ok(())
    }
    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        if self.pending.is_none() {
            return Poll::Ready(Ok(self.cur.position()));
        }
        if !self.polled {
            self.polled = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.land())
    }
}

impl tokio::io::AsyncRead for Lagging {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pending.is_some() {
            self.land()?;
        }
        let n = self.cur.read(buf.initialize_unfilled())?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

fn poll_once<F: std::future::Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    Pin::new(f).poll(&mut cx)
}

/// A cancelled futures-io seek, then a read, then the same seek retried (e.g. after a timeout):
/// the retry is taken for the continuation of the cancelled seek, nothing is sought, and the
/// position after the read is reported.
#[test]
fn retried_seek_after_a_read_is_not_treated_as_a_continuation() {
    futures::executor::block_on(async {
        let mut r = TokioAsyncReadCompatExt::compat(Lagging::new(b"0123456789"));
        {
            let mut seek = r.seek(SeekFrom::Start(5));
            assert!(poll_once(&mut seek).is_pending());
        } // cancelled (timeout)
        let mut two = [0u8; 2];
        r.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"56");
        let pos = r.seek(SeekFrom::Start(5)).await.unwrap();
        assert_eq!(pos, 5, "seek(Start(5)) must land at 5");
        r.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"56");
    });
}

/// Same with a real `tokio::fs::File`.
#[test]
fn retried_seek_after_a_read_on_a_tokio_file() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut tmp, b"0123456789").unwrap();
        let mut reached = None;
        for _ in 0..1000 {
            let file = tokio::fs::File::open(tmp.path()).await.unwrap();
            let mut r = TokioAsyncReadCompatExt::compat(file);
            let pending = {
                let mut seek = r.seek(SeekFrom::Start(5));
                poll_once(&mut seek).is_pending()
            };
            if pending {
                reached = Some(r);
                break;
            }
        }
        let mut r = reached.expect("seek never pending");
        let mut two = [0u8; 2];
        r.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"56");
        let pos = r.seek(SeekFrom::Start(5)).await.unwrap();
        assert_eq!(pos, 5, "seek(Start(5)) must land at 5");
        r.read_exact(&mut two).await.unwrap();
        assert_eq!(
            &two, b"56",
            "reads continue from where seek(Start(5)) said it is"
        );
    });
}

/// A cancelled futures-io seek, then a seek made directly on the value through `get_mut`
/// (which the docs allow), then the first seek again: a stale placeholder/position is returned.
#[test]
fn retried_seek_after_a_direct_seek_through_get_mut() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut r = TokioAsyncReadCompatExt::compat(Lagging::new(b"0123456789"));
        {
            let mut seek = r.seek(SeekFrom::Start(5));
            assert!(poll_once(&mut seek).is_pending());
        }
        let p = tokio::io::AsyncSeekExt::seek(r.get_mut(), SeekFrom::Start(1))
            .await
            .unwrap();
        assert_eq!(p, 1);
        let pos = r.seek(SeekFrom::Start(5)).await.unwrap();
        assert_eq!(pos, 5, "seek(Start(5)) must land at 5");
    });
}
