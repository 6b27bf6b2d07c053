//! Who is calling the seller API, and which of its shipments: the bearer token in
//! `Authorization`, checked against the store, and the seller's reference in the path.

use super::error::ApiError;
use crate::seller_input;
use crate::store::sellers::SellerId;
use crate::store::Store;
use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// The seller a request is made for; only a valid bearer token produces one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seller(pub SellerId);

impl<S> FromRequestParts<S> for Seller
where
    S: Send + Sync,
    Store: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .ok_or(ApiError::Unauthorized)?;
        Store::from_ref(state)
            .seller_by_token(token)
            .await?
            .map(Seller)
            .ok_or(ApiError::Unauthorized)
    }
}

/// The seller's own reference for a shipment, the one path parameter of a seller route:
/// 1 to 100 of `A–Z a–z 0–9 . _ -`.
#[derive(Debug, Clone, PartialEq, Eq, utoipa::IntoParams)]
#[into_params(names("reference"), parameter_in = Path)]
pub struct Reference(
    /// The seller's own key for the shipment: 1 to 100 of A-Z a-z 0-9 . _ -
    #[param(pattern = "^[A-Za-z0-9._-]{1,100}$")]
    pub String,
);

impl<S: Send + Sync> FromRequestParts<S> for Reference {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        // A path that does not decode is no reference either.
        let reference = Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(reference)| reference)
            .unwrap_or_default();
        seller_input::reference(&reference)?;
        Ok(Reference(reference))
    }
}
