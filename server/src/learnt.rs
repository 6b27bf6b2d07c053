//! Delivery estimates learnt from parcels delivered before (contract 1.6, `basis: history`):
//! what a delivered shipment's row in `deliveries` says (`delivery_of`), which histograms of
//! days an undelivered one is estimated from and in what order (`Ask`), the window they give
//! (`window`) and how it is shown on a given day (`clamp`). No I/O: the store reads the
//! histograms, `updates` passes them here.

use crate::percentile::of_histogram;
use trackline_core::contract::{CountedFrom, EstimateBasis, LearntFrom, LearntScope};
use trackline_core::time::{format_date, parse_date, parse_rfc3339, DAY_MILLIS};
use trackline_core::{DeliveryWindow, Shipment, Stage};

/// Fewer delivered parcels than this teach nothing: no estimate rather than a guess.
pub const AT_LEAST: u64 = 10;

/// Days taken, and by how many parcels: `(days, parcels)` pairs.
pub type Histogram = Vec<(u32, u64)>;

/// What the events of a shipment say of its way: the carrier, the two cities and the moments
/// the learnt estimates count from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Way {
    /// The carrier's name, folded ('' when none).
    pub carrier: String,
    /// Where the carrier took it, folded ('' when no event names it).
    pub origin: String,
    /// Where it arrived for the buyer, folded ('' when no event names it).
    pub destination: String,
    /// When the carrier took it (ms).
    pub handed_over_ms: Option<i64>,
    /// When it reached the buyer's city (ms).
    pub arrived_ms: Option<i64>,
}

/// A place or a name as the `deliveries` rows keep it: trimmed, lower case.
fn folded(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The shipment's events with a moment, oldest first.
fn timed(shipment: &Shipment) -> Vec<(i64, &trackline_core::Event)> {
    let mut events: Vec<_> = shipment
        .events
        .iter()
        .filter_map(|event| parse_rfc3339(&event.at).map(|at| (at, event)))
        .collect();
    events.sort_by_key(|(at, _)| *at);
    events
}

/// What the events of `shipment` say of its way. The destination of a parcel not yet arrived
/// nor delivered is unknown ('')—a sorting centre on the way is not where it goes.
pub fn way_of(shipment: &Shipment) -> Way {
    let events = timed(shipment);
    let first = |stage: Stage| {
        events
            .iter()
            .find(|(_, event)| event.stage.as_ref() == Some(&stage))
    };
    let place = |event: &trackline_core::Event| event.location.as_deref().map(folded);
    let handed_over = first(Stage::HandedOver);
    let arrived = first(Stage::Arrived);
    let delivered = first(Stage::Delivered);
    let origin = handed_over
        .and_then(|(_, event)| place(event))
        .or_else(|| events.iter().find_map(|(_, event)| place(event)));
    let destination = arrived.and_then(|(_, event)| place(event)).or_else(|| {
        let (delivered_at, _) = delivered?;
        events
            .iter()
            .rev()
            .filter(|(at, event)| at <= delivered_at && event.stage != Some(Stage::Delivered))
            .find_map(|(_, event)| place(event))
    });
    Way {
        carrier: shipment
            .carrier
            .as_ref()
            .map(|carrier| folded(&carrier.name))
            .unwrap_or_default(),
        origin: origin.unwrap_or_default(),
        destination: destination.unwrap_or_default(),
        handed_over_ms: handed_over.map(|(at, _)| *at),
        arrived_ms: arrived.map(|(at, _)| *at),
    }
}

/// A delivered shipment's row in `deliveries`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Its way.
    pub way: Way,
    /// When it was delivered (ms).
    pub delivered_ms: i64,
    /// Whole days from hand-over to delivery.
    pub transit_days: Option<i64>,
    /// Whole days from arrival to delivery.
    pub last_leg_days: Option<i64>,
    /// Whether it came by the last day of the estimate it carried (`None`: it carried none).
    pub on_time: Option<bool>,
}

/// Whole days from `from` to `to` (ms), never fewer than none.
fn days_between(from: i64, to: i64) -> i64 {
    (to - from).max(0) / DAY_MILLIS
}

/// The UTC day (days since the epoch) of a moment.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MILLIS)
}

/// The row `deliveries` keeps of `shipment`, now delivered: `None` while it is not, or when
/// no moment says when it was (its last delivered event, else its status stamp).
/// `estimate` is the window the buyer was shown, the seller's, the carrier's or a learnt one.
pub fn delivery_of(shipment: &Shipment, estimate: Option<&DeliveryWindow>) -> Option<Delivered> {
    if shipment.stage != Stage::Delivered {
        return None;
    }
    let delivered_ms = timed(shipment)
        .iter()
        .rev()
        .find(|(_, event)| event.stage == Some(Stage::Delivered))
        .map(|(at, _)| *at)
        .or_else(|| shipment.updated_at.as_deref().and_then(parse_rfc3339))?;
    let way = way_of(shipment);
    let on_time = estimate
        .and_then(|window| parse_date(window.to.as_deref().unwrap_or(&window.from)))
        .map(|last| day_of(delivered_ms) <= last);
    Some(Delivered {
        transit_days: way.handed_over_ms.map(|at| days_between(at, delivered_ms)),
        last_leg_days: way.arrived_ms.map(|at| days_between(at, delivered_ms)),
        delivered_ms,
        on_time,
        way,
    })
}

/// Whose delivered parcels a histogram counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pool {
    /// The seller's own parcels on the carrier between the two cities.
    SellersRoute,
    /// The seller's own parcels on the carrier, any route.
    SellersCarrier,
    /// Every seller's parcels on the carrier between the two cities, counted without a seller.
    EveryonesRoute,
}

impl Pool {
    /// The order histograms are asked for: the first with enough parcels teaches.
    pub const IN_ORDER: [Pool; 3] = [
        Pool::SellersRoute,
        Pool::SellersCarrier,
        Pool::EveryonesRoute,
    ];

    /// The scope the contract names for a window learnt from it.
    fn scope(&self) -> LearntScope {
        match self {
            Pool::SellersCarrier => LearntScope::Carrier,
            Pool::SellersRoute | Pool::EveryonesRoute => LearntScope::Route,
        }
    }

    /// Whether it needs both cities.
    pub fn needs_route(&self) -> bool {
        !matches!(self, Pool::SellersCarrier)
    }
}

/// What an undelivered shipment's estimate is learnt from: its way, the day counted from, and
/// which days (from hand-over, or from arrival once in the buyer's city). `None` when there is
/// nothing to count from (no hand-over, no carrier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    /// The shipment's way.
    pub way: Way,
    /// The day counted from (days since the epoch, UTC).
    pub start_day: i64,
    /// `handed_over` (`transit_days`) or `arrived` (`last_leg_days`).
    pub counted_from: CountedFrom,
}

impl Ask {
    /// What `shipment` would be estimated from; `None` for a settled parcel, one the carrier
    /// has not taken, or one without a carrier.
    pub fn of(shipment: &Shipment) -> Option<Ask> {
        if trackline_core::freshness::is_settled(shipment) {
            return None;
        }
        let way = way_of(shipment);
        if way.carrier.is_empty() {
            return None;
        }
        let (start, counted_from) = match (way.arrived_ms, way.handed_over_ms) {
            (Some(arrived), _) => (arrived, CountedFrom::Arrived),
            (None, Some(handed_over)) => (handed_over, CountedFrom::HandedOver),
            (None, None) => return None,
        };
        Some(Ask {
            start_day: day_of(start),
            counted_from,
            way,
        })
    }

    /// The pools to ask, in order: those needing a route only when both cities are known.
    pub fn pools(&self) -> impl Iterator<Item = Pool> + '_ {
        let routed = !self.way.origin.is_empty() && !self.way.destination.is_empty();
        Pool::IN_ORDER
            .into_iter()
            .filter(move |pool| routed || !pool.needs_route())
    }
}

/// Whether `histogram` counts enough parcels to teach.
pub fn teaches(histogram: &[(u32, u64)]) -> bool {
    histogram.iter().map(|(_, parcels)| parcels).sum::<u64>() >= AT_LEAST
}

/// The window learnt for `ask` from the first of `histograms` (in `Ask::pools` order) with at
/// least `AT_LEAST` parcels, not clamped to any day: `from`/`to` the start day plus the 20th and
/// 80th percentiles, `late_after` plus the 90th. `None` when none has enough.
pub fn window(ask: &Ask, histograms: &[(Pool, Histogram)]) -> Option<DeliveryWindow> {
    let (pool, histogram) = histograms
        .iter()
        .find(|(_, histogram)| teaches(histogram))?;
    let parcels: u64 = histogram.iter().map(|(_, parcels)| parcels).sum();
    let (p20, p80, p90) = (
        of_histogram(histogram, 20)?,
        of_histogram(histogram, 80)?,
        of_histogram(histogram, 90)?,
    );
    let day = |days: u32| format_date(ask.start_day + i64::from(days));
    Some(DeliveryWindow {
        from: day(p20),
        to: Some(day(p80)),
        basis: Some(EstimateBasis::History),
        late_after: Some(day(p90)),
        history: Some(LearntFrom {
            parcels: u32::try_from(parcels).unwrap_or(u32::MAX),
            days_from: p20,
            days_to: p80,
            scope: pool.scope(),
            counted_from: ask.counted_from,
        }),
    })
}

/// A learnt `window` as shown on `today` (days since the epoch): it never ends before it starts,
/// and never starts before today while it lasts (`from = max(from, today)`, at most `to`). A
/// window that has passed stays where it was learnt, with `late_after`: the buyer then reads
/// that the parcel takes longer than usual, and past `late_after` that it is running late (moved
/// to today, it would say "today" every day). A window whose dates do not read is left as it is.
pub fn clamp(mut window: DeliveryWindow, today: i64) -> DeliveryWindow {
    let Some(learnt_from) = parse_date(&window.from) else {
        return window;
    };
    let to = window
        .to
        .as_deref()
        .and_then(parse_date)
        .unwrap_or(learnt_from)
        .max(learnt_from);
    let from = learnt_from.max(today).min(to);
    window.from = format_date(from);
    window.to = Some(format_date(to));
    window
}

/// The day past which a parcel with the estimate `window` is running late: its `late_after`,
/// else its last day.
pub fn late_after(window: &DeliveryWindow) -> String {
    window
        .late_after
        .clone()
        .or_else(|| window.to.clone())
        .unwrap_or_else(|| window.from.clone())
}

/// Whether `shipment` is running late on `today` (days since the epoch): not delivered,
/// returned or cancelled, and past the `late_after` of the estimate it carries (`late_after`).
pub fn running_late(shipment: &Shipment, today: i64) -> bool {
    if trackline_core::freshness::is_settled(shipment) {
        return false;
    }
    shipment
        .estimated_delivery
        .as_ref()
        .and_then(|window| parse_date(&late_after(window)))
        .is_some_and(|last| last < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn shipment(value: serde_json::Value) -> Shipment {
        serde_json::from_value(value).unwrap()
    }

    fn ask(counted_from: CountedFrom, origin: &str, destination: &str) -> Ask {
        Ask {
            way: Way {
                carrier: "cdek".into(),
                origin: origin.into(),
                destination: destination.into(),
                handed_over_ms: None,
                arrived_ms: None,
            },
            start_day: parse_date("2026-12-04").unwrap(),
            counted_from,
        }
    }

    /// Ten parcels or more: 3, 4, 4, 5, 5, 5, 6, 6, 7, 12 days, times `times`.
    fn ten(times: u64) -> Histogram {
        vec![
            (3, times),
            (4, 2 * times),
            (5, 3 * times),
            (6, 2 * times),
            (7, times),
            (12, times),
        ]
    }

    #[test]
    fn a_delivered_parcel_is_kept_with_its_cities_and_days() {
        let delivered = shipment(json!({
            "stage": "delivered",
            "carrier": {"name": " CDEK "},
            "estimated_delivery": {"from": "2026-12-05", "to": "2026-12-06"},
            "events": [
                {"at": "2026-12-07T12:00:00Z", "stage": "delivered", "text": "", "location": "Казань"},
                {"at": "2026-12-01T09:00:00Z", "stage": "handed_over", "text": "", "location": " Москва "},
                {"at": "2026-12-02T09:00:00Z", "stage": "in_transit", "text": "", "location": "Владимир"},
                {"at": "2026-12-05T08:00:00Z", "stage": "arrived", "text": "", "location": "КАЗАНЬ"}
            ]
        }));
        let row = delivery_of(&delivered, delivered.estimated_delivery.as_ref()).unwrap();
        assert_eq!(row.way.carrier, "cdek");
        assert_eq!(
            (row.way.origin.as_str(), row.way.destination.as_str()),
            ("москва", "казань")
        );
        assert_eq!((row.transit_days, row.last_leg_days), (Some(6), Some(2)));
        assert_eq!(row.on_time, Some(false));
    }

    #[test]
    fn without_hand_over_or_arrival_the_cities_come_from_the_first_and_last_places() {
        let delivered = shipment(json!({
            "stage": "delivered",
            "events": [
                {"at": "2026-12-01T09:00:00Z", "stage": "in_transit", "text": "", "location": "Москва"},
                {"at": "2026-12-03T09:00:00Z", "stage": "in_transit", "text": "", "location": "Казань"},
                {"at": "2026-12-04T09:00:00Z", "stage": "delivered", "text": ""}
            ]
        }));
        let row = delivery_of(&delivered, None).unwrap();
        assert_eq!(row.way.carrier, "");
        assert_eq!(
            (row.way.origin.as_str(), row.way.destination.as_str()),
            ("москва", "казань")
        );
        assert_eq!(
            (row.transit_days, row.last_leg_days, row.on_time),
            (None, None, None)
        );
        assert_eq!(
            delivery_of(
                &shipment(json!({"stage": "in_transit", "events": []})),
                None
            ),
            None
        );
    }

    #[test]
    fn the_window_is_the_20th_to_80th_percentile_from_the_start_and_late_past_the_90th() {
        let window = window(
            &ask(CountedFrom::HandedOver, "москва", "казань"),
            &[(Pool::SellersRoute, ten(1))],
        )
        .unwrap();
        assert_eq!(window.from, "2026-12-08");
        assert_eq!(window.to.as_deref(), Some("2026-12-10"));
        assert_eq!(window.late_after.as_deref(), Some("2026-12-11"));
        assert_eq!(window.basis, Some(EstimateBasis::History));
        let history = window.history.unwrap();
        assert_eq!(
            (history.parcels, history.days_from, history.days_to),
            (10, 4, 6)
        );
        assert_eq!(history.scope, LearntScope::Route);
        assert_eq!(history.counted_from, CountedFrom::HandedOver);
    }

    #[test]
    fn each_fallback_teaches_only_when_those_before_have_too_few() {
        let few: Histogram = vec![(2, 9)];
        let table = [
            // (seller's route, seller's carrier, every seller's route) → (scope, days_from)
            (ten(1), ten(2), ten(3), Some((LearntScope::Route, 10))),
            (
                few.clone(),
                ten(2),
                ten(3),
                Some((LearntScope::Carrier, 20)),
            ),
            (
                few.clone(),
                few.clone(),
                ten(3),
                Some((LearntScope::Route, 30)),
            ),
            (few.clone(), few.clone(), few.clone(), None),
            (vec![], vec![], vec![], None),
        ];
        for (route, carrier, everyone, expected) in table {
            let histograms = [
                (Pool::SellersRoute, route),
                (Pool::SellersCarrier, carrier),
                (Pool::EveryonesRoute, everyone),
            ];
            let learnt = window(&ask(CountedFrom::Arrived, "москва", "казань"), &histograms)
                .and_then(|w| w.history)
                .map(|h| (h.scope, h.parcels));
            assert_eq!(learnt, expected);
        }
    }

    #[test]
    fn running_late_is_past_the_late_day_and_never_once_delivered() {
        let day = |text| parse_date(text).unwrap();
        let learnt = shipment(
            json!({"stage": "in_transit", "events": [], "estimated_delivery":
            {"from": "2026-12-08", "to": "2026-12-10", "basis": "history", "late_after": "2026-12-11"}}),
        );
        assert!(!running_late(&learnt, day("2026-12-11")));
        assert!(running_late(&learnt, day("2026-12-12")));
        let sellers = shipment(
            json!({"stage": "in_transit", "events": [], "estimated_delivery":
            {"from": "2026-12-08", "to": "2026-12-10"}}),
        );
        assert!(!running_late(&sellers, day("2026-12-10")));
        assert!(running_late(&sellers, day("2026-12-11")));
        let single = shipment(
            json!({"stage": "in_transit", "events": [], "estimated_delivery": {"from": "2026-12-08"}}),
        );
        assert!(running_late(&single, day("2026-12-09")));
        let delivered = shipment(
            json!({"stage": "delivered", "events": [], "estimated_delivery": {"from": "2026-12-08"}}),
        );
        assert!(!running_late(&delivered, day("2026-12-20")));
        let none = shipment(json!({"stage": "in_transit", "events": []}));
        assert!(!running_late(&none, day("2026-12-20")));
    }

    #[test]
    fn without_both_cities_only_the_sellers_carrier_is_asked() {
        let ask = ask(CountedFrom::HandedOver, "москва", "");
        assert_eq!(ask.pools().collect::<Vec<_>>(), vec![Pool::SellersCarrier]);
    }

    #[test]
    fn in_the_buyers_city_it_counts_from_arrival() {
        let arrived = shipment(json!({
            "stage": "arrived",
            "carrier": {"name": "CDEK"},
            "events": [
                {"at": "2026-12-01T09:00:00Z", "stage": "handed_over", "text": "", "location": "Москва"},
                {"at": "2026-12-05T08:00:00Z", "stage": "arrived", "text": "", "location": "Казань"}
            ]
        }));
        let ask = Ask::of(&arrived).unwrap();
        assert_eq!(ask.counted_from, CountedFrom::Arrived);
        assert_eq!(ask.start_day, parse_date("2026-12-05").unwrap());
        assert_eq!(ask.pools().count(), 3);
        let no_carrier = shipment(json!({"stage": "in_transit", "events": [
            {"at": "2026-12-01T09:00:00Z", "stage": "handed_over", "text": ""}]}));
        assert_eq!(Ask::of(&no_carrier), None);
    }

    #[test]
    fn a_window_shown_later_starts_today_and_a_passed_one_stays_as_learnt() {
        let learnt = window(
            &ask(CountedFrom::HandedOver, "", ""),
            &[(Pool::SellersCarrier, ten(1))],
        )
        .unwrap();
        let table = [
            ("2026-12-01", "2026-12-08", "2026-12-10"),
            ("2026-12-09", "2026-12-09", "2026-12-10"),
            ("2026-12-10", "2026-12-10", "2026-12-10"),
            ("2026-12-15", "2026-12-10", "2026-12-10"),
        ];
        for (today, from, to) in table {
            let shown = clamp(learnt.clone(), parse_date(today).unwrap());
            assert_eq!(
                (shown.from.as_str(), shown.to.as_deref()),
                (from, Some(to)),
                "{today}"
            );
            assert_eq!(shown.late_after.as_deref(), Some("2026-12-11"));
        }
    }

    proptest! {
        #[test]
        fn the_window_never_ends_before_it_starts_nor_starts_before_today_while_it_lasts(
            histogram in proptest::collection::vec((0u32..120, 0u64..30), 0..12),
            start in 19_000i64..21_000,
            today in 19_000i64..21_500,
        ) {
            let mut ask = ask(CountedFrom::HandedOver, "", "");
            ask.start_day = start;
            if let Some(learnt) = window(&ask, &[(Pool::SellersCarrier, histogram)]) {
                let shown = clamp(learnt, today);
                let from = parse_date(&shown.from).unwrap();
                let to = parse_date(shown.to.as_deref().unwrap()).unwrap();
                prop_assert!(from <= to);
                prop_assert!(today <= from || (to < today && from == to));
                prop_assert!(start <= from);
            }
        }
    }
}
