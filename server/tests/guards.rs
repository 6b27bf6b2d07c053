//! What sellers ask of the public lookup: only their storefronts' origins, and a second
//! factor for lookups by order number. Runs on SQLite, and on PostgreSQL under `cargo xtask test`.

use axum::body::Body;
use axum::extract::connect_info::{ConnectInfo, MockConnectInfo};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use support::{bearer, request};
use trackline_server::limiter::RateLimit;
use trackline_server::{AppState, Settings, Store};

mod support;

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let reply = support::send(app, request).await;
    (reply.status, reply.text)
}

fn seller_request(method: Method, uri: &str, token: &str, body: Value) -> Request<Body> {
    request(
        method,
        uri,
        &[("authorization", &bearer(token))],
        Some(&body),
    )
}

fn lookup(uri: &str, origin: Option<&str>) -> Request<Body> {
    let origin = origin.map(|origin| ("origin", origin));
    request(Method::GET, uri, origin.as_slice(), None)
}

/// A seller with one shipment whose buyer's phone ends in 4567, under the given rules.
async fn guarded_seller(rules: Value) -> (Router, Store) {
    let (app, store, _) = guarded_seller_and_token(rules).await;
    (app, store)
}

/// `guarded_seller`, and its seller's token.
async fn guarded_seller_and_token(rules: Value) -> (Router, Store, String) {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Guarded shop").await.unwrap();
    // Lookups are not what these tests limit: room for every reply they send at once.
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
    let (status, body) = send(
        &app,
        seller_request(Method::PUT, "/api/v1/seller/settings", &token, rules),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shipment = json!({
        "order_number": "7700000001",
        "tracking_number": "RA500000018RU",
        "stage": "in_transit",
        "buyer_check": {"phone": "+7 900 123-45-67", "postcode": "420 111"}
    });
    let (status, body) = send(
        &app,
        seller_request(
            Method::PUT,
            "/api/v1/seller/shipments/g-1",
            &token,
            shipment,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        !body.contains("4567") && !body.contains("420"),
        "second factors are never shown: {body}"
    );
    let another = json!({
        "order_number": "7700000002",
        "stage": "in_transit",
        "buyer_check": {"phone": "+7 900 123-45-67", "postcode": "420 111"}
    });
    let uri = "/api/v1/seller/shipments/g-2";
    let (status, body) = send(&app, seller_request(Method::PUT, uri, &token, another)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (app, store, token)
}

#[tokio::test]
async fn only_the_sellers_own_storefronts_may_read_its_shipments() {
    let (app, _) = guarded_seller(json!({"allowed_origins": ["https://shop.example"]})).await;
    let uri = "/api/v1/track/RA500000018RU";
    let (status, body) = send(&app, lookup(uri, Some("https://elsewhere.example"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("origin_not_allowed"), "{body}");
    assert_eq!(
        send(&app, lookup(uri, Some("https://shop.example")))
            .await
            .0,
        StatusCode::OK
    );
    // Not from a page at all (a server, curl): CORS is the browser's rule, not a secret.
    assert_eq!(send(&app, lookup(uri, None)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_order_number_needs_the_second_factor_and_a_tracking_number_does_not() {
    let (app, _) = guarded_seller(json!({"order_check": "phone_last4"})).await;
    let (status, body) = send(&app, lookup("/api/v1/track/7700000001", None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (error["error"].as_str(), error["field"].as_str()),
        (Some("check_required"), Some("phone_last4"))
    );
    let (status, body) = send(&app, reply_from([192, 0, 2, 9], "0000", &[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("check_failed"), "{body}");
    for answer in ["4567", "+7 (900) 123-45-67"] {
        let (status, body) = send(&app, reply_from([192, 0, 2, 9], answer, &[])).await;
        assert_eq!(status, StatusCode::OK, "{answer}: {body}");
        assert!(!body.contains("4567"), "{body}");
    }
    assert_eq!(
        send(&app, lookup("/api/v1/track/RA500000018RU", None))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn guessing_the_second_factor_is_stopped_after_a_few_tries() {
    let (app, _) = guarded_seller(json!({"order_check": "postcode"})).await;
    for guess in 0..10 {
        let wrong = reply_from([192, 0, 2, 9], &format!("10000{guess}"), &[]);
        let (status, _) = send(&app, wrong).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "guess {guess}");
    }
    // Even the right answer waits now, or guessing would go on with free answers.
    let reply = support::send(&app, reply_from([192, 0, 2, 9], "420111", &[])).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
}

/// A lookup of the guarded order with the buyer's `reply`, from `client`, with `headers`.
fn reply_from(client: [u8; 4], reply: &str, headers: &[(&str, &str)]) -> Request<Body> {
    reply_to("7700000001", client, reply, headers)
}

/// A lookup of `order` with the buyer's `reply`, from `client`, with `headers`.
fn reply_to(order: &str, client: [u8; 4], reply: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut headers = headers.to_vec();
    headers.push(("trackline-check", reply));
    let mut request = request(
        Method::GET,
        &format!("/api/v1/track/{order}"),
        &headers,
        None,
    );
    request
        .extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((client, 4000))));
    request
}

/// Sends all `requests` at once and counts the answers by status.
async fn all_at_once(
    app: &Router,
    requests: Vec<Request<Body>>,
) -> std::collections::BTreeMap<u16, usize> {
    let replies = futures_util::future::join_all(
        requests
            .into_iter()
            .map(|request| tokio::spawn(support::send_owned(app.clone(), request))),
    )
    .await;
    let mut by_status = std::collections::BTreeMap::new();
    for reply in replies {
        let reply = reply.unwrap();
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(reply.headers.contains_key(header::RETRY_AFTER));
        }
        *by_status.entry(reply.status.as_u16()).or_default() += 1;
    }
    by_status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_wrong_replies_at_once_get_no_more_than_ten_evaluated() {
    let (app, _) = guarded_seller(json!({"order_check": "postcode"})).await;
    let guesses = (0..30)
        .map(|guess| reply_from([198, 51, 100, 1], &format!("1000{guess:02}"), &[]))
        .collect();
    let by_status = all_at_once(&app, guesses).await;
    let evaluated = by_status.get(&403).copied().unwrap_or(0);
    assert!(evaluated <= 10, "{by_status:?}");
    assert_eq!(
        evaluated + by_status.get(&429).copied().unwrap_or(0),
        30,
        "{by_status:?}"
    );
    // The right reply waits too, or it would be an eleventh guess answered.
    let right = support::send(&app, reply_from([198, 51, 100, 1], "420111", &[])).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(right.text.contains("from this address"), "{}", right.text);
}

#[tokio::test]
async fn guesses_spread_over_many_addresses_lock_the_order_not_each_address() {
    let (app, _) = guarded_seller(json!({"order_check": "phone_last4"})).await;
    // One guess from each of thirty addresses, all at once: none of them is near its own limit.
    let guesses = (0..30u8)
        .map(|guess| reply_from([203, 0, 113, guess], &format!("00{guess:02}"), &[]))
        .collect();
    let by_status = all_at_once(&app, guesses).await;
    assert_eq!(
        (by_status.get(&403), by_status.get(&429)),
        (Some(&10), Some(&20)),
        "{by_status:?}"
    );
    for (client, reply) in [([203, 0, 113, 50], "0050"), ([203, 0, 113, 51], "4567")] {
        let refused = support::send(&app, reply_from(client, reply, &[])).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{reply}");
        assert!(refused.text.contains("for this order"), "{}", refused.text);
        let wait: u64 = refused.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait > 3600, "the order waits for its day: {wait} s");
    }
    // The status by tracking number needs no factor, and is not locked.
    let (status, _) = send(&app, lookup("/api/v1/track/RA500000018RU", None)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn another_sites_page_cannot_lock_a_buyer_out() {
    // A seller that lets any storefront read it: evil.example's requests reach the second factor.
    let (app, _) = guarded_seller(json!({"order_check": "phone_last4"})).await;
    let buyer = [198, 51, 100, 7];
    // evil.example makes the buyer's browser send wrong replies (a form, a fetch), more than
    // an address may give; they lock that order, whoever asks, not the buyer.
    let evil = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    for guess in 0..12 {
        let wrong = reply_to("7700000001", buyer, &format!("00{guess:02}"), &evil);
        let (status, body) = send(&app, wrong).await;
        let expected = if guess < 10 {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status, expected, "guess {guess}: {body}");
    }
    // An <img> sends no Origin; it too counts against the order only.
    let img = [("sec-fetch-site", "cross-site")];
    let refused = support::send(&app, reply_to("7700000001", buyer, "0099", &img)).await;
    assert!(refused.text.contains("for this order"), "{}", refused.text);
    let own = [("sec-fetch-site", "same-origin")];
    let opened = support::send(&app, reply_to("7700000002", buyer, "4567", &own)).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
}

#[tokio::test]
async fn wrong_replies_from_the_sellers_own_storefront_count_against_the_address() {
    let rules = json!({"order_check": "phone_last4", "allowed_origins": ["https://shop.example"]});
    let (app, _) = guarded_seller(rules).await;
    let storefront = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://shop.example"),
    ];
    let buyer = [198, 51, 100, 8];
    for guess in 0..10 {
        let wrong = reply_to("7700000002", buyer, &format!("00{guess:02}"), &storefront);
        let (status, body) = send(&app, wrong).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "guess {guess}: {body}");
    }
    let own = [("sec-fetch-site", "same-origin")];
    let refused = support::send(&app, reply_to("7700000001", buyer, "4567", &own)).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.text.contains("from this address"),
        "{}",
        refused.text
    );
}

/// A script (not a browser) says `Sec-Fetch-Site: cross-site` with no `Origin`, so that its
/// wrong replies stay off its address's count, and spreads them over many orders, each of
/// which allows ten a day: the address's cross-site tally still stops it at 30, while the
/// same address's replies from the seller's own page are not locked out.
#[tokio::test]
async fn a_script_posing_as_another_sites_page_still_meets_a_per_address_bound() {
    let (app, _, token) = guarded_seller_and_token(json!({"order_check": "phone_last4"})).await;
    for order in ["7700000003", "7700000004", "7700000005"] {
        let shipment = json!({"order_number": order, "stage": "in_transit",
            "buyer_check": {"phone": "+7 900 123-45-67"}});
        let uri = format!("/api/v1/seller/shipments/g-{order}");
        let (status, body) = send(&app, seller_request(Method::PUT, &uri, &token, shipment)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let guesser = [198, 51, 100, 9];
    let img = [("sec-fetch-site", "cross-site")];
    let orders = [
        "7700000001",
        "7700000002",
        "7700000003",
        "7700000004",
        "7700000005",
    ];
    let mut evaluated = 0;
    for guess in 0..40 {
        let order = orders[guess % orders.len()];
        let wrong = reply_to(order, guesser, &format!("00{guess:02}"), &img);
        let (status, body) = send(&app, wrong).await;
        match status {
            StatusCode::FORBIDDEN => evaluated += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(body.contains("from this address"), "guess {guess}: {body}")
            }
            other => panic!("guess {guess}: {other} {body}"),
        }
    }
    assert_eq!(evaluated, 30, "wrong replies evaluated from one address");
    let own = [("sec-fetch-site", "same-origin")];
    let opened = support::send(&app, reply_to("7700000001", guesser, "4567", &own)).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
}

/// An Ozon order split into three postings is one order: ten wrong replies through the first
/// posting's number, from as many addresses, make the second posting and the order number
/// wait too, even for the right reply (each posting's number is not a count of its own).
#[tokio::test]
async fn guesses_through_one_posting_lock_the_whole_order() {
    let (app, _, token) = guarded_seller_and_token(json!({"order_check": "phone_last4"})).await;
    for posting in 1..=3 {
        let shipment = json!({"order_number": "12345678-0001",
            "shipment_number": format!("12345678-0001-{posting}"), "stage": "in_transit",
            "buyer_check": {"phone": "+7 900 123-45-67"}});
        let uri = format!("/api/v1/seller/shipments/ozon-{posting}");
        let (status, body) = send(&app, seller_request(Method::PUT, &uri, &token, shipment)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let own = [("sec-fetch-site", "same-origin")];
    for guess in 0..10u8 {
        let wrong = reply_to(
            "12345678-0001-1",
            [203, 0, 113, guess],
            &format!("00{guess:02}"),
            &own,
        );
        let (status, body) = send(&app, wrong).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "guess {guess}: {body}");
    }
    for (number, client) in [("12345678-0001-2", 100), ("12345678-0001", 101)] {
        let right =
            support::send(&app, reply_to(number, [203, 0, 113, client], "4567", &own)).await;
        assert_eq!(
            right.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{number}: {}",
            right.text
        );
        assert!(
            right.text.contains("for this order"),
            "{number}: {}",
            right.text
        );
    }
}

/// Whoever reads the shipments table without the secret key (the operator, a backup) tries
/// all 10 000 four-digit replies against a row's second factor: with the bare SHA-256 of
/// `id:factor:digits` one of them matches; with the HMAC none does. A row kept in the older
/// form still opens with the right reply, and is kept as an HMAC once the seller gives the
/// factor again.
#[tokio::test]
async fn a_second_factor_at_rest_is_not_reversed_by_trying_every_value() {
    use trackline_core::second_factor::SecondFactor;
    use trackline_server::store::lookup_rules::second_factor_hash;
    let (app, store, token) = guarded_seller_and_token(json!({"order_check": "phone_last4"})).await;
    let pool = support::pool(&store);
    let row = |order: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (i64, String)>(
                "SELECT id, check_phone_hash FROM shipments WHERE order_number = $1",
            )
            .bind(order)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (id, stored) = row("7700000001").await;
    let bare = |digits: &str| second_factor_hash(None, id, SecondFactor::PhoneLast4, digits);
    let reversed = (0..10_000)
        .map(|n| format!("{n:04}"))
        .find(|digits| bare(digits).as_deref() == Some(stored.as_str()));
    assert_eq!(reversed, None, "the row gave its digits away");
    let own = [("sec-fetch-site", "same-origin")];
    let opened = support::send(
        &app,
        reply_to("7700000001", [198, 51, 100, 20], "4567", &own),
    )
    .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);

    // A row an older version wrote.
    let (id, _) = row("7700000002").await;
    let old = second_factor_hash(None, id, SecondFactor::PhoneLast4, "4567").unwrap();
    sqlx::query("UPDATE shipments SET check_phone_hash = $1 WHERE id = $2")
        .bind(&old)
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let opened = support::send(
        &app,
        reply_to("7700000002", [198, 51, 100, 21], "4567", &own),
    )
    .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
    let wrong = support::send(
        &app,
        reply_to("7700000002", [198, 51, 100, 21], "4568", &own),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.text);
    let again = json!({"order_number": "7700000002", "stage": "in_transit",
        "buyer_check": {"phone": "+7 900 123-45-67"}});
    let uri = "/api/v1/seller/shipments/g-2";
    let (status, body) = send(&app, seller_request(Method::PUT, uri, &token, again)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (id, rewritten) = row("7700000002").await;
    assert_ne!(rewritten, old);
    assert_ne!(
        rewritten,
        second_factor_hash(None, id, SecondFactor::PhoneLast4, "4567").unwrap()
    );
    let opened = support::send(
        &app,
        reply_to("7700000002", [198, 51, 100, 22], "4567", &own),
    )
    .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
}

/// What the server logs while `during` runs on this thread, at every level.
async fn logged<F, Fut>(during: F) -> String
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    #[derive(Clone, Default)]
    struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Log {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    // A callsite another test's thread registers while this subscriber is being set may keep
    // the "nobody listens" it computed a moment before (tracing-core takes no lock between the
    // two): the first run registers every callsite this one meets, the cache is then asked
    // again with this subscriber among those that listen, and only the second run is read.
    during().await;
    tracing::callsite::rebuild_interest_cache();
    log.0.lock().unwrap().clear();
    during().await;
    drop(guard);
    let bytes = log.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn the_reply_travels_in_a_header_and_never_in_a_url_or_the_log() {
    let (app, _) = guarded_seller(json!({"order_check": "phone_last4"})).await;
    let log = logged(|| async {
        let in_url = support::send(&app, lookup("/api/v1/track/7700000001?check=4567", None)).await;
        assert_eq!(in_url.status, StatusCode::BAD_REQUEST);
        assert_eq!(in_url.json()["error"], "check_in_url");
        assert!(in_url.text.contains("Trackline-Check"), "{}", in_url.text);
        let in_header = support::send(&app, reply_from([192, 0, 2, 9], "4567", &[])).await;
        assert_eq!(in_header.status, StatusCode::OK, "{}", in_header.text);
        assert!(in_header.headers[header::VARY]
            .to_str()
            .unwrap()
            .contains("Trackline-Check"));
    })
    .await;
    assert!(log.contains("path=/api/v1/track/7700000001"), "{log}");
    assert!(!log.contains("4567") && !log.contains("check="), "{log}");
    // A page elsewhere may send the header: the preflight allows it.
    let preflight = request(
        Method::OPTIONS,
        "/api/v1/track/7700000001",
        &[
            ("origin", "https://shop.example"),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "trackline-check"),
        ],
        None,
    );
    let allowed = support::send(&app, preflight).await;
    let allowed = allowed.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("trackline-check"), "{allowed}");
}

#[tokio::test]
async fn settings_are_checked_and_read_back() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = support::app(&store);
    let (status, body) = send(
        &app,
        seller_request(
            Method::PUT,
            "/api/v1/seller/settings",
            &token,
            json!({"allowed_origins": ["https://shop.example/path"]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("allowed_origins[0]"), "{body}");
    let (status, _) = send(
        &app,
        seller_request(
            Method::PUT,
            "/api/v1/seller/settings",
            &token,
            json!({"order_check": "mother's maiden name"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    send(
        &app,
        seller_request(
            Method::PUT,
            "/api/v1/seller/settings",
            &token,
            json!({"allowed_origins": ["https://shop.example"], "order_check": "postcode"}),
        ),
    )
    .await;
    let read = request(
        Method::GET,
        "/api/v1/seller/settings",
        &[("authorization", &bearer(&token))],
        None,
    );
    let (status, body) = send(&app, read).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"allowed_origins": ["https://shop.example"], "order_check": "postcode"})
    );
}
