//! A throwaway PostgreSQL server from Debian's packages: a fresh cluster on a free loopback
//! port with trust authentication, gone when dropped.

use crate::cmd::{cmd, free_port, is_root, Cmd, Done, Failed};
use std::path::PathBuf;

/// A running throwaway server.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    as_postgres: bool,
    /// The URL of its `postgres` database, as the `trackline` superuser.
    pub url: String,
}

impl Postgres {
    /// Starts one.
    ///
    /// # Errors
    /// When PostgreSQL is not installed or does not start.
    pub fn start() -> Done<Postgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|_| Failed("no PostgreSQL (cargo xtask setup installs it)".into()))?
            .flatten()
            .map(|entry| entry.path().join("bin"))
            .filter(|bin| bin.join("initdb").is_file())
            .max()
            .ok_or_else(|| Failed("no PostgreSQL (cargo xtask setup installs it)".into()))?;
        let dir = std::env::temp_dir().join(format!("trackline-pg-{}", free_port()?));
        std::fs::create_dir_all(&dir)?;
        // PostgreSQL refuses to run as root; as root it runs as the package's own user.
        let as_postgres = is_root();
        let mut server = Postgres {
            bin,
            dir,
            as_postgres,
            url: String::new(),
        };
        if as_postgres {
            cmd("chown")
                .args(["postgres:", &server.dir.to_string_lossy()])
                .run()?;
        }
        let data = server.dir.join("data");
        server
            .tool("initdb")
            .args([
                "-D",
                &data.to_string_lossy(),
                "-U",
                "trackline",
                "--auth=trust",
            ])
            .args(["-E", "UTF8", "--no-sync"])
            .read()?;
        let port = free_port()?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c max_connections=200",
            server.dir.display()
        );
        server
            .tool("pg_ctl")
            .args(["-D", &data.to_string_lossy(), "-l"])
            .args([server.dir.join("log")])
            .args(["-w", "-o", &options, "start"])
            .read()?;
        server.url = format!("postgres://trackline@127.0.0.1:{port}/postgres");
        Ok(server)
    }

    fn tool(&self, name: &str) -> Cmd {
        let program = self.bin.join(name).to_string_lossy().into_owned();
        if self.as_postgres {
            cmd("runuser").args(["-u", "postgres", "--", &program])
        } else {
            cmd(program)
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if !self.url.is_empty() {
            let data = self.dir.join("data").to_string_lossy().into_owned();
            let _ = self
                .tool("pg_ctl")
                .args(["-D", &data, "-m", "immediate", "stop"])
                .succeeds();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
