//! The seller's shipments as a CSV file (`import::csv_record`: the columns the import reads
//! back), through the list route's filters and order, written a page at a time after the
//! list's keyset position: a shop of 100 000 shipments is never held in memory at once.

use super::auth::Seller;
use super::error::ApiError;
use super::seller_list::{filter_and_order, ListQuery};
use crate::import::{csv_header, csv_record};
use crate::store::sellers::SellerId;
use crate::store::shipment_list::{ListFilter, ListOrder, Position};
use crate::store::Store;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::{stream, StreamExt};

use crate::http::state::SharedState;

/// Shipments read from the store at once.
const PAGE: usize = 500;

/// The export's route (`shipments.csv` is a path of its own beside `shipments/{reference}`).
pub fn routes() -> Router<SharedState> {
    Router::new().route("/api/v1/seller/shipments.csv", get(export_shipments))
}

/// Where the walk through the list is.
struct Walk {
    store: Store,
    seller: SellerId,
    filter: ListFilter,
    order: ListOrder,
    after: Option<Position>,
    started: bool,
    ended: bool,
}

impl Walk {
    /// The next piece of the file: the header first, then a page of rows; `None` at the end.
    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Walk)> {
        if self.ended {
            return None;
        }
        if !self.started {
            self.started = true;
            return Some((Ok(Bytes::from(csv_header())), self));
        }
        let page = self
            .store
            .list_shipments(
                self.seller,
                &self.filter,
                self.order,
                self.after.as_ref(),
                PAGE,
            )
            .await;
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                // The status is sent: the client sees the file cut short, never a half of it
                // taken for the whole (no chunked body's last chunk follows).
                tracing::error!(%error, "the export stopped on a store failure");
                self.ended = true;
                return Some((Err(std::io::Error::other(error.to_string())), self));
            }
        };
        self.ended = page.len() < PAGE;
        self.after = page.last().map(|last| last.position.clone());
        let mut out = Vec::with_capacity(page.len() * 120);
        for listed in &page {
            csv_record(&mut out, listed.reference.as_deref(), &listed.shipment);
        }
        Some((Ok(Bytes::from(out)), self))
    }
}

/// `GET /api/v1/seller/shipments.csv`: the seller's shipments through the list's filters, as
/// a CSV file Excel opens and the import reads back.
///
/// # Errors
/// 401 without a valid token, 422 for a parameter that cannot be taken.
#[utoipa::path(
    get,
    path = "/api/v1/seller/shipments.csv",
    tag = "seller",
    summary = "Export the seller's shipments as CSV, through the list's filters",
    description = "Takes the list's query (`cursor` and `limit` aside: every shipment that passes the filters, in the order asked). UTF-8 with a byte order mark and `;` between cells, as Excel on a Russian (or any decimal-comma) system opens a CSV by a double click; a cell starting with = + - @ is written after an apostrophe, so that no text is run as a formula, and a number of digits only as =\"00123\", so that Excel keeps its zeros. Importing the file back changes nothing.",
    params(ListQuery),
    responses(
        (status = 200, description = "The CSV file.", content_type = "text/csv", body = String),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 422, description = "A parameter cannot be taken (invalid, with field).", body = trackline_core::ErrorBody),
        (status = 429, description = "The seller read its list, queues and exports too often (rate_limited, Retry-After).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn export_shipments(
    State(store): State<Store>,
    State(reads): State<crate::http::state::SellerReads>,
    Seller(seller): Seller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    // A walk of the whole shop: counted as the list's reads are, so that a loop of exports
    // cannot hold the database from every other seller.
    crate::http::seller_list::admit(&reads, seller)?;
    let (filter, order) = filter_and_order(query)?;
    let walk = Walk {
        store,
        seller,
        filter,
        order,
        after: None,
        started: false,
        ended: false,
    };
    // Fused: the compressor polls once more after the end, which a bare `unfold` answers
    // with a panic (an abort in the release build: one browser's export would end the server).
    let body = Body::from_stream(stream::unfold(walk, Walk::next).fuse());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"shipments.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
