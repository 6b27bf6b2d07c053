//! The status taxonomy: an ordered list of stages and the exceptions that may ride on one.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Where a shipment is on its way to the buyer.
///
/// `Unknown` keeps the endpoint's own word, so a stage this build has never
/// heard of is shown rather than dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Order placed and confirmed.
    Created,
    /// Assembled, awaiting hand-over.
    Packed,
    /// Handed to the carrier.
    HandedOver,
    /// Moving between sorting centres.
    InTransit,
    /// In the buyer's city or final sorting centre.
    Arrived,
    /// With a courier on the way to the door.
    OutForDelivery,
    /// Waiting at a pickup point or locker.
    ReadyForPickup,
    /// In the buyer's hands.
    Delivered,
    /// A stage the endpoint named that this build does not know.
    Unknown(String),
}

impl Stage {
    /// Every known stage in wire order.
    pub const KNOWN: [Stage; 8] = [
        Stage::Created,
        Stage::Packed,
        Stage::HandedOver,
        Stage::InTransit,
        Stage::Arrived,
        Stage::OutForDelivery,
        Stage::ReadyForPickup,
        Stage::Delivered,
    ];

    /// The wire name (`in_transit`), or the endpoint's own text for an unknown stage.
    pub fn as_str(&self) -> &str {
        match self {
            Stage::Created => "created",
            Stage::Packed => "packed",
            Stage::HandedOver => "handed_over",
            Stage::InTransit => "in_transit",
            Stage::Arrived => "arrived",
            Stage::OutForDelivery => "out_for_delivery",
            Stage::ReadyForPickup => "ready_for_pickup",
            Stage::Delivered => "delivered",
            Stage::Unknown(text) => text,
        }
    }

    /// Reads a wire name; anything else becomes `Unknown` with the text kept.
    pub fn from_wire(text: &str) -> Stage {
        Stage::KNOWN
            .iter()
            .find(|stage| stage.as_str() == text)
            .cloned()
            .unwrap_or_else(|| Stage::Unknown(text.to_owned()))
    }

    /// Whether this build knows the stage.
    pub fn is_known(&self) -> bool {
        !matches!(self, Stage::Unknown(_))
    }
}

/// Something that went wrong on the way; it rides on the current stage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Exception {
    /// Running late; a new estimate may follow.
    Delayed,
    /// The courier could not deliver.
    AttemptFailed,
    /// The address is incomplete or wrong.
    AddressProblem,
    /// Held by customs.
    CustomsHold,
    /// Damaged in transit.
    Damaged,
    /// Lost by the carrier.
    Lost,
    /// On its way back to the seller.
    Returning,
    /// Back with the seller.
    Returned,
    /// The order or shipment was cancelled.
    Cancelled,
    /// An exception the endpoint named that this build does not know.
    Unknown(String),
}

impl Exception {
    /// Every known exception in wire order.
    pub const KNOWN: [Exception; 9] = [
        Exception::Delayed,
        Exception::AttemptFailed,
        Exception::AddressProblem,
        Exception::CustomsHold,
        Exception::Damaged,
        Exception::Lost,
        Exception::Returning,
        Exception::Returned,
        Exception::Cancelled,
    ];

    /// The wire name (`customs_hold`), or the endpoint's own text for an unknown exception.
    pub fn as_str(&self) -> &str {
        match self {
            Exception::Delayed => "delayed",
            Exception::AttemptFailed => "attempt_failed",
            Exception::AddressProblem => "address_problem",
            Exception::CustomsHold => "customs_hold",
            Exception::Damaged => "damaged",
            Exception::Lost => "lost",
            Exception::Returning => "returning",
            Exception::Returned => "returned",
            Exception::Cancelled => "cancelled",
            Exception::Unknown(text) => text,
        }
    }

    /// Reads a wire name; anything else becomes `Unknown` with the text kept.
    pub fn from_wire(text: &str) -> Exception {
        Exception::KNOWN
            .iter()
            .find(|exception| exception.as_str() == text)
            .cloned()
            .unwrap_or_else(|| Exception::Unknown(text.to_owned()))
    }

    /// Whether this build knows the exception.
    pub fn is_known(&self) -> bool {
        !matches!(self, Exception::Unknown(_))
    }

    /// Whether the exception asks the buyer to act through support (arrange another attempt,
    /// confirm the address, claim for a damaged or lost parcel).
    pub fn needs_support(&self) -> bool {
        matches!(
            self,
            Exception::AttemptFailed
                | Exception::AddressProblem
                | Exception::Damaged
                | Exception::Lost
        )
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Stage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Stage::from_wire(&text))
    }
}

impl Serialize for Exception {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Exception {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Exception::from_wire(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_known_stage_reads_back_from_its_wire_name() {
        for stage in Stage::KNOWN {
            assert_eq!(Stage::from_wire(stage.as_str()), stage);
            assert!(stage.is_known());
        }
    }

    #[test]
    fn every_known_exception_reads_back_from_its_wire_name() {
        for exception in Exception::KNOWN {
            assert_eq!(Exception::from_wire(exception.as_str()), exception);
            assert!(exception.is_known());
        }
    }

    #[test]
    fn an_unknown_stage_keeps_the_endpoints_text() {
        let stage: Stage = serde_json::from_str("\"at_the_moon\"").unwrap();
        assert_eq!(stage, Stage::Unknown("at_the_moon".into()));
        assert_eq!(serde_json::to_string(&stage).unwrap(), "\"at_the_moon\"");
    }

    #[test]
    fn wire_names_are_case_sensitive_and_unknown_otherwise() {
        assert_eq!(
            Stage::from_wire("Delivered"),
            Stage::Unknown("Delivered".into())
        );
    }

    proptest! {
        #[test]
        fn any_stage_text_round_trips(text in ".*") {
            let stage = Stage::from_wire(&text);
            prop_assert_eq!(stage.as_str(), text.as_str());
            let json = serde_json::to_string(&stage).unwrap();
            let back: Stage = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, stage);
        }

        #[test]
        fn any_exception_text_round_trips(text in ".*") {
            let exception = Exception::from_wire(&text);
            prop_assert_eq!(exception.as_str(), text.as_str());
        }
    }
}
