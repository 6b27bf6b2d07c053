//! What the operator does to sellers from the command line: list them, and remove one with
//! everything it ever wrote, in one transaction.

use super::sellers::is_handle;
use super::versions::Touched;
use super::{Store, StoreError};
use sqlx::Row;

/// A seller as the operator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerSummary {
    /// Its seller handle.
    pub handle: String,
    /// Its name.
    pub name: String,
    /// When it was added (RFC 3339).
    pub created_at: String,
    /// How many shipments it has.
    pub shipments: i64,
}

/// Every row that names a seller, directly or through its shipments and subscriptions: children
/// before parents (not every database enforces ON DELETE CASCADE without being asked), `$1`
/// the seller's id. A table added with a seller or shipment reference belongs here; the test
/// that removes a seller fails until it is.
const SELLER_ROWS: &[&str] = &[
    "DELETE FROM push_messages WHERE subscription_id IN
     (SELECT p.id FROM push_subscriptions p JOIN shipments s ON s.id = p.shipment_id
      WHERE s.seller_id = $1)",
    "DELETE FROM push_subscriptions WHERE shipment_id IN
     (SELECT id FROM shipments WHERE seller_id = $1)",
    "DELETE FROM webhook_attempts WHERE delivery_id IN
     (SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE w.seller_id = $1)",
    "DELETE FROM webhook_deliveries WHERE webhook_id IN
     (SELECT id FROM webhooks WHERE seller_id = $1)",
    "DELETE FROM webhooks WHERE seller_id = $1",
    "DELETE FROM deliveries WHERE seller_id = $1",
    "DELETE FROM events WHERE shipment_id IN (SELECT id FROM shipments WHERE seller_id = $1)",
    "DELETE FROM shipments WHERE seller_id = $1",
    "DELETE FROM idempotency_keys WHERE seller_id = $1",
    "DELETE FROM second_factor_failures WHERE shop_id = $1",
    "DELETE FROM source_keys WHERE seller_id = $1",
    "DELETE FROM source_pace WHERE seller_id = $1",
    "DELETE FROM seller_tokens WHERE seller_id = $1",
    "DELETE FROM imports WHERE seller_id = $1",
    "DELETE FROM key_refusals WHERE seller_id = $1",
    "DELETE FROM member_sessions WHERE member_id IN (SELECT id FROM members WHERE seller_id = $1)",
    "DELETE FROM member_passkeys WHERE member_id IN (SELECT id FROM members WHERE seller_id = $1)",
    "DELETE FROM member_passwords WHERE member_id IN (SELECT id FROM members WHERE seller_id = $1)",
    "DELETE FROM member_devices WHERE member_id IN (SELECT id FROM members WHERE seller_id = $1)",
    "DELETE FROM members WHERE seller_id = $1",
    "DELETE FROM member_invitations WHERE seller_id = $1",
    "DELETE FROM audit_entries WHERE seller_id = $1",
    "DELETE FROM daily_counts WHERE seller_id = $1",
    // Its Ozon keys are columns of its row; its Ozon postings are its shipments'.
    "DELETE FROM sellers WHERE id = $1",
];

impl Store {
    /// Every seller, by handle, with how many shipments each has.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn sellers(&self) -> Result<Vec<SellerSummary>, StoreError> {
        sqlx::query(
            "SELECT s.handle, s.name, s.created_at,
                    (SELECT COUNT(*) FROM shipments WHERE seller_id = s.id) AS shipments
             FROM sellers s ORDER BY s.handle",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(SellerSummary {
                handle: row.try_get("handle")?,
                name: row.try_get("name")?,
                created_at: row.try_get("created_at")?,
                shipments: row.try_get("shipments")?,
            })
        })
        .collect()
    }

    /// Removes the seller whose seller has `handle`, with all it wrote (shipments and their
    /// events, tokens, webhooks and their deliveries, buyers' subscriptions and their messages,
    /// carriers' keys, replays, lockouts), all or nothing; every instance's lookup cache forgets
    /// it. Returns how many shipments went, or `None` when no seller has that handle.
    ///
    /// # Errors
    /// `StoreError` if the database fails; nothing is removed then.
    pub async fn remove_seller(&self, handle: &str) -> Result<Option<i64>, StoreError> {
        if !is_handle(handle) {
            return Ok(None);
        }
        let mut tx = self.begin_write().await?;
        let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM sellers WHERE handle = $1")
            .bind(handle)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let shipments: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM shipments WHERE seller_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        for statement in SELLER_ROWS {
            sqlx::query(statement).bind(id).execute(&mut *tx).await?;
        }
        // The set of sellers changed: which seller a short lookup path means may differ too.
        self.commit(tx, Touched::Sellers).await?;
        Ok(Some(shipments))
    }
}
