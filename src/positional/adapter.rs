//! [`PositionalFile`]: the public handle, its builder, and the work of each operation (what
//! runs on the pool, and what a read may do on the caller's thread).

use std::fs::{File, Metadata};
use std::future::Future;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::task::Context;

use super::core::{Args, Call, Inline, OpKind, Outcome, Shared};
use crate::io_util::retry_interrupted as retry;
use crate::pool::{SpawnBlocking, Spawner};

/// A cloneable handle for reading and writing one file at many offsets at once, from async
/// code, without a cursor and without `&mut`.
///
/// Every operation takes its buffer by value and gives it back with the result, so the
/// buffer can be lent to a blocking thread while the future is pending (and is never lost if
/// the future is dropped). Clones share the file; any number of operations may be in flight
/// from any number of tasks, and none waits for another (the kernel orders overlapping
/// writes as it orders concurrent `pwrite`s).
///
/// Reads of cached pages are done on the calling thread (Linux); everything else is one job
/// on the blocking pool per operation. See the [module docs](crate::positional) for where the
/// work runs, cancellation, errors and limits.
///
/// # Examples
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use iocompat::PositionalFile;
///
/// let file = PositionalFile::new(std::fs::File::open("data.bin")?);
/// let tasks: Vec<_> = (0..8u64)
///     .map(|i| {
///         let file = file.clone();
///         tokio::spawn(async move {
///             let (res, page) = file.read_exact_at(vec![0; 4096], i * 4096).await;
///             res.map(|()| page)
///         })
///     })
///     .collect();
/// for task in tasks {
///     let page = task.await??;
///     assert_eq!(page.len(), 4096);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct PositionalFile {
    shared: Arc<Shared>,
}

impl PositionalFile {
    /// A handle over `file`, with the default settings: blocking work on the automatic pool
    /// (see [`PositionalFileBuilder::spawner`]), inline reads of cached pages on.
    ///
    /// The file's access mode is the one it was opened with: reads of a file opened without
    /// read access, and writes to one opened without write access, fail with the OS error
    /// (`EBADF`), named after the operation.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let file = iocompat::PositionalFile::new(tempfile::tempfile()?);
    /// # drop(file);
    /// # Ok(()) }
    /// ```
    pub fn new(file: File) -> Self {
        PositionalFileBuilder::new().build(file)
    }

    /// A builder, to choose the pool or turn inline reads off.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let file = iocompat::PositionalFile::builder()
    ///     .inline_reads(false)
    ///     .build(tempfile::tempfile()?);
    /// # drop(file);
    /// # Ok(()) }
    /// ```
    pub fn builder() -> PositionalFileBuilder {
        PositionalFileBuilder::new()
    }

    /// The file. Nothing of the handle's is in flight on it that this borrow could disturb:
    /// every operation uses its own offset, so reading or writing it directly (positionally
    /// or through its cursor) is safe, if ordered by you.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let file = iocompat::PositionalFile::new(tempfile::tempfile()?);
    /// assert_eq!(file.get_ref().metadata()?.len(), 0);
    /// # Ok(()) }
    /// ```
    pub fn get_ref(&self) -> &File {
        self.shared.file()
    }

    /// Reads up to `buf.as_mut().len()` bytes at `offset` into the start of the buffer, as
    /// [`FileExt::read_at`] does; resolves to the count (0 at or past the end of the file, or
    /// for an empty buffer) and the buffer.
    ///
    /// A short count is not an error: fewer bytes were available, or (Linux) part was read
    /// from the page cache on this thread and the rest was not cached, or the buffer is larger
    /// than one inline read copies. Use [`read_exact_at`](Self::read_exact_at) to fill it.
    ///
    /// # Errors
    ///
    /// See [Errors](crate::positional#errors): bad offsets, a file opened without read
    /// access, I/O errors, a pool that dropped the job, a dropped write that failed earlier.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use std::io::Write;
    /// let mut std_file = tempfile::tempfile()?;
    /// std_file.write_all(b"hello world")?;
    /// let file = iocompat::PositionalFile::new(std_file);
    /// let (n, buf) = file.read_at(vec![0; 5], 6).await;
    /// assert_eq!(&buf[..n?], b"world");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn read_at<B>(
        &self,
        buf: B,
        offset: u64,
    ) -> impl Future<Output = (io::Result<usize>, B)> + Send + Unpin + 'static + use<B>
    where
        B: AsMut<[u8]> + Send + 'static,
    {
        let mut buf = buf;
        let args = Args::new(OpKind::ReadAt, offset, buf.as_mut().len());
        Call::new(
            &self.shared,
            args,
            buf,
            read_at_work::<B>,
            Some(read_at_inline::<B>),
        )
    }

    /// Fills the whole buffer from `offset`, as [`FileExt::read_exact_at`] does; resolves to
    /// the result and the buffer.
    ///
    /// # Errors
    ///
    /// `UnexpectedEof` when the file ends first (saying how many bytes were read; the buffer's
    /// contents are then unspecified), and everything [`read_at`](Self::read_at) can return.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let std_file = tempfile::tempfile()?;
    /// std_file.set_len(10)?;
    /// let file = iocompat::PositionalFile::new(std_file);
    /// let (res, buf) = file.read_exact_at([1u8; 4], 2).await;
    /// res?;
    /// assert_eq!(buf, [0; 4]);
    /// let (res, _) = file.read_exact_at([0u8; 4], 8).await;
    /// assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn read_exact_at<B>(
        &self,
        buf: B,
        offset: u64,
    ) -> impl Future<Output = (io::Result<()>, B)> + Send + Unpin + 'static + use<B>
    where
        B: AsMut<[u8]> + Send + 'static,
    {
        let mut buf = buf;
        let args = Args::new(OpKind::ReadExactAt, offset, buf.as_mut().len());
        Call::new(
            &self.shared,
            args,
            buf,
            read_exact_at_work::<B>,
            Some(read_exact_at_inline::<B>),
        )
    }

    /// Writes up to `buf.as_ref().len()` bytes at `offset` with one `pwrite`, as
    /// [`FileExt::write_at`] does; resolves to the count and the buffer. Writing past the end
    /// extends the file (the gap reads as zeros).
    ///
    /// # Errors
    ///
    /// See [Errors](crate::positional#errors); also an `InvalidInput` error on a file opened
    /// with `O_APPEND`, where the kernel would write at the end whatever the offset.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let file = iocompat::PositionalFile::new(tempfile::tempfile()?);
    /// let (n, _buf) = file.write_at(b"abc".to_vec(), 4).await;
    /// assert_eq!(n?, 3);
    /// assert_eq!(file.len().await?, 7);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn write_at<B>(
        &self,
        buf: B,
        offset: u64,
    ) -> impl Future<Output = (io::Result<usize>, B)> + Send + Unpin + 'static + use<B>
    where
        B: AsRef<[u8]> + Send + 'static,
    {
        let args = Args::new(OpKind::WriteAt, offset, buf.as_ref().len());
        Call::new(
            &self.shared,
            args,
            buf,
            write_at_work::<B>,
            Some(empty_write_inline::<B, usize>),
        )
    }

    /// Writes the whole buffer at `offset`, as [`FileExt::write_all_at`] does; resolves to
    /// the result and the buffer.
    ///
    /// # Errors
    ///
    /// `WriteZero` if the file accepts no more bytes, and everything
    /// [`write_at`](Self::write_at) can return. After an error an unknown prefix may have
    /// been written.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let file = iocompat::PositionalFile::new(tempfile::tempfile()?);
    /// let (res, _) = file.write_all_at(*b"0123456789", 0).await;
    /// res?;
    /// let (res, _) = file.write_all_at(*b"xy", 3).await;
    /// res?;
    /// let (res, buf) = file.read_exact_at([0u8; 10], 0).await;
    /// res?;
    /// assert_eq!(&buf, b"012xy56789");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn write_all_at<B>(
        &self,
        buf: B,
        offset: u64,
    ) -> impl Future<Output = (io::Result<()>, B)> + Send + Unpin + 'static + use<B>
    where
        B: AsRef<[u8]> + Send + 'static,
    {
        let args = Args::new(OpKind::WriteAllAt, offset, buf.as_ref().len());
        Call::new(
            &self.shared,
            args,
            buf,
            write_all_at_work::<B>,
            Some(empty_write_inline::<B, ()>),
        )
    }

    /// Flushes data and metadata to the device ([`File::sync_all`]), after every write
    /// whose future was dropped has finished (see
    /// [Cancellation](crate::positional#cancellation)).
    ///
    /// # Errors
    ///
    /// The OS error, named after the operation; or the failure of a dropped write.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let file = iocompat::PositionalFile::new(tempfile::tempfile()?);
    /// file.write_all_at(*b"durable", 0).await.0?;
    /// file.sync_all().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn sync_all(&self) -> impl Future<Output = io::Result<()>> + Send + Unpin + 'static {
        self.plain(OpKind::SyncAll, 0, |file, (), _| file.sync_all())
    }

    /// Flushes data (and only the metadata needed to read it back) to the device
    /// ([`File::sync_data`]), after every write whose future was dropped has finished.
    ///
    /// # Errors
    ///
    /// As [`sync_all`](Self::sync_all).
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let file = iocompat::PositionalFile::new(tempfile::tempfile()?);
    /// file.write_all_at(*b"data", 0).await.0?;
    /// file.sync_data().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn sync_data(&self) -> impl Future<Output = io::Result<()>> + Send + Unpin + 'static {
        self.plain(OpKind::SyncData, 0, |file, (), _| file.sync_data())
    }

    /// Truncates or extends the file to `size` bytes ([`File::set_len`]). Like a write, once
    /// started it finishes even if its future is dropped.
    ///
    /// # Errors
    ///
    /// The OS error (`EBADF` without write access, `EFBIG`, `EINVAL` for a size beyond
    /// `i64::MAX`), named after the operation and the size.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let file = iocompat::PositionalFile::new(tempfile::tempfile()?);
    /// file.set_len(4096).await?;
    /// assert_eq!(file.len().await?, 4096);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn set_len(
        &self,
        size: u64,
    ) -> impl Future<Output = io::Result<()>> + Send + Unpin + 'static {
        self.plain(OpKind::SetLen, size, |file, (), args| {
            file.set_len(args.offset)
        })
    }

    /// The file's metadata ([`File::metadata`]).
    ///
    /// # Errors
    ///
    /// The OS error, named after the operation.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let file = iocompat::PositionalFile::new(tempfile::tempfile()?);
    /// assert!(file.metadata().await?.is_file());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn metadata(&self) -> impl Future<Output = io::Result<Metadata>> + Send + Unpin + 'static {
        self.plain(OpKind::Metadata, 0, |file, (), _| file.metadata())
    }

    /// The file's length in bytes (from [`File::metadata`]).
    ///
    /// # Errors
    ///
    /// The OS error, named after the operation.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let file = iocompat::PositionalFile::new(tempfile::tempfile()?);
    /// assert_eq!(file.len().await?, 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn len(&self) -> impl Future<Output = io::Result<u64>> + Send + Unpin + 'static {
        self.plain(OpKind::Len, 0, |file, (), _| {
            file.metadata().map(|m| m.len())
        })
    }

    /// An operation without a buffer: its result alone.
    fn plain<R: Outcome>(
        &self,
        kind: OpKind,
        offset: u64,
        work: fn(&File, &mut (), &Args) -> io::Result<R>,
    ) -> impl Future<Output = io::Result<R>> + Send + Unpin + 'static + use<R> {
        WithoutBuffer(Call::new(
            &self.shared,
            Args::new(kind, offset, 0),
            (),
            work,
            None,
        ))
    }
}

impl From<File> for PositionalFile {
    /// [`PositionalFile::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let file: iocompat::PositionalFile = tempfile::tempfile()?.into();
    /// # drop(file);
    /// # Ok(()) }
    /// ```
    fn from(file: File) -> Self {
        Self::new(file)
    }
}

/// A [`Call`] without a buffer, resolving to its result alone.
struct WithoutBuffer<R: Outcome>(Call<(), R>);

impl<R: Outcome> Future for WithoutBuffer<R> {
    type Output = io::Result<R>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> std::task::Poll<io::Result<R>> {
        std::pin::Pin::new(&mut self.0)
            .poll(cx)
            .map(|(res, ())| res)
    }
}

/// Settings for a [`PositionalFile`].
///
/// # Examples
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// struct OwnThreads;
/// impl iocompat::SpawnBlocking for OwnThreads {
///     fn spawn(&self, job: iocompat::BlockingJob) {
///         std::thread::spawn(move || job.run());
///     }
/// }
/// let file = iocompat::PositionalFileBuilder::new()
///     .spawner(OwnThreads)
///     .build(tempfile::tempfile()?);
/// # drop(file);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PositionalFileBuilder {
    spawner: Spawner,
    inline_reads: bool,
}

impl Default for PositionalFileBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl PositionalFileBuilder {
    /// Default settings: the automatic pool, inline reads on.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = iocompat::PositionalFileBuilder::new();
    /// # drop(builder);
    /// ```
    pub fn new() -> Self {
        Self {
            spawner: Spawner::Auto,
            inline_reads: true,
        }
    }

    /// Runs the blocking work with `spawner` instead of the automatic choice (tokio's blocking
    /// pool when a tokio runtime is current at the first poll of an operation, else the
    /// `blocking` crate's pool).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// struct OwnThreads;
    /// impl iocompat::SpawnBlocking for OwnThreads {
    ///     fn spawn(&self, job: iocompat::BlockingJob) {
    ///         std::thread::spawn(move || job.run());
    ///     }
    /// }
    /// let file = iocompat::PositionalFile::builder()
    ///     .spawner(OwnThreads)
    ///     .build(tempfile::tempfile()?);
    /// # drop(file);
    /// # Ok(()) }
    /// ```
    pub fn spawner(mut self, spawner: impl SpawnBlocking) -> Self {
        self.spawner = Spawner::Custom(Arc::new(spawner));
        self
    }

    /// Whether reads of cached pages happen on the caller's thread (Linux; default `true`).
    ///
    /// With it on, a read first tries `preadv2(RWF_NOWAIT)` at its offset, which copies
    /// cached pages (at most 256 KiB per call) and fails at once instead of waiting for the
    /// disk; only what is not cached goes to the pool. Turn it off to keep every system call
    /// on the pool.
    ///
    /// # Platform-specific behavior
    ///
    /// Linux only (4.14 and later; an older kernel or a filesystem without `RWF_NOWAIT`
    /// support turns it off by itself). Elsewhere every read runs on the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let file = iocompat::PositionalFile::builder()
    ///     .inline_reads(false)
    ///     .build(tempfile::tempfile()?);
    /// # drop(file);
    /// # Ok(()) }
    /// ```
    pub fn inline_reads(mut self, enabled: bool) -> Self {
        self.inline_reads = enabled;
        self
    }

    /// The handle over `file`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let file = iocompat::PositionalFile::builder().build(tempfile::tempfile()?);
    /// # drop(file);
    /// # Ok(()) }
    /// ```
    pub fn build(self, file: File) -> PositionalFile {
        PositionalFile {
            shared: Arc::new(Shared::new(file, self.spawner, self.inline_reads)),
        }
    }
}

/// The error of a `read_exact_at` that met the end of the file.
fn end_of_file(done: usize, len: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("end of file after {done} of {len} bytes"),
    )
}

fn read_at_work<B: AsMut<[u8]>>(file: &File, buf: &mut B, args: &Args) -> io::Result<usize> {
    let buf = buf.as_mut();
    retry(|| file.read_at(buf, args.offset))
}

fn read_at_inline<B: AsMut<[u8]>>(
    shared: &Shared,
    buf: &mut B,
    args: &mut Args,
    _cx: &mut Context<'_>,
) -> Inline<usize> {
    let buf = buf.as_mut();
    if buf.is_empty() {
        return Inline::Done(Ok(0));
    }
    match shared.read_cached(buf, args.offset) {
        Some(n) => Inline::Done(Ok(n)),
        None => Inline::Pool,
    }
}

fn read_exact_at_work<B: AsMut<[u8]>>(file: &File, buf: &mut B, args: &Args) -> io::Result<()> {
    let buf = buf.as_mut();
    let mut done = args.done.min(buf.len());
    while done < buf.len() {
        match retry(|| file.read_at(&mut buf[done..], args.offset + done as u64))? {
            0 => return Err(end_of_file(done, buf.len())),
            n => done += n,
        }
    }
    Ok(())
}

/// One inline read per poll: a full one (the data was cached) yields and continues on this
/// thread at the next poll, so a large buffer does not hold the executor; a short one sends
/// the rest to the pool.
fn read_exact_at_inline<B: AsMut<[u8]>>(
    shared: &Shared,
    buf: &mut B,
    args: &mut Args,
    cx: &mut Context<'_>,
) -> Inline<()> {
    let buf = buf.as_mut();
    if args.done >= buf.len() {
        return Inline::Done(Ok(()));
    }
    let rest = &mut buf[args.done..];
    let asked = rest.len().min(crate::unblock::MAX_INLINE_CHUNK);
    match shared.read_cached(rest, args.offset + args.done as u64) {
        Some(0) => Inline::Done(Err(end_of_file(args.done, buf.len()))),
        Some(n) => {
            args.done += n;
            if args.done == buf.len() {
                Inline::Done(Ok(()))
            } else if n == asked {
                cx.waker().wake_by_ref();
                Inline::Yield
            } else {
                Inline::Pool
            }
        }
        None => Inline::Pool,
    }
}

/// An empty write is done at once, without a system call.
fn empty_write_inline<B: AsRef<[u8]>, R: EmptyWrite>(
    _shared: &Shared,
    buf: &mut B,
    _args: &mut Args,
    _cx: &mut Context<'_>,
) -> Inline<R> {
    if buf.as_ref().is_empty() {
        Inline::Done(Ok(R::EMPTY))
    } else {
        Inline::Pool
    }
}

/// The result of an empty write.
trait EmptyWrite {
    const EMPTY: Self;
}

impl EmptyWrite for usize {
    const EMPTY: Self = 0;
}

impl EmptyWrite for () {
    const EMPTY: Self = ();
}

fn write_at_work<B: AsRef<[u8]>>(file: &File, buf: &mut B, args: &Args) -> io::Result<usize> {
    let buf = buf.as_ref();
    retry(|| file.write_at(buf, args.offset))
}

fn write_all_at_work<B: AsRef<[u8]>>(file: &File, buf: &mut B, args: &Args) -> io::Result<()> {
    let buf = buf.as_ref();
    let mut done = 0;
    while done < buf.len() {
        match retry(|| file.write_at(&buf[done..], args.offset + done as u64))? {
            0 => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    format!(
                        "the file accepted no more bytes after {done} of {}",
                        buf.len()
                    ),
                ));
            }
            n => done += n,
        }
    }
    Ok(())
}
