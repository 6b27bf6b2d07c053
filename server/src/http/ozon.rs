//! The seller API's Ozon part: keep the seller's Ozon keys, and pull a posting into the store.

use super::auth::{Owner, Reference, Seller};
use super::error::ApiError;
use super::json::Strict;
use super::seller::SellerShipment;
use crate::http::state::SharedState;
use crate::ozon::{Credentials, OzonClient};
use crate::providers::check::KeyCheck;
use crate::providers::Provider;
use crate::seller_input::Invalid;
use crate::store::Store;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;
use trackline_core::second_factor::SecondFactors;
use utoipa::ToSchema;

/// The Ozon routes of the seller API.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/seller/ozon", put(put_keys))
        .route("/api/v1/seller/ozon/check", post(check_keys))
        .route(
            "/api/v1/seller/ozon/postings/{posting_number}",
            post(pull_posting),
        )
}

/// The seller's Ozon Seller API keys; `null` in their place forgets them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeysInput {
    /// Ozon's `Client-Id`, digits.
    client_id: String,
    /// Ozon's `Api-Key`.
    api_key: String,
}

impl KeysInput {
    /// Checks the keys' shape.
    ///
    /// # Errors
    /// `Invalid` naming the key that cannot be Ozon's.
    fn validate(&self) -> Result<Credentials, Invalid> {
        let (client_id, api_key) = (self.client_id.trim(), self.api_key.trim());
        if client_id.is_empty() || !client_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid {
                field: "client_id".into(),
                reason: "Ozon's Client-Id, digits".into(),
            });
        }
        if api_key.is_empty() || api_key.len() > 200 {
            return Err(Invalid {
                field: "api_key".into(),
                reason: "Ozon's Api-Key".into(),
            });
        }
        Ok(Credentials {
            client_id: client_id.to_owned(),
            api_key: api_key.to_owned(),
        })
    }
}

/// `PUT /api/v1/seller/ozon`: keeps the seller's Ozon keys; they are never shown again.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken.
#[utoipa::path(
    put,
    path = "/api/v1/seller/ozon",
    tag = "ozon",
    summary = "Keep the seller's Ozon Seller API keys (never shown again); null forgets them",
    request_body = Option<KeysInput>,
    responses(
        (status = 204, description = "Kept."),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 422, description = "A field cannot be accepted (invalid, with field).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn put_keys(
    State(store): State<Store>,
    Owner(seller): Owner,
    Strict(keys): Strict<Option<KeysInput>>,
) -> Result<Response, ApiError> {
    let credentials = keys.as_ref().map(KeysInput::validate).transpose()?;
    if credentials.is_some() && store.secret_key().is_err() {
        return Err(Invalid {
            field: "ozon".into(),
            reason: "this server keeps no provider keys until it is started with its secret key (TRACKLINE_SECRET_KEY)".into(),
        }
        .into());
    }
    store
        .set_ozon_credentials(seller, credentials.as_ref())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/seller/ozon/check`: asks Ozon once with the keys the seller saved, and says
/// what it answered.
///
/// # Errors
/// 401 without a valid token, 403 for staff, 429 once the seller has checked too often.
#[utoipa::path(
    post,
    path = "/api/v1/seller/ozon/check",
    tag = "ozon",
    summary = "Check the seller's saved Ozon keys: ask Ozon once, say what it answered",
    description = "One POST /v1/warehouse/list to the Ozon Seller API with the saved keys, never \
        from the cache. A refusal is recorded for the attention queue as a pull records it; an \
        acceptance clears it. At most 10 checks a minute per seller, Ozon's and the carriers' together.",
    responses(
        (status = 200, description = "What Ozon answered (no_keys if none are saved).", body = KeyCheck),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a session's write without its origin and CSRF token.", body = trackline_core::ErrorBody),
        (status = 429, description = "Too many checks by this seller (rate_limited); Retry-After says when to come back.", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn check_keys(
    State(state): State<SharedState>,
    Owner(seller): Owner,
) -> Result<Json<KeyCheck>, ApiError> {
    super::providers::check_keys(&state, seller, Provider::Ozon).await
}

/// `POST /api/v1/seller/ozon/postings/{posting_number}`: pulls the posting from Ozon (or the
/// cache) and stores it under the posting number as reference, for buyers to look up.
///
/// # Errors
/// 401 without a valid token, 422 without Ozon keys or for a malformed posting number,
/// 404 when Ozon has no such posting, 502 when Ozon refuses the keys or answers nonsense,
/// 503 when Ozon stays unavailable after the retries.
#[utoipa::path(
    post,
    path = "/api/v1/seller/ozon/postings/{posting_number}",
    tag = "ozon",
    summary = "Pull a posting from the Ozon Seller API (or the 60 s cache) and store it for buyers",
    params(("posting_number" = String, Path, description = "Ozon's posting number, 12345678-0001-1.")),
    responses(
        (status = 200, description = "Pulled again; the stored shipment replaced.", body = SellerShipment),
        (status = 201, description = "Pulled for the first time.", body = SellerShipment),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "Ozon has no such posting, as FBS or FBO (ozon_not_found).", body = trackline_core::ErrorBody),
        (status = 422, description = "No Ozon keys (invalid, field ozon) or not a posting number.", body = trackline_core::ErrorBody),
        (status = 502, description = "Ozon refused the keys or answered nonsense (ozon_refused_keys, ozon_bad_answer).", body = trackline_core::ErrorBody),
        (status = 503, description = "Ozon stayed unavailable after the retries (ozon_unavailable).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn pull_posting(
    State(store): State<Store>,
    State(ozon): State<OzonClient>,
    Seller(seller): Seller,
    Reference(posting): Reference,
) -> Result<Response, ApiError> {
    let credentials = store
        .ozon_credentials(seller)
        .await?
        .ok_or_else(|| Invalid {
            field: "ozon".into(),
            reason: "no Ozon keys: PUT /api/v1/seller/ozon first".into(),
        })?;
    let answer = ozon.posting(&credentials, &posting).await;
    crate::ozon::keep_refusal(&store, seller, answer.as_ref().err()).await?;
    let shipment = answer.map_err(ApiError::Ozon)?;
    let (written, stored) = crate::updates::put(
        &store,
        seller,
        &posting,
        &shipment,
        &SecondFactors::default(),
    )
    .await?;
    store.mark_ozon_posting(seller, &posting, &posting).await?;
    // From now on Ozon is asked about it by stage, as carriers are: its changes reach the
    // seller's webhooks without a buyer looking it up.
    store
        .attach_source(
            seller,
            &posting,
            Some(crate::providers::Provider::Ozon),
            crate::store::now_ms(),
        )
        .await?;
    Ok(SellerShipment {
        reference: &posting,
        shipment: &stored,
    }
    .written(written))
}
