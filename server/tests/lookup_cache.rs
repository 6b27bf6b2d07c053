//! The lookup cache: a repeated lookup needs no store, and no cached response outlives a write
//! it does not show, whoever wrote it. Runs on SQLite, and on
//! PostgreSQL under `cargo xtask test` (where another instance's write is heard through NOTIFY).

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::process::tempdir;
use support::{bearer, request, send};
use trackline_core::second_factor::SecondFactors;
use trackline_core::Shipment;
use trackline_server::demo;
use trackline_server::lookup_cache::LookupCache;
use trackline_server::store::Backend;

mod support;

fn with_client(app: Router) -> Router {
    app.layer(MockConnectInfo(std::net::SocketAddr::from((
        [192, 0, 2, 44],
        4000,
    ))))
}

fn lookup(uri: &str) -> Request<Body> {
    request(Method::GET, uri, &[], None)
}

fn seller(method: Method, uri: &str, token: &str, body: Value) -> Request<Body> {
    request(
        method,
        uri,
        &[("authorization", &bearer(token))],
        Some(&body),
    )
}

fn texts(reply: &Value) -> Vec<String> {
    reply["shipments"][0]["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter_map(|event| event["text"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_repeated_lookup_is_answered_without_the_store() {
    let store = support::fresh_store().await;
    demo::seed_if_empty(&store).await.unwrap();
    let app = with_client(trackline_server::app(support::demo_state(&store)));
    let first = send(&app, lookup("/api/v1/track/RA100000048RU")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    // The store goes away: the response read once is still given, with the same tag…
    store.pool().close().await;
    let again = send(&app, lookup("/api/v1/track/ra%201000-0004-8ru")).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.text, first.text);
    assert_eq!(again.headers.get("etag"), first.headers.get("etag"));
    // …while a number never asked needs the store, and fails without it.
    let other = send(&app, lookup("/api/v1/track/RA100000051RU")).await;
    assert_eq!(other.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn every_write_through_the_seller_api_is_shown_by_the_next_lookup() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = with_client(support::app(&store));
    let uri = "/api/v1/track/RA500000018RU";
    assert_eq!(send(&app, lookup(uri)).await.status, StatusCode::NOT_FOUND);
    let shipment = json!({"tracking_number": "RA500000018RU", "stage": "handed_over"});
    let put = send(
        &app,
        seller(
            Method::PUT,
            "/api/v1/seller/shipments/s-1",
            &token,
            shipment,
        ),
    )
    .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.text);
    // A number not found a moment ago is found now: "not found" was kept, and outdated.
    let found = send(&app, lookup(uri)).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    assert_eq!(found.json()["shipments"][0]["stage"], "handed_over");
    for i in 0..3 {
        let event = json!({"at": format!("2026-11-2{}T10:00:00Z", i + 1), "stage": "in_transit", "text": format!("event {i}")});
        let posted = send(
            &app,
            seller(
                Method::POST,
                "/api/v1/seller/shipments/s-1/events",
                &token,
                event,
            ),
        )
        .await;
        assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.text);
        let shown = send(&app, lookup(uri)).await.json();
        assert!(
            texts(&shown).contains(&format!("event {i}")),
            "event {i} is shown at once: {shown}"
        );
    }
    let patch = send(
        &app,
        seller(
            Method::PATCH,
            "/api/v1/seller/shipments/s-1",
            &token,
            json!({"stage": "delivered"}),
        ),
    )
    .await;
    assert_eq!(patch.status, StatusCode::OK, "{}", patch.text);
    assert_eq!(
        send(&app, lookup(uri)).await.json()["shipments"][0]["stage"],
        "delivered"
    );
    // New rules apply to a response already cached.
    let rules = send(
        &app,
        seller(
            Method::PUT,
            "/api/v1/seller/settings",
            &token,
            json!({"allowed_origins": ["https://shop.example"]}),
        ),
    )
    .await;
    assert_eq!(rules.status, StatusCode::OK, "{}", rules.text);
    let elsewhere = request(
        Method::GET,
        uri,
        &[("origin", "https://elsewhere.example")],
        None,
    );
    assert_eq!(send(&app, elsewhere).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_response_a_second_factor_opened_is_not_cached_for_the_next_buyer() {
    let store = support::fresh_store().await;
    demo::seed_if_empty(&store).await.unwrap();
    let app = with_client(trackline_server::app(support::demo_state(&store)));
    let order = format!(
        "/api/v1/shops/{}/track/{}",
        demo::GUARDED_SELLER,
        demo::GUARDED_ORDER
    );
    let answered = request(
        Method::GET,
        &order,
        &[("trackline-check", demo::GUARDED_PHONE_LAST4)],
        None,
    );
    let opened = send(&app, answered).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
    let next = send(&app, lookup(&order)).await;
    assert_eq!(next.status, StatusCode::FORBIDDEN, "{}", next.text);
    assert_eq!(next.json()["error"], "check_required");
}

#[tokio::test]
async fn a_new_seller_outdates_what_the_short_path_meant() {
    let store = support::fresh_store().await;
    let (first, _) = store.add_seller("Only shop").await.unwrap();
    let shipment: Shipment =
        serde_json::from_value(json!({"tracking_number": "RA500000018RU", "stage": "in_transit"}))
            .unwrap();
    trackline_server::updates::put(&store, first, "o-1", &shipment, &SecondFactors::default())
        .await
        .unwrap();
    let app = with_client(support::app(&store));
    let uri = "/api/v1/track/RA500000018RU";
    assert_eq!(send(&app, lookup(uri)).await.status, StatusCode::OK);
    store.add_seller("Second shop").await.unwrap();
    let after = send(&app, lookup(uri)).await;
    assert_eq!(after.status, StatusCode::BAD_REQUEST, "{}", after.text);
    assert_eq!(after.json()["error"], "shop_required");
}

/// Another instance's write, made through its own store over the same database: heard through
/// PostgreSQL's NOTIFY within a second; on SQLite, which has no such channel (one instance has
/// the file), seen when the cached response expires.
#[tokio::test]
async fn a_write_by_another_instance_outdates_the_cached_response() {
    let dir = tempdir("lookup-cache-other");
    let url = support::fresh_url(Some(&dir)).await;
    let (this, other) = (support::store_at(&url).await, support::store_at(&url).await);
    let (seller, _) = this.add_seller("Shop").await.unwrap();
    let write = |stage: &str| -> Shipment {
        serde_json::from_value(json!({"tracking_number": "RA500000018RU", "stage": stage})).unwrap()
    };
    trackline_server::updates::put(
        &other,
        seller,
        "o-1",
        &write("handed_over"),
        &SecondFactors::default(),
    )
    .await
    .unwrap();
    let mut state = support::state(&this);
    if this.backend() == Backend::Sqlite {
        state.lookup_cache = LookupCache::new(1 << 20, Duration::from_millis(300));
    }
    let app = with_client(trackline_server::app(state));
    let uri = "/api/v1/track/RA500000018RU";
    let stage = |reply: support::Reply| reply.json()["shipments"][0]["stage"].clone();
    assert_eq!(stage(send(&app, lookup(uri)).await), "handed_over");
    assert_eq!(stage(send(&app, lookup(uri)).await), "handed_over");
    trackline_server::updates::put(
        &other,
        seller,
        "o-1",
        &write("delivered"),
        &SecondFactors::default(),
    )
    .await
    .unwrap();
    let written = Instant::now();
    loop {
        if stage(send(&app, lookup(uri)).await) == "delivered" {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the other instance's write is not shown after a second"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}
