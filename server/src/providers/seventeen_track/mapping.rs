//! 17TRACK's statuses and sub-statuses (API v2.2) to trackline's stages and exceptions.
//!
//! The table is in `docs/17track.md`; `server/tests/sources.rs` reads it back and checks every
//! row against `map`, so the document and the code cannot disagree.

use trackline_core::{Exception, Stage};

/// Every sub-status 17TRACK documents, for the test that checks the table lists each one
/// that moves a status.
pub const SUB_STATUSES: [&str; 30] = [
    "NotFound_Other",
    "NotFound_InvalidCode",
    "InfoReceived",
    "InTransit_PickedUp",
    "InTransit_Other",
    "InTransit_Departure",
    "InTransit_Arrival",
    "InTransit_CustomsProcessing",
    "InTransit_CustomsReleased",
    "InTransit_CustomsRequiringInformation",
    "Expired_Other",
    "AvailableForPickup_Other",
    "OutForDelivery_Other",
    "DeliveryFailure_Other",
    "DeliveryFailure_NoBody",
    "DeliveryFailure_Security",
    "DeliveryFailure_Rejected",
    "DeliveryFailure_InvalidAddress",
    "Delivered_Other",
    "Exception_Returning",
    "Exception_Returned",
    "Exception_NoBody",
    "Exception_Security",
    "Exception_Damage",
    "Exception_Rejected",
    "Exception_Delayed",
    "Exception_Lost",
    "Exception_Destroyed",
    "Exception_Cancel",
    "Exception_Other",
];

/// The stage and exception a sub-status means (a main status, when no sub-status is given);
/// `None` for one that does not move the parcel's status.
pub fn map(status: &str) -> Option<(Stage, Option<Exception>)> {
    let moved = |stage| Some((stage, None));
    let with = |stage, exception| Some((stage, Some(exception)));
    match status {
        "InfoReceived" => moved(Stage::Packed),
        "InTransit_PickedUp" => moved(Stage::HandedOver),
        "InTransit"
        | "InTransit_Other"
        | "InTransit_Departure"
        | "InTransit_Arrival"
        | "InTransit_CustomsProcessing"
        | "InTransit_CustomsReleased" => moved(Stage::InTransit),
        "InTransit_CustomsRequiringInformation" => with(Stage::InTransit, Exception::CustomsHold),
        "AvailableForPickup" | "AvailableForPickup_Other" => moved(Stage::ReadyForPickup),
        "OutForDelivery" | "OutForDelivery_Other" => moved(Stage::OutForDelivery),
        "DeliveryFailure"
        | "DeliveryFailure_Other"
        | "DeliveryFailure_NoBody"
        | "DeliveryFailure_Security"
        | "DeliveryFailure_Rejected"
        | "Exception_NoBody"
        | "Exception_Rejected" => with(Stage::Arrived, Exception::AttemptFailed),
        "DeliveryFailure_InvalidAddress" => with(Stage::Arrived, Exception::AddressProblem),
        "Delivered" | "Delivered_Other" => moved(Stage::Delivered),
        "Exception_Returning" => with(Stage::InTransit, Exception::Returning),
        "Exception_Returned" => with(Stage::InTransit, Exception::Returned),
        "Exception_Security" | "Exception_Delayed" => with(Stage::InTransit, Exception::Delayed),
        "Exception_Damage" => with(Stage::InTransit, Exception::Damaged),
        "Exception_Lost" | "Exception_Destroyed" => with(Stage::InTransit, Exception::Lost),
        "Exception_Cancel" => with(Stage::Created, Exception::Cancelled),
        // Not found, expired (17TRACK stopped hearing of it), or an exception it cannot name:
        // the stored status stays, and the silence shows as such.
        _ => None,
    }
}
