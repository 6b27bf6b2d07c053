//! The load benchmark: wrk on loopback against the public lookup of the release server, beside
//! nginx serving the same JSON as a static file in the same run, with the same settings; then
//! the same at a steady 1 000 requests a second, for the latency a buyer sees when the server is
//! not saturated; then two instances over one PostgreSQL behind nginx round robin, as sellers
//! run several, beside nginx proxying to its own static file.
//!
//! Each run also prints the server's CPU time per request (from `/proc`), which is what predicts
//! the rate on a machine with more cores: here wrk, nginx and the servers share two.

use crate::cmd::{cmd, free_port, is_root, Done, Failed};
use crate::postgres::Postgres;
use std::path::Path;

/// The answer benchmarked: a demo shipment with a full history (3.7 KB).
const NUMBER: &str = "RA100000048RU";

/// The steady rate the latency aim is stated at.
const STEADY_RATE: u32 = 1_000;

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

/// wrk's settings: `WRK_THREADS` (2), `WRK_CONNECTIONS` (64), `WRK_SECONDS` (10).
struct Wrk {
    threads: String,
    connections: String,
    seconds: String,
}

impl Wrk {
    fn from_env() -> Wrk {
        let setting =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        Wrk {
            threads: setting("WRK_THREADS", "2"),
            connections: setting("WRK_CONNECTIONS", "64"),
            seconds: setting("WRK_SECONDS", "10"),
        }
    }

    /// As fast as it can, printing the rate and p99; with `servers`, also their CPU time per
    /// request (for nginx, its workers'). Gives the rate.
    fn flood(&self, name: &str, url: &str, servers: &[u32]) -> Done<f64> {
        let before = cpu_seconds(servers);
        let report = cmd("wrk")
            .args([
                format!("-t{}", self.threads),
                format!("-c{}", self.connections),
                format!("-d{}s", self.seconds),
            ])
            .args(["--latency", url])
            .read()?;
        let rate = print_wrk(name, &report);
        if !servers.is_empty() {
            let seconds: f64 = self.seconds.parse().unwrap_or(f64::NAN);
            let cpu = cpu_seconds(servers) - before;
            let per_request = cpu / (rate * seconds) * 1e6;
            println!("{name}_cpu_per_request {per_request:.1} us");
            println!("{name}_requests_per_core {:.0} req/s", 1e6 / per_request);
        }
        Ok(rate)
    }

    /// At a steady `STEADY_RATE` (each connection waits between its requests), printing p99.
    fn steady(&self, name: &str, url: &str, pace: &Path) -> Done {
        let report = cmd("wrk")
            .args([
                format!("-t{}", self.threads),
                "-c16".to_owned(),
                format!("-d{}s", self.seconds),
            ])
            .args(["--latency", "-s"])
            .args([pace])
            .args([url])
            .read()?;
        print_wrk(&format!("{name}_at_{STEADY_RATE}"), &report);
        Ok(())
    }
}

/// CPU seconds (user and system) the processes have used, from `/proc/PID/stat`.
fn cpu_seconds(pids: &[u32]) -> f64 {
    let ticks_per_second = cmd("getconf")
        .args(["CLK_TCK"])
        .quietly_read()
        .and_then(|text| text.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            // The command name may hold spaces; the fields after it are fixed.
            let after = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = after.split_whitespace().collect();
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / ticks_per_second)
        })
        .sum()
}

/// The processes whose parent is `parent` (nginx's workers under its master).
fn children(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| {
                    std::fs::read_to_string(format!("/proc/{pid}/stat"))
                        .ok()
                        .and_then(|stat| {
                            let after = stat.rsplit_once(')')?.1.to_owned();
                            after.split_whitespace().nth(1)?.parse::<u32>().ok()
                        })
                        == Some(parent)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// wrk prints `Requests/sec: N`, and with `--latency` a line `99%  1.23ms`; gives the rate.
fn print_wrk(name: &str, report: &str) -> f64 {
    let mut rate = f64::NAN;
    for line in report.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["Requests/sec:", value] => {
                rate = value.parse::<f64>().unwrap_or(f64::NAN);
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
    rate
}

/// The release server over `database` with the demo data, its lookup limit opened wide (the
/// limiter is tested apart; under this load it would answer 429).
fn server(dir: &Path, database: &str, name: &str) -> Done<(Background, u16)> {
    let port = free_port()?;
    let process = cmd("target/release/trackline-server")
        .env("TRACKLINE_RATE_PER_MINUTE", "1000000000")
        .env("TRACKLINE_RATE_BURST", "1000000000")
        .env("RUST_LOG", "warn")
        .args(["--demo", "--database", database])
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .spawn_logged(&dir.join(format!("{name}.log")))?;
    let server = Background(process);
    wait_for(&format!("http://127.0.0.1:{port}/readyz"))?;
    Ok((server, port))
}

/// Runs it.
///
/// # Errors
/// When a server, nginx or PostgreSQL does not start, or wrk fails.
pub fn run() -> Done {
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
    let wrk = Wrk::from_env();
    let dir = std::env::temp_dir().join(format!("trackline-load-{}", free_port()?));
    std::fs::create_dir_all(dir.join("www"))?;
    let postgres = Postgres::start()?;
    let sqlite = format!("sqlite://{}", dir.join("bench.db").display());
    let (one, one_port) = server(&dir, &sqlite, "sqlite")?;
    // The first seeds the demo; the second finds it there.
    let (first, first_port) = server(&dir, &postgres.url, "postgres-1")?;
    let (second, second_port) = server(&dir, &postgres.url, "postgres-2")?;
    let path = format!("/api/v1/track/{NUMBER}");
    let lookup = format!("http://127.0.0.1:{one_port}{path}");
    cmd("curl")
        .args(["-fsS", "-o"])
        .args([dir.join("www/track.json")])
        .args([&lookup])
        .run()?;
    let ports = [free_port()?, free_port()?, free_port()?];
    std::fs::write(
        dir.join("nginx.conf"),
        nginx_conf(&dir, &wrk.threads, ports, [first_port, second_port]),
    )?;
    let nginx = Background(
        cmd("nginx")
            .args(["-c"])
            .args([dir.join("nginx.conf")])
            .args(["-p"])
            .args([&dir])
            .spawn_logged(&dir.join("nginx.log"))?,
    );
    let [static_port, instances_port, proxied_static_port] = ports;
    let file = format!("http://127.0.0.1:{static_port}/track.json");
    let instances = format!("http://127.0.0.1:{instances_port}{path}");
    let proxied_file = format!("http://127.0.0.1:{proxied_static_port}/track.json");
    for url in [&file, &instances, &proxied_file] {
        wait_for(url)?;
    }
    let pace = dir.join("pace.lua");
    // 16 connections, each waiting 16 ms between requests: a steady 1 000 a second.
    std::fs::write(
        &pace,
        format!("function delay() return {} end\n", 16_000 / STEADY_RATE),
    )?;
    println!("load_threads {} threads", wrk.threads);
    println!("load_connections {} connections", wrk.connections);
    println!("load_seconds {} s", wrk.seconds);
    let nginx_workers = children(nginx.0.id());
    let nginx_rate = wrk.flood("nginx_static", &file, &nginx_workers)?;
    let rate = wrk.flood("public_get", &lookup, &[one.0.id()])?;
    // The aim is stated as this share, which the shared machine leaves comparable
    // within one run only.
    println!(
        "public_get_share_of_nginx {:.1} %",
        rate / nginx_rate * 100.0
    );
    wrk.steady("nginx_static", &file, &pace)?;
    wrk.steady("public_get", &lookup, &pace)?;
    drop(one);
    let postgres_one = format!("http://127.0.0.1:{first_port}{path}");
    wrk.flood("postgres_one_instance", &postgres_one, &[first.0.id()])?;
    let proxy_rate = wrk.flood("nginx_proxy_to_static", &proxied_file, &nginx_workers)?;
    let instances_rate = wrk.flood(
        "postgres_two_instances_via_nginx",
        &instances,
        &[first.0.id(), second.0.id()],
    )?;
    println!(
        "postgres_two_instances_share_of_nginx_proxy {:.1} %",
        instances_rate / proxy_rate * 100.0
    );
    wrk.steady("postgres_two_instances_via_nginx", &instances, &pace)?;
    drop((first, second));
    drop(postgres);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// One nginx: the JSON as a static file; a proxy, round robin with kept connections, to the two
/// instances; the same proxy to its own static file (what the proxy costs by itself).
fn nginx_conf(dir: &Path, workers: &str, ports: [u16; 3], instances: [u16; 2]) -> String {
    let user = if is_root() { "user root;" } else { "" };
    let d = dir.display();
    let [static_port, instances_port, proxied_static_port] = ports;
    let [first, second] = instances;
    format!(
        "{user}\nworker_processes {workers};\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log;\n\
         events {{ worker_connections 1024; }}\nhttp {{\n  access_log off;\n\
         client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
         upstream instances {{ server 127.0.0.1:{first}; server 127.0.0.1:{second}; keepalive 64; }}\n\
         upstream itself {{ server 127.0.0.1:{static_port}; keepalive 64; }}\n\
         server {{\n    listen 127.0.0.1:{static_port};\n    root {d}/www;\n\
         location / {{ default_type application/json; add_header Cache-Control \"public, max-age=30\"; }}\n  }}\n\
         server {{\n    listen 127.0.0.1:{instances_port};\n\
         location / {{ proxy_pass http://instances; proxy_http_version 1.1; proxy_set_header Connection \"\"; }}\n  }}\n\
         server {{\n    listen 127.0.0.1:{proxied_static_port};\n\
         location / {{ proxy_pass http://itself; proxy_http_version 1.1; proxy_set_header Connection \"\"; }}\n  }}\n}}\n"
    )
}
