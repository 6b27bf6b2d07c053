//! The real server process, killed with SIGKILL while a client posts events: every event it
//! acknowledged is there after a restart. Runs on SQLite, and on PostgreSQL under `cargo xtask test`.
#![cfg(unix)]

use std::time::Duration;
use support::process::{add_seller, request, start, start_with, tempdir, SERVER};
use tokio::process::Command;

mod support;

#[tokio::test]
async fn every_acknowledged_event_survives_a_sigkill() {
    let dir = tempdir("sigkill");
    let database = support::fresh_url(Some(&dir)).await;
    let token = add_seller(&database, "Crash Shop").await;

    let (mut server, addr) = start(&database).await;
    let shipment = r#"{"tracking_number":"RA500000018RU","stage":"handed_over"}"#;
    let (status, body) = request(
        &addr,
        "PUT",
        "/api/v1/seller/shipments/crash",
        &token,
        "",
        shipment,
    )
    .await
    .expect("the server answers");
    assert_eq!(status, 201, "{body}");

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

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_then_exits() {
    let dir = tempdir("sigterm");
    let database = support::fresh_url(Some(&dir)).await;
    let token = add_seller(&database, "Crash Shop").await;
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
