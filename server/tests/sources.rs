//! Providers polled for sellers' shipments: Russian Post's mapping table read back from the
//! docs; a local fake of its tracking service shaped as its specification documents (SOAP 1.2,
//! faults, the sender's and addressee's names that must not get through); the seller's keys,
//! a shipment chosen by its number, the poll that moves it (and tells the seller's webhooks),
//! the backoff, the override, and two pollers over one store. Runs on SQLite, and on
//! PostgreSQL under `cargo xtask test`.

use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::time::Duration;
use support::fake_russian_post::{FakeRussianPost, LOGIN, PASSWORD};
use support::{request, seller_call, send};
use trackline_server::providers::poller::Poller;
use trackline_server::providers::russian_post::mapping;
use trackline_server::{AppState, Settings, Store};

mod support;

#[test]
fn the_mapping_table_in_the_docs_is_the_codes() {
    let rows = support::doc_table("russian-post.md", |first| {
        first.starts_with(|c: char| c.is_ascii_digit())
    });
    assert!(rows.len() >= 15, "{rows:?}");
    let listed = |oper_type: u32, oper_attr: u32| {
        rows.iter().find(|row| {
            row[0].parse::<u32>().ok() == Some(oper_type)
                && (row[1] == "*" || row[1].parse::<u32>().ok() == Some(oper_attr))
        })
    };
    for row in &rows {
        let oper_type: u32 = row[0].parse().unwrap();
        let oper_attr: u32 = if row[1] == "*" {
            99
        } else {
            row[1].parse().unwrap()
        };
        assert_eq!(
            mapping::map(oper_type, oper_attr),
            Some(support::stage_and_exception(&row[3], &row[4])),
            "{row:?}"
        );
    }
    // Nothing moves a status that the table does not say.
    for oper_type in 0..=60 {
        for oper_attr in 0..=30 {
            if mapping::map(oper_type, oper_attr).is_some() {
                assert!(
                    listed(oper_type, oper_attr).is_some(),
                    "{oper_type}.{oper_attr} is not in the table"
                );
            }
        }
    }
}

/// An S10 number with its check digit: `RA` + eight digits + the check digit + `RU`.
fn s10(serial: u32) -> String {
    let digits: Vec<u32> = format!("{serial:08}")
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let sum: u32 = digits
        .iter()
        .zip([8, 6, 4, 2, 3, 5, 9, 7])
        .map(|(d, w)| d * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        other => other,
    };
    format!("RA{serial:08}{check}RU")
}

/// The app of one instance over `store`, asking Russian Post at `url`.
fn app(store: &Store, url: &str) -> Router {
    let config = Settings {
        allow_http_webhooks: true,
        allow_private_webhooks: true,
        providers: trackline_server::providers::ProviderUrls {
            russian_post: url.to_owned(),
            ..Default::default()
        },
        ..Settings::default()
    };
    trackline_server::app(AppState::new(store.clone(), &config))
}

fn poller(store: &Store, url: &str) -> Poller {
    let urls = trackline_server::providers::ProviderUrls {
        russian_post: url.to_owned(),
        ..Default::default()
    };
    support::poller(store, &urls, "http://127.0.0.1:9")
}

/// A new seller whose Russian Post keys are `password` (with the fake's login): its token.
async fn seller_with_keys(store: &Store, app: &Router, password: &str) -> String {
    let keys = json!({"login": LOGIN, "password": password});
    support::seller_with_source(store, app, "shop", "russian_post", keys).await
}

fn parcel(number: &str) -> Value {
    json!({"order_number": "7700000001", "tracking_number": number, "stage": "packed",
           "updated_at": "2026-11-19T10:00:00+03:00",
           "events": [{"at": "2026-11-19T10:00:00+03:00", "stage": "packed", "text": "Packed by the shop"}]})
}

#[tokio::test]
async fn a_shipment_with_a_russian_post_number_is_polled_moved_and_its_seller_told() {
    let store = support::fresh_store().await;
    let (fake, url) = FakeRussianPost::start().await;
    let app = app(&store, &url);
    let token = seller_with_keys(&store, &app, PASSWORD).await;
    let (status, hook) = seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/webhooks",
        &token,
        Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["ready_for_pickup"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let number = s10(10_000_004);
    let uri = "/api/v1/seller/shipments/order-1";
    seller_call(&app, Method::PUT, uri, &token, Some(parcel(&number))).await;

    assert_eq!(poller(&store, &url).poll_due().await.unwrap(), 1);
    assert_eq!(fake.asked(&number), 1);
    // Nothing more is due until its stage's next time.
    assert_eq!(poller(&store, &url).poll_due().await.unwrap(), 0);

    let reply = send(
        &app,
        request(Method::GET, &format!("/api/v1/track/{number}"), &[], None),
    )
    .await;
    let shipment = &reply.json()["shipments"][0];
    assert_eq!(shipment["stage"], "ready_for_pickup", "{shipment}");
    assert_eq!(
        shipment["status_text"],
        "Обработка: Прибыло в место вручения"
    );
    let events = shipment["events"].as_array().unwrap();
    assert_eq!(
        events.len(),
        4,
        "the shop's own event stays beside the carrier's three"
    );
    // The office holding the parcel is named with its postcode, usually the buyer's own: shown to
    // anyone with the tracking number it would say where the buyer lives (and open a seller whose
    // second factor is the postcode). The buyer sees the city.
    assert!(events
        .iter()
        .any(|e| e["text_lang"] == "ru" && e["location"] == "Казань"));
    assert!(
        !reply.text.contains("420000"),
        "the office's postcode got through: {}",
        reply.text
    );
    for name in ["ИВАНОВ", "ПЕТРОВА"] {
        assert!(
            !reply.text.contains(name),
            "a name from UserParameters got through"
        );
    }
    // The change went the one way every change goes: the seller's receiver has it queued.
    let id = hook["id"].as_str().unwrap();
    let (_, log) = seller_call(
        &app,
        Method::GET,
        &format!("/api/v1/seller/webhooks/{id}/deliveries"),
        &token,
        None,
    )
    .await;
    assert_eq!(log["deliveries"][0]["type"], "ready_for_pickup", "{log}");
}

#[tokio::test]
async fn a_failing_service_is_asked_later_and_the_stored_status_stays() {
    let store = support::fresh_store().await;
    let (fake, url) = FakeRussianPost::start().await;
    let app = app(&store, &url);
    let token = seller_with_keys(&store, &app, "wrong").await;
    let refused = s10(10_000_012);
    let down = s10(10_000_020);
    fake.down.lock().unwrap().push(down.clone());
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/a",
        &token,
        Some(parcel(&refused)),
    )
    .await;
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/b",
        &token,
        Some(parcel(&down)),
    )
    .await;
    assert_eq!(poller(&store, &url).poll_due().await.unwrap(), 2);
    assert_eq!(
        poller(&store, &url).poll_due().await.unwrap(),
        0,
        "both wait before the next try"
    );
    assert_eq!((fake.asked(&refused), fake.asked(&down)), (1, 1));
    let reply = send(
        &app,
        request(Method::GET, &format!("/api/v1/track/{down}"), &[], None),
    )
    .await;
    assert_eq!(reply.json()["shipments"][0]["stage"], "packed");
}

#[tokio::test]
async fn the_seller_chooses_otherwise_and_nothing_is_polled_without_keys() {
    let store = support::fresh_store().await;
    let (fake, url) = FakeRussianPost::start().await;
    let app = app(&store, &url);
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let number = s10(10_000_039);
    // Without keys, a Russian Post number chooses nothing.
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/a",
        &token,
        Some(parcel(&number)),
    )
    .await;
    assert_eq!(poller(&store, &url).poll_due().await.unwrap(), 0);
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/sources/russian_post",
        &token,
        Some(json!({"login": LOGIN, "password": PASSWORD})),
    )
    .await;
    // The seller says nowhere: a rewrite of the shipment keeps that.
    let (status, _) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/a/source",
        &token,
        Some(json!({"provider": null})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/a",
        &token,
        Some(parcel(&number)),
    )
    .await;
    assert_eq!(poller(&store, &url).poll_due().await.unwrap(), 0);
    assert_eq!(fake.asked(&number), 0);
    // Then chooses Russian Post after all: polled.
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/a/source",
        &token,
        Some(json!({"provider": "russian_post"})),
    )
    .await;
    assert_eq!(poller(&store, &url).poll_due().await.unwrap(), 1);
    for (method, uri, body, want) in [
        (
            Method::PUT,
            "/api/v1/seller/sources/pigeon_post",
            json!({"login": "a", "password": "b"}),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::PUT,
            "/api/v1/seller/shipments/a/source",
            json!({"provider": "pigeon_post"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::PUT,
            "/api/v1/seller/shipments/nope/source",
            json!({"provider": null}),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::PUT,
            "/api/v1/seller/sources/russian_post",
            json!({"login": "", "password": "b"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, answer) = seller_call(&app, method, uri, &token, Some(body)).await;
        assert_eq!(status, want, "{uri}: {answer}");
    }
}

/// Two instances, each with its own connections, over one PostgreSQL database (the test
/// command's): every due shipment is polled once, and not again before its next time. SQLite
/// is for one instance; there the two pollers share its store.
#[tokio::test]
async fn two_instances_poll_each_due_shipment_once_per_period() {
    let (store, other) = support::two_instances().await;
    let (fake, url) = FakeRussianPost::start().await;
    let app = app(&store, &url);
    let token = seller_with_keys(&store, &app, PASSWORD).await;
    let numbers: Vec<String> = (0..12).map(|n| s10(20_000_000 + n)).collect();
    for (n, number) in numbers.iter().enumerate() {
        seller_call(
            &app,
            Method::PUT,
            &format!("/api/v1/seller/shipments/p-{n}"),
            &token,
            Some(parcel(number)),
        )
        .await;
    }
    let (first, second) = (poller(&store, &url), poller(&other, &url));
    let (a, b) = tokio::join!(first.poll_due(), second.poll_due());
    assert_eq!(a.unwrap() + b.unwrap(), 12);
    for number in &numbers {
        assert_eq!(fake.asked(number), 1, "{number}");
    }
    let (a, b) = tokio::join!(first.poll_due(), second.poll_due());
    assert_eq!(
        (a.unwrap(), b.unwrap()),
        (0, 0),
        "nothing is due again so soon"
    );
}

#[tokio::test]
async fn a_buyers_lookup_asks_the_carrier_at_once_but_never_waits_long_for_it() {
    let store = support::fresh_store().await;
    let (fake, url) = FakeRussianPost::start().await;
    let seller_app = app(&store, &url);
    let token = seller_with_keys(&store, &seller_app, PASSWORD).await;
    let (number, slow_number) = (s10(30_000_001), s10(30_000_002));
    for (reference, number) in [("l-1", &number), ("l-2", &slow_number)] {
        let uri = format!("/api/v1/seller/shipments/{reference}");
        let (status, _) =
            seller_call(&seller_app, Method::PUT, &uri, &token, Some(parcel(number))).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // Each lookup comes to an instance of its own, so no instance's cache answers for another.
    let look_up = |number: &str| {
        let instance = app(&store, &url);
        let uri = format!("/api/v1/track/{number}");
        async move {
            let started = std::time::Instant::now();
            let reply = send(&instance, request(Method::GET, &uri, &[], None)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            (reply.json()["shipments"][0].clone(), started.elapsed())
        }
    };

    // Never polled: the buyer is shown what the carrier says now, not the seller's "packed".
    let (shown, _) = look_up(&number).await;
    assert_eq!(shown["stage"], "ready_for_pickup", "{shown}");
    assert_eq!(fake.asked(&number), 1);
    // Asked minutes ago: however many buyers look, the carrier is not asked again.
    for _ in 0..3 {
        look_up(&number).await;
    }
    assert_eq!(fake.asked(&number), 1);

    // Its answer is old now, and the carrier is down: the stored status, and a backoff that
    // other buyers' lookups keep to.
    let pool = support::pool(&store);
    let age = |minutes: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query("UPDATE shipments SET polled_at_ms = polled_at_ms - $1")
                .bind(minutes * 60_000)
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    age(10).await;
    fake.down.lock().unwrap().push(number.clone());
    let (shown, _) = look_up(&number).await;
    assert_eq!(shown["stage"], "ready_for_pickup");
    assert_eq!(fake.asked(&number), 2);
    look_up(&number).await;
    assert_eq!(fake.asked(&number), 2, "a failing carrier is waited out");

    // A carrier that hangs: the buyer waits the deadline at most and sees the stored status.
    *fake.delay.lock().unwrap() = Duration::from_secs(30);
    let (shown, took) = look_up(&slow_number).await;
    assert_eq!(shown["stage"], "packed", "{shown}");
    assert_eq!(fake.asked(&slow_number), 1);
    assert!(
        took < trackline_server::lookup::REFRESH_DEADLINE + Duration::from_secs(2),
        "{took:?}"
    );
}
