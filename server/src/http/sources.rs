//! The seller API's carriers: keep the seller's keys for a provider (sealed, never shown
//! again), and choose where a shipment is polled from, or that it is polled from nowhere. A
//! shipment whose tracking number a provider tracks is polled from it on its own, once the
//! seller has keys there.

use super::auth::{Reference, Seller};
use super::error::ApiError;
use super::json::Strict;
use crate::seller_input::Invalid;
use crate::sources::{Keys, Provider};
use crate::state::SharedState;
use crate::store::sellers::SellerId;
use crate::store::{Store, StoreError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::put;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use trackline_core::number::normalise;
use trackline_core::Shipment;
use utoipa::ToSchema;

/// The carrier routes of the seller API.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/seller/sources/{provider}", put(put_source_keys))
        .route(
            "/api/v1/seller/shipments/{reference}/source",
            put(choose_source),
        )
}

/// A seller's keys for a provider; `null` in their place forgets them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceKeysInput {
    /// The account's login (Russian Post: from the tracking service's "Access settings").
    login: String,
    /// The account's password.
    password: String,
}

/// Where a shipment is polled from.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceChoice {
    /// `russian_post`, or `null` for nowhere (no number chooses one for it then).
    provider: Option<String>,
}

fn provider_of(name: &str) -> Result<Provider, ApiError> {
    Provider::from_wire(name).ok_or(ApiError::ProviderNotFound)
}

/// `PUT /api/v1/seller/sources/{provider}`: keeps the seller's keys there; they are never shown again.
///
/// # Errors
/// 401 without a valid token, 404 for a provider this server does not speak to, 422 for keys
/// that cannot be taken or a server that keeps no secrets.
#[utoipa::path(
    put,
    path = "/api/v1/seller/sources/{provider}",
    tag = "sources",
    summary = "Keep the seller's keys for a carrier's tracking service (never shown again); null forgets them",
    description = "With keys kept, each of the seller's shipments whose tracking number that carrier \
        tracks is polled from it on its own (Russian Post: S10 numbers ending in RU and 14-digit \
        domestic numbers), unless the seller chose otherwise for it.",
    params(("provider" = String, Path, description = "russian_post")),
    request_body = Option<SourceKeysInput>,
    responses(
        (status = 204, description = "Kept (or forgotten)."),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token (unauthorized).", body = trackline_core::ErrorBody),
        (status = 404, description = "No such provider here (provider_not_found).", body = trackline_core::ErrorBody),
        (status = 422, description = "A key cannot be taken (invalid, with field), or the server keeps no secrets (field sources).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn put_source_keys(
    State(store): State<Store>,
    Seller(seller): Seller,
    Path(provider): Path<String>,
    Strict(input): Strict<Option<SourceKeysInput>>,
) -> Result<StatusCode, ApiError> {
    let provider = provider_of(&provider)?;
    let keys = input
        .map(|input| {
            let (login, password) = (input.login.trim(), input.password.trim());
            let field = if login.is_empty() || login.len() > 200 {
                "login"
            } else if password.is_empty() || password.len() > 200 {
                "password"
            } else {
                return Ok(Keys {
                    login: login.to_owned(),
                    password: password.to_owned(),
                });
            };
            Err(Invalid {
                field: field.into(),
                reason: "1 to 200 characters".into(),
            })
        })
        .transpose()?;
    if keys.is_some() && store.secret_key().is_err() {
        return Err(Invalid {
            field: "sources".into(),
            reason: "this server keeps no provider keys until it is started with its secret key (TRACKLINE_SECRET_KEY)".into(),
        }
        .into());
    }
    store
        .set_source_keys(seller, provider, keys.as_ref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/seller/shipments/{reference}/source`: polls the shipment from a provider from
/// now on, or from nowhere.
///
/// # Errors
/// 401 without a valid token, 404 when this seller has no such shipment, 422 for a provider
/// this server does not speak to.
#[utoipa::path(
    put,
    path = "/api/v1/seller/shipments/{reference}/source",
    tag = "sources",
    summary = "Choose where a shipment is polled from, or that it is polled from nowhere",
    params(Reference),
    request_body = SourceChoice,
    responses(
        (status = 200, description = "Chosen; polled soon.", body = SourceChoice),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token (unauthorized).", body = trackline_core::ErrorBody),
        (status = 404, description = "This seller has no shipment under this reference (not_found).", body = trackline_core::ErrorBody),
        (status = 422, description = "No such provider here (invalid, field provider).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn choose_source(
    State(store): State<Store>,
    Seller(seller): Seller,
    Reference(reference): Reference,
    Strict(choice): Strict<SourceChoice>,
) -> Result<Json<SourceChoice>, ApiError> {
    let provider = choice
        .provider
        .as_deref()
        .map(|name| {
            Provider::from_wire(name).ok_or_else(|| Invalid {
                field: "provider".into(),
                reason: "russian_post, or null".into(),
            })
        })
        .transpose()?;
    if store
        .attach_source(seller, &reference, provider, crate::store::now_ms())
        .await?
    {
        Ok(Json(choice))
    } else {
        Err(ApiError::NotFound)
    }
}

/// After a shipment was written: if nothing was chosen for it yet and its tracking number is
/// tracked by a provider the seller has keys for, it is polled from there from now on.
///
/// # Errors
/// `StoreError` if the store fails.
pub async fn attach_by_number(
    store: &Store,
    seller: SellerId,
    reference: &str,
    shipment: &Shipment,
) -> Result<(), StoreError> {
    let Some(provider) = shipment
        .tracking_number
        .as_deref()
        .and_then(|number| Provider::for_number(&normalise(number)))
    else {
        return Ok(());
    };
    if store.source_of(seller, reference).await?.is_some()
        || store.source_keys(seller, provider).await?.is_none()
    {
        return Ok(());
    }
    store
        .attach_source(seller, reference, Some(provider), crate::store::now_ms())
        .await
        .map(|_| ())
}
