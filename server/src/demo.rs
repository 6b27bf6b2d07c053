//! Demo shipments: one for every stage and exception, a pickup point, a split order.
//!
//! Their dates are written around an anchor day and moved to today when seeded,
//! so the demo always reads as a parcel on its way now, not a year ago.

use crate::clock::{now_in, support_zone};
use crate::store::lookup_rules::LookupRules;
use crate::store::{Store, StoreError};
use serde::Deserialize;
use thiserror::Error;
use trackline_core::second_factor::{SecondFactor, SecondFactors};
use trackline_core::time::{format_date, parse_date, shift_days};
use trackline_core::Shipment;

const DEMO_JSON: &str = include_str!("../demo/shipments.json");

#[derive(Deserialize)]
struct DemoFile {
    anchor_date: String,
    shipments: Vec<Shipment>,
}

/// Why the demo data cannot be seeded.
#[derive(Debug, Error)]
pub enum DemoError {
    /// The embedded file is not valid (a build-time mistake, caught by a test).
    #[error("demo file: {0}")]
    File(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The demo shipments with their dates moved so that the anchor day is `today` (days since the epoch).
///
/// # Errors
/// `DemoError::File` if the embedded file does not parse.
pub fn shipments(today: i64) -> Result<Vec<Shipment>, DemoError> {
    moved(file()?, today)
}

/// The embedded demo file, read.
fn file() -> Result<DemoFile, DemoError> {
    serde_json::from_str(DEMO_JSON).map_err(|e| DemoError::File(e.to_string()))
}

/// `file`'s shipments with their dates moved so that the anchor day is `today`.
fn moved(file: DemoFile, today: i64) -> Result<Vec<Shipment>, DemoError> {
    let anchor = parse_date(&file.anchor_date)
        .ok_or_else(|| DemoError::File(format!("anchor_date {:?}", file.anchor_date)))?;
    let delta = today - anchor;
    let shift = |text: &mut String| {
        if let Some(moved) = shift_days(text, delta) {
            *text = moved;
        }
    };
    let mut shipments = file.shipments;
    for shipment in &mut shipments {
        shipment.updated_at.iter_mut().for_each(shift);
        shipment.events.iter_mut().for_each(|e| shift(&mut e.at));
        if let Some(window) = &mut shipment.estimated_delivery {
            shift(&mut window.from);
            window.to.iter_mut().for_each(shift);
        }
        if let Some(point) = &mut shipment.pickup_point {
            point.storage_until.iter_mut().for_each(shift);
        }
    }
    Ok(shipments)
}

/// Today as days since the Unix epoch, in the zone where the demo's support keeps hours (its
/// shipments' `support.hours.time_zone`), which is where its buyers are: counted in UTC, every
/// date would read a day behind for them from their midnight until UTC's (in Moscow, the three
/// hours from 21:00 UTC: a parcel "kept 6 more days" showed 5).
pub fn today() -> i64 {
    today_for(&file().map(|file| file.shipments).unwrap_or_default())
}

/// Today as days since the Unix epoch where `shipments`' support keeps hours (UTC if nowhere).
fn today_for(shipments: &[Shipment]) -> i64 {
    now_in(&support_zone(shipments).unwrap_or_else(|| "UTC".to_owned())).today
}

/// The handle of the demo seller, whose shipments the short lookup path shows in the demo.
pub const DEMO_SELLER: &str = "demo";
/// The handle of the demo seller that asks for the buyer's phone digits.
pub const GUARDED_SELLER: &str = "demo-guarded";

/// Fills an empty store with the demo's two sellers and their shipments; returns how many were added.
///
/// # Errors
/// `DemoError` if the demo file is broken or the store fails.
pub async fn seed_if_empty(store: &Store) -> Result<usize, DemoError> {
    if store.count().await? > 0 {
        return Ok(0);
    }
    let file = file()?;
    let today = today_for(&file.shipments);
    let shipments = moved(file, today)?;
    let seller = store
        .add_seller_named("Demo Shop", Some(DEMO_SELLER))
        .await?;
    // Each under a reference, as a seller's backend writes them: the console's shipment page
    // is addressed by reference, and a demo parcel without one was listed but could not be opened.
    let none = SecondFactors::default();
    // The delivered history before any parcel of the carrier: an estimate is learnt when its
    // parcel is written, from histograms the store then keeps for minutes.
    let history = learnt_history(today)?;
    for shipment in history.iter().chain(&shipments) {
        let reference = reference_of(shipment)
            .ok_or_else(|| DemoError::File("a shipment without any number".into()))?;
        crate::updates::put(store, seller.id, reference, shipment, &none).await?;
    }
    seed_guarded(store, &shipments).await?;
    seed_counts(store, seller.id, today).await?;
    Ok(shipments.len() + 2 + history.len())
}

/// Ninety days of what buyers did on the demo shop's page, so that its insights show something
/// to look at: lookups by outcome and way in, taps, notifications, each varying by the day.
async fn seed_counts(
    store: &Store,
    seller: crate::store::sellers::SellerId,
    today: i64,
) -> Result<(), DemoError> {
    use crate::counts::Count;
    let counter = crate::counts::Counter::default();
    for ago in 0..90 {
        // A week's rhythm (quieter at the weekend) over a slow rise, without randomness.
        let weekday = (today - ago).rem_euclid(7);
        let busy = 18 + (90 - ago) / 6 - if weekday >= 5 { 7 } else { 0 };
        let day = today - ago;
        let per_day = [
            (Count::LookupsFound, busy),
            (Count::LookupsNotFound, 1 + ago % 4),
            (Count::LookupsCheckAsked, ago % 3),
            (Count::LookupsRefused, i64::from(ago % 11 == 0)),
            (Count::ViaLink, busy / 2),
            (Count::ViaElement, busy / 3),
            (Count::ViaTyped, busy / 6 + ago % 3),
            (Count::ViaIframe, ago % 2),
            (Count::TapsPhone, ago % 3),
            (Count::TapsTelegram, (ago + 1) % 3),
            (Count::TapsEmail, i64::from(ago % 5 == 0)),
            (Count::TapsCarrier, 1 + ago % 4),
            (Count::PushSubscribed, i64::from(ago % 2 == 0)),
            (Count::PushSent, 2 + ago % 3),
            (Count::WebhooksDelivered, 5 + ago % 6),
            (Count::WebhooksFailed, i64::from(ago % 17 == 0)),
        ];
        for (count, times) in per_day {
            if times > 0 {
                counter.add_on(seller, day, count, times);
            }
        }
    }
    counter.flush(store).await?;
    Ok(())
}

/// The demo parcel without an estimate of its own, shown one learnt from the demo shop's
/// delivered CDEK parcels (contract 1.6, `basis: history`).
pub const LEARNT_NUMBER: &str = "6000000001";

/// Days from hand-over to delivery of the demo shop's delivered CDEK parcels, Moscow to Kazan.
const HISTORY_DAYS: [i64; 24] = [
    5, 6, 5, 7, 6, 4, 6, 5, 7, 6, 9, 5, 6, 6, 5, 7, 4, 6, 5, 6, 7, 5, 6, 8,
];

/// The demo shop's delivered CDEK parcels from Moscow to Kazan (one every day before
/// `today`, days since the epoch), then `LEARNT_NUMBER`, handed over two days ago.
fn learnt_history(today: i64) -> Result<Vec<Shipment>, DemoError> {
    let at = |day: i64| format!("{}T10:00:00+03:00", format_date(day));
    let mut parcels = Vec::with_capacity(HISTORY_DAYS.len() + 1);
    for (i, transit) in (0i64..).zip(HISTORY_DAYS) {
        let delivered = today - 2 - i;
        parcels.push(serde_json::json!({
            "order_number": format!("{}", 6_000_001_000 + i),
            "stage": "delivered",
            "updated_at": at(delivered),
            "carrier": {"name": "CDEK"},
            "events": [
                {"at": at(delivered - transit), "stage": "handed_over", "text": "Принят", "location": "Москва"},
                {"at": at(delivered - 1 - i % 2), "stage": "arrived", "text": "Прибыл", "location": "Казань"},
                {"at": at(delivered), "stage": "delivered", "text": "Вручён", "location": "Казань"}
            ]
        }));
    }
    parcels.push(serde_json::json!({
        "order_number": LEARNT_NUMBER,
        "stage": "in_transit",
        "updated_at": at(today - 1),
        "carrier": {"name": "CDEK"},
        "events": [
            {"at": at(today - 2), "stage": "handed_over", "text": "Принят", "location": "Москва"},
            {"at": at(today - 1), "stage": "in_transit", "text": "Покинул сортировочный центр", "location": "Владимир"}
        ]
    }));
    parcels
        .into_iter()
        .map(|parcel| serde_json::from_value(parcel).map_err(|e| DemoError::File(e.to_string())))
        .collect()
}

/// The reference a demo shipment is stored under: its shipment number (a split order's parcels
/// share their order number), else its order number, else its tracking number.
fn reference_of(shipment: &Shipment) -> Option<&str> {
    [
        &shipment.shipment_number,
        &shipment.order_number,
        &shipment.tracking_number,
    ]
    .into_iter()
    .find_map(|number| number.as_deref())
}

/// The order number of the demo shipment whose seller asks for the buyer's phone digits.
pub const GUARDED_ORDER: &str = "5000000001";
/// The last four digits of that buyer's phone.
pub const GUARDED_PHONE_LAST4: &str = "1234";
/// The tracking number of the guarded demo seller's parcel at a pickup point: its status is
/// shown to anyone, its point and code to the buyer's phone digits.
pub const GUARDED_PICKUP: &str = "RA500000021RU";

/// A demo seller that shows orders found by order number only to their buyer: the in-transit
/// parcel again, under its own order number, and the parcel at a pickup point under a tracking
/// number, each opened by the last four digits of the phone.
async fn seed_guarded(store: &Store, shipments: &[Shipment]) -> Result<(), DemoError> {
    let Some(mut shipment) = shipments
        .iter()
        .find(|s| s.stage == trackline_core::Stage::InTransit && s.exception.is_none())
        .cloned()
    else {
        return Err(DemoError::File("no in-transit shipment to guard".into()));
    };
    shipment.order_number = Some(GUARDED_ORDER.to_owned());
    shipment.shipment_number = Some(format!("{GUARDED_ORDER}-0001-1"));
    shipment.tracking_number = None;
    let seller = store
        .add_seller_named("Demo Shop (asks for the phone)", Some(GUARDED_SELLER))
        .await?
        .id;
    store
        .set_lookup_rules(
            seller,
            &LookupRules {
                allowed_origins: Vec::new(),
                second_factor: Some(SecondFactor::PhoneLast4),
            },
        )
        .await?;
    let factors = SecondFactors {
        phone: Some(format!(
            "+7 900 000-{}-{}",
            &GUARDED_PHONE_LAST4[..2],
            &GUARDED_PHONE_LAST4[2..]
        )),
        postcode: None,
    };
    crate::updates::put(store, seller, "demo-guarded", &shipment, &factors).await?;
    let Some(mut waiting) = shipments
        .iter()
        .find(|s| s.stage == trackline_core::Stage::ReadyForPickup)
        .cloned()
    else {
        return Err(DemoError::File("no pickup parcel to guard".into()));
    };
    waiting.order_number = Some("5000000003".to_owned());
    waiting.shipment_number = Some("5000000003-0001-1".to_owned());
    waiting.tracking_number = Some(GUARDED_PICKUP.to_owned());
    crate::updates::put(store, seller, "demo-guarded-pickup", &waiting, &factors).await?;
    Ok(())
}

/// A few demo numbers worth typing, with what each shows; printed at start-up.
pub const HIGHLIGHTS: [(&str, &str); 11] = [
    ("RA100000048RU", "in transit (Russian Post)"),
    ("1000000007", "waiting at a pickup point, with its code"),
    ("0132112277", "one order split into two parcels"),
    ("RA200000010RU", "delayed, with a new estimate"),
    ("LP300000043CN", "held by customs (Cainiao)"),
    ("1000000008", "delivered"),
    ("2000000002", "delivery attempt failed: support put first"),
    ("4000000001", "late, and no update for days"),
    (
        "5000000001",
        "in the shop demo-guarded (/?shop=demo-guarded): asks for the phone's last four digits, 1234",
    ),
    (
        GUARDED_PICKUP,
        "in the shop demo-guarded: at a pickup point, its code and point shown for the phone's digits, 1234",
    ),
    (
        LEARNT_NUMBER,
        "in transit (CDEK) with no estimate given: one learnt from the shop's 24 delivered parcels",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every demo shipment gets a reference of its own: two under one would leave only the last.
    #[test]
    fn every_demo_shipment_has_a_reference_of_its_own() {
        let shipments = shipments(0).unwrap();
        let references: std::collections::BTreeSet<&str> = shipments
            .iter()
            .map(|shipment| reference_of(shipment).unwrap())
            .collect();
        assert_eq!(references.len(), shipments.len());
    }
}
