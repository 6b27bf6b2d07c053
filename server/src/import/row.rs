//! Each row to a shipment checked by the seller API's own checks, a repeat, or a refusal.

use super::mapping::{Field, Mapping};
use super::sheet::Row;
use super::status::{exception_word, status_word};
use crate::seller_input::{self, ShipmentInput, MAX_TEXT};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use trackline_core::query::InputError;
use trackline_core::second_factor::{SecondFactor, SecondFactors};
use trackline_core::time::{format_date, parse_date};
use trackline_core::{Shipment, TrackingQuery};

/// A row made into a shipment, ready to be written under its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The seller's reference it is written under.
    pub reference: String,
    /// The shipment, as the seller API's `PUT` would store it.
    pub shipment: Shipment,
    /// The buyer's second factors, if the file gave them.
    pub factors: SecondFactors,
}

/// What one row became.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A shipment to create or change.
    Shipment(Box<Imported>),
    /// The same reference and content as an earlier line (Ozon reports a posting once per item).
    Repeat {
        /// The line that has it first.
        first_line: usize,
    },
    /// Not imported, and why.
    Refused(Refusal),
}

/// One non-empty row and what it became.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Its line (CSV) or row (XLSX), from 1.
    pub line: usize,
    /// What it became.
    pub outcome: Outcome,
}

/// Why a row is not imported; each is told to the seller in their language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// The file has no column for a reference (nor any number to take it from).
    NoReferenceColumn,
    /// The reference column is empty in this row.
    NoReference,
    /// The explicit reference is not 1 to 100 of `A-Z a-z 0-9 . _ -`.
    BadReference,
    /// A number cell holds no usable order, posting or tracking number.
    BadNumber {
        /// Which column.
        field: Field,
        /// What is wrong with it.
        #[serde(serialize_with = "input_error")]
        problem: InputError,
    },
    /// The status cell is empty, or the file has no status column.
    NoStatus,
    /// A status (or exception) word that is neither Ozon's, nor a common one, nor a wire name.
    UnknownStatus {
        /// Which column.
        field: Field,
        /// The word, as the file has it.
        text: String,
    },
    /// A date that is not one (`25.11.2026`, `2026-11-25`, `2026年11月25日` are).
    BadDate {
        /// Which column.
        field: Field,
        /// The cell, as the file has it.
        text: String,
    },
    /// Text longer than the seller API takes.
    TooLong {
        /// Which column.
        field: Field,
        /// The most characters it takes.
        max: usize,
    },
    /// A phone with fewer than four digits.
    BadPhone,
    /// A postcode with no letter or digit.
    BadPostcode,
    /// Another row has the same reference with different content.
    Conflict {
        /// The line that has the reference first.
        first_line: usize,
    },
    /// The seller API's checks refused the shipment for a reason the fields above do not cover.
    Invalid {
        /// The field's path in the seller API (`carrier.name`).
        path: String,
    },
}

fn input_error<S: serde::Serializer>(error: &InputError, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match error {
        InputError::Empty => "empty",
        InputError::TooLong => "too_long",
        InputError::BadCharacters => "bad_characters",
        InputError::Mistyped => "mistyped",
        InputError::UnknownCountry => "unknown_country",
    })
}

/// Makes each row a shipment, a repeat or a refusal.
pub fn lines(rows: &[Row], mapping: &Mapping) -> Vec<Line> {
    let mut first: HashMap<String, (usize, usize)> = HashMap::new();
    let mut lines: Vec<Line> = Vec::with_capacity(rows.len());
    for row in rows {
        let outcome = match shipment(row, mapping) {
            Err(refusal) => Outcome::Refused(refusal),
            Ok(imported) => match first.get(&imported.reference) {
                None => {
                    first.insert(imported.reference.clone(), (row.line, lines.len()));
                    Outcome::Shipment(Box::new(imported))
                }
                Some(&(first_line, at)) => {
                    let same = matches!(&lines[at].outcome, Outcome::Shipment(earlier) if **earlier == imported);
                    if same {
                        Outcome::Repeat { first_line }
                    } else {
                        Outcome::Refused(Refusal::Conflict { first_line })
                    }
                }
            },
        };
        lines.push(Line {
            line: row.line,
            outcome,
        });
    }
    lines
}

/// The cell of `field` in `row`, if the mapping has a column for it and the cell is not empty.
fn get<'a>(row: &'a Row, mapping: &Mapping, field: Field) -> Option<&'a str> {
    mapping
        .column(field)
        .and_then(|i| row.cells.get(i))
        .map(|c| c.trim())
        // An apostrophe before `= + - @` is how a spreadsheet (and our export) keeps a cell
        // from being read as a formula: it is no part of the cell.
        .map(|c| {
            c.strip_prefix('\'')
                .filter(|rest| rest.starts_with(super::FORMULA_STARTS))
                .unwrap_or(c)
        })
        .filter(|c| !c.is_empty())
}

fn number(row: &Row, mapping: &Mapping, field: Field) -> Result<Option<String>, Refusal> {
    get(row, mapping, field)
        .map(|cell| {
            // A leading apostrophe is how a spreadsheet keeps a number as text.
            let cell = cell.strip_prefix('\'').unwrap_or(cell);
            TrackingQuery::parse(cell)
                .map(|q| q.as_str().to_owned())
                .map_err(|problem| Refusal::BadNumber { field, problem })
        })
        .transpose()
}

fn text(row: &Row, mapping: &Mapping, field: Field) -> Result<Option<String>, Refusal> {
    match get(row, mapping, field) {
        Some(cell) if cell.chars().count() > MAX_TEXT => Err(Refusal::TooLong {
            field,
            max: MAX_TEXT,
        }),
        other => Ok(other.map(str::to_owned)),
    }
}

fn date(row: &Row, mapping: &Mapping, field: Field) -> Result<Option<String>, Refusal> {
    get(row, mapping, field)
        .map(|cell| {
            iso_date(cell).ok_or_else(|| Refusal::BadDate {
                field,
                text: cell.to_owned(),
            })
        })
        .transpose()
}

/// A date as sellers' files write it, as an ISO date: `2026-11-25`, `25.11.2026`,
/// `25/11/2026` (day first, as Russian Excel writes it), `2026/11/25`, `2026年11月25日`, each
/// perhaps followed by a time, which is dropped.
pub fn iso_date(cell: &str) -> Option<String> {
    let day_part = cell.split([' ', 'T']).next()?.trim_end_matches('日');
    let parts: Vec<&str> = day_part.split(['.', '/', '-', '年', '月']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (year, month, day) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    if year.len() != 4 || month.is_empty() || month.len() > 2 || day.is_empty() || day.len() > 2 {
        return None;
    }
    let iso = format!("{year}-{month:0>2}-{day:0>2}");
    // `parse_date` checks the calendar (no 31 November); `format_date` writes it back.
    parse_date(&iso).map(format_date)
}

/// Makes one row a shipment, through the seller API's own checks.
fn shipment(row: &Row, mapping: &Mapping) -> Result<Imported, Refusal> {
    use Field::*;
    let order_number = number(row, mapping, OrderNumber)?;
    let shipment_number = number(row, mapping, ShipmentNumber)?;
    let tracking_number = number(row, mapping, TrackingNumber)?;
    let reference = match mapping.reference_field() {
        None => return Err(Refusal::NoReferenceColumn),
        Some(Reference) => {
            let cell = get(row, mapping, Reference).ok_or(Refusal::NoReference)?;
            seller_input::reference(cell)
                .map_err(|_| Refusal::BadReference)?
                .to_owned()
        }
        Some(ShipmentNumber) => shipment_number.clone().ok_or(Refusal::NoReference)?,
        Some(OrderNumber) => order_number.clone().ok_or(Refusal::NoReference)?,
        Some(_) => tracking_number.clone().ok_or(Refusal::NoReference)?,
    };
    let status_cell = get(row, mapping, Status).ok_or(Refusal::NoStatus)?;
    let (stage, mut exception) =
        status_word(status_cell).ok_or_else(|| Refusal::UnknownStatus {
            field: Status,
            text: status_cell.to_owned(),
        })?;
    if let Some(cell) = get(row, mapping, Exception) {
        exception = Some(exception_word(cell).ok_or_else(|| Refusal::UnknownStatus {
            field: Exception,
            text: cell.to_owned(),
        })?);
    }

    let mut input = Map::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            input.insert(key.to_owned(), Value::String(value));
        }
    };
    put("order_number", order_number);
    put("shipment_number", shipment_number);
    put("tracking_number", tracking_number);
    put("stage", Some(stage.as_str().to_owned()));
    put("exception", exception.map(|e| e.as_str().to_owned()));
    put("status_text", text(row, mapping, StatusText)?);
    if let Some(from) = date(row, mapping, EstimatedDelivery)? {
        input.insert("estimated_delivery".into(), json!({ "from": from }));
    }
    if let Some(name) = text(row, mapping, Carrier)? {
        input.insert("carrier".into(), json!({ "name": name }));
    }
    let mut point = Map::new();
    for (key, value) in [
        ("name", text(row, mapping, PickupPointName)?),
        ("address", text(row, mapping, PickupPointAddress)?),
        ("pickup_code", text(row, mapping, PickupCode)?),
        ("storage_until", date(row, mapping, StorageUntil)?),
    ] {
        if let Some(value) = value {
            point.insert(key.into(), Value::String(value));
        }
    }
    if !point.is_empty() {
        input.insert("pickup_point".into(), Value::Object(point));
    }
    let phone = text(row, mapping, Phone)?;
    if phone
        .as_deref()
        .is_some_and(|p| SecondFactor::PhoneLast4.normalise(p).is_none())
    {
        return Err(Refusal::BadPhone);
    }
    let postcode = text(row, mapping, Postcode)?;
    if postcode
        .as_deref()
        .is_some_and(|p| SecondFactor::Postcode.normalise(p).is_none())
    {
        return Err(Refusal::BadPostcode);
    }
    if phone.is_some() || postcode.is_some() {
        input.insert(
            "buyer_check".into(),
            json!({ "phone": phone, "postcode": postcode }),
        );
    }

    // The seller API's own type and checks: what an import writes is what a PUT could.
    let invalid = |path: String| Refusal::Invalid { path };
    let input: ShipmentInput =
        serde_json::from_value(Value::Object(input)).map_err(|e| invalid(e.to_string()))?;
    let (shipment, factors) = input.validate().map_err(|e| invalid(e.field))?;
    Ok(Imported {
        reference,
        shipment,
        factors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_sellers_write_them() {
        for (cell, iso) in [
            ("2026-11-25", Some("2026-11-25")),
            ("25.11.2026", Some("2026-11-25")),
            ("5.1.2026 14:30", Some("2026-01-05")),
            ("25/11/2026", Some("2026-11-25")),
            ("2026/11/25", Some("2026-11-25")),
            ("2026年11月25日", Some("2026-11-25")),
            ("2026-11-25T10:00:00+03:00", Some("2026-11-25")),
            ("31.11.2026", None),
            ("завтра", None),
            ("46000", None),
        ] {
            assert_eq!(iso_date(cell).as_deref(), iso, "{cell}");
        }
    }
}
