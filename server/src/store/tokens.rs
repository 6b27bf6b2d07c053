//! A seller's bearer tokens: several at once, each named, shown once and kept only as its
//! SHA-256, revoked on its own, and marked when last used (at most once a minute).
//!
//! The seller API reads this table on every request and keeps nothing of it in memory, so a
//! revoked token is refused by every instance from the moment the revocation commits.

use super::seller_id::SellerId;
use crate::digest::sha256_hex;

/// The prefix of every token, so that a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "tl_";
use super::versions::Touched;
use super::{new_id, now_ms, now_rfc3339, Store, StoreError};
use sqlx::{AnyConnection, Row};

/// How often a token's "last used" is written at most: reading it is every request, writing it
/// is once a minute per token, however many requests and instances use it.
pub const LAST_USED_EVERY_MS: i64 = 60_000;

/// A token as its seller sees it: everything but the token, which is shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Its id.
    pub id: i64,
    /// The seller's name for it ("shop backend", "ci").
    pub name: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was last used (ms since the epoch), to the minute; `None` if never.
    pub last_used_at_ms: Option<i64>,
}

/// On whose behalf a token is made, so that removing that member revokes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenMaker {
    /// The member (signed in, or who made the token in use); `None` for the operator.
    pub member: Option<i64>,
    /// The token in use, when a token made it.
    pub token: Option<i64>,
}

/// The seller a bearer token belongs to, and who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The seller.
    pub seller: SellerId,
    /// The token's id.
    pub id: i64,
    /// The token's name.
    pub name: String,
    /// The member it was made on behalf of, and that member's name; `None` for the operator's
    /// tokens and those made before makers were kept.
    pub made_by: Option<(i64, String)>,
}

/// What asking for a new token came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// Made: the token as listed, and the token itself, shown this once.
    Made(Token, String),
    /// The seller already has as many tokens as it may.
    Full,
    /// The member or token it was to be made on behalf of was removed or revoked since the
    /// request was authenticated: nothing was made.
    Gone,
}

/// What revoking a token came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// Revoked: refused from now on, by every instance. Its name.
    Revoked(String),
    /// The seller has no such token.
    NotFound,
    /// It is the seller's last token: revoking it would lock the seller out.
    Last,
}

/// A new bearer token: the prefix and 32 random bytes, hex.
pub(super) fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!("{TOKEN_PREFIX}{hex}"))
}

/// Keeps a new token of the seller's under `name`, inside the caller's transaction.
pub(super) async fn insert_token(
    connection: &mut AnyConnection,
    seller: SellerId,
    name: &str,
    maker: TokenMaker,
) -> Result<(Token, String), StoreError> {
    let token = new_token()?;
    let listed = Token {
        id: new_id()?,
        name: name.to_owned(),
        created_at: now_rfc3339(),
        last_used_at_ms: None,
    };
    sqlx::query(
        "INSERT INTO seller_tokens
         (id, seller_id, name, token_hash, created_at, made_by, made_by_token)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(listed.id)
    .bind(seller.0)
    .bind(&listed.name)
    .bind(sha256_hex(token.as_bytes()))
    .bind(&listed.created_at)
    .bind(maker.member)
    .bind(maker.token)
    .execute(&mut *connection)
    .await?;
    Ok((listed, token))
}

/// Holds the seller's row until the transaction ends (PostgreSQL's row lock; SQLite's write
/// transaction already holds the whole file), so that counting its tokens and acting on the count
/// is one step: two requests at once cannot both make the twenty-first, or both revoke one of the
/// last two.
async fn hold_seller(connection: &mut AnyConnection, seller: SellerId) -> Result<(), StoreError> {
    sqlx::query("UPDATE sellers SET name = name WHERE id = $1")
        .bind(seller.0)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Whether `maker` is still there, inside the caller's transaction (after `hold_seller`, so that
/// a removal or revocation is either committed and seen here, or waits for this transaction):
/// its member still one of the seller's, and the token it came with not revoked. A request is
/// authenticated before its transaction; without this, one that raced its member's removal made
/// a token or invitation for the removed member, which the removal had already swept.
pub(super) async fn maker_present(
    connection: &mut AnyConnection,
    seller: SellerId,
    maker: TokenMaker,
) -> Result<bool, StoreError> {
    if let Some(member) = maker.member {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM members WHERE id = $1 AND seller_id = $2")
                .bind(member)
                .bind(seller.0)
                .fetch_optional(&mut *connection)
                .await?;
        if found.is_none() {
            return Ok(false);
        }
    }
    if let Some(token) = maker.token {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM seller_tokens WHERE id = $1 AND seller_id = $2")
                .bind(token)
                .bind(seller.0)
                .fetch_optional(&mut *connection)
                .await?;
        if found.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

async fn count_tokens(connection: &mut AnyConnection, seller: SellerId) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM seller_tokens WHERE seller_id = $1")
            .bind(seller.0)
            .fetch_one(&mut *connection)
            .await?,
    )
}

impl Store {
    /// Makes the seller a new token under `name` on behalf of `maker` unless it already has
    /// `max`, or `maker` is no longer there; the token is returned this once and kept only as
    /// its hash.
    ///
    /// # Errors
    /// `StoreError` if the database fails or there is no randomness.
    pub async fn add_token(
        &self,
        seller: SellerId,
        name: &str,
        max: i64,
        maker: TokenMaker,
    ) -> Result<Added, StoreError> {
        let mut tx = self.begin_write().await?;
        hold_seller(&mut tx, seller).await?;
        if !maker_present(&mut tx, seller, maker).await? {
            return Ok(Added::Gone);
        }
        if count_tokens(&mut tx, seller).await? >= max {
            return Ok(Added::Full);
        }
        let (listed, token) = insert_token(&mut tx, seller, name, maker).await?;
        self.commit(tx, Touched::Seller(seller)).await?;
        Ok(Added::Made(listed, token))
    }

    /// How many of the seller's tokens name no member they were made on behalf of (the
    /// operator's, those made before makers were kept, and those made with them).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn tokens_without_maker(&self, seller: SellerId) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM seller_tokens WHERE seller_id = $1 AND made_by IS NULL",
        )
        .bind(seller.0)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The seller's tokens, oldest first (never the tokens or their hashes).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn tokens(&self, seller: SellerId) -> Result<Vec<Token>, StoreError> {
        sqlx::query(
            "SELECT id, name, created_at, last_used_at_ms FROM seller_tokens
             WHERE seller_id = $1 ORDER BY created_at, id",
        )
        .bind(seller.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(Token {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                created_at: row.try_get("created_at")?,
                last_used_at_ms: row.try_get("last_used_at_ms")?,
            })
        })
        .collect()
    }

    /// Revokes one of the seller's tokens (the one making the request included), unless it is
    /// the seller's last.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn revoke_token(&self, seller: SellerId, id: i64) -> Result<Revoked, StoreError> {
        let mut tx = self.begin_write().await?;
        hold_seller(&mut tx, seller).await?;
        let owned: Option<String> =
            sqlx::query_scalar("SELECT name FROM seller_tokens WHERE id = $1 AND seller_id = $2")
                .bind(id)
                .bind(seller.0)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(name) = owned else {
            return Ok(Revoked::NotFound);
        };
        if count_tokens(&mut tx, seller).await? <= 1 {
            return Ok(Revoked::Last);
        }
        sqlx::query("DELETE FROM seller_tokens WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller.0)
            .execute(&mut *tx)
            .await?;
        self.commit(tx, Touched::Seller(seller)).await?;
        Ok(Revoked::Revoked(name))
    }

    /// The seller a bearer token belongs to, if any; marks the token used when its mark is a
    /// minute old or more.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn seller_by_token(&self, token: &str) -> Result<Option<SellerId>, StoreError> {
        Ok(self.token_holder(token).await?.map(|holder| holder.seller))
    }

    /// The seller a bearer token belongs to and who the token is, if any; marks the token used
    /// when its mark is a minute old or more.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn token_holder(&self, token: &str) -> Result<Option<Holder>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let Some(row) = sqlx::query(
            "SELECT t.id, t.seller_id, t.name, t.last_used_at_ms, t.made_by, m.name AS maker_name
             FROM seller_tokens t LEFT JOIN members m ON m.id = t.made_by
             WHERE t.token_hash = $1",
        )
        .bind(sha256_hex(token.as_bytes()))
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let now = now_ms();
        let last_used: Option<i64> = row.try_get("last_used_at_ms")?;
        if last_used.is_none_or(|at| now.saturating_sub(at) >= LAST_USED_EVERY_MS) {
            // Conditional, so that of the requests and instances that read an old mark at once,
            // one moves it; the mark is no lookup data, so nothing kept in memory is told.
            // A mark that cannot be written (a busy SQLite file) costs the mark, not the request.
            let marked = sqlx::query(
                "UPDATE seller_tokens SET last_used_at_ms = $1
                 WHERE id = $2 AND (last_used_at_ms IS NULL OR last_used_at_ms <= $3)",
            )
            .bind(now)
            .bind(row.try_get::<i64, _>("id")?)
            .bind(now.saturating_sub(LAST_USED_EVERY_MS))
            .execute(&self.pool)
            .await;
            if let Err(error) = marked {
                tracing::warn!(%error, "a token's last use could not be marked");
            }
        }
        let made_by: Option<i64> = row.try_get("made_by")?;
        let maker_name: Option<String> = row.try_get("maker_name")?;
        Ok(Some(Holder {
            seller: SellerId(row.try_get("seller_id")?),
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            made_by: made_by.zip(maker_name),
        }))
    }
}
