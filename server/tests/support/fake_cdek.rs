//! A local stand-in for CDEK's integration API v2, answering as its documentation describes:
//! OAuth client credentials for a token that expires, the order by its waybill with the
//! recipient's name, phone and address that must not get through, `v2_entity_not_found` for a
//! waybill it does not know, 401 for a token it no longer takes, 429 with `Retry-After`.
//! Its token endpoint is also what a check of the keys asks; secrets named for it answer
//! unhappily: `limited` a 429 with `Retry-After: 40`, `broken` a 503, `slow` only after a
//! minute (past any client's timeout), `banned` a 400 `unauthorized_client`, `forbidden` a 403.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "EMscd6r9JnFiQ3bLoyjJY6eM78JrJceI";
pub const CLIENT_SECRET: &str = "PjLZkKBHEiLK3YsjtNrt3TGNG0ahs3kG";

/// The fake's state: tokens it issued and still takes, and what it was asked.
#[derive(Clone, Default)]
pub struct FakeCdek {
    /// Tokens it takes.
    pub valid: Arc<Mutex<Vec<String>>>,
    /// How many tokens it issued.
    pub issued: Arc<Mutex<usize>>,
    /// How often each waybill was asked about.
    pub asked: Arc<Mutex<HashMap<String, usize>>>,
    /// Waybills answered with 429 and `Retry-After: 3`.
    pub limited: Arc<Mutex<Vec<String>>>,
    /// The client ids and secrets the token endpoint was asked with, in order.
    pub token_asked: Arc<Mutex<Vec<(String, String)>>>,
}

impl FakeCdek {
    /// Starts the fake on a free port: it, and its base URL (without `/v2`).
    pub async fn start() -> (FakeCdek, String) {
        let fake = FakeCdek::default();
        let app = Router::new()
            .route("/v2/oauth/token", post(token))
            .route("/v2/orders", get(order))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (fake, url)
    }

    /// Stops taking every token issued so far, as when CDEK revokes them early.
    pub fn revoke_tokens(&self) {
        self.valid.lock().unwrap().clear();
    }

    /// How often `number` was asked about.
    pub fn asked(&self, number: &str) -> usize {
        self.asked.lock().unwrap().get(number).copied().unwrap_or(0)
    }
}

async fn token(
    State(fake): State<FakeCdek>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    fake.token_asked.lock().unwrap().push((
        field("client_id").to_owned(),
        field("client_secret").to_owned(),
    ));
    match field("client_secret") {
        "limited" => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "40")],
                Json(json!({"requests": [{"state": "INVALID", "errors": [
                    {"code": "v2_too_many_requests", "message": "Too many requests"}]}]})),
            )
                .into_response()
        }
        "broken" => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "<html>502 Bad Gateway</html>",
            )
                .into_response()
        }
        "slow" => {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            return StatusCode::GATEWAY_TIMEOUT.into_response();
        }
        "banned" => return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unauthorized_client", "error_description": "Client is blocked"})),
        )
            .into_response(),
        "forbidden" => {
            return (
                StatusCode::FORBIDDEN,
                Json(json!({"error": "access_denied", "error_description": "Access denied"})),
            )
                .into_response()
        }
        _ => {}
    }
    if field("grant_type") != "client_credentials"
        || field("client_id") != CLIENT_ID
        || field("client_secret") != CLIENT_SECRET
    {
        return (
            StatusCode::UNAUTHORIZED,
            // As an OAuth server might, it names the client it does not know.
            Json(json!({"error": "invalid_client", "error_description":
                format!("Bad credentials for {} / {}", field("client_id"), field("client_secret"))})),
        )
            .into_response();
    }
    let mut issued = fake.issued.lock().unwrap();
    *issued += 1;
    let value = format!("token-{issued}");
    fake.valid.lock().unwrap().push(value.clone());
    Json(
        json!({"access_token": value, "token_type": "bearer", "expires_in": 3599,
                "scope": "order:all payment:all", "jti": format!("jti-{issued}")}),
    )
    .into_response()
}

async fn order(
    State(fake): State<FakeCdek>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !fake
        .valid
        .lock()
        .unwrap()
        .iter()
        .any(|token| token == bearer)
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"requests": [{"state": "INVALID", "errors": [
                {"code": "v2_token_expired", "message": "The access token has expired"}]}]})),
        )
            .into_response();
    }
    let number = query.get("cdek_number").cloned().unwrap_or_default();
    *fake
        .asked
        .lock()
        .unwrap()
        .entry(number.clone())
        .or_default() += 1;
    if fake.limited.lock().unwrap().contains(&number) {
        return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "3")], "").into_response();
    }
    if !number.starts_with("11") {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"requests": [{"request_uuid": "r-1", "type": "GET", "state": "INVALID",
                "errors": [{"code": "v2_entity_not_found", "message": "Entity is not found"}]}]}),
            ),
        )
            .into_response();
    }
    Json(json!({
        "entity": {
            "uuid": "72753031-1d3f-4b5c-8f0e-1d4e4b6a9c01", "type": 1, "cdek_number": number,
            "tariff_code": 136,
            "recipient": {"name": "Петрова Анна Сергеевна", "phones": [{"number": "+79001234567"}]},
            "to_location": {"city": "Казань", "address": "ул. Баумана, 12, кв. 5"},
            "statuses": [
                {"code": "ACCEPTED_AT_PICK_UP_POINT", "name": "Принят на склад до востребования",
                 "date_time": "2026-11-22T09:15:00+0300", "city": "Казань"},
                {"code": "SENT_TO_RECIPIENT_CITY", "name": "Отправлен в г.-получатель",
                 "date_time": "2026-11-21T06:10:00+0300", "city": "Москва"},
                {"code": "RECEIVED_AT_SHIPMENT_WAREHOUSE", "name": "Принят на склад отправителя",
                 "date_time": "2026-11-20T18:08:00+0300", "city": "Москва"},
                {"code": "CREATED", "name": "Создан", "date_time": "2026-11-20T12:00:00+0300",
                 "city": "Москва"}
            ]
        },
        "requests": [{"request_uuid": "r-1", "type": "CREATE", "state": "SUCCESSFUL",
                      "date_time": "2026-11-20T12:00:00+0300"}]
    }))
    .into_response()
}
