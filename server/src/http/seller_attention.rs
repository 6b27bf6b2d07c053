//! What needs the seller's attention (the console's home), and one shipment's activity.
//!
//! `GET /api/v1/seller/attention` answers every queue of the calling seller's with its count,
//! its first `FIRST` items and the call that resolves it; `GET
//! /api/v1/seller/shipments/{reference}/activity` answers a shipment's webhook deliveries and
//! how many browsers are subscribed to it. What counts as needing attention is decided here.

use super::auth::{Caller, Reference};
use super::error::ApiError;
use crate::http::state::{SellerReads, SharedState};
use crate::store::attention::{AttentionAsked, FailingDelivery, Queued, ShipmentQueue};
use crate::store::members::Role;
use crate::store::{now_ms, Store};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use trackline_core::time::{format_date, format_rfc3339, DAY_MILLIS};
use trackline_core::Exception;
use utoipa::ToSchema;

/// The most items each queue shows.
pub const FIRST: i64 = 20;
/// A pending delivery tried this many times keeps failing (its first tries are minutes apart;
/// by the fourth the receiver has been failing for a while).
pub const FAILING_AFTER: i64 = 4;
/// A pickup point's last day within this many days (Moscow's calendar, as the buyers'
/// reminder) needs attention.
pub const PICKUP_DAYS: i64 = 2;
/// Each queue is counted up to this: a longer one says "1 000 or more" (`at_least`), and no
/// queue reads more index entries than this whatever the shop's size.
pub const COUNT_UP_TO: i64 = 1_000;
/// The most deliveries a shipment's activity shows.
pub const ACTIVITY_DELIVERIES: i64 = 50;

/// The routes.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/seller/attention", get(attention))
        .route(
            "/api/v1/seller/shipments/{reference}/activity",
            get(activity),
        )
}

/// The call that resolves a queue's items.
#[derive(Debug, Serialize, ToSchema)]
pub struct Action {
    /// What to do, a stable code the console words: `add_event` (move it to a stage or say
    /// what happens), `check_source` (ask its provider again, or choose another),
    /// `replay_delivery` (fix the receiver, then replay), `replace_keys` (send keys the provider
    /// takes).
    #[schema(examples("add_event"))]
    pub code: &'static str,
    /// The seller API call that does it, its path parameters in braces.
    #[schema(examples("POST /api/v1/seller/shipments/{reference}/events"))]
    pub call: &'static str,
}

const ADD_EVENT: Action = Action {
    code: "add_event",
    call: "POST /api/v1/seller/shipments/{reference}/events",
};
const CHECK_SOURCE: Action = Action {
    code: "check_source",
    call: "PUT /api/v1/seller/shipments/{reference}/source",
};
const REPLAY: Action = Action {
    code: "replay_delivery",
    call: "POST /api/v1/seller/webhooks/{id}/deliveries/{delivery}/replay",
};
const SOURCE_KEYS: Action = Action {
    code: "replace_keys",
    call: "PUT /api/v1/seller/sources/{provider}",
};
const OZON_KEYS: Action = Action {
    code: "replace_keys",
    call: "PUT /api/v1/seller/ozon",
};

/// A shipment in a queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedShipment {
    /// The seller's reference (null for one stored without, such as the demo's).
    pub reference: Option<String>,
    /// Its order number.
    pub order_number: Option<String>,
    /// Its tracking number.
    pub tracking_number: Option<String>,
    /// Its stage.
    pub stage: String,
    /// Its exception.
    pub exception: Option<String>,
    /// When the server last wrote it (RFC 3339).
    pub written_at: String,
    /// When its silence became stale (RFC 3339), if it does.
    pub stale_since: Option<String>,
    /// Its pickup point's last day (ISO date).
    pub pickup_until: Option<String>,
}

/// A queue of shipments.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentQueueView {
    /// How many are in it, counted up to 1 000.
    pub count: i64,
    /// True when counting stopped at 1 000: there are that many or more.
    pub at_least: bool,
    /// What resolves one.
    pub action: Action,
    /// The first of them (at most 20), in the queue's order.
    pub shipments: Vec<QueuedShipment>,
}

/// The shipments with one exception.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionQueue {
    /// The exception.
    #[schema(examples("delayed"))]
    pub exception: String,
    /// Its shipments, last written first.
    #[serde(flatten)]
    pub queue: ShipmentQueueView,
}

/// A webhook delivery, with its last try.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// The delivery.
    pub id: i64,
    /// Its subscription.
    pub webhook_id: i64,
    /// Where it goes (to staff, the receiver's origin only: the webhooks are the owners').
    pub url: String,
    /// What it tells of.
    pub kind: String,
    /// `failed` (given up), `pending` (tried again later) or `delivered`.
    pub state: String,
    /// Tries so far.
    pub attempts: i64,
    /// When it was queued (RFC 3339).
    pub queued_at: String,
    /// The reference of the shipment it tells of.
    pub reference: Option<String>,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    /// Why the last try had no good answer.
    pub last_error: Option<String>,
    /// When it was last tried (RFC 3339).
    pub last_tried_at: Option<String>,
}

/// Deliveries that gave up or keep failing.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryQueue {
    /// How many, counted up to 1 000.
    pub count: i64,
    /// True when counting stopped at 1 000: there are that many or more.
    pub at_least: bool,
    /// What resolves one.
    pub action: Action,
    /// The newest (at most 20).
    pub deliveries: Vec<DeliveryView>,
}

/// Keys a provider refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedKeys {
    /// `ozon`, or the carrier's provider.
    pub provider: String,
    /// When it last refused them (RFC 3339).
    pub refused_at: String,
    /// What it said.
    pub reason: String,
    /// What resolves it.
    pub action: Action,
}

/// Every queue that needs the seller's attention.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttentionView {
    /// Per exception that needs it (returned and cancelled settle a parcel and are left out),
    /// the shipments with it; exceptions with none are left out.
    pub exceptions: Vec<ExceptionQueue>,
    /// Shipments gone stale (no news for longer than their stage usually takes), the longest first.
    pub stale: ShipmentQueueView,
    /// Parcels waiting at a pickup point whose last day is `pickup_until` or before, the soonest first.
    pub pickup_deadlines: ShipmentQueueView,
    /// The last day counted as near (ISO date, Moscow's calendar).
    pub pickup_until: String,
    /// Webhook deliveries that gave up or were tried 4 times or more and still fail.
    pub failing_deliveries: DeliveryQueue,
    /// Keys a provider answered 401 or 403 to, until new keys or an answer clear it.
    pub refused_keys: Vec<RefusedKeys>,
}

fn moment(ms: i64) -> String {
    format_rfc3339(ms)
}

fn shipments(queue: ShipmentQueue, action: Action) -> ShipmentQueueView {
    ShipmentQueueView {
        count: queue.count,
        at_least: queue.count >= COUNT_UP_TO,
        action,
        shipments: queue.first.into_iter().map(shipment_view).collect(),
    }
}

fn shipment_view(queued: Queued) -> QueuedShipment {
    QueuedShipment {
        reference: queued.reference,
        order_number: queued.order_number,
        tracking_number: queued.tracking_number,
        stage: queued.stage,
        exception: queued.exception,
        written_at: moment(queued.written_ms),
        stale_since: queued.stale_at_ms.map(moment),
        pickup_until: queued.pickup_until,
    }
}

/// Where a receiver is, as staff may see it: its origin alone. Webhooks are the owners'; a
/// receiver's path or query often holds its secret (a chat's incoming hook, `?token=`), and an
/// error's text names the whole address.
fn receiver_origin(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    format!("{scheme}://{host}")
}

fn delivery_view(delivery: FailingDelivery, owner: bool) -> DeliveryView {
    let (url, last_error) = if owner {
        (delivery.url, delivery.last_error)
    } else {
        (
            receiver_origin(&delivery.url),
            delivery
                .last_error
                .map(|_| "hidden: ask an owner".to_owned()),
        )
    };
    DeliveryView {
        id: delivery.id,
        webhook_id: delivery.webhook,
        url,
        kind: delivery.kind,
        state: delivery.state,
        attempts: delivery.attempts,
        queued_at: moment(delivery.queued_at_ms),
        reference: delivery.reference,
        last_status: delivery.last_status,
        last_error,
        last_tried_at: delivery.last_at_ms.map(moment),
    }
}

/// The last pickup day counted as near at `now`: `PICKUP_DAYS` after today in Moscow, where
/// most pickup points are (as the buyers' reminder reads a deadline).
pub fn pickup_until(now: i64) -> String {
    const MOSCOW_MS: i64 = 3 * 60 * 60 * 1000;
    format_date((now + MOSCOW_MS).div_euclid(DAY_MILLIS) + PICKUP_DAYS)
}

/// What the queues ask at `now`.
pub fn asked(now: i64) -> AttentionAsked {
    AttentionAsked {
        exceptions: Exception::KNOWN
            .iter()
            .filter(|e| !matches!(e, Exception::Returned | Exception::Cancelled))
            .map(|e| e.as_str().to_owned())
            .collect(),
        now_ms: now,
        pickup_until: pickup_until(now),
        failing_after: FAILING_AFTER,
        first: FIRST,
        count_up_to: COUNT_UP_TO,
    }
}

/// `GET /api/v1/seller/attention`: what needs the seller's attention.
///
/// # Errors
/// 401 without a valid token.
#[utoipa::path(
    get,
    path = "/api/v1/seller/attention",
    tag = "seller",
    summary = "What needs the seller's attention: exceptions, stale parcels, pickup deadlines, failing webhook deliveries, refused keys",
    description = "Each queue has its count, its first 20 items and the call that resolves them. Only the calling seller's shipments, deliveries and keys are read; each queue is a range of an index led by the seller, so it answers as fast in a shop of 100 000 parcels.",
    responses(
        (status = 200, description = "Every queue.", body = AttentionView),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 429, description = "More than 30 reads at once, or 600 a minute, of this seller's list and queues (rate_limited; Retry-After).", body = trackline_core::ErrorBody),
        (status = 503, description = "Shipments stored by an older version are still being given the queues' columns (unavailable; Retry-After).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn attention(
    State(store): State<Store>,
    State(reads): State<SellerReads>,
    Caller(caller): Caller,
) -> Result<Response, ApiError> {
    let (seller, owner) = (caller.seller, caller.role == Role::Owner);
    super::seller_list::admit(&reads, seller)?;
    super::seller_list::ready(&store, seller).await?;
    let asked = asked(now_ms());
    let found = store.attention(seller, &asked).await?;
    let view = AttentionView {
        exceptions: found
            .exceptions
            .into_iter()
            .filter(|(_, queue)| queue.count > 0)
            .map(|(exception, queue)| ExceptionQueue {
                exception,
                queue: shipments(queue, ADD_EVENT),
            })
            .collect(),
        stale: shipments(found.stale, CHECK_SOURCE),
        pickup_deadlines: shipments(found.pickup, ADD_EVENT),
        pickup_until: asked.pickup_until,
        failing_deliveries: DeliveryQueue {
            count: found.deliveries.0,
            at_least: found.deliveries.0 >= COUNT_UP_TO,
            action: REPLAY,
            deliveries: found
                .deliveries
                .1
                .into_iter()
                .map(|delivery| delivery_view(delivery, owner))
                .collect(),
        },
        refused_keys: found
            .refused_keys
            .into_iter()
            .map(|refusal| RefusedKeys {
                action: if refusal.provider == "ozon" {
                    OZON_KEYS
                } else {
                    SOURCE_KEYS
                },
                provider: refusal.provider,
                refused_at: moment(refusal.refused_ms),
                reason: refusal.reason,
            })
            .collect(),
    };
    Ok(Json(view).into_response())
}

/// A shipment's activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityView {
    /// The seller's reference.
    pub reference: String,
    /// How many browsers are subscribed to its pushes.
    pub subscribed_browsers: i64,
    /// How many webhook deliveries it has (those kept).
    pub delivery_count: i64,
    /// Its newest deliveries (at most 50), each with its tries and last answer.
    pub deliveries: Vec<DeliveryView>,
}

/// `GET /api/v1/seller/shipments/{reference}/activity`: the seller's own shipment's webhook
/// deliveries and subscribed browsers.
///
/// # Errors
/// 401 without a valid token, 404 when this seller has no such shipment.
#[utoipa::path(
    get,
    path = "/api/v1/seller/shipments/{reference}/activity",
    tag = "seller",
    summary = "A shipment's webhook deliveries and how many browsers are subscribed to it",
    params(Reference),
    responses(
        (status = 200, description = "Its activity.", body = ActivityView),
        (status = 401, description = "No valid bearer token or session (unauthorized).", body = trackline_core::ErrorBody),
        (status = 404, description = "This seller has no shipment under this reference (not_found).", body = trackline_core::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn activity(
    State(store): State<Store>,
    Caller(caller): Caller,
    Reference(reference): Reference,
) -> Result<Response, ApiError> {
    let (seller, owner) = (caller.seller, caller.role == Role::Owner);
    let found = store
        .shipment_activity(seller, &reference, ACTIVITY_DELIVERIES)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(ActivityView {
        reference,
        subscribed_browsers: found.subscribed,
        delivery_count: found.delivery_count,
        deliveries: found
            .deliveries
            .into_iter()
            .map(|delivery| delivery_view(delivery, owner))
            .collect(),
    })
    .into_response())
}
