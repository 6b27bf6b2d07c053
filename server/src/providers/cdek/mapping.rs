//! CDEK's order status codes (API v2, appendix 1) to trackline's stages and exceptions.
//!
//! The table is in `docs/cdek.md`; `server/tests/sources.rs` reads it back and checks every
//! row against `map`, so the document and the code cannot disagree.

use trackline_core::{Exception, Stage};

/// The stage and exception a status code means; `None` for one that does not move the
/// parcel's status (its name still shows in the history).
pub fn map(code: &str) -> Option<(Stage, Option<Exception>)> {
    let moved = |stage| Some((stage, None));
    let with = |stage, exception| Some((stage, Some(exception)));
    match code {
        "ACCEPTED" | "CREATED" => moved(Stage::Created),
        "REMOVED" => with(Stage::Created, Exception::Cancelled),
        "RECEIVED_AT_SHIPMENT_WAREHOUSE" => moved(Stage::HandedOver),
        "RETURNED_TO_SENDER_WAREHOUSE" => with(Stage::HandedOver, Exception::Delayed),
        "READY_TO_SHIP_AT_SENDING_OFFICE"
        | "READY_FOR_SHIPMENT_IN_SENDER_CITY"
        | "PASSED_TO_CARRIER_AT_SENDING_OFFICE"
        | "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY"
        | "SEND_TO_TRANSIT_OFFICE"
        | "SENT_TO_TRANSIT_CITY"
        | "MET_AT_TRANSIT_OFFICE"
        | "ACCEPTED_IN_TRANSIT_CITY"
        | "ACCEPTED_TO_OFFICE_TRANSIT_WAREHOUSE"
        | "ACCEPTED_AT_TRANSIT_WAREHOUSE"
        | "ENTERED_TO_OFFICE_TRANSIT_WAREHOUSE"
        | "READY_TO_SHIP_IN_TRANSIT_OFFICE"
        | "READY_FOR_SHIPMENT_IN_TRANSIT_CITY"
        | "PASSED_TO_CARRIER_AT_TRANSIT_OFFICE"
        | "TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY"
        | "SEND_TO_RECIPIENT_OFFICE"
        | "SENT_TO_RECIPIENT_CITY"
        | "SHIPPED_TO_DESTINATION"
        | "PASSED_TO_TRANSIT_CARRIER"
        | "CUSTOMS_COMPLETE" => moved(Stage::InTransit),
        "RETURNED_TO_TRANSIT_WAREHOUSE" => with(Stage::InTransit, Exception::Delayed),
        "IN_CUSTOMS_INTERNATIONAL" | "IN_CUSTOMS_LOCAL" => {
            with(Stage::InTransit, Exception::CustomsHold)
        }
        "SEND_TO_SENDING_OFFICE"
        | "SENT_TO_SENDER_CITY"
        | "MET_AT_SENDING_OFFICE"
        | "ACCEPTED_IN_SENDER_CITY" => with(Stage::InTransit, Exception::Returning),
        "MET_AT_RECIPIENT_OFFICE"
        | "ACCEPTED_IN_RECIPIENT_CITY"
        | "ACCEPTED_AT_DELIVERY_WAREHOUSE"
        | "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE"
        | "ENTERED_TO_DELIVERY_WAREHOUSE"
        | "POSTOMAT_SEIZED" => moved(Stage::Arrived),
        "ACCEPTED_AT_PICK_UP_POINT"
        | "ACCEPTED_AT_WAREHOUSE_ON_DEMAND"
        | "ENTERED_TO_WAREHOUSE_ON_DEMAND"
        | "POSTOMAT_POSTED" => moved(Stage::ReadyForPickup),
        "TAKEN_BY_COURIER" | "ISSUED_FOR_DELIVERY" => moved(Stage::OutForDelivery),
        "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE"
        | "RETURNED_TO_DELIVERY_WAREHOUSE"
        | "NOT_DELIVERED" => with(Stage::Arrived, Exception::AttemptFailed),
        "DELIVERED" | "POSTOMAT_RECEIVED" => moved(Stage::Delivered),
        _ => None,
    }
}
