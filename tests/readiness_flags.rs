//! `O_NONBLOCK` is counted and restored per open file description: unrelated descriptions that
//! share one inode (eventfds, two opens of one FIFO) are each restored by their own adapter,
//! `dup`s of one descriptor keep the flag until the last adapter goes, and terminals are never
//! changed.
//!
//! Every test runs its body on tokio's current-thread and multi-thread runtimes, under a
//! watchdog (a blocking call on a runtime thread cannot be interrupted by a tokio timeout).
#![cfg(all(unix, feature = "tokio", feature = "futures-io"))]

mod support;

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
