//! `Unblock` against a plain `std::io::Cursor` model, under any sequence of reads, writes,
//! flushes, seeks (both APIs), `get_mut` / `with_mut` and cancellations.
//!
//! Everything runs on the fuzzer's thread: the adapter's blocking jobs go to a hand-stepped
//! pool whose schedule comes from the input, and every poll uses a counting waker, so a run is
//! a pure function of its input and cannot hang. Each input runs twice: over a
//! `Cursor<Vec<u8>>` (`build_seekable`) and over a real `std::fs::File` in a temp dir (so the
//! Linux inline `preadv2` read path is exercised).
//!
//! # The model
//!
//! The crate docs say what a dropped operation may leave behind, and the model follows them:
//!
//! - a read, `fill_buf` or write dropped while `Pending` consumed or accepted nothing;
//! - work handed to the pump always completes and is applied by the next operation: a tokio
//!   `start_seek` that returned `Ok` lands before the next operation (or is finished by
//!   `poll_complete`), even if `poll_complete` was never polled to the end;
//! - a futures-io `poll_seek` dropped while `Pending` either was handed to the pump (it lands
//!   before the next operation) or was not (nothing happened): from outside the two cannot be
//!   told apart, so the model keeps both *worlds* until an observation (bytes read, a
//!   position) rules one out. Polling `poll_seek` again with the same `SeekFrom` continues the
//!   seek under way (it moves once);
//! - an operation dropped while `Pending` may or may not have landed a pending seek first.
//!
//! A failed seek changes nothing. Every observation must be explained by at least one world;
//! if none is left, the run panics with the operation and what each world expected.

#![no_main]

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::io::{self, Cursor, IoSlice, Read, Seek, SeekFrom, Write};
use std::mem::MaybeUninit;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use arbitrary::Arbitrary;
use iocompat::{BlockingJob, SpawnBlocking, Unblock};
use libfuzzer_sys::fuzz_target;

/// Operations per run, at most (the rest of a long input is ignored).
const MAX_OPS: usize = 48;
/// Polls of one operation before it is declared stuck (a livelock, not a slow run).
const MAX_POLLS: usize = 200_000;
/// More worlds than this and the harness asks the position (an observation) to prune them.
const MAX_WORLDS: usize = 8;

// ----- input --------------------------------------------------------------------------------

#[derive(Arbitrary, Debug)]
struct Input {
    capacity: Capacity,
    /// Length of the initial contents (a pattern derived from `seed`).
    initial_len: u16,
    seed: u8,
    /// How the `File` run ends: `into_inner`, or dropping the adapter (its buffered writes
    /// must still be written).
    drop_at_end: bool,
    ops: Vec<Step>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Capacity {
    /// Raised to 4: one-byte chunks.
    Zero,
    Seven,
    K4,
    K64,
    M1,
    Default,
}

impl Capacity {
    fn bytes(self) -> Option<usize> {
        match self {
            Capacity::Zero => Some(0),
            Capacity::Seven => Some(7),
            Capacity::K4 => Some(4096),
            Capacity::K64 => Some(64 * 1024),
            Capacity::M1 => Some(1 << 20),
            Capacity::Default => None,
        }
    }

    /// Largest read or write one operation asks for: with one-byte chunks every byte is a
    /// pool job, so keep those runs short.
    fn max_len(self) -> usize {
        match self {
            Capacity::Zero | Capacity::Seven => 300,
            _ => usize::MAX,
        }
    }
}

/// One operation and the pace of the pool while it runs.
#[derive(Arbitrary, Debug)]
struct Step {
    op: Op,
    /// Seeds how many pool jobs run between polls.
    pace: u8,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Op {
    /// tokio `poll_read`, into an initialised buffer (inline reads fill it directly) or into
    /// uninitialised memory.
    TokioRead {
        len: Len,
        uninit: bool,
    },
    FuturesRead {
        len: Len,
    },
    /// `poll_fill_buf`, then `consume` of at most what it returned.
    FillConsume {
        face: Face,
        consume: u16,
    },
    /// `write_all` made of `poll_write` (or `poll_write_vectored`) calls.
    Write {
        face: Face,
        len: Len,
        vectored: bool,
    },
    /// `poll_flush`, or `poll_shutdown` / `poll_close`.
    Flush {
        face: Face,
        shutdown: bool,
    },
    /// tokio `start_seek`, then `poll_complete` until it returns.
    TokioSeek(Target),
    FuturesSeek(Target),
    /// tokio `poll_complete` without a started seek: the position.
    TokioPosition,
    /// `get_mut`, then an operation on the value itself.
    GetMut(ValueOp),
    /// `with_mut`, reading the value's cursor on the pool.
    WithMutPosition,
    /// Runs up to this many queued pool jobs without polling anything.
    Pool(u8),
    /// Drops the file's clean pages from the page cache (a real `File` only; once per run).
    Evict,
    /// Polls an operation 1 to 5 times (`polls % 5 + 1`; a tokio seek: `start_seek` and
    /// `polls % 6` polls of `poll_complete`), then drops it.
    Cancel {
        op: CancelOp,
        polls: u8,
    },
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum CancelOp {
    TokioRead(Len),
    FuturesRead(Len),
    FillBuf(Face),
    Write(Face, Len),
    Flush(Face),
    FuturesSeek(Target),
    TokioSeek(Target),
    GetMut,
    WithMut,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum ValueOp {
    Position,
    Read(Len),
    Write(Len),
    Seek(Target),
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    Tokio,
    Futures,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Len {
    Small(u8),
    Medium(u16),
    /// 32 KiB and up: large enough for a direct inline read into the caller's buffer.
    Large(u16),
}

impl Len {
    fn get(self, cap: Capacity) -> usize {
        let n = match self {
            Len::Small(n) => usize::from(n),
            Len::Medium(n) => usize::from(n),
            Len::Large(n) => 32 * 1024 + usize::from(n) * 4,
        };
        n.min(cap.max_len())
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Target {
    Start(u16),
    Current(i16),
    End(i16),
}

impl Target {
    fn get(self) -> SeekFrom {
        match self {
            Target::Start(n) => SeekFrom::Start(u64::from(n) * 2),
            Target::Current(n) => SeekFrom::Current(i64::from(n) * 2),
            Target::End(n) => SeekFrom::End(i64::from(n)),
        }
    }
}

/// Deterministic bytes that differ between writes, so a misplaced chunk is seen.
fn pattern(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

// ----- the hand-stepped pool and the counting waker ------------------------------------------

#[derive(Clone, Default)]
struct StepPool {
    jobs: Arc<Mutex<VecDeque<BlockingJob>>>,
}

impl SpawnBlocking for StepPool {
    fn spawn(&self, job: BlockingJob) {
        self.jobs.lock().unwrap().push_back(job);
    }
}

impl StepPool {
    fn run_one(&self) -> bool {
        // Taken out first: the job may spawn another one.
        let job = self.jobs.lock().unwrap().pop_front();
        job.map(BlockingJob::run).is_some()
    }

    fn queued(&self) -> usize {
        self.jobs.lock().unwrap().len()
    }
}

#[derive(Default)]
struct WakeCount(AtomicUsize);

impl Wake for WakeCount {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls operations, stepping the pool between polls as the input's pace says, and checks
/// that every `Pending` can end: a pool job is queued, and the waker is woken before the pool
/// runs dry.
struct Driver {
    pool: StepPool,
    wakes: Arc<WakeCount>,
    waker: Waker,
    pace: u32,
}

impl Driver {
    fn new(pool: StepPool) -> Self {
        let wakes = Arc::new(WakeCount::default());
        Self {
            pool,
            waker: Waker::from(Arc::clone(&wakes)),
            wakes,
            pace: 1,
        }
    }

    fn set_pace(&mut self, pace: u8, index: usize) {
        self.pace = (u32::from(pace) << 16 | index as u32) | 1;
    }

    fn next(&mut self) -> u32 {
        self.pace ^= self.pace << 13;
        self.pace ^= self.pace >> 17;
        self.pace ^= self.pace << 5;
        self.pace
    }

    fn woken(&self) -> usize {
        self.wakes.0.load(Ordering::SeqCst)
    }

    /// Runs up to `n` queued jobs; checks the lost-wake-up rule when the pool runs dry.
    fn step(&mut self, what: &str, n: u32, woken_at_pending: Option<usize>) {
        for _ in 0..n {
            if !self.pool.run_one() {
                break;
            }
        }
        if let Some(w) = woken_at_pending {
            if self.pool.queued() == 0 && self.woken() == w {
                panic!(
                    "{what}: returned Pending, the pool ran every job and the waker was never \
                     woken: a lost wake-up (it would hang on a real executor)"
                );
            }
        }
    }

    fn check_pending(&self, what: &str) {
        if self.pool.queued() == 0 {
            panic!("{what}: returned Pending with no pool job queued: it would hang");
        }
    }

    /// Polls until `Ready`, running one to three pool jobs after each `Pending`.
    fn drive<R>(&mut self, what: &str, mut poll: impl FnMut(&mut Context<'_>) -> Poll<R>) -> R {
        let waker = self.waker.clone();
        let mut cx = Context::from_waker(&waker);
        for _ in 0..MAX_POLLS {
            let w = self.woken();
            if let Poll::Ready(r) = poll(&mut cx) {
                return r;
            }
            self.check_pending(what);
            let n = 1 + self.next() % 3;
            self.step(what, n, Some(w));
        }
        panic!("{what}: still Pending after {MAX_POLLS} polls (livelock)");
    }

    /// Polls `1 + polls % 5` times, running zero to three pool jobs in between; `None` if it
    /// was still `Pending` (the caller then drops the operation).
    fn poll_n<R>(
        &mut self,
        what: &str,
        polls: u32,
        mut poll: impl FnMut(&mut Context<'_>) -> Poll<R>,
    ) -> Option<R> {
        let waker = self.waker.clone();
        let mut cx = Context::from_waker(&waker);
        for i in 0..polls {
            let w = self.woken();
            if let Poll::Ready(r) = poll(&mut cx) {
                return Some(r);
            }
            self.check_pending(what);
            if i + 1 < polls {
                let n = self.next() % 4;
                self.step(what, n, Some(w));
            }
        }
        None
    }
}

// ----- the model ----------------------------------------------------------------------------

/// One explanation of everything observed so far.
#[derive(Clone, PartialEq)]
struct World {
    model: Cursor<Vec<u8>>,
    /// A seek started or handed to the pump whose effect has not been applied yet.
    pending: Option<SeekFrom>,
    /// `pending` was begun by tokio's `start_seek`: it lands before any other operation, a
    /// futures-io seek to the same target included (which is then a second seek, not its
    /// continuation).
    pending_started: bool,
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "World {{ pos: {}, len: {}, pending: {:?}, started: {} }}",
            self.model.position(),
            self.model.get_ref().len(),
            self.pending,
            self.pending_started
        )
    }
}

impl World {
    /// Applies the pending seek; its result, if there was one (a failure changes nothing).
    fn land(&mut self) -> Option<io::Result<u64>> {
        self.pending_started = false;
        let pos = self.pending.take()?;
        Some(self.model.seek(pos))
    }

    fn landed(&self) -> World {
        let mut w = self.clone();
        w.land();
        w
    }

    /// `got` are the next bytes (a read of `asked` bytes); advances by `advance` if so.
    fn next_bytes_are(&mut self, got: &[u8], asked: usize, advance: usize) -> bool {
        let data = self.model.get_ref();
        let pos = usize::try_from(self.model.position()).unwrap_or(usize::MAX);
        let avail = data.len().saturating_sub(pos);
        if got.len() > avail {
            return false;
        }
        let start = pos.min(data.len());
        if data[start..start + got.len()] != *got {
            return false;
        }
        if got.is_empty() && asked > 0 && avail > 0 {
            // 0 only at the end.
            return false;
        }
        self.model.set_position((pos + advance) as u64);
        true
    }

    fn write(&mut self, data: &[u8]) {
        // `Cursor<Vec<u8>>::write_all` pads up to the position even for no bytes, a `File`
        // does not: empty writes are never passed on, here or to the value.
        if !data.is_empty() {
            self.model.write_all(data).unwrap();
        }
    }
}

fn same_result(a: &io::Result<u64>, b: &io::Result<u64>) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => a == b,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

// ----- one run ------------------------------------------------------------------------------

struct Run<T: Send + 'static> {
    ours: Unblock<T>,
    worlds: Vec<World>,
    driver: Driver,
    cap: Capacity,
    /// Counts writes, so each writes different bytes.
    writes: u32,
    /// A clone of the file's descriptor, for `Evict` (a real `File` only).
    probe: Option<std::fs::File>,
    evicted: bool,
    /// For failure messages: which backend, and the operations so far.
    backend: &'static str,
    history: Vec<String>,
}

impl<T> Run<T>
where
    T: Read + Write + Seek + Send + 'static,
{
    /// Keeps the worlds that `explains` accepts (it also applies the operation to them).
    fn observe(
        &mut self,
        what: &str,
        observed: &dyn fmt::Debug,
        explains: impl FnMut(&mut World) -> bool,
    ) {
        let before = self.worlds.clone();
        self.worlds.retain_mut(explains);
        if self.worlds.is_empty() {
            panic!(
                "[{}] {what}: observed {observed:?}, which no model world explains.\n\
                 worlds before: {before:?}\nadapter: {:?}\noperations so far:\n  {}",
                self.backend,
                self.ours,
                self.history.join("\n  ")
            );
        }
        self.dedupe();
    }

    fn dedupe(&mut self) {
        let mut kept: Vec<World> = Vec::with_capacity(self.worlds.len());
        for w in self.worlds.drain(..) {
            if !kept.contains(&w) {
                kept.push(w);
            }
        }
        self.worlds = kept;
    }

    /// The operation about to run lands any pending seek first.
    fn land_all(&mut self) {
        for w in &mut self.worlds {
            w.land();
        }
        self.dedupe();
    }

    /// The operation was dropped while `Pending`: it may or may not have landed a pending
    /// seek first.
    fn fork_landed(&mut self) {
        let extra: Vec<World> = self
            .worlds
            .iter()
            .filter(|w| w.pending.is_some())
            .map(World::landed)
            .collect();
        self.worlds.extend(extra);
        self.dedupe();
    }

    fn apply(&mut self, step: &Step, index: usize) {
        self.driver.set_pace(step.pace, index);
        self.history.push(format!("{index}: {:?}", step.op));
        match step.op {
            Op::TokioRead { len, uninit } => {
                let len = len.get(self.cap);
                if let Some(got) = self.tokio_read(len, uninit, None) {
                    self.read_done("tokio poll_read", len, got);
                }
            }
            Op::FuturesRead { len } => {
                let len = len.get(self.cap);
                if let Some(got) = self.futures_read(len, None) {
                    self.read_done("futures poll_read", len, got);
                }
            }
            Op::FillConsume { face, consume } => {
                if let Some(got) = self.fill_buf(face, None) {
                    let k = usize::from(consume).min(got.len());
                    self.fill_done(face, got, k);
                }
            }
            Op::Write {
                face,
                len,
                vectored,
            } => self.write_all(face, len.get(self.cap), vectored),
            Op::Flush { face, shutdown } => {
                self.land_all();
                let ours = &mut self.ours;
                let r = self
                    .driver
                    .drive("flush", |cx| flush(ours, face, shutdown, cx));
                r.unwrap_or_else(|e| panic!("[{}] flush failed: {e}", self.backend));
            }
            Op::TokioSeek(target) => self.tokio_seek(target.get()),
            Op::FuturesSeek(target) => {
                let pos = target.get();
                let ours = &mut self.ours;
                let r = self
                    .driver
                    .drive("futures poll_seek", |cx| futures_seek(ours, pos, cx));
                self.futures_seek_done(pos, r);
            }
            Op::TokioPosition => self.tokio_position(),
            Op::GetMut(vop) => self.get_mut(vop),
            Op::WithMutPosition => {
                self.land_all();
                let got = {
                    let mut fut = pin!(self.ours.with_mut(|v| v.stream_position().ok()));
                    self.driver.drive("with_mut", |cx| fut.as_mut().poll(cx))
                };
                self.observe("with_mut: the value's cursor", &got, |w| {
                    Some(w.model.position()) == got
                });
            }
            Op::Pool(n) => {
                let n = u32::from(n % 8);
                self.driver.step("pool step", n, None);
            }
            Op::Evict => self.evict(),
            Op::Cancel { op, polls } => self.cancel(op, u32::from(polls)),
        }
        if self.worlds.len() > MAX_WORLDS {
            self.history
                .push("(harness: position asked to prune worlds)".into());
            self.tokio_position();
        }
    }

    // ----- reads --------------------------------------------------------------------------

    /// tokio `poll_read` of `len` bytes: `None` when cancelled after `polls` polls.
    fn tokio_read(&mut self, len: usize, uninit: bool, polls: Option<u32>) -> Option<Vec<u8>> {
        let ours = &mut self.ours;
        let mut init_buf;
        let mut uninit_buf;
        let mut buf = if uninit {
            uninit_buf = vec![MaybeUninit::<u8>::uninit(); len];
            tokio::io::ReadBuf::uninit(&mut uninit_buf)
        } else {
            init_buf = vec![0u8; len];
            tokio::io::ReadBuf::new(&mut init_buf)
        };
        let mut poll = |cx: &mut Context<'_>| {
            tokio::io::AsyncRead::poll_read(Pin::new(&mut *ours), cx, &mut buf)
        };
        let r = match polls {
            None => Some(self.driver.drive("tokio poll_read", &mut poll)),
            Some(p) => self.driver.poll_n("tokio poll_read", p, &mut poll),
        }?;
        r.unwrap_or_else(|e| panic!("[{}] tokio poll_read failed: {e}", self.backend));
        Some(buf.filled().to_vec())
    }

    fn futures_read(&mut self, len: usize, polls: Option<u32>) -> Option<Vec<u8>> {
        let ours = &mut self.ours;
        let mut buf = vec![0u8; len];
        let mut poll = |cx: &mut Context<'_>| {
            futures_io::AsyncRead::poll_read(Pin::new(&mut *ours), cx, &mut buf)
        };
        let r = match polls {
            None => Some(self.driver.drive("futures poll_read", &mut poll)),
            Some(p) => self.driver.poll_n("futures poll_read", p, &mut poll),
        }?;
        let n = r.unwrap_or_else(|e| panic!("[{}] futures poll_read failed: {e}", self.backend));
        assert!(
            n <= len,
            "futures poll_read: {n} bytes for a {len}-byte buffer"
        );
        buf.truncate(n);
        Some(buf)
    }

    /// `poll_fill_buf`: a copy of what it returned.
    fn fill_buf(&mut self, face: Face, polls: Option<u32>) -> Option<Vec<u8>> {
        let ours = &mut self.ours;
        let mut poll = |cx: &mut Context<'_>| {
            let r = match face {
                Face::Tokio => tokio::io::AsyncBufRead::poll_fill_buf(Pin::new(&mut *ours), cx),
                Face::Futures => futures_io::AsyncBufRead::poll_fill_buf(Pin::new(&mut *ours), cx),
            };
            r.map(|r| r.map(<[u8]>::to_vec))
        };
        let r = match polls {
            None => Some(self.driver.drive("poll_fill_buf", &mut poll)),
            Some(p) => self.driver.poll_n("poll_fill_buf", p, &mut poll),
        }?;
        Some(r.unwrap_or_else(|e| panic!("[{}] poll_fill_buf failed: {e}", self.backend)))
    }

    fn read_done(&mut self, what: &str, asked: usize, got: Vec<u8>) {
        if asked == 0 {
            // Answered at once, without touching the adapter's state.
            assert!(got.is_empty(), "{what}: bytes for an empty buffer");
            return;
        }
        self.land_all();
        let n = got.len();
        self.observe(what, &Bytes(&got), |w| w.next_bytes_are(&got, asked, n));
    }

    fn fill_done(&mut self, face: Face, got: Vec<u8>, consume: usize) {
        self.land_all();
        self.observe("poll_fill_buf", &Bytes(&got), |w| {
            w.next_bytes_are(&got, 1, consume)
        });
        match face {
            Face::Tokio => tokio::io::AsyncBufRead::consume(Pin::new(&mut self.ours), consume),
            Face::Futures => futures_io::AsyncBufRead::consume(Pin::new(&mut self.ours), consume),
        }
    }

    // ----- writes -------------------------------------------------------------------------

    fn next_data(&mut self, len: usize) -> Vec<u8> {
        self.writes += 1;
        pattern(self.writes, len)
    }

    fn write_all(&mut self, face: Face, len: usize, vectored: bool) {
        let data = self.next_data(len);
        if len == 0 {
            return;
        }
        self.land_all();
        let mut off = 0;
        while off < len {
            let ours = &mut self.ours;
            let rest = &data[off..];
            let r = self
                .driver
                .drive("poll_write", |cx| write(ours, face, vectored, rest, cx));
            let n = r.unwrap_or_else(|e| panic!("[{}] poll_write failed: {e}", self.backend));
            assert!(
                n > 0 && n <= rest.len(),
                "[{}] poll_write accepted {n} of {} bytes",
                self.backend,
                rest.len()
            );
            for w in &mut self.worlds {
                w.write(&rest[..n]);
            }
            off += n;
        }
    }

    // ----- seeks --------------------------------------------------------------------------

    fn futures_seek_done(&mut self, pos: SeekFrom, got: io::Result<u64>) {
        self.observe(&format!("futures poll_seek({pos:?})"), &got, |w| {
            if w.pending == Some(pos) && !w.pending_started {
                // Continues the seek under way: it moves once.
                w.pending = None;
            } else {
                w.land();
            }
            same_result(&w.model.seek(pos), &got)
        });
    }

    /// `start_seek` then `poll_complete`; when a seek is already pending, `start_seek` fails,
    /// so the pending one is completed first and the new one started again.
    fn tokio_seek(&mut self, pos: SeekFrom) {
        for _ in 0..2 {
            match tokio::io::AsyncSeek::start_seek(Pin::new(&mut self.ours), pos) {
                Err(e) => {
                    let what = format!("start_seek({pos:?}) refused ({e})");
                    self.observe(&what, &"Err", |w| w.pending_started);
                    self.tokio_position();
                }
                Ok(()) => {
                    self.observe(&format!("start_seek({pos:?})"), &"Ok", |w| {
                        !w.pending_started
                    });
                    let ours = &mut self.ours;
                    let got = self
                        .driver
                        .drive("poll_complete", |cx| tokio_complete(ours, cx));
                    // A futures-io seek left in flight by a dropped future lands first.
                    self.observe(
                        &format!("poll_complete after start_seek({pos:?})"),
                        &got,
                        |w| {
                            w.land();
                            same_result(&w.model.seek(pos), &got)
                        },
                    );
                    return;
                }
            }
        }
        panic!(
            "[{}] start_seek({pos:?}) refused again after poll_complete finished the pending seek",
            self.backend
        );
    }

    /// `poll_complete` without a started seek: finishes a pending one, else the position.
    fn tokio_position(&mut self) {
        let ours = &mut self.ours;
        let got = self
            .driver
            .drive("poll_complete", |cx| tokio_complete(ours, cx));
        self.observe("poll_complete (position)", &got, |w| {
            let started = w.pending_started;
            match w.land() {
                // A started tokio seek: this is its completion, error included.
                Some(result) if started => same_result(&result, &got),
                // A futures-io seek left by a dropped future lands first; its failure is not
                // reported (its caller is gone), and the position is what it is.
                _ => same_result(&Ok(w.model.position()), &got),
            }
        });
    }

    // ----- the value itself ---------------------------------------------------------------

    fn get_mut(&mut self, vop: ValueOp) {
        self.land_all();
        let value = {
            let mut fut = pin!(self.ours.get_mut());
            self.driver.drive("get_mut", |cx| fut.as_mut().poll(cx))
        };
        let pos = value.stream_position();
        let len = match vop {
            ValueOp::Read(len) | ValueOp::Write(len) => len.get(self.cap),
            _ => 0,
        };
        let data = match vop {
            ValueOp::Write(_) => pattern(self.writes + 1, len),
            _ => Vec::new(),
        };
        let outcome = match vop {
            ValueOp::Position => Outcome::None,
            ValueOp::Read(_) => {
                let mut buf = vec![0u8; len];
                let n = loop {
                    match value.read(&mut buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        other => break other.expect("get_mut: read on the value"),
                    }
                };
                buf.truncate(n);
                Outcome::Read(buf)
            }
            ValueOp::Write(_) => {
                if !data.is_empty() {
                    value.write_all(&data).expect("get_mut: write on the value");
                }
                Outcome::None
            }
            ValueOp::Seek(t) => Outcome::Seek(t.get(), value.seek(t.get())),
        };
        let pos = pos.expect("get_mut: stream_position of the value");
        self.observe(
            "get_mut: the value's cursor is the logical position",
            &pos,
            |w| w.model.position() == pos,
        );
        match outcome {
            Outcome::None if !data.is_empty() => {
                self.writes += 1;
                for w in &mut self.worlds {
                    w.write(&data);
                }
            }
            Outcome::None => {}
            Outcome::Read(got) => {
                let n = got.len();
                self.observe("get_mut: read on the value", &Bytes(&got), |w| {
                    w.next_bytes_are(&got, len, n)
                });
            }
            Outcome::Seek(pos, got) => {
                self.observe(&format!("get_mut: seek({pos:?}) on the value"), &got, |w| {
                    same_result(&w.model.seek(pos), &got)
                });
            }
        }
    }

    fn evict(&mut self) {
        if self.evicted {
            return;
        }
        let Some(file) = &self.probe else {
            return;
        };
        self.evicted = true;
        #[cfg(target_os = "linux")]
        {
            // Only clean pages go: write back first (once per run, it costs a disk flush).
            let _ = file.sync_data();
            let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
        }
        #[cfg(not(target_os = "linux"))]
        let _ = file;
    }

    // ----- cancellation -------------------------------------------------------------------

    fn cancel(&mut self, op: CancelOp, polls: u32) {
        let n = polls % 5 + 1;
        match op {
            CancelOp::TokioRead(len) => {
                let len = len.get(self.cap);
                match self.tokio_read(len, false, Some(n)) {
                    Some(got) => self.read_done("cancelled tokio poll_read", len, got),
                    None => self.dropped(len > 0),
                }
            }
            CancelOp::FuturesRead(len) => {
                let len = len.get(self.cap);
                match self.futures_read(len, Some(n)) {
                    Some(got) => self.read_done("cancelled futures poll_read", len, got),
                    None => self.dropped(len > 0),
                }
            }
            CancelOp::FillBuf(face) => match self.fill_buf(face, Some(n)) {
                // Returned: nothing consumed.
                Some(got) => self.fill_done(face, got, 0),
                None => self.dropped(true),
            },
            CancelOp::Write(face, len) => {
                let len = len.get(self.cap);
                let data = self.next_data(len);
                let ours = &mut self.ours;
                let r = self
                    .driver
                    .poll_n("poll_write", n, |cx| write(ours, face, false, &data, cx));
                match r {
                    Some(r) => {
                        let k = r.unwrap_or_else(|e| {
                            panic!("[{}] cancelled poll_write failed: {e}", self.backend)
                        });
                        assert!(k <= len, "poll_write accepted {k} of {len} bytes");
                        if len > 0 {
                            self.land_all();
                        }
                        for w in &mut self.worlds {
                            w.write(&data[..k]);
                        }
                    }
                    None => self.dropped(len > 0),
                }
            }
            CancelOp::Flush(face) => {
                let ours = &mut self.ours;
                let r = self
                    .driver
                    .poll_n("poll_flush", n, |cx| flush(ours, face, false, cx));
                match r {
                    Some(r) => {
                        r.unwrap_or_else(|e| panic!("[{}] flush failed: {e}", self.backend));
                        self.land_all();
                    }
                    None => self.dropped(true),
                }
            }
            CancelOp::FuturesSeek(target) => {
                let pos = target.get();
                let ours = &mut self.ours;
                let r = self
                    .driver
                    .poll_n("futures poll_seek", n, |cx| futures_seek(ours, pos, cx));
                match r {
                    Some(got) => self.futures_seek_done(pos, got),
                    None => self.dropped_futures_seek(pos),
                }
            }
            CancelOp::TokioSeek(target) => {
                let pos = target.get();
                if tokio::io::AsyncSeek::start_seek(Pin::new(&mut self.ours), pos).is_err() {
                    self.observe(&format!("start_seek({pos:?}) refused"), &"Err", |w| {
                        w.pending_started
                    });
                    return;
                }
                self.observe(&format!("start_seek({pos:?})"), &"Ok", |w| {
                    !w.pending_started
                });
                for w in &mut self.worlds {
                    // A futures-io seek left in flight lands before it, whatever happens.
                    w.land();
                    // Started: it lands before the next operation whatever happens now.
                    w.pending = Some(pos);
                    w.pending_started = true;
                }
                let polls = polls % 6;
                if polls > 0 {
                    let ours = &mut self.ours;
                    let r = self
                        .driver
                        .poll_n("poll_complete", polls, |cx| tokio_complete(ours, cx));
                    if let Some(got) = r {
                        self.observe(
                            &format!("poll_complete after start_seek({pos:?})"),
                            &got,
                            |w| w.land().is_some_and(|r| same_result(&r, &got)),
                        );
                        return;
                    }
                }
                // Left started. One that fails is reported by whichever operation carries it
                // out (tested in tests/unblock/unblock_seek.rs); every operation here expects success,
                // so such a seek is finished now, by `poll_complete`.
                let fails = self
                    .worlds
                    .iter()
                    .any(|w| w.clone().land().is_some_and(|r| r.is_err()));
                if fails {
                    self.history
                        .push("(harness: a failing started seek is completed now)".into());
                    self.tokio_position();
                }
            }
            CancelOp::GetMut => {
                let r = {
                    let mut fut = pin!(self.ours.get_mut());
                    self.driver.poll_n("get_mut", n, |cx| {
                        fut.as_mut().poll(cx).map(|v| v.stream_position().ok())
                    })
                };
                match r {
                    Some(pos) => {
                        self.land_all();
                        self.observe("cancelled get_mut: the value's cursor", &pos, |w| {
                            Some(w.model.position()) == pos
                        });
                    }
                    None => self.dropped(true),
                }
            }
            CancelOp::WithMut => {
                let r = {
                    let mut fut = pin!(self.ours.with_mut(|v| v.stream_position().ok()));
                    self.driver
                        .poll_n("with_mut", n, |cx| fut.as_mut().poll(cx))
                };
                match r {
                    Some(pos) => {
                        self.land_all();
                        self.observe("cancelled with_mut: the value's cursor", &pos, |w| {
                            Some(w.model.position()) == pos
                        });
                    }
                    None => self.dropped(true),
                }
            }
        }
    }

    /// An operation dropped while `Pending`: it did nothing of its own, and may or may not
    /// have landed a pending seek (`touched`: it reached the adapter's state at all).
    fn dropped(&mut self, touched: bool) {
        if touched {
            self.fork_landed();
        }
    }

    /// A futures-io seek dropped while `Pending`: handed to the pump or not.
    fn dropped_futures_seek(&mut self, pos: SeekFrom) {
        let mut next = Vec::new();
        for w in self.worlds.drain(..) {
            if w.pending == Some(pos) && !w.pending_started {
                // It continued the seek under way, which is still pending.
                next.push(w);
                continue;
            }
            let landed = w.landed();
            if w.pending.is_some() {
                // Still waiting for the pending seek: nothing else happened.
                next.push(w);
            }
            next.push(World {
                pending: Some(pos),
                pending_started: false,
                ..landed.clone()
            });
            next.push(landed);
        }
        self.worlds = next;
        self.dedupe();
    }

    // ----- the end ------------------------------------------------------------------------

    /// Flushes, checks the position, and returns the value (or drops the adapter).
    fn finish(mut self, drop_adapter: bool) -> (Option<T>, Vec<World>, Driver, &'static str) {
        self.history.push("end: flush, position".into());
        self.land_all();
        let ours = &mut self.ours;
        let r = self
            .driver
            .drive("final flush", |cx| flush(ours, Face::Futures, false, cx));
        r.unwrap_or_else(|e| panic!("[{}] final flush failed: {e}", self.backend));
        self.tokio_position();
        let Run {
            ours,
            worlds,
            mut driver,
            backend,
            history,
            ..
        } = self;
        if drop_adapter {
            drop(ours);
            return (None, worlds, driver, backend);
        }
        let inner = {
            let mut fut = pin!(ours.into_inner());
            driver.drive("into_inner", |cx| fut.as_mut().poll(cx))
        };
        match inner {
            Ok(inner) => (Some(inner), worlds, driver, backend),
            Err(e) => panic!(
                "[{backend}] into_inner failed: {e}\noperations:\n  {}",
                history.join("\n  ")
            ),
        }
    }
}

enum Outcome {
    None,
    Read(Vec<u8>),
    Seek(SeekFrom, io::Result<u64>),
}

/// Bytes in a failure message: the length and the first few.
struct Bytes<'a>(&'a [u8]);

impl fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head = &self.0[..self.0.len().min(8)];
        write!(f, "{} bytes starting {head:02x?}", self.0.len())
    }
}

// ----- trait calls, by full path ------------------------------------------------------------

fn write<T: Write + Send + 'static>(
    ours: &mut Unblock<T>,
    face: Face,
    vectored: bool,
    data: &[u8],
    cx: &mut Context<'_>,
) -> Poll<io::Result<usize>> {
    let ours = Pin::new(ours);
    if vectored {
        let (a, rest) = data.split_at(data.len() / 3);
        let (b, c) = rest.split_at(rest.len() / 2);
        let bufs = [IoSlice::new(a), IoSlice::new(b), IoSlice::new(c)];
        return match face {
            Face::Tokio => tokio::io::AsyncWrite::poll_write_vectored(ours, cx, &bufs),
            Face::Futures => futures_io::AsyncWrite::poll_write_vectored(ours, cx, &bufs),
        };
    }
    match face {
        Face::Tokio => tokio::io::AsyncWrite::poll_write(ours, cx, data),
        Face::Futures => futures_io::AsyncWrite::poll_write(ours, cx, data),
    }
}

fn flush<T: Write + Send + 'static>(
    ours: &mut Unblock<T>,
    face: Face,
    shutdown: bool,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    let ours = Pin::new(ours);
    match (face, shutdown) {
        (Face::Tokio, false) => tokio::io::AsyncWrite::poll_flush(ours, cx),
        (Face::Tokio, true) => tokio::io::AsyncWrite::poll_shutdown(ours, cx),
        (Face::Futures, false) => futures_io::AsyncWrite::poll_flush(ours, cx),
        (Face::Futures, true) => futures_io::AsyncWrite::poll_close(ours, cx),
    }
}

fn futures_seek<T: Seek + Send + 'static>(
    ours: &mut Unblock<T>,
    pos: SeekFrom,
    cx: &mut Context<'_>,
) -> Poll<io::Result<u64>> {
    futures_io::AsyncSeek::poll_seek(Pin::new(ours), cx, pos)
}

fn tokio_complete<T: Seek + Send + 'static>(
    ours: &mut Unblock<T>,
    cx: &mut Context<'_>,
) -> Poll<io::Result<u64>> {
    tokio::io::AsyncSeek::poll_complete(Pin::new(ours), cx)
}

// ----- the two backends ---------------------------------------------------------------------

fn builder(input: &Input, pool: &StepPool) -> iocompat::UnblockBuilder {
    let b = Unblock::builder().spawner(pool.clone());
    match input.capacity.bytes() {
        Some(cap) => b.capacity(cap),
        None => b,
    }
}

fn new_run<T: Read + Write + Seek + Send + 'static>(
    ours: Unblock<T>,
    initial: &[u8],
    input: &Input,
    pool: StepPool,
    probe: Option<std::fs::File>,
    backend: &'static str,
) -> Run<T> {
    Run {
        ours,
        worlds: vec![World {
            model: Cursor::new(initial.to_vec()),
            pending: None,
            pending_started: false,
        }],
        driver: Driver::new(pool),
        cap: input.capacity,
        writes: 0,
        probe,
        evicted: false,
        backend,
        history: Vec::new(),
    }
}

fn run_ops<T: Read + Write + Seek + Send + 'static>(run: &mut Run<T>, input: &Input) {
    for (i, step) in input.ops.iter().take(MAX_OPS).enumerate() {
        run.apply(step, i);
    }
}

/// The pool must be left with nothing to do.
fn drain(driver: &Driver, backend: &str) {
    for _ in 0..MAX_POLLS {
        if !driver.pool.run_one() {
            return;
        }
    }
    panic!("[{backend}] the pool kept spawning jobs after the end");
}

fn matches_a_world(worlds: &[World], contents: &[u8], pos: Option<u64>) -> bool {
    worlds
        .iter()
        .any(|w| w.model.get_ref()[..] == *contents && pos.is_none_or(|p| p == w.model.position()))
}

fn over_cursor(input: &Input, initial: &[u8]) {
    let pool = StepPool::default();
    let ours = builder(input, &pool).build_seekable(Cursor::new(initial.to_vec()));
    let mut run = new_run(ours, initial, input, pool, None, "Cursor");
    run_ops(&mut run, input);
    let history = run.history.clone();
    let (inner, worlds, driver, backend) = run.finish(false);
    drain(&driver, backend);
    let inner = inner.expect("into_inner returns the value");
    let pos = inner.position();
    assert!(
        matches_a_world(&worlds, inner.get_ref(), Some(pos)),
        "[{backend}] final contents ({} bytes) or position {pos} differ from every world: \
         {worlds:?}\noperations:\n  {}",
        inner.get_ref().len(),
        history.join("\n  ")
    );
}

fn over_file(input: &Input, initial: &[u8]) {
    let dir = std::env::var_os("IOCOMPAT_FUZZ_TMPDIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let mut file = tempfile::tempfile_in(dir).expect("a temp file");
    file.write_all(initial).unwrap();
    file.rewind().unwrap();
    let probe = file
        .try_clone()
        .expect("a second descriptor of the temp file");
    let pool = StepPool::default();
    let ours = builder(input, &pool).build(file);
    let mut run = new_run(ours, initial, input, pool, Some(probe), "File");
    run_ops(&mut run, input);
    let history = run.history.clone();
    let mut probe = run.probe.take().expect("the probe descriptor");
    let (inner, worlds, driver, backend) = run.finish(input.drop_at_end);
    // Dropped: the pump writes what was buffered and flushes, on the pool.
    drain(&driver, backend);
    let pos = inner.map(|mut file| file.stream_position().unwrap());
    let mut contents = Vec::new();
    probe.rewind().unwrap();
    probe.read_to_end(&mut contents).unwrap();
    assert!(
        matches_a_world(&worlds, &contents, pos),
        "[{backend}] final file contents ({} bytes) or cursor {pos:?} differ from every world: \
         {worlds:?}\noperations:\n  {}",
        contents.len(),
        history.join("\n  ")
    );
}

fuzz_target!(|input: Input| {
    let initial = pattern(u32::from(input.seed) << 20, usize::from(input.initial_len));
    over_cursor(&input, &initial);
    over_file(&input, &initial);
});
