//! Providers asked about sellers' shipments: the seller's keys per provider, sealed at rest; which
//! provider a shipment is polled from; and the poll schedule, taken under a lease so that no
//! two instances poll one shipment at once and a crashed instance's lease simply expires.

use super::lease::Queue;
use super::seller_id::SellerId;
use super::{Store, StoreError};
use crate::provider::{Keys, Provider};
use sqlx::Row;

/// A shipment due to be polled, taken by this instance.
#[derive(Debug, Clone, PartialEq)]
pub struct DuePoll {
    /// The shipment's row.
    pub id: i64,
    /// Its seller.
    pub seller: SellerId,
    /// The number the provider knows it by.
    pub number: String,
    /// Who to ask.
    pub provider: Provider,
    /// The seller's keys there; `None` if the seller has none (any more).
    pub keys: Option<Keys>,
    /// Failures in a row before this poll.
    pub failures: u32,
}

/// The stored source of a shipment the seller said is polled from nowhere.
const NONE: &str = "none";

/// The shipments polled from a carrier, most overdue first.
const POLLS: Queue = Queue {
    find: "SELECT id FROM shipments
           WHERE source IS NOT NULL AND next_poll_ms <= $1
             AND (poll_leased_until_ms IS NULL OR poll_leased_until_ms < $1)
           ORDER BY next_poll_ms, id LIMIT 1",
    take: "UPDATE shipments SET poll_leased_until_ms = $1
           WHERE id = $2 AND next_poll_ms <= $3
             AND (poll_leased_until_ms IS NULL OR poll_leased_until_ms < $3)
           RETURNING id, seller_id, tracking_number, ozon_posting, source, poll_failures",
};

/// What a seller's keys for a provider are sealed to: moved to another row, they do not open.
fn keys_context(seller: SellerId, provider: Provider) -> String {
    format!("source {} {}", provider.as_str(), seller.0)
}

impl Store {
    /// A shipment by its row, as stored.
    ///
    /// # Errors
    /// `StoreError` if the database fails or there is no such row.
    pub async fn shipment_by_id(&self, id: i64) -> Result<trackline_core::Shipment, StoreError> {
        let mut connection = self.pool.acquire().await?;
        super::shipment_rows::load(&mut connection, id).await
    }

    /// Keeps the seller's keys for `provider`, sealed; `None` forgets them.
    ///
    /// # Errors
    /// `StoreError::SecretKeyMissing` or `Secret` when they cannot be sealed; others if the database fails.
    pub async fn set_source_keys(
        &self,
        seller: SellerId,
        provider: Provider,
        keys: Option<&Keys>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // New keys (or none) are not the ones refused.
        sqlx::query("DELETE FROM key_refusals WHERE seller_id = $1 AND provider = $2")
            .bind(seller.0)
            .bind(provider.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM source_keys WHERE seller_id = $1 AND provider = $2")
            .bind(seller.0)
            .bind(provider.as_str())
            .execute(&mut *tx)
            .await?;
        if let Some(keys) = keys {
            let plain = serde_json::to_string(keys)?;
            let sealed = self
                .secret_key()?
                .seal(&plain, &keys_context(seller, provider))
                .map_err(StoreError::Secret)?;
            sqlx::query(
                "INSERT INTO source_keys (seller_id, provider, sealed) VALUES ($1, $2, $3)",
            )
            .bind(seller.0)
            .bind(provider.as_str())
            .bind(sealed)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The seller's keys for `provider`, if it gave some.
    ///
    /// # Errors
    /// `StoreError` if the database fails or the keys do not open with this server's key.
    pub async fn source_keys(
        &self,
        seller: SellerId,
        provider: Provider,
    ) -> Result<Option<Keys>, StoreError> {
        let sealed: Option<String> = sqlx::query_scalar(
            "SELECT sealed FROM source_keys WHERE seller_id = $1 AND provider = $2",
        )
        .bind(seller.0)
        .bind(provider.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let plain = self
            .secret_key()?
            .open(&sealed, &keys_context(seller, provider))
            .map_err(StoreError::Secret)?;
        let keys: Keys = serde_json::from_str(&plain)?;
        Ok(keys.fit(provider).then_some(keys))
    }

    /// The providers the seller has given keys for.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn providers_with_keys(&self, seller: SellerId) -> Result<Vec<Provider>, StoreError> {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT provider FROM source_keys WHERE seller_id = $1")
                .bind(seller.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(names
            .iter()
            .filter_map(|name| Provider::from_wire(name))
            .collect())
    }

    /// The rows of the seller's shipments with the tracking number `number` polled from `provider`.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn polled_with_number(
        &self,
        seller: SellerId,
        provider: Provider,
        number: &str,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM shipments
             WHERE seller_id = $1 AND source = $2 AND tracking_number = $3",
        )
        .bind(seller.0)
        .bind(provider.as_str())
        .bind(number)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Polls the seller's shipment under `reference` from `provider` from `now` on (ms), or
    /// never (`None`, kept as `none`, so that no number chooses one for it later). `false` if
    /// the seller has no such shipment.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn attach_source(
        &self,
        seller: SellerId,
        reference: &str,
        provider: Option<Provider>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE shipments SET source = $1, next_poll_ms = $2, poll_failures = 0
             WHERE seller_id = $3 AND reference = $4",
        )
        .bind(provider.map_or(NONE, Provider::as_str))
        .bind(provider.map(|_| now))
        .bind(seller.0)
        .bind(reference)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(updated > 0)
    }

    /// Where the seller's shipment under `reference` is polled from: `None` when none was
    /// chosen yet (its number may choose one), `Some(None)` when the seller said none.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn source_of(
        &self,
        seller: SellerId,
        reference: &str,
    ) -> Result<Option<Option<Provider>>, StoreError> {
        let source: Option<Option<String>> = sqlx::query_scalar(
            "SELECT source FROM shipments WHERE seller_id = $1 AND reference = $2",
        )
        .bind(seller.0)
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?;
        Ok(source.flatten().map(|source| Provider::from_wire(&source)))
    }

    /// Takes the shipment most overdue for a poll at `now` for `lease_ms`; no other instance
    /// takes it meanwhile. `None` when nothing is due.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn claim_poll(&self, now: i64, lease_ms: i64) -> Result<Option<DuePoll>, StoreError> {
        let Some(row) = POLLS.lease(&self.pool, now, lease_ms).await? else {
            return Ok(None);
        };
        match self.due_poll(&row, now).await? {
            Some(due) => Ok(Some(due)),
            // Nothing to ask with: it was taken off the schedule; look for the next.
            None => Box::pin(self.claim_poll(now, lease_ms)).await,
        }
    }

    /// Takes the shipment `id` for `lease_ms` to poll it at once for a buyer who looks it up,
    /// if it is polled at all, was last answered for before `answered_before`, is not waiting
    /// out a failing provider's backoff, and no instance holds it. `None` otherwise.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn claim_poll_of(
        &self,
        id: i64,
        now: i64,
        lease_ms: i64,
        answered_before: i64,
    ) -> Result<Option<DuePoll>, StoreError> {
        let taken = sqlx::query(&format!(
            "UPDATE shipments SET poll_leased_until_ms = $1
             WHERE id = $2 AND source IS NOT NULL AND source <> '{NONE}'
               AND next_poll_ms IS NOT NULL
               AND (poll_failures = 0 OR next_poll_ms <= $3)
               AND (polled_at_ms IS NULL OR polled_at_ms < $4)
               AND (poll_leased_until_ms IS NULL OR poll_leased_until_ms < $3)
             RETURNING id, seller_id, tracking_number, ozon_posting, source, poll_failures"
        ))
        .bind(now.saturating_add(lease_ms))
        .bind(id)
        .bind(now)
        .bind(answered_before)
        .fetch_optional(&self.pool)
        .await?;
        match taken {
            Some(row) => self.due_poll(&row, now).await,
            None => Ok(None),
        }
    }

    /// The poll a claimed row stands for; `None`, and taken off the schedule, when it has no
    /// number or no provider this build knows.
    async fn due_poll(
        &self,
        row: &sqlx::any::AnyRow,
        now: i64,
    ) -> Result<Option<DuePoll>, StoreError> {
        let id: i64 = row.try_get("id")?;
        let seller = SellerId(row.try_get("seller_id")?);
        let provider = row
            .try_get::<Option<String>, _>("source")?
            .as_deref()
            .and_then(Provider::from_wire);
        // Ozon knows a posting by its posting number; carriers by their tracking number.
        let number: Option<String> = match provider {
            Some(Provider::Ozon) => row.try_get("ozon_posting")?,
            _ => row.try_get("tracking_number")?,
        };
        let (Some(number), Some(provider)) = (number, provider) else {
            // Rather than take it again and again.
            self.poll_scheduled(id, None, 0, now).await?;
            return Ok(None);
        };
        Ok(Some(DuePoll {
            id,
            seller,
            number,
            provider,
            keys: match provider {
                Provider::Ozon => {
                    self.ozon_credentials(seller)
                        .await?
                        .map(|credentials| Keys::Client {
                            client_id: credentials.client_id,
                            client_secret: credentials.api_key,
                        })
                }
                _ => self.source_keys(seller, provider).await?,
            },
            failures: u32::try_from(row.try_get::<i32, _>("poll_failures")?).unwrap_or(0),
        }))
    }

    /// Takes the next turn, at `now` (ms) or later, to ask `provider` with the seller's account,
    /// `interval_ms` after the turn before it, whichever instance took that: the moment this
    /// request may go. Providers limit how fast one account asks, not one machine.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn take_turn(
        &self,
        provider: Provider,
        seller: SellerId,
        now: i64,
        interval_ms: i64,
    ) -> Result<i64, StoreError> {
        // One statement, so that two instances taking a turn at once get two turns: the
        // conflicting row is locked while it is updated.
        let next: i64 = sqlx::query_scalar(
            "INSERT INTO source_pace (provider, seller_id, next_ms) VALUES ($1, $2, $3 + $4)
             ON CONFLICT (provider, seller_id) DO UPDATE
             SET next_ms = (CASE WHEN source_pace.next_ms > $3 THEN source_pace.next_ms ELSE $3 END) + $4
             RETURNING next_ms",
        )
        .bind(provider.as_str())
        .bind(seller.0)
        .bind(now)
        .bind(interval_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(next - interval_ms)
    }

    /// Puts off a poll that was taken until `next` (ms), releasing its lease; nothing else
    /// changes (it was not asked).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn poll_put_off(&self, id: i64, next: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE shipments SET next_poll_ms = $1, poll_leased_until_ms = NULL WHERE id = $2",
        )
        .bind(next)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets when a shipment is polled next (`None`: no more), with its failures in a row, and
    /// releases its lease; `polled_at` is when the provider last answered.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn poll_scheduled(
        &self,
        id: i64,
        next: Option<i64>,
        failures: u32,
        polled_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE shipments SET next_poll_ms = $1, poll_failures = $2, poll_leased_until_ms = NULL,
                                  polled_at_ms = CASE WHEN $2 = 0 THEN $3 ELSE polled_at_ms END
             WHERE id = $4",
        )
        .bind(next)
        .bind(i32::try_from(failures).unwrap_or(i32::MAX))
        .bind(polled_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
