//! The real server binary as operators run it: started as a process over a database, spoken
//! to over HTTP/1.1 on fresh connections, and its own commands (`add-seller`).

use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// The server binary under test.
pub const SERVER: &str = env!("CARGO_BIN_EXE_trackline-server");

/// Starts the server on a free port and returns it with its address, read from its first line.
pub async fn start(database: &str) -> (Child, String) {
    start_with(database, &[]).await
}

/// Starts the server with extra environment.
pub async fn start_with(database: &str, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(SERVER)
        .args(["--addr", "127.0.0.1:0", "--database", database])
        .env("RUST_LOG", "warn")
        .env("TRACKLINE_SECRET_KEY", super::test_secret_key().to_base64())
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("its output");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the server says where it listens")
        .expect("its output reads")
        .expect("a first line");
    let addr = line
        .trim()
        .trim_start_matches("trackline is running at http://")
        .trim_end_matches('/')
        .to_owned();
    // The rest of its output is its log: kept flowing (a closed pipe would lose it) into the
    // test's output, where a failure shows it.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("server: {line}");
        }
    });
    (child, addr)
}

/// One HTTP/1.1 request on a fresh connection; `None` when the server is gone.
pub async fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    extra: &str,
    body: &str,
) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n{extra}\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.ok()?;
    let status = answer.split(' ').nth(1)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

/// Adds a seller through the server's own command and returns its token.
pub async fn add_seller(database: &str, name: &str) -> String {
    let added = Command::new(SERVER)
        .args(["add-seller", name, "--database", database])
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("add-seller runs");
    let token = String::from_utf8_lossy(&added.stdout).trim().to_owned();
    assert!(token.starts_with("tl_"), "{token:?}");
    token
}

/// A new temporary directory for this test process.
pub fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trackline-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}
