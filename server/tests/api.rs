//! The public tracking API, exercised through the router with the demo data.

use axum::http::{header, Method, StatusCode};
use std::collections::HashSet;
use support::{request, send};
use trackline_core::contract::parse_track_response;
use trackline_core::{ErrorBody, Exception, Stage, TrackResponse};
use trackline_server::http::assets::WidgetFiles;
use trackline_server::{demo, AppState, Store};

mod support;

async fn demo_store() -> Store {
    let store = support::fresh_store().await;
    assert_eq!(
        demo::seed_if_empty(&store).await.unwrap(),
        // The file's shipments, the two the guarded demo seller owns, and the delivered
        // history a learnt estimate is learnt from, with the parcel that shows it.
        demo::shipments(0).unwrap().len() + 2 + 25
    );
    store
}

async fn get(store: &Store, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    get_answered(store, uri, None).await
}

/// [`get`], with the buyer's reply to the second factor if given.
async fn get_answered(
    store: &Store,
    uri: &str,
    reply: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut headers = vec![("origin", "https://shop.example")];
    headers.extend(reply.map(|reply| ("trackline-check", reply)));
    let reply = send(
        &trackline_server::app(support::demo_state(store)),
        request(Method::GET, uri, &headers, None),
    )
    .await;
    (reply.status, reply.headers, reply.text)
}

async fn track(store: &Store, number: &str) -> TrackResponse {
    let (status, _, body) = get(store, &format!("/api/v1/track/{number}")).await;
    assert_eq!(status, StatusCode::OK, "{number}: {body}");
    parse_track_response(&body).unwrap()
}

#[tokio::test]
async fn every_kind_of_number_finds_its_shipment() {
    let store = demo_store().await;
    for number in ["1000000004", "1000000004-0001-1", "RA100000048RU"] {
        let response = track(&store, number).await;
        assert_eq!(response.shipments.len(), 1, "{number}");
        assert_eq!(response.shipments[0].stage, Stage::InTransit);
        assert_eq!(response.query.as_deref(), Some(number));
    }
}

#[tokio::test]
async fn a_number_typed_loosely_still_finds_it() {
    let store = demo_store().await;
    let response = track(&store, "ra%20100000048%20ru").await;
    assert_eq!(
        response.shipments[0].tracking_number.as_deref(),
        Some("RA100000048RU")
    );
}

#[tokio::test]
async fn a_split_order_returns_every_posting() {
    let store = demo_store().await;
    let response = track(&store, "0132112277").await;
    let postings: Vec<_> = response
        .shipments
        .iter()
        .filter_map(|s| s.shipment_number.as_deref())
        .collect();
    assert_eq!(postings, ["0132112277-0101-1", "0132112277-0101-2"]);
    // A posting number alone finds only its own parcel.
    assert_eq!(track(&store, "0132112277-0101-2").await.shipments.len(), 1);
}

#[tokio::test]
async fn the_pickup_parcel_carries_its_code_and_events_come_newest_first() {
    let store = demo_store().await;
    let shipment = track(&store, "1000000007").await.shipments.remove(0);
    assert_eq!(shipment.stage, Stage::ReadyForPickup);
    assert_eq!(
        shipment.pickup_point.unwrap().pickup_code.as_deref(),
        Some("4821")
    );
    let times: Vec<_> = shipment
        .events
        .iter()
        .map(|e| trackline_core::time::parse_rfc3339(&e.at).unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

#[tokio::test]
async fn unknown_numbers_get_a_json_404_and_nonsense_a_400() {
    let store = demo_store().await;
    let (status, _, body) = get(&store, "/api/v1/track/ZZ999999995DE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        serde_json::from_str::<ErrorBody>(&body).unwrap().error,
        "not_found"
    );
    let (status, _, body) = get(&store, "/api/v1/track/%3Cscript%3E").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<ErrorBody>(&body).unwrap().error,
        "invalid_number"
    );
}

#[tokio::test]
async fn any_origin_may_read_the_lookup() {
    let store = demo_store().await;
    let (_, headers, _) = get(&store, "/api/v1/track/1000000001").await;
    assert_eq!(
        headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
        "*"
    );
    assert!(headers
        .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .is_none());
}

#[tokio::test]
async fn the_demo_covers_every_stage_and_every_exception() {
    let shipments = demo::shipments(demo::today()).unwrap();
    let stages: HashSet<_> = shipments.iter().map(|s| s.stage.clone()).collect();
    let exceptions: HashSet<_> = shipments
        .iter()
        .filter_map(|s| s.exception.clone())
        .collect();
    for stage in Stage::KNOWN {
        assert!(stages.contains(&stage), "no demo shipment is {stage}");
    }
    for exception in Exception::KNOWN {
        assert!(
            exceptions.contains(&exception),
            "no demo shipment is {exception}"
        );
    }
    assert!(
        stages.iter().any(|s| !s.is_known()),
        "the demo should show an unknown stage too"
    );
    // Every highlighted number is really in the demo.
    let store = demo_store().await;
    for (number, _) in demo::HIGHLIGHTS {
        if number == demo::GUARDED_ORDER || number == demo::GUARDED_PICKUP {
            let uri = format!("/api/v1/shops/{}/track/{number}", demo::GUARDED_SELLER);
            let (status, _, body) =
                get_answered(&store, &uri, Some(demo::GUARDED_PHONE_LAST4)).await;
            assert_eq!(status, StatusCode::OK, "{number}: {body}");
        } else {
            track(&store, number).await;
        }
    }
}

#[tokio::test]
async fn the_answer_says_since_when_a_parcel_has_been_quiet_too_long_for_its_stage() {
    let store = demo_store().await;
    let quiet = track(&store, "4000000001").await;
    let last_news = quiet.shipments[0]
        .updated_at
        .as_deref()
        .and_then(trackline_core::time::parse_rfc3339)
        .unwrap();
    assert_eq!(
        quiet.shipments[0].stale_since,
        Some(trackline_core::time::format_rfc3339(last_news)),
        "in transit and silent for nine days"
    );
    // Waiting two days at a pickup point is the buyer's to end; a day in transit is normal.
    for number in ["1000000007", "1000000004"] {
        let shipment = &track(&store, number).await.shipments[0];
        assert_eq!(shipment.stale_since, None, "{number}");
    }
}

#[tokio::test]
async fn demo_dates_move_with_today() {
    let anchor = trackline_core::time::parse_date("2026-11-20").unwrap();
    let moved = demo::shipments(anchor + 3).unwrap();
    let original = demo::shipments(anchor).unwrap();
    let a =
        trackline_core::time::parse_date(&original[0].estimated_delivery.as_ref().unwrap().from)
            .unwrap();
    let b = trackline_core::time::parse_date(&moved[0].estimated_delivery.as_ref().unwrap().from)
        .unwrap();
    assert_eq!(b - a, 3);
}

#[tokio::test]
async fn seeding_twice_adds_nothing() {
    let store = demo_store().await;
    assert_eq!(demo::seed_if_empty(&store).await.unwrap(), 0);
}

#[tokio::test]
async fn a_number_typed_in_cyrillic_or_with_dashes_finds_it() {
    let store = demo_store().await;
    // "РА" typed on a Russian layout, lower case, with dashes: the same normal form as stored.
    let response = track(&store, "%D1%80%D0%B0-100-000-048-ru").await;
    assert_eq!(
        response.shipments[0].tracking_number.as_deref(),
        Some("RA100000048RU")
    );
    assert_eq!(response.query.as_deref(), Some("RA100000048RU"));
    // Cainiao's "LP" typed with a Cyrillic Р, which looks like P: read as P, since that is sound.
    let response = track(&store, "L%D0%A0300000043CN").await;
    assert_eq!(
        response.shipments[0].tracking_number.as_deref(),
        Some("LP300000043CN")
    );
}

#[tokio::test]
async fn an_international_number_without_a_country_is_refused() {
    let store = demo_store().await;
    let (status, _, body) = get(&store, "/api/v1/track/RA100000048XX").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<ErrorBody>(&body).unwrap().error,
        "invalid_number"
    );
}

#[tokio::test]
async fn a_mistyped_international_number_is_refused_as_such() {
    let store = demo_store().await;
    let (status, _, body) = get(&store, "/api/v1/track/RA100000049RU").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<ErrorBody>(&body).unwrap().error,
        "invalid_number"
    );
}

#[tokio::test]
async fn answers_carry_an_etag_and_a_current_copy_gets_304() {
    let store = demo_store().await;
    let (status, headers, _) = get(&store, "/api/v1/track/RA100000048RU").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age=30"));
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let app = trackline_server::app(support::demo_state(&store));
    let conditional = |tag: String| {
        let app = app.clone();
        async move {
            send(
                &app,
                request(
                    Method::GET,
                    "/api/v1/track/RA100000048RU",
                    &[("if-none-match", &tag)],
                    None,
                ),
            )
            .await
        }
    };
    let same = conditional(format!("\"other\", {etag}")).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);
    assert_eq!(same.headers[header::ETAG], etag.as_str());
    assert_eq!(conditional("\"other\"".into()).await.status, StatusCode::OK);
    // Another number's answer has another tag; an error is not cached.
    let (_, other, _) = get(&store, "/api/v1/track/1000000007").await;
    assert_ne!(other[header::ETAG], etag.as_str());
    let (status, missing, _) = get(&store, "/api/v1/track/ZZ999999995DE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing[header::CACHE_CONTROL], "no-cache");
}

#[tokio::test]
async fn alive_while_the_process_answers_and_ready_while_the_store_does_with_its_schema() {
    let store = demo_store().await;
    for (path, body) in [("/healthz", "ok\n"), ("/readyz", "ready\n")] {
        let (status, headers, text) = get(&store, path).await;
        assert_eq!((status, text.as_str()), (StatusCode::OK, body), "{path}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }
    // A newer build's migration missing from the database: alive, but not ready.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 7")
        .execute(store.pool())
        .await
        .unwrap();
    let (status, _, text) = get(&store, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(text.contains("migration 7"), "{text}");
    store.pool().close().await;
    let (status, _, text) = get(&store, "/readyz").await;
    assert_eq!(
        (status, text.as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the store does not answer\n"
        )
    );
    let (status, _, _) = get(&store, "/healthz").await;
    assert_eq!(status, StatusCode::OK, "the process itself is still alive");
}

#[tokio::test]
async fn one_address_that_asks_too_often_gets_429_with_retry_after() {
    use axum::extract::connect_info::MockConnectInfo;
    use trackline_server::http::state::LookupLimits;
    use trackline_server::limiter::RateLimit;
    let store = demo_store().await;
    let app = trackline_server::app(AppState {
        limits: LookupLimits::new(RateLimit {
            per_minute: 6,
            burst: 2,
        }),
        ..support::demo_state(&store)
    })
    .layer(MockConnectInfo(std::net::SocketAddr::from((
        [192, 0, 2, 7],
        5000,
    ))));
    let lookup = || {
        send(
            &app,
            request(Method::GET, "/api/v1/track/RA100000048RU", &[], None),
        )
    };
    assert_eq!(lookup().await.status, StatusCode::OK);
    assert_eq!(lookup().await.status, StatusCode::OK);
    let refused = lookup().await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&wait), "{wait}");
    // The health check is never limited.
    let health = send(&app, request(Method::GET, "/healthz", &[], None));
    assert_eq!(health.await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_guarded_demo_order_asks_for_the_phone_digits() {
    let store = demo_store().await;
    let uri = format!(
        "/api/v1/shops/{}/track/{}",
        demo::GUARDED_SELLER,
        demo::GUARDED_ORDER
    );
    let (status, _, body) = get(&store, &uri).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let error: ErrorBody = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (error.error.as_str(), error.field.as_deref()),
        ("check_required", Some("phone_last4"))
    );
    let (status, _, body) = get_answered(&store, &uri, Some(demo::GUARDED_PHONE_LAST4)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        parse_track_response(&body).unwrap().shipments[0].stage,
        Stage::InTransit
    );
}

#[tokio::test]
async fn the_widgets_files_go_out_as_built_brotli_when_the_browser_takes_it() {
    let dir = std::env::temp_dir().join(format!("trackline-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("app.wasm"), b"plain bytes").unwrap();
    std::fs::write(dir.join("app.wasm.br"), b"brotli bytes").unwrap();
    let store = support::fresh_store().await;
    let app = with_assets(&store, &dir);
    let fetch = |encoding: &'static str| {
        let app = app.clone();
        async move {
            let reply = send(
                &app,
                request(
                    Method::GET,
                    "/app.wasm",
                    &[("accept-encoding", encoding)],
                    None,
                ),
            )
            .await;
            let encoding = reply
                .headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap().to_owned());
            (encoding, reply.text.into_bytes())
        }
    };
    assert_eq!(
        fetch("gzip, deflate, br").await,
        (Some("br".to_owned()), b"brotli bytes".to_vec())
    );
    assert_eq!(fetch("identity").await, (None, b"plain bytes".to_vec()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn hashed_build_files_are_kept_a_year_and_the_rest_is_asked_about() {
    let dir = std::env::temp_dir().join(format!("trackline-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("trackline-6431e655a76e893_bg.wasm"), b"wasm").unwrap();
    std::fs::write(dir.join("trackline-widget.js"), b"loader").unwrap();
    let store = support::fresh_store().await;
    for (path, policy) in [
        (
            "/trackline-6431e655a76e893_bg.wasm",
            Some("public, max-age=31536000, immutable"),
        ),
        ("/trackline-widget.js", Some("no-cache")),
        ("/missing.js", None),
    ] {
        let reply = send(
            &with_assets(&store, &dir),
            request(Method::GET, path, &[], None),
        )
        .await;
        assert_eq!(
            reply
                .headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            policy,
            "{path}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The app serving the built widget from `dir`.
fn with_assets(store: &Store, dir: &std::path::Path) -> axum::Router {
    trackline_server::app(AppState {
        widget: Some(WidgetFiles::Dir(dir.to_owned())),
        ..support::state(store)
    })
}
