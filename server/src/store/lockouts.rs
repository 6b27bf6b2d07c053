//! Wrong second-factor replies, counted per key (what the caller names: a client address in a
//! seller, a shipment) in one row each, shared by every instance over one store. Whether a key
//! may try and the counting of its try are one conditional upsert, so that replies sent at the
//! same moment cannot all be let through before any of them is counted.

use super::seller_id::SellerId;
use super::{duration_ms, now_ms, Store, StoreError};
use std::time::Duration;

/// A counter of wrong replies: whom it counts against, and how many it allows in how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// What kind of key: `"address"`, `"address-cross"` (another site's page), `"order"`, `"shipment"`.
    pub against: &'static str,
    /// The key itself (an address, an order number, a shipment's id), as text.
    pub subject: String,
    /// Wrong replies allowed in one window.
    pub max: i64,
    /// How long a window lasts from its first wrong reply.
    pub window: Duration,
}

/// What became of a reply counted against some tallies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Every tally had room: the reply may be evaluated (and, if it was wrong, it is counted).
    Room,
    /// The tally at this index (of those given) is full until `wait` has passed; nothing was counted.
    Full {
        /// The index of the full tally.
        tally: usize,
        /// How long until its window ends.
        wait: Duration,
    },
}

impl Store {
    /// Checks that every tally has room for a reply in `seller` and, when the reply is `wrong`,
    /// counts it against all of them, in one transaction: each tally's row is upserted only
    /// while it has room (a window that ended starts again at this reply), and locked until
    /// the end, so that concurrent replies are counted one after another on PostgreSQL as on
    /// SQLite (whose writes are serial). A right reply counts nothing, but waits for the
    /// wrong ones counted before it, and finds a full tally full.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn count_reply(
        &self,
        seller: SellerId,
        tallies: &[Tally],
        wrong: bool,
    ) -> Result<Counted, StoreError> {
        let now = now_ms();
        // One order for every transaction, so that two of them never wait for each other.
        let mut order: Vec<usize> = (0..tallies.len()).collect();
        order.sort_by(|a, b| {
            let (a, b) = (&tallies[*a], &tallies[*b]);
            (a.against, &a.subject).cmp(&(b.against, &b.subject))
        });
        let mut tx = self.begin_write().await?;
        for index in order {
            let tally = &tallies[index];
            let counted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO second_factor_failures (shop_id, against, subject, wrong, ends_ms)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (shop_id, against, subject) DO UPDATE SET
                     wrong = CASE WHEN second_factor_failures.ends_ms <= $6 THEN excluded.wrong
                                  ELSE second_factor_failures.wrong + excluded.wrong END,
                     ends_ms = CASE WHEN second_factor_failures.ends_ms <= $6 THEN excluded.ends_ms
                                    ELSE second_factor_failures.ends_ms END
                 WHERE second_factor_failures.ends_ms <= $6 OR second_factor_failures.wrong < $7
                 RETURNING wrong",
            )
            .bind(seller.0)
            .bind(tally.against)
            .bind(&tally.subject)
            .bind(i64::from(wrong))
            .bind(now.saturating_add(duration_ms(tally.window)))
            .bind(now)
            .bind(tally.max)
            .fetch_optional(&mut *tx)
            .await?;
            if counted.is_none() {
                let ends_ms: i64 = sqlx::query_scalar(
                    "SELECT ends_ms FROM second_factor_failures
                     WHERE shop_id = $1 AND against = $2 AND subject = $3",
                )
                .bind(seller.0)
                .bind(tally.against)
                .bind(&tally.subject)
                .fetch_one(&mut *tx)
                .await?;
                tx.rollback().await?;
                let wait = u64::try_from(ends_ms.saturating_sub(now)).unwrap_or(0);
                return Ok(Counted::Full {
                    tally: index,
                    wait: Duration::from_millis(wait.max(1)),
                });
            }
        }
        tx.commit().await?;
        Ok(Counted::Room)
    }
}
