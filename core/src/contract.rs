//! Contract v1: the JSON that a tracking endpoint returns, as serde types.
//!
//! Parsing is lenient where leniency cannot mislead a buyer: unknown fields are
//! ignored, `null` reads as absent, an unknown stage, exception or contact kind
//! keeps its text. A body of the wrong type or shape is `ContractError`.

use crate::status::{Exception, Stage};
use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

/// The contract version this build writes; readers accept any version with the same shape.
pub const CONTRACT_VERSION: u32 = 1;

/// Bodies larger than this are refused before parsing: a real answer is a few KB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The answer to one lookup: every shipment that the number found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackResponse {
    /// The contract version the endpoint wrote.
    #[serde(default = "default_version")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub version: u32,
    /// The number as the endpoint understood it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// One entry per parcel; an order split into postings has several.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub shipments: Vec<Shipment>,
}

/// One parcel and everything a buyer needs to know about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shipment {
    /// The marketplace's or seller's order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// The posting or shipment number within the order (Ozon: `12345678-0001-1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_number: Option<String>,
    /// The carrier's own tracking number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    /// The stage reached.
    pub stage: Stage,
    /// What went wrong, if anything, at the current stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<Exception>,
    /// The endpoint's own words for the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
    /// When the status last changed (RFC 3339 with offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated_at: Option<String>,
    /// What happened, in any order; readers sort by time.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub events: Vec<Event>,
    /// When the parcel is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_delivery: Option<DeliveryWindow>,
    /// Who carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Carrier>,
    /// Where it waits, when it waits at a pickup point or locker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_point: Option<PickupPoint>,
    /// Whom to ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<Support>,
    /// Since when nothing has been heard of the parcel (RFC 3339), said by an endpoint that
    /// judges the silence longer than its stage usually takes; readers without it judge alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub stale_since: Option<String>,
}

/// One thing that happened to a parcel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// When it happened (RFC 3339 with offset).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
    /// The stage it moved the parcel to, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// The exception it raised, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<Exception>,
    /// The endpoint's description.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub text: String,
    /// The language `text` is written in, a BCP 47 tag (`ru`, `zh-CN`), when the source knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(examples("ru", "zh-CN")))]
    pub text_lang: Option<String>,
    /// A city-level place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// The expected delivery: one day, or a window of days (ISO dates, `2026-11-25`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryWindow {
    /// The earliest expected day.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub from: String,
    /// The latest expected day; absent for a single day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub to: Option<String>,
    /// (since 1.6) Whose estimate it is; readers of older endpoints see none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<EstimateBasis>,
    /// (since 1.6) Past this day the parcel is running late; without it, past `to` (or `from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub late_after: Option<String>,
    /// (since 1.6) The parcels a `history` estimate was learnt from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<LearntFrom>,
}

/// Whose estimate a delivery window is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EstimateBasis {
    /// The seller said so.
    Seller,
    /// The carrier (or marketplace) said so.
    Carrier,
    /// Learnt from parcels delivered before on the same route or by the same carrier.
    History,
    /// A basis this build does not know; read as none.
    #[serde(other)]
    Unknown,
}

/// What a learnt window was learnt from, for the buyer's "usually 5–7 days, from 214 parcels".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LearntFrom {
    /// How many delivered parcels it was learnt from.
    pub parcels: u32,
    /// The usual days in transit: the 20th percentile.
    pub days_from: u32,
    /// The usual days in transit: the 80th percentile.
    pub days_to: u32,
    /// `route` (the same carrier between the same two cities) or `carrier` (the carrier alone).
    pub scope: LearntScope,
    /// `handed_over` (days since the carrier took it) or `arrived` (since it reached the buyer's city).
    pub counted_from: CountedFrom,
}

/// Which parcels a learnt window was learnt from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LearntScope {
    /// The same carrier between the same two cities.
    Route,
    /// The same carrier, any route.
    Carrier,
    /// A scope this build does not know.
    #[serde(other)]
    Unknown,
}

/// From which event a learnt window's days are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CountedFrom {
    /// Since the carrier took the parcel.
    HandedOver,
    /// Since the parcel reached the buyer's city.
    Arrived,
    /// An event this build does not know.
    #[serde(other)]
    Unknown,
}

/// The carrier that moves the parcel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Carrier {
    /// Its name as buyers know it.
    pub name: String,
    /// Its own tracking page for this parcel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
    /// Its phone line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A pickup point or locker where the parcel waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PickupPoint {
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its street address (the point's, never the buyer's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Opening hours as the endpoint words them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// The code the buyer tells or shows to collect the parcel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_code: Option<String>,
    /// The last day the parcel is kept (ISO date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub storage_until: Option<String>,
    /// A map page for the point (https); without it the widget searches the address on OpenStreetMap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_url: Option<String>,
    /// What the endpoint kept back of this point until the buyer answers the seller's second
    /// factor (since 1.5): a lookup by tracking number, which anyone may guess, shows the status
    /// only. The lookup writes it; a seller's write that carries it is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<Withheld>,
}

impl PickupPoint {
    /// Whether the point says where to collect the parcel, or with what: what a guarded seller
    /// keeps back. `storage_until` is not among it: it says until when, not where or how.
    pub fn says_where_or_how(&self) -> bool {
        self.pickup_code.is_some()
            || self.name.is_some()
            || self.address.is_some()
            || self.hours.is_some()
            || self.map_url.is_some()
    }

    /// The point without what says where to collect the parcel or with what, and a note of what
    /// was left out and which second factor (its wire name) opens it, if one can.
    pub fn withholding(self, factor: Option<&str>) -> PickupPoint {
        let fields = [
            ("pickup_code", self.pickup_code.is_some()),
            ("name", self.name.is_some()),
            ("address", self.address.is_some()),
            ("hours", self.hours.is_some()),
            ("map_url", self.map_url.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| *present)
        .map(|(field, _)| field.to_owned())
        .collect();
        PickupPoint {
            name: None,
            address: None,
            hours: None,
            pickup_code: None,
            map_url: None,
            storage_until: self.storage_until,
            withheld: Some(Withheld {
                fields,
                check: factor.map(str::to_owned),
            }),
        }
    }
}

/// What an endpoint left out of a pickup point, and what opens it (since 1.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withheld {
    /// The point's fields left out (`pickup_code`, `name`, `address`, `hours`, `map_url`);
    /// readers keep names they do not know.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub fields: Vec<String>,
    /// The second factor whose reply, in the `Trackline-Check` header of the same lookup,
    /// shows them (`phone_last4`, `postcode`); absent when no reply can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

impl Withheld {
    /// Whether the pickup code is among what was left out.
    pub fn code(&self) -> bool {
        self.fields.iter().any(|field| field == "pickup_code")
    }
}

/// How to reach the seller's or carrier's support.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Support {
    /// The ways in, best first.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub contacts: Vec<Contact>,
    /// When someone answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<OpeningHours>,
}

/// One way to reach support.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    /// What kind of channel it is.
    pub kind: ContactKind,
    /// A phone number, an e-mail address, or a URL for the other kinds.
    pub value: String,
    /// The endpoint's label for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The channels a support contact may use.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContactKind {
    /// A phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A Telegram link.
    Telegram,
    /// A VK link.
    Vk,
    /// A help-centre page.
    HelpCenter,
    /// A ticket form.
    Ticket,
    /// A kind this build does not know; its text is kept.
    Unknown(String),
}

impl ContactKind {
    /// Every known kind in wire order.
    pub const KNOWN: [ContactKind; 6] = [
        ContactKind::Phone,
        ContactKind::Email,
        ContactKind::Telegram,
        ContactKind::Vk,
        ContactKind::HelpCenter,
        ContactKind::Ticket,
    ];

    /// The wire name, or the endpoint's own text for an unknown kind.
    pub fn as_str(&self) -> &str {
        match self {
            ContactKind::Phone => "phone",
            ContactKind::Email => "email",
            ContactKind::Telegram => "telegram",
            ContactKind::Vk => "vk",
            ContactKind::HelpCenter => "help_center",
            ContactKind::Ticket => "ticket",
            ContactKind::Unknown(text) => text,
        }
    }

    /// Reads a wire name; anything else becomes `Unknown` with the text kept.
    pub fn from_wire(text: &str) -> ContactKind {
        ContactKind::KNOWN
            .iter()
            .find(|kind| kind.as_str() == text)
            .cloned()
            .unwrap_or_else(|| ContactKind::Unknown(text.to_owned()))
    }
}

impl Serialize for ContactKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ContactKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(ContactKind::from_wire(&text))
    }
}

/// Support's weekly hours in its own time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpeningHours {
    /// An IANA time zone (`Europe/Moscow`, `Asia/Shanghai`).
    pub time_zone: String,
    /// The weekly periods when support answers.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub periods: Vec<OpeningPeriod>,
}

/// Days of the week with the same opening times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpeningPeriod {
    /// Lower-case three-letter English day names (`mon` … `sun`).
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub days: Vec<String>,
    /// Opening time, `HH:MM` in the support's time zone.
    pub opens: String,
    /// Closing time, `HH:MM` in the support's time zone.
    pub closes: String,
}

/// The JSON body of an error answer (404 and the like).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A stable machine-readable code (`not_found`, `invalid_number`).
    pub error: String,
    /// A human explanation in English, for developers.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub message: String,
    /// The request field at fault (`events[2].at`), when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Why a body is not contract v1.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ContractError {
    /// The body ended before the JSON did.
    #[error("the body ends in the middle of the JSON")]
    Truncated,
    /// The body is not JSON at all (an HTML error page, say).
    #[error("the body is not JSON")]
    NotJson,
    /// The body is JSON of another shape; where the parser stopped, for developers.
    #[error("the JSON is not the tracking contract (line {line}, column {column})")]
    WrongShape {
        /// The line where the shape went wrong.
        line: usize,
        /// The column where the shape went wrong.
        column: usize,
    },
    /// The body is larger than any real answer.
    #[error("the body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
}

/// Parses an endpoint's body as contract v1.
///
/// # Errors
/// `ContractError` says whether the body was cut short, not JSON, too large, or another shape.
pub fn parse_track_response(body: &str) -> Result<TrackResponse, ContractError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ContractError::TooLarge);
    }
    serde_json::from_str(body).map_err(|error| match error.classify() {
        serde_json::error::Category::Eof => ContractError::Truncated,
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
            ContractError::NotJson
        }
        // Not `error.to_string()`: its formatting code would ride along in the wasm for nothing.
        serde_json::error::Category::Data => ContractError::WrongShape {
            line: error.line(),
            column: error.column(),
        },
    })
}

fn default_version() -> u32 {
    CONTRACT_VERSION
}

/// Reads `null` as the type's default, so an endpoint that writes `"events": null` still parses.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MINIMAL: &str = r#"{"shipments":[{"stage":"in_transit"}]}"#;

    #[test]
    fn a_minimal_answer_parses_with_defaults() {
        let response = parse_track_response(MINIMAL).unwrap();
        assert_eq!(response.version, CONTRACT_VERSION);
        assert_eq!(response.shipments.len(), 1);
        assert_eq!(response.shipments[0].stage, Stage::InTransit);
        assert!(response.shipments[0].events.is_empty());
    }

    #[test]
    fn unknown_fields_and_nulls_are_tolerated() {
        let body = r#"{"shipments":[{"stage":"packed","mood":"happy","events":null,
            "exception":null,"support":{"contacts":null}}],"extra":[1,2]}"#;
        let response = parse_track_response(body).unwrap();
        let shipment = &response.shipments[0];
        assert_eq!(shipment.exception, None);
        assert_eq!(shipment.support.as_ref().unwrap().contacts, vec![]);
    }

    #[test]
    fn unknown_words_keep_their_text() {
        let body = r#"{"shipments":[{"stage":"teleported","exception":"eaten_by_dog",
            "support":{"contacts":[{"kind":"carrier_pigeon","value":"https://x.example"}]}}]}"#;
        let shipment = &parse_track_response(body).unwrap().shipments[0];
        assert_eq!(shipment.stage, Stage::Unknown("teleported".into()));
        assert_eq!(
            shipment.exception,
            Some(Exception::Unknown("eaten_by_dog".into()))
        );
        assert_eq!(
            shipment.support.as_ref().unwrap().contacts[0].kind,
            ContactKind::Unknown("carrier_pigeon".into())
        );
    }

    #[test]
    fn a_withheld_point_keeps_only_its_storage_day_and_says_what_opens_it() {
        let body = r#"{"shipments":[{"stage":"ready_for_pickup","pickup_point":{"name":"Пункт",
            "address":"Ленина 1","pickup_code":"4821","storage_until":"2026-11-30"}}]}"#;
        let point = parse_track_response(body).unwrap().shipments[0]
            .pickup_point
            .clone()
            .unwrap();
        assert!(point.says_where_or_how());
        let withheld = point.withholding(Some("phone_last4"));
        assert!(!withheld.says_where_or_how());
        assert_eq!(withheld.storage_until.as_deref(), Some("2026-11-30"));
        let note = withheld.withheld.clone().unwrap();
        assert_eq!(note.fields, ["pickup_code", "name", "address"]);
        assert_eq!(note.check.as_deref(), Some("phone_last4"));
        assert!(note.code());
        let written = serde_json::to_string(&withheld).unwrap();
        assert!(
            !written.contains("4821") && !written.contains("Ленина"),
            "{written}"
        );
    }

    #[test]
    fn a_withheld_note_is_read_leniently() {
        let body = r#"{"shipments":[{"stage":"ready_for_pickup","pickup_point":{
            "withheld":{"fields":null,"check":"passport","why":"x"}}}]}"#;
        let point = parse_track_response(body).unwrap().shipments[0]
            .pickup_point
            .clone()
            .unwrap();
        let note = point.withheld.unwrap();
        assert!(note.fields.is_empty());
        assert_eq!(note.check.as_deref(), Some("passport"));
    }

    #[test]
    fn failures_are_told_apart() {
        assert_eq!(
            parse_track_response("<!doctype html><p>Bad gateway</p>"),
            Err(ContractError::NotJson)
        );
        assert_eq!(
            parse_track_response(&MINIMAL[..MINIMAL.len() - 5]),
            Err(ContractError::Truncated)
        );
        assert!(matches!(
            parse_track_response(r#"{"shipments":"soon"}"#),
            Err(ContractError::WrongShape { .. })
        ));
        assert!(matches!(
            parse_track_response(r#"[1,2,3]"#),
            Err(ContractError::WrongShape { .. })
        ));
        let huge = format!("\"{}\"", "x".repeat(MAX_BODY_BYTES));
        assert_eq!(parse_track_response(&huge), Err(ContractError::TooLarge));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(body in ".{0,400}") {
            let _ = parse_track_response(&body);
        }

        #[test]
        fn every_prefix_of_a_valid_body_is_an_error_not_a_panic(cut in 0usize..MINIMAL.len()) {
            prop_assert!(parse_track_response(&MINIMAL[..cut]).is_err());
        }

        #[test]
        fn arbitrary_json_never_panics(value in any_json()) {
            let _ = parse_track_response(&value.to_string());
        }

        /// The contract's own keys with values mostly of their kind reach deep into the parser
        /// (about a third of them parse), and whatever parses goes through every domain rule
        /// the widget applies to it.
        #[test]
        fn contract_shaped_json_with_any_values_never_panics(shipment in shipment_like(), today in any::<i64>(), now in any::<i64>()) {
            let body = serde_json::json!({ "version": 1, "shipments": [shipment] }).to_string();
            if let Ok(response) = parse_track_response(&body) {
                for shipment in &response.shipments {
                    let _ = crate::Timeline::of(shipment);
                    let _ = crate::delivery::expected(shipment, today);
                    let _ = crate::freshness::stale_days(shipment, now);
                    let _ = crate::timeline::events_newest_first(&shipment.events);
                    if let Some(until) = shipment.pickup_point.as_ref().and_then(|p| p.storage_until.as_deref()) {
                        let _ = crate::pickup::storage_left(until, today);
                    }
                }
                let _ = crate::summary::summarise(&response.shipments);
                let _ = crate::freshness::worth_refreshing(&response.shipments);
            }
        }
    }

    /// Any JSON value, nested a few levels.
    fn any_json() -> BoxedStrategy<serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,20}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::hash_map("[a-z_]{0,12}", inner, 0..8)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
        .boxed()
    }

    /// Text that is often a date, a time, a known word, or none of them.
    fn text() -> BoxedStrategy<serde_json::Value> {
        prop_oneof![
            "(in_transit|delivered|ready_for_pickup|delayed|lost|created|customs_hold|[a-z_]{0,10})",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})",
            ".{0,30}",
        ]
        .prop_map(serde_json::Value::String)
        .boxed()
    }

    /// Mostly a value of the field's own kind, sometimes any JSON at all.
    fn either(typed: BoxedStrategy<serde_json::Value>) -> BoxedStrategy<serde_json::Value> {
        prop_oneof![9 => typed, 1 => any_json()].boxed()
    }

    /// An object with some of `keys`, each mostly text.
    fn object(keys: &'static [&'static str]) -> BoxedStrategy<serde_json::Value> {
        prop::collection::hash_map(prop::sample::select(keys), either(text()), 0..=keys.len())
            .prop_map(|map| {
                serde_json::Value::Object(map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            })
            .boxed()
    }

    fn shipment_like() -> impl Strategy<Value = serde_json::Value> {
        let event = (text(), text(), object(&["stage", "exception", "location"])).prop_map(
            |(at, words, mut rest)| {
                rest["at"] = at;
                rest["text"] = words;
                rest
            },
        );
        (
            object(&[
                "order_number",
                "tracking_number",
                "stage",
                "exception",
                "status_text",
                "updated_at",
            ]),
            either(
                prop::collection::vec(event, 0..4)
                    .prop_map(serde_json::Value::Array)
                    .boxed(),
            ),
            prop::option::of(either(object(&["from", "to"]))),
            prop::option::of(either(object(&[
                "name",
                "pickup_code",
                "storage_until",
                "map_url",
                "hours",
            ]))),
        )
            .prop_map(|(mut shipment, events, window, pickup)| {
                if shipment.get("stage").is_none() {
                    shipment["stage"] = "in_transit".into();
                }
                shipment["events"] = events;
                if let Some(window) = window {
                    shipment["estimated_delivery"] = window;
                }
                if let Some(pickup) = pickup {
                    shipment["pickup_point"] = pickup;
                }
                shipment
            })
    }
}
