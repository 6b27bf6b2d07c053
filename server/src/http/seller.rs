//! The seller API: write shipments and append events, each seller to its own.
//!
//! `PUT /api/v1/seller/shipments/{reference}` writes a shipment whole (history included),
//! `GET` reads it back, `PATCH` sets the fields it names, `DELETE` removes it, `POST …/events` appends one event
//! or `{"events": [...]}`; with an `Idempotency-Key` a retried append gets the replay of
//! the first response and never appends twice. Server to server, with a bearer token: no
//! CORS, so no browser page can call it.

use super::auth::{Owner, Reference, Seller};
use super::error::ApiError;
use super::json::{self, Strict};
use crate::http::state::SharedState;
use crate::seller_input::{
    self, EventBatch, EventInput, EventsBody, LookupRulesInput, ShipmentInput, ShipmentPatch,
};
use crate::store::lookup_rules::LookupRules;
use crate::store::seller_shipments::Written;
use crate::store::sellers::sha256_hex;
use crate::store::Store;
use crate::updates::{self, ReplayKey};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use trackline_core::Shipment;
use utoipa::ToSchema;

/// The seller API's routes (its Ozon part is `ozon::routes`).
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/api/v1/seller/shipments/{reference}",
            get(get_shipment)
                .put(put_shipment)
                .patch(patch_shipment)
                .delete(delete_shipment),
        )
        .route(
            "/api/v1/seller/shipments/{reference}/events",
            post(post_events),
        )
        .route(
            "/api/v1/seller/settings",
            get(get_settings).put(put_settings),
        )
}

/// A seller's shipment as the seller API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerShipment<'a> {
    /// The seller's own reference.
    pub reference: &'a str,
    /// The shipment as buyers will see it.
    #[schema(value_type = Shipment)]
    pub shipment: &'a Shipment,
}

/// What an append did: how many events it added, and the shipment after them.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventsAdded<'a> {
    /// The seller's own reference.
    pub reference: &'a str,
    /// How many events were appended.
    #[schema(minimum = 1)]
    pub added: usize,
    /// The shipment after them.
    #[schema(value_type = Shipment)]
    pub shipment: &'a Shipment,
}

impl SellerShipment<'_> {
    /// The response to a write: 201 when it made the shipment, 200 when it replaced one.
    pub fn written(&self, written: Written) -> Response {
        let status = match written {
            Written::Created => StatusCode::CREATED,
            Written::Replaced => StatusCode::OK,
        };
        (status, Json(self)).into_response()
    }
}

/// The header that marks a response replayed for a retry.
pub const REPLAYED: &str = "idempotent-replayed";

/// `PUT /api/v1/seller/shipments/{reference}`: 201 when new, 200 when replaced.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken, 409 for a concurrent create.
#[utoipa::path(
    put,
    path = "/api/v1/seller/shipments/{reference}",
    tag = "seller",
    summary = "Create or replace a shipment, history included",
    params(Reference),
    request_body = ShipmentInput,
    responses(
        (status = 200, description = "Replaced.", body = SellerShipment),
        (status = 201, description = "Created.", body = SellerShipment),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A write in a session without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 409, description = "Another request created the same reference at the same moment (conflict).", body = trackline_core::ErrorBody),
        (status = 422, description = "A field cannot be accepted (invalid, with field).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn put_shipment(
    State(store): State<Store>,
    Seller(seller): Seller,
    Reference(reference): Reference,
    Strict(input): Strict<ShipmentInput>,
) -> Result<Response, ApiError> {
    let (shipment, factors) = input.validate()?;
    let (written, stored) = updates::put(&store, seller, &reference, &shipment, &factors).await?;
    super::providers::attach_by_number(&store, seller, &reference, &stored).await?;
    Ok(SellerShipment {
        reference: &reference,
        shipment: &stored,
    }
    .written(written))
}

/// `GET /api/v1/seller/shipments/{reference}`: the seller's own shipment only.
///
/// # Errors
/// 401 without a valid token, 404 when this seller has no such shipment.
#[utoipa::path(
    get,
    path = "/api/v1/seller/shipments/{reference}",
    tag = "seller",
    summary = "Read the seller's own shipment",
    params(Reference),
    responses(
        (status = 200, description = "The shipment.", body = SellerShipment),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 404, description = "This seller has no shipment under this reference (not_found).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn get_shipment(
    State(store): State<Store>,
    Seller(seller): Seller,
    Reference(reference): Reference,
) -> Result<Response, ApiError> {
    let shipment = store
        .seller_shipment(seller, &reference)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(SellerShipment {
        reference: &reference,
        shipment: &shipment,
    })
    .into_response())
}

/// `DELETE /api/v1/seller/shipments/{reference}`: the seller's own shipment goes, with its
/// history, the buyers' subscriptions to it and what is queued about it; buyers' lookups stop
/// finding it at once, on every instance.
///
/// # Errors
/// 401 without a valid token, 404 when this seller has no such shipment.
#[utoipa::path(
    delete,
    path = "/api/v1/seller/shipments/{reference}",
    tag = "seller",
    summary = "Delete the seller's own shipment, with its history and buyers' subscriptions",
    description = "Its events, the buyers' notification subscriptions and the messages queued for         them, and the webhook deliveries about it not yet made go with it; public lookups stop         finding it at once. No webhook tells of a deletion: only the seller deletes.",
    params(Reference),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A write in a session without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "This seller has no shipment under this reference (not_found).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn delete_shipment(
    State(store): State<Store>,
    Seller(seller): Seller,
    Reference(reference): Reference,
) -> Result<StatusCode, ApiError> {
    if store.delete_shipment(seller, &reference).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The `Idempotency-Key` header, if the request has one.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    headers
        .get("idempotency-key")
        .map(|value| {
            value
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|key| !key.is_empty() && key.len() <= 200)
                .ok_or(ApiError::BadIdempotencyKey)
        })
        .transpose()
}

/// `POST /api/v1/seller/shipments/{reference}/events`: appends one event or a batch.
///
/// The body is taken as bytes rather than through `Strict`: a retry is recognised by the
/// hash of the bytes it sent, before they are read.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body or key that cannot be taken, 404 for an
/// unknown reference, 409 while the same key is in flight.
#[utoipa::path(
    post,
    path = "/api/v1/seller/shipments/{reference}/events",
    tag = "seller",
    summary = "Append one event, or a batch, and move the status to the newest",
    params(Reference, ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key and body within a day gets the replay of the first response and appends nothing; after a day the key is forgotten.", min_length = 1, max_length = 200)),
    request_body = EventsBody,
    responses(
        (status = 201, description = "Appended (or replayed: Idempotent-Replayed: true).", body = EventsAdded, headers(("Idempotent-Replayed" = String, description = "true when this is the replay of an earlier response to the same key."))),
        (status = 400, description = "The body is not JSON, or the key is unusable (malformed_json, bad_idempotency_key).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A write in a session without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "This seller has no shipment under this reference (not_found).", body = trackline_core::ErrorBody),
        (status = 409, description = "The same key is in flight (conflict).", body = trackline_core::ErrorBody),
        (status = 422, description = "A field cannot be accepted (invalid), or the key was used for another request (idempotency_key_reused).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn post_events(
    State(store): State<Store>,
    Seller(seller): Seller,
    Reference(reference): Reference,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(json::unreadable)?;
    let key = idempotency_key(&headers)?;
    let request_hash =
        sha256_hex(&[b"POST events ", reference.as_bytes(), b" ", &body[..]].concat());
    if let Some(key) = key {
        if let Some(replay) = store.replay(seller, key).await? {
            if replay.request_hash != request_hash {
                return Err(ApiError::IdempotencyKeyReused);
            }
            let mut response = super::json::json_text(
                StatusCode::from_u16(replay.status).unwrap_or(StatusCode::OK),
                replay.body,
            );
            response
                .headers_mut()
                .insert(REPLAYED, HeaderValue::from_static("true"));
            return Ok(response);
        }
    }
    let is_batch = json::parse::<serde_json::Value>(&body)?
        .get("events")
        .is_some();
    let events = if is_batch {
        seller_input::validate_events(json::parse::<EventBatch>(&body)?.events, "events")?
    } else {
        vec![json::parse::<EventInput>(&body)?.validate("event")?]
    };
    let added = events.len();
    let replay = key.map(|key| ReplayKey {
        key,
        request_hash: &request_hash,
    });
    let (status, body) =
        updates::append_events(&store, seller, &reference, &events, replay, |shipment| {
            let added = EventsAdded {
                reference: &reference,
                added,
                shipment,
            };
            // Plain data with string keys always serialises.
            (201, serde_json::to_string(&added).unwrap_or_default())
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(super::json::json_text(
        StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED),
        body,
    ))
}

/// The lookup rules as the seller API shows them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LookupRules)]
pub struct LookupRulesView {
    /// Storefront origins allowed to read the lookup; empty for any.
    allowed_origins: Vec<String>,
    /// The second factor asked for lookups by order number: `phone_last4`, `postcode`, or none.
    #[schema(examples("phone_last4", "postcode"))]
    order_check: Option<&'static str>,
}

impl From<&LookupRules> for LookupRulesView {
    fn from(rules: &LookupRules) -> LookupRulesView {
        LookupRulesView {
            allowed_origins: rules.allowed_origins.clone(),
            order_check: rules.second_factor.map(|factor| factor.as_str()),
        }
    }
}

/// `PUT /api/v1/seller/settings`: which origins may read the seller's shipments, and the
/// second factor for lookups by order number.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken.
#[utoipa::path(
    put,
    path = "/api/v1/seller/settings",
    tag = "seller",
    summary = "Set the origins allowed to read the seller's shipments and the second factor for order numbers",
    request_body = LookupRulesInput,
    responses(
        (status = 200, description = "The rules as stored.", body = LookupRulesView),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 422, description = "A field cannot be accepted (invalid, with field).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn put_settings(
    State(store): State<Store>,
    Owner(seller): Owner,
    Strict(input): Strict<LookupRulesInput>,
) -> Result<Response, ApiError> {
    let rules = input.validate()?;
    store.set_lookup_rules(seller, &rules).await?;
    Ok(Json(LookupRulesView::from(&rules)).into_response())
}

/// `GET /api/v1/seller/settings`.
///
/// # Errors
/// 401 without a valid token.
#[utoipa::path(
    get,
    path = "/api/v1/seller/settings",
    tag = "seller",
    summary = "The seller's lookup rules",
    responses(
        (status = 200, description = "The rules.", body = LookupRulesView),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn get_settings(
    State(store): State<Store>,
    Owner(seller): Owner,
) -> Result<Response, ApiError> {
    let rules = store.lookup_rules(seller).await?;
    Ok(Json(LookupRulesView::from(&rules)).into_response())
}

/// `PATCH /api/v1/seller/shipments/{reference}`: sets only the fields the body names (a JSON
/// merge patch at the top level: a value sets, `null` clears); the history is left as it is.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken, 404 for an unknown reference.
#[utoipa::path(
    patch,
    path = "/api/v1/seller/shipments/{reference}",
    tag = "seller",
    summary = "Set only the fields named (a value sets, null clears); the history is kept",
    params(Reference),
    request_body = ShipmentPatch,
    responses(
        (status = 200, description = "The shipment as changed.", body = SellerShipment),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A write in a session without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "This seller has no shipment under this reference (not_found).", body = trackline_core::ErrorBody),
        (status = 422, description = "A field a patch may not set, or a result that cannot be accepted (invalid, with field).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn patch_shipment(
    State(store): State<Store>,
    Seller(seller): Seller,
    Reference(reference): Reference,
    Strict(patch): Strict<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    let patched = updates::patch(&store, seller, &reference, |current| {
        seller_input::merge_patch(&current, patch)
    })
    .await?
    .ok_or(ApiError::NotFound)??;
    // The tracking number often comes later than the shipment: it may choose a carrier now.
    super::providers::attach_by_number(&store, seller, &reference, &patched).await?;
    Ok(Json(SellerShipment {
        reference: &reference,
        shipment: &patched,
    })
    .into_response())
}
