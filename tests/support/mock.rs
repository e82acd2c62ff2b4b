//! A scripted mock (tokio-test `io::Builder` style) and chaos wrappers.

use std::collections::VecDeque;
use std::io::{self, Read, Seek, SeekFrom, Write};

/// One step of a script.
#[derive(Debug)]
pub enum Step {
    Read(Vec<u8>),
    ReadError(io::ErrorKind, &'static str),
    Write(Vec<u8>),
    WriteError(io::ErrorKind, &'static str),
    Interrupted,
    Panic(&'static str),
}

/// A reader/writer that follows its script exactly and panics on drop if the script was not
/// used up.
#[derive(Debug, Default)]
pub struct Script {
    steps: VecDeque<Step>,
    allow_leftover: bool,
}

impl Script {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn read(mut self, data: &[u8]) -> Self {
        self.steps.push_back(Step::Read(data.to_vec()));
        self
    }
    pub fn read_error(mut self, kind: io::ErrorKind, msg: &'static str) -> Self {
        self.steps.push_back(Step::ReadError(kind, msg));
        self
    }
    pub fn write(mut self, data: &[u8]) -> Self {
        self.steps.push_back(Step::Write(data.to_vec()));
        self
    }
    pub fn write_error(mut self, kind: io::ErrorKind, msg: &'static str) -> Self {
        self.steps.push_back(Step::WriteError(kind, msg));
        self
    }
    pub fn interrupted(mut self) -> Self {
        self.steps.push_back(Step::Interrupted);
        self
    }
    pub fn panic(mut self, msg: &'static str) -> Self {
        self.steps.push_back(Step::Panic(msg));
        self
    }
    /// Do not check on drop that every step ran.
    pub fn lenient(mut self) -> Self {
        self.allow_leftover = true;
        self
    }
}

impl Read for Script {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.steps.pop_front() {
            None => Ok(0),
            Some(Step::Read(mut data)) => {
                let n = data.len().min(buf.len());
                buf[..n].copy_from_slice(&data[..n]);
                if n < data.len() {
                    data.drain(..n);
                    self.steps.push_front(Step::Read(data));
                }
                Ok(n)
            }
            Some(Step::ReadError(kind, msg)) => Err(io::Error::new(kind, msg)),
            Some(Step::Interrupted) => Err(io::ErrorKind::Interrupted.into()),
            Some(Step::Panic(msg)) => panic!("{msg}"),
            Some(other) => panic!("script: read called, next step is {other:?}"),
        }
    }
}

impl Write for Script {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.steps.pop_front() {
            None => panic!("script: unexpected write of {} bytes", buf.len()),
            Some(Step::Write(mut want)) => {
                let n = want.len().min(buf.len());
                assert_eq!(&buf[..n], &want[..n], "script: wrong bytes written");
                if n < want.len() {
                    want.drain(..n);
                    self.steps.push_front(Step::Write(want));
                }
                Ok(n)
            }
            Some(Step::WriteError(kind, msg)) => Err(io::Error::new(kind, msg)),
            Some(Step::Interrupted) => Err(io::ErrorKind::Interrupted.into()),
            Some(Step::Panic(msg)) => panic!("{msg}"),
            Some(other) => panic!("script: write called, next step is {other:?}"),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        if !self.allow_leftover && !std::thread::panicking() {
            assert!(
                self.steps.is_empty(),
                "script not used up: {:?}",
                self.steps
            );
        }
    }
}

/// Chaos over a seekable inner: short reads and writes, `Interrupted`, spurious delays (a slow
/// device: the pool thread stalls for up to 200 µs; this simulates latency, it synchronises
/// nothing), and an error at a chosen offset, driven by a deterministic seed.
#[derive(Debug)]
pub struct Chaos<T> {
    pub inner: T,
    seed: u64,
    /// Fail the read or write that would cross this offset (once).
    pub fail_at: Option<u64>,
}

impl<T> Chaos<T> {
    pub fn new(inner: T, seed: u64) -> Self {
        Self {
            inner,
            seed: seed | 1,
            fail_at: None,
        }
    }
    fn next(&mut self) -> u64 {
        // xorshift64
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        self.seed
    }
    fn maybe_stall(&mut self) {
        if self.next() % 8 == 0 {
            let us = self.next() % 200;
            std::thread::sleep(std::time::Duration::from_micros(us));
        }
    }
    fn limit(&mut self, len: usize) -> usize {
        match self.next() % 4 {
            0 => len,
            _ => (self.next() as usize % len.max(1)).max(1).min(len),
        }
    }
}

impl<T: Read + Seek> Read for Chaos<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.maybe_stall();
        if self.next() % 5 == 0 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        if let Some(at) = self.fail_at {
            let pos = self.inner.stream_position()?;
            if pos <= at && at < pos + buf.len() as u64 {
                self.fail_at = None;
                return Err(io::Error::other(format!("chaos read error at {at}")));
            }
        }
        let n = self.limit(buf.len());
        self.inner.read(&mut buf[..n])
    }
}

impl<T: Write + Seek> Write for Chaos<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.maybe_stall();
        if self.next() % 5 == 0 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        if let Some(at) = self.fail_at {
            let pos = self.inner.stream_position()?;
            if pos <= at && at < pos + buf.len() as u64 {
                self.fail_at = None;
                return Err(io::Error::other(format!("chaos write error at {at}")));
            }
        }
        let n = self.limit(buf.len());
        self.inner.write(&buf[..n])
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<T: Seek> Seek for Chaos<T> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// A reader that is always ready: yields `byte` forever, filling any buffer.
#[derive(Debug, Clone, Copy)]
pub struct Repeat(pub u8);

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        buf.fill(self.0);
        Ok(buf.len())
    }
}

/// A reader that claims more bytes than the buffer holds.
#[derive(Debug)]
pub struct Liar;

impl Read for Liar {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(buf.len() + 1)
    }
}
