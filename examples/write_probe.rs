//! Writes a known payload through `iocompat::stdout()` or `iocompat::stderr()`, drops the
//! handle without flushing and ends the tokio runtime at once; the child process of
//! `tests/readiness_stdio_shutdown.rs`, which checks that every byte arrives.
//!
//! `cargo run --example write_probe -- STREAM FLAVOR END SIZE` with
//! - STREAM: `stdout` or `stderr`;
//! - FLAVOR: `current` or `multi` (the runtime's flavour);
//! - END: `drop` (drop the runtime and return from `main` at once, as `#[tokio::main]` does),
//!   `background` (`shutdown_background`) or `timeout` (`shutdown_timeout(0)`); after these
//!   two the process stays alive until its stdin closes, since only the process's end can cut
//!   a pool thread short;
//! - SIZE: bytes to write.

use std::io::Read;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

/// The payload the test expects: byte `i` is `(i * 31 + 7) % 253`.
fn payload(n: usize) -> Vec<u8> {
    let period: Vec<u8> = (0..253).map(|i| ((i * 31 + 7) % 253) as u8).collect();
    let mut data = period.repeat(n / period.len() + 1);
    data.truncate(n);
    data
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [stream, flavor, end, size] = &args[..] else {
        eprintln!("usage: write_probe stdout|stderr current|multi drop|background|timeout SIZE");
        std::process::exit(2);
    };
    let size: usize = size.parse().expect("SIZE is a number");
    let rt = match flavor.as_str() {
        "current" => tokio::runtime::Builder::new_current_thread(),
        "multi" => tokio::runtime::Builder::new_multi_thread(),
        other => panic!("unknown flavour {other}"),
    }
    .enable_all()
    .build()
    .expect("runtime");
    let data = payload(size);
    let to_stderr = stream == "stderr";
    rt.block_on(async {
        if to_stderr {
            let mut w = iocompat::stderr();
            w.write_all(&data).await.expect("write_all");
            drop(w);
        } else {
            let mut w = iocompat::stdout();
            w.write_all(&data).await.expect("write_all");
            drop(w);
        }
    });
    match end.as_str() {
        "drop" => {
            drop(rt);
            return;
        }
        "background" => rt.shutdown_background(),
        "timeout" => rt.shutdown_timeout(Duration::ZERO),
        other => panic!("unknown end {other}"),
    }
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}
