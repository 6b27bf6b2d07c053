//! Delimited text into rows: the separator sniffed, quotes respected, limits held; and the
//! header row found among the first rows of any sheet.

use super::mapping::Mapping;
use super::{
    Encoding, FileError, Format, Sheet, HEADER_SEARCH_ROWS, MAX_CELLS, MAX_COLUMNS, MAX_ROWS,
    MAX_ROW_BYTES,
};

/// One row of a file: its line (CSV) or row number (XLSX), from 1, and its cells as text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// Where it is in the file, from 1.
    pub line: usize,
    /// Its cells, trimmed.
    pub cells: Vec<String>,
}

const SEPARATORS: [u8; 3] = [b';', b',', b'\t'];
/// How many records the separator is sniffed on.
const SNIFF_RECORDS: usize = 30;

/// Reads delimited text into a sheet.
///
/// # Errors
/// `FileError` for too many rows, a row too wide, or no header row.
pub fn read_csv(text: &str, encoding: Encoding) -> Result<Sheet, FileError> {
    // Excel's own hint line: `sep=;`.
    let (text, hinted, first_line) = match text.split_once('\n') {
        Some((first, rest)) if first.trim_end().len() == 5 && first.starts_with("sep=") => {
            (rest, first.as_bytes().get(4).copied(), 2)
        }
        _ => (text, None, 1),
    };
    let separator = hinted
        .filter(|b| SEPARATORS.contains(b))
        .unwrap_or_else(|| sniff(text));
    let mut reader = reader(text, separator);
    let mut lines = LineCounter::new(text, first_line);
    let mut rows = Vec::new();
    let mut cells = 0usize;
    for record in reader.records() {
        // Reading a `&str` with `flexible`, the csv crate has no error left to give; one is
        // still told (as the row it stopped at), never a panic.
        let record = record.map_err(|_| FileError::RowTooWide {
            line: lines.current(),
        })?;
        let start = record.position().map_or(0, |p| p.byte());
        let line = lines.at(usize::try_from(start).unwrap_or(usize::MAX));
        if record.len() > MAX_COLUMNS || record.as_slice().len() > MAX_ROW_BYTES {
            return Err(FileError::RowTooWide { line });
        }
        let mut row: Vec<String> = record.iter().map(cell).collect();
        // Trailing separators (a sheet's empty columns saved as `;;;;`) cost nothing kept.
        while row.last().is_some_and(String::is_empty) {
            row.pop();
        }
        cells += row.len();
        if cells > MAX_CELLS {
            return Err(FileError::TooManyCells { limit: MAX_CELLS });
        }
        rows.push(Row { line, cells: row });
        // The header and a few lines above it, then `MAX_ROWS` of data.
        if rows.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(FileError::TooManyRows { limit: MAX_ROWS });
        }
    }
    finish(
        Format::Csv {
            encoding,
            separator: char::from(separator),
        },
        rows,
    )
}

/// Lines as an editor counts them (`\r\n`, `\n` or a lone `\r` ends one), counted forward
/// once through the file: the csv crate's own count differs with `\r\n`.
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str, first_line: usize) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            at: 0,
            line: first_line,
        }
    }

    fn current(&self) -> usize {
        self.line
    }

    /// The line of a record starting at `offset`, never before the last one asked about. The
    /// csv crate may start a record at the line breaks before it (after `\r\n`, or blank
    /// lines); no record starts with one, so they are passed over.
    fn at(&mut self, offset: usize) -> usize {
        let breaks = self.bytes.get(offset..).map_or(0, |rest| {
            rest.iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count()
        });
        let end = (offset + breaks).min(self.bytes.len());
        while self.at < end {
            match self.bytes[self.at] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(self.at + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.at += 1;
        }
        self.line
    }
}

fn reader(text: &str, separator: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes())
}

/// The separator that splits the first records into the most rows of one width above one;
/// `;` when none does (a file of one column).
fn sniff(text: &str) -> u8 {
    SEPARATORS
        .into_iter()
        .max_by_key(|&separator| {
            let mut widths: Vec<usize> = reader(text, separator)
                .records()
                .take(SNIFF_RECORDS)
                .map_while(Result::ok)
                .map(|r| r.len())
                .filter(|&n| n > 1)
                .collect();
            widths.sort_unstable();
            // The most common width, and how many records have it; then the widest.
            let (count, width) = widths
                .chunk_by(|a, b| a == b)
                .map(|run| (run.len(), run[0]))
                .max()
                .unwrap_or((0, 0));
            (count, width, separator == b';')
        })
        .unwrap_or(b';')
}

/// A cell as text: trimmed, and Excel's `="00123"` (a number kept as text) unwrapped.
pub fn cell(raw: &str) -> String {
    let trimmed = raw.trim();
    trimmed
        .strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(trimmed)
        .trim()
        .to_owned()
}

/// Finds the header row among the first rows and keeps the rows after it.
///
/// # Errors
/// `NoHeaderRow` when none of the first rows is recognisable; `TooManyRows` past the limit.
pub fn finish(format: Format, mut rows: Vec<Row>) -> Result<Sheet, FileError> {
    let at = rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|row| Mapping::detect(&row.cells).is_recognisable())
        .ok_or(FileError::NoHeaderRow)?;
    let mut data = rows.split_off(at + 1);
    let header = rows.pop().ok_or(FileError::NoHeaderRow)?;
    data.retain(|row| row.cells.iter().any(|c| !c.is_empty()));
    if data.len() > MAX_ROWS {
        return Err(FileError::TooManyRows { limit: MAX_ROWS });
    }
    Ok(Sheet {
        format,
        header_line: header.line,
        header: header.cells,
        rows: data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_sniffed_with_quotes_respected() {
        assert_eq!(sniff("a;b;c\n1;2;3\n"), b';');
        assert_eq!(sniff("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff("a\tb\tc\n1\t2\t3\n"), b'\t');
        // Commas inside quotes do not count.
        assert_eq!(sniff("\"a,1\";\"b,2\"\n\"x,y,z\";w\n"), b';');
        assert_eq!(sniff("one column\nvalue\n"), b';');
    }

    #[test]
    fn lines_are_counted_as_an_editor_counts_them() {
        let lines = |text: &str| -> Vec<usize> {
            let sheet = read_csv(text, Encoding::Utf8).unwrap();
            sheet.rows.iter().map(|r| r.line).collect()
        };
        let header = "Номер заказа;Статус";
        assert_eq!(
            lines(&format!("{header}\r\n1;new\r\n\r\n2;new\r\n")),
            [2, 4]
        );
        assert_eq!(lines(&format!("{header}\r1;new\r2;new")), [2, 3]);
        // A quoted cell over two lines, and Excel's hint line above the header.
        assert_eq!(
            lines(&format!("sep=;\n{header}\n1;\"new\nline\"\n2;new\n")),
            [3, 5]
        );
    }

    #[test]
    fn excel_text_numbers_are_unwrapped() {
        assert_eq!(cell(" =\"00123\" "), "00123");
        assert_eq!(cell("  plain "), "plain");
    }
}
