//! What the `dropin_*` tests share: each program run on the executors its crate's docs use,
//! each run bounded in time.
#![allow(dead_code)]

use std::future::Future;

#[path = "bounded.rs"]
mod bounded;
pub use bounded::bounded;

/// An executor a drop-in program runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Executor {
    TokioCurrentThread,
    TokioMultiThread,
    /// `futures::executor::block_on`, no tokio runtime current.
    BlockOn,
}

impl Executor {
    pub const ALL: [Executor; 3] = [
        Executor::TokioCurrentThread,
        Executor::TokioMultiThread,
        Executor::BlockOn,
    ];
    pub const TOKIO: [Executor; 2] = [Executor::TokioCurrentThread, Executor::TokioMultiThread];

    /// Runs the future `make` returns to completion on this executor, on a fresh thread,
    /// failing if it takes longer than the bound.
    pub fn run<T: Send + 'static, F: Future<Output = T> + 'static>(self, make: fn() -> F) -> T {
        bounded(move || match self {
            Executor::TokioCurrentThread => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(make()),
            Executor::TokioMultiThread => tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap()
                .block_on(make()),
            Executor::BlockOn => futures::executor::block_on(make()),
        })
    }
}

/// Runs `make`'s future on each of `executors`, returning the answers in order.
pub fn on_each<T: Send + 'static, F: Future<Output = T> + 'static>(
    executors: &[Executor],
    make: fn() -> F,
) -> Vec<T> {
    executors.iter().map(|e| e.run(make)).collect()
}
