//! The seller API through the router: who may write what, validation, idempotency, and one
//! transaction a request. Runs on SQLite, and on PostgreSQL under `cargo xtask test`.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use support::{bearer, request, send};
use trackline_server::Store;

mod support;

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

async fn call(
    store: &Store,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
    key: Option<&str>,
) -> Answer {
    let authorization = token.map(bearer);
    let mut headers = vec![("content-type", "application/json")];
    if let Some(authorization) = &authorization {
        headers.push(("authorization", authorization));
    }
    if let Some(key) = key {
        headers.push(("idempotency-key", key));
    }
    let reply = send(
        &support::app(store),
        request(method, uri, &headers, body.as_ref()),
    )
    .await;
    Answer {
        body: reply.json(),
        status: reply.status,
        headers: reply.headers,
    }
}

fn parcel() -> Value {
    json!({
        "order_number": "5500000001",
        "tracking_number": "RA500000018RU",
        "stage": "handed_over",
        "updated_at": "2026-11-20T10:00:00+03:00",
        "carrier": {"name": "Russian Post"},
        "events": [{"at": "2026-11-20T10:00:00+03:00", "stage": "handed_over", "text": "Handed over", "location": "Tver"}]
    })
}

async fn seller(store: &Store, name: &str) -> String {
    store.add_seller(name).await.unwrap().1
}

#[tokio::test]
async fn without_a_valid_token_nothing_is_read_or_written() {
    let store = support::fresh_store().await;
    let token = seller(&store, "Shop").await;
    let uri = "/api/v1/seller/shipments/p-1";
    for bad in [
        None,
        Some("tl_0000"),
        Some("not-even-a-token"),
        Some(&token[..token.len() - 1]),
    ] {
        let answer = call(&store, Method::PUT, uri, bad, Some(parcel()), None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{bad:?}");
        assert_eq!(answer.headers[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(answer.body["error"], "unauthorized");
    }
    // The token is kept only as a hash: no table holds it.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM seller_tokens")
        .fetch_all(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored
        .iter()
        .all(|hash| hash.len() == 64 && !hash.contains(&token[3..])));
    let left: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sellers")
        .fetch_all(&support::pool(&store))
        .await
        .unwrap();
    assert!(left.iter().all(|kept| !stored.contains(kept)), "{left:?}");
}

#[tokio::test]
async fn a_seller_writes_its_shipment_and_buyers_find_it() {
    let store = support::fresh_store().await;
    let token = seller(&store, "Shop").await;
    let uri = "/api/v1/seller/shipments/p-1";
    let created = call(&store, Method::PUT, uri, Some(&token), Some(parcel()), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["shipment"]["stage"], "handed_over");
    let replaced = call(&store, Method::PUT, uri, Some(&token), Some(parcel()), None).await;
    assert_eq!(replaced.status, StatusCode::OK);
    let public = call(
        &store,
        Method::GET,
        "/api/v1/track/RA500000018RU",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(
        public.body["shipments"].as_array().map(Vec::len),
        Some(1),
        "replacing does not duplicate"
    );
    assert_eq!(
        public.body["shipments"][0]["events"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn a_seller_never_sees_or_changes_another_sellers_shipment() {
    let store = support::fresh_store().await;
    let mine = seller(&store, "Mine").await;
    let theirs = seller(&store, "Theirs").await;
    let uri = "/api/v1/seller/shipments/p-1";
    call(&store, Method::PUT, uri, Some(&mine), Some(parcel()), None).await;
    let read = call(&store, Method::GET, uri, Some(&theirs), None, None).await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);
    let event = json!({"at": "2026-11-21T10:00:00+03:00", "stage": "in_transit", "text": "Moving"});
    let append = call(
        &store,
        Method::POST,
        &format!("{uri}/events"),
        Some(&theirs),
        Some(event),
        None,
    )
    .await;
    assert_eq!(append.status, StatusCode::NOT_FOUND);
    // The same reference under another seller is that seller's own, separate shipment.
    let own = call(
        &store,
        Method::PUT,
        uri,
        Some(&theirs),
        Some(parcel()),
        None,
    )
    .await;
    assert_eq!(own.status, StatusCode::CREATED);
    let mine_now = call(&store, Method::GET, uri, Some(&mine), None, None).await;
    assert_eq!(mine_now.body["shipment"]["stage"], "handed_over");
    // Each list holds its seller's own shipment only, searched by the number both share.
    let theirs_moved =
        json!({"at": "2026-11-21T10:00:00+03:00", "stage": "in_transit", "text": "Moving"});
    call(
        &store,
        Method::POST,
        &format!("{uri}/events"),
        Some(&theirs),
        Some(theirs_moved),
        None,
    )
    .await;
    for (token, stage) in [(&mine, "handed_over"), (&theirs, "in_transit")] {
        for query in ["", "?q=5500000001", "?q=ra%20500000018%20ru", "?q=p-1"] {
            let list = format!("/api/v1/seller/shipments{query}");
            let listed = call(&store, Method::GET, &list, Some(token), None, None).await;
            assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
            assert_eq!(
                listed.body["shipments"].as_array().map(Vec::len),
                Some(1),
                "{query}"
            );
            assert_eq!(
                listed.body["shipments"][0]["shipment"]["stage"], stage,
                "{query}"
            );
            assert_eq!(listed.body["counts"], json!({ stage: 1 }), "{query}");
        }
    }
}

#[tokio::test]
async fn events_move_the_status_and_a_retry_with_the_same_key_adds_nothing() {
    let store = support::fresh_store().await;
    let token = seller(&store, "Shop").await;
    let uri = "/api/v1/seller/shipments/p-1";
    call(&store, Method::PUT, uri, Some(&token), Some(parcel()), None).await;
    let batch = json!({"events": [
        {"at": "2026-11-21T09:00:00+03:00", "stage": "in_transit", "text": "Left Tver", "location": "Tver"},
        {"at": "2026-11-22T12:00:00+03:00", "stage": "arrived", "exception": "delayed", "text": "Waiting at the hub", "location": "Kazan"}
    ]});
    let first = call(
        &store,
        Method::POST,
        &format!("{uri}/events"),
        Some(&token),
        Some(batch.clone()),
        Some("k-1"),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["shipment"]["stage"], "arrived");
    assert_eq!(first.body["shipment"]["exception"], "delayed");
    let retry = call(
        &store,
        Method::POST,
        &format!("{uri}/events"),
        Some(&token),
        Some(batch),
        Some("k-1"),
    )
    .await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.body, first.body);
    let read = call(&store, Method::GET, uri, Some(&token), None, None).await;
    assert_eq!(
        read.body["shipment"]["events"].as_array().map(Vec::len),
        Some(3)
    );
    // The same key for another request is refused, not silently replayed.
    let other =
        json!({"at": "2026-11-23T09:00:00+03:00", "stage": "delivered", "text": "Delivered"});
    let reused = call(
        &store,
        Method::POST,
        &format!("{uri}/events"),
        Some(&token),
        Some(other.clone()),
        Some("k-1"),
    )
    .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.body["error"], "idempotency_key_reused");
    // A single event, without a key; a newer stage with no exception clears the old one.
    let single = call(
        &store,
        Method::POST,
        &format!("{uri}/events"),
        Some(&token),
        Some(other),
        None,
    )
    .await;
    assert_eq!(single.status, StatusCode::CREATED);
    assert_eq!(single.body["shipment"]["stage"], "delivered");
    assert_eq!(single.body["shipment"]["exception"], Value::Null);
    // An older event joins the history without moving the status back.
    let late = json!({"at": "2026-11-19T08:00:00+03:00", "stage": "packed", "text": "Packed"});
    let answer = call(
        &store,
        Method::POST,
        &format!("{uri}/events"),
        Some(&token),
        Some(late),
        None,
    )
    .await;
    assert_eq!(answer.body["shipment"]["stage"], "delivered");
}

#[tokio::test]
async fn a_bad_request_names_the_field_and_writes_nothing() {
    let store = support::fresh_store().await;
    let token = seller(&store, "Shop").await;
    let uri = "/api/v1/seller/shipments/p-1";
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut with = |path: &[&str], value: Value, field: &'static str| {
        let mut body = parcel();
        let mut target = &mut body;
        for key in &path[..path.len() - 1] {
            target = &mut target[*key];
        }
        target[path[path.len() - 1]] = value;
        cases.push((body, field));
    };
    with(&["stage"], json!("teleported"), "stage");
    with(&["exception"], json!("eaten"), "exception");
    with(&["tracking_number"], json!("<script>"), "tracking_number");
    with(&["updated_at"], json!("yesterday"), "updated_at");
    with(
        &["carrier", "tracking_url"],
        json!("javascript:alert(1)"),
        "carrier.tracking_url",
    );
    with(&["buyer_phone"], json!("+7 900 000-00-00"), "buyer_phone");
    with(
        &["events"],
        json!([{"at": "2026-11-20T10:00:00+03:00", "text": "ok"}, {"at": "later", "text": "bad"}]),
        "events[1].at",
    );
    with(&["stage"], json!(7), "stage");
    for (body, field) in cases {
        let answer = call(&store, Method::PUT, uri, Some(&token), Some(body), None).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            answer.body
        );
        assert_eq!(answer.body["error"], "invalid");
        assert_eq!(answer.body["field"], field, "{}", answer.body);
    }
    let not_json = Request::builder()
        .method(Method::PUT)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from("{\"stage\": "))
        .unwrap();
    let reply = send(&support::app(&store), not_json).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    // Nothing of any of it was stored.
    let read = call(&store, Method::GET, uri, Some(&token), None, None).await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);
    // A batch with one bad event appends none of them.
    call(&store, Method::PUT, uri, Some(&token), Some(parcel()), None).await;
    let batch = json!({"events": [
        {"at": "2026-11-21T09:00:00+03:00", "stage": "in_transit", "text": "fine"},
        {"at": "2026-11-21T10:00:00+03:00", "stage": "nowhere", "text": "bad"}
    ]});
    let answer = call(
        &store,
        Method::POST,
        &format!("{uri}/events"),
        Some(&token),
        Some(batch),
        None,
    )
    .await;
    assert_eq!(answer.body["field"], "events[1].stage");
    let read = call(&store, Method::GET, uri, Some(&token), None, None).await;
    assert_eq!(
        read.body["shipment"]["events"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn the_same_key_sent_many_times_at_once_appends_once() {
    let store = support::fresh_store().await;
    let token = seller(&store, "Shop").await;
    let uri = "/api/v1/seller/shipments/p-1";
    call(&store, Method::PUT, uri, Some(&token), Some(parcel()), None).await;
    let event =
        json!({"at": "2026-11-21T09:00:00+03:00", "stage": "in_transit", "text": "Left Tver"});
    let tries = (0..8).map(|_| {
        let (store, token, event) = (store.clone(), token.clone(), event.clone());
        tokio::spawn(async move {
            call(
                &store,
                Method::POST,
                "/api/v1/seller/shipments/p-1/events",
                Some(&token),
                Some(event),
                Some("same"),
            )
            .await
            .status
        })
    });
    let mut statuses = Vec::new();
    for attempt in tries {
        statuses.push(attempt.await.unwrap());
    }
    // Each is the first answer, a replay of it, or "in flight, retry": never a second append.
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    assert!(statuses.contains(&StatusCode::CREATED));
    let read = call(&store, Method::GET, uri, Some(&token), None, None).await;
    assert_eq!(
        read.body["shipment"]["events"].as_array().map(Vec::len),
        Some(2),
        "{}",
        read.body
    );
}

/// Two writes of one shipment at once: the second reads the shipment only once the first has
/// committed, so that its fold starts from what the first wrote, never from a state about to be
/// replaced. SQLite's writers go one at a time anyway; on PostgreSQL this holds because a write
/// holds the shipment's row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_write_of_a_shipment_reads_what_the_first_wrote() {
    use trackline_server::store::shipment_rows::Column;
    let store = support::fresh_store().await;
    let token = seller(&store, "Shop").await;
    call(
        &store,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        Some(&token),
        Some(parcel()),
        None,
    )
    .await;
    let seller = store.seller_by_token(&token).await.unwrap().unwrap();
    // Connections open before the race, so that the second's read is not slowed by connecting.
    let _ = tokio::join!(store.ping(), store.ping(), store.ping());
    let mut first = store
        .write_seller_shipment(seller, "p-1")
        .await
        .unwrap()
        .unwrap();
    let other = store.clone();
    let second = tokio::spawn(async move {
        let write = other.write_seller_shipment(seller, "p-1").await;
        write.unwrap().unwrap().current().status_text.clone()
    });
    let mut moved = first.current().clone();
    moved.status_text = Some("Left Tver".into());
    // Round trips before the commit: time for the second to read, were it let.
    first.update(&moved, &[Column::StatusText]).await.unwrap();
    for _ in 0..20 {
        first.reload().await.unwrap();
    }
    first.commit().await.unwrap();
    assert_eq!(second.await.unwrap().as_deref(), Some("Left Tver"));
}

/// A seller's PUT of a shipment while a provider's news is being written to it: both take the
/// shipment's row before its events, so neither waits for the other's locks while holding what
/// the other waits for. On PostgreSQL, a PUT that deleted the events first was a deadlock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_during_a_providers_write_waits_for_it_and_lands() {
    let store = support::fresh_store().await;
    let token = seller(&store, "Shop").await;
    let uri = "/api/v1/seller/shipments/p-1";
    call(&store, Method::PUT, uri, Some(&token), Some(parcel()), None).await;
    let seller = store.seller_by_token(&token).await.unwrap().unwrap();
    let _ = tokio::join!(store.ping(), store.ping(), store.ping());
    let mut news = store
        .write_seller_shipment(seller, "p-1")
        .await
        .unwrap()
        .unwrap();
    let other = store.clone();
    let token_of_put = token.clone();
    let put = tokio::spawn(async move {
        let mut again = parcel();
        again["status_text"] = json!("Rewritten");
        call(
            &other,
            Method::PUT,
            "/api/v1/seller/shipments/p-1",
            Some(&token_of_put),
            Some(again),
            None,
        )
        .await
        .status
    });
    // Round trips before touching the events: time for the PUT to reach its locks.
    for _ in 0..20 {
        news.reload().await.unwrap();
    }
    let events = news.current().events.clone();
    news.replace_events(&events).await.unwrap();
    news.commit().await.unwrap();
    assert_eq!(put.await.unwrap(), StatusCode::OK);
    let read = call(&store, Method::GET, uri, Some(&token), None, None).await;
    assert_eq!(
        read.body["shipment"]["status_text"], "Rewritten",
        "{}",
        read.body
    );
}

#[tokio::test]
async fn a_patch_sets_only_what_it_names_and_keeps_the_history() {
    let store = support::fresh_store().await;
    let token = seller(&store, "Shop").await;
    let other = seller(&store, "Other").await;
    let uri = "/api/v1/seller/shipments/p-1";
    let mut first = parcel();
    first["estimated_delivery"] = json!({"from": "2026-11-25"});
    call(&store, Method::PUT, uri, Some(&token), Some(first), None).await;
    let patch = json!({
        "tracking_number": "RA100000048RU",
        "carrier": {"name": "Russian Post"},
        "estimated_delivery": null,
        "buyer_check": {"postcode": "420111"}
    });
    let patched = call(&store, Method::PATCH, uri, Some(&token), Some(patch), None).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let shipment = &patched.body["shipment"];
    assert_eq!(shipment["tracking_number"], "RA100000048RU");
    assert_eq!(
        shipment["order_number"], "5500000001",
        "untouched fields stay"
    );
    assert_eq!(shipment["estimated_delivery"], Value::Null, "null clears");
    assert_eq!(
        shipment["events"].as_array().map(Vec::len),
        Some(1),
        "the history stays"
    );
    assert!(!patched.body.to_string().contains("420111"));
    for (body, field) in [
        (json!({"events": []}), "events"),
        (json!({"buyer_name": "Ivan"}), "buyer_name"),
        (json!({"stage": "beamed"}), "stage"),
        (json!({"buyer_check": {"phone": "12"}}), "buyer_check.phone"),
    ] {
        let refused = call(&store, Method::PATCH, uri, Some(&token), Some(body), None).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(refused.body["field"], field);
    }
    let elsewhere = call(
        &store,
        Method::PATCH,
        uri,
        Some(&other),
        Some(json!({"stage": "lost"})),
        None,
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    let read = call(&store, Method::GET, uri, Some(&token), None, None).await;
    assert_eq!(
        read.body["shipment"]["tracking_number"], "RA100000048RU",
        "a refused patch changed nothing"
    );
    assert_eq!(read.body["shipment"]["stage"], "handed_over");
}

#[tokio::test]
async fn an_events_text_keeps_the_language_it_is_written_in() {
    let store = support::fresh_store().await;
    let token = seller(&store, "Shop").await;
    let uri = "/api/v1/seller/shipments/p-1";
    call(&store, Method::PUT, uri, Some(&token), Some(parcel()), None).await;
    let leg = json!({"at": "2026-11-21T10:00:00+08:00", "stage": "in_transit",
                     "text": "已离开国际分拨中心", "text_lang": "zh-CN", "location": "满洲里"});
    let added = call(
        &store,
        Method::POST,
        &format!("{uri}/events"),
        Some(&token),
        Some(leg),
        None,
    )
    .await;
    assert!(added.status.is_success(), "{:?}", added.body);
    let public = call(
        &store,
        Method::GET,
        "/api/v1/track/RA500000018RU",
        None,
        None,
        None,
    )
    .await;
    let events = public.body["shipments"][0]["events"].clone();
    assert_eq!(events[0]["text_lang"], "zh-CN", "{events}");
    assert_eq!(events[1].get("text_lang"), None, "{events}");

    for bad in ["chinese", "z", "zh_CN", "zh-", "zh-toolongsubtag"] {
        let refused = call(
            &store,
            Method::POST,
            &format!("{uri}/events"),
            Some(&token),
            Some(json!({"at": "2026-11-21T10:00:00+03:00", "text": "x", "text_lang": bad})),
            None,
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(
            refused.body["field"], "event.text_lang",
            "{bad}: {:?}",
            refused.body
        );
    }
}

#[tokio::test]
async fn writes_at_once_on_a_database_file_all_land() {
    // Over a file (as operators run SQLite) the pool has several connections, and the workers
    // write beside the requests: a transaction that read first and writes later was refused
    // ("database is locked") instead of waiting its turn.
    let dir = support::process::tempdir("writes-at-once");
    let store = support::store_at(&support::fresh_url(Some(&dir)).await).await;
    let token = seller(&store, "Shop").await;
    let sweeping = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sweeper = {
        let (store, sweeping) = (store.clone(), sweeping.clone());
        tokio::spawn(async move {
            while sweeping.load(std::sync::atomic::Ordering::Relaxed) {
                trackline_server::updates::remind_last_day(&store, 0, "2026-11-22")
                    .await
                    .unwrap();
            }
        })
    };
    let writes = (0..32).map(|i| {
        let (store, token) = (store.clone(), token.clone());
        tokio::spawn(async move {
            let mut shipment = parcel();
            shipment["order_number"] = json!(format!("55000001{i:02}"));
            let uri = format!("/api/v1/seller/shipments/p-{i}");
            let put = call(
                &store,
                Method::PUT,
                &uri,
                Some(&token),
                Some(shipment),
                None,
            )
            .await;
            let event = json!({"at": "2026-11-21T09:00:00+03:00", "text": format!("event {i}")});
            let events = format!("{uri}/events");
            let key = format!("k-{i}");
            let post = call(
                &store,
                Method::POST,
                &events,
                Some(&token),
                Some(event),
                Some(&key),
            );
            (put.status, put.body, post.await.status)
        })
    });
    let mut answers = Vec::new();
    for write in writes {
        answers.push(write.await.unwrap());
    }
    sweeping.store(false, std::sync::atomic::Ordering::Relaxed);
    sweeper.await.unwrap();
    for (put, body, post) in answers {
        assert_eq!(put, StatusCode::CREATED, "{body}");
        assert_eq!(post, StatusCode::CREATED);
    }
    let _ = std::fs::remove_dir_all(dir);
}

// The office a seller names may carry its postcode, usually the buyer's own: anyone with the
// tracking number would read where the buyer lives, and a seller's postcode second factor.
#[tokio::test]
async fn a_postcode_in_an_events_place_is_never_shown() {
    let store = support::fresh_store().await;
    let token = seller(&store, "Postcodes").await;
    let mut shipment = parcel();
    shipment["events"][0]["location"] = json!("Казань 420111");
    let put = call(
        &store,
        Method::PUT,
        "/api/v1/seller/shipments/pc-1",
        Some(&token),
        Some(shipment),
        None,
    )
    .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);
    let looked = call(
        &store,
        Method::GET,
        "/api/v1/track/RA500000018RU",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(looked.status, StatusCode::OK, "{}", looked.body);
    assert_eq!(
        looked.body["shipments"][0]["events"][0]["location"],
        "Казань"
    );
    assert!(
        !looked.body.to_string().contains("420111"),
        "{}",
        looked.body
    );
}
