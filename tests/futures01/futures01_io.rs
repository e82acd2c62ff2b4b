//! tokio-io 0.1 <-> tokio 1 and futures-io, in one hop.

#![cfg(feature = "futures01")]

use crate::bounded;
use crate::data;
use crate::legacy_io;
use data::data;

use std::io::{self, BufRead, IoSlice, Read, Seek, Write};

use bounded::{ALL_EXECS, Exec, bounded, run_on};
use futures01::Future as Future01;
use iocompat::futures01::{
    AsyncRead01CompatExt, AsyncReadCompatExt, AsyncWrite01CompatExt, AsyncWriteCompatExt, Compat,
    Compat01As03, Future01CompatExt, Tokio01As1, Tokio1As01, TokioAsyncRead01CompatExt,
    TokioAsyncWrite01CompatExt,
};
use legacy_io::{Chaos, LegacyReader, LegacyWriter, Step};
use proptest::prelude::*;

fn choppy_script(bytes: &[u8]) -> Vec<Step> {
    let mut script = Vec::new();
    for (i, chunk) in bytes.chunks(37).enumerate() {
        script.push(if i % 2 == 0 {
            Step::WouldBlock
        } else {
            Step::Interrupted
        });
        script.push(Step::Data(chunk.to_vec()));
    }
    script
}

#[test]
fn a_legacy_reader_reads_through_tokio_1_on_every_executor() {
    for exec in ALL_EXECS {
        let expected = data(5000);
        let script = choppy_script(&expected);
        let got = run_on(exec, move || async move {
            use tokio::io::AsyncReadExt;
            let mut r = LegacyReader::new(script).compat_tokio();
            let mut out = Vec::new();
            r.read_to_end(&mut out).await.unwrap();
            out
        });
        assert_eq!(got, expected, "{exec:?}");
    }
}

#[test]
fn a_legacy_reader_reads_through_futures_io() {
    let expected = data(3000);
    let script = choppy_script(&expected);
    let got = run_on(Exec::FuturesBlockOn, move || async move {
        use futures::AsyncReadExt;
        let mut r = LegacyReader::new(script).compat();
        let mut out = Vec::new();
        r.read_to_end(&mut out).await.unwrap();
        out
    });
    assert_eq!(got, expected);
}

#[test]
fn a_legacy_read_error_is_surfaced_whole_after_the_bytes_before_it() {
    let got = run_on(Exec::TokioCurrentThread, || async {
        use tokio::io::AsyncReadExt;
        let mut r = LegacyReader::new([
            Step::Data(b"abc".to_vec()),
            Step::Fail(io::ErrorKind::ConnectionReset, "peer went away"),
        ])
        .compat_tokio();
        let mut buf = [0u8; 16];
        let n = r.read(&mut buf).await.unwrap();
        let err = r.read(&mut buf).await.unwrap_err();
        (buf[..n].to_vec(), err.kind(), err.to_string())
    });
    assert_eq!(got.0, b"abc");
    assert_eq!(got.1, io::ErrorKind::ConnectionReset);
    assert_eq!(got.2, "peer went away");
}

#[test]
fn a_legacy_reader_claiming_more_than_the_buffer_is_an_error_not_a_panic() {
    for exec in ALL_EXECS {
        let err = run_on(exec, || async {
            use tokio::io::AsyncReadExt;
            let mut r = LegacyReader::new([Step::Overrun(3)]).compat_tokio();
            r.read(&mut [0u8; 8]).await.unwrap_err()
        });
        assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{exec:?}");
        assert!(
            err.to_string()
                .contains("returned 11 bytes for a 8-byte buffer"),
            "{err}"
        );
    }
}

#[test]
fn a_legacy_bufread_is_a_tokio_and_futures_io_async_bufread() {
    let text = b"first line\nsecond\nthird".to_vec();
    let script = choppy_script(&text);
    let got = run_on(Exec::TokioMultiThread, move || async move {
        use tokio::io::AsyncBufReadExt;
        let mut r = io::BufReader::with_capacity(8, LegacyReader::new(script)).compat_tokio();
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).await.unwrap() == 0 {
                break lines;
            }
            lines.push(line);
        }
    });
    assert_eq!(got, ["first line\n", "second\n", "third"]);

    let script = choppy_script(b"a\nb\n");
    let got = run_on(Exec::FuturesBlockOn, move || async move {
        use futures::{AsyncBufReadExt, TryStreamExt};
        let r = io::BufReader::with_capacity(3, LegacyReader::new(script)).compat();
        r.lines().try_collect::<Vec<_>>().await.unwrap()
    });
    assert_eq!(got, ["a", "b"]);
}

#[test]
fn a_legacy_writer_gets_every_byte_vectored_writes_and_a_flush_before_shutdown() {
    for exec in ALL_EXECS {
        let w = run_on(exec, || async {
            use tokio::io::AsyncWriteExt;
            let mut w = LegacyWriter::new(5, true).compat_tokio();
            w.write_all(&data(1000)).await.unwrap();
            let n = w
                .write_vectored(&[IoSlice::new(b"xy"), IoSlice::new(b"z")])
                .await
                .unwrap();
            assert_eq!(n, 3);
            w.shutdown().await.unwrap();
            w.into_inner()
        });
        let mut expected = data(1000);
        expected.extend_from_slice(b"xyz");
        assert_eq!(w.written, expected, "{exec:?}");
        assert!(w.calls.contains(&"write_vectored"), "{exec:?}");
        assert_eq!(
            w.calls[w.calls.len() - 2..],
            ["flush", "shutdown"],
            "{exec:?}"
        );
        assert_eq!(w.flushed, expected.len());
    }
}

#[test]
fn a_legacy_writer_closes_through_futures_io() {
    let w = run_on(Exec::FuturesBlockOn, || async {
        use futures::AsyncWriteExt;
        let mut w = LegacyWriter::new(7, true).compat();
        w.write_all(b"hello futures-io").await.unwrap();
        w.close().await.unwrap();
        w.into_inner()
    });
    assert_eq!(w.written, b"hello futures-io");
    assert_eq!(w.calls[w.calls.len() - 2..], ["flush", "shutdown"]);
}

#[test]
// tokio-io 0.1's codec module is deprecated in favour of tokio-codec 0.1; legacy code uses both.
#[allow(deprecated)]
fn a_tokio_1_reader_runs_a_tokio_io_01_codec_under_01_wait() {
    let lines = bounded(|| {
        use futures01::Stream as _;
        let text: &'static [u8] = b"alpha\nbeta\ngamma\n";
        let modern = Chaos::new(text, 3);
        let framed = tokio_io01::codec::FramedRead::new(
            modern.compat01(),
            tokio_io01::codec::LinesCodec::new(),
        );
        framed.collect().wait().unwrap()
    });
    assert_eq!(lines, ["alpha", "beta", "gamma"]);
}

#[test]
fn a_tokio_1_reader_gives_every_byte_to_01_read_to_end() {
    let expected = data(10_000);
    let exp = expected.clone();
    let got = bounded(move || {
        let modern = Chaos::new(std::io::Cursor::new(exp), 333);
        let (_, got) = tokio_io01::io::read_to_end(modern.compat01(), Vec::new())
            .wait()
            .unwrap();
        got
    });
    assert_eq!(got, expected);
}

#[test]
fn a_tokio_1_bufread_is_a_std_bufread_for_01_lines() {
    let got = bounded(|| {
        use futures01::Stream as _;
        let modern = tokio::io::BufReader::with_capacity(4, Chaos::new(&b"one\ntwo\nthree"[..], 2));
        tokio_io01::io::lines(io::BufReader::new(
            Tokio1As01::new(modern).into_inner().compat01(),
        ))
        .collect()
        .wait()
        .unwrap()
    });
    assert_eq!(got, ["one", "two", "three"]);

    let got = bounded(|| {
        let mut r = Tokio1As01::new(tokio::io::BufReader::new(&b"xyz"[..]));
        futures01::future::lazy(move || {
            let buf = r.fill_buf()?.to_vec();
            r.consume(2);
            let rest = r.fill_buf()?.to_vec();
            Ok::<_, io::Error>((buf, rest))
        })
        .wait()
        .unwrap()
    });
    assert_eq!(got, (b"xyz".to_vec(), b"z".to_vec()));
}

#[test]
fn a_tokio_1_writer_gets_vectored_writes_and_shutdown_from_01_code() {
    let chaos = bounded(|| {
        let w = Chaos::new(Vec::<u8>::new(), 4).compat01_write();
        let (w, _) = tokio_io01::io::write_all(w, data(777)).wait().unwrap();
        let mut w = Some(w);
        let w = futures01::future::poll_fn(move || -> futures01::Poll<_, io::Error> {
            let slices = [IoSlice::new(b""), IoSlice::new(b"tail")];
            match w.as_mut().unwrap().write_vectored(&slices) {
                Ok(n) => {
                    assert_eq!(n, 4);
                    Ok(futures01::Async::Ready(w.take().unwrap()))
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(futures01::Async::NotReady),
                Err(e) => Err(e),
            }
        })
        .wait()
        .unwrap();
        tokio_io01::io::shutdown(w).wait().unwrap().into_inner()
    });
    let mut expected = data(777);
    expected.extend_from_slice(b"tail");
    assert_eq!(chaos.inner, expected);
    assert_eq!(chaos.vectored_calls, 1);
    assert_eq!(chaos.shutdowns, 1);
}

#[test]
fn a_futures_io_value_runs_under_01_read_and_write() {
    let expected = data(4096);
    let exp = expected.clone();
    let (got, written) = bounded(move || {
        let modern = Chaos::new(futures::io::Cursor::new(exp), 100);
        let (_, got) = tokio_io01::io::read_to_end(AsyncReadCompatExt::compat(modern), Vec::new())
            .wait()
            .unwrap();
        let sink = Chaos::new(futures::io::Cursor::new(Vec::new()), 9).compat_write();
        let (sink, _) = tokio_io01::io::write_all(sink, b"written via 0.1")
            .wait()
            .unwrap();
        let sink = tokio_io01::io::shutdown(sink).wait().unwrap();
        let chaos = sink.into_inner();
        assert_eq!(chaos.shutdowns, 1);
        (got, chaos.inner.into_inner())
    });
    assert_eq!(got, expected);
    assert_eq!(written, b"written via 0.1");
}

#[test]
fn outside_a_01_task_every_io_call_is_a_clear_error() {
    fn check(e: io::Error, call: &str) {
        assert_eq!(e.kind(), io::ErrorKind::Other, "{call}");
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!(
                "iocompat::futures01::{call}: called outside a futures 0.1 task"
            )),
            "{msg}"
        );
        // ...and how to fix it.
        assert!(msg.contains("futures01::future::lazy"), "{msg}");
        assert!(msg.contains("`.compat()`"), "{msg}");
    }
    let mut t = Tokio1As01::new(tokio::io::BufReader::new(&b"abc"[..]));
    check(t.read(&mut [0; 4]).unwrap_err(), "Tokio1As01::read");
    check(t.fill_buf().unwrap_err(), "Tokio1As01::fill_buf");
    let mut t = Tokio1As01::new(Vec::<u8>::new());
    check(t.write(b"x").unwrap_err(), "Tokio1As01::write");
    check(
        t.write_vectored(&[IoSlice::new(b"x")]).unwrap_err(),
        "Tokio1As01::write_vectored",
    );
    check(t.flush().unwrap_err(), "Tokio1As01::flush");
    check(
        tokio_io01::AsyncWrite::shutdown(&mut t).unwrap_err(),
        "Tokio1As01::shutdown",
    );
    assert!(t.get_ref().is_empty(), "nothing was written");

    let mut c = Compat::new(futures::io::Cursor::new(b"abc".to_vec()));
    check(c.read(&mut [0; 4]).unwrap_err(), "Compat::read");
    check(c.fill_buf().unwrap_err(), "Compat::fill_buf");
    check(c.write(b"x").unwrap_err(), "Compat::write");
    check(c.flush().unwrap_err(), "Compat::flush");
    check(
        tokio_io01::AsyncWrite::shutdown(&mut c).unwrap_err(),
        "Compat::shutdown",
    );
    assert_eq!(c.get_ref().position(), 0, "nothing was read or written");
}

/// What the outside-a-task error tells the caller to do works: the same call inside
/// `futures01::future::lazy`, waited on by 0.1 or polled through `.compat()` by tokio 1.
#[test]
fn the_fix_the_outside_a_task_error_names_works() {
    for exec in [Exec::TokioCurrentThread, Exec::FuturesBlockOn] {
        let written = run_on(exec, || async {
            let mut w = Tokio1As01::new(Vec::<u8>::new());
            assert!(w.write(b"lost").is_err());
            let n = futures01::future::lazy(|| w.write(b"ab")).wait().unwrap();
            let m = futures01::future::lazy(|| w.write(b"cd"))
                .compat()
                .await
                .unwrap();
            assert_eq!((n, m), (2, 2));
            w.into_inner()
        });
        assert_eq!(written, b"abcd", "{exec:?}");
    }
}

fn script_from(bytes: &[u8], cuts: &[(usize, u8)]) -> Vec<Step> {
    let mut script = Vec::new();
    let mut rest = bytes;
    for &(len, kind) in cuts {
        if rest.is_empty() {
            break;
        }
        match kind % 3 {
            0 => script.push(Step::WouldBlock),
            1 => script.push(Step::Interrupted),
            _ => {}
        }
        let n = len.clamp(1, rest.len());
        script.push(Step::Data(rest[..n].to_vec()));
        rest = &rest[n..];
    }
    if !rest.is_empty() {
        script.push(Step::Data(rest.to_vec()));
    }
    script
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any chunking and interleaving of `WouldBlock` / `Interrupted` on the 0.1 side: tokio 1
    /// reads exactly the bytes a `Cursor` holds, with any read-buffer size.
    #[test]
    fn legacy_reads_match_a_cursor(
        bytes in proptest::collection::vec(any::<u8>(), 0..2000),
        cuts in proptest::collection::vec((1usize..300, any::<u8>()), 0..40),
        buf_len in 1usize..700,
    ) {
        let script = script_from(&bytes, &cuts);
        let got = run_on(Exec::TokioCurrentThread, move || async move {
            use tokio::io::AsyncReadExt;
            let mut r = LegacyReader::new(script).compat_tokio();
            let mut out = Vec::new();
            let mut buf = vec![0; buf_len];
            loop {
                let n = r.read(&mut buf).await.unwrap();
                if n == 0 { break out; }
                out.extend_from_slice(&buf[..n]);
            }
        });
        let mut model = Vec::new();
        std::io::Cursor::new(&bytes).read_to_end(&mut model).unwrap();
        prop_assert_eq!(got, model);
    }

    /// Any chunk limit and `Pending` on the tokio 1 side: 0.1 `read_to_end` gets exactly the
    /// bytes a `Cursor` holds.
    #[test]
    fn modern_reads_from_01_match_a_cursor(
        bytes in proptest::collection::vec(any::<u8>(), 0..2000),
        max in 1usize..500,
    ) {
        let b = bytes.clone();
        let got = bounded(move || {
            let modern = Chaos::new(std::io::Cursor::new(b), max);
            tokio_io01::io::read_to_end(modern.compat01(), Vec::new()).wait().unwrap().1
        });
        prop_assert_eq!(got, bytes);
    }
}

#[test]
fn a_cancelled_read_loses_no_bytes() {
    for exec in ALL_EXECS {
        let got = run_on(exec, || async {
            use tokio::io::AsyncReadExt;
            let mut r = LegacyReader::new([
                Step::WouldBlock,
                Step::Data(b"abc".to_vec()),
                Step::WouldBlock,
                Step::Data(b"def".to_vec()),
            ])
            .compat_tokio();
            let mut buf = [0u8; 2];
            // The first read answers Pending; drop it there.
            {
                let read = std::pin::pin!(r.read(&mut buf));
                assert!(futures::poll!(read).is_pending());
            }
            let mut out = Vec::new();
            r.read_to_end(&mut out).await.unwrap();
            out
        });
        assert_eq!(got, b"abcdef", "{exec:?}");
    }
}

#[test]
fn a_futures_io_writer_gets_vectored_writes_from_01_code() {
    let written = bounded(|| {
        let mut w = Compat::new(futures::io::Cursor::new(Vec::new()));
        futures01::future::poll_fn(move || -> futures01::Poll<Vec<u8>, io::Error> {
            let n = w.write_vectored(&[IoSlice::new(b"ab"), IoSlice::new(b"cd")])?;
            assert_eq!(n, 4, "futures-io's Cursor writes every slice");
            Ok(futures01::Async::Ready(w.get_ref().get_ref().clone()))
        })
        .wait()
        .unwrap()
    });
    assert_eq!(written, b"abcd");
}

#[test]
fn a_legacy_seekable_value_seeks_through_tokio_1_and_futures_io() {
    let got = run_on(Exec::TokioCurrentThread, || async {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let mut r = Tokio01As1::new(std::io::Cursor::new(b"0123456789".to_vec()));
        let mut two = [0u8; 2];
        r.read_exact(&mut two).await.unwrap();
        // No seek started: `poll_complete` reports the real position, not a placeholder.
        let here = std::future::poll_fn(|cx| {
            tokio::io::AsyncSeek::poll_complete(std::pin::Pin::new(&mut r), cx)
        })
        .await
        .unwrap();
        let at = r.seek(io::SeekFrom::End(-3)).await.unwrap();
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).await.unwrap();
        let err = r.seek(io::SeekFrom::Current(-100)).await.unwrap_err();
        // Idle again after the error: a good seek works.
        let back = r.seek(io::SeekFrom::Start(1)).await.unwrap();
        (here, at, rest, err.kind(), back)
    });
    assert_eq!(got, (2, 7, b"789".to_vec(), io::ErrorKind::InvalidInput, 1));

    let got = run_on(Exec::FuturesBlockOn, || async {
        use futures::{AsyncReadExt, AsyncSeekExt};
        let mut r = Compat01As03::new(std::io::Cursor::new(b"abcdef".to_vec()));
        let at = r.seek(io::SeekFrom::Start(4)).await.unwrap();
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).await.unwrap();
        (at, rest)
    });
    assert_eq!(got, (4, b"ef".to_vec()));
}

#[test]
fn a_second_start_seek_before_completion_is_an_error() {
    use tokio::io::AsyncSeek;
    let mut r = Tokio01As1::new(std::io::Cursor::new(vec![0u8; 4]));
    std::pin::Pin::new(&mut r)
        .start_seek(io::SeekFrom::Start(1))
        .unwrap();
    let err = std::pin::Pin::new(&mut r)
        .start_seek(io::SeekFrom::Start(2))
        .unwrap_err();
    assert!(err.to_string().contains("call poll_complete"), "{err}");
}

#[test]
fn modern_seekable_values_seek_from_01_code() {
    let got = bounded(|| {
        let mut t = Tokio1As01::new(std::io::Cursor::new(b"0123456789".to_vec()));
        let mut c = Compat::new(futures::io::Cursor::new(b"abcdef".to_vec()));
        futures01::future::lazy(move || {
            let a = t.seek(io::SeekFrom::Start(8))?;
            let mut buf = Vec::new();
            t.read_to_end(&mut buf)?;
            let b = c.seek(io::SeekFrom::End(-1))?;
            Ok::<_, io::Error>((a, buf, b))
        })
        .wait()
        .unwrap()
    });
    assert_eq!(got, (8, b"89".to_vec(), 5));
    let mut t = Tokio1As01::new(std::io::Cursor::new(vec![1u8]));
    let err = t.seek(io::SeekFrom::Start(0)).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "iocompat::futures01::Tokio1As01::seek: called outside a futures 0.1 task"
        ),
        "{err}"
    );
}

#[test]
fn a_tokio_seek_that_would_block_is_finished_by_retrying_it() {
    let got = bounded(|| {
        let mut t = Tokio1As01::new(Chaos::new(std::io::Cursor::new(b"0123456789".to_vec()), 10));
        let mut blocked = 0;
        futures01::future::poll_fn(move || -> futures01::Poll<_, io::Error> {
            match t.seek(io::SeekFrom::Start(6)) {
                Ok(at) => {
                    // `read_to_end` keeps what it read before a `WouldBlock`; retry until EOF.
                    let mut rest = Vec::new();
                    loop {
                        match t.read_to_end(&mut rest) {
                            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                            Err(e) => return Err(e),
                            Ok(_) => break,
                        }
                    }
                    Ok(futures01::Async::Ready((at, rest, blocked)))
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    blocked += 1;
                    // A different seek while this one is in progress is refused.
                    let other = t.seek(io::SeekFrom::Start(1)).unwrap_err();
                    assert_eq!(other.kind(), io::ErrorKind::InvalidInput);
                    Ok(futures01::Async::NotReady)
                }
                Err(e) => Err(e),
            }
        })
        .wait()
        .unwrap()
    });
    assert_eq!(got, (6, b"6789".to_vec(), 1));
}

/// A tokio-io 0.1 writer that claims to have written more than it was given.
struct Overclaims;

impl Write for Overclaims {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len() + 1)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl tokio_io01::AsyncWrite for Overclaims {
    fn shutdown(&mut self) -> futures01::Poll<(), io::Error> {
        Ok(futures01::Async::Ready(()))
    }
}

#[test]
fn a_legacy_writer_claiming_more_than_the_buffer_is_an_error_not_a_panic() {
    let err = run_on(Exec::TokioCurrentThread, || async {
        use tokio::io::AsyncWriteExt;
        Overclaims
            .compat_tokio()
            .write_all(b"abc")
            .await
            .unwrap_err()
    });
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(
        err.to_string()
            .contains("poll_write: the wrapped value returned 4 bytes for a 3-byte buffer"),
        "{err}"
    );
}
