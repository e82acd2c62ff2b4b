//! Reads stdin through `iocompat::stdin()` and reports what happened; the child process of
//! `tests/readiness_stdin.rs`, and a small demo of the stdin handle.
//!
//! `cargo run --example stdin_probe -- MODE` with MODE one of:
//! - `lines` (default): print the path taken, then every line read, then a count;
//! - `cancel-then-std`: start a read, drop it after 100 ms of silence, drop the handle, then
//!   read one line with plain `std::io::stdin()` (proving nothing was swallowed and the
//!   descriptor is blocking again), print it and exit;
//! - `cancel-exit`: start a read, drop it after 100 ms of silence, and return from `main`
//!   while stdin stays open: the runtime must shut down at once.

use std::io::BufRead;
use std::os::fd::AsFd;

use tokio::io::{AsyncBufReadExt, AsyncReadExt};

fn nonblocking() -> bool {
    let flags = rustix::fs::fcntl_getfl(std::io::stdin().as_fd()).unwrap();
    flags.contains(rustix::fs::OFlags::NONBLOCK)
}

fn stdout_nonblocking() -> bool {
    let flags = rustix::fs::fcntl_getfl(std::io::stdout().as_fd()).unwrap();
    flags.contains(rustix::fs::OFlags::NONBLOCK)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "lines".into());
    let mut stdin = iocompat::stdin();
    let stdout = iocompat::stdout();
    println!("path: {:?}", stdin.path());
    println!("nonblocking while open: {}", nonblocking());
    // `println!` shares fd 1 with the handle: it must keep working.
    println!(
        "stdout path {:?}, nonblocking: {}",
        stdout.path(),
        stdout_nonblocking()
    );
    drop(stdout);
    match mode.as_str() {
        "cancel-exit" => {
            let mut buf = [0u8; 64];
            let read =
                tokio::time::timeout(std::time::Duration::from_millis(100), stdin.read(&mut buf))
                    .await;
            println!("pending read dropped: {}", read.is_err());
        }
        "cancel-then-std" => {
            let mut buf = [0u8; 64];
            let read =
                tokio::time::timeout(std::time::Duration::from_millis(100), stdin.read(&mut buf))
                    .await;
            println!("pending read dropped: {}", read.is_err());
            drop(stdin);
            println!("nonblocking after drop: {}", nonblocking());
            let mut line = String::new();
            match std::io::stdin().lock().read_line(&mut line) {
                Ok(_) => println!("std read: {}", line.trim_end()),
                Err(e) => println!("std read failed: {e}"),
            }
        }
        _ => {
            let mut lines = stdin.lines();
            let mut n = 0;
            while let Some(line) = lines.next_line().await.unwrap() {
                println!("line: {line}");
                n += 1;
            }
            println!("lines: {n}");
        }
    }
}
