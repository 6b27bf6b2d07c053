//! The HTTP surface: one `app(state)` for `main` and every test, the handlers grouped by
//! audience, each module exporting its `routes()` beside its handlers.
//!
//! | module | audience |
//! | --- | --- |
//! | `public` | buyers' widgets (the lookup), orchestrators and load balancers (`/healthz`, `/readyz`) |
//! | `openapi` | developers (`/api/openapi.json`) |
//! | `seller` | the seller's backend (bearer token) |
//! | `seller_list` | the seller's backend, for its shipments as a list and many written at once |
//! | `seller_attention` | the seller's backend and console, for what needs its attention and a shipment's activity |
//! | `ozon` | the seller's backend, for its Ozon postings |
//! | `webhooks` | the seller's backend, for the changes it is told of |
//! | `sources` | the seller's backend, for the carriers its shipments are polled from |
//! | `tokens` | the seller's backend, for its own bearer tokens |
//! | `imports` | the seller's backend and console, for spreadsheets previewed and applied |
//! | `export` | the seller's backend and console, for its shipments as a CSV file |
//! | `members` | the seller's owners, for who signs in to the console, and the `audit` log |
//! | `console` | people signing in to the seller's console (sessions: `auth`) |
//! | `page` | buyers opening the hosted page or the iframe form: rendered here, the status of a linked number in it |
//! | `assets` | browsers fetching the built widget (from a directory, or `embedded` in the binary) |

pub mod assets;
pub mod audit;
pub mod auth;
pub mod console;
pub mod embedded;
pub mod error;
pub mod export;
mod import_job;
pub mod imports;
pub mod insights;
pub mod json;
pub mod members;
pub mod metrics;
pub mod negotiation;
pub mod openapi;
pub mod ozon;
pub mod page;
pub mod providers;
pub mod public;
pub mod push;
pub mod rate_limit;
pub mod seller;
pub mod seller_attention;
pub mod seller_list;
pub mod state;
pub mod taps;
pub mod tokens;
pub mod webhooks;

use crate::http::state::{AppState, SharedState};
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;

/// The whole HTTP surface: both APIs, and the built widget when the state names a directory.
pub fn app(state: AppState) -> Router {
    let state = std::sync::Arc::new(state);
    let api = Router::new()
        .merge(public::routes(&state))
        .merge(push::routes())
        .merge(taps::routes())
        .route("/api/openapi.json", get(openapi::serve))
        .merge(seller_api(&state))
        .merge(
            console::routes()
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    console::from_the_console_only,
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                )),
        );
    let api = match &state.widget {
        Some(files) => api
            .merge(page::routes(files.clone()))
            .fallback_service(assets::service(files)),
        None => api,
    };
    let clients = state.clients.clone();
    api.with_state(state)
        .layer(axum::middleware::from_fn(crate::metrics::track_requests))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
                let client = rate_limit::client_ip(request.extensions());
                // The path only: a query may hold what the log must not keep (a reply to a
                // second factor sent where it should not be, a token in a link).
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    client = ?client,
                )
            }),
        )
        // Outermost, so that the log and every limit see the same client.
        .layer(axum::middleware::from_fn_with_state(
            clients,
            rate_limit::identify_client,
        ))
        .layer(no_sniffing())
}

/// `X-Content-Type-Options: nosniff` on every answer: a browser takes each as the type it is
/// sent as, so that no JSON answer or file whose text a seller or buyer wrote is run as a
/// script or shown as a page.
pub fn no_sniffing() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    )
}

/// The seller API, its Ozon part included: server to server with a bearer token (no CORS, so
/// no browser page can call it), and nothing it answers may be cached.
fn seller_api(state: &SharedState) -> Router<SharedState> {
    seller::routes()
        .merge(seller_list::routes())
        .merge(seller_attention::routes())
        .merge(ozon::routes())
        .merge(webhooks::routes())
        .merge(providers::routes())
        .merge(tokens::routes())
        .merge(imports::routes())
        .merge(export::routes())
        .merge(members::routes())
        .merge(insights::routes())
        // Who changed what, for every route merged above this layer.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::record,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}
