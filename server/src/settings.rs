//! The server's settings: each one a flag, an environment variable and a key of the TOML file
//! `--config` names, written once below, where its doc comment is its help in `--help`.
//!
//! A flag wins over the environment, the environment over the file, the file over the default.

use crate::client_address::{
    parse_ipv6_prefix, BadHeader, BadPrefix, BadProxy, ClientHeader, TrustedProxies,
    DEFAULT_IPV6_PREFIX,
};
use crate::push::services::{BadPushService, PushServices, BROWSERS};
use crate::secrets::{SecretError, SecretKey};
use clap::builder::BoolishValueParser;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser};
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Where the server listens unless told.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The origin the server is reached at unless told.
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";
/// The database unless told.
const DEFAULT_DATABASE: &str = "sqlite://trackline.db";
/// The secret key itself, base64: an environment variable only, since a flag's value is in the
/// process list for every user of the machine to read.
pub const SECRET_KEY_VARIABLE: &str = "TRACKLINE_SECRET_KEY";

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
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
    pub providers: crate::providers::ProviderUrls,
    /// Who runs this server, for browsers' push services (`mailto:` or `https:`, VAPID's `sub`).
    pub push_contact: Option<String>,
    /// Whether buyers' push subscriptions may name a push service on a private network or over
    /// plain `http://` (a test's local one); public `https://` only by default.
    pub allow_private_push: bool,
    /// The push services buyers' subscriptions may name: host names, or `*.suffix`; the
    /// browsers' own by default (`push::services::BROWSERS`).
    pub push_services: PushServices,
    /// How long a client may take to send a request, and how many connections are served at once.
    pub connections: crate::connections::ConnectionLimits,
    /// How the log is written.
    pub log_format: LogFormat,
    /// The origin browsers reach the server at (`https://track.shop.example`, no path): the
    /// links it prints, the console's passkeys' relying party, and the `Origin` a signed-in
    /// seller's writes must come from.
    pub public_url: String,
    /// The binary run with `read-sheet` to read sellers' workbooks; `None` for the server's own.
    /// Not a flag: only a program embedding the server, whose own binary is another (the
    /// browser tests' harness), names one.
    pub sheet_reader: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: DEFAULT_DATABASE.to_owned(),
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
            providers: crate::providers::ProviderUrls::default(),
            push_contact: None,
            allow_private_push: false,
            push_services: PushServices::default(),
            connections: crate::connections::ConnectionLimits::default(),
            log_format: LogFormat::Text,
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
            sheet_reader: None,
        }
    }
}

/// How the log is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Readable text, for people.
    Text,
    /// One JSON object a line, for log collectors.
    Json,
}

/// A setting that cannot be used.
#[derive(Debug, Error, PartialEq)]
pub enum SettingsError {
    /// An address that does not parse.
    #[error("not a socket address: {0}")]
    BadAddress(String),
    /// A flag this server does not know, one missing its value or one whose value is not of its
    /// kind (clap's own message, which the server prints, says which).
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
    /// The public URL is not an http(s) origin.
    #[error("public URL {0:?}: an origin is wanted, such as https://track.shop.example (http or https, a host, no path)")]
    PublicUrl(String),
    /// The secret key, or its file, cannot be used.
    #[error("secret key {0}: {1}")]
    SecretKey(String, SecretError),
}

impl From<clap::Error> for SettingsError {
    fn from(error: clap::Error) -> SettingsError {
        let argument = match error.get(clap::error::ContextKind::InvalidArg) {
            // `--static-dir <DIR>`: the flag, without its value's name.
            Some(clap::error::ContextValue::String(argument)) => {
                argument.split(' ').next().unwrap_or(argument).to_owned()
            }
            _ => error.kind().to_string(),
        };
        SettingsError::BadArgument(argument)
    }
}

/// Every setting as the command line, the environment and the file give it, before it is
/// checked. Every one is global: it may stand before or after a subcommand.
#[derive(Debug, Clone, Parser)]
#[command(name = "trackline-server", args_override_self = true)]
pub struct Options {
    /// A TOML file of settings, every one optional, each under its environment variable's name
    /// without TRACKLINE_ in lower case (the lookup limits as [rate_limit] per_minute and
    /// burst; see server/trackline.example.toml); the environment and flags win over it.
    #[arg(long, env = "TRACKLINE_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Where to listen.
    #[arg(long, env = "TRACKLINE_ADDR", global = true)]
    #[arg(value_name = "IP:PORT", default_value = DEFAULT_ADDR)]
    pub addr: String,

    /// The database: sqlite://FILE for one machine, postgres://USER@HOST/DB for several
    /// instances behind a load balancer, sqlite::memory: for a test.
    #[arg(long = "database", env = "TRACKLINE_DATABASE_URL", global = true)]
    #[arg(value_name = "URL", default_value = DEFAULT_DATABASE)]
    pub database_url: String,

    /// A built widget to serve at / instead of the one inside the binary (cargo xtask release
    /// puts it there).
    #[arg(long, env = "TRACKLINE_STATIC_DIR", global = true)]
    #[arg(value_name = "DIR")]
    pub static_dir: Option<PathBuf>,

    /// Seed the demo shipments into an empty store.
    #[arg(long, env = "TRACKLINE_DEMO", global = true)]
    #[arg(value_parser = BoolishValueParser::new())]
    pub demo: bool,

    /// On a server with several shops, the shop (its handle) that the short lookup path
    /// /api/v1/track/{number} answers for; without it that path answers only on a one-shop
    /// server.
    #[arg(long, env = "TRACKLINE_DEFAULT_SHOP", global = true)]
    #[arg(value_name = "HANDLE")]
    pub default_shop: Option<String>,

    /// Where Prometheus metrics (/metrics) are served, on a listener of their own; off when
    /// absent.
    #[arg(long, env = "TRACKLINE_METRICS_ADDR", global = true)]
    #[arg(value_name = "IP:PORT")]
    pub metrics_addr: Option<String>,

    /// How the log is written (its level: RUST_LOG).
    #[arg(long, env = "TRACKLINE_LOG_FORMAT", global = true)]
    #[arg(value_name = "FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Public lookups a minute per client address, in each shop, sustained.
    #[arg(
        long = "rate-per-minute",
        env = "TRACKLINE_RATE_PER_MINUTE",
        global = true
    )]
    #[arg(
        id = "rate_limit.per_minute",
        value_name = "N",
        help_heading = "Clients"
    )]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    #[arg(default_value_t = crate::limiter::RateLimit::default().per_minute)]
    pub rate_per_minute: u32,

    /// Public lookups per client address allowed at once after a quiet spell.
    #[arg(long = "rate-burst", env = "TRACKLINE_RATE_BURST", global = true)]
    #[arg(id = "rate_limit.burst", value_name = "N", help_heading = "Clients")]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    #[arg(default_value_t = crate::limiter::RateLimit::default().burst)]
    pub rate_burst: u32,

    /// The reverse proxies in front (nginx, a load balancer), addresses or CIDR ranges
    /// separated by commas: only their header naming the client is believed, walked from the
    /// right past these; nobody else's. None: every client is its connection's own address.
    #[arg(long, env = "TRACKLINE_TRUSTED_PROXIES", global = true)]
    #[arg(value_name = "LIST", help_heading = "Clients")]
    pub trusted_proxies: Option<String>,

    /// The one header those proxies name the client in: X-Forwarded-For, Forwarded (RFC 7239),
    /// or one the proxy sets to the client's address alone (X-Real-IP, CF-Connecting-IP).
    #[arg(long, env = "TRACKLINE_CLIENT_HEADER", global = true)]
    #[arg(value_name = "NAME", help_heading = "Clients")]
    #[arg(default_value = "X-Forwarded-For")]
    pub client_header: String,

    /// How many leading bits of an IPv6 address are one client, for the lookup limit, the
    /// second-factor lockout and the push limit (1 to 128).
    #[arg(long, env = "TRACKLINE_IPV6_CLIENT_PREFIX", global = true)]
    #[arg(value_name = "BITS", help_heading = "Clients")]
    #[arg(default_value_t = DEFAULT_IPV6_PREFIX.to_string())]
    pub ipv6_client_prefix: String,

    /// The most connections served at once; the next waits in the listen backlog until one
    /// ends [default: 10000, or three quarters of the open-file limit if that is less].
    #[arg(long, env = "TRACKLINE_MAX_CONNECTIONS", global = true)]
    #[arg(value_name = "N", help_heading = "Clients")]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,

    /// A file holding the secret key (base64, from `trackline-server secret-key`) that sellers'
    /// provider keys and webhook secrets are sealed with and buyers' push notifications signed
    /// with; without a key the server keeps none of them and offers no "Notify me". The key
    /// itself may be given instead, base64, in TRACKLINE_SECRET_KEY (never as a flag: the
    /// process list would show it), which wins over TRACKLINE_SECRET_KEY_FILE and the file.
    #[arg(long, env = "TRACKLINE_SECRET_KEY_FILE", global = true)]
    #[arg(value_name = "FILE", help_heading = "Sellers")]
    pub secret_key_file: Option<PathBuf>,

    /// Let sellers subscribe plain http:// webhook receivers (this reaches no private network
    /// by itself).
    #[arg(long, env = "TRACKLINE_ALLOW_HTTP_WEBHOOKS", global = true)]
    #[arg(value_parser = BoolishValueParser::new(), help_heading = "Sellers")]
    pub allow_http_webhooks: bool,

    /// Reach webhook receivers on private networks (loopback, RFC 1918, link-local,
    /// unique-local, and the IPv6 forms that carry them): only for a receiver you run yourself.
    #[arg(long, env = "TRACKLINE_ALLOW_PRIVATE_WEBHOOKS", global = true)]
    #[arg(value_parser = BoolishValueParser::new(), help_heading = "Sellers")]
    pub allow_private_webhooks: bool,

    /// The origin browsers reach this server at (https://track.shop.example): the links it
    /// prints (members' invitations), the relying party of the console's passkeys, and the
    /// only Origin a signed-in seller's changes are taken from.
    #[arg(long, env = "TRACKLINE_PUBLIC_URL", global = true)]
    #[arg(value_name = "URL", help_heading = "Sellers")]
    #[arg(default_value = DEFAULT_PUBLIC_URL)]
    pub public_url: String,

    /// The Ozon Seller API.
    #[arg(long, env = "TRACKLINE_OZON_BASE_URL", global = true)]
    #[arg(value_name = "URL", help_heading = "Sellers")]
    #[arg(default_value = crate::ozon::OZON_BASE_URL)]
    pub ozon_base_url: String,

    /// Russian Post's tracking service.
    #[arg(long, env = "TRACKLINE_RUSSIAN_POST_URL", global = true)]
    #[arg(value_name = "URL", help_heading = "Sellers")]
    #[arg(default_value = crate::providers::russian_post::BASE_URL)]
    pub russian_post_url: String,

    /// CDEK's API, up to and without /v2.
    #[arg(long, env = "TRACKLINE_CDEK_URL", global = true)]
    #[arg(value_name = "URL", help_heading = "Sellers")]
    #[arg(default_value = crate::providers::cdek::BASE_URL)]
    pub cdek_url: String,

    /// 17TRACK's API, up to and without /track/v2.2.
    #[arg(long, env = "TRACKLINE_SEVENTEEN_TRACK_URL", global = true)]
    #[arg(value_name = "URL", help_heading = "Sellers")]
    #[arg(default_value = crate::providers::seventeen_track::BASE_URL)]
    pub seventeen_track_url: String,

    /// Who runs this server, for browsers' push services (mailto: or https:; Apple's refuses
    /// pushes without it).
    #[arg(long, env = "TRACKLINE_PUSH_CONTACT", global = true)]
    #[arg(value_name = "URI", help_heading = "Buyers' notifications")]
    pub push_contact: Option<String>,

    /// Let buyers' subscriptions name a push service on a private network or over http:// (a
    /// test's).
    #[arg(long, env = "TRACKLINE_ALLOW_PRIVATE_PUSH", global = true)]
    #[arg(value_parser = BoolishValueParser::new(), help_heading = "Buyers' notifications")]
    pub allow_private_push: bool,

    /// The push services buyers' subscriptions may name, separated by commas: host names, or
    /// *.suffix for every name under it. The default is the browsers' own; to add one, list all.
    #[arg(long, env = "TRACKLINE_PUSH_SERVICES", global = true)]
    #[arg(value_name = "LIST", help_heading = "Buyers' notifications")]
    #[arg(default_value_t = BROWSERS.join(","))]
    pub push_services: String,
}

/// The settings that `args` (read as the command line `C`, which flattens [`Options`] in), the
/// environment and the TOML file `--config` or `TRACKLINE_CONFIG` names give, checked.
///
/// # Errors
/// `SettingsError` for an argument clap refuses, a file that cannot be read or names a setting
/// that does not exist, or a setting that cannot be used.
pub fn read<C: Parser>(args: &[OsString]) -> Result<Settings, SettingsError> {
    let mut command = C::command();
    let given = command.clone().try_get_matches_from(args)?;
    let key_flag = given.value_source("secret_key_file") == Some(ValueSource::CommandLine);
    // The key itself, from the environment, outranks every other way to its file but the flag.
    let secret_key = std::env::var(SECRET_KEY_VARIABLE)
        .ok()
        .filter(|_| !key_flag);
    if secret_key.is_some() {
        command = command.mut_arg("secret_key_file", |arg| arg.env(None));
    }
    if let Some(path) = given.get_one::<PathBuf>("config") {
        for (id, value) in file_settings(path)? {
            if id == "secret_key_file" && secret_key.is_some() {
                continue;
            }
            // The file's value stands in for the default: the environment and flags still win.
            command = command.mut_arg(id, |arg| arg.default_value(value));
        }
    }
    // The same arguments read once already: what fails now is a value from the file.
    let matches = command.try_get_matches_from(args).map_err(|error| {
        match given.get_one::<PathBuf>("config") {
            Some(path) => {
                let said = error.render().to_string();
                let reason = said.lines().next().unwrap_or_default();
                SettingsError::File(path.display().to_string(), reason.replace("error: ", ""))
            }
            None => error.into(),
        }
    })?;
    let options = Options::from_arg_matches(&matches)?;
    Settings::checked(options, secret_key.as_deref())
}

/// The settings a TOML file gives, each as the id of its argument and its value as text.
fn file_settings(path: &Path) -> Result<Vec<(String, String)>, SettingsError> {
    let name = path.display().to_string();
    let refused = |reason: String| SettingsError::File(name.clone(), reason);
    let text = std::fs::read_to_string(path).map_err(|e| refused(e.to_string()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| refused(e.to_string()))?;
    let command = Options::command();
    let mut settings = Vec::new();
    let mut pending: Vec<(String, toml::Value)> = table.into_iter().collect();
    while let Some((key, value)) = pending.pop() {
        // A table groups settings: `[rate_limit] burst` is `rate_limit.burst`.
        if let toml::Value::Table(table) = value {
            pending.extend(table.into_iter().map(|(k, v)| (format!("{key}.{k}"), v)));
            continue;
        }
        let arg = command
            .get_arguments()
            .find(|arg| arg.get_id() == key.as_str() && key != "config")
            .ok_or_else(|| refused(format!("unknown setting `{key}`")))?;
        let switch = !arg.get_action().takes_values();
        let text = match value {
            toml::Value::Boolean(on) => on.to_string(),
            toml::Value::String(text) if !switch => text,
            toml::Value::Integer(n) if !switch => n.to_string(),
            toml::Value::Array(entries) if !switch => entries
                .iter()
                .map(|entry| entry.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| refused(format!("`{key}` is a list of strings")))?
                .join(","),
            _ if switch => return Err(refused(format!("`{key}` is true or false"))),
            _ => return Err(refused(format!("`{key}` is a string, a number or a list"))),
        };
        settings.push((key, text));
    }
    Ok(settings)
}

impl Settings {
    /// The settings `options` give, each checked; `secret_key` is `TRACKLINE_SECRET_KEY`'s
    /// value where it counts.
    fn checked(options: Options, secret_key: Option<&str>) -> Result<Settings, SettingsError> {
        let secret_key = match (secret_key, &options.secret_key_file) {
            (Some(key), _) => Some(
                SecretKey::from_base64(key)
                    .map_err(|e| SettingsError::SecretKey(SECRET_KEY_VARIABLE.into(), e))?,
            ),
            (None, Some(path)) => Some(read_secret_key_file(path)?),
            (None, None) => None,
        };
        let defaults = crate::connections::ConnectionLimits::default();
        Ok(Settings {
            addr: parse_addr(&options.addr)?,
            database_url: options.database_url,
            static_dir: options.static_dir,
            demo: options.demo,
            rate_limit: crate::limiter::RateLimit {
                per_minute: options.rate_per_minute,
                burst: options.rate_burst,
            },
            ozon_base_url: options.ozon_base_url,
            default_shop: options.default_shop,
            trusted_proxies: match &options.trusted_proxies {
                Some(list) => TrustedProxies::parse(list.split(','))?,
                None => TrustedProxies::default(),
            },
            client_header: ClientHeader::parse(&options.client_header)?,
            ipv6_client_prefix: parse_ipv6_prefix(&options.ipv6_client_prefix)?,
            metrics_addr: options
                .metrics_addr
                .as_deref()
                .map(parse_addr)
                .transpose()?,
            secret_key,
            allow_http_webhooks: options.allow_http_webhooks,
            allow_private_webhooks: options.allow_private_webhooks,
            providers: crate::providers::ProviderUrls {
                russian_post: options.russian_post_url,
                cdek: options.cdek_url,
                seventeen_track: options.seventeen_track_url,
            },
            push_contact: options.push_contact,
            allow_private_push: options.allow_private_push,
            push_services: PushServices::parse(options.push_services.split(','))?,
            connections: crate::connections::ConnectionLimits {
                max_connections: options
                    .max_connections
                    .map_or(defaults.max_connections, |n| n as usize),
                ..defaults
            },
            log_format: options.log_format,
            public_url: parse_public_url(&options.public_url)?,
            sheet_reader: None,
        })
    }
}

fn read_secret_key_file(path: &Path) -> Result<SecretKey, SettingsError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        SettingsError::SecretKey(name.clone(), SecretError::Unreadable(e.to_string()))
    })?;
    SecretKey::from_base64(&text).map_err(|e| SettingsError::SecretKey(name, e))
}

/// The origin a public URL names (`scheme://host[:port]`, a trailing slash dropped).
fn parse_public_url(text: &str) -> Result<String, SettingsError> {
    let refused = || SettingsError::PublicUrl(text.to_owned());
    let url = webauthn_rs::prelude::Url::parse(text.trim()).map_err(|_| refused())?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || !bare {
        return Err(refused());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused());
    }
    Ok(url.origin().ascii_serialization())
}

fn parse_addr(text: &str) -> Result<SocketAddr, SettingsError> {
    text.parse()
        .map_err(|_| SettingsError::BadAddress(text.to_owned()))
}
