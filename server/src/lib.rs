//! trackline's reference tracking endpoint: stores shipments and answers contract v1.

pub mod background;
pub mod caps;
pub mod change;
pub mod client_address;
pub mod clock;
pub mod connections;
pub mod console_auth;
pub mod counts;
pub mod demo;
pub mod digest;
pub mod http;
pub mod import;
pub mod in_flight;
pub mod insights;
pub mod jitter;
pub mod learnt;
pub mod limiter;
pub mod lookup;
pub mod lookup_cache;
pub mod metrics;
pub mod ozon;
pub mod percentile;
pub mod provider;
pub mod providers;
pub mod push;
pub mod secrets;
pub mod seller_input;
pub mod settings;
pub mod sheet_reader;
pub mod store;
pub mod updates;
pub mod webhooks;

use std::future::Future;
use std::net::SocketAddr;
use thiserror::Error;
use tokio_util::sync::CancellationToken;

pub use http::app;
pub use http::state::AppState;
pub use settings::Settings;
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
#[derive(Debug, Clone)]
pub struct Listening {
    /// Both APIs and the widget.
    pub addr: SocketAddr,
    /// Prometheus metrics (`/metrics`), when configured.
    pub metrics: Option<SocketAddr>,
    /// The store it serves, for what the command line prints after start (the demo's
    /// invitation: an in-memory store is only reachable through this handle).
    pub store: Store,
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
            // Scraped from inside the operator's network; it stops with the process, so its
            // token is never cancelled.
            tokio::spawn(connections::serve(
                listener,
                http::metrics::router(),
                config.connections,
                CancellationToken::new(),
            ));
            Some(bound)
        }
        None => None,
    };
    // One token stops the listener and every loop below once `shutdown` resolves (or the
    // serving future is dropped). Each loop ends its turn first; what is in flight then is
    // taken again by an instance once its lease ends.
    let stopping = CancellationToken::new();
    let state = AppState::new(store.clone(), config);
    // Webhook deliveries go out from every instance, each taking its own through the store.
    let worker = webhooks::worker::DeliveryWorker::new(
        store.clone(),
        webhooks::schedule::Schedule::default(),
        std::time::Duration::from_secs(1),
        config.allow_private_webhooks,
    )
    .counting(state.counts.clone());
    tokio::spawn(worker.run(stopping.clone()));
    // Every instance forgets what has outlived its use, so that the store does not grow for years.
    tokio::spawn(background::keep_forgetting(store.clone(), stopping.clone()));
    // Rows stored by an older version get their list columns now that the server listens.
    tokio::spawn(background::fill_list_columns(
        store.clone(),
        stopping.clone(),
    ));
    // Parcels delivered before 0029 join the learnt estimates' history.
    tokio::spawn(background::fill_deliveries(store.clone(), stopping.clone()));
    // Buyers' notifications go out from every instance too, each taking its own.
    if let Some(vapid) = state.vapid.clone() {
        let pusher = push::worker::PushWorker::new(
            state.store.clone(),
            vapid,
            std::time::Duration::from_secs(1),
            config.allow_private_push,
            config.push_services.clone(),
        )
        .counting(state.counts.clone());
        tokio::spawn(pusher.run(stopping.clone()));
    }
    // Providers are asked from every instance too, each taking its own shipments.
    tokio::spawn(state.poller.clone().run(stopping.clone()));
    // Counts are added to the store every few seconds from every instance; the last once
    // the requests under way have ended.
    let counts = state.counts.clone();
    tokio::spawn(counts.clone().keep_flushing(
        store.clone(),
        counts::FLUSH_EVERY,
        stopping.clone(),
    ));
    let flushing = store.clone();
    let app = app(state);
    let limits = config.connections;
    let serving = async move {
        let _stops_when_dropped = stopping.clone().drop_guard();
        let heard = async {
            stopping.run_until_cancelled(shutdown).await;
            stopping.cancel();
        };
        let (served, ()) = tokio::join!(
            connections::serve(listener, app, limits, stopping.clone()),
            heard
        );
        if let Err(error) = counts.flush(&flushing).await {
            tracing::warn!(%error, "counts: the last flush failed; this instance's last seconds of counts are lost");
        }
        served
    };
    Ok((
        Listening {
            addr,
            metrics,
            store,
        },
        serving,
    ))
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}
