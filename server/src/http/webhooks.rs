//! The seller API's webhooks: subscribe a receiver to kinds of change, list and end
//! subscriptions, rotate a secret with an overlap, read a subscription's delivery log and send a
//! delivery again.

use super::auth::Owner;
use super::error::ApiError;
use super::json::Strict;
use crate::change::tells::Kind;
use crate::http::state::SharedState;
use crate::seller_input::Invalid;
use crate::store::webhooks::{DeliveryLog, Webhook};
use crate::store::Store;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use trackline_core::time::format_rfc3339;
use utoipa::ToSchema;

/// How long a rotated secret goes on signing beside the new one: a day to switch receivers.
pub const ROTATION_OVERLAP_MS: i64 = 24 * 3_600_000;

/// The most deliveries one log shows.
const LOG_LENGTH: i64 = 100;

/// The webhook routes of the seller API.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/seller/webhooks", post(subscribe).get(list))
        .route("/api/v1/seller/webhooks/{id}", delete(unsubscribe))
        .route("/api/v1/seller/webhooks/{id}/rotate", post(rotate))
        .route("/api/v1/seller/webhooks/{id}/deliveries", get(deliveries))
        .route(
            "/api/v1/seller/webhooks/{id}/deliveries/{delivery}/replay",
            post(replay),
        )
}

/// A subscription asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    /// Where deliveries are posted: an `https://` URL (`http://` only where the server allows it).
    #[schema(max_length = 2000, example = "https://shop.example/hooks/trackline")]
    url: String,
    /// What to hear of: `status_changed`, `exception_raised`, `gone_stale`, `ready_for_pickup`, `delivered`, `estimate_missed`.
    #[schema(min_items = 1)]
    events: Vec<String>,
}

impl SubscriptionInput {
    /// Checks the receiver's address and the kinds.
    ///
    /// # Errors
    /// `Invalid` naming the field at fault.
    fn validate(
        self,
        allow_http: bool,
        allow_private: bool,
    ) -> Result<(String, Vec<Kind>), Invalid> {
        let invalid = |field: &str, reason: &str| Invalid {
            field: field.to_owned(),
            reason: reason.to_owned(),
        };
        let url = reqwest::Url::parse(self.url.trim())
            .map_err(|_| invalid("url", "must be an absolute URL"))?;
        let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
        if !scheme_ok {
            return Err(invalid(
                "url",
                "must be https (this server takes no plain http receivers)",
            ));
        }
        if url.host_str().is_none_or(str::is_empty) || self.url.len() > 2000 {
            return Err(invalid(
                "url",
                "must name a host, in 2000 characters at most",
            ));
        }
        if !allow_private && crate::webhooks::destination::refused_literal(url.as_str()) {
            return Err(invalid(
                "url",
                "must be a public address (this server reaches no private network)",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "url",
                "must carry no credentials: deliveries are signed instead",
            ));
        }
        if self.events.is_empty() {
            return Err(invalid("events", "must name at least one kind of change"));
        }
        let mut kinds = Vec::new();
        for (index, name) in self.events.iter().enumerate() {
            let kind = Kind::from_wire(name).ok_or_else(|| {
                invalid(
                    &format!("events[{index}]"),
                    "one of status_changed, exception_raised, gone_stale, ready_for_pickup, delivered, estimate_missed",
                )
            })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        Ok((url.to_string(), kinds))
    }
}

/// A subscription as the seller API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionView {
    /// Its id (a string: it is larger than JavaScript's safe integers).
    id: String,
    /// Where deliveries are posted.
    url: String,
    /// What it hears of.
    events: Vec<Kind>,
    /// When it was made.
    #[schema(format = DateTime)]
    created_at: String,
    /// While a rotated secret still signs beside the new one: until when.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    previous_secret_until: Option<String>,
    /// The signing secret: only in the answer that made it (subscribing, rotating).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "whsec_0f3c…")]
    secret: Option<String>,
}

impl SubscriptionView {
    fn of(webhook: Webhook, secret: Option<String>) -> SubscriptionView {
        SubscriptionView {
            id: webhook.id.to_string(),
            url: webhook.url,
            events: webhook.kinds,
            created_at: webhook.created_at,
            previous_secret_until: webhook.previous_secret_until_ms.map(format_rfc3339),
            secret,
        }
    }
}

/// The seller's subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Subscriptions {
    /// Oldest first.
    webhooks: Vec<SubscriptionView>,
}

/// One try of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// When it was sent.
    #[schema(format = DateTime)]
    at: String,
    /// The receiver's HTTP status, if it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    /// Why there was no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// How long it took, in milliseconds.
    duration_ms: i64,
}

/// One delivery and its tries.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Its id, also sent as `Trackline-Delivery` and as the payload's `id`.
    id: String,
    /// What it tells of.
    #[serde(rename = "type")]
    kind: String,
    /// `pending`, `delivered` (acknowledged with a 2xx) or `failed` (tried for a day).
    #[schema(example = "delivered")]
    state: String,
    /// When it was queued.
    #[schema(format = DateTime)]
    queued_at: String,
    /// When it is tried next, while pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    next_attempt_at: Option<String>,
    /// Its tries, oldest first.
    attempts: Vec<AttemptView>,
}

impl From<DeliveryLog> for DeliveryView {
    fn from(log: DeliveryLog) -> DeliveryView {
        DeliveryView {
            id: log.id.to_string(),
            kind: log.kind,
            state: log.state,
            queued_at: format_rfc3339(log.queued_at_ms),
            next_attempt_at: log.next_attempt_ms.map(format_rfc3339),
            attempts: log
                .attempts
                .into_iter()
                .map(|attempt| AttemptView {
                    at: format_rfc3339(attempt.at_ms),
                    status: attempt.status,
                    error: attempt.error,
                    duration_ms: attempt.duration_ms,
                })
                .collect(),
        }
    }
}

/// A subscription's delivery log.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deliveries {
    /// Newest first, the last hundred; one that ended is kept thirty days, one still tried until it ends.
    deliveries: Vec<DeliveryView>,
}

/// A subscription's id from the path; an id that is not a number names no subscription.
fn id_of(text: &str) -> Result<i64, ApiError> {
    text.parse().map_err(|_| ApiError::WebhookNotFound)
}

/// Sellers' webhook secrets are sealed at rest, as providers' keys are.
fn needs_secret_key(store: &Store) -> Result<(), ApiError> {
    store.secret_key().map(|_| ()).map_err(|_| {
        Invalid {
            field: "webhooks".into(),
            reason: "this server keeps no webhook secrets until it is started with its secret key (TRACKLINE_SECRET_KEY)".into(),
        }
        .into()
    })
}

/// `POST /api/v1/seller/webhooks`: subscribes a receiver; the answer holds its signing secret, once.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken, 422 past the seller's cap.
#[utoipa::path(
    post,
    path = "/api/v1/seller/webhooks",
    tag = "webhooks",
    summary = "Subscribe a receiver to kinds of change of the seller's shipments (the secret is shown once)",
    description = "Each delivery is a POST of a WebhookPayload with the headers Trackline-Signature \
        (t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">, one v1 per secret in use), \
        Trackline-Event and Trackline-Delivery (the same id in every try). A 2xx acknowledges it; \
        anything else is tried again, with growing waits, for a day. Verify the signature with the \
        secret and refuse a timestamp more than 5 minutes from your clock.",
    request_body = SubscriptionInput,
    responses(
        (status = 201, description = "Subscribed; secret is in this answer only.", body = SubscriptionView),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 422, description = "A field cannot be accepted (invalid, with field), the server keeps no secrets (field webhooks), or the seller already has 20 subscriptions (limit_reached).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn subscribe(
    State(state): State<SharedState>,
    Owner(seller): Owner,
    Strict(input): Strict<SubscriptionInput>,
) -> Result<Response, ApiError> {
    let (url, kinds) = input.validate(state.allow_http_webhooks, state.allow_private_webhooks)?;
    needs_secret_key(&state.store)?;
    let (webhook, secret) = state.store.add_webhook(seller, &url, &kinds).await?;
    Ok((
        StatusCode::CREATED,
        Json(SubscriptionView::of(webhook, Some(secret))),
    )
        .into_response())
}

/// `GET /api/v1/seller/webhooks`: the seller's subscriptions, without their secrets.
///
/// # Errors
/// 401 without a valid token.
#[utoipa::path(
    get,
    path = "/api/v1/seller/webhooks",
    tag = "webhooks",
    summary = "The seller's webhook subscriptions (their secrets are never shown again)",
    responses(
        (status = 200, description = "Oldest first.", body = Subscriptions),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn list(
    State(store): State<Store>,
    Owner(seller): Owner,
) -> Result<Json<Subscriptions>, ApiError> {
    let webhooks = store.webhooks(seller).await?;
    Ok(Json(Subscriptions {
        webhooks: webhooks
            .into_iter()
            .map(|webhook| SubscriptionView::of(webhook, None))
            .collect(),
    }))
}

/// `DELETE /api/v1/seller/webhooks/{id}`: ends a subscription; what was queued for it is dropped.
///
/// # Errors
/// 401 without a valid token, 404 for a subscription the seller does not have.
#[utoipa::path(
    delete,
    path = "/api/v1/seller/webhooks/{id}",
    tag = "webhooks",
    summary = "End a webhook subscription (its queued deliveries are dropped)",
    params(("id" = String, Path, description = "The subscription's id.")),
    responses(
        (status = 204, description = "Ended."),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "The seller has no such subscription (webhook_not_found).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn unsubscribe(
    State(store): State<Store>,
    Owner(seller): Owner,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if store.remove_webhook(seller, id_of(&id)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::WebhookNotFound)
    }
}

/// `POST /api/v1/seller/webhooks/{id}/rotate`: a new signing secret, shown once; the old one
/// goes on signing beside it for a day.
///
/// # Errors
/// 401 without a valid token, 404 for a subscription the seller does not have.
#[utoipa::path(
    post,
    path = "/api/v1/seller/webhooks/{id}/rotate",
    tag = "webhooks",
    summary = "Rotate a subscription's signing secret: the old one signs beside the new for a day",
    params(("id" = String, Path, description = "The subscription's id.")),
    responses(
        (status = 200, description = "Rotated; the new secret is in this answer only.", body = SubscriptionView),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "The seller has no such subscription (webhook_not_found).", body = trackline_core::ErrorBody),
        (status = 422, description = "The server keeps no secrets (invalid, field webhooks).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn rotate(
    State(store): State<Store>,
    Owner(seller): Owner,
    Path(id): Path<String>,
) -> Result<Json<SubscriptionView>, ApiError> {
    needs_secret_key(&store)?;
    let (webhook, secret) = store
        .rotate_webhook_secret(seller, id_of(&id)?, ROTATION_OVERLAP_MS)
        .await?
        .ok_or(ApiError::WebhookNotFound)?;
    Ok(Json(SubscriptionView::of(webhook, Some(secret))))
}

/// `GET /api/v1/seller/webhooks/{id}/deliveries`: the last hundred deliveries and their tries.
///
/// # Errors
/// 401 without a valid token, 404 for a subscription the seller does not have.
#[utoipa::path(
    get,
    path = "/api/v1/seller/webhooks/{id}/deliveries",
    tag = "webhooks",
    summary = "A subscription's delivery log: the last hundred deliveries, each with its tries",
    params(("id" = String, Path, description = "The subscription's id.")),
    responses(
        (status = 200, description = "Newest first.", body = Deliveries),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only).", body = trackline_core::ErrorBody),
        (status = 404, description = "The seller has no such subscription (webhook_not_found).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn deliveries(
    State(store): State<Store>,
    Owner(seller): Owner,
    Path(id): Path<String>,
) -> Result<Json<Deliveries>, ApiError> {
    let log = store
        .webhook_deliveries(seller, id_of(&id)?, LOG_LENGTH)
        .await?
        .ok_or(ApiError::WebhookNotFound)?;
    Ok(Json(Deliveries {
        deliveries: log.into_iter().map(DeliveryView::from).collect(),
    }))
}

/// `POST /api/v1/seller/webhooks/{id}/deliveries/{delivery}/replay`: sends a delivery again,
/// now, and for another day if it fails; its id stays the same, so a receiver that took it
/// once can tell.
///
/// # Errors
/// 401 without a valid token, 404 for a delivery the seller does not have.
#[utoipa::path(
    post,
    path = "/api/v1/seller/webhooks/{id}/deliveries/{delivery}/replay",
    tag = "webhooks",
    summary = "Send a delivery again now (the same id, so a receiver can tell it took it before)",
    params(
        ("id" = String, Path, description = "The subscription's id."),
        ("delivery" = String, Path, description = "The delivery's id."),
    ),
    responses(
        (status = 202, description = "Queued to be sent now."),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "The seller has no such delivery (webhook_not_found).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn replay(
    State(store): State<Store>,
    Owner(seller): Owner,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let delivery = delivery.parse().map_err(|_| ApiError::WebhookNotFound)?;
    if store.replay_delivery(seller, id_of(&id)?, delivery).await? {
        Ok(StatusCode::ACCEPTED)
    } else {
        Err(ApiError::WebhookNotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receiver_is_https_without_credentials_and_hears_known_kinds() {
        let input = |url: &str, events: &[&str]| SubscriptionInput {
            url: url.to_owned(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
        };
        assert!(input("https://shop.example/hook", &["delivered"])
            .validate(false, false)
            .is_ok());
        let field = |result: Result<(String, Vec<Kind>), Invalid>| result.err().map(|e| e.field);
        assert_eq!(
            field(input("http://shop.example/hook", &["delivered"]).validate(false, false)),
            Some("url".into())
        );
        assert!(input("http://127.0.0.1:9/hook", &["delivered"])
            .validate(true, true)
            .is_ok());
        assert_eq!(
            field(input("http://127.0.0.1:9/hook", &["delivered"]).validate(true, false)),
            Some("url".into()),
            "plain http opens no private network"
        );
        assert!(input("https://10.0.0.5/hook", &["delivered"])
            .validate(false, true)
            .is_ok());
        assert_eq!(
            field(input("https://169.254.169.254/latest", &["delivered"]).validate(false, false)),
            Some("url".into()),
            "the cloud's metadata service is no receiver"
        );
        assert_eq!(
            field(input("https://a:b@shop.example/", &["delivered"]).validate(false, false)),
            Some("url".into())
        );
        assert_eq!(
            field(input("/hook", &["delivered"]).validate(false, false)),
            Some("url".into())
        );
        assert_eq!(
            field(input("https://shop.example/", &[]).validate(false, false)),
            Some("events".into())
        );
        assert_eq!(
            field(input("https://shop.example/", &["delivered", "shipped"]).validate(false, false)),
            Some("events[1]".into())
        );
    }
}
