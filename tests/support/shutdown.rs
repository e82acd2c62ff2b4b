//! What the tests of "nothing accepted is lost on drop, whatever the runtime does next" share:
//! the runtime's fates, a thread that keeps the other core busy, and a writer that reports
//! what it holds when it is dropped.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use super::LIMIT;

/// Which runtime runs the program, and how it ends right after the adapter is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// `drop(runtime)`: what `#[tokio::main]` does when `main` returns.
    CurrentThreadDropped,
    MultiThreadDropped,
    CurrentThreadShutdownBackground,
    MultiThreadShutdownBackground,
    /// `shutdown_timeout(Duration::ZERO)`: gives the pool no time at all.
    CurrentThreadShutdownTimeout,
    MultiThreadShutdownTimeout,
    /// `futures::executor::block_on`, no tokio runtime: the `blocking` crate's pool.
    BlockOn,
}

impl Fate {
    pub const ALL: [Fate; 7] = [
        Fate::CurrentThreadDropped,
        Fate::MultiThreadDropped,
        Fate::CurrentThreadShutdownBackground,
        Fate::MultiThreadShutdownBackground,
        Fate::CurrentThreadShutdownTimeout,
        Fate::MultiThreadShutdownTimeout,
        Fate::BlockOn,
    ];

    /// The ends whose runtime waits for its blocking threads before returning: the data must
    /// be complete as soon as the call returns.
    pub fn waits_for_the_pool(self) -> bool {
        matches!(self, Fate::CurrentThreadDropped | Fate::MultiThreadDropped)
    }

    /// Runs `body` to completion under this fate, then ends the runtime as the fate says.
    pub fn run<F: std::future::Future<Output = ()>>(self, body: F) {
        let multi = matches!(
            self,
            Fate::MultiThreadDropped
                | Fate::MultiThreadShutdownBackground
                | Fate::MultiThreadShutdownTimeout
        );
        if self == Fate::BlockOn {
            super::on_block_on(body);
            return;
        }
        let rt = if multi {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
        } else {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        }
        .unwrap();
        rt.block_on(async {
            tokio::time::timeout(LIMIT, body)
                .await
                .expect("test timed out")
        });
        match self {
            Fate::CurrentThreadDropped | Fate::MultiThreadDropped => drop(rt),
            Fate::CurrentThreadShutdownBackground | Fate::MultiThreadShutdownBackground => {
                rt.shutdown_background()
            }
            Fate::CurrentThreadShutdownTimeout | Fate::MultiThreadShutdownTimeout => {
                rt.shutdown_timeout(Duration::ZERO)
            }
            Fate::BlockOn => unreachable!(),
        }
    }
}

/// Keeps one core busy while it lives, so pool threads and the runtime race as on a loaded
/// machine.
pub struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    pub fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A writer into memory, as fast as a file in the page cache, that sends what it holds when it
/// is dropped: the adapter has finished with it then.
pub struct Sink {
    data: Vec<u8>,
    flushed: usize,
    on_drop: Option<mpsc::Sender<(Vec<u8>, usize)>>,
}

impl Sink {
    /// The sink, and where its contents (and how many bytes were flushed) arrive on drop.
    pub fn new() -> (Self, mpsc::Receiver<(Vec<u8>, usize)>) {
        let (tx, rx) = mpsc::channel();
        (
            Self {
                data: Vec::new(),
                flushed: 0,
                on_drop: Some(tx),
            },
            rx,
        )
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flushed = self.data.len();
        Ok(())
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Some(tx) = self.on_drop.take() {
            let _ = tx.send((std::mem::take(&mut self.data), self.flushed));
        }
    }
}

/// The data of a run: `n` bytes that differ from run to run, so a chunk of an earlier run
/// cannot pass for one of this run.
pub fn payload(run: usize, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i.wrapping_mul(31).wrapping_add(run * 7) % 253) as u8)
        .collect()
}

/// A shared record of runs that lost data, for one assertion at the end with every failure.
#[derive(Default, Clone)]
pub struct Losses(Arc<Mutex<Vec<String>>>);

impl Losses {
    pub fn record(&self, what: String) {
        self.0.lock().unwrap().push(what);
    }
    pub fn assert_none(&self, runs: usize) {
        let lost = self.0.lock().unwrap();
        assert!(
            lost.is_empty(),
            "{} of {runs} runs lost data; first ones: {:#?}",
            lost.len(),
            &lost[..lost.len().min(10)]
        );
    }
}
