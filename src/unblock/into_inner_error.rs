//! [`IntoInnerError`]: what `into_inner` returns instead of dropping an error or data.

use std::fmt;
use std::io;

use super::adapter::Unblock;

/// The error of [`Unblock::into_inner`] and [`Unblock::into_parts`]: why the value was not
/// returned, and the adapter itself, with its data, so nothing is lost.
///
/// Converts into [`io::Error`] (dropping the adapter) for use with `?`.
///
/// # Examples
///
/// ```
/// # #[cfg(all(feature = "tokio", feature = "futures-io"))] {
/// # futures::executor::block_on(async {
/// use futures::io::AsyncWriteExt;
///
/// struct Full;
/// impl std::io::Write for Full {
///     fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
///         Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
///     }
///     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
/// }
///
/// let mut w = iocompat::Unblock::new(Full);
/// w.write_all(b"data").await.unwrap();
/// let Err(err) = w.into_inner().await else { panic!("the write error must come back") };
/// // `error`: look at it without taking anything apart.
/// assert_eq!(err.error().to_string(), "disk full");
/// // `into_parts` (or `into_error` / `into_unblock` for one of the two).
/// let (e, mut w) = err.into_parts();
/// assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
/// // The data is still buffered: flushing tries again (and fails again here).
/// assert!(w.flush().await.is_err());
/// let Err(err) = w.into_inner().await else { unreachable!() };
/// let e: std::io::Error = err.into_error();
/// assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
/// # })
/// # }
/// ```
pub struct IntoInnerError<T: Send + 'static> {
    error: io::Error,
    unblock: Unblock<T>,
}

impl<T: Send + 'static> IntoInnerError<T> {
    pub(super) fn new(error: io::Error, unblock: Unblock<T>) -> Self {
        Self { error, unblock }
    }

    /// The error that stopped the value from being returned.
    ///
    /// # Examples
    ///
    /// See [`IntoInnerError`].
    pub fn error(&self) -> &io::Error {
        &self.error
    }

    /// The error, dropping the adapter (buffered writes are still tried on drop).
    ///
    /// # Examples
    ///
    /// See [`IntoInnerError`].
    pub fn into_error(self) -> io::Error {
        self.error
    }

    /// The adapter, to retry (`flush`, then `into_inner` again) or inspect. The error has been
    /// taken out of it.
    ///
    /// # Examples
    ///
    /// See [`IntoInnerError`].
    pub fn into_unblock(self) -> Unblock<T> {
        self.unblock
    }

    /// Both parts.
    ///
    /// # Examples
    ///
    /// See [`IntoInnerError`].
    pub fn into_parts(self) -> (io::Error, Unblock<T>) {
        (self.error, self.unblock)
    }
}

impl<T: Send + 'static> fmt::Debug for IntoInnerError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoInnerError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> fmt::Display for IntoInnerError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<T: Send + 'static> std::error::Error for IntoInnerError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<T: Send + 'static> From<IntoInnerError<T>> for io::Error {
    fn from(e: IntoInnerError<T>) -> Self {
        e.error
    }
}
