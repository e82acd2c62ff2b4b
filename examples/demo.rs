//! Every adapter in iocompat doing real work on data the demo makes itself.
//!
//! Run with `cargo run --example demo`.

use std::io;

#[tokio::main]
async fn main() -> io::Result<()> {
    println!("iocompat demo");
    #[cfg(all(feature = "tokio", feature = "futures-io"))]
    compat_demo().await?;
    #[cfg(all(feature = "tokio", feature = "futures-io"))]
    sync_io_demo().await?;
    println!("done");
    Ok(())
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
