//! Every way a request can fail, and the one place each becomes an HTTP status and an `ErrorBody`.

use crate::caps::Cap;
use crate::lookup::LookupError;
use crate::ozon::OzonError;
use crate::seller_input::Invalid;
use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::time::Duration;
use thiserror::Error;
use trackline_core::ErrorBody;

/// A failure while answering a request.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The seller has no shipment under that reference.
    #[error("no shipment has this reference")]
    NotFound,
    /// No provider of that name is spoken to here.
    #[error("this server polls no provider of that name")]
    ProviderNotFound,
    /// The seller has no such webhook subscription, or no such delivery of one.
    #[error("the seller has no such webhook subscription or delivery")]
    WebhookNotFound,
    /// The seller has no such token.
    #[error("the seller has no such token")]
    TokenNotFound,
    /// The seller asked to revoke its last token, which would lock it out.
    #[error("this is the seller's last token: make another (POST /api/v1/seller/tokens) before revoking it")]
    LastToken,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No bearer token, or one that belongs to no seller, and no live console session.
    #[error("a valid bearer token is required: Authorization: Bearer tl_… (or a console session)")]
    Unauthorized,
    /// The body is not JSON at all.
    #[error("the body is not JSON: {0}")]
    MalformedJson(String),
    /// The body is larger than the server takes.
    #[error("the body is too large")]
    BodyTooLarge,
    /// A field of the request cannot be accepted.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The `Idempotency-Key` header is empty, not text, or over 200 characters.
    #[error("Idempotency-Key must be 1 to 200 visible characters")]
    BadIdempotencyKey,
    /// The key was used before for a different request.
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    /// The public lookup shows nothing, for the reason it gives.
    #[error(transparent)]
    Lookup(LookupError),
    /// Too many requests from this client; `Retry-After` says when to come back.
    #[error("{reason}")]
    RateLimited {
        /// How long until the client may try again.
        wait: Duration,
        /// What was too many.
        reason: &'static str,
    },
    /// The reply to a second factor came in the URL (`?check=`), where logs keep it.
    #[error("send the reply to the second factor in the Trackline-Check header, never in the URL")]
    ReplyInUrl,
    /// Pulling from the Ozon Seller API failed.
    #[error(transparent)]
    Ozon(OzonError),
    /// This server sends no notifications: it has no secret key to sign them with.
    #[error("this server does not send notifications")]
    PushUnavailable,
    /// A write made with a console session came from another origin or without the session's
    /// CSRF token.
    #[error("a change made in the console needs the console's own Origin and the session's X-CSRF-Token header")]
    CrossSite,
    /// A staff member asked for what only the seller's owners may do.
    #[error("only the seller's owners may do this")]
    OwnersOnly,
    /// The invitation is unknown, used or expired.
    #[error("this invitation is unknown, used or expired: ask an owner for a new one")]
    InvitationNotFound,
    /// The passkey ceremony is unknown, finished or expired.
    #[error("this passkey ceremony is unknown, finished or expired: start again")]
    CeremonyNotFound,
    /// The login and password, or the passkey, did not sign anybody in.
    #[error("the sign-in failed")]
    SignInFailed,
    /// The seller has no such member.
    #[error("the seller has no such member")]
    MemberNotFound,
    /// The member is the seller's last owner.
    #[error("this is the seller's last owner: make another owner before removing it")]
    LastOwner,
    /// The server could not put its own answer together (a header or a body it could not write).
    #[error("the server could not write its answer: {0}")]
    Internal(String),
    /// A seller's file that cannot be imported, and why.
    #[error(transparent)]
    File(crate::import::FileError),
    /// The seller has no import of that id (or it expired unapplied).
    #[error("the seller has no such import (a preview is kept for an hour)")]
    ImportNotFound,
    /// A body of a type the route does not read.
    #[error("{0}")]
    UnsupportedType(&'static str),
    /// What was asked cannot be answered right now (the reason says why); `Retry-After` says when.
    #[error("{0}")]
    Unavailable(&'static str),
    /// Another file of the seller's is being read; `Retry-After` says when to send this one.
    #[error("this seller's previous file is still being read: send this one when it is done")]
    ImportReaderBusy,
    /// Another import of the seller's is being applied.
    #[error("another import of this seller is being applied: apply this one when it is done")]
    ImportRunning,
}

impl From<LookupError> for ApiError {
    fn from(error: LookupError) -> ApiError {
        match error {
            // One store failure, logged and answered as every other.
            LookupError::Store(error) => ApiError::Store(error),
            LookupError::Unwritable(error) => ApiError::Internal(error.to_string()),
            other => ApiError::Lookup(other),
        }
    }
}

impl ApiError {
    /// The HTTP status and the stable code of the error.
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::NotFound | ApiError::Lookup(LookupError::NotFound) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            ApiError::Lookup(LookupError::UnknownSeller) => {
                (StatusCode::NOT_FOUND, "shop_not_found")
            }
            ApiError::WebhookNotFound => (StatusCode::NOT_FOUND, "webhook_not_found"),
            ApiError::TokenNotFound => (StatusCode::NOT_FOUND, "token_not_found"),
            ApiError::LastToken => (StatusCode::CONFLICT, "last_token"),
            ApiError::CrossSite => (StatusCode::FORBIDDEN, "cross_site"),
            ApiError::OwnersOnly => (StatusCode::FORBIDDEN, "owners_only"),
            ApiError::InvitationNotFound => (StatusCode::NOT_FOUND, "invitation_not_found"),
            ApiError::CeremonyNotFound => (StatusCode::NOT_FOUND, "ceremony_not_found"),
            ApiError::SignInFailed => (StatusCode::UNAUTHORIZED, "sign_in_failed"),
            ApiError::MemberNotFound => (StatusCode::NOT_FOUND, "member_not_found"),
            ApiError::LastOwner => (StatusCode::CONFLICT, "last_owner"),
            ApiError::ProviderNotFound => (StatusCode::NOT_FOUND, "provider_not_found"),
            ApiError::PushUnavailable => (StatusCode::NOT_FOUND, "push_unavailable"),
            ApiError::Lookup(LookupError::SellerRequired) => {
                (StatusCode::BAD_REQUEST, "shop_required")
            }
            ApiError::Unavailable(_) | ApiError::Store(StoreError::TimedOut) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            ApiError::Store(StoreError::Conflict) => (StatusCode::CONFLICT, "conflict"),
            // What the request was about went while it was answered: as if it had never been.
            ApiError::Store(StoreError::Gone) => (StatusCode::NOT_FOUND, "not_found"),
            // What the seller or the parcel holds is full until one is ended: nothing to wait for.
            ApiError::Store(StoreError::Full(Cap::WebhooksPerSeller | Cap::PushPerShipment)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "limit_reached")
            }
            // Too many from this client, as the rate limits answer; they end with their parcels.
            ApiError::Store(StoreError::Full(Cap::PushPerClient)) => {
                (StatusCode::TOO_MANY_REQUESTS, "limit_reached")
            }
            ApiError::Store(_) | ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            ApiError::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::BadIdempotencyKey => (StatusCode::BAD_REQUEST, "bad_idempotency_key"),
            ApiError::ReplyInUrl => (StatusCode::BAD_REQUEST, "check_in_url"),
            ApiError::IdempotencyKeyReused => {
                (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
            }
            ApiError::Lookup(LookupError::InvalidNumber(_)) => {
                (StatusCode::BAD_REQUEST, "invalid_number")
            }
            ApiError::Lookup(LookupError::OriginNotAllowed) => {
                (StatusCode::FORBIDDEN, "origin_not_allowed")
            }
            ApiError::Lookup(LookupError::SecondFactorRequired(_)) => {
                (StatusCode::FORBIDDEN, "check_required")
            }
            ApiError::Lookup(LookupError::SecondFactorFailed(_)) => {
                (StatusCode::FORBIDDEN, "check_failed")
            }
            ApiError::RateLimited { .. }
            | ApiError::Lookup(LookupError::TooManyWrongReplies(..)) => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
            }
            ApiError::Lookup(LookupError::Store(_) | LookupError::Unwritable(_)) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
            ApiError::File(error) => file_status_and_code(error),
            ApiError::ImportNotFound => (StatusCode::NOT_FOUND, "import_not_found"),
            ApiError::UnsupportedType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type")
            }
            ApiError::Ozon(OzonError::NotFound) => (StatusCode::NOT_FOUND, "ozon_not_found"),
            ApiError::Ozon(OzonError::Unauthorized) => {
                (StatusCode::BAD_GATEWAY, "ozon_refused_keys")
            }
            ApiError::Ozon(OzonError::BadAnswer(_)) => (StatusCode::BAD_GATEWAY, "ozon_bad_answer"),
            ApiError::Ozon(OzonError::Unavailable(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, "ozon_unavailable")
            }
            ApiError::ImportReaderBusy => (StatusCode::TOO_MANY_REQUESTS, "import_reader_busy"),
            ApiError::ImportRunning => (StatusCode::CONFLICT, "import_running"),
        }
    }
}

/// Whole seconds to wait, rounded up and at least one, as `Retry-After` gives them.
/// A file's refusal: each its own code, for the console to word in the seller's language.
fn file_status_and_code(error: &crate::import::FileError) -> (StatusCode, &'static str) {
    use crate::import::FileError;
    let code = match error {
        FileError::TooLarge { .. } => return (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"),
        FileError::Empty => "file_empty",
        FileError::TooManyRows { .. } => "file_too_many_rows",
        FileError::RowTooWide { .. } => "file_row_too_wide",
        FileError::TooManyCells { .. } => "file_too_many_cells",
        FileError::UnknownEncoding => "file_unknown_encoding",
        FileError::UnsupportedFormat => "file_unsupported_format",
        FileError::UnpacksTooLarge { .. } => "file_unpacks_too_large",
        FileError::TextTooLarge { .. } => "file_text_too_large",
        FileError::Unreadable => "file_unreadable",
        FileError::BadWorkbook => "file_bad_workbook",
        FileError::NoHeaderRow => "file_no_header_row",
    };
    (StatusCode::UNPROCESSABLE_ENTITY, code)
}

fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            // Store and server details are for the log, not for the public.
            ApiError::Store(StoreError::Conflict | StoreError::Gone | StoreError::TimedOut) => {
                self.to_string()
            }
            ApiError::Store(StoreError::Full(cap)) => cap.reason().to_owned(),
            ApiError::Store(_) | ApiError::Internal(_) => {
                tracing::error!(error = %self, "request failed inside the server");
                "the server could not answer".to_owned()
            }
            ApiError::Invalid(invalid) => invalid.reason.clone(),
            ApiError::RateLimited { wait, reason } => {
                format!("{reason}; try again in {} s", whole_seconds(*wait))
            }
            ApiError::Lookup(error @ LookupError::TooManyWrongReplies(wait, _)) => {
                format!("{error}; try again in {} s", whole_seconds(*wait))
            }
            other => other.to_string(),
        };
        let field = match &self {
            ApiError::Invalid(invalid) if !invalid.field.is_empty() => Some(invalid.field.clone()),
            ApiError::Lookup(
                LookupError::SecondFactorRequired(factor) | LookupError::SecondFactorFailed(factor),
            ) => Some(factor.as_str().to_owned()),
            _ => None,
        };
        let body = ErrorBody {
            error: code.to_owned(),
            message,
            field,
        };
        let mut response = (status, Json(body)).into_response();
        let wait = match &self {
            ApiError::RateLimited { wait, .. }
            | ApiError::Lookup(LookupError::TooManyWrongReplies(wait, _)) => Some(*wait),
            ApiError::Unavailable(_) | ApiError::Store(StoreError::TimedOut) => {
                Some(Duration::from_secs(1))
            }
            // A file's reading takes a second or a few.
            ApiError::ImportReaderBusy => Some(Duration::from_secs(2)),
            _ => None,
        };
        if let Some(wait) = wait {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(whole_seconds(wait)));
        }
        if let ApiError::Unauthorized = self {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
