//! The public tracking API: `GET /api/v1/track/{number}`, cacheable by browsers and CDNs;
//! and what load balancers read: `/healthz`.

use super::error::ApiError;
use super::rate_limit::{client_ip, limit_lookups};
use crate::lookup::{self, Caller};
use crate::ozon::OzonClient;
use crate::state::{AppState, Limits};
use crate::store::sellers::sha256_hex;
use crate::store::Store;
use axum::extract::{Path, Query, State};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// How long a browser or CDN may reuse an answer without asking: short, because statuses move,
/// and the widget looks again every minute at most.
pub const CACHE_CONTROL: &str = "public, max-age=30, stale-while-revalidate=30";

/// The public routes. The lookup is read-only and any storefront may call it, without
/// credentials; its answers say how long they may be cached, and errors are not cached.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/track/{number}", get(track))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_lookups,
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET]),
        )
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .route("/healthz", get(healthz))
}

/// The lookup's query string: `?check=…` carries the buyer's reply to the second factor.
#[derive(Debug, Deserialize)]
pub struct LookupParams {
    /// The buyer's reply to the seller's second factor.
    check: Option<String>,
}

/// Answers contract v1 for an order, shipment or tracking number; `304` when the client's copy is current.
///
/// # Errors
/// 400 for a number that cannot exist, 404 when nothing matches, 403 when the page's origin
/// is not allowed or a second factor is missing or wrong, 429 after too many wrong ones, 500 when the store fails.
#[utoipa::path(
    get,
    path = "/api/v1/track/{number}",
    tag = "public",
    summary = "Look up a shipment by order, posting or tracking number",
    description = "Contract v1: every shipment the number found, for the widget. Needs no authentication; \
        a seller may allow only its own storefronts' origins and ask for a second factor for order numbers.",
    params(
        ("number" = String, Path, description = "An order, posting or tracking number, in any case, with spaces or dashes."),
        ("check" = Option<String>, Query, description = "The buyer's reply to the seller's second factor, after a check_required answer."),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client has."),
    ),
    responses(
        (status = 200, description = "The shipments the number found.", body = trackline_core::TrackResponse,
            headers(
                ("ETag" = String, description = "A weak tag of this answer."),
                ("Cache-Control" = String, description = "public, max-age=30 for most; private for a seller with lookup rules."),
            )),
        (status = 304, description = "The client's copy (If-None-Match) is current."),
        (status = 400, description = "Not a number any shipment could have (invalid_number).", body = trackline_core::ErrorBody),
        (status = 403, description = "origin_not_allowed; check_required or check_failed with field phone_last4 or postcode.", body = trackline_core::ErrorBody),
        (status = 404, description = "No shipment has this number (not_found).", body = trackline_core::ErrorBody),
        (status = 429, description = "Too many lookups or wrong second factors from this address (rate_limited).", body = trackline_core::ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
    ),
    security(()),
)]
pub async fn track(
    State(store): State<Store>,
    State(ozon): State<OzonClient>,
    State(limits): State<Limits>,
    Path(number): Path<String>,
    Query(params): Query<LookupParams>,
    extensions: Extensions,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = Caller {
        origin: headers
            .get(header::ORIGIN)
            .and_then(|value| value.to_str().ok()),
        client: client_ip(&extensions),
        reply: params.check.as_deref(),
    };
    let tracked = lookup::track(&store, &ozon, &limits.second_factor, &number, caller).await?;
    let body = serde_json::to_string(&tracked.response)
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    // Weak, because the compression layer may re-encode the same answer.
    let etag = format!("W/\"{}\"", &sha256_hex(body.as_bytes())[..32]);
    let etag_value =
        HeaderValue::from_str(&etag).map_err(|error| ApiError::Internal(error.to_string()))?;
    // Guarded answers differ by origin and must not be shared by a CDN between buyers.
    let cache = [
        (header::ETAG, etag_value),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(if tracked.guarded {
                "private, no-cache"
            } else {
                CACHE_CONTROL
            }),
        ),
        (header::VARY, HeaderValue::from_static("Origin")),
    ];
    if matches_etag(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, super::json_text(StatusCode::OK, body)).into_response())
}

/// Whether `If-None-Match` names this answer (weak comparison, lists and `*` included).
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || bare(tag) == bare(etag))
}

/// `GET /healthz`: 200 when the store answers, 503 when it does not; for load balancers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    summary = "Whether this instance and its store answer (for load balancers)",
    responses(
        (status = 200, description = "ok", body = String, content_type = "text/plain"),
        (status = 503, description = "The store does not answer.", body = String, content_type = "text/plain"),
    ),
    security(()),
)]
pub async fn healthz(State(store): State<Store>) -> Response {
    match store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            "ok\n",
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: store unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CACHE_CONTROL, "no-store")],
                "store unavailable\n",
            )
                .into_response()
        }
    }
}
