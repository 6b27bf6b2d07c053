//! The lookup cache: the public lookup's responses, written once and kept in this instance's
//! memory, so that a repeated lookup is answered without the store while nothing it was read
//! from has changed.
//!
//! A response is cached with the versions of its seller and of the set of sellers it was read under
//! (`store::changes`), which every write bumps, in this instance and, through PostgreSQL's
//! `NOTIFY`, in every other: a cached response is never served after a write it does not show.
//! What differs by buyer is not cached: a response a second factor opened is read afresh each
//! time, and the origin rule is applied to a cached response at every request. A response with
//! a pickup withheld (found by tracking number for a guarded seller) is the same for every caller
//! without a reply, and cached for them; a caller with a reply for such a seller is never answered
//! from the cache, so that the reply is evaluated (and counted when wrong) and never gets the
//! withheld answer, and what it opens is never cached. Writes made around every instance (an
//! operator's SQL, `add-seller` on a SQLite file a server has open) are seen when an entry
//! expires, `TIME_TO_LIVE` after it was read.

use crate::lookup::{self, Caller, LookupError, Refreshers};
use crate::store::lookup_rules::LookupRules;
use crate::store::sellers::{sha256_hex, SellerId};
use crate::store::versions::Version;
use crate::store::Store;
use axum::body::Bytes;
use moka::sync::Cache;
use std::sync::Arc;
use std::time::Duration;
use trackline_core::{TrackResponse, TrackingQuery};

/// How long a response is cached at most, for writes no instance announced.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(10);

/// How many bytes of responses one instance caches at most; the least used go first.
pub const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

/// A lookup's response, written once: contract v1 as JSON, with its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenResponse {
    /// The JSON.
    pub body: Bytes,
    /// A weak tag of the body, for `ETag`.
    pub etag: String,
    /// The seller has lookup rules (allowed origins, a second factor): the response differs by
    /// caller and must not be shared between buyers by a CDN.
    pub guarded: bool,
}

impl WrittenResponse {
    /// Writes a lookup's response.
    ///
    /// # Errors
    /// `Unwritable` if it cannot be serialised.
    pub fn of(
        response: &TrackResponse,
        rules: &LookupRules,
    ) -> Result<WrittenResponse, LookupError> {
        let body = serde_json::to_vec(response).map_err(LookupError::Unwritable)?;
        // Weak, because the compression layer may re-encode the same answer.
        let etag = format!("W/\"{}\"", &sha256_hex(&body)[..32]);
        Ok(WrittenResponse {
            body: Bytes::from(body),
            etag,
            guarded: *rules != LookupRules::default(),
        })
    }
}

/// Which seller a lookup asks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SellerRef {
    /// The seller whose handle is in the path.
    Handle(String),
    /// The server's default seller: the one configured, else its only one.
    Default,
}

impl SellerRef {
    /// The handle asked for, if the path named one.
    pub fn handle(&self) -> Option<&str> {
        match self {
            SellerRef::Handle(handle) => Some(handle),
            SellerRef::Default => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    seller: SellerRef,
    /// The number as the lookup normalised it.
    number: String,
}

#[derive(Debug)]
struct CachedLookup {
    seller: SellerId,
    version: Version,
    outcome: Outcome,
}

#[derive(Debug)]
enum Outcome {
    Found {
        response: Arc<WrittenResponse>,
        rules: LookupRules,
    },
    NotFound,
}

/// This instance's lookup cache.
#[derive(Clone)]
pub struct LookupCache {
    entries: Cache<Key, Arc<CachedLookup>>,
    /// Which seller a path means, with the versions it was read under: a number that cannot
    /// exist is counted for its seller without asking the store each time.
    sellers: Cache<SellerRef, (SellerId, Version)>,
}

/// Sellers whose handle the cache remembers at most.
const SELLERS_KEPT: u64 = 10_000;

/// A lookup's answer, with the seller it was for when that was found: whom its outcome counts for.
#[derive(Debug)]
pub struct Looked {
    /// The seller asked, unless no seller has the handle (or the store failed before it was found).
    pub seller: Option<SellerId>,
    /// The response, or why there is none.
    pub answer: Result<Arc<WrittenResponse>, LookupError>,
}

impl std::fmt::Debug for LookupCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupCache")
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

impl Default for LookupCache {
    fn default() -> LookupCache {
        LookupCache::new(CAPACITY_BYTES, TIME_TO_LIVE)
    }
}

impl LookupCache {
    /// Caches up to `capacity_bytes` of responses, each at most `time_to_live`.
    pub fn new(capacity_bytes: u64, time_to_live: Duration) -> LookupCache {
        LookupCache {
            entries: Cache::builder()
                .max_capacity(capacity_bytes)
                .weigher(|key: &Key, entry: &Arc<CachedLookup>| {
                    let body = match &entry.outcome {
                        Outcome::Found { response, .. } => {
                            response.body.len() + response.etag.len()
                        }
                        Outcome::NotFound => 0,
                    };
                    u32::try_from(key.number.len() + body + 64).unwrap_or(u32::MAX)
                })
                .time_to_live(time_to_live)
                .build(),
            sellers: Cache::builder()
                .max_capacity(SELLERS_KEPT)
                .time_to_live(time_to_live)
                .build(),
        }
    }

    /// The seller `seller` means, remembered while current, else read from the store (and remembered).
    ///
    /// # Errors
    /// As `lookup::find_seller`.
    pub async fn seller(
        &self,
        store: &Store,
        default_seller: Option<&str>,
        seller: &SellerRef,
    ) -> Result<SellerId, LookupError> {
        let changes = store.changes();
        if let Some((id, version)) = self.sellers.get(seller) {
            if changes.is_current(version, id) {
                return Ok(id);
            }
        }
        let epoch = changes.epoch();
        let id = lookup::find_seller(store, seller.handle(), default_seller).await?;
        self.remember_seller(seller, id, changes.version(epoch, id));
        Ok(id)
    }

    fn remember_seller(&self, seller: &SellerRef, id: SellerId, version: Option<Version>) {
        if let Some(version) = version {
            self.sellers.insert(seller.clone(), (id, version));
        }
    }

    /// The response to `number` among `seller`'s shipments for `caller`: a cached one while it is current, else
    /// read from the store (brought up to date from Ozon or the carrier), and cached when it is the same for every buyer.
    ///
    /// # Errors
    /// `LookupError` saying why nothing can be shown.
    pub async fn lookup(
        &self,
        store: &Store,
        refreshers: Refreshers<'_>,
        default_seller: Option<&str>,
        seller: SellerRef,
        number: &str,
        caller: Caller<'_>,
    ) -> Result<Arc<WrittenResponse>, LookupError> {
        self.look_up(store, refreshers, default_seller, seller, number, caller)
            .await
            .answer
    }

    /// As [`LookupCache::lookup`], with the seller the answer is for: known from the cached
    /// entry, or from finding the seller for the store, so that counting it costs no query
    /// (a number that cannot exist asks for the seller once, then it is remembered).
    pub async fn look_up(
        &self,
        store: &Store,
        refreshers: Refreshers<'_>,
        default_seller: Option<&str>,
        seller: SellerRef,
        number: &str,
        caller: Caller<'_>,
    ) -> Looked {
        let query = match TrackingQuery::parse(number) {
            Ok(query) => query,
            Err(error) => {
                return Looked {
                    seller: self.seller(store, default_seller, &seller).await.ok(),
                    answer: Err(error.into()),
                }
            }
        };
        let mut found = None;
        let answer = self
            .answer(
                store,
                refreshers,
                default_seller,
                seller,
                query,
                caller,
                &mut found,
            )
            .await;
        Looked {
            seller: found,
            answer,
        }
    }

    #[allow(clippy::too_many_arguments)] // `look_up`'s, with where the seller found goes.
    async fn answer(
        &self,
        store: &Store,
        refreshers: Refreshers<'_>,
        default_seller: Option<&str>,
        seller: SellerRef,
        query: TrackingQuery,
        caller: Caller<'_>,
        found: &mut Option<SellerId>,
    ) -> Result<Arc<WrittenResponse>, LookupError> {
        let key = Key {
            seller,
            number: query.as_str().to_owned(),
        };
        let changes = store.changes();
        let replied = caller.reply.is_some_and(|reply| !reply.trim().is_empty());
        if let Some(entry) = self.entries.get(&key) {
            if changes.is_current(entry.version, entry.seller) {
                *found = Some(entry.seller);
                match &entry.outcome {
                    // A reply to a seller that asks for one is the lookup's to evaluate.
                    Outcome::Found { rules, .. } if replied && rules.second_factor.is_some() => {}
                    Outcome::Found { response, rules } => {
                        crate::metrics::lookup_cache(true);
                        lookup::admit_origin(rules, caller.origin)?;
                        return Ok(response.clone());
                    }
                    Outcome::NotFound => {
                        crate::metrics::lookup_cache(true);
                        return Err(LookupError::NotFound);
                    }
                }
            }
        }
        crate::metrics::lookup_cache(false);
        // Read before the seller is decided, so that a seller added meanwhile outdates this entry.
        let epoch = changes.epoch();
        let seller = lookup::find_seller(store, key.seller.handle(), default_seller).await?;
        *found = Some(seller);
        // Read before the seller's rows are, so that a write meanwhile outdates this entry.
        let version = changes.version(epoch, seller);
        self.remember_seller(&key.seller, seller, version);
        let cache = |outcome| {
            if let Some(version) = version {
                let entry = CachedLookup {
                    seller,
                    version,
                    outcome,
                };
                self.entries.insert(key.clone(), Arc::new(entry));
            }
        };
        match lookup::track(store, refreshers, seller, query.as_str(), caller).await {
            Ok(tracked) => {
                let response = Arc::new(WrittenResponse::of(&tracked.response, &tracked.rules)?);
                if !tracked.checked {
                    cache(Outcome::Found {
                        response: response.clone(),
                        rules: tracked.rules,
                    });
                }
                Ok(response)
            }
            Err(LookupError::NotFound) => {
                cache(Outcome::NotFound);
                Err(LookupError::NotFound)
            }
            Err(other) => Err(other),
        }
    }
}
