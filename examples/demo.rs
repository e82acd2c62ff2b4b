//! Every adapter in iocompat doing real work on data the demo makes itself.
//!
//! Run with `cargo run --example demo`.

fn main() {
    println!("iocompat demo");
    futures01_demo();
}

#[cfg(feature = "futures01")]
#[path = "legacy_echo.rs"]
#[allow(dead_code)]
mod legacy_echo;

/// futures 0.1 / tokio-io 0.1 code on tokio 1: the `legacy_echo` server, a 0.3 `async` block
/// run by 0.1 `wait()`, and a tokio 1 reader framed by a tokio-io 0.1 codec.
#[cfg(feature = "futures01")]
#[allow(deprecated)] // tokio-io 0.1's codec module, as legacy code uses it
fn futures01_demo() {
    use futures01::{Future as _, Stream as _};
    use iocompat::futures01::{TokioAsyncRead01CompatExt, TryFutureCompatExt};

    let answer = async { Ok::<u32, ()>(6 * 7) }.compat().wait();
    println!("futures01: an async block run by 0.1 wait(): {answer:?}");

    let modern: &[u8] = b"from\ntokio 1\n";
    let lines: Vec<String> =
        tokio_io01::codec::FramedRead::new(modern.compat01(), tokio_io01::codec::LinesCodec::new())
            .collect()
            .wait()
            .expect("reading from a byte slice cannot fail");
    println!("futures01: a tokio 1 reader through a tokio-io 0.1 codec: {lines:?}");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(legacy_echo::serve(listener, 1));
        let replies = legacy_echo::client(addr, &["hello", "legacy"]).await?;
        println!("futures01: the futures 0.1 echo server on tokio 1 replied {replies:?}");
        server.await.map_err(std::io::Error::other)?.map(drop)
    })
    .expect("the legacy echo round trip");
}

#[cfg(not(feature = "futures01"))]
fn futures01_demo() {
    println!("futures01: run with `--features futures01` to see futures 0.1 code on tokio 1");
}
