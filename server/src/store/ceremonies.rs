//! Passkey ceremonies between their two requests: the state webauthn-rs serialises, kept in
//! the store so that any instance finishes what another began, taken once and only before it
//! expires.

use super::{Store, StoreError};

impl Store {
    /// Keeps a ceremony's state under `id` until `expires_ms`; forgets every ceremony expired
    /// by `now` (abandoned ones would otherwise stay).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn keep_ceremony(
        &self,
        id: &str,
        kind: &str,
        state: &str,
        expires_ms: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_ms <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO passkey_ceremonies (id, kind, state, expires_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(kind)
        .bind(state)
        .bind(expires_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes the state of the ceremony `id` of `kind`, which no other request can take after:
    /// `None` when it was taken, has expired by `now`, or never was.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn take_ceremony(
        &self,
        id: &str,
        kind: &str,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        // One statement, so that of two finishes at once only one gets the row.
        Ok(sqlx::query_scalar(
            "DELETE FROM passkey_ceremonies WHERE id = $1 AND kind = $2 AND expires_ms > $3
             RETURNING state",
        )
        .bind(id)
        .bind(kind)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }
}
