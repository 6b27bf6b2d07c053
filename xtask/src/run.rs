//! Runs the product: the release widget served by the reference endpoint with demo shipments;
//! and builds the one binary operators deploy.

use crate::cmd::{cmd, Done};

/// Builds the widget and the server that carries it, and serves it at http://127.0.0.1:8080
/// (`TRACKLINE_ADDR` to change it) from a fresh demo store: the demo's dates are laid out
/// around the day it is seeded.
///
/// # Errors
/// When the set-up or the build fails, or the server stops with an error.
pub fn run() -> Done {
    crate::setup::run()?;
    crate::dist::build()?;
    std::fs::create_dir_all("tmp")?;
    for stale in ["tmp/demo.db", "tmp/demo.db-shm", "tmp/demo.db-wal"] {
        let _ = std::fs::remove_file(stale);
    }
    let addr = std::env::var("TRACKLINE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    // The demo's store is new every run, so a new secret key each run seals nothing it must
    // open later; with one the demo signs buyers' notifications ("Notify me" shows).
    let key = std::env::var("TRACKLINE_SECRET_KEY")
        .ok()
        .or_else(demo_secret_key);
    let server = cmd("cargo")
        .args([
            "run",
            "--release",
            "--locked",
            "-p",
            "trackline-server",
            "--features",
            "embed-widget",
            "--",
        ])
        .args(["--demo", "--database", "sqlite://tmp/demo.db"])
        .args(["--addr", &addr])
        // Browsers refuse passkeys on an IP address: the console's links name the host.
        .args(["--public-url", &public_url(&addr)]);
    match key {
        Some(key) => server.env("TRACKLINE_SECRET_KEY", key).run(),
        None => server.run(),
    }
}

/// The address the printed links use: `localhost` for a loopback or unspecified address (a
/// passkey needs a host name), unless `TRACKLINE_PUBLIC_URL` names one.
fn public_url(addr: &str) -> String {
    if let Ok(url) = std::env::var("TRACKLINE_PUBLIC_URL") {
        return url;
    }
    match addr.parse::<std::net::SocketAddr>() {
        Ok(parsed) if parsed.ip().is_loopback() || parsed.ip().is_unspecified() => {
            format!("http://localhost:{}", parsed.port())
        }
        Ok(parsed) => format!("http://{parsed}"),
        Err(_) => format!("http://{addr}"),
    }
}

/// 32 random bytes from the system, base64: a secret key for one demo run.
fn demo_secret_key() -> Option<String> {
    use base64::Engine;
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Builds the release widget, then the release server with it embedded: the one file to deploy,
/// `target/release/trackline-server`.
///
/// # Errors
/// When the set-up or a build fails.
pub fn release() -> Done {
    crate::setup::run()?;
    crate::dist::build()?;
    cmd("cargo")
        .args(["build", "--release", "--locked", "-p", "trackline-server"])
        .args(["--features", "embed-widget"])
        .run()?;
    let binary = std::path::Path::new("target/release/trackline-server");
    let bytes = std::fs::metadata(binary)?.len();
    println!(
        "{} ({:.1} MB), the widget inside: copy it to the server (see README, Deploying)",
        binary.display(),
        bytes as f64 / 1e6
    );
    Ok(())
}
