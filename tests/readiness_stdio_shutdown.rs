//! `iocompat::stdout()` and `stderr()` dropped unflushed, with the runtime ended right after
//! (dropped, `shutdown_background`, `shutdown_timeout(0)`): every byte reaches the pipe. Each
//! stream runs 300 child processes per runtime flavour (`examples/write_probe.rs`), the ends
//! taken in turn, while another thread keeps the second core busy.
#![cfg(all(target_os = "linux", feature = "tokio"))]

mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;

use support::LIMIT;
use support::shutdown::{Losses, Spinner};

const RUNS_PER_FLAVOUR: usize = 300;
/// Larger than the four 512 KiB write chunks that may be queued at once.
const SIZE: usize = 3 << 20;
const ENDS: [&str; 3] = ["drop", "background", "timeout"];

fn probe() -> Command {
    // Integration tests live in target/<profile>/deps; examples in target/<profile>/examples.
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/write_probe");
    assert!(
        bin.exists(),
        "{} is missing: `cargo test` builds examples; with `--test` alone run \
         `cargo build --example write_probe` first",
        bin.display()
    );
    Command::new(bin)
}

/// The payload `write_probe` writes.
fn payload(n: usize) -> Vec<u8> {
    let period: Vec<u8> = (0..253).map(|i| ((i * 31 + 7) % 253) as u8).collect();
    let mut data = period.repeat(n / period.len() + 1);
    data.truncate(n);
    data
}

/// Runs one child and returns what it wrote on `stream`, bounded in time.
fn run_child(stream: &str, flavor: &str, end: &str) -> Vec<u8> {
    let mut cmd = probe();
    cmd.args([stream, flavor, end, &SIZE.to_string()])
        .stdin(Stdio::piped());
    if stream == "stdout" {
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    } else {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap();
    let mut out: Box<dyn Read + Send> = match stream {
        "stdout" => Box::new(child.stdout.take().unwrap()),
        _ => Box::new(child.stderr.take().unwrap()),
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Everything up to SIZE bytes first: the child may wait for its stdin to close
        // before it exits, which it must not do before its pool thread is done.
        let mut got = vec![0; SIZE];
        let mut filled = 0;
        while filled < SIZE {
            match out.read(&mut got[filled..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => filled += n,
            }
        }
        got.truncate(filled);
        let _ = tx.send(got);
        // Anything beyond SIZE would be a duplicate: count it.
        let mut rest = Vec::new();
        let _ = out.read_to_end(&mut rest);
        let _ = tx.send(rest);
    });
    let mut got = rx.recv_timeout(LIMIT).expect("child stopped writing");
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.flush();
    drop(stdin);
    got.extend(
        rx.recv_timeout(LIMIT)
            .expect("child did not close its output"),
    );
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    let status = done_rx
        .recv_timeout(LIMIT)
        .expect("child did not exit")
        .unwrap();
    assert!(status.success(), "{stream} {flavor} {end}: {status}");
    got
}

fn check_stream(stream: &str) {
    let _spin = Spinner::start();
    let want = payload(SIZE);
    for flavor in ["current", "multi"] {
        let losses = Losses::default();
        for run in 0..RUNS_PER_FLAVOUR {
            let end = ENDS[run % ENDS.len()];
            let got = run_child(stream, flavor, end);
            if got != want {
                losses.record(format!(
                    "{stream} {flavor} {end} run {run}: {} of {SIZE} bytes arrived",
                    got.len()
                ));
            }
        }
        losses.assert_none(RUNS_PER_FLAVOUR);
    }
}

#[test]
fn stdout_dropped_unflushed_loses_nothing_whatever_the_runtime_does_next() {
    check_stream("stdout");
}

#[test]
fn stderr_dropped_unflushed_loses_nothing_whatever_the_runtime_does_next() {
    check_stream("stderr");
}
