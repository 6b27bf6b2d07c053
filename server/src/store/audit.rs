//! The audit log: who changed what of a seller's, newest first. The rows only; which requests
//! are recorded, and as what, is decided in `http::audit`.

use super::seller_id::SellerId;
use super::{new_id, Store, StoreError};
use sqlx::Row;

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A member signed in to the console.
    Member {
        /// Its id.
        id: i64,
        /// Its name then.
        name: String,
    },
    /// A bearer token, by its name.
    Token(String),
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its id (with `at_ms`, the cursor of the next page).
    pub id: i64,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// Who.
    pub actor: Actor,
    /// What (`shipment.put`, `webhook.create`, ...).
    pub action: String,
    /// Of what (a reference, an id), if it names one.
    pub target: Option<String>,
}

impl Store {
    /// Records a change of the seller's at `at_ms`.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn record_change(
        &self,
        seller: SellerId,
        at_ms: i64,
        actor: &Actor,
        action: &str,
        target: Option<&str>,
    ) -> Result<(), StoreError> {
        let (member_id, member_name, token_name) = match actor {
            Actor::Member { id, name } => (Some(*id), Some(name.as_str()), None),
            Actor::Token(name) => (None, None, Some(name.as_str())),
        };
        sqlx::query(
            "INSERT INTO audit_entries
             (id, seller_id, at_ms, member_id, member_name, token_name, action, target)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id()?)
        .bind(seller.0)
        .bind(at_ms)
        .bind(member_id)
        .bind(member_name)
        .bind(token_name)
        .bind(action)
        .bind(target)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether `member` did `action` on `target` after `since` (ms), by the log.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn recorded_since(
        &self,
        seller: SellerId,
        member: i64,
        action: &str,
        target: Option<&str>,
        since: i64,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM audit_entries
             WHERE seller_id = $1 AND at_ms > $2 AND member_id = $3 AND action = $4
             AND (target = $5 OR (target IS NULL AND $5 IS NULL)) LIMIT 1",
        )
        .bind(seller.0)
        .bind(since)
        .bind(member)
        .bind(action)
        .bind(target)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// The seller's changes before the cursor `(at_ms, id)` (from the newest without one),
    /// newest first, at most `limit`.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn audit_entries(
        &self,
        seller: SellerId,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
        sqlx::query(
            "SELECT id, at_ms, member_id, member_name, token_name, action, target
             FROM audit_entries
             WHERE seller_id = $1 AND (at_ms < $2 OR (at_ms = $2 AND id < $3))
             ORDER BY at_ms DESC, id DESC LIMIT $4",
        )
        .bind(seller.0)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let member: Option<i64> = row.try_get("member_id")?;
            let actor = match member {
                Some(id) => Actor::Member {
                    id,
                    name: row
                        .try_get::<Option<String>, _>("member_name")?
                        .unwrap_or_default(),
                },
                None => Actor::Token(
                    row.try_get::<Option<String>, _>("token_name")?
                        .unwrap_or_default(),
                ),
            };
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at_ms: row.try_get("at_ms")?,
                actor,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
            })
        })
        .collect()
    }
}
