//! What the store forgets once nobody can ask for it again: an idempotency key after a day, a
//! settled webhook delivery after thirty days (never one still being tried), a wrong
//! second-factor reply after its window, a buyer's push subscription after sixty days whether
//! its parcel arrived or not; in batches, until nothing is left. Runs on SQLite, and
//! on PostgreSQL under `cargo xtask test`.

use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use support::{request, seller_call, send};
use trackline_server::store::retention::{Forgotten, IDEMPOTENCY_KEYS_FOR, SETTLED_DELIVERIES_FOR};
use trackline_server::{AppState, Settings, Store};

mod support;

const HOUR: i64 = 3_600_000;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}

/// The seller API, taking plain http receivers on loopback (this test's never answers: nothing
/// is sent).
fn app(store: &Store) -> Router {
    let config = Settings {
        allow_http_webhooks: true,
        allow_private_webhooks: true,
        ..Settings::default()
    };
    trackline_server::app(AppState::new(store.clone(), &config))
}

/// Forgets as of `at` until nothing is left, adding up what each sweep forgot.
async fn forget_all(store: &Store, at: i64) -> Forgotten {
    let mut all = Forgotten::default();
    loop {
        let once = store.forget_expired(at).await.unwrap();
        if once.total() == 0 {
            return all;
        }
        all.idempotency_keys += once.idempotency_keys;
        all.deliveries += once.deliveries;
        all.wrong_replies += once.wrong_replies;
        all.push_subscriptions += once.push_subscriptions;
    }
}

/// Writes the seller's shipment `p-1` at `stage`.
async fn put_parcel(app: &Router, token: &str, stage: &str) {
    let parcel = json!({"tracking_number": "RA500000018RU", "stage": stage,
                        "updated_at": "2026-11-20T10:00:00+03:00"});
    let uri = "/api/v1/seller/shipments/p-1";
    let (status, body) = seller_call(app, Method::PUT, uri, token, Some(parcel)).await;
    assert!(status.is_success(), "{body}");
}

/// Posts `event` to the seller's shipment under `key`: the status and whether it was a replay.
async fn post_event(app: &Router, token: &str, event: &Value, key: &str) -> (StatusCode, bool) {
    let authorization = support::bearer(token);
    let headers = [
        ("authorization", authorization.as_str()),
        ("content-type", "application/json"),
        ("idempotency-key", key),
    ];
    let reply = send(
        app,
        request(
            Method::POST,
            "/api/v1/seller/shipments/p-1/events",
            &headers,
            Some(event),
        ),
    )
    .await;
    let replayed = reply
        .headers
        .get("idempotent-replayed")
        .is_some_and(|value| value == "true");
    (reply.status, replayed)
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&support::pool(store))
        .await
        .unwrap()
}

#[tokio::test]
async fn an_idempotency_key_replays_for_a_day_and_is_then_forgotten() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (_, token) = store.add_seller("Shop").await.unwrap();
    put_parcel(&app, &token, "in_transit").await;
    let event = json!({"at": "2026-11-21T10:00:00+03:00", "stage": "arrived", "text": "Arrived"});
    assert_eq!(
        post_event(&app, &token, &event, "k-1").await,
        (StatusCode::CREATED, false)
    );
    let almost = now() + i64::try_from(IDEMPOTENCY_KEYS_FOR.as_millis()).unwrap() - HOUR;
    assert_eq!(forget_all(&store, almost).await, Forgotten::default());
    assert_eq!(
        post_event(&app, &token, &event, "k-1").await,
        (StatusCode::CREATED, true)
    );
    let after = now() + i64::try_from(IDEMPOTENCY_KEYS_FOR.as_millis()).unwrap() + HOUR;
    assert_eq!(forget_all(&store, after).await.idempotency_keys, 1);
    // The key is free again: the same request is a new one.
    assert_eq!(
        post_event(&app, &token, &event, "k-1").await,
        (StatusCode::CREATED, false)
    );
}

#[tokio::test]
async fn a_settled_delivery_is_forgotten_after_thirty_days_with_its_tries_and_a_pending_one_never()
{
    let store = support::fresh_store().await;
    let app = app(&store);
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let (status, webhook) = seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/webhooks",
        &token,
        Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["status_changed"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{webhook}");
    let id = webhook["id"].as_str().unwrap().to_owned();
    for stage in ["in_transit", "arrived"] {
        put_parcel(&app, &token, stage).await;
    }
    let pool = support::pool(&store);
    let queued: Vec<i64> = sqlx::query_scalar("SELECT id FROM webhook_deliveries ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(queued.len(), 2, "{queued:?}");
    // The first was acknowledged after one try; the second is still being tried.
    sqlx::query("UPDATE webhook_deliveries SET state = 'delivered' WHERE id = $1")
        .bind(queued[0])
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, at_ms, status, error, duration_ms)
         VALUES (1, $1, $2, 200, NULL, 5)",
    )
    .bind(queued[0])
    .bind(now())
    .execute(&pool)
    .await
    .unwrap();

    let month = i64::try_from(SETTLED_DELIVERIES_FOR.as_millis()).unwrap();
    assert_eq!(
        forget_all(&store, now() + month - HOUR).await,
        Forgotten::default()
    );
    assert_eq!(forget_all(&store, now() + month + HOUR).await.deliveries, 1);
    assert_eq!(count(&store, "webhook_attempts").await, 0);
    let (_, log) = seller_call(
        &app,
        Method::GET,
        &format!("/api/v1/seller/webhooks/{id}/deliveries"),
        &token,
        None,
    )
    .await;
    let states: Vec<&str> = log["deliveries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|delivery| delivery["state"].as_str())
        .collect();
    assert_eq!(states, ["pending"], "{log}");
    // Never, for one still being tried.
    assert_eq!(
        forget_all(&store, now() + 100 * month).await,
        Forgotten::default()
    );
}

#[tokio::test]
async fn old_rows_go_in_batches_until_none_is_left_and_wrong_replies_after_their_window() {
    let store = support::fresh_store().await;
    let (seller, _) = store.add_seller("Shop").await.unwrap();
    // More keys than one batch forgets, all years old.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
         INSERT INTO idempotency_keys (seller_id, idempotency_key, request_hash, status, body, created_at)
         SELECT $1, 'k-' || i, 'h', 201, '{}', '2020-01-01T00:00:00Z' FROM n",
    )
    .bind(seller.0)
    .execute(&support::pool(&store))
    .await
    .unwrap();
    let first = store.forget_expired(now()).await.unwrap();
    assert!(
        first.idempotency_keys > 0 && first.idempotency_keys < 2500,
        "{first:?}"
    );
    let tally = trackline_server::store::lockouts::Tally {
        against: "address",
        subject: "203.0.113.7".to_owned(),
        max: 10,
        window: std::time::Duration::from_secs(600),
    };
    store.count_reply(seller, &[tally], true).await.unwrap();
    let rest = forget_all(&store, now()).await;
    assert_eq!(rest.idempotency_keys, 2500 - first.idempotency_keys);
    // A wrong reply counts until its window ends.
    assert_eq!(rest.wrong_replies, 0);
    assert_eq!(forget_all(&store, now() + HOUR).await.wrong_replies, 1);
    assert_eq!(count(&store, "idempotency_keys").await, 0);
    assert_eq!(count(&store, "second_factor_failures").await, 0);
}

/// A buyer's subscription on a parcel that never arrives (so never given an end) is forgotten
/// sixty days after it was made, with its queued messages; a younger one stays.
#[tokio::test]
async fn a_push_subscription_ends_after_sixty_days_delivered_or_not() {
    let store = support::fresh_store().await;
    let pool = support::pool(&store);
    let now = now();
    let day = 24 * HOUR;
    for (id, age) in [(1_i64, 61 * day), (2, 59 * day)] {
        sqlx::query(
            "INSERT INTO push_subscriptions
             (id, shipment_id, endpoint, keys, lang, page, api, number, created_ms)
             VALUES ($1, 7, $2, 'sealed', 'en', '/', '/push', 'RA500000018RU', $3)",
        )
        .bind(id)
        .bind(format!("https://push.example/{id}"))
        .bind(now - age)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO push_messages
             (id, subscription_id, body, topic, queued_ms, state, attempts, next_attempt_ms, seq)
             VALUES ($1, $1, '{}', 'parcel-7', $2, 'pending', 0, $2, 1)",
        )
        .bind(id)
        .bind(now - HOUR)
        .execute(&pool)
        .await
        .unwrap();
    }
    let forgotten = forget_all(&store, now).await;
    assert_eq!(forgotten.push_subscriptions, 1);
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM push_subscriptions")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, [2]);
    let messages: Vec<i64> = sqlx::query_scalar("SELECT subscription_id FROM push_messages")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(messages, [2], "the old one's messages went with it");
}

/// The console's rows that can be of no more use go, a batch at a time: wrong-password counters
/// whose window ended, sessions idle or too old, invitations used or expired, ceremonies
/// expired, device cookies too old; the live ones stay.
#[tokio::test]
async fn the_consoles_ended_rows_are_forgotten_a_batch_at_a_time() {
    let store = support::fresh_store().await;
    let pool = support::pool(&store);
    let now = now();
    let day = 24 * HOUR;
    let ages = trackline_server::console_auth::console_ages();
    let seller = store.add_seller_named("Shop", None).await.unwrap().id;
    sqlx::query(
        "INSERT INTO members (id, seller_id, name, role, user_handle, created_ms)
         VALUES (7, $1, 'Anna', 'owner', 'h-7', 0)",
    )
    .bind(seller.0)
    .execute(&pool)
    .await
    .unwrap();
    // 1 500 counters whose window ended and one still counting.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
         INSERT INTO sign_in_failures (against, subject, wrong, ends_ms)
         SELECT 'login', 'l-' || i, 3, $1 FROM n",
    )
    .bind(now - HOUR)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO sign_in_failures VALUES ('login', 'live', 3, $1)")
        .bind(now + HOUR)
        .execute(&pool)
        .await
        .unwrap();
    for (id, created, seen) in [
        (1_i64, now - day, now - 13 * HOUR),
        (2, now - 31 * day, now),
        (3, now - day, now - HOUR),
    ] {
        sqlx::query(
            "INSERT INTO member_sessions (id, member_id, token_hash, csrf, created_ms, seen_ms)
             VALUES ($1, 7, $2, 'c', $3, $4)",
        )
        .bind(id)
        .bind(format!("s-{id}"))
        .bind(created)
        .bind(seen)
        .execute(&pool)
        .await
        .unwrap();
    }
    for (id, expires, used) in [
        (1_i64, now + day, Some(now - HOUR)),
        (2, now - HOUR, None),
        (3, now + day, None),
    ] {
        sqlx::query(
            "INSERT INTO member_invitations (id, seller_id, role, token_hash, expires_ms, used_ms)
             VALUES ($1, $2, 'staff', $3, $4, $5)",
        )
        .bind(id)
        .bind(seller.0)
        .bind(format!("i-{id}"))
        .bind(expires)
        .bind(used)
        .execute(&pool)
        .await
        .unwrap();
    }
    for (id, expires) in [("gone", now - 1), ("live", now + HOUR)] {
        sqlx::query(
            "INSERT INTO passkey_ceremonies (id, kind, state, expires_ms) VALUES ($1, 'sign-in', '{}', $2)",
        )
        .bind(id)
        .bind(expires)
        .execute(&pool)
        .await
        .unwrap();
    }
    for (hash, created) in [("old", now - 366 * day), ("new", now - day)] {
        sqlx::query(
            "INSERT INTO member_devices (token_hash, member_id, created_ms) VALUES ($1, 7, $2)",
        )
        .bind(hash)
        .bind(created)
        .execute(&pool)
        .await
        .unwrap();
    }

    let first = store.forget_console(now, ages).await.unwrap();
    assert_eq!(first.wrong_passwords, 1000, "a batch at most: {first:?}");
    assert_eq!(
        (
            first.sessions,
            first.invitations,
            first.ceremonies,
            first.devices
        ),
        (2, 2, 1, 1)
    );
    let second = store.forget_console(now, ages).await.unwrap();
    assert_eq!(second.wrong_passwords, 500);
    assert_eq!(store.forget_console(now, ages).await.unwrap().total(), 0);
    for (table, left) in [
        ("sign_in_failures", 1),
        ("member_sessions", 1),
        ("member_invitations", 1),
        ("passkey_ceremonies", 1),
        ("member_devices", 1),
    ] {
        assert_eq!(count(&store, table).await, left, "{table}");
    }
}

/// PostgreSQL only (SQLite has one writer at a time): a wrong-password counter restarted while
/// the sweep's DELETE waits for its row is kept, not deleted on the old row's say-so.
#[tokio::test]
async fn a_counter_restarted_while_the_sweep_waits_for_it_is_kept() {
    let store = support::fresh_store().await;
    if store.backend() != trackline_server::store::Backend::Postgres {
        return;
    }
    let pool = support::pool(&store);
    let now = now();
    let ages = trackline_server::console_auth::console_ages();
    sqlx::query("INSERT INTO sign_in_failures VALUES ('login', 'restarted', 10, $1)")
        .bind(now - HOUR)
        .execute(&pool)
        .await
        .unwrap();
    // The wrong password that restarts the window, not yet committed when the sweep comes.
    let mut restart = pool.begin().await.unwrap();
    sqlx::query("UPDATE sign_in_failures SET wrong = 1, ends_ms = $1 WHERE subject = 'restarted'")
        .bind(now + HOUR)
        .execute(&mut *restart)
        .await
        .unwrap();
    let sweep = {
        let store = store.clone();
        tokio::spawn(async move { store.forget_console(now, ages).await.unwrap() })
    };
    // Until the sweep waits for the row (at most ten seconds).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND query LIKE 'DELETE FROM sign_in_failures%'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sweep never waited"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    restart.commit().await.unwrap();
    let forgotten = sweep.await.unwrap();
    assert_eq!(forgotten.wrong_passwords, 0);
    let kept: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE subject = 'restarted'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(kept, 1, "the restarted counter was deleted");
}
