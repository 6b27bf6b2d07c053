//! The server's settings as an operator gives them: flags, the environment and the TOML file,
//! each over the one after it; and `--help`, the operator's manual, against the README's table.
//!
//! The environment is this process's own, which clap reads: every test here takes its turn at it.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};
use trackline_server::client_address::ClientHeader;
use trackline_server::push::services::PushServices;
use trackline_server::settings::{read as read_settings, Options, SettingsError};
use trackline_server::Settings;

static ENVIRONMENT: Mutex<()> = Mutex::new(());

/// The settings `args` give with the environment holding `env` and no other setting.
fn read(env: &[(&str, &str)], args: &[&str]) -> Result<Settings, SettingsError> {
    let _turn = ENVIRONMENT.lock().unwrap_or_else(PoisonError::into_inner);
    for (name, _) in std::env::vars() {
        if name.starts_with("TRACKLINE_") && !name.starts_with("TRACKLINE_TEST_") {
            std::env::remove_var(name);
        }
    }
    for (name, value) in env {
        std::env::set_var(name, value);
    }
    let args: Vec<std::ffi::OsString> = std::iter::once("trackline-server")
        .chain(args.iter().copied())
        .map(Into::into)
        .collect();
    let read = read_settings::<Options>(&args);
    for (name, _) in env {
        std::env::remove_var(name);
    }
    read
}

fn temp_file(name: &str, text: &str) -> (std::path::PathBuf, String) {
    let path = std::env::temp_dir().join(format!("trackline-{name}-{}.toml", std::process::id()));
    std::fs::write(&path, text).expect("a temporary file");
    let file = path.display().to_string();
    (path, file)
}

#[test]
fn flags_win_over_the_environment() {
    let env = [("TRACKLINE_ADDR", "127.0.0.1:9000")];
    let config = read(&env, &["--addr", "127.0.0.1:9100", "--demo"]).unwrap();
    assert_eq!(config.addr.port(), 9100);
    assert!(config.demo);
}

#[test]
fn the_file_then_the_environment_then_the_flags() {
    let (path, file) = temp_file(
        "config",
        "addr = \"0.0.0.0:8081\"\ndatabase_url = \"postgres://db/trackline\"\nmax_connections = 500\n[rate_limit]\nburst = 5\n",
    );
    let env = [("TRACKLINE_ADDR", "127.0.0.1:9000")];
    let config = read(&env, &["--config", &file]).unwrap();
    assert_eq!(
        config.addr.port(),
        9000,
        "the environment wins over the file"
    );
    assert_eq!(config.database_url, "postgres://db/trackline");
    assert_eq!(config.rate_limit.burst, 5);
    assert_eq!(config.connections.max_connections, 500);
    let many = [("TRACKLINE_MAX_CONNECTIONS", "20000")];
    let config = read(&many, &["--config", &file]).unwrap();
    assert_eq!(config.connections.max_connections, 20_000);
    let config = read(&[], &["--config", &file, "--database", "sqlite::memory:"]).unwrap();
    assert_eq!(
        config.database_url, "sqlite::memory:",
        "flags win over the file"
    );
    std::fs::write(&path, "adress = \"typo\"\n").unwrap();
    assert!(matches!(
        read(&[], &["--config", &file]),
        Err(SettingsError::File(_, reason)) if reason.contains("adress")
    ));
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_value_from_the_file_is_checked_and_blamed_on_the_file() {
    let (path, file) = temp_file("config-zero", "max_connections = 0\n");
    assert!(matches!(
        read(&[], &["--config", &file]),
        Err(SettingsError::File(_, reason)) if reason.contains("--max-connections")
    ));
    std::fs::write(&path, "addr = \"nowhere\"\n").unwrap();
    assert_eq!(
        read(&[], &["--config", &file]),
        Err(SettingsError::BadAddress("nowhere".into()))
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn trusted_proxies_come_from_the_file_the_environment_or_the_flag() {
    let env = [("TRACKLINE_TRUSTED_PROXIES", "10.0.0.0/8, ::1")];
    let config = read(&env, &[]).unwrap();
    assert!(config.trusted_proxies.trusts("10.1.2.3".parse().unwrap()));
    assert!(config.trusted_proxies.trusts("::1".parse().unwrap()));
    let config = read(&env, &["--trusted-proxies", "127.0.0.1"]).unwrap();
    assert!(
        !config.trusted_proxies.trusts("10.1.2.3".parse().unwrap()),
        "the flag wins"
    );
    assert!(
        Settings::default().trusted_proxies.is_empty(),
        "none by default"
    );
    assert!(matches!(
        read(&[], &["--trusted-proxies", "nginx"]),
        Err(SettingsError::TrustedProxies(_))
    ));
}

#[test]
fn the_client_header_and_ipv6_prefix_come_from_the_environment_or_the_flag() {
    let config = Settings::default();
    assert_eq!(config.client_header, ClientHeader::XForwardedFor);
    assert_eq!(config.ipv6_client_prefix, 64);
    let env = [
        ("TRACKLINE_CLIENT_HEADER", "Forwarded"),
        ("TRACKLINE_IPV6_CLIENT_PREFIX", "56"),
    ];
    let config = read(&env, &[]).unwrap();
    assert_eq!(config.client_header, ClientHeader::Forwarded);
    assert_eq!(config.ipv6_client_prefix, 56);
    let config = read(
        &env,
        &["--client-header", "X-Real-IP", "--ipv6-client-prefix", "48"],
    )
    .unwrap();
    assert_eq!(config.client_header.name(), "x-real-ip");
    assert_eq!(config.ipv6_client_prefix, 48);
    assert!(matches!(
        read(&[], &["--ipv6-client-prefix", "0"]),
        Err(SettingsError::Ipv6Prefix(_))
    ));
    assert!(matches!(
        read(&[], &["--client-header", "a b"]),
        Err(SettingsError::ClientHeader(_))
    ));
}

#[test]
fn private_webhook_receivers_are_a_switch_of_their_own() {
    let config = read(&[], &["--allow-http-webhooks"]).unwrap();
    assert!(config.allow_http_webhooks);
    assert!(
        !config.allow_private_webhooks,
        "http alone opens no private network"
    );
    let config = read(&[], &["--allow-private-webhooks"]).unwrap();
    assert!(config.allow_private_webhooks && !config.allow_http_webhooks);
    let env = [("TRACKLINE_ALLOW_PRIVATE_WEBHOOKS", "1")];
    assert!(read(&env, &[]).unwrap().allow_private_webhooks);
    let (path, file) = temp_file("config-private", "allow_private_webhooks = true\n");
    let config = read(&[], &["--config", &file]).unwrap();
    assert!(config.allow_private_webhooks && !config.allow_http_webhooks);
    let _ = std::fs::remove_file(path);
    assert!(
        !Settings::default().allow_private_webhooks,
        "off by default"
    );
}

#[test]
fn push_services_come_from_the_file_or_the_environment() {
    assert_eq!(Settings::default().push_services, PushServices::default());
    let env = [(
        "TRACKLINE_PUSH_SERVICES",
        "fcm.googleapis.com, *.push.example",
    )];
    let config = read(&env, &[]).unwrap();
    assert_eq!(
        config.push_services.entries(),
        ["fcm.googleapis.com", "*.push.example"]
    );
    let (path, file) = temp_file("config-push", "push_services = [\"127.0.0.1\"]\n");
    let config = read(&[], &["--config", &file]).unwrap();
    assert_eq!(config.push_services.entries(), ["127.0.0.1"]);
    let config = read(
        &[],
        &["--config", &file, "--push-services", "web.push.apple.com"],
    )
    .unwrap();
    assert_eq!(config.push_services.entries(), ["web.push.apple.com"]);
    let _ = std::fs::remove_file(path);
    let bad = [("TRACKLINE_PUSH_SERVICES", "https://x.example")];
    assert!(matches!(
        read(&bad, &[]),
        Err(SettingsError::PushServices(_))
    ));
}

#[test]
fn the_example_file_reads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/trackline.example.toml");
    let config = read(&[], &["--config", path]).unwrap();
    assert_eq!(config.static_dir, None, "the binary's own widget");
    assert_eq!(config.database_url, "sqlite://trackline.db");
    assert!(config.trusted_proxies.trusts("127.0.0.1".parse().unwrap()));
    assert_eq!(config.push_services, PushServices::default());
}

#[test]
fn mistakes_are_named() {
    assert_eq!(
        read(&[], &["--addr", "nowhere"]),
        Err(SettingsError::BadAddress("nowhere".into()))
    );
    assert_eq!(
        read(&[], &["--static-dir"]),
        Err(SettingsError::BadArgument("--static-dir".into()))
    );
    assert_eq!(
        read(&[], &["--frobnicate"]),
        Err(SettingsError::BadArgument("--frobnicate".into()))
    );
}

#[test]
fn nothing_given_is_the_default() {
    assert_eq!(read(&[], &[]), Ok(Settings::default()));
}

#[test]
fn switches_read_1_true_0_and_false_from_the_environment_and_true_from_the_file() {
    for (value, on) in [("1", true), ("true", true), ("0", false), ("false", false)] {
        let env = [
            ("TRACKLINE_DEMO", value),
            ("TRACKLINE_ALLOW_PRIVATE_PUSH", value),
        ];
        let config = read(&env, &[]).unwrap();
        assert_eq!(
            (config.demo, config.allow_private_push),
            (on, on),
            "{value}"
        );
    }
    assert_eq!(
        read(&[("TRACKLINE_DEMO", "0")], &["--demo"]).map(|c| c.demo),
        Ok(true),
        "the flag wins"
    );
    let (path, file) = temp_file("config-switch", "demo = true\nallow_http_webhooks = 1\n");
    assert!(matches!(
        read(&[], &["--config", &file]),
        Err(SettingsError::File(_, reason)) if reason.contains("allow_http_webhooks")
    ));
    std::fs::write(&path, "demo = true\n").unwrap();
    assert!(read(&[], &["--config", &file]).unwrap().demo);
    assert!(
        !read(&[("TRACKLINE_DEMO", "0")], &["--config", &file])
            .unwrap()
            .demo
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn the_secret_key_flag_wins_over_its_variable_which_wins_over_the_rest() {
    let key = trackline_server::secrets::SecretKey::generate().unwrap();
    let other = trackline_server::secrets::SecretKey::generate().unwrap();
    let (key_path, key_file) = temp_file("key", &key.to_base64());
    let (config_path, config_file) =
        temp_file("config-key", &format!("secret_key_file = {key_file:?}\n"));
    let from = |env: &[(&str, &str)], args: &[&str]| read(env, args).unwrap().secret_key;
    let variable = other.to_base64();
    assert_eq!(from(&[], &["--config", &config_file]), Some(key.clone()));
    assert_eq!(
        from(
            &[("TRACKLINE_SECRET_KEY", &variable)],
            &["--config", &config_file]
        ),
        Some(other.clone()),
        "the variable wins over the file"
    );
    assert_eq!(
        from(
            &[
                ("TRACKLINE_SECRET_KEY", &variable),
                ("TRACKLINE_SECRET_KEY_FILE", &key_file)
            ],
            &[]
        ),
        Some(other.clone()),
        "the variable wins over the variable naming a file"
    );
    assert_eq!(
        from(
            &[("TRACKLINE_SECRET_KEY", &variable)],
            &["--secret-key-file", &key_file]
        ),
        Some(key.clone()),
        "the flag wins over the variable"
    );
    assert!(matches!(
        read(&[("TRACKLINE_SECRET_KEY", "not base64")], &[]),
        Err(SettingsError::SecretKey(name, _)) if name == "TRACKLINE_SECRET_KEY"
    ));
    let _ = std::fs::remove_file(key_path);
    let _ = std::fs::remove_file(config_path);
}

/// One row of the README's settings table: the environment variables and flags it names.
#[derive(Debug, Default)]
struct Row {
    variables: BTreeSet<String>,
    flags: BTreeSet<String>,
}

/// The words in `text` that start with `prefix` and go on with `A-Z a-z 0-9 _ -`.
fn words(text: &str, prefix: &str) -> BTreeSet<String> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect()
        })
        .filter(|word: &String| word.len() > prefix.len())
        .collect()
}

/// The README's settings table, under "**Configuration**".
fn readme_rows() -> Vec<Row> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    let table = readme
        .split("**Configuration**")
        .nth(1)
        .expect("the README's configuration section");
    table
        .lines()
        .skip_while(|line| !line.starts_with("| setting"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            let cell = |at: usize| cells.get(at).copied().unwrap_or("");
            Row {
                variables: words(cell(2), "TRACKLINE_"),
                flags: words(cell(3), "--"),
            }
        })
        .collect()
}

/// Each option `--help` lists: its flag and the environment variables its text names.
fn help_options() -> Vec<Row> {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_trackline-server"))
        .arg("--help")
        .env_clear()
        .output()
        .expect("trackline-server --help runs");
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).expect("help is text");
    let mut options: Vec<(String, String)> = Vec::new();
    for line in help.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        // An option's line starts with its flag, less indented than its help below it.
        if (2..=6).contains(&indent) && (trimmed.starts_with("--") || trimmed.starts_with('-')) {
            let flag = trimmed
                .split([' ', ','])
                .find(|word| word.starts_with("--"))
                .unwrap_or("")
                .to_owned();
            options.push((flag, String::new()));
        } else if let Some((_, text)) = options.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    options
        .into_iter()
        .filter(|(flag, _)| flag != "--help" && flag != "--version")
        .map(|(flag, text)| Row {
            variables: words(&text, "TRACKLINE_"),
            flags: BTreeSet::from([flag]),
        })
        .collect()
}

#[test]
fn the_readme_table_names_every_setting_help_lists_with_its_variable_and_flag() {
    let rows = readme_rows();
    let options = help_options();
    assert!(options.len() >= 20, "{options:?}");
    for option in &options {
        let flag = option.flags.first().expect("a flag");
        let variable = &option.variables;
        assert!(
            !variable.is_empty(),
            "{flag} names its environment variable"
        );
        if flag == "--config" {
            // The file itself, named in the sentence above the table.
            continue;
        }
        assert!(
            rows.iter().any(|row| row.flags.contains(flag)
                && variable.iter().all(|v| row.variables.contains(v))),
            "{flag} ({variable:?}) has a row of the README's table naming it and its variable"
        );
    }
    for row in &rows {
        for flag in &row.flags {
            assert!(
                options.iter().any(|option| option.flags.contains(flag)),
                "the README's {flag} is in --help"
            );
        }
        for variable in &row.variables {
            assert!(
                options
                    .iter()
                    .any(|option| option.variables.contains(variable)
                        && row.flags.iter().any(|flag| option.flags.contains(flag))),
                "the README's {variable} is in --help, with a flag of its row"
            );
        }
    }
}

#[test]
fn the_public_url_is_an_http_origin() {
    let origin = |given: &str| read(&[("TRACKLINE_PUBLIC_URL", given)], &[]).map(|s| s.public_url);
    assert_eq!(
        origin("https://Track.Shop.example/"),
        Ok("https://track.shop.example".into())
    );
    assert_eq!(
        origin("http://127.0.0.1:8080"),
        Ok("http://127.0.0.1:8080".into())
    );
    for bad in [
        "track.shop.example",
        "ftp://track.shop.example",
        "https://track.shop.example/console",
        "https://user:pass@track.shop.example",
        "https://track.shop.example/?a=1",
    ] {
        assert_eq!(
            origin(bad),
            Err(SettingsError::PublicUrl(bad.into())),
            "{bad}"
        );
    }
}
