//! The seller API's carriers: keep the seller's keys for a provider (sealed, never shown
//! again), and choose where a shipment is polled from, or that it is polled from nowhere. A
//! shipment whose tracking number a provider tracks is polled from it on its own, once the
//! seller has keys there.

use super::auth::{Owner, Reference, Seller};
use super::error::ApiError;
use super::json::Strict;
use crate::http::state::SharedState;
use crate::providers::check::KeyCheck;
use crate::providers::seventeen_track::{verify_webhook, WebhookCall};
use crate::providers::{Keys, Provider};
use crate::seller_input::Invalid;
use crate::store::sellers::SellerId;
use crate::store::{Store, StoreError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
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
            "/api/v1/seller/sources/{provider}/check",
            post(check_source_keys),
        )
        .route("/api/v1/seller/keys", get(saved_keys))
        .route(
            "/api/v1/seller/shipments/{reference}/source",
            put(choose_source),
        )
        .route(
            "/api/v1/sources/seventeen_track/push/{shop}",
            post(seventeen_track_webhook),
        )
}

/// A seller's keys for a provider, the ones its API asks for; `null` in their place forgets them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceKeysInput {
    /// Russian Post: the login from the tracking service's "Access settings".
    #[serde(default)]
    login: Option<String>,
    /// Russian Post: the password from the same page.
    #[serde(default)]
    password: Option<String>,
    /// CDEK: the integration's account (client id), from the CDEK account's "Integration" page.
    #[serde(default)]
    client_id: Option<String>,
    /// CDEK: the integration's secure password (client secret).
    #[serde(default)]
    client_secret: Option<String>,
    /// 17TRACK: the API's security key (API settings); it also signs 17TRACK's webhook calls.
    #[serde(default)]
    api_key: Option<String>,
}

impl SourceKeysInput {
    /// The keys `provider` asks for, each 1 to 200 characters, and no other.
    ///
    /// # Errors
    /// `Invalid` naming the first field missing, too long, or not one of this provider's.
    fn keys_for(self, provider: Provider) -> Result<Keys, Invalid> {
        let given = [
            ("login", self.login),
            ("password", self.password),
            ("client_id", self.client_id),
            ("client_secret", self.client_secret),
            ("api_key", self.api_key),
        ];
        let mut taken = std::collections::HashMap::new();
        for (field, value) in given {
            let wanted = provider.key_fields().contains(&field);
            match value.as_deref().map(str::trim) {
                Some(_) if !wanted => {
                    return Err(Invalid {
                        field: field.into(),
                        reason: format!(
                            "not a key of {}: it takes {}",
                            provider.as_str(),
                            provider.key_fields().join(", ")
                        ),
                    })
                }
                Some(value) if !value.is_empty() && value.len() <= 200 => {
                    taken.insert(field, value.to_owned());
                }
                _ if wanted => {
                    return Err(Invalid {
                        field: field.into(),
                        reason: "1 to 200 characters".into(),
                    })
                }
                _ => {}
            }
        }
        let mut take = |field: &str| taken.remove(field).unwrap_or_default();
        Ok(match provider {
            Provider::RussianPost => Keys::Login {
                login: take("login"),
                password: take("password"),
            },
            Provider::Cdek => Keys::Client {
                client_id: take("client_id"),
                client_secret: take("client_secret"),
            },
            Provider::SeventeenTrack => Keys::ApiKey {
                api_key: take("api_key"),
            },
            Provider::Ozon => {
                return Err(Invalid {
                    field: "provider".into(),
                    reason: "Ozon's keys are given at PUT /api/v1/seller/ozon".into(),
                })
            }
        })
    }
}

/// Where a shipment is polled from.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceChoice {
    /// `russian_post`, `cdek`, `seventeen_track` or `ozon` (a pulled posting), or `null` for
    /// nowhere (no number chooses one for it then).
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
    description = "With keys kept, each of the seller's shipments whose tracking number that provider \
        tracks is polled from it on its own, unless the seller chose otherwise for it: Russian Post \
        for S10 numbers ending in RU and 14-digit domestic numbers, CDEK for 10-digit waybills, \
        17TRACK for any number the carrier's own provider does not take (or has no keys for). \
        With each change 17TRACK also calls its webhook, /api/v1/sources/seventeen_track/push/{shop}, \
        signed with the same key.",
    params(("provider" = String, Path, description = "russian_post (login, password), cdek (client_id, client_secret) or seventeen_track (api_key)")),
    request_body = Option<SourceKeysInput>,
    responses(
        (status = 204, description = "Kept (or forgotten)."),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "No such provider here (provider_not_found).", body = trackline_core::ErrorBody),
        (status = 422, description = "A key cannot be taken (invalid, with field), or the server keeps no secrets (field sources).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn put_source_keys(
    State(store): State<Store>,
    Owner(seller): Owner,
    Path(provider): Path<String>,
    Strict(input): Strict<Option<SourceKeysInput>>,
) -> Result<StatusCode, ApiError> {
    let provider = provider_of(&provider)?;
    let keys = input.map(|input| input.keys_for(provider)).transpose()?;
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

/// Which providers the seller saved keys for (never the keys).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SavedKeys {
    /// Of `russian_post`, `cdek`, `seventeen_track` and `ozon`, those with keys saved, in that order.
    pub providers: Vec<String>,
}

/// `GET /api/v1/seller/keys`: which providers the seller saved keys for, so that the console
/// offers to check them; the keys themselves are never shown again.
///
/// # Errors
/// 401 without a valid token, 403 for staff.
#[utoipa::path(
    get,
    path = "/api/v1/seller/keys",
    tag = "sources",
    summary = "Which providers the seller saved keys for (never the keys)",
    responses(
        (status = 200, description = "The providers with keys saved.", body = SavedKeys),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn saved_keys(
    State(store): State<Store>,
    Owner(seller): Owner,
) -> Result<Json<SavedKeys>, ApiError> {
    let carriers = store.providers_with_keys(seller).await?;
    let ozon = store.ozon_credentials(seller).await?.is_some();
    let providers = Provider::ALL
        .into_iter()
        .filter(|provider| match provider {
            Provider::Ozon => ozon,
            provider => carriers.contains(provider),
        })
        .map(|provider| provider.as_str().to_owned())
        .collect();
    Ok(Json(SavedKeys { providers }))
}

/// `POST /api/v1/seller/sources/{provider}/check`: asks the provider once with the keys the
/// seller saved there, and says what it answered.
///
/// # Errors
/// 401 without a valid token, 403 for staff, 404 for a provider this server does not speak to,
/// 429 once the seller has checked too often.
#[utoipa::path(
    post,
    path = "/api/v1/seller/sources/{provider}/check",
    tag = "sources",
    summary = "Check the seller's saved keys for a provider: ask it once, say what it answered",
    description = "One cheap read-only call with the saved keys: CDEK's OAuth token request, \
        17TRACK's getquota, Russian Post's getOperationHistory for a number no parcel carries \
        (it has no call of its own for keys), Ozon's /v1/warehouse/list. A refusal is recorded \
        for the attention queue as the poller records it; an acceptance clears it. At most 10 \
        checks a minute per seller.",
    params(("provider" = String, Path, description = "russian_post, cdek, seventeen_track or ozon")),
    responses(
        (status = 200, description = "What the provider answered (no_keys if none are saved).", body = KeyCheck),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a session's write without its origin and CSRF token.", body = trackline_core::ErrorBody),
        (status = 404, description = "No such provider here (provider_not_found).", body = trackline_core::ErrorBody),
        (status = 429, description = "Too many checks by this seller (rate_limited); Retry-After says when to come back.", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn check_source_keys(
    State(state): State<SharedState>,
    Owner(seller): Owner,
    Path(provider): Path<String>,
) -> Result<Json<KeyCheck>, ApiError> {
    let provider = provider_of(&provider)?;
    check_keys(&state, seller, provider).await
}

/// Checks the keys `seller` saved for `provider`, within the seller's allowance of checks.
///
/// # Errors
/// `RateLimited` once the seller has checked too often; a failing store.
pub async fn check_keys(
    state: &SharedState,
    seller: SellerId,
    provider: Provider,
) -> Result<Json<KeyCheck>, ApiError> {
    let checks = state.poller.checks();
    checks.admit(seller).map_err(|wait| {
        crate::metrics::rate_limited();
        ApiError::RateLimited {
            wait,
            reason: "too many checks of this seller's keys",
        }
    })?;
    Ok(Json(
        checks.check_saved(&state.store, seller, provider).await?,
    ))
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
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "This seller has no shipment under this reference (not_found).", body = trackline_core::ErrorBody),
        (status = 422, description = "No such provider here (invalid, field provider).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
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
                reason: "russian_post, cdek, seventeen_track, ozon, or null".into(),
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

/// `POST /api/v1/sources/seventeen_track/push/{shop}`: 17TRACK tells of a change to a number
/// the seller follows there; the seller's shipments polled from 17TRACK with that number take it.
///
/// # Errors
/// 401 unless `sign` is 17TRACK's signature of the body with the seller's 17TRACK key (an unknown
/// seller, or one without a key, looks the same); 400 for a body that is not a webhook call.
#[utoipa::path(
    post,
    path = "/api/v1/sources/seventeen_track/push/{shop}",
    operation_id = "seventeen_track_push",
    tag = "sources",
    summary = "17TRACK's webhook for one seller (set this URL as the webhook in the seller's 17TRACK account)",
    description = "Verified with the seller's 17TRACK key: the `sign` header is the hex SHA-256 of the \
        raw body, a slash and the key. TRACKING_UPDATED moves the seller's shipments with that \
        number that are polled from 17TRACK; other events are acknowledged and ignored.",
    params(("shop" = String, Path, description = "The seller's handle")),
    request_body(content = serde_json::Value, content_type = "application/json",
        description = "17TRACK's webhook call: {event, data: {number, carrier, track_info}}"),
    responses(
        (status = 200, description = "Taken (or ignored)."),
        (status = 400, description = "Not a webhook call (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "Not signed with this seller's 17TRACK key (unauthorized).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn seventeen_track_webhook(
    State(state): State<SharedState>,
    Path(seller): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let store = &state.store;
    let provider = Provider::SeventeenTrack;
    let seller = store
        .seller_by_handle(&seller)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let Some(Keys::ApiKey { api_key }) = store.source_keys(seller, provider).await? else {
        return Err(ApiError::Unauthorized);
    };
    let sign = headers
        .get("sign")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !verify_webhook(&body, &api_key, sign) {
        return Err(ApiError::Unauthorized);
    }
    let call: WebhookCall = serde_json::from_slice(&body)
        .map_err(|error| ApiError::MalformedJson(error.to_string()))?;
    let Some(info) = call
        .data
        .track_info
        .filter(|_| call.event == "TRACKING_UPDATED")
    else {
        return Ok(StatusCode::OK);
    };
    let reading = info.reading();
    let now = crate::store::now_ms();
    let number = normalise(&call.data.number);
    for id in store.polled_with_number(seller, provider, &number).await? {
        state.poller.keep(id, &reading, now).await?;
    }
    crate::metrics::source_call(provider.as_str(), "pushed");
    Ok(StatusCode::OK)
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
    let Some(number) = shipment.tracking_number.as_deref().map(normalise) else {
        return Ok(());
    };
    if store.source_of(seller, reference).await?.is_some() {
        return Ok(());
    }
    let with_keys = store.providers_with_keys(seller).await?;
    let Some(provider) = Provider::candidates(&number)
        .into_iter()
        .find(|provider| with_keys.contains(provider))
    else {
        return Ok(());
    };
    store
        .attach_source(seller, reference, Some(provider), crate::store::now_ms())
        .await
        .map(|_| ())
}
