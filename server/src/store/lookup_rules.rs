//! What sellers ask of the public lookup: allowed origins, and a second factor for order numbers.

use super::seller_id::SellerId;
use super::{Store, StoreError};
use crate::digest::sha256_hex;
use crate::secrets::SecretKey;
use sqlx::Row;
use trackline_core::second_factor::SecondFactor;

/// The prefix of a second factor kept as an HMAC (`keyed`); a value without it is the bare
/// SHA-256 that older versions, and a server without a secret key, keep.
const KEYED: &str = "k1:";

/// The form a second factor is kept in, salted with the shipment's id so that equal values
/// differ: with the server's secret key, an HMAC under a key derived from it, so that whoever
/// reads the table without the key cannot try the 10 000 four-digit values against a row;
/// without one, the bare SHA-256, which they can. `None` when `value` holds nothing usable for
/// `factor`.
pub fn second_factor_hash(
    key: Option<&SecretKey>,
    shipment_id: i64,
    factor: SecondFactor,
    value: &str,
) -> Option<String> {
    let normal = factor.normalise(value)?;
    let message = format!("{shipment_id}:{}:{normal}", factor.as_str());
    match key {
        Some(key) => keyed(key, &message),
        None => Some(sha256_hex(message.as_bytes())),
    }
}

/// Whether `reply` is the second factor kept as `stored`, in either form: rows written before
/// the HMAC (or without a key) keep working until the seller gives the factor again.
pub fn second_factor_matches(
    key: Option<&SecretKey>,
    shipment_id: i64,
    factor: SecondFactor,
    reply: &str,
    stored: &str,
) -> bool {
    let Some(normal) = factor.normalise(reply) else {
        return false;
    };
    let message = format!("{shipment_id}:{}:{normal}", factor.as_str());
    if stored.starts_with(KEYED) {
        key.and_then(|key| keyed(key, &message))
            .is_some_and(|given| given == stored)
    } else {
        sha256_hex(message.as_bytes()) == stored
    }
}

/// `message`'s HMAC-SHA256 under the key derived from `key` for second factors, prefixed.
fn keyed(key: &SecretKey, message: &str) -> Option<String> {
    use hmac::{Hmac, Mac};
    // HMAC takes a key of any length: this is never `None`.
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(&key.derive("trackline second factor")).ok()?;
    mac.update(message.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    Some(format!("{KEYED}{hex}"))
}

/// A seller's rules for the public lookup of its shipments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupRules {
    /// Origins whose pages may read the lookup (`https://seller.example`); empty means any.
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
        self.commit(tx, super::versions::Touched::Seller(seller))
            .await
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
