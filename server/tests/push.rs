//! Buyers' notifications: the encryption against RFC 8291's worked example, and end to end a
//! subscription from the tracking page, a status change through the seller API, and what a push
//! service (a local fake that checks VAPID and decrypts with the browser's keys) receives; once a
//! change however many instances send; a subscription the service ended is dropped. Runs on
//! SQLite, and on PostgreSQL under `cargo xtask test`.

use axum::http::{Method, StatusCode};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::fake_push::{Browser, FakePush};
use support::tarpit::Tarpit;
use support::{request, seller_call, send};
use trackline_server::push::services::PushServices;
use trackline_server::push::worker::PushWorker;
use trackline_server::store::push::PushNext;
use trackline_server::{AppState, Settings, Store};
use web_push_native::p256::SecretKey;

mod support;

// RFC 8291 Appendix A: published test data, not credentials.
const RFC_PLAINTEXT: &str = "When I grow up, I want to be a watermelon";
const RFC_UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
const RFC_AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
const RFC_AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
const RFC_BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

fn decoded(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

fn rfc_browser() -> Browser {
    let auth: [u8; 16] = decoded(RFC_AUTH).try_into().unwrap();
    Browser::with_keys(
        "rfc",
        SecretKey::from_slice(&decoded(RFC_UA_PRIVATE)).unwrap(),
        auth,
    )
}

#[test]
fn the_encryption_is_rfc_8291s_worked_example() {
    let body = decoded(RFC_BODY);
    let auth = web_push_native::Auth::clone_from_slice(&decoded(RFC_AUTH));
    let browser = SecretKey::from_slice(&decoded(RFC_UA_PRIVATE)).unwrap();
    // The server's crate reads the example as the RFC says it reads…
    assert_eq!(
        web_push_native::decrypt(body.clone(), &browser, &auth).unwrap(),
        RFC_PLAINTEXT.as_bytes()
    );
    // …and so does the fake push service's own decryption, written apart from it.
    assert_eq!(
        rfc_browser().decrypt(&body).unwrap(),
        RFC_PLAINTEXT.as_bytes()
    );
    // Byte for byte: the record layer the crate encrypts with, given the example's salt, sender
    // key and record size and the key the RFC derives, writes the example's body.
    let sender = SecretKey::from_slice(&decoded(RFC_AS_PRIVATE)).unwrap();
    let ikm = rfc_ikm(&browser, &sender, &auth);
    let salt: [u8; 16] = body[..16].try_into().unwrap();
    use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
    let keyid = sender.public_key().to_encoded_point(false);
    let encrypted = ece_native::encrypt(
        ikm,
        salt,
        keyid.as_bytes(),
        std::iter::once(RFC_PLAINTEXT.as_bytes().to_vec()),
        4096,
    )
    .unwrap();
    assert_eq!(URL_SAFE_NO_PAD.encode(encrypted), RFC_BODY);
    // And a message the server's crate encrypts to the same browser reads back.
    let fresh = web_push_native::encrypt(b"4821 stays home".to_vec(), &browser.public_key(), &auth)
        .unwrap();
    assert_eq!(rfc_browser().decrypt(&fresh).unwrap(), b"4821 stays home");
}

/// RFC 8291 §3.3's input keying material, as its Appendix A derives it.
fn rfc_ikm(browser: &SecretKey, sender: &SecretKey, auth: &[u8]) -> [u8; 32] {
    use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
    let shared = web_push_native::p256::ecdh::diffie_hellman(
        sender.to_nonzero_scalar(),
        browser.public_key().as_affine(),
    );
    let mut info = b"WebPush: info\0".to_vec();
    info.extend_from_slice(browser.public_key().to_encoded_point(false).as_bytes());
    info.extend_from_slice(sender.public_key().to_encoded_point(false).as_bytes());
    let mut ikm = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(auth), shared.raw_secret_bytes().as_slice())
        .expand(&info, &mut ikm)
        .unwrap();
    ikm
}

/// The push services of a test: its fake's host, on loopback (every port).
fn loopback_services() -> PushServices {
    PushServices::parse(["127.0.0.1"]).unwrap()
}

/// The app of an instance with a secret key (so it signs notifications), taking the test's
/// loopback push service, and only that one.
fn state(store: &Store) -> AppState {
    let config = Settings {
        secret_key: Some(support::test_secret_key()),
        allow_private_push: true,
        push_services: loopback_services(),
        ..Settings::default()
    };
    AppState::new(store.clone(), &config)
}

fn worker(state: &AppState) -> PushWorker {
    PushWorker::new(
        state.store.clone(),
        state.vapid.clone().expect("a secret key makes a VAPID key"),
        Duration::from_millis(10),
        true,
        state.push_services.clone(),
    )
}

/// A seller (handle `shop`) with one shipment `p-1` at `stage`: its token.
async fn seller_with_parcel(store: &Store, app: &Router, stage: &str) -> String {
    seller_named_with_parcel(store, app, "shop", stage).await
}

/// A seller with the handle `handle` and one shipment `p-1` at `stage`: its token.
async fn seller_named_with_parcel(
    store: &Store,
    app: &Router,
    handle: &str,
    stage: &str,
) -> String {
    let token = store
        .add_seller_named("Shop", Some(handle))
        .await
        .unwrap()
        .token;
    let parcel = json!({"tracking_number": "RA500000018RU", "stage": stage,
        "updated_at": "2026-11-20T10:00:00+03:00",
        "pickup_point": {"name": "Пункт Ozon, Ленина 1", "pickup_code": "4821", "storage_until": "2030-11-30"}});
    let (status, body) = seller_call(
        app,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &token,
        Some(parcel),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    token
}

async fn subscribe(app: &Router, subscription: &Value, lang: &str) -> (StatusCode, Value) {
    subscribe_at(app, "shop", subscription, lang).await
}

/// Subscribes a browser to the parcel of the seller `handle`.
async fn subscribe_at(
    app: &Router,
    handle: &str,
    subscription: &Value,
    lang: &str,
) -> (StatusCode, Value) {
    let reply = send(
        app,
        request(
            Method::PUT,
            &format!("/api/v1/shops/{handle}/track/RA500000018RU/push"),
            &[("content-type", "application/json")],
            Some(&json!({"subscription": subscription, "lang": lang})),
        ),
    )
    .await;
    (reply.status, reply.json())
}

async fn event(app: &Router, token: &str, stage: &str, at: &str) {
    let (status, body) = seller_call(
        app,
        Method::POST,
        "/api/v1/seller/shipments/p-1/events",
        token,
        Some(json!({"at": at, "stage": stage, "text": stage})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// Runs `workers` until the push service holds `count` messages, failing after ten seconds.
async fn send_until(workers: &[&PushWorker], service: &FakePush, count: usize) {
    let started = Instant::now();
    while service.delivered().len() < count {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never sent: {:#?}, refused {:?}",
            service.delivered(),
            service.refused()
        );
        for worker in workers {
            worker.send_due().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_browser_the_lookup_withheld_the_pickup_point_from_is_not_told_it_either() {
    // A seller with a second factor: by tracking number, without the buyer's reply, a lookup
    // withholds where the parcel waits, and so does a notification to whoever subscribed so.
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let token = store
        .add_seller_named("Shop", Some("shop"))
        .await
        .unwrap()
        .token;
    let (status, body) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/settings",
        &token,
        Some(json!({"order_check": "phone_last4"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let parcel = json!({"tracking_number": "RA500000018RU", "stage": "arrived",
        "updated_at": "2026-11-20T10:00:00+03:00",
        "pickup_point": {"name": "Пункт Ozon, Ленина 1", "pickup_code": "4821", "storage_until": "2030-11-30"},
        "buyer_check": {"phone": "+7 900 123-45-67"}});
    let (status, body) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &token,
        Some(parcel),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let service = FakePush::start().await;
    let (_, stranger) = service.subscribe("stranger");
    let (status, body) = subscribe(&app, &stranger, "ru").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, buyer) = service.subscribe("buyer");
    let replied = send(
        &app,
        request(
            Method::PUT,
            "/api/v1/shops/shop/track/RA500000018RU/push",
            &[("content-type", "application/json")],
            Some(&json!({"subscription": buyer, "lang": "ru", "check": "4567"})),
        ),
    )
    .await;
    assert_eq!(replied.status, StatusCode::NO_CONTENT, "{}", replied.text);
    event(
        &app,
        &token,
        "ready_for_pickup",
        "2026-11-21T10:00:00+03:00",
    )
    .await;
    send_until(&[&worker(&state)], &service, 2).await;
    for told in service.delivered() {
        let message = told.message.to_string();
        assert!(message.contains("30 нояб."), "{message}");
        assert!(!message.contains("4821"), "{message}");
        let named = message.contains("Ленина");
        assert_eq!(
            named,
            told.browser == "buyer",
            "{}: {message}",
            told.browser
        );
    }
}

#[tokio::test]
async fn a_status_change_reaches_the_subscribed_browser_in_its_language_and_never_the_code() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let token = seller_with_parcel(&store, &app, "arrived").await;
    let service = FakePush::start().await;
    let (_, subscription) = service.subscribe("phone");
    let (status, body) = subscribe(&app, &subscription, "ru").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    event(
        &app,
        &token,
        "ready_for_pickup",
        "2026-11-21T10:00:00+03:00",
    )
    .await;
    let worker = worker(&state);
    send_until(&[&worker], &service, 1).await;
    let told = &service.delivered()[0];
    assert_eq!(told.message["title"], "Ждёт в пункте выдачи", "{told:?}");
    let body = told.message["body"].as_str().unwrap();
    assert!(
        body.contains("RA500000018RU") && body.contains("Пункт Ozon, Ленина 1"),
        "{body}"
    );
    assert!(body.contains("30 нояб."), "{body}");
    assert!(
        !told.message.to_string().contains("4821"),
        "the pickup code never goes on a lock screen"
    );
    assert_eq!(told.message["url"], "/?shop=shop&n=RA500000018RU&lang=ru");
    assert_eq!(
        told.message["unsubscribe"],
        "/api/v1/shops/shop/track/RA500000018RU/push"
    );
    assert_eq!(told.message["stop"], "Больше не присылать");
    assert!(told
        .topic
        .as_deref()
        .is_some_and(|topic| topic.starts_with("parcel-")));
    assert_eq!(told.urgency.as_deref(), Some("high"));
    assert!(service.refused().is_empty(), "{:?}", service.refused());

    // Delivered: told once more, and the subscription ends a week later.
    event(&app, &token, "delivered", "2026-11-22T10:00:00+03:00").await;
    send_until(&[&worker], &service, 2).await;
    assert_eq!(service.delivered()[1].message["title"], "Получен");
    assert_eq!(worker.send_due().await.unwrap(), 0, "nothing else is due");
}

/// Two instances over one store, `phones` subscribed to a parcel through the first, and two
/// changes of the parcel (arrived, then out for delivery) written through it.
async fn two_changes_to(phones: &[&str]) -> (Store, Store, FakePush) {
    let (one, other) = support::two_instances().await;
    let app = trackline_server::app(state(&one));
    let token = seller_with_parcel(&one, &app, "in_transit").await;
    let service = FakePush::start().await;
    for phone in phones {
        let (_, subscription) = service.subscribe(phone);
        assert_eq!(
            subscribe(&app, &subscription, "en").await.0,
            StatusCode::NO_CONTENT
        );
    }
    event(&app, &token, "arrived", "2026-11-21T10:00:00+03:00").await;
    event(
        &app,
        &token,
        "out_for_delivery",
        "2026-11-22T10:00:00+03:00",
    )
    .await;
    (one, other, service)
}

#[tokio::test]
async fn each_change_is_sent_once_however_many_instances_send() {
    let (one, other, service) = two_changes_to(&["a", "b"]).await;
    let (a, b) = (worker(&state(&one)), worker(&state(&other)));
    // Both instances send at once, again and again: two changes to two browsers is four.
    let started = Instant::now();
    while service.delivered().len() < 4 && started.elapsed() < Duration::from_secs(10) {
        let (x, y) = tokio::join!(a.send_due(), b.send_due());
        x.unwrap();
        y.unwrap();
    }
    tokio::join!(a.send_due(), b.send_due()).0.unwrap();
    let delivered = service.delivered();
    assert_eq!(delivered.len(), 4, "{delivered:#?}");
    for phone in ["a", "b"] {
        let titles: Vec<&Value> = delivered
            .iter()
            .filter(|told| told.browser == phone)
            .map(|told| &told.message["title"])
            .collect();
        assert_eq!(
            titles,
            [&json!("Arrived in your city"), &json!("Out for delivery")],
            "{phone}"
        );
    }
}

#[tokio::test]
async fn a_later_message_waits_for_the_one_before_it_to_one_browser() {
    // Two instances each taking one of a browser's two messages could deliver the newer first,
    // and the phone would end on the older status.
    let (one, other, _service) = two_changes_to(&["a"]).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
        + 1;
    let first = one
        .claim_push(now, 60_000)
        .await
        .unwrap()
        .expect("one is due");
    assert!(
        first.body.contains("Arrived in your city"),
        "{}",
        first.body
    );
    // The other instance finds nothing while the first is in flight, not the newer one.
    assert!(other.claim_push(now, 60_000).await.unwrap().is_none());
    one.record_push(&first, PushNext::Sent).await.unwrap();
    let second = other
        .claim_push(now, 60_000)
        .await
        .unwrap()
        .expect("the next is due");
    assert!(second.body.contains("Out for delivery"), "{}", second.body);
}

#[tokio::test]
async fn a_subscription_the_push_service_ended_is_dropped_and_a_busy_one_is_tried_again() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let token = seller_with_parcel(&store, &app, "in_transit").await;
    let service = FakePush::start().await;
    let (_, kept) = service.subscribe("kept");
    let (_, ended) = service.subscribe("ended");
    subscribe(&app, &kept, "zh").await;
    subscribe(&app, &ended, "zh").await;
    service.end("ended");
    service.be_busy(1);
    event(&app, &token, "arrived", "2026-11-21T10:00:00+03:00").await;
    let worker = worker(&state);
    worker.send_due().await.unwrap();
    let count = |endpoint: &str| {
        let pool = support::pool(&store);
        let endpoint = endpoint.to_owned();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = $1",
            )
            .bind(endpoint)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        count(ended["endpoint"].as_str().unwrap()).await,
        0,
        "410 Gone drops it"
    );
    assert_eq!(count(kept["endpoint"].as_str().unwrap()).await, 1);
    // The busy answer asked for a second; the retry waits at least that (a minute, here).
    assert!(service.delivered().is_empty());
    sqlx::query("UPDATE push_messages SET next_attempt_ms = 0 WHERE state = 'pending'")
        .execute(&support::pool(&store))
        .await
        .unwrap();
    send_until(&[&worker], &service, 1).await;
    assert_eq!(service.delivered()[0].message["lang"], "zh-CN");
}

/// What the service worker sends on `pushsubscriptionchange`.
async fn renew(app: &Router, old: &Value, renewed: &Value) -> (StatusCode, Value) {
    let reply = send(
        app,
        request(
            Method::POST,
            "/api/v1/push/renew",
            &[("content-type", "application/json")],
            Some(&json!({"endpoint": old["endpoint"], "subscription": renewed})),
        ),
    )
    .await;
    (reply.status, reply.json())
}

#[tokio::test]
async fn a_subscription_its_push_service_replaced_keeps_its_parcels_and_language() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let token = seller_with_parcel(&store, &app, "arrived").await;
    let service = FakePush::start().await;
    let (_, old) = service.subscribe("phone");
    assert_eq!(subscribe(&app, &old, "ru").await.0, StatusCode::NO_CONTENT);
    // The push service replaces it (the old one now answers 410 Gone), and the browser's worker
    // tells this server.
    service.end("phone");
    let (_, renewed) = service.subscribe("phone-renewed");
    let (status, body) = renew(&app, &old, &renewed).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    event(
        &app,
        &token,
        "ready_for_pickup",
        "2026-11-21T10:00:00+03:00",
    )
    .await;
    send_until(&[&worker(&state)], &service, 1).await;
    let told = &service.delivered()[0];
    assert_eq!(told.browser, "phone-renewed");
    assert_eq!(told.message["title"], "Ждёт в пункте выдачи");
    assert!(service.refused().is_empty(), "{:?}", service.refused());

    // A new subscription no message could reach, or a body that is not one, moves nothing.
    let mut broken = renewed.clone();
    broken["keys"]["p256dh"] = json!("AAAA");
    let (status, body) = renew(&app, &renewed, &broken).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "subscription.keys", "{body}");
    let (status, _) = renew(&app, &renewed, &json!({"endpoint": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // An ended subscription nobody kept is nothing to move, and says no more.
    let (status, _) = renew(
        &app,
        &json!({"endpoint": "https://push.example/none"}),
        &renewed,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn subscriptions_are_checked_scoped_and_limited() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app =
        trackline_server::app(state.clone()).layer(axum::extract::connect_info::MockConnectInfo(
            std::net::SocketAddr::from(([203, 0, 113, 7], 1)),
        ));
    seller_with_parcel(&store, &app, "in_transit").await;
    let service = FakePush::start().await;
    let (_, good) = service.subscribe("good");
    // The key the page subscribes with.
    let key = send(&app, request(Method::GET, "/api/v1/push/key", &[], None)).await;
    assert_eq!(key.status, StatusCode::OK);
    assert_eq!(
        key.json()["public_key"],
        state.vapid.as_ref().unwrap().public_key()
    );
    // Keys that make no encryption, a number the seller does not have.
    let mut bad = good.clone();
    bad["keys"]["auth"] = json!("short");
    let (status, body) = subscribe(&app, &bad, "en").await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("subscription.keys")),
        "{body}"
    );
    let unknown = send(
        &app,
        request(
            Method::PUT,
            "/api/v1/shops/shop/track/RA100000048RU/push",
            &[("content-type", "application/json")],
            Some(&json!({"subscription": good})),
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // Ending it: by the endpoint the browser holds.
    assert_eq!(subscribe(&app, &good, "en").await.0, StatusCode::NO_CONTENT);
    let ended = send(
        &app,
        request(
            Method::DELETE,
            "/api/v1/shops/shop/track/RA500000018RU/push",
            &[("content-type", "application/json")],
            Some(&json!({"endpoint": good["endpoint"]})),
        ),
    )
    .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions")
        .fetch_one(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(left, 0);
    // Ten a minute from one address; the eleventh waits.
    let mut last = StatusCode::OK;
    for _ in 0..8 {
        last = subscribe(&app, &good, "en").await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_public_server_takes_only_https_push_services_on_the_internet_and_none_without_a_key() {
    let store = support::fresh_store().await;
    let strict = trackline_server::app(AppState::new(
        store.clone(),
        &Settings {
            secret_key: Some(support::test_secret_key()),
            ..Settings::default()
        },
    ));
    seller_with_parcel(&store, &strict, "in_transit").await;
    let service = FakePush::start().await;
    let (browser, mut subscription) = service.subscribe("local");
    let (status, body) = subscribe(&strict, &subscription, "en").await;
    assert_eq!(
        (status, body["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("subscription.endpoint")
        ),
        "{body}"
    );
    subscription["endpoint"] = json!("https://10.0.0.1/push/local");
    assert_eq!(
        subscribe(&strict, &subscription, "en").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    subscription["endpoint"] = json!("https://fcm.googleapis.com/fcm/send/abc");
    assert_eq!(
        subscribe(&strict, &subscription, "en").await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(browser.name, "local");

    let keyless = support::app(&store);
    let key = send(
        &keyless,
        request(Method::GET, "/api/v1/push/key", &[], None),
    )
    .await;
    assert_eq!(
        (key.status, key.json()["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("push_unavailable"))
    );
}

/// Anybody may subscribe (a tracking number is enough): were any host taken, endpoints on a few
/// hosts that never answer would hold every place the worker sends through, and no seller's buyer
/// would be told anything. Only the browsers' push services are taken (`push_services`).
#[tokio::test]
async fn a_push_service_that_is_not_a_browsers_is_refused() {
    let store = support::fresh_store().await;
    let public = trackline_server::app(AppState::new(
        store.clone(),
        &Settings {
            secret_key: Some(support::test_secret_key()),
            ..Settings::default()
        },
    ));
    seller_with_parcel(&store, &public, "in_transit").await;
    let service = FakePush::start().await;
    let (_, mut subscription) = service.subscribe("phone");
    for endpoint in [
        "https://tarpit.example/push/a",
        "https://notify.windows.com.tarpit.example/w/?token=a",
        "https://fcm.googleapis.com.tarpit.example/fcm/send/a",
    ] {
        subscription["endpoint"] = json!(endpoint);
        let (status, body) = subscribe(&public, &subscription, "en").await;
        assert_eq!(
            (status, body["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("subscription.endpoint")
            ),
            "{endpoint}: {body}"
        );
        assert!(
            body["message"].as_str().unwrap().contains("push_services"),
            "{body}"
        );
        let (status, body) = renew(&public, &json!({"endpoint": "https://x"}), &subscription).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{endpoint}: {body}"
        );
    }
    for endpoint in [
        "https://fcm.googleapis.com/fcm/send/a:b",
        "https://updates.push.services.mozilla.com/wpush/v2/a",
        "https://wns2-par02p.notify.windows.com/w/?token=a",
        "https://web.push.apple.com/QGx1",
    ] {
        subscription["endpoint"] = json!(endpoint);
        let (status, body) = subscribe(&public, &subscription, "en").await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{endpoint}: {body}");
    }
    // On a test's server, private addresses allowed, the list still holds: a tarpit under
    // another name than the listed service's is refused.
    let app = trackline_server::app(state(&store));
    let tarpit = Tarpit::start().await;
    let port = tarpit.origin.rsplit(':').next().unwrap();
    subscription["endpoint"] = json!(format!("http://localhost:{port}/push/a"));
    let (status, body) = subscribe(&app, &subscription, "en").await;
    assert_eq!(
        (status, body["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("subscription.endpoint")
        ),
        "{body}"
    );
}

/// The list names hosts, not ports: an endpoint on another port of a listed push service (one
/// that takes the connection and never answers holds a delivery place for the whole timeout,
/// and each port would count as a host of its own) is refused in subscribing and renewing; an
/// explicit `:443` is the same endpoint as none.
#[tokio::test]
async fn a_port_other_than_https_on_a_listed_push_service_is_refused() {
    let store = support::fresh_store().await;
    let public = trackline_server::app(AppState::new(
        store.clone(),
        &Settings {
            secret_key: Some(support::test_secret_key()),
            ..Settings::default()
        },
    ));
    seller_with_parcel(&store, &public, "in_transit").await;
    let service = FakePush::start().await;
    let (_, mut subscription) = service.subscribe("phone");
    for endpoint in [
        "https://fcm.googleapis.com:81/x",
        "https://fcm.googleapis.com:8443/fcm/send/a",
        "https://updates.push.services.mozilla.com:1/wpush/v2/a",
        "https://web.push.apple.com:65535/QGx1",
    ] {
        subscription["endpoint"] = json!(endpoint);
        let (status, body) = subscribe(&public, &subscription, "en").await;
        assert_eq!(
            (status, body["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("subscription.endpoint")
            ),
            "{endpoint}: {body}"
        );
        assert!(body["message"].as_str().unwrap().contains("443"), "{body}");
        let (status, body) = renew(&public, &json!({"endpoint": "https://x"}), &subscription).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("subscription.endpoint")
            ),
            "{endpoint}: {body}"
        );
    }
    subscription["endpoint"] = json!("https://fcm.googleapis.com:443/fcm/send/a:b");
    let (status, body) = subscribe(&public, &subscription, "en").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

/// A subscription stored on another port than 443 (before ports were checked, or while private
/// push services were allowed) is not sent to by a worker that sends to the public ones only:
/// it ends, rather than waiting to be tried again.
#[tokio::test]
async fn a_stored_subscription_on_a_port_other_than_https_is_never_sent_to() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let token = seller_with_parcel(&store, &app, "in_transit").await;
    let tarpit = Tarpit::start().await;
    let port = tarpit.origin.rsplit(':').next().unwrap();
    let service = FakePush::start().await;
    let (_, mut subscription) = service.subscribe("phone");
    subscription["endpoint"] = json!(format!("https://localhost:{port}/push/phone"));
    let local_names = || PushServices::parse(["localhost"]).unwrap();
    let lenient = trackline_server::app(AppState::new(
        store.clone(),
        &Settings {
            secret_key: Some(support::test_secret_key()),
            allow_private_push: true,
            push_services: local_names(),
            ..Settings::default()
        },
    ));
    assert_eq!(
        subscribe(&lenient, &subscription, "en").await.0,
        StatusCode::NO_CONTENT
    );
    event(&app, &token, "arrived", "2026-11-21T10:00:00+03:00").await;
    let public_only = PushWorker::new(
        store.clone(),
        state.vapid.clone().unwrap(),
        Duration::from_millis(10),
        false,
        local_names(),
    );
    assert_eq!(public_only.send_due().await.unwrap(), 1);
    assert_eq!(tarpit.accepted(), 0, "no connection to another port");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions")
        .fetch_one(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(left, 0, "the subscription ended");
}

/// A subscription stored while its push service was listed is not sent to once the operator
/// takes it off the list: the worker ends it without a connection.
#[tokio::test]
async fn a_stored_subscription_to_a_push_service_no_longer_listed_is_never_sent_to() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let token = seller_with_parcel(&store, &app, "in_transit").await;
    let tarpit = Tarpit::start().await;
    let service = FakePush::start().await;
    let (_, mut subscription) = service.subscribe("phone");
    subscription["endpoint"] = json!(format!("{}/push/phone", tarpit.origin));
    assert_eq!(
        subscribe(&app, &subscription, "en").await.0,
        StatusCode::NO_CONTENT
    );
    event(&app, &token, "arrived", "2026-11-21T10:00:00+03:00").await;
    let browsers_only = PushWorker::new(
        store.clone(),
        state.vapid.clone().unwrap(),
        Duration::from_millis(10),
        true,
        PushServices::default(),
    );
    let started = Instant::now();
    assert_eq!(browsers_only.send_due().await.unwrap(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the tarpit held it {:?}",
        started.elapsed()
    );
    assert_eq!(tarpit.accepted(), 0, "no connection to an unlisted host");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions")
        .fetch_one(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(left, 0, "the subscription ended");
}

#[tokio::test]
async fn the_day_before_storage_ends_the_buyer_is_reminded_once() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let token = store
        .add_seller_named("Shop", Some("shop"))
        .await
        .unwrap()
        .token;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let tomorrow = trackline_server::push::worker::tomorrow(now);
    let parcel = json!({"tracking_number": "RA500000018RU", "stage": "ready_for_pickup",
        "pickup_point": {"name": "Пункт Ozon", "pickup_code": "4821", "storage_until": tomorrow}});
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &token,
        Some(parcel),
    )
    .await;
    let service = FakePush::start().await;
    let (_, subscription) = service.subscribe("phone");
    assert_eq!(
        subscribe(&app, &subscription, "en").await.0,
        StatusCode::NO_CONTENT
    );
    // Two instances sweeping at once, and again later: one reminder.
    let (x, y) = tokio::join!(
        trackline_server::updates::remind_last_day(&store, now, &tomorrow),
        trackline_server::updates::remind_last_day(&store, now, &tomorrow)
    );
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(
        trackline_server::updates::remind_last_day(&store, now, &tomorrow)
            .await
            .unwrap(),
        0
    );
    let worker = worker(&state);
    send_until(&[&worker], &service, 1).await;
    let told = &service.delivered()[0];
    assert_eq!(
        told.message["title"],
        "Tomorrow is the last day to collect it"
    );
    assert!(!told.message.to_string().contains("4821"));
    let _ = token;
}

/// A subscription stored when its address passed (an older filter, a switch since turned off)
/// is not sent to once the address is refused: written in the URL, it meets no resolver, so
/// the worker itself refuses it, and the subscription ends.
#[tokio::test]
async fn a_stored_subscription_to_a_private_address_is_never_sent_to() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let token = seller_with_parcel(&store, &app, "in_transit").await;
    let service = FakePush::start().await;
    let (_, subscription) = service.subscribe("phone");
    assert!(subscription["endpoint"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert_eq!(
        subscribe(&app, &subscription, "en").await.0,
        StatusCode::NO_CONTENT
    );
    event(&app, &token, "arrived", "2026-11-21T10:00:00+03:00").await;
    let public_only = PushWorker::new(
        store.clone(),
        state.vapid.clone().unwrap(),
        Duration::from_millis(10),
        false,
        loopback_services(),
    );
    assert_eq!(public_only.send_due().await.unwrap(), 1);
    assert!(service.delivered().is_empty(), "{:?}", service.delivered());
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions")
        .fetch_one(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(left, 0, "the subscription ended");
}

/// Subscribes `subscription` to whatever `number` finds among the seller's shipments.
async fn subscribe_to(app: &Router, number: &str, subscription: &Value) -> (StatusCode, Value) {
    let reply = send(
        app,
        request(
            Method::PUT,
            &format!("/api/v1/shops/shop/track/{number}/push"),
            &[("content-type", "application/json")],
            Some(&json!({"subscription": subscription, "lang": "en"})),
        ),
    )
    .await;
    (reply.status, reply.json())
}

/// A parcel takes at most 50 browsers (each change queues a message to every one): the 51st
/// is refused with the reason, and a browser already subscribed may still subscribe again.
#[tokio::test]
async fn a_parcel_takes_at_most_fifty_browsers() {
    let store = support::fresh_store().await;
    let app = trackline_server::app(state(&store));
    seller_with_parcel(&store, &app, "in_transit").await;
    let service = FakePush::start().await;
    let mut first = None;
    for n in 0..50 {
        let (_, subscription) = service.subscribe(&format!("phone-{n}"));
        let (status, body) = subscribe(&app, &subscription, "en").await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{n}: {body}");
        first.get_or_insert(subscription);
    }
    let (_, one_more) = service.subscribe("phone-50");
    let (status, body) = subscribe(&app, &one_more, "en").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit_reached")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("50"), "{body}");
    assert_eq!(
        subscribe(&app, &first.unwrap(), "ru").await.0,
        StatusCode::NO_CONTENT,
        "subscribing again replaces, and takes no new place"
    );
}

/// One client address holds at most 100 subscriptions across the server, one a shipment the
/// number covers: 33 browsers on an order of three parcels are 99, the 34th is refused; another
/// address is not.
#[tokio::test]
async fn one_address_holds_at_most_a_hundred_subscriptions() {
    let store = support::fresh_store().await;
    let from = |last: u8| {
        trackline_server::app(AppState {
            // The per-minute limit is another guard; this test counts what is held.
            push_limit: trackline_server::limiter::Limiter::new(
                trackline_server::limiter::RateLimit {
                    per_minute: 1000,
                    burst: 1000,
                },
            ),
            ..state(&store)
        })
        .layer(axum::extract::connect_info::MockConnectInfo(
            std::net::SocketAddr::from(([203, 0, 113, last], 1)),
        ))
    };
    let (app, neighbour) = (from(7), from(8));
    let token = store
        .add_seller_named("Shop", Some("shop"))
        .await
        .unwrap()
        .token;
    for (reference, tracking) in [
        ("o-1", "RA500000018RU"),
        ("o-2", "RA500000021RU"),
        ("o-3", "RA500000035RU"),
    ] {
        let (status, body) = seller_call(
            &app,
            Method::PUT,
            &format!("/api/v1/seller/shipments/{reference}"),
            &token,
            Some(json!({"order_number": "7700000042", "tracking_number": tracking, "stage": "in_transit"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let service = FakePush::start().await;
    for n in 0..33 {
        let (_, subscription) = service.subscribe(&format!("phone-{n}"));
        let (status, body) = subscribe_to(&app, "7700000042", &subscription).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{n}: {body}");
    }
    let (_, one_more) = service.subscribe("phone-33");
    let (status, body) = subscribe_to(&app, "7700000042", &one_more).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("limit_reached")),
        "{body}"
    );
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions")
        .fetch_one(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(held, 99, "nothing of the refused one is kept");
    // The table holds no address, only what counts it.
    let addresses: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM push_subscriptions WHERE client LIKE '%203.0.113%'",
    )
    .fetch_one(&support::pool(&store))
    .await
    .unwrap();
    assert_eq!(addresses, 0);
    assert_eq!(
        subscribe_to(&neighbour, "RA500000018RU", &one_more).await.0,
        StatusCode::NO_CONTENT,
        "another address has its own"
    );
}

/// Whatever rows a parcel holds (made before the cap), one change queues at most 50 messages.
#[tokio::test]
async fn one_change_queues_at_most_fifty_messages() {
    let store = support::fresh_store().await;
    let app = trackline_server::app(state(&store));
    let token = seller_with_parcel(&store, &app, "in_transit").await;
    let service = FakePush::start().await;
    let (_, subscription) = service.subscribe("phone");
    assert_eq!(
        subscribe(&app, &subscription, "en").await.0,
        StatusCode::NO_CONTENT
    );
    let pool = support::pool(&store);
    let original: i64 = sqlx::query_scalar("SELECT id FROM push_subscriptions")
        .fetch_one(&pool)
        .await
        .unwrap();
    for n in 1..=54_i64 {
        sqlx::query(
            "INSERT INTO push_subscriptions
             (id, shipment_id, endpoint, keys, lang, page, api, number, created_ms, ends_ms)
             SELECT id + $1, shipment_id, endpoint || $2, keys, lang, page, api, number, created_ms, ends_ms
             FROM push_subscriptions WHERE id = $3",
        )
        .bind(n)
        .bind(format!("-{n}"))
        .bind(original)
        .execute(&pool)
        .await
        .unwrap();
    }
    event(&app, &token, "arrived", "2026-11-21T10:00:00+03:00").await;
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 50);
}

#[tokio::test]
async fn a_push_service_that_never_answers_holds_up_only_its_own_messages() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let tarpit = Tarpit::start().await;
    let service = FakePush::start().await;
    // Five browsers of seller A's buyers whose push service takes the connection and never
    // answers: one at a time, each held the next for the ten-second timeout of its try.
    let a = seller_named_with_parcel(&store, &app, "shop-a", "in_transit").await;
    for phone in 0..5 {
        let (_, mut subscription) = service.subscribe(&format!("a-{phone}"));
        subscription["endpoint"] = json!(format!("{}/push/a-{phone}", tarpit.origin));
        let (status, body) = subscribe_at(&app, "shop-a", &subscription, "en").await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let b = seller_named_with_parcel(&store, &app, "shop-b", "in_transit").await;
    let (_, phone) = service.subscribe("b");
    let (status, body) = subscribe_at(&app, "shop-b", &phone, "en").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    event(&app, &a, "arrived", "2026-11-21T10:00:00+03:00").await;
    event(&app, &b, "arrived", "2026-11-21T10:00:00+03:00").await;

    let started = Instant::now();
    tokio::spawn(worker(&state).run(tokio_util::sync::CancellationToken::new()));
    while service.delivered().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "shop B's buyer was not told within 2 s; refused {:?}",
            service.refused()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!(
        "B's message arrived after {:?}, A's tarpit holding {} connections",
        started.elapsed(),
        tarpit.open()
    );
    assert_eq!(service.delivered()[0].browser, "b");
    // Four to the push service's host at once, never the fifth.
    tarpit.wait_open(4, Duration::from_secs(2)).await;
    assert_eq!(
        tarpit.most_open(),
        4,
        "connections open at once to one host"
    );
    assert_eq!(tarpit.accepted(), 4);
}

#[tokio::test]
async fn a_sellers_buyers_at_push_services_that_never_answer_hold_no_more_than_its_share() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let service = FakePush::start().await;
    // Nine browsers at three push services that never answer (three hosts, three each, under
    // the four a host may have): all nine would be nine of the sixteen places; the seller gets eight.
    let tarpits = [
        Tarpit::start().await,
        Tarpit::start().await,
        Tarpit::start().await,
    ];
    let a = seller_named_with_parcel(&store, &app, "shop-a", "in_transit").await;
    for phone in 0..9 {
        let (_, mut subscription) = service.subscribe(&format!("a-{phone}"));
        let origin = &tarpits[phone % 3].origin;
        subscription["endpoint"] = json!(format!("{origin}/push/a-{phone}"));
        let (status, body) = subscribe_at(&app, "shop-a", &subscription, "en").await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let b = seller_named_with_parcel(&store, &app, "shop-b", "in_transit").await;
    let (_, phone) = service.subscribe("b");
    let (status, body) = subscribe_at(&app, "shop-b", &phone, "en").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    event(&app, &a, "arrived", "2026-11-21T10:00:00+03:00").await;
    event(&app, &b, "arrived", "2026-11-21T10:00:00+03:00").await;

    let started = Instant::now();
    tokio::spawn(worker(&state).run(tokio_util::sync::CancellationToken::new()));
    let open = || tarpits.iter().map(Tarpit::open).sum::<usize>();
    while open() < 8 || service.delivered().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{} open, {} told",
            open(),
            service.delivered().len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let accepted: Vec<usize> = tarpits.iter().map(Tarpit::accepted).collect();
    assert_eq!(accepted.iter().sum::<usize>(), 8, "{accepted:?}");
}

/// A worker's turn reads a few pages of what is due and passes over a seller's rows once that seller
/// has its eight in flight: 600 messages of one seller's buyers at a push service that never
/// answers, queued first, filled every page a turn read, and another seller's buyer was never
/// reached. A page lists at most a seller's share, so the other seller's message goes at once.
#[tokio::test]
async fn a_seller_with_hundreds_of_messages_ahead_does_not_starve_another_seller() {
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let tarpit = Tarpit::start().await;
    let service = FakePush::start().await;
    // Twelve parcels of seller A under one number, fifty browsers each (the cap): 600 subscriptions.
    let a = store
        .add_seller_named("A", Some("shop-a"))
        .await
        .unwrap()
        .token;
    for parcel in 0..12 {
        let (status, body) = seller_call(
            &app,
            Method::PUT,
            &format!("/api/v1/seller/shipments/a-{parcel}"),
            &a,
            Some(json!({"tracking_number": "RA500000018RU", "stage": "in_transit"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for phone in 0..50 {
        let (_, mut subscription) = service.subscribe(&format!("a-{phone}"));
        subscription["endpoint"] = json!(format!("{}/push/a-{phone}", tarpit.origin));
        let (status, body) = subscribe_at(&app, "shop-a", &subscription, "en").await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    for parcel in 0..12 {
        let (status, body) = seller_call(
            &app,
            Method::POST,
            &format!("/api/v1/seller/shipments/a-{parcel}/events"),
            &a,
            Some(json!({"at": "2026-11-21T10:00:00+03:00", "stage": "arrived", "text": "arrived"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let pool = support::pool(&store);
    // Seller A's are first in the queue, a minute before anything queued next.
    sqlx::query("UPDATE push_messages SET next_attempt_ms = next_attempt_ms - 60000")
        .execute(&pool)
        .await
        .unwrap();
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 600);
    let b = seller_named_with_parcel(&store, &app, "shop-b", "in_transit").await;
    let (_, phone) = service.subscribe("b");
    let (status, body) = subscribe_at(&app, "shop-b", &phone, "en").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    event(&app, &b, "arrived", "2026-11-21T10:00:00+03:00").await;

    let started = Instant::now();
    tokio::spawn(worker(&state).run(tokio_util::sync::CancellationToken::new()));
    while service.delivered().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "shop B's buyer was not told within 3 s; {} connections held by shop A's",
            tarpit.open()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!(
        "B's message arrived after {:?}, 600 of A's queued ahead",
        started.elapsed()
    );
    assert_eq!(service.delivered()[0].browser, "b");
    assert!(tarpit.accepted() <= 4, "{}", tarpit.accepted());
}

/// A log line that fits in a shared buffer, for a test to read.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// A subscription's endpoint is its capability: whoever knows it may move the browser's
/// subscriptions to a browser of their own (`/api/v1/push/renew`). reqwest's error names the URL
/// it failed to reach, so a failed push logged it; the log, at the server's own level, never
/// holds it.
#[tokio::test]
async fn a_failed_push_never_writes_the_endpoint_to_the_log() {
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("info,sqlx=warn")
        .with_ansi(false)
        .with_writer(log.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let store = support::fresh_store().await;
    let state = state(&store);
    let app = trackline_server::app(state.clone());
    let token = seller_with_parcel(&store, &app, "in_transit").await;
    // A push service that is gone: nothing listens on its port any more.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let service = FakePush::start().await;
    let (_, mut subscription) = service.subscribe("phone");
    let capability = "cap-7Hq2ZkPw9sLx";
    let endpoint = format!("http://127.0.0.1:{port}/push/{capability}");
    subscription["endpoint"] = json!(endpoint);
    assert_eq!(
        subscribe(&app, &subscription, "en").await.0,
        StatusCode::NO_CONTENT
    );
    event(&app, &token, "arrived", "2026-11-21T10:00:00+03:00").await;
    assert_eq!(worker(&state).send_due().await.unwrap(), 1);
    let written = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        written.contains("could not be sent"),
        "the failure is logged: {written}"
    );
    assert!(
        !written.contains(capability) && !written.contains(&format!(":{port}/")),
        "the endpoint is in the log: {written}"
    );
}

/// A buyer subscribing while the seller deletes the parcel: the subscription went in after the
/// deletion had removed the parcel's subscriptions, and outlived the parcel; on PostgreSQL the
/// two took the parcel's and the subscription's locks in opposite orders and one was killed as a
/// deadlock (500). Now either the subscription is made first and goes with the parcel, or the
/// parcel is gone first and subscribing answers 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parcel_deleted_while_a_buyer_subscribes_leaves_no_subscription_and_no_error() {
    let store = support::fresh_store().await;
    let app = trackline_server::app(state(&store));
    let token = store
        .add_seller_named("Shop", Some("shop"))
        .await
        .unwrap()
        .token;
    let service = FakePush::start().await;
    let (_, phone) = service.subscribe("phone");
    // (subscribing's status, whether the parcel went during it, deleting's status) → rounds.
    let mut answers = std::collections::BTreeMap::<(u16, bool, u16), usize>::new();
    for round in 0..60 {
        let uri = format!("/api/v1/seller/shipments/p-{round}");
        let (status, body) = seller_call(
            &app,
            Method::PUT,
            &uri,
            &token,
            Some(json!({"tracking_number": "RA500000018RU", "stage": "in_transit"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // Subscribed once already: subscribing again rewrites the row the deletion removes.
        assert_eq!(
            subscribe(&app, &phone, "en").await.0,
            StatusCode::NO_CONTENT
        );
        let subscribing = {
            let (app, phone) = (app.clone(), phone.clone());
            tokio::spawn(async move { subscribe(&app, &phone, "ru").await })
        };
        let deleting = {
            let (app, token) = (app.clone(), token.clone());
            tokio::spawn(async move {
                for _ in 0..round % 4 {
                    tokio::task::yield_now().await;
                }
                seller_call(&app, Method::DELETE, &uri, &token, None).await
            })
        };
        let (subscribed, body) = subscribing.await.unwrap();
        let (deleted, deleted_body) = deleting.await.unwrap();
        assert!(
            matches!(subscribed, StatusCode::NO_CONTENT | StatusCode::NOT_FOUND),
            "round {round}: subscribing answered {subscribed} {body}"
        );
        assert_eq!(
            deleted,
            StatusCode::NO_CONTENT,
            "round {round}: {deleted_body}"
        );
        *answers
            .entry((
                subscribed.as_u16(),
                body["message"] == "it was deleted meanwhile",
                deleted.as_u16(),
            ))
            .or_default() += 1;
    }
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM push_subscriptions s
         WHERE NOT EXISTS (SELECT 1 FROM shipments p WHERE p.id = s.shipment_id)",
    )
    .fetch_one(&support::pool(&store))
    .await
    .unwrap();
    eprintln!("(subscribe, deleted meanwhile, delete) → rounds: {answers:?}");
    assert_eq!(
        orphans, 0,
        "subscriptions outlived their parcel; {answers:?}"
    );
}
