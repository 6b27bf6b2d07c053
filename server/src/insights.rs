//! The seller's insights, shaped from the store's rows (`GET /api/v1/seller/insights`): which
//! days a period holds, every counter per day with a zero where none was counted, and per
//! carrier and per route how many parcels came, how many within the estimate shown, and the
//! median and 80th percentile of their days in transit. Pure: rows in, figures out.

use crate::counts::Count;
use crate::percentile::of_histogram;
use crate::store::insights::{DeliveryGroup, InsightRows, Period};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use trackline_core::time::{format_date, DAY_MILLIS};
use utoipa::ToSchema;

/// The periods a seller may ask for, in days.
pub const PERIODS: [u32; 3] = [7, 30, 90];
/// The period when none is asked.
pub const DEFAULT_PERIOD: u32 = 30;
/// The most routes the insights list.
pub const ROUTES: usize = 20;

/// The `days` UTC days ending today at `now` (ms): the days listed and the moments read.
pub fn period(days: u32, now: i64) -> Period {
    let today = now.div_euclid(DAY_MILLIS);
    let first = today - i64::from(days.max(1)) + 1;
    Period {
        days: (format_date(first), format_date(today)),
        from_ms: first * DAY_MILLIS,
        until_ms: (today + 1) * DAY_MILLIS,
        now_ms: now,
    }
}

/// Days in transit: the median and the 80th percentile, by nearest rank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TransitDays {
    /// Half the parcels took this many days or fewer.
    #[schema(examples(5))]
    pub median: u32,
    /// Four in five parcels took this many days or fewer.
    #[schema(examples(7))]
    pub p80: u32,
}

/// How the parcels of a carrier or a route came.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Figures {
    /// Parcels delivered in the period.
    #[schema(examples(214))]
    pub delivered: i64,
    /// Of those, how many had an estimate shown to the buyer.
    #[schema(examples(200))]
    pub with_estimate: i64,
    /// Of those, how many came by the estimate's last day.
    #[schema(examples(182))]
    pub on_time: i64,
    /// Whole days from hand-over to delivery; null when no parcel's hand-over is known.
    pub transit_days: Option<TransitDays>,
    #[serde(skip)]
    histogram: Vec<(u32, u64)>,
}

/// One carrier's parcels delivered in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CarrierFigures {
    /// The carrier's name in lower case ('' when the shipments name none).
    #[schema(examples("cdek"))]
    pub carrier: String,
    /// How they came.
    #[serde(flatten)]
    pub figures: Figures,
}

/// One route's parcels delivered in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RouteFigures {
    /// The carrier's name in lower case.
    #[schema(examples("cdek"))]
    pub carrier: String,
    /// The city the carrier took them in (lower case).
    #[schema(examples("москва"))]
    pub origin: String,
    /// The city they arrived in for the buyer (lower case).
    #[schema(examples("казань"))]
    pub destination: String,
    /// How they came.
    #[serde(flatten)]
    pub figures: Figures,
}

/// The seller's shipments now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Now {
    /// How many are at each stage (stages with none left out).
    #[schema(example = json!({"in_transit": 120, "ready_for_pickup": 4}))]
    pub stages: BTreeMap<String, i64>,
    /// How many have each exception (exceptions with none left out).
    #[schema(example = json!({"delayed": 3}))]
    pub exceptions: BTreeMap<String, i64>,
    /// How many are stale: silent for longer than their stage usually takes.
    #[schema(examples(4))]
    pub stale: i64,
}

/// What the seller's buyers did and how its parcels came, over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Insights {
    /// Every UTC day of the period (ISO dates), oldest first, today last.
    #[schema(example = json!(["2026-12-06", "2026-12-07"]))]
    pub days: Vec<String>,
    /// Per counter (each name always present), one number per day of `days`, 0 when none.
    #[schema(example = json!({"lookups_found": [3, 0], "taps_phone": [0, 1]}))]
    pub counts: BTreeMap<String, Vec<i64>>,
    /// Per counter, the period's sum.
    #[schema(example = json!({"lookups_found": 3, "taps_phone": 1}))]
    pub totals: BTreeMap<String, i64>,
    /// The seller's shipments as they are now, whatever the period.
    pub now: Now,
    /// Per carrier, the parcels delivered in the period, most delivered first.
    pub carriers: Vec<CarrierFigures>,
    /// Per route (carrier, origin and destination all known), at most 20, most delivered first.
    pub routes: Vec<RouteFigures>,
}

impl Figures {
    fn add(&mut self, group: &DeliveryGroup) {
        self.delivered += group.delivered;
        self.with_estimate += group.with_estimate;
        self.on_time += group.on_time;
        let days = group.transit_days.and_then(|days| u32::try_from(days).ok());
        let parcels = u64::try_from(group.delivered).ok();
        if let (Some(days), Some(parcels)) = (days, parcels) {
            self.histogram.push((days, parcels));
        }
    }

    fn finish(mut self) -> Self {
        self.transit_days = of_histogram(&self.histogram, 50)
            .zip(of_histogram(&self.histogram, 80))
            .map(|(median, p80)| TransitDays { median, p80 });
        self.histogram = Vec::new();
        self
    }
}

/// The insights of `days` days ending today at `now` (ms), from the store's rows.
pub fn shape(days: u32, now: i64, rows: InsightRows) -> Insights {
    let first = now.div_euclid(DAY_MILLIS) - i64::from(days.max(1)) + 1;
    let listed: Vec<String> = (0..i64::from(days.max(1)))
        .map(|n| format_date(first + n))
        .collect();
    let index: HashMap<&str, usize> = listed
        .iter()
        .enumerate()
        .map(|(i, day)| (day.as_str(), i))
        .collect();
    let mut counts: BTreeMap<String, Vec<i64>> = Count::ALL
        .iter()
        .map(|count| (count.as_str().to_owned(), vec![0; listed.len()]))
        .collect();
    for (day, name, n) in &rows.counts {
        // A name this build does not know (a newer instance's) is left out, as a day outside.
        if let (Some(at), Some(series)) = (index.get(day.as_str()), counts.get_mut(name)) {
            series[*at] += n;
        }
    }
    let totals = counts
        .iter()
        .map(|(name, series)| (name.clone(), series.iter().sum()))
        .collect();

    let mut carriers: BTreeMap<&str, Figures> = BTreeMap::new();
    let mut routes: BTreeMap<(&str, &str, &str), Figures> = BTreeMap::new();
    for group in &rows.deliveries {
        carriers.entry(&group.carrier).or_default().add(group);
        if !group.origin.is_empty() && !group.destination.is_empty() {
            routes
                .entry((&group.carrier, &group.origin, &group.destination))
                .or_default()
                .add(group);
        }
    }
    // Most delivered first; the BTreeMap's order (by name) breaks ties, the sort being stable.
    let mut carriers: Vec<CarrierFigures> = carriers
        .into_iter()
        .map(|(carrier, figures)| CarrierFigures {
            carrier: carrier.to_owned(),
            figures: figures.finish(),
        })
        .collect();
    carriers.sort_by_key(|c| std::cmp::Reverse(c.figures.delivered));
    let mut routes: Vec<((&str, &str, &str), Figures)> = routes.into_iter().collect();
    routes.sort_by_key(|(_, figures)| std::cmp::Reverse(figures.delivered));
    routes.truncate(ROUTES);
    let routes = routes
        .into_iter()
        .map(|((carrier, origin, destination), figures)| RouteFigures {
            carrier: carrier.to_owned(),
            origin: origin.to_owned(),
            destination: destination.to_owned(),
            figures: figures.finish(),
        })
        .collect();

    Insights {
        days: listed,
        counts,
        totals,
        now: Now {
            stages: rows.stages.into_iter().collect(),
            exceptions: rows.exceptions.into_iter().collect(),
            stale: rows.stale,
        },
        carriers,
        routes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_601_600_000 + 15 * 3_600_000; // 2026-12-07 15:00 UTC

    fn group(
        route: (&str, &str, &str),
        days: Option<i64>,
        n: i64,
        shown: i64,
        kept: i64,
    ) -> DeliveryGroup {
        DeliveryGroup {
            carrier: route.0.into(),
            origin: route.1.into(),
            destination: route.2.into(),
            transit_days: days,
            delivered: n,
            with_estimate: shown,
            on_time: kept,
        }
    }

    #[test]
    fn a_period_is_its_days_ending_today_and_the_moments_between() {
        let p = period(7, NOW);
        assert_eq!(p.days, ("2026-12-01".to_owned(), "2026-12-07".to_owned()));
        assert_eq!(p.from_ms, 1_796_601_600_000 - 6 * DAY_MILLIS);
        assert_eq!(p.until_ms, 1_796_601_600_000 + DAY_MILLIS);
        let shaped = shape(30, NOW, InsightRows::default());
        assert_eq!(shaped.days.len(), 30);
        assert_eq!(shaped.days.first().map(String::as_str), Some("2026-11-08"));
        assert_eq!(shaped.days.last().map(String::as_str), Some("2026-12-07"));
    }

    #[test]
    fn every_counter_has_a_number_per_day_and_unknown_names_and_days_are_left_out() {
        let rows = InsightRows {
            counts: vec![
                ("2026-12-07".into(), "lookups_found".into(), 4),
                ("2026-12-05".into(), "lookups_found".into(), 2),
                ("2026-12-05".into(), "taps_vk".into(), 1),
                ("2026-12-05".into(), "a_newer_name".into(), 9),
                ("2026-11-01".into(), "lookups_found".into(), 100),
            ],
            ..InsightRows::default()
        };
        let shaped = shape(7, NOW, rows);
        assert_eq!(shaped.counts.len(), Count::ALL.len());
        assert!(shaped.counts.values().all(|series| series.len() == 7));
        assert_eq!(shaped.counts["lookups_found"], [0, 0, 0, 0, 2, 0, 4]);
        assert_eq!(shaped.totals["lookups_found"], 6);
        assert_eq!(shaped.totals["taps_vk"], 1);
        assert_eq!(shaped.totals["push_failed"], 0);
        assert!(!shaped.counts.contains_key("a_newer_name"));
    }

    #[test]
    fn carriers_and_routes_add_their_groups_and_take_percentiles_of_transit_days() {
        let a = ("cdek", "москва", "казань");
        let rows = InsightRows {
            deliveries: vec![
                group(a, Some(3), 2, 2, 2),
                group(a, Some(5), 5, 4, 3),
                group(a, Some(9), 3, 3, 0),
                group(("cdek", "", "казань"), None, 4, 0, 0),
                group(("russian_post", "тверь", "омск"), None, 1, 1, 1),
            ],
            ..InsightRows::default()
        };
        let shaped = shape(30, NOW, rows);
        let cdek = &shaped.carriers[0];
        assert_eq!(cdek.carrier, "cdek");
        assert_eq!(
            (
                cdek.figures.delivered,
                cdek.figures.with_estimate,
                cdek.figures.on_time
            ),
            (14, 9, 5)
        );
        // Ten parcels with a hand-over: 3,3,5,5,5,5,5,9,9,9.
        assert_eq!(
            cdek.figures.transit_days,
            Some(TransitDays { median: 5, p80: 9 })
        );
        assert_eq!(shaped.carriers[1].figures.transit_days, None);
        // The route without an origin is left out.
        assert_eq!(shaped.routes.len(), 2);
        assert_eq!(shaped.routes[0].figures.delivered, 10);
        assert_eq!(shaped.routes[1].origin, "тверь");
    }

    #[test]
    fn at_most_twenty_routes_most_delivered_first() {
        let names: Vec<String> = (0..30).map(|i| format!("city{i:02}")).collect();
        let rows = InsightRows {
            deliveries: (0..30)
                .map(|i| group(("cdek", "москва", &names[i]), Some(2), i as i64 + 1, 0, 0))
                .collect(),
            ..InsightRows::default()
        };
        let shaped = shape(7, NOW, rows);
        assert_eq!(shaped.routes.len(), ROUTES);
        assert_eq!(shaped.routes[0].destination, "city29");
        assert_eq!(shaped.routes[19].destination, "city10");
    }
}
