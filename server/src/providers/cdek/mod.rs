//! CDEK's integration API v2: a token for the seller's client credentials (`POST
//! /v2/oauth/token`, `grant_type=client_credentials`; kept until a minute before it expires,
//! taken anew once when refused), then the order by its waybill number (`GET
//! /v2/orders?cdek_number=`).
//!
//! Only `entity.statuses` (code, name, moment, city) and the request's errors are read: the
//! order's sender and recipient (names, phones, addresses), its packages and payments are never
//! parsed, let alone stored; the contract has no field for them.

pub mod mapping;

use super::check::{json_message, Answered, Exchange};
use super::{retry_after, Pace, ProviderError, Reading};
use reqwest::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;
use trackline_core::time::parse_rfc3339;
use trackline_core::Event;

/// CDEK's production API, without `/v2`.
pub const BASE_URL: &str = "https://api.cdek.ru";

/// A token is taken anew this long before CDEK says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// A token and when to stop using it.
#[derive(Debug, Clone)]
struct OAuthToken {
    value: String,
    until: Instant,
}

/// A client of the API at `base` (a local fake in tests), with each seller's current token.
#[derive(Debug, Clone)]
pub struct Cdek {
    base: String,
    client: reqwest::Client,
    /// Tokens by client id and secret: a secret changed by the seller never reuses the old one.
    tokens: Arc<Mutex<HashMap<(String, String), OAuthToken>>>,
    pace: Pace,
}

/// The token endpoint's answer.
#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// The order's answer: only what is read.
#[derive(Debug, Deserialize)]
struct OrderAnswer {
    #[serde(default)]
    entity: Option<Entity>,
    #[serde(default)]
    requests: Vec<RequestState>,
}

#[derive(Debug, Deserialize)]
struct Entity {
    #[serde(default)]
    statuses: Vec<CdekStatus>,
}

#[derive(Debug, Deserialize)]
struct CdekStatus {
    code: String,
    #[serde(default)]
    name: String,
    date_time: String,
    #[serde(default)]
    city: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RequestState {
    #[serde(default)]
    errors: Vec<Problem>,
}

#[derive(Debug, Deserialize)]
struct Problem {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

impl Cdek {
    /// A client of the API at `base`.
    pub fn new(base: &str) -> Cdek {
        Cdek {
            base: base.trim_end_matches('/').to_owned(),
            client: super::http_client(),
            tokens: Arc::default(),
            // Five requests a second from an instance at most.
            pace: Pace::every(Duration::from_millis(200)),
        }
    }

    /// The statuses of the order with the waybill `number`, in Russian.
    ///
    /// # Errors
    /// `ProviderError` saying whether the credentials were refused, the number unknown, the
    /// account limited, the API unavailable, or the answer unreadable.
    pub async fn track(
        &self,
        client_id: &str,
        client_secret: &str,
        number: &str,
    ) -> Result<Reading, ProviderError> {
        let key = (client_id.to_owned(), client_secret.to_owned());
        for fresh in [false, true] {
            let token = self.token(&key, fresh).await?;
            self.pace.turn().await;
            let sent = self
                .client
                .get(format!("{}/v2/orders", self.base))
                .query(&[("cdek_number", number)])
                .bearer_auth(&token)
                .send()
                .await
                .map_err(ProviderError::unreachable)?;
            let status = sent.status();
            if status == StatusCode::UNAUTHORIZED && !fresh {
                // Revoked or expired early: a new token, once.
                continue;
            }
            let wait = retry_after(sent.headers());
            let body = sent.text().await.map_err(ProviderError::unreachable)?;
            return read(status, wait, &body);
        }
        Err(ProviderError::Unauthorized)
    }

    /// A check of the seller's keys: the OAuth token request alone, the one call of CDEK's API
    /// v2 that needs nothing but the keys and reads nothing (CDEK's documentation, "Авторизация
    /// клиентов": `POST /v2/oauth/token`, `grant_type=client_credentials`). OAuth refuses unknown
    /// credentials with `invalid_client` (RFC 6749 5.2, a 401 or a 400) or `unauthorized_client`.
    pub async fn check(&self, client_id: &str, client_secret: &str) -> Answered {
        self.pace.turn().await;
        let request = self
            .client
            .post(format!("{}/v2/oauth/token", self.base))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", client_secret),
            ]);
        let exchange = match Exchange::of(request).await {
            Ok(exchange) => exchange,
            Err(answered) => return answered,
        };
        let oauth_error = serde_json::from_str::<serde_json::Value>(&exchange.body)
            .ok()
            .and_then(|body| body.get("error")?.as_str().map(str::to_owned));
        match (exchange.status, oauth_error.as_deref()) {
            (StatusCode::BAD_REQUEST, Some("invalid_client" | "unauthorized_client")) => {
                Answered::Refused(json_message(&exchange.body))
            }
            (status, _) if status.is_success() => {
                match serde_json::from_str::<TokenAnswer>(&exchange.body) {
                    Ok(_) => Answered::Accepted,
                    Err(_) => Answered::Unexpected(status.as_u16(), None),
                }
            }
            _ => exchange.by_status(),
        }
    }

    /// The seller's current token, taken from CDEK when there is none, it is about to
    /// expire, or `fresh` asks for a new one.
    async fn token(&self, key: &(String, String), fresh: bool) -> Result<String, ProviderError> {
        let now = Instant::now();
        if !fresh {
            let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(token) = tokens.get(key).filter(|token| token.until > now) {
                return Ok(token.value.clone());
            }
        }
        self.pace.turn().await;
        let sent = self
            .client
            .post(format!("{}/v2/oauth/token", self.base))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", key.0.as_str()),
                ("client_secret", key.1.as_str()),
            ])
            .send()
            .await
            .map_err(ProviderError::unreachable)?;
        let status = sent.status();
        let wait = retry_after(sent.headers());
        let body = sent.text().await.map_err(ProviderError::unreachable)?;
        match status {
            StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(ProviderError::Unauthorized)
            }
            StatusCode::TOO_MANY_REQUESTS => return Err(ProviderError::Limited(wait)),
            status if !status.is_success() => {
                return Err(ProviderError::Unavailable(format!("token: HTTP {status}")))
            }
            _ => {}
        }
        let answer: TokenAnswer = serde_json::from_str(&body)
            .map_err(|error| ProviderError::BadAnswer(format!("token: {error}")))?;
        let lasts = Duration::from_secs(answer.expires_in.unwrap_or(3600));
        let token = OAuthToken {
            value: answer.access_token,
            until: now + lasts.saturating_sub(TOKEN_MARGIN),
        };
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone(), token.clone());
        Ok(token.value)
    }
}

/// Reads the order's answer: its statuses, or the error it names.
///
/// # Errors
/// `Refused` for an order CDEK cannot find or a number it will not take, `Limited` for a 429,
/// `Unavailable` for a server error, `Unauthorized` for refused credentials, `BadAnswer` for
/// anything else.
fn read(status: StatusCode, wait: Option<Duration>, body: &str) -> Result<Reading, ProviderError> {
    match status {
        StatusCode::TOO_MANY_REQUESTS => return Err(ProviderError::Limited(wait)),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            return Err(ProviderError::Unauthorized)
        }
        status if status.is_server_error() => {
            return Err(ProviderError::Unavailable(format!("HTTP {status}")))
        }
        _ => {}
    }
    let answer: OrderAnswer = serde_json::from_str(body)
        .map_err(|error| ProviderError::BadAnswer(format!("HTTP {status}: {error}")))?;
    let problem = answer
        .requests
        .iter()
        .flat_map(|request| &request.errors)
        .next();
    let entity = match (answer.entity, problem) {
        (Some(entity), None) if status.is_success() => entity,
        (_, Some(problem)) => {
            return Err(ProviderError::Refused(format!(
                "{}: {}",
                problem.code, problem.message
            )))
        }
        _ => return Err(ProviderError::BadAnswer(format!("HTTP {status}, no order"))),
    };
    let operations = entity
        .statuses
        .into_iter()
        .filter_map(|status| {
            let at = offset_with_colon(&status.date_time);
            parse_rfc3339(&at)?;
            let meaning = mapping::map(&status.code);
            let text = if status.name.trim().is_empty() {
                status.code
            } else {
                status.name.trim().to_owned()
            };
            Some((
                Event {
                    at,
                    stage: meaning.as_ref().map(|(stage, _)| stage.clone()),
                    exception: meaning.as_ref().and_then(|(_, e)| e.clone()),
                    text,
                    text_lang: Some("ru".to_owned()),
                    location: status.city.filter(|city| !city.trim().is_empty()),
                },
                meaning,
            ))
        })
        .collect();
    Ok(Reading::of(operations))
}

/// CDEK writes offsets without a colon (`2026-11-20T10:15:00+0300`); RFC 3339 wants one.
fn offset_with_colon(stamp: &str) -> String {
    let bytes = stamp.as_bytes();
    let n = bytes.len();
    let bare_offset = n > 5
        && matches!(bytes[n - 5], b'+' | b'-')
        && bytes[n - 4..].iter().all(u8::is_ascii_digit)
        && bytes.get(n - 8) == Some(&b':');
    if bare_offset {
        format!("{}:{}", &stamp[..n - 2], &stamp[n - 2..])
    } else {
        stamp.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::Stage;

    /// An answer shaped as the documentation's example, with the recipient it carries.
    const ANSWER: &str = r#"{"entity":{"uuid":"72753031-1d3f-4b5c-8f0e-1d4e4b6a9c01","cdek_number":"1106207236",
      "recipient":{"name":"Петрова Анна","phones":[{"number":"+79001234567"}]},
      "to_location":{"address":"ул. Баумана, 12, кв. 5"},
      "statuses":[
        {"code":"ACCEPTED_AT_PICK_UP_POINT","name":"Принят на склад до востребования","date_time":"2026-11-22T09:15:00+0300","city":"Казань"},
        {"code":"SENT_TO_RECIPIENT_CITY","name":"Отправлен в г.-получатель","date_time":"2026-11-21T06:10:00+0300","city":"Москва"},
        {"code":"CREATED","name":"Создан","date_time":"2026-11-20T18:08:00+0300","city":"Москва"},
        {"code":"SOMETHING_NEW","name":"Что-то новое","date_time":"2026-11-22T10:00:00+0300"}]},
      "requests":[{"request_uuid":"1","type":"CREATE","state":"SUCCESSFUL","date_time":"2026-11-20T18:08:00+0300","errors":[]}]}"#;

    #[test]
    fn statuses_become_events_and_the_newest_that_says_one_is_the_status() {
        let reading = read(StatusCode::OK, None, ANSWER).unwrap();
        assert_eq!(reading.status, Some((Stage::ReadyForPickup, None)));
        assert_eq!(
            reading.updated_at.as_deref(),
            Some("2026-11-22T10:00:00+03:00")
        );
        assert_eq!(reading.events.len(), 4);
        assert_eq!(reading.events[0].text, "Создан");
        assert_eq!(reading.events[2].location.as_deref(), Some("Казань"));
        assert_eq!(
            reading.events[3].stage, None,
            "a code we do not map moves nothing"
        );
        let everything = format!("{reading:?}");
        assert!(!everything.contains("Петрова") && !everything.contains("+7900"));
    }

    #[test]
    fn errors_say_what_failed() {
        let missing = r#"{"requests":[{"state":"INVALID","errors":[{"code":"v2_entity_not_found","message":"Entity is not found"}]}]}"#;
        assert_eq!(
            read(StatusCode::BAD_REQUEST, None, missing),
            Err(ProviderError::Refused(
                "v2_entity_not_found: Entity is not found".into()
            ))
        );
        assert_eq!(
            read(
                StatusCode::TOO_MANY_REQUESTS,
                Some(Duration::from_secs(7)),
                ""
            ),
            Err(ProviderError::Limited(Some(Duration::from_secs(7))))
        );
        assert!(matches!(
            read(StatusCode::BAD_GATEWAY, None, "<html>"),
            Err(ProviderError::Unavailable(_))
        ));
        assert!(matches!(
            read(StatusCode::OK, None, "{}"),
            Err(ProviderError::BadAnswer(_))
        ));
        assert_eq!(
            read(StatusCode::UNAUTHORIZED, None, ""),
            Err(ProviderError::Unauthorized)
        );
    }

    #[test]
    fn offsets_get_their_colon_and_nothing_else_changes() {
        assert_eq!(
            offset_with_colon("2026-11-20T10:15:00+0300"),
            "2026-11-20T10:15:00+03:00"
        );
        assert_eq!(
            offset_with_colon("2026-11-20T10:15:00-0530"),
            "2026-11-20T10:15:00-05:30"
        );
        for same in [
            "2026-11-20T10:15:00+03:00",
            "2026-11-20T10:15:00Z",
            "+0300",
            "",
        ] {
            assert_eq!(offset_with_colon(same), same);
        }
    }
}
