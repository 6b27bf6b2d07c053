//! Sellers' spreadsheets read into shipments: bytes in, typed rows out, no I/O and no store.
//!
//! A file is CSV (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1251; `;`, `,` or
//! tab, sniffed) or XLSX (the first sheet with a recognisable header row). Its header row is
//! mapped to fields by the names sellers' exports use (`mapping`), each status word to a stage
//! and an exception (`status`), and each row becomes a shipment checked by the seller API's own
//! checks (`seller_input`), a repeat of an earlier row, or a refusal with a typed reason (`row`).
//!
//! **The reference** (the seller API's key, which makes a second import of the same file change
//! nothing) is, per file, the first of these columns the mapping has: an explicit reference,
//! the posting (shipment) number, the order number, the tracking number; in the numbers' normal
//! form (`TrackingQuery`). Ozon's reports have one line per item, so a posting with two items
//! comes twice: the second line is a `Repeat` when it says the same, refused when it does not.

mod decode;
mod export;
mod mapping;
mod plan;
mod row;
mod sheet;
mod status;
mod xlsx;

pub use decode::Encoding;
pub use export::{csv_header, csv_record, EXPORT_SEPARATOR};
pub use mapping::{Column, Field, Mapping};
pub use plan::{plan, Plan};
pub use row::{Imported, Line, Outcome, Refusal};
pub use status::status_word;

use thiserror::Error;

/// The largest file read: 50 MiB.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// The most data rows a file may have.
pub const MAX_ROWS: usize = 100_000;
/// The most cells a row may have.
pub const MAX_COLUMNS: usize = 256;
/// The most cells a sheet may keep, over all its rows (each row to its last cell that holds
/// anything): 100 000 rows of 20 columns, or 10 000 of 200. A cell is kept as a `String` of 24
/// bytes, its text apart, so a sheet of `MAX_ROWS` by `MAX_COLUMNS` would take 600 MB in the
/// server however little its cells hold.
pub const MAX_CELLS: usize = 2_000_000;
/// The most bytes a row's cells may hold together.
pub const MAX_ROW_BYTES: usize = 64 * 1024;
/// The most bytes an XLSX file's parts may unpack to together.
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// The most bytes of text a workbook may hold: its shared strings part unpacked, and its
/// cells' text together (a cell naming a shared string costs that string again, so a sheet of
/// small XML cannot hold gigabytes of text by naming one long string a million times).
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// What a cell may not start with in a spreadsheet unless escaped, lest it be read as a
/// formula (OWASP's CSV injection list): the export puts an apostrophe before them, the
/// import takes it away.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
/// How many rows from the top are searched for the header row.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Why a whole file cannot be read; each is told to the seller in their language.
#[derive(Debug, Clone, PartialEq, Eq, Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum FileError {
    /// Nothing in it.
    #[error("the file is empty")]
    Empty,
    /// Larger than `MAX_FILE_BYTES`.
    #[error("the file is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// More data rows than `MAX_ROWS`.
    #[error("the file has more than {limit} rows")]
    TooManyRows {
        /// The limit.
        limit: usize,
    },
    /// A row with more cells than `MAX_COLUMNS` or more bytes than `MAX_ROW_BYTES`: usually a
    /// quote left open, which swallows the rest of the file.
    #[error("line {line} is wider than a row can be")]
    RowTooWide {
        /// The line (CSV) or row (XLSX), from 1.
        line: usize,
    },
    /// More cells than `MAX_CELLS` over all its rows.
    #[error("the file has more than {limit} cells")]
    TooManyCells {
        /// The limit.
        limit: usize,
    },
    /// Text in neither UTF-8 nor Windows-1251 (nor UTF-16 with a BOM), or not text at all.
    #[error("the file is in an encoding other than UTF-8 or Windows-1251")]
    UnknownEncoding,
    /// An Excel 97–2003 (`.xls`) or other binary file: the seller saves it as XLSX or CSV.
    #[error("the file is an old Excel (.xls) or other binary file; save it as XLSX or CSV")]
    UnsupportedFormat,
    /// A workbook whose parts unpack to more than `MAX_UNPACKED_BYTES` (a ZIP bomb, or a sheet
    /// far beyond `MAX_ROWS`).
    #[error("the XLSX file unpacks to more than {limit} bytes")]
    UnpacksTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A workbook whose shared strings or cells hold more than `MAX_TEXT_BYTES` of text, or a
    /// CSV file that decodes to more than `decode::MAX_CSV_TEXT_BYTES`.
    #[error("the file holds more than {limit} bytes of text")]
    TextTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The reader of a workbook (a process of its own) crashed, ran out of its memory or its
    /// time: the file is refused, the server goes on.
    #[error("the file could not be read")]
    Unreadable,
    /// A ZIP that is not a readable workbook, or a workbook with no sheet.
    #[error("the XLSX file cannot be read")]
    BadWorkbook,
    /// No row in the first `HEADER_SEARCH_ROWS` names a number column and another known one.
    #[error("no header row with known column names (order, posting or tracking number, status)")]
    NoHeaderRow,
}

/// What kind of file it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Delimited text.
    Csv {
        /// How its bytes were read.
        encoding: Encoding,
        /// `;`, `,` or tab.
        separator: char,
    },
    /// An Excel workbook.
    Xlsx,
}

/// A file read into rows of text, with its header row found; serialised, it is what the
/// workbook reader's process hands back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sheet {
    /// What the file was.
    pub format: Format,
    /// The header row's line, from 1.
    pub header_line: usize,
    /// The header row's cells.
    pub header: Vec<String>,
    /// The rows after the header, each with its line.
    pub rows: Vec<sheet::Row>,
}

pub use sheet::Row;

/// A file read and its rows made into shipments under the mapping its header suggests.
#[derive(Debug, Clone)]
pub struct Import {
    /// The file's rows, as text.
    pub sheet: Sheet,
    /// Which column is which field; a manual mapping step may change it and call `Sheet::lines`.
    pub mapping: Mapping,
    /// What each non-empty row became.
    pub lines: Vec<Line>,
}

/// Reads a file into rows and finds its header row.
///
/// # Errors
/// `FileError` for a file too large, too long, too wide, in an unknown encoding or format, or
/// with no recognisable header row.
pub fn read(bytes: &[u8]) -> Result<Sheet, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            limit: MAX_FILE_BYTES,
        });
    }
    if is_workbook(bytes) {
        // calamine parses a stranger's XML: should it panic (under `panic = "abort"`, the
        // process ends) or need more memory than it may have, only its own process goes, the
        // server's `sheet_reader` reads it so.
        return std::panic::catch_unwind(|| xlsx::read(bytes))
            .unwrap_or(Err(FileError::BadWorkbook));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(FileError::UnsupportedFormat);
    }
    let (text, encoding) = decode::decode(bytes)?;
    sheet::read_csv(&text, encoding)
}

/// Whether `bytes` are a ZIP, as an XLSX workbook is.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads a file and makes each row a shipment under the mapping its header suggests.
///
/// # Errors
/// As `read`.
pub fn parse(bytes: &[u8]) -> Result<Import, FileError> {
    let sheet = read(bytes)?;
    let mapping = Mapping::detect(&sheet.header);
    let lines = sheet.lines(&mapping);
    Ok(Import {
        sheet,
        mapping,
        lines,
    })
}

impl Sheet {
    /// Makes each non-empty row a shipment, a repeat or a refusal under `mapping`.
    pub fn lines(&self, mapping: &Mapping) -> Vec<Line> {
        row::lines(&self.rows, mapping)
    }
}
