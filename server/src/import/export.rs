//! Shipments written as the rows of a CSV file the import reads back unchanged, for Excel:
//! UTF-8 with a byte order mark (without it Excel reads Windows-1251 on a Russian system) and
//! `;` between cells (Excel splits a CSV opened by a double click at the system's list
//! separator, which is `;` wherever the decimal separator is a comma, as in Russia; `sep=;`
//! would say it too, but makes Excel drop the byte order mark and read mojibake).
//!
//! A cell that starts with `= + - @`, a tab or a carriage return gets an apostrophe before it,
//! as OWASP advises against CSV injection, so that a buyer's or provider's words are never run
//! as a formula; a number of digits only is written `="00123"`, so that Excel keeps its zeros
//! and digits instead of a number like `1.23E+13`. The import undoes both.

use super::FORMULA_STARTS;
use trackline_core::Shipment;

/// The separator between cells.
pub const EXPORT_SEPARATOR: u8 = b';';
/// UTF-8's byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// The columns, under names the import maps back to the same fields.
const HEADER: [&str; 13] = [
    "Reference",
    "Order number",
    "Posting number",
    "Tracking number",
    "Status",
    "Exception",
    "Status text",
    "Carrier",
    "Estimated delivery",
    "Pickup point",
    "Pickup point address",
    "Pickup code",
    "Storage until",
];

fn writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(EXPORT_SEPARATOR)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out)
}

/// The file's start: the byte order mark and the header row.
pub fn csv_header() -> Vec<u8> {
    let mut out = BOM.to_vec();
    let mut writer = writer(&mut out);
    // Writing to memory fails only for a record of another width, which this is not.
    let _ = writer.write_record(HEADER);
    drop(writer);
    out
}

/// Appends one shipment's row to `out`.
pub fn csv_record(out: &mut Vec<u8>, reference: Option<&str>, shipment: &Shipment) {
    let number = |value: Option<&str>| value.map(number_cell).unwrap_or_default();
    let text = |value: Option<&str>| value.map(text_cell).unwrap_or_default();
    let point = shipment.pickup_point.as_ref();
    let row = [
        number(reference),
        number(shipment.order_number.as_deref()),
        number(shipment.shipment_number.as_deref()),
        number(shipment.tracking_number.as_deref()),
        text(Some(shipment.stage.as_str())),
        text(shipment.exception.as_ref().map(|e| e.as_str())),
        text(shipment.status_text.as_deref()),
        text(shipment.carrier.as_ref().map(|c| c.name.as_str())),
        text(
            shipment
                .estimated_delivery
                .as_ref()
                .map(|w| w.from.as_str()),
        ),
        text(point.and_then(|p| p.name.as_deref())),
        text(point.and_then(|p| p.address.as_deref())),
        text(point.and_then(|p| p.pickup_code.as_deref())),
        text(point.and_then(|p| p.storage_until.as_deref())),
    ];
    let mut writer = writer(out);
    let _ = writer.write_record(&row);
}

/// A cell of text, escaped where a spreadsheet would take it for a formula.
fn text_cell(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// A number or reference: digits only are kept as text (`="00123"`), anything else as text.
fn number_cell(value: &str) -> String {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        format!("=\"{value}\"")
    } else {
        text_cell(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_escaped_and_digits_kept() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+7 900", "'+7 900"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("plain", "plain"),
        ] {
            assert_eq!(text_cell(cell), written);
        }
        assert_eq!(number_cell("00123"), "=\"00123\"");
        assert_eq!(number_cell("=1+1"), "'=1+1");
        assert_eq!(number_cell("12345678-0001-1"), "12345678-0001-1");
    }
}
