//! trackline's reference tracking endpoint: stores shipments and answers contract v1.

pub mod client_address;
pub mod config;
pub mod demo;
pub mod http;
pub mod limiter;
pub mod lookup;
pub mod ozon;
pub mod seller_input;
pub mod state;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use thiserror::Error;

pub use config::Config;
pub use http::app;
pub use state::AppState;
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
    let app = app(AppState::new(store, config));
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
