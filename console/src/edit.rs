//! The shipment's edit form as plain values, and the `PATCH` body it sends: only the top-level
//! fields the seller changed (the server merges at the top level, so a changed carrier or
//! pickup point goes whole), an emptied one as `null`.

use serde_json::{Map, Value};
use trackline_core::{ContactKind, Shipment};

/// One support contact as typed: its kind (a wire name), its value, and the label the form
/// does not show, kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactField {
    /// Its kind's wire name (`phone`, `email`, …; an unknown one as stored).
    pub kind: String,
    /// The phone number, address or link.
    pub value: String,
    /// The label it had, kept as it was.
    pub label: Option<String>,
}

impl ContactField {
    /// A new contact of the first kind the contract knows (a phone), empty.
    pub fn new() -> ContactField {
        ContactField {
            kind: ContactKind::Phone.as_str().to_owned(),
            ..ContactField::default()
        }
    }
}

/// The most contacts the form offers: a buyer reads a few, never a list.
pub const MAX_CONTACTS: usize = 10;

/// The id in the page of a contact's value (`i` from 0).
pub fn contact_value_id(i: usize) -> String {
    format!("con-edit-contact-{i}-value")
}

/// The id in the page of a contact's kind (`i` from 0).
pub fn contact_kind_id(i: usize) -> String {
    format!("con-edit-contact-{i}-kind")
}

/// The server's name for a contact's value (what a `422`'s `field` says).
pub fn contact_value_name(i: usize) -> String {
    format!("support.contacts[{i}].value")
}

/// The id in the page of the input the server's field name points at, if the form shows it.
pub fn field_id(server_name: &str) -> Option<String> {
    if let Some((id, ..)) = FIELDS.iter().find(|(_, name, ..)| *name == server_name) {
        return Some((*id).to_owned());
    }
    let rest = server_name.strip_prefix("support.contacts[")?;
    let (index, field) = rest.split_once("].")?;
    let index: usize = index.parse().ok()?;
    match field {
        "value" => Some(contact_value_id(index)),
        "kind" => Some(contact_kind_id(index)),
        _ => None,
    }
}

/// The fields of the edit form, as typed (trimmed when sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// The tracking number.
    pub tracking_number: String,
    /// The carrier's name.
    pub carrier_name: String,
    /// The carrier's phone line.
    pub carrier_phone: String,
    /// The carrier's own tracking page.
    pub carrier_url: String,
    /// The first (or only) expected day, `YYYY-MM-DD`.
    pub delivery_from: String,
    /// The last expected day of a window.
    pub delivery_to: String,
    /// The pickup point's name.
    pub pickup_name: String,
    /// Its address.
    pub pickup_address: String,
    /// Its opening hours.
    pub pickup_hours: String,
    /// The code the buyer collects the parcel with.
    pub pickup_code: String,
    /// The last day the parcel is kept, `YYYY-MM-DD`.
    pub pickup_until: String,
    /// The support contacts, best first.
    pub contacts: Vec<ContactField>,
}

/// Every field of the form: its id in the page, the server's name for it (what a `422`'s
/// `field` says) and how to read and write it.
pub type Access = (
    &'static str,
    &'static str,
    fn(&Fields) -> &String,
    fn(&mut Fields) -> &mut String,
);

/// The form's fields in the order shown.
pub const FIELDS: [Access; 11] = [
    (
        "con-edit-tracking",
        "tracking_number",
        |f| &f.tracking_number,
        |f| &mut f.tracking_number,
    ),
    (
        "con-edit-carrier",
        "carrier.name",
        |f| &f.carrier_name,
        |f| &mut f.carrier_name,
    ),
    (
        "con-edit-carrier-phone",
        "carrier.phone",
        |f| &f.carrier_phone,
        |f| &mut f.carrier_phone,
    ),
    (
        "con-edit-carrier-url",
        "carrier.tracking_url",
        |f| &f.carrier_url,
        |f| &mut f.carrier_url,
    ),
    (
        "con-edit-from",
        "estimated_delivery.from",
        |f| &f.delivery_from,
        |f| &mut f.delivery_from,
    ),
    (
        "con-edit-to",
        "estimated_delivery.to",
        |f| &f.delivery_to,
        |f| &mut f.delivery_to,
    ),
    (
        "con-edit-point",
        "pickup_point.name",
        |f| &f.pickup_name,
        |f| &mut f.pickup_name,
    ),
    (
        "con-edit-address",
        "pickup_point.address",
        |f| &f.pickup_address,
        |f| &mut f.pickup_address,
    ),
    (
        "con-edit-hours",
        "pickup_point.hours",
        |f| &f.pickup_hours,
        |f| &mut f.pickup_hours,
    ),
    (
        "con-edit-code",
        "pickup_point.pickup_code",
        |f| &f.pickup_code,
        |f| &mut f.pickup_code,
    ),
    (
        "con-edit-until",
        "pickup_point.storage_until",
        |f| &f.pickup_until,
        |f| &mut f.pickup_until,
    ),
];

fn owned(value: Option<&String>) -> String {
    value.cloned().unwrap_or_default()
}

impl Fields {
    /// The form prefilled from the shipment.
    pub fn of(shipment: &Shipment) -> Fields {
        let carrier = shipment.carrier.as_ref();
        let window = shipment.estimated_delivery.as_ref();
        let point = shipment.pickup_point.as_ref();
        Fields {
            tracking_number: owned(shipment.tracking_number.as_ref()),
            carrier_name: carrier.map(|c| c.name.clone()).unwrap_or_default(),
            carrier_phone: owned(carrier.and_then(|c| c.phone.as_ref())),
            carrier_url: owned(carrier.and_then(|c| c.tracking_url.as_ref())),
            delivery_from: window.map(|w| w.from.clone()).unwrap_or_default(),
            delivery_to: owned(window.and_then(|w| w.to.as_ref())),
            pickup_name: owned(point.and_then(|p| p.name.as_ref())),
            pickup_address: owned(point.and_then(|p| p.address.as_ref())),
            pickup_hours: owned(point.and_then(|p| p.hours.as_ref())),
            pickup_code: owned(point.and_then(|p| p.pickup_code.as_ref())),
            pickup_until: owned(point.and_then(|p| p.storage_until.as_ref())),
            contacts: shipment
                .support
                .iter()
                .flat_map(|support| &support.contacts)
                .map(|contact| ContactField {
                    kind: contact.kind.as_str().to_owned(),
                    value: contact.value.clone(),
                    label: contact.label.clone(),
                })
                .collect(),
        }
    }
}

/// An object of the values given, the empty ones left out; `null` when all are empty.
fn object(values: &[(&str, &str)]) -> Value {
    let map: Map<String, Value> = values
        .iter()
        .map(|(key, value)| (*key, value.trim()))
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| (key.to_owned(), Value::from(value)))
        .collect();
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

fn tracking(fields: &Fields) -> Value {
    let number = fields.tracking_number.trim();
    if number.is_empty() {
        Value::Null
    } else {
        Value::from(number)
    }
}

fn carrier(fields: &Fields) -> Value {
    object(&[
        ("name", &fields.carrier_name),
        ("phone", &fields.carrier_phone),
        ("tracking_url", &fields.carrier_url),
    ])
}

fn window(fields: &Fields) -> Value {
    let from = fields.delivery_from.trim();
    let to = fields.delivery_to.trim();
    if from.is_empty() && to.is_empty() {
        return Value::Null;
    }
    // A window without its first day is sent as typed, for the server to name the field.
    let mut window = Map::new();
    window.insert("from".to_owned(), Value::from(from));
    if !to.is_empty() {
        window.insert("to".to_owned(), Value::from(to));
    }
    Value::Object(window)
}

fn point(fields: &Fields, map_url: Option<&String>) -> Value {
    let mut point = object(&[
        ("name", &fields.pickup_name),
        ("address", &fields.pickup_address),
        ("hours", &fields.pickup_hours),
        ("pickup_code", &fields.pickup_code),
        ("storage_until", &fields.pickup_until),
    ]);
    // The map link the form does not show is kept (a seller never writes `withheld`).
    if let (Value::Object(map), Some(url)) = (&mut point, map_url) {
        map.insert("map_url".to_owned(), Value::from(url.as_str()));
    }
    point
}

/// The support contacts as typed (each sent, an empty one too, for the server to name its field),
/// with the hours the form does not show kept; `null` when there are neither.
fn support(fields: &Fields, hours: Option<&Value>) -> Value {
    let contacts: Vec<Value> = fields
        .contacts
        .iter()
        .map(|contact| {
            let mut map = Map::new();
            map.insert("kind".to_owned(), Value::from(contact.kind.trim()));
            map.insert("value".to_owned(), Value::from(contact.value.trim()));
            if let Some(label) = &contact.label {
                map.insert("label".to_owned(), Value::from(label.as_str()));
            }
            Value::Object(map)
        })
        .collect();
    if contacts.is_empty() && hours.is_none() {
        return Value::Null;
    }
    let mut support = Map::new();
    support.insert("contacts".to_owned(), Value::Array(contacts));
    if let Some(hours) = hours {
        support.insert("hours".to_owned(), hours.clone());
    }
    Value::Object(support)
}

/// How one top-level field is written from the form (with the point's map link to keep).
type Group = fn(&Fields, Option<&String>) -> Value;

/// The `PATCH` body for the form `now` over the shipment as it was: each top-level field whose
/// form values changed, emptied ones as `null`; empty when nothing changed.
pub fn patch(before: &Shipment, now: &Fields) -> Map<String, Value> {
    let was = Fields::of(before);
    let map_url = before
        .pickup_point
        .as_ref()
        .and_then(|p| p.map_url.as_ref());
    let groups: [(&str, Group); 4] = [
        ("tracking_number", |f, _| tracking(f)),
        ("carrier", |f, _| carrier(f)),
        ("estimated_delivery", |f, _| window(f)),
        ("pickup_point", point),
    ];
    let mut body: Map<String, Value> = groups
        .into_iter()
        .filter(|(_, make)| make(&was, map_url) != make(now, map_url))
        .map(|(name, make)| (name.to_owned(), make(now, map_url)))
        .collect();
    let hours = before
        .support
        .as_ref()
        .and_then(|support| support.hours.as_ref())
        .and_then(|hours| serde_json::to_value(hours).ok());
    let (was_support, now_support) = (support(&was, hours.as_ref()), support(now, hours.as_ref()));
    if was_support != now_support {
        body.insert("support".to_owned(), now_support);
    }
    body
}

/// Whether moving the shipment to `stage` must ask for the pickup code first: the buyer's page
/// shows the code of a parcel ready for pickup in big digits.
pub fn asks_pickup_code(shipment: &Shipment, stage: &str) -> bool {
    stage == "ready_for_pickup"
        && shipment
            .pickup_point
            .as_ref()
            .and_then(|point| point.pickup_code.as_ref())
            .is_none_or(|code| code.trim().is_empty())
}
