//! The Ozon Seller API, pulled server-side with the seller's keys, which never reach a browser.
//!
//! A posting is asked for as FBS (`POST /v3/posting/fbs/get`) and, if Ozon does not know
//! it there, as FBO (`POST /v2/posting/fbo/get`). Answers are cached for a while, for the
//! same keys only, and 429 and 5xx answers are retried with exponential backoff and jitter,
//! honouring `Retry-After`. The base URL is configuration, so tests point it at a local fake.

pub mod mapping;
pub mod wire;

pub use crate::provider::Credentials;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use thiserror::Error;
use trackline_core::retry::{Backoff, Jitter};
use trackline_core::{Carrier, Event, Shipment, Stage};
use wire::{OzonErrorBody, Posting, PostingAnswer};

/// Ozon's production API.
pub const OZON_BASE_URL: &str = "https://api-seller.ozon.ru";

/// Keeps what Ozon's answer says of the seller's keys for its attention queue: refused (a 401
/// or 403) is recorded, any answer that got past the keys clears it; a failure that says
/// nothing of the keys (unavailable, timed out) changes nothing.
///
/// # Errors
/// `StoreError` if the store fails.
pub async fn keep_refusal(
    store: &crate::store::Store,
    seller: crate::store::seller_id::SellerId,
    failure: Option<&OzonError>,
) -> Result<(), crate::store::StoreError> {
    match failure {
        Some(error @ OzonError::Unauthorized) => {
            store
                .record_key_refusal(seller, "ozon", &error.to_string(), crate::store::now_ms())
                .await
        }
        None | Some(OzonError::NotFound) => store.clear_key_refusal(seller, "ozon").await,
        Some(_) => Ok(()),
    }
}

/// How a pull from Ozon failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OzonError {
    /// Ozon knows no posting with this number, as FBS or FBO.
    #[error("Ozon has no posting with this number")]
    NotFound,
    /// Ozon refused the seller's keys.
    #[error("Ozon refused the seller's Client-Id / Api-Key")]
    Unauthorized,
    /// Ozon kept answering 429 or 5xx (or nothing) after every retry.
    #[error("Ozon is unavailable ({0})")]
    Unavailable(String),
    /// Ozon answered something that is not a posting.
    #[error("Ozon sent an answer that cannot be read: {0}")]
    BadAnswer(String),
}

/// How often and how patiently a pull from Ozon is retried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PullRetries {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The first wait; each next one doubles, plus up to as much again of jitter.
    pub base: Duration,
    /// No single wait is longer, whatever `Retry-After` says.
    pub max_wait: Duration,
}

impl Default for PullRetries {
    fn default() -> Self {
        PullRetries {
            attempts: 4,
            base: Duration::from_millis(250),
            max_wait: Duration::from_secs(5),
        }
    }
}

/// A cached posting is found only with the very keys that pulled it: a digest of both keys
/// (never the raw `Api-Key`, so that a key printed in a debug dump reveals nothing) and the
/// posting number. Keyed by `Client-Id` alone, anyone who knew another seller's Client-Id
/// (it is no secret: it shows in Ozon's seller pages and URLs) got that seller's postings
/// from the cache with any Api-Key.
type CacheKey = ([u8; 32], String);

/// The digest that stands for a pair of keys in the cache; each part is length-prefixed so
/// that no two different pairs concatenate to the same bytes.
fn keys_digest(credentials: &Credentials) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for part in [&credentials.client_id, &credentials.api_key] {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part.as_bytes());
    }
    digest.finalize().into()
}

/// The client for Ozon's posting API, shared by every request.
#[derive(Debug, Clone)]
pub struct OzonClient {
    base_url: String,
    http: reqwest::Client,
    ttl: Duration,
    retries: PullRetries,
    cache: Arc<Mutex<HashMap<CacheKey, (Instant, Shipment)>>>,
}

impl OzonClient {
    /// A client for `base_url` whose answers are reused for `ttl`.
    pub fn new(base_url: &str, ttl: Duration, retries: PullRetries) -> OzonClient {
        OzonClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            ttl,
            retries,
            cache: Arc::default(),
        }
    }

    /// The request a check of the seller's keys sends: `POST /v1/warehouse/list` with an empty
    /// body, once and never from the cache. Among the Seller API's reads it is the cheapest that
    /// needs both keys: no parameters, a short list, and it is there for FBS and rFBS sellers
    /// alike (Ozon documents it under "Склады"; the Seller API's clients commonly call it to test
    /// keys). Ozon refuses keys with a 401 or a 403 and `{code, message}`.
    pub fn check_request(&self, credentials: &Credentials) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}/v1/warehouse/list", self.base_url))
            .header("Client-Id", &credentials.client_id)
            .header("Api-Key", &credentials.api_key)
            .json(&json!({}))
    }

    /// The posting as a contract shipment, from the cache while it is fresh.
    ///
    /// # Errors
    /// `OzonError` when Ozon does not know it, refuses the keys, stays unavailable or answers nonsense.
    pub async fn posting(
        &self,
        credentials: &Credentials,
        posting_number: &str,
    ) -> Result<Shipment, OzonError> {
        let key = (keys_digest(credentials), posting_number.to_owned());
        if let Some(shipment) = self.cached(&key) {
            crate::metrics::ozon_cache_hit();
            return Ok(shipment);
        }
        let fbs = json!({
            "posting_number": posting_number,
            "with": {"analytics_data": false, "barcodes": false, "financial_data": false, "translit": false}
        });
        let posting = match self.call(credentials, "/v3/posting/fbs/get", &fbs).await {
            Err(OzonError::NotFound) => {
                let fbo = json!({
                    "posting_number": posting_number,
                    "with": {"analytics_data": false, "financial_data": false}
                });
                self.call(credentials, "/v2/posting/fbo/get", &fbo).await?
            }
            other => other?,
        };
        let shipment = to_shipment(&posting);
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (Instant::now(), shipment.clone()));
        Ok(shipment)
    }

    fn cached(&self, key: &CacheKey) -> Option<Shipment> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|_, (at, _)| at.elapsed() < self.ttl);
        cache.get(key).map(|(_, shipment)| shipment.clone())
    }

    async fn call(
        &self,
        credentials: &Credentials,
        path: &'static str,
        body: &serde_json::Value,
    ) -> Result<Posting, OzonError> {
        let mut last = String::new();
        for attempt in 0..self.retries.attempts.max(1) {
            let sent = self
                .http
                .post(format!("{}{path}", self.base_url))
                .header("Client-Id", &credentials.client_id)
                .header("Api-Key", &credentials.api_key)
                .json(body)
                .send()
                .await;
            let retry_after = match sent {
                Err(error) => {
                    crate::metrics::ozon_call(path, "no_answer");
                    last = format!("no answer: {error}");
                    None
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let text = response.text().await.unwrap_or_default();
                    crate::metrics::ozon_call(path, ozon_result(status));
                    match status {
                        200 => {
                            return serde_json::from_str::<PostingAnswer>(&text)
                                .map(|answer| answer.result)
                                .map_err(|e| OzonError::BadAnswer(e.to_string()))
                        }
                        404 => return Err(OzonError::NotFound),
                        // Ozon answers some unknown postings with 400 and code 5 (NOT_FOUND).
                        400 if serde_json::from_str::<OzonErrorBody>(&text)
                            .is_ok_and(|e| e.code == 5) =>
                        {
                            return Err(OzonError::NotFound)
                        }
                        401 | 403 => return Err(OzonError::Unauthorized),
                        429 | 500..=599 => {
                            last = format!("HTTP {status}");
                            retry_after
                        }
                        other => return Err(OzonError::BadAnswer(format!("HTTP {other}"))),
                    }
                }
            };
            if attempt + 1 < self.retries.attempts {
                tokio::time::sleep(self.wait(attempt, retry_after)).await;
            }
        }
        Err(OzonError::Unavailable(last))
    }

    /// The wait before retry `attempt + 1`: Ozon's `Retry-After` if it gave one, else
    /// exponential with jitter so that many instances do not retry in step; capped.
    fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = Backoff {
            first_ms: millis(self.retries.base),
            factor: 2,
            cap_ms: millis(self.retries.max_wait),
            jitter: Jitter::Added,
        };
        retry_after
            .unwrap_or_else(|| {
                Duration::from_millis(
                    backoff.wait_ms(attempt.saturating_add(1), crate::jitter::random()),
                )
            })
            .min(self.retries.max_wait)
    }
}

/// `duration` in whole milliseconds, the unit of a `Backoff`.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The metrics' word for an Ozon answer's status.
fn ozon_result(status: u16) -> &'static str {
    match status {
        200 => "ok",
        400 | 404 => "not_found",
        401 | 403 => "refused",
        429 => "rate_limited",
        500..=599 => "server_error",
        _ => "unexpected",
    }
}

/// A posting as buyers see it: status, carrier and the dates Ozon gives, nothing about the buyer.
pub fn to_shipment(posting: &Posting) -> Shipment {
    let (stage, exception) = mapping::map(&posting.status, &posting.substatus);
    let started = posting
        .in_process_at
        .clone()
        .or_else(|| posting.created_at.clone());
    let mut events = Vec::new();
    let mut add = |at: &Option<String>, stage: Stage, text: &str| {
        if let Some(at) = at
            .as_ref()
            .filter(|at| trackline_core::time::parse_rfc3339(at).is_some())
        {
            events.push(Event {
                at: at.clone(),
                stage: Some(stage),
                exception: None,
                text: text.to_owned(),
                // These texts are ours, in English; the widget heads each with the stage in the buyer's words.
                text_lang: Some("en".to_owned()),
                location: None,
            });
        }
    };
    add(&started, Stage::Created, "Order accepted by Ozon");
    let handed_over = !matches!(stage, Stage::Created | Stage::Packed);
    if handed_over {
        add(
            &posting.shipment_date,
            Stage::HandedOver,
            "Handed over for delivery",
        );
    }
    add(&posting.delivering_date, Stage::InTransit, "On its way");
    let updated_at = events
        .iter()
        .max_by_key(|event| trackline_core::time::parse_rfc3339(&event.at))
        .map(|event| event.at.clone());
    let carrier = posting
        .delivery_method
        .as_ref()
        .map(|method| method.tpl_provider.trim())
        .filter(|name| !name.is_empty())
        .unwrap_or("Ozon");
    Shipment {
        order_number: Some(posting.order_number.clone()).filter(|n| !n.is_empty()),
        shipment_number: Some(posting.posting_number.clone()).filter(|n| !n.is_empty()),
        tracking_number: Some(posting.tracking_number.clone()).filter(|n| !n.trim().is_empty()),
        status_text: (!stage.is_known()).then(|| posting.status.clone()),
        stage,
        exception,
        updated_at,
        events,
        estimated_delivery: None,
        carrier: Some(Carrier {
            name: carrier.to_owned(),
            tracking_url: None,
            phone: None,
        }),
        pickup_point: None,
        support: None,
        stale_since: None,
    }
}
