//! The seller API: write shipments and append events, each seller to its own.
//!
//! `PUT /api/v1/seller/shipments/{reference}` writes a shipment whole (history included),
//! `GET` reads it back, `POST …/events` appends one event or `{"events": [...]}`; with an
//! `Idempotency-Key` a retried append is answered from the first time and never appends twice.

use crate::auth::Seller;
use crate::error::ApiError;
use crate::seller_input::{self, EventBatch, EventInput, Invalid, LookupRulesInput, ShipmentInput};
use crate::store::guards::LookupRules;
use crate::store::seller_shipments::{Remember, Written};
use crate::store::sellers::sha256_hex;
use crate::store::Store;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use trackline_core::Shipment;

/// A seller's shipment as the seller API answers it.
#[derive(Debug, Serialize)]
pub struct SellerShipment<'a> {
    /// The seller's own reference.
    pub reference: &'a str,
    /// The shipment as buyers will see it.
    pub shipment: &'a Shipment,
}

impl SellerShipment<'_> {
    /// The answer to a write: 201 when it made the shipment, 200 when it replaced one.
    pub fn written(&self, written: Written) -> Response {
        let status = match written {
            Written::Created => StatusCode::CREATED,
            Written::Replaced => StatusCode::OK,
        };
        (status, Json(self)).into_response()
    }
}

/// The header that marks an answer replayed for a retry.
pub const REPLAYED: &str = "idempotent-replayed";

/// Reads a JSON body strictly, naming the field at fault.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            ApiError::Invalid(Invalid {
                field: if field == "." { String::new() } else { field },
                reason: inner.to_string(),
            })
        } else {
            ApiError::MalformedJson(inner.to_string())
        }
    })
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// `PUT /api/v1/seller/shipments/{reference}`: 201 when new, 200 when replaced.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken, 409 for a concurrent create.
pub async fn put_shipment(
    State(store): State<Store>,
    Seller(seller): Seller,
    Path(reference): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let reference = seller_input::reference(&reference)?;
    let (shipment, checks) = parse::<ShipmentInput>(&body)?.validate()?;
    let (written, stored) = store
        .put_shipment(seller, reference, &shipment, &checks)
        .await?;
    Ok(SellerShipment {
        reference,
        shipment: &stored,
    }
    .written(written))
}

/// `GET /api/v1/seller/shipments/{reference}`: the seller's own shipment only.
///
/// # Errors
/// 401 without a valid token, 404 when this seller has no such shipment.
pub async fn get_shipment(
    State(store): State<Store>,
    Seller(seller): Seller,
    Path(reference): Path<String>,
) -> Result<Response, ApiError> {
    let reference = seller_input::reference(&reference)?;
    let shipment = store
        .seller_shipment(seller, reference)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(SellerShipment {
        reference,
        shipment: &shipment,
    })
    .into_response())
}

/// `POST /api/v1/seller/shipments/{reference}/events`: appends one event or a batch.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body or key that cannot be taken, 404 for an
/// unknown reference, 409 while the same key is in flight.
pub async fn post_events(
    State(store): State<Store>,
    Seller(seller): Seller,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let reference = seller_input::reference(&reference)?;
    let key = match headers.get("idempotency-key") {
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|key| !key.is_empty() && key.len() <= 200)
                .ok_or(ApiError::BadIdempotencyKey)?,
        ),
        None => None,
    };
    let request_hash =
        sha256_hex(&[b"POST events ", reference.as_bytes(), b" ", &body[..]].concat());
    if let Some(key) = key {
        if let Some(kept) = store.kept_answer(seller, key).await? {
            if kept.request_hash != request_hash {
                return Err(ApiError::IdempotencyKeyReused);
            }
            let mut response = json_response(
                StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK),
                kept.body,
            );
            response
                .headers_mut()
                .insert(REPLAYED, HeaderValue::from_static("true"));
            return Ok(response);
        }
    }
    let is_batch = serde_json::from_slice::<serde_json::Value>(&body)
        .map_err(|error| ApiError::MalformedJson(error.to_string()))?
        .get("events")
        .is_some();
    let events = if is_batch {
        seller_input::validate_events(parse::<EventBatch>(&body)?.events, "events")?
    } else {
        vec![parse::<EventInput>(&body)?.validate("event")?]
    };
    let added = events.len();
    let remember = key.map(|key| Remember {
        key,
        request_hash: &request_hash,
    });
    let answer = store
        .append_events(seller, reference, &events, remember, |shipment| {
            let body = serde_json::json!({
                "reference": reference,
                "added": added,
                "shipment": shipment,
            });
            (201, body.to_string())
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(json_response(
        StatusCode::from_u16(answer.0).unwrap_or(StatusCode::CREATED),
        answer.1,
    ))
}

/// The lookup rules as the seller API shows them.
#[derive(Debug, Serialize)]
struct RulesView {
    allowed_origins: Vec<String>,
    order_check: Option<&'static str>,
}

fn rules_view(rules: &LookupRules) -> RulesView {
    RulesView {
        allowed_origins: rules.allowed_origins.clone(),
        order_check: rules.order_check.map(|kind| kind.as_str()),
    }
}

/// `PUT /api/v1/seller/settings`: which origins may read the seller's shipments, and the
/// second factor for lookups by order number.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken.
pub async fn put_settings(
    State(store): State<Store>,
    Seller(seller): Seller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let rules = parse::<LookupRulesInput>(&body)?.validate()?;
    store.set_lookup_rules(seller, &rules).await?;
    Ok(Json(rules_view(&rules)).into_response())
}

/// `GET /api/v1/seller/settings`.
///
/// # Errors
/// 401 without a valid token.
pub async fn get_settings(
    State(store): State<Store>,
    Seller(seller): Seller,
) -> Result<Response, ApiError> {
    let rules = store.lookup_rules(seller).await?;
    Ok(Json(rules_view(&rules)).into_response())
}

/// `PATCH /api/v1/seller/shipments/{reference}`: sets only the fields the body names (a JSON
/// merge patch at the top level: a value sets, `null` clears); the history is left as it is.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken, 404 for an unknown reference.
pub async fn patch_shipment(
    State(store): State<Store>,
    Seller(seller): Seller,
    Path(reference): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let reference = seller_input::reference(&reference)?;
    let patch: serde_json::Map<String, serde_json::Value> = parse(&body)?;
    let patched = store
        .patch_shipment(seller, reference, |current| {
            seller_input::merge_patch(&current, patch)
        })
        .await?
        .ok_or(ApiError::NotFound)??;
    Ok(Json(SellerShipment {
        reference,
        shipment: &patched,
    })
    .into_response())
}
