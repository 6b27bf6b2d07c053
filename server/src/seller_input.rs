//! What sellers send: strict request types, and the checks that turn them into contract shipments.
//!
//! The public contract reads leniently; the seller API is strict, so that a mistake
//! is told to the seller's developer (with the field's path) rather than shown to a buyer.

use crate::store::lookup_rules::LookupRules;
use serde::Deserialize;
use thiserror::Error;
use trackline_core::hours::{parse_clock, weekday_index};
use trackline_core::link::{contact_href, safe_href};
use trackline_core::second_factor::{SecondFactor, SecondFactors};
use trackline_core::time::{parse_date, parse_rfc3339};
use trackline_core::{
    Carrier, DeliveryWindow, Event, Exception, PickupPoint, Shipment, Stage, Support, TrackingQuery,
};
use utoipa::ToSchema;

/// The longest free text accepted (status texts, event texts, names).
pub const MAX_TEXT: usize = 500;
/// The most events one request may append.
pub const MAX_EVENTS: usize = 500;

/// A request field that cannot be accepted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    /// The field's path in the request (`events[2].at`).
    pub field: String,
    /// What is wrong with it, for the seller's developer.
    pub reason: String,
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A shipment as a seller writes it: the contract's fields, nothing else. Unknown fields
/// (a buyer's name, phone or street) are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentInput {
    /// The seller's or marketplace's order number; at least one of the three numbers is needed.
    order_number: Option<String>,
    /// The posting or shipment number within the order.
    shipment_number: Option<String>,
    /// The carrier's tracking number.
    tracking_number: Option<String>,
    /// One of the stages (`created` … `delivered`).
    stage: String,
    /// One of the exceptions (`delayed` … `cancelled`), if something went wrong.
    exception: Option<String>,
    /// The status in the seller's own words, at most 500 characters.
    #[schema(max_length = 500)]
    status_text: Option<String>,
    /// When the status last changed, RFC 3339 with offset.
    #[schema(format = DateTime)]
    updated_at: Option<String>,
    /// When the parcel is expected.
    estimated_delivery: Option<DeliveryWindow>,
    /// Who carries it; its tracking page must be https.
    carrier: Option<Carrier>,
    /// Where it waits; its map page must be https.
    pickup_point: Option<PickupPoint>,
    /// Whom buyers ask, and when.
    support: Option<Support>,
    /// The history, in any order; at most 500 events.
    #[serde(default)]
    #[schema(max_items = 500)]
    events: Vec<EventInput>,
    /// Second factors for lookups by order number; kept only as salted hashes, never shown.
    buyer_check: Option<BuyerCheckInput>,
}

/// The buyer's second factors for lookups by order number (`buyer_check`); kept only as salted hashes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuyerCheckInput {
    /// The buyer's phone number (only its last four digits are kept, hashed).
    phone: Option<String>,
    /// The delivery postcode (kept hashed).
    postcode: Option<String>,
}

impl BuyerCheckInput {
    /// Checks that each second factor given is usable.
    ///
    /// # Errors
    /// `Invalid` naming the first one that is not.
    pub fn validate(self) -> Result<SecondFactors, Invalid> {
        if let Some(phone) = &self.phone {
            if SecondFactor::PhoneLast4.normalise(phone).is_none() {
                return Err(invalid(
                    "buyer_check.phone",
                    "a phone number with at least four digits",
                ));
            }
        }
        if let Some(postcode) = &self.postcode {
            if SecondFactor::Postcode.normalise(postcode).is_none() {
                return Err(invalid("buyer_check.postcode", "a postcode"));
            }
        }
        Ok(SecondFactors {
            phone: self.phone,
            postcode: self.postcode,
        })
    }
}

/// Whether `text` is an origin a seller may allow: `https://` or `http://`, then a host and
/// perhaps a port, of letters, digits, `.`, `-`, `:`, `[` and `]` only; so nothing that could
/// end a header's value or start another policy directive (no `;`, `,`, space or quote).
pub fn is_origin(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    })
}

/// A seller's rules for the public lookup, as the seller writes them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupRulesInput {
    /// Storefront origins allowed to read the lookup; empty or absent for any.
    #[serde(default)]
    allowed_origins: Vec<String>,
    /// `phone_last4`, `postcode`, or absent for none.
    #[schema(examples("phone_last4", "postcode"))]
    order_check: Option<String>,
}

impl LookupRulesInput {
    /// Checks the rules.
    ///
    /// # Errors
    /// `Invalid` for an origin that is not `scheme://host[:port]` or an unknown check.
    pub fn validate(self) -> Result<LookupRules, Invalid> {
        for (i, origin) in self.allowed_origins.iter().enumerate() {
            if !is_origin(origin) {
                return Err(invalid(
                    format!("allowed_origins[{i}]"),
                    "an origin: https://shop.example, with no path",
                ));
            }
        }
        let second_factor = match self.order_check.as_deref() {
            None => None,
            Some(factor) => Some(
                SecondFactor::from_wire(factor)
                    .ok_or_else(|| invalid("order_check", "phone_last4 or postcode"))?,
            ),
        };
        Ok(LookupRules {
            allowed_origins: self.allowed_origins,
            second_factor,
        })
    }
}

/// One event as a seller writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// When it happened, RFC 3339 with offset.
    #[schema(format = DateTime)]
    at: String,
    /// The stage it moved the parcel to, if it did.
    stage: Option<String>,
    /// The exception it raised, if it did.
    exception: Option<String>,
    /// What happened, in the seller's (or the carrier's) words; 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    text: String,
    /// The language `text` is written in, a BCP 47 tag (`ru`, `zh-CN`, `en`).
    #[schema(examples("ru", "zh-CN"), max_length = 35)]
    text_lang: Option<String>,
    /// A city-level place, never the buyer's street; a postcode in it is left out (the office
    /// holding a parcel usually has the buyer's own).
    #[schema(max_length = 500)]
    location: Option<String>,
}

/// A batch of events: `{"events": [...]}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// The events, in any order; at most 500.
    #[schema(max_items = 500)]
    pub events: Vec<EventInput>,
}

fn text(field: &str, value: Option<String>) -> Result<Option<String>, Invalid> {
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if v.chars().count() > MAX_TEXT => {
            Err(invalid(field, format!("longer than {MAX_TEXT} characters")))
        }
        Some(v) if v.is_empty() => Ok(None),
        other => Ok(other),
    }
}

fn number(field: &str, value: Option<String>) -> Result<Option<String>, Invalid> {
    value
        .map(|v| {
            TrackingQuery::parse(&v)
                .map(|q| q.as_str().to_owned())
                .map_err(|e| invalid(field, format!("not an order or tracking number: {e}")))
        })
        .transpose()
}

fn stage(field: &str, value: &str) -> Result<Stage, Invalid> {
    let stage = Stage::from_wire(value);
    if stage.is_known() {
        Ok(stage)
    } else {
        let known: Vec<&str> = Stage::KNOWN.iter().map(Stage::as_str).collect();
        Err(invalid(field, format!("one of {}", known.join(", "))))
    }
}

fn exception(field: &str, value: Option<String>) -> Result<Option<Exception>, Invalid> {
    value
        .map(|v| {
            let exception = Exception::from_wire(&v);
            if exception.is_known() {
                Ok(exception)
            } else {
                let known: Vec<&str> = Exception::KNOWN.iter().map(Exception::as_str).collect();
                Err(invalid(field, format!("one of {}", known.join(", "))))
            }
        })
        .transpose()
}

fn instant(field: &str, value: &str) -> Result<(), Invalid> {
    parse_rfc3339(value).map(|_| ()).ok_or_else(|| {
        invalid(
            field,
            "an RFC 3339 instant with offset, 2026-11-20T10:15:00+03:00",
        )
    })
}

fn date(field: &str, value: &str) -> Result<(), Invalid> {
    parse_date(value)
        .map(|_| ())
        .ok_or_else(|| invalid(field, "an ISO date, 2026-11-25"))
}

fn web_link(field: &str, value: Option<&str>) -> Result<(), Invalid> {
    match value {
        Some(url) if safe_href(url).is_none_or(|u| !u.starts_with("https:")) => {
            Err(invalid(field, "an https URL"))
        }
        _ => Ok(()),
    }
}

impl EventInput {
    /// Checks the event; `field` is its path in the request.
    ///
    /// # Errors
    /// `Invalid` naming the first field at fault.
    pub fn validate(self, field: &str) -> Result<Event, Invalid> {
        instant(&format!("{field}.at"), &self.at)?;
        let text = text(&format!("{field}.text"), Some(self.text))?
            .ok_or_else(|| invalid(format!("{field}.text"), "must not be empty"))?;
        Ok(Event {
            at: self.at,
            stage: self
                .stage
                .map(|s| stage(&format!("{field}.stage"), &s))
                .transpose()?,
            exception: exception(&format!("{field}.exception"), self.exception)?,
            text,
            text_lang: self
                .text_lang
                .map(|tag| language_tag(&format!("{field}.text_lang"), tag))
                .transpose()?,
            location: self::text(&format!("{field}.location"), self.location)?
                .as_deref()
                .and_then(trackline_core::place::city_level),
        })
    }
}

/// Checks a BCP 47 language tag's shape: a language of 2 or 3 letters, then subtags of 1 to 8
/// letters or digits (`ru`, `zh-CN`, `zh-Hans-CN`); 35 characters at most.
///
/// # Errors
/// `Invalid` naming `field`.
fn language_tag(field: &str, tag: String) -> Result<String, Invalid> {
    let mut subtags = tag.split('-');
    let language = subtags.next().unwrap_or_default();
    let well_formed = tag.len() <= 35
        && (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && subtags.all(|subtag| {
            (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if well_formed {
        Ok(tag)
    } else {
        Err(invalid(
            field.to_owned(),
            "must be a language tag such as ru or zh-CN",
        ))
    }
}

/// Checks a batch of events, naming each by its place in the request.
///
/// # Errors
/// `Invalid` for an empty or oversized batch or the first event at fault.
pub fn validate_events(events: Vec<EventInput>, prefix: &str) -> Result<Vec<Event>, Invalid> {
    if events.len() > MAX_EVENTS {
        return Err(invalid(
            prefix,
            format!("at most {MAX_EVENTS} events a request"),
        ));
    }
    events
        .into_iter()
        .enumerate()
        .map(|(i, event)| event.validate(&format!("{prefix}[{i}]")))
        .collect()
}

impl ShipmentInput {
    /// Checks the shipment and gives it in contract form, with the buyer's second factors apart.
    ///
    /// # Errors
    /// `Invalid` naming the first field at fault.
    pub fn validate(self) -> Result<(Shipment, SecondFactors), Invalid> {
        let factors = self.buyer_check.unwrap_or_default().validate()?;
        let order_number = number("order_number", self.order_number)?;
        let shipment_number = number("shipment_number", self.shipment_number)?;
        let tracking_number = number("tracking_number", self.tracking_number)?;
        if order_number.is_none() && shipment_number.is_none() && tracking_number.is_none() {
            return Err(invalid(
                "tracking_number",
                "a shipment needs an order, shipment or tracking number for buyers to find it",
            ));
        }
        if let Some(at) = &self.updated_at {
            instant("updated_at", at)?;
        }
        if let Some(window) = &self.estimated_delivery {
            date("estimated_delivery.from", &window.from)?;
            if let Some(to) = &window.to {
                date("estimated_delivery.to", to)?;
                if to < &window.from {
                    return Err(invalid(
                        "estimated_delivery.to",
                        "before estimated_delivery.from",
                    ));
                }
            }
        }
        if let Some(carrier) = &self.carrier {
            if carrier.name.trim().is_empty() {
                return Err(invalid("carrier.name", "must not be empty"));
            }
            web_link("carrier.tracking_url", carrier.tracking_url.as_deref())?;
        }
        if let Some(point) = &self.pickup_point {
            if point.withheld.is_some() {
                return Err(invalid(
                    "pickup_point.withheld",
                    "the lookup says what it withholds; a seller does not write it",
                ));
            }
            web_link("pickup_point.map_url", point.map_url.as_deref())?;
            if let Some(until) = &point.storage_until {
                date("pickup_point.storage_until", until)?;
            }
        }
        if let Some(support) = &self.support {
            for (i, contact) in support.contacts.iter().enumerate() {
                if contact_href(contact).is_none() {
                    return Err(invalid(
                        format!("support.contacts[{i}].value"),
                        format!("not a usable {} contact", contact.kind.as_str()),
                    ));
                }
            }
            if let Some(hours) = &support.hours {
                if hours.time_zone.trim().is_empty() {
                    return Err(invalid(
                        "support.hours.time_zone",
                        "an IANA zone, Europe/Moscow",
                    ));
                }
                for (i, period) in hours.periods.iter().enumerate() {
                    let field = format!("support.hours.periods[{i}]");
                    if parse_clock(&period.opens).is_none() {
                        return Err(invalid(format!("{field}.opens"), "HH:MM"));
                    }
                    if parse_clock(&period.closes).is_none() {
                        return Err(invalid(format!("{field}.closes"), "HH:MM"));
                    }
                    if let Some(day) = period.days.iter().find(|d| weekday_index(d).is_none()) {
                        return Err(invalid(
                            format!("{field}.days"),
                            format!("{day:?} is not mon…sun"),
                        ));
                    }
                }
            }
        }
        let shipment = Shipment {
            order_number,
            shipment_number,
            tracking_number,
            stage: stage("stage", &self.stage)?,
            exception: exception("exception", self.exception)?,
            status_text: text("status_text", self.status_text)?,
            updated_at: self.updated_at,
            events: validate_events(self.events, "events")?,
            // Whatever basis or history the seller wrote, an estimate it gives is its own; a
            // learnt window is the server's to make, never a seller's to claim.
            estimated_delivery: self.estimated_delivery.map(|window| DeliveryWindow {
                basis: Some(trackline_core::contract::EstimateBasis::Seller),
                late_after: None,
                history: None,
                ..window
            }),
            carrier: self.carrier,
            pickup_point: self.pickup_point,
            support: self.support,
            stale_since: None,
        };
        Ok((shipment, factors))
    }
}

/// Checks a seller's reference for a shipment: 1 to 100 of `A–Z a–z 0–9 . _ -`.
///
/// # Errors
/// `Invalid` otherwise.
pub fn reference(value: &str) -> Result<&str, Invalid> {
    let ok = !value.is_empty()
        && value.len() <= 100
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(value)
        .ok_or_else(|| invalid("reference", "1 to 100 of A-Z a-z 0-9 . _ -"))
}

/// The top-level fields a `PATCH` may set; the history is changed by appending events only.
pub const PATCHABLE: [&str; 12] = [
    "order_number",
    "shipment_number",
    "tracking_number",
    "stage",
    "exception",
    "status_text",
    "updated_at",
    "estimated_delivery",
    "carrier",
    "pickup_point",
    "support",
    "buyer_check",
];

/// Applies a top-level merge patch to a stored shipment and checks the result as a whole.
///
/// # Errors
/// `Invalid` for a field a patch may not set, or the first field of the result at fault.
pub fn merge_patch(
    current: &Shipment,
    patch: serde_json::Map<String, serde_json::Value>,
) -> Result<(Shipment, Option<SecondFactors>), Invalid> {
    let mut merged = match serde_json::to_value(current) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let mut factors = None;
    for (key, value) in patch {
        if !PATCHABLE.contains(&key.as_str()) {
            let hint = if key == "events" {
                "append events with POST …/events"
            } else {
                "not a field a shipment has"
            };
            return Err(invalid(key, hint));
        }
        if key == "buyer_check" {
            let given: BuyerCheckInput =
                serde_json::from_value(value).map_err(|e| invalid("buyer_check", e.to_string()))?;
            factors = Some(given.validate()?);
        } else if value.is_null() {
            merged.remove(&key);
        } else {
            merged.insert(key, value);
        }
    }
    let input: ShipmentInput = serde_json::from_value(serde_json::Value::Object(merged))
        .map_err(|e| invalid("", e.to_string()))?;
    let (shipment, _) = input.validate()?;
    Ok((shipment, factors))
}

/// The body of a `PATCH`: any of `ShipmentInput`'s fields but `events`; a value sets, `null`
/// clears an optional one. Described here for the OpenAPI document; the handler reads it as a
/// JSON object and checks it with `merge_patch`.
#[derive(Debug)]
pub struct ShipmentPatch;

impl utoipa::PartialSchema for ShipmentPatch {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, SchemaType};
        PATCHABLE
            .iter()
            .fold(ObjectBuilder::new(), |object, field| {
                object.property(*field, ObjectBuilder::new().schema_type(SchemaType::AnyValue))
            })
            .description(Some(
                "Any of ShipmentInput's fields but events; a value sets, null clears an optional one.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for ShipmentPatch {}

/// The body of `POST …/events`: one event, or `{"events": [...]}`. Described here for the
/// OpenAPI document; the handler tells the two apart by the `events` key, so that a mistake
/// is named by its field's path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EventsBody {
    /// One event.
    One(EventInput),
    /// A batch.
    Batch(EventBatch),
}
