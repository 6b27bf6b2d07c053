//! Delivery estimates learnt from delivered parcels (contract 1.6): each delivery kept once in
//! `deliveries` by the write that delivers it, a learnt window served where the shipment carries
//! no estimate of its own (from ten parcels on, the seller's own before everyone's), the basis of
//! a seller's estimate, and `estimate_missed` told once a shipment whoever sweeps. Runs on
//! SQLite, and on PostgreSQL with `TRACKLINE_TEST_DATABASE`.

use axum::http::{HeaderMap, Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sqlx::Row;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::seller_call;
use trackline_core::time::{format_date, format_rfc3339, DAY_MILLIS};
use trackline_server::store::sellers::NewSeller;
use trackline_server::webhooks::schedule::Schedule;
use trackline_server::webhooks::worker::DeliveryWorker;
use trackline_server::{AppState, Settings, Store};

mod support;

/// A seller's receiver on a loopback port: records the event header of every delivery.
#[derive(Clone, Default)]
struct Receiver {
    events: Arc<Mutex<Vec<(String, String)>>>,
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let receiver = Receiver::default();
        let state = receiver.clone();
        let app = Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let state = state.clone();
                async move {
                    let event = headers
                        .get("trackline-event")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    state.events.lock().unwrap().push((event, body));
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn events(&self) -> Vec<(String, String)> {
        self.events.lock().unwrap().clone()
    }
}

fn app(store: &Store) -> Router {
    let config = Settings {
        allow_http_webhooks: true,
        allow_private_webhooks: true,
        ..Settings::default()
    };
    trackline_server::app(AppState::new(store.clone(), &config))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap()
}

/// The moment `days` days ago (negative: ahead), at this time of day.
fn days_ago(days: i64) -> String {
    format_rfc3339(now_ms() - days * DAY_MILLIS)
}

/// A parcel of CDEK from Moscow to Kazan, handed over `handed_over` days ago and, where given,
/// arrived and delivered so many days ago.
fn parcel(number: &str, handed_over: i64, arrived: Option<i64>, delivered: Option<i64>) -> Value {
    let mut events = vec![json!({"at": days_ago(handed_over), "stage": "handed_over",
                                 "text": "Принят", "location": "Москва"})];
    if let Some(arrived) = arrived {
        events.push(json!({"at": days_ago(arrived), "stage": "arrived",
                           "text": "Прибыл", "location": " Казань "}));
    }
    if let Some(delivered) = delivered {
        events.push(json!({"at": days_ago(delivered), "stage": "delivered",
                           "text": "Вручён", "location": "Казань"}));
    }
    let stage = match (arrived, delivered) {
        (_, Some(_)) => "delivered",
        (Some(_), None) => "arrived",
        _ => "handed_over",
    };
    json!({"tracking_number": number, "stage": stage, "updated_at": events.last().unwrap()["at"],
           "carrier": {"name": "CDEK"}, "events": events})
}

async fn put(app: &Router, token: &str, reference: &str, body: Value) {
    let (status, reply) = seller_call(
        app,
        Method::PUT,
        &format!("/api/v1/seller/shipments/{reference}"),
        token,
        Some(body),
    )
    .await;
    assert!(status.is_success(), "{status}: {reply}");
}

/// Puts `count` parcels delivered on the route, taking 3 + i % 5 days from hand-over, the last
/// leg 1 + i % 3 days.
async fn delivered_history(app: &Router, token: &str, prefix: &str, count: usize) {
    for i in 0..count {
        let transit = 3 + (i % 5) as i64;
        let delivered = 20 + i as i64;
        let body = parcel(
            &format!("{prefix}{i:04}"),
            delivered + transit,
            Some(delivered + 1 + (i % 3) as i64),
            Some(delivered),
        );
        put(app, token, &format!("{prefix}-{i}"), body).await;
    }
}

async fn estimate(app: &Router, seller: &NewSeller, number: &str) -> Value {
    let reply = support::send(
        app,
        support::request(
            Method::GET,
            &format!("/api/v1/shops/{}/track/{number}", seller.handle),
            &[],
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()["shipments"][0]["estimated_delivery"].clone()
}

#[tokio::test]
async fn a_delivered_parcel_is_kept_once_with_its_cities_and_days_and_replaced_when_delivered_again(
) {
    let store = support::fresh_store().await;
    let app = app(&store);
    let seller = store.add_seller_named("Shop", None).await.unwrap();
    put(
        &app,
        &seller.token,
        "p-1",
        parcel("10000001", 9, Some(4), None),
    )
    .await;
    assert_eq!(store.deliveries_of(seller.id).await.unwrap(), 0);
    put(
        &app,
        &seller.token,
        "p-1",
        parcel("10000001", 9, Some(4), Some(2)),
    )
    .await;
    put(
        &app,
        &seller.token,
        "p-1",
        parcel("10000001", 8, Some(4), Some(1)),
    )
    .await;
    let rows = sqlx::query(
        "SELECT carrier, origin, destination, CAST(transit_days AS BIGINT) AS transit,
                CAST(last_leg_days AS BIGINT) AS last_leg, CAST(on_time AS BIGINT) AS on_time
         FROM deliveries",
    )
    .fetch_all(&support::pool(&store))
    .await
    .unwrap();
    assert_eq!(rows.len(), 1, "one row a shipment, however often delivered");
    let row = &rows[0];
    let text = |name: &str| row.try_get::<String, _>(name).unwrap();
    assert_eq!(
        (text("carrier"), text("origin"), text("destination")),
        ("cdek".into(), "москва".into(), "казань".into())
    );
    assert_eq!(row.try_get::<i64, _>("transit").unwrap(), 7);
    assert_eq!(row.try_get::<i64, _>("last_leg").unwrap(), 3);
    assert_eq!(row.try_get::<Option<i64>, _>("on_time").unwrap(), None);
}

#[tokio::test]
async fn ten_delivered_parcels_teach_an_estimate_and_nine_teach_none() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let nine = store.add_seller_named("Nine", None).await.unwrap();
    let ten = store.add_seller_named("Ten", None).await.unwrap();
    let none = store.add_seller_named("None", None).await.unwrap();
    delivered_history(&app, &nine.token, "n", 9).await;
    delivered_history(&app, &ten.token, "t", 10).await;

    // In transit, handed over a day ago: the seller's carrier teaches (the destination is
    // not known before arrival).
    put(&app, &nine.token, "q", parcel("20000001", 1, None, None)).await;
    assert_eq!(estimate(&app, &nine, "20000001").await, Value::Null);
    put(&app, &ten.token, "q", parcel("20000002", 1, None, None)).await;
    let learnt = estimate(&app, &ten, "20000002").await;
    // Transit days 3..=7, two parcels each: p20 = 3, p80 = 6, p90 = 7.
    assert_eq!(
        learnt,
        json!({"from": format_date(trackline_server::learnt::day_of(now_ms()) + 2),
               "to": format_date(trackline_server::learnt::day_of(now_ms()) + 5),
               "basis": "history",
               "late_after": format_date(trackline_server::learnt::day_of(now_ms()) + 6),
               "history": {"parcels": 10, "days_from": 3, "days_to": 6, "scope": "carrier",
                           "counted_from": "handed_over"}}),
    );

    // Arrived in Kazan a day ago, for a seller with no parcels of its own: every seller's 19
    // parcels on the route teach, counted from arrival (last legs of 1..=3 days).
    put(&app, &none.token, "q", parcel("20000003", 5, Some(1), None)).await;
    let pooled = estimate(&app, &none, "20000003").await;
    assert_eq!(pooled["basis"], "history");
    assert_eq!(
        pooled["history"],
        json!({"parcels": 19, "days_from": 1, "days_to": 3, "scope": "route",
               "counted_from": "arrived"})
    );
    // Handed over 40 days ago: the window passed and stays as learnt, its last day and
    // late_after behind today, so that the buyer reads the parcel is running late (moved to
    // today, it would read "today" every day).
    put(&app, &ten.token, "old", parcel("20000004", 40, None, None)).await;
    let old = estimate(&app, &ten, "20000004").await;
    let today = format_date(trackline_server::learnt::day_of(now_ms()));
    assert_eq!(old["from"], old["to"]);
    let (Some(to), Some(late)) = (old["to"].as_str(), old["late_after"].as_str()) else {
        panic!("{old}");
    };
    assert!(to < &*today && to <= late && late < &*today, "{old}");

    // A seller's own estimate is served as the seller's, and no learnt one beside it.
    let mut own = parcel("20000005", 1, None, None);
    own["estimated_delivery"] = json!({"from": "2030-01-02", "basis": "history",
                                       "history": {"parcels": 1, "days_from": 1, "days_to": 1,
                                                   "scope": "route", "counted_from": "arrived"}});
    put(&app, &ten.token, "own", own).await;
    assert_eq!(
        estimate(&app, &ten, "20000005").await,
        json!({"from": "2030-01-02", "basis": "seller"})
    );
}

const QUICK: Schedule = Schedule {
    first_wait_ms: 5,
    longest_wait_ms: 20,
    give_up_after_ms: 60_000,
};

#[tokio::test]
async fn estimate_missed_is_told_once_not_before_not_once_delivered_whoever_sweeps() {
    let (store, other) = support::two_instances().await;
    let app = app(&store);
    let (receiver, url) = Receiver::start().await;
    let seller = store.add_seller_named("Shop", None).await.unwrap();
    let (status, body) = seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/webhooks",
        &seller.token,
        Some(json!({"url": url, "events": ["estimate_missed"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let today = trackline_server::learnt::day_of(now_ms());
    let window = json!({"from": format_date(today + 1), "to": format_date(today + 3)});
    for (reference, delivered) in [("late", None), ("delivered", Some(0))] {
        let mut body = parcel(&format!("3000000{}", reference.len()), 2, None, delivered);
        body["estimated_delivery"] = window.clone();
        put(&app, &seller.token, reference, body).await;
    }
    let at = |days: i64| now_ms() + days * DAY_MILLIS;
    assert_eq!(
        trackline_server::updates::tell_late(&store, at(3))
            .await
            .unwrap(),
        0,
        "the window's last day is not late yet"
    );
    let (a, b) = tokio::join!(
        trackline_server::updates::tell_late(&store, at(4)),
        trackline_server::updates::tell_late(&other, at(4)),
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "told once by two instances");
    assert_eq!(
        trackline_server::updates::tell_late(&other, at(9))
            .await
            .unwrap(),
        0,
        "told once a shipment"
    );
    let worker = DeliveryWorker::new(store.clone(), QUICK, Duration::from_millis(10), true);
    let started = Instant::now();
    while receiver.events().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never delivered"
        );
        worker.deliver_due().await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    worker.deliver_due().await.unwrap();
    let events = receiver.events();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].0, "estimate_missed");
    let payload: Value = serde_json::from_str(&events[0].1).unwrap();
    assert_eq!(payload["type"], "estimate_missed");
    assert_eq!(payload["reference"], "late");
    assert_eq!(payload["shipment"]["estimated_delivery"]["basis"], "seller");
}

#[tokio::test]
async fn a_learnt_estimate_runs_late_past_its_90th_percentile() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (_, url) = Receiver::start().await;
    let seller = store.add_seller_named("Shop", None).await.unwrap();
    let (status, _) = seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/webhooks",
        &seller.token,
        Some(json!({"url": url, "events": ["estimate_missed"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    delivered_history(&app, &seller.token, "h", 10).await;
    put(&app, &seller.token, "q", parcel("40000001", 1, None, None)).await;
    // Handed over yesterday, p90 = 7 days: late after today + 6.
    let at = |days: i64| now_ms() + days * DAY_MILLIS;
    assert_eq!(
        trackline_server::updates::tell_late(&store, at(6))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        trackline_server::updates::tell_late(&store, at(7))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        trackline_server::updates::tell_late(&store, at(8))
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_demo_shows_a_learnt_estimate_on_its_learnt_number() {
    let store = support::fresh_store().await;
    trackline_server::demo::seed_if_empty(&store).await.unwrap();
    let app = support::app(&store);
    let reply = support::send(
        &app,
        support::request(
            Method::GET,
            &format!(
                "/api/v1/shops/{}/track/{}",
                trackline_server::demo::DEMO_SELLER,
                trackline_server::demo::LEARNT_NUMBER
            ),
            &[],
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let window = &reply.json()["shipments"][0]["estimated_delivery"];
    assert_eq!(window["basis"], "history", "{window}");
    assert_eq!(window["history"]["parcels"], 24);
    assert_eq!(window["history"]["scope"], "carrier");
    assert!(window["late_after"].is_string());
}

#[tokio::test]
async fn parcels_delivered_before_the_table_are_kept_once_by_the_fill() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let seller = store.add_seller_named("Shop", None).await.unwrap();
    put(
        &app,
        &seller.token,
        "p-1",
        parcel("50000001", 9, Some(4), Some(2)),
    )
    .await;
    put(
        &app,
        &seller.token,
        "p-2",
        parcel("50000002", 9, Some(4), None),
    )
    .await;
    // As if delivered before migration 0029.
    sqlx::query("DELETE FROM deliveries")
        .execute(&support::pool(&store))
        .await
        .unwrap();
    assert_eq!(store.deliveries_of(seller.id).await.unwrap(), 0);
    assert_eq!(
        trackline_server::updates::fill_deliveries(&store)
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.deliveries_of(seller.id).await.unwrap(), 1);
    assert_eq!(
        trackline_server::updates::fill_deliveries(&store)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn parcels_delivered_in_the_future_teach_nobody() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let forger = store.add_seller_named("Forger", None).await.unwrap();
    let honest = store.add_seller_named("Honest", None).await.unwrap();
    // Ten parcels "delivered" eight years from now, on the route every seller's history shares:
    // the latest of it for good, had they counted.
    for i in 0..10 {
        let number = format!("3000000{i:02}");
        let body = parcel(&number, -2990, Some(-2995), Some(-3000));
        put(&app, &forger.token, &format!("f-{i}"), body).await;
    }
    assert_eq!(store.deliveries_of(forger.id).await.unwrap(), 10);
    put(
        &app,
        &honest.token,
        "h",
        parcel("40000001", 5, Some(1), None),
    )
    .await;
    assert_eq!(estimate(&app, &honest, "40000001").await, Value::Null);
}
