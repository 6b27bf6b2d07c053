//! Who is calling the seller API, and which of its shipments: a bearer token in
//! `Authorization`, or a console member's session cookie (whose writes must also come from
//! `public_url` and echo the session's CSRF token), checked against the store; and the seller's
//! reference in the path.

use super::error::ApiError;
use super::state::ConsoleState;
use crate::console_auth::{self, CSRF_HEADER, SESSION_COOKIE};
use crate::seller_input;
use crate::store::audit::Actor;
use crate::store::members::{Maker, Role, Session};
use crate::store::sellers::SellerId;
use crate::store::tokens::TokenMaker;
use crate::store::Store;
use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::header::{AUTHORIZATION, COOKIE, ORIGIN};
use axum::http::request::Parts;
use axum::http::Method;

/// Who a seller API request is made by: the seller, the role it acts in, and who to name for
/// its changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The seller.
    pub seller: SellerId,
    /// What it may do: a bearer token acts as an owner.
    pub role: Role,
    /// Who, for the audit log.
    pub actor: Actor,
    /// The console session it came in, if it came in one.
    pub session: Option<Session>,
    /// The member what it makes is made on behalf of (the member signed in, or the one who made
    /// its token), so that removing that member revokes it; `None` for the operator's tokens.
    pub maker: Option<Maker>,
    /// The bearer token it came with, if it came with one.
    pub token: Option<i64>,
}

impl Identity {
    /// On whose behalf a token it makes is made.
    pub fn token_maker(&self) -> TokenMaker {
        TokenMaker {
            member: self.maker.as_ref().map(|maker| maker.id),
            token: self.token,
        }
    }
}

/// The seller a request is made for; only a valid bearer token or console session produces one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seller(pub SellerId);

/// The seller a request is made for by one of its owners (or a bearer token): the keys,
/// webhooks, tokens, settings, members and audit routes. Staff are refused with 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner(pub SellerId);

/// The whole identity of a seller API request made by an owner (or a bearer token), for the
/// owners' handlers that record who made what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerCaller(pub Identity);

/// The whole identity of a seller API request, for the handlers that need more than the seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub Identity);

/// The identity found once per request, kept for the next extractor (and the audit layer).
#[derive(Debug, Clone)]
struct Found(Identity);

/// The identity of a request's caller: the one found for it already, or the one its bearer
/// token or session cookie names, kept in the request for whoever asks next.
///
/// # Errors
/// 401 without a valid token or live session; 403 for a session's write from another origin
/// or without its CSRF token.
pub async fn identify(
    parts: &mut Parts,
    store: &Store,
    console: &ConsoleState,
) -> Result<Identity, ApiError> {
    if let Some(Found(identity)) = parts.extensions.get::<Found>() {
        return Ok(identity.clone());
    }
    let identity = find(parts, store, console).await?;
    parts.extensions.insert(Found(identity.clone()));
    Ok(identity)
}

async fn find(parts: &Parts, store: &Store, console: &ConsoleState) -> Result<Identity, ApiError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .ok_or(ApiError::Unauthorized)?;
        let holder = store
            .token_holder(token)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        return Ok(Identity {
            seller: holder.seller,
            role: Role::Owner,
            actor: Actor::Token(holder.name),
            session: None,
            maker: holder.made_by.map(|(id, name)| Maker { id, name }),
            token: Some(holder.id),
        });
    }
    let session = live_session(parts, store)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        check_same_site(parts, &session, &console.public_url)?;
    }
    Ok(Identity {
        seller: session.member.seller,
        role: session.member.role,
        actor: Actor::Member {
            id: session.member.id,
            name: session.member.name.clone(),
        },
        maker: Some(Maker {
            id: session.member.id,
            name: session.member.name.clone(),
        }),
        token: None,
        session: Some(session),
    })
}

/// The live session the request's cookie names, marked used (at most once a minute); a session
/// past its idle or absolute expiry is ended here.
///
/// # Errors
/// `StoreError` if the database fails.
pub async fn live_session(parts: &Parts, store: &Store) -> Result<Option<Session>, ApiError> {
    let Some(token) = session_cookie(parts) else {
        return Ok(None);
    };
    let Some(session) = store
        .session(&crate::digest::sha256_hex(token.as_bytes()))
        .await?
    else {
        return Ok(None);
    };
    let now = console_auth::now_ms();
    if !console_auth::session_on(&session, now) {
        store.end_session(session.id).await?;
        return Ok(None);
    }
    let since = now.saturating_sub(console_auth::ms(console_auth::SESSION_TOUCH_EVERY));
    if session.seen_ms <= since {
        store.touch_session(session.id, now, since).await;
    }
    Ok(Some(session))
}

/// The session cookie's value, if the request has one.
fn session_cookie(parts: &Parts) -> Option<&str> {
    cookie(&parts.headers, SESSION_COOKIE)
}

/// The value of the cookie `wanted` in `headers`, if it has one of a sane length.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, wanted: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == wanted).then_some(value)
        })
        .filter(|value| !value.is_empty() && value.len() <= 100)
}

/// A write made with a session must come from the console's own origin and echo the
/// session's CSRF token: another site's page can make the browser send the cookie (were
/// `SameSite` not honoured) but can neither set `Origin` nor read the token.
///
/// # Errors
/// `CrossSite` (403) otherwise.
pub fn check_same_site(parts: &Parts, session: &Session, public_url: &str) -> Result<(), ApiError> {
    let origin = parts
        .headers
        .get(ORIGIN)
        .and_then(|value| value.to_str().ok());
    let csrf = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok());
    let same_origin = origin == Some(public_url);
    let echoed = csrf.is_some_and(|csrf| same_bytes(csrf.as_bytes(), session.csrf.as_bytes()));
    if same_origin && echoed {
        Ok(())
    } else {
        Err(ApiError::CrossSite)
    }
}

/// Equal bytes, compared in a time that does not tell where they differ.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    Store: FromRef<S>,
    ConsoleState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let store = Store::from_ref(state);
        let console = ConsoleState::from_ref(state);
        identify(parts, &store, &console).await.map(Caller)
    }
}

impl<S> FromRequestParts<S> for Seller
where
    S: Send + Sync,
    Store: FromRef<S>,
    ConsoleState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Caller(identity) = Caller::from_request_parts(parts, state).await?;
        Ok(Seller(identity.seller))
    }
}

impl<S> FromRequestParts<S> for Owner
where
    S: Send + Sync,
    Store: FromRef<S>,
    ConsoleState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let OwnerCaller(identity) = OwnerCaller::from_request_parts(parts, state).await?;
        Ok(Owner(identity.seller))
    }
}

impl<S> FromRequestParts<S> for OwnerCaller
where
    S: Send + Sync,
    Store: FromRef<S>,
    ConsoleState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Caller(identity) = Caller::from_request_parts(parts, state).await?;
        match identity.role {
            Role::Owner => Ok(OwnerCaller(identity)),
            Role::Staff => Err(ApiError::OwnersOnly),
        }
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
