//! How the listeners serve their connections: each has a bounded time to send a request's head
//! (the first, and on a kept-alive connection the next) and a bounded time from its head to its
//! answer, and no more than a bounded number are open at once. Without these (`axum::serve` sets
//! none) a client that trickles its headers a byte every few seconds, or opens connections and
//! sends nothing, holds each connection, and its file descriptor, for as long as it likes.

use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tower::Service;
use tower_http::timeout::TimeoutLayer;

/// The most connections served at once, where the file-descriptor limit allows it.
pub const MAX_CONNECTIONS: usize = 10_000;

/// How long a client may take, and how many may be connected at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a connection may take to send a request's line and headers, counted from when
    /// the server waits for them: from the connection's start, and on a kept-alive connection
    /// from the end of the last answer, so that this is also how long an idle connection stays.
    pub header_read: Duration,
    /// How long a request may take from its head to its answer, its body included (408 then).
    pub request: Duration,
    /// How many connections are served at once; the next waits in the listen backlog until one ends.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(30),
            max_connections: default_max_connections(),
        }
    }
}

/// `MAX_CONNECTIONS`, or three quarters of the process's file-descriptor limit if that is less:
/// the rest stays for the database, the widget's files and the requests the server makes.
fn default_max_connections() -> usize {
    match rustix::process::getrlimit(rustix::process::Resource::Nofile).current {
        Some(limit) => usize::try_from(limit / 4 * 3)
            .unwrap_or(MAX_CONNECTIONS)
            .clamp(1, MAX_CONNECTIONS),
        None => MAX_CONNECTIONS,
    }
}

/// Serves `app` on `listener` under `limits`, with the client's address as
/// `ConnectInfo<SocketAddr>`, until `shutdown` is cancelled; then accepts no more, lets the
/// requests under way finish, and returns once every connection has closed.
///
/// # Errors
/// Never: a failed accept is logged and retried (the `Result` is the one `axum::serve` had).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let app = app.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        limits.request,
    ));
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (closing, heard) = watch::channel(false);
    loop {
        // A permit before the accept: at the bound, the next connection waits in the kernel's
        // backlog, where it holds none of this process's file descriptors.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = shutdown.cancelled() => break,
        };
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    pause_after(&error).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        tokio::spawn(connection(
            stream,
            client,
            app.clone(),
            limits,
            permit,
            heard.clone(),
        ));
    }
    drop(listener);
    drop(heard);
    let _ = closing.send(true);
    // Every connection holds a receiver until it has closed.
    closing.closed().await;
    Ok(())
}

/// Serves one connection until it ends, or, once `closing` turns true, until the request under
/// way (if any) is answered.
async fn connection(
    stream: TcpStream,
    client: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    _permit: OwnedSemaphorePermit,
    mut closing: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(client));
        let mut app = app.clone();
        async move { app.call(request).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let served = builder.serve_connection(TokioIo::new(stream), service);
    let mut served = std::pin::pin!(served);
    tokio::select! {
        _ = served.as_mut() => return,
        _ = closing.wait_for(|closing| *closing) => {}
    }
    served.as_mut().graceful_shutdown();
    let _ = served.await;
}

/// After a failed accept: nothing for a connection the client gave up, a second for anything
/// else (out of file descriptors, say), so that the loop does not spin while it lasts.
async fn pause_after(error: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
