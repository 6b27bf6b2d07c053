//! The seller's insights through the router: every counter per day, the shipments now, on-time
//! and transit days per carrier and route, checked against figures worked out here from the
//! same formulas the rows were written by; another seller's rows never show; each statement
//! reads an index led by the seller. The ignored benchmark answers over 1 000 000 shipments.
//! Runs on SQLite, and on PostgreSQL with `TRACKLINE_TEST_DATABASE`.

use axum::http::{Method, StatusCode};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Instant;
use support::seller_call;
use trackline_core::time::{format_date, parse_date, DAY_MILLIS};
use trackline_server::counts::Count;
use trackline_server::insights::period;
use trackline_server::store::sellers::SellerId;
use trackline_server::store::Backend;
use trackline_server::Store;

mod support;

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
    )
    .unwrap_or(0)
}

/// How many days back shipment `i` was delivered (and written): spread over three years.
fn days_back(i: i64) -> i64 {
    (i * 7919) % 1095
}

/// Shipment `i`'s stage, exception and whether it is stale; only `delivered` ones have a
/// delivery row. (The SQL in `fill` says the same.)
fn stage_of(i: i64) -> (&'static str, Option<&'static str>, bool) {
    match i % 100 {
        0..=89 => ("delivered", None, false),
        90 => ("in_transit", None, false),
        91 | 92 => ("in_transit", Some("delayed"), false),
        93 | 94 => ("in_transit", None, true),
        95 | 96 => ("ready_for_pickup", None, false),
        97 => ("created", None, false),
        98 => ("created", Some("cancelled"), false),
        _ => ("out_for_delivery", None, false),
    }
}

const CARRIERS: [&str; 3] = ["cdek", "russian_post", "boxberry"];

/// Delivered shipment `i`'s row: carrier, origin, destination, transit days, on time.
fn delivery_of(i: i64) -> (&'static str, String, String, Option<i64>, Option<bool>) {
    let origin = if i % 11 == 0 {
        String::new()
    } else {
        format!("city{}", i % 5)
    };
    let transit = (i % 10 != 0).then_some(1 + i % 9);
    let on_time = (i % 4 != 0).then_some(i % 9 < 6); // 6 days or fewer
    (
        CARRIERS[(i % 3) as usize],
        origin,
        format!("town{}", i % 7),
        transit,
        on_time,
    )
}

/// Fills the seller with `count` shipments (ids from `first_id` on) and a delivery row for each
/// delivered one, as `stage_of` and `delivery_of` say, in two statements; then a year of every
/// counter: on day `d` back, counter `j` counted `(7d + 3j) % 13 + seed`.
async fn fill(store: &Store, seller: SellerId, count: i64, first_id: i64, now: i64, seed: i64) {
    let pool = store.pool();
    sqlx::query(
        "WITH RECURSIVE n (i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO shipments (id, seller_id, reference, tracking_number, stage, exception,
                                created_ms, written_ms, stale_at_ms)
         SELECT $2 + i, $3, 'r' || CAST(i AS TEXT), 'TRK' || CAST($2 + i AS TEXT),
                CASE WHEN i % 100 < 90 THEN 'delivered'
                     WHEN i % 100 < 95 THEN 'in_transit'
                     WHEN i % 100 < 97 THEN 'ready_for_pickup'
                     WHEN i % 100 < 99 THEN 'created'
                     ELSE 'out_for_delivery' END,
                CASE WHEN i % 100 IN (91, 92) THEN 'delayed'
                     WHEN i % 100 = 98 THEN 'cancelled' END,
                $4 - ((i * 7919) % 1095) * 86400000, $4 - ((i * 7919) % 1095) * 86400000,
                CASE WHEN i % 100 IN (93, 94) THEN $4 - 60000
                     WHEN i % 100 >= 90 AND i % 100 < 95 THEN $4 + 86400000 END
         FROM n",
    )
    .bind(count)
    .bind(first_id)
    .bind(seller.0)
    .bind(now)
    .execute(pool)
    .await
    .expect("the shipments are written");
    sqlx::query(
        "WITH RECURSIVE n (i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO deliveries (shipment_id, seller_id, carrier, origin, destination,
                                 handed_over_ms, arrived_ms, delivered_ms, transit_days,
                                 last_leg_days, on_time)
         SELECT $2 + i, $3,
                CASE i % 3 WHEN 0 THEN 'cdek' WHEN 1 THEN 'russian_post' ELSE 'boxberry' END,
                CASE WHEN i % 11 = 0 THEN '' ELSE 'city' || CAST(i % 5 AS TEXT) END,
                'town' || CAST(i % 7 AS TEXT),
                CASE WHEN i % 10 = 0 THEN NULL
                     ELSE $4 - 1000 - ((i * 7919) % 1095) * 86400000 - (1 + i % 9) * 86400000 END,
                NULL,
                $4 - 1000 - ((i * 7919) % 1095) * 86400000,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 1 + i % 9 END,
                NULL,
                CASE WHEN i % 4 = 0 THEN NULL WHEN 1 + i % 9 <= 6 THEN 1 ELSE 0 END
         FROM n WHERE i % 100 < 90",
    )
    .bind(count)
    .bind(first_id)
    .bind(seller.0)
    .bind(now)
    .execute(pool)
    .await
    .expect("the deliveries are written");
    let today = now.div_euclid(DAY_MILLIS);
    for d in 0..365 {
        let day = format_date(today - d);
        let values: Vec<String> = Count::ALL
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let n = (7 * d + 3 * j as i64) % 13 + seed;
                format!("({}, '{day}', '{}', {n})", seller.0, name.as_str())
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO daily_counts (seller_id, day, name, count) VALUES {}",
            values.join(", ")
        ))
        .execute(pool)
        .await
        .expect("a day's counters are written");
    }
    if store.backend() == Backend::Postgres {
        // What autovacuum would have done after so many rows: the planner's statistics.
        // (One statement a call: VACUUM runs outside a transaction block.)
        for table in ["shipments", "deliveries", "daily_counts"] {
            sqlx::raw_sql(&format!("VACUUM ANALYZE {table}"))
                .execute(pool)
                .await
                .expect("the table is analysed");
        }
    }
}

/// Nearest rank, worked out from the parcels one by one.
fn nearest_rank(mut days: Vec<i64>, p: usize) -> Option<i64> {
    days.sort_unstable();
    let rank = (p * days.len()).div_ceil(100).max(1);
    days.get(rank - 1).copied()
}

/// The figures `{delivered, with_estimate, on_time, transit_days}` of these parcels.
fn figures(parcels: &[(Option<i64>, Option<bool>)]) -> Value {
    let transit: Vec<i64> = parcels.iter().filter_map(|(t, _)| *t).collect();
    let days = match (nearest_rank(transit.clone(), 50), nearest_rank(transit, 80)) {
        (Some(median), Some(p80)) => serde_json::json!({"median": median, "p80": p80}),
        _ => Value::Null,
    };
    serde_json::json!({
        "delivered": parcels.len(),
        "with_estimate": parcels.iter().filter(|(_, o)| o.is_some()).count(),
        "on_time": parcels.iter().filter(|(_, o)| *o == Some(true)).count(),
        "transit_days": days,
    })
}

/// What the insights over `days` must say of a seller filled with `count` shipments and `seed`.
fn expected(count: i64, days: i64, today: i64, seed: i64) -> Value {
    let mut stages: BTreeMap<&str, i64> = BTreeMap::new();
    let mut exceptions: BTreeMap<&str, i64> = BTreeMap::new();
    let mut stale = 0;
    type Parcels = Vec<(Option<i64>, Option<bool>)>;
    let mut carriers: BTreeMap<&str, Parcels> = BTreeMap::new();
    let mut routes: BTreeMap<(&str, String, String), Parcels> = BTreeMap::new();
    for i in 1..=count {
        let (stage, exception, is_stale) = stage_of(i);
        *stages.entry(stage).or_default() += 1;
        if let Some(exception) = exception {
            *exceptions.entry(exception).or_default() += 1;
        }
        stale += i64::from(is_stale);
        if stage != "delivered" || days_back(i) >= days {
            continue;
        }
        let (carrier, origin, destination, transit, on_time) = delivery_of(i);
        carriers
            .entry(carrier)
            .or_default()
            .push((transit, on_time));
        if !origin.is_empty() {
            routes
                .entry((carrier, origin, destination))
                .or_default()
                .push((transit, on_time));
        }
    }
    let mut carriers: Vec<(&str, Parcels)> = carriers.into_iter().collect();
    carriers.sort_by_key(|(_, parcels)| std::cmp::Reverse(parcels.len()));
    let mut routes: Vec<((&str, String, String), Parcels)> = routes.into_iter().collect();
    routes.sort_by_key(|(_, parcels)| std::cmp::Reverse(parcels.len()));
    routes.truncate(20);
    let mut counts = serde_json::Map::new();
    let mut totals = serde_json::Map::new();
    for (j, name) in Count::ALL.iter().enumerate() {
        let series: Vec<i64> = (0..days)
            .rev()
            .map(|d| (7 * d + 3 * j as i64) % 13 + seed)
            .collect();
        totals.insert(name.as_str().into(), series.iter().sum::<i64>().into());
        counts.insert(name.as_str().into(), series.into());
    }
    serde_json::json!({
        "days": (0..days).rev().map(|d| format_date(today - d)).collect::<Vec<_>>(),
        "counts": counts,
        "totals": totals,
        "now": {"stages": stages, "exceptions": exceptions, "stale": stale},
        "carriers": carriers.iter().map(|(carrier, parcels)| {
            let mut f = figures(parcels);
            f["carrier"] = (*carrier).into();
            f
        }).collect::<Vec<_>>(),
        "routes": routes.iter().map(|((carrier, origin, destination), parcels)| {
            let mut f = figures(parcels);
            f["carrier"] = (*carrier).into();
            f["origin"] = origin.clone().into();
            f["destination"] = destination.clone().into();
            f
        }).collect::<Vec<_>>(),
    })
}

async fn get(store: &Store, token: &str, path: &str) -> (StatusCode, Value) {
    seller_call(&support::app(store), Method::GET, path, token, None).await
}

#[tokio::test]
async fn the_figures_over_ten_thousand_shipments_are_right_and_another_sellers_never_show() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    let (other, other_token) = store.add_seller("Other").await.unwrap();
    let now = now_ms();
    fill(&store, seller, 10_000, 1_000_000, now, 0).await;
    // The other seller: the same parcels, other counts (each day's counters 1 000 higher).
    fill(&store, other, 10_000, 2_000_000, now, 1_000).await;
    for (query, days) in [("", 30), ("?days=7", 7), ("?days=30", 30), ("?days=90", 90)] {
        let (status, body) = get(&store, &token, &format!("/api/v1/seller/insights{query}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Today as the server saw it (were midnight passed between the fill and the call).
        let today = body["days"]
            .as_array()
            .and_then(|days| days.last())
            .and_then(Value::as_str)
            .and_then(parse_date)
            .expect("today last");
        let want = expected(10_000, days, today, 0);
        for part in ["days", "counts", "totals", "now", "carriers", "routes"] {
            assert_eq!(body[part], want[part], "{part} over {days} days");
        }
        assert_eq!(body["routes"].as_array().map(Vec::len), Some(20));
    }
    // The other seller sees its own, with its own counts (the seller's rows, read as its, would
    // double every figure above).
    let (_, body) = get(&store, &other_token, "/api/v1/seller/insights?days=7").await;
    let today = now.div_euclid(DAY_MILLIS);
    assert_eq!(body["counts"], expected(10_000, 7, today, 1_000)["counts"]);
    assert_eq!(
        body["carriers"],
        expected(10_000, 7, today, 1_000)["carriers"]
    );
    let _ = other;
}

#[tokio::test]
async fn a_period_other_than_7_30_or_90_days_is_refused_and_the_answer_is_never_kept() {
    let store = support::fresh_store().await;
    let (_, token) = store.add_seller("Shop").await.unwrap();
    for query in [
        "?days=1",
        "?days=365",
        "?days=-7",
        "?days=7.0",
        "?days=99999999999999999999",
        "?days=",
        "?seller=2",
        "?days=7&days=30",
    ] {
        let (status, body) = get(&store, &token, &format!("/api/v1/seller/insights{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"], "invalid", "{query}: {body}");
    }
    let (status, _) = get(&store, "tl_nobody", "/api/v1/seller/insights").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An empty shop: every counter, all zeros; nothing now; no carrier.
    let reply = support::send(
        &support::app(&store),
        support::request(
            Method::GET,
            "/api/v1/seller/insights?days=7",
            &[("authorization", &support::bearer(&token))],
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply
            .headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let body = reply.json();
    assert_eq!(
        body["counts"].as_object().map(|c| c.len()),
        Some(Count::ALL.len())
    );
    assert_eq!(
        body["counts"]["taps_vk"],
        serde_json::json!([0, 0, 0, 0, 0, 0, 0])
    );
    assert_eq!(
        body["now"],
        serde_json::json!({"stages": {}, "exceptions": {}, "stale": 0})
    );
    assert_eq!(body["carriers"], serde_json::json!([]));
}

/// Whether a plan line reads a whole table rather than a range of an index.
fn reads_whole_table(line: &str) -> bool {
    let tables = ["shipments", "deliveries", "daily_counts"];
    tables.iter().any(|table| {
        line.contains(&format!("SCAN {table}")) && !line.contains("USING")
            || line.contains(&format!("Seq Scan on {table}"))
    })
}

#[tokio::test]
async fn each_statement_reads_a_range_of_an_index_led_by_the_seller() {
    let store = support::fresh_store().await;
    let (seller, _) = store.add_seller("Shop").await.unwrap();
    let now = now_ms();
    fill(&store, seller, 2_000, 1_000_000, now, 0).await;
    for days in [7, 90] {
        for (name, plan) in store
            .insight_plans(seller, &period(days, now))
            .await
            .unwrap()
        {
            let text = plan.join(" | ");
            // A small table may be read whole by PostgreSQL's choice; SQLite plans by the schema.
            if store.backend() == Backend::Sqlite {
                assert!(
                    !plan.iter().any(|line| reads_whole_table(line)),
                    "{name}: {text}"
                );
                // A period's deliveries from the index alone (migration 0033), no row fetched.
                if name == "deliveries" {
                    assert!(
                        text.contains("COVERING INDEX deliveries_insights"),
                        "{text}"
                    );
                }
            }
        }
    }
}

/// The median of `runs` timings of `f`, in milliseconds.
async fn median_ms<F, Fut>(runs: usize, mut f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// The insights of a seller of 1 000 000 shipments (900 000 delivered over three years, so as
/// many delivery rows) and a year of every counter, through the router, for 7, 30 and 90 days:
/// the median of 7 runs, one `name value unit` line each, and each statement's plan.
/// `cargo test -p trackline-server --release --test insights -- --ignored --nocapture`
/// (with `TRACKLINE_TEST_DATABASE` for PostgreSQL).
#[tokio::test]
#[ignore = "a benchmark: fills a shop of 1 000 000 shipments and prints figures"]
async fn bench_insights_over_a_million_shipments() {
    let dir = std::env::temp_dir().join(format!("trackline-insights-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = support::store_at(&support::fresh_url(Some(&dir)).await).await;
    let (seller, token) = store.add_seller("Big").await.unwrap();
    let (small, _) = store.add_seller("Small").await.unwrap();
    let now = now_ms();
    let started = Instant::now();
    fill(&store, small, 1_000, 5_000_000_000, now, 0).await;
    fill(&store, seller, 1_000_000, 1_000_000_000, now, 0).await;
    let backend = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    println!(
        "insights_fill_{backend}_1000000 {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for (name, plan) in store.insight_plans(seller, &period(90, now)).await.unwrap() {
        println!("# plan {name}: {}", plan.join(" | "));
    }
    let app = support::app(&store);
    for days in [7, 30, 90] {
        let path = format!("/api/v1/seller/insights?days={days}");
        // Warm once (the first read brings the pages in).
        let (status, _) = seller_call(&app, Method::GET, &path, &token, None).await;
        assert_eq!(status, StatusCode::OK);
        let ms = median_ms(7, || async {
            let (status, _) = seller_call(&app, Method::GET, &path, &token, None).await;
            assert_eq!(status, StatusCode::OK);
        })
        .await;
        println!("insights_{backend}_1000000_shipments_{days}_days {ms:.1} ms");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
