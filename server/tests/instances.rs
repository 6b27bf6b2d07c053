//! Two instances of the server binary over one PostgreSQL behind nginx round robin, as sellers
//! run them: a write through one is served by the other within a second, and killing one
//! during a stream of seller writes loses no acknowledged write while the other keeps
//! answering. PostgreSQL only (`cargo xtask test` runs the server's tests on it): on SQLite one
//! instance has the file.
#![cfg(unix)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::nginx::{free_port, Nginx};
use support::process::{add_seller, request, start, start_with};

mod support;

/// Whether the tests run on PostgreSQL; says so and skips when not.
fn on_postgres() -> bool {
    let on = std::env::var("TRACKLINE_TEST_DATABASE").is_ok_and(|url| !url.is_empty());
    if !on {
        eprintln!("skipped: several instances share a PostgreSQL, which cargo xtask test starts");
    }
    on
}

const SHIPMENT: &str = r#"{"tracking_number":"RA500000018RU","stage":"handed_over"}"#;
const LOOKUP: &str = "/api/v1/track/RA500000018RU";

/// The seller's shipment `two`, written through `addr`.
async fn put_shipment(addr: &str, token: &str) {
    let path = "/api/v1/seller/shipments/two";
    let put = request(addr, "PUT", path, token, "", SHIPMENT).await;
    assert_eq!(put.map(|(status, _)| status), Some(201));
}

fn event(i: u32) -> String {
    format!(r#"{{"at":"2026-11-21T10:00:00+03:00","text":"event {i}"}}"#)
}

/// The event texts a body of contract v1 (a lookup) or of the seller API shows.
fn texts(body: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let events = json["shipments"][0]["events"]
        .as_array()
        .or_else(|| json["shipment"]["events"].as_array())
        .cloned()
        .unwrap_or_default();
    events
        .iter()
        .filter_map(|event| event["text"].as_str().map(str::to_owned))
        .collect()
}

/// How many lookups an instance answered from its lookup cache, read from its metrics.
async fn cache_hits(metrics: SocketAddr) -> u64 {
    let scraped = request(&metrics.to_string(), "GET", "/metrics", "", "", "")
        .await
        .map(|(_, body)| body)
        .unwrap_or_default();
    scraped
        .lines()
        .find(|line| line.starts_with("trackline_lookup_cache_total{hit=\"true\"}"))
        .and_then(|line| line.split_whitespace().last())
        .and_then(|count| count.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_write_through_one_instance_is_served_by_the_other_within_a_second() {
    if !on_postgres() {
        return;
    }
    let database = support::fresh_url(None).await;
    let token = add_seller(&database, "Two Instances").await;
    let (_one, one) = start(&database).await;
    let metrics = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let (_other, other) = start_with(
        &database,
        &[("TRACKLINE_METRICS_ADDR", &metrics.to_string())],
    )
    .await;
    put_shipment(&one, &token).await;
    // The other instance reads it, and then answers from its cache: once it hears the others
    // (its LISTEN connection, which a loaded machine may take a moment to open; it caches nothing
    // before), within a deadline.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = request(&other, "GET", LOOKUP, "", "", "")
            .await
            .expect("the other instance answers");
        assert_eq!(status, 200, "{body}");
        if cache_hits(metrics).await >= 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the other instance answers from its cache"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let posted = request(
        &one,
        "POST",
        "/api/v1/seller/shipments/two/events",
        &token,
        "",
        &event(1),
    )
    .await;
    assert_eq!(posted.map(|(status, _)| status), Some(201));
    let written = Instant::now();
    loop {
        let body = request(&other, "GET", LOOKUP, "", "", "")
            .await
            .map(|(_, body)| body)
            .unwrap_or_default();
        if texts(&body).contains(&"event 1".to_owned()) {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the event written through one instance is not served by the other after a second"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn killing_one_instance_during_seller_writes_loses_no_acknowledged_write() {
    if !on_postgres() {
        return;
    }
    let database = support::fresh_url(None).await;
    let token = add_seller(&database, "Two Instances").await;
    // The buyers here are one test client: the lookup limit is not under test, and opened wide.
    let wide = [
        ("TRACKLINE_RATE_PER_MINUTE", "100000"),
        ("TRACKLINE_RATE_BURST", "10000"),
    ];
    let (mut doomed, doomed_addr) = start_with(&database, &wide).await;
    let (_survivor, survivor) = start_with(&database, &wide).await;
    let addrs: Vec<SocketAddr> = [&doomed_addr, &survivor]
        .iter()
        .map(|addr| addr.parse().expect("an address"))
        .collect();
    let nginx = Nginx::start_before(&addrs).await;
    let proxy = nginx.addr.to_string();
    put_shipment(&proxy, &token).await;

    // A seller's client posts events through the proxy, retrying each with its
    // Idempotency-Key until it is acknowledged, as the seller API asks clients to.
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (proxy, token, acknowledged) = (proxy.clone(), token.clone(), acknowledged.clone());
        tokio::spawn(async move {
            let mut retried = 0;
            for i in 0..300u32 {
                let key = format!("idempotency-key: two-{i}\r\n");
                loop {
                    let path = "/api/v1/seller/shipments/two/events";
                    match request(&proxy, "POST", path, &token, &key, &event(i)).await {
                        Some((201, _)) => break,
                        Some((500 | 502 | 503 | 504, _)) | None => {
                            retried += 1;
                            assert!(retried < 200, "writes keep failing");
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                        Some((status, body)) => panic!("event {i}: {status} {body}"),
                    }
                }
                acknowledged.fetch_add(1, Ordering::SeqCst);
            }
            retried
        })
    };
    // Buyers keep looking it up through the proxy meanwhile.
    let killed = Arc::new(AtomicBool::new(false));
    let reader = {
        let (proxy, killed) = (proxy.clone(), killed.clone());
        tokio::spawn(async move {
            let (mut after_kill, mut failed) = (0, Vec::new());
            while after_kill < 200 {
                let status = request(&proxy, "GET", LOOKUP, "", "", "")
                    .await
                    .map_or(0, |(status, _)| status);
                if killed.load(Ordering::SeqCst) {
                    after_kill += 1;
                    if status != 200 {
                        failed.push(status);
                    }
                }
            }
            failed
        })
    };
    while acknowledged.load(Ordering::SeqCst) < 50 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    doomed.start_kill().expect("SIGKILL");
    doomed.wait().await.expect("the instance is gone");
    killed.store(true, Ordering::SeqCst);
    let retried = writer
        .await
        .expect("every write is acknowledged in the end");
    let failed = reader.await.expect("the reader ends");
    assert!(
        failed.is_empty(),
        "lookups failed after one instance died: {failed:?}"
    );
    eprintln!("writes retried after the kill: {retried}");

    let (status, body) = request(
        &survivor,
        "GET",
        "/api/v1/seller/shipments/two",
        &token,
        "",
        "",
    )
    .await
    .expect("the surviving instance answers");
    assert_eq!(status, 200, "{body}");
    let stored = texts(&body);
    let lost: Vec<u32> = (0..300)
        .filter(|i| !stored.contains(&format!("event {i}")))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert_eq!(stored.len(), 300, "each event once, retries included");
}
