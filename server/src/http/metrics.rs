//! The metrics listener's routes, served on their own address (`metrics_addr`): the recorder
//! and the counters are `crate::metrics`'.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// The metrics listener's routes: `GET /metrics` in Prometheus's text format.
pub fn router() -> Router {
    Router::new()
        .route("/metrics", get(render))
        .layer(super::no_sniffing())
}

async fn render() -> Response {
    match crate::metrics::handle() {
        Some(handle) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            handle.render(),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "no metrics recorder\n").into_response(),
    }
}
