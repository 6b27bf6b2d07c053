//! What the store forgets once nobody can ask for it again, so that a server run for years
//! keeps the rows it serves and not every one it ever wrote.

use super::{duration_ms, Store, StoreError};
use std::time::Duration;

/// How long a seller's `Idempotency-Key` replays its first answer: a day, as the payment APIs
/// that made the header common keep theirs. A retry later than that is a new request.
pub const IDEMPOTENCY_KEYS_FOR: Duration = Duration::from_secs(24 * 3600);

/// How long a delivery that ended (acknowledged, or given up on after a day) stays in its
/// receiver's log and can be replayed. One still being tried is never forgotten.
pub const SETTLED_DELIVERIES_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// How long a seller's daily counts are kept: a year to compare with, and a month more.
pub const DAILY_COUNTS_FOR: Duration = Duration::from_secs(400 * 24 * 3600);

/// Rows forgotten in one statement at most: a store that ran for years before this sweep
/// existed is emptied in many short transactions, not one that holds it for minutes.
const BATCH: i64 = 1000;

/// How many rows of each kind one sweep forgot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// Idempotency keys older than `IDEMPOTENCY_KEYS_FOR`.
    pub idempotency_keys: u64,
    /// Settled webhook deliveries older than `SETTLED_DELIVERIES_FOR`, with their tries.
    pub deliveries: u64,
    /// Wrong second-factor replies older than the lockout's window.
    pub wrong_replies: u64,
    /// Buyers' push subscriptions older than `caps::PUSH_SUBSCRIPTION_LIFETIME`, with their messages.
    pub push_subscriptions: u64,
    /// Sellers' daily counts older than `DAILY_COUNTS_FOR`.
    pub daily_counts: u64,
}

impl Forgotten {
    /// All rows forgotten; zero once there is nothing left to forget.
    pub fn total(self) -> u64 {
        self.idempotency_keys
            + self.deliveries
            + self.wrong_replies
            + self.push_subscriptions
            + self.daily_counts
    }
}

impl Store {
    /// Forgets, as of `now` (ms), at most a batch of each kind of row that has outlived its
    /// use; call again while it forgets any. Instances that sweep at once do each other no harm.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn forget_expired(&self, now: i64) -> Result<Forgotten, StoreError> {
        let keys_before = trackline_core::time::format_rfc3339(
            now.saturating_sub(duration_ms(IDEMPOTENCY_KEYS_FOR)),
        );
        let idempotency_keys = sqlx::query(
            "DELETE FROM idempotency_keys WHERE (seller_id, idempotency_key) IN
             (SELECT seller_id, idempotency_key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
        )
        .bind(keys_before)
        .bind(BATCH)
        .execute(&self.pool)
        .await?
        .rows_affected();

        // Tries first, of the same deliveries (the same order, in one transaction): not every
        // database enforces ON DELETE CASCADE without being asked.
        let settled = "SELECT id FROM webhook_deliveries
             WHERE state <> 'pending' AND queued_at_ms < $1 ORDER BY id LIMIT $2";
        let deliveries_before = now.saturating_sub(duration_ms(SETTLED_DELIVERIES_FOR));
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!(
            "DELETE FROM webhook_attempts WHERE delivery_id IN ({settled})"
        ))
        .bind(deliveries_before)
        .bind(BATCH)
        .execute(&mut *tx)
        .await?;
        let deliveries = sqlx::query(&format!(
            "DELETE FROM webhook_deliveries WHERE id IN ({settled})"
        ))
        .bind(deliveries_before)
        .bind(BATCH)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;

        // Few: only the counters of keys that never replied again after their window.
        let wrong_replies = sqlx::query("DELETE FROM second_factor_failures WHERE ends_ms <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?
            .rows_affected();

        // A subscription on a parcel that is never delivered (so never given an end) ends by
        // its age; its messages first, as the deliveries' tries above.
        let old = "SELECT id FROM push_subscriptions WHERE created_ms < $1 ORDER BY id LIMIT $2";
        let subscribed_before =
            now.saturating_sub(duration_ms(crate::caps::PUSH_SUBSCRIPTION_LIFETIME));
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!(
            "DELETE FROM push_messages WHERE subscription_id IN ({old})"
        ))
        .bind(subscribed_before)
        .bind(BATCH)
        .execute(&mut *tx)
        .await?;
        let push_subscriptions = sqlx::query(&format!(
            "DELETE FROM push_subscriptions WHERE id IN ({old})"
        ))
        .bind(subscribed_before)
        .bind(BATCH)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;

        // Days are ISO dates, which sort as text.
        let counted_before = trackline_core::time::format_date(
            now.saturating_sub(duration_ms(DAILY_COUNTS_FOR))
                .div_euclid(86_400_000),
        );
        let daily_counts = sqlx::query(
            "DELETE FROM daily_counts WHERE day < $1 AND (seller_id, day, name) IN
             (SELECT seller_id, day, name FROM daily_counts WHERE day < $1 LIMIT $2)",
        )
        .bind(counted_before)
        .bind(BATCH)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(Forgotten {
            idempotency_keys,
            deliveries,
            wrong_replies,
            push_subscriptions,
            daily_counts,
        })
    }
}

/// How long the console's rows are of use, as `console_auth` decides: the store takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsoleAges {
    /// A session unused this long is over.
    pub session_idle: Duration,
    /// A session this old is over, however used.
    pub session_lasts: Duration,
    /// A device cookie this old is no longer taken.
    pub device_lasts: Duration,
}

/// How many of the console's rows one sweep forgot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsoleForgotten {
    /// Wrong-password counters whose window ended.
    pub wrong_passwords: u64,
    /// Sessions past their idle or absolute expiry.
    pub sessions: u64,
    /// Invitations used or expired.
    pub invitations: u64,
    /// Passkey ceremonies expired (never finished).
    pub ceremonies: u64,
    /// Device cookies too old to be taken.
    pub devices: u64,
}

impl ConsoleForgotten {
    /// All rows forgotten; zero once there is nothing left to forget.
    pub fn total(self) -> u64 {
        self.wrong_passwords + self.sessions + self.invitations + self.ceremonies + self.devices
    }
}

impl Store {
    /// Forgets, as of `now` (ms), at most a batch of each kind of the console's rows that has
    /// outlived its use by `ages`; call again while it forgets any.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn forget_console(
        &self,
        now: i64,
        ages: ConsoleAges,
    ) -> Result<ConsoleForgotten, StoreError> {
        // Each condition is said again outside the batch's `IN`: PostgreSQL re-checks only the
        // outer WHERE against a row changed while the DELETE waited for it, so a counter
        // restarted (or a session used) meanwhile would go on the old row's say-so.
        let wrong_passwords = sqlx::query(
            "DELETE FROM sign_in_failures WHERE ends_ms <= $1 AND (against, subject) IN
             (SELECT against, subject FROM sign_in_failures WHERE ends_ms <= $1 LIMIT $2)",
        )
        .bind(now)
        .bind(BATCH)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let sessions = sqlx::query(
            "DELETE FROM member_sessions WHERE (seen_ms <= $1 OR created_ms <= $2) AND id IN
             (SELECT id FROM member_sessions WHERE seen_ms <= $1 OR created_ms <= $2 LIMIT $3)",
        )
        .bind(now.saturating_sub(duration_ms(ages.session_idle)))
        .bind(now.saturating_sub(duration_ms(ages.session_lasts)))
        .bind(BATCH)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let invitations = sqlx::query(
            "DELETE FROM member_invitations WHERE id IN (SELECT id FROM member_invitations
             WHERE used_ms IS NOT NULL OR expires_ms <= $1 LIMIT $2)",
        )
        .bind(now)
        .bind(BATCH)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let ceremonies = sqlx::query(
            "DELETE FROM passkey_ceremonies WHERE id IN
             (SELECT id FROM passkey_ceremonies WHERE expires_ms <= $1 LIMIT $2)",
        )
        .bind(now)
        .bind(BATCH)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let devices = sqlx::query(
            "DELETE FROM member_devices WHERE created_ms <= $1 AND token_hash IN
             (SELECT token_hash FROM member_devices WHERE created_ms <= $1 LIMIT $2)",
        )
        .bind(now.saturating_sub(duration_ms(ages.device_lasts)))
        .bind(BATCH)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(ConsoleForgotten {
            wrong_passwords,
            sessions,
            invitations,
            ceremonies,
            devices,
        })
    }
}
