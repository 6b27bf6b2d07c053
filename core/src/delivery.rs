//! When the parcel arrives, in the buyer's words: today, tomorrow, a day, a window, or late.
//!
//! Days are counted in the buyer's calendar: the caller passes today's date as the
//! buyer's device sees it, so "tomorrow" means the buyer's tomorrow.

use crate::contract::{DeliveryWindow, Shipment};
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
    /// The last expected day has passed and the parcel has not arrived.
    Overdue {
        /// The last day it was expected (ISO date).
        expected: String,
        /// Whole days since then, at least 1.
        days_late: i64,
    },
}

/// Words a delivery window; `None` when its dates do not parse.
///
/// A window whose end comes before its start is read as the single start day.
pub fn phrase(window: &DeliveryWindow, today: i64) -> Option<EtaPhrase> {
    let from = parse_date(&window.from)?;
    let to = window
        .to
        .as_deref()
        .and_then(parse_date)
        .filter(|to| *to >= from)
        .unwrap_or(from);
    Some(if to < today {
        EtaPhrase::Overdue {
            expected: format_date(to),
            days_late: today - to,
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

    proptest! {
        #[test]
        fn overdue_exactly_when_the_last_day_is_past(from in 19_000i64..22_000, len in 0i64..10, today in 19_000i64..22_000) {
            let w = window(&format_date(from), Some(&format_date(from + len)));
            let worded = phrase(&w, today).unwrap();
            let overdue = matches!(worded, EtaPhrase::Overdue { days_late, .. } if days_late == today - from - len);
            prop_assert_eq!(overdue, from + len < today);
        }
    }
}
