//! Programs written the way the `blocking` crate's docs teach (read a file with `unblock`,
//! pipe a file through `Unblock`, iterate a directory, run a process, `get_mut` / `with_mut`),
//! the same text instantiated with `blocking::` and with `iocompat::blocking::`, plus what the
//! rename promises beyond them: panics resumed, cancellation, the pool choice.

#![cfg(feature = "futures-io")]

use crate::dropin;

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use dropin::{Executor, on_each};
use futures::FutureExt;

/// A file of its own for each program run (`tempfile` cleans it up).
fn fixture(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.txt");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// One program text, `$($path)+` naming the crate (`blocking` or `iocompat::blocking`).
macro_rules! program {
    ($name:ident, $($path:tt)+) => {
        mod $name {
            use $($path)+ as blocking;
            use futures::prelude::*;
            use std::fs;

            /// `unblock(|| fs::read_to_string(..)).await?`
            pub(crate) async fn read_contents() -> std::io::Result<String> {
                let (_dir, path) = super::fixture("contents");
                let contents = blocking::unblock(move || fs::read_to_string(path)).await?;
                Ok(contents)
            }

            /// Open with `unblock`, wrap in `Unblock`, `io::copy` into another `Unblock`.
            pub(crate) async fn pipe_file() -> std::io::Result<(u64, String)> {
                let (_dir, path) = super::fixture("piped through two adapters");
                let out_path = path.with_extension("out");
                let p = path.clone();
                let input = blocking::unblock(move || fs::File::open(p)).await?;
                let input = blocking::Unblock::new(input);
                let o = out_path.clone();
                let output = blocking::unblock(move || fs::File::create(o)).await?;
                let mut output = blocking::Unblock::new(output);
                let n = futures::io::copy(input, &mut output).await?;
                output.flush().await?;
                let copied = blocking::unblock(move || fs::read_to_string(out_path)).await?;
                Ok((n, copied))
            }

            /// `Unblock::new(fs::read_dir(..)?)` as a `Stream`.
            pub(crate) async fn list_dir() -> std::io::Result<Vec<String>> {
                let (dir, _path) = super::fixture("x");
                std::fs::write(dir.path().join("second.txt"), "y")?;
                let mut entries = blocking::Unblock::new(fs::read_dir(dir.path())?);
                let mut names = Vec::new();
                while let Some(item) = entries.next().await {
                    names.push(item?.file_name().to_string_lossy().into_owned());
                }
                names.sort();
                Ok(names)
            }

            /// `unblock(|| Command::new(..).output())`
            #[cfg(unix)]
            pub(crate) async fn run_process() -> std::io::Result<Vec<u8>> {
                let out = blocking::unblock(|| {
                    std::process::Command::new("sh").args(["-c", "echo hi"]).output()
                })
                .await?;
                Ok(out.stdout)
            }

            /// `with_capacity`, then `get_mut().await` and `with_mut(..).await` for metadata,
            /// then `Unblock::write_all` and `flush` as the `Unblock` docs' stdout example.
            pub(crate) async fn accessors() -> std::io::Result<(u64, u64, String)> {
                let (_dir, path) = super::fixture("12345");
                let p = path.clone();
                let file = blocking::unblock(move || {
                    fs::OpenOptions::new().read(true).append(true).open(p)
                })
                .await?;
                let mut file = blocking::Unblock::with_capacity(64 * 1024, file);
                let by_ref = file.get_mut().await.metadata()?.len();
                let by_closure = file.with_mut(|f| f.metadata()).await?.len();
                file.write_all(b"678").await?;
                file.flush().await?;
                drop(file);
                let text = blocking::unblock(move || fs::read_to_string(path)).await?;
                Ok((by_ref, by_closure, text))
            }
        }
    };
}

program!(theirs, ::blocking);
program!(ours, iocompat::blocking);

/// Runs one program of both instantiations on every executor; returns ours (asserted equal).
macro_rules! same_answers {
    ($program:ident) => {{
        let ours = on_each(&Executor::ALL, || ours::$program().map(Result::unwrap));
        let theirs = on_each(&Executor::ALL, || theirs::$program().map(Result::unwrap));
        assert_eq!(ours, theirs);
        ours.into_iter().next().unwrap()
    }};
}

#[test]
fn read_a_file_with_unblock() {
    assert_eq!(same_answers!(read_contents), "contents");
}

#[test]
fn pipe_a_file_through_unblock() {
    let text = "piped through two adapters";
    assert_eq!(
        same_answers!(pipe_file),
        (text.len() as u64, text.to_owned())
    );
}

#[test]
fn iterate_a_directory() {
    assert_eq!(same_answers!(list_dir), ["file.txt", "second.txt"]);
}

#[cfg(unix)]
#[test]
fn run_a_process() {
    assert_eq!(same_answers!(run_process), b"hi\n");
}

#[test]
fn with_capacity_get_mut_and_with_mut() {
    assert_eq!(same_answers!(accessors), (5, 5, "12345678".to_owned()));
}

/// `into_inner` is the one documented difference: `Result` here, `T` in `blocking`.
#[test]
fn into_inner_returns_a_result_here() {
    on_each(&Executor::ALL, || async {
        let unblock = iocompat::blocking::Unblock::new(std::io::Cursor::new(vec![1u8]));
        let inner: Result<_, iocompat::blocking::IntoInnerError<_>> = unblock.into_inner().await;
        assert_eq!(inner.unwrap().into_inner(), [1]);
    });
}

#[test]
fn a_panic_in_the_closure_is_resumed_in_the_awaiting_task() {
    let messages = on_each(&Executor::ALL, || async {
        let task = iocompat::blocking::unblock(|| -> u32 { panic!("boom in the pool") });
        let payload = AssertUnwindSafe(task).catch_unwind().await.unwrap_err();
        payload.downcast::<&str>().map(|m| *m).unwrap()
    });
    assert_eq!(messages, ["boom in the pool"; 3]);
}

/// Dropped before the closure finished, the task lets it run to its end; its output is dropped.
#[test]
fn dropping_the_task_does_not_stop_the_closure_and_drops_its_output() {
    on_each(&Executor::ALL, || async {
        struct Output(mpsc::Sender<&'static str>);
        impl Drop for Output {
            fn drop(&mut self) {
                let _ = self.0.send("output dropped");
            }
        }
        let (gate_tx, gate_rx) = mpsc::channel::<()>();
        let (events_tx, events_rx) = mpsc::channel();
        let task = iocompat::blocking::unblock(move || {
            gate_rx.recv().unwrap(); // runs on the pool: blocking here is the point
            events_tx.send("closure finished").unwrap();
            Output(events_tx)
        });
        drop(task);
        gate_tx.send(()).unwrap();
        let bound = Duration::from_secs(10);
        assert_eq!(events_rx.recv_timeout(bound), Ok("closure finished"));
        assert_eq!(events_rx.recv_timeout(bound), Ok("output dropped"));
    });
}

#[test]
fn detach_lets_the_closure_run() {
    on_each(&Executor::ALL, || async {
        let (tx, rx) = mpsc::channel();
        iocompat::blocking::unblock(move || tx.send(7).unwrap()).detach();
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(7));
    });
}

/// The pool `Unblock` uses: tokio's blocking threads inside a runtime (named after the
/// runtime's threads), else the `blocking` crate's (`blocking-N`).
#[test]
fn the_closure_runs_on_the_same_pool_choice_as_unblock() {
    let names = on_each(&Executor::ALL, || async {
        iocompat::blocking::unblock(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap_or_default()
    });
    // tokio's default thread name (not ours to pin down exactly): `tokio-rt-worker` today.
    assert!(names[0].starts_with("tokio-"), "{names:?}");
    assert!(names[1].starts_with("tokio-"), "{names:?}");
    assert!(names[2].starts_with("blocking-"), "{names:?}");
}

/// A runtime that has shut down refuses the closure: the task's poll panics saying so, and
/// does not hang.
#[test]
fn a_closure_the_pool_drops_unrun_panics_with_a_clear_message() {
    dropin::bounded(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let handle = rt.handle().clone();
        drop(rt);
        let (tx, rx) = mpsc::channel::<()>();
        let task = {
            let _entered = handle.enter();
            iocompat::blocking::unblock(move || tx.send(()).unwrap())
        };
        let payload = std::panic::catch_unwind(AssertUnwindSafe(|| {
            futures::executor::block_on(task);
        }))
        .unwrap_err();
        let message = payload.downcast::<String>().unwrap();
        assert!(message.contains("dropped without running"), "{message}");
        assert!(rx.recv().is_err(), "the closure must not have run");
    });
}
