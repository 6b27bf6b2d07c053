//! A local stand-in for the Ozon Seller API, answering as Ozon documents, for the adapter's tests.
//! `/v1/warehouse/list` is what a check of the keys asks: counted in the calls under
//! `check CLIENT_ID API_KEY`; Api-Keys named for it answer unhappily: `limited` a 429 with
//! `Retry-After: 40`, `broken` a 500, `captive` a 200 page that is not Ozon's, `slow` only after a
//! minute, `key-switched-off` a 401 (code 16);
//! other wrong keys a 403 (code 7) whose message repeats the key, which must not get through.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "123456";
pub const API_KEY: &str = "ozon-test-key";

/// How many times the fake was asked, by path and posting number.
pub type Calls = Arc<Mutex<HashMap<String, u32>>>;

/// An FBS posting as Ozon documents it, with the buyer's data that must not get through.
fn fbs_posting(number: &str, status: &str, substatus: &str) -> Value {
    json!({"result": {
        "posting_number": number,
        "order_id": 438764970,
        "order_number": number.rsplit_once('-').map_or(number, |(order, _)| order),
        "status": status,
        "substatus": substatus,
        "delivery_method": {"id": 18114520187000u64, "name": "Ozon Логистика самостоятельно, Москва",
            "warehouse_id": 18114520187000u64, "warehouse": "Москва основной", "tpl_provider_id": 24, "tpl_provider": "Ozon Логистика"},
        "tracking_number": "",
        "tpl_integration_type": "ozon",
        "in_process_at": "2026-11-18T09:14:16Z",
        "shipment_date": "2026-11-19T10:00:00Z",
        "delivering_date": "2026-11-20T08:00:00Z",
        "customer": {"name": "Иван Петров", "phone": "+79001234567",
            "address": {"address_tail": "ул. Ленина, д. 1, кв. 5", "city": "Казань"}},
        "addressee": {"name": "Иван Петров", "phone": "+79001234567"},
        "products": [{"sku": 1, "name": "Чайник", "quantity": 1, "offer_id": "T-1", "price": "1990.00"}]
    }})
}

async fn fake(State(calls): State<Calls>, headers: HeaderMap, request: Request<Body>) -> Response {
    let path = request.uri().path().to_owned();
    let body: Value =
        serde_json::from_slice(&request.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let number = body["posting_number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let count = {
        let mut calls = calls.lock().unwrap();
        let count = calls.entry(format!("{path} {number}")).or_insert(0);
        *count += 1;
        *count
    };
    if headers.get("client-id").and_then(|v| v.to_str().ok()) != Some(CLIENT_ID)
        || headers.get("api-key").and_then(|v| v.to_str().ok()) != Some(API_KEY)
    {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"code": 7, "message": "Invalid Api-Key, please contact support"})),
        )
            .into_response();
    }
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"code": 5, "message": "Posting not found", "details": []})),
        )
            .into_response()
    };
    let fbs = path == "/v3/posting/fbs/get";
    match (number.as_str(), fbs) {
        ("11111111-0001-1", true) => Json(fbs_posting(&number, "delivering", "posting_in_pickup_point")).into_response(),
        ("22222222-0001-1", true) => not_found(),
        ("22222222-0001-1", false) => Json(json!({"result": {
            "posting_number": number, "order_id": 1, "order_number": "22222222-0001", "status": "delivered",
            "created_at": "2026-11-15T10:00:00Z", "in_process_at": "2026-11-15T10:05:00Z",
            "products": [], "analytics_data": {"city": "Москва", "delivery_type": "PVZ"}
        }})).into_response(),
        ("33333333-0001-1", true) if count <= 2 => {
            (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "0")], Json(json!({"code": 8, "message": "rate limit"}))).into_response()
        }
        ("33333333-0001-1", true) => Json(fbs_posting(&number, "awaiting_deliver", "")).into_response(),
        ("66666666-0001-1", true) => {
            // Slow on purpose: a request still in flight when the server is told to stop.
            tokio::time::sleep(std::time::Duration::from_millis(700)).await;
            Json(fbs_posting(&number, "delivering", "")).into_response()
        }
        // Moves on between the seller's pull and a buyer's lookup.
        ("77777777-0001-1", true) if count == 1 => Json(fbs_posting(&number, "awaiting_deliver", "")).into_response(),
        ("77777777-0001-1", true) => Json(fbs_posting(&number, "delivering", "posting_in_pickup_point")).into_response(),
        // Answers the seller's pull, then breaks.
        ("88888888-0001-1", true) if count == 1 => Json(fbs_posting(&number, "awaiting_deliver", "")).into_response(),
        ("88888888-0001-1", true) => (StatusCode::BAD_GATEWAY, "down").into_response(),
        // Two postings of one order that answer the pull at once, then slowly (2 s) or
        // hardly at all (10 s): a buyer's lookup must not wait for them one after another.
        ("12121212-0001-1" | "12121212-0001-2" | "13131313-0001-1" | "13131313-0001-2", true)
            if count == 1 =>
        {
            Json(fbs_posting(&number, "awaiting_deliver", "")).into_response()
        }
        ("12121212-0001-1" | "12121212-0001-2", true) => {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            Json(fbs_posting(&number, "delivering", "posting_in_pickup_point")).into_response()
        }
        ("13131313-0001-1" | "13131313-0001-2", true) => {
            tokio::time::sleep(std::time::Duration::from_secs(10)).await;
            Json(fbs_posting(&number, "delivering", "posting_in_pickup_point")).into_response()
        }
        ("44444444-0001-1", true) => (StatusCode::INTERNAL_SERVER_ERROR, "upstream broke").into_response(),
        ("55555555-0001-1", true) => Json(fbs_posting(&number, "teleporting", "")).into_response(),
        _ => not_found(),
    }
}

async fn warehouses(State(calls): State<Calls>, headers: HeaderMap) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (client_id, api_key) = (header("client-id"), header("api-key"));
    *calls
        .lock()
        .unwrap()
        .entry(format!("check {client_id} {api_key}"))
        .or_insert(0) += 1;
    match api_key.as_str() {
        "limited" => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "40")],
            Json(json!({"code": 8, "message": "You have reached request rate limit per second"})),
        )
            .into_response(),
        "broken" => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"code": 13, "message": "internal error"}))).into_response(),
        "slow" => {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        "captive" => "<html><body>Sign in to the network</body></html>".into_response(),
        "key-switched-off" => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": 16, "message": "Api-key is deactivated", "details": []})),
        )
            .into_response(),
        API_KEY if client_id == CLIENT_ID => Json(json!({"result": [
            {"warehouse_id": 18114520187000u64, "name": "Москва основной", "is_rfbs": true,
             "status": "created", "has_entrusted_acceptance": false}
        ]}))
        .into_response(),
        other => (
            StatusCode::FORBIDDEN,
            Json(json!({"code": 7, "message": format!("Invalid Api-Key {other}, please contact support"), "details": []})),
        )
            .into_response(),
    }
}

/// Starts the fake on a free loopback port; returns its base URL and its call counts.
pub async fn start_fake() -> (String, Calls) {
    let calls: Calls = Arc::default();
    let app = Router::new()
        .route("/v3/posting/fbs/get", post(fake))
        .route("/v2/posting/fbo/get", post(fake))
        .route("/v1/warehouse/list", post(warehouses))
        .with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), calls)
}
