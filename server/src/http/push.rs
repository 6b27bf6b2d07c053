//! Buyers' notifications, from the hosted tracking page (same origin: no CORS): the server's
//! public key for `pushManager.subscribe`, and subscribing a browser to what a lookup shows or
//! ending that. A subscription holds no buyer data: the push service's address and the
//! browser's keys, the language, and the page to open.

use super::error::ApiError;
use super::json::Strict;
use super::rate_limit::client_ip;
use crate::change::tells::Subscriber;
use crate::http::state::SharedState;
use crate::lookup::{admit, find_seller, Caller, Shown};
use crate::lookup_cache::SellerRef;
use crate::seller_input::Invalid;
use crate::store::push::Subscribed;
use crate::store::push::Subscription;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::time::Instant;
use trackline::config::{page_base, page_link, push_path, seller_endpoint, DEFAULT_ENDPOINT};
use trackline::i18n::Lang;
use utoipa::{IntoResponses, ToSchema};

/// The push routes, seller-scoped and on the short path.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/push/key", get(key))
        .route("/api/v1/push/renew", post(renew))
        .route(
            "/api/v1/shops/{shop}/track/{number}/push",
            put(subscribe_for_seller).delete(unsubscribe_for_seller),
        )
        .route(
            "/api/v1/track/{number}/push",
            put(subscribe).delete(unsubscribe),
        )
}

/// The server's VAPID public key.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushKey {
    /// The application server key for `pushManager.subscribe`: a P-256 point, base64url.
    public_key: String,
}

/// A browser's subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserSubscription {
    /// The push service's URL for this browser: https, on a browser's push service the server
    /// sends to (`push_services`: FCM, Mozilla's, Windows', Apple's by default).
    #[schema(max_length = 1000)]
    endpoint: String,
    /// When the browser ends it by itself, if it says.
    #[serde(default, rename = "expirationTime")]
    #[allow(dead_code)] // Read so that the browser's own JSON is accepted as it is.
    expiration_time: Option<f64>,
    /// The browser's keys.
    keys: BrowserKeys,
}

/// The keys a message is encrypted to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserKeys {
    /// The browser's P-256 public key, base64url.
    p256dh: String,
    /// The browser's 16-byte authentication secret, base64url.
    auth: String,
}

/// Subscribing a browser to a number's shipments.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushSubscribe {
    /// The browser's subscription.
    subscription: BrowserSubscription,
    /// The language notifications are worded in: `en`, `ru` or `zh` (others read as English).
    #[serde(default)]
    lang: Option<String>,
    /// The buyer's reply to the seller's second factor, as the lookup takes it.
    #[serde(default, rename = "check")]
    reply: Option<String>,
}

/// Ending a browser's subscription to a number's shipments.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushUnsubscribe {
    /// The push service's URL the browser subscribed with: knowing it is the right to end it.
    endpoint: String,
}

/// A browser's subscription the push service replaced, and its replacement (the service worker
/// sends it on `pushsubscriptionchange`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRenew {
    /// The push service's URL of the subscription that ended: knowing it is the right to move it.
    #[schema(max_length = 1000)]
    endpoint: String,
    /// The browser's new subscription.
    subscription: BrowserSubscription,
}

/// What subscribing answers, for the OpenAPI document; the handlers build the responses.
#[allow(dead_code)] // Only its derive is used.
#[derive(IntoResponses)]
enum SubscribeResponses {
    /// Subscribed (again, replacing the earlier subscription of this browser).
    #[response(status = 204)]
    Subscribed,
    /// Not a number any shipment could have (invalid_number); on a server with several sellers and
    /// no default, shop_required.
    #[response(status = 400)]
    BadRequest(trackline_core::ErrorBody),
    /// origin_not_allowed; check_required or check_failed: the seller asks for a second factor, as
    /// the lookup does.
    #[response(status = 403)]
    Forbidden(trackline_core::ErrorBody),
    /// No shipment of this seller has this number (not_found), no seller has this handle
    /// (shop_not_found), or the server sends no notifications (push_unavailable).
    #[response(status = 404)]
    NotFound(trackline_core::ErrorBody),
    /// The body is not what the path takes; or the subscription's endpoint is not https on one
    /// of the server's push services, or its keys make no encryption (invalid, with the field); or the parcel
    /// already has 50 subscribed browsers (limit_reached).
    #[response(status = 422)]
    Invalid(trackline_core::ErrorBody),
    /// More than ten subscriptions or unsubscriptions a minute from this address (rate_limited),
    /// or 100 subscriptions held by this address across the server (limit_reached).
    #[response(status = 429)]
    TooMany(trackline_core::ErrorBody),
}

/// What ending a subscription of a seller answers, for the OpenAPI document (the short path, with
/// no handle to be unknown, answers all but the 404).
#[allow(dead_code)] // Only its derive is used.
#[derive(IntoResponses)]
enum UnsubscribeResponses {
    /// Ended, or there was none.
    #[response(status = 204)]
    Ended,
    /// Not a number any shipment could have (invalid_number).
    #[response(status = 400)]
    BadRequest(trackline_core::ErrorBody),
    /// No seller has this handle (shop_not_found).
    #[response(status = 404)]
    NotFound(trackline_core::ErrorBody),
    /// The body is not `{"endpoint": …}` (invalid, with the field).
    #[response(status = 422)]
    Invalid(trackline_core::ErrorBody),
    /// More than ten subscriptions or unsubscriptions a minute from this address (rate_limited).
    #[response(status = 429)]
    TooMany(trackline_core::ErrorBody),
}

/// `GET /api/v1/push/key`: the key browsers subscribe with.
///
/// # Errors
/// 404 `push_unavailable` on a server without a secret key.
#[utoipa::path(
    get,
    path = "/api/v1/push/key",
    operation_id = "push_key",
    tag = "push",
    summary = "The server's VAPID public key, for subscribing to notifications",
    responses(
        (status = 200, description = "The key.", body = PushKey),
        (status = 404, description = "This server sends no notifications (push_unavailable).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn key(State(state): State<SharedState>) -> Result<Json<PushKey>, ApiError> {
    let vapid = state.vapid.as_ref().ok_or(ApiError::PushUnavailable)?;
    Ok(Json(PushKey {
        public_key: vapid.public_key().to_owned(),
    }))
}

/// Subscribes a browser to notifications about what the number finds among the seller's shipments.
///
/// # Errors
/// 404 `push_unavailable`, 422 for a subscription that is not on one of the server's push
/// services with valid keys or past the parcel's cap, 429 past ten a minute or the cap of one address, and
/// the lookup's own refusals.
#[utoipa::path(
    put,
    path = "/api/v1/shops/{shop}/track/{number}/push",
    operation_id = "subscribe_push_in_shop",
    tag = "push",
    summary = "Subscribe a browser to a shipment's changes",
    description = "Admitted as the lookup is (the seller's origins, the reply to its second factor as `check`). Sent \
        on a new stage, an exception, ready for pickup, the day before storage ends, delivered; a \
        subscription ends a week after delivery, 60 days after it was made if the parcel is never \
        delivered, or when the push service says it is gone. A parcel takes at most 50 browsers, \
        an address at most 100 subscriptions (one a shipment the number covers).",
    params(
        ("shop" = String, Path, description = "The seller's public handle."),
        ("number" = String, Path, description = "The number the buyer looked up."),
    ),
    request_body = PushSubscribe,
    responses(SubscribeResponses),
    security(()),
)]
pub async fn subscribe_for_seller(
    State(state): State<SharedState>,
    Path((seller, number)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    subscribed(&state, SellerRef::Handle(seller), &number, request).await
}

/// Subscribes a browser on the short path (the server's only or default seller).
///
/// # Errors
/// As the scoped path.
#[utoipa::path(
    put,
    path = "/api/v1/track/{number}/push",
    operation_id = "subscribe_push",
    tag = "push",
    summary = "Subscribe a browser to a shipment's changes, for the server's default seller",
    params(("number" = String, Path, description = "The number the buyer looked up.")),
    request_body = PushSubscribe,
    responses(SubscribeResponses),
    security(()),
)]
pub async fn subscribe(
    State(state): State<SharedState>,
    Path(number): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    subscribed(&state, SellerRef::Default, &number, request).await
}

/// Ends a browser's subscription to a number's shipments of the seller.
///
/// # Errors
/// 400 for a number no shipment could have, 404 for an unknown seller, 422 for a body that is not
/// `{"endpoint": …}`, 429 past ten a minute from one address.
#[utoipa::path(
    delete,
    path = "/api/v1/shops/{shop}/track/{number}/push",
    operation_id = "unsubscribe_push_in_shop",
    tag = "push",
    summary = "End a browser's subscription to a shipment's changes",
    params(
        ("shop" = String, Path, description = "The seller's public handle."),
        ("number" = String, Path, description = "The number the buyer looked up."),
    ),
    request_body = PushUnsubscribe,
    responses(UnsubscribeResponses),
    security(()),
)]
pub async fn unsubscribe_for_seller(
    State(state): State<SharedState>,
    Path((seller, number)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    unsubscribed(&state, SellerRef::Handle(seller), &number, request).await
}

/// Ends a browser's subscription on the short path.
///
/// # Errors
/// As the scoped path.
#[utoipa::path(
    delete,
    path = "/api/v1/track/{number}/push",
    operation_id = "unsubscribe_push",
    tag = "push",
    summary = "End a browser's subscription, for the server's default seller",
    params(("number" = String, Path, description = "The number the buyer looked up.")),
    request_body = PushUnsubscribe,
    responses(
        (status = 204, description = "Ended, or there was none."),
        (status = 400, description = "Not a number any shipment could have (invalid_number).", body = trackline_core::ErrorBody),
        (status = 422, description = "The body is not {\"endpoint\": …} (invalid, with the field).", body = trackline_core::ErrorBody),
        (status = 429, description = "More than ten subscriptions or unsubscriptions a minute from this address (rate_limited).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn unsubscribe(
    State(state): State<SharedState>,
    Path(number): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    unsubscribed(&state, SellerRef::Default, &number, request).await
}

/// Moves every parcel of a browser's ended subscription to its new one.
///
/// # Errors
/// 404 `push_unavailable` on a server without a secret key; 422 for a body that is not a
/// `PushRenew` or a new subscription no message could reach; 429 over the subscriptions' limit.
#[utoipa::path(
    post,
    path = "/api/v1/push/renew",
    operation_id = "renew_push",
    tag = "push",
    summary = "Move a browser's notifications to the subscription its push service replaced it with",
    request_body = PushRenew,
    responses(
        (status = 204, description = "Moved, or there was nothing under the old subscription."),
        (status = 404, description = "This server sends no notifications (push_unavailable).", body = trackline_core::ErrorBody),
        (status = 422, description = "The body is not a PushRenew; or the new subscription's endpoint is not https on one of the server's push services, or its keys make no encryption (invalid, with the field).", body = trackline_core::ErrorBody),
        (status = 429, description = "More than ten subscriptions or unsubscriptions a minute from this address (rate_limited).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn renew(
    State(state): State<SharedState>,
    request: Request,
) -> Result<Response, ApiError> {
    limited(&state, &request)?;
    if state.vapid.is_none() {
        return Err(ApiError::PushUnavailable);
    }
    let Strict(asked) = Strict::<PushRenew>::from_request(request, &state).await?;
    let renewed = checked(asked.subscription, &state)?;
    state.store.renew_push(&asked.endpoint, &renewed).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A browser's subscription as a sender takes it, once it is one that a message can reach, on
/// one of the push services the server sends to.
fn checked(browser: BrowserSubscription, state: &SharedState) -> Result<Subscription, Invalid> {
    Subscription {
        endpoint: browser.endpoint,
        p256dh: browser.keys.p256dh,
        auth: browser.keys.auth,
    }
    .checked(&state.push_services, state.allow_private_push)
    .map_err(|error| Invalid {
        field: match error {
            crate::push::sender::PushError::BadKeys => "subscription.keys",
            _ => "subscription.endpoint",
        }
        .to_owned(),
        reason: error.to_string(),
    })
}

/// Counts one subscription request of the client against its limit.
fn limited(state: &SharedState, request: &Request) -> Result<(), ApiError> {
    if let Some(client) = client_ip(request.extensions()) {
        state
            .push_limit
            .check(client, Instant::now())
            .map_err(|wait| ApiError::RateLimited {
                wait,
                reason: "too many subscriptions from this address",
            })?;
    }
    Ok(())
}

async fn subscribed(
    state: &SharedState,
    seller_ref: SellerRef,
    number: &str,
    request: Request,
) -> Result<Response, ApiError> {
    limited(state, &request)?;
    if state.vapid.is_none() {
        return Err(ApiError::PushUnavailable);
    }
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let client = client_ip(request.extensions());
    let site = super::public::site(request.headers(), origin.as_deref());
    let Strict(asked) = Strict::<PushSubscribe>::from_request(request, state).await?;
    let subscription = checked(asked.subscription, state)?;
    let handle = seller_ref.handle();
    let seller = find_seller(&state.store, handle, state.default_seller.as_deref()).await?;
    let admitted = admit(
        &state.store,
        seller,
        number,
        Caller {
            origin: origin.as_deref(),
            client,
            site,
            reply: asked.reply.as_deref(),
        },
    )
    .await?;
    let lang = asked
        .lang
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_default();
    let number = admitted.query.as_str().to_owned();
    let shipments: Vec<Subscribed> = admitted
        .found
        .iter()
        .zip(&admitted.shown)
        .map(|(found, shown)| Subscribed {
            shipment: found.id,
            delivered: found.shipment.stage == trackline_core::Stage::Delivered,
            shows_pickup: *shown == Shown::Whole,
        })
        .collect();
    let subscriber = Subscriber {
        lang: lang.tag().to_owned(),
        page: page_link(&page_base("", handle), &number, lang),
        api: api_of(handle, &number),
        number,
    };
    state
        .store
        .subscribe_push(&shipments, &subscription, &subscriber, client)
        .await?;
    state
        .counts
        .add(seller, crate::counts::Count::PushSubscribed);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn unsubscribed(
    state: &SharedState,
    seller_ref: SellerRef,
    number: &str,
    request: Request,
) -> Result<Response, ApiError> {
    limited(state, &request)?;
    let Strict(asked) = Strict::<PushUnsubscribe>::from_request(request, state).await?;
    let handle = seller_ref.handle();
    let seller = find_seller(&state.store, handle, state.default_seller.as_deref()).await?;
    let query =
        trackline_core::TrackingQuery::parse(number).map_err(crate::lookup::LookupError::from)?;
    let ids: Vec<i64> = state
        .store
        .find(seller, &query)
        .await?
        .iter()
        .map(|found| found.id)
        .collect();
    state.store.unsubscribe_push(&ids, &asked.endpoint).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// This server's push path for a number, where a notification's "stop" action ends it: the
/// lookup's path, as the widget makes it.
fn api_of(seller: Option<&str>, number: &str) -> String {
    let endpoint = seller.map_or_else(
        || DEFAULT_ENDPOINT.to_owned(),
        |seller| seller_endpoint("", seller),
    );
    push_path(&endpoint, number)
}
