//! What a shipment's head says beside the status, worked out against the buyer's clock: the
//! estimate, how long it has been quiet, and whether to put support first.

use crate::delivery::{expected, EtaPhrase};
use crate::freshness::stale_days;
use crate::pickup::{storage_left, StorageLeft};
use crate::status::Stage;
use crate::time::Now;
use crate::timeline::{StepState, Timeline};
use crate::Shipment;

/// The estimate, staleness and support emphasis of a shipment at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlook {
    /// The estimated delivery, when it still applies.
    pub eta: Option<EtaPhrase>,
    /// Days without an update, when that many should worry the buyer.
    pub stale_days: Option<i64>,
    /// Whether to put the support action forward (and there is support to go to).
    pub support_first: bool,
    /// How far along each step of the journey is, for the progress bar.
    pub steps: Vec<StepState>,
}

impl Outlook {
    /// The outlook of `shipment`, whose timeline is `timeline`, at `now`.
    pub fn of(shipment: &Shipment, timeline: &Timeline, now: Now) -> Outlook {
        let eta = expected(shipment, now.today);
        let stale_days = stale_days(shipment, now.millis);
        let pickup_expired = shipment.stage == Stage::ReadyForPickup
            && shipment
                .pickup_point
                .as_ref()
                .and_then(|point| point.storage_until.as_deref())
                .and_then(|until| storage_left(until, now.today))
                == Some(StorageLeft::Expired);
        // Something asks the buyer to act: a parcel late, quiet for days, left too long at a
        // pickup point, or an exception only support can mend.
        let worrying = matches!(eta, Some(EtaPhrase::Overdue { .. }))
            || stale_days.is_some()
            || pickup_expired
            || shipment
                .exception
                .as_ref()
                .is_some_and(|exception| exception.needs_support());
        let has_support = shipment
            .support
            .as_ref()
            .is_some_and(|support| !support.contacts.is_empty());
        Outlook {
            eta,
            stale_days,
            support_first: worrying && has_support,
            steps: timeline.steps.iter().map(|step| step.state).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::parse_track_response;
    use crate::time::{parse_date, parse_rfc3339};

    fn at(stamp: &str) -> Now {
        Now {
            millis: parse_rfc3339(stamp).unwrap(),
            today: parse_date(&stamp[..10]).unwrap(),
            offset_minutes: 0,
        }
    }

    fn outlook(json: &str, now: &str) -> Outlook {
        let shipment = parse_track_response(json).unwrap().shipments.remove(0);
        Outlook::of(&shipment, &Timeline::of(&shipment), at(now))
    }

    const SUPPORT: &str = r#""support":{"contacts":[{"kind":"phone","value":"+78005553535"}]}"#;

    #[test]
    fn support_comes_first_only_when_something_asks_the_buyer_to_act_and_there_is_support() {
        let late = format!(
            r#"{{"shipments":[{{"stage":"in_transit","updated_at":"2026-11-22T10:00:00Z",
            "estimated_delivery":{{"from":"2026-11-20"}},{SUPPORT}}}]}}"#
        );
        let seen = outlook(&late, "2026-11-23T12:00:00Z");
        assert!(matches!(seen.eta, Some(EtaPhrase::Overdue { .. })));
        assert!(seen.support_first);
        let on_time = late.replace("2026-11-20", "2026-11-25");
        assert!(!outlook(&on_time, "2026-11-23T12:00:00Z").support_first);
        let lost = format!(
            r#"{{"shipments":[{{"stage":"in_transit","exception":"lost","updated_at":"2026-11-22T10:00:00Z",{SUPPORT}}}]}}"#
        );
        assert!(outlook(&lost, "2026-11-23T12:00:00Z").support_first);
        let lost_alone = r#"{"shipments":[{"stage":"in_transit","exception":"lost","updated_at":"2026-11-22T10:00:00Z"}]}"#;
        assert!(!outlook(lost_alone, "2026-11-23T12:00:00Z").support_first);
        let delayed = lost.replace("\"lost\"", "\"delayed\"");
        assert!(!outlook(&delayed, "2026-11-23T12:00:00Z").support_first);
    }

    #[test]
    fn a_quiet_parcel_and_an_expired_pickup_worry_the_buyer() {
        let quiet = format!(
            r#"{{"shipments":[{{"stage":"in_transit","updated_at":"2026-11-10T10:00:00Z",{SUPPORT}}}]}}"#
        );
        let seen = outlook(&quiet, "2026-11-23T12:00:00Z");
        assert_eq!(seen.stale_days, Some(13));
        assert!(seen.support_first);
        let expired = format!(
            r#"{{"shipments":[{{"stage":"ready_for_pickup","updated_at":"2026-11-22T10:00:00Z",
            "pickup_point":{{"storage_until":"2026-11-21"}},{SUPPORT}}}]}}"#
        );
        assert!(outlook(&expired, "2026-11-23T12:00:00Z").support_first);
    }
}
