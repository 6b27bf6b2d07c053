//! One message to one browser: encrypted for it (RFC 8291, aes128gcm), signed as this server
//! (RFC 8292, VAPID), posted to its push service (RFC 8030), and the answer read.

use super::services::{self, PushServices};
use super::vapid::Vapid;
use crate::webhooks::destination;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::time::Duration;
use thiserror::Error;
use web_push_native::p256::PublicKey;
use web_push_native::{Auth, WebPushBuilder};

/// How long a push service keeps a message for a browser that is offline (RFC 8030 TTL): a day,
/// after which a status is better read on the page.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(24 * 60 * 60);

/// How long one request may take: connecting, sending, and the answer's status line and
/// headers, all told.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub use crate::store::push::Subscription;

/// What the push service did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Accepted (201): it reaches the browser when it is next online, within the TTL.
    Accepted,
    /// The subscription has ended (404 or 410): it is dropped.
    Gone,
    /// Too many messages, or the service is unwell (429, 5xx): try again, after this long if it said.
    Later(Option<Duration>),
    /// Refused for good (400, 401, 403, 413 …): trying again would be refused again.
    Refused(u16),
}

/// Why a message could not be sent at all. None of them names the endpoint: whoever knows it
/// may move the browser's subscriptions (`/api/v1/push/renew`), and these are logged.
#[derive(Debug, Error)]
pub enum PushError {
    /// The subscription's keys are not a P-256 point and a 16-byte secret in base64url.
    #[error("the subscription's keys are not valid")]
    BadKeys,
    /// The endpoint is not an https URL on the public internet.
    #[error("the push service address is not a public https URL")]
    Destination,
    /// The endpoint names a port other than 443 (`services::on_https_port`).
    #[error("a push service is reached on port 443 only, not {0}")]
    Port(u16),
    /// The endpoint's host is not one of the push services this server sends to.
    #[error("{0} is not a browser's push service this server sends to (push_services)")]
    Unlisted(String),
    /// Encryption or signing failed.
    #[error("the message could not be encrypted or signed: {0}")]
    Seal(String),
    /// No answer from the push service (the error without the URL reqwest would name).
    #[error("the push service did not answer: {0}")]
    Network(reqwest::Error),
}

impl From<reqwest::Error> for PushError {
    fn from(error: reqwest::Error) -> Self {
        PushError::Network(error.without_url())
    }
}

impl Subscription {
    /// Checks what a browser sent: an https endpoint on port 443 (any scheme and port only when
    /// `private_allowed`, for tests against a local push service) on one of `services`, and keys
    /// that make an encryption.
    ///
    /// # Errors
    /// `Destination`, `Unlisted`, `Port` or `BadKeys`.
    pub fn checked(
        self,
        services: &PushServices,
        private_allowed: bool,
    ) -> Result<Subscription, PushError> {
        let url = reqwest::Url::parse(&self.endpoint).map_err(|_| PushError::Destination)?;
        let host = url.host_str().unwrap_or_default();
        if !services.allows(host) {
            return Err(PushError::Unlisted(host.to_owned()));
        }
        let https = url.scheme() == "https";
        if !private_allowed && (!https || destination::refused_literal(&self.endpoint)) {
            return Err(PushError::Destination);
        }
        if !private_allowed && !services::on_https_port(&self.endpoint) {
            return Err(PushError::Port(url.port().unwrap_or_default()));
        }
        if !matches!(url.scheme(), "https" | "http") || self.endpoint.len() > 1_000 {
            return Err(PushError::Destination);
        }
        self.keys()?;
        Ok(self)
    }

    fn keys(&self) -> Result<(PublicKey, Auth), PushError> {
        let point = URL_SAFE_NO_PAD
            .decode(self.p256dh.trim_end_matches('='))
            .map_err(|_| PushError::BadKeys)?;
        let public = PublicKey::from_sec1_bytes(&point).map_err(|_| PushError::BadKeys)?;
        let auth = URL_SAFE_NO_PAD
            .decode(self.auth.trim_end_matches('='))
            .map_err(|_| PushError::BadKeys)?;
        if auth.len() != 16 {
            return Err(PushError::BadKeys);
        }
        Ok((public, Auth::clone_from_slice(&auth)))
    }
}

/// The HTTP client pushes go out with (`destination::client`): no redirects, and unless
/// `private_allowed` only to public addresses, whatever a name resolves to.
pub fn client(private_allowed: bool) -> reqwest::Client {
    destination::client(
        concat!("trackline-push/", env!("CARGO_PKG_VERSION")),
        TIMEOUT,
        private_allowed,
    )
}

/// Encrypts `message` for `subscription`, signs the request and posts it; `topic` lets the push
/// service replace an undelivered message of the same parcel with this one.
///
/// # Errors
/// `PushError` when it could not be sent at all; an answer, whatever it says, is `Ok`.
pub async fn send(
    client: &reqwest::Client,
    vapid: &Vapid,
    subscription: &Subscription,
    message: &[u8],
    topic: &str,
) -> Result<Sent, PushError> {
    let (public, auth) = subscription.keys()?;
    let endpoint = subscription
        .endpoint
        .parse()
        .map_err(|_| PushError::Destination)?;
    let request = WebPushBuilder::new(endpoint, public, auth)
        .with_valid_duration(TIME_TO_LIVE)
        .with_vapid(vapid.key_pair(), vapid.contact())
        .build(message.to_vec())
        .map_err(|error| PushError::Seal(error.to_string()))?;
    let mut request = reqwest::Request::try_from(request)
        .map_err(|error| PushError::Seal(error.without_url().to_string()))?;
    let headers = request.headers_mut();
    if let Ok(topic) = reqwest::header::HeaderValue::from_str(topic) {
        headers.insert("Topic", topic);
    }
    headers.insert("Urgency", reqwest::header::HeaderValue::from_static("high"));
    let response = client.execute(request).await?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    Ok(match status {
        200..=299 => Sent::Accepted,
        404 | 410 => Sent::Gone,
        429 | 500..=599 => Sent::Later(retry_after),
        other => Sent::Refused(other),
    })
}
