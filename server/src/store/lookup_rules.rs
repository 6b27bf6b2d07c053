//! What sellers ask of the public lookup: allowed origins, and a second factor for order numbers.

use super::sellers::{sha256_hex, SellerId};
use super::{Store, StoreError};
use sqlx::Row;
use trackline_core::second_factor::SecondFactor;

/// The hash a second factor is kept as: salted with the shipment's id, so equal values differ;
/// `None` when `value` holds nothing usable for `factor`.
pub fn second_factor_hash(shipment_id: i64, factor: SecondFactor, value: &str) -> Option<String> {
    let normal = factor.normalise(value)?;
    Some(sha256_hex(
        format!("{shipment_id}:{}:{normal}", factor.as_str()).as_bytes(),
    ))
}

/// A seller's rules for the public lookup of its shipments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupRules {
    /// Origins whose pages may read the lookup (`https://shop.example`); empty means any.
    pub allowed_origins: Vec<String>,
    /// The second factor asked for lookups by order or posting number.
    pub second_factor: Option<SecondFactor>,
}

impl Store {
    /// Sets a seller's lookup rules.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn set_lookup_rules(
        &self,
        seller: SellerId,
        rules: &LookupRules,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE sellers SET allowed_origins = $1, order_check = $2 WHERE id = $3")
            .bind((!rules.allowed_origins.is_empty()).then(|| rules.allowed_origins.join(" ")))
            .bind(rules.second_factor.map(SecondFactor::as_str))
            .bind(seller.0)
            .execute(&mut *tx)
            .await?;
        self.commit(tx, super::changes::Change::Shop(seller)).await
    }

    /// A seller's lookup rules; the defaults for a seller that set none.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn lookup_rules(&self, seller: SellerId) -> Result<LookupRules, StoreError> {
        let row = sqlx::query("SELECT allowed_origins, order_check FROM sellers WHERE id = $1")
            .bind(seller.0)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(LookupRules::default());
        };
        let origins: Option<String> = row.try_get("allowed_origins")?;
        let factor: Option<String> = row.try_get("order_check")?;
        Ok(LookupRules {
            allowed_origins: origins
                .map(|o| o.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            second_factor: factor.as_deref().and_then(SecondFactor::from_wire),
        })
    }
}
