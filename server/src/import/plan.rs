//! What a file's row does to the seller's shipment stored under its reference: the row's
//! fields laid over the stored ones (a cell left empty, or a column the file lacks, keeps what
//! is stored; the history is kept), and which fields that changes. A row that changes nothing
//! is not written, which makes a second import of the same file change nothing.

use trackline_core::{PickupPoint, Shipment};

/// What applying a row will do.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// No shipment under the reference: this one is created.
    Create,
    /// The stored shipment becomes `shipment`; `changes` names the fields that differ.
    Change {
        /// The shipment to write.
        shipment: Box<Shipment>,
        /// The seller API's names of the fields that change, in the contract's order.
        changes: Vec<&'static str>,
    },
    /// The row says what is stored.
    Unchanged,
}

/// What the row `from_file` does to `stored`; `checks_differ` says whether the buyer's check
/// the row gives differs from the one kept (the caller compares their hashes).
pub fn plan(stored: Option<&Shipment>, from_file: &Shipment, checks_differ: bool) -> Plan {
    let Some(stored) = stored else {
        return Plan::Create;
    };
    let merged = merge(stored, from_file);
    let mut changes = changed_fields(stored, &merged);
    if checks_differ {
        changes.push("buyer_check");
    }
    if changes.is_empty() {
        Plan::Unchanged
    } else {
        Plan::Change {
            shipment: Box::new(merged),
            changes,
        }
    }
}

/// The stored shipment with the row's fields over it.
fn merge(stored: &Shipment, from_file: &Shipment) -> Shipment {
    let moved = stored.stage != from_file.stage || stored.exception != from_file.exception;
    let or = |file: &Option<String>, kept: &Option<String>| file.clone().or_else(|| kept.clone());
    Shipment {
        order_number: or(&from_file.order_number, &stored.order_number),
        shipment_number: or(&from_file.shipment_number, &stored.shipment_number),
        tracking_number: or(&from_file.tracking_number, &stored.tracking_number),
        stage: from_file.stage.clone(),
        exception: from_file.exception.clone(),
        // The stored words described the stored status: a status moved without words of its
        // own says none rather than the old ones.
        status_text: if moved {
            from_file.status_text.clone()
        } else {
            or(&from_file.status_text, &stored.status_text)
        },
        // A moved status is news now; the store stamps when it heard it.
        updated_at: if moved {
            None
        } else {
            stored.updated_at.clone()
        },
        estimated_delivery: match (&from_file.estimated_delivery, &stored.estimated_delivery) {
            // A file gives the first day only: the same day keeps the stored window whole.
            (Some(file), Some(kept)) if file.from == kept.from => Some(kept.clone()),
            (file, kept) => file.clone().or_else(|| kept.clone()),
        },
        carrier: match (&from_file.carrier, &stored.carrier) {
            // A file names the carrier only: the same one keeps its stored page and phone.
            (Some(file), Some(kept)) if file.name == kept.name => Some(kept.clone()),
            (file, kept) => file.clone().or_else(|| kept.clone()),
        },
        pickup_point: match (&from_file.pickup_point, &stored.pickup_point) {
            // The point's parts a file has (name, address, code, last day) over the stored ones.
            (Some(file), Some(kept)) => Some(PickupPoint {
                name: or(&file.name, &kept.name),
                address: or(&file.address, &kept.address),
                pickup_code: or(&file.pickup_code, &kept.pickup_code),
                storage_until: or(&file.storage_until, &kept.storage_until),
                ..kept.clone()
            }),
            (file, kept) => file.clone().or_else(|| kept.clone()),
        },
        ..stored.clone()
    }
}

fn changed_fields(stored: &Shipment, merged: &Shipment) -> Vec<&'static str> {
    let mut changes = Vec::new();
    let mut differs = |name, differ: bool| {
        if differ {
            changes.push(name);
        }
    };
    differs("order_number", stored.order_number != merged.order_number);
    differs(
        "shipment_number",
        stored.shipment_number != merged.shipment_number,
    );
    differs(
        "tracking_number",
        stored.tracking_number != merged.tracking_number,
    );
    differs("stage", stored.stage != merged.stage);
    differs("exception", stored.exception != merged.exception);
    differs("status_text", stored.status_text != merged.status_text);
    differs(
        "estimated_delivery",
        stored.estimated_delivery != merged.estimated_delivery,
    );
    differs("carrier", stored.carrier != merged.carrier);
    differs("pickup_point", stored.pickup_point != merged.pickup_point);
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment(stage: &str, carrier: Option<&str>) -> Shipment {
        let mut json = serde_json::json!({ "order_number": "A1", "stage": stage, "events": [] });
        if let Some(name) = carrier {
            json["carrier"] = serde_json::json!({ "name": name });
        }
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_row_changes_only_what_it_says() {
        let stored = shipment("in_transit", Some("CDEK"));
        // The file has no carrier column: the stored carrier stays, nothing changes.
        assert_eq!(
            plan(Some(&stored), &shipment("in_transit", None), false),
            Plan::Unchanged
        );
        match plan(Some(&stored), &shipment("delivered", None), false) {
            Plan::Change { shipment, changes } => {
                assert_eq!(changes, ["stage"]);
                assert_eq!(shipment.carrier, stored.carrier);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            plan(None, &shipment("delivered", None), false),
            Plan::Create
        );
        assert!(matches!(
            plan(Some(&stored), &shipment("in_transit", None), true),
            Plan::Change { changes, .. } if changes == ["buyer_check"]
        ));
    }
}
