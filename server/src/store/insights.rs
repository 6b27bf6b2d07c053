//! What the seller's insights read: its daily counters of a period, its shipments now by stage
//! and exception and how many are stale, and its deliveries of the period grouped by carrier,
//! route and days in transit. What the figures mean (percentiles, the top routes) is
//! `crate::insights`'s.
//!
//! Every statement is a range of an index led by the seller: `daily_counts`' key, the
//! shipments' counting indexes (migrations 0024 and 0027) and `deliveries_insights` (migration
//! 0033), which holds every column the grouping reads so that a period of a large shop is read
//! from the index alone. The stages are the one walk of every shipment of the seller's.

use super::attention::STALE;
use super::seller_id::SellerId;
use super::shipment_list::{timed_out, ListFilter, ListOrder};
use super::{Backend, Store, StoreError};
use sqlx::Row;

/// The period asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// Its first UTC day (`YYYY-MM-DD`) and its last (today), both counted.
    pub days: (String, String),
    /// Deliveries from this moment (ms) on…
    pub from_ms: i64,
    /// …and before this one (ms).
    pub until_ms: i64,
    /// The moment "stale" is judged at (ms).
    pub now_ms: i64,
}

/// The deliveries of one carrier, route and number of days in transit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryGroup {
    /// The carrier's name in lower case ('' when none).
    pub carrier: String,
    /// Where the carrier took them ('' when unknown).
    pub origin: String,
    /// Where they arrived for the buyer ('' when unknown).
    pub destination: String,
    /// Whole days from hand-over to delivery (`None`: no hand-over known).
    pub transit_days: Option<i64>,
    /// How many were delivered.
    pub delivered: i64,
    /// How many of those had an estimate shown.
    pub with_estimate: i64,
    /// How many of those came by its last day.
    pub on_time: i64,
}

/// The rows the insights are made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsightRows {
    /// `(day, name, count)` for each counter counted in the period.
    pub counts: Vec<(String, String, i64)>,
    /// The seller's shipments per stage now (stages with none left out).
    pub stages: Vec<(String, i64)>,
    /// The seller's shipments per exception now (exceptions with none left out).
    pub exceptions: Vec<(String, i64)>,
    /// How many of them are stale now.
    pub stale: i64,
    /// The period's deliveries, grouped.
    pub deliveries: Vec<DeliveryGroup>,
}

const COUNTS: &str = "SELECT day, name, CAST(SUM(count) AS BIGINT) AS n FROM daily_counts \
    WHERE seller_id = $1 AND day >= $2 AND day <= $3 GROUP BY day, name";

const EXCEPTIONS: &str = "SELECT exception, COUNT(*) AS n FROM shipments \
    WHERE seller_id = $1 AND exception IS NOT NULL GROUP BY exception";

const DELIVERIES: &str = "SELECT carrier, origin, destination, \
    CAST(transit_days AS BIGINT) AS transit_days, COUNT(*) AS delivered, \
    COUNT(on_time) AS with_estimate, CAST(COALESCE(SUM(on_time), 0) AS BIGINT) AS on_time \
    FROM deliveries WHERE seller_id = $1 AND delivered_ms >= $2 AND delivered_ms < $3 \
    GROUP BY carrier, origin, destination, transit_days";

/// Every stale shipment is counted: the queue's statement with no limit to speak of (only the
/// unsettled can be stale, and they are few beside the delivered).
const STALE_ALL: i64 = i64::MAX;

impl Store {
    /// The seller's rows for its insights over `period`; another seller's are never read.
    ///
    /// # Errors
    /// `StoreError` if the database fails (`TimedOut` past the read's limit on PostgreSQL).
    pub async fn insight_rows(
        &self,
        seller: SellerId,
        period: &Period,
    ) -> Result<InsightRows, StoreError> {
        // The stages walk every shipment of the seller (a count of 1 000 000 delivered is a
        // walk of as many index entries); the rest are short ranges: on a connection of their
        // own at the same time, the answer waits for the longer alone.
        let every = ListFilter::default();
        let (stages, mut rows) = tokio::try_join!(
            self.count_shipments_by_stage(seller, &every),
            self.insight_ranges(seller, period),
        )?;
        rows.stages = stages;
        Ok(rows)
    }

    /// Every part of the insights but the stages.
    async fn insight_ranges(
        &self,
        seller: SellerId,
        period: &Period,
    ) -> Result<InsightRows, StoreError> {
        let mut tx = self.bounded_read().await?;
        let counts = sqlx::query(COUNTS)
            .bind(seller.0)
            .bind(&period.days.0)
            .bind(&period.days.1)
            .fetch_all(&mut *tx)
            .await
            .map_err(timed_out)?
            .iter()
            .map(|row| Ok((row.try_get("day")?, row.try_get("name")?, row.try_get("n")?)))
            .collect::<Result<_, StoreError>>()?;
        let exceptions = sqlx::query(EXCEPTIONS)
            .bind(seller.0)
            .fetch_all(&mut *tx)
            .await
            .map_err(timed_out)?
            .iter()
            .map(|row| Ok((row.try_get("exception")?, row.try_get("n")?)))
            .collect::<Result<_, StoreError>>()?;
        let stale: i64 = sqlx::query_scalar(STALE.count)
            .bind(seller.0)
            .bind(period.now_ms)
            .bind(STALE_ALL)
            .fetch_one(&mut *tx)
            .await
            .map_err(timed_out)?;
        let deliveries = sqlx::query(DELIVERIES)
            .bind(seller.0)
            .bind(period.from_ms)
            .bind(period.until_ms)
            .fetch_all(&mut *tx)
            .await
            .map_err(timed_out)?
            .iter()
            .map(|row| {
                Ok(DeliveryGroup {
                    carrier: row.try_get("carrier")?,
                    origin: row.try_get("origin")?,
                    destination: row.try_get("destination")?,
                    transit_days: row.try_get("transit_days")?,
                    delivered: row.try_get("delivered")?,
                    with_estimate: row.try_get("with_estimate")?,
                    on_time: row.try_get("on_time")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(InsightRows {
            counts,
            stages: Vec::new(),
            exceptions,
            stale,
            deliveries,
        })
    }

    /// How the database runs each of `insight_rows`' statements, named, one line per step: what
    /// a test and the benchmark hold to the indexes led by the seller.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn insight_plans(
        &self,
        seller: SellerId,
        period: &Period,
    ) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let (explain, column) = match self.backend {
            Backend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
            Backend::Postgres => ("EXPLAIN", "QUERY PLAN"),
        };
        let mut plans = vec![(
            "stages".to_owned(),
            self.list_plan(seller, &ListFilter::default(), ListOrder::Written, true)
                .await?,
        )];
        let statements = [
            ("counts", COUNTS),
            ("exceptions", EXCEPTIONS),
            ("stale", STALE.count),
            ("deliveries", DELIVERIES),
        ];
        for (name, sql) in statements {
            let statement = format!("{explain} {sql}");
            let query = sqlx::query(&statement).bind(seller.0);
            let query = match name {
                "counts" => query.bind(&period.days.0).bind(&period.days.1),
                "stale" => query.bind(period.now_ms).bind(STALE_ALL),
                "deliveries" => query.bind(period.from_ms).bind(period.until_ms),
                _ => query,
            };
            let plan = query
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>(column))
                .collect::<Result<_, _>>()?;
            plans.push((name.to_owned(), plan));
        }
        Ok(plans)
    }
}
