//! `iocompat::stdin()` in a child process, with stdin a pipe, a pseudo-terminal, a regular
//! file and `/dev/null`: the right path, prompt exit with a read pending, the descriptor's
//! flags never changed (fd 0 is shared with everything), nothing swallowed after the handle is
//! dropped, and `println!` unharmed while `stdout()` is alive.
#![cfg(all(target_os = "linux", feature = "tokio"))]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use support::LIMIT;

fn probe() -> Command {
    // Integration tests live in target/<profile>/deps; examples in target/<profile>/examples.
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let bin = dir.join("stdin_probe");
    assert!(
        bin.exists(),
        "{} is missing: `cargo test` builds examples; with `--test` alone run \
         `cargo build --example stdin_probe` first",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    cmd
}

/// Reads the child's stdout line by line on a thread, so the test can wait with a bound.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

fn expect_line(rx: &mpsc::Receiver<String>, want: &str) {
    let got = rx.recv_timeout(LIMIT).expect("child stopped talking");
    assert_eq!(got, want);
}

/// Waits for the child to exit, bounded; a hang fails the test.
fn wait_exit(mut child: Child) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = rx
        .recv_timeout(LIMIT)
        .expect("child did not exit: a pending read kept it alive")
        .unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn pipe_pending_read_is_dropped_and_input_after_the_drop_stays() {
    let mut child = probe()
        .arg("cancel-then-std")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let out = lines_of(&mut child);
    expect_line(&out, "path: Readiness");
    expect_line(&out, "nonblocking while open: false");
    expect_line(&out, "stdout path Pool, nonblocking: false");
    expect_line(&out, "pending read dropped: true");
    expect_line(&out, "nonblocking after drop: false");
    // Only now does input arrive: it must reach the plain std reader.
    input.write_all(b"later\n").unwrap();
    expect_line(&out, "std read: later");
    drop(input);
    wait_exit(child);
}

/// tokio's own `stdin()` keeps the runtime from shutting down while a read waits (tokio #589,
/// #2318, #2420). Here stdin stays open and silent, and the child must still exit.
#[test]
fn pipe_pending_read_does_not_keep_the_runtime_alive() {
    let mut child = probe()
        .arg("cancel-exit")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let input = child.stdin.take().unwrap();
    let out = lines_of(&mut child);
    expect_line(&out, "path: Readiness");
    expect_line(&out, "nonblocking while open: false");
    expect_line(&out, "stdout path Pool, nonblocking: false");
    expect_line(&out, "pending read dropped: true");
    wait_exit(child);
    drop(input);
}

#[test]
fn pipe_lines_are_read_through_async_buf_read() {
    let mut child = probe().stdin(Stdio::piped()).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let out = lines_of(&mut child);
    expect_line(&out, "path: Readiness");
    expect_line(&out, "nonblocking while open: false");
    expect_line(&out, "stdout path Pool, nonblocking: false");
    input.write_all(b"one\ntwo\n").unwrap();
    expect_line(&out, "line: one");
    expect_line(&out, "line: two");
    drop(input);
    expect_line(&out, "lines: 2");
    wait_exit(child);
}

#[test]
fn pseudo_terminal_is_read_without_changing_its_flags() {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().unwrap())
        .unwrap();
    let mut master = std::fs::File::from(master);
    let mut child = probe()
        .arg("cancel-then-std")
        .stdin(Stdio::from(slave))
        .spawn()
        .unwrap();
    let out = lines_of(&mut child);
    expect_line(&out, "path: Readiness");
    // A terminal is shared with the shell: never made non-blocking.
    expect_line(&out, "nonblocking while open: false");
    expect_line(&out, "stdout path Pool, nonblocking: false");
    expect_line(&out, "pending read dropped: true");
    expect_line(&out, "nonblocking after drop: false");
    master.write_all(b"typed\n").unwrap();
    expect_line(&out, "std read: typed");
    wait_exit(child);
}

#[test]
fn regular_file_goes_through_the_pool() {
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(b"a\nb\nc\n").unwrap();
    std::io::Seek::rewind(&mut file).unwrap();
    let mut child = probe().stdin(Stdio::from(file)).spawn().unwrap();
    let out = lines_of(&mut child);
    expect_line(&out, "path: Pool");
    expect_line(&out, "nonblocking while open: false");
    expect_line(&out, "stdout path Pool, nonblocking: false");
    expect_line(&out, "line: a");
    expect_line(&out, "line: b");
    expect_line(&out, "line: c");
    expect_line(&out, "lines: 3");
    wait_exit(child);
}

#[test]
fn dev_null_goes_through_the_pool() {
    let mut child = probe().stdin(Stdio::null()).spawn().unwrap();
    let out = lines_of(&mut child);
    expect_line(&out, "path: Pool");
    expect_line(&out, "nonblocking while open: false");
    expect_line(&out, "stdout path Pool, nonblocking: false");
    expect_line(&out, "lines: 0");
    wait_exit(child);
}
