//! The seller API's Ozon part: keep the seller's Ozon keys, and pull a posting into the store.

use crate::auth::Seller;
use crate::error::ApiError;
use crate::ozon::{Credentials, OzonClient, OzonError};
use crate::seller_api::SellerShipment;
use crate::seller_input::{self, BuyerCheckInput, Invalid};
use crate::store::Store;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

/// `{"client_id": "…", "api_key": "…"}`, or `null` to forget the keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysInput {
    client_id: String,
    api_key: String,
}

/// `PUT /api/v1/seller/ozon`: keeps the seller's Ozon keys; they are never shown again.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken.
pub async fn put_keys(
    State(store): State<Store>,
    Seller(seller): Seller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let keys: Option<KeysInput> = serde_json::from_slice(&body).map_err(|error| {
        if error.is_data() {
            ApiError::Invalid(Invalid {
                field: String::new(),
                reason: error.to_string(),
            })
        } else {
            ApiError::MalformedJson(error.to_string())
        }
    })?;
    let credentials = keys
        .map(|keys| {
            let (client_id, api_key) = (keys.client_id.trim(), keys.api_key.trim());
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
        })
        .transpose()?;
    store
        .set_ozon_credentials(seller, credentials.as_ref())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/seller/ozon/postings/{posting_number}`: pulls the posting from Ozon (or the
/// cache) and stores it under the posting number as reference, for buyers to look up.
///
/// # Errors
/// 401 without a valid token, 422 without Ozon keys or for a malformed posting number,
/// 404 when Ozon has no such posting, 502 when Ozon refuses the keys or answers nonsense,
/// 503 when Ozon stays unavailable after the retries.
pub async fn pull_posting(
    State(store): State<Store>,
    Seller(seller): Seller,
    Extension(ozon): Extension<OzonClient>,
    Path(posting_number): Path<String>,
) -> Result<Response, ApiError> {
    let reference = seller_input::reference(&posting_number)?;
    let credentials = store
        .ozon_credentials(seller)
        .await?
        .ok_or_else(|| Invalid {
            field: "ozon".into(),
            reason: "no Ozon keys: PUT /api/v1/seller/ozon first".into(),
        })?;
    let shipment = ozon
        .posting(&credentials, reference)
        .await
        .map_err(ApiError::Ozon)?;
    let (written, stored) = store
        .put_shipment(seller, reference, &shipment, &BuyerCheckInput::default())
        .await?;
    store
        .mark_ozon_posting(seller, reference, reference)
        .await?;
    Ok(SellerShipment {
        reference,
        shipment: &stored,
    }
    .written(written))
}

impl ApiError {
    /// The HTTP status an Ozon failure is answered with.
    pub(crate) fn ozon_status(error: &OzonError) -> (StatusCode, &'static str) {
        match error {
            OzonError::NotFound => (StatusCode::NOT_FOUND, "ozon_not_found"),
            OzonError::Unauthorized => (StatusCode::BAD_GATEWAY, "ozon_refused_keys"),
            OzonError::BadAnswer(_) => (StatusCode::BAD_GATEWAY, "ozon_bad_answer"),
            OzonError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "ozon_unavailable"),
        }
    }
}
