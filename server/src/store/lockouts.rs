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

/// Where wrong tries are counted: the table, and the seller its rows belong to if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Counter {
    /// `second_factor_failures`: wrong replies, per key within a seller.
    SecondFactor(SellerId),
    /// `sign_in_failures`: wrong passwords, per key on the whole server (a sign-in names no
    /// seller until it succeeds).
    SignIn,
}

impl Counter {
    /// The table, its key's columns, and the placeholders of those columns' values (`$1` the
    /// kind, `$2` the subject, `$7` the seller where there is one).
    fn table(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Counter::SecondFactor(_) => (
                "second_factor_failures",
                "shop_id, against, subject",
                "$7, $1, $2",
            ),
            Counter::SignIn => ("sign_in_failures", "against, subject", "$1, $2"),
        }
    }

    fn seller(self) -> Option<i64> {
        match self {
            Counter::SecondFactor(seller) => Some(seller.0),
            Counter::SignIn => None,
        }
    }
}

impl Store {
    /// Checks that every tally has room at `now` and, when the try is `wrong`, counts it
    /// against all of them, in one transaction: each tally's row is upserted only while it has
    /// room (a window that ended starts again at this try), and locked until the end, so that
    /// concurrent tries are counted one after another on PostgreSQL as on SQLite (whose writes
    /// are serial). A right try counts nothing, but waits for the wrong ones counted before it,
    /// and finds a full tally full.
    pub(super) async fn count_against(
        &self,
        counter: Counter,
        tallies: &[Tally],
        wrong: bool,
        now: i64,
    ) -> Result<Counted, StoreError> {
        let (table, keys, values) = counter.table();
        let upsert = format!(
            "INSERT INTO {table} ({keys}, wrong, ends_ms) VALUES ({values}, $3, $4)
             ON CONFLICT ({keys}) DO UPDATE SET
                 wrong = CASE WHEN {table}.ends_ms <= $5 THEN excluded.wrong
                              ELSE {table}.wrong + excluded.wrong END,
                 ends_ms = CASE WHEN {table}.ends_ms <= $5 THEN excluded.ends_ms
                                ELSE {table}.ends_ms END
             WHERE {table}.ends_ms <= $5 OR {table}.wrong < $6
             RETURNING wrong"
        );
        let scope = if counter.seller().is_some() {
            " AND shop_id = $3"
        } else {
            ""
        };
        let ends =
            format!("SELECT ends_ms FROM {table} WHERE against = $1 AND subject = $2{scope}");
        // One order for every transaction, so that two of them never wait for each other.
        let mut order: Vec<usize> = (0..tallies.len()).collect();
        order.sort_by(|a, b| {
            let (a, b) = (&tallies[*a], &tallies[*b]);
            (a.against, &a.subject).cmp(&(b.against, &b.subject))
        });
        let mut tx = self.begin_write().await?;
        for index in order {
            let tally = &tallies[index];
            let mut query = sqlx::query_scalar::<_, i64>(&upsert)
                .bind(tally.against)
                .bind(&tally.subject)
                .bind(i64::from(wrong))
                .bind(now.saturating_add(duration_ms(tally.window)))
                .bind(now)
                .bind(tally.max);
            if let Some(seller) = counter.seller() {
                query = query.bind(seller);
            }
            if query.fetch_optional(&mut *tx).await?.is_some() {
                continue;
            }
            let mut query = sqlx::query_scalar::<_, i64>(&ends)
                .bind(tally.against)
                .bind(&tally.subject);
            if let Some(seller) = counter.seller() {
                query = query.bind(seller);
            }
            let ends_ms = query.fetch_one(&mut *tx).await?;
            tx.rollback().await?;
            let wait = u64::try_from(ends_ms.saturating_sub(now)).unwrap_or(0);
            return Ok(Counted::Full {
                tally: index,
                wait: Duration::from_millis(wait.max(1)),
            });
        }
        tx.commit().await?;
        Ok(Counted::Room)
    }

    /// Counts a second-factor reply in `seller` against `tallies` (`count_against`).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn count_reply(
        &self,
        seller: SellerId,
        tallies: &[Tally],
        wrong: bool,
    ) -> Result<Counted, StoreError> {
        self.count_against(Counter::SecondFactor(seller), tallies, wrong, now_ms())
            .await
    }
}
