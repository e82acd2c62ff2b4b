//! hyper 0.12, unchanged, on tokio 1: a `Server::bind(..).serve(..)` server and a
//! `Client::new()` client with their default executors (which spawn through tokio 0.1's
//! `DefaultExecutor`), over HTTP/1 keep-alive and HTTP/2, on 127.0.0.1, on both plain tokio 1
//! flavours (the 0.1 futures polled through `iocompat::futures01`'s `.compat()`) and on
//! iocompat's `run`, `Runtime` and `current_thread::Runtime`.

#![cfg(feature = "tokio01")]

use crate::bounded;
use crate::flavors;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use flavors::on_both_flavors;
use futures01::{Future as Future01, Stream as Stream01};
use hyper012::server::conn::Http;
use hyper012::service::{make_service_fn, service_fn};
use hyper012::{Body, Client, Request, Response, Server};
use iocompat::futures01::Future01CompatExt;

const REQUESTS: usize = 3;

/// The service every server runs: answers `hello <path>` after a tokio 0.1 `Delay` (so the
/// service also needs the 0.1 timer).
fn hello(
    request: Request<Body>,
) -> impl Future01<Item = Response<Body>, Error = hyper012::Error> + Send {
    let body = format!("hello {}", request.uri().path());
    tokio01::timer::Delay::new(Instant::now() + Duration::from_millis(1))
        .map_err(|e| panic!("the 0.1 timer failed in the service: {e}"))
        .map(move |()| Response::new(Body::from(body)))
}

/// A hyper 0.12 server on 127.0.0.1 as hyper's own examples write it (`Server::bind`, default
/// executor), which stops when `stop` fires; counts the connections it accepted.
fn http1_server(
    connections: Arc<AtomicUsize>,
    stop: futures01::sync::oneshot::Receiver<()>,
) -> (SocketAddr, impl Future01<Item = (), Error = ()> + Send) {
    let server = Server::bind(&([127, 0, 0, 1], 0).into()).serve(make_service_fn(move |_| {
        connections.fetch_add(1, Ordering::SeqCst);
        Ok::<_, hyper012::Error>(service_fn(hello))
    }));
    let addr = server.local_addr();
    let server = server
        .with_graceful_shutdown(stop.then(|_| Ok::<(), ()>(())))
        .map_err(|e| panic!("server: {e}"));
    (addr, server)
}

/// `REQUESTS` GETs in sequence on one `Client::new()` (keep-alive reuses one connection); the
/// bodies in order.
fn get_all(
    client: Client<hyper012::client::HttpConnector>,
    addr: SocketAddr,
) -> impl Future01<Item = Vec<String>, Error = hyper012::Error> + Send {
    futures01::stream::iter_ok(0..REQUESTS)
        .and_then(move |i| {
            let uri = format!("http://{addr}/r{i}").parse().unwrap();
            client.get(uri).and_then(|response| {
                assert_eq!(response.status(), 200);
                response.into_body().concat2()
            })
        })
        .map(|body| String::from_utf8(body.to_vec()).unwrap())
        .collect()
}

fn expected() -> Vec<String> {
    (0..REQUESTS).map(|i| format!("hello /r{i}")).collect()
}

/// The whole exchange as one 0.1 future: start the server (spawned with tokio 0.1's
/// `tokio::spawn`), run the client, stop the server; answers the bodies and the number of
/// connections the server accepted.
fn http1_exchange() -> impl Future01<Item = (Vec<String>, usize), Error = ()> + Send {
    futures01::future::lazy(|| {
        let connections = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = futures01::sync::oneshot::channel();
        let (addr, server) = http1_server(Arc::clone(&connections), stopped);
        tokio01::spawn(server);
        get_all(Client::new(), addr)
            .map_err(|e| panic!("client: {e}"))
            .map(move |bodies| {
                let _ = stop.send(());
                (bodies, connections.load(Ordering::SeqCst))
            })
    })
}

#[test]
fn hyper_http1_server_and_client_on_plain_tokio_1_both_flavors() {
    on_both_flavors(|| async {
        // The server is polled by tokio 1 directly (`tokio::spawn` of the bridged future).
        let connections = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = futures01::sync::oneshot::channel();
        let (addr, server) = http1_server(Arc::clone(&connections), stopped);
        let server = tokio::spawn(server.compat());
        let bodies = get_all(Client::new(), addr).compat().await.unwrap();
        assert_eq!(bodies, expected());
        assert_eq!(
            connections.load(Ordering::SeqCst),
            1,
            "keep-alive: one connection"
        );
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    });
}

#[test]
fn hyper_http1_exchange_spawned_with_tokio01_spawn_on_plain_tokio_1() {
    on_both_flavors(|| async {
        let (bodies, connections) = http1_exchange().compat().await.unwrap();
        assert_eq!(bodies, expected());
        assert_eq!(connections, 1);
    });
}

#[test]
fn hyper_http1_on_iocompat_runtime() {
    let (bodies, connections) = bounded::bounded(|| {
        let mut rt = iocompat::tokio01::Runtime::new().unwrap();
        let got = rt.block_on(http1_exchange()).unwrap();
        // The server stopped gracefully and the client's connection task ended: idle.
        rt.shutdown_on_idle().wait().unwrap();
        got
    });
    assert_eq!(bodies, expected());
    assert_eq!(connections, 1);
}

#[test]
fn hyper_http1_under_iocompat_run_returns_when_the_server_stops() {
    let got = bounded::bounded(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        iocompat::tokio01::run(http1_exchange().map(move |got| tx.send(got).unwrap()));
        rx.recv().unwrap()
    });
    assert_eq!(got, (expected(), 1));
}

#[test]
fn hyper_http1_on_iocompat_current_thread_runtime() {
    let (bodies, connections) = bounded::bounded(|| {
        let mut rt = iocompat::tokio01::current_thread::Runtime::new().unwrap();
        let got = rt.block_on(http1_exchange()).unwrap();
        rt.run().unwrap();
        got
    });
    assert_eq!(bodies, expected());
    assert_eq!(connections, 1);
}

/// An HTTP/2 server connection made with `Http::new()` (its default executor spawns the
/// stream tasks) on a tokio 0.1 `TcpListener`, and an `http2_only` client, as one 0.1 future.
fn http2_exchange() -> impl Future01<Item = Vec<String>, Error = ()> + Send {
    futures01::future::lazy(|| {
        let listener = tokio01::net::TcpListener::bind(&([127, 0, 0, 1], 0).into()).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = listener
            .incoming()
            .into_future()
            .map_err(|(e, _)| panic!("accept: {e}"))
            .and_then(|(socket, _)| {
                Http::new()
                    .http2_only(true)
                    .serve_connection(socket.unwrap(), service_fn(hello))
                    .map_err(|e| panic!("server connection: {e}"))
            });
        tokio01::spawn(server);
        let client = Client::builder().http2_only(true).build_http::<Body>();
        futures01::stream::iter_ok(0..REQUESTS)
            .and_then(move |i| {
                let uri = format!("http://{addr}/r{i}").parse().unwrap();
                client.get(uri).and_then(|response| {
                    assert_eq!(response.version(), hyper012::Version::HTTP_2);
                    response.into_body().concat2()
                })
            })
            .map(|body| String::from_utf8(body.to_vec()).unwrap())
            .collect()
            .map_err(|e| panic!("client: {e}"))
    })
}

#[test]
fn hyper_http2_with_default_executors_on_plain_tokio_1_both_flavors() {
    on_both_flavors(|| async {
        assert_eq!(http2_exchange().compat().await.unwrap(), expected());
    });
}

#[test]
fn hyper_http2_with_default_executors_on_iocompat_runtime() {
    let bodies = bounded::bounded(|| {
        let mut rt = iocompat::tokio01::Runtime::new().unwrap();
        let bodies = rt.block_on(http2_exchange()).unwrap();
        rt.shutdown_now().wait().unwrap();
        bodies
    });
    assert_eq!(bodies, expected());
}
