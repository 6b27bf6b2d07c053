//! The audit log's recording: every change the seller API makes successfully (a method other
//! than GET and HEAD, answered 2xx) is recorded with who made it (the identity `auth` found)
//! and what it was (its route), in one layer around the seller API, so that no handler can
//! forget it and routes added later are recorded too.

use super::auth::identify;
use super::state::SharedState;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

/// What a change was made to, in the seller's words (a token's or a member's name), put in a
/// response's extensions by its handler; the log names it instead of the route's raw id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target(pub String);

/// Puts the name of what changed in a response, for the audit log.
pub fn naming(mut response: Response, target: impl Into<String>) -> Response {
    response.extensions_mut().insert(Target(target.into()));
    response
}

/// What a change is called in the log: the known routes by name, any other by its method and
/// route.
pub fn action(method: &Method, route: &str) -> String {
    let named = match (method.as_str(), route) {
        ("PUT", "/api/v1/seller/shipments/{reference}") => "shipment.put",
        ("PATCH", "/api/v1/seller/shipments/{reference}") => "shipment.patch",
        ("DELETE", "/api/v1/seller/shipments/{reference}") => "shipment.delete",
        ("POST", "/api/v1/seller/shipments/{reference}/events") => "events.append",
        ("PUT", "/api/v1/seller/shipments") => "shipments.put",
        ("PUT", "/api/v1/seller/settings") => "settings.put",
        ("POST", "/api/v1/seller/webhooks") => "webhook.create",
        ("DELETE", "/api/v1/seller/webhooks/{id}") => "webhook.delete",
        ("POST", "/api/v1/seller/webhooks/{id}/rotate") => "webhook.rotate",
        ("POST", "/api/v1/seller/tokens") => "token.create",
        ("DELETE", "/api/v1/seller/tokens/{id}") => "token.revoke",
        ("PUT", "/api/v1/seller/ozon") => "ozon_keys.put",
        ("PUT", "/api/v1/seller/sources/{provider}") => "provider_keys.put",
        ("POST", "/api/v1/seller/members/invitations") => "member.invite",
        ("DELETE", "/api/v1/seller/members/{id}") => "member.remove",
        ("DELETE", "/api/v1/seller/members/invitations/{id}") => "invitation.revoke",
        // A check changes no key, but what it learns changes the attention queue: who asked, when.
        ("POST", "/api/v1/seller/ozon/check") => "ozon_keys.check",
        ("POST", "/api/v1/seller/sources/{provider}/check") => "provider_keys.check",
        _ => "",
    };
    if named.is_empty() {
        format!("{} {route}", method.as_str().to_lowercase())
    } else {
        named.to_owned()
    }
}

/// Records the request's change once it has succeeded. The caller is identified here, before
/// the handler, which then finds the identity kept in the request; a request that names nobody
/// goes on to be refused by its handler.
pub async fn record(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let identity = identify(&mut parts, &state.store, &state.console)
        .await
        .ok();
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    // The route's one parameter names what changed (a reference, an id, a provider).
    let target = RawPathParams::from_request_parts(&mut parts, &state)
        .await
        .ok()
        .and_then(|params| params.iter().next().map(|(_, value)| value.to_owned()));
    let method = parts.method.clone();
    let response = next.run(Request::from_parts(parts, body)).await;
    if let (Some(identity), Some(route)) = (identity, route) {
        if response.status().is_success() {
            let named = response
                .extensions()
                .get::<Target>()
                .map(|Target(name)| name);
            let target = named.or(target.as_ref()).map(String::as_str);
            let recorded = state
                .store
                .record_change(
                    identity.seller,
                    crate::console_auth::now_ms(),
                    &identity.actor,
                    &action(&method, &route),
                    target,
                )
                .await;
            if let Err(error) = recorded {
                tracing::warn!(%error, "a change could not be recorded in the audit log");
            }
        }
    }
    response
}
