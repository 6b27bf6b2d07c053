//! The public lookup finds a number with one probe of a number index per kind of number,
//! whatever the size of the seller: a seller's age, or a stream of random numbers (each a cache
//! miss), must not make a lookup read every shipment of the seller. Runs on SQLite, and on
//! PostgreSQL under `cargo xtask test`; the ignored benchmark prints what a lookup costs.

use std::time::Instant;
use trackline_core::TrackingQuery;
use trackline_server::store::sellers::SellerId;
use trackline_server::store::Backend;
use trackline_server::Store;

mod support;

/// Fills the seller with `count` shipments (order `ORD<i>`, shipment `SHP<i>`, tracking
/// `TRK<i>`, reference `r<i>`) in one statement, ids from `first_id` on.
async fn fill(store: &Store, seller: SellerId, count: i64, first_id: i64) {
    sqlx::query(
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO shipments (id, seller_id, reference, order_number, shipment_number,
                                tracking_number, stage)
         SELECT $2 + i, $3, 'r' || CAST(i AS TEXT), 'ORD' || CAST(i AS TEXT),
                'SHP' || CAST(i AS TEXT), 'TRK' || CAST(i AS TEXT), 'in_transit'
         FROM n",
    )
    .bind(count)
    .bind(first_id)
    .bind(seller.0)
    .execute(store.pool())
    .await
    .expect("the shop is filled");
}

fn number(text: &str) -> TrackingQuery {
    TrackingQuery::parse(text).expect("a number the test wrote")
}

/// Mean time of `find` over `numbers`, in microseconds.
async fn mean_find_us(store: &Store, seller: SellerId, numbers: &[TrackingQuery]) -> f64 {
    let started = Instant::now();
    for number in numbers {
        store.find(seller, number).await.expect("the store answers");
    }
    started.elapsed().as_secs_f64() * 1e6 / numbers.len() as f64
}

/// The indexes a lookup may probe, and the number each is probed by.
const NUMBER_INDEXES: [(&str, &str); 3] = [
    ("shipments_shop_order_number", "order_number"),
    ("shipments_shop_shipment_number", "shipment_number"),
    ("shipments_shop_tracking_number", "tracking_number"),
];

#[tokio::test]
async fn a_lookup_probes_the_number_indexes_and_never_reads_every_shipment_of_the_seller() {
    let store = support::fresh_store().await;
    let seller = store.add_seller_named("big", Some("big")).await.unwrap().id;
    let other = store
        .add_seller_named("other", Some("other"))
        .await
        .unwrap()
        .id;
    // Enough rows that PostgreSQL's planner would rather read the table than an index if the
    // statement let it, with the statistics its autovacuum keeps. SQLite has none (the store
    // never runs ANALYZE), and plans as it would in production.
    fill(&store, seller, 20_000, 1_000_000_000).await;
    fill(&store, other, 100, 2_000_000_000).await;
    if store.backend() == Backend::Postgres {
        sqlx::query("ANALYZE shipments")
            .execute(store.pool())
            .await
            .unwrap();
    }

    // A shipment whose order number is its tracking number is found once.
    sqlx::query(
        "INSERT INTO shipments (id, seller_id, reference, order_number, tracking_number, stage)
         VALUES (5, $1, 'same', 'SAME1', 'SAME1', 'in_transit')",
    )
    .bind(seller.0)
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(store.find(seller, &number("SAME1")).await.unwrap().len(), 1);
    assert_eq!(
        store.find(seller, &number("SHP123")).await.unwrap().len(),
        1
    );
    assert!(store
        .find(other, &number("SHP20000"))
        .await
        .unwrap()
        .is_empty());
    let plan = store.find_plan(seller, &number("SHP123")).await.unwrap();
    let text = plan.join("\n");
    match store.backend() {
        Backend::Sqlite => {
            assert!(
                !text.contains("SCAN"),
                "a step reads a whole table or index:\n{text}"
            );
            let searches: Vec<&String> = plan.iter().filter(|s| s.contains("SEARCH")).collect();
            assert_eq!(searches.len(), 3, "one probe per kind of number:\n{text}");
            for (index, column) in NUMBER_INDEXES {
                let probe = format!("USING INDEX {index} (seller_id=? AND {column}=?)");
                assert!(
                    searches.iter().any(|search| search.contains(&probe)),
                    "no probe of {index} by shop and number:\n{text}"
                );
            }
        }
        Backend::Postgres => {
            assert!(
                !text.contains("Seq Scan"),
                "a step reads the whole table:\n{text}"
            );
            for (index, column) in NUMBER_INDEXES {
                // "Index Scan using <index>" or "Bitmap Index Scan on <index>", then its condition.
                let probed = plan.windows(2).any(|step| {
                    let scan = &step[0];
                    let condition = &step[1];
                    (scan.contains(&format!("using {index} "))
                        || scan.contains(&format!("on {index} ")))
                        && condition.contains("Index Cond: ((seller_id = ")
                        && condition.contains(&format!("({column} = "))
                });
                assert!(probed, "no probe of {index} by shop and number:\n{text}");
            }
        }
    }
}

/// Time per uncached lookup (`Store::find`, what every cache miss runs) of a seller of 1 000
/// shipments and in one of 100 000, for numbers the seller has and numbers it does not; one
/// `name value unit` line each. `cargo test -p trackline-server --test lookup_plan -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "a benchmark: fills a shop of 100 000 shipments and prints figures"]
async fn bench_uncached_lookup_by_seller_size() {
    let dir = std::env::temp_dir().join(format!("trackline-lookup-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = support::store_at(&support::fresh_url(Some(&dir)).await).await;
    let small = store
        .add_seller_named("small", Some("small"))
        .await
        .unwrap()
        .id;
    let big = store.add_seller_named("big", Some("big")).await.unwrap().id;
    fill(&store, small, 1_000, 1_000_000_000).await;
    fill(&store, big, 100_000, 2_000_000_000).await;
    let lookups = 500;
    let missing: Vec<TrackingQuery> = (0..lookups)
        .map(|i| number(&format!("NONE{}", 7_000_000 + i)))
        .collect();
    for (name, seller, size) in [("small", small, 1_000), ("big", big, 100_000)] {
        // Each kind of number the seller has, spread over the seller.
        let present: Vec<TrackingQuery> = (0..lookups)
            .map(|i| {
                let at = 1 + (i * 7919) % size;
                let kind = ["ORD", "SHP", "TRK"][(i % 3) as usize];
                number(&format!("{kind}{at}"))
            })
            .collect();
        let _warm = mean_find_us(&store, seller, &missing[..10]).await;
        let miss = mean_find_us(&store, seller, &missing).await;
        let hit = mean_find_us(&store, seller, &present).await;
        println!("lookup_missing_{name}_shop_{size} {miss:.1} us");
        println!("lookup_found_{name}_shop_{size} {hit:.1} us");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
