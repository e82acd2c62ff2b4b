//! `Unblock<T: Read>`: reading, buffered reading, read-ahead, errors.

#![cfg(all(feature = "tokio", feature = "futures-io"))]

use crate::support;
use support::data::data;

use std::io::{self, Cursor};

use iocompat::Unblock;
use support::mock::{Liar, Script};
use support::on_all;

#[test]
fn reads_everything_futures_io() {
    on_all(|| async {
        #[allow(unused_imports)]
        use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        let src = data(3_000_000);
        let mut r = Unblock::new(Cursor::new(src.clone()));
        let mut out = Vec::new();
        r.read_to_end(&mut out).await.unwrap();
        assert_eq!(out, src);
    });
}

#[test]
fn reads_everything_tokio() {
    on_all(|| async {
        use tokio::io::AsyncReadExt;
        let src = data(1_000_000);
        let mut r = Unblock::with_capacity(4096, Cursor::new(src.clone()));
        let mut out = Vec::new();
        r.read_to_end(&mut out).await.unwrap();
        assert_eq!(out, src);
    });
}

#[test]
fn lines_through_async_buf_read() {
    on_all(|| async {
        use tokio::io::AsyncBufReadExt;
        let text = (0..1000).map(|i| format!("line {i}\n")).collect::<String>();
        let mut lines = Unblock::new(Cursor::new(text.into_bytes())).lines();
        let mut n = 0;
        while let Some(line) = lines.next_line().await.unwrap() {
            assert_eq!(line, format!("line {n}"));
            n += 1;
        }
        assert_eq!(n, 1000);
    });
}

#[test]
fn interrupted_is_retried() {
    on_all(|| async {
        #[allow(unused_imports)]
        use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        let script = Script::new()
            .interrupted()
            .read(b"ab")
            .interrupted()
            .interrupted()
            .read(b"cd");
        let mut r = Unblock::new(script);
        let mut out = Vec::new();
        r.read_to_end(&mut out).await.unwrap();
        assert_eq!(out, b"abcd");
    });
}

#[test]
fn read_error_surfaces_whole_then_reading_continues() {
    on_all(|| async {
        #[allow(unused_imports)]
        use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        let script = Script::new()
            .read(b"before")
            .read_error(io::ErrorKind::ConnectionReset, "peer went away")
            .read(b"after");
        let mut r = Unblock::new(script);
        let mut buf = [0u8; 64];
        let n = r.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"before");
        let err = r.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(err.to_string(), "peer went away");
        let n = r.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"after");
        assert_eq!(r.read(&mut buf).await.unwrap(), 0);
    });
}

#[test]
fn os_error_code_is_kept() {
    on_all(|| async {
        #[allow(unused_imports)]
        use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        struct Eio;
        impl io::Read for Eio {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::from_raw_os_error(5))
            }
        }
        let mut r = Unblock::new(Eio);
        let err = r.read(&mut [0; 8]).await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(5));
    });
}

#[test]
fn reader_claiming_too_many_bytes_is_invalid_data() {
    on_all(|| async {
        #[allow(unused_imports)]
        use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        let mut r = Unblock::new(Liar);
        let err = r.read(&mut [0; 8]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("returned"), "{err}");
    });
}

#[test]
fn panic_in_reader_becomes_error_and_later_calls_fail() {
    on_all(|| async {
        #[allow(unused_imports)]
        use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        let mut r = Unblock::new(
            Script::new()
                .read(b"ok")
                .panic("decoder exploded")
                .lenient(),
        );
        let mut buf = [0u8; 8];
        assert_eq!(r.read(&mut buf).await.unwrap(), 2);
        let err = r.read(&mut buf).await.unwrap_err();
        assert!(err.to_string().contains("decoder exploded"), "{err}");
        let again = r.read(&mut buf).await.unwrap_err();
        assert!(again.to_string().contains("decoder exploded"), "{again}");
        assert!(again.to_string().contains("earlier"), "{again}");
    });
}

#[test]
fn capacity_zero_works() {
    on_all(|| async {
        #[allow(unused_imports)]
        use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        let src = data(1000);
        let mut r = Unblock::with_capacity(0, Cursor::new(src.clone()));
        assert_eq!(r.capacity(), 4);
        let mut out = Vec::new();
        r.read_to_end(&mut out).await.unwrap();
        assert_eq!(out, src);
    });
}

#[test]
fn fill_buf_hands_out_internal_buffer_without_copy() {
    on_all(|| async {
        #[allow(unused_imports)]
        use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        let mut r = Unblock::new(Cursor::new(data(100_000)));
        let first = r.fill_buf().await.unwrap().to_vec();
        assert!(!first.is_empty());
        // Without consume, the same bytes come back.
        assert_eq!(r.fill_buf().await.unwrap(), &first[..]);
        r.consume_unpin(first.len());
        let next = r.fill_buf().await.unwrap();
        assert_eq!(next[0], data(100_000)[first.len()]);
    });
}

#[test]
fn eof_then_more_data_is_read() {
    on_all(|| async {
        #[allow(unused_imports)]
        use futures::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        let script = Script::new().read(b"a").read(b"").read(b"b");
        let mut r = Unblock::new(script);
        let mut buf = [0u8; 4];
        assert_eq!(r.read(&mut buf).await.unwrap(), 1);
        assert_eq!(r.read(&mut buf).await.unwrap(), 0);
        assert_eq!(r.read(&mut buf).await.unwrap(), 1);
        assert_eq!(buf[0], b'b');
    });
}
