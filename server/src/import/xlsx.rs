//! XLSX workbooks read cell by cell with calamine: the first sheet with a recognisable header
//! row, numbers and dates as the seller sees them, limits held while reading (a sheet that
//! claims a million columns costs nothing until its cells arrive, and then stops at the limit).

use super::sheet::{self, Row};
use super::{
    FileError, Format, Sheet, HEADER_SEARCH_ROWS, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_ROW_BYTES,
    MAX_TEXT_BYTES, MAX_UNPACKED_BYTES,
};
use calamine::{DataRef, Reader, Xlsx};
use std::io::{Cursor, Read};

/// The most parts a workbook may have; a real one has a few dozen.
const MAX_PARTS: usize = 10_000;
/// The part calamine reads whole into memory before any cell.
const SHARED_STRINGS: &str = "xl/sharedStrings.xml";

/// What a workbook may cost: its parts unpacked, and its text.
#[derive(Debug, Clone, Copy)]
struct Budget {
    unpacked: u64,
    text: usize,
}

const BUDGET: Budget = Budget {
    unpacked: MAX_UNPACKED_BYTES,
    text: MAX_TEXT_BYTES,
};

/// Reads the first sheet of the workbook with a recognisable header row.
///
/// # Errors
/// `BadWorkbook` for a ZIP that is no workbook; the limits' errors; `NoHeaderRow` when no sheet
/// has a header row.
pub fn read(bytes: &[u8]) -> Result<Sheet, FileError> {
    read_within(bytes, BUDGET)
}

fn read_within(bytes: &[u8], budget: Budget) -> Result<Sheet, FileError> {
    unpacks_within(bytes, budget.unpacked)?;
    shared_strings_within(bytes, budget.text)?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|_| FileError::BadWorkbook)?;
    let names = workbook.sheet_names();
    if names.is_empty() {
        return Err(FileError::BadWorkbook);
    }
    for name in &names {
        let rows = rows(&mut workbook, name, budget.text)?;
        match sheet::finish(Format::Xlsx, rows) {
            Err(FileError::NoHeaderRow) => continue,
            other => return other,
        }
    }
    Err(FileError::NoHeaderRow)
}

/// Unpacks every part once, into nothing, counting: calamine keeps a workbook's shared strings
/// in memory, and a ZIP's declared sizes may lie, so what it holds is measured, never trusted.
///
/// # Errors
/// `UnpacksTooLarge` past `limit`; `BadWorkbook` for a ZIP that cannot be read.
fn unpacks_within(bytes: &[u8], limit: u64) -> Result<(), FileError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileError::BadWorkbook)?;
    if archive.len() > MAX_PARTS {
        return Err(FileError::BadWorkbook);
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(|_| FileError::BadWorkbook)?;
        let left = limit.saturating_sub(total);
        total += std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(|_| FileError::BadWorkbook)?;
        if total > limit {
            return Err(FileError::UnpacksTooLarge { limit });
        }
    }
    Ok(())
}

/// Measures the shared strings part, unpacked, before calamine keeps all of it in memory.
///
/// # Errors
/// `TextTooLarge` past `limit`; `BadWorkbook` for a ZIP that cannot be read.
fn shared_strings_within(bytes: &[u8], limit: usize) -> Result<(), FileError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileError::BadWorkbook)?;
    let Ok(part) = archive.by_name(SHARED_STRINGS) else {
        return Ok(());
    };
    let cap = u64::try_from(limit).unwrap_or(u64::MAX);
    let unpacked = std::io::copy(&mut part.take(cap + 1), &mut std::io::sink())
        .map_err(|_| FileError::BadWorkbook)?;
    if unpacked > cap {
        return Err(FileError::TextTooLarge { limit });
    }
    Ok(())
}

fn rows(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    text_budget: usize,
) -> Result<Vec<Row>, FileError> {
    let mut reader = workbook
        .worksheet_cells_reader(name)
        .map_err(|_| FileError::BadWorkbook)?;
    let mut rows: Vec<Row> = Vec::new();
    let mut row_bytes = 0;
    let mut text_bytes = 0usize;
    let mut cells = 0usize;
    while let Some(cell) = reader.next_cell().map_err(|_| FileError::BadWorkbook)? {
        let (r, c) = cell.get_position();
        let (line, column) = (r as usize + 1, c as usize);
        let text = text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if rows.last().is_none_or(|last| last.line != line) {
            if rows.len() >= MAX_ROWS + HEADER_SEARCH_ROWS {
                return Err(FileError::TooManyRows { limit: MAX_ROWS });
            }
            rows.push(Row {
                line,
                cells: Vec::new(),
            });
            row_bytes = 0;
        }
        row_bytes += text.len();
        text_bytes += text.len();
        if text_bytes > text_budget {
            return Err(FileError::TextTooLarge { limit: text_budget });
        }
        if column >= MAX_COLUMNS || row_bytes > MAX_ROW_BYTES {
            return Err(FileError::RowTooWide { line });
        }
        if let Some(row) = rows.last_mut() {
            if row.cells.len() <= column {
                cells += column + 1 - row.cells.len();
                if cells > MAX_CELLS {
                    return Err(FileError::TooManyCells { limit: MAX_CELLS });
                }
                row.cells.resize(column + 1, String::new());
            }
            row.cells[column] = sheet::cell(&text);
        }
    }
    Ok(rows)
}

/// A cell as the seller sees it: a whole number without `.0` or an exponent (a tracking number
/// kept as a number stays its digits), a date as an ISO date (and time, when it has one).
fn text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        DataRef::DateTime(dt) => number(dt.as_f64()),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// A float as Excel's General format shows a whole number: all its digits.
fn number(f: f64) -> String {
    // Whole numbers below 2^53 are exact in an f64: print their digits, not `1.2345E+13`.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_workbook_unpacks_to_is_bounded() {
        // 40 cells of 32 000 characters: 1.3 MB of XML that compresses to a few kilobytes.
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for row in 0..40 {
            sheet
                .write(row, 0, format!("{row}{}", "a".repeat(32_000)))
                .unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        assert!(bytes.len() < 64 * 1024, "{}", bytes.len());
        assert_eq!(
            unpacks_within(&bytes, 1024 * 1024),
            Err(FileError::UnpacksTooLarge { limit: 1024 * 1024 })
        );
        assert_eq!(unpacks_within(&bytes, 4 * 1024 * 1024), Ok(()));
    }

    #[test]
    fn the_text_a_workbook_holds_is_bounded() {
        // One long shared string named by 40 cells: a few kilobytes of XML, 1.3 MB of text.
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write(0, 0, "Номер заказа").unwrap();
        sheet.write(0, 1, "Статус").unwrap();
        let long = "a".repeat(32_000);
        for row in 1..=40 {
            sheet.write(row, 0, format!("{row}")).unwrap();
            sheet.write(row, 1, long.as_str()).unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let budget = |text| Budget {
            unpacked: MAX_UNPACKED_BYTES,
            text,
        };
        assert_eq!(
            read_within(&bytes, budget(1024 * 1024)).map(|s| s.rows.len()),
            Err(FileError::TextTooLarge { limit: 1024 * 1024 })
        );
        // The shared strings part alone past the budget: refused before calamine reads it.
        assert_eq!(
            read_within(&bytes, budget(16 * 1024)).map(|s| s.rows.len()),
            Err(FileError::TextTooLarge { limit: 16 * 1024 })
        );
        assert_eq!(
            read_within(&bytes, budget(4 * 1024 * 1024)).map(|s| s.rows.len()),
            Ok(40)
        );
    }

    #[test]
    fn whole_numbers_keep_their_digits() {
        assert_eq!(number(12_345_678_901_234.0), "12345678901234");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(f64::NAN), "NaN");
    }
}
