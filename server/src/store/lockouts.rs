//! Wrong second-factor replies, per shop and client address, shared by every instance over one
//! store: ten in any ten minutes, and the address waits until the oldest of them is ten minutes
//! old (so a guesser gets one try a minute after the first ten; 10 000 four-digit guesses take a week).

use super::sellers::SellerId;
use super::{now_ms, Store, StoreError};
use std::net::IpAddr;
use std::time::Duration;

/// Wrong replies allowed in `WINDOW` before the address waits.
pub const MAX_WRONG: i64 = 10;
/// How long a wrong reply counts.
pub const WINDOW: Duration = Duration::from_secs(600);

impl Store {
    /// How long `client` must wait before its next reply in `shop` counts; `None` when it may reply now.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn second_factor_wait(
        &self,
        shop: SellerId,
        client: IpAddr,
    ) -> Result<Option<Duration>, StoreError> {
        let now = now_ms();
        let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(at_ms) FROM second_factor_failures
             WHERE shop_id = $1 AND client = $2 AND at_ms > $3",
        )
        .bind(shop.0)
        .bind(client.to_string())
        .bind(now - super::duration_ms(WINDOW))
        .fetch_one(&self.pool)
        .await?;
        Ok((count >= MAX_WRONG).then(|| {
            let free_at = oldest.unwrap_or(now) + super::duration_ms(WINDOW);
            Duration::from_millis(u64::try_from(free_at - now).unwrap_or(0).max(1))
        }))
    }

    /// Counts a wrong reply from `client` in `shop`, and forgets this key's replies older than the window.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn count_wrong_reply(
        &self,
        shop: SellerId,
        client: IpAddr,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM second_factor_failures WHERE shop_id = $1 AND client = $2 AND at_ms <= $3",
        )
        .bind(shop.0)
        .bind(client.to_string())
        .bind(now - super::duration_ms(WINDOW))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO second_factor_failures (shop_id, client, at_ms) VALUES ($1, $2, $3)",
        )
        .bind(shop.0)
        .bind(client.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
