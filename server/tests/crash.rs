//! The real server process, killed with SIGKILL while a client posts events: every event it
//! acknowledged is there after a restart. Runs on SQLite, and on PostgreSQL under `cargo xtask test`.
#![cfg(unix)]

use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

mod support;

const SERVER: &str = env!("CARGO_BIN_EXE_trackline-server");

/// Starts the server on a free port and returns it with its address, read from its first line.
async fn start(database: &str) -> (Child, String) {
    start_with(database, &[]).await
}

/// Starts the server with extra environment.
async fn start_with(database: &str, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(SERVER)
        .args(["--addr", "127.0.0.1:0", "--database", database])
        .env("RUST_LOG", "warn")
        .env(
            "TRACKLINE_SECRET_KEY",
            support::test_secret_key().to_base64(),
        )
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
    (child, addr)
}

/// One HTTP/1.1 request on a fresh connection; `None` when the server is gone.
async fn request(
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

#[tokio::test]
async fn every_acknowledged_event_survives_a_sigkill() {
    let dir = tempdir("sigkill");
    let database = support::fresh_url(Some(&dir)).await;
    let token = add_seller(&database).await;

    let (mut server, addr) = start(&database).await;
    let shipment = r#"{"tracking_number":"RA500000018RU","stage":"handed_over"}"#;
    let (status, _) = request(
        &addr,
        "PUT",
        "/api/v1/seller/shipments/crash",
        &token,
        "",
        shipment,
    )
    .await
    .expect("the server answers");
    assert_eq!(status, 201);

    // A client posts events one after another; the server is killed in the middle.
    let client_addr = addr.clone();
    let client_token = token.clone();
    let client = tokio::spawn(async move {
        let mut acknowledged = Vec::new();
        for i in 0..10_000u32 {
            let event = format!(r#"{{"at":"2026-11-21T10:00:00+03:00","text":"event {i}"}}"#);
            let key = format!("idempotency-key: crash-{i}\r\n");
            match request(
                &client_addr,
                "POST",
                "/api/v1/seller/shipments/crash/events",
                &client_token,
                &key,
                &event,
            )
            .await
            {
                Some((201, _)) => acknowledged.push(i),
                Some((status, body)) => panic!("event {i}: {status} {body}"),
                None => break,
            }
        }
        acknowledged
    });
    // Kill once the client has had some events acknowledged, whatever it is doing now.
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let count = request(
            &addr,
            "GET",
            "/api/v1/seller/shipments/crash",
            &token,
            "",
            "",
        )
        .await
        .and_then(|(_, body)| serde_json::from_str::<serde_json::Value>(&body).ok())
        .and_then(|stored| stored["shipment"]["events"].as_array().map(Vec::len))
        .unwrap_or(0);
        if count >= 40 {
            break;
        }
    }
    server.start_kill().expect("SIGKILL");
    server.wait().await.expect("the server is gone");
    let acknowledged = client
        .await
        .expect("the client ends when the server is gone");
    // The server stored 40 and more before it died; the client heard back about most of them.
    assert!(
        acknowledged.len() >= 20,
        "only {} acknowledged",
        acknowledged.len()
    );

    let (_server, addr) = start(&database).await;
    let (status, body) = request(
        &addr,
        "GET",
        "/api/v1/seller/shipments/crash",
        &token,
        "",
        "",
    )
    .await
    .expect("the restarted server answers");
    assert_eq!(status, 200);
    let stored: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let texts: std::collections::HashSet<&str> = stored["shipment"]["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|event| event["text"].as_str())
        .collect();
    let lost: Vec<u32> = acknowledged
        .iter()
        .copied()
        .filter(|i| !texts.contains(format!("event {i}").as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Adds a seller through the server's own command and returns its token.
async fn add_seller(database: &str) -> String {
    let added = Command::new(SERVER)
        .args(["add-seller", "Crash Shop", "--database", database])
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("add-seller runs");
    let token = String::from_utf8_lossy(&added.stdout).trim().to_owned();
    assert!(token.starts_with("tl_"), "{token:?}");
    token
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trackline-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_then_exits() {
    let dir = tempdir("sigterm");
    let database = support::fresh_url(Some(&dir)).await;
    let token = add_seller(&database).await;
    let (fake, calls) = support::fake_ozon::start_fake().await;
    let (mut server, addr) = start_with(&database, &[("TRACKLINE_OZON_BASE_URL", &fake)]).await;
    let keys = format!(
        r#"{{"client_id":"{}","api_key":"{}"}}"#,
        support::fake_ozon::CLIENT_ID,
        support::fake_ozon::API_KEY
    );
    let (status, _) = request(&addr, "PUT", "/api/v1/seller/ozon", &token, "", &keys)
        .await
        .expect("the server answers");
    assert_eq!(status, 204);
    // A pull that Ozon (the fake) takes a while to answer.
    let slow_addr = addr.clone();
    let slow_token = token.clone();
    let slow = tokio::spawn(async move {
        request(
            &slow_addr,
            "POST",
            "/api/v1/seller/ozon/postings/66666666-0001-1",
            &slow_token,
            "",
            "",
        )
        .await
    });
    // Once Ozon has been asked, the request is in flight: now SIGTERM.
    loop {
        let asked = calls
            .lock()
            .unwrap()
            .contains_key("/v3/posting/fbs/get 66666666-0001-1");
        if asked {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = server.id().expect("the server's pid").to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill runs");
    assert!(sent.success());
    let (status, body) = slow
        .await
        .expect("the client ends")
        .expect("the request in flight is answered");
    assert_eq!(status, 201, "{body}");
    let exit = tokio::time::timeout(Duration::from_secs(20), server.wait())
        .await
        .expect("the server exits after its last request")
        .expect("its status");
    assert!(exit.success(), "{exit:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn healthcheck_exits_0_for_a_ready_server_and_1_for_none() {
    let dir = tempdir("healthcheck");
    let database = support::fresh_url(Some(&dir)).await;
    let (mut server, addr) = start(&database).await;
    let check = |addr: String| async move {
        Command::new(SERVER)
            .args(["healthcheck", "--addr", &addr])
            .env("RUST_LOG", "warn")
            .status()
            .await
            .expect("healthcheck runs")
            .code()
    };
    assert_eq!(check(addr.clone()).await, Some(0));
    let _ = server.kill().await;
    let _ = server.wait().await;
    assert_eq!(check(addr).await, Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}
