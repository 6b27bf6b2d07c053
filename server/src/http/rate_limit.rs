//! The public lookup's limit per shop and client address, as a middleware: `429` with `Retry-After`.

use super::error::ApiError;
use crate::state::Limits;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// The client's address from the connection (or the test's stand-in for one).
pub fn client_ip(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .or_else(|| {
            extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|MockConnectInfo(addr)| addr.ip())
        })
}

/// Limits lookups by the shop asked (its handle in the path, as written) and the connection's
/// address (`X-Forwarded-For` is not trusted: anyone can write it); one shop's buyers never
/// use up another's lookups.
pub async fn limit_lookups(
    State(limits): State<Limits>,
    Path(params): Path<HashMap<String, String>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(client) = client_ip(request.extensions()) else {
        return next.run(request).await;
    };
    let shop = params.get("shop").cloned().unwrap_or_default();
    match limits.lookups.check((shop, client), Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => ApiError::RateLimited {
            wait,
            reason: "too many lookups from this address",
        }
        .into_response(),
    }
}
