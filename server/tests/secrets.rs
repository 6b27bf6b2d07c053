//! Sellers' Ozon keys sealed at rest with the server's secret key: unreadable in the database,
//! readable with the key, and a lost or wrong key a clear refusal at start, never a panic.
//! Runs on SQLite, and on PostgreSQL under `cargo xtask test`.

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::process::tempdir;
use support::{bearer, request, send};
use trackline_server::ozon::Credentials;
use trackline_server::secrets::{SecretError, SecretKey};
use trackline_server::store::StoreError;
use trackline_server::Store;

mod support;

const SERVER: &str = env!("CARGO_BIN_EXE_trackline-server");

fn keys() -> Credentials {
    Credentials {
        client_id: "123456".into(),
        api_key: "ozon-secret-api-key".into(),
    }
}

async fn reopen(url: &str, key: Option<SecretKey>) -> Result<Store, StoreError> {
    Store::open(url)
        .await
        .expect("the store opens")
        .with_secret_key(key)
        .await
}

#[tokio::test]
async fn an_ozon_key_is_sealed_at_rest_and_opens_only_with_the_servers_key() {
    let dir = tempdir("sealed");
    let url = support::fresh_url(Some(&dir)).await;
    let key = support::test_secret_key();
    let store = reopen(&url, Some(key.clone())).await.unwrap();
    let (seller, _) = store.add_seller("Ozon shop").await.unwrap();
    store
        .set_ozon_credentials(seller, Some(&keys()))
        .await
        .unwrap();
    let kept: String = sqlx::query_scalar("SELECT ozon_api_key FROM sellers WHERE id = $1")
        .bind(seller.0)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(!kept.contains("ozon-secret-api-key"), "{kept}");
    assert_eq!(store.ozon_credentials(seller).await.unwrap(), Some(keys()));
    // Started again with the same key: readable. With another, or none: refused, and said why.
    let again = reopen(&url, Some(key)).await.unwrap();
    assert_eq!(again.ozon_credentials(seller).await.unwrap(), Some(keys()));
    let wrong = reopen(&url, Some(SecretKey::generate().unwrap())).await;
    assert!(matches!(
        wrong,
        Err(StoreError::Secret(SecretError::WrongKey))
    ));
    let none = reopen(&url, None).await;
    assert!(matches!(none, Err(StoreError::SecretKeyMissing)));
    let said = StoreError::SecretKeyMissing.to_string();
    assert!(said.contains("TRACKLINE_SECRET_KEY"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn keys_kept_in_plain_text_by_an_older_version_are_sealed_at_start() {
    let dir = tempdir("legacy");
    let url = support::fresh_url(Some(&dir)).await;
    let store = reopen(&url, None).await.unwrap();
    let (seller, _) = store.add_seller("Old shop").await.unwrap();
    sqlx::query("UPDATE sellers SET ozon_client_id = '123456', ozon_api_key = 'ozon-secret-api-key' WHERE id = $1")
        .bind(seller.0)
        .execute(store.pool())
        .await
        .unwrap();
    // Without a key an instance that holds secrets does not start.
    assert!(matches!(
        reopen(&url, None).await,
        Err(StoreError::SecretKeyMissing)
    ));
    let sealed = reopen(&url, Some(support::test_secret_key()))
        .await
        .unwrap();
    let kept: String = sqlx::query_scalar("SELECT ozon_api_key FROM sellers WHERE id = $1")
        .bind(seller.0)
        .fetch_one(sealed.pool())
        .await
        .unwrap();
    assert!(kept.starts_with("v1:"), "{kept}");
    assert_eq!(sealed.ozon_credentials(seller).await.unwrap(), Some(keys()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_server_without_a_key_keeps_no_provider_keys_and_says_so() {
    let store = reopen(&support::fresh_url(None).await, None).await.unwrap();
    let (_, token) = store.add_seller("Ozon shop").await.unwrap();
    let put = request(
        Method::PUT,
        "/api/v1/seller/ozon",
        &[("authorization", &bearer(&token))],
        Some(&json!({"client_id": "123456", "api_key": "k"})),
    );
    let reply = send(&support::app(&store), put).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["field"], "ozon");
    assert!(reply.text.contains("secret key"), "{}", reply.text);
}

#[tokio::test]
async fn a_wrong_key_stops_the_process_at_start_with_a_clear_message() {
    let dir = tempdir("wrong-key");
    let url = support::fresh_url(Some(&dir)).await;
    let store = reopen(&url, Some(support::test_secret_key()))
        .await
        .unwrap();
    let (seller, _) = store.add_seller("Ozon shop").await.unwrap();
    store
        .set_ozon_credentials(seller, Some(&keys()))
        .await
        .unwrap();
    store.pool().close().await;
    for key in [Some(SecretKey::generate().unwrap().to_base64()), None] {
        let mut command = tokio::process::Command::new(SERVER);
        command
            .args(["--addr", "127.0.0.1:0", "--database", &url])
            .env("RUST_LOG", "warn");
        if let Some(key) = &key {
            command.env("TRACKLINE_SECRET_KEY", key);
        }
        let output = tokio::time::timeout(std::time::Duration::from_secs(30), command.output())
            .await
            .expect("the server stops by itself")
            .expect("the server runs");
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{said}");
        assert!(
            said.contains("secret key") && !said.contains("panicked"),
            "{said}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
