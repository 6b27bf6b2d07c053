//! The public lookup as a service: find a number's shipments, apply their sellers' lookup
//! rules (allowed origins, a second factor for order numbers), and bring shipments pulled
//! from Ozon up to date. It knows no HTTP; `http::public` turns its result into an answer.

use crate::limiter::Limiter;
use crate::ozon::OzonClient;
use crate::store::lookup_rules::{second_factor_hash, LookupRules};
use crate::store::sellers::SellerId;
use crate::store::{Found, Store, StoreError};
use futures_util::future::join_all;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;
use thiserror::Error;
use tokio::time::Instant;
use trackline_core::second_factor::SecondFactor;
use trackline_core::{InputError, Shipment, TrackResponse, TrackingQuery, CONTRACT_VERSION};

/// How long a lookup waits for Ozon, for all its pulled postings together.
pub const OZON_REFRESH_DEADLINE: Duration = Duration::from_secs(3);

/// Why a lookup shows nothing.
#[derive(Debug, Error)]
pub enum LookupError {
    /// The text is not a number any shipment could have.
    #[error("not a tracking or order number: {0}")]
    InvalidNumber(#[from] InputError),
    /// No shipment has that number.
    #[error("no shipment has this number")]
    NotFound,
    /// A seller allows other storefront origins only.
    #[error("this shop's tracking is not available on this site")]
    OriginNotAllowed,
    /// The number is an order number of a seller who asks for a second factor, and none was given.
    #[error("this order needs {} to be shown", .0.as_str())]
    SecondFactorRequired(SecondFactor),
    /// The buyer's reply does not match.
    #[error("{} does not match this order", .0.as_str())]
    SecondFactorFailed(SecondFactor),
    /// This client gave too many wrong replies; it may try again after the wait.
    #[error("too many wrong answers from this address")]
    TooManyWrongReplies(Duration),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who asks, as far as the lookup rules care.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caller<'a> {
    /// The `Origin` of the page that asks, if a page does.
    pub origin: Option<&'a str>,
    /// The client's address, for the second-factor limiter.
    pub client: Option<IpAddr>,
    /// The buyer's reply to the second factor (`?check=`).
    pub reply: Option<&'a str>,
}

/// What the lookup found, and whether a seller's rules made it private to one buyer.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    /// Contract v1.
    pub response: TrackResponse,
    /// A seller of one of the shipments has lookup rules: the answer differs by caller.
    pub guarded: bool,
}

/// Looks `number` up for `caller`.
///
/// # Errors
/// `LookupError` saying why nothing can be shown.
pub async fn track(
    store: &Store,
    ozon: &OzonClient,
    second_factor_limiter: &Limiter,
    number: &str,
    caller: Caller<'_>,
) -> Result<Tracked, LookupError> {
    let query = TrackingQuery::parse(number)?;
    let mut found = store.find(&query).await?;
    if found.is_empty() {
        return Err(LookupError::NotFound);
    }
    let mut rules: HashMap<SellerId, LookupRules> = HashMap::new();
    for seller in found.iter().filter_map(|f| f.seller) {
        if let std::collections::hash_map::Entry::Vacant(entry) = rules.entry(seller) {
            entry.insert(store.lookup_rules(seller).await?);
        }
    }
    admit_origin(&found, &rules, caller.origin)?;
    admit_second_factor(&found, &rules, caller, second_factor_limiter)?;
    refresh_from_ozon(store, ozon, &mut found).await;
    Ok(Tracked {
        response: TrackResponse {
            version: CONTRACT_VERSION,
            query: Some(query.as_str().to_owned()),
            shipments: found.into_iter().map(|f| f.shipment).collect(),
        },
        guarded: !rules.is_empty(),
    })
}

/// Refuses a page whose origin a seller did not allow; requests without an origin are not from a page.
fn admit_origin(
    found: &[Found],
    rules: &HashMap<SellerId, LookupRules>,
    origin: Option<&str>,
) -> Result<(), LookupError> {
    let Some(origin) = origin else {
        return Ok(());
    };
    let refused = found
        .iter()
        .filter_map(|f| f.seller.and_then(|seller| rules.get(&seller)))
        .any(|rules| {
            !rules.allowed_origins.is_empty()
                && !rules
                    .allowed_origins
                    .iter()
                    .any(|allowed| allowed == origin)
        });
    if refused {
        Err(LookupError::OriginNotAllowed)
    } else {
        Ok(())
    }
}

/// Asks for the second factor when a guarded shipment was found by a guessable number,
/// and counts wrong replies against the caller's address.
fn admit_second_factor(
    found: &[Found],
    rules: &HashMap<SellerId, LookupRules>,
    caller: Caller<'_>,
    limiter: &Limiter,
) -> Result<(), LookupError> {
    for shipment in found.iter().filter(|f| !f.by_tracking_number) {
        let Some(factor) = shipment
            .seller
            .and_then(|seller| rules.get(&seller))
            .and_then(|rules| rules.second_factor)
        else {
            continue;
        };
        let Some(reply) = caller.reply.filter(|reply| !reply.trim().is_empty()) else {
            return Err(LookupError::SecondFactorRequired(factor));
        };
        let now = std::time::Instant::now();
        if let Some(client) = caller.client {
            limiter
                .peek(client, now)
                .map_err(LookupError::TooManyWrongReplies)?;
        }
        let given = second_factor_hash(shipment.id, factor, reply);
        // A shipment the seller gave no second factor for cannot be opened by order number at all.
        if given.is_none() || given.as_deref() != shipment.second_factor_hash(factor) {
            if let Some(client) = caller.client {
                let _ = limiter.check(client, now);
            }
            return Err(LookupError::SecondFactorFailed(factor));
        }
    }
    Ok(())
}

/// Brings shipments pulled from Ozon up to date, all at once and within one deadline (Ozon is
/// asked at most once a minute per posting, through the client's cache); a posting Ozon does
/// not answer for in time keeps its stored status.
async fn refresh_from_ozon(store: &Store, ozon: &OzonClient, found: &mut [Found]) {
    let deadline = Instant::now() + OZON_REFRESH_DEADLINE;
    let refreshes = found
        .iter_mut()
        .filter(|f| f.seller.is_some() && f.ozon_posting.is_some())
        .map(|shipment| async move {
            let posting = shipment.ozon_posting.clone().unwrap_or_default();
            if tokio::time::timeout_at(deadline, refresh_one(store, ozon, shipment))
                .await
                .is_err()
            {
                tracing::warn!(
                    posting,
                    "Ozon refresh took too long; showing the stored status"
                );
            }
        });
    join_all(refreshes).await;
}

async fn refresh_one(store: &Store, ozon: &OzonClient, found: &mut Found) {
    let (Some(seller), Some(posting)) = (found.seller, found.ozon_posting.clone()) else {
        return;
    };
    let Ok(Some(credentials)) = store.ozon_credentials(seller).await else {
        return;
    };
    let fresh = match ozon.posting(&credentials, &posting).await {
        Ok(fresh) => fresh,
        Err(error) => {
            tracing::warn!(%error, posting, "Ozon refresh failed; showing the stored status");
            return;
        }
    };
    let old = &found.shipment;
    let changed = fresh.stage != old.stage
        || fresh.exception != old.exception
        || fresh.updated_at != old.updated_at
        || fresh.tracking_number != old.tracking_number;
    if !changed {
        return;
    }
    if let Err(error) = store.refresh_shipment(found.id, &fresh).await {
        tracing::warn!(%error, posting, "could not keep the Ozon refresh");
    }
    // What the seller added and Ozon does not know stays.
    let old = &mut found.shipment;
    found.shipment = Shipment {
        support: old.support.take(),
        pickup_point: old.pickup_point.take(),
        estimated_delivery: old.estimated_delivery.take(),
        ..fresh
    };
}
