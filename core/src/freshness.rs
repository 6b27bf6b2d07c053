//! Whether a status is still moving: stale statuses, settled shipments, and when to look again.
//!
//! Buyers' most common worry is a status that stops changing; after a few days
//! without news the widget says so and puts support forward.

use crate::contract::Shipment;
use crate::status::{Exception, Stage};
use crate::time::{parse_rfc3339, UnixMillis, DAY_MILLIS};

/// Days without any change after which a moving shipment is called stale.
pub const STALE_AFTER_DAYS: i64 = 5;

/// How often a shown, unsettled status is fetched again while the page is visible.
pub const REFRESH_EVERY_MS: u32 = 60_000;

/// Whether nothing more is expected to happen: delivered, returned to the seller, or cancelled.
pub fn is_settled(shipment: &Shipment) -> bool {
    shipment.stage == Stage::Delivered
        || matches!(
            shipment.exception,
            Some(Exception::Returned | Exception::Cancelled)
        )
}

/// The latest moment anything changed: the status stamp or the newest event.
pub fn last_change(shipment: &Shipment) -> Option<UnixMillis> {
    let updated = shipment.updated_at.as_deref().and_then(parse_rfc3339);
    let newest_event = shipment
        .events
        .iter()
        .filter_map(|event| parse_rfc3339(&event.at))
        .max();
    updated.max(newest_event)
}

/// Whole days without an update, when that is long enough to worry a buyer; `None` otherwise.
pub fn stale_days(shipment: &Shipment, now: UnixMillis) -> Option<i64> {
    if is_settled(shipment) {
        return None;
    }
    let days = now.checked_sub(last_change(shipment)?)? / DAY_MILLIS;
    (days >= STALE_AFTER_DAYS).then_some(days)
}

/// Whether any of the shipments may still change, so that looking again is worth a request.
pub fn worth_refreshing(shipments: &[Shipment]) -> bool {
    shipments.iter().any(|shipment| !is_settled(shipment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shipment(json: &str) -> Shipment {
        serde_json::from_str(json).unwrap()
    }

    fn at(stamp: &str) -> UnixMillis {
        parse_rfc3339(stamp).unwrap()
    }

    #[test]
    fn the_newest_of_stamp_and_events_counts() {
        let s = shipment(
            r#"{"stage":"in_transit","updated_at":"2026-11-10T10:00:00+03:00",
                "events":[{"at":"2026-11-12T10:00:00+03:00","text":""},{"at":"garbage","text":""}]}"#,
        );
        assert_eq!(last_change(&s), Some(at("2026-11-12T10:00:00+03:00")));
        assert_eq!(stale_days(&s, at("2026-11-16T09:00:00+03:00")), None);
        assert_eq!(stale_days(&s, at("2026-11-17T10:00:00+03:00")), Some(5));
        assert_eq!(stale_days(&s, at("2026-11-22T11:00:00+03:00")), Some(10));
    }

    #[test]
    fn settled_shipments_are_never_stale_nor_refreshed() {
        let now = at("2027-01-01T00:00:00Z");
        for json in [
            r#"{"stage":"delivered","updated_at":"2026-01-01T00:00:00Z"}"#,
            r#"{"stage":"arrived","exception":"returned","updated_at":"2026-01-01T00:00:00Z"}"#,
            r#"{"stage":"created","exception":"cancelled","updated_at":"2026-01-01T00:00:00Z"}"#,
        ] {
            let s = shipment(json);
            assert_eq!(stale_days(&s, now), None, "{json}");
            assert!(!worth_refreshing(&[s]), "{json}");
        }
        let moving = shipment(r#"{"stage":"in_transit","exception":"lost"}"#);
        assert!(worth_refreshing(&[
            shipment(r#"{"stage":"delivered"}"#),
            moving
        ]));
    }

    #[test]
    fn no_stamp_or_a_future_stamp_is_not_stale() {
        assert_eq!(stale_days(&shipment(r#"{"stage":"in_transit"}"#), 0), None);
        let future = shipment(r#"{"stage":"in_transit","updated_at":"9999-12-31T00:00:00Z"}"#);
        assert_eq!(stale_days(&future, at("2026-11-23T00:00:00Z")), None);
    }

    proptest! {
        #[test]
        fn stale_exactly_after_the_threshold(hours in 0i64..24 * 30) {
            let s = shipment(r#"{"stage":"in_transit","updated_at":"2026-11-01T00:00:00Z"}"#);
            let now = at("2026-11-01T00:00:00Z") + hours * 3_600_000;
            prop_assert_eq!(stale_days(&s, now).is_some(), hours >= STALE_AFTER_DAYS * 24);
        }
    }
}
