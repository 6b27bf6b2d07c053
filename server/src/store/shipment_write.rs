//! One shipment's write, in one transaction: its row read, the rows the caller hands written
//! (the shipment's columns, its events, the webhook deliveries and push messages that tell of
//! the change), then committed, so that a change and what tells of it land together or not at
//! all. What the change means is decided above (`crate::change`); this only reads and writes.

use super::lookup_rules::second_factor_hash;
use super::seller_id::SellerId;
use super::shipment_rows::{insert_events, load, shipment_id, update_shipment, Column};
use super::{new_id, now_rfc3339, Store, StoreError};
use crate::caps::Cap;
use crate::change::message::{Listener, Notice};
use crate::change::tells::{Delivery, Hearer, Subscriber};
use sqlx::{Any, Row, Transaction};
use trackline_core::second_factor::{SecondFactor, SecondFactors};
use trackline_core::{Event, Shipment};

/// A write of one shipment, open until `commit`; dropped, it writes nothing.
#[derive(Debug)]
#[must_use = "a write not committed writes nothing"]
pub struct ShipmentWrite {
    store: Store,
    tx: Transaction<'static, Any>,
    id: i64,
    seller: SellerId,
    reference: Option<String>,
    current: Shipment,
    /// The shipment itself was written (not only what tells of it): copies kept in memory go stale.
    touched: bool,
    /// The seller's webhook subscriptions, once read in this transaction.
    hearers: Option<Vec<Hearer>>,
}

/// Where to keep a response for an `Idempotency-Key` retry: the key, the hash of the request,
/// and the response as the caller will replay it.
#[derive(Debug, Clone, Copy)]
pub struct ReplayRow<'a> {
    /// The client's `Idempotency-Key`.
    pub key: &'a str,
    /// SHA-256 of the request.
    pub request_hash: &'a str,
    /// The status the response had.
    pub status: u16,
    /// Its body.
    pub body: &'a str,
}

impl Store {
    /// Opens a write of the seller's shipment under `reference`; `None` when there is none.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn write_seller_shipment(
        &self,
        seller: SellerId,
        reference: &str,
    ) -> Result<Option<ShipmentWrite>, StoreError> {
        match self.begin_batch(seller).await?.write(reference).await? {
            Held::Found(write) => Ok(Some(*write)),
            Held::Missing(_) => Ok(None),
        }
    }

    /// Opens a transaction for writes of the seller's shipments one after another, committed
    /// together (`Batch::commit`): what a write costs besides its rows (the commit, the
    /// announcement of the change) is paid once for them all.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn begin_batch(&self, seller: SellerId) -> Result<Batch, StoreError> {
        Ok(Batch {
            store: self.clone(),
            tx: self.begin_write().await?,
            seller,
            touched: false,
            hearers: None,
        })
    }

    /// Opens a write of the shipment `id`, whoever's it is (a provider's news, a reminder).
    ///
    /// # Errors
    /// `Gone` when there is no such shipment; `StoreError` if the database fails.
    pub async fn write_shipment(&self, id: i64) -> Result<ShipmentWrite, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT seller_id, reference FROM shipments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::Gone)?;
        self.hold_row(&mut tx, "shipments", id).await?;
        let seller = SellerId(row.try_get("seller_id")?);
        let reference: Option<String> = row.try_get("reference")?;
        let current = load(&mut tx, id).await?;
        Ok(ShipmentWrite {
            store: self.clone(),
            tx,
            id,
            seller,
            reference,
            current,
            touched: false,
            hearers: None,
        })
    }
}

/// Writes of one seller's shipments in one transaction, one shipment at a time: each opens a
/// `ShipmentWrite` over the batch's transaction and hands it back with `ShipmentWrite::release`.
/// Dropped, it writes nothing.
#[derive(Debug)]
#[must_use = "a batch not committed writes nothing"]
pub struct Batch {
    store: Store,
    tx: Transaction<'static, Any>,
    seller: SellerId,
    /// A shipment itself was written by one of the batch's writes.
    touched: bool,
    /// The seller's webhook subscriptions, once a write of the batch read them: the batch's
    /// writes tell the subscriptions there were when it began telling.
    hearers: Option<Vec<Hearer>>,
}

/// The write of a shipment asked for in a batch, or the batch back when there is none.
#[derive(Debug)]
pub enum Held {
    /// The shipment's write, its row held until the batch ends.
    Found(Box<ShipmentWrite>),
    /// The seller has no shipment under that reference (or it was deleted meanwhile).
    Missing(Batch),
}

impl Batch {
    /// The seller whose shipments the batch writes.
    pub fn seller(&self) -> SellerId {
        self.seller
    }

    /// Opens the write of the seller's shipment under `reference` within the batch.
    ///
    /// # Errors
    /// `StoreError` if the database fails; the batch is lost then (nothing of it is written).
    pub async fn write(mut self, reference: &str) -> Result<Held, StoreError> {
        // Held until the commit: two writes of one shipment fold their news one after the other.
        let Some(id) = hold_shipment(&self.store, &mut self.tx, self.seller, reference).await?
        else {
            return Ok(Held::Missing(self));
        };
        let current = load(&mut self.tx, id).await?;
        let write = self.opened(id, Some(reference.to_owned()), current);
        Ok(Held::Found(Box::new(write)))
    }

    /// A write within the batch of the shipment `id`, as `current` holds it.
    pub(crate) fn opened(
        self,
        id: i64,
        reference: Option<String>,
        current: Shipment,
    ) -> ShipmentWrite {
        ShipmentWrite {
            store: self.store,
            tx: self.tx,
            id,
            seller: self.seller,
            reference,
            current,
            touched: self.touched,
            hearers: self.hearers,
        }
    }

    /// The batch's transaction, for the store's own statements.
    pub(crate) fn tx(&mut self) -> &mut Transaction<'static, Any> {
        &mut self.tx
    }

    /// The store it writes to.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Commits every write of the batch, announcing the seller's change where a shipment itself
    /// was written.
    ///
    /// # Errors
    /// `Conflict` if a unique row was written at the same moment; `StoreError` if the database fails.
    pub async fn commit(self) -> Result<(), StoreError> {
        if self.touched {
            self.store
                .commit(self.tx, super::versions::Touched::Seller(self.seller))
                .await
        } else {
            self.tx.commit().await.map_err(StoreError::from_conflict)
        }
    }
}

impl ShipmentWrite {
    /// The write's transaction, for the store's own statements.
    pub(crate) fn tx_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The store it writes to.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Marks the shipment itself as written by the one who opened the write.
    pub(crate) fn touch(&mut self) {
        self.touched = true;
    }

    /// The shipment's row id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Its seller.
    pub fn seller(&self) -> SellerId {
        self.seller
    }

    /// The seller's reference for it, if it has one.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    /// The shipment as it was read when the write opened, or as `reload` last read it.
    pub fn current(&self) -> &Shipment {
        &self.current
    }

    /// Writes `columns` of `shipment` (its history is written by `append_events` or
    /// `replace_events`).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn update(
        &mut self,
        shipment: &Shipment,
        columns: &[Column],
    ) -> Result<(), StoreError> {
        update_shipment(&mut self.tx, self.id, shipment, columns).await?;
        self.touched = true;
        Ok(())
    }

    /// Adds `events` to its history.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn append_events(&mut self, events: &[Event]) -> Result<(), StoreError> {
        insert_events(&mut self.tx, self.id, events).await?;
        self.touched = true;
        Ok(())
    }

    /// Replaces its history with `events`.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn replace_events(&mut self, events: &[Event]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM events WHERE shipment_id = $1")
            .bind(self.id)
            .execute(&mut *self.tx)
            .await?;
        self.append_events(events).await
    }

    /// Keeps its second factors as salted hashes, keyed with the server's key when it has one
    /// (`second_factor_hash`); an absent one clears its hash.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn set_second_factors(&mut self, factors: &SecondFactors) -> Result<(), StoreError> {
        write_second_factors(&mut self.tx, self.id, factors, &self.store).await?;
        self.touched = true;
        Ok(())
    }

    /// Reads the shipment again, as this write has made it so far.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn reload(&mut self) -> Result<&Shipment, StoreError> {
        self.current = load(&mut self.tx, self.id).await?;
        Ok(&self.current)
    }

    /// The seller's webhook subscriptions, at most the cap's, the oldest: one change queues at
    /// most `WebhooksPerSeller × the kinds it is` deliveries, whatever rows came before the cap.
    /// Read once a transaction: a batch's writes tell the same ones.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn hearers(&mut self) -> Result<Vec<Hearer>, StoreError> {
        if let Some(hearers) = &self.hearers {
            return Ok(hearers.clone());
        }
        // Kept from deletion until the write ends (PostgreSQL; SQLite's writers go one at a
        // time): its deliveries are queued under them.
        let lock = match self.store.backend() {
            super::Backend::Postgres => " FOR KEY SHARE",
            super::Backend::Sqlite => "",
        };
        let rows = sqlx::query(&format!(
            "SELECT id, kinds FROM webhooks WHERE seller_id = $1 ORDER BY created_at, id LIMIT $2{lock}"
        ))
        .bind(self.seller.0)
        .bind(Cap::WebhooksPerSeller.limit())
        .fetch_all(&mut *self.tx)
        .await?;
        let hearers = rows
            .iter()
            .map(|row| {
                Ok(Hearer {
                    webhook: row.try_get("id")?,
                    kinds: super::webhooks::kinds_from(&row.try_get::<String, _>("kinds")?),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.hearers = Some(hearers.clone());
        Ok(hearers)
    }

    /// The browsers subscribed to the shipment (or the one subscription named), at most the
    /// cap's, the oldest: one change queues at most `PushPerShipment` messages.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn listeners(&mut self, only: Option<i64>) -> Result<Vec<Listener>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, lang, page, api, number, shows_pickup FROM push_subscriptions
             WHERE shipment_id = $1 ORDER BY created_ms, id LIMIT $2",
        )
        .bind(self.id)
        .bind(Cap::PushPerShipment.limit())
        .fetch_all(&mut *self.tx)
        .await?;
        let mut listeners = Vec::with_capacity(rows.len());
        for row in rows {
            let subscription: i64 = row.try_get("id")?;
            if only.is_some_and(|only| only != subscription) {
                continue;
            }
            listeners.push(Listener {
                subscription,
                subscriber: Subscriber {
                    lang: row.try_get("lang")?,
                    page: row.try_get("page")?,
                    api: row.try_get("api")?,
                    number: row.try_get("number")?,
                },
                shows_pickup: row.try_get::<i64, _>("shows_pickup")? != 0,
            });
        }
        Ok(listeners)
    }

    /// Queues `deliveries`, due at `now` (ms).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn queue_deliveries(
        &mut self,
        deliveries: &[Delivery],
        now: i64,
    ) -> Result<(), StoreError> {
        for delivery in deliveries {
            sqlx::query(
                "INSERT INTO webhook_deliveries
                 (id, webhook_id, kind, body, queued_at_ms, state, attempts, next_attempt_ms, shipment_id)
                 VALUES ($1, $2, $3, $4, $5, 'pending', 0, $5, $6)",
            )
            .bind(delivery.id)
            .bind(delivery.webhook)
            .bind(delivery.kind.as_str())
            .bind(&delivery.body)
            .bind(now)
            .bind(self.id)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Queues `notices`, each after the ones its browser already waits for, due at `now` (ms).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn queue_notices(&mut self, notices: &[Notice], now: i64) -> Result<(), StoreError> {
        for notice in notices {
            sqlx::query(
                "INSERT INTO push_messages
                 (id, subscription_id, body, topic, queued_ms, state, attempts, next_attempt_ms, seq,
                  seller_id)
                 VALUES ($1, $2, $3, $4, $5, 'pending', 0, $5,
                         (SELECT COALESCE(MAX(seq), 0) + 1 FROM push_messages WHERE subscription_id = $2),
                         $6)",
            )
            .bind(new_id()?)
            .bind(notice.subscription)
            .bind(&notice.body)
            .bind(&notice.topic)
            .bind(now)
            .bind(self.seller.0)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Ends every subscription to the shipment at `at` (ms).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn end_subscriptions_at(&mut self, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE push_subscriptions SET ends_ms = $1 WHERE shipment_id = $2")
            .bind(at)
            .bind(self.id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Marks the silence since `since` (ms) as told; `false` when it already was (another
    /// instance told it), and then nothing may be queued for it.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn mark_stale_told(&mut self, since: i64) -> Result<bool, StoreError> {
        let marked = sqlx::query(
            "UPDATE shipments SET stale_told_ms = $1
             WHERE id = $2 AND (stale_told_ms IS NULL OR stale_told_ms <> $1)",
        )
        .bind(since)
        .bind(self.id)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        Ok(marked == 1)
    }

    /// Marks the subscription as reminded of the last day `until` (an ISO date); `false` when it
    /// already was, and then nothing may be queued for it.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn mark_reminded(
        &mut self,
        subscription: i64,
        until: &str,
    ) -> Result<bool, StoreError> {
        let marked = sqlx::query(
            "UPDATE push_subscriptions SET reminded_until = $1
             WHERE id = $2 AND shipment_id = $3 AND (reminded_until IS NULL OR reminded_until <> $1)",
        )
        .bind(until)
        .bind(subscription)
        .bind(self.id)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        Ok(marked == 1)
    }

    /// Keeps the response to a request under its `Idempotency-Key`, to replay to a retry.
    ///
    /// # Errors
    /// `Conflict` if the same key is being used by a request at the same moment; other
    /// `StoreError`s if the database fails.
    pub async fn keep_replay(&mut self, replay: ReplayRow<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO idempotency_keys (seller_id, idempotency_key, request_hash, status, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(self.seller.0)
        .bind(replay.key)
        .bind(replay.request_hash)
        .bind(i64::from(replay.status))
        .bind(replay.body)
        .bind(now_rfc3339())
        .execute(&mut *self.tx)
        .await
        .map_err(StoreError::from_conflict)?;
        Ok(())
    }

    /// Commits everything written (in a batch, the batch's other writes too), announcing the
    /// seller's change where a shipment itself was written.
    ///
    /// # Errors
    /// `Conflict` if a unique row was written at the same moment; `StoreError` if the database fails.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.release().commit().await
    }

    /// Ends this shipment's part of its batch, the transaction left open for the batch's next
    /// write; its row stays held until the batch ends.
    pub fn release(self) -> Batch {
        Batch {
            store: self.store,
            tx: self.tx,
            seller: self.seller,
            touched: self.touched,
            hearers: self.hearers,
        }
    }
}

/// The seller's shipment under `reference`, its row held until `tx` ends (`Store::hold_row`):
/// every write of a shipment takes its row first, so that two writers never wait for each
/// other's locks and neither reads a state the other is about to replace. `None` when there is
/// none, or it was deleted meanwhile.
pub(crate) async fn hold_shipment(
    store: &Store,
    tx: &mut Transaction<'static, Any>,
    seller: SellerId,
    reference: &str,
) -> Result<Option<i64>, StoreError> {
    let Some(id) = shipment_id(tx, seller, reference).await? else {
        return Ok(None);
    };
    match store.hold_row(tx, "shipments", id).await {
        Ok(()) => Ok(Some(id)),
        Err(StoreError::Gone) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Keeps a shipment's second factors as salted hashes, keyed with the store's key when it has
/// one (`second_factor_hash`); an absent one clears its hash.
pub(crate) async fn write_second_factors(
    connection: &mut sqlx::AnyConnection,
    id: i64,
    factors: &SecondFactors,
    store: &Store,
) -> Result<(), StoreError> {
    let key = store.secret_key().ok();
    let hash = |factor| {
        factors
            .given(factor)
            .and_then(|value| second_factor_hash(key, id, factor, value))
    };
    sqlx::query(
        "UPDATE shipments SET check_phone_hash = $1, check_postcode_hash = $2 WHERE id = $3",
    )
    .bind(hash(SecondFactor::PhoneLast4))
    .bind(hash(SecondFactor::Postcode))
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}
