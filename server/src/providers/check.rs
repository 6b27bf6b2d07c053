//! A check of the keys a seller saved for a provider: one cheap, read-only call to the provider
//! with them (the cheapest its API documents that needs the keys; each adapter says which), and
//! what it answered, in one shape for all of them (`KeyCheck`). A refusal is recorded for the
//! seller's attention queue as the poller records it, an acceptance clears it; the provider's
//! own words come back trimmed, with none of the keys in them. Checks are limited per seller
//! (`CHECKS`), so the route cannot be used to hammer a provider with the seller's account.

use super::{retry_after, Keys, Provider, ProviderClients};
use crate::limiter::{Limiter, RateLimit};
use crate::store::seller_id::SellerId;
use crate::store::{Store, StoreError};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// How many checks one seller may ask for, on this instance: a person clicks "Check" after
/// pasting keys, a few times; more is a loop spending the seller's quota with the provider
/// (Russian Post's single access allows an account a hundred requests a day).
pub const CHECKS: RateLimit = RateLimit {
    per_minute: 10,
    burst: 10,
};

/// The longest a provider's message is passed on, in characters.
const MESSAGE_CHARS: usize = 200;

/// What the provider answered, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The provider took the keys.
    Accepted,
    /// The provider refused the keys (401 or 403, or its own word for it).
    Refused,
    /// The provider asks the account to slow down (429); `retry_after_s` says for how long if it said.
    Limited,
    /// No answer: the network failed or the provider took longer than the timeout.
    Unreachable,
    /// An answer that says nothing of the keys (another status); `status` names it.
    Unexpected,
    /// The seller saved no keys for this provider.
    NoKeys,
}

/// The answer of a check of the seller's saved keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeyCheck {
    /// The provider asked: `ozon`, `cdek`, `russian_post` or `seventeen_track`.
    pub provider: String,
    /// What it answered.
    pub answer: Verdict,
    /// The provider's own words, if it gave any (trimmed, at most 200 characters, never the keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// With `limited`: how many seconds the provider asked to wait, if it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
    /// With `unexpected`: the HTTP status the provider answered with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// What a provider answered a check, as its adapter read it; its message still untrimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// The keys were taken.
    Accepted,
    /// The keys were refused, with the provider's words if any.
    Refused(Option<String>),
    /// Slow down, for this long if it said.
    Limited(Option<Duration>),
    /// No answer in time.
    Unreachable,
    /// Another status, with the provider's words if any.
    Unexpected(u16, Option<String>),
}

/// One exchange with a provider: its status, `Retry-After` and body.
#[derive(Debug)]
pub struct Exchange {
    /// The answer's status.
    pub status: StatusCode,
    /// How long `Retry-After` asks to wait.
    pub retry_after: Option<Duration>,
    /// The answer's body, as text.
    pub body: String,
}

impl Exchange {
    /// Sends `request` and reads the whole answer; `Unreachable` when none came in time.
    ///
    /// # Errors
    /// `Answered::Unreachable` for a request that got no answer, or whose body did not arrive.
    pub async fn of(request: reqwest::RequestBuilder) -> Result<Exchange, Answered> {
        let sent = request.send().await.map_err(|error| {
            // Without the URL; the error says nothing of the keys, which travel in headers or bodies.
            tracing::info!(error = %error.without_url(), "a key check got no answer");
            Answered::Unreachable
        })?;
        let status = sent.status();
        let retry_after = retry_after(sent.headers());
        let body = read_capped(sent).await?;
        Ok(Exchange {
            status,
            retry_after,
            body,
        })
    }

    /// The answer by its status alone: 2xx accepted, 401 and 403 refused, 429 limited, any
    /// other unexpected; the message read from a JSON body as providers commonly give it.
    pub fn by_status(&self) -> Answered {
        match self.status {
            status if status.is_success() => Answered::Accepted,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Answered::Refused(json_message(&self.body))
            }
            StatusCode::TOO_MANY_REQUESTS => Answered::Limited(self.retry_after),
            status => Answered::Unexpected(status.as_u16(), json_message(&self.body)),
        }
    }
}

/// The most of an answer's body a check reads: an error body is a few hundred bytes, and
/// what is past this (a provider's or a proxy's page gone wrong) is never shown anyway.
const BODY_BYTES: usize = 64 * 1024;

/// The answer's body as text, its first `BODY_BYTES` only.
///
/// # Errors
/// `Answered::Unreachable` when the body stops arriving (the timeout, a cut connection).
async fn read_capped(mut answer: reqwest::Response) -> Result<String, Answered> {
    let mut bytes = Vec::new();
    while let Some(chunk) = answer.chunk().await.map_err(|_| Answered::Unreachable)? {
        let room = BODY_BYTES.saturating_sub(bytes.len());
        bytes.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        if bytes.len() >= BODY_BYTES {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The message of a JSON error body, where the providers put it: `message` (Ozon, 17TRACK's
/// `data.errors`, CDEK's `requests[].errors`), or OAuth's `error_description` and `error`.
pub fn json_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    [
        "/message",
        "/error_description",
        "/data/errors/0/message",
        "/errors/0/message",
        "/requests/0/errors/0/message",
        "/error",
    ]
    .into_iter()
    .find_map(|pointer| value.pointer(pointer)?.as_str().map(str::to_owned))
}

/// A provider's message as it may be shown: the keys cut out wherever they appear, control
/// characters and runs of spaces made one space, at most `MESSAGE_CHARS`; `None` if nothing is left.
pub fn tidy(message: &str, keys: &Keys) -> Option<String> {
    let mut text = message.to_owned();
    for secret in key_values(keys)
        .into_iter()
        .filter(|value| !value.is_empty())
    {
        text = text.replace(secret, "…");
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect();
    let joined = words.join(" ");
    let cut: String = joined.chars().take(MESSAGE_CHARS).collect();
    (!cut.is_empty()).then_some(cut)
}

/// Every value of the keys, to be kept out of what is shown.
fn key_values(keys: &Keys) -> Vec<&str> {
    match keys {
        Keys::Login { login, password } => vec![password, login],
        Keys::Client {
            client_id,
            client_secret,
        } => vec![client_secret, client_id],
        Keys::ApiKey { api_key } => vec![api_key],
    }
}

/// The providers' clients for checks, and each seller's allowance of them.
#[derive(Debug, Clone)]
pub struct KeyChecks {
    clients: ProviderClients,
    allowance: Limiter<SellerId>,
}

impl KeyChecks {
    /// Checks through `clients` (the poller's, so that checks keep the same pace per provider).
    pub fn new(clients: ProviderClients) -> KeyChecks {
        KeyChecks {
            clients,
            allowance: Limiter::new(CHECKS),
        }
    }

    /// Takes one of `seller`'s checks.
    ///
    /// # Errors
    /// How long until the seller may check again, once it has used up `CHECKS`.
    pub fn admit(&self, seller: SellerId) -> Result<(), Duration> {
        self.allowance.check(seller, Instant::now())
    }

    /// Asks `provider` with `keys` once.
    async fn ask(&self, provider: Provider, keys: &Keys) -> Answered {
        match (provider, keys) {
            (Provider::RussianPost, Keys::Login { login, password }) => {
                self.clients.russian_post.check(login, password).await
            }
            (
                Provider::Cdek,
                Keys::Client {
                    client_id,
                    client_secret,
                },
            ) => self.clients.cdek.check(client_id, client_secret).await,
            (Provider::SeventeenTrack, Keys::ApiKey { api_key }) => {
                self.clients.seventeen_track.check(api_key).await
            }
            (
                Provider::Ozon,
                Keys::Client {
                    client_id,
                    client_secret,
                },
            ) => {
                let credentials = crate::ozon::Credentials {
                    client_id: client_id.clone(),
                    api_key: client_secret.clone(),
                };
                match Exchange::of(self.clients.ozon.check_request(&credentials)).await {
                    // Ozon's list comes as `{"result": [...]}`; a 200 without it is not Ozon's.
                    Ok(exchange)
                        if exchange.status.is_success()
                            && serde_json::from_str::<serde_json::Value>(&exchange.body)
                                .ok()
                                .and_then(|body| body.get("result").cloned())
                                .is_none() =>
                    {
                        Answered::Unexpected(exchange.status.as_u16(), None)
                    }
                    Ok(exchange) => exchange.by_status(),
                    Err(answered) => answered,
                }
            }
            // Keys kept in another provider's shape cannot be this provider's.
            _ => Answered::Refused(None),
        }
    }

    /// Checks the keys `seller` saved for `provider`, and keeps what the answer says of them:
    /// refused is recorded for the attention queue, with the very words the poller records;
    /// accepted clears a refusal; the rest say nothing of the keys and change nothing.
    ///
    /// # Errors
    /// `StoreError` if the store fails.
    pub async fn check_saved(
        &self,
        store: &Store,
        seller: SellerId,
        provider: Provider,
    ) -> Result<KeyCheck, StoreError> {
        let keys = match provider {
            Provider::Ozon => {
                store
                    .ozon_credentials(seller)
                    .await?
                    .map(|credentials| Keys::Client {
                        client_id: credentials.client_id,
                        client_secret: credentials.api_key,
                    })
            }
            provider => store.source_keys(seller, provider).await?,
        };
        let mut check = KeyCheck {
            provider: provider.as_str().to_owned(),
            answer: Verdict::NoKeys,
            message: None,
            retry_after_s: None,
            status: None,
        };
        let Some(keys) = keys else {
            return Ok(check);
        };
        let answered = self.ask(provider, &keys).await;
        let words = |message: Option<String>| message.as_deref().and_then(|m| tidy(m, &keys));
        match answered {
            Answered::Accepted => {
                store.clear_key_refusal(seller, provider.as_str()).await?;
                check.answer = Verdict::Accepted;
            }
            Answered::Refused(message) => {
                let reason = match provider {
                    Provider::Ozon => crate::ozon::OzonError::Unauthorized.to_string(),
                    _ => super::ProviderError::Unauthorized.to_string(),
                };
                store
                    .record_key_refusal(seller, provider.as_str(), &reason, crate::store::now_ms())
                    .await?;
                check.answer = Verdict::Refused;
                check.message = words(message);
            }
            Answered::Limited(wait) => {
                check.answer = Verdict::Limited;
                check.retry_after_s = wait.map(|wait| wait.as_secs());
            }
            Answered::Unreachable => check.answer = Verdict::Unreachable,
            Answered::Unexpected(status, message) => {
                check.answer = Verdict::Unexpected;
                check.status = Some(status);
                check.message = words(message);
            }
        }
        tracing::info!(provider = provider.as_str(), answer = ?check.answer, "checked a seller's keys");
        Ok(check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_never_shows_the_keys_and_stays_short() {
        let keys = Keys::Client {
            client_id: "123456".into(),
            client_secret: "sekret-api-key".into(),
        };
        assert_eq!(
            tidy(
                "  Invalid Api-Key sekret-api-key\n for\tclient 123456 ",
                &keys
            )
            .as_deref(),
            Some("Invalid Api-Key … for client …")
        );
        assert_eq!(tidy(" \n ", &keys), None);
        assert_eq!(
            tidy(&"ж".repeat(5000), &keys).map(|m| m.chars().count()),
            Some(200)
        );
    }

    #[tokio::test]
    async fn a_huge_answer_is_read_no_further_than_its_first_64_kib() {
        let huge = axum::http::Response::new(vec![b'x'; 10 * 1024 * 1024]);
        let body = read_capped(reqwest::Response::from(huge)).await.unwrap();
        assert_eq!(body.len(), BODY_BYTES);
    }

    #[test]
    fn the_providers_messages_are_found_where_they_put_them() {
        for (body, message) in [
            (
                r#"{"code":16,"message":"Invalid Api-Key"}"#,
                "Invalid Api-Key",
            ),
            (
                r#"{"error":"invalid_client","error_description":"Bad credentials"}"#,
                "Bad credentials",
            ),
            (
                r#"{"code":-18010002,"data":{"errors":[{"code":-18010002,"message":"Access token is invalid."}]}}"#,
                "Access token is invalid.",
            ),
            (
                r#"{"requests":[{"errors":[{"code":"v2_unauthorized","message":"No access"}]}]}"#,
                "No access",
            ),
        ] {
            assert_eq!(json_message(body).as_deref(), Some(message), "{body}");
        }
        assert_eq!(json_message("<html>busy</html>"), None);
    }
}
