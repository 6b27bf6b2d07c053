//! The public lookup as a service: find which seller is asked, find the number's shipments in
//! that seller only, apply the seller's lookup rules (allowed origins, a second factor for order
//! numbers, and for a pickup's code and point when found by tracking number), bring shipments
//! pulled from Ozon or polled from a carrier up to date, and say which have gone quiet for
//! longer than their stage usually takes. It knows no HTTP; `http::public` turns its result
//! into a response.

use crate::change::news::{fold, News};
use crate::ozon::OzonClient;
use crate::providers::poller::Poller;
use crate::store::lockouts::{Counted, Tally};
use crate::store::lookup_rules::{second_factor_matches, LookupRules};
use crate::store::sellers::SellerId;
use crate::store::{Found, Store, StoreError};
use futures_util::future::join_all;
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;
use thiserror::Error;
use tokio::time::Instant;
use trackline_core::freshness::stale_since;
use trackline_core::second_factor::SecondFactor;
use trackline_core::time::format_rfc3339;
use trackline_core::{
    InputError, PickupPoint, Shipment, TrackResponse, TrackingQuery, CONTRACT_VERSION,
};

/// How long a lookup waits for Ozon and carriers, for all its shipments together.
pub const REFRESH_DEADLINE: Duration = Duration::from_secs(3);

/// What brings found shipments up to date before they are shown: Ozon for pulled postings,
/// the poller for shipments polled from a carrier.
#[derive(Debug, Clone, Copy)]
pub struct Refreshers<'a> {
    /// The Ozon Seller API client.
    pub ozon: &'a OzonClient,
    /// The carriers' poller.
    pub poller: &'a Poller,
}

/// Why a lookup shows nothing.
#[derive(Debug, Error)]
pub enum LookupError {
    /// No seller has the handle asked for.
    #[error("no shop has this handle")]
    UnknownSeller,
    /// The short path was asked on a server with several sellers and no default one.
    #[error("this server has several shops: ask /api/v1/shops/{{shop}}/track/{{number}}")]
    SellerRequired,
    /// The text is not a number any shipment could have.
    #[error("not a tracking or order number: {0}")]
    InvalidNumber(#[from] InputError),
    /// No shipment has that number.
    #[error("no shipment has this number")]
    NotFound,
    /// The seller allows other storefront origins only.
    #[error("this shop's tracking is not available on this site")]
    OriginNotAllowed,
    /// The number is an order number of a seller that asks for a second factor, and none was given.
    #[error("this order needs {} to be shown", .0.as_str())]
    SecondFactorRequired(SecondFactor),
    /// The buyer's reply does not match.
    #[error("{} does not match this order", .0.as_str())]
    SecondFactorFailed(SecondFactor),
    /// Too many wrong replies came from this client's address, or for this order from any
    /// address; asked again after the wait.
    #[error("too many wrong answers {}", .1.as_str())]
    TooManyWrongReplies(Duration, Guessed),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The answer could not be written as JSON.
    #[error("the answer could not be written: {0}")]
    Unwritable(serde_json::Error),
}

/// What too many wrong replies were counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guessed {
    /// The client's address, for this seller.
    Address,
    /// The order (a shipment the number found), from any address.
    Order,
}

impl Guessed {
    /// The words that end "too many wrong answers …".
    pub fn as_str(self) -> &'static str {
        match self {
            Guessed::Address => "from this address",
            Guessed::Order => "for this order",
        }
    }
}

/// Where a browser says a request comes from (`Sec-Fetch-Site`): whether a wrong reply in it
/// may be counted against the client's address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Site<'a> {
    /// Not another site's: `same-origin`, `same-site`, `none` (typed by the buyer), or no
    /// `Sec-Fetch-Site` at all (a client that is not a browser).
    #[default]
    Own,
    /// Another site's page (an `<img>`, a form, a script there), with the `Origin` it sent, if any.
    Cross(Option<&'a str>),
}

/// Who asks, as far as the lookup rules care.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caller<'a> {
    /// The `Origin` of the page that asks, if a page does.
    pub origin: Option<&'a str>,
    /// The client's address, for the second-factor limiter.
    pub client: Option<IpAddr>,
    /// Which site's page sent the request, as the browser says.
    pub site: Site<'a>,
    /// The buyer's reply to the second factor (the `Trackline-Check` header, or the hosted page's form).
    pub reply: Option<&'a str>,
}

/// What the lookup found, with the rules it was shown under.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    /// Contract v1.
    pub response: TrackResponse,
    /// The seller's lookup rules, which admitted the caller.
    pub rules: LookupRules,
    /// A second factor was asked of this caller and given: the answer is this buyer's alone.
    pub checked: bool,
}

/// The seller a lookup is for: the handle in the scoped path, else the server's default seller
/// (the one configured, else the only one).
///
/// # Errors
/// `UnknownSeller` for a handle no seller has, `SellerRequired` for the short path on a server with
/// several sellers and no default, `Store` if the store fails.
pub async fn find_seller(
    store: &Store,
    handle: Option<&str>,
    default: Option<&str>,
) -> Result<SellerId, LookupError> {
    match handle.or(default) {
        Some(handle) => store
            .seller_by_handle(handle)
            .await?
            .ok_or(LookupError::UnknownSeller),
        None => store
            .only_seller()
            .await?
            .ok_or(LookupError::SellerRequired),
    }
}

/// Looks `number` up among `seller`'s shipments for `caller`.
///
/// # Errors
/// `LookupError` saying why nothing can be shown.
pub async fn track(
    store: &Store,
    refreshers: Refreshers<'_>,
    seller: SellerId,
    number: &str,
    caller: Caller<'_>,
) -> Result<Tracked, LookupError> {
    let Admitted {
        query,
        mut found,
        rules,
        checked,
        shown,
    } = admit(store, seller, number, caller).await?;
    let deadline = Instant::now() + REFRESH_DEADLINE;
    let (from_ozon, from_carriers): (Vec<&mut Found>, Vec<&mut Found>) = found
        .iter_mut()
        .filter(|f| f.ozon_posting.is_some() || f.provider.is_some())
        .partition(|f| f.ozon_posting.is_some());
    tokio::join!(
        refresh_from_ozon(store, refreshers.ozon, seller, from_ozon, deadline),
        refresh_from_carriers(store, refreshers.poller, from_carriers, deadline),
    );
    let now = crate::store::now_ms();
    // After the refresh, which may bring a pickup point the stored shipment did not have.
    let shipments = found
        .into_iter()
        .zip(shown)
        .map(|(f, shown)| Shipment {
            stale_since: stale_since(&f.shipment, now).map(format_rfc3339),
            // Where neither the seller nor its provider gave one, the learnt window, as of today.
            estimated_delivery: f.shipment.estimated_delivery.or_else(|| {
                f.learnt
                    .map(|window| crate::learnt::clamp(window, crate::learnt::day_of(now)))
            }),
            pickup_point: shown.pickup_point(f.shipment.pickup_point),
            ..f.shipment
        })
        .collect();
    Ok(Tracked {
        response: TrackResponse {
            version: CONTRACT_VERSION,
            query: Some(query.as_str().to_owned()),
            shipments,
        },
        rules,
        checked,
    })
}

/// The shipments a number finds among a seller's shipments that a caller was admitted to, as stored.
#[derive(Debug)]
pub struct Admitted {
    /// The number, in its normal form.
    pub query: TrackingQuery,
    /// What it found.
    pub found: Vec<Found>,
    /// The seller's lookup rules.
    pub rules: LookupRules,
    /// A second factor was asked of this caller and given.
    pub checked: bool,
    /// What this caller may see of each shipment in `found`, in its order.
    pub shown: Vec<Shown>,
}

/// What a caller may see of one shipment found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// All of it.
    Whole,
    /// All but where its pickup point is and the code that releases the parcel there: it was
    /// found by tracking number for a seller with a second factor, without the right reply. The
    /// factor whose reply opens them, if the seller gave one for this shipment.
    WithoutPickup(Option<SecondFactor>),
}

impl Shown {
    /// The pickup point as this caller may see it.
    pub fn pickup_point(self, point: Option<PickupPoint>) -> Option<PickupPoint> {
        match self {
            Shown::WithoutPickup(factor) => point.map(|point| {
                if point.says_where_or_how() {
                    point.withholding(factor.map(SecondFactor::as_str))
                } else {
                    point
                }
            }),
            // A note of what was left out is the lookup's to write, never a seller's.
            Shown::Whole => point.map(|point| PickupPoint {
                withheld: None,
                ..point
            }),
        }
    }
}

/// Finds `number` among `seller`'s shipments and admits `caller` as the lookup does (origin, second factor),
/// without bringing anything up to date: what a lookup, and a subscription to its changes, may see.
///
/// # Errors
/// `LookupError` saying why nothing can be shown.
pub async fn admit(
    store: &Store,
    seller: SellerId,
    number: &str,
    caller: Caller<'_>,
) -> Result<Admitted, LookupError> {
    let query = TrackingQuery::parse(number)?;
    let found = store.find(seller, &query).await?;
    if found.is_empty() {
        return Err(LookupError::NotFound);
    }
    let rules = store.lookup_rules(seller).await?;
    admit_origin(&rules, caller.origin)?;
    let (checked, shown) = admit_second_factor(store, &found, &rules, seller, caller).await?;
    Ok(Admitted {
        query,
        found,
        rules,
        checked,
        shown,
    })
}

/// Refuses a page whose origin the seller did not allow; requests without an origin are not from a page.
///
/// # Errors
/// `OriginNotAllowed` when the seller allows other origins only.
pub fn admit_origin(rules: &LookupRules, origin: Option<&str>) -> Result<(), LookupError> {
    let refused = origin.is_some_and(|origin| {
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

/// Wrong replies one client address may give for a seller in `ADDRESS_WINDOW`: a buyer who
/// mistypes a few times is not stopped, a guesser gets ten tries every ten minutes.
pub const ADDRESS_MAX_WRONG: i64 = 10;
/// How long an address's wrong replies count, from the first of them.
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(600);

/// Wrong replies one client address may send for a seller in `ADDRESS_WINDOW` as another site's
/// page (no origin, or one the seller did not allow), counted apart from its own replies: enough
/// that no page on the web can use up a buyer's tries this way beyond this count, a bound on a
/// script that sends `Sec-Fetch-Site: cross-site` to stay off the address's count, which
/// otherwise would meet only the per-order count and could guess across many orders.
pub const CROSS_SITE_MAX_WRONG: i64 = 30;

/// Wrong replies one order may get in `SHIPMENT_WINDOW`, from all addresses together, through
/// any of its shipments (an Ozon order split into postings is one order, or each posting's
/// number would be a count of its own): a guesser who spreads four-digit guesses (10 000 of
/// them) over many addresses tries 10 a day, a 0.1 % chance a day and 500 days for an even
/// one, while a buyer who mistypes ten times in a day is unheard of. Someone who knows the
/// order number can make its buyer wait a day; that is the price of a bound that no number of
/// addresses lifts. A shipment without an order number is its own order.
pub const SHIPMENT_MAX_WRONG: i64 = 10;
/// How long an order's wrong replies count, from the first of them.
pub const SHIPMENT_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Whether a wrong reply in this request counts against the client's address: not when
/// another site's page sent it from an origin the seller did not allow, or any page on the web
/// could lock a buyer out by making the buyer's browser send wrong replies. Such a reply
/// counts against the address's cross-site tally (`CROSS_SITE_MAX_WRONG`) and the order
/// instead, so it cannot be used to guess without bound.
fn counts_against_address(rules: &LookupRules, site: Site<'_>) -> bool {
    match site {
        Site::Own => true,
        Site::Cross(Some(origin)) => rules
            .allowed_origins
            .iter()
            .any(|allowed| allowed == origin),
        Site::Cross(None) => false,
    }
}

/// Asks for the second factor when a shipment of a guarded seller was found by a guessable
/// number; when all were found by tracking number, which anyone may guess too (S10 numbers are
/// sequential, with a computable check digit), shows their status and keeps where to collect
/// them, and the code that releases them, for a right reply. A reply is evaluated by
/// [`check_reply`] either way. Says whether one was asked and given, and what the caller may
/// see of each shipment.
async fn admit_second_factor(
    store: &Store,
    found: &[Found],
    rules: &LookupRules,
    seller: SellerId,
    caller: Caller<'_>,
) -> Result<(bool, Vec<Shown>), LookupError> {
    let Some(factor) = rules.second_factor else {
        return Ok((false, vec![Shown::Whole; found.len()]));
    };
    let reply = caller.reply.filter(|reply| !reply.trim().is_empty());
    let guarded: Vec<&Found> = found.iter().filter(|f| !f.by_tracking_number).collect();
    let opened: Vec<&Found> = if guarded.is_empty() {
        // Only a shipment the seller gave the factor for can be opened; a reply that could
        // open none is not evaluated, so that it answers nothing.
        let openable: Vec<&Found> = found
            .iter()
            .filter(|f| f.second_factor_hash(factor).is_some())
            .collect();
        match reply {
            Some(reply) if !openable.is_empty() => {
                check_reply(store, &openable, rules, factor, seller, caller, reply).await?;
                openable
            }
            _ => Vec::new(),
        }
    } else {
        let Some(reply) = reply else {
            return Err(LookupError::SecondFactorRequired(factor));
        };
        check_reply(store, &guarded, rules, factor, seller, caller, reply).await?;
        guarded
    };
    let shown = found
        .iter()
        .map(|f| {
            if opened.iter().any(|o| o.id == f.id) || !f.by_tracking_number {
                Shown::Whole
            } else {
                Shown::WithoutPickup(f.second_factor_hash(factor).is_some().then_some(factor))
            }
        })
        .collect();
    Ok((!opened.is_empty(), shown))
}

/// Checks `reply` against every shipment in `asked`, and counts a wrong one against the
/// caller's address for this seller (apart, when another site's page sent it,
/// [`counts_against_address`]) and against each of those shipments' orders, in the store, so
/// that the lockout holds on every instance and after a restart. Whether the caller may try
/// and the counting of a wrong try are one step there: replies sent at once are counted one
/// after another, and none is evaluated once the address, or the order, has used up its tries.
///
/// # Errors
/// `SecondFactorFailed` for a wrong reply, `TooManyWrongReplies` past either limit.
async fn check_reply(
    store: &Store,
    asked: &[&Found],
    rules: &LookupRules,
    factor: SecondFactor,
    seller: SellerId,
    caller: Caller<'_>,
    reply: &str,
) -> Result<(), LookupError> {
    // A shipment the seller gave no second factor for cannot be opened by order number at all.
    let key = store.secret_key().ok();
    let right = asked.iter().all(|shipment| {
        shipment
            .second_factor_hash(factor)
            .is_some_and(|stored| second_factor_matches(key, shipment.id, factor, reply, stored))
    });
    // Right and wrong replies meet the same tallies, or a 429 for one and not the other
    // would answer the guess.
    let (against, max) = if counts_against_address(rules, caller.site) {
        ("address", ADDRESS_MAX_WRONG)
    } else {
        ("address-cross", CROSS_SITE_MAX_WRONG)
    };
    let address = caller.client.map(|client| Tally {
        against,
        subject: client.to_string(),
        max,
        window: ADDRESS_WINDOW,
    });
    // One tally an order, however many of its shipments were asked (each counted once).
    let orders: BTreeSet<(&'static str, String)> = asked
        .iter()
        .map(|shipment| match &shipment.shipment.order_number {
            Some(order) => ("order", order.clone()),
            None => ("shipment", shipment.id.to_string()),
        })
        .collect();
    let orders = orders.into_iter().map(|(against, subject)| Tally {
        against,
        subject,
        max: SHIPMENT_MAX_WRONG,
        window: SHIPMENT_WINDOW,
    });
    let tallies: Vec<Tally> = address.into_iter().chain(orders).collect();
    // A right reply is let through only where a wrong one would have been evaluated, or the
    // answer to a guess past the limit would tell whether it was right.
    match store.count_reply(seller, &tallies, !right).await? {
        Counted::Full { tally, wait } => {
            let guessed = match tallies.get(tally) {
                Some(Tally {
                    against: "address" | "address-cross",
                    ..
                }) => Guessed::Address,
                _ => Guessed::Order,
            };
            Err(LookupError::TooManyWrongReplies(wait, guessed))
        }
        Counted::Room if right => Ok(()),
        Counted::Room => Err(LookupError::SecondFactorFailed(factor)),
    }
}

/// Brings shipments pulled from Ozon up to date, all at once and by `deadline` (Ozon is
/// asked at most once a minute per posting, through the client's cache); a posting Ozon does
/// not answer for in time keeps its stored status.
async fn refresh_from_ozon(
    store: &Store,
    ozon: &OzonClient,
    seller: SellerId,
    found: Vec<&mut Found>,
    deadline: Instant,
) {
    let refreshes = found.into_iter().map(|shipment| async move {
        let posting = shipment.ozon_posting.clone().unwrap_or_default();
        if tokio::time::timeout_at(deadline, refresh_one(store, ozon, seller, shipment))
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

/// Asks the carriers of shipments whose last answer is older than `poller::FRESH_FOR`, all at
/// once, and shows what they said by `deadline`. A carrier that fails or is late leaves the
/// stored status shown; a late answer is still kept (the poll goes on in its own task) for
/// the next buyer.
async fn refresh_from_carriers(
    store: &Store,
    poller: &Poller,
    found: Vec<&mut Found>,
    deadline: Instant,
) {
    let now = crate::store::now_ms();
    let refreshes = found
        .into_iter()
        .filter(|f| {
            f.polled_at_ms
                .is_none_or(|at| at < now - crate::providers::poller::FRESH_FOR)
        })
        .map(|shipment| async move {
            let poller = poller.clone();
            let id = shipment.id;
            let poll = tokio::spawn(async move { poller.refresh(id).await });
            match tokio::time::timeout_at(deadline, poll).await {
                Ok(Ok(Ok(true))) => match store.shipment_by_id(id).await {
                    Ok(fresh) => shipment.shipment = fresh,
                    Err(error) => tracing::warn!(%error, "could not read a polled shipment"),
                },
                Ok(Ok(Ok(false))) => {}
                Ok(Ok(Err(error))) => {
                    tracing::warn!(%error, "polling a carrier for a lookup failed");
                }
                Ok(Err(error)) => {
                    tracing::error!(%error, "polling a carrier for a lookup panicked")
                }
                Err(_) => tracing::warn!("the carrier took too long; showing the stored status"),
            }
        });
    join_all(refreshes).await;
}

async fn refresh_one(store: &Store, ozon: &OzonClient, shop: SellerId, found: &mut Found) {
    let Some(posting) = found.ozon_posting.clone() else {
        return;
    };
    let Ok(Some(credentials)) = store.ozon_credentials(shop).await else {
        return;
    };
    let answer = ozon.posting(&credentials, &posting).await;
    if let Err(error) = crate::ozon::keep_refusal(store, shop, answer.as_ref().err()).await {
        tracing::warn!(%error, "could not keep whether Ozon took the keys");
    }
    let fresh = match answer {
        Ok(fresh) => fresh,
        Err(error) => {
            tracing::warn!(%error, posting, "Ozon refresh failed; showing the stored status");
            return;
        }
    };
    // What the seller added and Ozon does not know stays (`change::news`).
    let after = fold(found.shipment.clone(), News::OzonPosting(&fresh));
    if after == found.shipment {
        return;
    }
    if let Err(error) = crate::updates::keep_ozon_posting(store, found.id, &fresh).await {
        tracing::warn!(%error, posting, "could not keep the Ozon refresh");
    }
    found.shipment = after;
}
