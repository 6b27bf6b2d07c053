//! `GET /api/v1/seller/insights`: what the calling seller's buyers did and how its parcels came,
//! over 7, 30 or 90 days, shaped by `crate::insights`. Owners and staff alike: it names no
//! buyer, address or number.

use super::auth::Seller;
use super::error::ApiError;
use crate::http::state::{SellerReads, SharedState};
use crate::insights::{shape, Insights, DEFAULT_PERIOD, PERIODS};
use crate::seller_input::Invalid;
use crate::store::{now_ms, Store};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

/// The routes.
pub fn routes() -> Router<SharedState> {
    Router::new().route("/api/v1/seller/insights", get(insights))
}

/// The insights' query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InsightsQuery {
    /// The period: `7`, `30` (when absent) or `90` days, today the last.
    #[param(value_type = Option<u32>, example = 30)]
    days: Option<String>,
}

fn days_of(query: Result<Query<InsightsQuery>, QueryRejection>) -> Result<u32, Invalid> {
    let refused = |reason: String| Invalid {
        field: "days".to_owned(),
        reason,
    };
    let Query(query) = query.map_err(|rejection| Invalid {
        field: "query".to_owned(),
        reason: rejection.body_text().chars().take(200).collect(),
    })?;
    match query.days.as_deref().map(str::parse::<u32>) {
        None => Ok(DEFAULT_PERIOD),
        Some(Ok(days)) if PERIODS.contains(&days) => Ok(days),
        Some(_) => Err(refused("7, 30 or 90".to_owned())),
    }
}

/// `GET /api/v1/seller/insights`: the seller's counters per day, its shipments now, and how its
/// parcels came per carrier and route.
///
/// # Errors
/// 401 without a valid token, 422 for a period other than 7, 30 or 90 days.
#[utoipa::path(
    get,
    path = "/api/v1/seller/insights",
    tag = "seller",
    summary = "Insights: lookups, ways in, taps, pushes and webhooks per day; shipments by stage now; on-time rate and transit days per carrier and route",
    description = "Counted per day (UTC) without any buyer's address, user agent or number. `carriers` and `routes` read the parcels delivered in the period: how many, how many had an estimate shown, how many came by its last day, and the median and 80th percentile of whole days from hand-over to delivery. Only the calling seller's rows are read, each a range of an index led by the seller; the stages now walk every shipment of the seller's, so a shop of 1 000 000 parcels answers in about 200 ms (docs/benchmarks.md).",
    params(InsightsQuery),
    responses(
        (status = 200, description = "The seller's insights.", body = Insights),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 422, description = "`days` is not 7, 30 or 90, or the query has another parameter (invalid, with field).", body = trackline_core::ErrorBody),
        (status = 429, description = "More than 30 reads at once, or 600 a minute, of this seller's list, queues and insights (rate_limited; Retry-After).", body = trackline_core::ErrorBody),
        (status = 503, description = "Shipments stored by an older version are still being given the list's columns (unavailable; Retry-After).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn insights(
    State(store): State<Store>,
    State(reads): State<SellerReads>,
    Seller(seller): Seller,
    query: Result<Query<InsightsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let days = days_of(query)?;
    // Each read walks the seller's shipments and a period of its deliveries: counted against
    // the same limit as its list and queues.
    super::seller_list::admit(&reads, seller)?;
    super::seller_list::ready(&store, seller).await?;
    let now = now_ms();
    let rows = store
        .insight_rows(seller, &crate::insights::period(days, now))
        .await?;
    Ok(Json::<Insights>(shape(days, now, rows)).into_response())
}
