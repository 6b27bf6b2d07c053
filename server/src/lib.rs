//! trackline's reference tracking endpoint: stores shipments and answers contract v1.

pub mod api;
pub mod assets;
pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod ozon;
pub mod ozon_api;
pub mod rate_limit;
pub mod seller_api;
pub mod seller_input;
pub mod store;

use axum::http::{header, HeaderValue, Method};
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use thiserror::Error;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use store::Store;

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The demo data could not be seeded.
    #[error(transparent)]
    Demo(#[from] demo::DemoError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why it failed.
        source: std::io::Error,
    },
}

/// The policy the hosted page and the example pages are served under: no inline script or
/// style, no eval; only `'wasm-unsafe-eval'` so that the widget's wasm may be compiled.
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'";

/// The whole HTTP surface: the tracking API, and the built widget when a directory is given.
pub fn router(store: Store, static_dir: Option<&Path>) -> Router {
    router_with_limit(store, static_dir, rate_limit::RateLimit::default())
}

/// The HTTP surface with a chosen rate limit for the public lookup.
pub fn router_with_limit(
    store: Store,
    static_dir: Option<&Path>,
    limit: rate_limit::RateLimit,
) -> Router {
    let ozon = ozon::OzonClient::new(
        ozon::OZON_BASE_URL,
        std::time::Duration::from_secs(60),
        ozon::Backoff::default(),
    );
    router_with(store, static_dir, limit, ozon)
}

/// The HTTP surface with every outside dependency chosen: the rate limit and the Ozon client.
pub fn router_with(
    store: Store,
    static_dir: Option<&Path>,
    limit: rate_limit::RateLimit,
    ozon: ozon::OzonClient,
) -> Router {
    // The lookup is public and read-only: any storefront may call it, without credentials.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET]);
    // Answers say how long they may be cached; errors are not cached.
    let public = Router::new()
        .route("/api/v1/track/{number}", get(api::track))
        .layer(axum::middleware::from_fn_with_state(
            rate_limit::Limiter::new(limit),
            rate_limit::limit,
        ))
        // Ten wrong second factors, then one a minute: 10 000 four-digit guesses take a week.
        .layer(axum::Extension(api::CheckLimiter(
            rate_limit::Limiter::new(rate_limit::RateLimit {
                per_minute: 1,
                burst: 10,
            }),
        )))
        .layer(axum::Extension(ozon.clone()))
        .layer(cors)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .route("/healthz", get(api::healthz))
        .route("/api/openapi.json", get(api::openapi));
    // Server to server, with a bearer token: no CORS, so no browser page can call it.
    let seller = Router::new()
        .route(
            "/api/v1/seller/shipments/{reference}",
            get(seller_api::get_shipment)
                .put(seller_api::put_shipment)
                .patch(seller_api::patch_shipment),
        )
        .route(
            "/api/v1/seller/shipments/{reference}/events",
            post(seller_api::post_events),
        )
        .route(
            "/api/v1/seller/settings",
            get(seller_api::get_settings).put(seller_api::put_settings),
        )
        .route(
            "/api/v1/seller/ozon",
            axum::routing::put(ozon_api::put_keys),
        )
        .route(
            "/api/v1/seller/ozon/postings/{posting_number}",
            post(ozon_api::pull_posting),
        )
        .layer(axum::Extension(ozon))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let api = public.merge(seller).with_state(store);
    // Storefronts on other origins import the widget's module and fetch its wasm, which needs CORS.
    let assets_cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET]);
    let app = match static_dir {
        Some(dir) => api.fallback_service(
            tower::ServiceBuilder::new()
                .layer(assets_cors)
                .layer(axum::middleware::from_fn(assets::cache_policy))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(STRICT_CSP),
                ))
                // The build leaves .br and .gz copies beside each file: sent as they are, not compressed per request.
                .service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
        ),
        None => api,
    };
    app.layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Opens the store, seeds the demo if asked, binds, and returns the bound address
/// with the future that serves until `shutdown` resolves.
///
/// # Errors
/// `StartError` if the store cannot be opened or seeded, or the address cannot be bound.
pub async fn start(
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(SocketAddr, impl Future<Output = std::io::Result<()>>), StartError> {
    let store = Store::open(&config.database_url).await?;
    if config.demo {
        let added = demo::seed_if_empty(&store).await?;
        tracing::info!(added, "demo shipments seeded");
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.addr,
        source,
    })?;
    let ozon = ozon::OzonClient::new(
        &config.ozon_base_url,
        std::time::Duration::from_secs(60),
        ozon::Backoff::default(),
    );
    let app = router_with(store, config.static_dir.as_deref(), config.rate_limit, ozon);
    let serving = async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    };
    Ok((addr, serving))
}
