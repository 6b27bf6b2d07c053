//! A seller's spreadsheet imported: previewed, then applied on the server.
//!
//! `POST /api/v1/seller/imports` reads the file (`sheet_reader`: a workbook in a process of its
//! own), maps its columns (the guess, or the seller's `mapping`), and compares each row with
//! the seller's stored shipment under the row's reference (`import::plan`): created, changed
//! (with what), unchanged, a repeat of an earlier line, or refused (line and reason). The
//! preview is kept an hour under an id, sealed (it holds buyers' phone digits and postcodes).
//! `POST …/{id}/apply` writes its rows in a job of the server's, each through `updates` as a
//! `PUT` would (webhooks and notifications follow), whatever becomes of the seller's session;
//! `GET …/{id}` tells how far it is.
//!
//! What one seller may hold of a server many share: one file read at a time (`sheet_reader`),
//! its newest `IMPORTS_KEPT` imports kept, and one applied at a time.
//!
//! Rows are keyed by the seller's reference, as the import reads it (`import`'s module doc):
//! two files that key one shipment by different columns make two shipments. Applying compares
//! each row again with what is stored then and writes only what changes, so applying twice,
//! the same file twice, or a job taken up again after its instance died, changes nothing more.

use super::auth::Seller;
use super::error::ApiError;
use super::import_job::{self, checks_differ, kept_factor, Planned};
use crate::http::state::SharedState;
use crate::import::{self, Field, FileError, Line, Mapping, Outcome, Plan, Refusal, Sheet};
use crate::seller_input::Invalid;
use crate::store::imports::{KeptImport, NewImport, Start};
use crate::store::sellers::SellerId;
use crate::store::{new_id, now_ms, Store, StoreError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use trackline_core::second_factor::SecondFactor;
use trackline_core::time::format_rfc3339;
use utoipa::{IntoParams, ToSchema};

/// How long a preview is kept for its application.
pub const PREVIEW_KEPT_MS: i64 = 60 * 60 * 1000;
/// How long an applied (or applying) import's progress is kept to be read.
const PROGRESS_KEPT_MS: i64 = 24 * 60 * 60 * 1000;
/// A job applying an import that has not shown it lives for this long died with its instance:
/// applying the import again takes it up where it stopped.
const DEAD_AFTER_MS: i64 = 60 * 1000;
/// How many of a seller's imports are kept (the one being applied apart): the oldest beyond
/// are forgotten. The console sends the file again for each change of its manual mapping, so
/// a cap that refused the next preview would lock out a seller who remapped a few times.
const IMPORTS_KEPT: i64 = 5;
/// The longest `mapping` taken: a few hundred columns' worth.
const MAX_MAPPING: usize = 4000;
/// The content types a file may come as (browsers send Excel's for a `.csv` on Windows, and
/// no type they know for a file they do not).
const FILE_TYPES: [&str; 7] = [
    "text/csv",
    "application/csv",
    "text/plain",
    "text/tab-separated-values",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
];

/// The import's routes.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/api/v1/seller/imports",
            // The file is the body: up to the importer's own limit (axum's default is 2 MB).
            post(preview_import).layer(DefaultBodyLimit::max(import::MAX_FILE_BYTES)),
        )
        .route("/api/v1/seller/imports/{id}", get(import_progress))
        .route("/api/v1/seller/imports/{id}/apply", post(apply_import))
}

/// The preview's query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    /// Columns mapped by hand over the guess, `field:column` pairs joined by commas (columns
    /// count from 0, as the preview's `columns` lists them; `none:3` leaves column 3 out):
    /// `reference:0,status:4,none:7`.
    #[param(max_length = 4000, example = "reference:0,status:4")]
    mapping: Option<String>,
}

/// One column of the file, and the field it fills.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewColumn {
    /// Its place, from 0.
    pub index: usize,
    /// Its header, as the file has it.
    pub header: String,
    /// The field it fills (`order_number`, `status`, …); null for a column not imported.
    #[schema(value_type = Option<String>)]
    pub field: Option<Field>,
}

/// A row that creates a shipment, or leaves one as it is.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewRow {
    /// Its line (CSV) or row (XLSX), from 1.
    pub line: usize,
    /// The seller's reference it is written under.
    pub reference: String,
}

/// A row that changes a stored shipment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangedRow {
    /// Its line (CSV) or row (XLSX), from 1.
    pub line: usize,
    /// The seller's reference.
    pub reference: String,
    /// The fields that change (`stage`, `carrier`, `buyer_check`, …).
    pub changes: Vec<String>,
}

/// A row that repeats an earlier one (Ozon's reports have a line per item of a posting).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RepeatedRow {
    /// Its line, from 1.
    pub line: usize,
    /// The line it repeats.
    pub first_line: usize,
}

/// A row not imported, and why.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RefusedRow {
    /// Its line (CSV) or row (XLSX), from 1.
    pub line: usize,
    /// Why: `reason` (`no_reference`, `bad_number`, `no_status`, `unknown_status`,
    /// `bad_date`, `too_long`, `bad_phone`, `bad_postcode`, `conflict`, `invalid`, …) and
    /// what it concerns (`field`, `text`, `problem`, `first_line`, `max`, `path`).
    #[schema(value_type = Object)]
    pub refusal: serde_json::Value,
}

/// How many rows of each kind.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct PreviewCounts {
    /// Shipments to create.
    pub created: usize,
    /// Shipments to change.
    pub changed: usize,
    /// Rows that say what is stored.
    pub unchanged: usize,
    /// Rows that repeat an earlier one.
    pub repeated: usize,
    /// Rows refused.
    pub refused: usize,
}

/// What an import would do, before anything is written.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportPreview {
    /// The import's id, for applying it.
    pub id: String,
    /// Until when it can be applied (RFC 3339).
    pub expires_at: String,
    /// `csv` or `xlsx`.
    pub format: String,
    /// How a CSV's bytes were read (`utf8`, `utf8_bom`, `utf16`, `windows1251`).
    pub encoding: Option<String>,
    /// A CSV's separator.
    pub separator: Option<String>,
    /// The header row's line, from 1.
    pub header_line: usize,
    /// Every column of the header row and the field it fills: a page offers these for a
    /// manual mapping, sent back as `mapping`.
    pub columns: Vec<PreviewColumn>,
    /// The field rows are keyed by (`reference`, `shipment_number`, `order_number`,
    /// `tracking_number`); null when the file has none of them.
    #[schema(value_type = Option<String>)]
    pub keyed_by: Option<Field>,
    /// How many rows of each kind.
    pub counts: PreviewCounts,
    /// Rows that create a shipment.
    pub created: Vec<PreviewRow>,
    /// Rows that change one, with what.
    pub changed: Vec<ChangedRow>,
    /// Rows that change nothing (not written).
    pub unchanged: Vec<PreviewRow>,
    /// Rows that repeat an earlier line.
    pub repeated: Vec<RepeatedRow>,
    /// Rows refused, with their reasons.
    pub refused: Vec<RefusedRow>,
}

/// How far an import's application is.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProgress {
    /// The import's id.
    pub id: String,
    /// `previewed`, `applying`, `applied` or `failed` (apply it again to resume).
    pub state: String,
    /// Rows handled so far.
    pub done: i64,
    /// Rows to write (created and changed in the preview).
    pub total: i64,
    /// Why applying stopped, when it failed.
    pub failure: Option<String>,
    /// The rows refused by the preview.
    pub refused: Vec<RefusedRow>,
}

fn invalid(field: &str, reason: impl Into<String>) -> ApiError {
    ApiError::Invalid(Invalid {
        field: field.to_owned(),
        reason: reason.into(),
    })
}

/// The mapping the header suggests, with the seller's pairs over it.
fn mapping_of(sheet: &Sheet, asked: Option<&str>) -> Result<Mapping, ApiError> {
    let mut mapping = Mapping::detect(&sheet.header);
    let Some(asked) = asked.filter(|a| !a.trim().is_empty()) else {
        return Ok(mapping);
    };
    let refused = || {
        invalid(
            "mapping",
            "field:column pairs joined by commas, columns from 0 as `columns` lists them",
        )
    };
    if asked.len() > MAX_MAPPING {
        return Err(refused());
    }
    for pair in asked.split(',') {
        let (name, column) = pair.trim().split_once(':').ok_or_else(refused)?;
        let index: usize = column.trim().parse().map_err(|_| refused())?;
        if index >= sheet.header.len() {
            return Err(refused());
        }
        let field = match name.trim() {
            "none" => None,
            name => Some(
                serde_json::from_value::<Field>(serde_json::Value::String(name.to_owned()))
                    .map_err(|_| invalid("mapping", format!("no field is called {name:?}")))?,
            ),
        };
        mapping.set(index, field);
    }
    Ok(mapping)
}

/// Compares the file's rows with the seller's stored shipments: the preview, and the rows to
/// write.
async fn compare(
    store: &Store,
    seller: SellerId,
    lines: Vec<Line>,
) -> Result<(PreviewCounts, Vec<PreviewEntry>, Vec<Planned>), StoreError> {
    let references: Vec<&str> = lines
        .iter()
        .filter_map(|line| match &line.outcome {
            Outcome::Shipment(imported) => Some(imported.reference.as_str()),
            _ => None,
        })
        .collect();
    let stored = store.shipments_by_reference(seller, &references).await?;
    let mut counts = PreviewCounts::default();
    let mut entries = Vec::with_capacity(lines.len());
    let mut planned = Vec::new();
    for Line { line, outcome } in lines {
        let entry = match outcome {
            Outcome::Refused(refusal) => {
                counts.refused += 1;
                PreviewEntry::Refused(line, refusal)
            }
            Outcome::Repeat { first_line } => {
                counts.repeated += 1;
                PreviewEntry::Repeated(line, first_line)
            }
            Outcome::Shipment(imported) => {
                let kept = stored.get(&imported.reference);
                let differ = kept.is_some_and(|k| checks_differ(store, k, &imported.factors));
                let plan = import::plan(kept.map(|k| &k.shipment), &imported.shipment, differ);
                match plan {
                    Plan::Unchanged => {
                        counts.unchanged += 1;
                        PreviewEntry::Unchanged(line, imported.reference)
                    }
                    plan => {
                        planned.push(Planned {
                            reference: imported.reference.clone(),
                            shipment: imported.shipment.clone(),
                            phone: kept_factor(&imported.factors, SecondFactor::PhoneLast4),
                            postcode: kept_factor(&imported.factors, SecondFactor::Postcode),
                        });
                        match plan {
                            Plan::Change { changes, .. } => {
                                counts.changed += 1;
                                PreviewEntry::Changed(line, imported.reference, changes)
                            }
                            _ => {
                                counts.created += 1;
                                PreviewEntry::Created(line, imported.reference)
                            }
                        }
                    }
                }
            }
        };
        entries.push(entry);
    }
    Ok((counts, entries, planned))
}

/// One row of the preview, before it is sorted into its list.
enum PreviewEntry {
    Created(usize, String),
    Changed(usize, String, Vec<&'static str>),
    Unchanged(usize, String),
    Repeated(usize, usize),
    Refused(usize, Refusal),
}

fn refused_row(line: usize, refusal: &Refusal) -> RefusedRow {
    RefusedRow {
        line,
        refusal: serde_json::to_value(refusal).unwrap_or(serde_json::Value::Null),
    }
}

/// `POST /api/v1/seller/imports`: reads a file and shows what importing it would do.
///
/// # Errors
/// 401 without a valid token; 413 for a file over 50 MiB; 415 for a body of another type; 422
/// for a file that cannot be read (its code says why) or a `mapping` that cannot be taken; 429
/// while another file of the seller's is being read.
#[utoipa::path(
    post,
    path = "/api/v1/seller/imports",
    tag = "seller",
    summary = "Preview importing a CSV or XLSX file of shipments: what each row would create, change or leave, and what is refused",
    description = "The body is the file itself (`Content-Type: text/csv` or the XLSX type; up to 50 MiB): CSV in UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1251, `;` `,` or tab separated; or an XLSX workbook. Its header row is found among the first 20 rows and mapped by the usual column names in Russian, English and Chinese; `columns` says which column fills which field, and `mapping` sets them by hand. Rows are keyed by the seller's reference (an explicit reference column, else the posting, order or tracking number) and compared with the stored shipments; nothing is written until the import is applied (`POST /api/v1/seller/imports/{id}/apply`), within an hour.",
    params(PreviewQuery),
    request_body(content = Vec<u8>, content_type = "text/csv", description = "The file: CSV or XLSX (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)."),
    responses(
        (status = 200, description = "What importing it would do.", body = ImportPreview),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A write in a session without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 413, description = "The file is over 50 MiB (file_too_large).", body = trackline_core::ErrorBody),
        (status = 415, description = "The body is neither CSV nor XLSX (unsupported_type).", body = trackline_core::ErrorBody),
        (status = 422, description = "The file cannot be read: file_empty, file_unknown_encoding, file_unsupported_format (an .xls), file_no_header_row, file_too_many_rows, file_row_too_wide, file_too_many_cells, file_unpacks_too_large, file_text_too_large, file_bad_workbook, file_unreadable (its reader crashed or ran out of time or memory); or invalid (`mapping`).", body = trackline_core::ErrorBody),
        (status = 429, description = "Another file of this seller's is being read (import_reader_busy): send this one again after `Retry-After` seconds.", body = trackline_core::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn preview_import(
    State(state): State<SharedState>,
    Seller(seller): Seller,
    headers: HeaderMap,
    query: Result<Query<PreviewQuery>, axum::extract::rejection::QueryRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    if !content_type.is_some_and(|t| FILE_TYPES.contains(&t.as_str())) {
        return Err(ApiError::UnsupportedType(
            "send the file as the body, with Content-Type text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ));
    }
    let Query(query) = query.map_err(|rejection| invalid("mapping", rejection.body_text()))?;
    // Held until the preview is kept: one file of a seller's in the server at a time.
    let _turn = state
        .sheets
        .turn(seller.0)
        .ok_or(ApiError::ImportReaderBusy)?;
    let body = Bytes::from_request(request, &()).await;
    let body = body.map_err(|rejection: BytesRejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::File(FileError::TooLarge {
                limit: import::MAX_FILE_BYTES,
            })
        } else {
            ApiError::File(FileError::Unreadable)
        }
    })?;
    let sheet = state
        .sheets
        .read(Vec::from(body))
        .await
        .map_err(ApiError::File)?;
    let mapping = mapping_of(&sheet, query.mapping.as_deref())?;
    let lines = sheet.lines(&mapping);
    let (counts, entries, planned) = compare(&state.store, seller, lines).await?;
    let id = new_id()?;
    let expires_ms = now_ms() + PREVIEW_KEPT_MS;
    let (format, encoding, separator) = match sheet.format {
        import::Format::Csv {
            encoding,
            separator,
        } => (
            "csv",
            serde_json::to_value(encoding)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned)),
            Some(separator.to_string()),
        ),
        import::Format::Xlsx => ("xlsx", None, None),
    };
    let mut preview = ImportPreview {
        id: id.to_string(),
        expires_at: format_rfc3339(expires_ms),
        format: format.to_owned(),
        encoding,
        separator,
        header_line: sheet.header_line,
        columns: mapping
            .columns
            .iter()
            .map(|c| PreviewColumn {
                index: c.index,
                header: c.header.clone(),
                field: c.field,
            })
            .collect(),
        keyed_by: mapping.reference_field(),
        counts,
        created: Vec::new(),
        changed: Vec::new(),
        unchanged: Vec::new(),
        repeated: Vec::new(),
        refused: Vec::new(),
    };
    for entry in entries {
        match entry {
            PreviewEntry::Created(line, reference) => {
                preview.created.push(PreviewRow { line, reference });
            }
            PreviewEntry::Changed(line, reference, changes) => {
                preview.changed.push(ChangedRow {
                    line,
                    reference,
                    changes: changes.into_iter().map(str::to_owned).collect(),
                });
            }
            PreviewEntry::Unchanged(line, reference) => {
                preview.unchanged.push(PreviewRow { line, reference });
            }
            PreviewEntry::Repeated(line, first_line) => {
                preview.repeated.push(RepeatedRow { line, first_line });
            }
            PreviewEntry::Refused(line, refusal) => {
                preview.refused.push(refused_row(line, &refusal));
            }
        }
    }
    let text = serde_json::to_string(&preview).map_err(|e| ApiError::Internal(e.to_string()))?;
    let rows = serde_json::to_string(&planned).map_err(|e| ApiError::Internal(e.to_string()))?;
    state
        .store
        .keep_import(
            seller,
            NewImport {
                id,
                expires_ms,
                total: i64::try_from(planned.len()).unwrap_or(i64::MAX),
                preview: &text,
                planned: &rows,
                kept_at_most: IMPORTS_KEPT,
            },
        )
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

/// The id in the path: another seller's, or none, is no import.
fn import_id(Path(id): Path<String>) -> Result<i64, ApiError> {
    id.parse::<i64>().map_err(|_| ApiError::ImportNotFound)
}

fn progress(id: i64, kept: &KeptImport) -> ImportProgress {
    let refused = serde_json::from_str::<ImportPreview>(&kept.preview)
        .map(|preview| preview.refused)
        .unwrap_or_default();
    ImportProgress {
        id: id.to_string(),
        state: kept.state.as_str().to_owned(),
        done: kept.done,
        total: kept.total,
        failure: kept.failure.clone(),
        refused,
    }
}

/// `GET /api/v1/seller/imports/{id}`: how far the seller's import is.
///
/// # Errors
/// 401 without a valid token, 404 when this seller has no such import.
#[utoipa::path(
    get,
    path = "/api/v1/seller/imports/{id}",
    tag = "seller",
    summary = "Read how far the seller's import is applied",
    params(("id" = String, Path, description = "The import's id, from its preview.")),
    responses(
        (status = 200, description = "Its state and progress.", body = ImportProgress),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 404, description = "This seller has no such import, or its preview expired (import_not_found).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn import_progress(
    State(store): State<Store>,
    Seller(seller): Seller,
    id: Path<String>,
) -> Result<Response, ApiError> {
    let id = import_id(id)?;
    let kept = store
        .kept_import(seller, id)
        .await?
        .ok_or(ApiError::ImportNotFound)?;
    Ok(Json(progress(id, &kept)).into_response())
}

/// `POST /api/v1/seller/imports/{id}/apply`: writes the import's rows in a job of the server's.
///
/// # Errors
/// 401 without a valid token, 404 when this seller has no such import (or it expired), 409
/// while another of the seller's imports is being applied.
#[utoipa::path(
    post,
    path = "/api/v1/seller/imports/{id}/apply",
    tag = "seller",
    summary = "Apply the seller's previewed import: its rows are written on the server, each as a PUT would",
    description = "Answers at once (202) while a job of the server's writes the rows (`GET /api/v1/seller/imports/{id}` tells how far): the job goes on whatever becomes of the caller. Each row is compared again with what is stored then and written only if it changes something, through the same write as `PUT /api/v1/seller/shipments/{reference}` (webhooks and notifications follow): applying twice, or importing the same file again, changes nothing more. An import whose job failed or died with its instance is taken up again by applying it again.",
    params(("id" = String, Path, description = "The import's id, from its preview.")),
    responses(
        (status = 202, description = "Being applied (or applied already): its progress.", body = ImportProgress),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A write in a session without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 404, description = "This seller has no such import, or its preview expired (import_not_found).", body = trackline_core::ErrorBody),
        (status = 409, description = "Another import of this seller's is being applied (import_running): a seller's imports are applied one at a time.", body = trackline_core::ErrorBody),
        (status = 429, description = "100 000 webhook deliveries and notifications of this seller wait to be sent (rate_limited; Retry-After): nothing applied. A job under way pauses, as long as that lasts, before its next thousand rows.", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn apply_import(
    State(store): State<Store>,
    Seller(seller): Seller,
    id: Path<String>,
) -> Result<Response, ApiError> {
    let id = import_id(id)?;
    let kept = store
        .kept_import(seller, id)
        .await?
        .ok_or(ApiError::ImportNotFound)?;
    // As the bulk PUT: a file of 100 000 rows could queue millions of deliveries and pushes.
    super::seller_list::room_to_tell(&store, seller).await?;
    let dead_before = now_ms() - DEAD_AFTER_MS;
    match store
        .start_applying(seller, id, dead_before, PROGRESS_KEPT_MS)
        .await?
    {
        Start::Started => {
            let planned: Vec<Planned> =
                serde_json::from_str(&kept.planned).map_err(StoreError::from)?;
            import_job::spawn(store.clone(), seller, id, planned);
        }
        Start::Held => {}
        // One job a seller: a seller's many imports applied at once would each hold a share of
        // the database's writers.
        Start::AnotherRunning => return Err(ApiError::ImportRunning),
    }
    let kept = store
        .kept_import(seller, id)
        .await?
        .ok_or(ApiError::ImportNotFound)?;
    Ok((StatusCode::ACCEPTED, Json(progress(id, &kept))).into_response())
}
