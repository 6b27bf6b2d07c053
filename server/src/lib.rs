//! trackline's reference tracking endpoint: stores shipments and answers contract v1.

pub mod background;
pub mod caps;
pub mod client_address;
pub mod clock;
pub mod connections;
pub mod demo;
pub mod http;
pub mod in_flight;
pub mod limiter;
pub mod lookup;
pub mod lookup_cache;
pub mod metrics;
pub mod ozon;
pub mod push;
pub mod secrets;
pub mod seller_input;
pub mod settings;
pub mod sources;
pub mod state;
pub mod store;
pub mod webhooks;

use std::future::Future;
use std::net::SocketAddr;
use thiserror::Error;

pub use http::app;
pub use settings::Settings;
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

/// Where a started server listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listening {
    /// Both APIs and the widget.
    pub addr: SocketAddr,
    /// Prometheus metrics (`/metrics`), when configured.
    pub metrics: Option<SocketAddr>,
}

/// Opens the store, seeds the demo if asked, binds, and returns where it listens with the
/// future that serves until `shutdown` resolves.
///
/// # Errors
/// `StartError` if the store cannot be opened or seeded, or an address cannot be bound.
pub async fn start(
    config: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(Listening, impl Future<Output = std::io::Result<()>>), StartError> {
    let store = Store::open(&config.database_url)
        .await?
        .with_secret_key(config.secret_key.clone())
        .await?;
    store.hear_other_instances(&config.database_url).await?;
    if config.demo {
        let added = demo::seed_if_empty(&store).await?;
        tracing::info!(added, "demo shipments seeded");
    }
    let listener = bind(config.addr).await?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.addr,
        source,
    })?;
    let metrics = match config.metrics_addr {
        Some(metrics_addr) => {
            let listener = bind(metrics_addr).await?;
            let bound = listener.local_addr().map_err(|source| StartError::Bind {
                addr: metrics_addr,
                source,
            })?;
            metrics::enable();
            // Scraped from inside the operator's network; it stops with the process.
            tokio::spawn(connections::serve(
                listener,
                metrics::router(),
                config.connections,
                std::future::pending(),
            ));
            Some(bound)
        }
        None => None,
    };
    // Webhook deliveries go out from every instance, each taking its own through the store,
    // until the server stops (what is in flight then is taken again once its lease ends).
    let (stopped, stopping) = tokio::sync::oneshot::channel::<()>();
    let worker = webhooks::worker::Worker::new(
        store.clone(),
        webhooks::schedule::Schedule::default(),
        std::time::Duration::from_secs(1),
        config.allow_private_webhooks,
    );
    let (polling_stopped, polling_stopping) = tokio::sync::oneshot::channel::<()>();
    let (push_stopped, push_stopping) = tokio::sync::oneshot::channel::<()>();
    let (forgetting_stopped, forgetting_stopping) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(worker.run(async move {
        let _ = stopping.await;
        let _ = polling_stopped.send(());
        let _ = push_stopped.send(());
        let _ = forgetting_stopped.send(());
    }));
    // Every instance forgets what has outlived its use, so that the store does not grow for years.
    tokio::spawn(background::keep_forgetting(store.clone(), async move {
        let _ = forgetting_stopping.await;
    }));
    let state = AppState::new(store, config);
    // Buyers' notifications go out from every instance too, each taking its own.
    if let Some(vapid) = state.vapid.clone() {
        let pusher = push::worker::Worker::new(
            state.store.clone(),
            vapid,
            std::time::Duration::from_secs(1),
            config.allow_private_push,
            config.push_services.clone(),
        );
        tokio::spawn(pusher.run(async move {
            let _ = push_stopping.await;
        }));
    }
    // Carriers are polled from every instance too, each taking its own shipments.
    tokio::spawn(state.poller.clone().run(async move {
        let _ = polling_stopping.await;
    }));
    let app = app(state);
    let limits = config.connections;
    let serving = connections::serve(listener, app, limits, async move {
        shutdown.await;
        let _ = stopped.send(());
    });
    Ok((Listening { addr, metrics }, serving))
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}
