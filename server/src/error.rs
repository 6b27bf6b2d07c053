//! What can go wrong in the server, and the HTTP answer each failure gets.

use crate::store::guards::CheckKind;
use crate::store::StoreError;
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
    /// No bearer token, or one that belongs to no seller.
    #[error("a valid bearer token is required: Authorization: Bearer tl_…")]
    Unauthorized,
    /// The body is not JSON at all.
    #[error("the body is not JSON: {0}")]
    MalformedJson(String),
    /// A field of the request cannot be accepted.
    #[error(transparent)]
    Invalid(#[from] crate::seller_input::Invalid),
    /// The `Idempotency-Key` header is empty, not text, or over 200 characters.
    #[error("Idempotency-Key must be 1 to 200 visible characters")]
    BadIdempotencyKey,
    /// The key was used before for a different request.
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    /// The seller allows other storefront origins to read its shipments.
    #[error("this shop's tracking is not available on this site")]
    OriginNotAllowed,
    /// A lookup by order number needs the seller's second factor (`?check=`).
    #[error("this order needs {} to be shown", .0.as_str())]
    CheckRequired(CheckKind),
    /// The second factor does not match.
    #[error("{} does not match this order", .0.as_str())]
    CheckFailed(CheckKind),
    /// Pulling from the Ozon Seller API failed.
    #[error(transparent)]
    Ozon(crate::ozon::OzonError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::InvalidNumber(_) => (StatusCode::BAD_REQUEST, "invalid_number"),
            ApiError::Store(StoreError::Conflict) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Store(error) => {
                tracing::error!(%error, "store failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::BadIdempotencyKey => (StatusCode::BAD_REQUEST, "bad_idempotency_key"),
            ApiError::IdempotencyKeyReused => {
                (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
            }
            ApiError::OriginNotAllowed => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            ApiError::CheckRequired(_) => (StatusCode::FORBIDDEN, "check_required"),
            ApiError::CheckFailed(_) => (StatusCode::FORBIDDEN, "check_failed"),
            ApiError::Ozon(error) => ApiError::ozon_status(error),
        };
        let message = match &self {
            // Store details are for the log, not for the public.
            ApiError::Store(StoreError::Conflict) => self.to_string(),
            ApiError::Store(_) => "the server could not answer".to_owned(),
            ApiError::Invalid(invalid) => invalid.reason.clone(),
            other => other.to_string(),
        };
        let field = match &self {
            ApiError::Invalid(invalid) if !invalid.field.is_empty() => Some(invalid.field.clone()),
            ApiError::CheckRequired(kind) | ApiError::CheckFailed(kind) => {
                Some(kind.as_str().to_owned())
            }
            _ => None,
        };
        let body = ErrorBody {
            error: code.to_owned(),
            message,
            field,
        };
        let mut response = (status, Json(body)).into_response();
        if matches!(self, ApiError::Unauthorized) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
