//! A seller's imports kept between their preview and their application, and the stored
//! shipments a preview is compared with. Every statement names the seller (an import id of
//! another seller is no import); the preview and the rows are JSON the caller writes and reads,
//! kept sealed (`secrets`, bound to the import and its seller): they hold buyers' phone digits
//! and postcodes, which a copy of the database must not give away. A server without its secret
//! key seals them with a key of its process's own, so that a preview it made does not outlive
//! it (a server without a key is one instance: the README gives every instance of many the
//! same key).

use super::seller_id::SellerId;
use super::shipment_rows::{read_events, read_shipment, SHIPMENT_COLUMNS};
use super::{now_ms, Store, StoreError};
use crate::secrets::SecretKey;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::OnceLock;
use trackline_core::Shipment;

/// References asked about in one statement: well under any database's parameter limit.
const REFERENCES_AT_ONCE: usize = 500;

/// Where an import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportState {
    /// Shown, not applied.
    Previewed,
    /// Its rows being written.
    Applying,
    /// Every row written.
    Applied,
    /// Applying it stopped on a failure (`failure` says which); applying it again resumes.
    Failed,
}

impl ImportState {
    /// Its wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportState::Previewed => "previewed",
            ImportState::Applying => "applying",
            ImportState::Applied => "applied",
            ImportState::Failed => "failed",
        }
    }

    fn from_stored(text: &str) -> ImportState {
        match text {
            "applying" => ImportState::Applying,
            "applied" => ImportState::Applied,
            "failed" => ImportState::Failed,
            _ => ImportState::Previewed,
        }
    }
}

/// An import as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptImport {
    /// Where it stands.
    pub state: ImportState,
    /// Rows to write.
    pub total: i64,
    /// Rows written (or found unchanged) so far, in order.
    pub done: i64,
    /// When the job applying it last showed it lives (ms).
    pub beat_ms: i64,
    /// When an import not applied is forgotten (ms).
    pub expires_ms: i64,
    /// Why applying it stopped, when it failed.
    pub failure: Option<String>,
    /// The preview, as the caller wrote it.
    pub preview: String,
    /// The rows to write, as the caller wrote them.
    pub planned: String,
}

/// A seller's stored shipment an imported row is compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredShipment {
    /// Its row id (its second factors' hashes are keyed by it).
    pub id: i64,
    /// The shipment, with its history.
    pub shipment: Shipment,
    /// The hash of the buyer's phone, if kept.
    pub phone_hash: Option<String>,
    /// The hash of the buyer's postcode, if kept.
    pub postcode_hash: Option<String>,
}

/// A new import, to keep.
#[derive(Debug, Clone, Copy)]
pub struct NewImport<'a> {
    /// Its id.
    pub id: i64,
    /// When it is forgotten unless applied (ms).
    pub expires_ms: i64,
    /// Rows to write.
    pub total: i64,
    /// The preview, as shown.
    pub preview: &'a str,
    /// The rows to write.
    pub planned: &'a str,
    /// How many of the seller's imports not being applied are kept, this one among them: the
    /// oldest beyond are forgotten.
    pub kept_at_most: i64,
}

/// Whether an import's application could start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// It is the caller's to apply now.
    Started,
    /// It is being applied by a live job, or was applied: nothing to start.
    Held,
    /// Another import of the seller's is being applied by a live job.
    AnotherRunning,
}

/// How long an import whose job died (its beat stopped) is kept past its expiry, to be taken
/// up again, before it is forgotten.
const DEAD_JOB_KEPT_MS: i64 = 24 * 60 * 60 * 1000;

/// The rows of an applied import, forgotten: nothing left to seal.
const FORGOTTEN: &str = "[]";

/// The key a server without its secret key seals imports with: its process's own.
fn process_key() -> Option<&'static SecretKey> {
    static KEY: OnceLock<Option<SecretKey>> = OnceLock::new();
    KEY.get_or_init(|| SecretKey::generate().ok()).as_ref()
}

/// Where a sealed column of an import is bound to: a sealed value moved to another import's
/// row, another seller's, or the other column, does not open.
fn context(seller: SellerId, id: i64, column: &str) -> String {
    format!("import {id} of seller {} {column}", seller.0)
}

impl Store {
    /// The key imports are sealed with: the server's secret key, else its process's own.
    fn import_key(&self) -> Result<&SecretKey, StoreError> {
        match self.secret_key() {
            Ok(key) => Ok(key),
            Err(_) => process_key().ok_or(StoreError::Secret(
                crate::secrets::SecretError::NoRandomness,
            )),
        }
    }

    /// Keeps a seller's new import, sealed, and forgets the seller's oldest imports beyond
    /// `kept_at_most` (not one being applied); first forgets every import, of any seller, that
    /// expired without being applied.
    ///
    /// # Errors
    /// `StoreError` if the database fails or no key seals.
    pub async fn keep_import(
        &self,
        seller: SellerId,
        new: NewImport<'_>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        self.forget_expired_imports(now).await?;
        let key = self.import_key()?;
        let preview = key
            .seal(new.preview, &context(seller, new.id, "preview"))
            .map_err(StoreError::Secret)?;
        let planned = key
            .seal(new.planned, &context(seller, new.id, "planned"))
            .map_err(StoreError::Secret)?;
        // The seller's row held: previews sent side by side are counted one after another.
        let mut tx = self.begin_write().await?;
        self.hold_row(&mut tx, "sellers", seller.0).await?;
        sqlx::query(
            "INSERT INTO imports
             (id, seller_id, created_ms, expires_ms, state, total, done, beat_ms, preview, planned)
             VALUES ($1, $2, $3, $4, 'previewed', $5, 0, $3, $6, $7)",
        )
        .bind(new.id)
        .bind(seller.0)
        .bind(now)
        .bind(new.expires_ms)
        .bind(new.total)
        .bind(preview)
        .bind(planned)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM imports WHERE seller_id = $1 AND state <> 'applying' AND id NOT IN
             (SELECT id FROM imports WHERE seller_id = $1 AND state <> 'applying'
              ORDER BY created_ms DESC, id DESC LIMIT $2)",
        )
        .bind(seller.0)
        .bind(new.kept_at_most)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets every import, of any seller, that expired: a preview not applied within its
    /// time, an import applied (or failed) whose progress was kept long enough, and one whose
    /// job died with its instance and was not taken up again before it expired.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn forget_expired_imports(&self, now: i64) -> Result<u64, StoreError> {
        let forgotten = sqlx::query(
            "DELETE FROM imports WHERE expires_ms <= $1
               AND (state <> 'applying' OR beat_ms < $2)",
        )
        .bind(now)
        .bind(now.saturating_sub(DEAD_JOB_KEPT_MS))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(forgotten)
    }

    /// The seller's import `id`, unless it expired unapplied; another seller's is never found.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn kept_import(
        &self,
        seller: SellerId,
        id: i64,
    ) -> Result<Option<KeptImport>, StoreError> {
        let row = sqlx::query(
            "SELECT state, total, done, beat_ms, expires_ms, failure, preview, planned
             FROM imports WHERE id = $1 AND seller_id = $2",
        )
        .bind(id)
        .bind(seller.0)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let key = self.import_key()?;
        let open = |column: &str| -> Result<Option<String>, StoreError> {
            let sealed: String = row.try_get(column)?;
            if sealed == FORGOTTEN {
                return Ok(Some(sealed));
            }
            match key.open(&sealed, &context(seller, id, column)) {
                Ok(plain) => Ok(Some(plain)),
                Err(error) => {
                    // Sealed by a process that has ended (a server without its secret key was
                    // started again): as if it had expired; the file can be sent again.
                    tracing::warn!(%error, import = id, "an import's sealed {column} does not open");
                    Ok(None)
                }
            }
        };
        let (Some(preview), Some(planned)) = (open("preview")?, open("planned")?) else {
            return Ok(None);
        };
        let kept = KeptImport {
            state: ImportState::from_stored(&row.try_get::<String, _>("state")?),
            total: row.try_get("total")?,
            done: row.try_get("done")?,
            beat_ms: row.try_get("beat_ms")?,
            expires_ms: row.try_get("expires_ms")?,
            failure: row.try_get("failure")?,
            preview,
            planned,
        };
        let expired = kept.state == ImportState::Previewed && kept.expires_ms <= now_ms();
        Ok((!expired).then_some(kept))
    }

    /// Marks the seller's import `id` as being applied, if it may start: previewed and not
    /// expired, failed, or applying by a job whose last beat is before `dead_before` (ms: it
    /// died with its instance); and no other import of the seller's is applying by a job that
    /// beat since. Applying, it is kept `keep_ms` longer, for its progress to be read; its
    /// progress starts again from none (the rows written before are found unchanged).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn start_applying(
        &self,
        seller: SellerId,
        id: i64,
        dead_before: i64,
        keep_ms: i64,
    ) -> Result<Start, StoreError> {
        let now = now_ms();
        // The seller's row held: two applications of two imports at once, on any instance,
        // see each other.
        let mut tx = self.begin_write().await?;
        self.hold_row(&mut tx, "sellers", seller.0).await?;
        let running: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM imports
             WHERE seller_id = $1 AND id <> $2 AND state = 'applying' AND beat_ms >= $3",
        )
        .bind(seller.0)
        .bind(id)
        .bind(dead_before)
        .fetch_one(&mut *tx)
        .await?;
        if running > 0 {
            return Ok(Start::AnotherRunning);
        }
        let taken = sqlx::query(
            "UPDATE imports SET state = 'applying', beat_ms = $3, failure = NULL, done = 0,
                 expires_ms = $3 + $5
             WHERE id = $1 AND seller_id = $2
               AND ((state = 'previewed' AND expires_ms > $3) OR state = 'failed'
                    OR (state = 'applying' AND beat_ms < $4))",
        )
        .bind(id)
        .bind(seller.0)
        .bind(now)
        .bind(dead_before)
        .bind(keep_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(if taken.rows_affected() == 1 {
            Start::Started
        } else {
            Start::Held
        })
    }

    /// Records that the first `done` rows of import `id` are written, and that its job lives.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn import_progress(&self, id: i64, done: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE imports SET done = $2, beat_ms = $3 WHERE id = $1")
            .bind(id)
            .bind(done)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records how applying import `id` ended: applied, or failed and why; the rows it wrote
    /// are no longer kept once applied.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn end_applying(&self, id: i64, failure: Option<&str>) -> Result<(), StoreError> {
        match failure {
            None => {
                sqlx::query(
                    "UPDATE imports SET state = 'applied', done = total, beat_ms = $2,
                         planned = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(now_ms())
                .bind(FORGOTTEN)
                .execute(&self.pool)
                .await?
            }
            Some(failure) => {
                sqlx::query(
                    "UPDATE imports SET state = 'failed', failure = $2, beat_ms = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(failure)
                .bind(now_ms())
                .execute(&self.pool)
                .await?
            }
        };
        Ok(())
    }

    /// The seller's shipments under any of `references`, by reference; another seller's are
    /// never found.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn shipments_by_reference(
        &self,
        seller: SellerId,
        references: &[&str],
    ) -> Result<HashMap<String, StoredShipment>, StoreError> {
        let mut found = HashMap::new();
        let mut connection = self.pool.acquire().await?;
        for chunk in references.chunks(REFERENCES_AT_ONCE) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT {SHIPMENT_COLUMNS}, reference, check_phone_hash, check_postcode_hash
                 FROM shipments WHERE seller_id = $1 AND reference IN ({})",
                marks.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(seller.0);
            for reference in chunk {
                query = query.bind(*reference);
            }
            let rows = query.fetch_all(&mut *connection).await?;
            let ids = rows
                .iter()
                .map(|row| row.try_get("id"))
                .collect::<Result<Vec<i64>, _>>()?;
            let mut events = read_events(&mut connection, &ids).await?;
            for (row, id) in rows.iter().zip(ids) {
                let shipment = read_shipment(row, events.remove(&id).unwrap_or_default())?;
                found.insert(
                    row.try_get("reference")?,
                    StoredShipment {
                        id,
                        shipment,
                        phone_hash: row.try_get("check_phone_hash")?,
                        postcode_hash: row.try_get("check_postcode_hash")?,
                    },
                );
            }
        }
        Ok(found)
    }
}
