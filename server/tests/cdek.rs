//! CDEK as a source: its mapping table read back from the docs, and the adapter against a local
//! fake of its API v2 (OAuth client credentials, the order by waybill, its errors and limits).
//! Runs on SQLite, and on PostgreSQL under `cargo xtask test`.

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::fake_cdek::{FakeCdek, CLIENT_ID, CLIENT_SECRET};
use support::{request, seller_call, send};
use trackline_server::providers::cdek::mapping;
use trackline_server::providers::poller::Poller;
use trackline_server::providers::ProviderUrls;
use trackline_server::Store;

mod support;

/// Every status code CDEK's appendix 1 documents, the ones that move nothing included.
const DOCUMENTED: &[&str] = &[
    "ACCEPTED",
    "CREATED",
    "REMOVED",
    "RECEIVED_AT_SHIPMENT_WAREHOUSE",
    "READY_TO_SHIP_AT_SENDING_OFFICE",
    "READY_FOR_SHIPMENT_IN_SENDER_CITY",
    "RETURNED_TO_SENDER_WAREHOUSE",
    "PASSED_TO_CARRIER_AT_SENDING_OFFICE",
    "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY",
    "SEND_TO_TRANSIT_OFFICE",
    "SENT_TO_TRANSIT_CITY",
    "MET_AT_TRANSIT_OFFICE",
    "ACCEPTED_IN_TRANSIT_CITY",
    "ACCEPTED_TO_OFFICE_TRANSIT_WAREHOUSE",
    "ACCEPTED_AT_TRANSIT_WAREHOUSE",
    "RETURNED_TO_TRANSIT_WAREHOUSE",
    "READY_TO_SHIP_IN_TRANSIT_OFFICE",
    "READY_FOR_SHIPMENT_IN_TRANSIT_CITY",
    "PASSED_TO_CARRIER_AT_TRANSIT_OFFICE",
    "TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY",
    "SEND_TO_SENDING_OFFICE",
    "SENT_TO_SENDER_CITY",
    "SEND_TO_RECIPIENT_OFFICE",
    "SENT_TO_RECIPIENT_CITY",
    "MET_AT_SENDING_OFFICE",
    "ACCEPTED_IN_SENDER_CITY",
    "MET_AT_RECIPIENT_OFFICE",
    "ACCEPTED_IN_RECIPIENT_CITY",
    "ACCEPTED_AT_DELIVERY_WAREHOUSE",
    "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE",
    "ACCEPTED_AT_WAREHOUSE_ON_DEMAND",
    "ACCEPTED_AT_PICK_UP_POINT",
    "ISSUED_FOR_DELIVERY",
    "TAKEN_BY_COURIER",
    "RETURNED_TO_DELIVERY_WAREHOUSE",
    "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE",
    "DELIVERED",
    "NOT_DELIVERED",
    "ENTERED_TO_OFFICE_TRANSIT_WAREHOUSE",
    "ENTERED_TO_DELIVERY_WAREHOUSE",
    "ENTERED_TO_WAREHOUSE_ON_DEMAND",
    "IN_CUSTOMS_INTERNATIONAL",
    "SHIPPED_TO_DESTINATION",
    "PASSED_TO_TRANSIT_CARRIER",
    "IN_CUSTOMS_LOCAL",
    "CUSTOMS_COMPLETE",
    "POSTOMAT_POSTED",
    "POSTOMAT_SEIZED",
    "POSTOMAT_RECEIVED",
    "INVALID",
];

#[test]
fn the_mapping_table_in_the_docs_is_the_codes() {
    let rows = support::doc_table("cdek.md", |first| {
        !first.is_empty() && first.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    });
    assert!(rows.len() >= 40, "{rows:?}");
    for row in &rows {
        assert_eq!(
            mapping::map(&row[0]),
            Some(support::stage_and_exception(&row[2], &row[3])),
            "{row:?}"
        );
    }
    for code in DOCUMENTED {
        if mapping::map(code).is_some() {
            assert!(
                rows.iter().any(|row| row[0] == *code),
                "{code} is not in the table"
            );
        }
    }
}

fn urls(url: &str) -> ProviderUrls {
    ProviderUrls {
        cdek: url.to_owned(),
        ..Default::default()
    }
}

fn poller(store: &Store, url: &str) -> Poller {
    support::poller(store, &urls(url), "http://127.0.0.1:9")
}

async fn next_poll_ms(store: &Store, reference: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT next_poll_ms FROM shipments WHERE reference = $1")
        .bind(reference)
        .fetch_one(&support::pool(store))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_waybill_is_polled_with_one_token_and_a_revoked_token_is_replaced_once() {
    let store = support::fresh_store().await;
    let (fake, url) = FakeCdek::start().await;
    let app = support::app_asking(&store, urls(&url));
    let keys = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET});
    let token = support::seller_with_source(&store, &app, "cdek-shop", "cdek", keys).await;
    for (reference, number) in [("c-1", "1106207236"), ("c-2", "1106207237")] {
        let parcel = json!({"order_number": reference, "tracking_number": number, "stage": "packed",
                            "updated_at": "2026-11-19T10:00:00+03:00"});
        let uri = format!("/api/v1/seller/shipments/{reference}");
        let (status, _) = seller_call(&app, Method::PUT, &uri, &token, Some(parcel)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let poller = poller(&store, &url);
    assert_eq!(poller.poll_due().await.unwrap(), 2);
    assert_eq!(*fake.issued.lock().unwrap(), 1, "one token serves both");

    let reply = send(
        &app,
        request(
            Method::GET,
            "/api/v1/shops/cdek-shop/track/1106207236",
            &[],
            None,
        ),
    )
    .await;
    let shown = &reply.json()["shipments"][0];
    assert_eq!(shown["stage"], "ready_for_pickup", "{shown}");
    assert_eq!(shown["events"].as_array().unwrap().len(), 4, "{shown}");
    assert!(reply.text.contains("Принят на склад до востребования"));
    for private in ["Петрова", "+7900", "Баумана"] {
        assert!(!reply.text.contains(private), "{private} got through");
    }

    // CDEK stops taking the token before it expires: a new one, once, and the poll goes on.
    fake.revoke_tokens();
    sqlx::query("UPDATE shipments SET next_poll_ms = 0 WHERE reference = 'c-1'")
        .execute(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(poller.poll_due().await.unwrap(), 1);
    assert_eq!(*fake.issued.lock().unwrap(), 2);
    assert_eq!(
        fake.asked("1106207236"),
        2,
        "refused once, then answered with the new token"
    );
}

#[tokio::test]
async fn refused_keys_an_unknown_waybill_and_a_limit_each_wait_their_own_time() {
    let store = support::fresh_store().await;
    let (fake, url) = FakeCdek::start().await;
    let app = support::app_asking(&store, urls(&url));
    let wrong = json!({"client_id": CLIENT_ID, "client_secret": "not-it"});
    let token = support::seller_with_source(&store, &app, "wrong-keys", "cdek", wrong).await;
    let wrong_token = token.clone();
    let parcel = |number: &str| json!({"tracking_number": number, "stage": "packed"});
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/w-1",
        &token,
        Some(parcel("1106207236")),
    )
    .await;
    let keys = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET});
    let token = support::seller_with_source(&store, &app, "right-keys", "cdek", keys).await;
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/u-1",
        &token,
        Some(parcel("9906207236")),
    )
    .await;
    seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/l-1",
        &token,
        Some(parcel("1106207299")),
    )
    .await;
    fake.limited.lock().unwrap().push("1106207299".to_owned());

    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert_eq!(poller(&store, &url).poll_due().await.unwrap(), 3);
    // The refusal the poller learnt is in that seller's attention queue, and no other's.
    let attention = |token: String| {
        let app = app.clone();
        async move {
            let (_, body) =
                seller_call(&app, Method::GET, "/api/v1/seller/attention", &token, None).await;
            body["refused_keys"].clone()
        }
    };
    let refused = attention(wrong_token).await;
    assert_eq!(refused[0]["provider"], "cdek", "{refused}");
    assert_eq!(
        refused[0]["action"]["call"],
        "PUT /api/v1/seller/sources/{provider}"
    );
    assert_eq!(attention(token.clone()).await, json!([]));
    let waited_minutes = |at: Option<i64>| (at.unwrap() - before) / 60_000;
    let refused_keys = waited_minutes(next_poll_ms(&store, "w-1").await);
    let unknown = waited_minutes(next_poll_ms(&store, "u-1").await);
    let limited = waited_minutes(next_poll_ms(&store, "l-1").await);
    assert!(
        (12 * 60..=24 * 60).contains(&refused_keys),
        "{refused_keys}"
    );
    assert!((3 * 60..=6 * 60).contains(&unknown), "{unknown}");
    assert!(
        (1..=2).contains(&limited),
        "Retry-After 3 s, at least a minute: {limited}"
    );
    assert_eq!(fake.asked("9906207236"), 1);
}
