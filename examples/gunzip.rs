//! Decompress a gzip file with a legacy blocking decoder, from async code.
//!
//! `cargo run --example gunzip -- FILE.gz` writes `FILE` (without `.gz`). With no argument it
//! generates a sample `.gz` file in a temporary directory and decompresses that.
//!
//! The decoder is `flate2::read::GzDecoder<std::fs::File>`, a plain `std::io::Read`. Wrapped
//! in `iocompat::Unblock` it becomes a tokio `AsyncBufRead`, so `tokio::io::copy_buf` moves the
//! data straight out of the adapter's buffer into a `tokio::fs::File`, while the blocking
//! decompression runs on tokio's blocking pool.

use std::io::Write;
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let _scratch;
    let input: PathBuf = match std::env::args_os().nth(1) {
        Some(path) => path.into(),
        None => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("sample.txt.gz");
            write_sample(&path)?;
            _scratch = dir;
            path
        }
    };
    let output = match input.extension() {
        Some(ext) if ext == "gz" => input.with_extension(""),
        _ => input.with_extension("out"),
    };

    let decoder = flate2::read::GzDecoder::new(std::fs::File::open(&input)?);
    let mut reader = iocompat::Unblock::new(decoder);
    let mut writer = tokio::fs::File::create(&output).await?;
    let bytes = tokio::io::copy_buf(&mut reader, &mut writer).await?;
    writer.flush().await?;
    println!("{} -> {}: {bytes} bytes", input.display(), output.display());
    Ok(())
}

fn write_sample(path: &Path) -> std::io::Result<()> {
    let mut enc =
        flate2::write::GzEncoder::new(std::fs::File::create(path)?, flate2::Compression::default());
    for i in 0..100_000 {
        writeln!(enc, "sample line {i}")?;
    }
    enc.finish()?;
    Ok(())
}
