//! The public tracking API: `GET /api/v1/track/{number}`.

use crate::error::ApiError;
use crate::store::Store;
use axum::extract::{Path, State};
use axum::Json;
use trackline_core::{TrackResponse, TrackingQuery, CONTRACT_VERSION};

/// Answers contract v1 for an order, shipment or tracking number.
///
/// # Errors
/// 400 for a number that cannot exist, 404 when nothing matches, 500 when the store fails.
pub async fn track(
    State(store): State<Store>,
    Path(number): Path<String>,
) -> Result<Json<TrackResponse>, ApiError> {
    let query = TrackingQuery::parse(&number)?;
    let shipments = store.find(&query).await?;
    if shipments.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(TrackResponse {
        version: CONTRACT_VERSION,
        query: Some(query.as_str().to_owned()),
        shipments,
    }))
}
