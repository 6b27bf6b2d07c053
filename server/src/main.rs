//! `trackline-server`: the reference endpoint and the operator's commands around it;
//! `trackline-server --help` lists them with every setting.

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;
use trackline_server::http::assets::WidgetFiles;
use trackline_server::http::members::new_invitation;
use trackline_server::secrets::SecretKey;
use trackline_server::settings::{self, LogFormat, Options};
use trackline_server::store::members::Role;
use trackline_server::store::sellers::{is_handle, SellerId};
use trackline_server::store::StoreError;
use trackline_server::{demo, start, Settings, Store};

// The lookup answers from memory; what is left per request is mostly small allocations, which
// mimalloc serves faster than the system allocator when the workers' threads share them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// trackline's reference tracking endpoint: stores shipments and answers contract v1.
///
/// Without a command it serves both APIs and the widget (the one built into the binary with
/// `cargo xtask release`, or --static-dir's). Every setting is a flag, an environment variable
/// and a key of the --config file; a flag wins over the environment, the environment over the
/// file. A switch (--demo, --allow-…) is on with its flag, with 1 or true in its environment
/// variable (0 or false: off), or with true in the file.
#[derive(Debug, Parser)]
#[command(
    name = "trackline-server",
    version,
    args_override_self = true,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    settings: Options,
}

/// The operator's commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Adds a seller and prints its bearer token, the only time it is ever shown (on standard
    /// output, alone, for scripts); then its shop's handle and lookup path.
    AddSeller {
        /// The seller's name, as its buyers know it.
        name: String,
        /// Its shop's public handle (2 to 40 of a-z 0-9 and dashes, no dash at either end);
        /// made from the name if not given.
        #[arg(long, value_name = "SHOP")]
        handle: Option<String>,
    },
    /// Prints a new one-time link (24 hours) that makes a member of the seller's console: how a
    /// first owner joins, and how a member who lost every passkey gets back in.
    Invite {
        /// The seller's shop handle (trackline-server sellers list).
        handle: String,
        /// What the member may do: owner (everything) or staff (shipments only).
        #[arg(long, value_enum, default_value = "owner")]
        role: InviteRole,
    },
    /// Lists the sellers, or removes one with all its data.
    #[command(subcommand)]
    Sellers(Sellers),
    /// Prints a new secret key for sealing sellers' provider keys (TRACKLINE_SECRET_KEY).
    SecretKey,
    /// Asks the server at --addr whether it is ready, for container health checks: exits 0
    /// when it is, 1 otherwise.
    Healthcheck,
    /// Prints the OpenAPI document of both APIs.
    Openapi,
    /// Reads a seller's file from standard input into rows, as JSON on standard output: the
    /// server runs it for each workbook, so that reading one can crash or swell only this.
    #[command(name = "read-sheet", hide = true)]
    ReadSheet {
        /// The address space this process may take, in bytes.
        #[arg(long, default_value_t = trackline_server::sheet_reader::DEFAULT_MEMORY)]
        memory: u64,
        /// Set by the command itself once the limit is in place.
        #[arg(long)]
        limited: bool,
    },
}

/// The role an invitation gives.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum InviteRole {
    /// Everything, members and keys included.
    Owner,
    /// Shipments, imports and exports.
    Staff,
}

/// `trackline-server sellers ...`
#[derive(Debug, Subcommand)]
enum Sellers {
    /// One seller a line: handle, name, when added, how many shipments.
    List,
    /// Removes the seller and everything it wrote, all at once.
    Remove {
        /// The seller's shop handle.
        handle: String,
    },
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // Clap answers --help, --version and mistakes on the command line in its own words, before
    // the file is read; the commands that need no settings run whatever the file says.
    let given = Cli::try_parse_from(&args).unwrap_or_else(|error| error.exit());
    // A workbook's reader starts no runtime: its memory limit is for the workbook alone.
    if let Some(Command::ReadSheet { memory, limited }) = given.command {
        return trackline_server::sheet_reader::serve(memory, limited);
    }
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(main_with(args, given)),
        Err(error) => {
            eprintln!("trackline-server: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn main_with(args: Vec<OsString>, given: Cli) -> ExitCode {
    match given.command {
        Some(Command::Openapi) => {
            print!("{}", trackline_server::http::openapi::json());
            ExitCode::SUCCESS
        }
        Some(Command::SecretKey) => print_secret_key(),
        command => match settings::read::<Cli>(&args) {
            Ok(settings) => run(command, settings).await,
            Err(error) => {
                eprintln!("trackline-server: {error}");
                ExitCode::from(2)
            }
        },
    }
}

/// Serves, or runs the operator's `command`, with the settings read.
async fn run(command: Option<Command>, settings: Settings) -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    match settings.log_format {
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
    }
    match command {
        Some(Command::AddSeller { name, handle }) => {
            add_seller_and_print_token(&settings, name.trim(), handle.as_deref()).await
        }
        Some(Command::Sellers(command)) => manage_sellers(&settings, command).await,
        Some(Command::Invite { handle, role }) => {
            let role = match role {
                InviteRole::Owner => Role::Owner,
                InviteRole::Staff => Role::Staff,
            };
            invite(&settings, &handle, role).await
        }
        Some(Command::Healthcheck) => check_health(&settings).await,
        // Those need no settings and were answered before they were read.
        Some(Command::Openapi | Command::SecretKey | Command::ReadSheet { .. }) | None => {
            serve(settings).await
        }
    }
}

/// Prints a new secret key on standard output, alone, for scripts.
fn print_secret_key() -> ExitCode {
    match SecretKey::generate() {
        Ok(key) => {
            println!("{}", key.to_base64());
            eprintln!("a new secret key: keep it (TRACKLINE_SECRET_KEY or secret_key_file); sellers' provider keys cannot be read without it");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("trackline-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Serves until Ctrl-C or SIGTERM.
async fn serve(settings: Settings) -> ExitCode {
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
    let (listening, serving) = match start(&settings, shutdown).await {
        Ok(started) => started,
        Err(error) => {
            eprintln!("trackline-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("trackline is running at http://{}/", listening.addr);
    if WidgetFiles::choose(settings.static_dir.clone()).is_none() {
        eprintln!("no widget in this build: the APIs only (cargo xtask release builds the binary with the widget inside; --static-dir serves a directory)");
    }
    if let Some(metrics) = listening.metrics {
        eprintln!("metrics at http://{metrics}/metrics");
    }
    if settings.demo {
        println!("demo numbers to try:");
        for (number, what) in demo::HIGHLIGHTS {
            println!("  {number:<20} {what}");
        }
        // The demo shop's owner signs in to the console from here, as a new seller would.
        if let Ok(Some(seller)) = listening.store.seller_by_handle(demo::DEMO_SELLER).await {
            print_invitation(&listening.store, &settings, seller, Role::Owner, false).await;
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
async fn check_health(settings: &Settings) -> ExitCode {
    // A server listening on every interface is asked on the loopback one.
    let mut addr = settings.addr;
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

/// Adds a seller and prints its bearer token (see `Command::AddSeller`).
async fn add_seller_and_print_token(
    settings: &Settings,
    name: &str,
    handle: Option<&str>,
) -> ExitCode {
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
    let store = match Store::open(&settings.database_url).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("trackline-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    match store.add_seller_named(name, handle).await {
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
            print_invitation(&store, settings, seller.id, Role::Owner, false).await
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

/// `invite HANDLE`: a new invitation link to the seller's console.
async fn invite(settings: &Settings, handle: &str, role: Role) -> ExitCode {
    let store = match Store::open(&settings.database_url).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("trackline-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    match store.seller_by_handle(handle).await {
        Ok(Some(seller)) => print_invitation(&store, settings, seller, role, true).await,
        Ok(None) => {
            eprintln!("trackline-server: no shop has the handle {handle:?} (trackline-server sellers list)");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("trackline-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Makes an invitation for `seller` and prints its link: `alone` on standard output, for
/// scripts; else on standard error, after `add-seller`'s token, which stays alone on standard
/// output.
async fn print_invitation(
    store: &Store,
    settings: &Settings,
    seller: SellerId,
    role: Role,
    alone: bool,
) -> ExitCode {
    match new_invitation(store, &settings.public_url, seller, role).await {
        Ok((link, _)) if alone => {
            println!("{link}");
            eprintln!(
                "open this link within 24 hours to join the seller's console as {} (it works once)",
                role.as_str()
            );
            ExitCode::SUCCESS
        }
        Ok((link, _)) => {
            eprintln!(
                "the seller's console: open this link within 24 hours to join as {} (it works once; \
                 trackline-server invite makes another):\n  {link}",
                role.as_str()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("trackline-server: no invitation: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `sellers list`: one seller a line (handle, name, when added, how many shipments);
/// `sellers remove HANDLE`: the seller and everything it wrote, all at once.
async fn manage_sellers(settings: &Settings, command: Sellers) -> ExitCode {
    let store = match Store::open(&settings.database_url).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("trackline-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    match command {
        Sellers::List => match store.sellers().await {
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
        Sellers::Remove { handle } => match store.remove_seller(&handle).await {
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
    }
}
