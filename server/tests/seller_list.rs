//! The seller's list of shipments and its bulk write, through the router: filters, search by
//! number as buyers type it, keyset pages, counts, refusals; one seller never sees another's.
//! The plan test holds the first page and a filtered page to indexes led by the seller; the
//! ignored benchmark prints the list's server time in a shop of 100 000 among 1 000 000.
//! Runs on SQLite, and on PostgreSQL with `TRACKLINE_TEST_DATABASE`.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Instant;
use support::seller_call;
use trackline_server::store::sellers::SellerId;
use trackline_server::store::shipment_list::{ListFilter, ListOrder, NumberSearch, StaleAt};
use trackline_server::store::Backend;
use trackline_server::Store;

mod support;

fn parcel(order: &str, tracking: &str, stage: &str) -> Value {
    json!({
        "order_number": order,
        "tracking_number": tracking,
        "stage": stage,
        "updated_at": "2026-11-20T10:00:00+03:00",
        "carrier": {"name": "Russian Post"},
    })
}

async fn get(store: &Store, token: &str, query: &str) -> (StatusCode, Value) {
    seller_call(
        &support::app(store),
        Method::GET,
        &format!("/api/v1/seller/shipments{query}"),
        token,
        None,
    )
    .await
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// Writes a shipment, then waits (with a deadline) for the clock to pass the millisecond it was
/// written in, so that each write of a test has a moment of its own to be sorted by.
async fn put(store: &Store, token: &str, reference: &str, body: Value) {
    put_now(store, token, reference, body).await;
    let written = now_ms();
    let deadline = Instant::now() + std::time::Duration::from_secs(1);
    while now_ms() == written && Instant::now() < deadline {
        tokio::task::yield_now().await;
    }
}

async fn put_now(store: &Store, token: &str, reference: &str, body: Value) {
    let (status, body) = seller_call(
        &support::app(store),
        Method::PUT,
        &format!("/api/v1/seller/shipments/{reference}"),
        token,
        Some(body),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
}

fn references(body: &Value) -> Vec<String> {
    body["shipments"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["reference"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Every reference of the list under `query`, page after page of `limit`, and how many pages.
async fn walk(store: &Store, token: &str, query: &str, limit: usize) -> (Vec<String>, usize) {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 1..=100 {
        let mut uri = format!("?limit={limit}{query}");
        if let Some(cursor) = &cursor {
            uri.push_str(&format!("&cursor={cursor}"));
        }
        let (status, body) = get(store, token, &uri).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        all.extend(references(&body));
        match body["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (all, page),
        }
    }
    panic!("more than 100 pages")
}

#[tokio::test]
async fn the_list_filters_searches_sorts_pages_and_counts() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    put(
        &store,
        &token,
        "b-1",
        parcel("ORD-1", "TRK100000001", "in_transit"),
    )
    .await;
    put(
        &store,
        &token,
        "a-2",
        parcel("ORD-2", "TRK100000002", "in_transit"),
    )
    .await;
    let mut delayed = parcel("ORD-3", "TRK100000003", "arrived");
    delayed["exception"] = json!("delayed");
    delayed["carrier"] = json!({"name": "CDEK"});
    put(&store, &token, "c-3", delayed).await;
    let mut fresh = parcel("ORD-4", "TRK100000004", "ready_for_pickup");
    // Stale is judged by freshness: a pickup point is never stale, whatever its age.
    fresh["updated_at"] = json!("2020-01-01T00:00:00Z");
    put(&store, &token, "d-4", fresh).await;
    sqlx::query("UPDATE shipments SET source = 'cdek' WHERE reference = 'c-3'")
        .execute(store.pool())
        .await
        .unwrap();

    // Last written first by default; created; reference.
    let (status, all) = get(&store, &token, "").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(references(&all), ["d-4", "c-3", "a-2", "b-1"]);
    assert_eq!(all["next"], Value::Null);
    assert_eq!(
        all["counts"],
        json!({"in_transit": 2, "arrived": 1, "ready_for_pickup": 1})
    );
    assert_eq!(all["shipments"][0]["shipment"]["stage"], "ready_for_pickup");
    let (_, by_reference) = get(&store, &token, "?sort=reference").await;
    assert_eq!(references(&by_reference), ["a-2", "b-1", "c-3", "d-4"]);
    // A replace moves it to the top of `updated` and leaves its place in `created`.
    put(
        &store,
        &token,
        "b-1",
        parcel("ORD-1", "TRK100000001", "in_transit"),
    )
    .await;
    let (_, updated) = get(&store, &token, "").await;
    assert_eq!(references(&updated)[0], "b-1");
    let (_, created) = get(&store, &token, "?sort=created").await;
    assert_eq!(references(&created), ["d-4", "c-3", "a-2", "b-1"]);

    // Filters; counts keep every stage but follow the other filters.
    for (query, expected) in [
        ("?stage=in_transit", vec!["b-1", "a-2"]),
        ("?exception=delayed", vec!["c-3"]),
        ("?exception=any", vec!["c-3"]),
        ("?exception=none&sort=reference", vec!["a-2", "b-1", "d-4"]),
        ("?provider=cdek", vec!["c-3"]),
        ("?carrier=cdek", vec!["c-3"]),
        (
            "?carrier=%20Russian%20POST&sort=reference",
            vec!["a-2", "b-1", "d-4"],
        ),
        ("?stale=true&sort=reference", vec!["a-2", "b-1", "c-3"]),
        ("?stale=false", vec!["d-4"]),
        (
            "?created_from=2000-01-01T00:00:00Z&sort=reference",
            vec!["a-2", "b-1", "c-3", "d-4"],
        ),
        ("?created_to=2000-01-01T00:00:00Z", vec![]),
        (
            "?updated_to=2999-01-01T00:00:00%2B03:00&stage=arrived",
            vec!["c-3"],
        ),
    ] {
        let (status, body) = get(&store, &token, query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(references(&body), expected, "{query}");
    }
    let (_, cdek) = get(&store, &token, "?stage=in_transit&provider=cdek").await;
    assert_eq!(cdek["counts"], json!({"arrived": 1}), "{cdek}");

    // Any number, typed as buyers type them (spaces, lower case), or the reference.
    for (typed, expected) in [
        ("trk%20100%20000%20003", "c-3"),
        ("ord-2", "a-2"),
        ("ORD-4", "d-4"),
        ("b-1", "b-1"),
    ] {
        let (status, body) = get(&store, &token, &format!("?q={typed}")).await;
        assert_eq!(status, StatusCode::OK, "{typed}: {body}");
        assert_eq!(references(&body), [expected], "{typed}");
    }

    // Pages of one follow one another, each shipment once, in every order.
    for sort in ["updated", "created", "reference"] {
        let (pages, count) = walk(&store, &token, &format!("&sort={sort}"), 1).await;
        let (_, whole) = get(&store, &token, &format!("?sort={sort}")).await;
        assert_eq!(pages, references(&whole), "{sort}");
        assert_eq!(count, 4, "{sort}");
        // The stale are paged through a statement of their own.
        let (pages, count) = walk(&store, &token, &format!("&stale=true&sort={sort}"), 1).await;
        let (_, whole) = get(&store, &token, &format!("?stale=true&sort={sort}")).await;
        assert_eq!(pages, references(&whole), "stale {sort}");
        assert_eq!(count, 3, "stale {sort}");
    }
}

#[tokio::test]
async fn a_list_without_a_reference_comes_last_in_reference_order() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    put(
        &store,
        &token,
        "z-1",
        parcel("ORD-1", "TRK100000001", "in_transit"),
    )
    .await;
    let unreferenced: Vec<_> = (0..3)
        .map(|i| {
            serde_json::from_value(parcel(&format!("X{i}"), &format!("Y{i}"), "created")).unwrap()
        })
        .collect();
    store.insert_all(seller, &unreferenced).await.unwrap();
    let (all, pages) = walk(&store, &token, "&sort=reference", 1).await;
    assert_eq!(all, ["z-1", "", "", ""]);
    assert_eq!(pages, 4);
}

/// A row as an older version wrote it: none of migration 0024's or 0027's columns.
async fn an_old_row(store: &Store, seller: SellerId, id: i64, reference: &str) {
    sqlx::query(
        "INSERT INTO shipments (id, seller_id, reference, stage, updated_at, carrier, pickup_point)
         VALUES ($1, $2, $3, 'in_transit', '2020-01-01T00:00:00Z', '{\"name\":\"CDEK\"}', NULL)",
    )
    .bind(id)
    .bind(seller.0)
    .bind(reference)
    .execute(store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn shipments_stored_before_the_list_columns_are_found_by_the_list_before_the_fill_reaches_them(
) {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    put(&store, &token, "new", parcel("O1", "T1", "in_transit")).await;
    an_old_row(&store, seller, 7, "old").await;
    // No background fill has run: the list fills the seller's own before it reads.
    let (status, stale) = get(&store, &token, "?stale=true&carrier=CDEK").await;
    assert_eq!(status, StatusCode::OK, "{stale}");
    assert_eq!(references(&stale), ["old"], "{stale}");
    let (_, created) = get(&store, &token, "?sort=created").await;
    assert_eq!(references(&created), ["new", "old"]);
}

#[tokio::test]
async fn a_shop_with_more_old_rows_than_a_batch_is_not_ready_until_they_are_filled() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    let (other, other_token) = store.add_seller("Other").await.unwrap();
    let batch = trackline_server::store::shipment_list::FILL_BATCH;
    for n in 0..batch * 2 + 1 {
        an_old_row(&store, seller, 1_000 + n, &format!("old{n}")).await;
    }
    an_old_row(&store, other, 7, "theirs").await;
    // A batch a request: the first two are not ready (Retry-After), the third reads them all.
    for _ in 0..2 {
        let reply = support::send(
            &support::app(&store),
            support::request(
                Method::GET,
                "/api/v1/seller/shipments?stale=true",
                &[("authorization", &support::bearer(&token))],
                None,
            ),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            reply.text
        );
        assert_eq!(reply.json()["error"], "unavailable");
        assert!(reply.headers.contains_key("retry-after"));
    }
    let (status, body) = get(&store, &token, "?stale=true&limit=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["counts"]["in_transit"],
        batch * 2 + 1,
        "every old row is stale and counted: {body}"
    );
    // The other seller's old row was not filled by this seller's list, and is by its own.
    let written: i64 = sqlx::query_scalar("SELECT written_ms FROM shipments WHERE id = 7")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(written, 0);
    // The background fill walks the rest; a second run finds nothing to do.
    assert_eq!(store.fill_list_columns().await.unwrap(), 1);
    assert_eq!(store.fill_list_columns().await.unwrap(), 0);
    let (_, theirs) = get(&store, &other_token, "?stale=true").await;
    assert_eq!(references(&theirs), ["theirs"]);
}

#[tokio::test]
async fn what_the_list_cannot_take_is_refused_naming_the_parameter() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let long = "9".repeat(101);
    let updated_cursor = {
        put(&store, &token, "a", parcel("O1", "T1", "created")).await;
        put(&store, &token, "b", parcel("O2", "T2", "created")).await;
        let (_, body) = get(&store, &token, "?limit=1").await;
        body["next"].as_str().expect("a next page").to_owned()
    };
    for (query, field) in [
        ("?stage=lost", "stage"),
        ("?exception=late", "exception"),
        ("?provider=dhl", "provider"),
        ("?stale=yes", "stale"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=-1", "limit"),
        ("?limit=99999999999999999999999", "limit"),
        ("?sort=price", "sort"),
        ("?created_from=yesterday", "created_from"),
        ("?updated_to=2026-13-01T00:00:00Z", "updated_to"),
        ("?q=%20%20", "q"),
        (&format!("?q={long}"), "q"),
        ("?carrier=", "carrier"),
        ("?cursor=%%%", "cursor"),
        ("?cursor=bm90LmEuY3Vyc29y", "cursor"),
        ("?stag=created", "stag"),
        (
            &format!("?sort=reference&cursor={updated_cursor}"),
            "cursor",
        ),
        (&format!("?cursor={}", "A".repeat(5000)), "cursor"),
        ("?stage=created&stage=packed", "stage"),
    ] {
        let (status, body) = get(&store, &token, query).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"], "invalid", "{query}");
        assert_eq!(body["field"], field, "{query}: {body}");
    }
    let (status, _) = seller_call(
        &support::app(&store),
        Method::GET,
        "/api/v1/seller/shipments",
        "tl_not_a_token",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_seller_never_lists_another_sellers_shipments_even_with_its_cursor() {
    let store = support::fresh_store().await;
    let (_, mine) = store.add_seller("Mine").await.unwrap();
    let (_, theirs) = store.add_seller("Theirs").await.unwrap();
    for i in 0..3 {
        put(
            &store,
            &mine,
            &format!("m-{i}"),
            parcel(
                &format!("MINE{i}"),
                &format!("TRK20000000{i}"),
                "in_transit",
            ),
        )
        .await;
        put(
            &store,
            &theirs,
            &format!("t-{i}"),
            parcel(
                &format!("THEIRS{i}"),
                &format!("TRK30000000{i}"),
                "in_transit",
            ),
        )
        .await;
    }
    // Their list, every filter and search, never shows mine; their counts do not count mine.
    let (_, all) = get(&store, &theirs, "?limit=200").await;
    assert_eq!(references(&all), ["t-2", "t-1", "t-0"]);
    assert_eq!(all["counts"], json!({"in_transit": 3}));
    for query in [
        "?q=MINE1",
        "?q=TRK200000001",
        "?q=m-1",
        "?stage=in_transit&q=mine0",
        "?sort=reference&q=m-0",
    ] {
        let (status, body) = get(&store, &theirs, query).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(references(&body), Vec::<String>::new(), "{query}");
        assert_eq!(body["counts"], json!({}), "{query}");
    }
    // A cursor from my list, or one forged at any position, is only a place in their own.
    let (_, first) = get(&store, &mine, "?limit=1").await;
    let my_cursor = first["next"].as_str().unwrap().to_owned();
    let (status, resumed) = get(&store, &theirs, &format!("?cursor={my_cursor}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        references(&resumed).iter().all(|r| r.starts_with("t-")),
        "{resumed}"
    );
    use base64::Engine;
    let forge = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    for (sort, forged) in [
        ("updated", forge(&format!("m.{}.{}", i64::MAX, i64::MAX))),
        ("created", forge("m.9223372036854775807.0")),
        ("reference", forge("r.0.a")),
        ("reference", forge("n.-1")),
    ] {
        let (status, body) = get(&store, &theirs, &format!("?sort={sort}&cursor={forged}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let listed = references(&body);
        assert!(
            listed.iter().all(|r| r.starts_with("t-") || r.is_empty()),
            "{sort}: {body}"
        );
    }
}

#[tokio::test]
async fn a_bulk_write_checks_every_item_first_then_writes_each() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let app = support::app(&store);
    let uri = "/api/v1/seller/shipments";
    put(&store, &token, "p-0", parcel("O0", "T0", "created")).await;
    let mut items: Vec<Value> = (0..5)
        .map(|i| {
            let mut item = parcel(&format!("O{i}"), &format!("T{i}"), "packed");
            item["reference"] = json!(format!("p-{i}"));
            item
        })
        .collect();
    // One bad item anywhere refuses the whole request, naming it; nothing is written.
    for (index, field, bad) in [
        (3, "[3].stage", json!({"stage": "lost"})),
        (4, "[4].reference", json!({"reference": "a b"})),
        (2, "[2].reference", json!({"reference": 7})),
        (1, "[1].phone", json!({"phone": "+79990000000"})),
        (2, "[2].reference", json!({"reference": "p-1"})),
    ] {
        let mut sent = items.clone();
        for (key, value) in bad.as_object().unwrap() {
            sent[index][key] = value.clone();
        }
        let (status, body) = seller_call(&app, Method::PUT, uri, &token, Some(json!(sent))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(body["field"], field, "{body}");
        let (_, listed) = get(&store, &token, "").await;
        assert_eq!(references(&listed), ["p-0"], "nothing written for {field}");
    }
    for (body, field) in [(json!([]), ""), (json!(vec![items[0].clone(); 1001]), "")] {
        let (status, answer) = seller_call(&app, Method::PUT, uri, &token, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"], "invalid");
        assert_eq!(
            answer.get("field").and_then(Value::as_str).unwrap_or(""),
            field
        );
    }
    items[1]["exception"] = json!("delayed");
    let (status, body) = seller_call(&app, Method::PUT, uri, &token, Some(json!(items))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["results"][0],
        json!({"reference": "p-0", "written": "replaced"})
    );
    assert_eq!(
        body["results"][4],
        json!({"reference": "p-4", "written": "created"})
    );
    let (_, listed) = get(&store, &token, "?stage=packed").await;
    assert_eq!(listed["counts"], json!({"packed": 5}));
    let (_, delayed) = get(&store, &token, "?exception=delayed").await;
    assert_eq!(references(&delayed), ["p-1"]);
}

/// Fills `seller` with `count` shipments in multi-row statements, ids from `first_id` on: a
/// tenth each of eight stages and a few exceptions, every fifth polled from CDEK, written at
/// one moment a second apart, stale or not.
async fn fill(store: &Store, seller: SellerId, count: i64, first_id: i64) {
    const STAGES: [&str; 8] = [
        "created",
        "packed",
        "handed_over",
        "in_transit",
        "arrived",
        "out_for_delivery",
        "ready_for_pickup",
        "delivered",
    ];
    let base: i64 = 1_700_000_000_000;
    let mut done = 0;
    while done < count {
        let rows: Vec<String> = (done..(done + 1000).min(count))
            .map(|i| {
                let id = first_id + i;
                let stage = STAGES[(i % 8) as usize];
                let exception = if i % 13 == 0 { "'delayed'" } else { "NULL" };
                let source = if i % 5 == 0 { "'cdek'" } else { "'russian_post'" };
                let stale = if i % 3 == 0 { (base + i).to_string() } else { "NULL".into() };
                format!(
                    "({id}, {seller}, 'r{i}', 'ORD{i}', 'SHP{i}', 'TRK{i}', '{stage}', {exception}, \
                     {source}, {created}, {written}, {stale}, 'russian post')",
                    seller = seller.0,
                    created = base + i * 1000,
                    written = base + i * 1000 + (i % 7),
                )
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO shipments (id, seller_id, reference, order_number, shipment_number, \
             tracking_number, stage, exception, source, created_ms, written_ms, stale_at_ms, \
             carrier_name) VALUES {}",
            rows.join(", ")
        ))
        .execute(store.pool())
        .await
        .expect("the shop is filled");
        done += 1000;
    }
}

async fn analyze(store: &Store) {
    let statement = match store.backend() {
        Backend::Postgres => "VACUUM ANALYZE shipments",
        // The store never runs ANALYZE on SQLite; plans are what production gets without it.
        Backend::Sqlite => return,
    };
    sqlx::query(statement).execute(store.pool()).await.unwrap();
}

fn filtered() -> ListFilter {
    ListFilter {
        stage: Some("in_transit".into()),
        provider: Some("cdek".into()),
        ..ListFilter::default()
    }
}

#[tokio::test]
async fn a_page_and_a_filtered_page_read_an_index_led_by_the_seller() {
    let store = support::fresh_store().await;
    // A tenth of the table, as one shop among many: enough rows that PostgreSQL would rather
    // read the table than an index if the statement let it, with the statistics (and the
    // visibility map) its autovacuum keeps.
    let (seller, _) = store.add_seller("big").await.unwrap();
    fill(&store, seller, 10_000, 1_000_000_000).await;
    for shop in 0..9 {
        let (other, _) = store.add_seller(&format!("other{shop}")).await.unwrap();
        fill(&store, other, 10_000, 2_000_000_000 + shop * 1_000_000).await;
    }
    analyze(&store).await;
    let search = ListFilter {
        search: Some(NumberSearch {
            number: "TRK123".into(),
            reference: "TRK123".into(),
        }),
        ..ListFilter::default()
    };
    for (name, filter, order, counts, index) in [
        (
            "first page",
            ListFilter::default(),
            ListOrder::Written,
            false,
            "shipments_shop_written",
        ),
        (
            "created page",
            ListFilter::default(),
            ListOrder::Created,
            false,
            "shipments_shop_created",
        ),
        (
            "filtered page",
            filtered(),
            ListOrder::Written,
            false,
            "shipments_shop_stage_written",
        ),
        (
            "stale page",
            ListFilter {
                // Nine tenths of the shop's age gone by: the stale are a third of the shop and
                // all of them old, the case where walking the newest first looks cheap to
                // PostgreSQL (3 of 3 runs chose it without the page statement's hidden order).
                stale: Some(StaleAt {
                    stale: true,
                    now_ms: 1_700_000_000_000 + 9_000,
                }),
                ..ListFilter::default()
            },
            ListOrder::Written,
            false,
            "shipments_shop_stale",
        ),
        (
            "counts",
            ListFilter::default(),
            ListOrder::Written,
            true,
            "",
        ),
        (
            "filtered counts",
            filtered(),
            ListOrder::Written,
            true,
            "shipments_shop_counts",
        ),
        (
            "search",
            search.clone(),
            ListOrder::Written,
            false,
            "shipments_shop_tracking_number",
        ),
    ] {
        let plan = store
            .list_plan(seller, &filter, order, counts)
            .await
            .unwrap();
        let text = plan.join("\n");
        println!("{name}:\n{text}");
        if filter.stale.is_some() {
            // The page is chosen from the stale index alone; only its rows are read whole.
            let covered = match store.backend() {
                Backend::Sqlite => "USING COVERING INDEX shipments_shop_stale",
                Backend::Postgres => "Index Only Scan using shipments_shop_stale",
            };
            assert!(
                text.contains(covered),
                "{name} reads every stale row:\n{text}"
            );
        }
        if counts {
            // Counting reads every shipment of the seller through the filters: from the index
            // alone, never row by row from the table.
            let covered = match store.backend() {
                Backend::Sqlite => "USING COVERING INDEX ",
                Backend::Postgres => "Index Only Scan using ",
            };
            assert!(text.contains(covered), "{name} reads the table:\n{text}");
        }
        match store.backend() {
            Backend::Sqlite => {
                // "SCAN shipments" reads the table; "SCAN ... USING INDEX" would read a whole index.
                assert!(
                    !plan
                        .iter()
                        .any(|step| step.starts_with("SCAN") && !step.contains("LIST SUBQUERY")),
                    "{name} scans:\n{text}"
                );
                assert!(
                    text.contains("(seller_id=?"),
                    "{name} is not led by the seller:\n{text}"
                );
                if filter.search.is_some() {
                    // The few found are read by id, not the shop walked in an order.
                    assert!(
                        text.lines()
                            .next()
                            .is_some_and(|first| first.contains("(id=?)")),
                        "{name} walks the shop:\n{text}"
                    );
                }
                assert!(
                    text.contains(&format!("INDEX {index}")) || index.is_empty(),
                    "{name} does not use {index}:\n{text}"
                );
                // A stale page may read the few stale through their index and sort them.
                if filter.search.is_none() && filter.stale.is_none() {
                    assert!(
                        !text.contains("TEMP B-TREE FOR ORDER BY"),
                        "{name} sorts:\n{text}"
                    );
                }
            }
            Backend::Postgres => {
                assert!(
                    !text.contains("Seq Scan"),
                    "{name} reads the whole table:\n{text}"
                );
                assert!(
                    text.contains("seller_id = "),
                    "{name} is not led by the seller:\n{text}"
                );
                assert!(text.contains(index), "{name} does not use {index}:\n{text}");
                if !counts && filter.search.is_none() && filter.stale.is_none() {
                    assert!(!text.contains("Sort"), "{name} sorts:\n{text}");
                }
            }
        }
    }
}

/// A benchmark's query string for its `run`th call.
type Query = Box<dyn Fn(usize) -> String>;

/// p50 and p99 of `runs` calls of `call`, in milliseconds.
async fn percentiles<F, Fut>(runs: usize, mut call: F) -> (f64, f64)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(runs);
    for run in 0..runs {
        let started = Instant::now();
        call(run).await;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    (at(0.50), at(0.99))
}

/// The list route's server time (through the router: the handler, both statements, the JSON)
/// in a shop of 100 000 shipments among 1 000 000: first page, a filtered page (stage and
/// provider), the 100th page of the keyset, and a search by number; `name value unit` lines.
/// `TRACKLINE_TEST_DATABASE=… cargo test -p trackline-server --release --test seller_list -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "a benchmark: fills 1 000 000 shipments and prints figures"]
async fn bench_the_list_in_a_shop_of_100_000_among_1_000_000() {
    let dir = std::env::temp_dir().join(format!("trackline-list-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = support::store_at(&support::fresh_url(Some(&dir)).await).await;
    let backend = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let filling = Instant::now();
    let (seller, token) = store.add_seller("big").await.unwrap();
    fill(&store, seller, 100_000, 1_000_000_000).await;
    for shop in 0..9 {
        let (other, _) = store.add_seller(&format!("other{shop}")).await.unwrap();
        fill(&store, other, 100_000, 2_000_000_000 + shop * 1_000_000).await;
    }
    analyze(&store).await;
    println!(
        "list_fill_{backend} {:.1} s",
        filling.elapsed().as_secs_f64()
    );
    let app = support::app(&store);
    let page = |query: String| {
        let app = app.clone();
        let token = token.clone();
        async move {
            let (status, body) = seller_call(
                &app,
                Method::GET,
                &format!("/api/v1/seller/shipments{query}"),
                &token,
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    // The cursor of the 99th page, to time the 100th.
    let mut cursor = String::new();
    for _ in 0..99 {
        let query = if cursor.is_empty() {
            String::new()
        } else {
            format!("?cursor={cursor}")
        };
        let body = page(query).await;
        cursor = body["next"].as_str().expect("a next page").to_owned();
    }
    let runs = 200;
    let cases: [(&str, Query); 5] = [
        ("first_page", Box::new(|_| String::new())),
        (
            "filtered_page",
            Box::new(|_| "?stage=in_transit&provider=cdek".to_owned()),
        ),
        ("page_100", Box::new(move |_| format!("?cursor={cursor}"))),
        (
            "search",
            Box::new(|run| format!("?q=trk{}", (run * 7919) % 100_000)),
        ),
        // A third of the shop stale: the worst a stale page is asked.
        ("stale_page", Box::new(|_| "?stale=true".to_owned())),
    ];
    for (name, query) in &cases {
        let _warm = page(query(0)).await;
        let (p50, p99) = percentiles(runs, |run| {
            let query = query(run);
            let page = &page;
            async move {
                let body = page(query).await;
                assert!(body["shipments"].as_array().is_some_and(|s| !s.is_empty()));
            }
        })
        .await;
        println!("list_{name}_p50_{backend} {p50:.2} ms");
        println!("list_{name}_p99_{backend} {p99:.2} ms");
    }
    // What the first page costs apart: its statement, the counts, and a statement that reads
    // nothing (the reference for this machine's noise).
    let everything = ListFilter::default();
    let (p50, p99) = percentiles(runs, |_| async {
        store
            .list_shipments(seller, &everything, ListOrder::Written, None, 51)
            .await
            .unwrap();
    })
    .await;
    println!("list_page_statement_p50_{backend} {p50:.2} ms");
    println!("list_page_statement_p99_{backend} {p99:.2} ms");
    let (p50, p99) = percentiles(runs, |_| async {
        store
            .count_shipments_by_stage(seller, &everything)
            .await
            .unwrap();
    })
    .await;
    println!("list_counts_statement_p50_{backend} {p50:.2} ms");
    println!("list_counts_statement_p99_{backend} {p99:.2} ms");
    let (p50, p99) = percentiles(runs, |_| async { store.ping().await.unwrap() }).await;
    println!("reference_select_1_p50_{backend} {p50:.2} ms");
    println!("reference_select_1_p99_{backend} {p99:.2} ms");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_event_appended_while_a_put_holds_the_row_is_kept_not_answered_404() {
    let store = support::fresh_store().await;
    if store.backend() != Backend::Postgres {
        // SQLite has one writer at a time: the append waits for the whole PUT, never its row.
        eprintln!("PostgreSQL only (TRACKLINE_TEST_DATABASE): row locks");
        return;
    }
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    put(&store, &token, "a", parcel("O1", "T1", "in_transit")).await;
    // A PUT's write, open: its row held until it commits.
    let replaced: trackline_core::Shipment =
        serde_json::from_value(parcel("O1", "T1", "arrived")).unwrap();
    let open = store
        .replace_shipment(
            seller,
            "a",
            &replaced,
            &trackline_core::second_factor::SecondFactors::default(),
        )
        .await
        .unwrap();
    let app = support::app(&store);
    let appending = tokio::spawn(async move {
        seller_call(
            &app,
            Method::POST,
            "/api/v1/seller/shipments/a/events",
            &token,
            Some(json!({"events": [{"at": "2026-11-25T10:00:00+03:00",
                                    "stage": "out_for_delivery", "text": "With the courier"}]})),
        )
        .await
    });
    // Until the append waits for the row (bounded).
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the append never waited for the row"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    open.write.commit().await.unwrap();
    let (status, body) = tokio::time::timeout(std::time::Duration::from_secs(10), appending)
        .await
        .expect("the append ends once the PUT commits")
        .unwrap();
    assert!(status.is_success(), "the append was lost: {status} {body}");
    let stored = store.seller_shipment(seller, "a").await.unwrap().unwrap();
    assert_eq!(stored.stage.as_str(), "out_for_delivery");
    assert!(stored.events.iter().any(|e| e.text == "With the courier"));
}

#[tokio::test]
async fn the_31st_of_30_parallel_reads_of_one_seller_is_limited_and_another_seller_is_not() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    let (_, other) = store.add_seller("Other").await.unwrap();
    // The server's burst, refilled slowly enough that no token comes back while they run.
    use trackline_server::http::state::{SellerReads, SELLER_READS};
    use trackline_server::limiter::{Limiter, RateLimit};
    let app = trackline_server::app(trackline_server::http::state::AppState {
        seller_reads: SellerReads(Limiter::new(RateLimit {
            per_minute: 1,
            burst: SELLER_READS.burst,
        })),
        ..support::state(&store)
    });
    let reads = (0..31).map(|n| {
        let app = app.clone();
        let token = token.clone();
        // Half the list, half the queues: one limit for both.
        let path = if n % 2 == 0 {
            "/api/v1/seller/shipments"
        } else {
            "/api/v1/seller/attention"
        };
        async move {
            support::send(
                &app,
                support::request(
                    Method::GET,
                    path,
                    &[("authorization", &support::bearer(&token))],
                    None,
                ),
            )
            .await
        }
    });
    let replies = futures_util::future::join_all(reads).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let limited: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(ok, 30, "the burst is 30");
    assert_eq!(limited.len(), 1, "31 reads at once, the 31st not limited");
    assert_eq!(limited[0].json()["error"], "rate_limited");
    assert!(limited[0].headers.contains_key("retry-after"));
    let (status, _) =
        seller_call(&app, Method::GET, "/api/v1/seller/shipments", &other, None).await;
    assert_eq!(status, StatusCode::OK, "another seller has its own reads");
}

/// What one bulk PUT may queue: 1 000 shipments each moved to a stage that tells three kinds
/// (status_changed, exception_raised, ready_for_pickup) to each of the cap's 20 webhooks.
/// Prints the deliveries queued and the request's time; `… --ignored --nocapture`.
#[tokio::test]
#[ignore = "a measurement: prints what a bulk write queues and how long it takes"]
async fn bench_what_one_bulk_put_queues_for_20_webhooks() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    for n in 0..20 {
        store
            .add_webhook(
                seller,
                &format!("https://hooks{n}.example/in"),
                &trackline_server::change::tells::Kind::ALL,
            )
            .await
            .unwrap();
    }
    let items = |stage: &str, exception: Option<&str>| {
        Value::Array(
            (0..1000)
                .map(|n| {
                    json!({"reference": format!("b-{n}"), "tracking_number": format!("TRK{n}"),
                           "stage": stage, "exception": exception,
                           "updated_at": "2026-11-20T10:00:00+03:00"})
                })
                .collect(),
        )
    };
    let app = support::app(&store);
    for (what, body) in [
        ("created", items("in_transit", None)),
        ("moved", items("ready_for_pickup", Some("delayed"))),
    ] {
        let started = Instant::now();
        let (status, reply) = seller_call(
            &app,
            Method::PUT,
            "/api/v1/seller/shipments",
            &token,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries")
            .fetch_one(store.pool())
            .await
            .unwrap();
        println!(
            "bulk_put_{what} {:.0} ms, deliveries queued so far {queued}",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}

#[tokio::test]
async fn a_bulk_write_waits_while_100_000_messages_of_the_seller_wait_to_be_sent() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    let (_, other) = store.add_seller("Other").await.unwrap();
    let webhook = support::queue_pending(
        &store,
        seller,
        trackline_server::http::seller_list::MAX_WAITING,
    )
    .await;
    let bulk = json!([{"reference": "b-1", "tracking_number": "TRK1", "stage": "packed"}]);
    let app = support::app(&store);
    let (status, body) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments",
        &token,
        Some(bulk.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "rate_limited");
    assert!(store
        .seller_shipment(seller, "b-1")
        .await
        .unwrap()
        .is_none());
    // Another seller's queue is its own.
    let (status, body) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments",
        &other,
        Some(bulk.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Once one is sent, there is room again.
    sqlx::query(
        "UPDATE webhook_deliveries SET state = 'delivered'
         WHERE id = (SELECT MIN(id) FROM webhook_deliveries WHERE webhook_id = $1)",
    )
    .bind(webhook)
    .execute(store.pool())
    .await
    .unwrap();
    let (status, body) = seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments",
        &token,
        Some(bulk),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_list_statement_is_cancelled_after_its_timeout_on_postgres() {
    let store = support::fresh_store().await;
    if store.backend() != Backend::Postgres {
        eprintln!("PostgreSQL only (TRACKLINE_TEST_DATABASE): SQLite has no statement timeout");
        return;
    }
    let mut tx = store.bounded_read().await.unwrap();
    let started = Instant::now();
    let slow = sqlx::query("SELECT pg_sleep(10)")
        .execute(&mut *tx)
        .await
        .expect_err("a statement past the timeout is cancelled");
    let code = match &slow {
        sqlx::Error::Database(db) => db.code().map(|code| code.into_owned()),
        _ => None,
    };
    assert_eq!(code.as_deref(), Some("57014"), "{slow}");
    let waited = started.elapsed().as_millis();
    assert!(
        (1_900..9_000).contains(&waited),
        "cancelled after {waited} ms, not the list's 2 s"
    );
}
