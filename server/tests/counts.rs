//! The seller's daily counts: each lookup outcome, way in, tap, push and webhook count is counted
//! once for its seller and never for another; instances over one database add up when they flush;
//! a browser that asks not to be tracked counts nothing; and the taps endpoint holds against the
//! abuses an attacker would try (one address inflating a seller's counts, IPv6 rotation within a
//! /64, a forged `X-Forwarded-For`, a huge or slow body). Runs on SQLite, and on PostgreSQL with
//! `TRACKLINE_TEST_DATABASE`.

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use serde_json::json;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use support::{bearer, request, send, send_owned};
use trackline_server::counts::{Count, Counter};
use trackline_server::limiter::RateLimit;
use trackline_server::store::sellers::SellerId;
use trackline_server::{AppState, Settings, Store};

mod support;

/// The counts stored for `seller` today, by name.
async fn stored(store: &Store, seller: SellerId) -> BTreeMap<String, i64> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT day, name, count FROM daily_counts WHERE seller_id = $1")
            .bind(seller.0)
            .fetch_all(store.pool())
            .await
            .unwrap();
    let today = trackline_core::time::format_date(now_ms().div_euclid(86_400_000));
    rows.into_iter()
        .map(|(day, name, count)| {
            assert_eq!(day, today, "counted today, UTC");
            (name, count)
        })
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}

fn counted(pairs: &[(Count, i64)]) -> BTreeMap<String, i64> {
    pairs
        .iter()
        .map(|(count, times)| (count.as_str().to_owned(), *times))
        .collect()
}

/// The app over `store` with lookups not limited (these tests count, not limit, them), and its counter.
fn app(store: &Store) -> (Router, Counter) {
    let config = Settings {
        rate_limit: RateLimit {
            per_minute: 6000,
            burst: 1000,
        },
        ..Settings::default()
    };
    let state = AppState::new(store.clone(), &config);
    let counts = state.counts.clone();
    (trackline_server::app(state), counts)
}

/// A request from `peer`, as the listener would give it.
fn from(peer: IpAddr, mut request: Request<Body>) -> Request<Body> {
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(peer, 4000)));
    request
}

const PEER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 9));

fn get(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    from(PEER, request(Method::GET, uri, headers, None))
}

fn tap(uri: &str, body: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder().method(Method::POST).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    from(PEER, builder.body(Body::from(body.to_owned())).unwrap())
}

/// A seller with `handle`, its shipment `RA500000018RU` of order 7700000001 (the buyer's phone
/// ending 4567), under `rules`.
async fn seller(store: &Store, app: &Router, handle: &str, rules: serde_json::Value) -> SellerId {
    seller_and_token(store, app, handle, rules).await.0
}

/// [`seller`], and its token.
async fn seller_and_token(
    store: &Store,
    app: &Router,
    handle: &str,
    rules: serde_json::Value,
) -> (SellerId, String) {
    let added = store.add_seller_named(handle, Some(handle)).await.unwrap();
    let auth = bearer(&added.token);
    let headers = [("authorization", auth.as_str())];
    let put = |uri: &str, body: serde_json::Value| request(Method::PUT, uri, &headers, Some(&body));
    let settings = send(app, put("/api/v1/seller/settings", rules)).await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.text);
    let shipment = json!({
        "order_number": "7700000001",
        "tracking_number": "RA500000018RU",
        "stage": "in_transit",
        "buyer_check": {"phone": "+7 900 123-45-67"}
    });
    let put = send(app, put("/api/v1/seller/shipments/s-1", shipment)).await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.text);
    (added.id, added.token)
}

#[tokio::test]
async fn each_lookup_is_counted_once_by_outcome_and_way_in_for_its_seller_and_never_for_another() {
    let store = support::fresh_store().await;
    let (app, counts) = app(&store);
    let rules = json!({"order_check": "phone_last4", "allowed_origins": ["https://shop.example"]});
    let alpha = seller(&store, &app, "alpha", rules).await;
    let beta = seller(&store, &app, "beta", json!({})).await;
    let status = |uri: &'static str, headers: &'static [(&'static str, &'static str)]| {
        let app = app.clone();
        async move { send(&app, get(uri, headers)).await }
    };
    let a = "/api/v1/shops/alpha/track";
    // Found by tracking number (a guarded seller shows its status), by the element; then again
    // from the lookup cache, and as a 304.
    let found = status("/api/v1/shops/alpha/track/RA500000018RU?via=element", &[]).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    let etag = found.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        status("/api/v1/shops/alpha/track/RA500000018RU?via=element", &[])
            .await
            .status,
        StatusCode::OK
    );
    let not_modified = send(
        &app,
        get(&format!("{a}/RA500000018RU"), &[("if-none-match", &etag)]),
    )
    .await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    // Not found (twice: the second from the cache), and a number that cannot exist, typed.
    assert_eq!(
        status("/api/v1/shops/alpha/track/NOPE12345?via=typed", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status("/api/v1/shops/alpha/track/NOPE12345", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status("/api/v1/shops/alpha/track/%21%21?via=typed", &[])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // The second factor asked, a wrong reply, a page not allowed; then the right reply by the link.
    assert_eq!(
        status("/api/v1/shops/alpha/track/7700000001?via=iframe", &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(
            "/api/v1/shops/alpha/track/7700000001",
            &[("trackline-check", "0000")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(
            "/api/v1/shops/alpha/track/RA500000018RU?via=bogus",
            &[("origin", "https://elsewhere.example")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(
            "/api/v1/shops/alpha/track/7700000001?via=link",
            &[("trackline-check", "4567")]
        )
        .await
        .status,
        StatusCode::OK
    );
    // Asked of no seller, or with a reply in the address: nobody's.
    assert_eq!(
        status("/api/v1/shops/nobody/track/RA500000018RU?via=link", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status("/api/v1/shops/beta/track/RA500000018RU?check=1", &[])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // The other seller's one lookup.
    assert_eq!(
        status("/api/v1/shops/beta/track/RA500000018RU?via=link", &[])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        counts.pending(alpha, Count::LookupsFound),
        4,
        "held in memory until flushed"
    );
    counts.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, alpha).await,
        counted(&[
            (Count::LookupsFound, 4),
            (Count::LookupsNotFound, 3),
            (Count::LookupsCheckAsked, 1),
            (Count::LookupsRefused, 2),
            (Count::ViaElement, 2),
            (Count::ViaTyped, 2),
            (Count::ViaIframe, 1),
            (Count::ViaLink, 1),
        ])
    );
    assert_eq!(
        stored(&store, beta).await,
        counted(&[(Count::LookupsFound, 1), (Count::ViaLink, 1)])
    );
    // Flushed counts are not added again.
    counts.flush(&store).await.unwrap();
    assert_eq!(stored(&store, beta).await[Count::LookupsFound.as_str()], 1);
}

#[tokio::test]
async fn each_tap_is_counted_for_its_seller_as_a_beacon_or_json_sends_it() {
    let store = support::fresh_store().await;
    let (app, counts) = app(&store);
    let alpha = seller(&store, &app, "alpha", json!({})).await;
    let beta = seller(&store, &app, "beta", json!({})).await;
    let kinds = [
        "phone",
        "email",
        "telegram",
        "vk",
        "help_center",
        "ticket",
        "carrier",
    ];
    for kind in kinds {
        let body = format!(r#"{{"tap":"{kind}"}}"#);
        let beacon = [("content-type", "text/plain;charset=UTF-8")];
        // One address per tap: these are not what the limiter is tested on.
        let mut request = tap("/api/v1/shops/alpha/taps", &body, &beacon);
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((
                [
                    192,
                    0,
                    2,
                    kinds.iter().position(|k| *k == kind).unwrap() as u8 + 100,
                ],
                1,
            ))));
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
        assert_eq!(reply.headers["cache-control"], "no-store");
    }
    let json_tap = tap(
        "/api/v1/shops/beta/taps",
        r#"{"tap": "phone"}"#,
        &[("content-type", "application/json")],
    );
    assert_eq!(send(&app, json_tap).await.status, StatusCode::NO_CONTENT);
    // An unknown seller is answered as any tap, and counts for nobody.
    let nobody = tap("/api/v1/shops/nobody/taps", r#"{"tap":"phone"}"#, &[]);
    assert_eq!(send(&app, nobody).await.status, StatusCode::NO_CONTENT);
    // What is no tap.
    for body in ["", "tap=phone", r#"{"tap":"fax"}"#, r#"{"tap":null}"#, "[]"] {
        let reply = send(&app, tap("/api/v1/shops/beta/taps", body, &[])).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.text
        );
    }
    counts.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, alpha).await,
        counted(&[
            (Count::TapsPhone, 1),
            (Count::TapsEmail, 1),
            (Count::TapsTelegram, 1),
            (Count::TapsVk, 1),
            (Count::TapsHelpCenter, 1),
            (Count::TapsTicket, 1),
            (Count::TapsCarrier, 1),
        ])
    );
    assert_eq!(
        stored(&store, beta).await,
        counted(&[(Count::TapsPhone, 1)])
    );
}

#[tokio::test]
async fn the_short_path_counts_for_the_only_seller() {
    let store = support::fresh_store().await;
    let (app, counts) = app(&store);
    let only = seller(&store, &app, "only", json!({})).await;
    let reply = send(&app, tap("/api/v1/taps", r#"{"tap":"carrier"}"#, &[])).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let found = send(&app, get("/api/v1/track/RA500000018RU?via=element", &[])).await;
    assert_eq!(found.status, StatusCode::OK);
    counts.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, only).await,
        counted(&[
            (Count::TapsCarrier, 1),
            (Count::LookupsFound, 1),
            (Count::ViaElement, 1)
        ])
    );
}

#[tokio::test]
async fn the_widgets_own_refreshes_count_nothing_so_a_tab_left_open_is_one_lookup() {
    let store = support::fresh_store().await;
    let (app, counts) = app(&store);
    let only = seller(&store, &app, "only", json!({})).await;
    let asked = send(
        &app,
        get("/api/v1/shops/only/track/RA500000018RU?via=element", &[]),
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK);
    for path in [
        "/api/v1/shops/only/track/RA500000018RU?via=refresh",
        "/api/v1/track/RA500000018RU?via=refresh&",
        "/api/v1/shops/only/track/RA000000000RU?via=refresh",
    ] {
        send(&app, get(path, &[])).await;
    }
    counts.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, only).await,
        counted(&[(Count::LookupsFound, 1), (Count::ViaElement, 1)])
    );
}

#[tokio::test]
async fn a_browser_that_asks_not_to_be_tracked_counts_nothing() {
    let store = support::fresh_store().await;
    let (app, counts) = app(&store);
    let alpha = seller(&store, &app, "alpha", json!({})).await;
    for header in [("sec-gpc", "1"), ("dnt", "1")] {
        let reply = send(
            &app,
            tap("/api/v1/shops/alpha/taps", r#"{"tap":"phone"}"#, &[header]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    }
    assert_eq!(counts.pending(alpha, Count::TapsPhone), 0);
    // `DNT: 0` asks for nothing.
    let reply = send(
        &app,
        tap(
            "/api/v1/shops/alpha/taps",
            r#"{"tap":"phone"}"#,
            &[("dnt", "0")],
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    counts.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, alpha).await,
        counted(&[(Count::TapsPhone, 1)])
    );
}

/// Sends `requests` at once; how many were answered with each status.
async fn all_at_once(app: &Router, requests: Vec<Request<Body>>) -> BTreeMap<u16, usize> {
    let sent: Vec<_> = requests
        .into_iter()
        .map(|request| tokio::spawn(send_owned(app.clone(), request)))
        .collect();
    let mut statuses = BTreeMap::new();
    for reply in sent {
        *statuses
            .entry(reply.await.unwrap().status.as_u16())
            .or_insert(0) += 1;
    }
    statuses
}

#[tokio::test]
async fn one_address_cannot_inflate_a_sellers_taps_with_parallel_requests_a_rotating_ipv6_or_a_forged_header(
) {
    let store = support::fresh_store().await;
    let (app, counts) = app(&store);
    let alpha = seller(&store, &app, "alpha", json!({})).await;
    let body = r#"{"tap":"phone"}"#;
    // Thirty at once from one address: ten counted, the rest told to wait.
    let burst = (0..30)
        .map(|_| tap("/api/v1/shops/alpha/taps", body, &[]))
        .collect();
    assert_eq!(
        all_at_once(&app, burst).await,
        BTreeMap::from([(204, 10), (429, 20)])
    );
    assert_eq!(counts.pending(alpha, Count::TapsPhone), 10);
    // Thirty addresses of one IPv6 /64 are one client.
    let rotating = (0..30u16)
        .map(|i| {
            let peer: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            let mut request = tap("/api/v1/shops/alpha/taps", body, &[]);
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(peer, 4000)));
            request
        })
        .collect();
    assert_eq!(
        all_at_once(&app, rotating).await,
        BTreeMap::from([(204, 10), (429, 20)])
    );
    // A client naming other addresses in X-Forwarded-For, with no proxy trusted, is itself.
    let forged = (0..30u8)
        .map(|i| {
            let named = format!("198.51.100.{i}");
            let mut request = tap(
                "/api/v1/shops/alpha/taps",
                body,
                &[("x-forwarded-for", &named)],
            );
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 77], 4000))));
            request
        })
        .collect();
    assert_eq!(
        all_at_once(&app, forged).await,
        BTreeMap::from([(204, 10), (429, 20)])
    );
    counts.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, alpha).await,
        counted(&[(Count::TapsPhone, 30)])
    );
    // A refused tap says when to come back.
    let refused = send(&app, tap("/api/v1/shops/alpha/taps", body, &[])).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn a_huge_tap_is_refused_without_being_read_whole() {
    let store = support::fresh_store().await;
    let (app, counts) = app(&store);
    let alpha = seller(&store, &app, "alpha", json!({})).await;
    // Over 256 bytes, however it is padded.
    let huge = format!(r#"{{"tap":"phone","pad":"{}"}}"#, "x".repeat(300));
    let reply = send(&app, tap("/api/v1/shops/alpha/taps", &huge, &[])).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text
    );
    // A body of a megabyte that never says its length.
    let chunks = futures_util::stream::iter(
        (0..1024).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b' '; 1024]))),
    );
    let streamed = from(
        PEER,
        Request::post("/api/v1/shops/alpha/taps")
            .body(Body::from_stream(chunks))
            .unwrap(),
    );
    assert_eq!(
        send(&app, streamed).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(counts.pending(alpha, Count::TapsPhone), 0);
}

#[tokio::test]
async fn a_slow_tap_is_given_up_on_within_seconds() {
    let store = support::fresh_store().await;
    let (app, counts) = app(&store);
    let alpha = seller(&store, &app, "alpha", json!({})).await;
    // A body that starts and never ends is given up on within seconds, not the request's 30.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    sender
        .send(Ok(Bytes::from_static(b"{\"tap\":")))
        .await
        .unwrap();
    let trickle = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let slow = from(
        PEER,
        Request::post("/api/v1/shops/alpha/taps")
            .body(Body::from_stream(trickle))
            .unwrap(),
    );
    let started = Instant::now();
    let reply = tokio::time::timeout(Duration::from_secs(10), send(&app, slow))
        .await
        .expect("a slow body is given up on");
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(sender);
    assert_eq!(counts.pending(alpha, Count::TapsPhone), 0);
}

#[tokio::test]
async fn two_instances_flushing_into_one_database_add_up() {
    let (one, other) = support::two_instances().await;
    let (seller, _) = one.add_seller("Shop").await.unwrap();
    let (first, second) = (Counter::default(), Counter::default());
    let today = now_ms().div_euclid(86_400_000);
    for _ in 0..3 {
        first.add(seller, Count::LookupsFound);
        second.add(seller, Count::LookupsFound);
    }
    second.add(seller, Count::TapsVk);
    // Yesterday's counts, held over midnight, go to yesterday.
    first.add_on(seller, today - 1, Count::LookupsFound, 5);
    let (a, b) = tokio::join!(first.flush(&one), second.flush(&other));
    assert_eq!((a.unwrap(), b.unwrap()), (2, 2));
    first.add(seller, Count::LookupsFound);
    first.flush(&one).await.unwrap();
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT day, name, count FROM daily_counts WHERE seller_id = $1 ORDER BY day, name",
    )
    .bind(seller.0)
    .fetch_all(one.pool())
    .await
    .unwrap();
    let day = trackline_core::time::format_date;
    assert_eq!(
        rows,
        vec![
            (day(today - 1), "lookups_found".to_owned(), 5),
            (day(today), "lookups_found".to_owned(), 7),
            (day(today), "taps_vk".to_owned(), 1),
        ]
    );
}

#[tokio::test]
async fn a_failed_flush_keeps_its_counts_for_the_next_and_a_removed_seller_fails_nobody() {
    let store = support::fresh_store().await;
    let (seller, _) = store.add_seller("Shop").await.unwrap();
    let gone = store.add_seller_named("Gone", Some("gone")).await.unwrap();
    let counter = Counter::default();
    counter.add(seller, Count::PushSent);
    counter.add(gone.id, Count::PushSent);
    assert_eq!(store.remove_seller("gone").await.unwrap(), Some(0));
    // A store that fails takes nothing, and the counts wait.
    let broken = support::fresh_store().await;
    broken.pool().close().await;
    assert!(counter.flush(&broken).await.is_err());
    assert_eq!(counter.pending(seller, Count::PushSent), 1);
    // The removed seller's count is left out; the other's is added.
    counter.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, seller).await,
        counted(&[(Count::PushSent, 1)])
    );
    assert!(stored(&store, gone.id).await.is_empty());
    // Its stored counts go with it.
    let again = store
        .add_seller_named("Again", Some("again"))
        .await
        .unwrap();
    counter.add(again.id, Count::TapsPhone);
    counter.flush(&store).await.unwrap();
    assert_eq!(stored(&store, again.id).await.len(), 1);
    store.remove_seller("again").await.unwrap();
    assert!(stored(&store, again.id).await.is_empty());
}

#[tokio::test]
async fn daily_counts_older_than_400_days_are_forgotten() {
    let store = support::fresh_store().await;
    let (seller, _) = store.add_seller("Shop").await.unwrap();
    let now = now_ms();
    let today = now.div_euclid(86_400_000);
    let counter = Counter::default();
    counter.add_on(seller, today - 401, Count::LookupsFound, 2);
    counter.add_on(seller, today - 400, Count::LookupsFound, 3);
    counter.add_on(seller, today - 1, Count::LookupsFound, 4);
    counter.flush(&store).await.unwrap();
    let mut forgotten = 0;
    for _ in 0..10 {
        let once = store.forget_expired(now).await.unwrap();
        if once.total() == 0 {
            break;
        }
        forgotten += once.daily_counts;
    }
    assert_eq!(forgotten, 1);
    let left: Vec<String> = sqlx::query_scalar("SELECT day FROM daily_counts ORDER BY day")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let day = trackline_core::time::format_date;
    assert_eq!(left, vec![day(today - 400), day(today - 1)]);
}

#[tokio::test]
async fn a_graceful_stop_flushes_what_was_counted_since_the_last_flush() {
    let config = Settings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        database_url: support::fresh_url(None).await,
        secret_key: Some(support::test_secret_key()),
        ..Settings::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (listening, serving) = trackline_server::start(&config, async {
        let _ = stopped.await;
    })
    .await
    .expect("the server starts");
    let serving = tokio::spawn(serving);
    let store = listening.store.clone();
    let added = store.add_seller_named("Shop", Some("shop")).await.unwrap();
    let client = reqwest::Client::new();
    let tapped = client
        .post(format!("http://{}/api/v1/shops/shop/taps", listening.addr))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(r#"{"tap":"ticket"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(tapped.status().as_u16(), 204);
    // Stopped at once, well before the first flush is due.
    let started = Instant::now();
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert!(started.elapsed() < trackline_server::counts::FLUSH_EVERY);
    assert_eq!(
        stored(&store, added.id).await,
        counted(&[(Count::TapsTicket, 1)])
    );
}

/// A receiver on this machine answering every webhook with `status`: its URL.
async fn receiver(status: u16) -> String {
    let app = axum::Router::new().route(
        "/in",
        axum::routing::post(move || async move { StatusCode::from_u16(status).unwrap() }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/in")
}

/// Queues one delivery to `url`, a new receiver of `seller`'s, queued at `queued_at_ms`.
async fn queue_delivery(store: &Store, seller: SellerId, url: &str, queued_at_ms: i64) {
    let kinds = [trackline_server::change::tells::Kind::StatusChanged];
    let (webhook, _) = store.add_webhook(seller, url, &kinds).await.unwrap();
    sqlx::query(
        "INSERT INTO webhook_deliveries
         (id, webhook_id, kind, body, queued_at_ms, state, attempts, next_attempt_ms)
         VALUES ($1, $2, 'status_changed', '{}', $3, 'pending', 0, 0)",
    )
    .bind(trackline_server::store::new_id().unwrap() / 2)
    .bind(webhook.id)
    .bind(queued_at_ms)
    .execute(store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn webhook_deliveries_taken_and_given_up_are_counted_for_their_seller() {
    use trackline_server::webhooks::schedule::Schedule;
    use trackline_server::webhooks::worker::DeliveryWorker;
    let store = support::fresh_store().await;
    let (seller, _) = store.add_seller("Shop").await.unwrap();
    let (other, _) = store.add_seller("Other").await.unwrap();
    queue_delivery(&store, seller, &receiver(200).await, now_ms()).await;
    // Failing since long before the schedule's day: given up at this try.
    queue_delivery(&store, seller, &receiver(500).await, 0).await;
    let counts = Counter::default();
    let worker = DeliveryWorker::new(
        store.clone(),
        Schedule::default(),
        Duration::from_millis(10),
        true,
    )
    .counting(counts.clone());
    worker.deliver_due().await.unwrap();
    counts.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, seller).await,
        counted(&[(Count::WebhooksDelivered, 1), (Count::WebhooksFailed, 1)])
    );
    assert!(stored(&store, other).await.is_empty());
}

#[tokio::test]
async fn push_subscriptions_and_messages_sent_and_failed_are_counted_for_their_seller() {
    use support::fake_push::FakePush;
    use trackline_server::push::worker::PushWorker;
    let store = support::fresh_store().await;
    let config = Settings {
        secret_key: Some(support::test_secret_key()),
        allow_private_push: true,
        push_services: trackline_server::push::services::PushServices::parse(["127.0.0.1"])
            .unwrap(),
        ..Settings::default()
    };
    let state = AppState::new(store.clone(), &config);
    let counts = state.counts.clone();
    let app = trackline_server::app(state.clone());
    let (shop, token) = seller_and_token(&store, &app, "shop", json!({})).await;
    let (other, _) = store.add_seller("Other").await.unwrap();
    let service = FakePush::start().await;
    for phone in ["one", "two"] {
        let (_, subscription) = service.subscribe(phone);
        let body = json!({"subscription": subscription, "lang": "en"});
        let subscribe = from(
            PEER,
            request(
                Method::PUT,
                "/api/v1/shops/shop/track/RA500000018RU/push",
                &[("content-type", "application/json")],
                Some(&body),
            ),
        );
        let reply = send(&app, subscribe).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    }
    let worker = PushWorker::new(
        store.clone(),
        state.vapid.clone().expect("a secret key makes a VAPID key"),
        Duration::from_millis(10),
        true,
        state.push_services.clone(),
    )
    .counting(counts.clone());
    // A change told to both browsers.
    event(
        &app,
        &token,
        "ready_for_pickup",
        "2026-11-21T10:00:00+03:00",
    )
    .await;
    let started = Instant::now();
    while service.delivered().len() < 2 {
        assert!(started.elapsed() < Duration::from_secs(10), "never sent");
        worker.send_due().await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The next one finds the push service busy past the messages' time to live: given up.
    event(&app, &token, "delivered", "2026-11-22T10:00:00+03:00").await;
    sqlx::query("UPDATE push_messages SET queued_ms = 0 WHERE state = 'pending'")
        .execute(store.pool())
        .await
        .unwrap();
    service.be_busy(2);
    worker.send_due().await.unwrap();
    counts.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, shop).await,
        counted(&[
            (Count::PushSubscribed, 2),
            (Count::PushSent, 2),
            (Count::PushFailed, 2)
        ])
    );
    assert!(stored(&store, other).await.is_empty());
}

async fn event(app: &Router, token: &str, stage: &str, at: &str) {
    let auth = bearer(token);
    let body = json!({"at": at, "stage": stage, "text": stage});
    let posted = send(
        app,
        request(
            Method::POST,
            "/api/v1/seller/shipments/s-1/events",
            &[("authorization", &auth)],
            Some(&body),
        ),
    )
    .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.text);
}

#[tokio::test]
async fn the_hosted_page_rendered_for_a_linked_number_counts_a_way_in_by_the_link() {
    use trackline_server::http::assets::WidgetFiles;
    let store = support::fresh_store().await;
    let dir = support::process::tempdir("counts-page");
    std::fs::write(dir.join("index.html"), include_str!("../../index.html")).unwrap();
    let config = Settings {
        rate_limit: RateLimit {
            per_minute: 6000,
            burst: 1000,
        },
        ..Settings::default()
    };
    let mut state = AppState::new(store.clone(), &config);
    state.widget = Some(WidgetFiles::Dir(dir.clone()));
    let counts = state.counts.clone();
    let app = trackline_server::app(state);
    let shop = seller(&store, &app, "shop", json!({})).await;
    let page = send(&app, get("/?shop=shop&n=RA500000018RU", &[])).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let missing = send(&app, get("/?shop=shop&n=NOPE12345", &[])).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // The form without a number looks nothing up.
    assert_eq!(
        send(&app, get("/?shop=shop", &[])).await.status,
        StatusCode::OK
    );
    counts.flush(&store).await.unwrap();
    assert_eq!(
        stored(&store, shop).await,
        counted(&[
            (Count::LookupsFound, 1),
            (Count::LookupsNotFound, 1),
            (Count::ViaLink, 2)
        ])
    );
    let _ = std::fs::remove_dir_all(dir);
}
