//! Property test: `PositionalFile` against a plain model (a `Vec<u8>` with the same
//! positional semantics), with batches of concurrent reads and writes at random offsets, each
//! a task of its own, some dropped after a random number of polls; on tokio's current-thread
//! and multi-thread runtimes, with inline reads on and off.
//!
//! Within a batch no two operations touch the same bytes where one of them writes (a write
//! that extends the file touches everything from the old end), so the model's answer does not
//! depend on the order the kernel ran them in. Each batch ends with `sync_data`, which waits
//! for the dropped writes, and then the model applies every write polled at least once.

#![cfg(all(unix, feature = "tokio"))]

mod support;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use iocompat::PositionalFile;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

#[derive(Debug, Clone)]
enum Op {
    Read {
        offset: u64,
        len: usize,
        exact: bool,
    },
    Write {
        offset: u64,
        data: Vec<u8>,
        all: bool,
    },
}

#[derive(Debug, Clone)]
struct Planned {
    op: Op,
    /// `Some(k)`: dropped after `k` polls if not done by then.
    cancel_after: Option<u8>,
}

#[derive(Debug, Clone)]
struct Case {
    inline_reads: bool,
    initial: Vec<u8>,
    batches: Vec<Vec<Planned>>,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..3000, 0usize..700, any::<bool>()).prop_map(|(offset, len, exact)| Op::Read {
            offset,
            len,
            exact
        }),
        (
            0u64..3000,
            prop::collection::vec(any::<u8>(), 0..700),
            any::<bool>()
        )
            .prop_map(|(offset, data, all)| Op::Write { offset, data, all }),
    ]
}

fn planned() -> impl Strategy<Value = Planned> {
    (
        op(),
        prop_oneof![2 => Just(None), 1 => (0u8..3).prop_map(Some)],
    )
        .prop_map(|(op, cancel_after)| Planned { op, cancel_after })
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..2500),
        prop::collection::vec(prop::collection::vec(planned(), 1..10), 1..6),
    )
        .prop_map(|(inline_reads, initial, batches)| Case {
            inline_reads,
            initial,
            batches,
        })
}

/// The bytes an operation touches, given the model's length before the batch.
fn touched(op: &Op, len: u64) -> (u64, u64, bool) {
    match op {
        Op::Read { offset, len: n, .. } => (*offset, offset + *n as u64, false),
        Op::Write { offset, data, .. } => {
            let end = offset + data.len() as u64;
            if data.is_empty() {
                (*offset, end, true)
            } else if end > len {
                ((*offset).min(len), end, true)
            } else {
                (*offset, end, true)
            }
        }
    }
}

/// The batch without the operations that would race with a write kept before them.
fn without_races(batch: &[Planned], len: u64) -> Vec<Planned> {
    let mut kept: Vec<(Planned, (u64, u64, bool))> = Vec::new();
    for p in batch {
        let (start, end, writes) = touched(&p.op, len);
        let races = kept
            .iter()
            .any(|(_, (s, e, w))| (writes || *w) && start < *e && *s < end && start < end && s < e);
        if !races {
            kept.push((p.clone(), (start, end, writes)));
        }
    }
    kept.into_iter().map(|(p, _)| p).collect()
}

/// Polls the inner future at most `left` times, then drops it.
struct Limit<F> {
    fut: Option<F>,
    left: Option<u8>,
}

impl<F: Future + Unpin> Future for Limit<F> {
    type Output = Option<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(left) = &mut self.left {
            if *left == 0 {
                self.fut = None;
                return Poll::Ready(None);
            }
            *left -= 1;
        }
        let Some(fut) = self.fut.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(fut).poll(cx) {
            Poll::Ready(out) => Poll::Ready(Some(out)),
            Poll::Pending if self.left == Some(0) => {
                self.fut = None;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// What one operation came to.
#[derive(Debug)]
enum Got {
    Cancelled,
    Read(io::Result<usize>, Vec<u8>),
    Written(io::Result<usize>),
}

async fn run_one(file: PositionalFile, p: Planned) -> Got {
    let limit = p.cancel_after;
    let out = match p.op {
        Op::Read { offset, len, exact } => {
            if exact {
                let fut = file.read_exact_at(vec![0xEE; len], offset);
                Limit {
                    fut: Some(fut),
                    left: limit,
                }
                .await
                .map(|(r, b)| Got::Read(r.map(|()| len), b))
            } else {
                let fut = file.read_at(vec![0xEE; len], offset);
                Limit {
                    fut: Some(fut),
                    left: limit,
                }
                .await
                .map(|(r, b)| Got::Read(r, b))
            }
        }
        Op::Write { offset, data, all } => {
            let len = data.len();
            if all {
                let fut = file.write_all_at(data, offset);
                Limit {
                    fut: Some(fut),
                    left: limit,
                }
                .await
                .map(|(r, _)| Got::Written(r.map(|()| len)))
            } else {
                let fut = file.write_at(data, offset);
                Limit {
                    fut: Some(fut),
                    left: limit,
                }
                .await
                .map(|(r, _)| Got::Written(r))
            }
        }
    };
    out.unwrap_or(Got::Cancelled)
}

fn apply(model: &mut Vec<u8>, offset: u64, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    let (start, end) = (offset as usize, offset as usize + data.len());
    if model.len() < end {
        model.resize(end, 0);
    }
    model[start..end].copy_from_slice(data);
}

async fn check(case: Case) -> Result<(), TestCaseError> {
    let std_file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut &std_file, &case.initial).unwrap();
    let file = PositionalFile::builder()
        .inline_reads(case.inline_reads)
        .build(std_file);
    let mut model = case.initial.clone();
    for batch in &case.batches {
        let batch = without_races(batch, model.len() as u64);
        let tasks: Vec<_> = batch
            .iter()
            .cloned()
            .map(|p| tokio::spawn(run_one(file.clone(), p)))
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        file.sync_data()
            .await
            .map_err(|e| TestCaseError::fail(format!("sync after the batch: {e}")))?;

        let before = model.clone();
        for (p, got) in batch.iter().zip(results) {
            match (&p.op, got) {
                (Op::Read { offset, len, exact }, Got::Read(res, buf)) => {
                    let start = (*offset as usize).min(before.len());
                    let available = before.len() - start;
                    let expected = (*len).min(available);
                    if *exact {
                        if *len <= available {
                            prop_assert!(res.is_ok(), "{:?}: {:?}", p, res);
                            prop_assert_eq!(&buf[..], &before[start..start + len]);
                        } else {
                            let e = res.unwrap_err();
                            prop_assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
                        }
                    } else {
                        let n = res.map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert!(n <= expected, "read {} of at most {}", n, expected);
                        prop_assert!(n > 0 || expected == 0, "{:?} read nothing", p);
                        prop_assert_eq!(&buf[..n], &before[start..start + n]);
                        prop_assert!(buf[n..].iter().all(|&b| b == 0xEE));
                    }
                }
                (Op::Write { offset, data, .. }, Got::Written(res)) => {
                    let n = res.map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(n, data.len(), "a short write to a regular file");
                    apply(&mut model, *offset, data);
                }
                (Op::Write { offset, data, .. }, Got::Cancelled) => {
                    // Polled at least once: completed in full on the pool (the sync waited).
                    if p.cancel_after != Some(0) {
                        apply(&mut model, *offset, data);
                    }
                }
                (Op::Read { .. }, Got::Cancelled) => {}
                (op, got) => {
                    return Err(TestCaseError::fail(format!("{op:?} gave {got:?}")));
                }
            }
        }
        prop_assert_eq!(file.len().await.unwrap(), model.len() as u64);
    }
    let (res, buf) = file.read_exact_at(vec![0; model.len()], 0).await;
    res.unwrap();
    prop_assert_eq!(buf, model);
    Ok(())
}

fn run_on(rt: tokio::runtime::Runtime, name: &str) {
    support::watchdog(name, move || {
        let mut runner = TestRunner::new(Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&case(), |case| rt.block_on(check(case)))
            .unwrap();
    });
}

#[test]
fn matches_the_model_on_current_thread() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    run_on(rt, "matches_the_model_on_current_thread");
}

#[test]
fn matches_the_model_on_multi_thread() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    run_on(rt, "matches_the_model_on_multi_thread");
}
