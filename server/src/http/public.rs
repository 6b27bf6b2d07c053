//! The public tracking API: `GET /api/v1/shops/{shop}/track/{number}` (and its short alias for a
//! server's only or default seller), cacheable by browsers and CDNs; and what orchestrators and load
//! balancers read: `/healthz` (alive) and `/readyz` (ready).

use super::error::ApiError;
use super::rate_limit::{client_ip, limit_lookups};
use crate::counts::Count;
use crate::http::state::{AppState, SharedState};
use crate::lookup::{Caller, LookupError, Site};
use crate::lookup_cache::SellerRef;
use crate::store::seller_id::SellerId;
use crate::store::Store;
use axum::extract::{Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use trackline_core::second_factor::REPLY_HEADER;
use utoipa::IntoResponses;

/// How long a browser or CDN may reuse an answer without asking: short, because statuses move,
/// and the widget looks again every minute at most.
pub const CACHE_CONTROL: &str = "public, max-age=30, stale-while-revalidate=30";

/// The public routes. The lookup is read-only and any storefront may call it, without
/// credentials; its answers say how long they may be cached, and errors are not cached.
pub fn routes(state: &SharedState) -> Router<SharedState> {
    Router::new()
        .route("/api/v1/shops/{shop}/track/{number}", get(track_for_seller))
        .route("/api/v1/track/{number}", get(track))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_lookups,
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET])
                .allow_headers([HeaderName::from_static(REPLY_HEADER)]),
        )
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The lookup's query string, read only to refuse a reply put there.
#[derive(Debug, Deserialize)]
pub struct LookupParams {
    /// A reply put in the address (its wire name is `check`).
    #[serde(rename = "check")]
    reply: Option<String>,
    /// Which way the buyer came in (`link`, `typed`, `element`, `iframe`), counted for the seller.
    via: Option<String>,
}

/// The buyer's reply to the seller's second factor, from the `Trackline-Check` header: in the
/// address it would be kept by every log and proxy on the way, and by the browser's history.
///
/// # Errors
/// `ReplyInUrl` when the reply came as `?check=`: refused rather than ignored, so that a client
/// still sending it learns why at once instead of asking its buyer again and again.
fn reply_of(params: &LookupParams, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    if params.reply.is_some() {
        return Err(ApiError::ReplyInUrl);
    }
    // A reply is matched on its ASCII letters and digits only: other bytes cannot matter.
    Ok(headers
        .get(REPLY_HEADER)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned()))
}

/// What a lookup answers, for the OpenAPI document; the handlers build the responses.
#[allow(dead_code)] // Only its derive is used.
#[derive(IntoResponses)]
enum LookupResponses {
    /// The shipments the number found, for this seller only.
    #[response(
        status = 200,
        headers(
            ("ETag" = String, description = "A weak tag of this answer."),
            ("Cache-Control" = String, description = "public, max-age=30 for most; private for a seller with lookup rules."),
        ),
    )]
    Found(trackline_core::TrackResponse),
    /// The client's copy (If-None-Match) is current.
    #[response(status = 304)]
    NotModified,
    /// Not a number any shipment could have (invalid_number); on the short path of a server with
    /// several sellers and no default one, shop_required, whose message names the scoped path;
    /// check_in_url for a reply to the second factor in the URL (?check=) instead of the Trackline-Check header.
    #[response(status = 400)]
    BadRequest(trackline_core::ErrorBody),
    /// origin_not_allowed; check_required or check_failed with field phone_last4 or postcode.
    #[response(status = 403)]
    Forbidden(trackline_core::ErrorBody),
    /// No shipment of this seller has this number (not_found), or no seller has this handle (shop_not_found).
    #[response(status = 404)]
    NotFound(trackline_core::ErrorBody),
    /// Too many lookups of this seller, or wrong second factors, from this address; or too many
    /// wrong second factors for this order from any address (rate_limited, the message says which).
    #[response(status = 429, headers(("Retry-After" = u32, description = "Seconds to wait.")))]
    TooMany(trackline_core::ErrorBody),
}

/// The number's shipments of the seller whose handle is in the path; `304` when the client's copy is current.
///
/// # Errors
/// 404 for an unknown seller, and those of [`answer`].
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/track/{number}",
    operation_id = "track_in_shop",
    tag = "public",
    summary = "Look up a shipment of one seller by order, posting or tracking number",
    description = "Contract v1: every shipment of this seller that the number found, for the widget; another \
        seller's shipments are never shown. Needs no authentication; a seller may allow only its own \
        storefronts' origins and ask for a second factor for order numbers.",
    params(
        ("shop" = String, Path, description = "The seller's public handle, as add-seller printed it."),
        ("number" = String, Path, description = "An order, posting or tracking number, in any case, with spaces or dashes."),
        ("Trackline-Check" = Option<String>, Header, description = "The buyer's reply to the seller's second factor, after a check_required answer. Never in the URL: `?check=` is refused (400 check_in_url)."),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client has."),
        ("via" = Option<String>, Query, description = "How the buyer came in, counted for the seller's insights: link (the number came in the hosted page's address), typed (typed into the hosted page), element (the element on a storefront), iframe (the iframe form); refresh (the widget's own refresh of a lookup it asked before) counts nothing. Anything else counts no way in."),
    ),
    responses(LookupResponses),
    security(()),
)]
pub async fn track_for_seller(
    State(state): State<SharedState>,
    Path((seller, number)): Path<(String, String)>,
    Query(params): Query<LookupParams>,
    request: Request,
) -> Result<Response, ApiError> {
    let (request, _) = request.into_parts();
    let (seller, answered) = answer(
        &state,
        SellerRef::Handle(seller),
        &number,
        &params,
        &request,
    )
    .await;
    counted(
        &state,
        counted_for(seller, &params),
        way_in(params.via.as_deref()),
        answered,
    )
}

/// The number's shipments of the server's default seller (the one configured, else its only one).
///
/// # Errors
/// 400 on a server with several sellers and no default one, and those of [`answer`].
#[utoipa::path(
    get,
    path = "/api/v1/track/{number}",
    tag = "public",
    summary = "Look up a shipment of the server's only (or default) seller",
    description = "The short path: an alias of /api/v1/shops/{shop}/track/{number} for the server's only seller, \
        or the one it is configured to default to; on a server with several sellers and no default it \
        answers shop_required, never a mix of sellers. Needs no authentication.",
    params(
        ("number" = String, Path, description = "An order, posting or tracking number, in any case, with spaces or dashes."),
        ("Trackline-Check" = Option<String>, Header, description = "The buyer's reply to the seller's second factor, after a check_required answer. Never in the URL: `?check=` is refused (400 check_in_url)."),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client has."),
        ("via" = Option<String>, Query, description = "How the buyer came in, counted for the seller's insights: link, typed, element or iframe; refresh (the widget's own refresh of a lookup it asked before) counts nothing; anything else counts no way in."),
    ),
    responses(LookupResponses),
    security(()),
)]
pub async fn track(
    State(state): State<SharedState>,
    Path(number): Path<String>,
    Query(params): Query<LookupParams>,
    request: Request,
) -> Result<Response, ApiError> {
    let (request, _) = request.into_parts();
    let (seller, answered) = answer(&state, SellerRef::Default, &number, &params, &request).await;
    counted(
        &state,
        counted_for(seller, &params),
        way_in(params.via.as_deref()),
        answered,
    )
}

/// Counts a lookup's outcome for the metrics and for its seller (with the way the buyer came
/// in), and passes it on.
fn counted(
    state: &AppState,
    seller: Option<SellerId>,
    via: Option<Count>,
    answered: Result<Response, ApiError>,
) -> Result<Response, ApiError> {
    let not_modified = answered
        .as_ref()
        .is_ok_and(|response| response.status() == StatusCode::NOT_MODIFIED);
    count(&answered, not_modified);
    count_for_seller(state, seller, via, &answered);
    answered
}

/// The seller a lookup is counted for: none for the widget's own refresh (`via=refresh`) of a
/// lookup it counted when the buyer asked, so that a tab left open is one lookup, not one a minute.
fn counted_for(seller: Option<SellerId>, params: &LookupParams) -> Option<SellerId> {
    seller.filter(|_| params.via.as_deref() != Some("refresh"))
}

/// The way in a lookup's `via` names; none for a missing or unknown one.
pub fn way_in(via: Option<&str>) -> Option<Count> {
    match via? {
        "link" => Some(Count::ViaLink),
        "typed" => Some(Count::ViaTyped),
        "element" => Some(Count::ViaElement),
        "iframe" => Some(Count::ViaIframe),
        _ => None,
    }
}

/// Counts a lookup for the seller it asked, by outcome and by `via`; nothing when no seller was
/// found, or for what says nothing of the buyers (the store failed, the request was malformed).
pub fn count_for_seller<T>(
    state: &AppState,
    seller: Option<SellerId>,
    via: Option<Count>,
    answered: &Result<T, ApiError>,
) {
    let Some(seller) = seller else {
        return;
    };
    let outcome = match answered {
        Ok(_) => Count::LookupsFound,
        Err(ApiError::Lookup(error)) => match error {
            LookupError::NotFound | LookupError::InvalidNumber(_) => Count::LookupsNotFound,
            LookupError::SecondFactorRequired(_) => Count::LookupsCheckAsked,
            LookupError::SecondFactorFailed(_)
            | LookupError::TooManyWrongReplies(..)
            | LookupError::OriginNotAllowed => Count::LookupsRefused,
            LookupError::UnknownSeller
            | LookupError::SellerRequired
            | LookupError::Store(_)
            | LookupError::Unwritable(_) => return,
        },
        Err(_) => return,
    };
    state.counts.add(seller, outcome);
    if let Some(via) = via {
        state.counts.add(seller, via);
    }
}

/// Counts a lookup's outcome for the metrics: found (or not modified), or why not.
pub fn count<T>(answered: &Result<T, ApiError>, not_modified: bool) {
    let outcome = match answered {
        Ok(_) if not_modified => "not_modified",
        Ok(_) => "found",
        Err(ApiError::Lookup(error)) => match error {
            LookupError::UnknownSeller => "shop_not_found",
            LookupError::SellerRequired => "shop_required",
            LookupError::InvalidNumber(_) => "invalid_number",
            LookupError::NotFound => "not_found",
            LookupError::OriginNotAllowed => "origin_not_allowed",
            LookupError::SecondFactorRequired(_) => "check_required",
            LookupError::SecondFactorFailed(_) => "check_failed",
            LookupError::TooManyWrongReplies(..) => {
                crate::metrics::locked_out();
                "locked_out"
            }
            LookupError::Store(_) | LookupError::Unwritable(_) => "error",
        },
        Err(_) => "error",
    };
    crate::metrics::lookup(outcome);
}

/// Answers contract v1 for a number of a seller, with an ETag and the cache policy its rules allow.
///
/// # Errors
/// 400 for a number that cannot exist, 404 when nothing matches, 403 when the page's origin
/// is not allowed or a second factor is missing or wrong, 429 after too many wrong ones, 500 when the store fails.
async fn answer(
    state: &AppState,
    seller: SellerRef,
    number: &str,
    params: &LookupParams,
    request: &Parts,
) -> (Option<SellerId>, Result<Response, ApiError>) {
    let headers = &request.headers;
    let origin = origin_of(headers);
    let reply = match reply_of(params, headers) {
        Ok(reply) => reply,
        Err(error) => return (None, Err(error)),
    };
    let (found, response) = look_up(state, seller, number, origin, reply.as_deref(), request).await;
    (
        found,
        response.and_then(|response| respond(headers, &response)),
    )
}

/// The response to a lookup that found something: `304` when the client's copy is current.
///
/// # Errors
/// 500 when the tag is no header value.
fn respond(
    headers: &HeaderMap,
    response: &crate::lookup_cache::WrittenResponse,
) -> Result<Response, ApiError> {
    let etag = HeaderValue::from_str(&response.etag)
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    // Guarded answers differ by origin and must not be shared by a CDN between buyers.
    let cache = [
        (header::ETAG, etag),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(if response.guarded {
                "private, no-cache"
            } else {
                CACHE_CONTROL
            }),
        ),
        (
            header::VARY,
            HeaderValue::from_static("Origin, Trackline-Check"),
        ),
    ];
    if matches_etag(headers, &response.etag) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        cache,
        super::json::json_text(StatusCode::OK, response.body.clone()),
    )
        .into_response())
}

/// The public lookup's response for a number of a seller, asked by a page of `origin` (none for
/// the server's own pages) with the buyer's `reply` to a second factor: what both the API and the
/// hosted page answer with, with the seller it was for when one was found (whom it counts for).
/// Its error is the lookup's failure, as the API answers it.
pub async fn look_up(
    state: &AppState,
    seller: SellerRef,
    number: &str,
    origin: Option<&str>,
    reply: Option<&str>,
    request: &Parts,
) -> (
    Option<SellerId>,
    Result<std::sync::Arc<crate::lookup_cache::WrittenResponse>, ApiError>,
) {
    // Read from the request in place: the extractors for all headers and extensions copy them.
    let caller = Caller {
        origin,
        client: client_ip(&request.extensions),
        site: site(&request.headers, origin_of(&request.headers)),
        reply,
    };
    let looked = state
        .lookup_cache
        .look_up(
            &state.store,
            crate::lookup::Refreshers {
                ozon: &state.ozon,
                poller: &state.poller,
            },
            state.default_seller.as_deref(),
            seller,
            number,
            caller,
        )
        .await;
    (looked.seller, looked.answer.map_err(ApiError::from))
}

/// Which site's page sent a request, from its `Sec-Fetch-Site`, with the request's `Origin`:
/// a value this server does not know is taken as another site's, which only spares the
/// address a count.
pub fn site<'a>(headers: &HeaderMap, origin: Option<&'a str>) -> Site<'a> {
    let Some(fetched_from) = headers.get("sec-fetch-site") else {
        return Site::Own;
    };
    match fetched_from.as_bytes() {
        b"same-origin" | b"same-site" | b"none" => Site::Own,
        _ => Site::Cross(origin),
    }
}

/// The request's `Origin`, if it is text.
fn origin_of(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
}

/// Whether `If-None-Match` names this answer (weak comparison, lists and `*` included).
pub fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || bare(tag) == bare(etag))
}

/// `GET /healthz`: 200 while the process answers at all; for a liveness probe (restart it when not).
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    summary = "Whether this instance's process is alive (liveness)",
    responses((status = 200, description = "ok", body = String, content_type = "text/plain")),
    security(()),
)]
pub async fn healthz() -> Response {
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        "ok\n",
    )
        .into_response()
}

/// `GET /readyz`: 200 when the store answers and has this build's migrations, else 503; for a
/// load balancer's readiness check (send no traffic here until it says ready).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    summary = "Whether this instance can answer: its store answers, with this build's schema (readiness)",
    responses(
        (status = 200, description = "ready", body = String, content_type = "text/plain"),
        (status = 503, description = "The store does not answer, or lacks a migration.", body = String, content_type = "text/plain"),
    ),
    security(()),
)]
pub async fn readyz(State(store): State<Store>) -> Response {
    match store.ready().await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            "ready\n".to_owned(),
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check: not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CACHE_CONTROL, "no-store")],
                format!("not ready: {}\n", readiness_reason(&error)),
            )
                .into_response()
        }
    }
}

/// What the readiness answer says is wrong, without the store's own details.
fn readiness_reason(error: &crate::store::StoreError) -> String {
    match error {
        crate::store::StoreError::NotMigrated(version) => {
            format!("migration {version} is not applied")
        }
        _ => "the store does not answer".to_owned(),
    }
}
