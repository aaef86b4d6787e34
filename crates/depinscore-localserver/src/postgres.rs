//! A throw-away PostgreSQL server (Debian's `/usr/lib/postgresql/<version>/bin`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::process::{self, Supervised};
use crate::{Result, ServerError, TempDir, free_port};

/// Set to a `postgres://` URL to use that server instead of starting one.
pub const EXTERNAL_URL_VAR: &str = "DEPINSCORE_TEST_POSTGRES_URL";

const WHAT: &str = "PostgreSQL";
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A PostgreSQL server for one test (or one test binary): trust authentication, superuser
/// `postgres`, listening on a free port of 127.0.0.1 with its unix socket in its own temp dir.
/// Dropping it stops the server and removes the directory.
///
/// As root (how tests run here) `initdb` and `postgres` run as the `postgres` system user,
/// which owns the data directory, because PostgreSQL refuses to run as root.
#[derive(Debug)]
pub struct Postgres {
    url: String,
    local: Option<Local>,
}

#[derive(Debug)]
struct Local {
    process: Option<Supervised>,
    port: u16,
    // Declared last: removed after the server has stopped.
    dir: TempDir,
}

impl Postgres {
    /// Starts a server, or wraps `DEPINSCORE_TEST_POSTGRES_URL` when that is set. Fails when
    /// PostgreSQL is not installed, or when it does not accept connections within 30 s (the
    /// error carries the end of its log).
    pub fn start() -> Result<Postgres> {
        if let Some(url) = std::env::var(EXTERNAL_URL_VAR).ok().filter(|u| !u.trim().is_empty()) {
            return Ok(Postgres { url: url.trim().to_string(), local: None });
        }
        let bin = bin_dir()?;
        let dir = TempDir::new("postgres")?;
        let owner = if process::is_root() {
            let user = process::system_user("postgres").ok_or_else(|| ServerError::NotInstalled {
                what: WHAT,
                detail: "no `postgres` system user to run the server as (tests run as root)".into(),
            })?;
            std::os::unix::fs::chown(dir.path(), Some(user.0), Some(user.1))
                .map_err(ServerError::io(format!("handing {} to the postgres user", dir.path().display())))?;
            true
        } else {
            false
        };
        let as_owner = |program: PathBuf| {
            if owner {
                let mut c = Command::new("setpriv");
                c.args(["--reuid=postgres", "--regid=postgres", "--init-groups", "--"]).arg(program);
                c
            } else {
                Command::new(program)
            }
        };
        let data = dir.path().join("data");
        process::run_logged(
            as_owner(bin.join("initdb")).arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]),
            &dir.path().join("initdb.log"),
        )?;
        let log = dir.path().join("postgres.log");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = free_port()?;
            let mut command = as_owner(bin.join("postgres"));
            command.arg("-D").arg(&data).arg("-p").arg(port.to_string()).arg("-k").arg(dir.path()).args([
                "-h",
                "127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "max_connections=200",
            ]);
            let mut server = Supervised::spawn(&mut command, &log, "QUIT", Some(dir.path()))?;
            match wait_ready(&bin, &mut server, port, &log) {
                Ok(()) => {
                    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
                    return Ok(Postgres { url, local: Some(Local { process: Some(server), port, dir }) });
                }
                Err(e) => {
                    let _ = server.stop("QUIT", Duration::from_secs(5));
                    let collided = std::fs::read_to_string(&log).is_ok_and(|l| l.contains("could not bind"));
                    if !(collided && attempt < 3) {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres` (or the external URL).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The same server's URL for another database `name` (which the caller creates).
    pub fn database_url(&self, name: &str) -> String {
        with_database(&self.url, name)
    }

    /// The TCP port, when this handle started the server.
    pub fn port(&self) -> Option<u16> {
        self.local.as_ref().map(|l| l.port)
    }

    /// The temp directory holding `data/`, the socket and the logs, when this handle started
    /// the server.
    pub fn dir(&self) -> Option<&Path> {
        self.local.as_ref().map(|l| l.dir.path())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(mut process) = self.local.as_mut().and_then(|l| l.process.take()) {
            // Immediate shutdown: nothing of a throw-away cluster needs a checkpoint.
            let _ = process.stop("QUIT", Duration::from_secs(10));
        }
    }
}

/// Replaces the database (path) of a `postgres://` URL, keeping its query string.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[authority_start..].find('/').map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb`.
fn bin_dir() -> Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| ServerError::NotInstalled {
        what: WHAT,
        detail: format!("no {}/<version>/bin/initdb; or set {EXTERNAL_URL_VAR}", root.display()),
    })
}

/// Polls `pg_isready` until the server accepts connections, it exits, or 30 s pass.
fn wait_ready(bin: &Path, server: &mut Supervised, port: u16, log: &Path) -> Result<()> {
    let started = Instant::now();
    loop {
        if let Some(status) = server.exited()? {
            return Err(ServerError::Exited {
                what: WHAT,
                status: status.to_string(),
                log: log.to_path_buf(),
                tail: process::log_tail(&[log], 30),
            });
        }
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-t", "1", "-q", "-p"])
            .arg(port.to_string())
            .status()
            .map_err(ServerError::io("running pg_isready"))?;
        if ready.success() {
            return Ok(());
        }
        if started.elapsed() > START_TIMEOUT {
            return Err(ServerError::StartTimeout {
                what: WHAT,
                seconds: START_TIMEOUT.as_secs(),
                log: log.to_path_buf(),
                tail: process::log_tail(&[log], 30),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn a_database_url_replaces_only_the_path() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(with_database("postgres://u:p@h:1/db?sslmode=disable", "x"), "postgres://u:p@h:1/x?sslmode=disable");
        assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
    }
}
