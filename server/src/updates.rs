//! Every write that can move a shipment's status, whoever brings the news (the seller API, a
//! provider polled or calling in, Ozon for a buyer's lookup, the sweeps that notice silence and
//! pickup deadlines): the store opens the shipment's write, `change` decides what the news makes
//! of it and whom that tells, the store writes those rows and commits them together.
//!
//! Nothing here words a message or knows SQL: it only passes values between the two.

use crate::change::message::messages;
use crate::change::news::{fold, News, Reading};
use crate::change::tells::{self, Kind, Occasion, Tells, AFTER_DELIVERY_MS};
use crate::change::{status_of, Status};
use crate::store::seller_shipments::{Put, Written};
use crate::store::sellers::SellerId;
use crate::store::shipment_rows::Column;
use crate::store::shipment_write::{ReplayRow, ShipmentWrite};
use crate::store::{new_id, now_ms, now_rfc3339, Store, StoreError};
use trackline_core::freshness::stale_since;
use trackline_core::second_factor::SecondFactors;
use trackline_core::{Event, Shipment};

/// Where to keep a response for an `Idempotency-Key` retry.
#[derive(Debug, Clone, Copy)]
pub struct ReplayKey<'a> {
    /// The client's `Idempotency-Key`.
    pub key: &'a str,
    /// SHA-256 of the request.
    pub request_hash: &'a str,
}

/// Queues, in `write`'s transaction, what the change of its shipment from `before` (none for a
/// new shipment) to `after` tells: a delivery for every webhook subscription of the seller that
/// hears of it (for a shipment under a reference), a message for every browser subscribed.
async fn tell(
    write: &mut ShipmentWrite,
    before: Option<&Status>,
    after: &Shipment,
) -> Result<(), StoreError> {
    let told = Tells::of(before, &status_of(after));
    let now = now_ms();
    if let Some(reference) = write.reference().map(str::to_owned) {
        if !told.kinds.is_empty() {
            let hearers = write.hearers().await?;
            let deliveries = tells::deliveries(
                &told.kinds,
                &hearers,
                &reference,
                after,
                &now_rfc3339(),
                new_id,
            )?;
            write.queue_deliveries(&deliveries, now).await?;
        }
    }
    if let Some(occasion) = told.occasion {
        if told.ends_subscriptions() {
            write.end_subscriptions_at(now + AFTER_DELIVERY_MS).await?;
        }
        let listeners = write.listeners(None).await?;
        let notices = messages(occasion, &listeners, write.id(), after)?;
        write.queue_notices(&notices, now).await?;
    }
    Ok(())
}

/// Creates or replaces the seller's shipment under `reference`, history included.
///
/// # Errors
/// `Conflict` if another request created the same reference at the same moment; other
/// `StoreError`s if the database fails.
pub async fn put(
    store: &Store,
    seller: SellerId,
    reference: &str,
    shipment: &Shipment,
    factors: &SecondFactors,
) -> Result<(Written, Shipment), StoreError> {
    let Put {
        written,
        before,
        mut write,
    } = store
        .replace_shipment(seller, reference, shipment, factors)
        .await?;
    let stored = write.current().clone();
    tell(&mut write, before.as_ref().map(status_of).as_ref(), &stored).await?;
    write.commit().await?;
    Ok((written, stored))
}

/// Changes some fields of the seller's shipment under `reference`, in one transaction:
/// `change` gets the stored shipment and gives the new one (its history is kept as stored)
/// and, if the request gave them, new second factors.
///
/// Returns `None` when the seller has no such shipment, `Some(Err)` when `change` refused.
///
/// # Errors
/// `StoreError` if the database fails; nothing is changed then.
pub async fn patch<E>(
    store: &Store,
    seller: SellerId,
    reference: &str,
    change: impl FnOnce(Shipment) -> Result<(Shipment, Option<SecondFactors>), E>,
) -> Result<Option<Result<Shipment, E>>, StoreError> {
    let Some(mut write) = store.write_seller_shipment(seller, reference).await? else {
        return Ok(None);
    };
    let before = status_of(write.current());
    let (changed, factors) = match change(write.current().clone()) {
        Ok(changed) => changed,
        Err(refused) => return Ok(Some(Err(refused))),
    };
    write.update(&changed, &Column::ALL).await?;
    if let Some(factors) = factors {
        write.set_second_factors(&factors).await?;
    }
    let stored = write.reload().await?.clone();
    tell(&mut write, Some(&before), &stored).await?;
    write.commit().await?;
    Ok(Some(Ok(stored)))
}

/// Appends events to the seller's shipment and moves its status to the newest of them; with
/// `replay`, keeps the response `respond` makes of the shipment after, in the same transaction.
///
/// Returns `None` when the seller has no shipment under `reference`.
///
/// # Errors
/// `Conflict` if the same key is being used by a request at the same moment; other
/// `StoreError`s if the database fails.
pub async fn append_events(
    store: &Store,
    seller: SellerId,
    reference: &str,
    events: &[Event],
    replay: Option<ReplayKey<'_>>,
    respond: impl FnOnce(&Shipment) -> (u16, String),
) -> Result<Option<(u16, String)>, StoreError> {
    let Some(mut write) = store.write_seller_shipment(seller, reference).await? else {
        return Ok(None);
    };
    let before = status_of(write.current());
    let after = fold(write.current().clone(), News::SellerEvents(events));
    write.append_events(events).await?;
    write
        .update(
            &after,
            &[
                Column::Stage,
                Column::Exception,
                Column::StatusText,
                Column::UpdatedAt,
            ],
        )
        .await?;
    let stored = write.reload().await?.clone();
    tell(&mut write, Some(&before), &stored).await?;
    let (status, body) = respond(&stored);
    if let Some(replay) = replay {
        write
            .keep_replay(ReplayRow {
                key: replay.key,
                request_hash: replay.request_hash,
                status,
                body: &body,
            })
            .await?;
    }
    write.commit().await?;
    Ok(Some((status, body)))
}

/// Keeps what a provider said of the shipment `id`: its status, words and new events, written
/// only where they change it. Returns the shipment as it is after.
///
/// # Errors
/// `Gone` when the shipment was deleted meanwhile; `StoreError` if the database fails.
pub async fn keep_reading(
    store: &Store,
    id: i64,
    reading: &Reading,
) -> Result<Shipment, StoreError> {
    keep_news(store, id, News::Reading(reading)).await
}

/// Keeps what Ozon's posting says of the shipment `id` (a buyer's lookup asked Ozon): Ozon's
/// numbers, status, carrier and history, when they moved. Returns the shipment as it is after.
///
/// # Errors
/// `Gone` when the shipment was deleted meanwhile; `StoreError` if the database fails.
pub async fn keep_ozon_posting(
    store: &Store,
    id: i64,
    posting: &Shipment,
) -> Result<Shipment, StoreError> {
    keep_news(store, id, News::OzonPosting(posting)).await
}

/// Folds a provider's `news` into the shipment `id` inside its write, and tells of the change.
async fn keep_news(store: &Store, id: i64, news: News<'_>) -> Result<Shipment, StoreError> {
    let mut write = store.write_shipment(id).await?;
    let current = write.current().clone();
    let fresh = fold(current.clone(), news);
    if fresh == current {
        return Ok(current);
    }
    write.update(&fresh, &Column::FROM_SOURCE).await?;
    write.replace_events(&fresh.events).await?;
    let stored = write.reload().await?.clone();
    tell(&mut write, Some(&status_of(&current)), &stored).await?;
    write.commit().await?;
    Ok(stored)
}

/// The write of the shipment `id`, or `None` when a sweep found it and it was deleted since.
async fn still_there(store: &Store, id: i64) -> Result<Option<ShipmentWrite>, StoreError> {
    match store.write_shipment(id).await {
        Ok(write) => Ok(Some(write)),
        Err(StoreError::Gone) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Tells the receivers that hear of `gone_stale` about each of their sellers' shipments that
/// has said nothing for longer than its stage usually takes (`freshness::stale_since` at
/// `now`), once a silence; returns how many were told. Instances sweeping at once tell each
/// once: the mark and the queueing are one transaction, and the mark is taken only where it is
/// not already set.
///
/// # Errors
/// `StoreError` if the database fails.
pub async fn tell_stale(store: &Store, now: i64) -> Result<usize, StoreError> {
    let mut told = 0;
    for id in store.stale_candidates().await? {
        let Some(mut write) = still_there(store, id).await? else {
            continue;
        };
        let Some(since) = stale_since(write.current(), now) else {
            continue;
        };
        let Some(reference) = write.reference().map(str::to_owned) else {
            continue;
        };
        if !write.mark_stale_told(since).await? {
            continue;
        }
        let hearers = write.hearers().await?;
        let shipment = write.current().clone();
        let deliveries = tells::deliveries(
            &[Kind::GoneStale],
            &hearers,
            &reference,
            &shipment,
            &now_rfc3339(),
            new_id,
        )?;
        write.queue_deliveries(&deliveries, now_ms()).await?;
        write.commit().await?;
        told += 1;
    }
    Ok(told)
}

/// Ends subscriptions a week past delivery, and tells each subscriber of a parcel whose pickup
/// point keeps it only until tomorrow (`tomorrow`, an ISO date), once a deadline. Returns how
/// many were told. Instances sweeping at once tell each once: the mark is taken only where it
/// is not already set, in the transaction that queues the message.
///
/// # Errors
/// `StoreError` if the database fails.
pub async fn remind_last_day(store: &Store, now: i64, tomorrow: &str) -> Result<usize, StoreError> {
    store.end_expired_subscriptions(now).await?;
    let mut told = 0;
    for (subscription, shipment) in store.reminder_candidates(tomorrow).await? {
        let Some(mut write) = still_there(store, shipment).await? else {
            continue;
        };
        if !tells::last_day_tomorrow(write.current(), tomorrow) {
            continue;
        }
        if !write.mark_reminded(subscription, tomorrow).await? {
            continue;
        }
        let listeners = write.listeners(Some(subscription)).await?;
        let current = write.current().clone();
        let notices = messages(Occasion::LastDayTomorrow, &listeners, write.id(), &current)?;
        write.queue_notices(&notices, now_ms()).await?;
        write.commit().await?;
        told += 1;
    }
    Ok(told)
}
