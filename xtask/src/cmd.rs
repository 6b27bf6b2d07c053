//! Running the project's tools: from the project's root, with the environment they share.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A task that could not be done, and why, for the person who ran it.
#[derive(Debug)]
pub struct Failed(pub String);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::io::Error> for Failed {
    fn from(error: std::io::Error) -> Failed {
        Failed(error.to_string())
    }
}

/// What a task returns.
pub type Done<T = ()> = Result<T, Failed>;

/// Fails with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl Into<String>) -> Done {
    if condition {
        Ok(())
    } else {
        Err(Failed(message.into()))
    }
}

/// The project's root, where the workspace's `Cargo.toml` is.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Works from the root and gives every tool the project's environment: the tools installed
/// into `.tools` and `~/.cargo/bin` on the path, where Chromium and its driver are, and the
/// flags Chromium needs on this machine (from `webdriver.json`, which wasm-bindgen-test reads too).
pub fn enter_project() {
    let root = root();
    let _ = std::env::set_current_dir(&root);
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_default();
    let mut path = vec![
        root.join(".tools/node_modules/.bin"),
        cargo_home.join("bin"),
    ];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    if let Ok(joined) = std::env::join_paths(path) {
        std::env::set_var("PATH", joined);
    }
    for (name, default) in [
        ("CHROMEDRIVER", "/usr/bin/chromedriver"),
        ("CHROMIUM", "/usr/bin/chromium"),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, default);
        }
    }
    std::env::set_var(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    );
    if let Some(flags) = chromium_flags(&root) {
        std::env::set_var("TRACKLINE_CHROMIUM_FLAGS", flags);
    }
}

/// The Chromium arguments in `webdriver.json`, space-separated.
fn chromium_flags(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("webdriver.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let args = json["goog:chromeOptions"]["args"].as_array()?;
    Some(
        args.iter()
            .filter_map(|arg| arg.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Prints the heading of a step of a long task.
pub fn step(name: &str) {
    println!("\n== {name}");
}

/// A command to run.
pub struct Cmd {
    command: Command,
    shown: String,
}

/// A command running `program`.
pub fn cmd(program: impl AsRef<str>) -> Cmd {
    let program = program.as_ref();
    Cmd {
        command: Command::new(program),
        shown: program.to_owned(),
    }
}

impl Cmd {
    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        for arg in args {
            let arg = arg.as_ref();
            self.shown.push(' ');
            self.shown.push_str(&arg.to_string_lossy());
            self.command.arg(arg);
        }
        self
    }

    /// Sets an environment variable for the command.
    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.command.env(name, value);
        self
    }

    /// Runs to the end, its output going to ours.
    ///
    /// # Errors
    /// When it cannot start or does not succeed.
    pub fn run(mut self) -> Done {
        let status = self
            .command
            .status()
            .map_err(|error| Failed(format!("{}: {error}", self.shown)))?;
        ensure(
            status.success(),
            format!("{} failed ({status})", self.shown),
        )
    }

    /// Runs to the end and gives what it printed.
    ///
    /// # Errors
    /// When it cannot start or does not succeed.
    pub fn read(self) -> Done<String> {
        Ok(String::from_utf8_lossy(&self.read_bytes()?).into_owned())
    }

    /// Runs to the end and gives what it printed, as bytes.
    ///
    /// # Errors
    /// When it cannot start or does not succeed.
    pub fn read_bytes(mut self) -> Done<Vec<u8>> {
        let output = self
            .command
            .stderr(Stdio::inherit())
            .output()
            .map_err(|error| Failed(format!("{}: {error}", self.shown)))?;
        ensure(
            output.status.success(),
            format!("{} failed ({})", self.shown, output.status),
        )?;
        Ok(output.stdout)
    }

    /// Whether it runs and succeeds, saying nothing either way.
    pub fn succeeds(mut self) -> bool {
        self.command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// What it prints when it succeeds, saying nothing otherwise.
    pub fn quietly_read(mut self) -> Option<String> {
        let output = self.command.stderr(Stdio::null()).output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Starts it in the background, its output going to `log`.
    ///
    /// # Errors
    /// When it cannot start.
    pub fn spawn_logged(mut self, log: &Path) -> Done<std::process::Child> {
        let file = std::fs::File::create(log)?;
        let err = file.try_clone()?;
        self.command
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|error| Failed(format!("{}: {error}", self.shown)))
    }
}

/// A free TCP port on the loopback interface.
///
/// # Errors
/// When the system gives none.
pub fn free_port() -> Done<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Whether we run as root (then `apt-get` needs no `sudo`, and PostgreSQL runs as its own user).
pub fn is_root() -> bool {
    cmd("id")
        .args(["-u"])
        .quietly_read()
        .is_some_and(|uid| uid.trim() == "0")
}
