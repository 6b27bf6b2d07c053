//! Where statuses come from besides the seller's own calls: carriers polled with the seller's
//! keys. One shape for all of them (`Keys`, `Reading`, `SourceError`), one adapter per
//! provider behind `Carriers::track`, and the poller that many instances share (`poller`).

pub mod cdek;
pub mod poller;
pub mod russian_post;
pub mod seventeen_track;

use serde::{Deserialize, Serialize};
use std::time::Duration;
use thiserror::Error;
use trackline_core::number::{recognise, Recognised, RUSSIAN_POST};
use trackline_core::place::city_level;
use trackline_core::{Event, Exception, Stage};

/// A provider a shipment can be polled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Russian Post's tracking service (single access, SOAP).
    RussianPost,
    /// CDEK's integration API v2 (OAuth client credentials).
    Cdek,
    /// 17TRACK's tracking API v2.2: thousands of carriers, Chinese cross-border legs included.
    SeventeenTrack,
    /// Ozon's Seller API, for postings the seller pulled (by posting number, with the keys
    /// given at `/api/v1/seller/ozon`).
    Ozon,
}

impl Provider {
    /// Every provider this build speaks to.
    pub const ALL: [Provider; 4] = [
        Provider::RussianPost,
        Provider::Cdek,
        Provider::SeventeenTrack,
        Provider::Ozon,
    ];

    /// The provider's name on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::RussianPost => "russian_post",
            Provider::Cdek => "cdek",
            Provider::SeventeenTrack => "seventeen_track",
            Provider::Ozon => "ozon",
        }
    }

    /// The provider a name names; `None` for any other text.
    pub fn from_wire(name: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|provider| provider.as_str() == name)
    }

    /// The providers that can track `number` (a tracking number in its normal form), the
    /// carrier's own first: its format names the carrier, and 17TRACK follows almost any.
    pub fn candidates(number: &str) -> Vec<Provider> {
        let own = match recognise(number) {
            Recognised::RussianPostDomestic {
                check_digit_ok: true,
            } => Some(Provider::RussianPost),
            Recognised::S10 {
                issuer: Some(issuer),
                check_digit_ok: true,
                ..
            } if issuer == RUSSIAN_POST => Some(Provider::RussianPost),
            // Ten digits in the tracking number's place: a CDEK waybill (as an order number
            // it could be anything, but the seller said it is the carrier's).
            Recognised::CdekOrSellerOrder => Some(Provider::Cdek),
            _ => None,
        };
        own.into_iter()
            .chain(std::iter::once(Provider::SeventeenTrack))
            .collect()
    }

    /// The least time between two polls with one seller's account, across all instances:
    /// what the provider allows an account, for the requests one poll may send (17TRACK: three
    /// a second, and a poll may register before it asks; CDEK: a token, then the order).
    pub fn poll_interval(self) -> Duration {
        match self {
            Provider::SeventeenTrack => Duration::from_millis(700),
            Provider::Cdek => Duration::from_millis(400),
            Provider::RussianPost | Provider::Ozon => Duration::from_millis(200),
        }
    }

    /// The names of the keys the provider's API asks for, in `Keys` on the wire.
    pub fn key_fields(self) -> &'static [&'static str] {
        match self {
            Provider::RussianPost => &["login", "password"],
            Provider::Cdek => &["client_id", "client_secret"],
            Provider::SeventeenTrack => &["api_key"],
            Provider::Ozon => &["client_id", "api_key"],
        }
    }
}

/// A seller's keys for a provider: what its API asks for. Written to the store (sealed) as
/// JSON with these field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Keys {
    /// A login and a password (Russian Post's tracking service, "Access settings").
    Login {
        /// The account's login.
        login: String,
        /// The account's password.
        password: String,
    },
    /// OAuth client credentials (CDEK: the integration's account and secure password); Ozon's
    /// `Client-Id` and `Api-Key` are kept in this shape too.
    Client {
        /// The client id (CDEK's "account").
        client_id: String,
        /// The client secret (CDEK's "secure password").
        client_secret: String,
    },
    /// One API key (17TRACK's security key, sent as `17token`; it also signs its webhook calls).
    ApiKey {
        /// The key.
        api_key: String,
    },
}

impl Keys {
    /// Whether these are the kind of keys `provider` asks for.
    pub fn fit(&self, provider: Provider) -> bool {
        matches!(
            (self, provider),
            (Keys::Login { .. }, Provider::RussianPost)
                | (Keys::Client { .. }, Provider::Cdek | Provider::Ozon)
                | (Keys::ApiKey { .. }, Provider::SeventeenTrack)
        )
    }
}

/// The status an operation means: a stage, and an exception riding on it.
pub type Meaning = (Stage, Option<Exception>);

/// What a provider says of a parcel: the status its newest operation means, and every
/// operation as an event. Never the sender's or the addressee's names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reading {
    /// The stage and exception of the newest operation that says one; `None` if none does.
    pub status: Option<(Stage, Option<Exception>)>,
    /// The provider's words for the newest operation.
    pub status_text: Option<String>,
    /// When the newest operation happened (RFC 3339).
    pub updated_at: Option<String>,
    /// Every operation, in the provider's words.
    pub events: Vec<Event>,
    /// The carrier's tracking number, when the provider gives one (Ozon, once a carrier has it).
    pub tracking_number: Option<String>,
}

impl Reading {
    /// The reading of `operations` (each with the status it means, if any): the newest that
    /// says a status gives it, the newest of all gives the words and the moment; places at a
    /// city's level (`place::city_level`: carriers name offices with their postcodes).
    pub fn of(mut operations: Vec<(Event, Option<Meaning>)>) -> Reading {
        for (event, _) in &mut operations {
            event.location = event.location.as_deref().and_then(city_level);
        }
        use trackline_core::time::parse_rfc3339;
        operations.sort_by_key(|(event, _)| parse_rfc3339(&event.at).unwrap_or(0));
        let newest = operations.last().map(|(event, _)| event);
        Reading {
            status: operations
                .iter()
                .rev()
                .find_map(|(_, status)| status.clone()),
            status_text: newest.map(|event| event.text.clone()),
            updated_at: newest.map(|event| event.at.clone()),
            events: operations.into_iter().map(|(event, _)| event).collect(),
            tracking_number: None,
        }
    }

    /// What a provider that answers in the contract's shape (Ozon's adapter) says, its places
    /// at a city's level.
    pub fn of_shipment(shipment: trackline_core::Shipment) -> Reading {
        Reading {
            status: Some((shipment.stage, shipment.exception)),
            status_text: shipment.status_text,
            updated_at: shipment.updated_at,
            events: shipment
                .events
                .into_iter()
                .map(|event| Event {
                    location: event.location.as_deref().and_then(city_level),
                    ..event
                })
                .collect(),
            tracking_number: shipment.tracking_number,
        }
    }
}

/// How asking a provider failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SourceError {
    /// The provider refused the seller's keys.
    #[error("the provider refused the seller's keys")]
    Unauthorized,
    /// The provider knows no parcel with this number (or refused the request for it).
    #[error("the provider cannot tell of this number: {0}")]
    Refused(String),
    /// The provider asks this account to slow down, for this long if it says.
    #[error("the provider limits this account's requests")]
    Limited(Option<Duration>),
    /// No answer, a timeout or a server error: worth trying again later.
    #[error("the provider is unavailable ({0})")]
    Unavailable(String),
    /// An answer that cannot be read.
    #[error("the provider sent an answer that cannot be read: {0}")]
    BadAnswer(String),
}

impl SourceError {
    /// The failure's name in metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            SourceError::Unauthorized => "unauthorized",
            SourceError::Refused(_) => "refused",
            SourceError::Limited(_) => "limited",
            SourceError::Unavailable(_) => "unavailable",
            SourceError::BadAnswer(_) => "bad_answer",
        }
    }

    /// The failure of a request that got no answer, or an answer's body that did not arrive.
    pub fn unreachable(error: reqwest::Error) -> SourceError {
        // Without the URL: it may carry the number, and logs need not.
        SourceError::Unavailable(error.without_url().to_string())
    }
}

impl From<crate::ozon::OzonError> for SourceError {
    fn from(error: crate::ozon::OzonError) -> SourceError {
        use crate::ozon::OzonError;
        match error {
            OzonError::NotFound => SourceError::Refused("Ozon has no such posting".into()),
            OzonError::Unauthorized => SourceError::Unauthorized,
            OzonError::Unavailable(why) => SourceError::Unavailable(why),
            OzonError::BadAnswer(why) => SourceError::BadAnswer(why),
        }
    }
}

/// How long a `Retry-After` header (in seconds) asks to wait, if it says.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// How long one request to a provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client every adapter asks its provider with: one timeout for all.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// The least time between two of this instance's requests to one provider, whichever task
/// sends them (the poll loop, a buyer's lookup): providers limit how fast an account may ask.
#[derive(Debug, Clone)]
pub struct Pace {
    interval: Duration,
    next: std::sync::Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
}

impl Pace {
    /// At most one request every `interval`.
    pub fn every(interval: Duration) -> Pace {
        Pace {
            interval,
            next: std::sync::Arc::default(),
        }
    }

    /// Waits for this request's turn, and takes it.
    pub async fn turn(&self) {
        let turn = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = tokio::time::Instant::now();
            let turn = next.map_or(now, |next| next.max(now));
            *next = Some(turn + self.interval);
            turn
        };
        tokio::time::sleep_until(turn).await;
    }
}

/// Where the providers are (local fakes in tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderUrls {
    /// Russian Post's tracking service.
    pub russian_post: String,
    /// CDEK's API, up to and without `/v2`.
    pub cdek: String,
    /// 17TRACK's API, up to and without `/track/v2.2`.
    pub seventeen_track: String,
}

impl Default for ProviderUrls {
    fn default() -> ProviderUrls {
        ProviderUrls {
            russian_post: russian_post::BASE_URL.to_owned(),
            cdek: cdek::BASE_URL.to_owned(),
            seventeen_track: seventeen_track::BASE_URL.to_owned(),
        }
    }
}

/// Every provider's client: one way to ask any of them about a number.
#[derive(Debug, Clone)]
pub struct Carriers {
    ozon: crate::ozon::OzonClient,
    russian_post: russian_post::RussianPost,
    cdek: cdek::Cdek,
    seventeen_track: seventeen_track::SeventeenTrack,
}

impl Carriers {
    /// Clients of the providers at `urls`, and Ozon's through `ozon` (its cache shared).
    pub fn new(urls: &ProviderUrls, ozon: crate::ozon::OzonClient) -> Carriers {
        Carriers {
            ozon,
            russian_post: russian_post::RussianPost::new(&urls.russian_post),
            cdek: cdek::Cdek::new(&urls.cdek),
            seventeen_track: seventeen_track::SeventeenTrack::new(&urls.seventeen_track),
        }
    }

    /// What `provider` says of `number`, asked with the seller's `keys`.
    ///
    /// # Errors
    /// `SourceError` saying how asking failed; `Unauthorized` for keys of another provider.
    pub async fn track(
        &self,
        provider: Provider,
        keys: &Keys,
        number: &str,
    ) -> Result<Reading, SourceError> {
        match (provider, keys) {
            (Provider::RussianPost, Keys::Login { login, password }) => {
                self.russian_post.track(login, password, number).await
            }
            (
                Provider::Cdek,
                Keys::Client {
                    client_id,
                    client_secret,
                },
            ) => self.cdek.track(client_id, client_secret, number).await,
            (Provider::SeventeenTrack, Keys::ApiKey { api_key }) => {
                self.seventeen_track.track(api_key, number).await
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
                self.ozon
                    .posting(&credentials, number)
                    .await
                    .map(Reading::of_shipment)
                    .map_err(SourceError::from)
            }
            _ => Err(SourceError::Unauthorized),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_names_its_carrier_first_and_17track_after() {
        assert_eq!(
            Provider::candidates("RA100000048RU"),
            [Provider::RussianPost, Provider::SeventeenTrack]
        );
        assert_eq!(
            Provider::candidates("1234567890"),
            [Provider::Cdek, Provider::SeventeenTrack]
        );
        assert_eq!(
            Provider::candidates("LP00123456789012"),
            [Provider::SeventeenTrack]
        );
        assert_eq!(
            Provider::candidates("RA100000049RU"),
            [Provider::SeventeenTrack],
            "a wrong check digit names no carrier"
        );
    }

    #[test]
    fn stored_keys_read_back_as_the_kind_they_were() {
        for keys in [
            Keys::Login {
                login: "l".into(),
                password: "p".into(),
            },
            Keys::Client {
                client_id: "c".into(),
                client_secret: "s".into(),
            },
            Keys::ApiKey {
                api_key: "k".into(),
            },
        ] {
            let json = serde_json::to_string(&keys).unwrap();
            assert_eq!(serde_json::from_str::<Keys>(&json).unwrap(), keys, "{json}");
        }
        assert!(Keys::ApiKey {
            api_key: "k".into()
        }
        .fit(Provider::SeventeenTrack));
        assert!(!Keys::ApiKey {
            api_key: "k".into()
        }
        .fit(Provider::Cdek));
    }
}
