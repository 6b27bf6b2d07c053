//! Sellers and their public seller handles: a handle is public, and scopes the lookup to the
//! seller's own shipments. Their bearer tokens are `tokens`.

use super::{new_id, Store, StoreError};
use crate::secrets::{is_sealed, SecretKey};

pub use super::seller_id::SellerId;
pub use crate::digest::sha256_hex;

/// A seller just added: its id, its public seller handle, and its bearer token (shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSeller {
    /// Its row id.
    pub id: SellerId,
    /// Its public seller handle, the `{seller}` of `/api/v1/sellers/{seller}/track/{number}`.
    pub handle: String,
    /// Its first bearer token for the seller API (named `first`); not kept, so it cannot be shown again.
    pub token: String,
}

/// The name of the token `add-seller` prints.
pub const FIRST_TOKEN: &str = "first";

/// The longest seller handle.
pub const MAX_HANDLE: usize = 40;

/// Whether `text` can be a seller handle: 2 to 40 of `a–z 0–9` and dashes, no dash at either end.
pub fn is_handle(text: &str) -> bool {
    (2..=MAX_HANDLE).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// The handle a seller's name suggests: its ASCII letters and digits in lower case, a dash
/// between words (`Demo Seller` → `demo-seller`); `seller` when the name gives nothing usable.
pub fn handle_from_name(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut handle = String::new();
    for word in words {
        let room = (MAX_HANDLE - 3).saturating_sub(handle.len() + usize::from(!handle.is_empty()));
        if room == 0 {
            break;
        }
        if !handle.is_empty() {
            handle.push('-');
        }
        handle.extend(word.chars().take(room));
    }
    if is_handle(&handle) {
        handle
    } else {
        "shop".to_owned()
    }
}

impl Store {
    /// Adds a seller and returns its id with its bearer token, which is not kept and cannot be
    /// shown again; its seller handle comes from its name.
    ///
    /// # Errors
    /// `StoreError` if the database fails or there is no randomness.
    pub async fn add_seller(&self, name: &str) -> Result<(SellerId, String), StoreError> {
        let seller = self.add_seller_named(name, None).await?;
        Ok((seller.id, seller.token))
    }

    /// Adds a seller under the seller handle asked for, or else one from its name (with `-2`,
    /// `-3`… when that is taken).
    ///
    /// # Errors
    /// `Conflict` if the handle asked for is taken; other `StoreError`s if the database fails.
    pub async fn add_seller_named(
        &self,
        name: &str,
        handle: Option<&str>,
    ) -> Result<NewSeller, StoreError> {
        let suggested = handle_from_name(name);
        let candidates: Vec<String> = match handle {
            Some(handle) => vec![handle.to_owned()],
            None => (1..=100)
                .map(|n| match n {
                    1 => suggested.clone(),
                    n => format!("{suggested}-{n}"),
                })
                .collect(),
        };
        let mut last = StoreError::Conflict;
        for candidate in candidates {
            let id = new_id()?;
            let mut tx = self.begin_write().await?;
            // The tokens are in seller_tokens; this column, unique and required, holds no hash.
            let inserted = sqlx::query(
                "INSERT INTO sellers (id, name, token_hash, created_at, handle)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(name)
            .bind(format!("seller_tokens:{id}"))
            .bind(super::now_rfc3339())
            .bind(&candidate)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_conflict);
            let token = match inserted {
                Ok(_) => {
                    super::tokens::insert_token(
                        &mut tx,
                        SellerId(id),
                        FIRST_TOKEN,
                        super::tokens::TokenMaker::default(),
                    )
                    .await
                }
                Err(error) => Err(error),
            };
            let added = match token {
                Ok((_, token)) => self
                    .commit(tx, super::versions::Touched::Sellers)
                    .await
                    .map(|()| token),
                Err(error) => Err(error),
            };
            match added {
                Ok(token) => {
                    return Ok(NewSeller {
                        id: SellerId(id),
                        handle: candidate,
                        token,
                    })
                }
                Err(StoreError::Conflict) => last = StoreError::Conflict,
                Err(other) => return Err(other),
            }
        }
        Err(last)
    }

    /// The seller whose seller has this handle.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn seller_by_handle(&self, handle: &str) -> Result<Option<SellerId>, StoreError> {
        if !is_handle(handle) {
            return Ok(None);
        }
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM sellers WHERE handle = $1")
            .bind(handle)
            .fetch_optional(&self.pool)
            .await?;
        Ok(id.map(SellerId))
    }

    /// The one seller, when the server has exactly one.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn only_seller(&self) -> Result<Option<SellerId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM sellers LIMIT 2")
            .fetch_all(&self.pool)
            .await?;
        Ok(match ids.as_slice() {
            [one] => Some(SellerId(*one)),
            _ => None,
        })
    }
}

/// Where a seller's Ozon API key is sealed: its row, so that a value moved to another row does not open.
fn ozon_key_context(seller: SellerId) -> String {
    format!("ozon api key of seller {}", seller.0)
}

impl Store {
    /// Keeps a seller's Ozon keys (`None` forgets them), the API key sealed with the server's secret key.
    ///
    /// # Errors
    /// `SecretKeyMissing` when the server has no secret key; `StoreError` if the database fails.
    pub async fn set_ozon_credentials(
        &self,
        seller: SellerId,
        credentials: Option<&crate::provider::Credentials>,
    ) -> Result<(), StoreError> {
        let sealed = credentials
            .map(|c| {
                self.secret_key()?
                    .seal(&c.api_key, &ozon_key_context(seller))
                    .map_err(StoreError::Secret)
            })
            .transpose()?;
        let mut tx = self.begin_write().await?;
        // New keys (or none) are not the ones refused.
        sqlx::query("DELETE FROM key_refusals WHERE seller_id = $1 AND provider = 'ozon'")
            .bind(seller.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE sellers SET ozon_client_id = $1, ozon_api_key = $2 WHERE id = $3")
            .bind(credentials.map(|c| c.client_id.as_str()))
            .bind(sealed)
            .bind(seller.0)
            .execute(&mut *tx)
            .await?;
        self.commit(tx, super::versions::Touched::Seller(seller))
            .await
    }

    /// A seller's Ozon keys, if it gave them.
    ///
    /// # Errors
    /// `SecretKeyMissing` or `Secret` when the API key cannot be opened; `StoreError` if the database fails.
    pub async fn ozon_credentials(
        &self,
        seller: SellerId,
    ) -> Result<Option<crate::provider::Credentials>, StoreError> {
        use sqlx::Row;
        let row = sqlx::query("SELECT ozon_client_id, ozon_api_key FROM sellers WHERE id = $1")
            .bind(seller.0)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let client_id: Option<String> = row.try_get("ozon_client_id")?;
        let sealed: Option<String> = row.try_get("ozon_api_key")?;
        let (Some(client_id), Some(sealed)) = (client_id, sealed) else {
            return Ok(None);
        };
        let api_key = self
            .secret_key()?
            .open(&sealed, &ozon_key_context(seller))
            .map_err(StoreError::Secret)?;
        Ok(Some(crate::provider::Credentials { client_id, api_key }))
    }

    /// Seals the Ozon API keys stored in plain text before keys were sealed.
    pub(super) async fn seal_plain_ozon_keys(&self, key: &SecretKey) -> Result<usize, StoreError> {
        use sqlx::Row;
        let rows =
            sqlx::query("SELECT id, ozon_api_key FROM sellers WHERE ozon_api_key IS NOT NULL")
                .fetch_all(&self.pool)
                .await?;
        let mut sealed = 0;
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let stored: String = row.try_get("ozon_api_key")?;
            if is_sealed(&stored) {
                continue;
            }
            let value = key
                .seal(&stored, &ozon_key_context(SellerId(id)))
                .map_err(StoreError::Secret)?;
            sqlx::query("UPDATE sellers SET ozon_api_key = $1 WHERE id = $2")
                .bind(value)
                .bind(id)
                .execute(&self.pool)
                .await?;
            sealed += 1;
        }
        Ok(sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_suggests_a_handle_and_anything_else_is_shop() {
        assert_eq!(handle_from_name("Demo Shop"), "demo-shop");
        assert_eq!(handle_from_name("  Ozon — Store #7 "), "ozon-store-7");
        assert_eq!(handle_from_name("Магазин"), "shop");
        assert_eq!(handle_from_name("x"), "shop");
        let long = handle_from_name(&"word ".repeat(30));
        assert!(is_handle(&long) && long.len() <= MAX_HANDLE - 3, "{long}");
    }

    #[test]
    fn only_lower_case_words_with_inner_dashes_are_handles() {
        for good in ["demo", "demo-guarded", "shop-7", "a1"] {
            assert!(is_handle(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "Demo",
            "-demo",
            "demo-",
            "demo shop",
            "демо",
            &"a".repeat(41),
        ] {
            assert!(!is_handle(bad), "{bad}");
        }
    }
}
