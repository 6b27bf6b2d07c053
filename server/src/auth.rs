//! Who is calling the seller API: the bearer token in `Authorization`, checked against the store.

use crate::error::ApiError;
use crate::store::sellers::SellerId;
use crate::store::Store;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// The seller a request is made for; only a valid bearer token produces one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seller(pub SellerId);

impl FromRequestParts<Store> for Seller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, store: &Store) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .ok_or(ApiError::Unauthorized)?;
        store
            .seller_by_token(token)
            .await?
            .map(Seller)
            .ok_or(ApiError::Unauthorized)
    }
}
