//! 17TRACK as a source: its mapping table read back from the docs, and the adapter against a
//! local fake of its API v2.2 (registration, track info, its three requests a second) and its
//! signed calls of its webhook. Runs on SQLite, and on PostgreSQL under `cargo xtask test`.

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::fake_17track::{webhook_call, Fake17Track, API_KEY};
use support::fake_russian_post::{FakeRussianPost, LOGIN, PASSWORD};
use support::{request, seller_call, send};
use trackline_server::providers::poller::Poller;
use trackline_server::providers::seventeen_track::mapping;
use trackline_server::providers::ProviderUrls;
use trackline_server::Store;

mod support;

#[test]
fn the_mapping_table_in_the_docs_is_the_statuses() {
    let rows = support::doc_table("17track.md", |first| {
        first.starts_with(|c: char| c.is_ascii_uppercase()) && !first.contains(' ')
    });
    assert!(rows.len() >= 25, "{rows:?}");
    for row in &rows {
        assert_eq!(
            mapping::map(&row[0]),
            Some(support::stage_and_exception(&row[2], &row[3])),
            "{row:?}"
        );
    }
    for status in mapping::SUB_STATUSES {
        if mapping::map(status).is_some() {
            assert!(
                rows.iter().any(|row| row[0] == status),
                "{status} is not in the table"
            );
        }
    }
}

fn urls(seventeen_track: &str, russian_post: &str) -> ProviderUrls {
    ProviderUrls {
        seventeen_track: seventeen_track.to_owned(),
        russian_post: russian_post.to_owned(),
        ..Default::default()
    }
}

fn poller(store: &Store, urls: &ProviderUrls) -> Poller {
    support::poller(store, urls, "http://127.0.0.1:9")
}

fn parcel(number: &str) -> serde_json::Value {
    json!({"tracking_number": number, "stage": "packed", "updated_at": "2026-11-12T10:00:00+03:00"})
}

#[tokio::test]
async fn a_number_is_registered_then_moved_by_a_signed_webhook_call_and_only_a_signed_one() {
    let store = support::fresh_store().await;
    let (fake, url) = Fake17Track::start().await;
    let urls = urls(&url, "http://127.0.0.1:9");
    let app = support::app_asking(&store, urls.clone());
    let key = json!({"api_key": API_KEY});
    let token = support::seller_with_source(&store, &app, "cn-shop", "seventeen_track", key).await;
    let number = "LP00123456789012";
    let (status, _) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/cn-1",
        &token,
        Some(parcel(number)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // Not followed yet: registered once, and nothing is known until 17TRACK hears of it.
    let poller = poller(&store, &urls);
    assert_eq!(poller.poll_due().await.unwrap(), 1);
    assert_eq!(fake.asked("register", number), 1);
    let look = || async {
        let uri = format!("/api/v1/shops/cn-shop/track/{number}");
        send(&app, request(Method::GET, &uri, &[], None)).await
    };
    assert_eq!(look().await.json()["shipments"][0]["stage"], "packed");

    // A webhook call signed with another key, or for another seller, changes nothing.
    let (body, forged) = webhook_call(number, "not-the-key");
    let call_for = |seller: &str, sign: &str| {
        request(
            Method::POST,
            &format!("/api/v1/sources/seventeen_track/push/{seller}"),
            &[("content-type", "application/json"), ("sign", sign)],
            Some(&serde_json::from_str(&body).unwrap()),
        )
    };
    assert_eq!(send(&app, call_for("cn-shop", &forged)).await.status, 401);
    let (body, sign) = webhook_call(number, API_KEY);
    assert_eq!(
        send(&app, call_for("no-such-shop", &sign)).await.status,
        401
    );
    assert_eq!(look().await.json()["shipments"][0]["stage"], "packed");

    // 17TRACK's own webhook call, signed over the exact bytes it sent.
    let signed = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/sources/seventeen_track/push/cn-shop")
        .header("content-type", "application/json")
        .header("sign", &sign)
        .body(axum::body::Body::from(body))
        .unwrap();
    assert_eq!(send(&app, signed).await.status, StatusCode::OK);
    let reply = look().await;
    let shown = &reply.json()["shipments"][0];
    assert_eq!(shown["stage"], "ready_for_pickup", "{shown}");
    let langs: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|event| event["text_lang"].as_str())
        .collect();
    assert!(langs.contains(&"zh") && langs.contains(&"ru"), "{langs:?}");
    assert!(
        !reply.text.contains("Баумана"),
        "the recipient's address got through"
    );

    // An older call posted again after it (a replay, signed as 17TRACK signed it then): its
    // reading is older than the newest applied and moves nothing back.
    let mut older = support::fake_17track::track_info();
    older["latest_status"] = json!({"status": "InTransit", "sub_status": "InTransit_Departure", "sub_status_descr": null});
    older["tracking"]["providers"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    let body = json!({"event": "TRACKING_UPDATED",
                      "data": {"number": number, "carrier": 190271, "param": null, "tag": "",
                               "track_info": older}})
    .to_string();
    let sign = trackline_server::store::sellers::sha256_hex(format!("{body}/{API_KEY}").as_bytes());
    let replayed = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/sources/seventeen_track/push/cn-shop")
        .header("content-type", "application/json")
        .header("sign", &sign)
        .body(axum::body::Body::from(body))
        .unwrap();
    assert_eq!(send(&app, replayed).await.status, StatusCode::OK);
    let shown = look().await.json()["shipments"][0].clone();
    assert_eq!(shown["stage"], "ready_for_pickup", "moved back: {shown}");
    assert_eq!(shown["updated_at"], "2026-11-22T09:15:00+03:00", "{shown}");
}

#[tokio::test]
async fn a_number_goes_to_its_own_carrier_first_and_17track_is_asked_at_its_pace() {
    let store = support::fresh_store().await;
    let (fake, url) = Fake17Track::start().await;
    let (russian_post, russian_post_url) = FakeRussianPost::start().await;
    let urls = urls(&url, &russian_post_url);
    let app = support::app_asking(&store, urls.clone());
    let key = json!({"api_key": API_KEY});
    let token = support::seller_with_source(&store, &app, "both", "seventeen_track", key).await;
    let login = json!({"login": LOGIN, "password": PASSWORD});
    let (status, _) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/sources/russian_post",
        &token,
        Some(login),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let russian = "RA100000048RU";
    let chinese: Vec<String> = (0..5).map(|n| format!("LP0012345678901{n}")).collect();
    for (n, number) in std::iter::once(russian.to_owned())
        .chain(chinese.iter().cloned())
        .enumerate()
    {
        let uri = format!("/api/v1/seller/shipments/p-{n}");
        seller_call(&app, Method::PUT, &uri, &token, Some(parcel(&number))).await;
    }
    assert_eq!(poller(&store, &urls).poll_due().await.unwrap(), 6);
    assert_eq!(russian_post.asked(russian), 1);
    assert_eq!(
        fake.asked("gettrackinfo", russian),
        0,
        "Russian Post's own number"
    );
    for number in &chinese {
        assert_eq!(fake.asked("gettrackinfo", number), 1, "{number}");
        assert_eq!(fake.asked("register", number), 1, "{number}");
    }
    assert_eq!(
        *fake.too_fast.lock().unwrap(),
        0,
        "ten requests, never more than three a second"
    );
}

/// Two instances (each with its own connections on PostgreSQL) polling one seller's numbers at
/// once keep under the three requests a second 17TRACK allows the seller's account: the turns
/// are taken in the store, not in each instance's memory.
#[tokio::test]
async fn two_instances_together_keep_under_the_accounts_limit() {
    let (store, other) = support::two_instances().await;
    let (fake, url) = Fake17Track::start().await;
    let urls = urls(&url, "http://127.0.0.1:9");
    let app = support::app_asking(&store, urls.clone());
    let key = json!({"api_key": API_KEY});
    let token = support::seller_with_source(&store, &app, "busy", "seventeen_track", key).await;
    let numbers: Vec<String> = (0..6).map(|n| format!("LP0099887766554{n}")).collect();
    for (n, number) in numbers.iter().enumerate() {
        fake.registered.lock().unwrap().insert(number.clone());
        let uri = format!("/api/v1/seller/shipments/b-{n}");
        seller_call(&app, Method::PUT, &uri, &token, Some(parcel(number))).await;
    }
    let (first, second) = (poller(&store, &urls), poller(&other, &urls));
    let (a, b) = tokio::join!(first.poll_due(), second.poll_due());
    assert_eq!(a.unwrap() + b.unwrap(), 6);
    for number in &numbers {
        assert_eq!(fake.asked("gettrackinfo", number), 1, "{number}");
    }
    assert_eq!(
        *fake.too_fast.lock().unwrap(),
        0,
        "more than three a second"
    );
}
