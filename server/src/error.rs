//! What can go wrong in the server, and the HTTP answer each failure gets.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use thiserror::Error;
use trackline_core::ErrorBody;

/// A failure while answering a request.
#[derive(Debug, Error)]
pub enum ApiError {
    /// No shipment has that number.
    #[error("no shipment has this number")]
    NotFound,
    /// The number is not one any shipment could have.
    #[error("not a tracking or order number: {0}")]
    InvalidNumber(#[from] trackline_core::InputError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::InvalidNumber(_) => (StatusCode::BAD_REQUEST, "invalid_number"),
            ApiError::Store(error) => {
                tracing::error!(%error, "store failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let message = match &self {
            // Store details are for the log, not for the public.
            ApiError::Store(_) => "the server could not answer".to_owned(),
            other => other.to_string(),
        };
        let body = ErrorBody {
            error: code.to_owned(),
            message,
        };
        (status, Json(body)).into_response()
    }
}
