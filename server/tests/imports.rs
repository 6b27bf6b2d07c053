//! The import and export routes through the router: a Windows-1251 `;` CSV and an XLSX
//! previewed with their refusals, applied in the background and listed; applying twice and
//! importing the same file twice change nothing; another seller's import is not found; the
//! file's limits and the workbook reader's (a reader that crashes, swells or dawdles is a
//! refused file, and the server answers the next request); the export read back unchanged,
//! with formulas escaped. The ignored benchmark imports 10 000 rows end to end.
//! Runs on SQLite, and on PostgreSQL with `TRACKLINE_TEST_DATABASE`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{bearer, seller_call, send, Reply};
use trackline_server::sheet_reader::SheetReader;
use trackline_server::store::imports::Start;
use trackline_server::store::sellers::SellerId;
use trackline_server::Store;

mod support;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The server's own binary reads workbooks, as `main` would run it.
fn reader() -> SheetReader {
    SheetReader {
        program: Some(env!("CARGO_BIN_EXE_trackline-server").into()),
        ..SheetReader::default()
    }
}

fn app_with(store: &Store, sheets: SheetReader) -> Router {
    let mut state = support::state(store);
    state.sheets = sheets;
    trackline_server::app(state)
}

fn app(store: &Store) -> Router {
    app_with(store, reader())
}

async fn upload(
    app: &Router,
    token: &str,
    query: &str,
    content_type: &str,
    file: Vec<u8>,
) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/seller/imports{query}"))
        .header("authorization", bearer(token))
        .header("content-type", content_type)
        .body(Body::from(file))
        .expect("a request");
    send(app, request).await
}

async fn preview(app: &Router, token: &str, content_type: &str, file: Vec<u8>) -> Value {
    let reply = upload(app, token, "", content_type, file).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()
}

/// Applies the import and waits (with a deadline) until it is applied.
async fn apply(app: &Router, token: &str, id: &str) -> Value {
    let uri = format!("/api/v1/seller/imports/{id}/apply");
    let (status, body) = seller_call(app, Method::POST, &uri, token, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let uri = format!("/api/v1/seller/imports/{id}");
        let (status, body) = seller_call(app, Method::GET, &uri, token, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        match body["state"].as_str() {
            Some("applied") => return body,
            Some("applying") => {}
            _ => panic!("{body}"),
        }
        assert!(Instant::now() < deadline, "not applied in time: {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn counts(preview: &Value) -> [u64; 5] {
    ["created", "changed", "unchanged", "repeated", "refused"]
        .map(|kind| preview["counts"][kind].as_u64().unwrap_or(u64::MAX))
}

async fn list(app: &Router, token: &str) -> Value {
    let (status, body) = seller_call(
        app,
        Method::GET,
        "/api/v1/seller/shipments?sort=reference&limit=200",
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn references(list: &Value) -> Vec<&str> {
    list["shipments"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["reference"].as_str())
        .collect()
}

async fn export(app: &Router, token: &str, query: &str) -> Reply {
    let request = Request::builder()
        .uri(format!("/api/v1/seller/shipments.csv{query}"))
        .header("authorization", bearer(token))
        .body(Body::empty())
        .expect("a request");
    send(app, request).await
}

#[tokio::test]
async fn a_windows_1251_csv_is_previewed_with_refusals_applied_listed_and_idempotent() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    let file = fixture("ozon-postings-1251.csv");

    let first = preview(&app, &token, "text/csv", file.clone()).await;
    assert_eq!(first["format"], "csv");
    assert_eq!(first["encoding"], "windows1251");
    assert_eq!(first["separator"], ";");
    assert_eq!(first["keyed_by"], "shipment_number");
    assert_eq!(counts(&first), [5, 0, 0, 1, 4]);
    let refused: Vec<(u64, &str)> = first["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["refusal"]["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        [
            (8, "unknown_status"),
            (9, "bad_number"),
            (10, "no_reference"),
            (11, "conflict")
        ]
    );
    assert_eq!(first["refused"][0]["refusal"]["text"], "Потерян курьером");
    // Nothing is written by a preview.
    assert!(references(&list(&app, &token).await).is_empty());

    let id = first["id"].as_str().unwrap();
    let applied = apply(&app, &token, id).await;
    assert_eq!(
        (applied["done"].as_i64(), applied["total"].as_i64()),
        (Some(5), Some(5))
    );
    assert_eq!(applied["refused"].as_array().map(Vec::len), Some(4));
    let listed = list(&app, &token).await;
    assert_eq!(
        references(&listed),
        [
            "0123456789-0001-1",
            "0123456790-0002-1",
            "0123456791-0003-1",
            "0123456792-0004-1",
            "0123456793-0005-2"
        ]
    );

    // Applying again, and the same file again, change nothing.
    let again = apply(&app, &token, id).await;
    assert_eq!(again["state"], "applied");
    let second = preview(&app, &token, "text/csv", file).await;
    assert_eq!(counts(&second), [0, 0, 5, 1, 4]);
    apply(&app, &token, second["id"].as_str().unwrap()).await;
    assert_eq!(list(&app, &token).await, listed);

    // A row that moves a status is a change, with what changes; an empty cell keeps the stored value.
    let moved = "Номер отправления;Статус;Служба доставки\r\n0123456789-0001-1;Доставлен;\r\n";
    let third = preview(&app, &token, "text/csv", moved.as_bytes().to_vec()).await;
    assert_eq!(counts(&third), [0, 1, 0, 0, 0]);
    assert_eq!(third["changed"][0]["changes"], json!(["stage"]));
    apply(&app, &token, third["id"].as_str().unwrap()).await;
    let (_, shipment) = seller_call(
        &app,
        Method::GET,
        "/api/v1/seller/shipments/0123456789-0001-1",
        &token,
        None,
    )
    .await;
    assert_eq!(shipment["shipment"]["stage"], "delivered");
    assert_eq!(shipment["shipment"]["tracking_number"], "RA644000014RU");
}

#[tokio::test]
async fn an_xlsx_is_previewed_through_the_reader_process_and_applied() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, name) in ["Номер заказа", "Трек-номер", "Статус", "Телефон"]
        .iter()
        .enumerate()
    {
        sheet.write(0, column as u16, *name).unwrap();
    }
    let rows = [
        ("A1", "RA644000014RU", "Доставляется", "+7 900 123-45-67"),
        ("A2", "", "Доставлен", ""),
        ("A3", "", "Непонятно", ""),
    ];
    for (i, (order, track, status, phone)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (column, value) in [order, track, status, phone].iter().enumerate() {
            if !value.is_empty() {
                sheet.write(row, column as u16, **value).unwrap();
            }
        }
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let shown = preview(&app, &token, XLSX, bytes.clone()).await;
    assert_eq!(shown["format"], "xlsx");
    assert_eq!(counts(&shown), [2, 0, 0, 0, 1]);
    assert_eq!(shown["refused"][0]["line"], 4);
    apply(&app, &token, shown["id"].as_str().unwrap()).await;
    assert_eq!(references(&list(&app, &token).await), ["A1", "A2"]);
    // The buyer's check is compared by its hash: the same phone is no change.
    let again = preview(&app, &token, XLSX, bytes).await;
    assert_eq!(counts(&again), [0, 0, 2, 0, 1]);
}

#[tokio::test]
async fn columns_the_guess_missed_are_mapped_by_hand() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    let file = "Номер заказа;Статус;ШПИ-код посылки\nB1;Доставляется;RA644000014RU\n";
    let guessed = preview(&app, &token, "text/csv", file.as_bytes().to_vec()).await;
    assert_eq!(guessed["columns"][2]["field"], Value::Null);
    assert_eq!(guessed["columns"][2]["header"], "ШПИ-код посылки");
    let reply = upload(
        &app,
        &token,
        "?mapping=tracking_number:2",
        "text/csv",
        file.as_bytes().to_vec(),
    )
    .await;
    let mapped = reply.json();
    assert_eq!(
        mapped["columns"][2]["field"], "tracking_number",
        "{}",
        reply.text
    );
    apply(&app, &token, mapped["id"].as_str().unwrap()).await;
    let (_, shipment) = seller_call(
        &app,
        Method::GET,
        "/api/v1/seller/shipments/B1",
        &token,
        None,
    )
    .await;
    assert_eq!(shipment["shipment"]["tracking_number"], "RA644000014RU");
    for bad in [
        "?mapping=nonsense:2",
        "?mapping=status:99",
        "?mapping=status",
    ] {
        let reply = upload(&app, &token, bad, "text/csv", file.as_bytes().to_vec()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(reply.json()["field"], "mapping");
    }
}

#[tokio::test]
async fn another_sellers_import_is_not_found() {
    let store = support::fresh_store().await;
    let (_, owner) = store.add_seller("Owner").await.unwrap();
    let (_, impostor) = store.add_seller("Impostor").await.unwrap();
    let app = app(&store);
    let shown = preview(&app, &owner, "text/csv", fixture("ozon-postings-1251.csv")).await;
    let id = shown["id"].as_str().unwrap();
    for (method, uri) in [
        (Method::GET, format!("/api/v1/seller/imports/{id}")),
        (Method::POST, format!("/api/v1/seller/imports/{id}/apply")),
        (
            Method::GET,
            "/api/v1/seller/imports/not-a-number".to_owned(),
        ),
    ] {
        let (status, body) = seller_call(&app, method, &uri, &impostor, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
        assert_eq!(body["error"], "import_not_found");
    }
    // The impostor's apply wrote nothing, and the owner's import is still there to apply.
    assert!(references(&list(&app, &owner).await).is_empty());
    assert!(references(&list(&app, &impostor).await).is_empty());
    let (status, _) = seller_call(
        &app,
        Method::GET,
        &format!("/api/v1/seller/imports/{id}"),
        &owner,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Without a token, nothing.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/seller/imports")
        .header("content-type", "text/csv")
        .body(Body::from(fixture("ozon-postings-1251.csv")))
        .unwrap();
    assert_eq!(send(&app, request).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn files_beyond_the_limits_are_refused_with_typed_reasons() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    let reply = upload(
        &app,
        &token,
        "",
        "text/csv",
        vec![b'a'; trackline_server::import::MAX_FILE_BYTES + 1],
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text
    );
    assert_eq!(reply.json()["error"], "file_too_large");

    // Past axum's default limit of 2 MB, within the route's own.
    let mut big = String::from("Номер заказа;Статус;Товар\n");
    for i in 0..100 {
        big.push_str(&format!("C{i};Доставлен;{}\n", "x".repeat(50_000)));
    }
    assert!(big.len() > 4 * 1024 * 1024);
    let reply = upload(&app, &token, "", "text/csv", big.into_bytes()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(counts(&reply.json())[0], 100);

    let reply = upload(
        &app,
        &token,
        "",
        "text/csv",
        fixture("unknown-encoding.csv"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["error"], "file_unknown_encoding");
    assert_eq!(
        reply.json()["message"],
        "the file is in an encoding other than UTF-8 or Windows-1251"
    );

    let reply = upload(&app, &token, "", "text/csv", fixture("wrong-header.csv")).await;
    assert_eq!(reply.json()["error"], "file_no_header_row");

    let reply = upload(&app, &token, "", "application/json", b"{}".to_vec()).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.json()["error"], "unsupported_type");
}

/// A workbook of `rows` rows, each naming one shared string of 32 000 characters: tiny as a
/// file, `rows` × 32 kB as text once read.
fn swelling_workbook(rows: u32) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write(0, 0, "Номер заказа").unwrap();
    sheet.write(0, 1, "Статус").unwrap();
    sheet.write(0, 2, "Комментарий").unwrap();
    let long = "я".repeat(16_000);
    for row in 1..=rows {
        sheet.write(row, 0, format!("S-{row}")).unwrap();
        sheet.write(row, 1, "Доставляется").unwrap();
        sheet.write(row, 2, long.as_str()).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_workbook_whose_reader_crashes_swells_or_dawdles_is_refused_and_the_server_goes_on() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    // 1 400 rows of 32 kB: 45 MB of text (within the parser's budget of 64 MiB and the
    // answer's of 48 MiB), past a reader limited to 96 MiB (the binary's own mappings count),
    // well within the default limit, which reads it: the limit, not the file, refuses it.
    let swelling = swelling_workbook(1400);
    assert!(swelling.len() < 1024 * 1024, "{}", swelling.len());
    let small = SheetReader {
        memory: 96 * 1024 * 1024,
        ..reader()
    };
    let reply = upload(
        &app_with(&store, small.clone()),
        &token,
        "",
        XLSX,
        swelling.clone(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["error"], "file_unreadable");
    assert_eq!(reply.json()["message"], "the file could not be read");
    let app = app(&store);
    let read = preview(&app, &token, XLSX, swelling.clone()).await;
    // Read, and each row refused for its comment, longer than a status text may be.
    assert_eq!(counts(&read), [0, 0, 0, 0, 1400]);
    assert_eq!(read["refused"][0]["refusal"]["reason"], "too_long");
    // A small workbook is read under the small limit.
    let fine = preview(&app_with(&store, small), &token, XLSX, swelling_workbook(2)).await;
    assert_eq!(counts(&fine), [0, 0, 0, 0, 2]);

    // A reader that aborts (as the release build does on a panic).
    let aborting = std::env::temp_dir().join(format!(
        "trackline-aborting-reader-{}-{}",
        std::process::id(),
        trackline_server::store::new_id().unwrap()
    ));
    std::fs::write(&aborting, "#!/bin/sh\nkill -ABRT $$\n").unwrap();
    let mut permissions = std::fs::metadata(&aborting).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&aborting, permissions).unwrap();
    let crashing = SheetReader {
        program: Some(aborting.clone()),
        ..reader()
    };
    let reply = upload(
        &app_with(&store, crashing),
        &token,
        "",
        XLSX,
        swelling.clone(),
    )
    .await;
    let _ = std::fs::remove_file(&aborting);
    assert_eq!(reply.json()["error"], "file_unreadable", "{}", reply.text);

    // A reader past its deadline is killed.
    let slow = SheetReader {
        deadline: Duration::from_millis(1),
        ..reader()
    };
    let started = Instant::now();
    let reply = upload(&app_with(&store, slow), &token, "", XLSX, swelling).await;
    assert_eq!(reply.json()["error"], "file_unreadable", "{}", reply.text);
    assert!(started.elapsed() < Duration::from_secs(5));

    // The server answers the next request.
    assert!(list(&app, &token).await["shipments"].is_array());
}

#[tokio::test]
async fn the_export_reads_back_unchanged_with_formulas_escaped() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let (_, other) = store.add_seller("Other").await.unwrap();
    let app = app(&store);
    for (reference, body) in [
        (
            "R-1",
            json!({"order_number": "00123", "tracking_number": "RA644000014RU", "stage": "in_transit",
                   "status_text": "=HYPERLINK(\"http://evil.example\",\"click\")",
                   "carrier": {"name": "+Почта; России", "phone": "8 800"},
                   "estimated_delivery": {"from": "2026-11-25", "to": "2026-11-27"},
                   "pickup_point": {"name": "@ПВЗ", "address": "Москва, ул. \"Тверская\", 1", "hours": "9-21"},
                   "buyer_check": {"phone": "+7 900 123-45-67"}}),
        ),
        (
            "-2",
            json!({"order_number": "O-2", "stage": "delivered", "exception": "delayed"}),
        ),
        (
            "R-3",
            json!({"shipment_number": "12345678-0001-1", "stage": "created"}),
        ),
    ] {
        let uri = format!("/api/v1/seller/shipments/{reference}");
        let (status, body) = seller_call(&app, Method::PUT, &uri, &token, Some(body)).await;
        assert!(status.is_success(), "{body}");
    }
    let (status, _) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/THEIRS",
        &other,
        Some(json!({"order_number": "X", "stage": "created"})),
    )
    .await;
    assert!(status.is_success());

    let reply = export(&app, &token, "?sort=reference").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(reply.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = reply.text.as_str();
    assert!(text.starts_with('\u{feff}'), "a byte order mark for Excel");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("Reference;Order number;"));
    assert!(!text.contains("THEIRS"));
    // Formulas escaped, digits kept as text, the separator quoted.
    assert!(lines[1].starts_with("'-2;"), "{}", lines[1]);
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
        "{text}"
    );
    assert!(text.contains("\"'+Почта; России\""), "{text}");
    assert!(text.contains(";'@ПВЗ;"), "{text}");
    assert!(text.contains("\"=\"\"00123\"\"\""), "{text}");
    for line in &lines {
        for cell in line.split(';') {
            let cell = cell.trim_matches('"');
            assert!(
                !cell.starts_with(['+', '-', '@'])
                    && (!cell.starts_with('=') || cell.starts_with("=\"\"")),
                "{cell} in {line}"
            );
        }
    }

    // Read back: nothing changes.
    let back = preview(&app, &token, "text/csv", reply.text.into_bytes()).await;
    assert_eq!(counts(&back), [0, 0, 3, 0, 0], "{back}");

    // The list's filters hold.
    let delivered = export(&app, &token, "?stage=delivered").await;
    assert_eq!(delivered.text.lines().count(), 2, "{}", delivered.text);
    let refused = export(&app, &token, "?stage=nonsense").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_export_walks_a_shop_page_by_page() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    // More than a page of the export's (500), written in bulk.
    for batch in 0..2 {
        let items: Vec<Value> = (0..600)
            .map(|i| json!({"reference": format!("P-{batch}-{i:04}"), "order_number": format!("N{batch}{i}"), "stage": "created"}))
            .collect();
        let (status, body) = seller_call(
            &app,
            Method::PUT,
            "/api/v1/seller/shipments",
            &token,
            Some(Value::Array(items)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let reply = export(&app, &token, "").await;
    let lines: Vec<&str> = reply.text.lines().collect();
    assert_eq!(lines.len(), 1201);
    let mut references: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(';').next().unwrap())
        .collect();
    references.sort_unstable();
    references.dedup();
    assert_eq!(references.len(), 1200, "each shipment once");
}

/// The check digit of a UPU S10 number's eight digits.
fn s10_check_digit(digits: u32) -> u32 {
    let weights = [8, 6, 4, 2, 3, 5, 9, 7];
    let text = format!("{digits:08}");
    let sum: u32 = text
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        check => check,
    }
}

/// `name value unit` lines: a 10 000-row file previewed and applied through the router.
#[tokio::test]
#[ignore = "a benchmark: cargo test --release --test imports -- --ignored --nocapture"]
async fn bench_an_import_of_10_000_rows() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    let backend =
        if std::env::var("TRACKLINE_TEST_DATABASE").is_ok_and(|u| u.starts_with("postgres")) {
            "postgres"
        } else {
            "sqlite"
        };
    let mut file = String::from(
        "Номер заказа;Номер отправления;Статус;Трек-номер;Служба доставки;Дата доставки\r\n",
    );
    for i in 0..10_000 {
        let n = 10_000_000 + i;
        file.push_str(&format!(
            "{n:08};{n:08}-0001-1;Доставляется;RA{n:08}{}RU;Почта России;25.11.2026\r\n",
            s10_check_digit(n)
        ));
    }
    let bytes = file.into_bytes();
    let started = Instant::now();
    let shown = preview(&app, &token, "text/csv", bytes.clone()).await;
    let previewed = started.elapsed();
    assert_eq!(counts(&shown)[0], 10_000, "{}", shown["refused"][0]);
    apply(&app, &token, shown["id"].as_str().unwrap()).await;
    let total = started.elapsed();
    println!(
        "import_10000_preview_{backend} {:.2} s",
        previewed.as_secs_f64()
    );
    println!(
        "import_10000_end_to_end_{backend} {:.2} s",
        total.as_secs_f64()
    );
    let again = Instant::now();
    let shown = preview(&app, &token, "text/csv", bytes).await;
    assert_eq!(counts(&shown)[2], 10_000);
    apply(&app, &token, shown["id"].as_str().unwrap()).await;
    println!(
        "import_10000_again_unchanged_{backend} {:.2} s",
        again.elapsed().as_secs_f64()
    );
}

#[tokio::test]
async fn a_job_that_died_is_taken_up_again_and_an_expired_preview_is_gone() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    let shown = preview(&app, &token, "text/csv", fixture("ozon-postings-1251.csv")).await;
    let id = shown["id"].as_str().unwrap();
    let number: i64 = id.parse().unwrap();
    // A job took it and died with its instance after two rows: its beat stopped long ago.
    assert_eq!(
        store
            .start_applying(seller, number, 0, 60_000)
            .await
            .unwrap(),
        Start::Started
    );
    store.import_progress(number, 2).await.unwrap();
    sqlx::query("UPDATE imports SET beat_ms = 0 WHERE id = $1")
        .bind(number)
        .execute(store.pool())
        .await
        .unwrap();
    let (_, body) = seller_call(
        &app,
        Method::GET,
        &format!("/api/v1/seller/imports/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(
        (body["state"].as_str(), body["done"].as_i64()),
        (Some("applying"), Some(2))
    );
    // Applying again takes it up (from its first row: what the dead job wrote is unchanged).
    let applied = apply(&app, &token, id).await;
    assert_eq!(applied["done"], 5);
    assert_eq!(references(&list(&app, &token).await).len(), 5);
    // An applied import starts no job again.
    assert_eq!(
        store
            .start_applying(seller, number, 0, 60_000)
            .await
            .unwrap(),
        Start::Held
    );

    // A preview not applied within its hour is gone.
    let shown = preview(&app, &token, "text/csv", fixture("ozon-postings-1251.csv")).await;
    let id = shown["id"].as_str().unwrap();
    sqlx::query("UPDATE imports SET expires_ms = 1 WHERE id = $1")
        .bind(id.parse::<i64>().unwrap())
        .execute(store.pool())
        .await
        .unwrap();
    let (status, body) = seller_call(
        &app,
        Method::POST,
        &format!("/api/v1/seller/imports/{id}/apply"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn the_export_is_compressed_for_a_browser_that_asks() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    let items: Vec<Value> = (0..30)
        .map(|i| json!({"reference": format!("Z-{i:03}"), "order_number": format!("Z{i}"), "stage": "created"}))
        .collect();
    let (status, body) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments",
        &token,
        Some(Value::Array(items)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Every browser sends it: the compressor polls the body's stream once more after its end
    // (the route once panicked there, and the browser got an empty reply).
    for encoding in ["gzip, deflate, br, zstd", "gzip"] {
        let request = Request::builder()
            .uri("/api/v1/seller/shipments.csv")
            .header("authorization", bearer(&token))
            .header("accept-encoding", encoding)
            .body(Body::empty())
            .expect("a request");
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::OK, "{encoding}");
        assert!(!reply.text.is_empty(), "{encoding}: an empty body");
    }
}

/// A file with the buyers' checks: phones and postcodes whose digits appear nowhere else.
fn file_with_buyers_checks() -> Vec<u8> {
    "Номер заказа;Статус;Телефон;Индекс\r\n\
     ORD-1;Доставляется;+7 (912) 345-67-89;119034\r\n\
     ORD-2;Доставляется;+7 912 000 58 31;620014\r\n"
        .as_bytes()
        .to_vec()
}

#[tokio::test]
async fn a_kept_preview_holds_no_buyers_phone_or_postcode_in_clear_and_expired_ones_are_swept() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store);
    let shown = preview(&app, &token, "text/csv", file_with_buyers_checks()).await;
    assert_eq!(counts(&shown)[0], 2, "{shown}");
    let id: i64 = shown["id"].as_str().unwrap().parse().unwrap();
    let (preview_at_rest, planned_at_rest): (String, String) =
        sqlx::query_as("SELECT preview, planned FROM imports WHERE id = $1")
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap();
    for at_rest in [&preview_at_rest, &planned_at_rest] {
        for clear in ["6789", "5831", "119034", "620014", "ORD-1"] {
            assert!(!at_rest.contains(clear), "{clear} in clear: {at_rest}");
        }
    }
    // Sealed to its row: moved to another import of the same seller, it does not open.
    let other = preview(&app, &token, "text/csv", file_with_buyers_checks()).await;
    let other: i64 = other["id"].as_str().unwrap().parse().unwrap();
    sqlx::query("UPDATE imports SET planned = $1 WHERE id = $2")
        .bind(&planned_at_rest)
        .bind(other)
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(store.kept_import(seller, other).await.unwrap(), None);
    // Applied, the rows write the buyers' checks, and are forgotten.
    apply(&app, &token, &id.to_string()).await;
    let kept = store.kept_import(seller, id).await.unwrap().unwrap();
    assert_eq!(kept.planned, "[]");
    let hashes: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT check_phone_hash, check_postcode_hash FROM shipments WHERE seller_id = $1",
    )
    .bind(seller.0)
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(hashes.len(), 2);
    assert!(hashes.iter().all(|(p, c)| p.is_some() && c.is_some()));

    // Expired previews, and applied imports once their progress has been kept its day, are
    // swept by the store's chores, not only when the next preview comes.
    sqlx::query("UPDATE imports SET expires_ms = 1")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(store.forget_expired_imports(now_ms()).await.unwrap(), 2);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM imports")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
}

fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// A console member's cookie and CSRF token, joined by a password from an invitation.
async fn member_of(store: &Store, app: &Router, seller: SellerId) -> (String, String) {
    const ORIGIN: &str = "http://localhost:8080";
    let (link, _) = trackline_server::http::members::new_invitation(
        store,
        ORIGIN,
        seller,
        trackline_server::store::members::Role::Staff,
    )
    .await
    .unwrap();
    let invitation = link.rsplit_once('=').unwrap().1;
    let body = json!({"invitation": invitation, "name": "Anna", "login": "anna@shop.example",
        "password": "correct horse battery"});
    let headers = [("content-type", "application/json"), ("origin", ORIGIN)];
    let joined = send(
        app,
        support::request(
            Method::POST,
            "/api/v1/console/passwords/register",
            &headers,
            Some(&body),
        ),
    )
    .await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.text);
    let cookie = joined.headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    (cookie, joined.json()["csrf"].as_str().unwrap().to_owned())
}

/// A call from the console's page with the member's session.
async fn as_member(
    app: &Router,
    (cookie, csrf): &(String, String),
    uri: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Reply {
    let headers = [
        ("cookie", cookie.as_str()),
        ("origin", "http://localhost:8080"),
        ("x-csrf-token", csrf.as_str()),
        ("content-type", content_type),
    ];
    send(app, support::raw_request(Method::POST, uri, &headers, body)).await
}

#[tokio::test]
async fn a_session_that_expires_mid_import_writes_nothing_half_and_a_started_job_ends() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    let app = app(&store).layer(axum::extract::connect_info::MockConnectInfo(
        std::net::SocketAddr::from(([192, 0, 2, 7], 40000)),
    ));
    let member = member_of(&store, &app, seller).await;
    let file = fixture("ozon-postings-1251.csv");
    let shown = as_member(&app, &member, "/api/v1/seller/imports", "text/csv", file).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    let id = shown.json()["id"].as_str().unwrap().to_owned();
    // The session expires between the preview and the apply: nothing is written.
    sqlx::query("UPDATE member_sessions SET seen_ms = 0")
        .execute(store.pool())
        .await
        .unwrap();
    let apply_uri = format!("/api/v1/seller/imports/{id}/apply");
    let refused = as_member(
        &app,
        &member,
        &apply_uri,
        "application/json",
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);
    assert!(references(&list(&app, &token).await).is_empty());
    let (_, progress) = seller_call(
        &app,
        Method::GET,
        &format!("/api/v1/seller/imports/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(progress["state"], "previewed");
    // Signed in again and applied, the session ends at once: the job writes every row.
    let member = member_of_again(&app).await;
    let started = as_member(
        &app,
        &member,
        &apply_uri,
        "application/json",
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text);
    sqlx::query("DELETE FROM member_sessions")
        .execute(store.pool())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, progress) = seller_call(
            &app,
            Method::GET,
            &format!("/api/v1/seller/imports/{id}"),
            &token,
            None,
        )
        .await;
        if progress["state"] == "applied" {
            assert_eq!(progress["done"], 5);
            break;
        }
        assert_eq!(progress["state"], "applying", "{progress}");
        assert!(Instant::now() < deadline, "not applied in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(references(&list(&app, &token).await).len(), 5);
}

/// Anna signs in again with her password.
async fn member_of_again(app: &Router) -> (String, String) {
    let body = json!({"login": "anna@shop.example", "password": "correct horse battery"});
    let headers = [
        ("content-type", "application/json"),
        ("origin", "http://localhost:8080"),
    ];
    let signed = send(
        app,
        support::request(
            Method::POST,
            "/api/v1/console/passwords/sign-in",
            &headers,
            Some(&body),
        ),
    )
    .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text);
    let cookie = signed.headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    (cookie, signed.json()["csrf"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_import_waits_while_100_000_messages_of_the_seller_wait_to_be_sent() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    let (_, other) = store.add_seller("Other").await.unwrap();
    let app = app(&store);
    let file = "Номер заказа;Трек-номер;Статус\n1001;RA644000001RU;Доставляется\n";
    let shown = preview(&app, &token, "text/csv", file.as_bytes().to_vec()).await;
    let id = shown["id"].as_str().unwrap().to_owned();
    support::queue_pending(
        &store,
        seller,
        trackline_server::http::seller_list::MAX_WAITING,
    )
    .await;
    let uri = format!("/api/v1/seller/imports/{id}/apply");
    let (status, body) = seller_call(&app, Method::POST, &uri, &token, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "rate_limited");
    let (_, listed) =
        seller_call(&app, Method::GET, "/api/v1/seller/shipments", &token, None).await;
    assert_eq!(listed["shipments"], json!([]), "nothing applied");
    // Another seller's queue is its own.
    let theirs = preview(&app, &other, "text/csv", file.as_bytes().to_vec()).await;
    apply(&app, &other, theirs["id"].as_str().unwrap()).await;
}
