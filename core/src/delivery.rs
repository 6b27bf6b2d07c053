//! When the parcel arrives, in the buyer's words: today, tomorrow, a day, a window, or late;
//! and where that estimate comes from.
//!
//! Days are counted in the buyer's calendar: the caller passes today's date as the
//! buyer's device sees it, so "tomorrow" means the buyer's tomorrow.

use crate::contract::{CountedFrom, DeliveryWindow, EstimateBasis, LearntScope, Shipment};
use crate::status::{Exception, Stage};
use crate::time::{format_date, parse_date};

/// The estimated delivery, worded against the buyer's today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EtaPhrase {
    /// Expected today.
    Today,
    /// Expected tomorrow.
    Tomorrow,
    /// Expected on one later day (ISO date).
    On(String),
    /// Expected within a window of days (ISO dates) that has not begun.
    Between(String, String),
    /// The window has begun: expected by its last day (ISO date), today included.
    By(String),
    /// The window has passed, but the endpoint said when the parcel would be running late
    /// (`late_after`) and that day has not: still expected, by that day (ISO date).
    Behind(String),
    /// The last expected day (`late_after`, else the window's end) has passed and the parcel
    /// has not arrived: it is running late.
    Overdue {
        /// The last day it was expected (ISO date).
        expected: String,
        /// Whole days since then, at least 1.
        days_late: i64,
    },
}

/// Words a delivery window; `None` when its dates do not parse.
///
/// A window whose end comes before its start is read as the single start day; a `late_after`
/// that does not parse or comes no later than the end is read as none.
pub fn phrase(window: &DeliveryWindow, today: i64) -> Option<EtaPhrase> {
    let from = parse_date(&window.from)?;
    let to = window
        .to
        .as_deref()
        .and_then(parse_date)
        .filter(|to| *to >= from)
        .unwrap_or(from);
    let late_after = window
        .late_after
        .as_deref()
        .and_then(parse_date)
        .filter(|late_after| *late_after > to);
    Some(if to < today {
        match late_after {
            Some(late_after) if today <= late_after => EtaPhrase::Behind(format_date(late_after)),
            late_after => {
                let expected = late_after.unwrap_or(to);
                EtaPhrase::Overdue {
                    expected: format_date(expected),
                    days_late: today - expected,
                }
            }
        }
    } else if to == today {
        EtaPhrase::Today
    } else if from <= today {
        EtaPhrase::By(format_date(to))
    } else if from == to && from == today + 1 {
        EtaPhrase::Tomorrow
    } else if from == to {
        EtaPhrase::On(format_date(from))
    } else {
        EtaPhrase::Between(format_date(from), format_date(to))
    })
}

/// Where an estimate comes from, for the line under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EstimateSource {
    /// The seller gave it.
    Seller,
    /// The carrier (or the marketplace) gave it.
    Carrier,
    /// Learnt from earlier deliveries, without saying which.
    History,
    /// Learnt from `parcels` delivered parcels that took `days_from` to `days_to` days.
    Learnt {
        /// How many delivered parcels it was learnt from.
        parcels: u32,
        /// The usual days, fewest first.
        days_from: u32,
        /// The usual days, most last (never fewer than `days_from`).
        days_to: u32,
        /// The same route, the same carrier, or a scope this build does not know.
        scope: LearntScope,
        /// Whether the days count from the parcel's arrival in the buyer's city (else from hand-over).
        since_arrival: bool,
    },
}

/// Where `window` comes from, as far as the buyer is told: nothing for no basis or one this
/// build does not know, and a learnt window whose days count from an event this build does not
/// know is told only as learnt.
pub fn source(window: &DeliveryWindow) -> Option<EstimateSource> {
    match window.basis? {
        EstimateBasis::Seller => Some(EstimateSource::Seller),
        EstimateBasis::Carrier => Some(EstimateSource::Carrier),
        EstimateBasis::Unknown => None,
        EstimateBasis::History => Some(match window.history.as_ref() {
            Some(learnt) if learnt.counted_from != CountedFrom::Unknown => EstimateSource::Learnt {
                parcels: learnt.parcels,
                days_from: learnt.days_from.min(learnt.days_to),
                days_to: learnt.days_from.max(learnt.days_to),
                scope: learnt.scope,
                since_arrival: learnt.counted_from == CountedFrom::Arrived,
            },
            _ => EstimateSource::History,
        }),
    }
}

/// Whether an estimate still means something for this shipment: not once it is
/// delivered, waiting at a pickup point, lost, cancelled or on its way back.
pub fn estimate_applies(shipment: &Shipment) -> bool {
    let settled_stage = matches!(shipment.stage, Stage::Delivered | Stage::ReadyForPickup);
    let void = matches!(
        shipment.exception,
        Some(Exception::Lost | Exception::Cancelled | Exception::Returning | Exception::Returned)
    );
    !settled_stage && !void
}

/// The estimated delivery to show for a shipment, if any.
pub fn expected(shipment: &Shipment, today: i64) -> Option<EtaPhrase> {
    shipment
        .estimated_delivery
        .as_ref()
        .filter(|_| estimate_applies(shipment))
        .and_then(|window| phrase(window, today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn window(from: &str, to: Option<&str>) -> DeliveryWindow {
        DeliveryWindow {
            from: from.into(),
            to: to.map(Into::into),
            basis: None,
            late_after: None,
            history: None,
        }
    }

    fn day(iso: &str) -> i64 {
        parse_date(iso).unwrap()
    }

    #[test]
    fn single_days_are_worded_from_today() {
        let today = day("2026-11-23");
        assert_eq!(
            phrase(&window("2026-11-23", None), today),
            Some(EtaPhrase::Today)
        );
        assert_eq!(
            phrase(&window("2026-11-24", None), today),
            Some(EtaPhrase::Tomorrow)
        );
        assert_eq!(
            phrase(&window("2026-11-25", Some("2026-11-25")), today),
            Some(EtaPhrase::On("2026-11-25".into()))
        );
    }

    #[test]
    fn windows_are_worded_by_where_today_falls() {
        let today = day("2026-11-23");
        assert_eq!(
            phrase(&window("2026-11-25", Some("2026-11-27")), today),
            Some(EtaPhrase::Between("2026-11-25".into(), "2026-11-27".into()))
        );
        assert_eq!(
            phrase(&window("2026-11-21", Some("2026-11-27")), today),
            Some(EtaPhrase::By("2026-11-27".into()))
        );
        assert_eq!(
            phrase(&window("2026-11-21", Some("2026-11-23")), today),
            Some(EtaPhrase::Today)
        );
        // Across a month end.
        assert_eq!(
            phrase(&window("2026-11-30", Some("2026-12-02")), today),
            Some(EtaPhrase::Between("2026-11-30".into(), "2026-12-02".into()))
        );
    }

    #[test]
    fn a_passed_window_is_overdue_by_whole_days() {
        let today = day("2026-12-01");
        assert_eq!(
            phrase(&window("2026-11-25", Some("2026-11-27")), today),
            Some(EtaPhrase::Overdue {
                expected: "2026-11-27".into(),
                days_late: 4
            })
        );
    }

    #[test]
    fn unreadable_or_backwards_dates_do_not_mislead() {
        let today = day("2026-11-23");
        assert_eq!(phrase(&window("soon", None), today), None);
        assert_eq!(
            phrase(&window("2026-11-26", Some("2026-11-20")), today),
            Some(EtaPhrase::On("2026-11-26".into()))
        );
        assert_eq!(
            phrase(&window("2026-11-26", Some("next week")), today),
            Some(EtaPhrase::On("2026-11-26".into()))
        );
    }

    #[test]
    fn no_estimate_once_it_cannot_come_true() {
        let mut shipment: Shipment = serde_json::from_str(
            r#"{"stage":"in_transit","estimated_delivery":{"from":"2026-11-25"}}"#,
        )
        .unwrap();
        assert!(expected(&shipment, day("2026-11-23")).is_some());
        for (stage, exception) in [
            (Stage::Delivered, None),
            (Stage::ReadyForPickup, None),
            (Stage::InTransit, Some(Exception::Lost)),
            (Stage::Created, Some(Exception::Cancelled)),
            (Stage::InTransit, Some(Exception::Returning)),
        ] {
            shipment.stage = stage;
            shipment.exception = exception;
            assert_eq!(expected(&shipment, day("2026-11-23")), None);
        }
        shipment.stage = Stage::InTransit;
        shipment.exception = Some(Exception::Delayed);
        assert!(expected(&shipment, day("2026-11-23")).is_some());
    }

    fn late_after(from: &str, to: &str, late_after: &str) -> DeliveryWindow {
        DeliveryWindow {
            late_after: Some(late_after.into()),
            ..window(from, Some(to))
        }
    }

    #[test]
    fn between_the_windows_end_and_late_after_it_is_still_expected() {
        // Learnt 9–11 Dec, running late only after the 13th.
        let w = late_after("2026-12-09", "2026-12-11", "2026-12-13");
        let table = [
            (
                "2026-12-08",
                EtaPhrase::Between("2026-12-09".into(), "2026-12-11".into()),
            ),
            ("2026-12-10", EtaPhrase::By("2026-12-11".into())),
            ("2026-12-11", EtaPhrase::Today),
            ("2026-12-12", EtaPhrase::Behind("2026-12-13".into())),
            ("2026-12-13", EtaPhrase::Behind("2026-12-13".into())),
            (
                "2026-12-14",
                EtaPhrase::Overdue {
                    expected: "2026-12-13".into(),
                    days_late: 1,
                },
            ),
            (
                "2026-12-20",
                EtaPhrase::Overdue {
                    expected: "2026-12-13".into(),
                    days_late: 7,
                },
            ),
        ];
        for (today, worded) in table {
            assert_eq!(phrase(&w, day(today)), Some(worded), "{today}");
        }
    }

    #[test]
    fn a_late_after_that_cannot_be_read_or_comes_too_soon_changes_nothing() {
        let today = day("2026-12-12");
        let overdue = Some(EtaPhrase::Overdue {
            expected: "2026-12-11".into(),
            days_late: 1,
        });
        for late in ["soon", "2026-12-11", "2026-12-10", ""] {
            assert_eq!(
                phrase(&late_after("2026-12-09", "2026-12-11", late), today),
                overdue,
                "{late:?}"
            );
        }
        // A single day (no `to`) runs late after `late_after` too.
        let single = DeliveryWindow {
            late_after: Some("2026-12-12".into()),
            ..window("2026-12-10", None)
        };
        assert_eq!(
            phrase(&single, today),
            Some(EtaPhrase::Behind("2026-12-12".into()))
        );
    }

    fn learnt(json: &str) -> Option<EstimateSource> {
        let window: DeliveryWindow = serde_json::from_str(json).unwrap();
        source(&window)
    }

    #[test]
    fn the_source_is_told_as_the_endpoint_gave_it() {
        let table = [
            (r#"{"from":"2026-12-09"}"#, None),
            (r#"{"from":"2026-12-09","basis":"guess"}"#, None),
            (
                r#"{"from":"2026-12-09","basis":"seller"}"#,
                Some(EstimateSource::Seller),
            ),
            (
                r#"{"from":"2026-12-09","basis":"carrier"}"#,
                Some(EstimateSource::Carrier),
            ),
            (
                r#"{"from":"2026-12-09","basis":"history"}"#,
                Some(EstimateSource::History),
            ),
            (
                r#"{"from":"2026-12-09","basis":"history","history":{"parcels":214,"days_from":5,"days_to":7,"scope":"route","counted_from":"handed_over"}}"#,
                Some(EstimateSource::Learnt {
                    parcels: 214,
                    days_from: 5,
                    days_to: 7,
                    scope: LearntScope::Route,
                    since_arrival: false,
                }),
            ),
            (
                r#"{"from":"2026-12-09","basis":"history","history":{"parcels":12,"days_from":2,"days_to":1,"scope":"carrier","counted_from":"arrived"}}"#,
                Some(EstimateSource::Learnt {
                    parcels: 12,
                    days_from: 1,
                    days_to: 2,
                    scope: LearntScope::Carrier,
                    since_arrival: true,
                }),
            ),
            (
                r#"{"from":"2026-12-09","basis":"history","history":{"parcels":12,"days_from":1,"days_to":2,"scope":"region","counted_from":"arrived"}}"#,
                Some(EstimateSource::Learnt {
                    parcels: 12,
                    days_from: 1,
                    days_to: 2,
                    scope: LearntScope::Unknown,
                    since_arrival: true,
                }),
            ),
            // Days counted from an event this build does not know say nothing about today.
            (
                r#"{"from":"2026-12-09","basis":"history","history":{"parcels":12,"days_from":1,"days_to":2,"scope":"route","counted_from":"sorted"}}"#,
                Some(EstimateSource::History),
            ),
            // A history beside another basis is the endpoint's slip: the basis wins.
            (
                r#"{"from":"2026-12-09","basis":"seller","history":{"parcels":12,"days_from":1,"days_to":2,"scope":"route","counted_from":"arrived"}}"#,
                Some(EstimateSource::Seller),
            ),
        ];
        for (json, told) in table {
            assert_eq!(learnt(json), told, "{json}");
        }
    }

    proptest! {
        #[test]
        fn running_late_exactly_past_the_last_expected_day(
            from in 19_000i64..22_000,
            len in 0i64..10,
            grace in -3i64..10,
            today in 19_000i64..22_000,
        ) {
            let to = from + len;
            let w = late_after(&format_date(from), &format_date(to), &format_date(to + grace));
            let last = to + grace.max(0);
            let worded = phrase(&w, today).unwrap();
            let overdue = matches!(&worded, EtaPhrase::Overdue { days_late, expected }
                if *days_late == today - last && *expected == format_date(last));
            prop_assert_eq!(overdue, last < today);
            let behind = matches!(&worded, EtaPhrase::Behind(by) if *by == format_date(last));
            prop_assert_eq!(behind, to < today && today <= last);
        }

        #[test]
        fn overdue_exactly_when_the_last_day_is_past(from in 19_000i64..22_000, len in 0i64..10, today in 19_000i64..22_000) {
            let w = window(&format_date(from), Some(&format_date(from + len)));
            let worded = phrase(&w, today).unwrap();
            let overdue = matches!(worded, EtaPhrase::Overdue { days_late, .. } if days_late == today - from - len);
            prop_assert_eq!(overdue, from + len < today);
        }
    }
}
