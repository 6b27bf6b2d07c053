//! The seller's shipments as a list, and written many at once.
//!
//! `GET /api/v1/seller/shipments` lists the seller's own shipments, filtered, sorted, a page at
//! a time after an opaque cursor, with counts per stage; `PUT /api/v1/seller/shipments` writes up
//! to `MAX_BULK` shipments, each as one `PUT …/{reference}` would, many to a transaction
//! (`updates::put_many`).

use super::auth::Seller;
use super::error::ApiError;
use super::json::Strict;
use crate::http::state::{SellerReads, SharedState};
use crate::provider::Provider;
use crate::seller_input::{self, Invalid, ShipmentInput};
use crate::store::seller_shipments::Written;
use crate::store::shipment_list::{
    ExceptionFilter, ListFilter, ListOrder, Listed, NumberSearch, Position, Range, StaleAt,
};
use crate::store::shipment_rows::normalised;
use crate::store::{now_ms, Store};
use crate::updates;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trackline_core::time::parse_rfc3339;
use trackline_core::{Exception, Shipment, Stage};
use utoipa::{IntoParams, ToSchema};

/// Shipments on a page when the request names no `limit`.
pub const DEFAULT_LIMIT: usize = 50;
/// The most shipments on one page.
pub const MAX_LIMIT: usize = 200;
/// The most shipments one bulk `PUT` writes.
pub const MAX_BULK: usize = 1000;
/// A bulk write is refused while this many messages wait to be sent for the seller (webhook
/// deliveries and buyers' notifications). One bulk of `MAX_BULK` may queue up to 60 000
/// deliveries (20 webhooks, 3 kinds a change) and 50 000 notifications (50 browsers a
/// shipment), each bounded by its cap; a seller alternating stages in a loop could otherwise
/// queue them without end, faster than any receiver takes them.
pub const MAX_WAITING: i64 = 100_000;
/// Whether the seller may queue more messages: `RateLimited` while `MAX_WAITING` of them wait
/// to be sent (a bulk write, an import applied).
///
/// # Errors
/// `RateLimited`, or the store's error.
pub(super) async fn room_to_tell(
    store: &Store,
    seller: crate::store::sellers::SellerId,
) -> Result<(), ApiError> {
    if store.waiting_to_tell(seller).await? >= MAX_WAITING {
        return Err(ApiError::RateLimited {
            wait: std::time::Duration::from_secs(60),
            reason: "100 000 webhook deliveries and notifications of this seller wait to be sent: write more once they are",
        });
    }
    Ok(())
}

/// The longest search text taken: longer than any number or reference.
const MAX_SEARCH: usize = 100;
/// The longest cursor taken: one this server wrote is far shorter.
const MAX_CURSOR: usize = 300;

/// The list's routes.
pub fn routes() -> Router<SharedState> {
    Router::new().route(
        "/api/v1/seller/shipments",
        get(list_shipments).put(put_shipments),
    )
}

/// The list's query, every part optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this stage (`created` … `delivered`).
    stage: Option<String>,
    /// Only this exception (`delayed` … `cancelled`), or `any`, or `none`.
    exception: Option<String>,
    /// `true`: only shipments gone stale (silent for longer than their stage usually takes, as
    /// the widget judges it); `false`: only those that are not.
    #[param(value_type = Option<bool>)]
    stale: Option<String>,
    /// Only shipments polled from this provider (`russian_post`, `cdek`, …).
    provider: Option<String>,
    /// Only shipments with this carrier (its name, any case).
    carrier: Option<String>,
    /// Only shipments first stored at or after this moment (RFC 3339).
    created_from: Option<String>,
    /// Only shipments first stored before this moment (RFC 3339).
    created_to: Option<String>,
    /// Only shipments last written at or after this moment (RFC 3339).
    updated_from: Option<String>,
    /// Only shipments last written before this moment (RFC 3339).
    updated_to: Option<String>,
    /// A number as a buyer would type it (order, posting or shipment, tracking) or the seller's
    /// reference.
    #[param(max_length = 100)]
    q: Option<String>,
    /// `updated` (last written first; the default), `created` (last created first) or
    /// `reference` (A to Z).
    sort: Option<String>,
    /// The `next` of the page before.
    cursor: Option<String>,
    /// Shipments on the page, 1 to 200 (50 when absent).
    #[param(value_type = Option<usize>, minimum = 1, maximum = 200)]
    limit: Option<String>,
}

/// A shipment as the list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedShipment<'a> {
    /// The seller's own reference (absent for the demo's shipments, written without one).
    pub reference: Option<&'a str>,
    /// The shipment as buyers will see it.
    #[schema(value_type = Shipment)]
    pub shipment: &'a Shipment,
}

/// A page of the seller's shipments.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentList<'a> {
    /// The shipments on this page, in the order asked.
    pub shipments: Vec<ListedShipment<'a>>,
    /// The cursor of the next page (pass it as `cursor` with the same query); null on the last.
    pub next: Option<String>,
    /// How many shipments pass the filters, the stage filter aside, per stage (stages with none
    /// left out): the console's tabs.
    pub counts: BTreeMap<String, i64>,
}

fn invalid(field: &str, reason: impl Into<String>) -> Invalid {
    Invalid {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

fn moment(field: &str, value: Option<&str>) -> Result<Option<i64>, Invalid> {
    value
        .map(|v| parse_rfc3339(v).ok_or_else(|| invalid(field, "an RFC 3339 moment with offset")))
        .transpose()
}

fn order_of(sort: Option<&str>) -> Result<ListOrder, Invalid> {
    match sort {
        None | Some("updated") => Ok(ListOrder::Written),
        Some("created") => Ok(ListOrder::Created),
        Some("reference") => Ok(ListOrder::Reference),
        Some(_) => Err(invalid("sort", "one of updated, created, reference")),
    }
}

/// The filter a query asks for, judged at `now`.
fn filter_of(query: &ListQuery, now: i64) -> Result<ListFilter, Invalid> {
    let stage = query
        .stage
        .as_deref()
        .map(|value| {
            let stage = Stage::from_wire(value);
            if stage.is_known() {
                Ok(stage.as_str().to_owned())
            } else {
                let known: Vec<&str> = Stage::KNOWN.iter().map(Stage::as_str).collect();
                Err(invalid("stage", format!("one of {}", known.join(", "))))
            }
        })
        .transpose()?;
    let exception = query
        .exception
        .as_deref()
        .map(|value| match value {
            "any" => Ok(ExceptionFilter::Any),
            "none" => Ok(ExceptionFilter::None),
            kind if Exception::from_wire(kind).is_known() => {
                Ok(ExceptionFilter::Kind(kind.to_owned()))
            }
            _ => {
                let known: Vec<&str> = Exception::KNOWN.iter().map(Exception::as_str).collect();
                Err(invalid(
                    "exception",
                    format!("any, none, or one of {}", known.join(", ")),
                ))
            }
        })
        .transpose()?;
    let provider = query
        .provider
        .as_deref()
        .map(|name| {
            Provider::from_wire(name)
                .map(|provider| provider.as_str().to_owned())
                .ok_or_else(|| {
                    let known: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
                    invalid("provider", format!("one of {}", known.join(", ")))
                })
        })
        .transpose()?;
    let carrier = query
        .carrier
        .as_deref()
        .map(|name| {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > MAX_SEARCH {
                Err(invalid("carrier", "a carrier's name, 1 to 100 characters"))
            } else {
                Ok(name.to_lowercase())
            }
        })
        .transpose()?;
    let search = query
        .q
        .as_deref()
        .map(|typed| {
            let typed = typed.trim();
            if typed.is_empty() || typed.chars().count() > MAX_SEARCH {
                return Err(invalid("q", "a number or reference, 1 to 100 characters"));
            }
            Ok(NumberSearch {
                // As every number is stored: `TrackingQuery`'s normal form where it is one.
                number: normalised(Some(typed)).unwrap_or_default(),
                reference: typed.to_owned(),
            })
        })
        .transpose()?;
    Ok(ListFilter {
        stage,
        exception,
        stale: match query.stale.as_deref() {
            None => None,
            Some("true") => Some(StaleAt {
                stale: true,
                now_ms: now,
            }),
            Some("false") => Some(StaleAt {
                stale: false,
                now_ms: now,
            }),
            Some(_) => return Err(invalid("stale", "true or false")),
        },
        provider,
        carrier,
        created: Range {
            from: moment("created_from", query.created_from.as_deref())?,
            to: moment("created_to", query.created_to.as_deref())?,
        },
        written: Range {
            from: moment("updated_from", query.updated_from.as_deref())?,
            to: moment("updated_to", query.updated_to.as_deref())?,
        },
        search,
    })
}

/// The cursor that resumes after `position`: opaque to clients, it holds only a place in the
/// seller's own list (every statement is scoped to the seller, so a forged one shows no more).
fn cursor_of(position: &Position) -> String {
    let text = match position {
        Position::Moment(moment, id) => format!("m.{moment}.{id}"),
        Position::Reference(Some(reference), id) => format!("r.{id}.{reference}"),
        Position::Reference(None, id) => format!("n.{id}"),
    };
    URL_SAFE_NO_PAD.encode(text)
}

/// The position a cursor holds, if it is one this server wrote for `order`.
fn position_of(cursor: &str, order: ListOrder) -> Result<Position, Invalid> {
    let refused = || {
        invalid(
            "cursor",
            "not a cursor of this list: start again without one",
        )
    };
    if cursor.len() > MAX_CURSOR {
        return Err(refused());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
    let text = String::from_utf8(bytes).map_err(|_| refused())?;
    let (kind, rest) = text.split_once('.').ok_or_else(refused)?;
    let position = match (kind, order) {
        ("m", ListOrder::Written | ListOrder::Created) => {
            let (moment, id) = rest.split_once('.').ok_or_else(refused)?;
            Position::Moment(
                moment.parse().map_err(|_| refused())?,
                id.parse().map_err(|_| refused())?,
            )
        }
        ("r", ListOrder::Reference) => {
            let (id, reference) = rest.split_once('.').ok_or_else(refused)?;
            if reference.is_empty() {
                return Err(refused());
            }
            Position::Reference(
                Some(reference.to_owned()),
                id.parse().map_err(|_| refused())?,
            )
        }
        ("n", ListOrder::Reference) => {
            Position::Reference(None, rest.parse().map_err(|_| refused())?)
        }
        _ => return Err(refused()),
    };
    Ok(position)
}

/// The query, or the parameter it could not read (each is text until checked, so what is
/// refused here is a parameter the list does not know, or one given twice).
fn read_query(query: Result<Query<ListQuery>, QueryRejection>) -> Result<ListQuery, Invalid> {
    query.map(|Query(query)| query).map_err(|rejection| {
        let text = rejection.body_text();
        let field = text
            .split_once("field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map_or("query", |(name, _)| name)
            .chars()
            .take(MAX_SEARCH)
            .collect::<String>();
        invalid(&field, text)
    })
}

/// `GET /api/v1/seller/shipments`: the seller's own shipments, a page at a time.
///
/// # Errors
/// 401 without a valid token, 422 for a parameter that cannot be taken.
#[utoipa::path(
    get,
    path = "/api/v1/seller/shipments",
    tag = "seller",
    summary = "List the seller's own shipments: filtered, searched by number, sorted, a page at a time, counted per stage",
    description = "Pages follow one another by `next` (keyset: a page is as fast deep in the list as at its start, and a shipment written meanwhile is neither skipped nor shown twice in `created` or `reference` order). `counts` counts every shipment through the same filters save `stage`, so that one call fills the console's tabs.",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of the seller's shipments.", body = ShipmentList),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 422, description = "A parameter cannot be taken (invalid, with field).", body = trackline_core::ErrorBody),
        (status = 429, description = "More than 30 reads at once, or 600 a minute, of this seller's list and queues (rate_limited; Retry-After).", body = trackline_core::ErrorBody),
        (status = 503, description = "Shipments stored by an older version are still being given the list's columns (unavailable; Retry-After).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn list_shipments(
    State(store): State<Store>,
    State(reads): State<SellerReads>,
    Seller(seller): Seller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    admit(&reads, seller)?;
    let query = read_query(query)?;
    ready(&store, seller).await?;
    let filter = filter_of(&query, now_ms())?;
    let order = order_of(query.sort.as_deref())?;
    let limit = match query.limit.as_deref().map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(limit)) if (1..=MAX_LIMIT).contains(&limit) => limit,
        Some(_) => return Err(invalid("limit", "1 to 200").into()),
    };
    let after = query
        .cursor
        .as_deref()
        .map(|cursor| position_of(cursor, order))
        .transpose()?;
    // One more than the page: whether it exists says whether there is a next page.
    let mut listed = store
        .list_shipments(seller, &filter, order, after.as_ref(), limit + 1)
        .await?;
    let next = if listed.len() > limit {
        listed.truncate(limit);
        listed.last().map(|last| cursor_of(&last.position))
    } else {
        None
    };
    let counts = store
        .count_shipments_by_stage(seller, &filter)
        .await?
        .into_iter()
        .collect();
    Ok(Json(ShipmentList {
        shipments: listed.iter().map(view).collect(),
        next,
        counts,
    })
    .into_response())
}

/// Counts one read of the seller's list or queues against its limit (`SELLER_READS`): each
/// walks and counts the seller's shipments, so one seller's loop must not hold the database
/// from the others.
///
/// # Errors
/// `RateLimited`, with how long to wait, once the seller has used up its reads.
pub fn admit(
    reads: &SellerReads,
    seller: crate::store::seller_id::SellerId,
) -> Result<(), ApiError> {
    reads
        .0
        .check(seller, std::time::Instant::now())
        .map_err(|wait| {
            crate::metrics::rate_limited();
            ApiError::RateLimited {
                wait,
                reason: "too many reads of this seller's list",
            }
        })
}

/// Whether the seller's rows all have their list columns, a batch of those without given them
/// now: a row stored before migration 0024 or 0027 that the background fill has not reached yet
/// would be missed by the filters and misplaced in the orders, so the list fills the seller's
/// own first and says it is not ready (503, try again in a second) only while more are left
/// than one batch.
///
/// # Errors
/// `Unavailable` while rows are left to fill; `Store` if the store fails.
pub async fn ready(
    store: &Store,
    seller: crate::store::seller_id::SellerId,
) -> Result<(), ApiError> {
    if store.fill_seller_list(seller).await? {
        Ok(())
    } else {
        Err(ApiError::Unavailable(
            "the server is still giving older shipments their list columns; try again in a second",
        ))
    }
}

fn view(listed: &Listed) -> ListedShipment<'_> {
    ListedShipment {
        reference: listed.reference.as_deref(),
        shipment: &listed.shipment,
    }
}

/// One shipment of a bulk write: the seller's reference and the shipment as `PUT
/// …/{reference}` takes it, side by side in one object. (The document's shape only: each item is
/// read as a `ShipmentInput` once its reference is taken out, so that unknown fields are refused
/// as they are one at a time.)
#[derive(Debug, ToSchema)]
pub struct BulkItem {
    /// The seller's own key for the shipment: 1 to 100 of A-Z a-z 0-9 . _ -
    #[schema(pattern = "^[A-Za-z0-9._-]{1,100}$")]
    pub reference: String,
    /// The shipment.
    #[schema(inline)]
    pub shipment: ShipmentInput,
}

/// One item of a bulk write read: its reference, and the shipment with its second factors.
fn read_item(
    index: usize,
    mut item: serde_json::Map<String, serde_json::Value>,
) -> Result<
    (
        String,
        Shipment,
        trackline_core::second_factor::SecondFactors,
    ),
    Invalid,
> {
    let at = |field: &str| {
        if field.is_empty() {
            format!("[{index}]")
        } else {
            format!("[{index}].{field}")
        }
    };
    let reference = match item.remove("reference") {
        Some(serde_json::Value::String(reference)) => reference,
        _ => return Err(invalid(&at("reference"), "1 to 100 of A-Z a-z 0-9 . _ -")),
    };
    seller_input::reference(&reference)
        .map_err(|refused| invalid(&at("reference"), refused.reason))?;
    let input: ShipmentInput = serde_path_to_error::deserialize(serde_json::Value::Object(item))
        .map_err(|error| {
            let field = error.path().to_string();
            invalid(
                &at(if field == "." { "" } else { &field }),
                error.into_inner().to_string(),
            )
        })?;
    let (shipment, factors) = input.validate().map_err(|refused| Invalid {
        field: at(&refused.field),
        reason: refused.reason,
    })?;
    Ok((reference, shipment, factors))
}

/// What a bulk write did to one shipment, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkWritten {
    /// The seller's reference.
    pub reference: String,
    /// `created` or `replaced`.
    #[schema(examples("created", "replaced"))]
    pub written: &'static str,
}

/// What a bulk write did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    /// One entry per shipment sent, in order.
    pub results: Vec<BulkWritten>,
}

/// `PUT /api/v1/seller/shipments`: up to 1 000 shipments, all checked before any is written.
///
/// # Errors
/// 401 without a valid token, 400 for a body that is not JSON, 422 naming the first item and
/// field that cannot be taken (nothing written then).
#[utoipa::path(
    put,
    path = "/api/v1/seller/shipments",
    tag = "seller",
    summary = "Create or replace up to 1 000 shipments in one request",
    description = "Every item is checked before any is written: a refusal names its index (`[3].stage`) and nothing is written. Each is then written as `PUT /api/v1/seller/shipments/{reference}` would, webhooks and notifications following; they are written a hundred to a transaction, and an item the database fails is left out alone, every other item written (the answer is then that item's error: send the same request again, it is idempotent).",
    request_body = Vec<BulkItem>,
    responses(
        (status = 200, description = "Each item created or replaced, in order.", body = BulkResult),
        (status = 400, description = "The body is not JSON (malformed_json).", body = trackline_core::ErrorBody),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 403, description = "A write in a session without the console's Origin and CSRF token (cross_site).", body = trackline_core::ErrorBody),
        (status = 409, description = "Another request created one of the references at the same moment (conflict).", body = trackline_core::ErrorBody),
        (status = 422, description = "An item cannot be accepted (invalid, with field `[i].field`).", body = trackline_core::ErrorBody),
        (status = 429, description = "100 000 webhook deliveries and notifications of this seller wait to be sent (rate_limited; Retry-After): nothing written.", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn put_shipments(
    State(store): State<Store>,
    Seller(seller): Seller,
    Strict(items): Strict<Vec<serde_json::Map<String, serde_json::Value>>>,
) -> Result<Response, ApiError> {
    if items.is_empty() || items.len() > MAX_BULK {
        return Err(invalid("", "1 to 1000 shipments").into());
    }
    let mut checked = Vec::with_capacity(items.len());
    let mut seen = std::collections::HashSet::new();
    for (index, item) in items.into_iter().enumerate() {
        let (reference, shipment, factors) = read_item(index, item)?;
        if !seen.insert(reference.clone()) {
            return Err(
                invalid(&format!("[{index}].reference"), "sent twice in one request").into(),
            );
        }
        checked.push((reference, shipment, factors));
    }
    room_to_tell(&store, seller).await?;
    let rows: Vec<updates::PutRow> = checked
        .iter()
        .map(|(reference, shipment, factors)| updates::PutRow {
            reference,
            shipment,
            factors,
        })
        .collect();
    let outcomes = updates::put_many(&store, seller, &rows).await?;
    let mut results = Vec::with_capacity(checked.len());
    let mut failure = None;
    for ((reference, _, _), outcome) in checked.iter().zip(outcomes) {
        match outcome {
            Ok((written, stored)) => {
                super::providers::attach_by_number(&store, seller, reference, &stored).await?;
                results.push(BulkWritten {
                    reference: reference.clone(),
                    written: match written {
                        Written::Created => "created",
                        Written::Replaced => "replaced",
                    },
                });
            }
            Err(error) => {
                failure.get_or_insert(error);
            }
        }
    }
    if let Some(error) = failure {
        return Err(error.into());
    }
    Ok(Json(BulkResult { results }).into_response())
}

/// The filter and order a list query asks for, judged now, for the list's other views (its
/// CSV export, `http/export.rs`) that take the same query; `cursor` and `limit` are theirs.
///
/// # Errors
/// `Invalid` naming the parameter that cannot be taken.
pub fn filter_and_order(
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<(ListFilter, ListOrder), Invalid> {
    let query = read_query(query)?;
    Ok((
        filter_of(&query, now_ms())?,
        order_of(query.sort.as_deref())?,
    ))
}
