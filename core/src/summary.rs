//! One line for an order of several parcels: "2 parcels: 1 delivered, 1 in transit".

use crate::contract::Shipment;
use crate::status::{Exception, Stage};

/// Where a parcel stands, coarsely enough to count parcels of one order together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Progress {
    /// Something went wrong that is not a return or a cancellation.
    NeedsAttention,
    /// Waiting at a pickup point.
    ReadyForPickup,
    /// With a courier today.
    OutForDelivery,
    /// Moving between the seller and the buyer's city.
    OnTheWay,
    /// Not yet handed to a carrier.
    Preparing,
    /// Handed to the buyer.
    Delivered,
    /// Going or gone back to the seller.
    Returned,
    /// Cancelled.
    Cancelled,
}

/// The coarse progress of one parcel.
pub fn progress(shipment: &Shipment) -> Progress {
    match (&shipment.exception, &shipment.stage) {
        (Some(Exception::Cancelled), _) => Progress::Cancelled,
        (Some(Exception::Returning | Exception::Returned), _) => Progress::Returned,
        (Some(_), _) => Progress::NeedsAttention,
        (None, Stage::Created | Stage::Packed) => Progress::Preparing,
        (None, Stage::ReadyForPickup) => Progress::ReadyForPickup,
        (None, Stage::OutForDelivery) => Progress::OutForDelivery,
        (None, Stage::Delivered) => Progress::Delivered,
        (None, Stage::HandedOver | Stage::InTransit | Stage::Arrived | Stage::Unknown(_)) => {
            Progress::OnTheWay
        }
    }
}

/// How many parcels stand where, the ones that ask something of the buyer first; no zero counts.
pub fn summarise(shipments: &[Shipment]) -> Vec<(Progress, usize)> {
    let mut counts: Vec<(Progress, usize)> = Vec::new();
    for shipment in shipments {
        let kind = progress(shipment);
        match counts.iter_mut().find(|(seen, _)| *seen == kind) {
            Some((_, count)) => *count += 1,
            None => counts.push((kind, 1)),
        }
    }
    counts.sort_by_key(|(kind, _)| *kind);
    counts
}

/// Which parcel of a split order to open first: the one that still needs the buyer. An
/// exception first, then one waiting at a pickup point, then one with a courier (both need the
/// buyer there), then the least advanced; a settled parcel (delivered, returned, cancelled)
/// only when all are. The first of equals.
pub fn first_to_open(shipments: &[Shipment]) -> usize {
    let need = |shipment: &Shipment| match progress(shipment) {
        Progress::NeedsAttention => 0,
        Progress::ReadyForPickup => 1,
        Progress::OutForDelivery => 2,
        Progress::Preparing => 3,
        Progress::OnTheWay => 4,
        Progress::Delivered => 5,
        Progress::Returned => 6,
        Progress::Cancelled => 7,
    };
    shipments
        .iter()
        .enumerate()
        .min_by_key(|(index, shipment)| (need(shipment), *index))
        .map_or(0, |(index, _)| index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shipment(stage: Stage, exception: Option<Exception>) -> Shipment {
        let mut s: Shipment = serde_json::from_str(r#"{"stage":"created"}"#).unwrap();
        s.stage = stage;
        s.exception = exception;
        s
    }

    #[test]
    fn an_order_is_counted_by_progress_with_problems_first() {
        let order = [
            shipment(Stage::Delivered, None),
            shipment(Stage::InTransit, None),
            shipment(Stage::Arrived, None),
            shipment(Stage::InTransit, Some(Exception::Delayed)),
        ];
        assert_eq!(
            summarise(&order),
            vec![
                (Progress::NeedsAttention, 1),
                (Progress::OnTheWay, 2),
                (Progress::Delivered, 1)
            ]
        );
    }

    #[test]
    fn returns_and_cancellations_are_their_own_kinds() {
        assert_eq!(
            progress(&shipment(Stage::Arrived, Some(Exception::Returned))),
            Progress::Returned
        );
        assert_eq!(
            progress(&shipment(Stage::Created, Some(Exception::Cancelled))),
            Progress::Cancelled
        );
        assert_eq!(
            progress(&shipment(Stage::Unknown("x".into()), None)),
            Progress::OnTheWay
        );
    }

    #[test]
    fn a_split_order_opens_on_the_parcel_that_needs_the_buyer() {
        let delivered = || shipment(Stage::Delivered, None);
        assert_eq!(first_to_open(&[]), 0);
        assert_eq!(first_to_open(&[delivered(), delivered()]), 0);
        assert_eq!(
            first_to_open(&[delivered(), shipment(Stage::InTransit, None)]),
            1
        );
        assert_eq!(
            first_to_open(&[
                delivered(),
                shipment(Stage::InTransit, None),
                shipment(Stage::Packed, None)
            ]),
            2,
            "the least advanced"
        );
        assert_eq!(
            first_to_open(&[
                shipment(Stage::Packed, None),
                shipment(Stage::ReadyForPickup, None),
                shipment(Stage::InTransit, Some(Exception::Delayed)),
            ]),
            2,
            "an exception before all"
        );
        assert_eq!(
            first_to_open(&[
                shipment(Stage::Packed, None),
                shipment(Stage::ReadyForPickup, None)
            ]),
            1,
            "a parcel to collect before one being packed"
        );
        assert_eq!(
            first_to_open(&[
                delivered(),
                shipment(Stage::Created, Some(Exception::Cancelled))
            ]),
            0
        );
    }

    proptest! {
        #[test]
        fn counts_add_up_to_the_parcels(stages in proptest::collection::vec(0usize..8, 0..20)) {
            let order: Vec<Shipment> = stages.iter().map(|i| shipment(Stage::KNOWN[*i].clone(), None)).collect();
            let counted = summarise(&order);
            prop_assert_eq!(counted.iter().map(|(_, n)| n).sum::<usize>(), order.len());
            prop_assert!(counted.iter().all(|(_, n)| *n > 0));
        }
    }
}
