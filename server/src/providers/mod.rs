//! The providers' clients: where statuses come from besides the seller's own calls, asked with
//! the seller's keys. One shape for all of them (`Keys`, `Reading`, `ProviderError`), one adapter per
//! provider behind `ProviderClients::track`, and the poller that many instances share (`poller`).

pub mod cdek;
pub mod check;
pub mod poller;
pub mod russian_post;
pub mod seventeen_track;

pub use crate::change::news::Reading;
pub use crate::provider::{Keys, Provider};

use std::time::Duration;
use thiserror::Error;

/// How asking a provider failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProviderError {
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

impl ProviderError {
    /// The failure's name in metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderError::Unauthorized => "unauthorized",
            ProviderError::Refused(_) => "refused",
            ProviderError::Limited(_) => "limited",
            ProviderError::Unavailable(_) => "unavailable",
            ProviderError::BadAnswer(_) => "bad_answer",
        }
    }

    /// The failure of a request that got no answer, or an answer's body that did not arrive.
    pub fn unreachable(error: reqwest::Error) -> ProviderError {
        // Without the URL: it may carry the number, and logs need not.
        ProviderError::Unavailable(error.without_url().to_string())
    }
}

impl From<crate::ozon::OzonError> for ProviderError {
    fn from(error: crate::ozon::OzonError) -> ProviderError {
        use crate::ozon::OzonError;
        match error {
            OzonError::NotFound => ProviderError::Refused("Ozon has no such posting".into()),
            OzonError::Unauthorized => ProviderError::Unauthorized,
            OzonError::Unavailable(why) => ProviderError::Unavailable(why),
            OzonError::BadAnswer(why) => ProviderError::BadAnswer(why),
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
pub struct ProviderClients {
    ozon: crate::ozon::OzonClient,
    russian_post: russian_post::RussianPost,
    cdek: cdek::Cdek,
    seventeen_track: seventeen_track::SeventeenTrack,
}

impl ProviderClients {
    /// Clients of the providers at `urls`, and Ozon's through `ozon` (its cache shared).
    pub fn new(urls: &ProviderUrls, ozon: crate::ozon::OzonClient) -> ProviderClients {
        ProviderClients {
            ozon,
            russian_post: russian_post::RussianPost::new(&urls.russian_post),
            cdek: cdek::Cdek::new(&urls.cdek),
            seventeen_track: seventeen_track::SeventeenTrack::new(&urls.seventeen_track),
        }
    }

    /// What `provider` says of `number`, asked with the seller's `keys`.
    ///
    /// # Errors
    /// `ProviderError` saying how asking failed; `Unauthorized` for keys of another provider.
    pub async fn track(
        &self,
        provider: Provider,
        keys: &Keys,
        number: &str,
    ) -> Result<Reading, ProviderError> {
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
                    .map_err(ProviderError::from)
            }
            _ => Err(ProviderError::Unauthorized),
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
