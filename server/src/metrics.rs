//! Prometheus metrics, for operators to scrape on a listener of its own (`--metrics-addr`, off
//! by default): requests by route and status with latency histograms, lookups by outcome, Ozon
//! calls and cache hits, limited and locked-out counts. With no listener nothing is recorded
//! (the `metrics` macros are no-ops until a recorder is installed).

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// Requests answered, by route and status.
pub const REQUESTS: &str = "trackline_http_requests_total";
/// How long requests took, in seconds, by route.
pub const REQUEST_SECONDS: &str = "trackline_http_request_duration_seconds";
/// Public lookups, by outcome (`found`, `not_modified`, `not_found`, `check_required`, …).
pub const LOOKUPS: &str = "trackline_lookups_total";
/// Lookups refused by the per-seller, per-address limit.
pub const RATE_LIMITED: &str = "trackline_rate_limited_total";
/// Second-factor replies refused because the address is locked out.
pub const LOCKED_OUT: &str = "trackline_second_factor_locked_out_total";
/// Calls to the Ozon Seller API, by endpoint and result.
pub const OZON_CALLS: &str = "trackline_ozon_calls_total";
/// Ozon postings answered from the client's cache.
pub const OZON_CACHE_HITS: &str = "trackline_ozon_cache_hits_total";
/// Public lookups answered from the lookup cache (`hit="true"`) or read from the store.
pub const LOOKUP_CACHE: &str = "trackline_lookup_cache_total";
/// Calls to carriers' tracking services, by provider and result (`ok`, a `ProviderError::kind`),
/// and calls of 17TRACK's webhook taken (`pushed`, its wire name).
pub const SOURCE_CALLS: &str = "trackline_source_calls_total";
/// Webhook deliveries' tries, by what became of them (`result="delivered|retried|failed"`).
pub const WEBHOOK_DELIVERIES: &str = "trackline_webhook_deliveries_total";
/// Buyers' push messages' tries, by what became of them (`result="sent|retried|failed|gone"`).
pub const PUSH_MESSAGES: &str = "trackline_push_messages_total";
/// Seller's daily counts dropped because this instance held `counts::MAX_KEPT` unflushed ones.
pub const COUNTS_DROPPED: &str = "trackline_counts_dropped_total";

/// Whether a recorder is installed: until then requests are not timed at all.
static RECORDING: AtomicBool = AtomicBool::new(false);

/// The process's recorder, installed on first use; `None` if another one was installed first.
pub(crate) fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Latency buckets around what a lookup costs on one machine: 1 ms to 2.5 s.
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ];
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), &buckets)
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

/// Starts recording; what `router` then serves. `false` when the recorder could not be installed.
pub fn enable() -> bool {
    let installed = handle().is_some();
    RECORDING.store(installed, Ordering::Release);
    installed
}

/// Whether metrics are recorded; until then nothing is counted (not even a label is built).
fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// Counts every request and how long it took, by its route's template (not the raw path, so
/// that numbers never become labels) and its status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    if !recording() {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "static".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!(REQUEST_SECONDS, "route" => route).record(started.elapsed().as_secs_f64());
    response
}

/// Counts a public lookup's outcome.
pub fn lookup(outcome: &'static str) {
    if !recording() {
        return;
    }
    metrics::counter!(LOOKUPS, "outcome" => outcome).increment(1);
}

/// Counts a lookup refused by the limit.
pub fn rate_limited() {
    if !recording() {
        return;
    }
    metrics::counter!(RATE_LIMITED).increment(1);
}

/// Counts a reply refused because the address is locked out.
pub fn locked_out() {
    if !recording() {
        return;
    }
    metrics::counter!(LOCKED_OUT).increment(1);
}

/// Counts a call to Ozon.
pub fn ozon_call(endpoint: &'static str, result: &'static str) {
    if !recording() {
        return;
    }
    metrics::counter!(OZON_CALLS, "endpoint" => endpoint, "result" => result).increment(1);
}

/// Counts a posting answered from the cache.
pub fn ozon_cache_hit() {
    if !recording() {
        return;
    }
    metrics::counter!(OZON_CACHE_HITS).increment(1);
}

/// Counts a lookup answered from the lookup cache, or read from the store.
pub fn lookup_cache(hit: bool) {
    if !recording() {
        return;
    }
    metrics::counter!(LOOKUP_CACHE, "hit" => if hit { "true" } else { "false" }).increment(1);
}

/// Counts a webhook delivery's try by what became of it: delivered, retried or failed.
pub fn webhook_delivery(result: &'static str) {
    if !recording() {
        return;
    }
    metrics::counter!(WEBHOOK_DELIVERIES, "result" => result).increment(1);
}

/// Counts a push message's try by what became of it: sent, retried, failed, or its subscription gone.
pub fn push_message(result: &'static str) {
    if !recording() {
        return;
    }
    metrics::counter!(PUSH_MESSAGES, "result" => result).increment(1);
}

/// Counts a seller's daily count dropped: the store took none for too long.
pub fn count_dropped() {
    if !recording() {
        return;
    }
    metrics::counter!(COUNTS_DROPPED).increment(1);
}

/// Counts a call to a carrier's tracking service.
pub fn source_call(provider: &'static str, result: &'static str) {
    if !recording() {
        return;
    }
    metrics::counter!(SOURCE_CALLS, "provider" => provider, "result" => result).increment(1);
}
