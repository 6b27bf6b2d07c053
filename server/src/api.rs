//! The public tracking API: `GET /api/v1/track/{number}`, cacheable by browsers and CDNs,
//! and guarded as each seller asks (allowed origins, a second factor for order numbers).

use crate::error::ApiError;
use crate::ozon::OzonClient;
use crate::rate_limit::{client_ip, too_many, Limiter};
use crate::store::guards::{check_hash, LookupRules};
use crate::store::sellers::{sha256_hex, SellerId};
use crate::store::{Found, Store};
use axum::extract::{Path, Query, State};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use std::collections::HashMap;
use std::time::Instant;
use trackline_core::{Shipment, TrackResponse, TrackingQuery, CONTRACT_VERSION};

/// How long a browser or CDN may reuse an answer without asking: short, because statuses move,
/// and the widget looks again every minute at most.
pub const CACHE_CONTROL: &str = "public, max-age=30, stale-while-revalidate=30";

/// The limiter for second-factor answers: a few wrong guesses, then a wait.
#[derive(Debug, Clone)]
pub struct CheckLimiter(pub Limiter);

/// The lookup's query string: `?check=…` carries the second factor.
#[derive(Debug, Deserialize)]
pub struct LookupParams {
    /// The buyer's answer to the seller's second factor.
    check: Option<String>,
}

/// Answers contract v1 for an order, shipment or tracking number; `304` when the client's copy is current.
///
/// # Errors
/// 400 for a number that cannot exist, 404 when nothing matches, 403 when the page's origin
/// is not allowed or a second factor is missing or wrong, 429 after too many wrong ones, 500 when the store fails.
pub async fn track(
    State(store): State<Store>,
    Path(number): Path<String>,
    Query(params): Query<LookupParams>,
    Extension(CheckLimiter(check_limiter)): Extension<CheckLimiter>,
    Extension(ozon): Extension<OzonClient>,
    extensions: Extensions,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = TrackingQuery::parse(&number)?;
    let mut found = store.find(&query).await?;
    if found.is_empty() {
        return Err(ApiError::NotFound);
    }
    let mut rules: HashMap<SellerId, LookupRules> = HashMap::new();
    for seller in found.iter().filter_map(|f| f.seller) {
        if let std::collections::hash_map::Entry::Vacant(entry) = rules.entry(seller) {
            entry.insert(store.lookup_rules(seller).await?);
        }
    }
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok());
    admit_origin(&found, &rules, origin)?;
    if let Some(refused) = admit_check(
        &found,
        &rules,
        params.check.as_deref(),
        &check_limiter,
        &extensions,
    )? {
        return Ok(refused);
    }
    refresh_from_ozon(&store, &ozon, &mut found).await;
    let body = serde_json::to_string(&TrackResponse {
        version: CONTRACT_VERSION,
        query: Some(query.as_str().to_owned()),
        shipments: found.into_iter().map(|f| f.shipment).collect(),
    })
    .map_err(crate::store::StoreError::from)?;
    // Weak, because the compression layer may re-encode the same answer.
    let etag = format!("W/\"{}\"", &sha256_hex(body.as_bytes())[..32]);
    let etag_value = HeaderValue::from_str(&etag).map_err(|_| ApiError::NotFound)?;
    // Guarded answers differ by origin and must not be shared by a CDN between buyers.
    let guarded = !rules.is_empty();
    let cache = [
        (header::ETAG, etag_value),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(if guarded {
                "private, no-cache"
            } else {
                CACHE_CONTROL
            }),
        ),
        (header::VARY, HeaderValue::from_static("Origin")),
    ];
    if matches_etag(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        cache,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// Brings shipments pulled from Ozon up to date (Ozon is asked at most once a minute per
/// posting, through the client's cache); when Ozon cannot answer, the stored status is shown.
async fn refresh_from_ozon(store: &Store, ozon: &OzonClient, found: &mut [Found]) {
    for shipment in found.iter_mut() {
        let (Some(seller), Some(posting)) = (shipment.seller, shipment.ozon_posting.clone()) else {
            continue;
        };
        let Ok(Some(credentials)) = store.ozon_credentials(seller).await else {
            continue;
        };
        let fresh = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            ozon.posting(&credentials, &posting),
        )
        .await;
        let fresh = match fresh {
            Ok(Ok(fresh)) => fresh,
            Ok(Err(error)) => {
                tracing::warn!(%error, posting, "Ozon refresh failed; showing the stored status");
                continue;
            }
            Err(_) => {
                tracing::warn!(
                    posting,
                    "Ozon refresh took too long; showing the stored status"
                );
                continue;
            }
        };
        let changed = fresh.stage != shipment.shipment.stage
            || fresh.exception != shipment.shipment.exception
            || fresh.updated_at != shipment.shipment.updated_at
            || fresh.tracking_number != shipment.shipment.tracking_number;
        if changed {
            if let Err(error) = store.refresh_shipment(shipment.id, &fresh).await {
                tracing::warn!(%error, posting, "could not keep the Ozon refresh");
            }
            let old = &mut shipment.shipment;
            shipment.shipment = Shipment {
                support: old.support.take(),
                pickup_point: old.pickup_point.take(),
                estimated_delivery: old.estimated_delivery.take(),
                ..fresh
            };
        }
    }
}

/// Refuses a page whose origin a seller did not allow; requests without an origin are not from a page.
fn admit_origin(
    found: &[Found],
    rules: &HashMap<SellerId, LookupRules>,
    origin: Option<&str>,
) -> Result<(), ApiError> {
    let Some(origin) = origin else {
        return Ok(());
    };
    let refused = found
        .iter()
        .filter_map(|f| f.seller.and_then(|seller| rules.get(&seller)))
        .any(|rules| {
            !rules.allowed_origins.is_empty()
                && !rules
                    .allowed_origins
                    .iter()
                    .any(|allowed| allowed == origin)
        });
    if refused {
        Err(ApiError::OriginNotAllowed)
    } else {
        Ok(())
    }
}

/// Asks for the second factor when a guarded shipment was found by a guessable number;
/// `Ok(Some(429))` once this address has guessed wrong too often.
fn admit_check(
    found: &[Found],
    rules: &HashMap<SellerId, LookupRules>,
    answer: Option<&str>,
    limiter: &Limiter,
    extensions: &Extensions,
) -> Result<Option<Response>, ApiError> {
    for shipment in found.iter().filter(|f| !f.by_tracking_number) {
        let Some(kind) = shipment
            .seller
            .and_then(|seller| rules.get(&seller))
            .and_then(|rules| rules.order_check)
        else {
            continue;
        };
        let Some(answer) = answer.filter(|a| !a.trim().is_empty()) else {
            return Err(ApiError::CheckRequired(kind));
        };
        let client = client_ip(extensions);
        if let Some(client) = client {
            if let Err(wait) = limiter.peek(client, Instant::now()) {
                return Ok(Some(too_many(
                    wait,
                    "too many wrong answers from this address",
                )));
            }
        }
        let given = check_hash(shipment.id, kind, answer);
        // A shipment the seller gave no answer for cannot be opened by order number at all.
        if given.is_none() || given.as_deref() != shipment.check_hash(kind) {
            if let Some(client) = client {
                let _ = limiter.check(client, Instant::now());
            }
            return Err(ApiError::CheckFailed(kind));
        }
    }
    Ok(None)
}

/// Whether `If-None-Match` names this answer (weak comparison, lists and `*` included).
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || bare(tag) == bare(etag))
}

/// `GET /healthz`: 200 when the store answers, 503 when it does not; for load balancers.
pub async fn healthz(State(store): State<Store>) -> Response {
    match store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            "ok\n",
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: store unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CACHE_CONTROL, "no-store")],
                "store unavailable\n",
            )
                .into_response()
        }
    }
}

/// The OpenAPI document of both APIs, as checked in (`docs/openapi.json`).
pub const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}
