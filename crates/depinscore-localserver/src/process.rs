//! Process plumbing shared by the servers: who we are, finding binaries, signals, log tails,
//! and the watchdog that cleans up after a test process that died without dropping its servers.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, ServerError};

/// Whether this process runs as root (the owner of `/proc/self` is the effective user).
pub(crate) fn is_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// The uid and gid of a system user, from `/etc/passwd`.
pub(crate) fn system_user(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 3 && fields[0] == name).then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))?
    })
}

/// The first executable called `name` on `PATH`, then in the `extra` directories.
pub fn find_binary(name: &str, extra: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.metadata().is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0))
}

/// Sends `signal` (`TERM`, `INT`, `QUIT`, `KILL`) to `pid` with kill(1); a process that is
/// already gone is not an error.
pub(crate) fn signal(pid: u32, signal: &str) -> Result<()> {
    Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(ServerError::io("running kill(1)"))?;
    Ok(())
}

/// The last `lines` lines of each existing file, headed by its name.
pub(crate) fn log_tail(files: &[&Path], lines: usize) -> String {
    let mut out = String::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        let all: Vec<&str> = text.lines().collect();
        let start = all.len().saturating_sub(lines);
        out.push_str(&format!("--- {} ---\n{}\n", file.display(), all[start..].join("\n")));
    }
    if out.is_empty() { "(no log written)".to_string() } else { out }
}

/// Runs a helper command to completion with its output in `log`; a failure carries the log's tail.
pub(crate) fn run_logged(command: &mut Command, log: &Path) -> Result<()> {
    let describe = format!("{command:?}");
    let out = File::create(log).map_err(ServerError::io(format!("creating {}", log.display())))?;
    let err = out.try_clone().map_err(ServerError::io("duplicating a log handle"))?;
    let status = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .map_err(ServerError::io(format!("starting {describe}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(ServerError::Command { command: describe, status: status.to_string(), output: log_tail(&[log], 30) })
    }
}

/// Waits up to `timeout` for `child` to exit.
pub(crate) fn wait_exit(child: &mut Child, timeout: Duration) -> Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().map_err(ServerError::io("waiting for a server process"))? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The watchdog's script: while the owning process lives, poll; once it is gone, stop the server
/// with `$3`, give it 10 s, kill it and remove the directory `$4` (none when empty). It exits
/// quietly when the server stops first (a normal stop or restart).
const WATCHDOG: &str = r#"
parent=$1 server=$2 sig=$3 dir=$4
while kill -0 "$parent" 2>/dev/null; do
  kill -0 "$server" 2>/dev/null || exit 0
  sleep 1
done
kill -"$sig" "$server" 2>/dev/null
i=0
while kill -0 "$server" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done
kill -KILL "$server" 2>/dev/null
[ -n "$dir" ] && rm -rf "$dir"
"#;

/// A running server process and its watchdog. Dropping it kills the server.
#[derive(Debug)]
pub(crate) struct Supervised {
    child: Child,
    watchdog: Child,
    ended: bool,
}

impl Supervised {
    /// Spawns `command` (stdout and stderr appended to `log`) and a watchdog that stops it with
    /// `stop_signal` (and removes `cleanup`, when given) if this process dies first.
    pub(crate) fn spawn(
        command: &mut Command,
        log: &Path,
        stop_signal: &str,
        cleanup: Option<&Path>,
    ) -> Result<Supervised> {
        let out = File::options()
            .create(true)
            .append(true)
            .open(log)
            .map_err(ServerError::io(format!("opening {}", log.display())))?;
        let err = out.try_clone().map_err(ServerError::io("duplicating a log handle"))?;
        let describe = format!("{command:?}");
        // Its own process group: a Ctrl-C at the owner's terminal reaches the owner, which
        // stops the server after whatever still writes to it; not the server first.
        let mut child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(ServerError::io(format!("starting {describe}")))?;
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("depinscore-localserver-watchdog")
            .arg(std::process::id().to_string())
            .arg(child.id().to_string())
            .arg(stop_signal)
            .arg(cleanup.unwrap_or(Path::new("")))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match watchdog {
            Ok(watchdog) => Ok(Supervised { child, watchdog, ended: false }),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(ServerError::Io { context: "starting the watchdog shell".into(), source: e })
            }
        }
    }

    /// The server's process id.
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server process has exited (it is reaped if so).
    pub(crate) fn exited(&mut self) -> Result<Option<ExitStatus>> {
        self.child.try_wait().map_err(ServerError::io("waiting for a server process"))
    }

    /// Sends `stop_signal`, waits up to `grace`, then kills. Returns the exit status.
    pub(crate) fn stop(&mut self, stop_signal: &str, grace: Duration) -> Result<ExitStatus> {
        if self.exited()?.is_none() {
            signal(self.child.id(), stop_signal)?;
        }
        let status = match wait_exit(&mut self.child, grace)? {
            Some(status) => status,
            None => {
                let _ = self.child.kill();
                self.child.wait().map_err(ServerError::io("waiting for a killed server"))?
            }
        };
        self.end_watchdog();
        Ok(status)
    }

    /// SIGKILL, then reap.
    pub(crate) fn kill(&mut self) -> Result<ExitStatus> {
        let _ = self.child.kill();
        let status = self.child.wait().map_err(ServerError::io("waiting for a killed server"))?;
        self.end_watchdog();
        Ok(status)
    }

    fn end_watchdog(&mut self) {
        let _ = self.watchdog.kill();
        let _ = self.watchdog.wait();
        self.ended = true;
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        if !self.ended {
            let _ = self.kill();
        }
    }
}
