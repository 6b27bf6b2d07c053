//! The benchmarks, each printing one figure a line, `name value unit`, measured beside a reference
//! in the same run (this machine is shared and noisy: compare ratios, not single figures); and the
//! screenshots, which are for people to look at.

use crate::cmd::{cmd, Done, Failed};
use std::path::{Path, PathBuf};

/// What a first load costs: the raw, gzip -9 and brotli -q 11 bytes of every file the hosted page
/// fetches (`total`), and of what a storefront's element fetches (`element_total`): the loader,
/// which carries the styles, the glue and the wasm.
///
/// # Errors
/// When the build fails or a built file is missing.
pub fn size() -> Done {
    crate::setup::run()?;
    crate::dist::build()?;
    let dist = Path::new("dist");
    let named = |prefix: &str, suffix: &str| -> Done<PathBuf> {
        std::fs::read_dir(dist)?
            .flatten()
            .map(|entry| entry.path())
            .find(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with(prefix) && name.ends_with(suffix))
            })
            .ok_or_else(|| Failed(format!("no dist/{prefix}*{suffix}")))
    };
    let wasm = named("trackline-", "_bg.wasm")?;
    let module = wasm.with_file_name(
        wasm.file_name()
            .and_then(|name| name.to_str())
            .map(|name| name.replace("_bg.wasm", ".js"))
            .unwrap_or_default(),
    );
    let files = [
        ("wasm", wasm),
        ("js", module),
        ("start_js", named("trackline-start-", ".js")?),
        ("css", named("trackline-", ".css")?),
        ("html", dist.join("index.html")),
        ("loader", dist.join("trackline-widget.js")),
    ];
    let mut measured = Vec::new();
    for (kind, file) in &files {
        let sizes = sizes(file)?;
        print_sizes(kind, sizes);
        measured.push((*kind, sizes));
    }
    // The hosted page fetches the page, its stylesheet and the start-up script; a storefront's
    // element fetches the loader, which carries the styles. Both then fetch the glue and the wasm.
    let first_loads: [(&str, &[&str]); 2] = [
        ("total", &["wasm", "js", "start_js", "css", "html"]),
        ("element_total", &["wasm", "js", "loader"]),
    ];
    for (name, kinds) in first_loads {
        let mut total = [0; 3];
        for (_, sizes) in measured.iter().filter(|(kind, _)| kinds.contains(kind)) {
            for (sum, size) in total.iter_mut().zip(sizes) {
                *sum += size;
            }
        }
        print_sizes(name, total);
    }
    Ok(())
}

fn sizes(file: &Path) -> Done<[usize; 3]> {
    let path = file.to_string_lossy();
    Ok([
        std::fs::metadata(file)?.len() as usize,
        cmd("gzip").args(["-9", "-c", &path]).read_bytes()?.len(),
        cmd("brotli")
            .args(["-q", "11", "-c", &path])
            .read_bytes()?
            .len(),
    ])
}

fn print_sizes(kind: &str, [raw, gzip, brotli]: [usize; 3]) {
    println!("{kind}_raw_bytes {raw} bytes");
    println!("{kind}_gzip_bytes {gzip} bytes");
    println!("{kind}_brotli_bytes {brotli} bytes");
}

/// A slow phone (CPU 4×, 150 ms RTT, 1.6 Mbit/s): the hosted page and the custom element beside a
/// no-script floor page with the same timeline, then Lighthouse's mobile scores.
///
/// # Errors
/// When the build or the benchmark fails.
pub fn speed() -> Done {
    crate::setup::run()?;
    crate::dist::build()?;
    cmd("cargo")
        .args([
            "bench",
            "--locked",
            "-p",
            "trackline-e2e",
            "--bench",
            "speed",
        ])
        .run()
}

/// Screenshots of every demo state into `dir` (`./screenshots` by default).
///
/// # Errors
/// When the build fails or a state never shows.
pub fn screenshots(dir: Option<&str>) -> Done {
    crate::setup::run()?;
    crate::dist::build()?;
    let dir = dir.map_or_else(|| crate::cmd::root().join("screenshots"), PathBuf::from);
    cmd("cargo")
        .args([
            "run",
            "--locked",
            "-q",
            "-p",
            "trackline-e2e",
            "--bin",
            "screenshots",
            "--",
        ])
        .args([dir])
        .run()
}
