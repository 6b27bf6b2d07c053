//! Installs what building, running and testing trackline need, from the registries this project
//! may use (Debian, crates.io, npm) and nowhere else. Each step checks first and installs only
//! what is missing, so a second run installs nothing.

use crate::cmd::{cmd, ensure, is_root, Done, Failed};
use std::path::Path;

/// Debian's packages: the browser and its driver for every browser test, brotli for the built
/// files' copies and the size benchmark, CJK fonts so that Chinese screenshots show characters,
/// PostgreSQL for the server's tests on its second database, wrk, nginx and curl for the load
/// benchmark, systemd's `systemd-analyze` to check the deployment's unit.
const DEBIAN: [&str; 11] = [
    "chromium",
    "chromium-driver",
    "brotli",
    "fonts-noto-cjk",
    "postgresql",
    "wrk",
    "nginx-light",
    "curl",
    "systemd",
    // webauthn-rs (the console's passkeys) links OpenSSL.
    "libssl-dev",
    "pkg-config",
];

/// npm's packages, pinned so results do not drift, installed into `.tools`:
/// binaryen's wasm-opt (Debian's 108 emits a wasm that Chromium refuses to start), axe-core for
/// the accessibility checks, Lighthouse for the speed benchmark (12.8 is the last for Node 20),
/// the OpenAPI tools a seller's developer points at docs/openapi.json, and what a shop's web
/// developer meets the npm package with: Vite (a common bundler), TypeScript with React's types
/// (the declarations checked as an editor reads them), and the Custom Elements Manifest's schema;
/// esbuild, which minifies wasm-bindgen's glue in the build (the version Vite 7.3 takes).
const NPM: [(&str, &str); 11] = [
    ("binaryen", "132.0.0"),
    ("axe-core", "4.11.0"),
    ("lighthouse", "12.8.2"),
    ("@redocly/cli", "2.77.0"),
    ("openapi-typescript", "7.13.0"),
    ("@seriousme/openapi-schema-validator", "2.11.0"),
    ("vite", "7.3.8"),
    ("typescript", "5.9.3"),
    ("@types/react", "19.2.9"),
    ("custom-elements-manifest", "2.1.0"),
    ("esbuild", "0.28.2"),
];

/// Sets the machine up.
///
/// # Errors
/// When an install fails or the machine lacks what cannot be installed from here.
pub fn run() -> Done {
    debian()?;
    if !cmd("rustup")
        .args(["target", "list", "--installed"])
        .quietly_read()
        .is_some_and(|targets| targets.lines().any(|t| t == "wasm32-unknown-unknown"))
    {
        say("adding the wasm32-unknown-unknown target");
        cmd("rustup")
            .args(["target", "add", "wasm32-unknown-unknown"])
            .run()?;
    }
    // trunk 0.22 needs a newer rustc than this machine's; 0.21 builds the page.
    if !version_of("trunk").is_some_and(|v| v.starts_with("trunk 0.21.")) {
        say("installing trunk 0.21");
        cmd("cargo")
            .args(["install", "trunk", "--version", "~0.21", "--locked"])
            .run()?;
    }
    wasm_bindgen()?;
    npm()?;
    // Fuzzing runs on the nightly toolchain this kind of machine carries (it cannot be fetched here).
    ensure(
        cmd("rustup")
            .args(["toolchain", "list"])
            .quietly_read()
            .is_some_and(|list| list.lines().any(|t| t.starts_with("nightly"))),
        "no nightly toolchain (rustup toolchain list): the fuzz targets need one",
    )?;
    if !cmd("cargo").args(["fuzz", "--version"]).succeeds() {
        say("installing cargo-fuzz");
        cmd("cargo")
            .args(["install", "cargo-fuzz", "--locked"])
            .run()?;
    }
    // trunk runs cargo offline: fetch the crates it will need first.
    cmd("cargo").args(["fetch", "--locked", "-q"]).run()
}

fn say(what: &str) {
    println!("setup: {what}");
}

fn version_of(program: &str) -> Option<String> {
    cmd(program).args(["--version"]).quietly_read()
}

fn debian() -> Done {
    let missing: Vec<&str> = DEBIAN
        .into_iter()
        .filter(|package| {
            !cmd("dpkg-query")
                .args(["-W", "-f=${Status}", package])
                .quietly_read()
                .is_some_and(|status| status.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    say(&format!("installing {}", missing.join(" ")));
    let sudo = |program: &str| {
        if is_root() {
            cmd(program)
        } else {
            cmd("sudo").args([program])
        }
    };
    sudo("apt-get").args(["update", "-qq"]).run()?;
    sudo("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(missing)
        .run()
}

/// wasm-bindgen-cli must be exactly the version Cargo.lock pins for the wasm-bindgen crate.
fn wasm_bindgen() -> Done {
    let lock = std::fs::read_to_string("Cargo.lock")?;
    let pinned = lock
        .split("[[package]]")
        .find(|entry| entry.contains("\nname = \"wasm-bindgen\"\n"))
        .and_then(|entry| {
            entry
                .lines()
                .find_map(|line| line.strip_prefix("version = "))
        })
        .map(|version| version.trim_matches('"').to_owned())
        .ok_or_else(|| Failed("no wasm-bindgen in Cargo.lock".into()))?;
    let trunk = std::fs::read_to_string("Trunk.toml")?;
    ensure(
        trunk.contains(&format!("wasm_bindgen = \"{pinned}\"")),
        format!("Trunk.toml pins another wasm_bindgen than Cargo.lock's {pinned}"),
    )?;
    if version_of("wasm-bindgen").as_deref().map(str::trim)
        != Some(&format!("wasm-bindgen {pinned}"))
    {
        say(&format!("installing wasm-bindgen-cli {pinned}"));
        // Not --locked: its own lockfile pins a yanked crate.
        cmd("cargo")
            .args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                &pinned,
                "--force",
            ])
            .run()?;
    }
    ensure(
        version_of("wasm-bindgen-test-runner").is_some_and(|v| v.contains(&pinned)),
        format!("wasm-bindgen-test-runner does not match wasm-bindgen {pinned}"),
    )
}

fn npm() -> Done {
    let missing: Vec<String> = NPM
        .into_iter()
        .filter(|(package, version)| {
            let manifest = Path::new(".tools/node_modules")
                .join(package)
                .join("package.json");
            !std::fs::read_to_string(manifest)
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .is_some_and(|json| json["version"] == *version)
        })
        .map(|(package, version)| format!("{package}@{version}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    say(&format!("installing {} into .tools", missing.join(" ")));
    std::fs::create_dir_all(".tools")?;
    cmd("npm")
        .args([
            "install",
            "--prefix",
            ".tools",
            "--no-audit",
            "--no-fund",
            "--silent",
        ])
        .args(missing)
        .run()
}
