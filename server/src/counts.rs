//! What the seller's insights count per day: the names of the counters, one word each, as they
//! are stored in `daily_counts` and served by `GET /api/v1/seller/insights`.
//!
//! A count never carries who: no address, user agent or number, only the seller and the day.
//!
//! Counted in this instance's memory (`Counter`), on the hot path without I/O, and added to the
//! store every `FLUSH_EVERY` by `Counter::keep_flushing`, so that instances over one database add
//! up: a crash loses at most those seconds of counts; a graceful stop flushes first.

use crate::store::daily_counts::{DailyCount, ROWS_PER_STATEMENT};
use crate::store::seller_id::SellerId;
use crate::store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often an instance adds its counts to the store: what a crash loses at most.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Counts kept in memory at most (a seller, a day and a count each): while the store fails, new
/// ones past this are dropped rather than growing without bound (a day of 5 000 sellers' 20 counts).
pub const MAX_KEPT: usize = 100_000;

const DAY_MS: i64 = 86_400_000;

/// A seller, a UTC day (days since the Unix epoch) and what was counted.
type Key = (SellerId, i64, Count);

/// This instance's counts not yet in the store, shared by every clone.
#[derive(Debug, Clone, Default)]
pub struct Counter {
    counts: Arc<Mutex<HashMap<Key, i64>>>,
}

impl Counter {
    /// Counts one `count` for `seller` today (UTC).
    pub fn add(&self, seller: SellerId, count: Count) {
        self.add_on(seller, crate::store::now_ms().div_euclid(DAY_MS), count, 1);
    }

    /// Counts `times` of `count` for `seller` on `day` (days since the Unix epoch).
    pub fn add_on(&self, seller: SellerId, day: i64, count: Count, times: i64) {
        // A poisoned lock only means another thread panicked mid-add: the map is still usable.
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let full = counts.len() >= MAX_KEPT;
        match counts.get_mut(&(seller, day, count)) {
            Some(counted) => *counted = counted.saturating_add(times),
            None if full => crate::metrics::count_dropped(),
            None => {
                counts.insert((seller, day, count), times);
            }
        }
    }

    /// How many of `count` this instance holds for `seller` today, not yet flushed (tests).
    pub fn pending(&self, seller: SellerId, count: Count) -> i64 {
        let day = crate::store::now_ms().div_euclid(DAY_MS);
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.get(&(seller, day, count)).copied().unwrap_or(0)
    }

    /// Adds every count held to the store and forgets it; what the store did not take is held
    /// again for the next flush (within `MAX_KEPT`). Returns how many rows were added to.
    ///
    /// # Errors
    /// `StoreError` if the store fails.
    pub async fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        let taken =
            std::mem::take(&mut *self.counts.lock().unwrap_or_else(PoisonError::into_inner));
        let mut rows: Vec<(Key, i64)> = taken.into_iter().collect();
        // One order on every instance: two flushes at once never wait for each other in a circle.
        rows.sort_unstable_by_key(|((seller, day, count), _)| (seller.0, *day, *count));
        let mut added = 0;
        for (at, chunk) in rows.chunks(ROWS_PER_STATEMENT).enumerate() {
            let batch: Vec<DailyCount> = chunk
                .iter()
                .map(|((seller, day, count), times)| DailyCount {
                    seller: *seller,
                    day: trackline_core::time::format_date(*day),
                    name: count.as_str(),
                    count: *times,
                })
                .collect();
            if let Err(error) = store.add_daily_counts(&batch).await {
                for ((seller, day, count), times) in &rows[at * ROWS_PER_STATEMENT..] {
                    self.add_on(*seller, *day, *count, *times);
                }
                return Err(error);
            }
            added += chunk.len();
        }
        Ok(added)
    }

    /// Flushes every `every` until `stop` is cancelled; a failing store is logged and its
    /// counts kept for the next turn. The last flush is the caller's, once requests have ended.
    pub async fn keep_flushing(self, store: Store, every: Duration, stop: CancellationToken) {
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
            if let Err(error) = self.flush(&store).await {
                tracing::warn!(%error, "counts: the store failed; kept for the next flush");
            }
        }
    }
}

/// One thing counted per seller per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Count {
    /// A lookup that found the seller's parcel (a 304 included).
    LookupsFound,
    /// A lookup of the seller's that found nothing (or a number that cannot exist).
    LookupsNotFound,
    /// A lookup answered by asking the seller's second factor.
    LookupsCheckAsked,
    /// A lookup refused: a wrong second factor, too many of them, or a page not allowed.
    LookupsRefused,
    /// A lookup of a number that came in the hosted page's link.
    ViaLink,
    /// A lookup of a number the buyer typed into the hosted page.
    ViaTyped,
    /// A lookup from the element on a storefront's page.
    ViaElement,
    /// A lookup from the iframe form.
    ViaIframe,
    /// A tap on the support phone.
    TapsPhone,
    /// A tap on the support e-mail.
    TapsEmail,
    /// A tap on the support Telegram link.
    TapsTelegram,
    /// A tap on the support VK link.
    TapsVk,
    /// A tap on the support help centre.
    TapsHelpCenter,
    /// A tap on the support ticket form.
    TapsTicket,
    /// A tap on the carrier's own tracking page.
    TapsCarrier,
    /// A buyer subscribed to Web Push for a parcel.
    PushSubscribed,
    /// A Web Push message the push service took.
    PushSent,
    /// A Web Push message that could not be sent.
    PushFailed,
    /// A webhook delivery the seller's receiver took.
    WebhooksDelivered,
    /// A webhook delivery that gave up.
    WebhooksFailed,
}

impl Count {
    /// Every count, in the order the insights list them.
    pub const ALL: [Count; 20] = [
        Count::LookupsFound,
        Count::LookupsNotFound,
        Count::LookupsCheckAsked,
        Count::LookupsRefused,
        Count::ViaLink,
        Count::ViaTyped,
        Count::ViaElement,
        Count::ViaIframe,
        Count::TapsPhone,
        Count::TapsEmail,
        Count::TapsTelegram,
        Count::TapsVk,
        Count::TapsHelpCenter,
        Count::TapsTicket,
        Count::TapsCarrier,
        Count::PushSubscribed,
        Count::PushSent,
        Count::PushFailed,
        Count::WebhooksDelivered,
        Count::WebhooksFailed,
    ];

    /// Its name in the store and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Count::LookupsFound => "lookups_found",
            Count::LookupsNotFound => "lookups_not_found",
            Count::LookupsCheckAsked => "lookups_check_asked",
            Count::LookupsRefused => "lookups_refused",
            Count::ViaLink => "via_link",
            Count::ViaTyped => "via_typed",
            Count::ViaElement => "via_element",
            Count::ViaIframe => "via_iframe",
            Count::TapsPhone => "taps_phone",
            Count::TapsEmail => "taps_email",
            Count::TapsTelegram => "taps_telegram",
            Count::TapsVk => "taps_vk",
            Count::TapsHelpCenter => "taps_help_center",
            Count::TapsTicket => "taps_ticket",
            Count::TapsCarrier => "taps_carrier",
            Count::PushSubscribed => "push_subscribed",
            Count::PushSent => "push_sent",
            Count::PushFailed => "push_failed",
            Count::WebhooksDelivered => "webhooks_delivered",
            Count::WebhooksFailed => "webhooks_failed",
        }
    }

    /// The count a stored name stands for; `None` for a name this build does not know.
    pub fn from_name(name: &str) -> Option<Count> {
        Count::ALL.into_iter().find(|count| count.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_count_and_no_two_share_one() {
        let mut names = std::collections::HashSet::new();
        for count in Count::ALL {
            assert_eq!(Count::from_name(count.as_str()), Some(count));
            assert!(names.insert(count.as_str()), "{} twice", count.as_str());
        }
        assert_eq!(Count::from_name("lookups"), None);
    }

    #[test]
    fn counts_held_are_bounded_and_those_already_held_still_add() {
        let counter = Counter::default();
        let seller = SellerId(7);
        for day in 0..i64::try_from(MAX_KEPT).unwrap() {
            counter.add_on(seller, day, Count::TapsVk, 1);
        }
        counter.add_on(seller, -1, Count::TapsVk, 1);
        counter.add_on(seller, 0, Count::TapsVk, 2);
        let held = counter.counts.lock().unwrap();
        assert_eq!(held.len(), MAX_KEPT, "a new key past the bound is dropped");
        assert_eq!(held.get(&(seller, 0, Count::TapsVk)), Some(&3));
        assert_eq!(held.get(&(seller, -1, Count::TapsVk)), None);
    }
}
