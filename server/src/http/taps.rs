//! Taps on the widget's support contacts and on the carrier's link, counted for the seller's
//! insights: `POST /api/v1/shops/{shop}/taps` and `POST /api/v1/taps` (the default seller), as
//! `navigator.sendBeacon` sends them (a text/plain body, no credentials, nothing of the buyer).
//!
//! Anyone can send one, so each is guarded as an attacker would abuse it: limited per client
//! address (an IPv6 client's network, behind trusted proxies only the address they name), its
//! body read to `MAX_TAP_BYTES` within `TAP_BODY_WAIT`, and nothing counted for a browser that
//! asks not to be tracked (`Sec-GPC: 1`, `DNT: 1`).

use super::error::ApiError;
use super::rate_limit::client_ip;
use crate::counts::Count;
use crate::http::state::{AppState, SharedState};
use crate::lookup_cache::SellerRef;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use std::time::{Duration, Instant};
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::{IntoResponses, ToSchema};

/// The largest body a tap may have: `{"tap":"help_center"}` is 22 bytes.
pub const MAX_TAP_BYTES: usize = 256;

/// How long a tap's body may take to arrive: a beacon sends it at once; a client trickling it
/// would hold a connection for the whole request timeout.
pub const TAP_BODY_WAIT: Duration = Duration::from_secs(2);

/// The taps' routes: any page may send one, and nothing they answer is cached.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/shops/{shop}/taps", post(tap_for_seller))
        .route("/api/v1/taps", post(tap))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::POST])
                .allow_headers([header::CONTENT_TYPE]),
        )
        .layer(DefaultBodyLimit::max(MAX_TAP_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// What the buyer tapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TapKind {
    /// The support phone.
    Phone,
    /// The support e-mail.
    Email,
    /// The support Telegram link.
    Telegram,
    /// The support VK link.
    Vk,
    /// The support help centre.
    HelpCenter,
    /// The support ticket form.
    Ticket,
    /// The carrier's own tracking page.
    Carrier,
}

impl TapKind {
    /// The count it adds to.
    pub fn count(self) -> Count {
        match self {
            TapKind::Phone => Count::TapsPhone,
            TapKind::Email => Count::TapsEmail,
            TapKind::Telegram => Count::TapsTelegram,
            TapKind::Vk => Count::TapsVk,
            TapKind::HelpCenter => Count::TapsHelpCenter,
            TapKind::Ticket => Count::TapsTicket,
            TapKind::Carrier => Count::TapsCarrier,
        }
    }
}

/// A tap, as the widget's beacon sends it (text/plain or application/json).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Tap {
    /// What was tapped.
    pub tap: TapKind,
}

/// What a tap answers, for the OpenAPI document.
#[allow(dead_code)] // Only its derive is used.
#[derive(IntoResponses)]
enum TapResponses {
    /// Taken: counted, or not (an unknown shop, a browser that sent `Sec-GPC: 1` or `DNT: 1`); the answer is the same.
    #[response(status = 204)]
    Taken,
    /// The body is not `{"tap": …}` with a kind this server knows, or it did not arrive within two seconds (malformed_json).
    #[response(status = 400)]
    BadRequest(trackline_core::ErrorBody),
    /// The body is over 256 bytes (too_large).
    #[response(status = 413)]
    TooLarge(trackline_core::ErrorBody),
    /// More than ten taps a minute from this address (rate_limited).
    #[response(status = 429, headers(("Retry-After" = u32, description = "Seconds to wait.")))]
    TooMany(trackline_core::ErrorBody),
}

/// A tap on a support contact or the carrier's link of the seller whose handle is in the path.
///
/// # Errors
/// 400, 413, 429 as [`TapResponses`] says.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/taps",
    operation_id = "tap_in_shop",
    tag = "public",
    summary = "Count a buyer's tap on a support contact or the carrier's link",
    description = "Sent by the widget with navigator.sendBeacon: no credentials, no number, nothing of the buyer. \
        Counted per seller per day for the seller's insights, never when the request carries Sec-GPC: 1 or DNT: 1. \
        Answers 204 whether counted or not. Needs no authentication.",
    params(("shop" = String, Path, description = "The seller's public handle.")),
    request_body(content((Tap = "text/plain"), (Tap = "application/json"))),
    responses(TapResponses),
    security(()),
)]
pub async fn tap_for_seller(
    State(state): State<SharedState>,
    Path(seller): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    taken(&state, SellerRef::Handle(seller), request).await
}

/// A tap on a support contact or the carrier's link of the server's default seller.
///
/// # Errors
/// 400, 413, 429 as [`TapResponses`] says.
#[utoipa::path(
    post,
    path = "/api/v1/taps",
    tag = "public",
    summary = "Count a buyer's tap for the server's only (or default) seller",
    description = "The short path of /api/v1/shops/{shop}/taps; on a server with no default seller nothing is counted. \
        Needs no authentication.",
    request_body(content((Tap = "text/plain"), (Tap = "application/json"))),
    responses(TapResponses),
    security(()),
)]
pub async fn tap(State(state): State<SharedState>, request: Request) -> Result<Response, ApiError> {
    taken(&state, SellerRef::Default, request).await
}

/// Limits, reads and counts a tap.
async fn taken(
    state: &AppState,
    seller: SellerRef,
    request: Request,
) -> Result<Response, ApiError> {
    // Before the body is read: a refused client costs nothing more.
    if let Some(client) = client_ip(request.extensions()) {
        state
            .taps_limit
            .check(client, Instant::now())
            .map_err(|wait| {
                crate::metrics::rate_limited();
                ApiError::RateLimited {
                    wait,
                    reason: "too many taps from this address",
                }
            })?;
    }
    let headers = request.headers().clone();
    // The routes' body limit (`MAX_TAP_BYTES`) answers 413 as the house's bodies do.
    let read = tokio::time::timeout(TAP_BODY_WAIT, Bytes::from_request(request, &()));
    let bytes = read
        .await
        .map_err(|_| ApiError::MalformedJson("the body did not arrive in time".to_owned()))?
        .map_err(super::json::unreadable)?;
    let Tap { tap } = serde_json::from_slice(&bytes)
        .map_err(|error| ApiError::MalformedJson(error.to_string()))?;
    if asks_not_to_be_tracked(&headers) {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    // An unknown seller, or a store that fails, is answered as a tap taken: the beacon reads nothing.
    let found = state
        .lookup_cache
        .seller(&state.store, state.default_seller.as_deref(), &seller)
        .await;
    if let Ok(seller) = found {
        state.counts.add(seller, tap.count());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Whether the browser asks not to be tracked: Global Privacy Control, or Do Not Track.
pub fn asks_not_to_be_tracked(headers: &HeaderMap) -> bool {
    let says_one = |name: &str| {
        headers
            .get(name)
            .is_some_and(|value| value.as_bytes().trim_ascii() == b"1")
    };
    says_one("sec-gpc") || says_one("dnt")
}
