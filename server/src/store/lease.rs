//! Leases on queue rows: how every instance takes the next due row of a queue (a webhook
//! delivery, a push message, a shipment to poll) without two taking the same one, and without
//! an idle instance writing anything.

use sqlx::any::AnyRow;
use sqlx::AnyPool;

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
            let taken = sqlx::query(self.take)
                .bind(now.saturating_add(lease_ms))
                .bind(due)
                .bind(now)
                .fetch_optional(pool)
                .await?;
            if taken.is_some() {
                return Ok(taken);
            }
        }
    }
}
