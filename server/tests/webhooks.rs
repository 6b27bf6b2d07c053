//! Webhooks to the seller: subscribed through the seller API, queued with the change they tell
//! of, signed, retried when the receiver fails, logged, replayed, and never sent twice once
//! acknowledged, whatever the number of workers. Runs on SQLite, and on PostgreSQL under
//! `cargo xtask test`.

use axum::http::{HeaderMap, Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::seller_call;
use support::tarpit::Tarpit;
use trackline_server::webhooks::schedule::Schedule;
use trackline_server::webhooks::signature;
use trackline_server::webhooks::worker::DeliveryWorker;
use trackline_server::{AppState, Settings, Store};

mod support;

/// What the receiver was sent: the headers that matter and the body.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    event: String,
    delivery: String,
    body: String,
}

/// A seller's receiver on a loopback port: records every delivery and answers with the next
/// status of its plan (200 once the plan is used up).
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    plan: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start(plan: &[u16]) -> (Receiver, String) {
        let receiver = Receiver {
            plan: Arc::new(Mutex::new(plan.iter().copied().collect())),
            ..Receiver::default()
        };
        let state = receiver.clone();
        let app = Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let state = state.clone();
                async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|value| value.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    state.received.lock().unwrap().push(Received {
                        signature: header("trackline-signature"),
                        event: header("trackline-event"),
                        delivery: header("trackline-delivery"),
                        body,
                    });
                    let status = state.plan.lock().unwrap().pop_front().unwrap_or(200);
                    StatusCode::from_u16(status).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// The seller API over `store`, taking plain http receivers on private networks (they are on
/// loopback here).
fn app(store: &Store) -> Router {
    let config = Settings {
        allow_http_webhooks: true,
        allow_private_webhooks: true,
        ..Settings::default()
    };
    trackline_server::app(AppState::new(store.clone(), &config))
}

/// Waits that take milliseconds, so that a test sees a day's schedule in a moment.
const QUICK: Schedule = Schedule {
    first_wait_ms: 5,
    longest_wait_ms: 20,
    give_up_after_ms: 60_000,
};

fn worker(store: &Store, schedule: Schedule) -> DeliveryWorker {
    // The receiver is on this machine: a private network, as `allow_private_webhooks` allows.
    DeliveryWorker::new(store.clone(), schedule, Duration::from_millis(10), true)
}

/// A seller subscribed to `events` at `url`: its token, the subscription's id and secret.
async fn subscribed(
    app: &Router,
    store: &Store,
    url: &str,
    events: &[&str],
) -> (String, String, String) {
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let (status, body) = seller_call(
        app,
        Method::POST,
        "/api/v1/seller/webhooks",
        &token,
        Some(json!({"url": url, "events": events})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    (token, body["id"].as_str().unwrap().to_owned(), secret)
}

fn parcel(stage: &str) -> Value {
    json!({"tracking_number": "RA500000018RU", "stage": stage,
           "updated_at": "2026-11-20T10:00:00+03:00", "carrier": {"name": "Russian Post"}})
}

/// Runs the worker until `done` holds for the receiver, failing after ten seconds.
async fn deliver_until(
    worker: &DeliveryWorker,
    receiver: &Receiver,
    done: impl Fn(&[Received]) -> bool,
) {
    let started = Instant::now();
    while !done(&receiver.received()) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never delivered as expected: {:#?}",
            receiver.received()
        );
        worker.deliver_due().await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn a_change_is_delivered_signed_to_the_kinds_subscribed_and_once_acknowledged_never_again() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (receiver, url) = Receiver::start(&[]).await;
    let (token, id, secret) =
        subscribed(&app, &store, &url, &["delivered", "ready_for_pickup"]).await;
    let uri = "/api/v1/seller/shipments/p-1";
    seller_call(&app, Method::PUT, uri, &token, Some(parcel("in_transit"))).await;
    let (status, _) = seller_call(
        &app,
        Method::POST,
        &format!("{uri}/events"),
        &token,
        Some(json!({"at": "2026-11-21T10:00:00+03:00", "stage": "delivered", "text": "Delivered"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let worker = worker(&store, QUICK);
    deliver_until(&worker, &receiver, |got| !got.is_empty()).await;
    // Nothing more is due: the new shipment's status_changed and the like are not subscribed.
    assert_eq!(worker.deliver_due().await.unwrap(), 0);
    let got = receiver.received();
    assert_eq!(got.len(), 1, "{got:#?}");
    let delivered = &got[0];
    assert_eq!(delivered.event, "delivered");
    assert!(signature::verify(
        &secret,
        &delivered.signature,
        delivered.body.as_bytes(),
        now()
    ));
    assert!(!signature::verify(
        "whsec_other",
        &delivered.signature,
        delivered.body.as_bytes(),
        now()
    ));
    let payload: Value = serde_json::from_str(&delivered.body).unwrap();
    assert_eq!(payload["type"], "delivered");
    assert_eq!(payload["id"], delivered.delivery.as_str());
    assert_eq!(payload["reference"], "p-1");
    assert_eq!(payload["shipment"]["stage"], "delivered");
    assert!(payload["shipment"].get("order_check").is_none());

    let (_, log) = seller_call(
        &app,
        Method::GET,
        &format!("/api/v1/seller/webhooks/{id}/deliveries"),
        &token,
        None,
    )
    .await;
    assert_eq!(log["deliveries"][0]["state"], "delivered", "{log}");
    assert_eq!(
        log["deliveries"][0]["attempts"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(log["deliveries"][0]["attempts"][0]["status"], 200);
    // Listed without its secret.
    let (_, list) = seller_call(&app, Method::GET, "/api/v1/seller/webhooks", &token, None).await;
    assert_eq!(
        list["webhooks"][0]["events"],
        json!(["delivered", "ready_for_pickup"])
    );
    assert!(list["webhooks"][0].get("secret").is_none());
}

#[tokio::test]
async fn a_failing_receiver_is_tried_again_logged_given_up_on_and_replayed() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (receiver, url) = Receiver::start(&[500, 503]).await;
    let (token, id, _) = subscribed(&app, &store, &url, &["status_changed"]).await;
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &token,
        Some(parcel("in_transit")),
    )
    .await;
    let worker = worker(&store, QUICK);
    deliver_until(&worker, &receiver, |got| got.len() == 3).await;
    let got = receiver.received();
    assert!(
        got.iter().all(|r| r.delivery == got[0].delivery),
        "one delivery, tried three times"
    );
    let log_uri = format!("/api/v1/seller/webhooks/{id}/deliveries");
    let (_, log) = seller_call(&app, Method::GET, &log_uri, &token, None).await;
    let statuses: Vec<Value> = log["deliveries"][0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|attempt| attempt["status"].clone())
        .collect();
    assert_eq!(statuses, [json!(500), json!(503), json!(200)]);
    assert_eq!(log["deliveries"][0]["state"], "delivered");

    // Sent again on request: the same delivery, so a receiver can tell it took it before.
    let delivery = log["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) = seller_call(
        &app,
        Method::POST,
        &format!("/api/v1/seller/webhooks/{id}/deliveries/{delivery}/replay"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    deliver_until(&worker, &receiver, |got| got.len() == 4).await;
    assert_eq!(receiver.received()[3].delivery, delivery);

    // A receiver that never takes it is given up on once the day (here, 50 ms) is over.
    receiver.plan.lock().unwrap().extend([500; 1000]);
    let brief = Schedule {
        give_up_after_ms: 50,
        ..QUICK
    };
    seller_call(
        &app,
        Method::PATCH,
        "/api/v1/seller/shipments/p-1",
        &token,
        Some(json!({"stage": "arrived"})),
    )
    .await;
    let worker = self::worker(&store, brief);
    let started = Instant::now();
    loop {
        worker.deliver_due().await.unwrap();
        let (_, log) = seller_call(&app, Method::GET, &log_uri, &token, None).await;
        if log["deliveries"][0]["state"] == "failed" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never given up on: {log}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (receiver, url) = Receiver::start(&[]).await;
    let (token, id, old) = subscribed(&app, &store, &url, &["status_changed"]).await;
    let (status, rotated) = seller_call(
        &app,
        Method::POST,
        &format!("/api/v1/seller/webhooks/{id}/rotate"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_until"].is_string(), "{rotated}");
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &token,
        Some(parcel("in_transit")),
    )
    .await;
    deliver_until(&worker(&store, QUICK), &receiver, |got| !got.is_empty()).await;
    let delivered = &receiver.received()[0];
    assert_eq!(delivered.signature.matches("v1=").count(), 2);
    for secret in [&old, &new] {
        assert!(signature::verify(
            secret,
            &delivered.signature,
            delivered.body.as_bytes(),
            now()
        ));
    }
}

#[tokio::test]
async fn two_workers_never_send_one_delivery_twice() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (receiver, url) = Receiver::start(&[]).await;
    let (token, _, _) = subscribed(&app, &store, &url, &["status_changed"]).await;
    for n in 0..40 {
        let uri = format!("/api/v1/seller/shipments/p-{n}");
        seller_call(&app, Method::PUT, &uri, &token, Some(parcel("in_transit"))).await;
    }
    let workers = [
        worker(&store, QUICK),
        worker(&store, QUICK),
        worker(&store, QUICK),
    ];
    let (a, b, c) = tokio::join!(
        workers[0].deliver_due(),
        workers[1].deliver_due(),
        workers[2].deliver_due()
    );
    assert_eq!(a.unwrap() + b.unwrap() + c.unwrap(), 40);
    let mut ids: Vec<String> = receiver
        .received()
        .into_iter()
        .map(|r| r.delivery)
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    assert_eq!(receiver.received().len(), 40, "a delivery was sent twice");
}

#[tokio::test]
async fn deliveries_queued_before_a_restart_go_out_after_it() {
    let dir = std::env::temp_dir().join(format!(
        "trackline-webhooks-{}",
        trackline_server::store::new_id().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let url_of_store = support::fresh_url(Some(&dir)).await;
    let open = || support::store_at(&url_of_store);
    let (receiver, url) = Receiver::start(&[]).await;
    {
        let store = open().await;
        let app = app(&store);
        let (token, _, _) = subscribed(&app, &store, &url, &["status_changed"]).await;
        seller_call(
            &app,
            Method::PUT,
            "/api/v1/seller/shipments/p-1",
            &token,
            Some(parcel("in_transit")),
        )
        .await;
        store.pool().close().await;
    }
    assert!(receiver.received().is_empty());
    let store = open().await;
    deliver_until(&worker(&store, QUICK), &receiver, |got| got.len() == 1).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_seller_api_keeps_subscriptions_to_their_seller_and_their_rules() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (_, url) = Receiver::start(&[]).await;
    let (token, id, _) = subscribed(&app, &store, &url, &["status_changed"]).await;
    let (_, other) = store.add_seller("Other").await.unwrap();
    for (method, uri) in [
        (Method::DELETE, format!("/api/v1/seller/webhooks/{id}")),
        (Method::POST, format!("/api/v1/seller/webhooks/{id}/rotate")),
        (
            Method::GET,
            format!("/api/v1/seller/webhooks/{id}/deliveries"),
        ),
        (
            Method::DELETE,
            "/api/v1/seller/webhooks/not-a-number".to_owned(),
        ),
    ] {
        let (status, body) = seller_call(&app, method.clone(), &uri, &other, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}: {body}");
        assert_eq!(body["error"], "webhook_not_found");
    }
    let (_, theirs) = seller_call(&app, Method::GET, "/api/v1/seller/webhooks", &other, None).await;
    assert_eq!(theirs["webhooks"], json!([]));
    for (body, field) in [
        (json!({"url": url, "events": ["shipped"]}), "events[0]"),
        (json!({"url": url, "events": []}), "events"),
        (
            json!({"url": "ftp://shop.example/", "events": ["delivered"]}),
            "url",
        ),
    ] {
        let (status, answer) = seller_call(
            &app,
            Method::POST,
            "/api/v1/seller/webhooks",
            &token,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer["field"], field);
    }
    // Plain http only where the operator allows it.
    let strict = support::app(&store);
    let (status, answer) = seller_call(
        &strict,
        Method::POST,
        "/api/v1/seller/webhooks",
        &token,
        Some(json!({"url": url, "events": ["delivered"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["field"], "url");
    let (status, _) = seller_call(
        &app,
        Method::DELETE,
        &format!("/api/v1/seller/webhooks/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = seller_call(&app, Method::GET, "/api/v1/seller/webhooks", &token, None).await;
    assert_eq!(list["webhooks"], json!([]));
}

#[tokio::test]
async fn a_shipment_that_goes_quiet_is_told_once_per_silence_whoever_sweeps() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (receiver, url) = Receiver::start(&[]).await;
    let (token, _, _) = subscribed(&app, &store, &url, &["gone_stale"]).await;
    // Both last changed on 20 Nov; the one delivered is never stale.
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &token,
        Some(parcel("in_transit")),
    )
    .await;
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/p-2",
        &token,
        Some(parcel("delivered")),
    )
    .await;
    let day = |stamp: &str| trackline_core::time::parse_rfc3339(stamp).unwrap();
    assert_eq!(
        trackline_server::updates::tell_stale(&store, day("2026-11-24T10:00:00+03:00"))
            .await
            .unwrap(),
        0,
        "4 days is not stale"
    );
    // Two instances sweeping at the same moment tell it once.
    let six_days = day("2026-11-26T10:00:00+03:00");
    let (a, b) = tokio::join!(
        trackline_server::updates::tell_stale(&store, six_days),
        trackline_server::updates::tell_stale(&store, six_days)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(
        trackline_server::updates::tell_stale(&store, six_days + 3_600_000)
            .await
            .unwrap(),
        0,
        "told once per silence"
    );
    // It moves, then goes quiet again: told again.
    seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/shipments/p-1/events",
        &token,
        Some(json!({"at": "2026-11-27T10:00:00+03:00", "stage": "arrived", "text": "Arrived"})),
    )
    .await;
    assert_eq!(
        trackline_server::updates::tell_stale(&store, six_days + 3_600_000)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        trackline_server::updates::tell_stale(&store, day("2026-12-03T10:00:00+03:00"))
            .await
            .unwrap(),
        1
    );
    deliver_until(&worker(&store, QUICK), &receiver, |got| got.len() == 2).await;
    let got = receiver.received();
    assert!(got.iter().all(|r| r.event == "gone_stale"), "{got:#?}");
    let last: Value = serde_json::from_str(&got[1].body).unwrap();
    assert_eq!(last["shipment"]["stage"], "arrived");
}

/// A server that reaches no private network (the default) sends nothing to a receiver on one,
/// whether the seller wrote its address or a name that resolves to it, and logs why.
#[tokio::test]
async fn no_delivery_reaches_a_private_network_unless_the_operator_allows_it() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (receiver, url) = Receiver::start(&[]).await;
    let by_name = url.replace("127.0.0.1", "localhost");
    let (token, id, _) = subscribed(&app, &store, &url, &["status_changed"]).await;
    let (status, named) = seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/webhooks",
        &token,
        Some(json!({"url": by_name, "events": ["status_changed"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{named}");
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        &token,
        Some(parcel("in_transit")),
    )
    .await;
    // Retried after minutes, not at once: each is tried exactly once here.
    let public_only = DeliveryWorker::new(
        store.clone(),
        Schedule::default(),
        Duration::from_millis(10),
        false,
    );
    assert_eq!(public_only.deliver_due().await.unwrap(), 2);
    assert!(receiver.received().is_empty(), "{:#?}", receiver.received());
    for (subscription, why) in [
        (id.as_str(), "not a public address"),
        (named["id"].as_str().unwrap(), "connect"),
    ] {
        let (_, log) = seller_call(
            &app,
            Method::GET,
            &format!("/api/v1/seller/webhooks/{subscription}/deliveries"),
            &token,
            None,
        )
        .await;
        let error = log["deliveries"][0]["attempts"][0]["error"]
            .as_str()
            .unwrap_or_default();
        assert!(error.contains(why), "{log}");
    }
    // The same deliveries, once the operator allows private networks.
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_ms = 0")
        .execute(&support::pool(&store))
        .await
        .unwrap();
    deliver_until(&worker(&store, QUICK), &receiver, |got| got.len() == 2).await;
}

/// Plain http is a switch of its own: a server that takes `http://` receivers still refuses
/// one on a private network (written as an address, or in an IPv6 form that carries one) until
/// the operator also allows private networks.
#[tokio::test]
async fn allowing_plain_http_opens_no_private_network() {
    let store = support::fresh_store().await;
    let with = |private: bool| {
        trackline_server::app(AppState::new(
            store.clone(),
            &Settings {
                allow_http_webhooks: true,
                allow_private_webhooks: private,
                ..Settings::default()
            },
        ))
    };
    let (http_only, private) = (with(false), with(true));
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let subscribe = |app: &Router, url: &str| {
        let (app, url, token) = (app.clone(), url.to_owned(), token.clone());
        async move {
            seller_call(
                &app,
                Method::POST,
                "/api/v1/seller/webhooks",
                &token,
                Some(json!({"url": url, "events": ["status_changed"]})),
            )
            .await
        }
    };
    for url in [
        "http://127.0.0.1:9100/metrics",
        "http://169.254.169.254/latest/meta-data",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "http://[2002:7f00:1::]:9100/metrics",
        "http://[fec0::1]/hook",
    ] {
        let (status, body) = subscribe(&http_only, url).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("url")),
            "{url}: {body}"
        );
    }
    let (status, body) = subscribe(&http_only, "http://hooks.shop.example/trackline").await;
    assert_eq!(status, StatusCode::CREATED, "plain http to a name: {body}");
    let (status, body) = subscribe(&private, "http://127.0.0.1:9100/hook").await;
    assert_eq!(status, StatusCode::CREATED, "both switches: {body}");
}

/// One seller holds at most 20 subscriptions (every change queues a delivery to each): the 21st
/// is refused with the reason, in sequence and when 25 are asked for at once, until one ends.
#[tokio::test]
async fn a_seller_holds_at_most_twenty_subscriptions() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let subscribe = |n: usize| {
        let (app, token) = (app.clone(), token.clone());
        async move {
            seller_call(
                &app,
                Method::POST,
                "/api/v1/seller/webhooks",
                &token,
                Some(json!({"url": format!("https://hooks{n}.shop.example/t"), "events": ["delivered"]})),
            )
            .await
        }
    };
    let mut ids = Vec::new();
    for n in 0..20 {
        let (status, body) = subscribe(n).await;
        assert_eq!(status, StatusCode::CREATED, "{n}: {body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    let (status, body) = subscribe(20).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit_reached")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("20"), "{body}");
    let (status, _) = seller_call(
        &app,
        Method::DELETE,
        &format!("/api/v1/seller/webhooks/{}", ids[0]),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(subscribe(21).await.0, StatusCode::CREATED, "room again");

    // Another seller asks for 25 at once: no two requests both see the twentieth place free.
    let (_, token) = store.add_seller("Busy shop").await.unwrap();
    let asked = (0..25).map(|n| {
        let (app, token) = (app.clone(), token.clone());
        async move {
            seller_call(
                &app,
                Method::POST,
                "/api/v1/seller/webhooks",
                &token,
                Some(json!({"url": format!("https://busy{n}.shop.example/t"), "events": ["delivered"]})),
            )
            .await
            .0
        }
    });
    let answers = futures_util::future::join_all(asked).await;
    let (_, list) = seller_call(&app, Method::GET, "/api/v1/seller/webhooks", &token, None).await;
    assert_eq!(
        list["webhooks"].as_array().unwrap().len(),
        20,
        "{answers:?}"
    );
    let created = answers
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = answers
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((created, refused), (20, 5), "{answers:?}");
}

/// However many subscriptions rows a seller holds (made before the cap, or written around
/// it), one change queues deliveries for the first 20 only.
#[tokio::test]
async fn one_change_queues_at_most_the_caps_deliveries() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (token, id, _) = subscribed(
        &app,
        &store,
        "https://hooks.shop.example/t",
        &["status_changed"],
    )
    .await;
    let pool = support::pool(&store);
    for n in 1..=24_i64 {
        sqlx::query(
            "INSERT INTO webhooks (id, seller_id, url, kinds, secret, created_at)
             SELECT id + $1, seller_id, url, kinds, secret, created_at FROM webhooks WHERE id = $2",
        )
        .bind(n)
        .bind(id.parse::<i64>().unwrap())
        .execute(&pool)
        .await
        .unwrap();
    }
    let mut queued = Vec::new();
    for stage in ["in_transit", "arrived"] {
        let (status, body) = seller_call(
            &app,
            Method::PUT,
            "/api/v1/seller/shipments/p-1",
            &token,
            Some(parcel(stage)),
        )
        .await;
        assert!(status.is_success(), "{body}");
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries")
            .fetch_one(&pool)
            .await
            .unwrap();
        queued.push(count);
    }
    assert!(queued[0] <= 20, "{queued:?}");
    assert_eq!(
        queued[1] - queued[0],
        20,
        "a change told to 20 receivers of 25: {queued:?}"
    );
}

/// Seller A subscribed at `urls` (its tarpits), with `shipments` changes of its own queued for
/// each, before one of seller B's to B's own receiver; a worker runs. Returns B's receiver and
/// when the worker started.
async fn tarpits_before_another_seller(urls: &[String], shipments: usize) -> (Receiver, Instant) {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (_, token) = store.add_seller("Shop A").await.unwrap();
    for url in urls {
        let (status, body) = seller_call(
            &app,
            Method::POST,
            "/api/v1/seller/webhooks",
            &token,
            Some(json!({"url": url, "events": ["status_changed"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for n in 0..shipments {
        let uri = format!("/api/v1/seller/shipments/a-{n}");
        seller_call(&app, Method::PUT, &uri, &token, Some(parcel("in_transit"))).await;
    }
    let (receiver, url) = Receiver::start(&[]).await;
    let (other, _, _) = subscribed(&app, &store, &url, &["status_changed"]).await;
    let uri = "/api/v1/seller/shipments/b-1";
    seller_call(&app, Method::PUT, uri, &other, Some(parcel("in_transit"))).await;
    let worker = worker(&store, QUICK);
    let started = Instant::now();
    tokio::spawn(worker.run(tokio_util::sync::CancellationToken::new()));
    (receiver, started)
}

/// Waits until `receiver` has one delivery; how long that took from `started`, failing past
/// `deadline`.
async fn first_delivery_within(
    receiver: &Receiver,
    started: Instant,
    deadline: Duration,
) -> Duration {
    while receiver.received().is_empty() {
        assert!(
            started.elapsed() < deadline,
            "the other seller's delivery did not arrive within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    started.elapsed()
}

#[tokio::test]
async fn a_receiver_that_never_answers_holds_up_only_its_own_deliveries() {
    // Six of A's deliveries to a tarpit, each held for the whole ten-second timeout of its try,
    // are due before B's: one at a time, B's waited a minute.
    let tarpit = Tarpit::start().await;
    let hook = format!("{}/hook", tarpit.origin);
    let (receiver, started) = tarpits_before_another_seller(&[hook], 6).await;
    let took = first_delivery_within(&receiver, started, Duration::from_secs(2)).await;
    eprintln!(
        "B's delivery arrived after {took:?}, A's tarpit holding {} connections",
        tarpit.open()
    );
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn no_more_than_two_deliveries_are_open_at_once_to_one_host() {
    // Eight of A's deliveries over two subscriptions on one host (two paths of the tarpit).
    let tarpit = Tarpit::start().await;
    let hooks = [0, 1].map(|path| format!("{}/hook-{path}", tarpit.origin));
    let (receiver, started) = tarpits_before_another_seller(&hooks, 4).await;
    tarpit.wait_open(2, Duration::from_secs(2)).await;
    // B's delivery, queued after all of A's, goes out only once a turn has passed over A's
    // others and left them: by then every one of A's that could be sent was.
    first_delivery_within(&receiver, started, Duration::from_secs(2)).await;
    assert_eq!(
        tarpit.most_open(),
        2,
        "connections open at once to one host"
    );
    assert_eq!(tarpit.accepted(), 2, "a third try went to the tarpit");
}

#[tokio::test]
async fn a_seller_whose_receivers_all_never_answer_holds_no_more_than_its_share() {
    // Three tarpits (three hosts: one machine's three ports), three of A's deliveries to each:
    // two to each host would be six of the sixteen places; A gets four.
    let tarpits = [
        Tarpit::start().await,
        Tarpit::start().await,
        Tarpit::start().await,
    ];
    let hooks = tarpits
        .clone()
        .map(|tarpit| format!("{}/hook", tarpit.origin));
    let (receiver, started) = tarpits_before_another_seller(&hooks, 3).await;
    let open = || tarpits.iter().map(Tarpit::open).sum::<usize>();
    while open() < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{} open",
            open()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first_delivery_within(&receiver, started, Duration::from_secs(2)).await;
    let accepted: Vec<usize> = tarpits.iter().map(Tarpit::accepted).collect();
    assert_eq!(accepted.iter().sum::<usize>(), 4, "{accepted:?}");
    assert!(
        tarpits.iter().all(|tarpit| tarpit.most_open() <= 2),
        "{accepted:?}"
    );
}

/// A worker's turn reads a few pages of what is due and passes over a seller's rows once that
/// seller has its four in flight: 26 sellers whose 20 receivers each never answer (520
/// deliveries, a receiver's most due one listed) filled every page a turn read, and the next
/// seller's delivery was never reached. A page lists at most a seller's share, so it goes at once.
#[tokio::test]
async fn sellers_with_hundreds_of_deliveries_ahead_do_not_starve_another() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let tarpit = Tarpit::start().await;
    for seller in 0..26 {
        let (_, token) = store.add_seller(&format!("Shop {seller}")).await.unwrap();
        for hook in 0..20 {
            let (status, body) = seller_call(
                &app,
                Method::POST,
                "/api/v1/seller/webhooks",
                &token,
                Some(json!({"url": format!("{}/hook-{hook}", tarpit.origin), "events": ["status_changed"]})),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let uri = "/api/v1/seller/shipments/a-1";
        seller_call(&app, Method::PUT, uri, &token, Some(parcel("in_transit"))).await;
    }
    let pool = support::pool(&store);
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_ms = next_attempt_ms - 60000")
        .execute(&pool)
        .await
        .unwrap();
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 520);
    let (receiver, url) = Receiver::start(&[]).await;
    let (other, _, _) = subscribed(&app, &store, &url, &["status_changed"]).await;
    let uri = "/api/v1/seller/shipments/b-1";
    seller_call(&app, Method::PUT, uri, &other, Some(parcel("in_transit"))).await;
    let started = Instant::now();
    tokio::spawn(worker(&store, QUICK).run(tokio_util::sync::CancellationToken::new()));
    let took = first_delivery_within(&receiver, started, Duration::from_secs(3)).await;
    eprintln!("B's delivery arrived after {took:?}, 520 of other sellers' queued ahead");
    assert_eq!(receiver.received().len(), 1);
}
