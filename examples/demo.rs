//! Every adapter in iocompat doing real work on data the demo makes itself.
//!
//! Run with `cargo run --example demo --all-features` (without it the futures01 part is
//! skipped). No arguments, no files needed: it writes what it needs into a temporary directory
//! and removes it at the end.

use std::io::{self, Seek, SeekFrom, Write};

use futures::StreamExt;
use iocompat::{Unblock, UnblockExt};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

fn main() -> std::io::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(modern())?;
    // futures 0.1 code blocks in `wait()` and starts its own runtime: outside the one above.
    futures01_demo();
    // A whole tokio 0.1 program, moved by changing the line that starts it.
    println!(
        "tokio01: a 2019 tokio 0.1 program on tokio 1: cargo run --example legacy_tokio01 --features tokio01"
    );
    println!("done");
    Ok(())
}

/// The adapters between blocking `std::io` and today's async traits.
async fn modern() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    println!("iocompat demo (scratch files in {})", dir.path().display());
    unblock_file(dir.path()).await?;
    unblock_gzip(dir.path()).await?;
    unblock_iterator().await;
    unblock_without_tokio()?;
    #[cfg(unix)]
    readiness(dir.path()).await?;
    compat_demo().await?;
    sync_io_demo().await?;
    Ok(())
}

/// A `std::fs::File`, read line by line, seeked, then written to, from async code.
async fn unblock_file(dir: &std::path::Path) -> std::io::Result<()> {
    let path = dir.join("numbers.txt");
    let mut std_file = std::fs::File::create(&path)?;
    for i in 0..10_000 {
        writeln!(std_file, "line {i}")?;
    }
    drop(std_file);

    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)?;
    let mut file = Unblock::new(file);
    let mut lines = 0;
    let mut line = String::new();
    while file.read_line(&mut line).await? > 0 {
        lines += 1;
        line.clear();
    }
    println!("Unblock<File>: read {lines} lines with AsyncBufRead::read_line");

    let pos = file.seek(SeekFrom::Start(7)).await?;
    let mut word = [0u8; 6];
    file.read_exact(&mut word).await?;
    println!(
        "Unblock<File>: seeked to {pos}, read {:?}; position is now {}",
        String::from_utf8_lossy(&word),
        file.stream_position().await?
    );
    // Read-ahead moved the File's own cursor far ahead; the write still lands at byte 13.
    file.write_all(b"#").await?;
    file.flush().await?;
    let mut std_file = file.into_inner().await?;
    std_file.seek(SeekFrom::Start(0))?;
    let mut head = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(&mut std_file, 24), &mut head)?;
    println!("Unblock<File>: wrote '#' after reading; file now starts {head:?}");
    Ok(())
}

/// A legacy blocking decoder (flate2) wrapped and copied with tokio's `copy_buf`.
async fn unblock_gzip(dir: &std::path::Path) -> std::io::Result<()> {
    let gz_path = dir.join("data.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz_path)?,
        flate2::Compression::fast(),
    );
    for i in 0..200_000u32 {
        enc.write_all(&i.to_le_bytes())?;
    }
    enc.finish()?;

    let decoder = flate2::read::GzDecoder::new(std::fs::File::open(&gz_path)?);
    let mut input = decoder.unblock();
    let mut output = tokio::fs::File::create(dir.join("data.bin")).await?;
    let copied = tokio::io::copy_buf(&mut input, &mut output).await?;
    output.flush().await?;
    println!(
        "Unblock<GzDecoder<File>>: decompressed {} compressed bytes into {copied} bytes",
        std::fs::metadata(&gz_path)?.len()
    );
    Ok(())
}

/// A blocking iterator as a `Stream`, fetched in batches on the pool.
async fn unblock_iterator() {
    let squares = Unblock::new((1..=100_000u64).map(|i| i * i));
    let sum: u64 = squares.fold(0, |acc, x| async move { acc + x }).await;
    println!("Unblock<Iterator>: summed 100000 squares as a Stream: {sum}");
}

/// The same adapter under a non-tokio executor, on a thread outside any tokio runtime: the
/// work runs on the `blocking` crate's pool.
fn unblock_without_tokio() -> std::io::Result<()> {
    std::thread::spawn(|| futures::executor::block_on(async {
        let mut reader = Unblock::new(std::io::Cursor::new(vec![42u8; 1 << 20]));
        let mut all = Vec::new();
        futures::io::AsyncReadExt::read_to_end(&mut reader, &mut all).await?;
        let thread = reader
            .with_mut(|_| std::thread::current().name().unwrap_or("?").to_owned())
            .await;
        println!(
            "Unblock under futures::executor::block_on: read {} bytes, work ran on thread {thread:?}",
            all.len()
        );
        Ok(())
    }))
    .join()
    .expect("demo thread panicked")
}

/// Readiness first, pool as fallback: a socket goes to the reactor, a regular file to the pool.
#[cfg(unix)]
async fn readiness(dir: &std::path::Path) -> std::io::Result<()> {
    let (a, b) = std::os::unix::net::UnixStream::pair()?;
    let mut a = iocompat::AutoIo::new(a);
    let mut b = iocompat::AutoIo::new(b);
    a.write_all(b"over the reactor\n").await?;
    let mut line = String::new();
    b.read_line(&mut line).await?;
    println!(
        "AutoIo<UnixStream>: path {:?}, received {:?} with no pool thread",
        a.path(),
        line.trim_end()
    );
    let file = std::fs::File::open(dir.join("numbers.txt"))?;
    let mut file = iocompat::AutoIo::new(file);
    let mut first = String::new();
    file.read_line(&mut first).await?;
    println!(
        "AutoIo<File>: path {:?} (epoll refuses regular files), first line {:?}",
        file.path(),
        first.trim_end()
    );
    println!(
        "iocompat::stdin(): path {:?} here",
        iocompat::stdin().path()
    );
    Ok(())
}

#[cfg(feature = "futures01")]
#[path = "legacy_echo.rs"]
#[allow(dead_code)]
mod legacy_echo;

/// futures 0.1 / tokio-io 0.1 code on tokio 1: the `legacy_echo` server, a 0.3 `async` block
/// run by 0.1 `wait()`, and a tokio 1 reader framed by a tokio-io 0.1 codec.
#[cfg(feature = "futures01")]
#[allow(deprecated)] // tokio-io 0.1's codec module, as legacy code uses it
fn futures01_demo() {
    use futures01::{Future as _, Stream as _};
    use iocompat::futures01::{TokioAsyncRead01CompatExt, TryFutureCompatExt};

    let answer = async { Ok::<u32, ()>(6 * 7) }.compat_boxed().wait();
    println!("futures01: an async block run by 0.1 wait(): {answer:?}");

    let modern: &[u8] = b"from\ntokio 1\n";
    let lines: Vec<String> =
        tokio_io01::codec::FramedRead::new(modern.compat01(), tokio_io01::codec::LinesCodec::new())
            .collect()
            .wait()
            .expect("reading from a byte slice cannot fail");
    println!("futures01: a tokio 1 reader through a tokio-io 0.1 codec: {lines:?}");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(legacy_echo::serve(listener, 1));
        let replies = legacy_echo::client(addr, &["hello", "legacy"]).await?;
        println!("futures01: the futures 0.1 echo server on tokio 1 replied {replies:?}");
        server.await.map_err(std::io::Error::other)?.map(drop)
    })
    .expect("the legacy echo round trip");
}

#[cfg(not(feature = "futures01"))]
fn futures01_demo() {
    println!("futures01: run with `--features futures01` to see futures 0.1 code on tokio 1");
}

/// `Compat`: tokio and futures-io traits both ways, and tokio types under another executor.
#[cfg(all(feature = "tokio", feature = "futures-io"))]
async fn compat_demo() -> io::Result<()> {
    use iocompat::{
        Compat, FuturesAsyncReadCompatExt, TokioAsyncReadCompatExt, TokioAsyncWriteCompatExt,
    };

    // tokio -> futures-io: a tokio duplex written and read with futures-io's extension traits.
    let (tx, rx) = tokio::io::duplex(4096);
    let writer = tokio::spawn(async move {
        let mut tx = tx.compat_write();
        for i in 0..1000 {
            futures::io::AsyncWriteExt::write_all(&mut tx, format!("record {i}\n").as_bytes())
                .await?;
        }
        futures::io::AsyncWriteExt::close(&mut tx).await
    });
    let mut lines = futures::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(rx).compat());
    let mut count = 0;
    let mut last = String::new();
    while let Some(line) = futures::StreamExt::next(&mut lines).await {
        last = line?;
        count += 1;
    }
    writer.await.map_err(io::Error::other)??;
    println!("compat: read {count} lines from a tokio duplex through futures-io (last: {last:?})");

    // futures-io -> tokio: tokio::io::copy from a futures-io cursor, then a seek.
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let mut source = futures::io::Cursor::new(data).compat();
    let mut sink = Vec::new();
    let copied = tokio::io::copy(&mut source, &mut sink).await?;
    let pos = tokio::io::AsyncSeekExt::seek(&mut source, io::SeekFrom::Start(42)).await?;
    println!(
        "compat: tokio::io::copy moved {copied} bytes out of a futures-io cursor, then seeked it to {pos}"
    );

    // A tokio timer and tokio::spawn, polled by futures::executor::block_on on a plain thread
    // with no runtime: Compat enters the fallback runtime.
    let thread_name = tokio::task::spawn_blocking(|| {
        std::thread::spawn(|| {
            futures::executor::block_on(Compat::new(async {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                tokio::spawn(async { std::thread::current().name().map(str::to_owned) })
                    .await
                    .ok()
                    .flatten()
            }))
        })
        .join()
    })
    .await
    .map_err(io::Error::other)?
    .map_err(|_| io::Error::other("demo thread panicked"))?;
    println!(
        "compat: tokio sleep + spawn under futures::executor::block_on ran on thread {:?}",
        thread_name.unwrap_or_default()
    );
    Ok(())
}

/// `SyncIo`: blocking `std::io` code consuming an async stream, and what happens when it is
/// misused on a runtime thread.
#[cfg(all(feature = "tokio", feature = "futures-io"))]
async fn sync_io_demo() -> io::Result<()> {
    use iocompat::SyncIo;
    use std::io::{BufRead, Read};
    use tokio::io::AsyncWriteExt;

    // A producer task writes CSV into a duplex; a blocking parser sums a column.
    let (mut tx, rx) = tokio::io::duplex(1024);
    let producer = tokio::spawn(async move {
        tx.write_all(b"item,qty\n").await?;
        for i in 1..=500u64 {
            tx.write_all(format!("item{i},{i}\n").as_bytes()).await?;
        }
        tx.shutdown().await
    });
    let reader = SyncIo::new(tokio::io::BufReader::new(rx));
    let (rows, total) = tokio::task::spawn_blocking(move || -> io::Result<(u64, u64)> {
        let mut rows = 0;
        let mut total = 0;
        for line in reader.lines().skip(1) {
            let line = line?;
            let qty = line.rsplit(',').next().unwrap_or("0");
            total += qty.parse::<u64>().map_err(io::Error::other)?;
            rows += 1;
        }
        Ok((rows, total))
    })
    .await
    .map_err(io::Error::other)??;
    producer.await.map_err(io::Error::other)??;
    println!(
        "sync_io: a blocking CSV parser read {rows} rows from a tokio duplex, qty sum {total}"
    );

    // Misuse: blocking inside a task on a runtime worker is refused with an error, not a panic
    // or a hang (the peer here never writes).
    let err = tokio::spawn(async {
        let (_silent_peer, rx) = tokio::io::duplex(16);
        SyncIo::new(rx).read(&mut [0u8; 8])
    })
    .await
    .map_err(io::Error::other)?
    .expect_err("refused on a worker");
    println!(
        "sync_io: read inside a tokio task -> {:?}: {err}",
        err.kind()
    );
    Ok(())
}
