//! Sellers and their bearer tokens: a token is shown once, and only its SHA-256 is kept.

use super::{new_id, Store, StoreError};
use sha2::{Digest, Sha256};

/// A seller's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SellerId(pub i64);

/// The prefix of every token, so that a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "tl_";

/// SHA-256 of a text, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!("{TOKEN_PREFIX}{hex}"))
}

impl Store {
    /// Adds a seller and returns its id with its bearer token, which is not kept and cannot be shown again.
    ///
    /// # Errors
    /// `StoreError` if the database fails or there is no randomness.
    pub async fn add_seller(&self, name: &str) -> Result<(SellerId, String), StoreError> {
        let id = new_id()?;
        let token = new_token()?;
        sqlx::query(
            "INSERT INTO sellers (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(name)
        .bind(sha256_hex(token.as_bytes()))
        .bind(super::now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok((SellerId(id), token))
    }

    /// The seller a bearer token belongs to, if any.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn seller_by_token(&self, token: &str) -> Result<Option<SellerId>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM sellers WHERE token_hash = $1")
            .bind(sha256_hex(token.as_bytes()))
            .fetch_optional(&self.pool)
            .await?;
        Ok(id.map(SellerId))
    }
}

impl Store {
    /// Keeps a seller's Ozon keys (`None` forgets them).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn set_ozon_credentials(
        &self,
        seller: SellerId,
        credentials: Option<&crate::ozon::Credentials>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sellers SET ozon_client_id = $1, ozon_api_key = $2 WHERE id = $3")
            .bind(credentials.map(|c| c.client_id.as_str()))
            .bind(credentials.map(|c| c.api_key.as_str()))
            .bind(seller.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A seller's Ozon keys, if it gave them.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn ozon_credentials(
        &self,
        seller: SellerId,
    ) -> Result<Option<crate::ozon::Credentials>, StoreError> {
        use sqlx::Row;
        let row = sqlx::query("SELECT ozon_client_id, ozon_api_key FROM sellers WHERE id = $1")
            .bind(seller.0)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let client_id: Option<String> = row.try_get("ozon_client_id")?;
        let api_key: Option<String> = row.try_get("ozon_api_key")?;
        Ok(client_id
            .zip(api_key)
            .map(|(client_id, api_key)| crate::ozon::Credentials { client_id, api_key }))
    }
}
