//! Every test, as CI runs it: formatting and lints; the domain and server tests (the server's on
//! SQLite and again on a throwaway PostgreSQL); the OpenAPI document through the tools a seller's
//! developer uses; bounded fuzzing; the widget's components in headless Chromium; and the end-to-end
//! tests, which build the release widget and drive it against the real server.

use crate::cmd::{cmd, step, Done};
use crate::postgres::Postgres;

/// One step of the test task.
type Step = fn() -> Done;

/// Runs them all, stopping at the first that fails.
///
/// # Errors
/// The first step that fails.
pub fn run() -> Done {
    crate::setup::run()?;
    let steps: [(&str, Step); 7] = [
        ("format, lints and generated files", lints),
        ("core, server, widget logic and tasks (native)", native),
        (
            "docs/openapi.json as a seller's developer's tools read it: validate, lint, generate client types",
            openapi_tools,
        ),
        (
            "the server's tests again, on PostgreSQL (a throwaway local server)",
            on_postgres,
        ),
        (
            "fuzz: the number recogniser and the contract parser, bounded in runs and time",
            fuzzing,
        ),
        (
            "widget and console components in headless Chromium (wasm-bindgen-test)",
            components,
        ),
        (
            "end to end: release widget, real server, Chromium over WebDriver",
            end_to_end,
        ),
    ];
    for (name, run) in steps {
        step(name);
        run()?;
    }
    Ok(())
}

fn lints() -> Done {
    cmd("cargo").args(["fmt", "--all", "--", "--check"]).run()?;
    cmd("cargo")
        .args(["clippy", "--workspace", "--all-targets", "--locked", "-q"])
        .args(["--", "-D", "warnings"])
        .run()?;
    cmd("cargo")
        .args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "hydrate",
            "--all-targets",
            "--locked",
            "-q",
        ])
        .args(["--", "-D", "warnings"])
        .run()?;
    // The configurator as trunk builds it.
    cmd("cargo")
        .args([
            "clippy",
            "-p",
            "trackline-configurator",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "hydrate",
            "--locked",
            "-q",
        ])
        .args(["--", "-D", "warnings"])
        .run()?;
    // The seller's console, as trunk builds it.
    cmd("cargo")
        .args([
            "clippy",
            "-p",
            "trackline-console",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "hydrate",
            "--all-targets",
            "--locked",
            "-q",
        ])
        .args(["--", "-D", "warnings"])
        .run()?;
    crate::codegen::check()
}

fn native() -> Done {
    cmd("cargo")
        .args([
            "test",
            "--workspace",
            "--exclude",
            "trackline-e2e",
            "--lib",
            "--bins",
            "--tests",
        ])
        .args(["--locked", "-q"])
        .run()
}

fn openapi_tools() -> Done {
    cmd("validate-api").args(["docs/openapi.json"]).run()?;
    cmd("redocly")
        .args(["lint", "--extends=recommended", "docs/openapi.json"])
        .run()?;
    std::fs::create_dir_all("target")?;
    cmd("openapi-typescript")
        .args(["docs/openapi.json", "-o", "target/openapi-types.ts"])
        .run()
}

fn on_postgres() -> Done {
    let postgres = Postgres::start()?;
    cmd("cargo")
        .args([
            "test",
            "-p",
            "trackline-server",
            "--tests",
            "--locked",
            "-q",
        ])
        .env("TRACKLINE_TEST_DATABASE", &postgres.url)
        .run()
}

fn fuzzing() -> Done {
    fuzz("recognise", &[], &["-runs=300000", "-max_total_time=60"])?;
    std::fs::create_dir_all("fuzz/corpus/contract")?;
    fuzz(
        "contract",
        &["fuzz/corpus/contract", "docs/examples"],
        &["-runs=200000", "-max_total_time=60"],
    )
}

fn components() -> Done {
    // wasm-bindgen-test-runner ends chromedriver without ending its session, so each run left
    // its Chromium profile (14–68 MB) in /tmp for good; in a temporary directory of the
    // checkout's own it is removed here, and with the checkout.
    let temporary = crate::cmd::root().join("target/components-tmp");
    let _ = std::fs::remove_dir_all(&temporary);
    std::fs::create_dir_all(&temporary)?;
    let ran = cmd("cargo")
        .env("TMPDIR", &temporary)
        .args([
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "components",
            // The build buyers get (trunk's), which mounts as well as it hydrates.
            "--features",
            "hydrate",
            "--locked",
        ])
        .run()
        .and_then(|()| {
            // The seller's console: its words, WebAuthn's JSON, its errors, the list's query.
            cmd("cargo")
                .env("TMPDIR", &temporary)
                .args([
                    "test",
                    "-p",
                    "trackline-console",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "components",
                    "--features",
                    "hydrate",
                    "--locked",
                ])
                .run()
        });
    let _ = std::fs::remove_dir_all(&temporary);
    ran
}

fn end_to_end() -> Done {
    crate::dist::build()?;
    crate::package::make()?;
    cmd("cargo")
        .args([
            "test",
            "-p",
            "trackline-e2e",
            "--locked",
            "-q",
            "--",
            "--test-threads=2",
        ])
        .run()
}

/// Runs a cargo-fuzz target on the nightly toolchain; libFuzzer prints a line per new input, so
/// its log is kept and only the verdict shown (the log's end too, when it fails).
fn fuzz(target: &str, corpora: &[&str], limits: &[&str]) -> Done {
    let log = format!("target/fuzz-{target}.log");
    std::fs::create_dir_all("target")?;
    let mut fuzzer = cmd("cargo")
        .args(["+nightly", "fuzz", "run", target])
        .args(corpora)
        .args(["--"])
        .args(limits)
        .spawn_logged(std::path::Path::new(&log))?;
    let status = fuzzer.wait()?;
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    if !status.success() {
        let lines: Vec<&str> = text.lines().collect();
        eprintln!("{}", lines[lines.len().saturating_sub(60)..].join("\n"));
        return Err(crate::cmd::Failed(format!(
            "fuzz {target} failed: see {log} and fuzz/artifacts/{target}"
        )));
    }
    let verdict = text
        .lines()
        .rfind(|line| line.starts_with("Done ") && line.contains(" runs"))
        .unwrap_or("done");
    println!("fuzz {target}: {verdict}");
    Ok(())
}
