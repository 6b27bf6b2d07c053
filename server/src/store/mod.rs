//! The shipment store: SQLite or PostgreSQL through sqlx's `Any` driver, one schema from `migrations/`.
//!
//! Every statement is written once, in SQL both databases read (`$1` parameters,
//! no database-specific types), so the two cannot drift apart.

pub mod attention;
pub mod audit;
pub mod ceremonies;
pub mod daily_counts;
pub mod deliveries;
pub mod imports;
pub mod insights;
mod lease;
pub mod lockouts;
pub mod lookup_rules;
pub mod members;
pub mod operator;
pub mod providers;
pub mod push;
pub mod retention;
pub mod seller_id;
pub mod seller_shipments;
pub mod sellers;
pub mod shipment_list;
pub mod shipment_rows;
pub mod shipment_write;
pub mod sign_in_failures;
pub mod tokens;
pub mod versions;
pub mod webhooks;

pub use lease::{Place, Waiting};

use crate::secrets::SecretKey;
use shipment_rows::{insert_events, insert_shipment, read_events, read_shipment, SHIPMENT_COLUMNS};
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{Any, AnyPool, Row, Transaction};
use thiserror::Error;
use trackline_core::second_factor::SecondFactor;
use trackline_core::{Shipment, TrackingQuery};
use versions::{Touched, Versions};

/// A failure of the database underneath.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON column no longer reads as the contract.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The operating system gave no random bytes for a new id.
    #[error("no randomness for an id: {0}")]
    Random(#[from] getrandom::Error),
    /// Another request wrote the same row at the same moment; a retry will see its result.
    #[error("a concurrent request wrote the same thing")]
    Conflict,
    /// A migration this build knows is not applied to the database.
    #[error("migration {0} is not applied")]
    NotMigrated(i64),
    /// A seller's secret cannot be sealed or opened with the configured key.
    #[error("secret key: {0}")]
    Secret(crate::secrets::SecretError),
    /// Secrets are kept, or asked to be kept, but the server has no secret key.
    #[error("this server keeps sellers' provider keys sealed and needs its secret key: set TRACKLINE_SECRET_KEY (or secret_key_file); trackline-server secret-key prints a new one")]
    SecretKeyMissing,
    /// The row a write hangs under (a shipment, a seller) was deleted meanwhile; nothing was
    /// written.
    #[error("it was deleted meanwhile")]
    Gone,
    /// The row would take its party past a cap (`caps::Cap`); nothing was written.
    #[error("{}", .0.reason())]
    Full(crate::caps::Cap),
    /// A read ran past its statement timeout (PostgreSQL) and was cancelled.
    #[error("the database took too long to answer")]
    TimedOut,
    /// The URL names a database this server does not speak.
    #[error("unsupported database URL (sqlite:… or postgres://…): {0}")]
    UnsupportedUrl(String),
}

impl StoreError {
    /// Reads a unique-constraint violation as `Conflict`; anything else stays a database error.
    pub fn from_conflict(error: impl Into<StoreError>) -> StoreError {
        match error.into() {
            StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                StoreError::Conflict
            }
            other => other,
        }
    }
}

/// The databases the store speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file, or memory: the default for one machine.
    Sqlite,
    /// A server several instances can share.
    Postgres,
}

impl Backend {
    /// Which database a URL names.
    ///
    /// # Errors
    /// `UnsupportedUrl` for anything but `sqlite:` and `postgres:`/`postgresql:` URLs.
    pub fn of(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }
}

/// A new row id: 63 random bits, so that several servers over one database never collide.
pub fn new_id() -> Result<i64, StoreError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    Ok((u64::from_le_bytes(bytes) >> 1) as i64)
}

/// Shipments and events, shared by every request.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The key sellers' provider keys are sealed with, when the server was given one.
    secret_key: Option<std::sync::Arc<SecretKey>>,
    /// The versions of what is stored, for copies kept in memory.
    changes: Versions,
    /// Histograms of delivered parcels' days read lately, for learnt estimates.
    histograms: deliveries::Histograms,
}

impl Store {
    /// Opens (creating if needed) the database at `url` and applies the migrations.
    ///
    /// # Errors
    /// `StoreError` if the database cannot be opened or migrated.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = Backend::of(url)?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let url = match backend {
            // A SQLite file is created on first use; the `Any` driver takes that from the URL.
            Backend::Sqlite if !in_memory && !url.contains("mode=") => {
                let joiner = if url.contains('?') { '&' } else { '?' };
                format!("{url}{joiner}mode=rwc")
            }
            _ => url.to_owned(),
        };
        // Every connection to `:memory:` is a database of its own: keep exactly one alive.
        let pool = if in_memory {
            AnyPoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            // Sixteen: an import's job takes at most eight (`http::import_job`), the rest stay
            // for buyers' lookups and everything else.
            AnyPoolOptions::new().max_connections(16)
        }
        .connect(&url)
        .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        // Rows stored before 0024 and 0027 get their list columns in the background once the
        // server listens (`Store::fill_list_columns`), and a seller's own on its list's demand.
        Ok(Store {
            pool,
            backend,
            secret_key: None,
            changes: Versions::new(backend)?,
            histograms: deliveries::Histograms::new(),
        })
    }

    /// The store with the server's secret key, checked against what the store already sealed:
    /// an instance with another key, or with none where secrets are kept, is refused here, at
    /// start, not at the first Ozon call. Provider keys kept in plain text by an older version
    /// are sealed now.
    ///
    /// # Errors
    /// `Secret(WrongKey)` for another key, `SecretKeyMissing` for none where secrets are kept,
    /// other `StoreError`s if the database fails.
    pub async fn with_secret_key(self, key: Option<SecretKey>) -> Result<Store, StoreError> {
        const CHECK: &str = "trackline secret check";
        let check: Option<String> =
            sqlx::query_scalar("SELECT sealed FROM secret_check WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
        let Some(key) = key else {
            let kept: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM sellers WHERE ozon_api_key IS NOT NULL")
                    .fetch_one(&self.pool)
                    .await?;
            return if check.is_some() || kept > 0 {
                Err(StoreError::SecretKeyMissing)
            } else {
                Ok(self)
            };
        };
        match check {
            Some(sealed) => {
                key.open(&sealed, CHECK).map_err(StoreError::Secret)?;
            }
            None => {
                let sealed = key.seal(CHECK, CHECK).map_err(StoreError::Secret)?;
                sqlx::query("INSERT INTO secret_check (id, sealed) VALUES (1, $1)")
                    .bind(sealed)
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(StoreError::from_conflict)
                    .or_else(|error| match error {
                        // Another instance checked in at the same moment; its key is read next start.
                        StoreError::Conflict => Ok(()),
                        other => Err(other),
                    })?;
            }
        }
        let sealed = self.seal_plain_ozon_keys(&key).await?;
        if sealed > 0 {
            tracing::info!(
                sealed,
                "sealed Ozon keys kept in plain text by an older version"
            );
        }
        Ok(Store {
            secret_key: Some(std::sync::Arc::new(key)),
            ..self
        })
    }

    /// The server's secret key.
    ///
    /// # Errors
    /// `SecretKeyMissing` when the server was started without one.
    pub fn secret_key(&self) -> Result<&SecretKey, StoreError> {
        self.secret_key
            .as_deref()
            .ok_or(StoreError::SecretKeyMissing)
    }

    /// The versions of what is stored: what a copy kept in memory checks itself against.
    pub fn changes(&self) -> &Versions {
        &self.changes
    }

    /// Hears the writes of the other instances over the same database (PostgreSQL's
    /// `LISTEN`, on a connection of its own to `url`), from now on, until the process ends;
    /// on SQLite, where one instance has the file, there are none to hear.
    ///
    /// # Errors
    /// `StoreError` if PostgreSQL cannot be listened to.
    pub async fn hear_other_instances(&self, url: &str) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(()),
            Backend::Postgres => self.changes.listen(url).await,
        }
    }

    /// A transaction that writes. On SQLite it takes the write lock at its start (`BEGIN
    /// IMMEDIATE`): a transaction that has read and then writes is refused at once ("database
    /// is locked"), not made to wait, while another connection is writing.
    ///
    /// # Errors
    /// `StoreError` if the database fails or stays locked past its busy timeout.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Holds the row `id` of `table` until `tx` ends, so that writers who count rows under it
    /// before adding one (a cap), or add rows under it at all, go one after another with
    /// whoever deletes it (who holds it first). SQLite's `BEGIN IMMEDIATE` already makes every
    /// writer wait for the one before; PostgreSQL locks just that row.
    ///
    /// # Errors
    /// `Gone` when the row is not there (deleted since it was read, or by the writer held up
    /// meanwhile): nothing may be added under it. `StoreError` if the database fails.
    pub(crate) async fn hold_row(
        &self,
        tx: &mut Transaction<'static, Any>,
        table: &'static str,
        id: i64,
    ) -> Result<(), StoreError> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        sqlx::query(&format!("SELECT id FROM {table} WHERE id = $1{lock}"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|_| ())
            .ok_or(StoreError::Gone)
    }

    /// Commits a write, announcing what it changed inside its transaction to the other
    /// instances, and to this one once committed.
    ///
    /// # Errors
    /// `Conflict` if a unique row was written at the same moment; `StoreError` if the database fails.
    pub(crate) async fn commit(
        &self,
        mut tx: Transaction<'static, Any>,
        touched: Touched,
    ) -> Result<(), StoreError> {
        self.changes.announce(&mut tx, touched).await?;
        tx.commit().await.map_err(StoreError::from_conflict)?;
        self.changes.changed(touched);
        Ok(())
    }

    /// The connection pool, for checks that look at rows directly.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database is underneath.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// `StoreError` if it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the store answers and has every migration this build knows applied: an
    /// instance started with a newer build against an older schema is not ready.
    ///
    /// # Errors
    /// `StoreError` if the database fails; `NotMigrated` naming the first migration missing.
    pub async fn ready(&self) -> Result<(), StoreError> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await?;
        match sqlx::migrate!("./migrations")
            .iter()
            .find(|migration| !applied.contains(&migration.version))
        {
            Some(missing) => Err(StoreError::NotMigrated(missing.version)),
            None => Ok(()),
        }
    }

    /// How many shipments are stored.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM shipments")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Stores shipments with their events in a seller's seller, without references, all or none.
    ///
    /// # Errors
    /// `StoreError` if the database fails; nothing is written then.
    pub async fn insert_all(
        &self,
        seller: sellers::SellerId,
        shipments: &[Shipment],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for shipment in shipments {
            let id = new_id()?;
            insert_shipment(&mut tx, id, seller, None, shipment).await?;
            insert_events(&mut tx, id, &shipment.events).await?;
        }
        self.commit(tx, Touched::Seller(seller)).await
    }

    /// Every shipment of one seller that has this number as its order, shipment or tracking
    /// number, with what the public lookup needs to decide whether to show it, by shipment
    /// number, then tracking number, then id. Another seller's shipment with the same number is
    /// never found.
    ///
    /// # Errors
    /// `StoreError` if the database fails or a stored row no longer reads.
    pub async fn find(
        &self,
        seller: sellers::SellerId,
        query: &TrackingQuery,
    ) -> Result<Vec<Found>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        let rows = sqlx::query(&find_statement())
            .bind(query.as_str())
            .bind(seller.0)
            .fetch_all(&mut *connection)
            .await?;
        let ids = rows
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<Vec<i64>, _>>()?;
        let mut events = read_events(&mut connection, &ids).await?;
        let mut found = Vec::with_capacity(rows.len());
        for (row, id) in rows.iter().zip(ids) {
            let shipment = read_shipment(row, events.remove(&id).unwrap_or_default())?;
            found.push(Found {
                id,
                by_tracking_number: shipment.tracking_number.as_deref() == Some(query.as_str()),
                phone_hash: row.try_get("check_phone_hash")?,
                postcode_hash: row.try_get("check_postcode_hash")?,
                ozon_posting: row.try_get("ozon_posting")?,
                provider: row
                    .try_get::<Option<String>, _>("source")?
                    .as_deref()
                    .and_then(crate::provider::Provider::from_wire),
                polled_at_ms: row.try_get("polled_at_ms")?,
                learnt: deliveries::learnt_from(
                    row.try_get::<Option<String>, _>("learnt_estimate")?
                        .as_deref(),
                ),
                shipment,
            });
        }
        // Sorted here, not by the statement: an ORDER BY made SQLite read the whole seller
        // through the index that gives that order rather than probe the number indexes.
        fn order(found: &Found) -> (Option<&str>, Option<&str>, i64) {
            let shipment = &found.shipment;
            (
                shipment.shipment_number.as_deref(),
                shipment.tracking_number.as_deref(),
                found.id,
            )
        }
        found.sort_by(|a, b| order(a).cmp(&order(b)));
        Ok(found)
    }

    /// How the database runs `find`'s statement for this number in this seller, one line per
    /// step (SQLite's `EXPLAIN QUERY PLAN` details, PostgreSQL's `EXPLAIN`): what a test holds
    /// to the number indexes.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn find_plan(
        &self,
        seller: sellers::SellerId,
        query: &TrackingQuery,
    ) -> Result<Vec<String>, StoreError> {
        let statement = find_statement();
        let (explain, column) = match self.backend {
            Backend::Sqlite => (format!("EXPLAIN QUERY PLAN {statement}"), "detail"),
            Backend::Postgres => (format!("EXPLAIN {statement}"), "QUERY PLAN"),
        };
        let rows = sqlx::query(&explain)
            .bind(query.as_str())
            .bind(seller.0)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| row.try_get::<String, _>(column))
            .collect::<Result<_, _>>()?)
    }
}

/// `find`'s statement (`$1` the number, `$2` the seller): one probe per kind of number, each in
/// its (seller_id, number) index. Written as a UNION because both databases answer an OR of the
/// three by reading every shipment of the seller (SQLite through (seller_id, reference)); UNION,
/// not UNION ALL, so that a shipment whose numbers coincide comes once.
fn find_statement() -> String {
    let columns = format!(
        "{SHIPMENT_COLUMNS}, check_phone_hash, check_postcode_hash, ozon_posting, source, polled_at_ms, learnt_estimate"
    );
    ["order_number", "shipment_number", "tracking_number"]
        .map(|number| {
            format!("SELECT {columns} FROM shipments WHERE seller_id = $2 AND {number} = $1")
        })
        .join(" UNION ")
}

/// A shipment the public lookup found, with what deciding whether to show it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Its row id (the salt of its second factors).
    pub id: i64,
    /// The shipment.
    pub shipment: Shipment,
    /// Whether the number asked was its tracking number, which cannot be guessed as an order number can.
    pub by_tracking_number: bool,
    /// The hash of the last four digits of the buyer's phone, if the seller gave them.
    pub phone_hash: Option<String>,
    /// The hash of the delivery postcode, if the seller gave it.
    pub postcode_hash: Option<String>,
    /// The Ozon posting it was pulled from, if it was.
    pub ozon_posting: Option<String>,
    /// The carrier it is polled from, if one is.
    pub provider: Option<crate::provider::Provider>,
    /// When that carrier last answered for it (ms), if it has.
    pub polled_at_ms: Option<i64>,
    /// The window learnt for it when it was last written, not clamped to today (contract 1.6).
    pub learnt: Option<trackline_core::DeliveryWindow>,
}

impl Found {
    /// The stored hash of the shipment's second factor of this kind.
    pub fn second_factor_hash(&self, factor: SecondFactor) -> Option<&str> {
        match factor {
            SecondFactor::PhoneLast4 => self.phone_hash.as_deref(),
            SecondFactor::Postcode => self.postcode_hash.as_deref(),
        }
    }
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, duration_ms)
}

/// A duration in the store's milliseconds (`i64`, as its columns hold them); the longest
/// saturate rather than wrap.
pub(crate) fn duration_ms(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Now as RFC 3339 UTC, for the server's own stamps.
pub(crate) fn now_rfc3339() -> String {
    trackline_core::time::format_rfc3339(now_ms())
}
