//! The files generated from the code and checked in, so that readers of the repository (and
//! tools pointed at it) see them: today `docs/openapi.json`, from the server's handlers.

use crate::cmd::{cmd, ensure, Done};

/// Where the OpenAPI document is checked in.
const OPENAPI: &str = "docs/openapi.json";

fn generated_openapi() -> Done<String> {
    cmd("cargo")
        .args([
            "run",
            "--locked",
            "-q",
            "-p",
            "trackline-server",
            "--",
            "openapi",
        ])
        .read()
}

/// Writes every generated file again.
///
/// # Errors
/// When generating or writing fails.
pub fn write() -> Done {
    std::fs::write(OPENAPI, generated_openapi()?)?;
    println!("wrote {OPENAPI}");
    Ok(())
}

/// Fails when a checked-in generated file differs from what the code generates now.
///
/// # Errors
/// Names the stale file.
pub fn check() -> Done {
    let checked_in = std::fs::read_to_string(OPENAPI).unwrap_or_default();
    ensure(
        checked_in == generated_openapi()?,
        format!("{OPENAPI} is stale: run `cargo xtask codegen` to write it again"),
    )
}
