//! A spreadsheet's import as the console shows it: the server's preview and progress read as
//! `POST/GET /api/v1/seller/imports…` write them, every refusal and file error in the seller's
//! words, the manual mapping sent back as `?mapping=`, and the bounded schedule the progress is
//! polled on.

use crate::api::ApiError;
use crate::words::{self, Word};
use serde::Deserialize;
use serde_json::Value;
use trackline::i18n::Lang;

/// A column of the file and the field it fills.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Column {
    /// Its place, from 0.
    pub index: usize,
    /// Its header, as the file has it.
    #[serde(default)]
    pub header: String,
    /// The field's wire name; none for a column not imported.
    #[serde(default)]
    pub field: Option<String>,
}

/// How many rows of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Counts {
    /// Shipments to create.
    #[serde(default)]
    pub created: usize,
    /// Shipments to change.
    #[serde(default)]
    pub changed: usize,
    /// Rows that say what is stored.
    #[serde(default)]
    pub unchanged: usize,
    /// Rows that repeat an earlier one.
    #[serde(default)]
    pub repeated: usize,
    /// Rows refused.
    #[serde(default)]
    pub refused: usize,
}

impl Counts {
    /// Whether applying would write anything.
    pub fn writes(&self) -> bool {
        self.created + self.changed > 0
    }
}

/// A row that creates a shipment, or leaves one as it is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Row {
    /// Its line, from 1.
    pub line: usize,
    /// The seller's reference.
    #[serde(default)]
    pub reference: String,
}

/// A row that changes a stored shipment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Changed {
    /// Its line, from 1.
    pub line: usize,
    /// The seller's reference.
    #[serde(default)]
    pub reference: String,
    /// The fields that change, by wire name.
    #[serde(default)]
    pub changes: Vec<String>,
}

/// A row that repeats an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Repeated {
    /// Its line, from 1.
    pub line: usize,
    /// The line it repeats.
    #[serde(default)]
    pub first_line: usize,
}

/// A row refused, and why (kept as sent: a newer server's reasons are shown by their code).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Refused {
    /// Its line, from 1.
    pub line: usize,
    /// `{reason, …}`.
    #[serde(default)]
    pub refusal: Value,
}

/// What an import would do, before anything is written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Preview {
    /// The import's id, for applying it.
    pub id: String,
    /// `csv` or `xlsx`.
    #[serde(default)]
    pub format: String,
    /// Every column of the header row.
    #[serde(default)]
    pub columns: Vec<Column>,
    /// How many of each.
    #[serde(default)]
    pub counts: Counts,
    /// Rows that create a shipment.
    #[serde(default)]
    pub created: Vec<Row>,
    /// Rows that change one.
    #[serde(default)]
    pub changed: Vec<Changed>,
    /// Rows that change nothing.
    #[serde(default)]
    pub unchanged: Vec<Row>,
    /// Rows that repeat an earlier line.
    #[serde(default)]
    pub repeated: Vec<Repeated>,
    /// Rows refused.
    #[serde(default)]
    pub refused: Vec<Refused>,
}

/// How far an import's application is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Progress {
    /// `previewed`, `applying`, `applied` or `failed`.
    #[serde(default)]
    pub state: String,
    /// Rows handled so far.
    #[serde(default)]
    pub done: i64,
    /// Rows to write.
    #[serde(default)]
    pub total: i64,
}

impl Progress {
    /// Whether the job has ended, well or not: polling stops.
    pub fn ended(&self) -> bool {
        matches!(self.state.as_str(), "applied" | "failed")
    }
}

/// Why a file was not previewed: a file the server could not take (its code), or a call that
/// failed as any other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// `file_…` or `unsupported_type`, as the server named it.
    File(String),
    /// Any other failure.
    Api(ApiError),
}

impl ImportError {
    /// The error of a failed answer: a file's code when the body names one, else as
    /// `ApiError::of` reads it.
    pub fn of(status: u16, retry_after: Option<&str>, body: &str) -> ImportError {
        let code = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|json| json.get("error")?.as_str().map(str::to_owned))
            .filter(|code| code.starts_with("file_") || looked_up(&FILE_ERRORS, code).is_some());
        match code {
            Some(code) => ImportError::File(code.chars().take(60).collect()),
            // A 413 from a proxy in front, with a body of its own, is still a file too large.
            None if status == 413 => ImportError::File("file_too_large".to_owned()),
            None => ImportError::Api(ApiError::of(status, retry_after, body)),
        }
    }
}

/// The fields a column can fill, by wire name, in the order the selects offer them.
pub const FIELDS: [&str; 15] = [
    "reference",
    "shipment_number",
    "order_number",
    "tracking_number",
    "status",
    "exception",
    "status_text",
    "carrier",
    "estimated_delivery",
    "pickup_point_name",
    "pickup_point_address",
    "pickup_code",
    "storage_until",
    "phone",
    "postcode",
];

/// A field's name in the seller's words; none for a name the console does not know.
pub fn field_word(field: &str) -> Option<Word> {
    Some(match field {
        "reference" => Word::FieldReference,
        "shipment_number" => Word::ShipmentNumber,
        "order_number" => Word::OrderNumber,
        "tracking_number" => Word::TrackingNumber,
        "status" => Word::FieldStatus,
        "exception" => Word::ExceptionLabel,
        "status_text" => Word::StatusText,
        "carrier" => Word::Carrier,
        "estimated_delivery" => Word::FieldEstimatedDelivery,
        "pickup_point_name" => Word::FieldPickupPointName,
        "pickup_point_address" => Word::FieldPickupPointAddress,
        "pickup_code" => Word::FieldPickupCode,
        "storage_until" => Word::FieldStorageUntil,
        "phone" => Word::FieldPhone,
        "postcode" => Word::FieldPostcode,
        // What a change names beyond the columns' fields.
        "stage" => Word::MoveToStage,
        "pickup_point" => Word::ChangePickupPoint,
        "buyer_check" => Word::ChangeBuyerCheck,
        _ => return None,
    })
}

/// A field (or a change) named in `lang`, or by its code when the console does not know it.
pub fn field_text(lang: Lang, field: &str) -> String {
    field_word(field).map_or_else(
        || field.chars().take(60).collect(),
        |word| words::text(lang, word).to_owned(),
    )
}

/// A refusal's reason code and its word.
pub const REASONS: [(&str, Word); 12] = [
    ("no_reference_column", Word::ReasonNoReferenceColumn),
    ("no_reference", Word::ReasonNoReference),
    ("bad_reference", Word::ReasonBadReference),
    ("bad_number", Word::ReasonBadNumber),
    ("no_status", Word::ReasonNoStatus),
    ("unknown_status", Word::ReasonUnknownStatus),
    ("bad_date", Word::ReasonBadDate),
    ("too_long", Word::ReasonTooLong),
    ("bad_phone", Word::ReasonBadPhone),
    ("bad_postcode", Word::ReasonBadPostcode),
    ("conflict", Word::ReasonConflict),
    ("invalid", Word::ReasonInvalid),
];

/// What is wrong with a number (`bad_number`'s `problem`) and its word.
pub const NUMBER_PROBLEMS: [(&str, Word); 5] = [
    ("empty", Word::NumberEmpty),
    ("too_long", Word::NumberTooLong),
    ("bad_characters", Word::NumberBadCharacters),
    ("mistyped", Word::NumberMistyped),
    ("unknown_country", Word::NumberUnknownCountry),
];

/// A file error's code and its word.
pub const FILE_ERRORS: [(&str, Word); 14] = [
    ("file_empty", Word::FileEmpty),
    ("file_too_large", Word::FileTooLarge),
    ("file_too_many_rows", Word::FileTooManyRows),
    ("file_row_too_wide", Word::FileRowTooWide),
    ("file_unknown_encoding", Word::FileUnknownEncoding),
    ("file_unsupported_format", Word::FileUnsupportedFormat),
    ("file_unpacks_too_large", Word::FileUnpacksTooLarge),
    ("file_text_too_large", Word::FileTextTooLarge),
    ("file_unreadable", Word::FileUnreadable),
    ("file_bad_workbook", Word::FileBadWorkbook),
    ("file_no_header_row", Word::FileNoHeaderRow),
    ("unsupported_type", Word::FileWrongType),
    ("file_too_many_cells", Word::FileTooManyCells),
    ("import_reader_busy", Word::ImportReaderBusy),
];

fn looked_up(table: &[(&str, Word)], code: &str) -> Option<Word> {
    table
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, word)| *word)
}

/// A cell's text as a refusal quotes it: short, on one line.
fn quoted(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(80)
            .collect(),
        Some(Value::Number(number)) => number.to_string(),
        _ => "?".to_owned(),
    }
}

/// A refusal told in `lang`; a reason this console does not know is shown by its code.
pub fn reason_text(lang: Lang, refusal: &Value) -> String {
    let code = refusal.get("reason").and_then(Value::as_str).unwrap_or("?");
    let Some(word) = looked_up(&REASONS, code) else {
        return code.chars().take(60).collect();
    };
    let field = refusal
        .get("field")
        .and_then(Value::as_str)
        .map_or_else(|| "?".to_owned(), |field| field_text(lang, field));
    let problem = refusal.get("problem").and_then(Value::as_str).map_or_else(
        || "?".to_owned(),
        |problem| {
            looked_up(&NUMBER_PROBLEMS, problem).map_or_else(
                || problem.chars().take(60).collect(),
                |word| words::text(lang, word).to_owned(),
            )
        },
    );
    words::fill(
        lang,
        word,
        &[
            ("field", &field),
            ("problem", &problem),
            ("text", &quoted(refusal.get("text"))),
            ("max", &quoted(refusal.get("max"))),
            ("line", &quoted(refusal.get("first_line"))),
            ("path", &quoted(refusal.get("path"))),
        ],
    )
}

/// A file error told in `lang`; one this console does not know says the file could not be
/// read, with its code.
pub fn file_error_text(lang: Lang, code: &str) -> String {
    match looked_up(&FILE_ERRORS, code) {
        Some(word) => words::text(lang, word).to_owned(),
        None => format!("{} ({code})", words::text(lang, Word::FileUnreadable)),
    }
}

/// The content type a picked file is sent with: the browser's when it is one the server takes,
/// else by the name's extension (browsers give none for many a `.csv`, and Excel's own type
/// for it on Windows); CSV when neither says.
pub fn content_type(name: &str, given: &str) -> &'static str {
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const TAKEN: [&str; 6] = [
        "text/csv",
        "application/csv",
        "text/plain",
        "text/tab-separated-values",
        "application/vnd.ms-excel",
        XLSX,
    ];
    let name = name.to_ascii_lowercase();
    if name.ends_with(".xlsx") {
        return XLSX;
    }
    if name.ends_with(".tsv") {
        return "text/tab-separated-values";
    }
    let given = given.trim().to_ascii_lowercase();
    match TAKEN.iter().find(|taken| **taken == given) {
        Some(taken) => taken,
        None if name.ends_with(".csv") || name.ends_with(".txt") => "text/csv",
        // An `.xls`, or a file the browser does not know: its bytes, and the server says what
        // it is.
        None if given.is_empty() || name.ends_with(".xls") => "application/octet-stream",
        // A picture, say: the server refuses its type, in words.
        None => "application/x-unsupported",
    }
}

/// The fields the preview's columns fill, one entry per column by its index.
pub fn mapping_of(columns: &[Column]) -> Vec<Option<String>> {
    let len = columns.iter().map(|c| c.index + 1).max().unwrap_or(0);
    let mut chosen = vec![None; len];
    for column in columns {
        chosen[column.index] = column.field.clone();
    }
    chosen
}

/// The seller chose `field` for the column at `index`: as the server does, a field fills one
/// column, so any other column that had it is left out.
pub fn choose(chosen: &mut [Option<String>], index: usize, field: Option<String>) {
    let Some(slot) = chosen.get_mut(index) else {
        return;
    };
    *slot = None;
    if let Some(field) = &field {
        for other in chosen.iter_mut() {
            if other.as_ref() == Some(field) {
                *other = None;
            }
        }
    }
    chosen[index] = field;
}

/// The query string (`?` included) that sends the chosen mapping: every column, `field:index`
/// or `none:index`, so that the server's guess is overridden whole (a header of 256 columns
/// stays within the server's 4 000 characters).
pub fn mapping_query(chosen: &[Option<String>]) -> String {
    let pairs = chosen
        .iter()
        .enumerate()
        .map(|(index, field)| format!("{}:{index}", field.as_deref().unwrap_or("none")))
        .collect::<Vec<_>>()
        .join(",");
    if pairs.is_empty() {
        return String::new();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("mapping", &pairs)
        .finish();
    format!("?{query}")
}

/// The most times the progress is asked for before the page stops asking (the job goes on).
pub const MAX_POLLS: u32 = 100;
/// The first wait before asking, in milliseconds.
const FIRST_WAIT_MS: u32 = 500;
/// The longest wait between two asks.
const LONGEST_WAIT_MS: u32 = 5_000;

/// How long to wait before the `poll`th ask (from 0), growing by half each time up to five
/// seconds; none once `MAX_POLLS` were made (about eight minutes in all).
pub fn poll_wait_ms(poll: u32) -> Option<u32> {
    if poll >= MAX_POLLS {
        return None;
    }
    let mut wait = FIRST_WAIT_MS;
    for _ in 0..poll.min(10) {
        wait = (wait + wait / 2).min(LONGEST_WAIT_MS);
    }
    Some(wait)
}
