//! The benchmarks, each printing one figure a line, `name value unit`, measured beside a reference
//! in the same run (this machine is shared and noisy: compare ratios, not single figures); and the
//! screenshots, which are for people to look at.

use crate::cmd::{cmd, free_port, is_root, Done, Failed};
use std::path::{Path, PathBuf};

/// What a first load costs: the raw, gzip -9 and brotli -q 11 bytes of every file the hosted page
/// fetches, and of the custom element's loader, which storefronts fetch first.
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
    let first_load = [
        ("wasm", wasm),
        ("js", module),
        ("start_js", named("trackline-start-", ".js")?),
        ("css", named("trackline-", ".css")?),
        ("html", dist.join("index.html")),
    ];
    let mut total = [0; 3];
    for (kind, file) in &first_load {
        let sizes = sizes(file)?;
        for (sum, size) in total.iter_mut().zip(sizes) {
            *sum += size;
        }
        print_sizes(kind, sizes);
    }
    print_sizes("total", total);
    print_sizes("loader", sizes(&dist.join("trackline-widget.js"))?);
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

/// A process that is stopped when dropped: TERM, so that nginx's master stops its workers too.
struct Background(std::process::Child);

impl Drop for Background {
    fn drop(&mut self) {
        if !cmd("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .succeeds()
        {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// Waits until `url` answers, for ten seconds at most.
fn wait_for(url: &str) -> Done {
    for _ in 0..100 {
        if cmd("curl")
            .args(["-fsS", "-o", "/dev/null", url])
            .succeeds()
        {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(Failed(format!("{url} never answered")))
}

/// wrk on loopback: the public lookup of the release server (SQLite, demo data) next to nginx
/// serving the same JSON as a static file, in the same run, with the same settings.
/// `WRK_THREADS` (2), `WRK_CONNECTIONS` (64) and `WRK_SECONDS` (10) change the load.
///
/// # Errors
/// When the server or nginx does not start, or wrk fails.
pub fn load() -> Done {
    crate::setup::run()?;
    cmd("cargo")
        .args([
            "build",
            "--release",
            "--locked",
            "-q",
            "-p",
            "trackline-server",
        ])
        .run()?;
    let setting =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let (threads, connections, seconds) = (
        setting("WRK_THREADS", "2"),
        setting("WRK_CONNECTIONS", "64"),
        setting("WRK_SECONDS", "10"),
    );
    let dir = std::env::temp_dir().join(format!("trackline-load-{}", free_port()?));
    std::fs::create_dir_all(dir.join("www"))?;
    let (server_port, nginx_port) = (free_port()?, free_port()?);
    // The limiter would answer most of this load with 429: it is measured apart, so it is opened wide.
    let _server = Background(
        cmd("target/release/trackline-server")
            .env("TRACKLINE_RATE_PER_MINUTE", "1000000000")
            .env("TRACKLINE_RATE_BURST", "1000000000")
            .env("RUST_LOG", "warn")
            .args(["--demo", "--database"])
            .args([format!("sqlite://{}", dir.join("bench.db").display())])
            .args(["--addr", &format!("127.0.0.1:{server_port}")])
            .spawn_logged(&dir.join("server.log"))?,
    );
    let lookup = format!("http://127.0.0.1:{server_port}/api/v1/track/RA100000048RU");
    wait_for(&lookup)?;
    cmd("curl")
        .args(["-fsS", "-o"])
        .args([dir.join("www/track.json")])
        .args([&lookup])
        .run()?;
    let user = if is_root() { "user root;" } else { "" };
    let d = dir.display();
    std::fs::write(
        dir.join("nginx.conf"),
        format!(
            "{user}\nworker_processes {threads};\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log;\n\
             events {{ worker_connections 1024; }}\nhttp {{\n  access_log off;\n\
             client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
             server {{\n    listen 127.0.0.1:{nginx_port};\n    root {d}/www;\n\
             location / {{ default_type application/json; add_header Cache-Control \"public, max-age=30\"; }}\n  }}\n}}\n"
        ),
    )?;
    let _nginx = Background(
        cmd("nginx")
            .args(["-c"])
            .args([dir.join("nginx.conf")])
            .args(["-p"])
            .args([&dir])
            .spawn_logged(&dir.join("nginx.log"))?,
    );
    let file = format!("http://127.0.0.1:{nginx_port}/track.json");
    wait_for(&file)?;
    println!("load_threads {threads} threads");
    println!("load_connections {connections} connections");
    println!("load_seconds {seconds} s");
    for (name, url) in [("public_get", &lookup), ("nginx_static", &file)] {
        let report = cmd("wrk")
            .args([
                format!("-t{threads}"),
                format!("-c{connections}"),
                format!("-d{seconds}s"),
            ])
            .args(["--latency", url])
            .read()?;
        print_wrk(name, &report);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// wrk prints `Requests/sec: N`, and with `--latency` a line `99%  1.23ms`.
fn print_wrk(name: &str, report: &str) {
    for line in report.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["Requests/sec:", rate] => {
                let rate = rate.parse::<f64>().unwrap_or(f64::NAN);
                println!("{name}_requests_per_second {rate:.0} req/s");
            }
            ["99%", latency] => {
                let digits = latency.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                let value = digits.parse::<f64>().unwrap_or(f64::NAN);
                let ms = match &latency[digits.len()..] {
                    "us" => value / 1000.0,
                    "s" => value * 1000.0,
                    _ => value,
                };
                println!("{name}_p99_latency {ms:.2} ms");
            }
            [.., "Non-2xx", "or", "3xx", "responses:", count] => {
                println!("{name}_non_2xx {count} responses");
            }
            _ => {}
        }
    }
}
