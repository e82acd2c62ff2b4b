//! [`AutoIo`]: readiness where the descriptor supports it, the blocking pool where it does not.

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::pin::Pin;

use crate::Unblock;

/// Which path an [`AutoIo`] took.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
/// let io = iocompat::AutoIo::new(a);
/// # #[cfg(feature = "tokio")]
/// assert_eq!(io.path(), iocompat::IoPath::Readiness);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IoPath {
    /// Registered with the tokio reactor: no pool thread, reads can be dropped at any time.
    Readiness,
    /// On the blocking pool through [`Unblock`]: a regular file, a directory, anything else
    /// epoll refuses, or no tokio runtime was current.
    Pool,
}

/// The adapter to use for "some fd-backed std reader or writer": a socket, pipe, terminal,
/// `ChildStdout`, or a `File` that may be any of those or a regular file.
///
/// [`AutoIo::new`] registers the descriptor with the current tokio runtime's reactor when it
/// can ([`Readiness`](crate::Readiness)), and otherwise wraps the value in [`Unblock`]:
/// regular files and directories (which epoll refuses with `EPERM`), `/dev/null`, or no tokio
/// runtime current (for example under `futures::executor::block_on`). [`path`](Self::path)
/// tells which.
///
/// Implements tokio and futures-io `AsyncRead` + `AsyncBufRead` for `T: Read` and `AsyncWrite`
/// for `T: Write`, on both paths.
///
/// # Caveats
///
/// - On the readiness path, end of file and leaking behave as for
///   [`Readiness`](crate::Readiness#caveats): a read after end of file asks the descriptor
///   again and delivers later data; an adapter leaked with [`mem::forget`](std::mem::forget)
///   leaves its open file description `O_NONBLOCK` for good, and its private duplicate of the
///   descriptor and its entry in the count of adapters per description stay, so later
///   adapters on that description leave the flag set too. No thread is held.
/// - On the pool path a leaked adapter is a leaked [`Unblock`]: the value (with its
///   descriptor) and its buffers are never freed, bytes written but not flushed may never
///   reach the value, and a pool job already running finishes and returns, holding no thread.
///   The descriptor's flags were never changed.
///
/// # Platform-specific behavior
///
/// Unix only; elsewhere use [`Unblock`] (the pool path).
///
/// # Examples
///
/// ```no_run
/// # #[cfg(feature = "tokio")]
/// # #[tokio::main] async fn main() -> std::io::Result<()> {
/// use tokio::io::AsyncBufReadExt;
///
/// let fifo = std::fs::File::open("/tmp/events.fifo")?; // a FIFO: readiness
/// let mut lines = iocompat::AutoIo::new(fifo).lines();
/// while let Some(line) = lines.next_line().await? {
///     println!("{line}");
/// }
/// # Ok(()) }
/// # #[cfg(not(feature = "tokio"))] fn main() {}
/// ```
#[derive(Debug)]
pub struct AutoIo<T: AsFd + Send + 'static> {
    imp: Imp<T>,
}

#[derive(Debug)]
enum Imp<T: AsFd + Send + 'static> {
    #[cfg(feature = "tokio")]
    Readiness(crate::Readiness<T>),
    Pool(Unblock<T>),
}

impl<T: AsFd + Send + 'static> Unpin for AutoIo<T> {}

impl<T: AsFd + Send + 'static> AutoIo<T> {
    /// Wraps `inner`, choosing the path (see the type docs).
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// // No tokio runtime here: the pool path.
    /// let io = iocompat::AutoIo::new(std::fs::File::open("Cargo.toml").unwrap());
    /// assert_eq!(io.path(), iocompat::IoPath::Pool);
    /// # })
    /// ```
    pub fn new(inner: T) -> Self {
        Self::with_policy(inner, super::Policy::Auto)
    }

    /// Like [`new`](Self::new), with a say over the descriptor's flags.
    pub(crate) fn with_policy(inner: T, policy: super::Policy) -> Self {
        #[cfg(feature = "tokio")]
        let inner = match crate::Readiness::try_new_with(inner, policy) {
            Ok(r) => {
                return Self {
                    imp: Imp::Readiness(r),
                };
            }
            Err(e) => e.into_parts().1,
        };
        #[cfg(not(feature = "tokio"))]
        let _ = policy;
        Self::pooled(inner)
    }

    /// Always the pool path.
    pub(crate) fn pooled(inner: T) -> Self {
        Self {
            imp: Imp::Pool(Unblock::new(inner)),
        }
    }

    /// The path taken.
    ///
    /// # Examples
    ///
    /// See [`IoPath`].
    pub fn path(&self) -> IoPath {
        match &self.imp {
            #[cfg(feature = "tokio")]
            Imp::Readiness(_) => IoPath::Readiness,
            Imp::Pool(_) => IoPath::Pool,
        }
    }
}

/// Dispatches one call to whichever adapter is inside.
macro_rules! dispatch {
    ($self:expr, $io:ident => $call:expr) => {
        match &mut $self.get_mut().imp {
            #[cfg(feature = "tokio")]
            Imp::Readiness($io) => {
                let $io = Pin::new($io);
                $call
            }
            Imp::Pool($io) => {
                let $io = Pin::new($io);
                $call
            }
        }
    };
}

forward_io!(read, [T: AsFd + Read + Send + 'static] AutoIo<T>, dispatch);
forward_io!(write, [T: AsFd + Write + Send + 'static] AutoIo<T>, dispatch);
