//! Web Push to buyers who asked to hear about their parcel: which changes are told (`occasion_of`),
//! in what words (`message`), how one is encrypted and signed for the browser's push service
//! (`sender`, RFC 8291 and RFC 8292 through `web-push-native`), with the server's key
//! (`vapid`), to which push services only (`services`), and the loop that sends them from every
//! instance at once (`worker`).
//!
//! Messages are queued in the store in the same transaction as the change they tell of
//! (`store::push`), as webhooks are: whatever moved the status (the seller API, Ozon, a carrier's
//! poll or push), each change is told once, by one instance.

pub mod message;
pub mod sender;
pub mod services;
pub mod vapid;
pub mod worker;

use crate::webhooks::{kinds_of, Kind, Status};

/// Why a buyer is told something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    /// The parcel moved to another stage (or a problem cleared).
    StageChanged,
    /// Something went wrong: an exception was raised, or replaced by another.
    ExceptionRaised,
    /// The parcel waits at a pickup point.
    ReadyForPickup,
    /// Tomorrow is the last day the pickup point keeps it.
    LastDayTomorrow,
    /// The parcel was delivered.
    Delivered,
}

/// What a change of status from `before` to `after` tells the buyer: the most specific of what
/// it was, once; nothing for a shipment that did not change, or a new one (nobody heard of it yet).
pub fn occasion_of(before: Option<&Status>, after: &Status) -> Option<Occasion> {
    before?;
    kinds_of(before, after).last().map(|kind| match kind {
        Kind::ExceptionRaised => Occasion::ExceptionRaised,
        Kind::ReadyForPickup => Occasion::ReadyForPickup,
        Kind::Delivered => Occasion::Delivered,
        Kind::StatusChanged | Kind::GoneStale => Occasion::StageChanged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::{Exception, Stage};

    #[test]
    fn each_change_tells_its_most_specific_occasion_once() {
        let moving: Status = (Stage::InTransit, None);
        assert_eq!(occasion_of(Some(&moving), &moving), None);
        assert_eq!(occasion_of(None, &moving), None);
        assert_eq!(
            occasion_of(Some(&moving), &(Stage::Arrived, None)),
            Some(Occasion::StageChanged)
        );
        assert_eq!(
            occasion_of(Some(&moving), &(Stage::ReadyForPickup, None)),
            Some(Occasion::ReadyForPickup)
        );
        assert_eq!(
            occasion_of(Some(&moving), &(Stage::InTransit, Some(Exception::Delayed))),
            Some(Occasion::ExceptionRaised)
        );
        assert_eq!(
            occasion_of(Some(&moving), &(Stage::Delivered, None)),
            Some(Occasion::Delivered)
        );
    }
}
