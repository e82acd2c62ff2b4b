//! The process-wide tokio 0.1 reactor and timer: one background thread, started on first use.

use std::fmt;
use std::io;
use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

use tokio_reactor01::Reactor;
use tokio_timer02::Timer;

/// Name of the background thread that drives the tokio 0.1 reactor and timer.
pub(crate) const THREAD_NAME: &str = "iocompat-tokio01";

/// The handles every 0.1 poll gets as its defaults.
pub(crate) struct Services {
    pub(crate) reactor: tokio_reactor01::Handle,
    pub(crate) timer: tokio_timer02::timer::Handle,
}

impl fmt::Debug for Services {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Services").finish_non_exhaustive()
    }
}

/// Why the services could not be started, kept so every later call reports the same failure.
#[derive(Debug)]
struct StartError {
    kind: io::ErrorKind,
    message: String,
}

impl StartError {
    fn to_io_error(&self) -> io::Error {
        io::Error::new(
            self.kind,
            format!(
                "iocompat::tokio01: the tokio 0.1 reactor and timer could not be started: {}",
                self.message
            ),
        )
    }
}

static SERVICES: OnceLock<Result<Services, StartError>> = OnceLock::new();

/// The process-wide tokio-reactor 0.1 reactor, started on first use; I/O resources registered
/// with it (tokio 0.1 sockets, `PollEvented`) are driven by iocompat's background thread.
///
/// # Errors
///
/// The error from starting the services (the reactor could not be created, or the thread
/// could not be spawned); every call returns the same one.
///
/// # Examples
///
/// ```
/// let reactor = iocompat::tokio01::reactor_handle().unwrap();
/// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let _listener = tokio01::net::TcpListener::from_std(listener, &reactor).unwrap();
/// ```
pub fn reactor_handle() -> io::Result<tokio_reactor01::Handle> {
    get().map(|s| s.reactor.clone())
}

/// The process-wide tokio-timer 0.2 timer, started on first use (the same thread as
/// [`reactor_handle`](fn@reactor_handle)).
///
/// # Errors
///
/// As for [`reactor_handle`](fn@reactor_handle).
///
/// # Examples
///
/// ```
/// use futures01::Future;
/// use std::time::{Duration, Instant};
///
/// let timer = iocompat::tokio01::timer_handle().unwrap();
/// let delay = timer.delay(Instant::now() + Duration::from_millis(1));
/// assert!(delay.wait().is_ok());
/// ```
pub fn timer_handle() -> io::Result<tokio_timer02::timer::Handle> {
    get().map(|s| s.timer.clone())
}

/// The running services, started by the first call.
pub(crate) fn get() -> io::Result<&'static Services> {
    SERVICES
        .get_or_init(|| {
            start().map_err(|e| StartError {
                kind: e.kind(),
                message: e.to_string(),
            })
        })
        .as_ref()
        .map_err(StartError::to_io_error)
}

fn start() -> io::Result<Services> {
    let reactor = Reactor::new()?;
    let reactor_handle = reactor.handle();
    let timer = Timer::new(reactor);
    let timer_handle = timer.handle();
    thread::Builder::new()
        .name(THREAD_NAME.to_owned())
        .spawn(move || drive(timer))?;
    Ok(Services {
        reactor: reactor_handle,
        timer: timer_handle,
    })
}

/// The background thread's whole life: turn the timer (which parks on the reactor, waking for
/// the next deadline or the next I/O event) for as long as the process runs.
fn drive(mut timer: Timer<Reactor>) -> ! {
    loop {
        if timer.turn(None).is_err() {
            // `epoll_wait` failed (mio retries `EINTR` itself): do not spin on a broken poll.
            thread::sleep(Duration::from_millis(10));
        }
    }
}
