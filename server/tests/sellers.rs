//! Each seller's buyers see only that seller: on a server shared by several sellers, a lookup is
//! scoped to the seller in its path, its limits and lockouts are its own, and the short path
//! never mixes sellers. Runs on SQLite, and on PostgreSQL under `cargo xtask test`.

use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use support::{bearer, request, send};
use trackline_server::http::state::LookupLimits;
use trackline_server::limiter::RateLimit;
use trackline_server::store::sellers::{handle_from_name, is_handle};
use trackline_server::{AppState, Store};

mod support;

/// A seller's shipment carrying `tracking`, with the seller's own support line.
fn parcel(tracking: &str, phone: &str) -> Value {
    json!({
        "tracking_number": tracking,
        "order_number": "7100000001",
        "stage": "in_transit",
        "support": {"contacts": [{"kind": "phone", "value": phone}]},
        "buyer_check": {"phone": "+7 900 123-45-67"}
    })
}

/// Adds a seller that writes `parcel` under reference `p-1`; returns its handle and token.
async fn seller(app: &Router, store: &Store, name: &str, parcel: Value) -> (String, String) {
    let seller = store.add_seller_named(name, None).await.unwrap();
    let put = request(
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &[("authorization", &bearer(&seller.token))],
        Some(&parcel),
    );
    assert_eq!(send(app, put).await.status, StatusCode::CREATED);
    (seller.handle, seller.token)
}

fn get(uri: &str) -> axum::http::Request<axum::body::Body> {
    request(Method::GET, uri, &[], None)
}

/// A lookup with the buyer's reply to the second factor.
fn answer(uri: &str, reply: &str) -> axum::http::Request<axum::body::Body> {
    request(Method::GET, uri, &[("trackline-check", reply)], None)
}

// The phishing channel this closes: a second seller wrote a shipment with the first seller's tracking
// number and its own support contacts, and the first seller's buyers were shown both, the impostor's first.
#[tokio::test]
async fn an_impostor_seller_cannot_speak_to_another_sellers_buyers() {
    let store = support::fresh_store().await;
    let app = support::app(&store);
    let (real, _) = seller(
        &app,
        &store,
        "Real Shop",
        parcel("RA100000048RU", "+78005553535"),
    )
    .await;
    let (impostor, _) = seller(
        &app,
        &store,
        "Impostor Shop",
        parcel("RA100000048RU", "+79990000000"),
    )
    .await;
    for (handle, phone) in [(&real, "+78005553535"), (&impostor, "+79990000000")] {
        let reply = send(
            &app,
            get(&format!("/api/v1/shops/{handle}/track/RA100000048RU")),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let shipments = reply.json()["shipments"].as_array().unwrap().clone();
        assert_eq!(
            shipments.len(),
            1,
            "{handle} sees only its own: {shipments:?}"
        );
        assert_eq!(shipments[0]["support"]["contacts"][0]["value"], phone);
    }
    // On a server with two sellers the short path mixes nothing: it names the scoped one.
    let reply = send(&app, get("/api/v1/track/RA100000048RU")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"], "shop_required");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("/api/v1/shops/{shop}/track/{number}"),
        "{}",
        reply.text
    );
    // A handle no seller has is told apart from a number no shipment has.
    let reply = send(&app, get("/api/v1/shops/nobody/track/RA100000048RU")).await;
    assert_eq!(
        (reply.status, reply.json()["error"].clone()),
        (StatusCode::NOT_FOUND, json!("shop_not_found"))
    );
}

#[tokio::test]
async fn the_short_path_is_the_only_shop_or_the_configured_default() {
    let store = support::fresh_store().await;
    let app = support::app(&store);
    let (first, _) = seller(
        &app,
        &store,
        "First",
        parcel("RA100000048RU", "+78005553535"),
    )
    .await;
    // With one seller, the short path is its alias.
    let reply = send(&app, get("/api/v1/track/RA100000048RU")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    seller(
        &app,
        &store,
        "Second",
        parcel("RA100000048RU", "+79990000000"),
    )
    .await;
    // With two, only a configured default makes it one again.
    let defaulted = trackline_server::app(AppState {
        default_seller: Some(first.clone()),
        ..support::state(&store)
    });
    let reply = send(&defaulted, get("/api/v1/track/RA100000048RU")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.json()["shipments"][0]["support"]["contacts"][0]["value"],
        "+78005553535"
    );
}

#[tokio::test]
async fn each_sellers_limits_and_lockouts_are_its_own() {
    let store = support::fresh_store().await;
    let app = trackline_server::app(AppState {
        limits: LookupLimits::new(RateLimit {
            per_minute: 1,
            burst: 2,
        }),
        ..support::state(&store)
    })
    .layer(MockConnectInfo(std::net::SocketAddr::from((
        [192, 0, 2, 77],
        1,
    ))));
    let (a, a_token) = seller(
        &app,
        &store,
        "Shop A",
        parcel("RA100000048RU", "+78005553535"),
    )
    .await;
    let (b, b_token) = seller(
        &app,
        &store,
        "Shop B",
        parcel("RA100000048RU", "+79990000000"),
    )
    .await;
    for token in [&a_token, &b_token] {
        let rules = request(
            Method::PUT,
            "/api/v1/seller/settings",
            &[("authorization", &bearer(token))],
            Some(&json!({"order_check": "phone_last4"})),
        );
        assert_eq!(send(&app, rules).await.status, StatusCode::OK);
    }
    // Ten wrong replies lock this address out of seller A's orders, not seller B's.
    for _ in 0..10 {
        let wrong = send(
            &app,
            answer(&format!("/api/v1/shops/{a}/track/7100000001"), "0000"),
        )
        .await;
        assert_ne!(wrong.status, StatusCode::OK);
    }
    let locked = send(
        &app,
        answer(&format!("/api/v1/shops/{a}/track/7100000001"), "4567"),
    )
    .await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.text
    );
    let other = send(
        &app,
        answer(&format!("/api/v1/shops/{b}/track/7100000001"), "4567"),
    )
    .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);
    // Seller A's lookups are used up for this address; seller B's are not.
    let spent = send(&app, get(&format!("/api/v1/shops/{a}/track/RA100000048RU"))).await;
    assert_eq!(spent.status, StatusCode::TOO_MANY_REQUESTS);
    let fresh = send(&app, get(&format!("/api/v1/shops/{b}/track/RA100000048RU"))).await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.text);
}

#[tokio::test]
async fn handles_come_from_names_and_never_repeat() {
    let store = support::fresh_store().await;
    let first = store.add_seller_named("Demo Shop", None).await.unwrap();
    let second = store.add_seller_named("Demo Shop", None).await.unwrap();
    assert_eq!(
        (first.handle.as_str(), second.handle.as_str()),
        ("demo-shop", "demo-shop-2")
    );
    assert_eq!(handle_from_name("Demo Shop"), "demo-shop");
    assert!(matches!(
        store.add_seller_named("Copycat", Some("demo-shop")).await,
        Err(trackline_server::store::StoreError::Conflict)
    ));
    assert!(is_handle(&first.handle));
    assert_eq!(
        store.seller_by_handle("demo-shop-2").await.unwrap(),
        Some(second.id)
    );
    assert_eq!(store.seller_by_handle("Not A Handle").await.unwrap(), None);
}
