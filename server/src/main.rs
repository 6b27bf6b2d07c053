//! Starts the reference endpoint: `trackline-server [--addr A] [--database URL] [--static-dir D] [--demo]`
//! (the widget from `D`, else the one built into the binary with `embed-widget`),
//! adds a seller: `trackline-server add-seller NAME [--handle SHOP] [--database URL]`, printing
//! its token once (and its shop's lookup path),
//! lists sellers: `trackline-server sellers list [--database URL]`, removes one with all its
//! data: `trackline-server sellers remove HANDLE [--database URL]`,
//! prints a new secret key for sealing sellers' provider keys: `trackline-server secret-key`,
//! asks a running server whether it is ready, for container health checks:
//! `trackline-server healthcheck [--addr A]` (exit 0 or 1), or prints the OpenAPI document of
//! both APIs: `trackline-server openapi`.

use std::process::ExitCode;
use trackline_server::http::assets::WidgetFiles;
use trackline_server::secrets::SecretKey;
use trackline_server::store::sellers::is_handle;
use trackline_server::store::StoreError;
use trackline_server::{demo, start, Config, Store};

// The lookup answers from memory; what is left per request is mostly small allocations, which
// mimalloc serves faster than the system allocator when the workers' threads share them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    // One JSON object a line for log collectors; readable text for people.
    if std::env::var("TRACKLINE_LOG_FORMAT").is_ok_and(|format| format == "json") {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("openapi") {
        print!("{}", trackline_server::http::openapi::json());
        return ExitCode::SUCCESS;
    }
    if args.first().map(String::as_str) == Some("secret-key") {
        return match SecretKey::generate() {
            Ok(key) => {
                println!("{}", key.to_base64());
                eprintln!("a new secret key: keep it (TRACKLINE_SECRET_KEY or secret_key_file); sellers' provider keys cannot be read without it");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("trackline-server: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let healthcheck = args.first().map(String::as_str) == Some("healthcheck");
    if healthcheck {
        args.remove(0);
    }
    let add_seller = (args.first().map(String::as_str) == Some("add-seller")).then(|| {
        args.remove(0);
        let name = if args.is_empty() {
            String::new()
        } else {
            args.remove(0)
        };
        let handle = args.iter().position(|arg| arg == "--handle").map(|at| {
            args.remove(at);
            if at < args.len() {
                args.remove(at)
            } else {
                String::new()
            }
        });
        (name, handle)
    });
    let sellers = (args.first().map(String::as_str) == Some("sellers")).then(|| {
        args.remove(0);
        let mut words = Vec::new();
        // The command's own words come before the options.
        while args.first().is_some_and(|arg| !arg.starts_with("--")) {
            words.push(args.remove(0));
        }
        words
    });
    let config = match Config::from_env_and_args(|k| std::env::var(k).ok(), args) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("trackline-server: {error}");
            return ExitCode::from(2);
        }
    };
    if let Some((name, handle)) = add_seller {
        return add_seller_and_print_token(&config, name.trim(), handle.as_deref()).await;
    }
    if healthcheck {
        return check_health(&config).await;
    }
    if let Some(words) = sellers {
        return manage_sellers(&config, &words).await;
    }
    // Ctrl-C or SIGTERM (what orchestrators send) stop accepting; requests in flight finish.
    let shutdown = async {
        let interrupt = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut terminate =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(signal) => signal,
                    Err(_) => {
                        let _ = interrupt.await;
                        return;
                    }
                };
            tokio::select! {
                _ = interrupt => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = interrupt.await;
        tracing::info!("shutting down: finishing requests in flight");
    };
    let (listening, serving) = match start(&config, shutdown).await {
        Ok(started) => started,
        Err(error) => {
            eprintln!("trackline-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("trackline is running at http://{}/", listening.addr);
    if WidgetFiles::choose(config.static_dir.clone()).is_none() {
        eprintln!("no widget in this build: the APIs only (cargo xtask release builds the binary with the widget inside; --static-dir serves a directory)");
    }
    if let Some(metrics) = listening.metrics {
        eprintln!("metrics at http://{metrics}/metrics");
    }
    if config.demo {
        println!("demo numbers to try:");
        for (number, what) in demo::HIGHLIGHTS {
            println!("  {number:<20} {what}");
        }
    }
    match serving.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("trackline-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Asks the server at the configured address for `/readyz`; 0 when it is ready, 1 otherwise.
async fn check_health(config: &Config) -> ExitCode {
    // A server listening on every interface is asked on the loopback one.
    let mut addr = config.addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap_or_default();
    match client.get(format!("http://{addr}/readyz")).send().await {
        Ok(response) if response.status().is_success() => ExitCode::SUCCESS,
        Ok(response) => {
            eprintln!(
                "trackline-server at {addr}: not ready ({})",
                response.status()
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("trackline-server at {addr}: no answer ({error})");
            ExitCode::FAILURE
        }
    }
}

/// Adds a seller and prints its bearer token, the only time it is ever shown (on standard
/// output, alone, for scripts); then, for people, its shop handle and lookup path.
async fn add_seller_and_print_token(config: &Config, name: &str, handle: Option<&str>) -> ExitCode {
    if name.is_empty() {
        eprintln!(
            "trackline-server: add-seller needs a name: trackline-server add-seller \"Demo Shop\" [--handle demo-shop]"
        );
        return ExitCode::from(2);
    }
    if let Some(handle) = handle.filter(|handle| !is_handle(handle)) {
        eprintln!(
            "trackline-server: {handle:?} cannot be a shop handle: 2 to 40 of a-z 0-9 and dashes, no dash at either end"
        );
        return ExitCode::from(2);
    }
    let added = match Store::open(&config.database_url).await {
        Ok(store) => store.add_seller_named(name, handle).await,
        Err(error) => Err(error),
    };
    match added {
        Ok(seller) => {
            println!("{}", seller.token);
            eprintln!(
                "seller {name:?} added; keep this token (named \"first\") now, it is stored only as a hash; \
                 the seller makes more, lists and revokes them at /api/v1/seller/tokens"
            );
            eprintln!(
                "its shop's handle is {handle:?}: buyers' widgets ask /api/v1/shops/{handle}/track/{{number}} \
                 (the hosted page: /?shop={handle}; the element: <trackline-widget shop=\"{handle}\">)",
                handle = seller.handle
            );
            ExitCode::SUCCESS
        }
        Err(StoreError::Conflict) => {
            eprintln!("trackline-server: another shop already has that handle: choose another with --handle");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("trackline-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `sellers list`: one seller a line (handle, name, when added, how many shipments);
/// `sellers remove HANDLE`: the seller and everything it wrote, all at once.
async fn manage_sellers(config: &Config, words: &[String]) -> ExitCode {
    let usage = "trackline-server sellers list | sellers remove HANDLE [--database URL]";
    let store = match Store::open(&config.database_url).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("trackline-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    match words {
        [list] if list == "list" => match store.sellers().await {
            Ok(sellers) => {
                println!("handle\tname\tcreated\tshipments");
                for seller in sellers {
                    println!(
                        "{}\t{}\t{}\t{}",
                        seller.handle, seller.name, seller.created_at, seller.shipments
                    );
                }
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("trackline-server: {error}");
                ExitCode::FAILURE
            }
        },
        [remove, handle] if remove == "remove" => match store.remove_seller(handle).await {
            Ok(Some(shipments)) => {
                eprintln!(
                    "removed seller {handle:?} with its {shipments} shipment(s), tokens, webhooks, \
                     subscriptions and keys; instances over PostgreSQL forget it at once, a server \
                     over this SQLite file within 10 s"
                );
                ExitCode::SUCCESS
            }
            Ok(None) => {
                eprintln!("trackline-server: no shop has the handle {handle:?} (trackline-server sellers list)");
                ExitCode::FAILURE
            }
            Err(error) => {
                eprintln!("trackline-server: {error}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("trackline-server: {usage}");
            ExitCode::from(2)
        }
    }
}
