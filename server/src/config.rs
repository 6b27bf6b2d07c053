//! Server settings from the command line and the environment.

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
    pub rate_limit: crate::rate_limit::RateLimit,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://trackline.db".to_owned(),
            static_dir: None,
            demo: false,
            rate_limit: crate::rate_limit::RateLimit::default(),
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
}

impl Config {
    /// Reads `TRACKLINE_ADDR`, `TRACKLINE_DATABASE_URL`, `TRACKLINE_STATIC_DIR`, `TRACKLINE_DEMO`,
    /// then the flags `--addr`, `--database`, `--static-dir`, `--demo`, which win.
    ///
    /// # Errors
    /// `ConfigError` for an address that does not parse or an unknown flag.
    pub fn from_env_and_args(
        env: impl Fn(&str) -> Option<String>,
        args: impl IntoIterator<Item = String>,
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(addr) = env("TRACKLINE_ADDR") {
            config.addr = parse_addr(&addr)?;
        }
        if let Some(url) = env("TRACKLINE_DATABASE_URL") {
            config.database_url = url;
        }
        config.static_dir = env("TRACKLINE_STATIC_DIR").map(PathBuf::from);
        config.demo = env("TRACKLINE_DEMO").is_some_and(|v| v == "1" || v == "true");
        if let Some(rate) = env("TRACKLINE_RATE_PER_MINUTE") {
            config.rate_limit.per_minute = parse_count("TRACKLINE_RATE_PER_MINUTE", &rate)?;
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
                "--addr" => config.addr = parse_addr(&value()?)?,
                "--database" => config.database_url = value()?,
                "--static-dir" => config.static_dir = Some(PathBuf::from(value()?)),
                "--demo" => config.demo = true,
                _ => return Err(ConfigError::BadArgument(arg)),
            }
        }
        Ok(config)
    }
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
