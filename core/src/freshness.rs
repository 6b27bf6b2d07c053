//! Whether a status is still moving: stale statuses, settled shipments, and when to look again.
//!
//! Buyers' most common worry is a status that stops changing; after a few days
//! without news the widget says so and puts support forward.

use crate::contract::Shipment;
use crate::status::{Exception, Stage};
use crate::time::{parse_rfc3339, UnixMillis, DAY_MILLIS};

/// Days without any change after which a parcel in transit is called stale.
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

/// Days a parcel usually spends at `stage` without news, beyond which its silence is worth
/// telling the buyer; `None` where waiting is normal: at a pickup point (its storage days say
/// how long) and once delivered.
pub fn usual_silence_days(stage: &Stage) -> Option<i64> {
    match stage {
        Stage::OutForDelivery => Some(2),
        // A seller hands parcels over within days; a carrier in the buyer's city moves them on.
        Stage::Created | Stage::Packed | Stage::HandedOver | Stage::Arrived => Some(3),
        // Long legs, cross-border ones included, go quiet for days between scans.
        Stage::InTransit | Stage::Unknown(_) => Some(STALE_AFTER_DAYS),
        Stage::ReadyForPickup | Stage::Delivered => None,
    }
}

/// The last news of a shipment whose silence at `now` is longer than its stage usually
/// takes; `None` while it is not, and for settled shipments. What an endpoint sends as
/// `stale_since`.
pub fn stale_since(shipment: &Shipment, now: UnixMillis) -> Option<UnixMillis> {
    if is_settled(shipment) {
        return None;
    }
    let usual = usual_silence_days(&shipment.stage)?;
    let since = last_change(shipment)?;
    (now.checked_sub(since)? >= usual * DAY_MILLIS).then_some(since)
}

/// Whole days without news, when the silence should worry a buyer; `None` otherwise. The
/// endpoint's `stale_since` is taken when it sent one (it may know the carrier better), else
/// the silence is judged by `stale_since` here.
pub fn stale_days(shipment: &Shipment, now: UnixMillis) -> Option<i64> {
    if is_settled(shipment) {
        return None;
    }
    let since = match shipment.stale_since.as_deref().and_then(parse_rfc3339) {
        Some(said) => said,
        None => stale_since(shipment, now)?,
    };
    let days = now.checked_sub(since)? / DAY_MILLIS;
    (days >= 1).then_some(days)
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

    #[test]
    fn the_silence_that_worries_depends_on_the_stage() {
        let quiet_since = |stage: &str| {
            shipment(&format!(
                r#"{{"stage":"{stage}","updated_at":"2026-11-20T10:00:00Z"}}"#
            ))
        };
        let two_days_on = at("2026-11-22T10:00:00Z");
        assert_eq!(
            stale_since(&quiet_since("out_for_delivery"), two_days_on),
            Some(at("2026-11-20T10:00:00Z"))
        );
        assert_eq!(stale_since(&quiet_since("in_transit"), two_days_on), None);
        let a_month_on = at("2026-12-20T10:00:00Z");
        assert_eq!(
            stale_since(&quiet_since("ready_for_pickup"), a_month_on),
            None,
            "waiting at a pickup point is the buyer's to end"
        );
        assert_eq!(stale_days(&quiet_since("packed"), a_month_on), Some(30));
    }

    #[test]
    fn the_endpoints_word_is_taken_when_it_says_one() {
        let said = shipment(
            r#"{"stage":"in_transit","updated_at":"2026-11-20T10:00:00Z",
                "stale_since":"2026-11-20T10:00:00Z"}"#,
        );
        assert_eq!(
            stale_days(&said, at("2026-11-22T11:00:00Z")),
            Some(2),
            "the endpoint knows this carrier scans daily"
        );
        let garbled = shipment(
            r#"{"stage":"in_transit","updated_at":"2026-11-20T10:00:00Z","stale_since":"soon"}"#,
        );
        assert_eq!(stale_days(&garbled, at("2026-11-22T11:00:00Z")), None);
        let delivered = said.clone();
        let delivered = Shipment {
            stage: Stage::Delivered,
            ..delivered
        };
        assert_eq!(stale_days(&delivered, at("2026-11-22T11:00:00Z")), None);
    }

    proptest! {
        #[test]
        fn stale_since_is_said_exactly_after_the_stages_usual_silence(
            hours in 0i64..24 * 30,
            stage in prop::sample::select(vec![
                "created", "packed", "handed_over", "in_transit", "arrived",
                "out_for_delivery", "ready_for_pickup", "delivered",
            ]),
        ) {
            let s = shipment(&format!(r#"{{"stage":"{stage}","updated_at":"2026-11-01T00:00:00Z"}}"#));
            let now = at("2026-11-01T00:00:00Z") + hours * 3_600_000;
            let expected = usual_silence_days(&s.stage).is_some_and(|days| hours >= days * 24);
            prop_assert_eq!(stale_since(&s, now).is_some(), expected);
        }

        #[test]
        fn stale_exactly_after_the_threshold(hours in 0i64..24 * 30) {
            let s = shipment(r#"{"stage":"in_transit","updated_at":"2026-11-01T00:00:00Z"}"#);
            let now = at("2026-11-01T00:00:00Z") + hours * 3_600_000;
            prop_assert_eq!(stale_days(&s, now).is_some(), hours >= STALE_AFTER_DAYS * 24);
        }
    }
}
