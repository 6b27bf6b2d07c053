//! What sellers ask of the public lookup: allowed origins, and a second factor for order numbers.

use super::sellers::{sha256_hex, SellerId};
use super::{Store, StoreError};
use sqlx::Row;

/// The second factor a seller can ask for when a buyer looks up by order number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// The last four digits of the phone number on the order.
    PhoneLast4,
    /// The postcode of the delivery address.
    Postcode,
}

impl CheckKind {
    /// The wire name (`phone_last4`, `postcode`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::PhoneLast4 => "phone_last4",
            CheckKind::Postcode => "postcode",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(text: &str) -> Option<CheckKind> {
        match text {
            "phone_last4" => Some(CheckKind::PhoneLast4),
            "postcode" => Some(CheckKind::Postcode),
            _ => None,
        }
    }

    /// The form an answer is compared in: the last four digits of a phone; a postcode's letters and digits, upper case.
    pub fn normalise(self, answer: &str) -> Option<String> {
        match self {
            CheckKind::PhoneLast4 => {
                let digits: Vec<char> = answer.chars().filter(char::is_ascii_digit).collect();
                (digits.len() >= 4).then(|| digits[digits.len() - 4..].iter().collect())
            }
            CheckKind::Postcode => {
                let code: String = answer
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                (!code.is_empty()).then_some(code)
            }
        }
    }
}

/// The hash a second factor is kept as: salted with the shipment's id, so equal answers differ.
pub fn check_hash(shipment_id: i64, kind: CheckKind, answer: &str) -> Option<String> {
    let normal = kind.normalise(answer)?;
    Some(sha256_hex(
        format!("{shipment_id}:{}:{normal}", kind.as_str()).as_bytes(),
    ))
}

/// A seller's rules for the public lookup of its shipments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupRules {
    /// Origins whose pages may read the lookup (`https://shop.example`); empty means any.
    pub allowed_origins: Vec<String>,
    /// The second factor asked for lookups by order or posting number.
    pub order_check: Option<CheckKind>,
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
        sqlx::query("UPDATE sellers SET allowed_origins = $1, order_check = $2 WHERE id = $3")
            .bind((!rules.allowed_origins.is_empty()).then(|| rules.allowed_origins.join(" ")))
            .bind(rules.order_check.map(CheckKind::as_str))
            .bind(seller.0)
            .execute(&self.pool)
            .await?;
        Ok(())
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
        let check: Option<String> = row.try_get("order_check")?;
        Ok(LookupRules {
            allowed_origins: origins
                .map(|o| o.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            order_check: check.as_deref().and_then(CheckKind::from_wire),
        })
    }
}
