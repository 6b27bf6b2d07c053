//! A local stand-in for 17TRACK's API v2.2, answering as its documentation describes: the key in
//! `17token` (401 without the right one), `register` and `gettrackinfo` with their accepted and
//! rejected entries (`-18019902` for a number not registered yet, `-18019901` for one registered
//! twice), 429 past three requests a second, and track info that carries the recipient's
//! address, which must not get through. It also signs webhook calls as 17TRACK does.
//! `getquota` (no body) is what a check of the key asks; keys named for it answer unhappily:
//! `limited` a 429 with `Retry-After: 40`, `broken` a 500, `slow` only after a minute,
//! `disabled-account` a 200 whose code says the account is disabled (-18010004).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const API_KEY: &str = "0A1B2C3D4E5F60718293A4B5C6D7E8F9";

/// The fake's state: numbers registered, requests seen, and how many it refused for pace.
#[derive(Clone, Default)]
pub struct Fake17Track {
    /// Numbers registered.
    pub registered: Arc<Mutex<HashSet<String>>>,
    /// How often each number was asked about, by call (`register`, `gettrackinfo`).
    pub asked: Arc<Mutex<HashMap<(String, String), usize>>>,
    /// When the last requests came, to hold the account to three a second.
    recent: Arc<Mutex<VecDeque<Instant>>>,
    /// Requests refused with 429 for coming too fast.
    pub too_fast: Arc<Mutex<usize>>,
    /// The keys `getquota` was asked with, in order.
    pub quota_asked: Arc<Mutex<Vec<String>>>,
}

impl Fake17Track {
    /// Starts the fake on a free port: it, and its base URL (without `/track/v2.2`).
    pub async fn start() -> (Fake17Track, String) {
        let fake = Fake17Track::default();
        let app = Router::new()
            .route("/track/v2.2/{call}", post(answer))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (fake, url)
    }

    /// How often `call` was made for `number`.
    pub fn asked(&self, call: &str, number: &str) -> usize {
        self.asked
            .lock()
            .unwrap()
            .get(&(call.to_owned(), number.to_owned()))
            .copied()
            .unwrap_or(0)
    }
}

/// What 17TRACK knows of a Cainiao parcel: a Chinese leg and a Russian one, waiting at a
/// pickup point, and the recipient's address.
pub fn track_info() -> Value {
    json!({
        "shipping_info": {"shipper_address": {"country": "CN", "city": "深圳"},
                          "recipient_address": {"country": "RU", "city": "Казань",
                                                "street": "ул. Баумана, 12, кв. 5"}},
        "latest_status": {"status": "AvailableForPickup", "sub_status": "AvailableForPickup_Other",
                          "sub_status_descr": null},
        "latest_event": null,
        "tracking": {"providers_hash": 1, "providers": [
            {"provider": {"key": 190271, "name": "Cainiao", "country": "CN"}, "events": [
                {"time_iso": "2026-11-14T10:00:00+08:00", "time_utc": "2026-11-14T02:00:00Z",
                 "description": "包裹已揽收", "location": "深圳", "stage": "PickedUp",
                 "sub_status": "InTransit_PickedUp"},
                {"time_iso": "2026-11-16T08:00:00+08:00", "time_utc": "2026-11-16T00:00:00Z",
                 "description": "离开出口互换局", "location": "满洲里", "stage": null,
                 "sub_status": "InTransit_Departure"}]},
            {"provider": {"key": 3013, "name": "Russian Post", "country": "RU"}, "events": [
                {"time_iso": "2026-11-22T09:15:00+03:00", "time_utc": "2026-11-22T06:15:00Z",
                 "description": "Прибыло в место вручения", "location": "Казань 420000",
                 "stage": "AvailableForPickup", "sub_status": "AvailableForPickup_Other"}]}]}
    })
}

/// A call of 17TRACK's webhook as 17TRACK makes it, and its `sign` with `key`.
pub fn webhook_call(number: &str, key: &str) -> (String, String) {
    let body = json!({"event": "TRACKING_UPDATED",
                      "data": {"number": number, "carrier": 190271, "param": null, "tag": "",
                               "track_info": track_info()}})
    .to_string();
    let sign = trackline_server::store::sellers::sha256_hex(format!("{body}/{key}").as_bytes());
    (body, sign)
}

async fn answer(
    State(fake): State<Fake17Track>,
    Path(call): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let key = headers
        .get("17token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if call == "getquota" {
        fake.quota_asked.lock().unwrap().push(key.clone());
        match key.as_str() {
            "limited" => {
                return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "40")], "").into_response()
            }
            "broken" => return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response(),
            "slow" => {
                tokio::time::sleep(Duration::from_secs(60)).await;
                return StatusCode::GATEWAY_TIMEOUT.into_response();
            }
            "disabled-account" => {
                return Json(json!({"code": -18010004, "data": {"errors": [
                    {"code": -18010004, "message": "Account is disabled."}]}}))
                .into_response()
            }
            _ => {}
        }
    }
    let entries: Vec<Value> = if call == "getquota" {
        Vec::new()
    } else {
        match serde_json::from_slice(&body) {
            Ok(entries) => entries,
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        }
    };
    {
        let mut recent = fake.recent.lock().unwrap();
        let now = Instant::now();
        while recent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(1))
        {
            recent.pop_front();
        }
        if recent.len() >= 3 {
            *fake.too_fast.lock().unwrap() += 1;
            return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "").into_response();
        }
        recent.push_back(now);
    }
    if key != API_KEY {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": -18010002, "data": {"errors": [
                {"code": -18010002, "message": "Access token is invalid."}]}})),
        )
            .into_response();
    }
    if call == "getquota" {
        return Json(
            json!({"code": 0, "data": {"free_email_quota": 100, "quota_total": 100,
            "quota_used": 1, "quota_remain": 99, "today_used": 1, "max_track_daily": 0}}),
        )
        .into_response();
    }
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for entry in entries {
        let number = entry["number"].as_str().unwrap_or_default().to_owned();
        *fake
            .asked
            .lock()
            .unwrap()
            .entry((call.clone(), number.clone()))
            .or_default() += 1;
        let mut registered = fake.registered.lock().unwrap();
        match call.as_str() {
            "register" if registered.contains(&number) => rejected.push(json!({
                "number": number, "error": {"code": -18019901,
                "message": format!("The tracking number '{number}' has been registered, don't need to repeat registration.")}})),
            "register" => {
                registered.insert(number.clone());
                accepted.push(json!({"origin": 1, "number": number, "carrier": 190271}));
            }
            "gettrackinfo" if !registered.contains(&number) => rejected.push(json!({
                "number": number, "error": {"code": -18019902,
                "message": format!("The tracking number '{number}' does not register, please register first.")}})),
            "gettrackinfo" => accepted.push(json!({"number": number, "carrier": 190271,
                "param": null, "tag": null, "track_info": track_info()})),
            _ => return StatusCode::NOT_FOUND.into_response(),
        }
    }
    Json(json!({"code": 0, "data": {"accepted": accepted, "rejected": rejected}})).into_response()
}
