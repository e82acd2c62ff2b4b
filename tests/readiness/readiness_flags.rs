//! `O_NONBLOCK` is counted and restored per open file description: unrelated descriptions that
//! share one inode (eventfds, two opens of one FIFO) are each restored by their own adapter,
//! `dup`s of one descriptor keep the flag until the last adapter goes, terminals are never
//! changed, and a leaked adapter leaves what its docs say. Also: a pseudo-terminal that reports
//! end of file and then has more data.
//!
//! Every test runs its body on tokio's current-thread and multi-thread runtimes, under a
//! watchdog (a blocking call on a runtime thread cannot be interrupted by a tokio timeout).
#![cfg(all(unix, feature = "tokio", feature = "futures-io"))]

use crate::support;

use std::fs::File;
use std::future::Future;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;

use iocompat::{AutoIo, IoPath, Readiness};
use rustix::fs::OFlags;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn flags(fd: impl AsFd) -> OFlags {
    rustix::fs::fcntl_getfl(fd).unwrap()
}

fn nonblocking(fd: impl AsFd) -> bool {
    flags(fd).contains(OFlags::NONBLOCK)
}

/// A blocking eventfd. Every eventfd shares one anonymous inode with every other.
fn eventfd() -> File {
    let fd = rustix::event::eventfd(0, rustix::event::EventfdFlags::CLOEXEC).unwrap();
    File::from(fd)
}

/// Two separate opens (two open file descriptions) of one FIFO, both blocking; the directory
/// holding the FIFO comes first so that it outlives them.
fn two_fifo_opens() -> (tempfile::TempDir, File, File) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fifo");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &path,
        rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
    )
    .unwrap();
    // O_RDWR opens of a FIFO do not wait for a peer on Linux.
    let open = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap()
    };
    let (a, b) = (open(), open());
    (dir, a, b)
}

/// A pseudo-terminal: (master, slave, the slave's path).
fn pty() -> (File, File, std::path::PathBuf) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let path = std::path::PathBuf::from(name.to_str().unwrap());
    (File::from(master), open_slave(&path), path)
}

fn open_slave(path: &std::path::Path) -> File {
    let fd = rustix::fs::open(
        path,
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .unwrap();
    File::from(fd)
}

/// Polls `fut` once: whether it is still waiting. The future is dropped (cancelled) then.
async fn pending_now<F: Future>(fut: F) -> bool {
    let mut fut = std::pin::pin!(fut);
    futures::poll!(&mut fut).is_pending()
}

/// Runs the body on both tokio flavours, each bounded by a tokio timeout, all under a watchdog.
fn on_both<F, Fut>(name: &str, body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    support::watchdog(name, || {
        support::on_current_thread(body());
        support::on_multi_thread(body());
    });
}

/// The example of issue 9: two eventfds, both blocking, each wrapped and unwrapped. Before
/// the fix both counted as one file and `a` stayed `O_NONBLOCK` for good.
#[test]
fn two_eventfds_are_each_restored_by_into_inner() {
    on_both("two_eventfds_into_inner", || async {
        let (a, b) = (eventfd(), eventfd());
        let (ra, rb) = (Readiness::new(a).unwrap(), Readiness::new(b).unwrap());
        assert!(nonblocking(ra.get_ref()) && nonblocking(rb.get_ref()));
        let a = ra.into_inner();
        assert!(
            !nonblocking(&a),
            "a is blocking again as soon as its adapter goes"
        );
        assert!(nonblocking(rb.get_ref()), "b's adapter still has the flag");
        let b = rb.into_inner();
        assert!(!nonblocking(&b));
    });
}

/// The same, unwrapped in the other order, and a plain blocking read of each works afterwards
/// (it failed with `EAGAIN` on the one left non-blocking).
#[test]
fn two_eventfds_unwrapped_last_first_are_both_blocking_again() {
    on_both("two_eventfds_last_first", || async {
        let (a, b) = (eventfd(), eventfd());
        let (ra, rb) = (Readiness::new(a).unwrap(), Readiness::new(b).unwrap());
        let mut b = rb.into_inner();
        let mut a = ra.into_inner();
        for fd in [&mut a, &mut b] {
            assert!(!nonblocking(&*fd));
            fd.write_all(&1u64.to_ne_bytes()).unwrap();
            let mut n = [0u8; 8];
            fd.read_exact(&mut n).unwrap();
            assert_eq!(u64::from_ne_bytes(n), 1);
        }
    });
}

/// Dropped adapters (each on a duplicate of the user's descriptor, so the user can look at
/// the description afterwards) restore their own description, whatever the order.
#[test]
fn two_eventfds_are_each_restored_by_drop() {
    on_both("two_eventfds_drop", || async {
        let (a, b) = (eventfd(), eventfd());
        let ra = Readiness::new(a.try_clone().unwrap()).unwrap();
        let rb = Readiness::new(b.try_clone().unwrap()).unwrap();
        drop(ra);
        assert!(!nonblocking(&a));
        assert!(nonblocking(&b));
        drop(rb);
        assert!(!nonblocking(&b));
    });
}

#[test]
fn two_eventfds_through_auto_io_are_each_restored_on_drop() {
    on_both("two_eventfds_auto_io", || async {
        let (a, b) = (eventfd(), eventfd());
        let io_a = AutoIo::new(a.try_clone().unwrap());
        let io_b = AutoIo::new(b.try_clone().unwrap());
        assert_eq!(io_a.path(), IoPath::Readiness);
        assert_eq!(io_b.path(), IoPath::Readiness);
        drop(io_b);
        assert!(!nonblocking(&b));
        assert!(nonblocking(&a));
        drop(io_a);
        assert!(!nonblocking(&a));
    });
}

/// An adapter on one eventfd keeps working, non-blocking, on the reactor after an adapter on
/// an unrelated eventfd restored its own.
#[test]
fn an_eventfd_adapter_keeps_working_after_an_unrelated_one_goes() {
    on_both("eventfd_keeps_working", || async {
        let (a, b) = (eventfd(), eventfd());
        let ra = Readiness::new(a).unwrap();
        let mut rb = Readiness::new(b).unwrap();
        drop(ra);
        assert!(nonblocking(rb.get_ref()));
        let mut n = [0u8; 8];
        assert!(
            pending_now(rb.read_exact(&mut n)).await,
            "nothing written yet"
        );
        let mut writer = rb.get_ref().try_clone().unwrap();
        writer.write_all(&5u64.to_ne_bytes()).unwrap();
        rb.read_exact(&mut n).await.unwrap();
        assert_eq!(u64::from_ne_bytes(n), 5);
    });
}

/// Two opens of one FIFO are two descriptions of one inode: before the fix the first one out
/// left its description non-blocking for good.
#[test]
fn two_opens_of_one_fifo_are_each_restored() {
    on_both("two_fifo_opens", || async {
        let (_dir, a, b) = two_fifo_opens();
        let (ra, rb) = (Readiness::new(a).unwrap(), Readiness::new(b).unwrap());
        let a = ra.into_inner();
        assert!(!nonblocking(&a));
        assert!(nonblocking(rb.get_ref()));
        let b = rb.into_inner();
        assert!(!nonblocking(&b));

        // The same with AutoIo and drop, the other way round.
        let io_a = AutoIo::new(a.try_clone().unwrap());
        let io_b = AutoIo::new(b.try_clone().unwrap());
        assert_eq!(io_a.path(), IoPath::Readiness);
        drop(io_b);
        assert!(!nonblocking(&b));
        assert!(nonblocking(&a));
        drop(io_a);
        assert!(!nonblocking(&a));
    });
}

/// Data still flows between two adapters on two opens of one FIFO (one writes, the other
/// reads) while they are counted apart.
#[test]
fn two_fifo_opens_carry_data_between_adapters() {
    on_both("two_fifo_opens_data", || async {
        let (_dir, a, b) = two_fifo_opens();
        let (mut w, mut r) = (Readiness::new(a).unwrap(), Readiness::new(b).unwrap());
        w.write_all(b"through the fifo").await.unwrap();
        let mut got = [0u8; 16];
        r.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"through the fifo");
        drop(w);
        assert!(
            nonblocking(r.get_ref()),
            "the reader's description keeps its flag"
        );
        assert!(!nonblocking(r.into_inner()));
    });
}

/// Telling descriptions apart must leave every other status flag as it was: one FIFO open
/// with `O_APPEND`, one without.
#[test]
fn telling_descriptions_apart_changes_no_other_flag() {
    on_both("fifo_other_flags", || async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &path,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap();
        let plain = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let append = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .unwrap();
        let (plain_flags, append_flags) = (flags(&plain), flags(&append));
        assert!(append_flags.contains(OFlags::APPEND));
        let ra = Readiness::new(plain.try_clone().unwrap()).unwrap();
        let rb = Readiness::new(append.try_clone().unwrap()).unwrap();
        let rc = Readiness::new(plain.try_clone().unwrap()).unwrap(); // joins ra's description
        assert_eq!(flags(&plain), plain_flags | OFlags::NONBLOCK);
        assert_eq!(flags(&append), append_flags | OFlags::NONBLOCK);
        drop((ra, rb));
        assert_eq!(flags(&append), append_flags);
        assert_eq!(
            flags(&plain),
            plain_flags | OFlags::NONBLOCK,
            "rc still drives it"
        );
        drop(rc);
        assert_eq!(flags(&plain), plain_flags);
    });
}

/// `dup`s share one description: the flag stays while any adapter on it lives, and goes with
/// the last one, whichever order they leave in and whichever way (into_inner, drop, AutoIo).
#[test]
fn dup_keeps_the_flag_until_the_last_adapter_goes() {
    on_both("dup_last_adapter", || async {
        let (a, _peer) = UnixStream::pair().unwrap();
        let (a2, a3) = (a.try_clone().unwrap(), a.try_clone().unwrap());
        let ra = Readiness::new(a).unwrap();
        let io = AutoIo::new(a2);
        assert_eq!(io.path(), IoPath::Readiness);
        let a = ra.into_inner();
        assert!(nonblocking(&a), "the AutoIo on a dup still needs it");
        let ra = Readiness::new(a).unwrap();
        drop(io);
        assert!(nonblocking(&a3), "the Readiness still needs it");
        let a = ra.into_inner();
        assert!(!nonblocking(&a), "the last adapter out clears it");
        assert!(!nonblocking(&a3));
    });
}

/// Dups of eventfds: one description per eventfd, each counted on its own even though all
/// share one inode.
#[test]
fn dups_of_two_eventfds_are_counted_per_eventfd() {
    on_both("dups_of_eventfds", || async {
        let (a, b) = (eventfd(), eventfd());
        let ra1 = Readiness::new(a.try_clone().unwrap()).unwrap();
        let rb = Readiness::new(b.try_clone().unwrap()).unwrap();
        let ra2 = Readiness::new(a.try_clone().unwrap()).unwrap();
        drop(ra1);
        assert!(nonblocking(&a), "ra2 is on the same description");
        drop(rb);
        assert!(!nonblocking(&b));
        assert!(nonblocking(&a));
        drop(ra2);
        assert!(!nonblocking(&a));
    });
}

/// The two halves of a socket pair are two descriptions (and two inodes): each is restored
/// by its own adapter.
#[test]
fn socketpair_halves_are_each_restored() {
    on_both("socketpair_halves", || async {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut ra, mut rb) = (Readiness::new(a).unwrap(), Readiness::new(b).unwrap());
        ra.write_all(b"hi").await.unwrap();
        let mut got = [0u8; 2];
        rb.read_exact(&mut got).await.unwrap();
        let a = ra.into_inner();
        assert!(!nonblocking(&a));
        assert!(nonblocking(rb.get_ref()));
        let io = AutoIo::new(a.try_clone().unwrap());
        drop(rb);
        assert!(nonblocking(&a), "the AutoIo on a still has it");
        drop(io);
        assert!(!nonblocking(&a));
    });
}

/// A pseudo-terminal pair: both ends are terminals, which are never made non-blocking (they
/// are shared with whoever else has them open) and are read only after readiness. Their
/// flags are exactly as before, while wrapped and after; data flows both ways.
#[test]
fn pty_pair_is_never_made_nonblocking() {
    on_both("pty_pair", || async {
        let (master, slave, _) = pty();
        let (master_flags, slave_flags) = (flags(&master), flags(&slave));
        assert!(!master_flags.contains(OFlags::NONBLOCK));
        let mut m = Readiness::new(master).unwrap();
        let mut s = AutoIo::new(slave.try_clone().unwrap());
        assert_eq!(s.path(), IoPath::Readiness);
        assert_eq!(flags(m.get_ref()), master_flags);
        assert_eq!(flags(&slave), slave_flags);
        m.write_all(b"line\n").await.unwrap();
        let mut got = [0u8; 5];
        s.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"line\n");
        // The slave echoes (canonical mode, ECHO on, `\n` shown as `\r\n`), then our output.
        s.write_all(b"out").await.unwrap();
        let mut seen = Vec::new();
        while !seen.ends_with(b"out") {
            let mut buf = [0u8; 64];
            let n = m.read(&mut buf).await.unwrap();
            assert!(n > 0);
            seen.extend_from_slice(&buf[..n]);
        }
        assert_eq!(seen, b"line\r\nout");
        drop(s);
        assert_eq!(flags(&slave), slave_flags);
        let master = m.into_inner();
        assert_eq!(flags(&master), master_flags);
    });
}

/// Two masters share the inode of `/dev/ptmx`: still never touched, and not mixed up.
#[test]
fn two_pty_masters_stay_blocking() {
    on_both("two_pty_masters", || async {
        let (m1, _s1, _) = pty();
        let (m2, _s2, _) = pty();
        let (r1, r2) = (Readiness::new(m1).unwrap(), Readiness::new(m2).unwrap());
        assert!(!nonblocking(r1.get_ref()) && !nonblocking(r2.get_ref()));
        let m1 = r1.into_inner();
        let m2 = r2.into_inner();
        assert!(!nonblocking(&m1) && !nonblocking(&m2));
    });
}

/// `mem::forget` on an adapter: no destructor runs, so the description keeps `O_NONBLOCK`,
/// and the adapter's registry entry (with its private duplicate of the descriptor) stays, so
/// a later adapter on the same description counts it and leaves the flag set too. Unrelated
/// descriptions on the same inode are not affected.
#[test]
fn a_forgotten_adapter_leaves_its_description_nonblocking() {
    on_both("forgotten_adapter", || async {
        let (a, b) = (eventfd(), eventfd());
        std::mem::forget(Readiness::new(a.try_clone().unwrap()).unwrap());
        assert!(nonblocking(&a), "left set: nothing restored it");
        let rb = Readiness::new(b).unwrap();
        let b = rb.into_inner();
        assert!(
            !nonblocking(&b),
            "an unrelated eventfd is restored as usual"
        );
        let mut ra = Readiness::new(a).unwrap();
        // Still driven without blocking: the forgotten adapter counts as a second user, so
        // the flag is checked (and set again) before each call.
        rustix::fs::fcntl_setfl(ra.get_ref(), flags(ra.get_ref()) - OFlags::NONBLOCK).unwrap();
        let mut n = [0u8; 8];
        assert!(
            pending_now(ra.read_exact(&mut n)).await,
            "waits on the reactor"
        );
        let a = ra.into_inner();
        assert!(nonblocking(&a), "the forgotten adapter still counts");

        // AutoIo the same.
        let c = eventfd();
        let io = AutoIo::new(c.try_clone().unwrap());
        assert_eq!(io.path(), IoPath::Readiness);
        std::mem::forget(io);
        assert!(nonblocking(&c));
    });
}

/// A leaked adapter holds no thread, on either path: with one blocking thread in the pool,
/// a blocking task still runs after an `AutoIo` on a socket (readiness, a read pending when
/// it was leaked) and one on a regular file (pool, after a read and an unflushed write) were
/// leaked.
#[test]
fn a_forgotten_auto_io_holds_no_thread() {
    support::watchdog("forgotten_auto_io_thread", || {
        for multi in [false, true] {
            let mut builder = if multi {
                tokio::runtime::Builder::new_multi_thread()
            } else {
                tokio::runtime::Builder::new_current_thread()
            };
            let rt = builder
                .max_blocking_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let (a, _b) = UnixStream::pair().unwrap();
                let mut io = AutoIo::new(a);
                assert_eq!(io.path(), IoPath::Readiness);
                let mut buf = [0u8; 4];
                assert!(pending_now(io.read(&mut buf)).await);
                std::mem::forget(io);

                let mut file = tempfile::tempfile().unwrap();
                file.write_all(b"some bytes").unwrap();
                std::io::Seek::rewind(&mut file).unwrap();
                let mut io = AutoIo::new(file);
                assert_eq!(io.path(), IoPath::Pool);
                io.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"some");
                io.write_all(b"more").await.unwrap();
                std::mem::forget(io);

                let ran = tokio::time::timeout(support::LIMIT, tokio::task::spawn_blocking(|| 7))
                    .await
                    .expect("the only blocking thread is free")
                    .unwrap();
                assert_eq!(ran, 7);
            });
        }
    });
}

/// The master of a pseudo-terminal whose slave closes reports `EIO` (Linux's end of file for
/// a master) instead of hanging, and once a slave is open again and writes, the next read
/// delivers the new data: the adapter stays usable.
#[test]
fn pty_master_reports_eio_when_the_slave_closes_then_reads_new_data() {
    on_both("pty_master_eio", || async {
        let (master, slave, path) = pty();
        let mut m = Readiness::new(master).unwrap();
        let mut buf = [0u8; 64];
        let mut read = std::pin::pin!(m.read(&mut buf));
        assert!(
            futures::poll!(&mut read).is_pending(),
            "the slave wrote nothing"
        );
        drop(slave);
        let err = read.await.expect_err("no slave: end of file");
        assert_eq!(
            err.raw_os_error(),
            Some(rustix::io::Errno::IO.raw_os_error())
        );
        // Asking again gives the same answer at once, not a hang.
        let err = m.read(&mut buf).await.expect_err("still no slave");
        assert_eq!(
            err.raw_os_error(),
            Some(rustix::io::Errno::IO.raw_os_error())
        );

        let mut slave = open_slave(&path);
        slave.write_all(b"again").unwrap();
        let mut seen = Vec::new();
        while !seen.ends_with(b"again") {
            let n = m.read(&mut buf).await.unwrap();
            assert!(n > 0);
            seen.extend_from_slice(&buf[..n]);
        }
        assert_eq!(seen, b"again");
    });
}

/// The slave of a pseudo-terminal in canonical mode reads 0 bytes (end of file) when the EOF
/// character (^D) starts a line; what is typed afterwards is delivered by the next reads, on
/// `Readiness` and `AutoIo`, whether the read was already waiting or not.
#[test]
fn pty_slave_reads_end_of_file_on_ctrl_d_then_later_lines() {
    on_both("pty_slave_ctrl_d", || async {
        let (mut master, slave, _) = pty();
        let mut s = Readiness::new(slave).unwrap();
        let mut buf = [0u8; 64];
        master.write_all(b"\x04").unwrap();
        assert_eq!(
            s.read(&mut buf).await.unwrap(),
            0,
            "^D at line start: end of file"
        );
        let mut read = std::pin::pin!(s.read(&mut buf));
        assert!(futures::poll!(&mut read).is_pending(), "no line typed yet");
        master.write_all(b"more\n").unwrap();
        let n = read.await.unwrap();
        assert_eq!(&buf[..n], b"more\n");

        let slave = s.into_inner();
        let mut io = AutoIo::new(slave);
        assert_eq!(io.path(), IoPath::Readiness);
        master.write_all(b"\x04last\n").unwrap();
        assert_eq!(io.read(&mut buf).await.unwrap(), 0);
        let n = io.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"last\n");
        // AsyncBufRead ends its lines at end of file, and a new `lines` reads on.
        master.write_all(b"one\n\x04two\n").unwrap();
        let mut lines = tokio::io::AsyncBufReadExt::lines(&mut io);
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("one"));
        assert_eq!(lines.next_line().await.unwrap(), None);
        let mut lines = tokio::io::AsyncBufReadExt::lines(&mut io);
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("two"));
    });
}
