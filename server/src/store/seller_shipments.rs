//! A seller's own shipments: written whole by the seller's reference, read back, deleted, and
//! the replays kept for `Idempotency-Key` retries. Writes that can move a status open a
//! `ShipmentWrite` and leave what tells of the change to the caller.
//!
//! Each call is one transaction: a request either lands whole or not at all.

use super::seller_id::SellerId;
use super::shipment_rows::{
    insert_events, insert_shipment, load, load_row, shipment_id, update_shipment, Column,
};
use super::shipment_write::{hold_shipment, write_second_factors, Batch, ShipmentWrite};
use super::versions::Touched;
use super::{new_id, Store, StoreError};
use crate::provider::Provider;
use sqlx::Row;
use std::collections::HashMap;
use trackline_core::second_factor::SecondFactors;
use trackline_core::Shipment;

/// Whether a write made a new shipment or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The reference was new.
    Created,
    /// The reference existed; its fields and history were replaced.
    Replaced,
}

/// A shipment written whole, its transaction still open for what tells of it.
#[derive(Debug)]
#[must_use = "a write not committed writes nothing"]
pub struct Put {
    /// Whether it was new.
    pub written: Written,
    /// The shipment it replaced, if any.
    pub before: Option<Shipment>,
    /// The write, its `current` the shipment as stored.
    pub write: ShipmentWrite,
}

/// The response to a request, kept under its `Idempotency-Key` and replayed to a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// SHA-256 of the request it responded to.
    pub request_hash: String,
    /// The status it had.
    pub status: u16,
    /// Its JSON body.
    pub body: String,
}

impl Store {
    /// Creates or replaces the seller's shipment under `reference`, history included, in a
    /// write left open for what tells of it (by the caller); a rewrite keeps which provider it is polled from (or that it is not), and asks that one soon.
    ///
    /// # Errors
    /// `Conflict` if another request created the same reference at the same moment; other `StoreError`s if the database fails.
    pub async fn replace_shipment(
        &self,
        seller: SellerId,
        reference: &str,
        shipment: &Shipment,
        factors: &SecondFactors,
    ) -> Result<Put, StoreError> {
        self.begin_batch(seller)
            .await?
            .replace_shipment(reference, shipment, factors)
            .await
    }
}

impl Batch {
    /// `Store::replace_shipment` within the batch.
    ///
    /// # Errors
    /// `Conflict` if another request created the same reference at the same moment; other
    /// `StoreError`s if the database fails. The batch is lost then (nothing of it is written).
    pub async fn replace_shipment(
        mut self,
        reference: &str,
        shipment: &Shipment,
        factors: &SecondFactors,
    ) -> Result<Put, StoreError> {
        let store = self.store().clone();
        let seller = self.seller();
        let tx = self.tx();
        // A row deleted meanwhile makes this a new shipment.
        let existing = hold_shipment(&store, tx, seller, reference).await?;
        let before = match existing {
            Some(id) => Some(load(tx, id).await?),
            None => None,
        };
        let source: Option<String> = match existing {
            Some(id) => {
                sqlx::query_scalar("SELECT source FROM shipments WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut **tx)
                    .await?
            }
            None => None,
        };
        let id = match existing {
            Some(id) => {
                // Rewritten in place, never deleted and inserted again: a writer waiting for the
                // row's lock meanwhile (PostgreSQL's FOR UPDATE) then finds the row rewritten
                // rather than gone, and is not answered 404. It is still the shipment first
                // stored then (its created_ms stays); what the server kept of polling it and of
                // telling its silence starts again, as for a new one.
                sqlx::query("DELETE FROM events WHERE shipment_id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                update_shipment(tx, id, shipment, &Column::ALL).await?;
                sqlx::query(
                    "UPDATE shipments SET ozon_posting = NULL, stale_told_ms = NULL,
                     next_poll_ms = NULL, poll_leased_until_ms = NULL, poll_failures = 0,
                     polled_at_ms = NULL WHERE id = $1",
                )
                .bind(id)
                .execute(&mut **tx)
                .await?;
                id
            }
            None => {
                let id = new_id()?;
                insert_shipment(tx, id, seller, Some(reference), shipment)
                    .await
                    .map_err(StoreError::from_conflict)?;
                id
            }
        };
        insert_events(tx, id, &shipment.events).await?;
        // A new row's check starts empty: one given none needs no statement.
        if existing.is_some() || factors.phone.is_some() || factors.postcode.is_some() {
            write_second_factors(tx, id, factors, &store).await?;
        }
        if let Some(source) = source {
            let polled = Provider::from_wire(&source).map(|_| super::now_ms());
            sqlx::query("UPDATE shipments SET source = $1, next_poll_ms = $2 WHERE id = $3")
                .bind(source)
                .bind(polled)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        // Its history is the one just written: none to read when it has none.
        let stored = load_row(tx, id, !shipment.events.is_empty()).await?;
        let mut write = self.opened(id, Some(reference.to_owned()), stored);
        write.touch();
        let written = if existing.is_some() {
            Written::Replaced
        } else {
            Written::Created
        };
        Ok(Put {
            written,
            before,
            write,
        })
    }
}

impl Store {
    /// Marks the seller's shipment under `reference` as pulled from an Ozon posting.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn mark_ozon_posting(
        &self,
        seller: SellerId,
        reference: &str,
        posting: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE shipments SET ozon_posting = $1 WHERE seller_id = $2 AND reference = $3",
        )
        .bind(posting)
        .bind(seller.0)
        .bind(reference)
        .execute(&mut *tx)
        .await?;
        self.commit(tx, Touched::Seller(seller)).await
    }

    /// Deletes the seller's shipment under `reference` with everything about it: its events, the
    /// buyers' subscriptions to it and the messages queued for them, and the webhook deliveries
    /// about it not yet made (those made stay in the seller's delivery log until it forgets
    /// them). `false` when the seller has no such shipment; another seller's is never touched.
    ///
    /// # Errors
    /// `StoreError` if the database fails; nothing is deleted then.
    pub async fn delete_shipment(
        &self,
        seller: SellerId,
        reference: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        // The shipment's row first, as a buyer's subscribing holds it before writing under it:
        // a subscription made after this finds no shipment (404) instead of outliving it.
        let Some(id) = hold_shipment(self, &mut tx, seller, reference).await? else {
            return Ok(false);
        };
        // Children first: not every database enforces ON DELETE CASCADE without being asked.
        for statement in [
            "DELETE FROM push_messages WHERE subscription_id IN
             (SELECT id FROM push_subscriptions WHERE shipment_id = $1)",
            "DELETE FROM push_subscriptions WHERE shipment_id = $1",
            "DELETE FROM webhook_attempts WHERE delivery_id IN
             (SELECT id FROM webhook_deliveries WHERE shipment_id = $1 AND state = 'pending')",
            "DELETE FROM webhook_deliveries WHERE shipment_id = $1 AND state = 'pending'",
            "DELETE FROM events WHERE shipment_id = $1",
            "DELETE FROM shipments WHERE id = $1",
        ] {
            sqlx::query(statement).bind(id).execute(&mut *tx).await?;
        }
        self.commit(tx, Touched::Seller(seller)).await?;
        Ok(true)
    }

    /// The seller's shipment under `reference`; another seller's is never found.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn seller_shipment(
        &self,
        seller: SellerId,
        reference: &str,
    ) -> Result<Option<Shipment>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        match shipment_id(&mut connection, seller, reference).await? {
            Some(id) => Ok(Some(load(&mut connection, id).await?)),
            None => Ok(None),
        }
    }

    /// The row ids of the seller's shipments under any of `references`, by reference; another
    /// seller's are never found.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn shipment_ids(
        &self,
        seller: SellerId,
        references: &[&str],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let mut found = HashMap::new();
        let mut connection = self.pool.acquire().await?;
        // Far below every database's limit on bound values.
        for chunk in references.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT id, reference FROM shipments WHERE seller_id = $1 AND reference IN ({})",
                marks.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(seller.0);
            for reference in chunk {
                query = query.bind(*reference);
            }
            for row in query.fetch_all(&mut *connection).await? {
                found.insert(row.try_get("reference")?, row.try_get("id")?);
            }
        }
        Ok(found)
    }

    /// The replay kept under a seller's `Idempotency-Key`, if any.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn replay(&self, seller: SellerId, key: &str) -> Result<Option<Replay>, StoreError> {
        let row = sqlx::query(
            "SELECT request_hash, status, body FROM idempotency_keys
             WHERE seller_id = $1 AND idempotency_key = $2",
        )
        .bind(seller.0)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Replay {
                request_hash: row.try_get("request_hash")?,
                status: u16::try_from(row.try_get::<i64, _>("status")?).unwrap_or(200),
                body: row.try_get("body")?,
            })
        })
        .transpose()
    }
}
