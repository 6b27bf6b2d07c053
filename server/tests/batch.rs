//! Many shipments of one seller written in one transaction (`updates::write_many`): the same
//! rows as one write at a time (the shipments, their webhook deliveries and buyers' messages),
//! a row that fails failing alone, and an import applied by two instances at once writing each
//! shipment once. Runs on SQLite, and on PostgreSQL with `TRACKLINE_TEST_DATABASE`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::{bearer, seller_call, send};
use trackline_core::second_factor::SecondFactors;
use trackline_core::Shipment;
use trackline_server::change::tells::{Kind, Subscriber};
use trackline_server::store::push::{Subscribed, Subscription};
use trackline_server::store::seller_id::SellerId;
use trackline_server::store::shipment_write::Batch;
use trackline_server::store::StoreError;
use trackline_server::updates::{self, OneOfMany, PutRow};
use trackline_server::Store;

mod support;

fn on_postgres() -> bool {
    std::env::var("TRACKLINE_TEST_DATABASE").is_ok_and(|url| url.starts_with("postgres"))
}

/// The shipment `i` of a round: each round moves some shipments and leaves others alone.
fn shipment(round: usize, i: usize) -> Shipment {
    let stage = match (round, i % 6) {
        (0, _) | (_, 0) => "created",
        (_, 1) => "in_transit",
        (_, 2) => "ready_for_pickup",
        (_, 3) => "delivered",
        (_, 4) => "out_for_delivery",
        _ => "in_transit",
    };
    let mut value = json!({
        "tracking_number": format!("RA{:09}RU", 100_000_000 + i),
        "order_number": format!("{}", 70_000 + i),
        "stage": stage,
        "updated_at": format!("2026-11-2{}T10:00:00+03:00", round),
        "carrier": {"name": "Russian Post"},
        "events": [{"at": format!("2026-11-2{}T10:00:00+03:00", round), "stage": stage,
                    "text": "moved"}],
    });
    if stage == "ready_for_pickup" {
        value["pickup_point"] = json!({"name": "Point", "address": "Lenina 1",
                                       "storage_until": "2026-12-01"});
    }
    if i % 6 == 5 && round > 0 {
        value["exception"] = json!("delayed");
    }
    serde_json::from_value(value).expect("a shipment")
}

fn reference(i: usize) -> String {
    format!("order-{i:04}")
}

/// A seller with two webhook subscriptions: every kind, and deliveries only.
async fn seller(store: &Store, name: &str) -> SellerId {
    let (seller, _) = store.add_seller(name).await.unwrap();
    store
        .add_webhook(seller, "https://hooks.example/all", &Kind::ALL)
        .await
        .unwrap();
    store
        .add_webhook(
            seller,
            "https://hooks.example/delivered",
            &[Kind::Delivered],
        )
        .await
        .unwrap();
    seller
}

/// Two browsers subscribed to each of the seller's shipments under `references`.
async fn subscribe(store: &Store, seller: SellerId, references: &[String]) {
    let asked: Vec<&str> = references.iter().map(String::as_str).collect();
    let ids = store.shipment_ids(seller, &asked).await.unwrap();
    for (n, reference) in references.iter().enumerate() {
        for browser in ["a", "b"] {
            store
                .subscribe_push(
                    &[Subscribed {
                        shipment: ids[reference],
                        delivered: false,
                        shows_pickup: true,
                    }],
                    &Subscription {
                        endpoint: format!("https://push.example/{browser}/{n}"),
                        p256dh: "BPk".into(),
                        auth: "aa".into(),
                    },
                    &Subscriber {
                        lang: "ru".into(),
                        page: format!("/t/{n}"),
                        api: "/api/v1/push".into(),
                        number: format!("{}", 70_000 + n),
                    },
                    None,
                )
                .await
                .unwrap();
        }
    }
}

/// Everything queued for the seller's shipments, by reference: the webhook deliveries (which
/// subscription, kind, body without its id and moment) sorted, and the buyers' messages in
/// each browser's order (its `seq`), the topic (made of the shipment's row id) taken out.
async fn queued(store: &Store, seller: SellerId) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let mut found: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    let rows = sqlx::query(
        "SELECT s.reference, w.url, d.kind, d.body FROM webhook_deliveries d
         JOIN shipments s ON s.id = d.shipment_id JOIN webhooks w ON w.id = d.webhook_id
         WHERE s.seller_id = $1",
    )
    .bind(seller.0)
    .fetch_all(store.pool())
    .await
    .unwrap();
    for row in rows {
        let mut body: Value = serde_json::from_str(&row.get::<String, _>("body")).unwrap();
        body["id"] = Value::Null;
        body["created_at"] = Value::Null;
        let entry = found.entry(row.get("reference")).or_default();
        entry.0.push(format!(
            "{} {} {body}",
            row.get::<String, _>("url"),
            row.get::<String, _>("kind")
        ));
    }
    let rows = sqlx::query(
        "SELECT s.reference, sub.endpoint, m.seq, m.topic, m.body, m.state FROM push_messages m
         JOIN push_subscriptions sub ON sub.id = m.subscription_id
         JOIN shipments s ON s.id = sub.shipment_id
         WHERE s.seller_id = $1 ORDER BY sub.endpoint, m.seq",
    )
    .bind(seller.0)
    .fetch_all(store.pool())
    .await
    .unwrap();
    for row in rows {
        let topic: String = row.get("topic");
        let body = row.get::<String, _>("body").replace(&topic, "TOPIC");
        let entry = found.entry(row.get("reference")).or_default();
        entry.1.push(format!(
            "{} {} {} {body}",
            row.get::<String, _>("endpoint"),
            row.get::<i64, _>("seq"),
            row.get::<String, _>("state"),
        ));
    }
    for (deliveries, _) in found.values_mut() {
        deliveries.sort();
    }
    found
}

/// The seller's shipments as stored, with the columns kept beside them, by reference.
async fn stored(store: &Store, seller: SellerId, count: usize) -> Vec<String> {
    let mut all = Vec::new();
    for i in 0..count {
        let shipment = store.seller_shipment(seller, &reference(i)).await.unwrap();
        let kept = sqlx::query(
            "SELECT pickup_until, stale_at_ms, carrier_name, check_phone_hash IS NULL AS no_phone
             FROM shipments WHERE seller_id = $1 AND reference = $2",
        )
        .bind(seller.0)
        .bind(reference(i))
        .fetch_optional(store.pool())
        .await
        .unwrap()
        .map(|row| {
            format!(
                "{:?} {:?} {:?} {:?}",
                row.get::<Option<String>, _>("pickup_until"),
                row.get::<Option<i64>, _>("stale_at_ms"),
                row.get::<Option<String>, _>("carrier_name"),
                row.try_get::<bool, _>("no_phone")
                    .or_else(|_| row.try_get::<i64, _>("no_phone").map(|n| n != 0))
                    .unwrap(),
            )
        });
        all.push(format!("{} {shipment:?} {kept:?}", reference(i)));
    }
    all
}

const SHIPMENTS: usize = 230;

#[tokio::test]
async fn a_batched_write_queues_what_single_writes_queue() {
    let store = support::fresh_store().await;
    let one_by_one = seller(&store, "One by one").await;
    let batched = seller(&store, "Batched").await;
    let references: Vec<String> = (0..SHIPMENTS).map(reference).collect();
    let factors = SecondFactors {
        phone: Some("+7 900 000-12-34".into()),
        postcode: None,
    };
    for round in 0..3 {
        let shipments: Vec<Shipment> = (0..SHIPMENTS).map(|i| shipment(round, i)).collect();
        for (reference, shipment) in references.iter().zip(&shipments) {
            updates::put(&store, one_by_one, reference, shipment, &factors)
                .await
                .unwrap();
        }
        let rows: Vec<PutRow> = references
            .iter()
            .zip(&shipments)
            .map(|(reference, shipment)| PutRow {
                reference,
                shipment,
                factors: &factors,
            })
            .collect();
        let outcomes = updates::put_many(&store, batched, &rows).await.unwrap();
        assert_eq!(outcomes.len(), SHIPMENTS);
        for (i, outcome) in outcomes.into_iter().enumerate() {
            let (_, written) = outcome.unwrap();
            assert_eq!(written, shipments[i], "{i}");
        }
        if round == 0 {
            // Browsers subscribe once the shipments exist: the next rounds tell them.
            subscribe(&store, one_by_one, &references[..40]).await;
            subscribe(&store, batched, &references[..40]).await;
        }
    }
    let single = queued(&store, one_by_one).await;
    let many = queued(&store, batched).await;
    assert_eq!(single.len(), SHIPMENTS);
    assert!(
        single.values().any(|(_, messages)| !messages.is_empty()),
        "some message is queued"
    );
    assert_eq!(single, many);
    assert_eq!(
        stored(&store, one_by_one, SHIPMENTS).await,
        stored(&store, batched, SHIPMENTS).await
    );
}

/// A row that writes itself and then fails, as a row the database refuses part way does.
struct Failing<'a> {
    row: PutRow<'a>,
    fails: bool,
}

impl OneOfMany for Failing<'_> {
    type Done = ();

    fn reference(&self) -> &str {
        self.row.reference
    }

    async fn write(&self, batch: Batch) -> Result<(Batch, ()), StoreError> {
        let (batch, _, _) = updates::put_in(
            batch,
            self.row.reference,
            self.row.shipment,
            self.row.factors,
        )
        .await?;
        if self.fails {
            drop(batch);
            return Err(StoreError::Conflict);
        }
        Ok((batch, ()))
    }
}

#[tokio::test]
async fn a_row_that_fails_fails_alone() {
    let store = support::fresh_store().await;
    let control = seller(&store, "Control").await;
    let failing = seller(&store, "Failing").await;
    let references: Vec<String> = (0..SHIPMENTS).map(reference).collect();
    let shipments: Vec<Shipment> = (0..SHIPMENTS).map(|i| shipment(1, i)).collect();
    let factors = SecondFactors::default();
    let bad = [0, 5, 99, 100, 101, 150, SHIPMENTS - 1];
    let rows: Vec<Failing> = references
        .iter()
        .zip(&shipments)
        .enumerate()
        .map(|(i, (reference, shipment))| Failing {
            row: PutRow {
                reference,
                shipment,
                factors: &factors,
            },
            fails: bad.contains(&i),
        })
        .collect();
    let outcomes = updates::write_many(&store, failing, &rows).await.unwrap();
    for (i, outcome) in outcomes.iter().enumerate() {
        assert_eq!(outcome.is_err(), bad.contains(&i), "{i}: {outcome:?}");
    }
    let good: Vec<PutRow> = references
        .iter()
        .zip(&shipments)
        .enumerate()
        .filter(|(i, _)| !bad.contains(i))
        .map(|(_, (reference, shipment))| PutRow {
            reference,
            shipment,
            factors: &factors,
        })
        .collect();
    for outcome in updates::put_many(&store, control, &good).await.unwrap() {
        outcome.unwrap();
    }
    // The bad rows left nothing; their neighbours were written once, as alone.
    for i in bad {
        assert_eq!(
            store.seller_shipment(failing, &reference(i)).await.unwrap(),
            None
        );
    }
    let expected = queued(&store, control).await;
    assert_eq!(expected.len(), SHIPMENTS - bad.len());
    assert_eq!(queued(&store, failing).await, expected);
}

/// `0000000D`: the S10 check digit of eight digits, for valid Russian Post numbers.
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

/// A file of `rows` Ozon postings.
fn file(rows: u32) -> Vec<u8> {
    let mut file = String::from(
        "Номер заказа;Номер отправления;Статус;Трек-номер;Служба доставки;Дата доставки\r\n",
    );
    for i in 0..rows {
        let n = 20_000_000 + i;
        file.push_str(&format!(
            "{n:08};{n:08}-0001-1;Доставляется;RA{n:08}{}RU;Почта России;25.11.2026\r\n",
            s10_check_digit(n)
        ));
    }
    file.into_bytes()
}

async fn preview(app: &Router, token: &str, file: Vec<u8>) -> Value {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/seller/imports")
        .header("authorization", bearer(token))
        .header("content-type", "text/csv")
        .body(Body::from(file))
        .expect("a request");
    let reply = send(app, request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()
}

async fn start(app: &Router, token: &str, id: &str) {
    let uri = format!("/api/v1/seller/imports/{id}/apply");
    let (status, body) = seller_call(app, Method::POST, &uri, token, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

/// Waits (with a deadline) until the import is no longer being applied, and says how it ended.
async fn ended(app: &Router, token: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let uri = format!("/api/v1/seller/imports/{id}");
        let (status, body) = seller_call(app, Method::GET, &uri, token, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["state"] != "applying" {
            return body;
        }
        assert!(Instant::now() < deadline, "not ended in time: {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Webhook deliveries queued per shipment of the seller, and how many shipments it has.
async fn written(store: &Store, seller: SellerId) -> (Vec<i64>, i64) {
    let per: Vec<i64> = sqlx::query_scalar(
        "SELECT COUNT(d.id) FROM shipments s LEFT JOIN webhook_deliveries d ON d.shipment_id = s.id
         WHERE s.seller_id = $1 GROUP BY s.id",
    )
    .bind(seller.0)
    .fetch_all(store.pool())
    .await
    .unwrap();
    let count = i64::try_from(per.len()).unwrap();
    (per, count)
}

#[tokio::test]
async fn an_imported_row_the_database_refuses_fails_alone_and_applying_again_resumes() {
    let store = support::fresh_store().await;
    let (seller, token) = store.add_seller("Shop").await.unwrap();
    store
        .add_webhook(seller, "https://hooks.example/all", &Kind::ALL)
        .await
        .unwrap();
    let app = support::app(&store);
    let shown = preview(&app, &token, file(250)).await;
    let id = shown["id"].as_str().unwrap();
    // The database refuses one row of the second transaction.
    let refused = "20000142-0001-1";
    let refuse = if on_postgres() {
        vec![
            format!(
                "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN
                 IF NEW.reference = '{refused}' THEN RAISE EXCEPTION 'refused here'; END IF;
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER refuse_one BEFORE INSERT ON shipments FOR EACH ROW
             EXECUTE FUNCTION refuse_one()"
                .to_owned(),
        ]
    } else {
        vec![format!(
            "CREATE TRIGGER refuse_one BEFORE INSERT ON shipments
             WHEN NEW.reference = '{refused}' BEGIN SELECT RAISE(ABORT, 'refused here'); END"
        )]
    };
    for statement in &refuse {
        sqlx::raw_sql(statement)
            .execute(store.pool())
            .await
            .unwrap();
    }
    start(&app, &token, id).await;
    let body = ended(&app, &token, id).await;
    // The job stops on the row's error after its transaction, as it stopped before rows were
    // written together; the first transaction's hundred rows are its progress.
    assert_eq!(body["state"], "failed", "{body}");
    assert!(
        body["failure"].as_str().unwrap().contains("refused here"),
        "{body}"
    );
    assert_eq!(body["done"], 100, "{body}");
    let (per, count) = written(&store, seller).await;
    // The transactions under way beside it (PostgreSQL's) ended as they would.
    let beside = if on_postgres() { 50 } else { 0 };
    assert_eq!(
        count,
        199 + beside,
        "the refused row's 99 neighbours are written"
    );
    for n in 20_000_100..20_000_200 {
        let reference = format!("{n}-0001-1");
        let found = store.seller_shipment(seller, &reference).await.unwrap();
        assert_eq!(found.is_some(), reference != refused, "{reference}");
    }
    assert!(per.iter().all(|n| *n == per[0]) && per[0] > 0, "{per:?}");
    assert_eq!(store.seller_shipment(seller, refused).await.unwrap(), None);

    sqlx::raw_sql("DROP TRIGGER refuse_one ON shipments")
        .execute(store.pool())
        .await
        .or(sqlx::raw_sql("DROP TRIGGER refuse_one")
            .execute(store.pool())
            .await)
        .unwrap();
    start(&app, &token, id).await;
    let body = ended(&app, &token, id).await;
    assert_eq!(
        (body["state"].as_str(), body["done"].as_i64()),
        (Some("applied"), Some(250))
    );
    let (again, count) = written(&store, seller).await;
    assert_eq!(count, 250);
    assert!(again.iter().all(|n| *n == per[0]), "{again:?}");
}

#[tokio::test]
async fn an_import_applied_by_two_instances_at_once_writes_each_shipment_once() {
    let (first, second) = support::two_instances().await;
    let (seller, token) = first.add_seller("Shop").await.unwrap();
    first
        .add_webhook(seller, "https://hooks.example/all", &Kind::ALL)
        .await
        .unwrap();
    let (one, other) = (support::app(&first), support::app(&second));
    let shown = preview(&one, &token, file(600)).await;
    let id = shown["id"].as_str().unwrap();
    start(&one, &token, id).await;
    // The first job seems dead to the second instance: it takes the import up while the first
    // goes on, and both write the same rows at once.
    sqlx::query("UPDATE imports SET beat_ms = 0 WHERE id = $1")
        .bind(id.parse::<i64>().unwrap())
        .execute(second.pool())
        .await
        .unwrap();
    start(&other, &token, id).await;
    let mut body = ended(&other, &token, id).await;
    // A job that found a row the other had just made fails on it (a conflict, as before rows
    // were written together): applying again goes on, and ends once the other job is behind.
    for _ in 0..20 {
        if body["state"] != "failed" {
            break;
        }
        assert_eq!(
            body["failure"], "a concurrent request wrote the same thing",
            "{body}"
        );
        start(&other, &token, id).await;
        body = ended(&other, &token, id).await;
    }
    assert_eq!(body["state"], "applied", "{body}");
    // Let the other job end too before counting.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (per, count) = written(&first, seller).await;
        if count == 600 && per.iter().all(|n| *n == 1) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{count} shipments, deliveries {per:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events e JOIN shipments s ON s.id = e.shipment_id WHERE s.seller_id = $1",
    )
    .bind(seller.0)
    .fetch_one(first.pool())
    .await
    .unwrap();
    let per_shipment: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events e JOIN shipments s ON s.id = e.shipment_id
         WHERE s.seller_id = $1 AND s.reference = '20000000-0001-1'",
    )
    .bind(seller.0)
    .fetch_one(first.pool())
    .await
    .unwrap();
    assert_eq!(events, 600 * per_shipment);
}
