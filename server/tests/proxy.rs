//! Behind a real nginx (Debian's, as a seller runs it): the server tells buyers apart by the
//! address the trusted proxy forwards, and believes no one else's forwarding header.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;
use tokio::process::{Child, Command};
use trackline_server::client_address::TrustedProxies;
use trackline_server::limiter::RateLimit;
use trackline_server::Config;

mod support;

/// A GET from `source` (any 127.x address is this machine) to `target`; the status, or 0 when
/// nothing answered.
async fn get_from(source: &str, target: SocketAddr, path: &str, extra: &str) -> u16 {
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
async fn wait_for(target: SocketAddr) {
    for _ in 0..200 {
        if get_from("127.0.0.1", target, "/healthz", "").await == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{target} never answered");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

/// nginx on a free port, passing every request to `upstream` with the client in `X-Forwarded-For`.
struct Nginx {
    addr: SocketAddr,
    dir: PathBuf,
    process: Child,
}

impl Nginx {
    async fn start(upstream: SocketAddr) -> Nginx {
        Nginx::start_before(&[upstream]).await
    }

    /// nginx passing requests to `upstreams` in turn (round robin).
    async fn start_before(upstreams: &[SocketAddr]) -> Nginx {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("trackline-nginx-{port}"));
        std::fs::create_dir_all(&dir).expect("a folder for nginx");
        let d = dir.display();
        let servers: String = upstreams
            .iter()
            .map(|upstream| format!("server {upstream}; "))
            .collect();
        // As root nginx drops to `nobody` unless told; the test's files are its own.
        let user = if running_as_root() { "user root;" } else { "" };
        let conf = format!(
            "{user}\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 256; }}\nhttp {{\n  access_log off;\n\
             client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
             upstream instances {{ {servers} }}\n\
             server {{\n    listen 127.0.0.1:{port};\n    location / {{\n\
             proxy_pass http://instances;\n\
             proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    }}\n  }}\n}}\n"
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
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find(|line| line.starts_with("Uid:"))
            .and_then(|line| line.split_whitespace().nth(1))
            == Some("0")
    })
}

/// The demo server on a free port, trusting the proxy on 127.0.0.1, three lookups per buyer.
async fn server() -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let three = RateLimit {
        per_minute: 1,
        burst: 3,
    };
    server_over(support::fresh_url(None).await, three).await
}

/// An instance of the demo server over the store at `database`, trusting the proxy on 127.0.0.1.
async fn server_over(
    database: String,
    lookups: RateLimit,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let config = Config {
        addr: "127.0.0.1:0".parse().expect("an address"),
        database_url: database,
        demo: true,
        rate_limit: lookups,
        trusted_proxies: TrustedProxies::parse(["127.0.0.1"]).expect("a range"),
        ..Config::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (listening, serving) = trackline_server::start(&config, async {
        let _ = stopped.await;
    })
    .await
    .expect("the server starts");
    let addr = listening.addr;
    tokio::spawn(serving);
    wait_for(addr).await;
    (addr, stop)
}

const LOOKUP: &str = "/api/v1/track/RA100000048RU";

#[tokio::test]
async fn buyers_behind_the_proxy_get_their_own_limits() {
    let (server, _stop) = server().await;
    let nginx = Nginx::start(server).await;
    for _ in 0..3 {
        assert_eq!(get_from("127.0.0.2", nginx.addr, LOOKUP, "").await, 200);
    }
    assert_eq!(get_from("127.0.0.2", nginx.addr, LOOKUP, "").await, 429);
    // Another buyer behind the same proxy is not the first one.
    assert_eq!(get_from("127.0.0.3", nginx.addr, LOOKUP, "").await, 200);
    // Writing a header of one's own through the proxy does not make a new buyer of anyone:
    // the proxy adds the real address, and the walk stops there.
    for forged in 1..=3 {
        let header = format!("x-forwarded-for: 203.0.113.{forged}\r\n");
        get_from("127.0.0.4", nginx.addr, LOOKUP, &header).await;
    }
    let header = "x-forwarded-for: 203.0.113.99\r\n";
    assert_eq!(get_from("127.0.0.4", nginx.addr, LOOKUP, header).await, 429);
}

#[tokio::test]
async fn a_forwarding_header_sent_straight_to_the_server_changes_nothing() {
    let (server, _stop) = server().await;
    for _ in 0..3 {
        assert_eq!(get_from("127.0.0.5", server, LOOKUP, "").await, 200);
    }
    for header in [
        "x-forwarded-for: 203.0.113.7\r\n",
        "forwarded: for=203.0.113.8\r\n",
    ] {
        assert_eq!(
            get_from("127.0.0.5", server, LOOKUP, header).await,
            429,
            "{header}"
        );
    }
}

#[tokio::test]
async fn a_lockout_earned_through_one_instance_holds_on_the_other_and_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("trackline-lockout-{}", free_port()));
    std::fs::create_dir_all(&dir).expect("a folder for the store");
    let database = support::fresh_url(Some(&dir)).await;
    // The lookup limit is each instance's own and not under test here: opened wide.
    let wide = RateLimit {
        per_minute: 600,
        burst: 100,
    };
    let (first, _stop_first) = server_over(database.clone(), wide).await;
    let (second, _stop_second) = server_over(database.clone(), wide).await;
    let nginx = Nginx::start_before(&[first, second]).await;
    let order = format!(
        "/api/v1/shops/{}/track/{}",
        trackline_server::demo::GUARDED_SHOP,
        trackline_server::demo::GUARDED_ORDER
    );
    // Ten wrong replies through the proxy, which hands them to the two instances in turn.
    for _ in 0..10 {
        let status = get_from("127.0.0.6", nginx.addr, &format!("{order}?check=0000"), "").await;
        assert_eq!(status, 403);
    }
    // Now even the right reply waits, whichever instance takes it…
    let right = format!(
        "{order}?check={}",
        trackline_server::demo::GUARDED_PHONE_LAST4
    );
    for _ in 0..2 {
        assert_eq!(get_from("127.0.0.6", nginx.addr, &right, "").await, 429);
    }
    // …and an instance started afresh over the same store, asked straight, still knows it.
    let (restarted, _stop_restarted) = server_over(database, wide).await;
    assert_eq!(get_from("127.0.0.6", restarted, &right, "").await, 429);
    // Another buyer is not locked out.
    assert_eq!(get_from("127.0.0.7", nginx.addr, &right, "").await, 200);
    let _ = std::fs::remove_dir_all(&dir);
}
