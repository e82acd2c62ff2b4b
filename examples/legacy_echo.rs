//! A line-based echo server written the futures 0.1 / tokio-io 0.1 way (a tokio-io 0.1 codec,
//! 0.1 `Stream` / `Sink` combinators, `Async::Ready` / `NotReady` in a hand-written `poll`),
//! running on a tokio 1 `TcpListener` through `iocompat::futures01`, talked to by a modern
//! tokio 1 client.
//!
//! Run with `cargo run --example legacy_echo --features futures01`. It binds 127.0.0.1 on a
//! free port, serves two clients, prints what they got back, and exits.

// tokio-io 0.1's `codec` module was deprecated in favour of tokio-codec 0.1, which legacy code
// uses just as often; the types and behaviour are the same.
#![allow(deprecated)]

use std::io;

use futures01::future::Executor as _;
use futures01::{
    Async, AsyncSink, Future as Future01, Poll as Poll01, Sink as Sink01, Stream as Stream01,
};
use iocompat::futures01::{Future01CompatExt, TokioAsyncRead01CompatExt, TokioExecutor01};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_io01::codec::LinesCodec;
use tokio_io01::{AsyncRead as AsyncRead01, AsyncWrite as AsyncWrite01};

/// Legacy: writes every reply of `replies` into `sink`, then closes the sink; answers how many
/// lines it echoed. Hand-written the futures 0.1 way.
struct Echo<St, Si> {
    replies: St,
    sink: Si,
    pending: Option<String>,
    echoed: u64,
}

impl<St, Si> Future01 for Echo<St, Si>
where
    St: Stream01<Item = String, Error = io::Error>,
    Si: Sink01<SinkItem = String, SinkError = io::Error>,
{
    type Item = u64;
    type Error = io::Error;

    fn poll(&mut self) -> Poll01<u64, io::Error> {
        loop {
            if let Some(line) = self.pending.take() {
                match self.sink.start_send(line)? {
                    AsyncSink::Ready => self.echoed += 1,
                    AsyncSink::NotReady(line) => {
                        self.pending = Some(line);
                        return Ok(Async::NotReady);
                    }
                }
            }
            match self.replies.poll()? {
                Async::Ready(Some(line)) => self.pending = Some(line),
                Async::Ready(None) => {
                    futures01::try_ready!(self.sink.close());
                    return Ok(Async::Ready(self.echoed));
                }
                Async::NotReady => {
                    futures01::try_ready!(self.sink.poll_complete());
                    return Ok(Async::NotReady);
                }
            }
        }
    }
}

/// Legacy: one connection. Frames `io` into lines with a tokio-io 0.1 codec, echoes each line
/// back as `echo: <line>` until the client sends `quit` or closes.
fn legacy_session<T>(io: T) -> impl Future01<Item = u64, Error = io::Error>
where
    T: AsyncRead01 + AsyncWrite01,
{
    let (sink, stream) = io.framed(LinesCodec::new()).split();
    let replies = stream
        .take_while(|line| Ok(line != "quit"))
        .map(|line| format!("echo: {line}"));
    Echo {
        replies,
        sink,
        pending: None,
        echoed: 0,
    }
}

/// Accepts `connections` clients on `listener`, runs each legacy session as a futures 0.1 task
/// spawned through the 0.1 `Executor` API onto the current tokio 1 runtime, and answers how many
/// lines were echoed in all once every session has ended.
///
/// # Errors
///
/// An accept error, a session's I/O error, or no tokio runtime being current.
pub async fn serve(listener: TcpListener, connections: usize) -> io::Result<u64> {
    let exec = TokioExecutor01::try_current().map_err(io::Error::other)?;
    let mut done = Vec::new();
    for _ in 0..connections {
        let (socket, _) = listener.accept().await?;
        let (tx, rx) = futures01::sync::oneshot::channel();
        let session = legacy_session(socket.compat01()).then(|result| {
            let _ = tx.send(result);
            Ok(())
        });
        exec.execute(session)
            .map_err(|_| io::Error::other("the tokio runtime has shut down"))?;
        done.push(rx);
    }
    let mut echoed = 0;
    for rx in done {
        echoed += rx
            .compat()
            .await
            .map_err(|_| io::Error::other("a session was dropped before it finished"))??;
    }
    Ok(echoed)
}

/// A modern tokio 1 client: sends `lines`, then `quit`, and answers the replies.
///
/// # Errors
///
/// Any I/O error talking to the server.
pub async fn client(addr: std::net::SocketAddr, lines: &[&str]) -> io::Result<Vec<String>> {
    let stream = TcpStream::connect(addr).await?;
    let (read, mut write) = stream.into_split();
    for line in lines {
        write.write_all(format!("{line}\n").as_bytes()).await?;
    }
    write.write_all(b"quit\n").await?;
    let mut replies = Vec::new();
    let mut reader = BufReader::new(read).lines();
    while let Some(line) = reader.next_line().await? {
        replies.push(line);
    }
    Ok(replies)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("legacy echo server on {addr}");
    let server = tokio::spawn(serve(listener, 2));
    for (who, lines) in [("alice", ["hello", "world"]), ("bob", ["legacy", "code"])] {
        let replies = client(addr, &lines).await?;
        println!("{who} got back {replies:?}");
    }
    let echoed = server.await.map_err(io::Error::other)??;
    println!("the futures 0.1 sessions echoed {echoed} lines in all");
    Ok(())
}
