//! `Readiness` and `AutoIo`: which path is taken, what happens to the descriptor's flags, and
//! data through both, on tokio and on a non-tokio executor.
#![cfg(all(unix, feature = "tokio", feature = "futures-io"))]

use crate::support;

use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;

use iocompat::{AutoIo, IoPath, Readiness};
use support::{LIMIT, on_current_thread, on_multi_thread};

fn nonblocking(fd: impl AsFd) -> bool {
    rustix::fs::fcntl_getfl(fd)
        .unwrap()
        .contains(rustix::fs::OFlags::NONBLOCK)
}

#[test]
fn sets_nonblocking_and_into_inner_restores_it() {
    on_current_thread(async {
        let (a, _b) = UnixStream::pair().unwrap();
        assert!(!nonblocking(&a));
        let r = Readiness::new(a).unwrap();
        assert!(nonblocking(r.get_ref()));
        let a = r.into_inner();
        assert!(
            !nonblocking(&a),
            "into_inner gives the descriptor back blocking"
        );
    });
}

#[test]
fn drop_restores_the_flag_on_a_shared_description() {
    on_current_thread(async {
        let (a, _b) = UnixStream::pair().unwrap();
        let other = a.try_clone().unwrap(); // same open file description
        let r = Readiness::new(a).unwrap();
        assert!(nonblocking(&other));
        drop(r);
        assert!(!nonblocking(&other), "drop restores the flag others see");
    });
}

#[test]
fn an_already_nonblocking_descriptor_stays_nonblocking() {
    on_current_thread(async {
        let (a, _b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let a = Readiness::new(a).unwrap().into_inner();
        assert!(nonblocking(&a));
    });
}

#[test]
fn regular_file_is_refused_untouched_and_auto_io_uses_the_pool() {
    on_current_thread(async {
        let file = tempfile::tempfile().unwrap();
        let err = Readiness::try_new(file).unwrap_err();
        let (why, file) = err.into_parts();
        assert_eq!(
            why.raw_os_error(),
            Some(1),
            "epoll refuses regular files with EPERM"
        );
        assert!(!nonblocking(&file), "a refused descriptor is never changed");
        assert_eq!(AutoIo::new(file).path(), IoPath::Pool);
    });
}

#[test]
fn no_runtime_means_the_pool() {
    let (a, _b) = UnixStream::pair().unwrap();
    let io = AutoIo::new(a);
    assert_eq!(io.path(), IoPath::Pool);
}

#[test]
fn socket_round_trip_through_auto_io_on_both_runtimes() {
    async fn round_trip() {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
        let (a, b) = UnixStream::pair().unwrap();
        let mut a = AutoIo::new(a);
        let mut b = AutoIo::new(b);
        assert_eq!(a.path(), IoPath::Readiness);
        let writer = async move {
            for i in 0..1000 {
                a.write_all(format!("msg {i}\n").as_bytes()).await.unwrap();
            }
            a.shutdown().await.unwrap();
            drop(a);
        };
        let reader = async move {
            let mut lines = (&mut b).lines();
            let mut n = 0;
            while let Some(line) = lines.next_line().await.unwrap() {
                assert_eq!(line, format!("msg {n}"));
                n += 1;
            }
            assert_eq!(n, 1000);
        };
        tokio::join!(writer, reader);
    }
    on_current_thread(round_trip());
    on_multi_thread(round_trip());
}

#[test]
fn futures_executor_can_poll_it_while_the_runtime_runs() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (a, mut b) = UnixStream::pair().unwrap();
    let mut a = {
        let _guard = rt.enter();
        AutoIo::new(a)
    };
    assert_eq!(a.path(), IoPath::Readiness);
    let writer = std::thread::spawn(move || {
        b.write_all(b"from a plain thread").unwrap();
    });
    let got = support::watchdog("futures_executor_readiness", || {
        futures::executor::block_on(async {
            use futures::io::AsyncReadExt;
            let mut buf = [0u8; 19];
            a.read_exact(&mut buf).await.unwrap();
            buf
        })
    });
    assert_eq!(&got, b"from a plain thread");
    writer.join().unwrap();
}

#[test]
fn pending_read_dropped_holds_no_thread_and_runtime_stops_at_once() {
    support::watchdog("readiness_pending_read", || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (a, _b) = UnixStream::pair().unwrap();
        rt.block_on(async {
            use tokio::io::AsyncReadExt;
            let mut a = AutoIo::new(a);
            let mut buf = [0u8; 8];
            let pending =
                tokio::time::timeout(std::time::Duration::from_millis(20), a.read(&mut buf)).await;
            assert!(pending.is_err(), "nothing to read yet");
            // The single blocking thread is free: the read never used it.
            let v = tokio::time::timeout(LIMIT, tokio::task::spawn_blocking(|| 7))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(v, 7);
        });
        // Dropping the runtime does not wait for any read.
        drop(rt);
    });
}

#[test]
fn reader_claiming_too_many_bytes_is_invalid_data() {
    on_current_thread(async {
        use tokio::io::AsyncReadExt;
        struct Liar(UnixStream);
        impl std::io::Read for Liar {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                Ok(buf.len() + 1)
            }
        }
        impl AsFd for Liar {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                self.0.as_fd()
            }
        }
        let (a, mut b) = UnixStream::pair().unwrap();
        b.write_all(b"x").unwrap();
        let mut r = Readiness::new(Liar(a)).unwrap();
        let err = r.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    });
}

/// Two adapters on two descriptors of one description (like stdout and stderr on one pipe):
/// dropping the one that set the flag must not clear it under the other, which would then make
/// a blocking call on the runtime thread. Here the peer never reads: the big write must pend
/// (and the timer fire), not block the thread; the last adapter out clears the flag.
#[test]
fn dropping_one_of_two_adapters_on_one_description_leaves_the_other_nonblocking() {
    support::watchdog("two_adapters_one_description", || {
        on_current_thread(async {
            let (a, _peer) = UnixStream::pair().unwrap();
            let a2 = a.try_clone().unwrap();
            let first = Readiness::new(a).unwrap();
            let mut second = Readiness::new(a2).unwrap();
            drop(first);
            let big = vec![b'x'; 4 << 20];
            let res = tokio::time::timeout(
                std::time::Duration::from_millis(200),
                tokio::io::AsyncWriteExt::write_all(&mut second, &big),
            )
            .await;
            assert!(res.is_err(), "the write waits for the peer, on the reactor");
            assert!(nonblocking(second.get_ref()), "the flag is still set");
            let s = second.into_inner();
            assert!(!nonblocking(&s), "and cleared by the last adapter out");
        });
    });
}

#[test]
fn a_runtime_without_io_means_the_pool_not_a_panic() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let path = rt.block_on(async {
        let (a, _b) = UnixStream::pair().unwrap();
        AutoIo::new(a).path()
    });
    assert_eq!(path, IoPath::Pool);
}

/// A descriptor has nothing to flush: flushing a socket whose buffer is full (the peer reads
/// only after we are done) must not wait for it to become writable.
#[test]
fn flush_does_not_wait_for_writability() {
    on_current_thread(async {
        use std::io::Write as _;
        let (a, _peer) = UnixStream::pair().unwrap();
        let mut w = Readiness::new(a).unwrap();
        while w.get_mut().write(&[0u8; 65536]).is_ok() {}
        tokio::time::timeout(LIMIT, tokio::io::AsyncWriteExt::flush(&mut w))
            .await
            .expect("flush returned at once")
            .unwrap();
    });
}

/// `shutdown` on a socket shuts its writing half: the peer sees end of file.
#[test]
fn shutdown_sends_eof_on_a_socket() {
    on_current_thread(async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (a, b) = UnixStream::pair().unwrap();
        let mut w = Readiness::new(a).unwrap();
        let mut r = Readiness::new(b).unwrap();
        w.write_all(b"request").await.unwrap();
        w.shutdown().await.unwrap();
        let mut got = Vec::new();
        tokio::time::timeout(LIMIT, r.read_to_end(&mut got))
            .await
            .expect("the peer saw end of file")
            .unwrap();
        assert_eq!(got, b"request");
    });
}

/// The handles can be used by `&mut` with every extension trait: they are `Unpin`.
#[test]
fn handles_are_unpin() {
    fn unpin<T: Unpin>() {}
    unpin::<iocompat::Stdin>();
    unpin::<iocompat::Stdout>();
    unpin::<iocompat::Stderr>();
    unpin::<AutoIo<UnixStream>>();
    unpin::<Readiness<UnixStream>>();
}
