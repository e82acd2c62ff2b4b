//! `examples/legacy_tokio01.rs`: the 2019 tokio 0.1 program runs to the end on tokio 1, within
//! a bound, each of its steps reporting.

#![cfg(feature = "tokio01")]

use crate::bounded;

#[allow(dead_code)]
#[path = "../../examples/legacy_tokio01.rs"]
mod example;

use std::sync::mpsc;

/// The legacy program under `iocompat::tokio01::run`: every step (interval, echo, timeout,
/// delay) reports, and `run` returned only after all of them.
#[test]
fn the_legacy_program_runs_every_step_under_run() {
    let done = bounded::bounded(|| {
        let (events, reported) = mpsc::channel();
        iocompat::tokio01::run(example::legacy::program(events));
        let mut done: Vec<_> = reported.try_iter().collect();
        done.sort_unstable();
        done
    });
    assert_eq!(done, ["delay", "echo", "interval", "timeout"]);
}

/// The example's `main` as `cargo run --example legacy_tokio01` runs it, tokio 1 task included
/// (it asserts its own results).
#[test]
fn the_example_main_runs_and_returns() {
    bounded::bounded(example::main);
}
