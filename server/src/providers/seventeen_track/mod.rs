//! 17TRACK's tracking API v2.2 (`https://api.17track.net/track/v2.2`), with the seller's key in
//! the `17token` header: `gettrackinfo` for a number, and `register` first for a number
//! 17TRACK does not follow yet (each registration spends the seller's quota once; from then on
//! 17TRACK follows it and tells this server of its changes through 17TRACK's webhook). Its
//! webhook calls (`TRACKING_UPDATED`) are signed with the same key: `sign` is the SHA-256 of
//! the body, a slash and the key (`verify_webhook`).
//!
//! Only the statuses and the events (moment, description, location, stage) are read; the
//! recipient's address and anything else in `shipping_info` is never parsed.

pub mod mapping;

use super::check::{json_message, Answered, Exchange};
use super::{retry_after, Pace, ProviderError, Reading};
use crate::store::sellers::sha256_hex;
use reqwest::StatusCode;
use serde::Deserialize;
use std::time::Duration;
use trackline_core::time::parse_rfc3339;
use trackline_core::Event;

/// 17TRACK's production API, without `/track/v2.2`.
pub const BASE_URL: &str = "https://api.17track.net";

/// The number is not registered: register it first.
const NOT_REGISTERED: i64 = -18_019_902;
/// The number is registered already.
const ALREADY_REGISTERED: i64 = -18_019_901;
/// No tracking information at this time.
const NO_INFORMATION_YET: i64 = -18_019_909;

/// A client of the API at `base` (a local fake in tests).
#[derive(Debug, Clone)]
pub struct SeventeenTrack {
    base: String,
    client: reqwest::Client,
    pace: Pace,
}

/// An answer of the API: a code for the request as a whole, and per number.
#[derive(Debug, Deserialize)]
struct Answer {
    code: i64,
    #[serde(default)]
    data: Option<Data>,
}

#[derive(Debug, Deserialize)]
struct Data {
    #[serde(default)]
    accepted: Vec<Accepted>,
    #[serde(default)]
    rejected: Vec<Rejected>,
    /// Request-level errors come here instead.
    #[serde(default)]
    errors: Vec<Problem>,
}

#[derive(Debug, Deserialize)]
struct Accepted {
    #[serde(default)]
    track_info: Option<TrackInfo>,
}

#[derive(Debug, Deserialize)]
struct Rejected {
    error: Problem,
}

#[derive(Debug, Deserialize)]
struct Problem {
    code: i64,
    #[serde(default)]
    message: String,
}

/// What 17TRACK knows of a parcel: only the parts read.
#[derive(Debug, Deserialize)]
pub struct TrackInfo {
    #[serde(default)]
    latest_status: Option<LatestStatus>,
    #[serde(default)]
    tracking: Option<Tracking>,
}

#[derive(Debug, Deserialize)]
struct LatestStatus {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    sub_status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Tracking {
    #[serde(default)]
    providers: Vec<ProviderEvents>,
}

#[derive(Debug, Deserialize)]
struct ProviderEvents {
    #[serde(default)]
    events: Vec<TrackEvent>,
}

#[derive(Debug, Deserialize)]
struct TrackEvent {
    #[serde(default)]
    time_iso: Option<String>,
    #[serde(default)]
    time_utc: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    sub_status: Option<String>,
}

/// A call of 17TRACK's webhook: what the body says.
#[derive(Debug, Deserialize)]
pub struct WebhookCall {
    /// `TRACKING_UPDATED`, or `TRACKING_STOPPED`.
    pub event: String,
    /// The number and what 17TRACK knows of it.
    pub data: WebhookData,
}

/// The parcel a webhook call is about.
#[derive(Debug, Deserialize)]
pub struct WebhookData {
    /// The tracking number.
    pub number: String,
    /// What 17TRACK knows of it (absent when tracking stopped).
    #[serde(default)]
    pub track_info: Option<TrackInfo>,
}

impl SeventeenTrack {
    /// A client of the API at `base`.
    pub fn new(base: &str) -> SeventeenTrack {
        SeventeenTrack {
            base: base.trim_end_matches('/').to_owned(),
            client: super::http_client(),
            // 17TRACK allows an account three requests a second; an instance keeps under it.
            pace: Pace::every(Duration::from_millis(350)),
        }
    }

    /// What 17TRACK knows of `number`; registers it first when 17TRACK does not follow it yet
    /// (then nothing is known until its first events).
    ///
    /// # Errors
    /// `ProviderError` saying whether the key was refused, the number refused, the account
    /// limited, the API unavailable, or the answer unreadable.
    pub async fn track(&self, api_key: &str, number: &str) -> Result<Reading, ProviderError> {
        let info = self.call(api_key, "gettrackinfo", number).await?;
        match info {
            Ok(accepted) => Ok(accepted
                .track_info
                .map(|info| info.reading())
                .unwrap_or_default()),
            Err(problem) if problem.code == NOT_REGISTERED => {
                match self.call(api_key, "register", number).await? {
                    Ok(_) => Ok(Reading::default()),
                    Err(problem) if problem.code == ALREADY_REGISTERED => Ok(Reading::default()),
                    Err(problem) => Err(refused(&problem)),
                }
            }
            Err(problem) if problem.code == NO_INFORMATION_YET => Ok(Reading::default()),
            Err(problem) => Err(refused(&problem)),
        }
    }

    /// A check of the seller's key: `getquota`, which 17TRACK's API v2.2 documents as the
    /// account's quota (total, used, left); it needs the key, reads nothing of any parcel and
    /// spends no quota, unlike `register` or `gettrackinfo`. 17TRACK refuses a key with a 401
    /// or with a request-level code in a 200 (-18010001 IP not allowed, -18010002 key invalid,
    /// -18010004 account disabled, -18010005 not authorised).
    pub async fn check(&self, api_key: &str) -> Answered {
        self.pace.turn().await;
        let request = self
            .client
            .post(format!("{}/track/v2.2/getquota", self.base))
            .header("17token", api_key)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        let exchange = match Exchange::of(request).await {
            Ok(exchange) => exchange,
            Err(answered) => return answered,
        };
        if !exchange.status.is_success() {
            return exchange.by_status();
        }
        let Ok(answer) = serde_json::from_str::<Answer>(&exchange.body) else {
            return Answered::Unexpected(exchange.status.as_u16(), None);
        };
        let code = answer
            .data
            .as_ref()
            .and_then(|data| data.errors.first())
            .map_or(answer.code, |problem| problem.code);
        match (answer.code, code) {
            (0, _) => Answered::Accepted,
            (_, -18_010_001 | -18_010_002 | -18_010_004 | -18_010_005) => {
                Answered::Refused(json_message(&exchange.body))
            }
            (_, -18_010_014) => Answered::Limited(exchange.retry_after),
            _ => Answered::Unexpected(exchange.status.as_u16(), json_message(&exchange.body)),
        }
    }

    /// Posts `[{"number": number}]` to `path`: the number's entry, accepted or rejected.
    async fn call(
        &self,
        api_key: &str,
        path: &str,
        number: &str,
    ) -> Result<Result<Accepted, Problem>, ProviderError> {
        self.pace.turn().await;
        let sent = self
            .client
            .post(format!("{}/track/v2.2/{path}", self.base))
            .header("17token", api_key)
            .json(&serde_json::json!([{ "number": number }]))
            .send()
            .await
            .map_err(ProviderError::unreachable)?;
        let status = sent.status();
        let wait = retry_after(sent.headers());
        let body = sent.text().await.map_err(ProviderError::unreachable)?;
        read(status, wait, &body)
    }
}

/// Reads an answer: the one number's entry, or the failure of the request as a whole.
fn read(
    status: StatusCode,
    wait: Option<Duration>,
    body: &str,
) -> Result<Result<Accepted, Problem>, ProviderError> {
    match status {
        StatusCode::UNAUTHORIZED => return Err(ProviderError::Unauthorized),
        StatusCode::TOO_MANY_REQUESTS => return Err(ProviderError::Limited(wait)),
        status if status.is_server_error() => {
            return Err(ProviderError::Unavailable(format!("HTTP {status}")))
        }
        status if !status.is_success() => {
            return Err(ProviderError::BadAnswer(format!("HTTP {status}")))
        }
        _ => {}
    }
    let answer: Answer =
        serde_json::from_str(body).map_err(|error| ProviderError::BadAnswer(error.to_string()))?;
    let mut data = answer.data.unwrap_or(Data {
        accepted: Vec::new(),
        rejected: Vec::new(),
        errors: Vec::new(),
    });
    let request_error = (answer.code != 0).then(|| {
        data.errors
            .first()
            .map_or(answer.code, |problem| problem.code)
    });
    if let Some(code) = request_error {
        return Err(match code {
            // IP not allowed, key invalid, account disabled, access not authorised.
            -18_010_001 | -18_010_002 | -18_010_004 | -18_010_005 => ProviderError::Unauthorized,
            // Too many requests; the day's requests or the quota used up.
            -18_010_014 | -18_019_907 | -18_019_908 => ProviderError::Limited(wait),
            -18_010_003 => ProviderError::Unavailable(format!("17TRACK {code}")),
            code => ProviderError::BadAnswer(format!("17TRACK {code}")),
        });
    }
    if let Some(rejected) = data.rejected.pop() {
        return Ok(Err(rejected.error));
    }
    data.accepted
        .pop()
        .map(Ok)
        .ok_or_else(|| ProviderError::BadAnswer("neither accepted nor rejected".into()))
}

fn refused(problem: &Problem) -> ProviderError {
    ProviderError::Refused(format!("{}: {}", problem.code, problem.message))
}

impl TrackInfo {
    /// Every event of every carrier on the way, and the status 17TRACK sums them up to.
    pub fn reading(self) -> Reading {
        let events = self
            .tracking
            .map(|tracking| tracking.providers)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|provider| provider.events)
            .filter_map(|event| {
                let at = event
                    .time_iso
                    .filter(|at| parse_rfc3339(at).is_some())
                    .or(event.time_utc.filter(|at| parse_rfc3339(at).is_some()))?;
                let meaning = event
                    .sub_status
                    .as_deref()
                    .and_then(mapping::map)
                    .or_else(|| event.stage.as_deref().and_then(mapping::map));
                let text = event.description.trim().to_owned();
                Some((
                    Event {
                        at,
                        stage: meaning.as_ref().map(|(stage, _)| stage.clone()),
                        exception: meaning.as_ref().and_then(|(_, e)| e.clone()),
                        text_lang: script_lang(&text).map(str::to_owned),
                        text,
                        location: event.location.filter(|place| !place.trim().is_empty()),
                    },
                    meaning,
                ))
            })
            .collect();
        let mut reading = Reading::of(events);
        let latest = self.latest_status.and_then(|latest| {
            latest
                .sub_status
                .as_deref()
                .and_then(mapping::map)
                .or_else(|| latest.status.as_deref().and_then(mapping::map))
        });
        if latest.is_some() {
            reading.status = latest;
        }
        reading
    }
}

/// The language a carrier's text is plainly in, by its script: Chinese, Russian, or unknown.
/// 17TRACK passes each carrier's words on as they are and does not say their language.
fn script_lang(text: &str) -> Option<&'static str> {
    let han = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let cyrillic = text.chars().any(|c| ('\u{0400}'..='\u{04ff}').contains(&c));
    match (han, cyrillic) {
        (true, false) => Some("zh"),
        (false, true) => Some("ru"),
        _ => None,
    }
}

/// Whether `sign` is 17TRACK's signature of `body` with `api_key`: the hex SHA-256 of the
/// body, a slash, and the key (compared in constant time).
pub fn verify_webhook(body: &[u8], api_key: &str, sign: &str) -> bool {
    let expected = sha256_hex(&[body, b"/", api_key.as_bytes()].concat());
    let given = sign.trim().to_ascii_lowercase();
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::Stage;

    /// A `gettrackinfo` answer shaped as the documentation's example: a Chinese leg and a
    /// Russian one, and the recipient's address that must not get through.
    pub const ANSWER: &str = r#"{"code":0,"data":{"accepted":[{"number":"LP00123456789012","carrier":190271,
      "track_info":{"shipping_info":{"recipient_address":{"country":"RU","city":"Казань","street":"ул. Баумана, 12, кв. 5"}},
      "latest_status":{"status":"AvailableForPickup","sub_status":"AvailableForPickup_Other"},
      "tracking":{"providers":[
        {"provider":{"key":190271,"name":"Cainiao"},"events":[
          {"time_iso":"2026-11-14T10:00:00+08:00","time_utc":"2026-11-14T02:00:00Z","description":"包裹已揽收","location":"深圳","stage":"PickedUp","sub_status":"InTransit_PickedUp"},
          {"time_iso":"2026-11-16T08:00:00+08:00","description":"离开出口互换局","location":"满洲里","stage":null,"sub_status":"InTransit_Departure"}]},
        {"provider":{"key":3013,"name":"Russian Post"},"events":[
          {"time_iso":"2026-11-22T09:15:00+03:00","description":"Прибыло в место вручения","location":"Казань 420000","sub_status":"AvailableForPickup_Other"},
          {"time_iso":"garbage","description":"never"}]}]}}}],"rejected":[]}}"#;

    #[test]
    fn every_legs_events_come_with_their_language_and_the_summed_up_status() {
        let Ok(Ok(accepted)) = read(StatusCode::OK, None, ANSWER) else {
            panic!("accepted");
        };
        let reading = accepted.track_info.unwrap().reading();
        assert_eq!(reading.status, Some((Stage::ReadyForPickup, None)));
        assert_eq!(
            reading.events.len(),
            3,
            "an event without a moment is left out"
        );
        assert_eq!(reading.events[0].text_lang.as_deref(), Some("zh"));
        assert_eq!(reading.events[0].stage, Some(Stage::HandedOver));
        assert_eq!(reading.events[2].text_lang.as_deref(), Some("ru"));
        assert_eq!(
            reading.updated_at.as_deref(),
            Some("2026-11-22T09:15:00+03:00")
        );
        assert!(!format!("{reading:?}").contains("Баумана"));
        assert_eq!(script_lang("Arrived at facility"), None);
    }

    #[test]
    fn request_and_number_errors_say_what_failed() {
        let request_error = |code: i64| {
            format!(r#"{{"code":{code},"data":{{"errors":[{{"code":{code},"message":"m"}}]}}}}"#)
        };
        assert_eq!(
            read(StatusCode::OK, None, &request_error(-18_010_002)).err(),
            Some(ProviderError::Unauthorized)
        );
        assert_eq!(
            read(StatusCode::OK, None, &request_error(-18_010_014)).err(),
            Some(ProviderError::Limited(None))
        );
        assert_eq!(
            read(
                StatusCode::TOO_MANY_REQUESTS,
                Some(Duration::from_secs(2)),
                ""
            )
            .err(),
            Some(ProviderError::Limited(Some(Duration::from_secs(2))))
        );
        assert_eq!(
            read(StatusCode::UNAUTHORIZED, None, "").err(),
            Some(ProviderError::Unauthorized)
        );
        let rejected = r#"{"code":0,"data":{"accepted":[],"rejected":[{"number":"X","error":{"code":-18019902,"message":"The tracking number 'X' does not register, please register first."}}]}}"#;
        let Ok(Err(problem)) = read(StatusCode::OK, None, rejected) else {
            panic!("rejected");
        };
        assert_eq!(problem.code, NOT_REGISTERED);
        assert!(matches!(
            read(StatusCode::OK, None, "nope"),
            Err(ProviderError::BadAnswer(_))
        ));
    }

    #[test]
    fn a_webhook_call_is_verified_with_the_sellers_key() {
        let body = br#"{"event":"TRACKING_UPDATED","data":{"number":"X"}}"#;
        // Worked out apart from the code: `printf '%s/key-1' "$body" | sha256sum`.
        let sign = "ea02b408c739d8bb553e271c5374ac0301193b20a1c44b24a157f30465d975ef";
        assert!(verify_webhook(body, "key-1", sign));
        assert!(verify_webhook(body, "key-1", &sign.to_ascii_uppercase()));
        assert!(!verify_webhook(body, "key-2", sign));
        assert!(!verify_webhook(b"{}", "key-1", sign));
        assert!(!verify_webhook(body, "key-1", ""));
    }
}
