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
use crate::learnt::{self, Ask};
use crate::store::seller_shipments::{Put, Written};
use crate::store::sellers::SellerId;
use crate::store::shipment_rows::Column;
use crate::store::shipment_write::{Batch, Held, ReplayRow, ShipmentWrite};
use crate::store::{new_id, now_ms, now_rfc3339, Store, StoreError};
use trackline_core::freshness::stale_since;
use trackline_core::second_factor::SecondFactors;
use trackline_core::{Event, Shipment};

/// Rows `write_many` writes in one transaction: a transaction holds their rows' locks until it
/// commits, and the progress of an import is recorded once a transaction.
pub const ROWS_A_TRANSACTION: usize = 100;

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

/// Keeps, in `write`'s transaction, what the shipment `after` teaches or is taught: once
/// delivered, its row in `deliveries` (replacing the one it had); otherwise, where it carries no
/// estimate of its own, the window learnt from parcels delivered before (`learnt`), and the day
/// past which it is running late, whoever's estimate it is.
async fn learn(write: &mut ShipmentWrite, after: &Shipment) -> Result<(), StoreError> {
    let own = after.estimated_delivery.as_ref();
    if after.stage == trackline_core::Stage::Delivered {
        let shown = match own {
            Some(own) => Some(own.clone()),
            None => write.learnt().await?,
        };
        if let Some(delivered) = learnt::delivery_of(after, shown.as_ref()) {
            write.record_delivery(&delivered).await?;
        }
        return write.set_learnt(None, None).await;
    }
    if let Some(own) = own {
        return write.set_learnt(None, Some(&learnt::late_after(own))).await;
    }
    let Some(ask) = Ask::of(after) else {
        return write.set_learnt(None, None).await;
    };
    let mut histograms = Vec::new();
    for pool in ask.pools() {
        let histogram = write.histogram(pool, &ask).await?;
        let enough = learnt::teaches(&histogram);
        histograms.push((pool, histogram));
        if enough {
            break;
        }
    }
    let window = learnt::window(&ask, &histograms);
    let late_after = window.as_ref().map(learnt::late_after);
    write
        .set_learnt(window.as_ref(), late_after.as_deref())
        .await
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
    let batch = store.begin_batch(seller).await?;
    let (batch, written, stored) = put_in(batch, reference, shipment, factors).await?;
    batch.commit().await?;
    Ok((written, stored))
}

/// `put` within `batch`, handed back for the next write.
///
/// # Errors
/// As `put`'s; the batch is lost then (nothing of it is written).
pub async fn put_in(
    batch: Batch,
    reference: &str,
    shipment: &Shipment,
    factors: &SecondFactors,
) -> Result<(Batch, Written, Shipment), StoreError> {
    let Put {
        written,
        before,
        mut write,
    } = batch.replace_shipment(reference, shipment, factors).await?;
    let stored = write.current().clone();
    learn(&mut write, &stored).await?;
    tell(&mut write, before.as_ref().map(status_of).as_ref(), &stored).await?;
    Ok((write.release(), written, stored))
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
    let batch = store.begin_batch(seller).await?;
    let (batch, patched) = patch_in(batch, reference, change).await?;
    if matches!(patched, Some(Ok(_))) {
        batch.commit().await?;
    }
    Ok(patched)
}

/// `patch` within `batch`, handed back for the next write (a refusal or a missing shipment
/// leaves it as it was).
///
/// # Errors
/// As `patch`'s; the batch is lost then (nothing of it is written).
pub async fn patch_in<E>(
    batch: Batch,
    reference: &str,
    change: impl FnOnce(Shipment) -> Result<(Shipment, Option<SecondFactors>), E>,
) -> Result<(Batch, Option<Result<Shipment, E>>), StoreError> {
    let mut write = match batch.write(reference).await? {
        Held::Found(write) => *write,
        Held::Missing(batch) => return Ok((batch, None)),
    };
    let before = status_of(write.current());
    let (changed, factors) = match change(write.current().clone()) {
        Ok(changed) => changed,
        Err(refused) => return Ok((write.release(), Some(Err(refused)))),
    };
    write.update(&changed, &Column::ALL).await?;
    if let Some(factors) = factors {
        write.set_second_factors(&factors).await?;
    }
    let stored = write.reload().await?.clone();
    learn(&mut write, &stored).await?;
    tell(&mut write, Some(&before), &stored).await?;
    Ok((write.release(), Some(Ok(stored))))
}

/// A write of one shipment among many of one seller (`write_many`).
pub trait OneOfMany: Sync {
    /// What the write gives back once committed.
    type Done: Send;

    /// The seller's reference of the shipment it writes.
    fn reference(&self) -> &str;

    /// Writes the shipment within `batch` (through `put_in` or `patch_in`), handing it back.
    fn write(
        &self,
        batch: Batch,
    ) -> impl std::future::Future<Output = Result<(Batch, Self::Done), StoreError>> + Send;
}

/// Writes `rows`, shipments of one seller each under its own reference, `ROWS_A_TRANSACTION`
/// to a transaction, each as its own write would (what `change` decides of it, and the
/// webhooks and messages that tell of it, are the same, queued in the same order), but
/// committed and announced once a transaction. Returns each row's outcome, in `rows`' order.
///
/// A row that fails (a conflict, a refusal by the database) fails alone: its transaction is
/// lost, and the rows before it in that transaction are written again without it (each is
/// decided again against what is stored then), those after it in the next. A transaction
/// whose commit fails is split in two, down to the row.
///
/// # Errors
/// `StoreError` when no transaction can be opened (the database is gone): the rows of the
/// transactions committed before stay written.
pub async fn write_many<W: OneOfMany>(
    store: &Store,
    seller: SellerId,
    rows: &[W],
) -> Result<Vec<Result<W::Done, StoreError>>, StoreError> {
    // A transaction holds its shipments' rows until it commits: it takes them in the order
    // every writer of several takes them (the stored ones by id, as a buyer's subscribing
    // does, then the new ones by reference), so that no two wait for each other.
    let references: Vec<&str> = rows.iter().map(OneOfMany::reference).collect();
    let ids = store.shipment_ids(seller, &references).await?;
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|index| {
        let reference = references[*index];
        (ids.get(reference).map_or((1, 0), |id| (0, *id)), reference)
    });
    let mut outcomes: Vec<Option<Result<W::Done, StoreError>>> =
        (0..rows.len()).map(|_| None).collect();
    let mut waiting: std::collections::VecDeque<&[usize]> =
        order.chunks(ROWS_A_TRANSACTION).collect();
    // Each pass commits its rows, fails one of them, or splits them in two: it ends.
    while let Some(part) = waiting.pop_front() {
        match write_part(store, seller, rows, part).await? {
            Pass::Committed(done) => {
                for (index, row_done) in done {
                    outcomes[index] = Some(Ok(row_done));
                }
            }
            Pass::RowFailed(at, error) => {
                outcomes[part[at]] = Some(Err(error));
                for rest in [&part[at + 1..], &part[..at]] {
                    if !rest.is_empty() {
                        waiting.push_front(rest);
                    }
                }
            }
            Pass::CommitFailed(error) if part.len() == 1 => outcomes[part[0]] = Some(Err(error)),
            Pass::CommitFailed(_) => {
                let (first, second) = part.split_at(part.len() / 2);
                waiting.push_front(second);
                waiting.push_front(first);
            }
        }
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or(Err(StoreError::Gone)))
        .collect())
}

/// How one transaction of `write_many` ended.
enum Pass<Done> {
    /// Its rows are written: each row's index and what its write gave back.
    Committed(Vec<(usize, Done)>),
    /// Its row at this position failed: nothing of it is written.
    RowFailed(usize, StoreError),
    /// Its commit failed: nothing of it is written.
    CommitFailed(StoreError),
}

/// Writes the rows of `rows` at the indexes `part` in one transaction.
async fn write_part<W: OneOfMany>(
    store: &Store,
    seller: SellerId,
    rows: &[W],
    part: &[usize],
) -> Result<Pass<W::Done>, StoreError> {
    let mut batch = store.begin_batch(seller).await?;
    let mut done = Vec::with_capacity(part.len());
    for (at, index) in part.iter().enumerate() {
        match rows[*index].write(batch).await {
            Ok((back, row_done)) => {
                batch = back;
                done.push((*index, row_done));
            }
            Err(error) => return Ok(Pass::RowFailed(at, error)),
        }
    }
    Ok(match batch.commit().await {
        Ok(()) => Pass::Committed(done),
        Err(error) => Pass::CommitFailed(error),
    })
}

/// A shipment written whole under the seller's reference, as `put` writes it.
#[derive(Debug)]
pub struct PutRow<'a> {
    /// The seller's reference.
    pub reference: &'a str,
    /// The shipment, history included.
    pub shipment: &'a Shipment,
    /// The buyer's check.
    pub factors: &'a SecondFactors,
}

impl OneOfMany for PutRow<'_> {
    type Done = (Written, Shipment);

    fn reference(&self) -> &str {
        self.reference
    }

    async fn write(&self, batch: Batch) -> Result<(Batch, Self::Done), StoreError> {
        let (batch, written, stored) =
            put_in(batch, self.reference, self.shipment, self.factors).await?;
        Ok((batch, (written, stored)))
    }
}

/// `put` of many shipments of the seller (`write_many`): each row's outcome, in order.
///
/// # Errors
/// As `write_many`'s.
pub async fn put_many(
    store: &Store,
    seller: SellerId,
    rows: &[PutRow<'_>],
) -> Result<Vec<Result<(Written, Shipment), StoreError>>, StoreError> {
    write_many(store, seller, rows).await
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
    learn(&mut write, &stored).await?;
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
    learn(&mut write, &stored).await?;
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

/// Tells the receivers that hear of `estimate_missed` about each of their sellers' shipments
/// running late at `now` (`learnt::running_late`: past its `late_after`, or past its own
/// estimate's last day, and not delivered), once a shipment; returns how many were told.
/// Instances sweeping at once tell each once: the mark is taken only where it is not set yet,
/// in the transaction that queues the deliveries.
///
/// # Errors
/// `StoreError` if the database fails.
pub async fn tell_late(store: &Store, now: i64) -> Result<usize, StoreError> {
    let today = learnt::day_of(now);
    let mut told = 0;
    for id in store
        .late_candidates(&trackline_core::time::format_date(today))
        .await?
    {
        let Some(mut write) = still_there(store, id).await? else {
            continue;
        };
        // Decided again under the row's lock: a write may have moved it since it was listed.
        let mut shipment = write.current().clone();
        if shipment.estimated_delivery.is_none() {
            shipment.estimated_delivery = write.learnt().await?;
        }
        if !learnt::running_late(&shipment, today) {
            continue;
        }
        let Some(reference) = write.reference().map(str::to_owned) else {
            continue;
        };
        if !write.mark_estimate_missed(now).await? {
            continue;
        }
        let hearers = write.hearers().await?;
        let deliveries = tells::deliveries(
            &[Kind::EstimateMissed],
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

/// Gives every shipment delivered before `deliveries` existed its row there, a few hundred a
/// transaction's worth at a time; returns how many were kept. Ends: each pass reads ids above
/// the last one seen. Instances filling at once write the same rows twice, harmlessly.
///
/// # Errors
/// `StoreError` if the database fails.
pub async fn fill_deliveries(store: &Store) -> Result<u64, StoreError> {
    let mut after = 0;
    let mut kept = 0;
    loop {
        let ids = store.delivered_unrecorded(after, 500).await?;
        let Some(last) = ids.last() else {
            return Ok(kept);
        };
        after = *last;
        for id in ids {
            let Some(mut write) = still_there(store, id).await? else {
                continue;
            };
            let current = write.current().clone();
            let Some(delivered) =
                learnt::delivery_of(&current, current.estimated_delivery.as_ref())
            else {
                continue;
            };
            write.record_delivery(&delivered).await?;
            write.commit().await?;
            kept += 1;
        }
    }
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
