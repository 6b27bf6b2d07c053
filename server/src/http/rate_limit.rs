//! The public lookup's limit per seller and client address, as a middleware: `429` with `Retry-After`.

use super::error::ApiError;
use crate::client_address::ClientIdentity;
use crate::http::state::LookupLimits;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, RawPathParams, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// The client, as `identify_client` found it: an address, or an IPv6 client's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client's address, when the request has one.
pub fn client_ip(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions.get::<ClientAddr>().map(|ClientAddr(ip)| *ip)
}

/// Finds who the client is, once a request, for the limits, the lockouts and the log: the
/// connection's peer (or the test's stand-in for one), or behind a trusted proxy the address
/// the proxy's header names (`ClientIdentity::client`).
pub async fn identify_client(
    State(identity): State<ClientIdentity>,
    mut request: Request,
    next: Next,
) -> Response {
    let extensions = request.extensions();
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .or_else(|| {
            extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|MockConnectInfo(addr)| addr.ip())
        });
    if let Some(peer) = peer {
        let client = identity.client(peer, request.headers());
        request.extensions_mut().insert(ClientAddr(client));
    }
    next.run(request).await
}

/// Limits lookups by the seller asked (its handle in the path, as written) and the client's
/// address; one seller's buyers never use up another's lookups.
pub async fn limit_lookups(
    State(limits): State<LookupLimits>,
    params: RawPathParams,
    request: Request,
    next: Next,
) -> Response {
    let Some(client) = client_ip(request.extensions()) else {
        return next.run(request).await;
    };
    let seller = params
        .iter()
        .find_map(|(name, value)| (name == "shop").then(|| value.to_owned()))
        .unwrap_or_default();
    match admit(&limits, seller, client) {
        Ok(()) => next.run(request).await,
        Err(refused) => refused.into_response(),
    }
}

/// Counts one lookup of the seller (its handle as asked, empty for the server's default) by
/// `client` against the limit.
///
/// # Errors
/// `RateLimited`, with how long to wait, once the client has used up its lookups.
pub fn admit(limits: &LookupLimits, seller: String, client: IpAddr) -> Result<(), ApiError> {
    limits
        .lookups
        .check((seller, client), Instant::now())
        .map_err(|wait| {
            crate::metrics::rate_limited();
            ApiError::RateLimited {
                wait,
                reason: "too many lookups from this address",
            }
        })
}
