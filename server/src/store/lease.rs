//! Leases on queue rows: how every instance takes the next due row of a queue (a webhook
//! delivery, a push message, a shipment to poll) without two taking the same one, and without
//! an idle instance writing anything; and, for the queues of deliveries to other hosts, how a
//! page of what is due is listed (`waiting`) so that the caller can leave a row to later without
//! writing it.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// A queue's two statements, in SQL both databases read.
pub(super) struct Queue {
    /// Names the id of the row most due at `$1` (now) whose lease is free, if any.
    pub find: &'static str,
    /// Leases the row `$2` until `$1`, checking again that it is due and free at `$3` (now), and
    /// returns the columns the caller reads; no row when another instance took it first.
    pub take: &'static str,
}

impl Queue {
    /// Leases the row most due at `now` until `now + lease_ms` and returns it; `None` when none is.
    ///
    /// Looked for first and taken only when one is due, so an idle instance writes nothing (on
    /// SQLite a write every second would take the lock from sellers' writes). Of two instances
    /// that found the same row, the second takes nothing and looks again; a crashed instance's
    /// lease simply ends.
    ///
    /// # Errors
    /// The database's.
    pub async fn lease(
        &self,
        pool: &AnyPool,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<AnyRow>, sqlx::Error> {
        loop {
            let due: Option<i64> = sqlx::query_scalar(self.find)
                .bind(now)
                .fetch_optional(pool)
                .await?;
            let Some(due) = due else {
                return Ok(None);
            };
            let taken = self.lease_row(pool, due, now, lease_ms).await?;
            if taken.is_some() {
                return Ok(taken);
            }
        }
    }

    /// Leases the row `id` until `now + lease_ms` if it is still due and free at `now`, and
    /// returns it; `None` when another instance took it first (or it is no longer due).
    ///
    /// # Errors
    /// The database's.
    pub async fn lease_row(
        &self,
        pool: &AnyPool,
        id: i64,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<AnyRow>, sqlx::Error> {
        sqlx::query(self.take)
            .bind(now.saturating_add(lease_ms))
            .bind(id)
            .bind(now)
            .fetch_optional(pool)
            .await
    }
}

/// A row of a delivery queue that is due and free, listed but not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The row's id, to take it by.
    pub id: i64,
    /// Where it goes: a receiver's URL, a push service's endpoint.
    pub destination: String,
    /// The seller it is for: whose receiver, or whose buyer's browser (0 when not known).
    pub seller: i64,
    /// Its place in the queue, to list the rows after it.
    pub place: Place,
}

/// A row's place in a delivery queue: most due first, then by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// When it is due (ms).
    pub due_ms: i64,
    /// Its id.
    pub id: i64,
}

/// How a delivery queue's due rows are listed (`waiting`), in SQL both databases read. Each takes
/// `$1` now, `$2`/`$3` the place after which to list, `$4` the limit, and returns `id`,
/// `destination`, `seller_id`, `due_ms` in queue order.
pub(super) struct Listing {
    /// The first rows due, whoever's: an index range read that stops at the limit.
    pub first: &'static str,
    /// The first rows due, at most `$5` of each seller's: looked for seller by seller (a few
    /// index probes each), so that it costs what the server's sellers (or their receivers) are,
    /// not how many rows are due.
    pub fair: &'static str,
}

/// Up to `limit` rows due at `now` and free, after `after` (from the start without it), in
/// queue order, at most `per_seller` of one seller's.
///
/// Reading only: a row left to later is not written (and an idle instance writes nothing).
/// One seller's rows, however many are due ahead of the others', fill no more than their share
/// of a page, so a turn reading a few pages reaches every seller's. The first rows due are read
/// first: when no seller has more than its share among them they are the answer, and only a
/// seller past its share (a backlog) costs the seller-by-seller reading.
///
/// # Errors
/// The database's.
pub(super) async fn waiting(
    pool: &AnyPool,
    listing: &Listing,
    now: i64,
    after: Option<Place>,
    limit: i64,
    per_seller: i64,
) -> Result<Vec<Waiting>, sqlx::Error> {
    let after = after.unwrap_or(Place {
        due_ms: i64::MIN,
        id: i64::MIN,
    });
    let first = sqlx::query(listing.first)
        .bind(now)
        .bind(after.due_ms)
        .bind(after.id)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    let first = rows_of(&first)?;
    let full = i64::try_from(first.len()).unwrap_or(i64::MAX) >= limit;
    let mut counts = std::collections::HashMap::<i64, i64>::new();
    let over = first.iter().any(|row| {
        let count = counts.entry(row.seller).or_default();
        *count += 1;
        *count > per_seller
    });
    if !over {
        return Ok(first);
    }
    if !full {
        // Every row due after `after` is here: the first of each seller's are the answer.
        counts.clear();
        return Ok(first
            .into_iter()
            .filter(|row| {
                let count = counts.entry(row.seller).or_default();
                *count += 1;
                *count <= per_seller
            })
            .collect());
    }
    let fair = sqlx::query(listing.fair)
        .bind(now)
        .bind(after.due_ms)
        .bind(after.id)
        .bind(limit)
        .bind(per_seller)
        .fetch_all(pool)
        .await?;
    rows_of(&fair)
}

fn rows_of(rows: &[AnyRow]) -> Result<Vec<Waiting>, sqlx::Error> {
    rows.iter()
        .map(|row| {
            let id = row.try_get("id")?;
            Ok(Waiting {
                id,
                destination: row.try_get("destination")?,
                seller: row.try_get::<Option<i64>, _>("seller_id")?.unwrap_or(0),
                place: Place {
                    due_ms: row.try_get("due_ms")?,
                    id,
                },
            })
        })
        .collect()
}
