//! What needs a seller's attention, read: its shipments with an exception, gone stale, or near
//! their pickup point's last day; its webhook deliveries that gave up or keep failing; its keys a
//! provider refused; and one shipment's activity (its deliveries, its subscribed browsers).
//! Which exceptions count, which moment is "now" and which day is near are the caller's.
//!
//! Every statement is led by the seller (or by one of the seller's at most 20 webhooks), each a
//! range of an index (migrations 0024 and 0027): a queue reads about as many rows as it shows,
//! and its count reads its index range alone, up to the count asked: whatever the shop's size, a
//! queue reads at most that many index entries.

use super::seller_id::SellerId;
use super::{now_ms, Backend, Store, StoreError};
use sqlx::{AnyConnection, Row};

/// A shipment in a queue, with what the queue is ordered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// The seller's reference, if it has one.
    pub reference: Option<String>,
    /// Its order number, if any.
    pub order_number: Option<String>,
    /// Its tracking number, if any.
    pub tracking_number: Option<String>,
    /// Its stage's wire name.
    pub stage: String,
    /// Its exception's wire name, if any.
    pub exception: Option<String>,
    /// When the server last wrote it (ms).
    pub written_ms: i64,
    /// When its silence became (or becomes) stale (ms), if it does.
    pub stale_at_ms: Option<i64>,
    /// Its pickup point's last day (ISO date), if it has one.
    pub pickup_until: Option<String>,
}

/// One queue of shipments: how many, and the first of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentQueue {
    /// How many shipments are in it, up to the count asked (`AttentionAsked::count_up_to`).
    pub count: i64,
    /// The first few, in the queue's order.
    pub first: Vec<Queued>,
}

/// A webhook delivery that gave up or keeps failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingDelivery {
    /// The delivery.
    pub id: i64,
    /// Its subscription.
    pub webhook: i64,
    /// Where it goes.
    pub url: String,
    /// What it tells of.
    pub kind: String,
    /// `failed` (given up) or `pending` (still tried).
    pub state: String,
    /// Tries so far.
    pub attempts: i64,
    /// When it was queued (ms).
    pub queued_at_ms: i64,
    /// The reference of the shipment it tells of, if it still has one.
    pub reference: Option<String>,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    /// Why the last try had no good answer, in the server's words.
    pub last_error: Option<String>,
    /// When it was last tried (ms).
    pub last_at_ms: Option<i64>,
}

/// Keys of the seller's a provider refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRefusal {
    /// `ozon`, or the carrier's provider (wire name).
    pub provider: String,
    /// When it last refused them (ms).
    pub refused_ms: i64,
    /// What it said, in the server's words.
    pub reason: String,
}

/// Every queue of a seller's, each with its count and first items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attention {
    /// Per exception asked about (its wire name), the shipments with it, last written first.
    pub exceptions: Vec<(String, ShipmentQueue)>,
    /// The shipments gone stale, the longest first.
    pub stale: ShipmentQueue,
    /// The parcels waiting at a pickup point whose last day is near, the soonest first.
    pub pickup: ShipmentQueue,
    /// How many deliveries gave up or keep failing (up to the count asked), and the newest.
    pub deliveries: (i64, Vec<FailingDelivery>),
    /// The keys refused, by provider.
    pub refused_keys: Vec<KeyRefusal>,
}

/// What the queues are asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttentionAsked {
    /// The exceptions that need attention (wire names).
    pub exceptions: Vec<String>,
    /// The moment "stale" is judged at (ms).
    pub now_ms: i64,
    /// The last pickup day that is near (ISO date): that day or before.
    pub pickup_until: String,
    /// A pending delivery tried this many times counts as failing.
    pub failing_after: i64,
    /// The most items of each queue.
    pub first: i64,
    /// Counting stops here: a queue this long is long enough to say so.
    pub count_up_to: i64,
}

/// A shipment's activity: its webhook deliveries and how many browsers hear of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// Its newest deliveries, each with its last try.
    pub deliveries: Vec<FailingDelivery>,
    /// How many deliveries it has in all (kept ones).
    pub delivery_count: i64,
    /// How many browsers are subscribed to its pushes (ended subscriptions left out).
    pub subscribed: i64,
}

const QUEUED_COLUMNS: &str = "reference, order_number, tracking_number, stage, exception, \
    written_ms, stale_at_ms, pickup_until";

/// A queue's statements (`count`, `first`): `$1` the seller, `$2` the queue's value, `$3` the
/// limit (the most counted, or the most read).
pub(super) struct QueueSql {
    pub(super) count: &'static str,
    first: &'static str,
}

const EXCEPTION: QueueSql = QueueSql {
    count: "SELECT COUNT(*) FROM (SELECT 1 AS one FROM shipments WHERE seller_id = $1 \
            AND exception = $2 LIMIT $3) c",
    first: "SELECT {columns} FROM shipments WHERE seller_id = $1 AND exception = $2 \
            ORDER BY written_ms DESC, id DESC LIMIT $3",
};

/// Gone stale at `$2`: the one definition, which the insights count too.
pub(super) const STALE: QueueSql = QueueSql {
    count: "SELECT COUNT(*) FROM (SELECT 1 AS one FROM shipments WHERE seller_id = $1 \
            AND stale_at_ms <= $2 LIMIT $3) c",
    first: "SELECT {columns} FROM shipments WHERE seller_id = $1 AND stale_at_ms <= $2 \
            ORDER BY stale_at_ms, written_ms, created_ms, id LIMIT $3",
};

const PICKUP: QueueSql = QueueSql {
    count:
        "SELECT COUNT(*) FROM (SELECT 1 AS one FROM shipments WHERE seller_id = $1 \
            AND stage = 'ready_for_pickup' AND pickup_until > '' AND pickup_until <= $2 LIMIT $3) c",
    first: "SELECT {columns} FROM shipments WHERE seller_id = $1 AND stage = 'ready_for_pickup' \
            AND pickup_until > '' AND pickup_until <= $2 ORDER BY pickup_until, id LIMIT $3",
};

/// The seller's deliveries that gave up, or are pending after `$2` tries: through the seller's
/// subscriptions (`webhooks_seller`), then two ranges of each one's `webhook_deliveries_attention`
/// (an OR of the two made PostgreSQL read each receiver's whole log). `CROSS JOIN` keeps
/// SQLite's planner to that order (without it SQLite read every seller's failed deliveries by
/// state, then their webhooks); to PostgreSQL it is a join like any other.
const FAILING: &str = "SELECT d.id, d.webhook_id, w.url, d.kind, d.state, d.attempts, \
    d.queued_at_ms, d.shipment_id FROM webhooks w CROSS JOIN webhook_deliveries d \
    WHERE w.seller_id = $1 AND d.webhook_id = w.id AND d.state = 'failed' \
    UNION ALL \
    SELECT d.id, d.webhook_id, w.url, d.kind, d.state, d.attempts, \
    d.queued_at_ms, d.shipment_id FROM webhooks w CROSS JOIN webhook_deliveries d \
    WHERE w.seller_id = $1 AND d.webhook_id = w.id AND d.state = 'pending' AND d.attempts >= $2";

/// How many of them, up to `$3`.
fn failing_count() -> String {
    format!("SELECT COUNT(*) FROM (SELECT 1 AS one FROM ({FAILING}) f LIMIT $3) c")
}

/// The newest of them (`$3` at most), with their shipments' references: a sort of the failing
/// alone, never of a receiver's log.
fn failing_first() -> String {
    format!(
        "SELECT f.id, f.webhook_id, f.url, f.kind, f.state, f.attempts, f.queued_at_ms, \
         s.reference FROM ({FAILING}) f \
         LEFT JOIN shipments s ON s.id = f.shipment_id AND s.seller_id = $1 \
         ORDER BY f.queued_at_ms DESC, f.id DESC LIMIT $3"
    )
}

const DELIVERY_COLUMNS: &str = "d.id, d.webhook_id, w.url, d.kind, d.state, d.attempts, \
    d.queued_at_ms, s.reference";

/// A bound value: the queue's, text or a moment.
#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Int(i64),
}

fn bind_value<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    value: &Value,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    match value {
        Value::Text(text) => query.bind(text.clone()),
        Value::Int(n) => query.bind(*n),
    }
}

fn queued(row: &sqlx::any::AnyRow) -> Result<Queued, StoreError> {
    Ok(Queued {
        reference: row.try_get("reference")?,
        order_number: row.try_get("order_number")?,
        tracking_number: row.try_get("tracking_number")?,
        stage: row.try_get("stage")?,
        exception: row.try_get("exception")?,
        written_ms: row.try_get("written_ms")?,
        stale_at_ms: row.try_get("stale_at_ms")?,
        pickup_until: row.try_get("pickup_until")?,
    })
}

async fn read_queue(
    connection: &mut AnyConnection,
    sql: &QueueSql,
    seller: SellerId,
    value: &Value,
    first: i64,
    count_up_to: i64,
) -> Result<ShipmentQueue, StoreError> {
    let count: i64 = bind_value(sqlx::query(sql.count).bind(seller.0), value)
        .bind(count_up_to)
        .fetch_one(&mut *connection)
        .await?
        .try_get(0)?;
    let first = if count == 0 {
        Vec::new()
    } else {
        let statement = sql.first.replace("{columns}", QUEUED_COLUMNS);
        bind_value(sqlx::query(&statement).bind(seller.0), value)
            .bind(first)
            .fetch_all(&mut *connection)
            .await?
            .iter()
            .map(queued)
            .collect::<Result<_, _>>()?
    };
    Ok(ShipmentQueue { count, first })
}

/// Deliveries read by `sql` (with `DELIVERY_COLUMNS`), each with its last try.
async fn deliveries_of(
    connection: &mut AnyConnection,
    rows: Vec<sqlx::any::AnyRow>,
) -> Result<Vec<FailingDelivery>, StoreError> {
    let mut deliveries = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let last = sqlx::query(
            "SELECT at_ms, status, error FROM webhook_attempts WHERE delivery_id = $1
             ORDER BY at_ms DESC, id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *connection)
        .await?;
        let (last_status, last_error, last_at_ms) = match last {
            Some(last) => (
                last.try_get::<Option<i32>, _>("status")?.map(i64::from),
                last.try_get("error")?,
                Some(last.try_get("at_ms")?),
            ),
            None => (None, None, None),
        };
        deliveries.push(FailingDelivery {
            id,
            webhook: row.try_get("webhook_id")?,
            url: row.try_get("url")?,
            kind: row.try_get("kind")?,
            state: row.try_get("state")?,
            attempts: i64::from(row.try_get::<i32, _>("attempts")?),
            queued_at_ms: row.try_get("queued_at_ms")?,
            reference: row.try_get("reference")?,
            last_status,
            last_error,
            last_at_ms,
        });
    }
    Ok(deliveries)
}

impl Store {
    /// What needs the seller's attention, as `asked`; another seller's rows are never read.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn attention(
        &self,
        seller: SellerId,
        asked: &AttentionAsked,
    ) -> Result<Attention, StoreError> {
        let mut connection = self.bounded_read().await?;
        let mut exceptions = Vec::with_capacity(asked.exceptions.len());
        for kind in &asked.exceptions {
            let queue = read_queue(
                &mut connection,
                &EXCEPTION,
                seller,
                &Value::Text(kind.clone()),
                asked.first,
                asked.count_up_to,
            )
            .await?;
            exceptions.push((kind.clone(), queue));
        }
        let stale = read_queue(
            &mut connection,
            &STALE,
            seller,
            &Value::Int(asked.now_ms),
            asked.first,
            asked.count_up_to,
        )
        .await?;
        let pickup = read_queue(
            &mut connection,
            &PICKUP,
            seller,
            &Value::Text(asked.pickup_until.clone()),
            asked.first,
            asked.count_up_to,
        )
        .await?;
        let failing: i64 = sqlx::query_scalar(&failing_count())
            .bind(seller.0)
            .bind(asked.failing_after)
            .bind(asked.count_up_to)
            .fetch_one(&mut *connection)
            .await?;
        let rows = if failing == 0 {
            Vec::new()
        } else {
            sqlx::query(&failing_first())
                .bind(seller.0)
                .bind(asked.failing_after)
                .bind(asked.first)
                .fetch_all(&mut *connection)
                .await?
        };
        let deliveries = deliveries_of(&mut connection, rows).await?;
        let refused_keys = sqlx::query(
            "SELECT provider, refused_ms, reason FROM key_refusals WHERE seller_id = $1
             ORDER BY provider",
        )
        .bind(seller.0)
        .fetch_all(&mut *connection)
        .await?
        .iter()
        .map(|row| {
            Ok(KeyRefusal {
                provider: row.try_get("provider")?,
                refused_ms: row.try_get("refused_ms")?,
                reason: row.try_get("reason")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        Ok(Attention {
            exceptions,
            stale,
            pickup,
            deliveries: (failing, deliveries),
            refused_keys,
        })
    }

    /// How the database runs each of `attention`'s statements over shipments and deliveries,
    /// named, one line per step: what a test holds to the indexes led by the seller.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn attention_plans(
        &self,
        seller: SellerId,
        asked: &AttentionAsked,
    ) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let kind = asked.exceptions.first().cloned().unwrap_or_default();
        let mut statements: Vec<(String, String, Value)> = Vec::new();
        for (name, sql, value) in [
            ("exception", &EXCEPTION, Value::Text(kind)),
            ("stale", &STALE, Value::Int(asked.now_ms)),
            ("pickup", &PICKUP, Value::Text(asked.pickup_until.clone())),
        ] {
            statements.push((format!("{name} count"), sql.count.to_owned(), value.clone()));
            // (`$3` is bound `first` below for both: the plan is the same for any limit.)
            statements.push((
                format!("{name} first"),
                sql.first.replace("{columns}", QUEUED_COLUMNS),
                value,
            ));
        }
        statements.push((
            "deliveries count".into(),
            failing_count(),
            Value::Int(asked.failing_after),
        ));
        statements.push((
            "deliveries first".into(),
            failing_first(),
            Value::Int(asked.failing_after),
        ));
        let mut plans = Vec::new();
        for (name, sql, value) in statements {
            let (explain, column) = match self.backend {
                Backend::Sqlite => (format!("EXPLAIN QUERY PLAN {sql}"), "detail"),
                Backend::Postgres => (format!("EXPLAIN {sql}"), "QUERY PLAN"),
            };
            let mut query = bind_value(sqlx::query(&explain).bind(seller.0), &value);
            if sql.contains("$3") {
                query = query.bind(asked.first);
            }
            let plan = query
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>(column))
                .collect::<Result<_, _>>()?;
            plans.push((name, plan));
        }
        Ok(plans)
    }

    /// The activity of the seller's shipment under `reference`: its newest deliveries (at most
    /// `first`) and its subscribed browsers; `None` when the seller has no such shipment.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn shipment_activity(
        &self,
        seller: SellerId,
        reference: &str,
        first: i64,
    ) -> Result<Option<Activity>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        let Some(id) =
            super::shipment_rows::shipment_id(&mut connection, seller, reference).await?
        else {
            return Ok(None);
        };
        // Deliveries through the seller's subscriptions too: a row id alone names no seller.
        let owned =
            "d.shipment_id = $1 AND d.webhook_id IN (SELECT id FROM webhooks WHERE seller_id = $2)";
        let delivery_count: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM webhook_deliveries d WHERE {owned}"
        ))
        .bind(id)
        .bind(seller.0)
        .fetch_one(&mut *connection)
        .await?;
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             JOIN webhooks w ON w.id = d.webhook_id
             LEFT JOIN shipments s ON s.id = d.shipment_id
             WHERE {owned} ORDER BY d.queued_at_ms DESC, d.id DESC LIMIT $3"
        ))
        .bind(id)
        .bind(seller.0)
        .bind(first)
        .fetch_all(&mut *connection)
        .await?;
        let deliveries = deliveries_of(&mut connection, rows).await?;
        let subscribed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM push_subscriptions
             WHERE shipment_id = $1 AND (ends_ms IS NULL OR ends_ms > $2)",
        )
        .bind(id)
        .bind(now_ms())
        .fetch_one(&mut *connection)
        .await?;
        Ok(Some(Activity {
            deliveries,
            delivery_count,
            subscribed,
        }))
    }

    /// How many messages wait to be sent for the seller: its webhook deliveries pending, and its
    /// buyers' push messages pending. Each a range of an index led by the seller (or its at most
    /// 20 webhooks), read whole: a count that large is what it guards.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn waiting_to_tell(&self, seller: SellerId) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM webhooks w CROSS JOIN webhook_deliveries d
                     WHERE w.seller_id = $1 AND d.webhook_id = w.id AND d.state = 'pending')
                  + (SELECT COUNT(*) FROM push_messages WHERE seller_id = $1 AND state = 'pending')",
        )
        .bind(seller.0)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Keeps that `provider` refused the seller's keys at `now` (ms), saying `reason`.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn record_key_refusal(
        &self,
        seller: SellerId,
        provider: &str,
        reason: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM key_refusals WHERE seller_id = $1 AND provider = $2")
            .bind(seller.0)
            .bind(provider)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO key_refusals (seller_id, provider, refused_ms, reason)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(seller.0)
        .bind(provider)
        .bind(now)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        // Two instances learning it at once: either row says the same.
        tx.commit()
            .await
            .map_err(StoreError::from_conflict)
            .or_else(|error| match error {
                StoreError::Conflict => Ok(()),
                other => Err(other),
            })
    }

    /// Forgets that `provider` refused the seller's keys (new keys, or taken again).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn clear_key_refusal(
        &self,
        seller: SellerId,
        provider: &str,
    ) -> Result<(), StoreError> {
        // Read first: every answer a provider gives clears, and nearly all find nothing to.
        let kept: Option<i64> = sqlx::query_scalar(
            "SELECT refused_ms FROM key_refusals WHERE seller_id = $1 AND provider = $2",
        )
        .bind(seller.0)
        .bind(provider)
        .fetch_optional(&self.pool)
        .await?;
        if kept.is_some() {
            sqlx::query("DELETE FROM key_refusals WHERE seller_id = $1 AND provider = $2")
                .bind(seller.0)
                .bind(provider)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}
