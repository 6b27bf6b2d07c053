//! Starts the reference endpoint: `trackline-server [--addr A] [--database URL] [--static-dir D] [--demo]`.

use std::process::ExitCode;
use trackline_server::{demo, start, Config};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let config =
        match Config::from_env_and_args(|k| std::env::var(k).ok(), std::env::args().skip(1)) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("trackline-server: {error}");
                return ExitCode::from(2);
            }
        };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let (addr, serving) = match start(&config, shutdown).await {
        Ok(started) => started,
        Err(error) => {
            eprintln!("trackline-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("trackline is running at http://{addr}/");
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
