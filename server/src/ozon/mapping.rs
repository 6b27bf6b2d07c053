//! Ozon posting statuses and substatuses to trackline's stages and exceptions.
//!
//! The table is in `docs/ozon.md`; `server/tests/ozon.rs` reads it back and checks
//! every row against `map`, so the document and the code cannot disagree.

use trackline_core::{Exception, Stage};

/// The stage and exception an Ozon status (and FBS substatus) means.
///
/// A status this build does not know keeps its text as an unknown stage, so a buyer
/// sees Ozon's word rather than nothing.
pub fn map(status: &str, substatus: &str) -> (Stage, Option<Exception>) {
    // Substatuses say more than statuses where they exist.
    match substatus {
        "posting_in_pickup_point" => return (Stage::ReadyForPickup, None),
        "posting_in_courier_service" | "posting_transferred_to_courier_service" => {
            return (Stage::OutForDelivery, None)
        }
        "posting_on_way_to_pickup_point" => return (Stage::Arrived, None),
        "posting_returned_to_warehouse" => return (Stage::InTransit, Some(Exception::Returning)),
        "posting_awaiting_passport_data" => {
            return (Stage::InTransit, Some(Exception::CustomsHold))
        }
        "posting_conditionally_delivered" | "posting_received" => return (Stage::Delivered, None),
        _ => {}
    }
    match status {
        "awaiting_registration"
        | "acceptance_in_progress"
        | "awaiting_approve"
        | "awaiting_packaging" => (Stage::Created, None),
        "awaiting_deliver" => (Stage::Packed, None),
        "driver_pickup" | "sent_by_seller" => (Stage::HandedOver, None),
        "not_accepted" => (Stage::HandedOver, Some(Exception::Delayed)),
        "delivering" => (Stage::InTransit, None),
        "arbitration" | "client_arbitration" => (Stage::InTransit, Some(Exception::Delayed)),
        "delivered" => (Stage::Delivered, None),
        "cancelled" => (Stage::Created, Some(Exception::Cancelled)),
        other => (Stage::Unknown(other.to_owned()), None),
    }
}
