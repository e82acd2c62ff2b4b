//! The `legacy_echo` example (a futures 0.1 / tokio-io 0.1 server on tokio 1) talked to by
//! modern tokio 1 clients.

#![cfg(feature = "futures01")]

use crate::bounded;

#[path = "../../examples/legacy_echo.rs"]
#[allow(dead_code)]
mod legacy_echo;

use bounded::{Exec, run_on};

fn echo_round(exec: Exec, clients: usize) {
    let (echoed, replies) = run_on(exec, move || async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(legacy_echo::serve(listener, clients));
        let mut all = Vec::new();
        let clients: Vec<_> = (0..clients)
            .map(|c| {
                tokio::spawn(async move {
                    let lines: Vec<String> =
                        (0..50).map(|i| format!("client {c} line {i}")).collect();
                    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
                    legacy_echo::client(addr, &refs).await.unwrap()
                })
            })
            .collect();
        for c in clients {
            all.push(c.await.unwrap());
        }
        (server.await.unwrap().unwrap(), all)
    });
    assert_eq!(echoed, 50 * replies.len() as u64);
    for (c, got) in replies.iter().enumerate() {
        let expected: Vec<String> = (0..50)
            .map(|i| format!("echo: client {c} line {i}"))
            .collect();
        assert_eq!(got, &expected, "client {c}");
    }
}

#[test]
fn legacy_echo_serves_modern_clients_on_a_multi_thread_runtime() {
    echo_round(Exec::TokioMultiThread, 4);
}

#[test]
fn legacy_echo_serves_modern_clients_on_a_current_thread_runtime() {
    echo_round(Exec::TokioCurrentThread, 3);
}

#[test]
fn a_client_that_leaves_without_quit_still_ends_its_session() {
    let echoed = run_on(Exec::TokioMultiThread, || async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(legacy_echo::serve(listener, 1));
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"only line\n").await.unwrap();
        s.shutdown().await.unwrap();
        let mut back = String::new();
        s.read_to_string(&mut back).await.unwrap();
        assert_eq!(back, "echo: only line\n");
        server.await.unwrap().unwrap()
    });
    assert_eq!(echoed, 1);
}
