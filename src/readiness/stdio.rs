//! [`stdin()`], [`stdout()`], [`stderr()`]: the process's standard streams for async code,
//! readiness-driven when they are pipes, sockets or terminals, on the pool when they are files.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::pin::Pin;

use super::{AutoIo, IoPath, Policy};

/// A standard stream's descriptor, read and written directly (no `std` buffer in between, so
/// nothing is read that the caller did not ask for).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StdioFd(BorrowedFd<'static>);

impl AsFd for StdioFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0
    }
}

impl Read for StdioFd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(rustix::io::read(self.0, buf)?)
    }
}

impl Write for StdioFd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(rustix::io::write(self.0, buf)?)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

macro_rules! stdio_handle {
    ($(#[$doc:meta])* $name:ident, $ctor:ident, $fd:path, $what:literal, $make:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            io: AutoIo<StdioFd>,
        }

        impl $name {
            /// Which path this handle took: [`IoPath::Readiness`] for a pipe, socket or
            /// terminal inside a tokio runtime, [`IoPath::Pool`] otherwise.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let h = iocompat::", stringify!($ctor), "();")]
            /// println!("{:?}", h.path());
            /// ```
            pub fn path(&self) -> IoPath {
                self.io.path()
            }
        }

        #[doc = concat!("A handle to the process's standard ", $what, " for async code.")]
        ///
        /// Call it inside a tokio runtime to get the readiness path; see the
        /// [module docs](crate::readiness) for what each kind of descriptor does.
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("let h = iocompat::", stringify!($ctor), "();")]
        /// # drop(h);
        /// ```
        pub fn $ctor() -> $name {
            $name {
                io: $make(StdioFd($fd())),
            }
        }
    };
}

stdio_handle!(
    /// The process's standard input, as tokio and futures-io `AsyncRead` + `AsyncBufRead`
    /// (so `lines()` works). Returned by [`stdin()`].
    ///
    /// A pending read can be dropped at any time, and the runtime then shuts down at once, when
    /// stdin is a pipe, socket or terminal (read after readiness, without ever making fd 0
    /// non-blocking). Dropping the handle leaves no read pending: input
    /// that arrives afterwards stays for whoever reads stdin next. Bytes this handle buffered
    /// for `AsyncBufRead` and that were not consumed are dropped with it.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[cfg(feature = "tokio")]
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// use tokio::io::AsyncBufReadExt;
    ///
    /// let mut lines = iocompat::stdin().lines();
    /// while let Some(line) = lines.next_line().await? {
    ///     println!("you said {line}");
    /// }
    /// # Ok(()) }
    /// # #[cfg(not(feature = "tokio"))] fn main() {}
    /// ```
    Stdin,
    stdin,
    rustix::stdio::stdin,
    "input",
    // Readiness, but never O_NONBLOCK: fd 0's description is shared with the shell and with
    // every process started from here.
    |fd| AutoIo::with_policy(fd, Policy::Untouched)
);

stdio_handle!(
    /// The process's standard output, as tokio and futures-io `AsyncWrite`. Returned by
    /// [`stdout()`]. Always the pool path ([`Unblock`](crate::Unblock), write-behind): the
    /// descriptor's flags are never changed, so `println!` keeps working beside it. Call
    /// `flush` to know the bytes were written.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "tokio")]
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    /// let mut out = iocompat::stdout();
    /// out.write_all(b"hello\n").await?;
    /// out.flush().await?;
    /// # Ok(()) }
    /// # #[cfg(not(feature = "tokio"))] fn main() {}
    /// ```
    Stdout,
    stdout,
    rustix::stdio::stdout,
    "output",
    // The pool: O_NONBLOCK on fd 1 would make `println!` (and every child process writing
    // to the same pipe) fail with EAGAIN, and a blocking write to a terminal or a full pipe
    // must not run on a reactor thread.
    AutoIo::pooled
);

stdio_handle!(
    /// The process's standard error, as tokio and futures-io `AsyncWrite`. Returned by
    /// [`stderr()`]. The pool path, as for [`Stdout`]: call `flush` to know the bytes were
    /// written.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "tokio")]
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    /// let mut err = iocompat::stderr();
    /// err.write_all(b"warning\n").await?;
    /// err.flush().await?;
    /// # Ok(()) }
    /// # #[cfg(not(feature = "tokio"))] fn main() {}
    /// ```
    Stderr,
    stderr,
    rustix::stdio::stderr,
    "error",
    // The pool, as for stdout.
    AutoIo::pooled
);

/// Pins a stdio handle's `AutoIo` as `$io` for one forwarded call.
macro_rules! to_auto_io {
    ($self:expr, $io:ident => $call:expr) => {{
        let $io = Pin::new(&mut $self.get_mut().io);
        $call
    }};
}

forward_io!(read, [] Stdin, to_auto_io);
forward_io!(write, [] Stdout, to_auto_io);
forward_io!(write, [] Stderr, to_auto_io);
