//! What one seller's imports may hold of a server many share: at most five kept imports (30
//! previews sent at once leave five), one import applied at a time, one file read at a time
//! (while another seller's is read meanwhile), and a workbook reader's answer bounded.
//! A test binary of its own: the readers' turns are the process's, and these tests take them.
//! Runs on SQLite, and on PostgreSQL with `TRACKLINE_TEST_DATABASE`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::{bearer, seller_call, send_owned, Reply};
use trackline_server::sheet_reader::SheetReader;
use trackline_server::store::imports::{NewImport, Start};
use trackline_server::store::new_id;
use trackline_server::Store;

mod support;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn app_with(store: &Store, sheets: SheetReader) -> Router {
    let mut state = support::state(store);
    state.sheets = sheets;
    trackline_server::app(state)
}

fn app(store: &Store) -> Router {
    app_with(
        store,
        SheetReader {
            program: Some(env!("CARGO_BIN_EXE_trackline-server").into()),
            ..SheetReader::default()
        },
    )
}

async fn upload(app: Router, token: String, content_type: &str, file: Vec<u8>) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/seller/imports")
        .header("authorization", bearer(&token))
        .header("content-type", content_type)
        .body(Body::from(file))
        .expect("a request");
    send_owned(app, request).await
}

fn csv(rows: usize) -> Vec<u8> {
    let mut file = String::from("Номер заказа;Статус\r\n");
    for i in 0..rows {
        file.push_str(&format!("ORD-{i};Доставляется\r\n"));
    }
    file.into_bytes()
}

async fn kept(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM imports")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// A reader program of the test's own: a shell script with `body`, removed when dropped.
struct Script(PathBuf);

impl Script {
    fn new(body: &str) -> Script {
        let path = std::env::temp_dir().join(format!(
            "trackline-reader-{}-{}",
            std::process::id(),
            new_id().unwrap()
        ));
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        let mut permissions = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&path, permissions).unwrap();
        Script(path)
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_previews_at_once_keep_five_and_a_sellers_imports_are_applied_one_at_a_time() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    let uploads: Vec<_> = (0..30)
        .map(|i| tokio::spawn(upload(app.clone(), token.clone(), "text/csv", csv(i + 1))))
        .collect();
    let mut previewed = 0;
    for upload in uploads {
        let reply = upload.await.unwrap();
        match reply.status {
            StatusCode::OK => previewed += 1,
            // The seller's file before it still being read: told when to come back.
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(
                    reply.json()["error"],
                    "import_reader_busy",
                    "{}",
                    reply.text
                );
                assert!(reply.headers.contains_key("retry-after"));
            }
            other => panic!("{other}: {}", reply.text),
        }
    }
    assert!(previewed >= 1);
    assert!(kept(&store).await <= 5, "{} kept", kept(&store).await);
    // Thirty kept at once past the reader: each keeps the newest five, side by side too.
    let keeps: Vec<_> = (0..30)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .keep_import(
                        seller,
                        NewImport {
                            id: new_id().unwrap(),
                            expires_ms: now_ms() + 60_000,
                            total: 0,
                            preview: "{}",
                            planned: "[]",
                            kept_at_most: 5,
                        },
                    )
                    .await
            })
        })
        .collect();
    for keep in keeps {
        keep.await.unwrap().unwrap();
    }
    assert_eq!(kept(&store).await, 5);

    // The previews of the seller's, sent one after another: the newest five are kept.
    let mut ids = Vec::new();
    for rows in 1..=7 {
        let reply = upload(app.clone(), token.clone(), "text/csv", csv(rows)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        ids.push(reply.json()["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(kept(&store).await, 5);
    let (status, _) = seller_call(
        &app,
        Method::GET,
        &format!("/api/v1/seller/imports/{}", ids[1]),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the oldest are forgotten");

    // One import being applied (its job beats): another is refused until it ends.
    let first: i64 = ids[5].parse().unwrap();
    assert_eq!(
        store
            .start_applying(seller, first, now_ms() - 60_000, 60_000)
            .await
            .unwrap(),
        Start::Started
    );
    let (status, body) = seller_call(
        &app,
        Method::POST,
        &format!("/api/v1/seller/imports/{}/apply", ids[6]),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "import_running");
    // Another seller's job is no bar.
    let (_, other_token) = store.add_seller("Other").await.unwrap();
    let reply = upload(app.clone(), other_token.clone(), "text/csv", csv(2)).await;
    let other_id = reply.json()["id"].as_str().unwrap().to_owned();
    let (status, body) = seller_call(
        &app,
        Method::POST,
        &format!("/api/v1/seller/imports/{other_id}/apply"),
        &other_token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // The first one ended: the next is applied.
    store.end_applying(first, None).await.unwrap();
    let (status, body) = seller_call(
        &app,
        Method::POST,
        &format!("/api/v1/seller/imports/{}/apply", ids[6]),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

#[tokio::test]
async fn a_sellers_slow_workbooks_take_one_reader_and_another_seller_is_read_meanwhile() {
    let store = support::fresh_store().await;
    let (_, slow_token) = store.add_seller("Slow").await.unwrap();
    let (_, token) = store.add_seller("Other").await.unwrap();
    // A workbook reader that takes its whole deadline.
    let dawdling = Script::new("exec sleep 30");
    let app = app_with(
        &store,
        SheetReader {
            program: Some(dawdling.0.clone()),
            deadline: Duration::from_secs(20),
            ..SheetReader::default()
        },
    );
    let workbook = b"PK\x03\x04 a workbook that is read slowly".to_vec();
    let first = tokio::spawn(upload(
        app.clone(),
        slow_token.clone(),
        XLSX,
        workbook.clone(),
    ));
    let second = tokio::spawn(upload(app.clone(), slow_token.clone(), XLSX, workbook));
    // One of the slow seller's two is told to come back; the other is read (slowly).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !first.is_finished() && !second.is_finished() {
        assert!(Instant::now() < deadline, "neither was refused");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (refused, reading) = if first.is_finished() {
        (first, second)
    } else {
        (second, first)
    };
    let reply = refused.await.unwrap();
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.text
    );
    assert_eq!(reply.json()["error"], "import_reader_busy");
    assert_eq!(
        reply
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    // Refused before its body is read: a body that never ends is no matter.
    let endless = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/seller/imports")
        .header("authorization", bearer(&slow_token))
        .header("content-type", XLSX)
        .body(Body::from_stream(futures_util::stream::pending::<
            Result<axum::body::Bytes, std::io::Error>,
        >()))
        .expect("a request");
    let reply = tokio::time::timeout(Duration::from_secs(5), send_owned(app.clone(), endless))
        .await
        .expect("refused without reading the body");
    assert_eq!(
        reply.json()["error"],
        "import_reader_busy",
        "{}",
        reply.text
    );
    // Another seller's file is read meanwhile, at once: the slow one holds one turn of two.
    let started = Instant::now();
    let reply = tokio::time::timeout(
        Duration::from_secs(10),
        upload(app.clone(), token.clone(), "text/csv", csv(3)),
    )
    .await
    .expect("another seller's file is read while the slow one is");
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!reading.is_finished(), "the slow one is still being read");
    reading.abort();
}

#[tokio::test]
async fn a_workbook_readers_answer_past_its_bound_is_refused() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    // A reader that answers a sheet whose one cell is 1 MiB past the bound: whole, it would
    // be read (a status text too long), held by the server first.
    let past = trackline_server::sheet_reader::MAX_ANSWER + 1024 * 1024;
    let long = Script::new(&format!(
        "printf '{{\"Ok\":{{\"format\":\"xlsx\",\"header_line\":1,\"header\":[\"Номер заказа\",\"Статус\",\"Комментарий\"],\"rows\":[{{\"line\":2,\"cells\":[\"1\",\"Доставляется\",\"'; \
         head -c {past} /dev/zero | tr '\\0' a; \
         printf '\"]}}]}}}}'"
    ));
    let app = app_with(
        &store,
        SheetReader {
            program: Some(long.0.clone()),
            ..SheetReader::default()
        },
    );
    let reply = upload(app, token, XLSX, b"PK\x03\x04".to_vec()).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(reply.json()["error"], "file_unreadable");
}

fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_millis()).unwrap()
}
