//! What goes when a seller deletes a shipment, or the operator removes a seller: everything about
//! it, in one transaction, and at once from the public lookup (cached answers included), on every
//! instance; another seller's data never. Runs on SQLite, and on PostgreSQL with
//! `TRACKLINE_TEST_DATABASE`.

use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::{request, seller_call, send};
use trackline_server::store::sellers::SellerId;
use trackline_server::store::Backend;
use trackline_server::Store;

mod support;

const NUMBER: &str = "RA500000018RU";

fn parcel(stage: &str) -> serde_json::Value {
    json!({
        "order_number": "5500000001",
        "tracking_number": NUMBER,
        "stage": stage,
        "updated_at": "2026-11-20T10:00:00+03:00",
        "events": [{"at": "2026-11-20T10:00:00+03:00", "stage": stage, "text": "Moved"}]
    })
}

/// The public lookup of `number` among `seller`'s shipments: its status.
async fn lookup(app: &Router, seller: &str, number: &str) -> StatusCode {
    send(
        app,
        request(
            Method::GET,
            &format!("/api/v1/shops/{seller}/track/{number}"),
            &[],
            None,
        ),
    )
    .await
    .status
}

/// Waits, for at most five seconds, until the lookup answers `want`; the last answer.
async fn lookup_becomes(app: &Router, seller: &str, number: &str, want: StatusCode) -> StatusCode {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status = lookup(app, seller, number).await;
        if status == want || Instant::now() > deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn put(app: &Router, token: &str, reference: &str, stage: &str) {
    let (status, body) = seller_call(
        app,
        Method::PUT,
        &format!("/api/v1/seller/shipments/{reference}"),
        token,
        Some(parcel(stage)),
    )
    .await;
    assert!(status.is_success(), "{body}");
}

async fn shipment_id(store: &Store, seller: SellerId, reference: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM shipments WHERE seller_id = $1 AND reference = $2")
        .bind(seller.0)
        .bind(reference)
        .fetch_one(&support::pool(store))
        .await
        .unwrap()
}

async fn exec(store: &Store, sql: &str, binds: &[i64]) {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query.execute(&support::pool(store)).await.unwrap();
}

/// A buyer's push subscription to the shipment `shipment` (id `id`) with one message queued.
async fn subscribe_buyer(store: &Store, id: i64, shipment: i64) {
    exec(
        store,
        "INSERT INTO push_subscriptions (id, shipment_id, endpoint, keys, lang, page, api, number, created_ms)
         VALUES ($1, $2, 'https://push.example/' || CAST($1 AS TEXT), 'sealed', 'en', '/', '/', 'n', 0)",
        &[id, shipment],
    )
    .await;
    exec(
        store,
        "INSERT INTO push_messages (id, subscription_id, body, topic, queued_ms, state, attempts, next_attempt_ms)
         VALUES ($1, $1, '{}', 't', 0, 'pending', 0, 0)",
        &[id],
    )
    .await;
}

async fn count(store: &Store, sql: &str, bind: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&support::pool(store))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_deleted_shipment_is_gone_at_once_with_what_is_about_it_and_only_its_seller_deletes_it() {
    let (store, other) = support::two_instances().await;
    let (one, two) = (support::app(&store), support::app(&other));
    let mine = store.add_seller_named("Mine", Some("mine")).await.unwrap();
    let theirs = store
        .add_seller_named("Theirs", Some("theirs"))
        .await
        .unwrap();
    let (status, _) = seller_call(
        &one,
        Method::POST,
        "/api/v1/seller/webhooks",
        &mine.token,
        Some(json!({"url": "https://hooks.example/in", "events": ["status_changed"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    put(&one, &mine.token, "p-1", "handed_over").await;
    put(&one, &mine.token, "p-2", "handed_over").await;
    put(&one, &theirs.token, "p-1", "handed_over").await;
    let (gone, kept) = (
        shipment_id(&store, mine.id, "p-1").await,
        shipment_id(&store, mine.id, "p-2").await,
    );
    subscribe_buyer(&store, 1, gone).await;
    subscribe_buyer(&store, 2, kept).await;
    // A delivery about p-1 being tried (with a failed try), and one already made, logged.
    exec(
        &store,
        "INSERT INTO webhook_attempts (id, delivery_id, at_ms, status, error, duration_ms)
         SELECT 7, id, 0, 500, NULL, 1 FROM webhook_deliveries WHERE shipment_id = $1",
        &[gone],
    )
    .await;
    exec(
        &store,
        "INSERT INTO webhook_deliveries (id, webhook_id, kind, body, queued_at_ms, state, attempts, next_attempt_ms, shipment_id)
         SELECT 8, webhook_id, kind, body, 0, 'delivered', 1, 0, shipment_id FROM webhook_deliveries WHERE shipment_id = $1",
        &[gone],
    )
    .await;

    // Both instances have answered (and cached) the lookup.
    for app in [&one, &two] {
        for _ in 0..2 {
            assert_eq!(lookup(app, "mine", NUMBER).await, StatusCode::OK);
        }
    }
    // Another seller cannot delete it: its own p-1 is its own.
    let uri = "/api/v1/seller/shipments/p-1";
    let (status, _) = seller_call(&two, Method::DELETE, uri, &theirs.token, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "their own p-1");
    let (status, body) = seller_call(&two, Method::DELETE, uri, &theirs.token, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"], "not_found");
    assert_eq!(lookup(&two, "mine", NUMBER).await, StatusCode::OK);

    let (status, _) = seller_call(&one, Method::DELETE, uri, &mine.token, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // p-2 has the same number and stays; p-1's own reference is gone.
    let (status, _) = seller_call(&one, Method::GET, uri, &mine.token, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = seller_call(
        &one,
        Method::DELETE,
        "/api/v1/seller/shipments/p-2",
        &mine.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(lookup(&one, "mine", NUMBER).await, StatusCode::NOT_FOUND);
    assert_eq!(
        lookup_becomes(&two, "mine", NUMBER, StatusCode::NOT_FOUND).await,
        StatusCode::NOT_FOUND,
        "the other instance's cached answer"
    );

    for (sql, left) in [
        ("SELECT COUNT(*) FROM events WHERE shipment_id = $1", 0),
        ("SELECT COUNT(*) FROM push_subscriptions WHERE shipment_id = $1", 0),
        ("SELECT COUNT(*) FROM push_messages WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE shipment_id = $1)", 0),
        ("SELECT COUNT(*) FROM push_messages WHERE $1 = $1", 0),
        ("SELECT COUNT(*) FROM webhook_deliveries WHERE shipment_id = $1 AND state = 'pending'", 0),
        ("SELECT COUNT(*) FROM webhook_attempts WHERE id = 7 AND $1 = $1", 0),
        // What was delivered stays in the seller's log until it is forgotten.
        ("SELECT COUNT(*) FROM webhook_deliveries WHERE shipment_id = $1 AND state = 'delivered'", 1),
    ] {
        assert_eq!(count(&store, sql, gone).await, left, "{sql}");
    }
}

#[tokio::test]
async fn a_deletion_leaves_the_other_shipments_subscriptions_and_messages() {
    let store = support::fresh_store().await;
    let app = support::app(&store);
    let seller = store.add_seller_named("Shop", Some("shop")).await.unwrap();
    put(&app, &seller.token, "p-1", "handed_over").await;
    put(&app, &seller.token, "p-2", "handed_over").await;
    let (gone, kept) = (
        shipment_id(&store, seller.id, "p-1").await,
        shipment_id(&store, seller.id, "p-2").await,
    );
    subscribe_buyer(&store, 1, gone).await;
    subscribe_buyer(&store, 2, kept).await;
    let (status, _) = seller_call(
        &app,
        Method::DELETE,
        "/api/v1/seller/shipments/p-1",
        &seller.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM push_subscriptions WHERE shipment_id = $1",
            kept
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM push_messages WHERE subscription_id = $1",
            2
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM events WHERE shipment_id = $1",
            kept
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM push_subscriptions WHERE shipment_id = $1",
            gone
        )
        .await,
        0
    );
}

/// Every table of the schema, but the migrations' own and the server's key check.
async fn tables(store: &Store) -> Vec<String> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = 'public'"
        }
    };
    let mut names: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(&support::pool(store))
        .await
        .unwrap();
    // The console's sign-in keeps two tables that name no seller: ceremonies begun before
    // anybody is known, and wrong passwords per login and client address (both expire).
    names.retain(|name| {
        !matches!(
            name.as_str(),
            "_sqlx_migrations" | "secret_check" | "passkey_ceremonies" | "sign_in_failures"
        )
    });
    names.sort();
    names
}

async fn counts(store: &Store) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for table in tables(store).await {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&support::pool(store))
            .await
            .unwrap();
        counts.insert(table, rows);
    }
    counts
}

/// A seller with a row in every table that can name one (`base` keeps the rows' ids apart).
async fn seller_everywhere(store: &Store, app: &Router, handle: &str, base: i64) -> String {
    let seller = store.add_seller_named(handle, Some(handle)).await.unwrap();
    let token = seller.token.clone();
    let (status, _) = seller_call(
        app,
        Method::POST,
        "/api/v1/seller/tokens",
        &token,
        Some(json!({"name": "ci"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = seller_call(
        app,
        Method::POST,
        "/api/v1/seller/webhooks",
        &token,
        Some(json!({"url": "https://hooks.example/in", "events": ["status_changed"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    put(app, &token, "p-1", "handed_over").await;
    let authorization = support::bearer(&token);
    let event = json!({"at": "2026-11-21T10:00:00+03:00", "stage": "in_transit", "text": "Moving"});
    let reply = send(
        app,
        request(
            Method::POST,
            "/api/v1/seller/shipments/p-1/events",
            &[
                ("authorization", authorization.as_str()),
                ("idempotency-key", "k-1"),
            ],
            Some(&event),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let shipment = shipment_id(store, seller.id, "p-1").await;
    subscribe_buyer(store, base, shipment).await;
    exec(
        store,
        "INSERT INTO deliveries (shipment_id, seller_id, carrier, origin, destination, delivered_ms)
         VALUES ($1, $2, 'cdek', 'москва', 'казань', 0)",
        &[shipment, seller.id.0],
    )
    .await;
    exec(
        store,
        "INSERT INTO webhook_attempts (id, delivery_id, at_ms, status, error, duration_ms)
         SELECT $1, MIN(id), 0, 500, NULL, 1 FROM webhook_deliveries WHERE shipment_id = $2",
        &[base, shipment],
    )
    .await;
    // A member of its console (a password, a session, the invitation it used) with a passkey
    // too; the writes above are in its audit log.
    let (link, _) = trackline_server::http::members::new_invitation(
        store,
        "http://localhost:8080",
        seller.id,
        trackline_server::store::members::Role::Owner,
    )
    .await
    .unwrap();
    let invitation = link.rsplit_once('=').unwrap().1;
    let joined = json!({"invitation": invitation, "name": "Anna", "login": format!("anna@{handle}.example"), "password": "correct horse battery"});
    let reply = send(
        app,
        request(
            Method::POST,
            "/api/v1/console/passwords/register",
            &[
                ("content-type", "application/json"),
                ("origin", "http://localhost:8080"),
            ],
            Some(&joined),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    exec(
        store,
        "INSERT INTO member_passkeys (id, member_id, credential_id, passkey, created_ms)
         SELECT $1, id, CAST($1 AS TEXT), '{}', 0 FROM members WHERE seller_id = $2",
        &[base, seller.id.0],
    )
    .await;
    for sql in [
        "INSERT INTO second_factor_failures (shop_id, against, subject, wrong, ends_ms) VALUES ($1, 'client', '192.0.2.1', 1, 0)",
        "INSERT INTO source_keys (seller_id, provider, sealed) VALUES ($1, 'cdek', 'sealed')",
        "INSERT INTO source_pace (provider, seller_id, next_ms) VALUES ('cdek', $1, 0)",
        "INSERT INTO imports (id, seller_id, created_ms, expires_ms, state, total, done, beat_ms, preview, planned)
         VALUES ($1, $1, 0, 0, 'applied', 0, 0, 0, '{}', '[]')",
        "INSERT INTO key_refusals (seller_id, provider, refused_ms, reason) VALUES ($1, 'cdek', 0, 'refused')",
        "INSERT INTO daily_counts (seller_id, day, name, count) VALUES ($1, '2026-12-07', 'taps_phone', 1)",
    ] {
        exec(store, sql, &[seller.id.0]).await;
    }
    token
}

#[tokio::test]
async fn removing_a_seller_leaves_no_row_of_it_in_any_table_and_its_lookup_goes_at_once() {
    let (store, other) = support::two_instances().await;
    let (app, elsewhere) = (support::app(&store), support::app(&other));
    let kept_token = seller_everywhere(&store, &app, "kept", 100).await;
    let before = counts(&store).await;
    let gone_token = seller_everywhere(&store, &app, "gone", 200).await;
    let with_both = counts(&store).await;
    for (table, rows) in &with_both {
        assert!(
            rows > &before[table],
            "the removed seller has no row in {table}: a table added with a seller or shipment \
             reference needs a row here and a statement in store::operator"
        );
    }
    for app in [&app, &elsewhere] {
        assert_eq!(lookup(app, "gone", NUMBER).await, StatusCode::OK);
    }

    let listed = store.sellers().await.unwrap();
    let handles: Vec<(&str, i64)> = listed
        .iter()
        .map(|seller| (seller.handle.as_str(), seller.shipments))
        .collect();
    assert_eq!(handles, [("gone", 1), ("kept", 1)]);
    assert_eq!(store.remove_seller("gone").await.unwrap(), Some(1));
    assert_eq!(store.remove_seller("gone").await.unwrap(), None);

    assert_eq!(
        counts(&store).await,
        before,
        "every row of the removed seller, and only those"
    );
    assert_eq!(lookup(&app, "gone", NUMBER).await, StatusCode::NOT_FOUND);
    assert_eq!(
        lookup_becomes(&elsewhere, "gone", NUMBER, StatusCode::NOT_FOUND).await,
        StatusCode::NOT_FOUND,
        "the other instance's cached answer"
    );
    assert_eq!(lookup(&app, "kept", NUMBER).await, StatusCode::OK);
    let (status, _) = seller_call(
        &app,
        Method::GET,
        "/api/v1/seller/tokens",
        &gone_token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = seller_call(
        &app,
        Method::GET,
        "/api/v1/seller/tokens",
        &kept_token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_operators_commands_list_and_remove_sellers() {
    let dir = support::process::tempdir("sellers-command");
    let url = support::fresh_url(Some(&dir)).await;
    let store = support::store_at(&url).await;
    let app = support::app(&store);
    seller_everywhere(&store, &app, "kept", 100).await;
    let before = counts(&store).await;
    seller_everywhere(&store, &app, "gone", 200).await;
    let run = |args: &[&str]| {
        std::process::Command::new(support::process::SERVER)
            .arg("sellers")
            .args(args)
            .args(["--database", &url])
            .env("RUST_LOG", "warn")
            .output()
            .expect("the command runs")
    };
    let listed = run(&["list"]);
    assert!(listed.status.success());
    let text = String::from_utf8_lossy(&listed.stdout);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|line| line.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(rows[0][0], "gone", "{text}");
    assert_eq!(
        (rows[1][0], rows[1][1], rows[1][3]),
        ("kept", "kept", "1"),
        "{text}"
    );

    let removed = run(&["remove", "gone"]);
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    assert_eq!(counts(&store).await, before);
    let again = run(&["remove", "gone"]);
    assert!(!again.status.success());
    let wrong = run(&["remove"]);
    assert_eq!(wrong.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
