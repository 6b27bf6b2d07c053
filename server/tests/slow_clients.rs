//! Slow and hostile clients against the real listeners (`trackline_server::start`): a client
//! that trickles its headers, or sends nothing, is cut off at the header timeout; one that
//! trickles its body is answered 408 at the request timeout; and past the connection bound the
//! next connection waits until one ends.

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use trackline_server::connections::ConnectionLimits;
use trackline_server::Settings;

mod support;

/// A started server: where it listens, and how to stop it and wait for it to have stopped.
struct Server {
    addr: SocketAddr,
    metrics: Option<SocketAddr>,
    stop: tokio::sync::oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(connections: ConnectionLimits, with_metrics: bool) -> Server {
    let config = Settings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        metrics_addr: with_metrics.then(|| SocketAddr::from(([127, 0, 0, 1], 0))),
        database_url: support::fresh_url(None).await,
        secret_key: Some(support::test_secret_key()),
        connections,
        ..Settings::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (listening, serving) = trackline_server::start(&config, async {
        let _ = stopped.await;
    })
    .await
    .expect("the server starts");
    Server {
        addr: listening.addr,
        metrics: listening.metrics,
        stop,
        serving: tokio::spawn(serving),
    }
}

fn limits(header_read: Duration, request: Duration, max_connections: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_read,
        request,
        max_connections,
    }
}

/// What became of a connection the test kept sending to.
#[derive(Debug)]
enum Fate {
    /// The server closed it after this long, having sent what it sent.
    Closed(Duration, String),
    /// Still open at the deadline.
    Open,
}

/// Sends `bytes` one at a time, one every `every`, reading what the server sends between them,
/// until the server closes the connection or `deadline` passes. After the last byte it only reads.
async fn trickle(
    stream: &mut TcpStream,
    bytes: &[u8],
    every: Duration,
    deadline: Duration,
) -> Fate {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut rest = bytes.iter();
    while started.elapsed() < deadline {
        if let Some(byte) = rest.next() {
            if stream.write_all(&[*byte]).await.is_err() {
                return Fate::Closed(started.elapsed(), String::from_utf8_lossy(&received).into());
            }
        }
        let mut buffer = [0u8; 4096];
        match tokio::time::timeout(every, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Fate::Closed(started.elapsed(), String::from_utf8_lossy(&received).into())
            }
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => {}
        }
    }
    Fate::Open
}

/// A request's head that never ends: a header whose value goes on for `length` bytes.
fn endless_head(path: &str, length: usize) -> Vec<u8> {
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").into_bytes();
    head.extend(std::iter::repeat_n(b'a', length));
    head
}

/// Sends a whole `GET path` on `stream` and reads until the answer's head and `marker` in its body.
async fn get_on(stream: &mut TcpStream, path: &str, marker: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    read_until(stream, marker, Duration::from_secs(10))
        .await
        .expect("an answer")
}

/// Reads from `stream` until what arrived holds `marker`; `None` if the connection closes or
/// `within` passes first.
async fn read_until(stream: &mut TcpStream, marker: &str, within: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + within;
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
        let text = String::from_utf8_lossy(&received);
        if text.contains(marker) {
            return Some(text.into_owned());
        }
    }
}

async fn stop(server: Server) {
    let _ = server.stop.send(());
    let stopped = tokio::time::timeout(Duration::from_secs(10), server.serving).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "the server stops once asked: {stopped:?}"
    );
}

const HEADER_READ: Duration = Duration::from_secs(2);
/// How much later than its timeout a connection may be seen closed: the test's own reads, a busy machine.
const MARGIN: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_client_that_trickles_its_headers_or_sends_nothing_is_cut_off_at_the_header_timeout() {
    let server = start(limits(HEADER_READ, Duration::from_secs(30), 100), true).await;
    let metrics = server.metrics.expect("a metrics listener");
    // One header byte a second (a head 30 bytes too long to ever end), on both listeners; and a
    // connection that answered one request and then says nothing, kept alive.
    let trickled = |addr: SocketAddr, path: &'static str| async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = endless_head(path, 30);
        trickle(&mut stream, &head, Duration::from_secs(1), HEADER_READ * 5).await
    };
    let idle = |addr: SocketAddr| async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let answer = get_on(&mut stream, "/healthz", "\r\n\r\n").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        trickle(
            &mut stream,
            b"",
            Duration::from_millis(200),
            HEADER_READ * 5,
        )
        .await
    };
    let silent = |addr: SocketAddr| async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        trickle(
            &mut stream,
            b"",
            Duration::from_millis(200),
            HEADER_READ * 5,
        )
        .await
    };
    let (public, of_metrics, kept_alive, said_nothing) = tokio::join!(
        trickled(server.addr, "/healthz"),
        trickled(metrics, "/metrics"),
        idle(server.addr),
        silent(server.addr),
    );
    for (name, fate) in [
        ("the public listener", public),
        ("the metrics listener", of_metrics),
        ("a kept-alive connection", kept_alive),
        ("a connection that sends nothing", said_nothing),
    ] {
        match fate {
            Fate::Closed(after, received) => assert!(
                after <= HEADER_READ + MARGIN && !received.contains(" 200 "),
                "{name}: closed after {after:?} having received {received:?}"
            ),
            Fate::Open => panic!("{name}: still open after {:?}", HEADER_READ * 5),
        }
    }
    stop(server).await;
}

#[tokio::test]
async fn a_client_that_trickles_its_body_is_answered_408_at_the_request_timeout() {
    let request = Duration::from_secs(2);
    let server = start(limits(Duration::from_secs(30), request, 100), false).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    // A whole head, then a body promised at 1 000 bytes that comes a byte every 200 ms.
    let head = "POST /api/v1/push/renew HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let body = vec![b' '; 1000];
    let fate = trickle(&mut stream, &body, Duration::from_millis(200), request * 5).await;
    match fate {
        Fate::Closed(after, received) => assert!(
            after <= request + MARGIN && received.starts_with("HTTP/1.1 408"),
            "closed after {after:?} having received {received:?}"
        ),
        Fate::Open => panic!("still open after {:?}", request * 5),
    }
    stop(server).await;
}

#[tokio::test]
async fn past_the_connection_bound_the_next_connection_waits_until_one_ends() {
    let server = start(
        limits(Duration::from_secs(30), Duration::from_secs(30), 2),
        false,
    )
    .await;
    // Two connections served (so accepted), then kept open saying nothing: the bound is reached.
    let mut first = TcpStream::connect(server.addr).await.unwrap();
    let mut second = TcpStream::connect(server.addr).await.unwrap();
    for stream in [&mut first, &mut second] {
        let answer = get_on(stream, "/healthz", "\r\n\r\n").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    // The third connects (the kernel takes it into the backlog) and asks, and is not served...
    let mut third = TcpStream::connect(server.addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let early = read_until(&mut third, "\r\n\r\n", Duration::from_millis(500)).await;
    assert_eq!(
        early, None,
        "a third connection was served past a bound of two"
    );
    // ...until one of the two ends.
    drop(first);
    let answer = read_until(&mut third, "\r\n\r\n", Duration::from_secs(10)).await;
    assert!(
        answer
            .as_deref()
            .is_some_and(|a| a.starts_with("HTTP/1.1 200")),
        "the third connection was not served once the first ended: {answer:?}"
    );
    stop(server).await;
}
