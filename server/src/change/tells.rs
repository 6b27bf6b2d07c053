//! What a change of status tells whom: the kinds of webhook a seller's subscription hears of
//! (`kinds_of`) and what each delivery carries (`Payload`), the occasion a subscribed buyer is
//! told of (`occasion_of`) in the words `message::compose` gives it; and the rows that queue
//! them (`deliveries`; the buyers' in `message::messages`), made from what the store read of who listens.

use super::Status;
use serde::Serialize;
use trackline_core::{Shipment, Stage};
use utoipa::ToSchema;

/// What a webhook subscription can hear of.
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
    /// The parcel is running late: past the last day of its estimate (or its `late_after`),
    /// not delivered. Told once a shipment.
    EstimateMissed,
}

impl Kind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [Kind; 6] = [
        Kind::StatusChanged,
        Kind::ExceptionRaised,
        Kind::GoneStale,
        Kind::ReadyForPickup,
        Kind::Delivered,
        Kind::EstimateMissed,
    ];

    /// The kind's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StatusChanged => "status_changed",
            Kind::ExceptionRaised => "exception_raised",
            Kind::GoneStale => "gone_stale",
            Kind::ReadyForPickup => "ready_for_pickup",
            Kind::Delivered => "delivered",
            Kind::EstimateMissed => "estimate_missed",
        }
    }

    /// The kind a wire name names; `None` for any other text.
    pub fn from_wire(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

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
        Kind::StatusChanged | Kind::GoneStale | Kind::EstimateMissed => Occasion::StageChanged,
    })
}

/// Whether the buyers subscribed to `shipment` are due the reminder that tomorrow
/// (`tomorrow`, an ISO date) is the pickup point's last day: it waits there, without a problem.
pub fn last_day_tomorrow(shipment: &Shipment, tomorrow: &str) -> bool {
    let until = shipment
        .pickup_point
        .as_ref()
        .and_then(|point| point.storage_until.as_deref());
    shipment.stage == Stage::ReadyForPickup
        && until == Some(tomorrow)
        && shipment.exception.is_none()
}

/// How long a buyer's subscription lasts after its parcel was delivered.
pub const AFTER_DELIVERY_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// What the change of a shipment from `before` to `after` tells: the webhook kinds, the push
/// occasion, and whether the buyers' subscriptions now end (`AFTER_DELIVERY_MS` after delivery).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tells {
    /// What the seller's subscriptions may hear of.
    pub kinds: Vec<Kind>,
    /// What the buyers subscribed are told, if anything.
    pub occasion: Option<Occasion>,
}

impl Tells {
    /// What a change from `before` (none for a new shipment) to `after` tells.
    pub fn of(before: Option<&Status>, after: &Status) -> Tells {
        Tells {
            kinds: kinds_of(before, after),
            occasion: occasion_of(before, after),
        }
    }

    /// Whether the buyers' subscriptions end `AFTER_DELIVERY_MS` from now.
    pub fn ends_subscriptions(&self) -> bool {
        self.occasion == Some(Occasion::Delivered)
    }
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

/// A seller's webhook subscription, as far as queueing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hearer {
    /// The subscription's id.
    pub webhook: i64,
    /// The kinds it hears of.
    pub kinds: Vec<Kind>,
}

/// A delivery to queue: to which subscription, of what kind, with which body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Its id, also the payload's.
    pub id: i64,
    /// The subscription it goes to.
    pub webhook: i64,
    /// What it tells.
    pub kind: Kind,
    /// The payload, JSON.
    pub body: String,
}

/// The deliveries of `kinds` about the shipment under `reference`, as it is `after`, one for
/// each subscription that hears of each kind, stamped `created_at`; `mint` gives each its id.
///
/// # Errors
/// What `mint` fails with.
pub fn deliveries<E: From<serde_json::Error>>(
    kinds: &[Kind],
    hearers: &[Hearer],
    reference: &str,
    after: &Shipment,
    created_at: &str,
    mut mint: impl FnMut() -> Result<i64, E>,
) -> Result<Vec<Delivery>, E> {
    let mut queued = Vec::new();
    for hearer in hearers {
        for kind in kinds.iter().filter(|kind| hearer.kinds.contains(kind)) {
            let id = mint()?;
            let body = serde_json::to_string(&Payload {
                id: id.to_string(),
                kind: *kind,
                created_at,
                reference,
                shipment: after,
            })?;
            queued.push(Delivery {
                id,
                webhook: hearer.webhook,
                kind: *kind,
                body,
            });
        }
    }
    Ok(queued)
}

/// A buyer's subscription to a shipment, as the buyer asked for it: how to word a message and
/// where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    /// The language messages are worded in (BCP 47; an unknown one reads as the default).
    pub lang: String,
    /// The tracking page they open (a path on this server).
    pub page: String,
    /// Where a message's "stop" action ends the subscription (a path on this server).
    pub api: String,
    /// The number the buyer looked up.
    pub number: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::Exception;

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

    fn shipment(json: &str) -> Shipment {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn each_hearer_gets_the_kinds_it_hears_with_its_own_id() {
        let after = shipment(r#"{"stage":"delivered"}"#);
        let hearers = [
            Hearer {
                webhook: 7,
                kinds: vec![Kind::Delivered],
            },
            Hearer {
                webhook: 8,
                kinds: Kind::ALL.to_vec(),
            },
            Hearer {
                webhook: 9,
                kinds: vec![Kind::GoneStale],
            },
        ];
        let kinds = kinds_of(Some(&(Stage::InTransit, None)), &(Stage::Delivered, None));
        let mut next = 0;
        let queued = deliveries::<serde_json::Error>(
            &kinds,
            &hearers,
            "order-1",
            &after,
            "2026-12-07T10:00:00Z",
            || {
                next += 1;
                Ok(next)
            },
        )
        .unwrap();
        let sent: Vec<(i64, i64, Kind)> =
            queued.iter().map(|d| (d.id, d.webhook, d.kind)).collect();
        assert_eq!(
            sent,
            [
                (1, 7, Kind::Delivered),
                (2, 8, Kind::StatusChanged),
                (3, 8, Kind::Delivered)
            ]
        );
        let body: serde_json::Value = serde_json::from_str(&queued[1].body).unwrap();
        assert_eq!(body["id"], "2", "the payload's id is the delivery's");
        assert_eq!(body["type"], "status_changed");
        assert_eq!(body["reference"], "order-1");
        assert_eq!(body["shipment"]["stage"], "delivered");
    }

    #[test]
    fn a_delivered_parcel_ends_its_subscriptions_and_a_reminder_waits_for_its_day() {
        let moving: Status = (Stage::InTransit, None);
        assert!(Tells::of(Some(&moving), &(Stage::Delivered, None)).ends_subscriptions());
        assert!(!Tells::of(Some(&moving), &(Stage::Arrived, None)).ends_subscriptions());
        assert!(!Tells::of(None, &(Stage::Delivered, None)).ends_subscriptions());
        let waiting = shipment(
            r#"{"stage":"ready_for_pickup","pickup_point":{"storage_until":"2026-11-30"}}"#,
        );
        assert!(last_day_tomorrow(&waiting, "2026-11-30"));
        assert!(!last_day_tomorrow(&waiting, "2026-11-29"));
        let troubled = Shipment {
            exception: Some(Exception::Delayed),
            ..waiting.clone()
        };
        assert!(!last_day_tomorrow(&troubled, "2026-11-30"));
    }
}
