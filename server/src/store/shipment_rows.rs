//! How a shipment is kept: one `shipments` row (its value objects as contract JSON) and one
//! `events` row per event. Every statement that writes a shipment's columns binds them here,
//! from one list, so an insert, a seller's patch and a source's refresh cannot drift apart.

use super::seller_id::SellerId;
use super::{new_id, now_ms, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use trackline_core::contract::EstimateBasis;
use trackline_core::freshness::{is_settled, last_change, usual_silence_days};
use trackline_core::time::DAY_MILLIS;
use trackline_core::{DeliveryWindow, Event, Exception, Shipment, Stage, TrackingQuery};

/// A column of `shipments` that holds part of the shipment itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// `order_number`, normalised.
    OrderNumber,
    /// `shipment_number`, normalised.
    ShipmentNumber,
    /// `tracking_number`, normalised.
    TrackingNumber,
    /// `stage`.
    Stage,
    /// `exception`.
    Exception,
    /// `status_text`.
    StatusText,
    /// `updated_at`.
    UpdatedAt,
    /// `estimated_from`.
    EstimatedFrom,
    /// `estimated_to`.
    EstimatedTo,
    /// `carrier`, as JSON.
    Carrier,
    /// `pickup_point`, as JSON.
    PickupPoint,
    /// `support`, as JSON.
    Support,
    /// `estimated_by`: whose estimate `estimated_from`/`estimated_to` are (contract 1.6).
    EstimatedBy,
}

impl Column {
    /// Every column of the shipment, in the order `SHIPMENT_COLUMNS` names them.
    pub const ALL: [Column; 13] = [
        Column::OrderNumber,
        Column::ShipmentNumber,
        Column::TrackingNumber,
        Column::Stage,
        Column::Exception,
        Column::StatusText,
        Column::UpdatedAt,
        Column::EstimatedFrom,
        Column::EstimatedTo,
        Column::Carrier,
        Column::PickupPoint,
        Column::Support,
        Column::EstimatedBy,
    ];

    /// What a status source (Ozon) knows; the estimate, the pickup point and support are the seller's.
    pub const FROM_SOURCE: [Column; 8] = [
        Column::OrderNumber,
        Column::ShipmentNumber,
        Column::TrackingNumber,
        Column::Stage,
        Column::Exception,
        Column::StatusText,
        Column::UpdatedAt,
        Column::Carrier,
    ];

    /// The column's name.
    pub fn name(self) -> &'static str {
        match self {
            Column::OrderNumber => "order_number",
            Column::ShipmentNumber => "shipment_number",
            Column::TrackingNumber => "tracking_number",
            Column::Stage => "stage",
            Column::Exception => "exception",
            Column::StatusText => "status_text",
            Column::UpdatedAt => "updated_at",
            Column::EstimatedFrom => "estimated_from",
            Column::EstimatedTo => "estimated_to",
            Column::Carrier => "carrier",
            Column::PickupPoint => "pickup_point",
            Column::Support => "support",
            Column::EstimatedBy => "estimated_by",
        }
    }

    /// The shipment's value for this column; every one is text, or NULL.
    fn value(self, shipment: &Shipment) -> Result<Option<String>, StoreError> {
        let window = shipment.estimated_delivery.as_ref();
        Ok(match self {
            Column::OrderNumber => normalised(shipment.order_number.as_deref()),
            Column::ShipmentNumber => normalised(shipment.shipment_number.as_deref()),
            Column::TrackingNumber => normalised(shipment.tracking_number.as_deref()),
            Column::Stage => Some(shipment.stage.as_str().to_owned()),
            Column::Exception => shipment
                .exception
                .as_ref()
                .map(|e| Exception::as_str(e).to_owned()),
            Column::StatusText => shipment.status_text.clone(),
            Column::UpdatedAt => shipment.updated_at.clone(),
            Column::EstimatedFrom => window.map(|w| w.from.clone()),
            Column::EstimatedTo => window.and_then(|w| w.to.clone()),
            Column::Carrier => to_json(&shipment.carrier)?,
            Column::PickupPoint => to_json(&shipment.pickup_point)?,
            Column::Support => to_json(&shipment.support)?,
            // Only a seller's or a carrier's: a learnt window is never kept as the shipment's own.
            Column::EstimatedBy => window.and_then(|w| match w.basis {
                Some(EstimateBasis::Seller) => Some("seller".to_owned()),
                Some(EstimateBasis::Carrier) => Some("carrier".to_owned()),
                _ => None,
            }),
        })
    }
}

/// The columns `read_shipment` reads, in a form for `SELECT`.
pub(crate) const SHIPMENT_COLUMNS: &str = "id, order_number, shipment_number, tracking_number, \
    stage, exception, status_text, updated_at, estimated_from, estimated_to, carrier, pickup_point, support, estimated_by";

/// Writes one shipment row (its events apart) in a seller's seller, under the seller's reference if it gave one.
pub(crate) async fn insert_shipment(
    connection: &mut AnyConnection,
    id: i64,
    seller: SellerId,
    reference: Option<&str>,
    shipment: &Shipment,
) -> Result<(), StoreError> {
    let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    let places: Vec<String> = (9..9 + Column::ALL.len())
        .map(|n| format!("${n}"))
        .collect();
    let sql = format!(
        "INSERT INTO shipments (id, seller_id, reference, created_ms, written_ms, stale_at_ms, \
         carrier_name, pickup_until, {}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {})",
        names.join(", "),
        places.join(", ")
    );
    let now = now_ms();
    let mut query = sqlx::query(&sql)
        .bind(id)
        .bind(seller.0)
        .bind(reference.map(str::to_owned))
        .bind(now)
        .bind(now)
        .bind(stale_at_ms(shipment))
        .bind(carrier_name(shipment))
        .bind(pickup_until(shipment));
    for column in Column::ALL {
        query = query.bind(column.value(shipment)?);
    }
    query.execute(&mut *connection).await?;
    Ok(())
}

/// Writes `columns` of a shipment row from `shipment` (whole, its history included), leaving
/// the others as they are; the moment it was written and when it goes stale follow.
pub(crate) async fn update_shipment(
    connection: &mut AnyConnection,
    id: i64,
    shipment: &Shipment,
    columns: &[Column],
) -> Result<(), StoreError> {
    let mut sets: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{} = ${}", column.name(), i + 1))
        .collect();
    let n = columns.len();
    sets.push(format!("written_ms = ${}", n + 1));
    sets.push(format!("stale_at_ms = ${}", n + 2));
    sets.push(format!("pickup_until = ${}", n + 3));
    let writes_carrier = columns.contains(&Column::Carrier);
    if writes_carrier {
        sets.push(format!("carrier_name = ${}", n + 4));
    }
    let sql = format!(
        "UPDATE shipments SET {} WHERE id = ${}",
        sets.join(", "),
        n + if writes_carrier { 5 } else { 4 }
    );
    let mut query = sqlx::query(&sql);
    for column in columns {
        query = query.bind(column.value(shipment)?);
    }
    query = query
        .bind(now_ms())
        .bind(stale_at_ms(shipment))
        .bind(pickup_until(shipment));
    if writes_carrier {
        query = query.bind(carrier_name(shipment));
    }
    query.bind(id).execute(&mut *connection).await?;
    Ok(())
}

/// Which of a shipment's rows lack the columns a list or a queue reads: rows an older version
/// wrote (`written_ms` 0, before migration 0024), and rows waiting at a pickup point whose last
/// day is not yet a column (before migration 0027). `{where}` is replaced by the caller's range.
const UNFILLED: &str = "SELECT id FROM shipments WHERE {where} AND (written_ms = 0 \
    OR (stage = 'ready_for_pickup' AND pickup_until IS NULL AND pickup_point IS NOT NULL))";

/// Gives the rows `ids` what every write now keeps, where they lack it: when they go stale,
/// their carrier's name, as both moments their last change (or 1 ms, the oldest, when none is
/// known), and their pickup point's last day. Each statement checks the row still lacks it, so
/// that a row written meanwhile, or filled by another instance, is left as it is.
///
/// # Errors
/// `StoreError` if the database fails.
pub(crate) async fn fill_rows(
    connection: &mut AnyConnection,
    ids: &[i64],
) -> Result<u64, StoreError> {
    let mut filled = 0;
    for id in ids {
        // A row that no longer reads is still listed, as the oldest and never stale.
        let shipment = match load(connection, *id).await {
            Ok(shipment) => Some(shipment),
            Err(StoreError::Json(_)) => None,
            Err(StoreError::Database(sqlx::Error::RowNotFound)) => continue,
            Err(error) => return Err(error),
        };
        let moment = shipment
            .as_ref()
            .and_then(last_change)
            .filter(|ms| *ms > 0)
            .unwrap_or(1);
        filled += sqlx::query(
            "UPDATE shipments SET created_ms = $1, written_ms = $1, stale_at_ms = $2,
             carrier_name = $3 WHERE id = $4 AND written_ms = 0",
        )
        .bind(moment)
        .bind(shipment.as_ref().and_then(stale_at_ms))
        .bind(shipment.as_ref().and_then(carrier_name))
        .bind(*id)
        .execute(&mut *connection)
        .await?
        .rows_affected();
        // Empty when it has none (or no longer reads), so that it is not read again.
        let until = shipment.as_ref().and_then(pickup_until).unwrap_or_default();
        sqlx::query(
            "UPDATE shipments SET pickup_until = $1 WHERE id = $2 AND pickup_until IS NULL",
        )
        .bind(until)
        .bind(*id)
        .execute(&mut *connection)
        .await?;
    }
    Ok(filled)
}

/// The unfilled rows among the `batch` after id `after`, in id order, and the last id looked at
/// (`None` past the table's end): the background fill's walk, a batch at a time, each batch
/// reading at most `batch` rows whatever is left to fill.
///
/// # Errors
/// `StoreError` if the database fails.
pub(crate) async fn unfilled_after(
    connection: &mut AnyConnection,
    after: i64,
    batch: i64,
) -> Result<(Vec<i64>, Option<i64>), StoreError> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM shipments WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(batch)
            .fetch_all(&mut *connection)
            .await?;
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
        return Ok((Vec::new(), None));
    };
    let unfilled = sqlx::query_scalar(&UNFILLED.replace("{where}", "id >= $1 AND id <= $2"))
        .bind(*first)
        .bind(*last)
        .fetch_all(&mut *connection)
        .await?;
    Ok((unfilled, Some(*last)))
}

/// The seller's unfilled rows, at most `limit`: two probes of indexes led by the seller
/// (`written_ms` 0 in `shipments_shop_written`, the pickup's NULL in `shipments_shop_pickup`).
///
/// # Errors
/// `StoreError` if the database fails.
pub(crate) async fn unfilled_of(
    connection: &mut AnyConnection,
    seller: SellerId,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM shipments WHERE seller_id = $1 AND written_ms = 0 LIMIT $2",
    )
    .bind(seller.0)
    .bind(limit)
    .fetch_all(&mut *connection)
    .await?;
    let waiting: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM shipments WHERE seller_id = $1 AND stage = 'ready_for_pickup'
         AND pickup_until IS NULL AND pickup_point IS NOT NULL LIMIT $2",
    )
    .bind(seller.0)
    .bind(limit)
    .fetch_all(&mut *connection)
    .await?;
    for id in waiting {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(ids)
}

/// The moment the shipment's silence becomes stale as `trackline_core::freshness::stale_since`
/// judges it (`stale_since(s, now)` is some exactly when `now >= stale_at_ms(s)`), kept so that
/// "stale now" is a range of an index; `None` when it never becomes stale.
pub(crate) fn stale_at_ms(shipment: &Shipment) -> Option<i64> {
    if is_settled(shipment) {
        return None;
    }
    let usual = usual_silence_days(&shipment.stage)?;
    last_change(shipment)?.checked_add(usual.checked_mul(DAY_MILLIS)?)
}

/// The last day its pickup point keeps the parcel (an ISO date), as the pickup queue compares
/// it: empty for a pickup point that names none (so that the fill can tell it from a row not yet
/// filled), `None` without a pickup point.
pub(crate) fn pickup_until(shipment: &Shipment) -> Option<String> {
    shipment
        .pickup_point
        .as_ref()
        .map(|point| point.storage_until.clone().unwrap_or_default())
}

/// The carrier's name as the carrier filter compares it: trimmed, in lower case.
pub(crate) fn carrier_name(shipment: &Shipment) -> Option<String> {
    shipment
        .carrier
        .as_ref()
        .map(|carrier| carrier.name.trim().to_lowercase())
}

/// Appends events to a shipment, many to a statement.
pub(crate) async fn insert_events(
    connection: &mut AnyConnection,
    shipment_id: i64,
    events: &[Event],
) -> Result<(), StoreError> {
    // 8 values an event: far below every database's limit on bound values.
    for chunk in events.chunks(100) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let at = i * 8;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    at + 1,
                    at + 2,
                    at + 3,
                    at + 4,
                    at + 5,
                    at + 6,
                    at + 7,
                    at + 8
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO events (id, shipment_id, at, stage, exception, text, text_lang, location)
             VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for event in chunk {
            query = query
                .bind(new_id()?)
                .bind(shipment_id)
                .bind(&event.at)
                .bind(event.stage.as_ref().map(Stage::as_str))
                .bind(event.exception.as_ref().map(Exception::as_str))
                .bind(&event.text)
                .bind(&event.text_lang)
                .bind(&event.location);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

/// The events of several shipments in one query, each shipment's newest first.
pub(crate) async fn read_events(
    connection: &mut AnyConnection,
    shipment_ids: &[i64],
) -> Result<HashMap<i64, Vec<Event>>, StoreError> {
    let mut events: HashMap<i64, Vec<Event>> = HashMap::new();
    if shipment_ids.is_empty() {
        return Ok(events);
    }
    let places: Vec<String> = (1..=shipment_ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT shipment_id, at, stage, exception, text, text_lang, location FROM events
         WHERE shipment_id IN ({}) ORDER BY at DESC",
        places.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in shipment_ids {
        query = query.bind(*id);
    }
    for row in query.fetch_all(&mut *connection).await? {
        let event = Event {
            at: row.try_get("at")?,
            stage: row
                .try_get::<Option<String>, _>("stage")?
                .map(|s| Stage::from_wire(&s)),
            exception: row
                .try_get::<Option<String>, _>("exception")?
                .map(|e| Exception::from_wire(&e)),
            text: row.try_get("text")?,
            text_lang: row.try_get("text_lang")?,
            location: row.try_get("location")?,
        };
        events
            .entry(row.try_get("shipment_id")?)
            .or_default()
            .push(event);
    }
    Ok(events)
}

/// A shipment from a row of `SHIPMENT_COLUMNS` and its events.
pub(crate) fn read_shipment(row: &AnyRow, events: Vec<Event>) -> Result<Shipment, StoreError> {
    let estimated_from: Option<String> = row.try_get("estimated_from")?;
    let basis = row
        .try_get::<Option<String>, _>("estimated_by")?
        .and_then(|by| match by.as_str() {
            "seller" => Some(EstimateBasis::Seller),
            "carrier" => Some(EstimateBasis::Carrier),
            _ => None,
        });
    Ok(Shipment {
        order_number: row.try_get("order_number")?,
        shipment_number: row.try_get("shipment_number")?,
        tracking_number: row.try_get("tracking_number")?,
        stage: Stage::from_wire(&row.try_get::<String, _>("stage")?),
        exception: row
            .try_get::<Option<String>, _>("exception")?
            .map(|e| Exception::from_wire(&e)),
        status_text: row.try_get("status_text")?,
        updated_at: row.try_get("updated_at")?,
        events,
        estimated_delivery: estimated_from.map(|from| DeliveryWindow {
            from,
            to: row.try_get("estimated_to").ok().flatten(),
            basis,
            late_after: None,
            history: None,
        }),
        carrier: from_json(row.try_get("carrier")?)?,
        pickup_point: from_json(row.try_get("pickup_point")?)?,
        support: from_json(row.try_get("support")?)?,
        stale_since: None,
    })
}

/// The shipment in row `id`, with its events.
pub(crate) async fn load(connection: &mut AnyConnection, id: i64) -> Result<Shipment, StoreError> {
    load_row(connection, id, true).await
}

/// The shipment in row `id`; its events read only when `with_events` (a writer that has just
/// left it none knows there are none to read).
pub(crate) async fn load_row(
    connection: &mut AnyConnection,
    id: i64,
    with_events: bool,
) -> Result<Shipment, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *connection)
    .await?;
    let events = if with_events {
        read_events(connection, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    read_shipment(&row, events)
}

/// Numbers are stored as `TrackingQuery` writes them, so lookups compare like with like.
pub(crate) fn normalised(number: Option<&str>) -> Option<String> {
    number.map(|n| {
        TrackingQuery::parse(n).map_or_else(|_| n.trim().to_owned(), |q| q.as_str().to_owned())
    })
}

fn to_json<T: serde::Serialize>(value: &Option<T>) -> Result<Option<String>, StoreError> {
    Ok(value.as_ref().map(serde_json::to_string).transpose()?)
}

fn from_json<T: serde::de::DeserializeOwned>(
    text: Option<String>,
) -> Result<Option<T>, StoreError> {
    Ok(text.as_deref().map(serde_json::from_str).transpose()?)
}

/// The row id of the seller's shipment under `reference`, if it has one.
pub(crate) async fn shipment_id(
    connection: &mut AnyConnection,
    seller: SellerId,
    reference: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM shipments WHERE seller_id = $1 AND reference = $2")
            .bind(seller.0)
            .bind(reference)
            .fetch_optional(&mut *connection)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::stale_at_ms;
    use proptest::prelude::*;
    use trackline_core::freshness::stale_since;
    use trackline_core::time::{format_rfc3339, DAY_MILLIS};
    use trackline_core::{Event, Exception, Shipment, Stage};

    proptest! {
        /// The stored moment says "stale" exactly when `freshness` does, at any moment.
        #[test]
        fn stale_at_is_when_freshness_calls_it_stale(
            stage in 0usize..8,
            exception in proptest::option::of(0usize..9),
            updated in proptest::option::of(0i64..100 * DAY_MILLIS),
            event in proptest::option::of(0i64..100 * DAY_MILLIS),
            now in 0i64..120 * DAY_MILLIS,
        ) {
            let base: Shipment = serde_json::from_str(r#"{"stage":"created"}"#).unwrap();
            let shipment = Shipment {
                stage: Stage::KNOWN[stage].clone(),
                exception: exception.map(|e| Exception::KNOWN[e].clone()),
                updated_at: updated.map(format_rfc3339),
                events: event
                    .map(|at| Event {
                        at: format_rfc3339(at),
                        stage: None,
                        exception: None,
                        text: String::new(),
                        text_lang: None,
                        location: None,
                    })
                    .into_iter()
                    .collect(),
                ..base
            };
            // Stamps are kept to the second; so is `now` here.
            let now = now / 1000 * 1000;
            prop_assert_eq!(
                stale_since(&shipment, now).is_some(),
                stale_at_ms(&shipment).is_some_and(|at| now >= at)
            );
        }
    }
}
