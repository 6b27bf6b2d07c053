//! A real nginx (Debian's, as sellers run it) in front of one or more servers, and a client that
//! can speak from any 127.x address, as buyers behind one proxy do.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;
use tokio::process::{Child, Command};

/// A GET from `source` (any 127.x address is this machine) to `target`; the status, or 0 when
/// nothing answered.
pub async fn get_from(source: &str, target: SocketAddr, path: &str, extra: &str) -> u16 {
    let Ok(socket) = TcpSocket::new_v4() else {
        return 0;
    };
    let bound = source
        .parse::<IpAddr>()
        .map(|ip| socket.bind(SocketAddr::new(ip, 0)));
    if !matches!(bound, Ok(Ok(()))) {
        return 0;
    }
    let Ok(mut stream) = socket.connect(target).await else {
        return 0;
    };
    let request =
        format!("GET {path} HTTP/1.1\r\nhost: {target}\r\n{extra}connection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return 0;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response).await;
    response
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or(0)
}

/// Waits until `target` answers `/healthz`.
pub async fn wait_for(target: SocketAddr) {
    for _ in 0..200 {
        if get_from("127.0.0.1", target, "/healthz", "").await == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{target} never answered");
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

/// nginx on a free port with the README's own block, passing every request to the servers.
pub struct Nginx {
    /// Where nginx listens.
    pub addr: SocketAddr,
    dir: PathBuf,
    process: Child,
}

/// The README's nginx block, the one sellers copy: what the tests run, so that the documented
/// configuration is the tested one.
fn readme_block() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README is read");
    let (_, after) = readme
        .split_once("```nginx\n")
        .expect("the README has an nginx block");
    let (block, _) = after.split_once("```").expect("the nginx block ends");
    block.to_owned()
}

impl Nginx {
    /// nginx passing every request to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Nginx {
        Nginx::start_before(&[upstream]).await
    }

    /// nginx passing requests to `upstreams` in turn (round robin).
    pub async fn start_before(upstreams: &[SocketAddr]) -> Nginx {
        Nginx::start_with(upstreams, "").await
    }

    /// nginx with the README's block, passing requests to `upstreams` in turn (round robin),
    /// with `extra` directives added to its `location /`.
    pub async fn start_with(upstreams: &[SocketAddr], extra: &str) -> Nginx {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("trackline-nginx-{port}"));
        std::fs::create_dir_all(&dir).expect("a folder for nginx");
        let d = dir.display();
        let servers: String = upstreams
            .iter()
            .map(|upstream| format!("server {upstream}; "))
            .collect();
        // The README's block with only its addresses made the test's: the upstream's servers,
        // and a plain loopback listener instead of the seller's TLS one.
        let block = readme_block();
        let site: String = block
            .lines()
            .map(|line| {
                if line.trim_start().starts_with("upstream ") {
                    line.replace("server 127.0.0.1:8080; ", &servers)
                } else if line.trim_start().starts_with("listen ") {
                    format!("    listen 127.0.0.1:{port};")
                } else if line.trim_start().starts_with("location / {") {
                    format!("{line}\n        {extra}")
                } else {
                    line.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            site.contains(&servers) && site.contains(&format!("listen 127.0.0.1:{port};")),
            "the README's nginx block has an upstream line and a listen line: {block}"
        );
        // As root nginx drops to `nobody` unless told; the test's files are its own.
        let user = if running_as_root() { "user root;" } else { "" };
        let conf = format!(
            "{user}\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 256; }}\nhttp {{\n  access_log off;\n\
             client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n{site}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).expect("nginx.conf is written");
        let binary = ["/usr/sbin/nginx", "nginx"]
            .into_iter()
            .find(|path| std::path::Path::new(path).is_file())
            .unwrap_or("nginx");
        let process = Command::new(binary)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-p")
            .arg(&dir)
            .spawn()
            .expect("nginx starts (cargo xtask setup installs it)");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        wait_for(addr).await;
        Nginx { addr, dir, process }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // TERM, not KILL: the master then stops its workers rather than leaving them behind.
        if let Some(pid) = self.process.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether this process runs as root (nginx then needs `user root;` to read the test's files).
pub fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find(|line| line.starts_with("Uid:"))
            .and_then(|line| line.split_whitespace().nth(1))
            == Some("0")
    })
}
