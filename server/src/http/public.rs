//! The public tracking API: `GET /api/v1/track/{number}`, cacheable by browsers and CDNs;
//! and what operators and developers read: `/healthz`, `/api/openapi.json`.

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
        .route("/api/openapi.json", get(openapi))
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
    Ok((
        cache,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
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

/// The OpenAPI document of both APIs, as checked in (`docs/openapi.json`).
pub const OPENAPI: &str = include_str!("../../../docs/openapi.json");

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}
