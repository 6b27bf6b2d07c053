//! A seller's own shipments: written whole by the seller's reference, read back, events appended.
//!
//! Each call is one transaction: a request either lands whole or not at all.

use super::guards::{check_hash, CheckKind};
use super::sellers::SellerId;
use super::{
    insert_events, insert_shipment, new_id, read_shipment, Store, StoreError, SHIPMENT_COLUMNS,
};
use crate::seller_input::BuyerCheckInput;
use sqlx::{AnyConnection, Row};
use trackline_core::time::parse_rfc3339;
use trackline_core::{Event, Exception, Shipment};

/// Whether a write made a new shipment or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The reference was new.
    Created,
    /// The reference existed; its fields and history were replaced.
    Replaced,
}

/// An answer kept under an `Idempotency-Key`, replayed to a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAnswer {
    /// SHA-256 of the request it answered.
    pub request_hash: String,
    /// The HTTP status it had.
    pub status: u16,
    /// Its JSON body.
    pub body: String,
}

/// Where to keep an answer: the key and the hash of the request.
#[derive(Debug, Clone, Copy)]
pub struct Remember<'a> {
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

/// Keeps a shipment's second factors as salted hashes; an absent one clears its hash.
async fn write_checks(
    connection: &mut AnyConnection,
    id: i64,
    checks: &BuyerCheckInput,
) -> Result<(), StoreError> {
    let hash = |kind, answer: &Option<String>| {
        answer
            .as_deref()
            .and_then(|answer| check_hash(id, kind, answer))
    };
    sqlx::query(
        "UPDATE shipments SET check_phone_hash = $1, check_postcode_hash = $2 WHERE id = $3",
    )
    .bind(hash(CheckKind::PhoneLast4, &checks.phone))
    .bind(hash(CheckKind::Postcode, &checks.postcode))
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

async fn load(connection: &mut AnyConnection, id: i64) -> Result<Shipment, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *connection)
    .await?;
    read_shipment(connection, &row).await
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
        checks: &BuyerCheckInput,
    ) -> Result<(Written, Shipment), StoreError> {
        let mut tx = self.pool.begin().await?;
        let existing = shipment_id(&mut tx, seller, reference).await?;
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
        insert_shipment(&mut tx, id, Some((seller.0, reference)), shipment)
            .await
            .map_err(StoreError::from_conflict)?;
        insert_events(&mut tx, id, &shipment.events).await?;
        write_checks(&mut tx, id, checks).await?;
        let stored = load(&mut tx, id).await?;
        tx.commit().await.map_err(StoreError::from_conflict)?;
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
        change: impl FnOnce(Shipment) -> Result<(Shipment, Option<BuyerCheckInput>), E>,
    ) -> Result<Option<Result<Shipment, E>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some(id) = shipment_id(&mut tx, seller, reference).await? else {
            return Ok(None);
        };
        let current = load(&mut tx, id).await?;
        let (changed, checks) = match change(current) {
            Ok(changed) => changed,
            Err(refused) => return Ok(Some(Err(refused))),
        };
        sqlx::query(
            "UPDATE shipments SET order_number = $1, shipment_number = $2, tracking_number = $3,
                stage = $4, exception = $5, status_text = $6, updated_at = $7, estimated_from = $8,
                estimated_to = $9, carrier = $10, pickup_point = $11, support = $12
             WHERE id = $13",
        )
        .bind(super::normalised(changed.order_number.as_deref()))
        .bind(super::normalised(changed.shipment_number.as_deref()))
        .bind(super::normalised(changed.tracking_number.as_deref()))
        .bind(changed.stage.as_str())
        .bind(changed.exception.as_ref().map(Exception::as_str))
        .bind(&changed.status_text)
        .bind(&changed.updated_at)
        .bind(changed.estimated_delivery.as_ref().map(|w| &w.from))
        .bind(
            changed
                .estimated_delivery
                .as_ref()
                .and_then(|w| w.to.as_ref()),
        )
        .bind(super::to_json(&changed.carrier)?)
        .bind(super::to_json(&changed.pickup_point)?)
        .bind(super::to_json(&changed.support)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(checks) = checks {
            write_checks(&mut tx, id, &checks).await?;
        }
        let stored = load(&mut tx, id).await?;
        tx.commit().await?;
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
        sqlx::query(
            "UPDATE shipments SET ozon_posting = $1 WHERE seller_id = $2 AND reference = $3",
        )
        .bind(posting)
        .bind(seller.0)
        .bind(reference)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Replaces a shipment's status, numbers, carrier and history with a fresher reading from
    /// its source, keeping its owner, reference and second factors.
    ///
    /// # Errors
    /// `StoreError` if the database fails; nothing is changed then.
    pub async fn refresh_shipment(&self, id: i64, fresh: &Shipment) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE shipments SET order_number = $1, shipment_number = $2, tracking_number = $3,
                stage = $4, exception = $5, status_text = $6, updated_at = $7, carrier = $8
             WHERE id = $9",
        )
        .bind(super::normalised(fresh.order_number.as_deref()))
        .bind(super::normalised(fresh.shipment_number.as_deref()))
        .bind(super::normalised(fresh.tracking_number.as_deref()))
        .bind(fresh.stage.as_str())
        .bind(fresh.exception.as_ref().map(Exception::as_str))
        .bind(&fresh.status_text)
        .bind(&fresh.updated_at)
        .bind(super::to_json(&fresh.carrier)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM events WHERE shipment_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_events(&mut tx, id, &fresh.events).await?;
        tx.commit().await?;
        Ok(())
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

    /// The answer kept under a seller's `Idempotency-Key`, if any.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn kept_answer(
        &self,
        seller: SellerId,
        key: &str,
    ) -> Result<Option<KeptAnswer>, StoreError> {
        let row = sqlx::query(
            "SELECT request_hash, status, body FROM idempotency_keys
             WHERE seller_id = $1 AND idempotency_key = $2",
        )
        .bind(seller.0)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(KeptAnswer {
                request_hash: row.try_get("request_hash")?,
                status: u16::try_from(row.try_get::<i64, _>("status")?).unwrap_or(200),
                body: row.try_get("body")?,
            })
        })
        .transpose()
    }

    /// Appends events to the seller's shipment and moves its status to the newest of them;
    /// with `remember`, keeps the answer `answer` makes in the same transaction.
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
        remember: Option<Remember<'_>>,
        answer: impl FnOnce(&Shipment) -> (u16, String),
    ) -> Result<Option<(u16, String)>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some(id) = shipment_id(&mut tx, seller, reference).await? else {
            return Ok(None);
        };
        insert_events(&mut tx, id, events).await?;
        let mut shipment = load(&mut tx, id).await?;
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
        sqlx::query(
            "UPDATE shipments SET stage = $1, exception = $2, status_text = $3, updated_at = $4
             WHERE id = $5",
        )
        .bind(shipment.stage.as_str())
        .bind(shipment.exception.as_ref().map(Exception::as_str))
        .bind(&shipment.status_text)
        .bind(&shipment.updated_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let (status, body) = answer(&shipment);
        if let Some(remember) = remember {
            sqlx::query(
                "INSERT INTO idempotency_keys (seller_id, idempotency_key, request_hash, status, body, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(seller.0)
            .bind(remember.key)
            .bind(remember.request_hash)
            .bind(i64::from(status))
            .bind(&body)
            .bind(super::now_rfc3339())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_conflict)?;
        }
        tx.commit().await.map_err(StoreError::from_conflict)?;
        Ok(Some((status, body)))
    }
}
