//! What the server's test files share: a fresh, empty database under test, the app as
//! `main` builds it, and one way to send it a request and read what comes back.
//!
//! `TRACKLINE_TEST_DATABASE` picks the database: unset, SQLite (in memory, or a file
//! when a directory is given); a `postgres://` URL (the test command sets it beside a
//! throwaway PostgreSQL), a new database on that server every time, so that tests
//! never see each other's rows.
#![allow(dead_code)]

pub mod fake_17track;
pub mod fake_cdek;
pub mod fake_ozon;
pub mod fake_push;
pub mod fake_russian_post;
pub mod nginx;
pub mod process;
pub mod tarpit;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::Connection;
use tower::ServiceExt;
use trackline_server::store::new_id;
use trackline_server::{AppState, Settings, Store};

/// The state `main` would build for `store`, with the default configuration.
pub fn state(store: &Store) -> AppState {
    AppState::new(store.clone(), &Settings::default())
}

/// The app `main` would serve over `store`.
pub fn app(store: &Store) -> Router {
    trackline_server::app(state(store))
}

/// The state `main --demo` would build for a store with the demo seeded: the short lookup
/// path answers for the demo seller.
pub fn demo_state(store: &Store) -> AppState {
    let config = Settings {
        demo: true,
        ..Settings::default()
    };
    AppState::new(store.clone(), &config)
}

/// What the app sent back.
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, as text.
    pub text: String,
}

impl Reply {
    /// The body as JSON; `null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// A request with `headers` and, if given, a JSON body.
pub fn request(
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = body.map_or_else(Body::empty, |body| Body::from(body.to_string()));
    request.body(body).expect("a request the test wrote")
}

/// A request with `headers` and a body of any bytes (a form's, a file's).
pub fn raw_request(
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
        .body(Body::from(body))
        .expect("a request the test wrote")
}

/// The `Authorization` header's value for a seller's token.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Sends one request through `app` and reads the whole reply.
pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    send_owned(app.clone(), request).await
}

/// [`send`] for a task of its own, which owns what it holds.
pub async fn send_owned(app: Router, request: Request<Body>) -> Reply {
    let response = app.oneshot(request).await.expect("the app answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("the body reads")
        .to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Sends a seller's JSON call (`token` as the bearer) through `app`: the status and the JSON back.
pub async fn seller_call(
    app: &Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let authorization = bearer(token);
    let headers = [
        ("authorization", authorization.as_str()),
        ("content-type", "application/json"),
    ];
    let reply = send(app, request(method, uri, &headers, body.as_ref())).await;
    (reply.status, reply.json())
}

/// The rows of the tables in `docs/{doc}` whose first cell `first` accepts, each cell trimmed
/// of spaces and backticks: the mapping tables the code is checked against.
pub fn doc_table(doc: &str, first: impl Fn(&str) -> bool) -> Vec<Vec<String>> {
    let path = format!("{}/../docs/{doc}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the doc is there");
    text.lines()
        .filter(|line| line.starts_with("| "))
        .map(|line| {
            let cells: Vec<String> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().trim_matches('`').to_owned())
                .collect();
            cells
        })
        .filter(|cells| cells.first().is_some_and(|cell| first(cell)))
        .collect()
}

/// The stage and the exception (empty for none) a table row names.
pub fn stage_and_exception(
    stage: &str,
    exception: &str,
) -> (trackline_core::Stage, Option<trackline_core::Exception>) {
    (
        trackline_core::Stage::from_wire(stage),
        (!exception.is_empty()).then(|| trackline_core::Exception::from_wire(exception)),
    )
}

/// The app of one instance over `store` that asks the carriers at `providers` (local fakes)
/// and may tell plain-http webhook receivers on private networks (the tests' own, on loopback).
pub fn app_asking(store: &Store, providers: trackline_server::providers::ProviderUrls) -> Router {
    let config = Settings {
        allow_http_webhooks: true,
        allow_private_webhooks: true,
        providers,
        ..Settings::default()
    };
    trackline_server::app(AppState::new(store.clone(), &config))
}

/// A new seller (seller `handle`) that gave `keys` for `provider` through the seller API: its token.
pub async fn seller_with_source(
    store: &Store,
    app: &Router,
    handle: &str,
    provider: &str,
    keys: Value,
) -> String {
    let token = store
        .add_seller_named(handle, Some(handle))
        .await
        .unwrap()
        .token;
    let uri = format!("/api/v1/seller/sources/{provider}");
    let (status, answer) = seller_call(app, Method::PUT, &uri, &token, Some(keys)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
    token
}

/// A poller over `store` asking the carriers at `providers` (local fakes) and Ozon at `ozon`
/// (a fake, or nowhere), with no cache: every poll asks.
pub fn poller(
    store: &Store,
    providers: &trackline_server::providers::ProviderUrls,
    ozon: &str,
) -> trackline_server::providers::poller::Poller {
    let ozon = trackline_server::ozon::OzonClient::new(
        ozon,
        std::time::Duration::ZERO,
        trackline_server::ozon::PullRetries::default(),
    );
    trackline_server::providers::poller::Poller::new(
        store.clone(),
        providers,
        ozon,
        std::time::Duration::from_millis(10),
    )
}

/// The secret key the tests' stores seal provider keys with.
pub fn test_secret_key() -> trackline_server::secrets::SecretKey {
    trackline_server::secrets::SecretKey::from_base64(
        "dHJhY2tsaW5lLXRlc3Qtc2VjcmV0LWtleS0zMmJ5dGU=",
    )
    .expect("a 32-byte key")
}

/// A new empty store on the database under test, with the tests' secret key.
pub async fn fresh_store() -> Store {
    store_at(&fresh_url(None).await).await
}

/// The stores of two instances over one new database: each with its own connections on
/// PostgreSQL; on SQLite, which is for one instance, the same store twice.
pub async fn two_instances() -> (Store, Store) {
    let url = fresh_url(None).await;
    let store = store_at(&url).await;
    let other = if url.starts_with("postgres") {
        store_at(&url).await
    } else {
        store.clone()
    };
    (store, other)
}

/// A store over the database at `url` as an instance's `start` opens it (the tests' secret
/// key, other instances heard): open it twice for two instances over one database.
pub async fn store_at(url: &str) -> Store {
    let store = Store::open(url)
        .await
        .expect("the store opens")
        .with_secret_key(Some(test_secret_key()))
        .await
        .expect("the key is taken");
    // As `start` does: on PostgreSQL, answers are kept only while the other instances are heard.
    store
        .hear_other_instances(url)
        .await
        .expect("the store hears other instances");
    store
}

/// The URL of a new, empty database under test: a PostgreSQL database, or a SQLite file
/// in `dir` (in memory without one).
pub async fn fresh_url(dir: Option<&std::path::Path>) -> String {
    match std::env::var("TRACKLINE_TEST_DATABASE") {
        Ok(admin) if !admin.is_empty() => {
            let name = format!("trackline_test_{:x}", new_id().unwrap());
            let mut connection = sqlx::postgres::PgConnection::connect(&admin)
                .await
                .expect("the test PostgreSQL server accepts a connection");
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut connection)
                .await
                .expect("a test database is created");
            let (base, _) = admin.rsplit_once('/').expect("a database URL");
            format!("{base}/{name}")
        }
        _ => match dir {
            Some(dir) => format!("sqlite://{}", dir.join("trackline.db").display()),
            None => "sqlite::memory:".to_owned(),
        },
    }
}

/// The store's pool, for tests that look at rows directly.
pub fn pool(store: &Store) -> sqlx::AnyPool {
    store.pool().clone()
}

/// Queues `count` pending deliveries to a new webhook of the seller's, straight into the table.
pub async fn queue_pending(
    store: &trackline_server::Store,
    seller: trackline_server::store::sellers::SellerId,
    count: i64,
) -> i64 {
    let (webhook, _) = store
        .add_webhook(
            seller,
            "https://hooks.example/in",
            &[trackline_server::change::tells::Kind::StatusChanged],
        )
        .await
        .unwrap();
    let first = trackline_server::store::new_id().unwrap() / 2;
    for batch in 0..(count + 999) / 1000 {
        let rows: Vec<String> = (batch * 1000..((batch + 1) * 1000).min(count))
            .map(|n| {
                format!(
                    "({}, {}, 'status_changed', '{{}}', 0, 'pending', 0, 0)",
                    first + n,
                    webhook.id
                )
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO webhook_deliveries
             (id, webhook_id, kind, body, queued_at_ms, state, attempts, next_attempt_ms) VALUES {}",
            rows.join(", ")
        ))
        .execute(store.pool())
        .await
        .unwrap();
    }
    webhook.id
}
