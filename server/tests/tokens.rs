//! A seller's tokens: made, listed and revoked by the seller through its API, a revoked one
//! refused at once by every instance, another seller's never seen or touched, the last one kept,
//! and "last used" written at most once a minute. Runs on SQLite, and on PostgreSQL with
//! `TRACKLINE_TEST_DATABASE`.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use support::seller_call;
use trackline_server::store::tokens::LAST_USED_EVERY_MS;
use trackline_server::Store;

mod support;

const TOKENS: &str = "/api/v1/seller/tokens";

/// Makes a token named `name` with `token`: its id and the token itself.
async fn make(app: &axum::Router, token: &str, name: &str) -> (String, String) {
    let (status, made) = seller_call(
        app,
        Method::POST,
        TOKENS,
        token,
        Some(json!({ "name": name })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    (
        made["id"].as_str().unwrap().to_owned(),
        made["token"].as_str().unwrap().to_owned(),
    )
}

/// Whether `token` opens the seller API (its token list).
async fn opens(app: &axum::Router, token: &str) -> StatusCode {
    seller_call(app, Method::GET, TOKENS, token, None).await.0
}

/// The names in a token list, sorted (tokens made in the same second list in either order).
fn names(list: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = list["tokens"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|token| token["name"].as_str())
        .collect();
    names.sort_unstable();
    names
}

#[tokio::test]
async fn a_seller_makes_lists_and_revokes_tokens_and_a_revoked_one_is_refused_at_once_everywhere() {
    // Two instances over one database (one store twice on SQLite): the token check reads the
    // store on every request, so a revocation through one is seen by the other at once.
    let (store, other) = support::two_instances().await;
    let (one, two) = (support::app(&store), support::app(&other));
    let (_, first) = store.add_seller("Shop").await.unwrap();
    let (ci, ci_token) = make(&one, &first, "ci job").await;
    assert!(ci_token.starts_with("tl_") && ci_token != first);
    assert_eq!(opens(&two, &ci_token).await, StatusCode::OK);

    let (status, list) = seller_call(&two, Method::GET, TOKENS, &ci_token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&list), ["ci job", "first"], "{list}");
    let hashes: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM seller_tokens")
        .fetch_all(&support::pool(&store))
        .await
        .unwrap();
    let text = list.to_string();
    assert!(!text.contains(&ci_token[3..]) && !text.contains(&first[3..]));
    assert!(hashes.iter().all(|hash| !text.contains(hash.as_str())));
    assert!(list["tokens"][0]["last_used_at"].is_string(), "{list}");
    assert!(list["tokens"][0]["created_at"].is_string(), "{list}");

    // The token in use may revoke itself; from the next request on it opens nothing, anywhere.
    let (status, _) = seller_call(
        &one,
        Method::DELETE,
        &format!("{TOKENS}/{ci}"),
        &ci_token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(opens(&two, &ci_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(opens(&one, &ci_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(opens(&two, &first).await, StatusCode::OK);
    let (_, list) = seller_call(&one, Method::GET, TOKENS, &first, None).await;
    assert_eq!(names(&list), ["first"]);
}

#[tokio::test]
async fn a_seller_never_lists_or_revokes_another_sellers_token() {
    let store = support::fresh_store().await;
    let app = support::app(&store);
    let (_, mine) = store.add_seller("Mine").await.unwrap();
    let (_, theirs) = store.add_seller("Theirs").await.unwrap();
    let (my_ci, my_ci_token) = make(&app, &mine, "my ci").await;
    make(&app, &theirs, "their ci").await;

    let (_, their_list) = seller_call(&app, Method::GET, TOKENS, &theirs, None).await;
    assert_eq!(names(&their_list), ["first", "their ci"], "{their_list}");
    let (status, refused) = seller_call(
        &app,
        Method::DELETE,
        &format!("{TOKENS}/{my_ci}"),
        &theirs,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(refused["error"], "token_not_found");
    assert_eq!(opens(&app, &my_ci_token).await, StatusCode::OK);
    for id in ["not-a-number", "1"] {
        let (status, _) = seller_call(
            &app,
            Method::DELETE,
            &format!("{TOKENS}/{id}"),
            &theirs,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
    }
}

#[tokio::test]
async fn the_last_token_stays_names_are_bounded_and_twenty_at_most() {
    let store = support::fresh_store().await;
    let app = support::app(&store);
    let (_, first) = store.add_seller("Shop").await.unwrap();
    let (_, list) = seller_call(&app, Method::GET, TOKENS, &first, None).await;
    let id = list["tokens"][0]["id"].as_str().unwrap().to_owned();
    let (status, refused) = seller_call(
        &app,
        Method::DELETE,
        &format!("{TOKENS}/{id}"),
        &first,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["error"], "last_token");
    assert_eq!(opens(&app, &first).await, StatusCode::OK);

    for body in [
        json!({"name": ""}),
        json!({"name": "x".repeat(65)}),
        json!({"name": "a\u{0}b"}),
        json!({"name": "ci", "scope": "all"}),
        json!({}),
    ] {
        let (status, refused) =
            seller_call(&app, Method::POST, TOKENS, &first, Some(body.clone())).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {refused}"
        );
    }
    for n in 2..=20 {
        make(&app, &first, &format!("token {n}")).await;
    }
    let (status, refused) = seller_call(
        &app,
        Method::POST,
        TOKENS,
        &first,
        Some(json!({"name": "one too many"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["field"], "tokens", "{refused}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM seller_tokens")
        .fetch_one(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(count, 20);
}

#[tokio::test]
async fn twenty_tokens_asked_for_at_once_past_the_cap_make_it_to_twenty_only() {
    let store = support::fresh_store().await;
    let app = support::app(&store);
    let (_, first) = store.add_seller("Shop").await.unwrap();
    for n in 2..=15 {
        make(&app, &first, &format!("token {n}")).await;
    }
    let mut asked = tokio::task::JoinSet::new();
    for n in 0..20 {
        let (app, first) = (app.clone(), first.clone());
        asked.spawn(async move {
            seller_call(
                &app,
                Method::POST,
                TOKENS,
                &first,
                Some(json!({ "name": format!("parallel {n}") })),
            )
            .await
            .0
        });
    }
    let mut made = 0;
    while let Some(status) = asked.join_next().await {
        match status.unwrap() {
            StatusCode::CREATED => made += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(made, 5);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM seller_tokens")
        .fetch_one(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(count, 20);
}

/// The token's last-use mark, in ms.
async fn last_used(store: &Store) -> Option<i64> {
    sqlx::query_scalar("SELECT last_used_at_ms FROM seller_tokens")
        .fetch_one(&support::pool(store))
        .await
        .unwrap()
}

async fn set_last_used(store: &Store, at: i64) {
    sqlx::query("UPDATE seller_tokens SET last_used_at_ms = $1")
        .bind(at)
        .execute(&support::pool(store))
        .await
        .unwrap();
}

#[tokio::test]
async fn last_use_is_written_at_most_once_a_minute() {
    let store = support::fresh_store().await;
    let app = support::app(&store);
    let (_, token) = store.add_seller("Shop").await.unwrap();
    assert_eq!(last_used(&store).await, None);
    assert_eq!(opens(&app, &token).await, StatusCode::OK);
    let marked = last_used(&store).await.expect("marked at first use");
    let now = marked;
    // Under a minute old: many requests write nothing.
    set_last_used(&store, now - LAST_USED_EVERY_MS + 5_000).await;
    for _ in 0..5 {
        assert_eq!(opens(&app, &token).await, StatusCode::OK);
    }
    assert_eq!(
        last_used(&store).await,
        Some(now - LAST_USED_EVERY_MS + 5_000)
    );
    // A minute old: the next request moves it.
    set_last_used(&store, now - LAST_USED_EVERY_MS - 1).await;
    assert_eq!(opens(&app, &token).await, StatusCode::OK);
    assert!(last_used(&store).await.unwrap() >= now);
}

#[tokio::test]
async fn the_token_a_seller_had_before_tokens_were_named_still_opens_as_first() {
    // A database as the release before this one left it: every migration up to 0016, and a
    // seller whose one token was kept in its own row.
    let dir = support::process::tempdir("old-token");
    let url = support::fresh_url(Some(&dir)).await;
    sqlx::any::install_default_drivers();
    let created = if url.starts_with("sqlite") {
        format!("{url}?mode=rwc")
    } else {
        url.clone()
    };
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&created)
        .await
        .unwrap();
    let mut older = sqlx::migrate::Migrator::new(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/migrations"
    )))
    .await
    .unwrap();
    older.migrations = older
        .migrations
        .iter()
        .filter(|migration| migration.version < 17)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    older.run(&pool).await.unwrap();
    let token = format!("tl_{}", "ab".repeat(32));
    sqlx::query(
        "INSERT INTO sellers (id, name, token_hash, created_at, handle)
         VALUES (42, 'Old Shop', $1, '2025-01-01T00:00:00Z', 'old-shop')",
    )
    .bind(trackline_server::store::sellers::sha256_hex(
        token.as_bytes(),
    ))
    .execute(&pool)
    .await
    .unwrap();

    // This release's migrations, as the new version applies them when it opens the store.
    sqlx::migrate!("./migrations").run(&pool).await.unwrap();
    let kept: String = sqlx::query_scalar("SELECT token_hash FROM sellers WHERE id = 42")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        kept, "seller_tokens:42",
        "no credential is left in the seller's row"
    );
    let row: (String, String) =
        sqlx::query_as("SELECT name, created_at FROM seller_tokens WHERE seller_id = 42")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(row, ("first".into(), "2025-01-01T00:00:00Z".into()));
    pool.close().await;
    let store = support::store_at(&url).await;
    assert_eq!(opens(&support::app(&store), &token).await, StatusCode::OK);
    let _ = std::fs::remove_dir_all(&dir);
}
