//! A pickup code is a credential (whoever has it collects the parcel), and tracking numbers can
//! be counted out (S10 numbers are sequential, with a computable check digit). For a seller with a
//! second factor, a lookup by tracking number shows the status but not the code nor where the
//! parcel waits, until the buyer's reply; a wrong reply there counts as on an order lookup.
//! Runs on SQLite, and on PostgreSQL with `TRACKLINE_TEST_DATABASE`.

use axum::body::Body;
use axum::extract::connect_info::{ConnectInfo, MockConnectInfo};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use support::{bearer, request, Reply};
use trackline_server::limiter::RateLimit;
use trackline_server::{AppState, Settings};

mod support;

const TRACKING: &str = "RA500000018RU";
const ORDER: &str = "7700000001";
/// What says where to collect the parcel, or with what: none of it may reach a caller without
/// the right reply.
const SECRETS: [&str; 5] = [
    "48213",
    "Пункт у дома",
    "ул. Ленина, 1",
    "10:00–22:00",
    "maps.example",
];

/// A seller under `rules` with a parcel waiting at a pickup point, whose buyer's phone ends in 4567.
async fn seller(rules: Value) -> Router {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Pickup shop").await.unwrap();
    let config = Settings {
        rate_limit: RateLimit {
            per_minute: 600,
            burst: 1000,
        },
        ..Settings::default()
    };
    let app = trackline_server::app(AppState::new(store.clone(), &config)).layer(MockConnectInfo(
        std::net::SocketAddr::from(([192, 0, 2, 9], 4000)),
    ));
    let auth = bearer(&token);
    let settings = request(
        Method::PUT,
        "/api/v1/seller/settings",
        &[("authorization", &auth)],
        Some(&rules),
    );
    let set = support::send(&app, settings).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let shipment = json!({
        "order_number": ORDER,
        "tracking_number": TRACKING,
        "stage": "ready_for_pickup",
        "pickup_point": {
            "name": "Пункт у дома",
            "address": "ул. Ленина, 1",
            "hours": "10:00–22:00",
            "pickup_code": "48213",
            "storage_until": "2030-11-30",
            "map_url": "https://maps.example/p/1"
        },
        "buyer_check": {"phone": "+7 900 123-45-67"}
    });
    let put = request(
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &[("authorization", &auth)],
        Some(&shipment),
    );
    let put = support::send(&app, put).await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.text);
    app
}

/// A lookup of `number` from `client`, with the buyer's `reply` if any and `headers`.
fn lookup(
    number: &str,
    client: [u8; 4],
    reply: Option<&str>,
    headers: &[(&str, &str)],
) -> Request<Body> {
    let mut headers = headers.to_vec();
    if let Some(reply) = reply {
        headers.push(("trackline-check", reply));
    }
    let mut request = request(
        Method::GET,
        &format!("/api/v1/track/{number}"),
        &headers,
        None,
    );
    request
        .extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((client, 4000))));
    request
}

/// Asserts that `reply` shows the status with the pickup withheld, and none of [`SECRETS`].
fn withheld(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    for secret in SECRETS {
        assert!(!reply.text.contains(secret), "{secret} in {}", reply.text);
    }
    let point = &reply.json()["shipments"][0]["pickup_point"];
    assert_eq!(reply.json()["shipments"][0]["stage"], "ready_for_pickup");
    assert_eq!(point["storage_until"], "2030-11-30", "{point}");
    assert_eq!(
        point["withheld"],
        json!({
            "fields": ["pickup_code", "name", "address", "hours", "map_url"],
            "check": "phone_last4"
        })
    );
}

/// Asserts that `reply` shows the whole pickup point.
fn opened(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    for secret in SECRETS {
        assert!(
            reply.text.contains(secret),
            "{secret} not in {}",
            reply.text
        );
    }
    assert!(!reply.text.contains("withheld"), "{}", reply.text);
}

#[tokio::test]
async fn a_tracking_number_of_a_guarded_seller_shows_the_status_and_the_pickup_only_to_the_reply() {
    let app = seller(json!({"order_check": "phone_last4"})).await;
    let buyer = [198, 51, 100, 20];
    // Twice: the second is the cache's, which must hold the same.
    for _ in 0..2 {
        let answer = support::send(&app, lookup(TRACKING, buyer, None, &[])).await;
        withheld(&answer);
        assert_eq!(
            answer.headers[header::CACHE_CONTROL],
            "private, no-cache",
            "no CDN keeps one caller's answer for another"
        );
    }
    // A withheld answer in the cache is never what a reply gets, and an opened one never cached.
    for _ in 0..2 {
        let answer = support::send(&app, lookup(TRACKING, buyer, Some("4567"), &[])).await;
        opened(&answer);
        withheld(&support::send(&app, lookup(TRACKING, buyer, None, &[])).await);
    }
    let answer = support::send(
        &app,
        lookup(TRACKING, buyer, Some("+7 (900) 123-45-67"), &[]),
    )
    .await;
    opened(&answer);
    // Found by order number, with the reply, it is the buyer's whole.
    opened(&support::send(&app, lookup(ORDER, buyer, Some("4567"), &[])).await);
}

#[tokio::test]
async fn a_wrong_reply_to_a_tracking_number_counts_as_on_an_order_lookup() {
    let app = seller(json!({"order_check": "phone_last4"})).await;
    let guesser = [203, 0, 113, 5];
    // A withheld answer in the cache first: a guess must not be answered from it.
    withheld(&support::send(&app, lookup(TRACKING, guesser, None, &[])).await);
    for guess in 0..5 {
        let wrong = lookup(TRACKING, guesser, Some(&format!("00{guess:02}")), &[]);
        let refused = support::send(&app, wrong).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "guess {guess}");
        assert_eq!(refused.json()["error"], "check_failed", "{}", refused.text);
        assert_eq!(refused.json()["field"], "phone_last4");
        for secret in SECRETS {
            assert!(!refused.text.contains(secret), "{}", refused.text);
        }
    }
    // The same tallies as the order's: five more by order number, from elsewhere, lock it.
    for guess in 5..10 {
        let wrong = lookup(ORDER, [203, 0, 113, 6], Some(&format!("00{guess:02}")), &[]);
        assert_eq!(
            support::send(&app, wrong).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let locked = support::send(&app, lookup(TRACKING, [203, 0, 113, 7], Some("4567"), &[])).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.text
    );
    assert!(locked.text.contains("for this order"), "{}", locked.text);
    assert!(locked.headers.contains_key(header::RETRY_AFTER));
    // The status itself is not locked: it needs no reply.
    withheld(&support::send(&app, lookup(TRACKING, [203, 0, 113, 8], None, &[])).await);
}

#[tokio::test]
async fn wrong_replies_to_a_tracking_number_from_one_address_lock_that_address() {
    let app = seller(json!({"order_check": "phone_last4"})).await;
    let guesser = [203, 0, 113, 9];
    for guess in 0..10 {
        let wrong = lookup(TRACKING, guesser, Some(&format!("00{guess:02}")), &[]);
        assert_eq!(
            support::send(&app, wrong).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let refused = support::send(&app, lookup(TRACKING, guesser, Some("4567"), &[])).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn another_sites_wrong_replies_to_a_tracking_number_spare_the_buyers_address() {
    let app = seller(json!({"order_check": "phone_last4"})).await;
    let buyer = [198, 51, 100, 30];
    let evil = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    for guess in 0..10 {
        let wrong = lookup(TRACKING, buyer, Some(&format!("00{guess:02}")), &evil);
        assert_eq!(
            support::send(&app, wrong).await.status,
            StatusCode::FORBIDDEN
        );
    }
    // The order is locked, whoever asks; the buyer's address is not.
    let refused = support::send(&app, lookup(TRACKING, buyer, Some("4567"), &[])).await;
    assert!(refused.text.contains("for this order"), "{}", refused.text);
}

#[tokio::test]
async fn a_seller_without_rules_shows_the_pickup_to_whoever_has_the_number() {
    let app = seller(json!({})).await;
    let answer = support::send(&app, lookup(TRACKING, [198, 51, 100, 40], None, &[])).await;
    opened(&answer);
    // A reply where none is asked changes nothing, and is not evaluated.
    let answer = support::send(
        &app,
        lookup(TRACKING, [198, 51, 100, 40], Some("0000"), &[]),
    )
    .await;
    opened(&answer);
}

#[tokio::test]
async fn a_seller_cannot_write_what_the_lookup_withholds() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Pickup shop").await.unwrap();
    let app = support::app(&store);
    let shipment = json!({
        "tracking_number": TRACKING,
        "stage": "ready_for_pickup",
        "pickup_point": {"withheld": {"fields": ["pickup_code"], "check": "phone_last4"}}
    });
    let put = request(
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &[("authorization", &bearer(&token))],
        Some(&shipment),
    );
    let put = support::send(&app, put).await;
    assert_eq!(put.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", put.text);
    assert_eq!(put.json()["field"], "pickup_point.withheld");
}
