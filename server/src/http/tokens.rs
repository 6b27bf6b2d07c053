//! The seller API's tokens: a seller makes named tokens (its storefront's backend, a CI job), lists
//! them and revokes one, the one making the request included, without the operator.

use super::audit::naming;
use super::auth::{Owner, OwnerCaller};
use super::error::ApiError;
use super::json::Strict;
use crate::http::state::SharedState;
use crate::seller_input::Invalid;
use crate::store::tokens::{Added, Revoked, Token};
use crate::store::Store;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use trackline_core::time::format_rfc3339;
use utoipa::ToSchema;

/// The most tokens one seller has at once.
pub const MAX_TOKENS: i64 = 20;

/// The longest token name, in characters.
pub const MAX_NAME: usize = 64;

/// The token routes of the seller API.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/seller/tokens", post(create_token).get(list_tokens))
        .route("/api/v1/seller/tokens/{id}", delete(revoke_token))
}

/// A token asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for, as the list shows it: 1 to 64 characters, no control characters.
    #[schema(min_length = 1, max_length = 64, example = "shop backend")]
    name: String,
}

impl TokenInput {
    /// The name, trimmed.
    ///
    /// # Errors
    /// `Invalid` (field `name`) for an empty, long or unprintable name.
    fn validate(self) -> Result<String, Invalid> {
        let name = self.name.trim();
        let length = name.chars().count();
        if length == 0 || length > MAX_NAME || name.chars().any(char::is_control) {
            return Err(Invalid {
                field: "name".into(),
                reason: format!(
                    "must be 1 to {MAX_NAME} characters, none of them control characters"
                ),
            });
        }
        Ok(name.to_owned())
    }
}

/// A token as the seller API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Its id (a string: it is larger than JavaScript's safe integers).
    id: String,
    /// What it is for.
    name: String,
    /// When it was made.
    #[schema(format = DateTime)]
    created_at: String,
    /// When it was last used, to the minute; absent if never.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
    /// The bearer token: only in the answer that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "tl_4f9c…")]
    token: Option<String>,
}

impl TokenView {
    fn of(token: Token, secret: Option<String>) -> TokenView {
        TokenView {
            id: token.id.to_string(),
            name: token.name,
            created_at: token.created_at,
            last_used_at: token.last_used_at_ms.map(format_rfc3339),
            token: secret,
        }
    }
}

/// The seller's tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tokens {
    /// Oldest first (to the second).
    tokens: Vec<TokenView>,
}

/// `POST /api/v1/seller/tokens`: a new token; the answer holds it, once.
///
/// # Errors
/// 401 without a valid token, 400/422 for a body that cannot be taken or a seller with 20 tokens.
#[utoipa::path(
    post,
    path = "/api/v1/seller/tokens",
    tag = "seller",
    summary = "Make a new named bearer token (the token is shown once)",
    description = "A seller has up to 20 tokens at once, each working until it is revoked. \
        Only a hash of the token is kept: keep it from this answer.",
    request_body = TokenInput,
    responses(
        (status = 201, description = "Made; token is in this answer only.", body = TokenView),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 422, description = "The name cannot be accepted (invalid, field name), or the seller has 20 tokens already (invalid, field tokens).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn create_token(
    State(store): State<Store>,
    OwnerCaller(caller): OwnerCaller,
    Strict(input): Strict<TokenInput>,
) -> Result<Response, ApiError> {
    let name = input.validate()?;
    let maker = caller.token_maker();
    match store
        .add_token(caller.seller, &name, MAX_TOKENS, maker)
        .await?
    {
        Added::Made(token, secret) => Ok(naming(
            (
                StatusCode::CREATED,
                Json(TokenView::of(token, Some(secret))),
            )
                .into_response(),
            name,
        )),
        Added::Full => Err(Invalid {
            field: "tokens".into(),
            reason: format!("a seller has at most {MAX_TOKENS} tokens: revoke one first"),
        }
        .into()),
        // Its maker was removed, or the token in use revoked, since it was authenticated: the
        // answer an unknown token gets.
        Added::Gone => Err(ApiError::Unauthorized),
    }
}

/// `GET /api/v1/seller/tokens`: the seller's tokens, never the tokens themselves.
///
/// # Errors
/// 401 without a valid token.
#[utoipa::path(
    get,
    path = "/api/v1/seller/tokens",
    tag = "seller",
    summary = "The seller's tokens: names, when made and last used (never the tokens)",
    responses(
        (status = 200, description = "Oldest first.", body = Tokens),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn list_tokens(
    State(store): State<Store>,
    Owner(seller): Owner,
) -> Result<Json<Tokens>, ApiError> {
    let tokens = store.tokens(seller).await?;
    Ok(Json(Tokens {
        tokens: tokens
            .into_iter()
            .map(|token| TokenView::of(token, None))
            .collect(),
    }))
}

/// `DELETE /api/v1/seller/tokens/{id}`: revokes a token at once, on every instance; the one
/// making the request may be revoked, the seller's last may not.
///
/// # Errors
/// 401 without a valid token, 404 for a token the seller does not have, 409 for its last.
#[utoipa::path(
    delete,
    path = "/api/v1/seller/tokens/{id}",
    tag = "seller",
    summary = "Revoke a token (refused from the next request on; the seller's last one cannot be)",
    params(("id" = String, Path, description = "The token's id, from the list.")),
    responses(
        (status = 204, description = "Revoked."),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "The seller has no such token (token_not_found).", body = trackline_core::ErrorBody),
        (status = 409, description = "It is the seller's last token: make another first (last_token).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn revoke_token(
    State(store): State<Store>,
    Owner(seller): Owner,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    // An id that is not a number names no token.
    let id = id.parse().map_err(|_| ApiError::TokenNotFound)?;
    match store.revoke_token(seller, id).await? {
        Revoked::Revoked(name) => Ok(naming(StatusCode::NO_CONTENT.into_response(), name)),
        Revoked::NotFound => Err(ApiError::TokenNotFound),
        Revoked::Last => Err(ApiError::LastToken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_one_to_sixty_four_printable_characters() {
        let name = |text: &str| {
            TokenInput {
                name: text.to_owned(),
            }
            .validate()
        };
        assert_eq!(name("  ci job ").ok().as_deref(), Some("ci job"));
        assert!(name(&"я".repeat(64)).is_ok());
        for bad in ["", "   ", "a\nb", "\u{7}", &"a".repeat(65)] {
            assert_eq!(
                name(bad).err().map(|e| e.field),
                Some("name".into()),
                "{bad:?}"
            );
        }
    }
}
