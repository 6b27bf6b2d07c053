//! The seller's console's sign-in (`/api/v1/console/`): an invitation becomes a member with a
//! passkey or a password, a member signs in and gets a session cookie, and signs out. What each
//! step means (expiries, limits, hashing) is `console_auth`'s; the cookie and the CSRF check
//! of every later request are `auth`'s.

use super::auth::{check_same_site, cookie as cookie_value, live_session};
use super::error::ApiError;
use super::json::Strict;
use super::rate_limit::client_ip;
use super::state::{ConsoleState, SharedState};
use crate::console_auth::{self as rules, ms, now_ms, SESSION_COOKIE};
use crate::seller_input::Invalid;
use crate::store::audit::Actor;
use crate::store::lockouts::Counted;
use crate::store::members::{Credential, Invitation, Member, NewMember, Role, Session};
use crate::store::Store;
use axum::extract::{Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use utoipa::ToSchema;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Uuid,
};

/// The console's sign-in routes; no answer of theirs may be cached.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/console/invitation", post(invitation))
        .route("/api/v1/console/passkeys/register", post(passkey_register))
        .route(
            "/api/v1/console/passkeys/register/finish",
            post(passkey_register_finish),
        )
        .route(
            "/api/v1/console/passwords/register",
            post(password_register),
        )
        .route("/api/v1/console/passkeys/sign-in", post(passkey_sign_in))
        .route(
            "/api/v1/console/passkeys/sign-in/finish",
            post(passkey_sign_in_finish),
        )
        .route("/api/v1/console/passwords/sign-in", post(password_sign_in))
        .route("/api/v1/console/session", get(session))
        .route("/api/v1/console/sign-out", post(sign_out))
        .route(
            "/api/v1/console/sign-out-everywhere",
            post(sign_out_everywhere),
        )
}

/// An invitation's token, from the link's fragment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    /// The token after `#invitation=` in the link.
    invitation: String,
}

/// What an invitation makes.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    /// The seller's name.
    seller: String,
    /// The role of the member it makes: `owner` or `staff`.
    role: String,
    /// When it stops being accepted (ms since the epoch).
    expires_ms: i64,
}

/// A new member with a passkey: the invitation and the member's name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyRegisterInput {
    /// The invitation's token.
    invitation: String,
    /// The member's name, as colleagues know it (1 to 100 characters).
    name: String,
}

/// A new member with a password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRegisterInput {
    /// The invitation's token.
    invitation: String,
    /// The member's name (1 to 100 characters).
    name: String,
    /// The login (3 to 100 characters, unique on the server, case-insensitive).
    login: String,
    /// The password (10 to 256 characters).
    password: String,
}

/// A password sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordSignInInput {
    /// The login.
    login: String,
    /// The password.
    password: String,
}

/// A passkey ceremony begun: its id, and the options for `navigator.credentials`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CeremonyView {
    /// The ceremony, named again at its finish (within 5 minutes, once).
    ceremony: String,
    /// webauthn-rs's `CreationChallengeResponse` or `RequestChallengeResponse`:
    /// `{"publicKey": {...}}` with base64url fields.
    #[schema(value_type = Object)]
    options: serde_json::Value,
}

/// A passkey ceremony's finish: the ceremony and the browser's credential.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CeremonyFinishInput {
    /// The ceremony's id.
    ceremony: String,
    /// The browser's `PublicKeyCredential`, as JSON with base64url fields.
    #[schema(value_type = Object)]
    credential: serde_json::Value,
}

/// A begun sign-in, for the console: who, for which seller, and the CSRF token its writes echo.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// The member signed in.
    member: MemberView,
    /// The seller it signs in for.
    seller: SellerView,
    /// Sent back in `X-CSRF-Token` with every request but GET and HEAD.
    csrf: String,
    /// When the session ends unless used (ms since the epoch).
    idle_expires_ms: i64,
}

/// A member, as its session names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// Its id.
    id: i64,
    /// Its name.
    name: String,
    /// `owner` or `staff`.
    role: String,
}

/// The seller, as a session names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerView {
    /// Its name.
    name: String,
    /// Its public handle: the widget's `shop`, the configurator's shop.
    handle: String,
}

/// What a registration ceremony keeps between its requests.
#[derive(Debug, Serialize, Deserialize)]
struct Registering {
    invitation: i64,
    name: String,
    user_handle: Uuid,
    state: PasskeyRegistration,
}

const REGISTER: &str = "register";
const SIGN_IN: &str = "sign-in";

fn session_view(member: &Member, csrf: String, seen_ms: i64, created_ms: i64) -> SessionView {
    SessionView {
        member: MemberView {
            id: member.id,
            name: member.name.clone(),
            role: member.role.as_str().to_owned(),
        },
        seller: SellerView {
            name: member.seller_name.clone(),
            handle: member.seller_handle.clone(),
        },
        csrf,
        idle_expires_ms: rules::idle_expiry(seen_ms, created_ms),
    }
}

/// The session's cookie: the browser sends it only over HTTPS, to this host, never to script,
/// and never with a request another site starts.
fn cookie(value: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age}"
    ))
    .map_err(|error| ApiError::Internal(error.to_string()))
}

/// Starts a session for `member` and answers with it and its cookie, and a device cookie unless
/// the browser presented one of the member's (`device`, its digest).
async fn signed_in(
    store: &Store,
    member: &Member,
    device: Option<&str>,
) -> Result<Response, ApiError> {
    let (token, kept) = rules::new_session().map_err(|e| ApiError::Internal(e.to_string()))?;
    let now = now_ms();
    store.start_session(member.id, &kept, now).await?;
    let response = with_cookie(member, &token, kept.csrf, now)?;
    with_device(store, member.id, device, response).await
}

/// The digest of the device cookie the request presents, if any.
fn device_digest(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie_value(headers, rules::DEVICE_COOKIE)
        .map(|token| crate::digest::sha256_hex(token.as_bytes()))
}

/// The presented device cookie's digest when it was given to `member` (and is not too old); a
/// made-up one, one of another member's, or any for no member (`None`: an unknown login) is
/// none. The cookie is looked up whether or not there is a member, so that an unknown login's
/// answer takes as long as a known one's (its time would tell which logins exist).
async fn own_device(
    store: &Store,
    device: Option<String>,
    member: Option<i64>,
) -> Result<Option<String>, ApiError> {
    let Some(device) = device else {
        return Ok(None);
    };
    let since = now_ms().saturating_sub(ms(rules::DEVICE_LASTS));
    let owner = store.device_member(&device, since).await?;
    Ok((owner.is_some() && owner == member).then_some(device))
}

/// Gives the browser a new device cookie of `member`'s, unless it has one (`device`).
async fn with_device(
    store: &Store,
    member: i64,
    device: Option<&str>,
    mut response: Response,
) -> Result<Response, ApiError> {
    if device.is_some() {
        return Ok(response);
    }
    let token = rules::new_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
    store
        .add_device(
            member,
            &crate::digest::sha256_hex(token.as_bytes()),
            now_ms(),
            rules::DEVICES_KEPT,
        )
        .await?;
    let value = HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        rules::DEVICE_COOKIE,
        ms(rules::DEVICE_LASTS) / 1000
    ))
    .map_err(|error| ApiError::Internal(error.to_string()))?;
    response.headers_mut().append(SET_COOKIE, value);
    Ok(response)
}

fn with_cookie(member: &Member, token: &str, csrf: String, now: i64) -> Result<Response, ApiError> {
    let mut response = Json(session_view(member, csrf, now, now)).into_response();
    let max_age = ms(rules::SESSION_LASTS) / 1000;
    response
        .headers_mut()
        .insert(SET_COOKIE, cookie(token, max_age)?);
    Ok(response)
}

/// Refuses a client that knocked too often at the doors that need no session.
fn knock(console: &ConsoleState, request: &axum::http::Extensions) -> Result<(), ApiError> {
    if let Some(client) = client_ip(request) {
        console
            .knocks
            .check(client, Instant::now())
            .map_err(|wait| ApiError::RateLimited {
                wait,
                reason: "too many sign-in requests from this address",
            })?;
    }
    Ok(())
}

fn invitation_digest(token: &str) -> String {
    crate::digest::sha256_hex(token.trim().as_bytes())
}

fn checked_name(name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    let count = name.chars().count();
    if !rules::NAME_CHARS.contains(&count) || name.chars().any(char::is_control) {
        return Err(Invalid {
            field: "name".into(),
            reason: "must be 1 to 100 characters, none of them control characters".into(),
        });
    }
    Ok(name.to_owned())
}

fn passkeys(console: &ConsoleState) -> Result<&webauthn_rs::Webauthn, ApiError> {
    console
        .webauthn
        .as_deref()
        .ok_or_else(|| ApiError::Internal("no relying party for passkeys".into()))
}

/// Reads a request's strict JSON body and the extensions the client layer left in it.
/// Refuses every request but a read to the console's routes unless it comes from the console's
/// own page (`Origin` is `public_url`). Another site's page could otherwise sign a member's
/// browser in to the attacker's shop (a form's `text/plain` body reads as JSON, and a passkey
/// ceremony finished elsewhere can be posted from anywhere), and the member would then import
/// her buyers' orders into it: a sign-in is a write too.
///
/// # Errors
/// `403 cross_site` for any other origin, or none.
pub async fn from_the_console_only(
    State(state): State<SharedState>,
    request: Request,
    next: axum::middleware::Next,
) -> Result<Response, ApiError> {
    let read =
        request.method() == axum::http::Method::GET || request.method() == axum::http::Method::HEAD;
    let origin = request
        .headers()
        .get(axum::http::header::ORIGIN)
        .and_then(|value| value.to_str().ok());
    if !read && origin != Some(&*state.console.public_url) {
        return Err(ApiError::CrossSite);
    }
    Ok(next.run(request).await)
}

async fn body<T: serde::de::DeserializeOwned>(
    request: Request,
    state: &SharedState,
) -> Result<(T, axum::http::Extensions), ApiError> {
    let extensions = request.extensions().clone();
    let Strict(input) =
        <Strict<T> as axum::extract::FromRequest<SharedState>>::from_request(request, state)
            .await?;
    Ok((input, extensions))
}

/// A request to join with an invitation: the invitation's token and the new member's name.
trait Joining: serde::de::DeserializeOwned {
    fn invitation(&self) -> &str;
    fn name(&self) -> &str;
}

impl Joining for PasskeyRegisterInput {
    fn invitation(&self) -> &str {
        &self.invitation
    }
    fn name(&self) -> &str {
        &self.name
    }
}

impl Joining for PasswordRegisterInput {
    fn invitation(&self) -> &str {
        &self.invitation
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// How every way of joining opens: the body read, the client's knock counted, the name
/// checked, and the invitation found (unused and unexpired at the moment returned).
async fn invited<T: Joining>(
    request: Request,
    state: &SharedState,
) -> Result<(T, String, Invitation, i64), ApiError> {
    let (input, extensions): (T, _) = body(request, state).await?;
    knock(&state.console, &extensions)?;
    let name = checked_name(input.name())?;
    let now = now_ms();
    let found = state
        .store
        .invitation(&invitation_digest(input.invitation()), now)
        .await?
        .ok_or(ApiError::InvitationNotFound)?;
    Ok((input, name, found, now))
}

/// `POST /api/v1/console/invitation`: what an invitation makes, before it is used.
///
/// # Errors
/// 404 for an unknown, used or expired invitation; 429 for too many requests.
#[utoipa::path(
    post,
    path = "/api/v1/console/invitation",
    tag = "console",
    summary = "What an invitation makes (the seller and role), before it is used",
    request_body = InvitationInput,
    responses(
        (status = 403, description = "Sent from another page than the console's own: `Origin` is not `public_url` (cross_site).", body = trackline_core::ErrorBody),
        (status = 200, description = "Valid.", body = InvitationView),
        (status = 404, description = "Unknown, used or expired (invitation_not_found).", body = trackline_core::ErrorBody),
        (status = 429, description = "Too many requests from this address (rate_limited).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn invitation(
    State(state): State<SharedState>,
    request: Request,
) -> Result<Json<InvitationView>, ApiError> {
    let (InvitationInput { invitation }, extensions) = body(request, &state).await?;
    knock(&state.console, &extensions)?;
    let found = state
        .store
        .invitation(&invitation_digest(&invitation), now_ms())
        .await?
        .ok_or(ApiError::InvitationNotFound)?;
    Ok(Json(InvitationView {
        seller: found.seller_name,
        role: found.role.as_str().to_owned(),
        expires_ms: found.expires_ms,
    }))
}

/// `POST /api/v1/console/passkeys/register`: begins making a member with a passkey.
///
/// # Errors
/// 404 for an unusable invitation, 422 for a bad name, 429 for too many requests.
#[utoipa::path(
    post,
    path = "/api/v1/console/passkeys/register",
    tag = "console",
    summary = "Begin joining with a passkey: the options for navigator.credentials.create",
    request_body = PasskeyRegisterInput,
    responses(
        (status = 403, description = "Sent from another page than the console's own: `Origin` is not `public_url` (cross_site).", body = trackline_core::ErrorBody),
        (status = 200, description = "Begun; finish within 5 minutes.", body = CeremonyView),
        (status = 404, description = "Unknown, used or expired invitation (invitation_not_found).", body = trackline_core::ErrorBody),
        (status = 422, description = "The name cannot be accepted (invalid).", body = trackline_core::ErrorBody),
        (status = 429, description = "Too many requests from this address (rate_limited).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn passkey_register(
    State(state): State<SharedState>,
    request: Request,
) -> Result<Json<CeremonyView>, ApiError> {
    let (_, name, found, now) = invited::<PasskeyRegisterInput>(request, &state).await?;
    let mut handle = [0u8; 16];
    getrandom::fill(&mut handle).map_err(|e| ApiError::Internal(e.to_string()))?;
    let user_handle = Uuid::from_bytes(handle);
    let (options, registration) = passkeys(&state.console)?
        .start_passkey_registration(user_handle, &name, &name, None)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut options = serde_json::to_value(options);
    // Signing in names no member first (a discoverable credential): the authenticator must
    // keep the credential, which webauthn-rs's passkey options only discourage.
    if let Ok(options) = options.as_mut() {
        let selection = &mut options["publicKey"]["authenticatorSelection"];
        selection["residentKey"] = "required".into();
        selection["requireResidentKey"] = true.into();
    }
    let kept = Registering {
        invitation: found.id,
        name,
        user_handle,
        state: registration,
    };
    begun(&state.store, REGISTER, &kept, options, now).await
}

/// Keeps a ceremony's state and answers with its id and options.
async fn begun(
    store: &Store,
    kind: &str,
    kept: &impl Serialize,
    options: Result<serde_json::Value, serde_json::Error>,
    now: i64,
) -> Result<Json<CeremonyView>, ApiError> {
    let id = rules::new_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
    let kept = serde_json::to_string(kept).map_err(|e| ApiError::Internal(e.to_string()))?;
    let options = options.map_err(|e| ApiError::Internal(e.to_string()))?;
    store
        .keep_ceremony(
            &id,
            kind,
            &kept,
            now.saturating_add(ms(rules::CEREMONY_LASTS)),
            now,
        )
        .await?;
    Ok(Json(CeremonyView {
        ceremony: id,
        options,
    }))
}

/// `POST /api/v1/console/passkeys/register/finish`: the member made, signed in.
///
/// # Errors
/// 404 for a ceremony or invitation gone, 401 for a credential that does not check.
#[utoipa::path(
    post,
    path = "/api/v1/console/passkeys/register/finish",
    tag = "console",
    summary = "Finish joining with a passkey: the member is made and signed in (session cookie)",
    request_body = CeremonyFinishInput,
    responses(
        (status = 403, description = "Sent from another page than the console's own: `Origin` is not `public_url` (cross_site).", body = trackline_core::ErrorBody),
        (status = 200, description = "Joined; the session cookie is set.", body = SessionView),
        (status = 401, description = "The passkey does not check (sign_in_failed).", body = trackline_core::ErrorBody),
        (status = 404, description = "The ceremony or the invitation is gone (ceremony_not_found, invitation_not_found).", body = trackline_core::ErrorBody),
        (status = 409, description = "The passkey is another member's (conflict).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn passkey_register_finish(
    State(state): State<SharedState>,
    Strict(input): Strict<CeremonyFinishInput>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let kept = state
        .store
        .take_ceremony(&input.ceremony, REGISTER, now)
        .await?
        .ok_or(ApiError::CeremonyNotFound)?;
    let kept: Registering =
        serde_json::from_str(&kept).map_err(|e| ApiError::Internal(e.to_string()))?;
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(input.credential).map_err(|_| ApiError::SignInFailed)?;
    let passkey = passkeys(&state.console)?
        .finish_passkey_registration(&credential, &kept.state)
        .map_err(|_| ApiError::SignInFailed)?;
    let credential = Credential::Passkey {
        credential_id: URL_SAFE_NO_PAD.encode(passkey.cred_id().as_ref()),
        passkey: serde_json::to_string(&passkey).map_err(|e| ApiError::Internal(e.to_string()))?,
    };
    let member = NewMember {
        name: kept.name,
        user_handle: kept.user_handle.to_string(),
    };
    join(&state.store, kept.invitation, &member, &credential).await
}

/// Uses an invitation to make a member, and signs it in.
async fn join(
    store: &Store,
    invitation: i64,
    member: &NewMember,
    credential: &Credential,
) -> Result<Response, ApiError> {
    let (token, kept) = rules::new_session().map_err(|e| ApiError::Internal(e.to_string()))?;
    let now = now_ms();
    let joined = store
        .join(invitation, now, member, credential, &kept)
        .await?
        .ok_or(ApiError::InvitationNotFound)?;
    let response = with_cookie(&joined, &token, kept.csrf, now)?;
    with_device(store, joined.id, None, response).await
}

/// `POST /api/v1/console/passwords/register`: the member made with a password, signed in.
///
/// # Errors
/// 404 for an unusable invitation, 409 for a login taken, 422 for a bad field, 429.
#[utoipa::path(
    post,
    path = "/api/v1/console/passwords/register",
    tag = "console",
    summary = "Join with a login and password: the member is made and signed in (session cookie)",
    request_body = PasswordRegisterInput,
    responses(
        (status = 403, description = "Sent from another page than the console's own: `Origin` is not `public_url` (cross_site).", body = trackline_core::ErrorBody),
        (status = 200, description = "Joined; the session cookie is set.", body = SessionView),
        (status = 404, description = "Unknown, used or expired invitation (invitation_not_found).", body = trackline_core::ErrorBody),
        (status = 409, description = "The login is taken (conflict).", body = trackline_core::ErrorBody),
        (status = 422, description = "A field cannot be accepted (invalid, with its field).", body = trackline_core::ErrorBody),
        (status = 429, description = "Too many requests from this address (rate_limited).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn password_register(
    State(state): State<SharedState>,
    request: Request,
) -> Result<Response, ApiError> {
    // The invitation first: nobody without one makes the server hash a password.
    let (input, name, found, _) = invited::<PasswordRegisterInput>(request, &state).await?;
    let login = rules::normal_login(&input.login);
    if !rules::LOGIN_CHARS.contains(&login.chars().count())
        || login.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(Invalid {
            field: "login".into(),
            reason: "must be 3 to 100 characters, no spaces or control characters".into(),
        }
        .into());
    }
    if !rules::PASSWORD_CHARS.contains(&input.password.chars().count()) {
        return Err(Invalid {
            field: "password".into(),
            reason: "must be 10 to 256 characters".into(),
        }
        .into());
    }
    let password = input.password;
    let hash = tokio::task::spawn_blocking(move || rules::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut handle = [0u8; 16];
    getrandom::fill(&mut handle).map_err(|e| ApiError::Internal(e.to_string()))?;
    let member = NewMember {
        name,
        user_handle: Uuid::from_bytes(handle).to_string(),
    };
    join(
        &state.store,
        found.id,
        &member,
        &Credential::Password { login, hash },
    )
    .await
}

/// `POST /api/v1/console/passkeys/sign-in`: begins a sign-in with a discoverable passkey.
///
/// # Errors
/// 429 for too many requests.
#[utoipa::path(
    post,
    path = "/api/v1/console/passkeys/sign-in",
    tag = "console",
    summary = "Begin signing in with a passkey: the options for navigator.credentials.get",
    responses(
        (status = 403, description = "Sent from another page than the console's own: `Origin` is not `public_url` (cross_site).", body = trackline_core::ErrorBody),
        (status = 200, description = "Begun; finish within 5 minutes.", body = CeremonyView),
        (status = 429, description = "Too many requests from this address (rate_limited).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn passkey_sign_in(
    State(state): State<SharedState>,
    request: Request,
) -> Result<Json<CeremonyView>, ApiError> {
    knock(&state.console, request.extensions())?;
    let (options, authentication) = passkeys(&state.console)?
        .start_discoverable_authentication()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut options = serde_json::to_value(options);
    // webauthn-rs asks for the autofill's conditional mediation; the console's button asks
    // at once (a page that wants autofill adds it back).
    if let Ok(serde_json::Value::Object(options)) = options.as_mut() {
        options.remove("mediation");
    }
    begun(&state.store, SIGN_IN, &authentication, options, now_ms()).await
}

/// `POST /api/v1/console/passkeys/sign-in/finish`: signed in with a passkey.
///
/// # Errors
/// 401 for anything that does not sign a member in.
#[utoipa::path(
    post,
    path = "/api/v1/console/passkeys/sign-in/finish",
    tag = "console",
    summary = "Finish signing in with a passkey (session cookie)",
    request_body = CeremonyFinishInput,
    responses(
        (status = 403, description = "Sent from another page than the console's own: `Origin` is not `public_url` (cross_site).", body = trackline_core::ErrorBody),
        (status = 200, description = "Signed in; the session cookie is set.", body = SessionView),
        (status = 401, description = "Not signed in: the ceremony is gone or the passkey does not check (sign_in_failed).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn passkey_sign_in_finish(
    State(state): State<SharedState>,
    request: Request,
) -> Result<Response, ApiError> {
    let headers = request.headers().clone();
    let (input, extensions): (CeremonyFinishInput, _) = body(request, &state).await?;
    let webauthn = passkeys(&state.console)?;
    let kept = state
        .store
        .take_ceremony(&input.ceremony, SIGN_IN, now_ms())
        .await?
        .ok_or(ApiError::SignInFailed)?;
    let authentication: DiscoverableAuthentication =
        serde_json::from_str(&kept).map_err(|e| ApiError::Internal(e.to_string()))?;
    let credential: PublicKeyCredential =
        serde_json::from_value(input.credential).map_err(|_| ApiError::SignInFailed)?;
    let (user_handle, _) = webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(|_| ApiError::SignInFailed)?;
    let (member, stored) = state
        .store
        .passkeys_of(&user_handle.to_string())
        .await?
        .ok_or(ApiError::SignInFailed)?;
    let mut passkeys: Vec<(i64, Passkey)> = stored
        .into_iter()
        .filter_map(|(id, json)| Some((id, serde_json::from_str(&json).ok()?)))
        .collect();
    let keys: Vec<DiscoverableKey> = passkeys.iter().map(|(_, key)| key.into()).collect();
    let result = webauthn
        .finish_discoverable_authentication(&credential, authentication, &keys)
        .map_err(|_| ApiError::SignInFailed)?;
    for (id, passkey) in &mut passkeys {
        // The counter moved: keep it, so that a cloned authenticator's older one is refused.
        if passkey.update_credential(&result) == Some(true) {
            let json =
                serde_json::to_string(passkey).map_err(|e| ApiError::Internal(e.to_string()))?;
            state.store.update_passkey(*id, &json).await?;
        }
    }
    let device = own_device(&state.store, device_digest(&headers), Some(member.id)).await?;
    record(
        &state.store,
        &member,
        "sign_in.passkey",
        client_ip(&extensions),
    )
    .await;
    signed_in(&state.store, &member, device.as_deref()).await
}

/// Records a member's sign-in or sign-out in its seller's audit log, with the network it came
/// from (`console_auth::sign_in_network`); a sign-in already recorded from that network within
/// `console_auth::SIGN_IN_AUDITED_EVERY` is not recorded again. A log that cannot be written
/// costs the entry, not the sign-in.
async fn record(store: &Store, member: &Member, action: &str, client: Option<std::net::IpAddr>) {
    let actor = Actor::Member {
        id: member.id,
        name: member.name.clone(),
    };
    let network = client.map(rules::sign_in_network);
    let now = now_ms();
    if action.starts_with("sign_in.") {
        let since = now.saturating_sub(ms(rules::SIGN_IN_AUDITED_EVERY));
        let recent = store
            .recorded_since(member.seller, member.id, action, network.as_deref(), since)
            .await;
        if matches!(recent, Ok(true)) {
            return;
        }
    }
    let recorded = store
        .record_change(member.seller, now, &actor, action, network.as_deref())
        .await;
    if let Err(error) = recorded {
        tracing::warn!(%error, "a sign-in could not be recorded in the audit log");
    }
}

/// `POST /api/v1/console/passwords/sign-in`: signed in with a login and password.
///
/// # Errors
/// 401 for a wrong login or password (the same answer for both), 429 while guessing is limited.
#[utoipa::path(
    post,
    path = "/api/v1/console/passwords/sign-in",
    tag = "console",
    summary = "Sign in with a login and password (session cookie)",
    description = "Wrong passwords are counted per login and per client address on every \
        instance; past the limit every try is refused with 429 until its window ends. A browser \
        that presents the device cookie (`__Host-trackline-device`, set by every sign-in) of the \
        login's member is counted on its own instead of against the login, so that wrong tries \
        from elsewhere do not lock it out.",
    request_body = PasswordSignInInput,
    responses(
        (status = 403, description = "Sent from another page than the console's own: `Origin` is not `public_url` (cross_site).", body = trackline_core::ErrorBody),
        (status = 200, description = "Signed in; the session cookie is set.", body = SessionView),
        (status = 401, description = "Wrong login or password (sign_in_failed).", body = trackline_core::ErrorBody),
        (status = 429, description = "Too many wrong passwords; Retry-After says when (rate_limited).", body = trackline_core::ErrorBody),
    ),
    security(()),
)]
pub async fn password_sign_in(
    State(state): State<SharedState>,
    request: Request,
) -> Result<Response, ApiError> {
    let device = device_digest(request.headers());
    let (input, extensions): (PasswordSignInInput, _) = body(request, &state).await?;
    knock(&state.console, &extensions)?;
    let login = rules::normal_login(&input.login);
    let sized = rules::LOGIN_CHARS.contains(&login.chars().count())
        && rules::PASSWORD_CHARS.contains(&input.password.chars().count());
    let found = if sized {
        state.store.password_of(&login).await?
    } else {
        None
    };
    // A browser the login's member signed in from is counted on its own, so that wrong tries
    // from elsewhere do not lock it out; a made-up device cookie, or one of another member's,
    // counts against the login as any try does.
    let member_id = found.as_ref().map(|(member, _)| member.id);
    let device = own_device(&state.store, device, member_id).await?;
    let mut tallies = rules::sign_in_tallies(&login, client_ip(&extensions), device.as_deref());
    // A login or password no member could have is no guess at one: counted against the login,
    // it would lock a member out for the price of ten requests that hash nothing (and fill the
    // table with logins as long as a body). The address still counts it.
    if !sized {
        tallies.retain(|tally| tally.against != "login");
    }
    let limited = |counted: Counted| match counted {
        Counted::Room => Ok(()),
        Counted::Full { wait, .. } => Err(ApiError::RateLimited {
            wait,
            reason: "too many wrong passwords",
        }),
    };
    // A full tally is refused before any hashing, so that guessing costs the server little.
    limited(state.store.count_sign_in(&tallies, false, now_ms()).await?)?;
    let (member, hash) = match found {
        Some((member, hash)) => (Some(member), hash),
        // Nobody has this login: a hash is checked all the same, so that the answer takes as
        // long as for a wrong password.
        None => (None, rules::dummy_hash().to_owned()),
    };
    let password = input.password;
    let matches =
        tokio::task::spawn_blocking(move || sized && rules::password_matches(&hash, &password))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    let right = matches && member.is_some();
    limited(
        state
            .store
            .count_sign_in(&tallies, !right, now_ms())
            .await?,
    )?;
    match member {
        Some(member) if right => {
            record(
                &state.store,
                &member,
                "sign_in.password",
                client_ip(&extensions),
            )
            .await;
            signed_in(&state.store, &member, device.as_deref()).await
        }
        _ => Err(ApiError::SignInFailed),
    }
}

/// The session the request's cookie names, for the routes that take only a session.
async fn session_of(
    request: Request,
    store: &Store,
) -> Result<(Session, axum::http::request::Parts), ApiError> {
    let (parts, _) = request.into_parts();
    let session = live_session(&parts, store)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok((session, parts))
}

/// `GET /api/v1/console/session`: the session the cookie names.
///
/// # Errors
/// 401 without a live session.
#[utoipa::path(
    get,
    path = "/api/v1/console/session",
    tag = "console",
    summary = "The session the cookie names, with its CSRF token",
    responses(
        (status = 200, description = "Signed in.", body = SessionView),
        (status = 401, description = "No live session (unauthorized).", body = trackline_core::ErrorBody),
    ),
    security(("session" = [])),
)]
pub async fn session(
    State(store): State<Store>,
    request: Request,
) -> Result<Json<SessionView>, ApiError> {
    let (session, _) = session_of(request, &store).await?;
    Ok(Json(session_view(
        &session.member,
        session.csrf.clone(),
        session.seen_ms,
        session.created_ms,
    )))
}

/// Ends the cookie in the browser too.
fn signed_out() -> Result<Response, ApiError> {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(SET_COOKIE, cookie("", 0)?);
    Ok(response)
}

/// `POST /api/v1/console/sign-out`: ends this session.
///
/// # Errors
/// 401 without a live session, 403 from another origin or without the CSRF token.
#[utoipa::path(
    post,
    path = "/api/v1/console/sign-out",
    tag = "console",
    summary = "Sign out: end this session",
    responses(
        (status = 204, description = "Signed out."),
        (status = 401, description = "No live session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "Another origin, or no X-CSRF-Token (cross_site).", body = trackline_core::ErrorBody),
    ),
    security(("session" = [])),
)]
pub async fn sign_out(
    State(state): State<SharedState>,
    request: Request,
) -> Result<Response, ApiError> {
    let (session, parts) = session_of(request, &state.store).await?;
    check_same_site(&parts, &session, &state.console.public_url)?;
    state.store.end_session(session.id).await?;
    signed_out()
}

/// `POST /api/v1/console/sign-out-everywhere`: ends every session of this member.
///
/// # Errors
/// 401 without a live session, 403 from another origin or without the CSRF token.
#[utoipa::path(
    post,
    path = "/api/v1/console/sign-out-everywhere",
    tag = "console",
    summary = "Sign out everywhere: end every session of this member, on every device",
    responses(
        (status = 204, description = "Signed out everywhere."),
        (status = 401, description = "No live session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "Another origin, or no X-CSRF-Token (cross_site).", body = trackline_core::ErrorBody),
    ),
    security(("session" = [])),
)]
pub async fn sign_out_everywhere(
    State(state): State<SharedState>,
    request: Request,
) -> Result<Response, ApiError> {
    let client = client_ip(request.extensions());
    let (session, parts) = session_of(request, &state.store).await?;
    check_same_site(&parts, &session, &state.console.public_url)?;
    state.store.end_member_sessions(session.member.id).await?;
    record(&state.store, &session.member, "sign_out.everywhere", client).await;
    signed_out()
}

/// A role as the API names it.
pub fn role_of(text: &str) -> Option<Role> {
    match text {
        "owner" => Some(Role::Owner),
        "staff" => Some(Role::Staff),
        _ => None,
    }
}
