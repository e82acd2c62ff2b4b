//! Benchmarks for `Unblock` against its peers (filled in with the adapter).

fn main() {}
