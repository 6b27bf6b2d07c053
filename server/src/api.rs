//! The public tracking API: `GET /api/v1/track/{number}`, cacheable by browsers and CDNs.

use crate::error::ApiError;
use crate::store::sellers::sha256_hex;
use crate::store::Store;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use trackline_core::{TrackResponse, TrackingQuery, CONTRACT_VERSION};

/// How long a browser or CDN may reuse an answer without asking: short, because statuses move,
/// and the widget looks again every minute at most.
pub const CACHE_CONTROL: &str = "public, max-age=30, stale-while-revalidate=30";

/// Answers contract v1 for an order, shipment or tracking number; `304` when the client's copy is current.
///
/// # Errors
/// 400 for a number that cannot exist, 404 when nothing matches, 500 when the store fails.
pub async fn track(
    State(store): State<Store>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = TrackingQuery::parse(&number)?;
    let shipments = store.find(&query).await?;
    if shipments.is_empty() {
        return Err(ApiError::NotFound);
    }
    let body = serde_json::to_string(&TrackResponse {
        version: CONTRACT_VERSION,
        query: Some(query.as_str().to_owned()),
        shipments,
    })
    .map_err(crate::store::StoreError::from)?;
    // Weak, because the compression layer may re-encode the same answer.
    let etag = format!("W/\"{}\"", &sha256_hex(body.as_bytes())[..32]);
    let cache = [
        (
            header::ETAG,
            HeaderValue::from_str(&etag).map_err(|_| ApiError::NotFound)?,
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        ),
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
