//! A seller's shipments listed: filtered, in one of three orders, a page at a time after a
//! position (keyset, never OFFSET), and counted per stage. Reads only; what a filter means
//! (which moment is "now", how a number typed is normalised) is decided by the caller.
//!
//! Every statement names the seller first, and every order has an index led by it
//! (migration 0024), so a page reads about as many rows as it shows whatever the shop's size.

use super::seller_id::SellerId;
use super::shipment_rows::{
    fill_rows, read_events, read_shipment, unfilled_after, unfilled_of, SHIPMENT_COLUMNS,
};
use super::{Backend, Store, StoreError};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Row};
use trackline_core::Shipment;

/// Which exception a listed shipment has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExceptionFilter {
    /// Any exception at all.
    Any,
    /// None.
    None,
    /// This one (its wire name).
    Kind(String),
}

/// Whether a listed shipment is stale at a moment the caller names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleAt {
    /// Stale (true) or not (false).
    pub stale: bool,
    /// The moment judged (ms).
    pub now_ms: i64,
}

/// A range of moments (ms): from inclusive, to exclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    /// The first moment in it.
    pub from: Option<i64>,
    /// The first moment after it.
    pub to: Option<i64>,
}

/// A number searched for, as the store keeps numbers and references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberSearch {
    /// The number in its normal form, compared with the order, shipment and tracking numbers.
    pub number: String,
    /// The text as typed (trimmed), compared with the seller's reference.
    pub reference: String,
}

/// What the listed shipments must be; each part left `None` lets all through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// The stage's wire name.
    pub stage: Option<String>,
    /// The exception.
    pub exception: Option<ExceptionFilter>,
    /// Gone stale or not.
    pub stale: Option<StaleAt>,
    /// The provider it is polled from (its wire name).
    pub provider: Option<String>,
    /// The carrier's name, in lower case.
    pub carrier: Option<String>,
    /// When the server first stored it.
    pub created: Range,
    /// When the server last wrote it.
    pub written: Range,
    /// A number it has, or its reference.
    pub search: Option<NumberSearch>,
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    /// Last written first.
    Written,
    /// Last created first.
    Created,
    /// By reference, A to Z; shipments without one after, by id.
    Reference,
}

/// Where a page ends: the order's key of its last shipment and that shipment's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// In `Written` or `Created` order: the moment and the id.
    Moment(i64, i64),
    /// In `Reference` order: the reference (none for those listed last) and the id.
    Reference(Option<String>, i64),
}

/// A shipment as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// The seller's reference, if it has one.
    pub reference: Option<String>,
    /// The shipment, with its history.
    pub shipment: Shipment,
    /// Where it stands in the order it was listed in.
    pub position: Position,
}

/// A statement cancelled by its timeout (PostgreSQL's `query_canceled`, 57014) as `TimedOut`.
pub(crate) fn timed_out(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("57014") => StoreError::TimedOut,
        _ => StoreError::Database(error),
    }
}

/// A value bound to a statement.
#[derive(Debug, Clone)]
enum Bind {
    Int(i64),
    Text(String),
}

/// A statement's conditions and their values, numbered as they are added.
#[derive(Debug, Default)]
struct Conditions {
    clauses: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    /// The next placeholder, for `value`.
    fn place(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    fn bind<'q>(
        &self,
        mut query: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        for value in &self.binds {
            query = match value {
                Bind::Int(n) => query.bind(*n),
                Bind::Text(text) => query.bind(text.clone()),
            };
        }
        query
    }

    /// The seller's shipments through `filter`, the stage left out when `with_stage` is false.
    fn of(seller: SellerId, filter: &ListFilter, with_stage: bool) -> Conditions {
        let mut c = Conditions::default();
        let s = c.place(Bind::Int(seller.0));
        // A search finds its few shipments by the seller's number indexes (below), each probe
        // naming the seller; the seller named here too would let the database read the whole
        // shop through the order's index instead.
        if filter.search.is_none() {
            c.push(format!("seller_id = {s}"));
        }
        if let (true, Some(stage)) = (with_stage, &filter.stage) {
            let p = c.place(Bind::Text(stage.clone()));
            c.push(format!("stage = {p}"));
        }
        match &filter.exception {
            None => {}
            Some(ExceptionFilter::Any) => c.push("exception IS NOT NULL".into()),
            Some(ExceptionFilter::None) => c.push("exception IS NULL".into()),
            Some(ExceptionFilter::Kind(kind)) => {
                let p = c.place(Bind::Text(kind.clone()));
                c.push(format!("exception = {p}"));
            }
        }
        if let Some(StaleAt { stale, now_ms }) = filter.stale {
            let p = c.place(Bind::Int(now_ms));
            c.push(if stale {
                format!("stale_at_ms <= {p}")
            } else {
                format!("(stale_at_ms IS NULL OR stale_at_ms > {p})")
            });
        }
        if let Some(provider) = &filter.provider {
            let p = c.place(Bind::Text(provider.clone()));
            c.push(format!("source = {p}"));
        }
        if let Some(carrier) = &filter.carrier {
            let p = c.place(Bind::Text(carrier.clone()));
            c.push(format!("carrier_name = {p}"));
        }
        for (column, range) in [
            ("created_ms", filter.created),
            ("written_ms", filter.written),
        ] {
            if let Some(from) = range.from {
                let p = c.place(Bind::Int(from));
                c.push(format!("{column} >= {p}"));
            }
            if let Some(to) = range.to {
                let p = c.place(Bind::Int(to));
                c.push(format!("{column} < {p}"));
            }
        }
        if let Some(search) = &filter.search {
            // One probe per kind of number in its (seller_id, number) index, as `Store::find`
            // does: an OR of the four made both databases read the whole shop.
            let number = c.place(Bind::Text(search.number.clone()));
            let reference = c.place(Bind::Text(search.reference.clone()));
            let probes = [
                ("order_number", &number),
                ("shipment_number", &number),
                ("tracking_number", &number),
                ("reference", &reference),
            ]
            .map(|(column, p)| {
                format!("SELECT id FROM shipments WHERE seller_id = {s} AND {column} = {p}")
            })
            .join(" UNION ");
            c.push(format!("id IN ({probes})"));
        }
        c
    }
}

/// A page's statement and its values: the shipments through `filter` after `after` in
/// `order`, at most `limit`; in `Reference` order, `nulls` picks the part without a reference.
fn page_statement(
    seller: SellerId,
    filter: &ListFilter,
    order: ListOrder,
    after: Option<&Position>,
    limit: i64,
    nulls: bool,
) -> (String, Conditions) {
    let mut c = Conditions::of(seller, filter, true);
    let order_by = match order {
        ListOrder::Written | ListOrder::Created => {
            let column = if order == ListOrder::Written {
                "written_ms"
            } else {
                "created_ms"
            };
            if let Some(Position::Moment(moment, id)) = after {
                let m = c.place(Bind::Int(*moment));
                let i = c.place(Bind::Int(*id));
                // Spelt out rather than as a row comparison, which SQLite plans less well.
                c.push(format!("({column} < {m} OR ({column} = {m} AND id < {i}))"));
            }
            format!("{column} DESC, id DESC")
        }
        ListOrder::Reference if !nulls => {
            c.push("reference IS NOT NULL".into());
            if let Some(Position::Reference(Some(reference), _)) = after {
                // References are unique in a shop: the reference alone is the position.
                let r = c.place(Bind::Text(reference.clone()));
                c.push(format!("reference > {r}"));
            }
            "reference ASC".to_owned()
        }
        ListOrder::Reference => {
            c.push("reference IS NULL".into());
            if let Some(Position::Reference(None, id)) = after {
                let i = c.place(Bind::Int(*id));
                c.push(format!("id > {i}"));
            }
            "id ASC".to_owned()
        }
    };
    // A search's few shipments are sorted as found: an order an index gives would have the
    // database walk the shop in that order and test each against them. (`+ 0` and `|| ''` keep
    // the order and hide the index, in both databases.)
    let order_by = match (&filter.search, order) {
        (None, _) => order_by,
        (Some(_), ListOrder::Written) => "written_ms + 0 DESC, id DESC".to_owned(),
        (Some(_), ListOrder::Created) => "created_ms + 0 DESC, id DESC".to_owned(),
        (Some(_), ListOrder::Reference) => order_by.replace("reference ASC", "reference || '' ASC"),
    };
    let l = c.place(Bind::Int(limit));
    let columns = format!("{SHIPMENT_COLUMNS}, reference, written_ms, created_ms");
    let sql = if filter.search.is_none() && filter.stale.is_some_and(|s| s.stale) {
        // The stale are read through their index, not in the page's order: the page is chosen
        // from their ids and moments alone (that index holds them), and only its rows are read,
        // rather than every stale row read whole and sorted. The inner order hides the moment's
        // own index: stale parcels are the ones not written lately, so walking that index from
        // the newest reads every fresh row before the first stale one (PostgreSQL chose that
        // walk on one run's statistics, assuming the two columns independent).
        let inner = match order {
            ListOrder::Written => "written_ms + 0 DESC, id DESC",
            ListOrder::Created => "created_ms + 0 DESC, id DESC",
            ListOrder::Reference => order_by.as_str(),
        };
        format!(
            "SELECT {columns} FROM shipments WHERE id IN \
             (SELECT id FROM shipments WHERE {} ORDER BY {inner} LIMIT {l}) \
             ORDER BY {order_by}",
            c.sql()
        )
    } else {
        format!(
            "SELECT {columns} FROM shipments WHERE {} ORDER BY {order_by} LIMIT {l}",
            c.sql()
        )
    };
    (sql, c)
}

/// The statement that counts the shipments through `filter` (its stage aside) per stage.
fn count_statement(seller: SellerId, filter: &ListFilter) -> (String, Conditions) {
    let c = Conditions::of(seller, filter, false);
    let sql = format!(
        "SELECT stage, COUNT(*) AS n FROM shipments WHERE {} GROUP BY stage",
        c.sql()
    );
    (sql, c)
}

/// The longest one statement of a list, a count or a queue may run on PostgreSQL before it is
/// cancelled (`SET LOCAL statement_timeout`): a page and its counts take milliseconds in a shop
/// of 100 000 (docs/benchmarks.md), so only a plan gone wrong or a database in trouble reaches it.
pub const READ_TIMEOUT_MS: i64 = 2_000;

/// The most rows one fill transaction gives their columns: one commit (one fsync on SQLite) per
/// batch, and a writer waits at most one batch for it.
pub const FILL_BATCH: i64 = 500;

impl Store {
    /// A transaction for a seller's list, counts or queues: on PostgreSQL each statement in it is
    /// cancelled after `READ_TIMEOUT_MS` (a `TimedOut` error). SQLite has no statement timeout:
    /// there every statement is a range of an index led by the seller, and the seller's reads
    /// are rate-limited above.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn bounded_read(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            // A SET takes no parameter; the figure is the server's own constant.
            sqlx::query(&format!("SET LOCAL statement_timeout = {READ_TIMEOUT_MS}"))
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Gives every row stored before migrations 0024 and 0027 the columns the list and the
    /// attention queues read, a batch of `FILL_BATCH` at a time in id order, each batch its own
    /// transaction: run in the background once the server listens. Idempotent (each row is
    /// filled only while it lacks them, so two instances at once, or a restart, repeat at most
    /// a check) and resumable (a restart walks again, finding the filled ones filled). Returns
    /// how many rows it filled.
    ///
    /// # Errors
    /// `StoreError` if the database fails; the batches before stay filled.
    pub async fn fill_list_columns(&self) -> Result<u64, StoreError> {
        let mut filled = 0;
        let mut after = -1;
        // Bounded by the table: each turn moves past a batch of ids, or ends.
        loop {
            // Read first, written only where a batch has rows to fill: on SQLite a write
            // transaction holds every other writer, and after the first start nearly every
            // batch has none.
            let mut connection = self.pool.acquire().await?;
            let (unfilled, last) = unfilled_after(&mut connection, after, FILL_BATCH).await?;
            drop(connection);
            if !unfilled.is_empty() {
                let mut tx = self.begin_write().await?;
                filled += fill_rows(&mut tx, &unfilled).await?;
                tx.commit().await?;
            }
            match last {
                Some(last) => after = last,
                None => return Ok(filled),
            }
        }
    }

    /// Fills the seller's own rows still without their list columns, a batch of `FILL_BATCH`;
    /// `true` when none is left (the usual answer: one probe of an index each, nothing written).
    /// A list read while some are left would miss them from its filters and misplace them in
    /// its orders.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn fill_seller_list(&self, seller: SellerId) -> Result<bool, StoreError> {
        let mut connection = self.pool.acquire().await?;
        let unfilled = unfilled_of(&mut connection, seller, FILL_BATCH + 1).await?;
        drop(connection);
        if unfilled.is_empty() {
            return Ok(true);
        }
        let batch = usize::try_from(FILL_BATCH).unwrap_or(usize::MAX);
        let mut tx = self.begin_write().await?;
        fill_rows(&mut tx, &unfilled[..unfilled.len().min(batch)]).await?;
        tx.commit().await?;
        Ok(unfilled.len() <= batch)
    }

    /// The seller's shipments through `filter` in `order`, the first `limit` after `after`;
    /// another seller's are never read, whatever the position says.
    ///
    /// # Errors
    /// `StoreError` if the database fails or a stored row no longer reads.
    pub async fn list_shipments(
        &self,
        seller: SellerId,
        filter: &ListFilter,
        order: ListOrder,
        after: Option<&Position>,
        limit: usize,
    ) -> Result<Vec<Listed>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut connection = self.bounded_read().await?;
        // In reference order, those without a reference come after the rest.
        let parts: &[bool] = match (order, after) {
            (ListOrder::Reference, Some(Position::Reference(None, _))) => &[true],
            (ListOrder::Reference, _) => &[false, true],
            _ => &[false],
        };
        let mut rows = Vec::new();
        for &nulls in parts {
            let wanted = limit - i64::try_from(rows.len()).unwrap_or(i64::MAX);
            if wanted <= 0 {
                break;
            }
            let (sql, c) = page_statement(seller, filter, order, after, wanted, nulls);
            rows.extend(
                c.bind(sqlx::query(&sql))
                    .fetch_all(&mut *connection)
                    .await
                    .map_err(timed_out)?,
            );
        }
        let ids = rows
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<Vec<i64>, _>>()?;
        let mut events = read_events(&mut connection, &ids).await?;
        let mut listed = Vec::with_capacity(rows.len());
        for (row, id) in rows.iter().zip(ids) {
            let reference: Option<String> = row.try_get("reference")?;
            let position = match order {
                ListOrder::Written => Position::Moment(row.try_get("written_ms")?, id),
                ListOrder::Created => Position::Moment(row.try_get("created_ms")?, id),
                ListOrder::Reference => Position::Reference(reference.clone(), id),
            };
            listed.push(Listed {
                reference,
                shipment: read_shipment(row, events.remove(&id).unwrap_or_default())?,
                position,
            });
        }
        Ok(listed)
    }

    /// How many of the seller's shipments pass `filter`, its stage aside, per stage (wire
    /// name); stages with none are left out.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn count_shipments_by_stage(
        &self,
        seller: SellerId,
        filter: &ListFilter,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let (sql, c) = count_statement(seller, filter);
        let mut tx = self.bounded_read().await?;
        let rows = c
            .bind(sqlx::query(&sql))
            .fetch_all(&mut *tx)
            .await
            .map_err(timed_out)?;
        rows.iter()
            .map(|row| Ok((row.try_get("stage")?, row.try_get("n")?)))
            .collect()
    }

    /// How the database runs the first statement of `list_shipments` (and, with `counts`,
    /// `count_shipments_by_stage`'s), one line per step: what a test holds to the indexes led
    /// by the seller.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn list_plan(
        &self,
        seller: SellerId,
        filter: &ListFilter,
        order: ListOrder,
        counts: bool,
    ) -> Result<Vec<String>, StoreError> {
        let (sql, c) = if counts {
            count_statement(seller, filter)
        } else {
            page_statement(seller, filter, order, None, 51, false)
        };
        let (explain, column) = match self.backend {
            Backend::Sqlite => (format!("EXPLAIN QUERY PLAN {sql}"), "detail"),
            Backend::Postgres => (format!("EXPLAIN {sql}"), "QUERY PLAN"),
        };
        let rows = c.bind(sqlx::query(&explain)).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|row| row.try_get::<String, _>(column))
            .collect::<Result<_, _>>()?)
    }
}
