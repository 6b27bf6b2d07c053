//! Server settings from the command line and the environment.

use crate::client_address::{
    parse_ipv6_prefix, BadHeader, BadPrefix, BadProxy, ClientHeader, TrustedProxies,
    DEFAULT_IPV6_PREFIX,
};
use crate::push::services::{BadPushService, PushServices};
use crate::secrets::{SecretError, SecretKey};
use std::net::SocketAddr;
use std::path::PathBuf;
use thiserror::Error;

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The database: `sqlite://trackline.db`, `sqlite::memory:` or `postgres://user@host/db`.
    pub database_url: String,
    /// The built widget to serve at `/`, if any.
    pub static_dir: Option<PathBuf>,
    /// Seed demo shipments into an empty store.
    pub demo: bool,
    /// How many public lookups one client address may make.
    pub rate_limit: crate::limiter::RateLimit,
    /// The Ozon Seller API's base URL (a local fake in tests).
    pub ozon_base_url: String,
    /// The handle of the shop `/api/v1/track/{number}` answers for on a server with several
    /// shops (with one shop, that one; with `--demo`, the demo shop).
    pub default_shop: Option<String>,
    /// The reverse proxies whose header names the client; none by default.
    pub trusted_proxies: TrustedProxies,
    /// The one header those proxies name the client in (`X-Forwarded-For` by default).
    pub client_header: ClientHeader,
    /// How many leading bits of an IPv6 address are one client (64 by default).
    pub ipv6_client_prefix: u8,
    /// Where Prometheus metrics are served (`/metrics`); off by default.
    pub metrics_addr: Option<SocketAddr>,
    /// The key sellers' provider keys are sealed with; without it the server keeps none.
    pub secret_key: Option<SecretKey>,
    /// Whether sellers may subscribe plain `http://` webhook receivers; `https://` only by default.
    pub allow_http_webhooks: bool,
    /// Whether webhook receivers on private networks (loopback, RFC 1918, link-local, unique-local
    /// and the IPv6 forms that carry them) are reached: the operator's own network, a test. Public
    /// addresses only by default.
    pub allow_private_webhooks: bool,
    /// Where the carriers' tracking services are (local fakes in tests).
    pub providers: crate::sources::ProviderUrls,
    /// Who runs this server, for browsers' push services (`mailto:` or `https:`, VAPID's `sub`).
    pub push_contact: Option<String>,
    /// Whether buyers' push subscriptions may name a push service on a private network or over
    /// plain `http://` (a test's local one); public `https://` only by default.
    pub allow_private_push: bool,
    /// The push services buyers' subscriptions may name: host names, or `*.suffix`; the
    /// browsers' own by default (`push::services::BROWSERS`).
    pub push_services: PushServices,
    /// How long a client may take to send a request, and how many connections are served at once.
    pub connections: crate::connections::Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://trackline.db".to_owned(),
            static_dir: None,
            demo: false,
            rate_limit: crate::limiter::RateLimit::default(),
            ozon_base_url: crate::ozon::OZON_BASE_URL.to_owned(),
            default_shop: None,
            trusted_proxies: TrustedProxies::default(),
            client_header: ClientHeader::default(),
            ipv6_client_prefix: DEFAULT_IPV6_PREFIX,
            metrics_addr: None,
            secret_key: None,
            allow_http_webhooks: false,
            allow_private_webhooks: false,
            providers: crate::sources::ProviderUrls::default(),
            push_contact: None,
            allow_private_push: false,
            push_services: PushServices::default(),
            connections: crate::connections::Limits::default(),
        }
    }
}

/// A setting that cannot be used.
#[derive(Debug, Error, PartialEq)]
pub enum ConfigError {
    /// An address that does not parse.
    #[error("not a socket address: {0}")]
    BadAddress(String),
    /// A count that is not a positive whole number.
    #[error("{0} must be a positive whole number, not {1:?}")]
    BadNumber(String, String),
    /// A flag this server does not know, or one missing its value.
    #[error("unknown or incomplete argument: {0}")]
    BadArgument(String),
    /// The configuration file cannot be read or is not valid.
    #[error("config file {0}: {1}")]
    File(String, String),
    /// A trusted proxy that is not an address or a range.
    #[error("trusted proxies: {0}")]
    TrustedProxies(#[from] BadProxy),
    /// The client header is not a header name.
    #[error("client header: {0}")]
    ClientHeader(#[from] BadHeader),
    /// The IPv6 client prefix is not a length from 1 to 128.
    #[error("{0}")]
    Ipv6Prefix(#[from] BadPrefix),
    /// A push service that is not a host name or `*.suffix`.
    #[error("{0}")]
    PushServices(#[from] BadPushService),
    /// The secret key, or its file, cannot be used.
    #[error("secret key {0}: {1}")]
    SecretKey(String, SecretError),
}

/// The configuration file (TOML): the same settings as the environment, every one optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    database_url: Option<String>,
    static_dir: Option<PathBuf>,
    demo: Option<bool>,
    rate_limit: Option<FileRateLimit>,
    ozon_base_url: Option<String>,
    default_shop: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    client_header: Option<String>,
    ipv6_client_prefix: Option<u8>,
    metrics_addr: Option<String>,
    secret_key_file: Option<PathBuf>,
    allow_http_webhooks: Option<bool>,
    allow_private_webhooks: Option<bool>,
    russian_post_url: Option<String>,
    cdek_url: Option<String>,
    seventeen_track_url: Option<String>,
    push_contact: Option<String>,
    allow_private_push: Option<bool>,
    push_services: Option<Vec<String>>,
    max_connections: Option<u32>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRateLimit {
    per_minute: Option<u32>,
    burst: Option<u32>,
}

impl FileConfig {
    fn read(path: &str) -> Result<FileConfig, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::File(path.to_owned(), e.to_string()))?;
        toml::from_str(&text).map_err(|e| ConfigError::File(path.to_owned(), e.to_string()))
    }

    fn apply(self, config: &mut Config) -> Result<(), ConfigError> {
        if let Some(addr) = self.addr {
            config.addr = parse_addr(&addr)?;
        }
        if let Some(url) = self.database_url {
            config.database_url = url;
        }
        if let Some(dir) = self.static_dir {
            config.static_dir = Some(dir);
        }
        if let Some(demo) = self.demo {
            config.demo = demo;
        }
        if let Some(url) = self.ozon_base_url {
            config.ozon_base_url = url;
        }
        if let Some(shop) = self.default_shop {
            config.default_shop = Some(shop);
        }
        if let Some(proxies) = self.trusted_proxies {
            config.trusted_proxies = TrustedProxies::parse(proxies.iter().map(String::as_str))?;
        }
        if let Some(header) = self.client_header {
            config.client_header = ClientHeader::parse(&header)?;
        }
        if let Some(prefix) = self.ipv6_client_prefix {
            config.ipv6_client_prefix = parse_ipv6_prefix(&prefix.to_string())?;
        }
        if let Some(addr) = self.metrics_addr {
            config.metrics_addr = Some(parse_addr(&addr)?);
        }
        if let Some(path) = self.secret_key_file {
            config.secret_key = Some(read_secret_key_file(&path)?);
        }
        if let Some(allow) = self.allow_http_webhooks {
            config.allow_http_webhooks = allow;
        }
        if let Some(allow) = self.allow_private_webhooks {
            config.allow_private_webhooks = allow;
        }
        if let Some(url) = self.russian_post_url {
            config.providers.russian_post = url;
        }
        if let Some(url) = self.cdek_url {
            config.providers.cdek = url;
        }
        if let Some(url) = self.seventeen_track_url {
            config.providers.seventeen_track = url;
        }
        if let Some(contact) = self.push_contact {
            config.push_contact = Some(contact);
        }
        if let Some(allow) = self.allow_private_push {
            config.allow_private_push = allow;
        }
        if let Some(services) = self.push_services {
            config.push_services = PushServices::parse(services.iter().map(String::as_str))?;
        }
        if let Some(n) = self.max_connections.filter(|n| *n > 0) {
            config.connections.max_connections = n as usize;
        }
        if let Some(limit) = self.rate_limit {
            if let Some(n) = limit.per_minute.filter(|n| *n > 0) {
                config.rate_limit.per_minute = n;
            }
            if let Some(n) = limit.burst.filter(|n| *n > 0) {
                config.rate_limit.burst = n;
            }
        }
        Ok(())
    }
}

impl Config {
    /// Reads, each over the one before: the TOML file named by `--config` or `TRACKLINE_CONFIG`;
    /// `TRACKLINE_ADDR`, `TRACKLINE_DATABASE_URL`, `TRACKLINE_STATIC_DIR`, `TRACKLINE_DEMO`,
    /// `TRACKLINE_RATE_PER_MINUTE`, `TRACKLINE_RATE_BURST`, `TRACKLINE_DEFAULT_SHOP`,
    /// `TRACKLINE_TRUSTED_PROXIES`, `TRACKLINE_CLIENT_HEADER`, `TRACKLINE_IPV6_CLIENT_PREFIX`,
    /// `TRACKLINE_METRICS_ADDR`, `TRACKLINE_SECRET_KEY` (base64)
    /// or `TRACKLINE_SECRET_KEY_FILE`, `TRACKLINE_ALLOW_HTTP_WEBHOOKS`,
    /// `TRACKLINE_ALLOW_PRIVATE_WEBHOOKS`, `TRACKLINE_PUSH_CONTACT`,
    /// `TRACKLINE_ALLOW_PRIVATE_PUSH`, `TRACKLINE_PUSH_SERVICES`, `TRACKLINE_MAX_CONNECTIONS`, `TRACKLINE_OZON_BASE_URL`,
    /// `TRACKLINE_RUSSIAN_POST_URL`, `TRACKLINE_CDEK_URL`, `TRACKLINE_SEVENTEEN_TRACK_URL`; then the flags `--addr`,
    /// `--database`, `--static-dir`, `--demo`, `--default-shop`, `--trusted-proxies`,
    /// `--client-header`, `--ipv6-client-prefix`,
    /// `--metrics-addr`, `--secret-key-file`, `--allow-http-webhooks`,
    /// `--allow-private-webhooks`, `--push-contact`,
    /// `--allow-private-push`, `--push-services`, which win. The key itself is never a flag: the process list would show it.
    ///
    /// # Errors
    /// `ConfigError` for a file that cannot be read, an address that does not parse or an unknown flag.
    pub fn from_env_and_args(
        env: impl Fn(&str) -> Option<String>,
        args: impl IntoIterator<Item = String>,
    ) -> Result<Config, ConfigError> {
        let args: Vec<String> = args.into_iter().collect();
        let mut config = Config::default();
        let file = args
            .iter()
            .position(|arg| arg == "--config")
            .map(|i| {
                args.get(i + 1)
                    .cloned()
                    .ok_or_else(|| ConfigError::BadArgument("--config".into()))
            })
            .transpose()?
            .or_else(|| env("TRACKLINE_CONFIG"));
        if let Some(path) = file {
            FileConfig::read(&path)?.apply(&mut config)?;
        }
        if let Some(addr) = env("TRACKLINE_ADDR") {
            config.addr = parse_addr(&addr)?;
        }
        if let Some(url) = env("TRACKLINE_DATABASE_URL") {
            config.database_url = url;
        }
        if let Some(dir) = env("TRACKLINE_STATIC_DIR") {
            config.static_dir = Some(PathBuf::from(dir));
        }
        if let Some(demo) = env("TRACKLINE_DEMO") {
            config.demo = demo == "1" || demo == "true";
        }
        if let Some(rate) = env("TRACKLINE_RATE_PER_MINUTE") {
            config.rate_limit.per_minute = parse_count("TRACKLINE_RATE_PER_MINUTE", &rate)?;
        }
        if let Some(url) = env("TRACKLINE_RUSSIAN_POST_URL") {
            config.providers.russian_post = url;
        }
        if let Some(url) = env("TRACKLINE_CDEK_URL") {
            config.providers.cdek = url;
        }
        if let Some(url) = env("TRACKLINE_SEVENTEEN_TRACK_URL") {
            config.providers.seventeen_track = url;
        }
        if let Some(url) = env("TRACKLINE_OZON_BASE_URL") {
            config.ozon_base_url = url;
        }
        if let Some(shop) = env("TRACKLINE_DEFAULT_SHOP") {
            config.default_shop = Some(shop);
        }
        if let Some(proxies) = env("TRACKLINE_TRUSTED_PROXIES") {
            config.trusted_proxies = TrustedProxies::parse(proxies.split(','))?;
        }
        if let Some(header) = env("TRACKLINE_CLIENT_HEADER") {
            config.client_header = ClientHeader::parse(&header)?;
        }
        if let Some(prefix) = env("TRACKLINE_IPV6_CLIENT_PREFIX") {
            config.ipv6_client_prefix = parse_ipv6_prefix(&prefix)?;
        }
        if let Some(addr) = env("TRACKLINE_METRICS_ADDR") {
            config.metrics_addr = Some(parse_addr(&addr)?);
        }
        if let Some(path) = env("TRACKLINE_SECRET_KEY_FILE") {
            config.secret_key = Some(read_secret_key_file(std::path::Path::new(&path))?);
        }
        if let Some(key) = env("TRACKLINE_SECRET_KEY") {
            config.secret_key = Some(
                SecretKey::from_base64(&key)
                    .map_err(|e| ConfigError::SecretKey("TRACKLINE_SECRET_KEY".into(), e))?,
            );
        }
        if let Some(allow) = env("TRACKLINE_ALLOW_HTTP_WEBHOOKS") {
            config.allow_http_webhooks = allow == "1" || allow == "true";
        }
        if let Some(allow) = env("TRACKLINE_ALLOW_PRIVATE_WEBHOOKS") {
            config.allow_private_webhooks = allow == "1" || allow == "true";
        }
        if let Some(contact) = env("TRACKLINE_PUSH_CONTACT") {
            config.push_contact = Some(contact);
        }
        if let Some(allow) = env("TRACKLINE_ALLOW_PRIVATE_PUSH") {
            config.allow_private_push = allow == "1" || allow == "true";
        }
        if let Some(services) = env("TRACKLINE_PUSH_SERVICES") {
            config.push_services = PushServices::parse(services.split(','))?;
        }
        if let Some(n) = env("TRACKLINE_MAX_CONNECTIONS") {
            config.connections.max_connections =
                parse_count("TRACKLINE_MAX_CONNECTIONS", &n)? as usize;
        }
        if let Some(burst) = env("TRACKLINE_RATE_BURST") {
            config.rate_limit.burst = parse_count("TRACKLINE_RATE_BURST", &burst)?;
        }
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .ok_or_else(|| ConfigError::BadArgument(arg.clone()))
            };
            match arg.as_str() {
                "--config" => {
                    value()?;
                }
                "--addr" => config.addr = parse_addr(&value()?)?,
                "--database" => config.database_url = value()?,
                "--static-dir" => config.static_dir = Some(PathBuf::from(value()?)),
                "--demo" => config.demo = true,
                "--allow-http-webhooks" => config.allow_http_webhooks = true,
                "--allow-private-webhooks" => config.allow_private_webhooks = true,
                "--allow-private-push" => config.allow_private_push = true,
                "--push-contact" => config.push_contact = Some(value()?),
                "--push-services" => {
                    config.push_services = PushServices::parse(value()?.split(','))?;
                }
                "--default-shop" => config.default_shop = Some(value()?),
                "--trusted-proxies" => {
                    config.trusted_proxies = TrustedProxies::parse(value()?.split(','))?;
                }
                "--client-header" => config.client_header = ClientHeader::parse(&value()?)?,
                "--ipv6-client-prefix" => {
                    config.ipv6_client_prefix = parse_ipv6_prefix(&value()?)?;
                }
                "--metrics-addr" => config.metrics_addr = Some(parse_addr(&value()?)?),
                "--secret-key-file" => {
                    config.secret_key =
                        Some(read_secret_key_file(std::path::Path::new(&value()?))?);
                }
                _ => return Err(ConfigError::BadArgument(arg)),
            }
        }
        Ok(config)
    }
}

fn read_secret_key_file(path: &std::path::Path) -> Result<SecretKey, ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::SecretKey(name.clone(), SecretError::Unreadable(e.to_string()))
    })?;
    SecretKey::from_base64(&text).map_err(|e| ConfigError::SecretKey(name, e))
}

fn parse_count(name: &str, text: &str) -> Result<u32, ConfigError> {
    text.trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ConfigError::BadNumber(name.to_owned(), text.to_owned()))
}

fn parse_addr(text: &str) -> Result<SocketAddr, ConfigError> {
    text.parse()
        .map_err(|_| ConfigError::BadAddress(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_win_over_the_environment() {
        let env = |key: &str| (key == "TRACKLINE_ADDR").then(|| "127.0.0.1:9000".to_owned());
        let config =
            Config::from_env_and_args(env, args(&["--addr", "127.0.0.1:9100", "--demo"])).unwrap();
        assert_eq!(config.addr.port(), 9100);
        assert!(config.demo);
    }

    #[test]
    fn the_file_then_the_environment_then_the_flags() {
        let path =
            std::env::temp_dir().join(format!("trackline-config-{}.toml", std::process::id()));
        std::fs::write(
            &path,
            "addr = \"0.0.0.0:8081\"\ndatabase_url = \"postgres://db/trackline\"\nmax_connections = 500\n[rate_limit]\nburst = 5\n",
        )
        .unwrap();
        let file = path.display().to_string();
        let env = |key: &str| (key == "TRACKLINE_ADDR").then(|| "127.0.0.1:9000".to_owned());
        let config = Config::from_env_and_args(env, args(&["--config", &file])).unwrap();
        assert_eq!(
            config.addr.port(),
            9000,
            "the environment wins over the file"
        );
        assert_eq!(config.database_url, "postgres://db/trackline");
        assert_eq!(config.rate_limit.burst, 5);
        assert_eq!(config.connections.max_connections, 500);
        let many = |key: &str| (key == "TRACKLINE_MAX_CONNECTIONS").then(|| "20000".to_owned());
        let config = Config::from_env_and_args(many, args(&["--config", &file])).unwrap();
        assert_eq!(config.connections.max_connections, 20_000);
        let none = |_: &str| None;
        let config = Config::from_env_and_args(
            none,
            args(&["--config", &file, "--database", "sqlite::memory:"]),
        )
        .unwrap();
        assert_eq!(
            config.database_url, "sqlite::memory:",
            "flags win over the file"
        );
        std::fs::write(&path, "adress = \"typo\"\n").unwrap();
        assert!(matches!(
            Config::from_env_and_args(none, args(&["--config", &file])),
            Err(ConfigError::File(_, reason)) if reason.contains("adress")
        ));
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn trusted_proxies_come_from_the_file_the_environment_or_the_flag() {
        let env =
            |key: &str| (key == "TRACKLINE_TRUSTED_PROXIES").then(|| "10.0.0.0/8, ::1".to_owned());
        let config = Config::from_env_and_args(env, args(&[])).unwrap();
        assert!(config.trusted_proxies.trusts("10.1.2.3".parse().unwrap()));
        assert!(config.trusted_proxies.trusts("::1".parse().unwrap()));
        let config =
            Config::from_env_and_args(env, args(&["--trusted-proxies", "127.0.0.1"])).unwrap();
        assert!(
            !config.trusted_proxies.trusts("10.1.2.3".parse().unwrap()),
            "the flag wins"
        );
        assert!(
            Config::default().trusted_proxies.is_empty(),
            "none by default"
        );
        assert!(matches!(
            Config::from_env_and_args(|_| None, args(&["--trusted-proxies", "nginx"])),
            Err(ConfigError::TrustedProxies(_))
        ));
    }

    #[test]
    fn the_client_header_and_ipv6_prefix_come_from_the_environment_or_the_flag() {
        let config = Config::default();
        assert_eq!(config.client_header, ClientHeader::XForwardedFor);
        assert_eq!(config.ipv6_client_prefix, 64);
        let env = |key: &str| match key {
            "TRACKLINE_CLIENT_HEADER" => Some("Forwarded".to_owned()),
            "TRACKLINE_IPV6_CLIENT_PREFIX" => Some("56".to_owned()),
            _ => None,
        };
        let config = Config::from_env_and_args(env, args(&[])).unwrap();
        assert_eq!(config.client_header, ClientHeader::Forwarded);
        assert_eq!(config.ipv6_client_prefix, 56);
        let config = Config::from_env_and_args(
            env,
            args(&["--client-header", "X-Real-IP", "--ipv6-client-prefix", "48"]),
        )
        .unwrap();
        assert_eq!(config.client_header.name(), "x-real-ip");
        assert_eq!(config.ipv6_client_prefix, 48);
        assert!(matches!(
            Config::from_env_and_args(|_| None, args(&["--ipv6-client-prefix", "0"])),
            Err(ConfigError::Ipv6Prefix(_))
        ));
        assert!(matches!(
            Config::from_env_and_args(|_| None, args(&["--client-header", "a b"])),
            Err(ConfigError::ClientHeader(_))
        ));
    }

    #[test]
    fn private_webhook_receivers_are_a_switch_of_their_own() {
        let none = |_: &str| None;
        let config = Config::from_env_and_args(none, args(&["--allow-http-webhooks"])).unwrap();
        assert!(config.allow_http_webhooks);
        assert!(
            !config.allow_private_webhooks,
            "http alone opens no private network"
        );
        let config = Config::from_env_and_args(none, args(&["--allow-private-webhooks"])).unwrap();
        assert!(config.allow_private_webhooks && !config.allow_http_webhooks);
        let env = |key: &str| (key == "TRACKLINE_ALLOW_PRIVATE_WEBHOOKS").then(|| "1".to_owned());
        assert!(
            Config::from_env_and_args(env, args(&[]))
                .unwrap()
                .allow_private_webhooks
        );
        let path = std::env::temp_dir().join(format!(
            "trackline-config-private-{}.toml",
            std::process::id()
        ));
        std::fs::write(&path, "allow_private_webhooks = true\n").unwrap();
        let file = path.display().to_string();
        let config = Config::from_env_and_args(none, args(&["--config", &file])).unwrap();
        assert!(config.allow_private_webhooks && !config.allow_http_webhooks);
        let _ = std::fs::remove_file(path);
        assert!(!Config::default().allow_private_webhooks, "off by default");
    }

    #[test]
    fn push_services_come_from_the_file_or_the_environment() {
        assert_eq!(Config::default().push_services, PushServices::default());
        let env = |key: &str| {
            (key == "TRACKLINE_PUSH_SERVICES").then(|| "fcm.googleapis.com, *.push.example".into())
        };
        let config = Config::from_env_and_args(env, args(&[])).unwrap();
        assert_eq!(
            config.push_services.entries(),
            ["fcm.googleapis.com", "*.push.example"]
        );
        let path =
            std::env::temp_dir().join(format!("trackline-config-push-{}.toml", std::process::id()));
        std::fs::write(&path, "push_services = [\"127.0.0.1\"]\n").unwrap();
        let file = path.display().to_string();
        let config = Config::from_env_and_args(|_| None, args(&["--config", &file])).unwrap();
        assert_eq!(config.push_services.entries(), ["127.0.0.1"]);
        let config = Config::from_env_and_args(
            |_| None,
            args(&["--config", &file, "--push-services", "web.push.apple.com"]),
        )
        .unwrap();
        assert_eq!(config.push_services.entries(), ["web.push.apple.com"]);
        let _ = std::fs::remove_file(path);
        let bad =
            |key: &str| (key == "TRACKLINE_PUSH_SERVICES").then(|| "https://x.example".into());
        assert!(matches!(
            Config::from_env_and_args(bad, args(&[])),
            Err(ConfigError::PushServices(_))
        ));
    }

    #[test]
    fn the_example_file_reads() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/trackline.example.toml");
        let config = Config::from_env_and_args(|_| None, args(&["--config", path])).unwrap();
        assert_eq!(config.static_dir, None, "the binary's own widget");
        assert_eq!(config.database_url, "sqlite://trackline.db");
        assert!(config.trusted_proxies.trusts("127.0.0.1".parse().unwrap()));
        assert_eq!(config.push_services, PushServices::default());
    }

    #[test]
    fn mistakes_are_named() {
        let none = |_: &str| None;
        assert_eq!(
            Config::from_env_and_args(none, args(&["--addr", "nowhere"])),
            Err(ConfigError::BadAddress("nowhere".into()))
        );
        assert_eq!(
            Config::from_env_and_args(none, args(&["--static-dir"])),
            Err(ConfigError::BadArgument("--static-dir".into()))
        );
        assert_eq!(
            Config::from_env_and_args(none, args(&["--frobnicate"])),
            Err(ConfigError::BadArgument("--frobnicate".into()))
        );
    }
}
