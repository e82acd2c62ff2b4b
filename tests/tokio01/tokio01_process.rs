//! tokio-process 0.2, unchanged, on tokio 1: a child spawned with `spawn_async` /
//! `output_async` / `status_async`, its output read and its exit status awaited, on both plain
//! tokio 1 flavours (polled through `iocompat::futures01`'s `.compat()`) and on iocompat's
//! `Runtime` and `current_thread::Runtime`.

#![cfg(all(feature = "tokio01", unix))]

use crate::bounded;
use crate::flavors;

use std::process::{Command, Stdio};

use flavors::on_both_flavors;
use futures01::{Future as Future01, Stream as Stream01};
use iocompat::futures01::Future01CompatExt;
use tokio_process02::CommandExt;

/// `sh -c 'echo ...; exit 3'`: output on stdout, then a known exit code.
fn child() -> Command {
    let mut command = Command::new("sh");
    command.args(["-c", "echo hello from the child; echo second line; exit 3"]);
    command
}

/// Reads the child's stdout line by line through tokio-io 0.1 (`tokio01::io::lines`), then
/// waits for its exit status: the reactor (the pipe, SIGCHLD) and the 0.1 codec together.
fn lines_then_status() -> impl Future01<Item = (Vec<String>, Option<i32>), Error = String> + Send {
    futures01::future::lazy(|| {
        let mut child = child()
            .stdout(Stdio::piped())
            .spawn_async()
            .map_err(|e| e.to_string())?;
        let stdout = child.stdout().take().unwrap();
        let lines = tokio01::io::lines(std::io::BufReader::new(stdout)).collect();
        Ok::<_, String>(
            lines
                .join(child)
                .map(|(lines, status)| (lines, status.code()))
                .map_err(|e| e.to_string()),
        )
    })
    .flatten()
}

fn expected_lines() -> (Vec<String>, Option<i32>) {
    (
        vec!["hello from the child".to_owned(), "second line".to_owned()],
        Some(3),
    )
}

#[test]
fn output_async_and_status_async_on_plain_tokio_1_both_flavors() {
    on_both_flavors(|| async {
        let output = child().output_async().compat().await.unwrap();
        assert_eq!(output.stdout, b"hello from the child\nsecond line\n");
        assert_eq!(output.status.code(), Some(3));

        let status = Command::new("true").status_async().unwrap();
        assert!(status.compat().await.unwrap().success());
    });
}

#[test]
fn a_childs_stdout_read_by_lines_then_its_status_on_plain_tokio_1_both_flavors() {
    on_both_flavors(|| async {
        assert_eq!(lines_then_status().compat().await, Ok(expected_lines()));
    });
}

#[test]
fn children_run_concurrently_on_iocompat_runtime() {
    let got = bounded::bounded(|| {
        let mut rt = iocompat::tokio01::Runtime::new().unwrap();
        let all = futures01::future::join_all((0..4).map(|_| lines_then_status()));
        let got = rt.block_on(all);
        rt.shutdown_on_idle().wait().unwrap();
        got
    });
    assert_eq!(got, Ok(vec![expected_lines(); 4]));
}

#[test]
fn a_child_on_iocompat_current_thread_runtime() {
    let got = bounded::bounded(|| {
        let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
        rt.block_on(lines_then_status())
    });
    assert_eq!(got, Ok(expected_lines()));
}

#[test]
fn a_missing_program_is_an_error_not_a_hang() {
    on_both_flavors(|| async {
        let err = Command::new("/nonexistent/iocompat-no-such-program")
            .output_async()
            .compat()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    });
}
