//! Webhooks to the seller: which changes of a shipment a subscription hears of, what is sent,
//! how it is signed (`signature`), when a failed delivery is tried again (`schedule`), and the
//! loop that delivers them, on every instance at once (`worker`).
//!
//! Deliveries are queued in the store in the same transaction as the change they tell of
//! (`store::webhooks`), so none is lost to a crash and none is queued for a change that did not
//! commit; each is leased to one instance at a time, and an acknowledged one is never sent again
//! unless the seller asks for it (replay).

pub mod destination;
pub mod schedule;
pub mod signature;
pub mod worker;

use serde::Serialize;
use trackline_core::{Exception, Shipment, Stage};
use utoipa::ToSchema;

/// What a subscription can hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The stage or the exception changed.
    StatusChanged,
    /// An exception was raised (or replaced by another).
    ExceptionRaised,
    /// Nothing has moved for longer than the stage normally takes.
    GoneStale,
    /// The parcel waits at a pickup point.
    ReadyForPickup,
    /// The parcel was delivered.
    Delivered,
}

impl Kind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [Kind; 5] = [
        Kind::StatusChanged,
        Kind::ExceptionRaised,
        Kind::GoneStale,
        Kind::ReadyForPickup,
        Kind::Delivered,
    ];

    /// The kind's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StatusChanged => "status_changed",
            Kind::ExceptionRaised => "exception_raised",
            Kind::GoneStale => "gone_stale",
            Kind::ReadyForPickup => "ready_for_pickup",
            Kind::Delivered => "delivered",
        }
    }

    /// The kind a wire name names; `None` for any other text.
    pub fn from_wire(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// A shipment's status: its stage and its exception.
pub type Status = (Stage, Option<Exception>);

/// What a change of a shipment's status from `before` (none for a new shipment) to `after`
/// tells a subscriber, most specific last; nothing when the status did not change.
pub fn kinds_of(before: Option<&Status>, after: &Status) -> Vec<Kind> {
    if before == Some(after) {
        return Vec::new();
    }
    let mut kinds = vec![Kind::StatusChanged];
    let raised = after
        .1
        .as_ref()
        .is_some_and(|exception| before.and_then(|(_, had)| had.as_ref()) != Some(exception));
    if raised {
        kinds.push(Kind::ExceptionRaised);
    }
    let reached = |stage: &Stage| &after.0 == stage && before.is_none_or(|(had, _)| had != stage);
    if reached(&Stage::ReadyForPickup) {
        kinds.push(Kind::ReadyForPickup);
    }
    if reached(&Stage::Delivered) {
        kinds.push(Kind::Delivered);
    }
    kinds
}

/// A shipment's status as a subscription sees it.
pub fn status_of(shipment: &Shipment) -> Status {
    (shipment.stage.clone(), shipment.exception.clone())
}

/// What is delivered: one event about one shipment, as the seller API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookPayload)]
pub struct Payload<'a> {
    /// The delivery's id, the same in every attempt: receivers use it to take each event once.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// When it happened (RFC 3339).
    pub created_at: &'a str,
    /// The seller's own reference for the shipment.
    pub reference: &'a str,
    /// The shipment after the change, as buyers see it.
    #[schema(value_type = trackline_core::Shipment)]
    pub shipment: &'a Shipment,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(stage: Stage, exception: Option<Exception>) -> Status {
        (stage, exception)
    }

    #[test]
    fn a_change_says_what_kind_of_change_it_is() {
        let moving = status(Stage::InTransit, None);
        assert_eq!(kinds_of(Some(&moving), &moving), []);
        assert_eq!(
            kinds_of(Some(&moving), &status(Stage::Arrived, None)),
            [Kind::StatusChanged]
        );
        assert_eq!(
            kinds_of(
                Some(&moving),
                &status(Stage::InTransit, Some(Exception::Delayed))
            ),
            [Kind::StatusChanged, Kind::ExceptionRaised]
        );
        assert_eq!(
            kinds_of(
                Some(&status(Stage::InTransit, Some(Exception::Delayed))),
                &status(Stage::ReadyForPickup, Some(Exception::Delayed))
            ),
            [Kind::StatusChanged, Kind::ReadyForPickup],
            "the same exception still standing is not raised again"
        );
        assert_eq!(
            kinds_of(None, &status(Stage::Delivered, None)),
            [Kind::StatusChanged, Kind::Delivered],
            "a shipment written delivered is delivered news"
        );
        assert_eq!(
            kinds_of(
                Some(&status(Stage::Delivered, None)),
                &status(Stage::Delivered, Some(Exception::Damaged))
            ),
            [Kind::StatusChanged, Kind::ExceptionRaised]
        );
    }

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_wire(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::from_wire("shipped"), None);
    }
}
