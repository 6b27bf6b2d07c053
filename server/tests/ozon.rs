//! The Ozon adapter against a local fake that answers as the Ozon Seller API documents:
//! the mapping table in docs/ozon.md, FBS then FBO, backoff on 429 and 5xx, the cache,
//! the seller's keys, and a pulled posting found by buyers. No buyer data gets through.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::time::Duration;
use support::{bearer, request};
use trackline_core::{Exception, Stage};
use trackline_server::ozon::{mapping, Credentials, OzonClient, OzonError, PullRetries};
use trackline_server::{AppState, Store};

mod support;

use support::fake_ozon::{start_fake, API_KEY, CLIENT_ID};

fn quick() -> PullRetries {
    PullRetries {
        attempts: 4,
        base: Duration::from_millis(5),
        max_wait: Duration::from_millis(50),
    }
}

/// The app with its Ozon client pointed at the fake, answers reused for `cache`.
fn app_over(store: &Store, base: &str, cache: Duration) -> Router {
    trackline_server::app(AppState {
        ozon: OzonClient::new(base, cache, quick()),
        ..support::state(store)
    })
}

/// Sends a request and reads the status and the JSON body.
async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let reply = support::send(app, request).await;
    (reply.status, reply.json())
}

/// A seller who gave its Ozon keys, and the app over the fake at `base` with no cache, so that
/// every lookup asks Ozon (the fake counts); returns the app and the seller's token.
async fn seller_with_keys(base: &str) -> (Router, String) {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Ozon shop").await.unwrap();
    store
        .set_ozon_credentials(seller, Some(&keys()))
        .await
        .unwrap();
    (app_over(&store, base, Duration::ZERO), token)
}

fn keys() -> Credentials {
    Credentials {
        client_id: CLIENT_ID.into(),
        api_key: API_KEY.into(),
    }
}

#[test]
fn the_documented_table_is_the_mapping() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/ozon.md")).unwrap();
    let rows: Vec<Vec<String>> = doc
        .lines()
        .skip_while(|line| !line.starts_with("| status | substatus"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            line.trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect();
    assert!(rows.len() >= 20, "the table has {} rows", rows.len());
    for row in rows {
        let (stage, exception) = mapping::map(&row[0], &row[1]);
        assert_eq!(stage.as_str(), row[2], "{row:?}");
        assert_eq!(
            exception.as_ref().map_or("", Exception::as_str),
            row[3],
            "{row:?}"
        );
    }
    assert_eq!(
        mapping::map("teleporting", ""),
        (Stage::Unknown("teleporting".into()), None)
    );
}

#[tokio::test]
async fn a_posting_is_read_as_fbs_then_fbo_and_no_buyer_data_gets_through() {
    let (base, calls) = start_fake().await;
    let ozon = OzonClient::new(&base, Duration::from_secs(60), quick());
    let pickup = ozon.posting(&keys(), "11111111-0001-1").await.unwrap();
    assert_eq!(pickup.stage, Stage::ReadyForPickup);
    assert_eq!(pickup.order_number.as_deref(), Some("11111111-0001"));
    assert_eq!(
        pickup.carrier.as_ref().map(|c| c.name.as_str()),
        Some("Ozon Логистика")
    );
    let everything = serde_json::to_string(&pickup).unwrap();
    for private in ["Иван", "+7900", "Ленина", "Чайник"] {
        assert!(
            !everything.contains(private),
            "{private} leaked: {everything}"
        );
    }
    let fbo = ozon.posting(&keys(), "22222222-0001-1").await.unwrap();
    assert_eq!(fbo.stage, Stage::Delivered);
    assert_eq!(
        calls.lock().unwrap()["/v2/posting/fbo/get 22222222-0001-1"],
        1
    );
    // Within the TTL the cache answers: Ozon is not asked again.
    ozon.posting(&keys(), "11111111-0001-1").await.unwrap();
    assert_eq!(
        calls.lock().unwrap()["/v3/posting/fbs/get 11111111-0001-1"],
        1
    );
    assert_eq!(
        ozon.posting(&keys(), "99999999-0001-1").await,
        Err(OzonError::NotFound)
    );
    let unknown = ozon.posting(&keys(), "55555555-0001-1").await.unwrap();
    assert_eq!(unknown.status_text.as_deref(), Some("teleporting"));
}

#[tokio::test]
async fn rate_limits_and_failures_are_retried_with_backoff_and_then_given_up() {
    let (base, calls) = start_fake().await;
    let ozon = OzonClient::new(&base, Duration::from_secs(60), quick());
    let packed = ozon.posting(&keys(), "33333333-0001-1").await.unwrap();
    assert_eq!(packed.stage, Stage::Packed);
    assert_eq!(
        calls.lock().unwrap()["/v3/posting/fbs/get 33333333-0001-1"],
        3,
        "two 429s, then the answer"
    );
    let broken = ozon.posting(&keys(), "44444444-0001-1").await;
    assert!(
        matches!(broken, Err(OzonError::Unavailable(_))),
        "{broken:?}"
    );
    assert_eq!(
        calls.lock().unwrap()["/v3/posting/fbs/get 44444444-0001-1"],
        4,
        "every attempt, then no more"
    );
    let wrong = Credentials {
        client_id: CLIENT_ID.into(),
        api_key: "stolen".into(),
    };
    assert_eq!(
        ozon.posting(&wrong, "11111111-0001-1").await,
        Err(OzonError::Unauthorized)
    );
}

#[tokio::test]
async fn a_seller_pulls_a_posting_and_buyers_find_it() {
    let (base, _) = start_fake().await;
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Ozon shop").await.unwrap();
    let app = app_over(&store, &base, Duration::from_secs(60));
    let authorization = bearer(&token);
    let call = |method: Method, uri: &str, body: Option<Value>| {
        send(
            &app,
            request(
                method,
                uri,
                &[("authorization", &authorization)],
                body.as_ref(),
            ),
        )
    };
    let (status, body) = call(
        Method::POST,
        "/api/v1/seller/ozon/postings/11111111-0001-1",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "ozon");
    let (status, _) = call(
        Method::PUT,
        "/api/v1/seller/ozon",
        Some(json!({"client_id": CLIENT_ID, "api_key": API_KEY})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call(
        Method::POST,
        "/api/v1/seller/ozon/postings/11111111-0001-1",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["shipment"]["stage"], "ready_for_pickup");
    let (status, body) = call(
        Method::POST,
        "/api/v1/seller/ozon/postings/99999999-0001-1",
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("ozon_not_found"))
    );
    let (status, body) = call(
        Method::POST,
        "/api/v1/seller/ozon/postings/44444444-0001-1",
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("ozon_unavailable"))
    );
    // Buyers find the pulled posting by its posting number and by its order number.
    for number in ["11111111-0001-1", "11111111-0001"] {
        let (status, _) = send(
            &app,
            request(Method::GET, &format!("/api/v1/track/{number}"), &[], None),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{number}");
    }
}

#[tokio::test]
async fn a_buyers_lookup_brings_a_pulled_posting_up_to_date_and_survives_ozon_being_down() {
    let (base, calls) = start_fake().await;
    let (app, token) = seller_with_keys(&base).await;
    let authorization = bearer(&token);
    let seller = [("authorization", authorization.as_str())];
    let send = |request: Request<Body>| send(&app, request);
    let pull = |number: &str| {
        request(
            Method::POST,
            &format!("/api/v1/seller/ozon/postings/{number}"),
            &seller,
            None,
        )
    };
    let lookup = |number: &str| request(Method::GET, &format!("/api/v1/track/{number}"), &[], None);
    for number in ["77777777-0001-1", "88888888-0001-1"] {
        let (status, body) = send(pull(number)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["shipment"]["stage"], "packed");
    }
    let (status, body) = send(lookup("77777777-0001-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["shipments"][0]["stage"], "ready_for_pickup",
        "the lookup asked Ozon again"
    );
    // The refresh was kept: the seller reads it back too.
    let read = request(
        Method::GET,
        "/api/v1/seller/shipments/77777777-0001-1",
        &seller,
        None,
    );
    assert_eq!(send(read).await.1["shipment"]["stage"], "ready_for_pickup");
    // Ozon down: the buyer still gets the stored status, not an error.
    let (status, body) = send(lookup("88888888-0001-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["shipments"][0]["stage"], "packed");
    assert!(calls.lock().unwrap()["/v3/posting/fbs/get 88888888-0001-1"] > 1);
}

#[tokio::test]
async fn the_postings_of_one_order_are_refreshed_together_within_one_deadline() {
    let (base, _) = start_fake().await;
    let (app, token) = seller_with_keys(&base).await;
    let authorization = bearer(&token);
    for posting in [
        "12121212-0001-1",
        "12121212-0001-2",
        "13131313-0001-1",
        "13131313-0001-2",
    ] {
        let pull = request(
            Method::POST,
            &format!("/api/v1/seller/ozon/postings/{posting}"),
            &[("authorization", &authorization)],
            None,
        );
        assert_eq!(send(&app, pull).await.0, StatusCode::CREATED, "{posting}");
    }
    let lookup = |order: &str| {
        let started = std::time::Instant::now();
        let app = app.clone();
        let uri = format!("/api/v1/track/{order}");
        async move {
            let (status, body) = send(&app, request(Method::GET, &uri, &[], None)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let stages: Vec<Value> = body["shipments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|shipment| shipment["stage"].clone())
                .collect();
            (started.elapsed(), stages)
        }
    };
    // Ozon takes 2 s for each posting: together, not 4 s one after the other.
    let (took, stages) = lookup("12121212-0001").await;
    assert_eq!(
        stages,
        [json!("ready_for_pickup"), json!("ready_for_pickup")]
    );
    assert!(took < Duration::from_millis(3_500), "{took:?}");
    // Ozon hangs for both: one 3 s deadline for the lookup, then the stored statuses.
    let (took, stages) = lookup("13131313-0001").await;
    assert_eq!(stages, [json!("packed"), json!("packed")]);
    assert!(took < Duration::from_millis(4_500), "{took:?}");
}

/// A pulled posting is asked about by the poller by its stage, as a carrier's parcel is: its
/// changes reach the store (and the seller's webhooks) without a buyer looking it up.
#[tokio::test]
async fn a_pulled_posting_is_polled_like_a_carriers_parcel() {
    let (base, calls) = start_fake().await;
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Ozon shop").await.unwrap();
    store
        .set_ozon_credentials(seller, Some(&keys()))
        .await
        .unwrap();
    let app = app_over(&store, &base, Duration::ZERO);
    let authorization = bearer(&token);
    let headers = [("authorization", authorization.as_str())];
    let posting = "77777777-0001-1";
    let pull = request(
        Method::POST,
        &format!("/api/v1/seller/ozon/postings/{posting}"),
        &headers,
        None,
    );
    assert_eq!(send(&app, pull).await.1["shipment"]["stage"], "packed");
    let poller = support::poller(
        &store,
        &trackline_server::providers::ProviderUrls::default(),
        &base,
    );
    assert_eq!(poller.poll_due().await.unwrap(), 1);
    let read = request(
        Method::GET,
        &format!("/api/v1/seller/shipments/{posting}"),
        &headers,
        None,
    );
    assert_eq!(
        send(&app, read).await.1["shipment"]["stage"],
        "ready_for_pickup"
    );
    assert_eq!(
        poller.poll_due().await.unwrap(),
        0,
        "not again before its stage's next time"
    );
    assert_eq!(
        calls.lock().unwrap()[&format!("/v3/posting/fbs/get {posting}")],
        2
    );
}

/// Seller B who gives seller A's Client-Id (no secret) with a key of its own is asked of Ozon,
/// which refuses it, rather than served A's posting from the cache A's pull filled.
#[tokio::test]
async fn another_sellers_client_id_does_not_open_the_cache() {
    let (base, calls) = start_fake().await;
    let store = support::fresh_store().await;
    let (_, token_a) = store.add_seller("Shop A").await.unwrap();
    let (_, token_b) = store.add_seller("Shop B").await.unwrap();
    let app = app_over(&store, &base, Duration::from_secs(60));
    let call = |token: &str, method: Method, uri: &str, body: Option<Value>| {
        let authorization = bearer(token);
        send(
            &app,
            request(
                method,
                uri,
                &[("authorization", &authorization)],
                body.as_ref(),
            ),
        )
    };
    let posting = "/api/v1/seller/ozon/postings/11111111-0001-1";
    let (status, _) = call(
        &token_a,
        Method::PUT,
        "/api/v1/seller/ozon",
        Some(json!({"client_id": CLIENT_ID, "api_key": API_KEY})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call(&token_a, Method::POST, posting, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = call(
        &token_b,
        Method::PUT,
        "/api/v1/seller/ozon",
        Some(json!({"client_id": CLIENT_ID, "api_key": "a guess"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call(&token_b, Method::POST, posting, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_GATEWAY, Some("ozon_refused_keys")),
        "B got {body}"
    );
    assert_eq!(
        calls.lock().unwrap()["/v3/posting/fbs/get 11111111-0001-1"],
        2,
        "B's keys were put to Ozon"
    );
    // A, with its own keys, is still served from the cache.
    let (status, body) = call(&token_a, Method::POST, posting, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        calls.lock().unwrap()["/v3/posting/fbs/get 11111111-0001-1"],
        2
    );
    // Ozon's refusal of B's keys waits in B's attention queue, not A's, until B sends others.
    let (_, attention) = call(&token_b, Method::GET, "/api/v1/seller/attention", None).await;
    assert_eq!(
        attention["refused_keys"][0]["provider"], "ozon",
        "{attention}"
    );
    assert_eq!(
        attention["refused_keys"][0]["action"]["call"],
        "PUT /api/v1/seller/ozon"
    );
    let (_, attention) = call(&token_a, Method::GET, "/api/v1/seller/attention", None).await;
    assert_eq!(attention["refused_keys"], json!([]), "{attention}");
    call(
        &token_b,
        Method::PUT,
        "/api/v1/seller/ozon",
        Some(json!({"client_id": CLIENT_ID, "api_key": API_KEY})),
    )
    .await;
    let (_, attention) = call(&token_b, Method::GET, "/api/v1/seller/attention", None).await;
    assert_eq!(attention["refused_keys"], json!([]), "{attention}");
}
