//! The public lookup's limit per client address, as a middleware: `429` with `Retry-After`.

use super::error::ApiError;
use crate::state::Limits;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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

/// Limits lookups by the connection's address (`X-Forwarded-For` is not trusted: anyone can write it).
pub async fn limit_lookups(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let Some(client) = client_ip(request.extensions()) else {
        return next.run(request).await;
    };
    match limits.lookups.check(client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => ApiError::RateLimited {
            wait,
            reason: "too many lookups from this address",
        }
        .into_response(),
    }
}
