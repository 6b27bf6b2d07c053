//! A seller's own shipments: written whole by the seller's reference, read back, events appended,
//! and the replays kept for `Idempotency-Key` retries.
//!
//! Each call is one transaction: a request either lands whole or not at all.

use super::changes::Change;
use super::lookup_rules::second_factor_hash;
use super::push::queue_pushes;
use super::sellers::SellerId;
use super::shipment_rows::{insert_events, insert_shipment, load, update_shipment, Column};
use super::webhooks::{queue_deliveries, About};
use super::{new_id, Store, StoreError};
use crate::secrets::SecretKey;
use crate::webhooks::{status_of, Status};
use sqlx::{AnyConnection, Row};
use trackline_core::second_factor::{SecondFactor, SecondFactors};
use trackline_core::time::parse_rfc3339;
use trackline_core::{Event, Shipment};

/// Tells whoever listens of a change of the shipment `id`, in the write's own transaction: the
/// seller's webhooks (for a shipment under a reference) and the buyers subscribed to it. Every
/// write that can move a status comes through here, whatever its source.
async fn tell_change(
    connection: &mut AnyConnection,
    seller: SellerId,
    id: i64,
    reference: Option<&str>,
    before: Option<&Status>,
    after: &Shipment,
) -> Result<(), StoreError> {
    if let Some(reference) = reference {
        let about = About {
            seller,
            shipment: id,
            reference,
        };
        queue_deliveries(connection, about, before, after).await?;
    }
    queue_pushes(connection, id, before, after).await
}

/// Whether a write made a new shipment or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The reference was new.
    Created,
    /// The reference existed; its fields and history were replaced.
    Replaced,
}

/// The response to a request, kept under its `Idempotency-Key` and replayed to a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// SHA-256 of the request it responded to.
    pub request_hash: String,
    /// The HTTP status it had.
    pub status: u16,
    /// Its JSON body.
    pub body: String,
}

/// Where to keep a replay: the key and the hash of the request.
#[derive(Debug, Clone, Copy)]
pub struct ReplayKey<'a> {
    /// The client's `Idempotency-Key`.
    pub key: &'a str,
    /// SHA-256 of the request.
    pub request_hash: &'a str,
}

async fn shipment_id(
    connection: &mut AnyConnection,
    seller: SellerId,
    reference: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM shipments WHERE seller_id = $1 AND reference = $2")
            .bind(seller.0)
            .bind(reference)
            .fetch_optional(&mut *connection)
            .await?,
    )
}

/// Keeps a shipment's second factors as salted hashes, keyed with `key` when the server has
/// one (`second_factor_hash`); an absent one clears its hash.
async fn write_second_factors(
    connection: &mut AnyConnection,
    id: i64,
    factors: &SecondFactors,
    key: Option<&SecretKey>,
) -> Result<(), StoreError> {
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

impl Store {
    /// Creates or replaces the seller's shipment under `reference`, history included.
    ///
    /// # Errors
    /// `Conflict` if another request created the same reference at the same moment; other `StoreError`s if the database fails.
    pub async fn put_shipment(
        &self,
        seller: SellerId,
        reference: &str,
        shipment: &Shipment,
        factors: &SecondFactors,
    ) -> Result<(Written, Shipment), StoreError> {
        let mut tx = self.begin_write().await?;
        let existing = shipment_id(&mut tx, seller, reference).await?;
        let before = match existing {
            Some(id) => Some(status_of(&load(&mut tx, id).await?)),
            None => None,
        };
        // A rewrite keeps where the shipment is polled from (or that it is not), and asks soon.
        let source: Option<String> = match existing {
            Some(id) => {
                sqlx::query_scalar("SELECT source FROM shipments WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?
            }
            None => None,
        };
        let id = match existing {
            Some(id) => {
                sqlx::query("DELETE FROM events WHERE shipment_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM shipments WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => new_id()?,
        };
        insert_shipment(&mut tx, id, seller, Some(reference), shipment)
            .await
            .map_err(StoreError::from_conflict)?;
        insert_events(&mut tx, id, &shipment.events).await?;
        write_second_factors(&mut tx, id, factors, self.secret_key().ok()).await?;
        if let Some(source) = source {
            let polled = crate::sources::Provider::from_wire(&source).map(|_| super::now_ms());
            sqlx::query("UPDATE shipments SET source = $1, next_poll_ms = $2 WHERE id = $3")
                .bind(source)
                .bind(polled)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let stored = load(&mut tx, id).await?;
        tell_change(
            &mut tx,
            seller,
            id,
            Some(reference),
            before.as_ref(),
            &stored,
        )
        .await?;
        self.commit(tx, Change::Shop(seller)).await?;
        let written = if existing.is_some() {
            Written::Replaced
        } else {
            Written::Created
        };
        Ok((written, stored))
    }

    /// Changes some fields of the seller's shipment under `reference`, in one transaction:
    /// `change` gets the stored shipment and gives the new one (its history is kept as stored)
    /// and, if the request gave them, new second factors.
    ///
    /// Returns `None` when the seller has no such shipment, `Some(Err)` when `change` refused.
    ///
    /// # Errors
    /// `StoreError` if the database fails; nothing is changed then.
    pub async fn patch_shipment<E>(
        &self,
        seller: SellerId,
        reference: &str,
        change: impl FnOnce(Shipment) -> Result<(Shipment, Option<SecondFactors>), E>,
    ) -> Result<Option<Result<Shipment, E>>, StoreError> {
        let mut tx = self.begin_write().await?;
        let Some(id) = shipment_id(&mut tx, seller, reference).await? else {
            return Ok(None);
        };
        let current = load(&mut tx, id).await?;
        let before = status_of(&current);
        let (changed, factors) = match change(current) {
            Ok(changed) => changed,
            Err(refused) => return Ok(Some(Err(refused))),
        };
        update_shipment(&mut tx, id, &changed, &Column::ALL).await?;
        if let Some(factors) = factors {
            write_second_factors(&mut tx, id, &factors, self.secret_key().ok()).await?;
        }
        let stored = load(&mut tx, id).await?;
        tell_change(&mut tx, seller, id, Some(reference), Some(&before), &stored).await?;
        self.commit(tx, Change::Shop(seller)).await?;
        Ok(Some(Ok(stored)))
    }

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
        self.commit(tx, Change::Shop(seller)).await
    }

    /// Replaces the status, numbers, carrier and history of a shipment of `shop` with a
    /// fresher reading from its source, keeping its owner, reference and second factors.
    ///
    /// # Errors
    /// `StoreError` if the database fails; nothing is changed then.
    pub async fn refresh_shipment(
        &self,
        shop: SellerId,
        id: i64,
        fresh: &Shipment,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let before = status_of(&load(&mut tx, id).await?);
        update_shipment(&mut tx, id, fresh, &Column::FROM_SOURCE).await?;
        sqlx::query("DELETE FROM events WHERE shipment_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_events(&mut tx, id, &fresh.events).await?;
        let reference: Option<String> =
            sqlx::query_scalar("SELECT reference FROM shipments WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let stored = load(&mut tx, id).await?;
        tell_change(
            &mut tx,
            shop,
            id,
            reference.as_deref(),
            Some(&before),
            &stored,
        )
        .await?;
        self.commit(tx, Change::Shop(shop)).await
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
        let Some(id) = shipment_id(&mut tx, seller, reference).await? else {
            return Ok(false);
        };
        // The shipment's row first, as a buyer's subscribing holds it before writing under it:
        // in one order, neither waits for the other's lock while holding what it waits for, and
        // a subscription made after this finds no shipment (404) instead of outliving it.
        match self.hold_row(&mut tx, "shipments", id).await {
            Ok(()) => {}
            Err(StoreError::Gone) => return Ok(false),
            Err(error) => return Err(error),
        }
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
        self.commit(tx, Change::Shop(seller)).await?;
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

    /// Appends events to the seller's shipment and moves its status to the newest of them;
    /// with `replay`, keeps the response `respond` makes in the same transaction.
    ///
    /// Returns `None` when the seller has no shipment under `reference`.
    ///
    /// # Errors
    /// `Conflict` if the same key is being used by a request at the same moment; other `StoreError`s if the database fails.
    pub async fn append_events(
        &self,
        seller: SellerId,
        reference: &str,
        events: &[Event],
        replay: Option<ReplayKey<'_>>,
        respond: impl FnOnce(&Shipment) -> (u16, String),
    ) -> Result<Option<(u16, String)>, StoreError> {
        let mut tx = self.begin_write().await?;
        let Some(id) = shipment_id(&mut tx, seller, reference).await? else {
            return Ok(None);
        };
        insert_events(&mut tx, id, events).await?;
        let mut shipment = load(&mut tx, id).await?;
        let before = status_of(&shipment);
        let mut newest: Vec<&Event> = events.iter().collect();
        newest.sort_by_key(|event| parse_rfc3339(&event.at));
        for event in newest {
            let later = match shipment.updated_at.as_deref().and_then(parse_rfc3339) {
                Some(current) => parse_rfc3339(&event.at).is_some_and(|at| at >= current),
                None => true,
            };
            if !later {
                continue;
            }
            if let Some(stage) = &event.stage {
                shipment.stage = stage.clone();
                // A new stage without an exception means the problem is over.
                shipment.exception = event.exception.clone();
            } else if let Some(exception) = &event.exception {
                shipment.exception = Some(exception.clone());
            }
            shipment.status_text = Some(event.text.clone());
            shipment.updated_at = Some(event.at.clone());
        }
        update_shipment(
            &mut tx,
            id,
            &shipment,
            &[
                Column::Stage,
                Column::Exception,
                Column::StatusText,
                Column::UpdatedAt,
            ],
        )
        .await?;
        tell_change(
            &mut tx,
            seller,
            id,
            Some(reference),
            Some(&before),
            &shipment,
        )
        .await?;
        let (status, body) = respond(&shipment);
        if let Some(replay) = replay {
            sqlx::query(
                "INSERT INTO idempotency_keys (seller_id, idempotency_key, request_hash, status, body, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(seller.0)
            .bind(replay.key)
            .bind(replay.request_hash)
            .bind(i64::from(status))
            .bind(&body)
            .bind(super::now_rfc3339())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_conflict)?;
        }
        self.commit(tx, Change::Shop(seller)).await?;
        Ok(Some((status, body)))
    }
}
