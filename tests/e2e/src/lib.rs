//! Small page helpers for the end-to-end tests, the speed benchmark and the screenshots: start
//! the real server and a browser, find, act, check.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// How long any one condition may take to become true before the test fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// The server's secret key (base64), for a test that seals a secret in its store as the server would.
pub const SECRET_KEY: &str = "ZTJlLXRyYWNrbGluZS1wdXNoLXNlY3JldC1rZXktMzI=";

/// A browser on a phone-sized window, pointed at a freshly started server with the demo data.
pub struct Session {
    /// The WebDriver client.
    pub client: Client,
    base: String,
    profile: PathBuf,
    database: String,
    _driver: Child,
    stop_server: std::sync::Mutex<Option<oneshot::Sender<()>>>,
    addr: std::net::SocketAddr,
    /// Where chromedriver listens and the WebDriver session's id, to end the browser from `Drop`.
    webdriver: (u16, Option<String>),
    closed: bool,
}

/// The browser's profile and the server's store go with the session. A test that fails never
/// reaches `close`: its browser would outlive it (chromedriver is killed, Chromium is not), and
/// enough of them starve the machine; its WebDriver session is ended here instead, with a plain
/// blocking request, since `Drop` cannot wait for the async client.
impl Drop for Session {
    fn drop(&mut self) {
        let (port, id) = self.webdriver.clone();
        if let Some(id) = id.filter(|_| !self.closed) {
            use std::io::Write;
            let deadline = Duration::from_secs(5);
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.set_read_timeout(Some(deadline));
                let _ = stream.set_write_timeout(Some(deadline));
                let _ = write!(
                    stream,
                    "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = std::io::Read::read(&mut stream, &mut [0u8; 256]);
            }
        }
        let _ = std::fs::remove_dir_all(&self.profile);
        let file = self.database.trim_start_matches("sqlite://");
        for suffix in ["", "-shm", "-wal"] {
            let _ = std::fs::remove_file(format!("{file}{suffix}"));
        }
    }
}

/// The project's root, where `dist/` and `.tools/` are.
pub fn project_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The built widget: `TRACKLINE_DIST`, else the project's `dist/`.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("TRACKLINE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("dist"));
    assert!(
        dir.join("index.html").is_file(),
        "no built widget in {}: run `trunk build --release` (cargo xtask test does)",
        dir.display()
    );
    dir
}

/// The directory to serve the widget from instead of the server's embedded build, if any.
fn widget_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TRACKLINE_DIST").map(PathBuf::from);
    assert!(
        dir.is_some() || trackline_server::http::embedded::is_embedded(),
        "the server was compiled before the widget was built: build it (cargo xtask test does), then the tests"
    );
    dir
}

/// The workbook reader built with the tests (`src/bin/trackline-read-sheet.rs`), next to the
/// running binary or one directory up (where cargo puts a test's binaries, in `deps/`); `None`
/// where there is none: XLSX files are then refused as unreadable.
fn sheet_reader() -> Option<PathBuf> {
    let running = std::env::current_exe().ok()?;
    running
        .ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("trackline-read-sheet"))
        .find(|reader| reader.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

impl Session {
    /// Starts the server on a free loopback port, chromedriver, and a headless Chromium 360 px wide.
    pub async fn start() -> Session {
        Session::start_at(false).await
    }

    /// As `start`, with the server reached as `http://localhost:PORT`, its `public_url`: the
    /// console's passkeys need a host name (browsers refuse WebAuthn on an IP address).
    pub async fn start_at_localhost() -> Session {
        Session::start_at(true).await
    }

    async fn start_at(localhost: bool) -> Session {
        // Two crypto providers are linked in (see Cargo.toml): choose one before any TLS client is built.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        // A file, not memory, so that a test can write to the same store the server reads.
        let database = std::env::temp_dir().join(format!("trackline-e2e-{}.db", free_port()));
        let database = format!("sqlite://{}", database.display());
        let port = if localhost { free_port() } else { 0 };
        let public_url = format!("http://localhost:{port}");
        let config = trackline_server::Settings {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            public_url: public_url.clone(),
            database_url: database.clone(),
            // The widget embedded in the server, as operators run it; `TRACKLINE_DIST` serves
            // another build from its directory instead.
            static_dir: widget_dir(),
            demo: true,
            // As an operator who wants buyers' notifications runs it: with a secret key.
            secret_key: Some(
                trackline_server::secrets::SecretKey::from_base64(SECRET_KEY)
                    .expect("a 32-byte key"),
            ),
            // One browser drives many lookups in a few seconds; the limit has tests of its own.
            rate_limit: trackline_server::limiter::RateLimit {
                per_minute: 6_000,
                burst: 1_000,
            },
            sheet_reader: sheet_reader(),
            // The tests' webhook receivers listen on loopback.
            allow_private_webhooks: true,
            ..trackline_server::Settings::default()
        };
        let (stop_server, stopped) = oneshot::channel::<()>();
        let (listening, serving) = trackline_server::start(&config, async {
            let _ = stopped.await;
        })
        .await
        .expect("the server starts");
        let addr = listening.addr;
        tokio::spawn(serving);

        let port = free_port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                // The buyer lives where the demo shop's support keeps its hours, so a status the
                // server rendered is already on the buyer's clock (tests of other zones set theirs).
                .env("TZ", "Europe/Moscow")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .expect("chromedriver starts (cargo xtask setup installs it)");

        // Unique whatever the port: a browser of an earlier test that is slow to quit (one left
        // waiting on a push service it cannot reach) must never share its profile with a new one.
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let profile = std::env::temp_dir().join(format!("trackline-e2e-{port}-{started}"));
        let mut args: Vec<String> = std::env::var("TRACKLINE_CHROMIUM_FLAGS")
            .unwrap_or_else(|_| "--headless --no-sandbox --disable-gpu".into())
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        args.push("--window-size=360,800".into());
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "args": args,
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            }),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        // A browser starting on a busy two-core machine may take longer than a condition in a page.
        let client = wait_until_within(PATIENCE * 3, || async {
            ClientBuilder::rustls()
                .ok()?
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
                .ok()
        })
        .await
        .expect("chromedriver accepts a session");
        let id = client.session_id().await.ok().flatten();
        Session {
            client,
            base: if localhost {
                public_url
            } else {
                format!("http://{addr}")
            },
            profile,
            database,
            _driver: driver,
            stop_server: std::sync::Mutex::new(Some(stop_server)),
            addr,
            webdriver: (port, id),
            closed: false,
        }
    }

    /// Opens a path of the hosted page (`/?n=…`).
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("the page loads");
    }

    /// The server's origin (`http://127.0.0.1:PORT`), for pages that load the widget from elsewhere.
    pub fn origin(&self) -> &str {
        &self.base
    }

    /// Serves `html` from a second loopback origin (another port) and opens it: everything the
    /// widget loads from the server is then a cross-origin request, as on a real storefront.
    pub async fn open_elsewhere(&self, html: String) {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let dir = std::env::temp_dir().join(format!("trackline-elsewhere-{started}"));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        std::fs::write(dir.join("index.html"), html).expect("the page");
        let origin = serve_dir(dir).await;
        self.goto(&format!("{origin}/")).await;
    }

    /// Opens `url`, of any origin.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page loads");
    }

    /// Types a number into the widget's input and presses Enter, as a buyer would.
    pub async fn track(&self, number: &str) {
        let input = self.find("[data-testid=number-input]").await;
        input.clear().await.expect("the input clears");
        input
            .send_keys(&format!("{number}\u{E007}"))
            .await
            .expect("typing works");
    }

    /// Waits for an element to appear and returns it.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("{css} never appeared: {error}"))
    }

    /// Every element matching `css` now.
    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("the query runs")
    }

    /// The text of the first match, waiting for it; found again if the widget redrew it meanwhile.
    pub async fn text(&self, css: &str) -> String {
        let read = wait_until(|| async { self.find(css).await.text().await.ok() }).await;
        read.unwrap_or_else(|| panic!("{css} never held still long enough to read"))
    }

    /// Runs a script in the page and returns its JSON value.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("the script runs")
    }

    /// Waits until `inner` matches inside the shadow root of the element `host`, and returns its text.
    pub async fn shadow_text(&self, host: &str, inner: &str) -> String {
        let script = format!(
            "const el = document.querySelector({host:?})?.shadowRoot?.querySelector({inner:?}); \
             return el ? el.textContent : null;"
        );
        let found =
            wait_until(|| async { self.eval(&script).await.as_str().map(str::to_owned) }).await;
        found.unwrap_or_else(|| panic!("{inner} never appeared inside {host}"))
    }

    /// Waits until a script returns `true`.
    pub async fn wait_for_script(&self, script: &str) {
        let done = wait_until(|| async {
            (self.eval(script).await == serde_json::Value::Bool(true)).then_some(())
        })
        .await;
        assert!(done.is_some(), "never true: {script}");
    }

    /// Fails if the page's recorder (examples/csp-violations.js) saw any CSP violation.
    pub async fn assert_no_csp_violations(&self) {
        let seen = self.eval("return window.cspViolations").await;
        assert_eq!(seen, serde_json::json!([]), "CSP violations");
    }

    /// Runs axe-core (installed by cargo xtask setup) on the page, shadow roots included, and
    /// returns each violation as `rule: selectors`; empty when the page passes.
    pub async fn axe_violations(&self) -> Vec<String> {
        let axe =
            std::fs::read_to_string(project_root().join(".tools/node_modules/axe-core/axe.min.js"))
                .expect("axe-core is installed (cargo xtask setup)");
        self.client
            .execute(&format!("{axe}\n;return true;"), vec![])
            .await
            .expect("axe-core loads into the page");
        let found = self
            .client
            .execute(
                "return axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v =>
                   v.id + ' (' + v.impact + '): ' + v.nodes.map(n => JSON.stringify(n.target) + ' ' + n.failureSummary).join(' | ')));",
                vec![],
            )
            .await
            .expect("axe runs");
        serde_json::from_value(found).unwrap_or_default()
    }

    /// Resizes the browser's viewport.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("the window resizes");
    }

    /// Saves a PNG of the whole page at `width` px into `path`.
    pub async fn screenshot(&self, width: u32, path: &std::path::Path) {
        self.resize(width, 800).await;
        let height = self
            .eval("return document.documentElement.scrollHeight")
            .await
            .as_u64()
            .unwrap_or(800) as u32;
        let mut height = height.max(400);
        self.resize(width, height).await;
        // The window's height holds the browser's own bars too: grown by what the viewport still
        // lacks (a few tries), or the page's foot is left out and a scrollbar narrows it.
        for _ in 0..3 {
            let short = self
                .eval("return document.documentElement.scrollHeight - window.innerHeight")
                .await
                .as_i64()
                .unwrap_or(0);
            let Ok(short) = u32::try_from(short) else {
                break;
            };
            if short == 0 {
                break;
            }
            height += short;
            self.resize(width, height).await;
        }
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::write(path, png).expect("the screenshot is written");
    }

    /// The server's store, opened again: what an operator's command would reach.
    pub async fn store(&self) -> trackline_server::Store {
        trackline_server::Store::open(&self.database)
            .await
            .expect("the server's store opens")
    }

    /// Adds a shop to the server's store, as `add-seller` does, and writes `shipment` (contract
    /// JSON) as its own; returns the shop's handle.
    pub async fn put_shipment_as_new_seller(
        &self,
        name: &str,
        shipment: serde_json::Value,
    ) -> String {
        let store = trackline_server::Store::open(&self.database)
            .await
            .expect("the server's store opens");
        let seller = store
            .add_seller_named(name, None)
            .await
            .expect("a seller is added");
        let shipment: trackline_core::Shipment =
            serde_json::from_value(shipment).expect("a contract shipment");
        trackline_server::updates::put(
            &store,
            seller.id,
            "e2e-1",
            &shipment,
            &trackline_core::second_factor::SecondFactors::default(),
        )
        .await
        .expect("the shipment is written");
        seller.handle
    }

    /// Stops the server, as a buyer's network or the server going away looks to the browser:
    /// nothing answers at its address any more.
    pub async fn stop_server(&self) {
        let stop = self
            .stop_server
            .lock()
            .ok()
            .and_then(|mut stop| stop.take());
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
        let addr = self.addr;
        let gone = wait_until(|| async move {
            tokio::net::TcpStream::connect(addr)
                .await
                .is_err()
                .then_some(())
        })
        .await;
        assert!(gone.is_some(), "the server never stopped");
    }

    /// Ends the browser and keeps the server: for a tool that runs a browser of its own against
    /// it (Lighthouse), which must not share a two-core machine with this one.
    pub async fn end_browser(&mut self) {
        self.closed = true;
        let _ = self.client.clone().close().await;
    }

    /// Ends the browser session and removes its profile and its store.
    pub async fn close(mut self) {
        self.end_browser().await;
        // Dropped here: the profile and the store go.
    }
}

/// Retries `attempt` until it yields a value, failing after `PATIENCE`.
pub async fn wait_until<T, F, Fut>(attempt: F) -> Option<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    wait_until_within(PATIENCE, attempt).await
}

/// Retries `attempt` until it yields a value, failing after `patience`.
pub async fn wait_until_within<T, F, Fut>(patience: Duration, attempt: F) -> Option<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        if let Some(value) = attempt().await {
            return Some(value);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A DevTools protocol command sent through chromedriver (`goog/cdp/execute`): network and CPU emulation.
#[derive(Debug)]
pub struct Cdp {
    /// The method, `Network.emulateNetworkConditions`.
    pub method: &'static str,
    /// Its parameters.
    pub params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A command of a WebDriver extension that fantoccini does not name: its method, its path
/// under the session and its JSON body (W3C WebAuthn's virtual authenticators).
#[derive(Debug)]
pub struct Extension {
    /// `POST` or `DELETE`.
    pub method: http::Method,
    /// The path under `session/{id}/`, `webauthn/authenticator`.
    pub path: String,
    /// Its parameters, if any.
    pub body: Option<serde_json::Value>,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Extension {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(serde_json::Value::to_string),
        )
    }
}

impl Session {
    /// Gives the browser a platform authenticator that holds passkeys and verifies its user
    /// at once (WebAuthn Level 2's virtual authenticator), as a phone with a fingerprint
    /// reader would; returns its id.
    pub async fn add_virtual_authenticator(&self) -> String {
        let added = self
            .client
            .issue_cmd(Extension {
                method: http::Method::POST,
                path: "webauthn/authenticator".into(),
                body: Some(serde_json::json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserVerified": true,
                    "automaticPresenceSimulation": true,
                })),
            })
            .await
            .expect("chromedriver adds a virtual authenticator");
        added
            .as_str()
            .map(str::to_owned)
            .or_else(|| added["authenticatorId"].as_str().map(str::to_owned))
            .expect("the authenticator's id")
    }

    /// The passkeys the virtual authenticator `id` holds.
    pub async fn virtual_credentials(&self, id: &str) -> Vec<serde_json::Value> {
        let held = self
            .client
            .issue_cmd(Extension {
                method: http::Method::GET,
                path: format!("webauthn/authenticator/{id}/credentials"),
                body: None,
            })
            .await
            .expect("chromedriver lists the credentials");
        held.as_array().cloned().unwrap_or_default()
    }
}

impl Session {
    /// Sends a DevTools protocol command to the page and returns its result.
    pub async fn cdp(&self, method: &'static str, params: serde_json::Value) -> serde_json::Value {
        self.client
            .issue_cmd(Cdp { method, params })
            .await
            .unwrap_or_else(|error| panic!("{method} failed: {error}"))
    }

    /// Cuts the browser off the network, or gives it back.
    pub async fn set_offline(&self, offline: bool) {
        self.emulate_network(offline, None).await;
    }

    /// Slows every download to `bytes_per_second`, or lifts the limit with `None`.
    pub async fn throttle(&self, bytes_per_second: Option<u32>) {
        self.emulate_network(false, bytes_per_second).await;
    }

    async fn emulate_network(&self, offline: bool, bytes_per_second: Option<u32>) {
        self.cdp("Network.enable", serde_json::json!({})).await;
        let download = bytes_per_second.map_or(-1.0, f64::from);
        self.cdp(
            "Network.emulateNetworkConditions",
            serde_json::json!({
                "offline": offline, "latency": 0, "downloadThroughput": download, "uploadThroughput": -1
            }),
        )
        .await;
    }
}

/// Serves the files under `dir` from a loopback origin of their own (a storefront's static host,
/// a CDN) and returns that origin; `/` is `index.html`. Its types are what a static host sends,
/// and it lets any origin read them, as a CDN does.
pub async fn serve_dir(dir: PathBuf) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut stream, _)) = listener.accept().await {
            let dir = dir.clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 8192];
                let read = stream.read(&mut request).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&request[..read]).into_owned();
                let path = head.split(' ').nth(1).unwrap_or("/");
                let path = path.split(['?', '#']).next().unwrap_or("/");
                let path = if path.ends_with('/') {
                    format!("{path}index.html")
                } else {
                    path.to_owned()
                };
                let file = (!path.contains(".."))
                    .then(|| std::fs::read(dir.join(path.trim_start_matches('/'))).ok())
                    .flatten();
                let kind = match path.rsplit('.').next() {
                    Some("html") => "text/html; charset=utf-8",
                    Some("js" | "mjs") => "text/javascript",
                    Some("css") => "text/css",
                    Some("wasm") => "application/wasm",
                    Some("json") => "application/json",
                    _ => "application/octet-stream",
                };
                let (status, kind, body) = match file {
                    Some(body) => ("200 OK", kind, body),
                    None => ("404 Not Found", "text/plain", b"not found".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n\
                     access-control-allow-origin: *\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    format!("http://{addr}")
}
