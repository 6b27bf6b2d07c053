//! The seller's members and its audit log (owners only; a bearer token acts as an owner):
//! who may sign in to the console, invitations for more, and who changed what.

use super::audit::naming;
use super::auth::{Owner, OwnerCaller};
use super::console::role_of;
use super::error::ApiError;
use super::json::Strict;
use super::state::SharedState;
use crate::console_auth::{self as rules, ms, now_ms};
use crate::seller_input::Invalid;
use crate::store::audit::Actor;
use crate::store::members::{Maker, RemovedMember, Role};
use crate::store::sellers::SellerId;
use crate::store::Store;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most audit entries one page holds.
pub const MAX_AUDIT_PAGE: i64 = 200;

/// The members and audit routes of the seller API.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/seller/members", get(list_members))
        .route("/api/v1/seller/members/invitations", post(invite))
        .route("/api/v1/seller/members/{id}", delete(remove_member))
        .route(
            "/api/v1/seller/members/invitations/{id}",
            delete(revoke_invitation),
        )
        .route("/api/v1/seller/audit", get(audit))
}

/// A member, as its seller's owners see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberListed {
    /// Its id.
    id: i64,
    /// Its name.
    name: String,
    /// `owner` or `staff`.
    role: String,
    /// Its password's login; null when it signs in with passkeys only.
    login: Option<String>,
    /// How many passkeys it has.
    passkeys: i64,
    /// When it joined (ms since the epoch).
    created_ms: i64,
    /// The seller's tokens made on its behalf: its removal revokes them.
    tokens_made: i64,
    /// The open invitations it made: its removal revokes them.
    invitations_made: i64,
}

/// An invitation not yet used (never its link, which was shown once).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationListed {
    /// Its id.
    id: i64,
    /// `owner` or `staff`.
    role: String,
    /// When it stops being accepted (ms since the epoch).
    expires_ms: i64,
    /// The name of the member who made it; null when the operator did (`add-seller`, `invite`).
    invited_by: Option<String>,
}

/// The seller's members and open invitations.
#[derive(Debug, Serialize, ToSchema)]
pub struct Members {
    /// Oldest first.
    members: Vec<MemberListed>,
    /// Soonest to expire first.
    invitations: Vec<InvitationListed>,
    /// The seller's API tokens made on nobody's known behalf (by the operator, before makers
    /// were kept, or with such a token): no member's removal revokes them.
    tokens_without_maker: i64,
}

/// An invitation asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    /// `owner` or `staff`.
    role: String,
}

/// A new invitation's link, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationLink {
    /// `{public_url}/console/#invitation={token}`: the token is in the fragment, never sent in
    /// a request line.
    link: String,
    /// When it stops being accepted (ms since the epoch).
    expires_ms: i64,
}

/// A new invitation for `seller` as `role`, made by the operator: its link and when it expires.
///
/// # Errors
/// `ApiError` if there is no randomness or the store fails.
pub async fn new_invitation(
    store: &Store,
    public_url: &str,
    seller: SellerId,
    role: Role,
) -> Result<(String, i64), ApiError> {
    new_invitation_by(store, public_url, seller, role, None, None).await
}

/// A new invitation for `seller` as `role`, made by `maker` (`None`: the operator) with the
/// token `via` (if a token made it).
///
/// # Errors
/// `ApiError` if there is no randomness or the store fails; 401 if the maker was removed or its
/// token revoked since the request was authenticated.
pub async fn new_invitation_by(
    store: &Store,
    public_url: &str,
    seller: SellerId,
    role: Role,
    maker: Option<&Maker>,
    via: Option<i64>,
) -> Result<(String, i64), ApiError> {
    let token = rules::new_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
    let expires_ms = now_ms().saturating_add(ms(rules::INVITATION_LASTS));
    store
        .add_invitation(
            seller,
            role,
            &crate::digest::sha256_hex(token.as_bytes()),
            expires_ms,
            maker,
            via,
        )
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok((invitation_link(public_url, &token), expires_ms))
}

/// The console's link that carries an invitation's token.
pub fn invitation_link(public_url: &str, token: &str) -> String {
    format!("{public_url}/console/#invitation={token}")
}

/// `GET /api/v1/seller/members`: the seller's members and open invitations.
///
/// # Errors
/// 401 unsigned, 403 for staff.
#[utoipa::path(
    get,
    path = "/api/v1/seller/members",
    tag = "seller",
    summary = "The seller's console members and open invitations (owners only)",
    responses(
        (status = 200, description = "The members, oldest first.", body = Members),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn list_members(
    State(store): State<Store>,
    Owner(seller): Owner,
) -> Result<Json<Members>, ApiError> {
    let now = now_ms();
    let members = store.members(seller, now).await?;
    let invitations = store.invitations(seller, now).await?;
    let tokens_without_maker = store.tokens_without_maker(seller).await?;
    Ok(Json(Members {
        tokens_without_maker,
        members: members
            .into_iter()
            .map(|member| MemberListed {
                id: member.id,
                name: member.name,
                role: member.role.as_str().to_owned(),
                login: member.login,
                passkeys: member.passkeys,
                created_ms: member.created_ms,
                tokens_made: member.tokens_made,
                invitations_made: member.invitations_made,
            })
            .collect(),
        invitations: invitations
            .into_iter()
            .map(|invitation| InvitationListed {
                id: invitation.id,
                role: invitation.role.as_str().to_owned(),
                expires_ms: invitation.expires_ms,
                invited_by: invitation.made_by_name,
            })
            .collect(),
    }))
}

/// `POST /api/v1/seller/members/invitations`: a new invitation link, shown once.
///
/// # Errors
/// 401 unsigned, 403 for staff or a write from another origin, 422 for an unknown role.
#[utoipa::path(
    post,
    path = "/api/v1/seller/members/invitations",
    tag = "seller",
    summary = "Invite a member: a one-time link, valid 24 hours (owners only)",
    request_body = InviteInput,
    responses(
        (status = 201, description = "The link, shown this once.", body = InvitationLink),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 422, description = "The role is not owner or staff (invalid, field role).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn invite(
    State(state): State<SharedState>,
    OwnerCaller(caller): OwnerCaller,
    Strict(input): Strict<InviteInput>,
) -> Result<Response, ApiError> {
    let role = role_of(&input.role).ok_or_else(|| Invalid {
        field: "role".into(),
        reason: "must be owner or staff".into(),
    })?;
    let (link, expires_ms) = new_invitation_by(
        &state.store,
        &state.console.public_url,
        caller.seller,
        role,
        caller.maker.as_ref(),
        caller.token,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationLink { link, expires_ms }),
    )
        .into_response())
}

/// What a member's removal revoked with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemovedView {
    /// The member's name.
    name: String,
    /// How many of its sessions ended.
    sessions: u64,
    /// How many open invitations it made were revoked.
    invitations: u64,
    /// The names of the tokens made on its behalf, revoked.
    tokens: Vec<String>,
}

/// `DELETE /api/v1/seller/members/{id}`: removes a member, ends its sessions and revokes what
/// it made.
///
/// # Errors
/// 401 unsigned, 403 for staff, 404 for no such member, 409 for the last owner.
#[utoipa::path(
    delete,
    path = "/api/v1/seller/members/{id}",
    tag = "seller",
    summary = "Remove a member: its sessions end, its open invitations and the tokens made on its behalf are revoked (owners only; not the last owner)",
    params(("id" = i64, Path, description = "The member's id, from the list.")),
    responses(
        (status = 200, description = "Removed; what was revoked with it.", body = RemovedView),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "The seller has no such member (member_not_found).", body = trackline_core::ErrorBody),
        (status = 409, description = "It is the seller's last owner (last_owner).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn remove_member(
    State(store): State<Store>,
    Owner(seller): Owner,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = id.parse().map_err(|_| ApiError::MemberNotFound)?;
    match store.remove_member(seller, id, now_ms()).await? {
        RemovedMember::Removed(revoked) => {
            let name = revoked.name.clone();
            let view = RemovedView {
                name: revoked.name,
                sessions: revoked.sessions,
                invitations: revoked.invitations,
                tokens: revoked.tokens,
            };
            Ok(naming(Json(view).into_response(), name))
        }
        RemovedMember::NotFound => Err(ApiError::MemberNotFound),
        RemovedMember::LastOwner => Err(ApiError::LastOwner),
    }
}

/// `DELETE /api/v1/seller/members/invitations/{id}`: revokes an open invitation; its link
/// stops working at once.
///
/// # Errors
/// 401 unsigned, 403 for staff, 404 for no such open invitation.
#[utoipa::path(
    delete,
    path = "/api/v1/seller/members/invitations/{id}",
    tag = "seller",
    summary = "Revoke an open invitation: its link stops working (owners only)",
    params(("id" = i64, Path, description = "The invitation's id, from the members list.")),
    responses(
        (status = 204, description = "Revoked."),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only), or a write without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "The seller has no such open invitation (invitation_not_found).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn revoke_invitation(
    State(store): State<Store>,
    Owner(seller): Owner,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = id.parse().map_err(|_| ApiError::InvitationNotFound)?;
    if store.revoke_invitation(seller, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::InvitationNotFound)
    }
}

/// A page of the audit log asked for.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The `next` of the page before.
    before: Option<String>,
    /// How many entries (1 to 200, 50 by default).
    limit: Option<i64>,
}

/// Who made a change, when a member did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditMember {
    /// Its id.
    id: i64,
    /// Its name then.
    name: String,
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// When (ms since the epoch).
    at_ms: i64,
    /// The member who made it; null when a bearer token did (then `token`).
    member: Option<AuditMember>,
    /// The bearer token's name, when one made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// What: `shipment.put`, `shipment.delete`, `shipments.put`, `events.append`,
    /// `settings.put`, `webhook.create`, `token.create`, `member.invite`, ...
    action: String,
    /// Of what: a reference or an id; null when the change names none.
    target: Option<String>,
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    entries: Vec<AuditEntryView>,
    /// The cursor of the next (older) page; null at the end.
    next: Option<String>,
}

/// `GET /api/v1/seller/audit`: who changed what, newest first.
///
/// # Errors
/// 401 unsigned, 403 for staff, 422 for a bad cursor or limit.
#[utoipa::path(
    get,
    path = "/api/v1/seller/audit",
    tag = "seller",
    summary = "The audit log: who changed what, newest first (owners only)",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of entries.", body = AuditPage),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A staff member's session (owners_only).", body = trackline_core::ErrorBody),
        (status = 422, description = "The cursor or the limit cannot be read (invalid).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn audit(
    State(store): State<Store>,
    Owner(seller): Owner,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=MAX_AUDIT_PAGE).contains(&limit) {
        return Err(Invalid {
            field: "limit".into(),
            reason: format!("must be 1 to {MAX_AUDIT_PAGE}"),
        }
        .into());
    }
    let before = match query.before.as_deref() {
        None => None,
        Some(cursor) => Some(
            cursor
                .split_once('.')
                .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)))
                .ok_or_else(|| Invalid {
                    field: "before".into(),
                    reason: "not a cursor this log gave".into(),
                })?,
        ),
    };
    let entries = store.audit_entries(seller, before, limit).await?;
    let next = (entries.len() as i64 == limit)
        .then(|| {
            entries
                .last()
                .map(|last| format!("{}.{}", last.at_ms, last.id))
        })
        .flatten();
    Ok(Json(AuditPage {
        entries: entries
            .into_iter()
            .map(|entry| {
                let (member, token) = match entry.actor {
                    Actor::Member { id, name } => (Some(AuditMember { id, name }), None),
                    Actor::Token(name) => (None, Some(name)),
                };
                AuditEntryView {
                    at_ms: entry.at_ms,
                    member,
                    token,
                    action: entry.action,
                    target: entry.target,
                }
            })
            .collect(),
        next,
    }))
}
