//! Duplex values (blocking sockets and pipes) in a single `Unblock`: no deadlock, read-ahead
//! kept across writes.
#![cfg(all(unix, feature = "tokio", feature = "futures-io"))]

use crate::support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;

use iocompat::Unblock;
use support::on_all;

/// The peer: answers every line with "re: <line>".
fn spawn_echo_peer(peer: UnixStream, rounds: usize) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut out = peer.try_clone().unwrap();
        let mut lines = BufReader::new(peer);
        for _ in 0..rounds {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap() == 0 {
                return;
            }
            out.write_all(format!("re: {line}").as_bytes()).unwrap();
        }
    })
}

#[test]
fn request_response_rounds_over_a_blocking_socket_complete() {
    on_all(|| async {
        use futures::io::{AsyncBufReadExt, AsyncWriteExt};
        const ROUNDS: usize = 200;
        let (ours, peer) = UnixStream::pair().unwrap();
        let peer = spawn_echo_peer(peer, ROUNDS);
        let mut io = Unblock::new(ours);
        let mut line = String::new();
        for i in 0..ROUNDS {
            io.write_all(format!("ping {i}\n").as_bytes())
                .await
                .unwrap();
            io.flush().await.unwrap();
            line.clear();
            io.read_line(&mut line).await.unwrap();
            assert_eq!(line, format!("re: ping {i}\n"));
        }
        peer.join().unwrap();
    });
}

#[test]
fn request_response_without_explicit_flush_completes() {
    // Reading first writes out what is buffered, so forgetting `flush` cannot deadlock.
    on_all(|| async {
        use futures::io::{AsyncBufReadExt, AsyncWriteExt};
        let (ours, peer) = UnixStream::pair().unwrap();
        let peer = spawn_echo_peer(peer, 20);
        let mut io = Unblock::new(ours);
        let mut line = String::new();
        for i in 0..20 {
            io.write_all(format!("q{i}\n").as_bytes()).await.unwrap();
            line.clear();
            io.read_line(&mut line).await.unwrap();
            assert_eq!(line, format!("re: q{i}\n"));
        }
        peer.join().unwrap();
    });
}

#[test]
fn unread_bytes_of_a_socket_survive_a_write() {
    on_all(|| async {
        use futures::io::{AsyncReadExt, AsyncWriteExt};
        let (ours, mut peer) = UnixStream::pair().unwrap();
        peer.write_all(b"abcdef").unwrap();
        let mut io = Unblock::new(ours);
        let mut two = [0u8; 2];
        io.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"ab");
        // "cdef" is read ahead; the write must not throw it away (a socket cannot seek).
        io.write_all(b"x").await.unwrap();
        io.flush().await.unwrap();
        let mut rest = [0u8; 4];
        io.read_exact(&mut rest).await.unwrap();
        assert_eq!(&rest, b"cdef");
        let mut got = [0u8; 1];
        std::io::Read::read_exact(&mut peer, &mut got).unwrap();
        assert_eq!(&got, b"x");
        // into_inner refuses to drop unread bytes of a value that cannot seek back...
        peer.write_all(b"tail").unwrap();
        let mut t = [0u8; 1];
        io.read_exact(&mut t).await.unwrap();
        let err = io.into_inner().await.unwrap_err();
        assert!(err.to_string().contains("into_parts"), "{err}");
        // ...and into_parts hands them over.
        let (_sock, unread) = err.into_unblock().into_parts().await.unwrap();
        assert_eq!(unread, b"ail");
    });
}
