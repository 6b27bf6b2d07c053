//! The seller's daily counts (`daily_counts`): what every instance's in-memory counters add when
//! they flush (`counts::Counter`). Rows are added to, never set, so that instances over one
//! database add up; a row names a seller, a UTC day and a count's name, never who.

use super::seller_id::SellerId;
use super::{Store, StoreError};

/// Rows one statement adds at most: four parameters each, far below SQLite's and PostgreSQL's
/// bounds on a statement's parameters.
pub const ROWS_PER_STATEMENT: usize = 250;

/// How many times something happened to a seller on a day, to add to the stored count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyCount {
    /// The seller.
    pub seller: SellerId,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// The count's name (`counts::Count::as_str`).
    pub name: &'static str,
    /// How many to add.
    pub count: i64,
}

impl Store {
    /// Adds `rows` (at most `ROWS_PER_STATEMENT`, each key once) to the stored counts in one
    /// upsert; rows of a seller no longer stored are left out rather than failing the others.
    /// Callers give keys in one order, so that two instances adding at once never wait for
    /// each other's rows in a circle.
    ///
    /// # Errors
    /// `StoreError` if the database fails; nothing is added then.
    pub async fn add_daily_counts(&self, rows: &[DailyCount]) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let values = (0..rows.len())
            .map(|i| {
                let at = i * 4;
                format!("(${}, ${}, ${}, ${})", at + 1, at + 2, at + 3, at + 4)
            })
            .collect::<Vec<_>>()
            .join(", ");
        // Both databases name a VALUES list's columns column1, column2…; the WHERE also keeps
        // SQLite from reading ON CONFLICT as the SELECT's join.
        let upsert = format!(
            "INSERT INTO daily_counts (seller_id, day, name, count)
             SELECT column1, column2, column3, column4 FROM (VALUES {values}) AS added
             WHERE column1 IN (SELECT id FROM sellers)
             ON CONFLICT (seller_id, day, name) DO UPDATE SET count = daily_counts.count + excluded.count"
        );
        let mut query = sqlx::query(&upsert);
        for row in rows {
            query = query
                .bind(row.seller.0)
                .bind(row.day.as_str())
                .bind(row.name)
                .bind(row.count);
        }
        Ok(query.execute(&self.pool).await?.rows_affected())
    }
}
