//! [`CompatExt`]: `async_compat`'s extension methods, each one [`Compat::new`].

use crate::compat::Compat;

/// Applies the [`Compat`] adapter to any future or I/O value, by value or by reference.
///
/// Implemented for every type, as `async_compat::CompatExt` is (see the
/// [module docs](crate::async_compat#why-compatext-is-implemented-for-every-type) for why).
///
/// # Examples
///
/// ```
/// use iocompat::async_compat::CompatExt;
///
/// # futures::executor::block_on(async {
/// let three = tokio::io::AsyncReadExt::take(tokio::io::repeat(b'a'), 3);
/// let mut out = Vec::new();
/// futures::io::copy(three.compat(), &mut out).compat().await?;
/// assert_eq!(out, b"aaa");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait CompatExt {
    /// Applies the [`Compat`] adapter by value.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::async_compat::CompatExt;
    ///
    /// let stdout = tokio::io::stdout().compat();
    /// # drop(stdout);
    /// ```
    fn compat(self) -> Compat<Self>
    where
        Self: Sized;

    /// Applies the [`Compat`] adapter by shared reference.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::async_compat::CompatExt;
    ///
    /// let original = tokio::io::stdout();
    /// let stdout = original.compat_ref();
    /// # drop(stdout);
    /// ```
    fn compat_ref(&self) -> Compat<&Self>;

    /// Applies the [`Compat`] adapter by mutable reference.
    ///
    /// # Examples
    ///
    /// ```
    /// use iocompat::async_compat::CompatExt;
    ///
    /// # futures::executor::block_on(async {
    /// let mut sink = tokio::io::sink();
    /// futures::io::AsyncWriteExt::write_all(&mut sink.compat_mut(), b"kept").await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn compat_mut(&mut self) -> Compat<&mut Self>;
}

impl<T> CompatExt for T {
    fn compat(self) -> Compat<Self> {
        Compat::new(self)
    }

    fn compat_ref(&self) -> Compat<&Self> {
        Compat::new(self)
    }

    fn compat_mut(&mut self) -> Compat<&mut Self> {
        Compat::new(self)
    }
}
