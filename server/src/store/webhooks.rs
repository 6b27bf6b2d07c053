//! Sellers' webhook subscriptions and their deliveries: queued in the transaction of the change
//! they tell of, leased to one instance at a time, and logged attempt by attempt.

use super::lease::{self, Listing, Place, Queue, Waiting};
use super::seller_id::SellerId;
use super::{new_id, now_ms, now_rfc3339, Store, StoreError};
use crate::caps::Cap;
use crate::change::tells::Kind;
use sqlx::{AnyConnection, Row};

/// The deliveries waiting to be posted, most overdue first.
const DELIVERIES: Queue = Queue {
    find: "SELECT id FROM webhook_deliveries
           WHERE state = 'pending' AND next_attempt_ms <= $1
             AND (leased_until_ms IS NULL OR leased_until_ms < $1)
           ORDER BY next_attempt_ms, id LIMIT 1",
    take: "UPDATE webhook_deliveries SET leased_until_ms = $1, attempts = attempts + 1
           WHERE id = $2 AND state = 'pending'
             AND (leased_until_ms IS NULL OR leased_until_ms < $3)
           RETURNING id, webhook_id, kind, body, attempts, queued_at_ms",
};

/// The delivery most due of each receiver, due and free, where it goes, in queue order
/// (`lease::waiting`): one receiver's backlog is one row, so a page reaches the other receivers.
/// The first due, whoever's; or at most `$5` of each seller's, from each receiver's most due
/// (one probe a receiver, through `webhook_deliveries_pending`: a seller has at most 20).
const WAITING: Listing = Listing {
    first: "SELECT d.id, w.url AS destination, w.seller_id, d.next_attempt_ms AS due_ms
     FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
     WHERE d.state = 'pending' AND d.next_attempt_ms <= $1
       AND (d.leased_until_ms IS NULL OR d.leased_until_ms < $1)
       AND (d.next_attempt_ms > $2 OR (d.next_attempt_ms = $2 AND d.id > $3))
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                       WHERE e.webhook_id = d.webhook_id AND e.state = 'pending'
                         AND e.next_attempt_ms <= $1
                         AND (e.leased_until_ms IS NULL OR e.leased_until_ms < $1)
                         AND (e.next_attempt_ms < d.next_attempt_ms
                              OR (e.next_attempt_ms = d.next_attempt_ms AND e.id < d.id)))
     ORDER BY d.next_attempt_ms, d.id LIMIT $4",
    fair: "SELECT id, destination, seller_id, due_ms FROM (
         SELECT d.id, h.url AS destination, h.seller_id, d.next_attempt_ms AS due_ms,
                ROW_NUMBER() OVER (PARTITION BY h.seller_id
                                   ORDER BY d.next_attempt_ms, d.id) AS nth
         FROM (SELECT w.url, w.seller_id,
                      (SELECT e.id FROM webhook_deliveries e
                       WHERE e.webhook_id = w.id AND e.state = 'pending'
                         AND e.next_attempt_ms <= $1
                         AND (e.leased_until_ms IS NULL OR e.leased_until_ms < $1)
                       ORDER BY e.next_attempt_ms, e.id LIMIT 1) AS head
               FROM webhooks w) h
         JOIN webhook_deliveries d ON d.id = h.head
         WHERE d.next_attempt_ms > $2 OR (d.next_attempt_ms = $2 AND d.id > $3)
     ) ranked
     WHERE nth <= $5
     ORDER BY due_ms, id LIMIT $4",
};

/// A subscription as its seller sees it: everything but the secret, which is shown once.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// Its id.
    pub id: i64,
    /// Where deliveries go.
    pub url: String,
    /// What it hears of.
    pub kinds: Vec<Kind>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// While a rotated secret still signs beside the new one: until when (ms since the epoch).
    pub previous_secret_until_ms: Option<i64>,
}

/// A delivery taken to be sent: where to, what, and the secrets that sign it (newest first).
#[derive(Debug, Clone, PartialEq)]
pub struct DueDelivery {
    /// The delivery's id.
    pub id: i64,
    /// The seller whose receiver it goes to.
    pub seller: super::seller_id::SellerId,
    /// The receiver.
    pub url: String,
    /// Its kind, for the header.
    pub kind: String,
    /// The JSON sent.
    pub body: String,
    /// Tries so far, this one included.
    pub attempts: u32,
    /// When it was queued (ms).
    pub queued_at_ms: i64,
    /// The secrets in use: the current one, and a rotated one while it overlaps.
    pub secrets: Vec<String>,
}

/// How one try of a delivery went.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// When it was sent (ms).
    pub at_ms: i64,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why there was no answer, or what was wrong with it.
    pub error: Option<String>,
    /// How long it took (ms).
    pub duration_ms: i64,
}

/// What becomes of a delivery after a try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Acknowledged (a 2xx): never sent again unless replayed.
    Delivered,
    /// Tried again at this time (ms).
    RetryAt(i64),
    /// Tried for long enough.
    Failed,
}

/// One delivery and its tries, as the seller's log shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryLog {
    /// Its id.
    pub id: i64,
    /// What it tells of.
    pub kind: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    /// When it was queued (ms).
    pub queued_at_ms: i64,
    /// When it is tried next, while pending (ms).
    pub next_attempt_ms: Option<i64>,
    /// Its tries, oldest first.
    pub attempts: Vec<Attempt>,
}

/// A new signing secret: 32 random bytes, hex, with a prefix that makes a leaked one recognisable.
fn new_secret() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!(
        "whsec_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// What a subscription's secret is sealed to: a sealed secret moved to another row does not open.
fn secret_context(webhook: i64) -> String {
    format!("webhook {webhook}")
}

/// The kinds a subscription's row names.
pub(crate) fn kinds_from(text: &str) -> Vec<Kind> {
    text.split_whitespace()
        .filter_map(Kind::from_wire)
        .collect()
}

fn webhook_from(row: &sqlx::any::AnyRow) -> Result<Webhook, StoreError> {
    let until: Option<i64> = row.try_get("previous_until_ms")?;
    Ok(Webhook {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        kinds: kinds_from(&row.try_get::<String, _>("kinds")?),
        created_at: row.try_get("created_at")?,
        previous_secret_until_ms: until.filter(|until| *until > now_ms()),
    })
}

impl Store {
    /// The shipments whose sellers hear of `gone_stale` that might have gone stale: under a
    /// reference, not delivered, returned or cancelled. Whether each has, and since when, is
    /// decided by the caller.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn stale_candidates(&self) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM shipments
             WHERE reference IS NOT NULL AND stage <> 'delivered'
               AND (exception IS NULL OR exception NOT IN ('returned', 'cancelled'))
               AND seller_id IN (SELECT seller_id FROM webhooks WHERE kinds LIKE '%gone_stale%')",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Subscribes `url` to `kinds` of the seller's shipments; returns the subscription and its
    /// signing secret, which is shown this once.
    ///
    /// # Errors
    /// `Full(WebhooksPerSeller)` when the seller has as many as the cap; `StoreError::Secret`
    /// when the server has no secret key to seal it with; others if the database fails.
    pub async fn add_webhook(
        &self,
        seller: SellerId,
        url: &str,
        kinds: &[Kind],
    ) -> Result<(Webhook, String), StoreError> {
        let id = new_id()?;
        let secret = new_secret()?;
        let sealed = self
            .secret_key()?
            .seal(&secret, &secret_context(id))
            .map_err(StoreError::Secret)?;
        let kinds = kinds.iter().map(|kind| kind.as_str()).collect::<Vec<_>>();
        let created_at = now_rfc3339();
        let mut tx = self.begin_write().await?;
        // Counted and added in one transaction, the seller's row held: parallel requests
        // cannot each see room for one more.
        self.hold_row(&mut tx, "sellers", seller.0).await?;
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhooks WHERE seller_id = $1")
            .bind(seller.0)
            .fetch_one(&mut *tx)
            .await?;
        if held >= Cap::WebhooksPerSeller.limit() {
            return Err(StoreError::Full(Cap::WebhooksPerSeller));
        }
        sqlx::query(
            "INSERT INTO webhooks (id, seller_id, url, kinds, secret, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(seller.0)
        .bind(url)
        .bind(kinds.join(" "))
        .bind(sealed)
        .bind(&created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let webhook = Webhook {
            id,
            url: url.to_owned(),
            kinds: kinds
                .iter()
                .filter_map(|kind| Kind::from_wire(kind))
                .collect(),
            created_at,
            previous_secret_until_ms: None,
        };
        Ok((webhook, secret))
    }

    /// The seller's subscriptions, oldest first.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn webhooks(&self, seller: SellerId) -> Result<Vec<Webhook>, StoreError> {
        sqlx::query(
            "SELECT id, url, kinds, created_at, previous_until_ms FROM webhooks
             WHERE seller_id = $1 ORDER BY created_at, id",
        )
        .bind(seller.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(webhook_from)
        .collect()
    }

    /// Ends a subscription of the seller's, and its queued deliveries; `false` if it has none such.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn remove_webhook(&self, seller: SellerId, id: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        // Children first: not every database enforces ON DELETE CASCADE without being asked.
        sqlx::query(
            "DELETE FROM webhook_attempts WHERE delivery_id IN
             (SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
              WHERE w.id = $1 AND w.seller_id = $2)",
        )
        .bind(id)
        .bind(seller.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM webhook_deliveries WHERE webhook_id IN
             (SELECT id FROM webhooks WHERE id = $1 AND seller_id = $2)",
        )
        .bind(id)
        .bind(seller.0)
        .execute(&mut *tx)
        .await?;
        let removed = sqlx::query("DELETE FROM webhooks WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(removed > 0)
    }

    /// Gives a subscription a new secret, shown this once; the old one goes on signing beside it
    /// for `overlap_ms`, so that receivers can switch without losing a delivery. `None` if the
    /// seller has no such subscription.
    ///
    /// # Errors
    /// `StoreError::Secret` without a secret key; others if the database fails.
    pub async fn rotate_webhook_secret(
        &self,
        seller: SellerId,
        id: i64,
        overlap_ms: i64,
    ) -> Result<Option<(Webhook, String)>, StoreError> {
        let key = self.secret_key()?;
        let secret = new_secret()?;
        let sealed = key
            .seal(&secret, &secret_context(id))
            .map_err(StoreError::Secret)?;
        let updated = sqlx::query(
            "UPDATE webhooks SET previous_secret = secret, previous_until_ms = $1, secret = $2
             WHERE id = $3 AND seller_id = $4",
        )
        .bind(now_ms().saturating_add(overlap_ms))
        .bind(sealed)
        .bind(id)
        .bind(seller.0)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(None);
        }
        let webhook = self
            .webhooks(seller)
            .await?
            .into_iter()
            .find(|webhook| webhook.id == id);
        Ok(webhook.map(|webhook| (webhook, secret)))
    }

    /// A subscription's newest deliveries (at most `limit`) with their tries; `None` if the
    /// seller has no such subscription.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn webhook_deliveries(
        &self,
        seller: SellerId,
        webhook: i64,
        limit: i64,
    ) -> Result<Option<Vec<DeliveryLog>>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        if !owns(&mut connection, seller, webhook).await? {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT id, kind, state, queued_at_ms, next_attempt_ms FROM webhook_deliveries
             WHERE webhook_id = $1 ORDER BY queued_at_ms DESC, id DESC LIMIT $2",
        )
        .bind(webhook)
        .bind(limit)
        .fetch_all(&mut *connection)
        .await?;
        let mut log = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let state: String = row.try_get("state")?;
            let attempts = sqlx::query(
                "SELECT at_ms, status, error, duration_ms FROM webhook_attempts
                 WHERE delivery_id = $1 ORDER BY at_ms, id",
            )
            .bind(id)
            .fetch_all(&mut *connection)
            .await?
            .iter()
            .map(|try_| {
                Ok(Attempt {
                    at_ms: try_.try_get("at_ms")?,
                    status: try_
                        .try_get::<Option<i32>, _>("status")?
                        .and_then(|status| u16::try_from(status).ok()),
                    error: try_.try_get("error")?,
                    duration_ms: try_.try_get("duration_ms")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
            log.push(DeliveryLog {
                id,
                kind: row.try_get("kind")?,
                next_attempt_ms: (state == "pending")
                    .then(|| row.try_get("next_attempt_ms"))
                    .transpose()?,
                state,
                queued_at_ms: row.try_get("queued_at_ms")?,
                attempts,
            });
        }
        Ok(Some(log))
    }

    /// Sends a delivery of the seller's again, as new: now, and tried for another day. `false`
    /// if the seller has no such delivery.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn replay_delivery(
        &self,
        seller: SellerId,
        webhook: i64,
        delivery: i64,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let replayed = sqlx::query(
            "UPDATE webhook_deliveries
             SET state = 'pending', attempts = 0, queued_at_ms = $1, next_attempt_ms = $1, leased_until_ms = NULL
             WHERE id = $2 AND webhook_id = $3
               AND webhook_id IN (SELECT id FROM webhooks WHERE seller_id = $4)",
        )
        .bind(now)
        .bind(delivery)
        .bind(webhook)
        .bind(seller.0)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(replayed > 0)
    }

    /// Up to `limit` deliveries due at `now` and free, the most due of each receiver, after
    /// `after` in queue order, at most `per_seller` of one seller's; none is taken
    /// (`take_delivery` takes one).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn waiting_deliveries(
        &self,
        now: i64,
        after: Option<Place>,
        limit: i64,
        per_seller: i64,
    ) -> Result<Vec<Waiting>, StoreError> {
        Ok(lease::waiting(&self.pool, &WAITING, now, after, limit, per_seller).await?)
    }

    /// Takes the delivery `id` for this instance for `lease_ms` if it is still due and free at
    /// `now`: no other instance takes it until the lease ends (a crashed instance's lease simply
    /// expires); `None` when another instance took it first.
    ///
    /// # Errors
    /// `StoreError` if the database fails, or a secret does not open.
    pub async fn take_delivery(
        &self,
        id: i64,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<DueDelivery>, StoreError> {
        match DELIVERIES.lease_row(&self.pool, id, now, lease_ms).await? {
            Some(row) => Ok(Some(self.due_of(&row, now).await?)),
            None => Ok(None),
        }
    }

    /// A leased delivery's row with what it needs to be sent: its receiver and open secrets.
    async fn due_of(&self, row: &sqlx::any::AnyRow, now: i64) -> Result<DueDelivery, StoreError> {
        let webhook: i64 = row.try_get("webhook_id")?;
        let subscription = sqlx::query(
            "SELECT url, secret, previous_secret, previous_until_ms, seller_id FROM webhooks WHERE id = $1",
        )
        .bind(webhook)
        .fetch_one(&self.pool)
        .await?;
        let key = self.secret_key()?;
        let open = |sealed: &str| {
            key.open(sealed, &secret_context(webhook))
                .map_err(StoreError::Secret)
        };
        let mut secrets = vec![open(&subscription.try_get::<String, _>("secret")?)?];
        let previous: Option<String> = subscription.try_get("previous_secret")?;
        let until: Option<i64> = subscription.try_get("previous_until_ms")?;
        if let (Some(previous), Some(until)) = (previous, until) {
            if until > now {
                secrets.push(open(&previous)?);
            }
        }
        Ok(DueDelivery {
            id: row.try_get("id")?,
            seller: super::seller_id::SellerId(subscription.try_get("seller_id")?),
            url: subscription.try_get("url")?,
            kind: row.try_get("kind")?,
            body: row.try_get("body")?,
            attempts: u32::try_from(row.try_get::<i32, _>("attempts")?).unwrap_or(0),
            queued_at_ms: row.try_get("queued_at_ms")?,
            secrets,
        })
    }

    /// Logs a try of a delivery and says what becomes of it; a delivery already acknowledged
    /// (by another instance whose lease had run out) stays acknowledged.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn record_attempt(
        &self,
        delivery: i64,
        attempt: &Attempt,
        next: Next,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO webhook_attempts (id, delivery_id, at_ms, status, error, duration_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id()?)
        .bind(delivery)
        .bind(attempt.at_ms)
        .bind(attempt.status.map(i32::from))
        .bind(&attempt.error)
        .bind(attempt.duration_ms)
        .execute(&mut *tx)
        .await?;
        let (state, next_attempt) = match next {
            Next::Delivered => ("delivered", None),
            Next::RetryAt(at) => ("pending", Some(at)),
            Next::Failed => ("failed", None),
        };
        sqlx::query(
            "UPDATE webhook_deliveries
             SET state = $1, next_attempt_ms = COALESCE($2, next_attempt_ms), leased_until_ms = NULL
             WHERE id = $3 AND state = 'pending'",
        )
        .bind(state)
        .bind(next_attempt)
        .bind(delivery)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Whether `webhook` is one of the seller's subscriptions.
async fn owns(
    connection: &mut AnyConnection,
    seller: SellerId,
    webhook: i64,
) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM webhooks WHERE id = $1 AND seller_id = $2")
            .bind(webhook)
            .bind(seller.0)
            .fetch_optional(&mut *connection)
            .await?;
    Ok(found.is_some())
}
