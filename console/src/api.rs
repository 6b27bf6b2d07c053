//! Every call the console makes, and the one error type they fail with.
//!
//! The calls are the seller API (one API, two ways in: the session cookie here, a bearer token in
//! a seller's backend) and the console's sign-in routes (`/api/v1/console/…`). Every request is
//! same-origin with its cookie; every one but GET also carries the session's CSRF token, which
//! the server checks beside `Origin` (the browser sets that itself).

use crate::query::ListQuery;
use crate::words::Word;
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use trackline_core::Shipment;
use web_sys::RequestCredentials;

thread_local! {
    /// The session's CSRF token, once a session is known.
    static CSRF: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Why a call failed, as the console tells the seller: each maps to one translated word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No answer at all (offline, the server down).
    #[error("no connection")]
    Offline,
    /// 401: no session, or it ended.
    #[error("signed out")]
    SignedOut,
    /// 403: the role does not allow it, or the origin or CSRF check refused it.
    #[error("forbidden")]
    Forbidden,
    /// 404.
    #[error("not found")]
    NotFound,
    /// 409.
    #[error("conflict")]
    Conflict,
    /// 429: wait this many seconds, when the server says.
    #[error("too many requests")]
    TooMany(Option<u32>),
    /// 400 or 422: the field the server refused, when it names one.
    #[error("invalid: {0:?}")]
    Invalid(Option<String>),
    /// Any other status.
    #[error("server error {0}")]
    Server(u16),
    /// A success whose body is not what the console reads.
    #[error("unreadable answer")]
    Unreadable,
}

impl ApiError {
    /// The error for a failed answer's status, its `Retry-After` and its body (the API's error
    /// shape, `{"error": "code", "message", "field"}`; read loosely, as any body may come).
    pub fn of(status: u16, retry_after: Option<&str>, body: &str) -> ApiError {
        match status {
            401 => ApiError::SignedOut,
            403 => ApiError::Forbidden,
            404 => ApiError::NotFound,
            409 => ApiError::Conflict,
            429 => ApiError::TooMany(retry_after.and_then(|value| value.trim().parse().ok())),
            400 | 422 => {
                let json = serde_json::from_str::<serde_json::Value>(body).ok();
                let field = json.as_ref().and_then(|json| {
                    json.get("field")
                        .or_else(|| json.get("error").and_then(|error| error.get("field")))
                        .and_then(serde_json::Value::as_str)
                        .map(|field| field.chars().take(100).collect())
                });
                ApiError::Invalid(field)
            }
            other => ApiError::Server(other),
        }
    }

    /// The word that tells the seller.
    pub fn word(&self) -> Word {
        match self {
            ApiError::Offline => Word::ErrOffline,
            ApiError::SignedOut => Word::ErrSignedOut,
            ApiError::Forbidden => Word::ErrForbidden,
            ApiError::NotFound => Word::ErrNotFound,
            ApiError::Conflict => Word::ErrConflict,
            ApiError::TooMany(_) => Word::ErrTooMany,
            ApiError::Invalid(_) => Word::ErrInvalid,
            ApiError::Server(_) => Word::ErrServer,
            ApiError::Unreadable => Word::ErrUnreadable,
        }
    }

    /// What fills the word's `{field}`.
    pub fn field(&self) -> &str {
        match self {
            ApiError::Invalid(Some(field)) => field,
            _ => "?",
        }
    }
}

/// A member's role in the seller's shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything.
    Owner,
    /// Shipments, import and export, attention.
    Staff,
    /// A role this console does not know: shown as staff, the least.
    #[serde(other)]
    Other,
}

impl Role {
    /// Whether the role may open the owner's pages (keys, webhooks, members, settings).
    pub fn is_owner(self) -> bool {
        self == Role::Owner
    }
}

/// The signed-in member.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Member {
    /// Their id.
    #[serde(default)]
    pub id: i64,
    /// Their name.
    #[serde(default)]
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// The member's seller.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SellerName {
    /// The shop's name.
    #[serde(default)]
    pub name: String,
    /// Its public handle (the widget's `shop`); empty from a server that does not say it.
    #[serde(default)]
    pub handle: String,
}

/// A session, as every sign-in and `GET …/session` answer it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Session {
    /// Who.
    pub member: Member,
    /// Of which shop.
    pub seller: SellerName,
    /// The token every non-GET request carries.
    pub csrf: String,
    /// When the session ends unless used.
    #[serde(default)]
    pub idle_expires_ms: i64,
}

/// What an invitation is for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Invitation {
    /// The shop's name.
    pub seller: String,
    /// The role it gives.
    pub role: Role,
    /// When it expires.
    #[serde(default)]
    pub expires_ms: i64,
}

/// A WebAuthn ceremony begun on the server: its id and the options for the browser.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ceremony {
    /// The id the finish sends back (a string or a number: kept as the server wrote it).
    pub ceremony: serde_json::Value,
    /// `{"publicKey": {...}}` with base64url fields, as webauthn-rs serialises it.
    pub options: serde_json::Value,
}

/// A shipment of the list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Listed {
    /// The seller's reference (absent for shipments written without one).
    #[serde(default)]
    pub reference: Option<String>,
    /// The shipment as buyers see it.
    pub shipment: Shipment,
}

/// A page of the list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShipmentList {
    /// The shipments.
    #[serde(default)]
    pub shipments: Vec<Listed>,
    /// The next page's cursor.
    #[serde(default)]
    pub next: Option<String>,
    /// Shipments per stage, the stage filter aside.
    #[serde(default)]
    pub counts: BTreeMap<String, i64>,
}

/// The event the shipment's page adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewEvent {
    /// Now, RFC 3339.
    pub at: String,
    /// The stage it moves the parcel to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The exception it raises.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    /// What happened.
    pub text: String,
    /// The language it is written in.
    pub text_lang: String,
}

fn same_origin(builder: RequestBuilder) -> RequestBuilder {
    builder.credentials(RequestCredentials::SameOrigin)
}

/// A state-changing request: the cookie, and the CSRF token when a session is known.
fn changing(builder: RequestBuilder) -> RequestBuilder {
    let builder = same_origin(builder);
    match CSRF.with(|csrf| csrf.borrow().clone()) {
        Some(token) => builder.header("X-CSRF-Token", &token),
        None => builder,
    }
}

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let response = request
        .map_err(|_| ApiError::Offline)?
        .send()
        .await
        .map_err(|_| ApiError::Offline)?;
    if response.ok() {
        Ok(response)
    } else {
        let retry = response.headers().get("retry-after");
        let body = response.text().await.unwrap_or_default();
        Err(ApiError::of(response.status(), retry.as_deref(), &body))
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let body = response.text().await.map_err(|_| ApiError::Offline)?;
    serde_json::from_str(&body).map_err(|_| ApiError::Unreadable)
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    read(send(same_origin(Request::get(url)).build()).await?).await
}

async fn post<T: DeserializeOwned>(url: &str, body: &serde_json::Value) -> Result<T, ApiError> {
    read(post_only(url, body).await?).await
}

async fn post_only(url: &str, body: &serde_json::Value) -> Result<Response, ApiError> {
    send(
        changing(Request::post(url))
            .header("Content-Type", "application/json")
            .body(body.to_string()),
    )
    .await
}

/// Keeps the session's CSRF token for the requests after it, and returns the session.
fn hold(session: Session) -> Session {
    CSRF.with(|csrf| *csrf.borrow_mut() = Some(session.csrf.clone()));
    session
}

/// Forgets the CSRF token (signed out).
fn forget() {
    CSRF.with(|csrf| *csrf.borrow_mut() = None);
}

/// `GET /api/v1/console/session`: the session this browser has, or `SignedOut`.
pub async fn session() -> Result<Session, ApiError> {
    get("/api/v1/console/session").await.map(hold)
}

/// `POST /api/v1/console/invitation`: what the invitation is for.
pub async fn invitation(token: &str) -> Result<Invitation, ApiError> {
    post(
        "/api/v1/console/invitation",
        &serde_json::json!({ "invitation": token }),
    )
    .await
}

/// `POST /api/v1/console/passkeys/register`: begins a passkey's registration.
pub async fn passkey_register_start(token: &str, name: &str) -> Result<Ceremony, ApiError> {
    post(
        "/api/v1/console/passkeys/register",
        &serde_json::json!({ "invitation": token, "name": name }),
    )
    .await
}

/// `POST /api/v1/console/passkeys/register/finish`: the new credential; signs in.
pub async fn passkey_register_finish(
    ceremony: &serde_json::Value,
    credential: serde_json::Value,
) -> Result<Session, ApiError> {
    post(
        "/api/v1/console/passkeys/register/finish",
        &serde_json::json!({ "ceremony": ceremony, "credential": credential }),
    )
    .await
    .map(hold)
}

/// `POST /api/v1/console/passwords/register`: the password fallback; signs in.
pub async fn password_register(
    token: &str,
    name: &str,
    login: &str,
    password: &str,
) -> Result<Session, ApiError> {
    post(
        "/api/v1/console/passwords/register",
        &serde_json::json!({ "invitation": token, "name": name, "login": login, "password": password }),
    )
    .await
    .map(hold)
}

/// `POST /api/v1/console/passkeys/sign-in`: begins a passkey sign-in (no login typed).
pub async fn passkey_sign_in_start() -> Result<Ceremony, ApiError> {
    post("/api/v1/console/passkeys/sign-in", &serde_json::json!({})).await
}

/// `POST /api/v1/console/passkeys/sign-in/finish`: the assertion; signs in.
pub async fn passkey_sign_in_finish(
    ceremony: &serde_json::Value,
    credential: serde_json::Value,
) -> Result<Session, ApiError> {
    post(
        "/api/v1/console/passkeys/sign-in/finish",
        &serde_json::json!({ "ceremony": ceremony, "credential": credential }),
    )
    .await
    .map(hold)
}

/// `POST /api/v1/console/passwords/sign-in`.
pub async fn password_sign_in(login: &str, password: &str) -> Result<Session, ApiError> {
    post(
        "/api/v1/console/passwords/sign-in",
        &serde_json::json!({ "login": login, "password": password }),
    )
    .await
    .map(hold)
}

/// `POST /api/v1/console/sign-out`, or `…/sign-out-everywhere` for every session of the member.
pub async fn sign_out(everywhere: bool) -> Result<(), ApiError> {
    let url = if everywhere {
        "/api/v1/console/sign-out-everywhere"
    } else {
        "/api/v1/console/sign-out"
    };
    let done = post_only(url, &serde_json::json!({})).await.map(|_| ());
    forget();
    done
}

/// `GET /api/v1/seller/attention`: the queues, read loosely (a queue may be missing, or new).
pub async fn attention() -> Result<serde_json::Value, ApiError> {
    get("/api/v1/seller/attention").await
}

/// `GET /api/v1/seller/shipments?…`: a page of the list.
pub async fn shipments(query: &ListQuery) -> Result<ShipmentList, ApiError> {
    get(&format!("/api/v1/seller/shipments{}", query.to_query())).await
}

/// A reference as one segment of a path.
fn segment(reference: &str) -> String {
    String::from(js_sys::encode_uri_component(reference))
}

/// `GET /api/v1/seller/shipments/{reference}`.
pub async fn shipment(reference: &str) -> Result<Listed, ApiError> {
    get(&format!("/api/v1/seller/shipments/{}", segment(reference))).await
}

/// `POST /api/v1/seller/shipments/{reference}/events`: one event; the shipment after it.
pub async fn add_event(reference: &str, event: &NewEvent) -> Result<Listed, ApiError> {
    let body = serde_json::to_value(event).map_err(|_| ApiError::Unreadable)?;
    post(
        &format!("/api/v1/seller/shipments/{}/events", segment(reference)),
        &body,
    )
    .await
}

/// `PATCH /api/v1/seller/shipments/{reference}`: sets only the fields the body names (`null`
/// clears one); the shipment after it.
pub async fn patch_shipment(
    reference: &str,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<Listed, ApiError> {
    read(
        send(
            changing(Request::patch(&format!(
                "/api/v1/seller/shipments/{}",
                segment(reference)
            )))
            .header("Content-Type", "application/json")
            .body(serde_json::Value::Object(body.clone()).to_string()),
        )
        .await?,
    )
    .await
}

/// A webhook delivery about one shipment, with its last try.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ShipmentDelivery {
    /// Its id.
    #[serde(default)]
    pub id: i64,
    /// What it tells of.
    #[serde(default)]
    pub kind: String,
    /// `pending`, `delivered` or `failed`.
    #[serde(default)]
    pub state: String,
    /// Tries so far.
    #[serde(default)]
    pub attempts: i64,
    /// When it was queued (RFC 3339).
    #[serde(default)]
    pub queued_at: String,
    /// The receiver's last HTTP status, if it answered.
    #[serde(default)]
    pub last_status: Option<i64>,
    /// Why the last try had no good answer.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When it was last tried (RFC 3339).
    #[serde(default)]
    pub last_tried_at: Option<String>,
}

/// A shipment's activity: its webhook deliveries and the browsers subscribed to it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Activity {
    /// How many browsers are subscribed to its notifications.
    #[serde(default)]
    pub subscribed_browsers: i64,
    /// How many deliveries it has (those kept).
    #[serde(default)]
    pub delivery_count: i64,
    /// Its newest deliveries.
    #[serde(default)]
    pub deliveries: Vec<ShipmentDelivery>,
}

/// `GET /api/v1/seller/shipments/{reference}/activity`.
pub async fn activity(reference: &str) -> Result<Activity, ApiError> {
    get(&format!(
        "/api/v1/seller/shipments/{}/activity",
        segment(reference)
    ))
    .await
}

/// `PUT /api/v1/seller/shipments/{reference}/source` `{"provider": name|null}`: where the
/// shipment's status is polled from, or nowhere (moved by hand only).
pub async fn set_source(reference: &str, provider: Option<&str>) -> Result<(), ApiError> {
    send(
        changing(Request::put(&format!(
            "/api/v1/seller/shipments/{}/source",
            segment(reference)
        )))
        .header("Content-Type", "application/json")
        .body(serde_json::json!({ "provider": provider }).to_string()),
    )
    .await
    .map(|_| ())
}

/// `DELETE /api/v1/seller/shipments/{reference}`.
pub async fn delete_shipment(reference: &str) -> Result<(), ApiError> {
    send(
        changing(Request::delete(&format!(
            "/api/v1/seller/shipments/{}",
            segment(reference)
        )))
        .build(),
    )
    .await
    .map(|_| ())
}

/// A webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Webhook {
    /// Its id (a string: larger than JavaScript's safe integers).
    pub id: String,
    /// Where deliveries are posted.
    pub url: String,
    /// The kinds of change it hears of.
    #[serde(default)]
    pub events: Vec<String>,
    /// When it was made.
    #[serde(default)]
    pub created_at: String,
    /// The signing secret: only in the answer that made it (subscribing, rotating).
    #[serde(default)]
    pub secret: Option<String>,
}

/// The seller's subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Webhooks {
    /// Oldest first.
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
}

/// One try of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Attempt {
    /// When it was sent.
    #[serde(default)]
    pub at: String,
    /// The receiver's status, if it answered.
    #[serde(default)]
    pub status: Option<u16>,
    /// Why there was no answer.
    #[serde(default)]
    pub error: Option<String>,
}

/// One delivery and its tries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Delivery {
    /// Its id.
    pub id: String,
    /// What it tells of.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// `pending`, `delivered` or `failed`.
    #[serde(default)]
    pub state: String,
    /// When it was queued.
    #[serde(default)]
    pub queued_at: String,
    /// Its tries, oldest first.
    #[serde(default)]
    pub attempts: Vec<Attempt>,
}

/// A subscription's delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Deliveries {
    /// Newest first.
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
}

/// `GET /api/v1/seller/webhooks` (owner only).
pub async fn webhooks() -> Result<Webhooks, ApiError> {
    get("/api/v1/seller/webhooks").await
}

/// `POST /api/v1/seller/webhooks` `{url, events}`: the new subscription, its secret shown once.
pub async fn subscribe(url: &str, events: &[&str]) -> Result<Webhook, ApiError> {
    post(
        "/api/v1/seller/webhooks",
        &serde_json::json!({ "url": url, "events": events }),
    )
    .await
}

/// `POST /api/v1/seller/webhooks/{id}/rotate`: the subscription with its new secret, shown once.
pub async fn rotate(id: &str) -> Result<Webhook, ApiError> {
    post(
        &format!("/api/v1/seller/webhooks/{}/rotate", segment(id)),
        &serde_json::json!({}),
    )
    .await
}

/// `DELETE /api/v1/seller/webhooks/{id}`.
pub async fn unsubscribe(id: &str) -> Result<(), ApiError> {
    send(
        changing(Request::delete(&format!(
            "/api/v1/seller/webhooks/{}",
            segment(id)
        )))
        .build(),
    )
    .await
    .map(|_| ())
}

/// `GET /api/v1/seller/webhooks/{id}/deliveries`: the last hundred, newest first.
pub async fn deliveries(id: &str) -> Result<Deliveries, ApiError> {
    get(&format!(
        "/api/v1/seller/webhooks/{}/deliveries",
        segment(id)
    ))
    .await
}

/// `POST /api/v1/seller/webhooks/{id}/deliveries/{delivery}/replay`: sent again now (202).
pub async fn replay(id: &str, delivery: &str) -> Result<(), ApiError> {
    post_only(
        &format!(
            "/api/v1/seller/webhooks/{}/deliveries/{}/replay",
            segment(id),
            segment(delivery)
        ),
        &serde_json::json!({}),
    )
    .await
    .map(|_| ())
}

/// `POST /api/v1/seller/imports{mapping}`: the picked file itself as the body (a `File` is a
/// `Blob`: the browser streams its bytes, none are copied into the wasm), with `content_type`;
/// the preview, or why the file was not taken.
pub async fn preview_import(
    file: &wasm_bindgen::JsValue,
    content_type: &str,
    mapping: &str,
) -> Result<crate::import::Preview, crate::import::ImportError> {
    use crate::import::ImportError;
    let request = changing(Request::post(&format!("/api/v1/seller/imports{mapping}")))
        .header("Content-Type", content_type)
        .body(file.clone())
        .map_err(|_| ImportError::Api(ApiError::Offline))?;
    let response = request
        .send()
        .await
        .map_err(|_| ImportError::Api(ApiError::Offline))?;
    if !response.ok() {
        let retry = response.headers().get("retry-after");
        let body = response.text().await.unwrap_or_default();
        return Err(ImportError::of(response.status(), retry.as_deref(), &body));
    }
    read(response).await.map_err(ImportError::Api)
}

/// `POST /api/v1/seller/imports/{id}/apply`: the job starts on the server (202); its progress.
pub async fn apply_import(id: &str) -> Result<crate::import::Progress, ApiError> {
    post(
        &format!("/api/v1/seller/imports/{}/apply", segment(id)),
        &serde_json::json!({}),
    )
    .await
}

/// `GET /api/v1/seller/imports/{id}`: how far the import's job is.
pub async fn import_progress(id: &str) -> Result<crate::import::Progress, ApiError> {
    get(&format!("/api/v1/seller/imports/{}", segment(id))).await
}

/// The address of `GET /api/v1/seller/shipments.csv` through the list's filters and order (a
/// plain link: a GET with the cookie, downloaded by the browser).
pub fn export_href(query: &ListQuery) -> String {
    format!(
        "/api/v1/seller/shipments.csv{}",
        query.first_page().to_query()
    )
}

/// A `PUT` of a JSON body.
async fn put_only(url: &str, body: &serde_json::Value) -> Result<Response, ApiError> {
    send(
        changing(Request::put(url))
            .header("Content-Type", "application/json")
            .body(body.to_string()),
    )
    .await
}

/// A `DELETE`.
async fn delete_only(url: &str) -> Result<(), ApiError> {
    send(changing(Request::delete(url)).build())
        .await
        .map(|_| ())
}

/// A member of the shop, as the owners' list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MemberListed {
    /// Their id.
    pub id: i64,
    /// Their name.
    #[serde(default)]
    pub name: String,
    /// Their role.
    pub role: Role,
    /// The login of their password, if they chose one.
    #[serde(default)]
    pub login: Option<String>,
    /// How many passkeys they have.
    #[serde(default)]
    pub passkeys: i64,
    /// Since when they are a member (ms since the epoch).
    #[serde(default)]
    pub created_ms: i64,
    /// The shop's API tokens made on their behalf: removing them revokes these.
    #[serde(default)]
    pub tokens_made: i64,
    /// The open invitations they made: removing them revokes these.
    #[serde(default)]
    pub invitations_made: i64,
}

/// An invitation not yet used.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OpenInvitation {
    /// Its id.
    pub id: i64,
    /// The role it gives.
    pub role: Role,
    /// When it expires (ms since the epoch).
    #[serde(default)]
    pub expires_ms: i64,
    /// The name of the member who made it; `None` when the server's operator did.
    #[serde(default)]
    pub invited_by: Option<String>,
}

/// The shop's members and open invitations.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Members {
    /// Oldest first.
    #[serde(default)]
    pub members: Vec<MemberListed>,
    /// Not yet used, not expired.
    #[serde(default)]
    pub invitations: Vec<OpenInvitation>,
    /// The shop's API tokens made on nobody's known behalf: no removal revokes them.
    #[serde(default)]
    pub tokens_without_maker: i64,
}

/// A new invitation's link, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InvitationLink {
    /// `{public_url}/console/#invitation=…`.
    pub link: String,
    /// When it expires (ms since the epoch).
    #[serde(default)]
    pub expires_ms: i64,
}

/// `GET /api/v1/seller/members` (owners only).
pub async fn members() -> Result<Members, ApiError> {
    get("/api/v1/seller/members").await
}

/// `POST /api/v1/seller/members/invitations` `{role}`: a one-time link, valid 24 hours.
pub async fn invite(role: Role) -> Result<InvitationLink, ApiError> {
    let role = if role.is_owner() { "owner" } else { "staff" };
    post(
        "/api/v1/seller/members/invitations",
        &serde_json::json!({ "role": role }),
    )
    .await
}

/// `DELETE /api/v1/seller/members/{id}`: its sessions end; `Conflict` for the last owner.
pub async fn remove_member(id: i64) -> Result<(), ApiError> {
    delete_only(&format!("/api/v1/seller/members/{id}")).await
}

/// A bearer token of the seller (never the token itself, but in the answer that made it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiToken {
    /// Its id (a string: larger than JavaScript's safe integers).
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// When it was made (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// When it was last used, to the minute (RFC 3339).
    #[serde(default)]
    pub last_used_at: Option<String>,
    /// The token: only in the answer that made it.
    #[serde(default)]
    pub token: Option<String>,
}

/// The seller's tokens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiTokens {
    /// Oldest first.
    #[serde(default)]
    pub tokens: Vec<ApiToken>,
}

/// `GET /api/v1/seller/tokens`.
pub async fn tokens() -> Result<ApiTokens, ApiError> {
    get("/api/v1/seller/tokens").await
}

/// `POST /api/v1/seller/tokens` `{name}`: the new token, shown once.
pub async fn create_token(name: &str) -> Result<ApiToken, ApiError> {
    post(
        "/api/v1/seller/tokens",
        &serde_json::json!({ "name": name }),
    )
    .await
}

/// `DELETE /api/v1/seller/tokens/{id}`: `Conflict` for the last one.
pub async fn revoke_token(id: &str) -> Result<(), ApiError> {
    delete_only(&format!("/api/v1/seller/tokens/{}", segment(id))).await
}

/// Who made a change: a member.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuditMember {
    /// Their id.
    #[serde(default)]
    pub id: i64,
    /// Their name.
    #[serde(default)]
    pub name: String,
}

/// One change in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuditEntry {
    /// When (ms since the epoch).
    #[serde(default)]
    pub at_ms: i64,
    /// The member who made it, when a member did.
    #[serde(default)]
    pub member: Option<AuditMember>,
    /// The token's name, when a token did.
    #[serde(default)]
    pub token: Option<String>,
    /// What it was: `shipment.put`, … or `method /route`.
    #[serde(default)]
    pub action: String,
    /// What it changed (a reference, an id, a provider), when the route names one.
    #[serde(default)]
    pub target: Option<String>,
}

/// A page of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuditPage {
    /// Newest first.
    #[serde(default)]
    pub entries: Vec<AuditEntry>,
    /// The cursor of the page after it.
    #[serde(default)]
    pub next: Option<String>,
}

/// `GET /api/v1/seller/audit[?before=…]`: a page of the log, newest first.
pub async fn audit(before: Option<&str>) -> Result<AuditPage, ApiError> {
    let query = before.map_or_else(String::new, |cursor| {
        format!(
            "?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("before", cursor)
                .finish()
        )
    });
    get(&format!("/api/v1/seller/audit{query}")).await
}

/// The shop's lookup rules.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Settings {
    /// Storefront origins allowed to read the lookup; empty for any.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// `phone_last4`, `postcode`, or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_check: Option<String>,
}

/// `GET /api/v1/seller/settings`.
pub async fn settings() -> Result<Settings, ApiError> {
    get("/api/v1/seller/settings").await
}

/// `PUT /api/v1/seller/settings`: the rules as stored.
pub async fn put_settings(settings: &Settings) -> Result<Settings, ApiError> {
    let body = serde_json::to_value(settings).map_err(|_| ApiError::Unreadable)?;
    read(put_only("/api/v1/seller/settings", &body).await?).await
}

/// `PUT /api/v1/seller/ozon` `{client_id, api_key}`: sealed, never shown again.
pub async fn put_ozon_keys(client_id: &str, api_key: &str) -> Result<(), ApiError> {
    put_only(
        "/api/v1/seller/ozon",
        &serde_json::json!({ "client_id": client_id, "api_key": api_key }),
    )
    .await
    .map(|_| ())
}

/// `PUT /api/v1/seller/sources/{provider}` with the provider's key fields: sealed, never shown
/// again.
pub async fn put_source_keys(provider: &str, keys: &[(&str, String)]) -> Result<(), ApiError> {
    let body: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|(field, value)| ((*field).to_owned(), serde_json::Value::from(value.as_str())))
        .collect();
    put_only(
        &format!("/api/v1/seller/sources/{}", segment(provider)),
        &serde_json::Value::Object(body),
    )
    .await
    .map(|_| ())
}

/// `DELETE /api/v1/seller/members/invitations/{id}`: the invitation's link stops working;
/// `NotFound` when it was used or revoked meanwhile.
pub async fn revoke_invitation(id: i64) -> Result<(), ApiError> {
    delete_only(&format!("/api/v1/seller/members/invitations/{id}")).await
}

/// What a provider answered a check of the seller's saved keys.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct KeyCheck {
    /// The provider asked.
    pub provider: String,
    /// `accepted`, `refused`, `limited`, `unreachable`, `unexpected` or `no_keys`.
    pub answer: String,
    /// The provider's own words, trimmed, never the keys.
    #[serde(default)]
    pub message: Option<String>,
    /// With `limited`: the seconds the provider asked to wait, if it said.
    #[serde(default)]
    pub retry_after_s: Option<u64>,
    /// With `unexpected`: the provider's HTTP status.
    #[serde(default)]
    pub status: Option<u16>,
}

/// The providers the seller saved keys for, at `GET /api/v1/seller/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SavedKeys {
    /// Their wire names.
    pub providers: Vec<String>,
}

/// `GET /api/v1/seller/keys`: the providers the seller saved keys for (never the keys).
pub async fn saved_keys() -> Result<SavedKeys, ApiError> {
    get("/api/v1/seller/keys").await
}

/// `POST /api/v1/seller/ozon/check` or `/api/v1/seller/sources/{provider}/check`: asks the
/// provider once with the saved keys; what it answered.
pub async fn check_keys(provider: &str) -> Result<KeyCheck, ApiError> {
    let url = if provider == "ozon" {
        "/api/v1/seller/ozon/check".to_owned()
    } else {
        format!("/api/v1/seller/sources/{}/check", segment(provider))
    };
    post(&url, &serde_json::json!({})).await
}

/// Transit days of delivered parcels: the median and the 80th percentile (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub struct TransitDays {
    /// Half of the parcels took at most this many days.
    pub median: u32,
    /// Four in five took at most this many days.
    pub p80: u32,
}

/// A carrier's deliveries over the period.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CarrierFigures {
    /// The carrier's wire name.
    pub carrier: String,
    /// Parcels delivered in the period.
    pub delivered: u64,
    /// Of them, those that had an estimate to be on time against.
    #[serde(default)]
    pub with_estimate: u64,
    /// Of those, delivered within it.
    #[serde(default)]
    pub on_time: u64,
    /// Null when no parcel had a hand-over.
    #[serde(default)]
    pub transit_days: Option<TransitDays>,
}

/// A route's deliveries over the period (lower-case cities as the events name them).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RouteFigures {
    /// The carrier's wire name.
    pub carrier: String,
    /// Where parcels were handed over.
    pub origin: String,
    /// Where they went.
    pub destination: String,
    /// Parcels delivered in the period.
    pub delivered: u64,
    /// Of them, those that had an estimate.
    #[serde(default)]
    pub with_estimate: u64,
    /// Of those, delivered within it.
    #[serde(default)]
    pub on_time: u64,
    /// Null when no parcel had a hand-over.
    #[serde(default)]
    pub transit_days: Option<TransitDays>,
}

/// The seller's shipments as they are now.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct NowFigures {
    /// By stage (wire names).
    #[serde(default)]
    pub stages: BTreeMap<String, u64>,
    /// By exception (wire names).
    #[serde(default)]
    pub exceptions: BTreeMap<String, u64>,
    /// Gone stale.
    #[serde(default)]
    pub stale: u64,
}

/// `GET /api/v1/seller/insights`: counts per day over a period, the shipments now, and the
/// deliveries per carrier and route (contract of issue 28).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct Insights {
    /// Every UTC day of the period (`YYYY-MM-DD`), today last.
    pub days: Vec<String>,
    /// Each counter's numbers, one per day, oldest first.
    #[serde(default)]
    pub counts: BTreeMap<String, Vec<u64>>,
    /// Each counter's sum over the period.
    #[serde(default)]
    pub totals: BTreeMap<String, u64>,
    /// The shipments now.
    #[serde(default)]
    pub now: NowFigures,
    /// Per carrier.
    #[serde(default)]
    pub carriers: Vec<CarrierFigures>,
    /// Per route, most delivered first.
    #[serde(default)]
    pub routes: Vec<RouteFigures>,
}

/// `GET /api/v1/seller/insights?days=`: the figures over the last 7, 30 or 90 days.
pub async fn insights(days: u32) -> Result<Insights, ApiError> {
    get(&format!("/api/v1/seller/insights?days={days}")).await
}
