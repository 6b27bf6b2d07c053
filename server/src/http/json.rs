//! The one way request bodies are read: strict JSON whose errors name the field at fault.
//!
//! The public contract reads leniently; what sellers send is read strictly, so that a
//! mistake reaches the seller's developer as `422 {"field": "events[2].at", …}` rather
//! than a buyer. A body is taken whatever its `Content-Type` says, as it always was.

use super::error::ApiError;
use crate::seller_input::Invalid;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A request body read strictly as `T`.
#[derive(Debug, Clone)]
pub struct Strict<T>(pub T);

impl<S, T> FromRequest<S> for Strict<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(unreadable)?;
        parse(&body).map(Strict)
    }
}

/// What a body that cannot even be read becomes.
pub fn unreadable(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::BodyTooLarge
    } else {
        ApiError::MalformedJson(rejection.body_text())
    }
}

/// Reads JSON strictly, naming the field at fault.
///
/// # Errors
/// `MalformedJson` for text that is not JSON, `Invalid` with the field's path for JSON of the wrong shape.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            ApiError::Invalid(Invalid {
                field: if field == "." { String::new() } else { field },
                reason: inner.to_string(),
            })
        } else {
            ApiError::MalformedJson(inner.to_string())
        }
    })?;
    // Trailing text after the value is as wrong as text before it.
    deserializer
        .end()
        .map_err(|error| ApiError::MalformedJson(error.to_string()))?;
    Ok(value)
}

/// A response whose body is JSON text already written (a stored replay, the OpenAPI document).
pub fn json_text(status: StatusCode, body: impl Into<Body>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.into(),
    )
        .into_response()
}
