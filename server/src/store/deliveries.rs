//! The `deliveries` rows (one a delivered shipment) and what learnt estimates read of them:
//! histograms of days per pool of parcels (`crate::learnt::Pool`), kept a few minutes in memory
//! so that a 10 000-row import asks the database once a route, not once a row. Also the
//! shipment's learnt estimate and its running-late mark. What any of it means is decided in
//! `crate::learnt` and `crate::updates`.

use super::seller_id::SellerId;
use super::shipment_write::ShipmentWrite;
use super::{Store, StoreError};
use crate::learnt::{Ask, Delivered, Histogram, Pool};
use moka::sync::Cache;
use sqlx::Row;
use std::time::Duration;
use trackline_core::contract::CountedFrom;
use trackline_core::time::DAY_MILLIS;
use trackline_core::DeliveryWindow;

/// How long a histogram read is reused: a delivery counts in new estimates within this.
const KEPT_FOR: Duration = Duration::from_secs(5 * 60);
/// At most this many histograms are kept (a few hundred bytes each).
const AT_MOST: u64 = 20_000;
/// Only parcels delivered within this many days teach: carriers change their pace.
const TEACHING_DAYS: i64 = 365;
/// At most the latest this many parcels teach a histogram.
pub const LATEST: i64 = 1_000;

/// Which histogram: the seller (none for every seller's), the pool, the way, the days counted.
type Key = (Option<i64>, Pool, String, String, String, bool);

/// Histograms read lately, shared by the store's clones.
#[derive(Clone)]
pub struct Histograms(Cache<Key, Histogram>);

impl Histograms {
    /// An empty cache.
    pub fn new() -> Histograms {
        Histograms(
            Cache::builder()
                .max_capacity(AT_MOST)
                .time_to_live(KEPT_FOR)
                .build(),
        )
    }
}

impl Default for Histograms {
    fn default() -> Self {
        Histograms::new()
    }
}

impl std::fmt::Debug for Histograms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histograms")
            .field("entries", &self.0.entry_count())
            .finish()
    }
}

impl ShipmentWrite {
    /// Keeps `delivered` as the shipment's row in `deliveries`, replacing the one it had.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn record_delivery(&mut self, delivered: &Delivered) -> Result<(), StoreError> {
        let (id, seller) = (self.id(), self.seller());
        let way = &delivered.way;
        sqlx::query(
            "INSERT INTO deliveries (shipment_id, seller_id, carrier, origin, destination,
                 handed_over_ms, arrived_ms, delivered_ms, transit_days, last_leg_days, on_time)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (shipment_id) DO UPDATE SET
                 seller_id = excluded.seller_id, carrier = excluded.carrier,
                 origin = excluded.origin, destination = excluded.destination,
                 handed_over_ms = excluded.handed_over_ms, arrived_ms = excluded.arrived_ms,
                 delivered_ms = excluded.delivered_ms, transit_days = excluded.transit_days,
                 last_leg_days = excluded.last_leg_days,
                 on_time = COALESCE(excluded.on_time, deliveries.on_time)",
        )
        .bind(id)
        .bind(seller.0)
        .bind(&way.carrier)
        .bind(&way.origin)
        .bind(&way.destination)
        .bind(way.handed_over_ms)
        .bind(way.arrived_ms)
        .bind(delivered.delivered_ms)
        .bind(delivered.transit_days.map(days_column))
        .bind(delivered.last_leg_days.map(days_column))
        .bind(delivered.on_time.map(i32::from))
        .execute(self.tx_mut())
        .await?;
        Ok(())
    }

    /// The histogram of `pool` for `ask`, from the cache or read in this write's transaction.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn histogram(&mut self, pool: Pool, ask: &Ask) -> Result<Histogram, StoreError> {
        let way = &ask.way;
        let seller = match pool {
            Pool::EveryonesRoute => None,
            Pool::SellersRoute | Pool::SellersCarrier => Some(self.seller().0),
        };
        let (origin, destination) = if pool.needs_route() {
            (way.origin.clone(), way.destination.clone())
        } else {
            (String::new(), String::new())
        };
        let arrived = ask.counted_from == CountedFrom::Arrived;
        let key: Key = (
            seller,
            pool,
            way.carrier.clone(),
            origin,
            destination,
            arrived,
        );
        let histograms = self.store().histograms.clone();
        if let Some(histogram) = histograms.0.get(&key) {
            return Ok(histogram);
        }
        let days = if arrived {
            "last_leg_days"
        } else {
            "transit_days"
        };
        let since = super::now_ms() - TEACHING_DAYS * DAY_MILLIS;
        // Never a delivery dated ahead of today: a seller's made-up parcels "delivered" in 9999
        // would otherwise stay the latest of a route for good, every seller's history theirs.
        let until = super::now_ms() + DAY_MILLIS;
        let (place, query) = match pool {
            Pool::SellersRoute => (
                "seller_id = $3 AND carrier = $2 AND origin = $4 AND destination = $5 \
                 AND delivered_ms <= $6",
                true,
            ),
            Pool::SellersCarrier => (
                "seller_id = $3 AND carrier = $2 AND delivered_ms <= $4",
                false,
            ),
            Pool::EveryonesRoute => (
                "carrier = $2 AND origin = $3 AND destination = $4 AND delivered_ms <= $5",
                true,
            ),
        };
        // The latest parcels only: a route's index gives them in order, so a busy route costs
        // no more than a quiet one.
        let statement = format!(
            "SELECT CAST(days AS BIGINT) AS days, CAST(COUNT(*) AS BIGINT) AS parcels
             FROM (SELECT {days} AS days FROM deliveries
                   WHERE delivered_ms >= $1 AND {place} AND {days} IS NOT NULL
                   ORDER BY delivered_ms DESC LIMIT {LATEST}) AS latest
             GROUP BY days"
        );
        let mut statement = sqlx::query(&statement).bind(since).bind(&key.2);
        if let Some(seller) = seller {
            statement = statement.bind(seller);
        }
        if query {
            statement = statement.bind(&key.3).bind(&key.4);
        }
        let rows = statement.bind(until).fetch_all(self.tx_mut()).await?;
        let histogram = rows
            .iter()
            .map(|row| {
                let days: i64 = row.try_get("days")?;
                let parcels: i64 = row.try_get("parcels")?;
                Ok((
                    u32::try_from(days).unwrap_or(0),
                    u64::try_from(parcels).unwrap_or(0),
                ))
            })
            .collect::<Result<Histogram, StoreError>>()?;
        histograms.0.insert(key, histogram.clone());
        Ok(histogram)
    }

    /// Keeps the shipment's learnt estimate (`None`: none) and the day past which it is late.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn set_learnt(
        &mut self,
        learnt: Option<&DeliveryWindow>,
        late_after: Option<&str>,
    ) -> Result<(), StoreError> {
        let json = learnt.map(serde_json::to_string).transpose()?;
        let id = self.id();
        sqlx::query("UPDATE shipments SET learnt_estimate = $1, late_after = $2 WHERE id = $3")
            .bind(json)
            .bind(late_after)
            .bind(id)
            .execute(self.tx_mut())
            .await?;
        Ok(())
    }

    /// The shipment's learnt estimate as last kept, not clamped (`None`: none).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn learnt(&mut self) -> Result<Option<DeliveryWindow>, StoreError> {
        let id = self.id();
        let json: Option<String> =
            sqlx::query_scalar("SELECT learnt_estimate FROM shipments WHERE id = $1")
                .bind(id)
                .fetch_one(self.tx_mut())
                .await?;
        Ok(learnt_from(json.as_deref()))
    }

    /// Marks the shipment as told it is running late; `false` when it already was (another
    /// instance told it), and then nothing may be queued for it.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn mark_estimate_missed(&mut self, now: i64) -> Result<bool, StoreError> {
        let id = self.id();
        let marked = sqlx::query(
            "UPDATE shipments SET estimate_missed_ms = $1
             WHERE id = $2 AND estimate_missed_ms IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(self.tx_mut())
        .await?
        .rows_affected();
        Ok(marked == 1)
    }
}

/// A learnt estimate as `learnt_estimate` keeps it; one that does not read is none.
pub(crate) fn learnt_from(json: Option<&str>) -> Option<DeliveryWindow> {
    json.and_then(|json| serde_json::from_str(json).ok())
}

/// Days as the `INTEGER` columns keep them.
fn days_column(days: i64) -> i32 {
    i32::try_from(days).unwrap_or(i32::MAX)
}

impl Store {
    /// The shipments whose sellers hear of `estimate_missed` that may be running late on
    /// `today` (an ISO date): under a reference, not delivered, returned or cancelled, past the
    /// day kept for them and not told yet. Whether each is, is decided by the caller.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn late_candidates(&self, today: &str) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM shipments
             WHERE late_after < $1 AND estimate_missed_ms IS NULL
               AND reference IS NOT NULL AND stage <> 'delivered'
               AND (exception IS NULL OR exception NOT IN ('returned', 'cancelled'))
               AND seller_id IN (SELECT seller_id FROM webhooks WHERE kinds LIKE '%estimate_missed%')",
        )
        .bind(today)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Up to `limit` delivered shipments with an id above `after` that have no row in
    /// `deliveries` (delivered before migration 0029), by id.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn delivered_unrecorded(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM shipments s
             WHERE s.id > $1 AND s.stage = 'delivered'
               AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.shipment_id = s.id)
             ORDER BY s.id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The seller's delivered parcels kept in `deliveries` (for tests and the console).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn deliveries_of(&self, seller: SellerId) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM deliveries WHERE seller_id = $1",
        )
        .bind(seller.0)
        .fetch_one(&self.pool)
        .await?)
    }
}
