//! What a change of a shipment means, decided in one place and without I/O: the one fold of
//! news into a shipment (`news`: a seller's events, a provider's reading, an Ozon posting), and
//! what the change from one status to another tells whom (`tells`: the seller's webhook kinds
//! and payloads, the buyer's push occasion and its words, `message`).
//!
//! Everything here takes values and returns values: the rows to write come out, and
//! `crate::updates` hands them to the store in the write's own transaction.

pub mod message;
pub mod news;
pub mod tells;

use trackline_core::{Exception, Shipment, Stage};

/// A shipment's status: its stage, and the exception riding on it.
pub type Status = (Stage, Option<Exception>);

/// A shipment's status.
pub fn status_of(shipment: &Shipment) -> Status {
    (shipment.stage.clone(), shipment.exception.clone())
}
