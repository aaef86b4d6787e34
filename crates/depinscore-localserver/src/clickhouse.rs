//! A throw-away ClickHouse server (Debian's `clickhouse-server`, 18.16 here).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::process::{self, Supervised};
use crate::{Result, ServerError, TempDir, free_port, http};

const WHAT: &str = "ClickHouse";
const START_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_GRACE: Duration = Duration::from_secs(30);
const QUERY_TIMEOUT: Duration = Duration::from_secs(60);

/// A ClickHouse server for one test: its own config, data and logs in a temp dir, HTTP and
/// native ports on 127.0.0.1. Users: `default` (no password, full access,
/// `use_uncompressed_cache = 0` as in current releases) and `reader` (no password, profile
/// `readonly` with `readonly = 1` and `use_uncompressed_cache = 1`, as the API's user of a
/// deployment has).
///
/// It can be stopped, killed and started again on the same directory and ports, so a test can
/// take ClickHouse away from a writer and bring it back with its data. Dropping a temporary
/// server kills it and removes the directory; dropping a kept one ([`start_in`](Self::start_in))
/// stops it gracefully and leaves its data.
#[derive(Debug)]
pub struct ClickHouse {
    command: Vec<String>,
    /// Environment the server process gets on top of ours (`from_env` in users files).
    env: Vec<(String, String)>,
    http_port: u16,
    tcp_port: u16,
    process: Option<Supervised>,
    // Declared last: removed after the server has stopped.
    dir: Workdir,
}

/// Where a server keeps its config, data and logs.
#[derive(Debug)]
enum Workdir {
    /// Removed with the server.
    Temp(TempDir),
    /// Kept across runs (a project-local data directory).
    Kept(PathBuf),
}

impl Workdir {
    fn path(&self) -> &Path {
        match self {
            Workdir::Temp(t) => t.path(),
            Workdir::Kept(p) => p,
        }
    }
}

impl ClickHouse {
    /// Writes a config into a fresh temp dir and starts the server. Fails when ClickHouse is
    /// not installed, or when `/ping` does not answer within 30 s (the error carries the end of
    /// its logs).
    pub fn start() -> Result<ClickHouse> {
        Self::start_with(Workdir::Temp(TempDir::new("clickhouse")?), &[], Vec::new())
    }

    /// [`start`](Self::start), with `users_files` copied into the server's `users.d/` (merged
    /// over its own users, as a deployment mounts them) and `env` set for the server process,
    /// for the `from_env` passwords such files read.
    pub fn start_with_users(users_files: &[&Path], env: &[(&str, &str)]) -> Result<ClickHouse> {
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Self::start_with(Workdir::Temp(TempDir::new("clickhouse")?), users_files, env)
    }

    /// Starts a server whose config, data and logs live in `dir` (created when missing) and
    /// stay there: a second start on the same directory finds the data of the first. The ports
    /// are fresh each time. Dropping it stops the server gracefully.
    pub fn start_in(dir: &Path) -> Result<ClickHouse> {
        std::fs::create_dir_all(dir).map_err(ServerError::io(format!("creating {}", dir.display())))?;
        let dir = std::path::absolute(dir).map_err(ServerError::io(format!("resolving {}", dir.display())))?;
        Self::start_with(Workdir::Kept(dir), &[], Vec::new())
    }

    fn start_with(dir: Workdir, users_files: &[&Path], env: Vec<(String, String)>) -> Result<ClickHouse> {
        let command = server_command()?;
        let cleanup = matches!(dir, Workdir::Temp(_));
        copy_users_files(dir.path(), users_files)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (http_port, tcp_port, interserver_port) = (free_port()?, free_port()?, free_port()?);
            write_config(dir.path(), http_port, tcp_port, interserver_port)?;
            match launch(&command, &env, dir.path(), http_port, cleanup) {
                Ok(process) => {
                    return Ok(ClickHouse { command, env, http_port, tcp_port, process: Some(process), dir });
                }
                Err(e) => {
                    if !(log_tail(dir.path()).contains("Address already in use") && attempt < 3) {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// `http://127.0.0.1:HTTP_PORT`.
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// The HTTP port.
    pub fn http_port(&self) -> u16 {
        self.http_port
    }

    /// The server's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(|p| p.id())
    }

    /// The native-protocol port.
    pub fn tcp_port(&self) -> u16 {
        self.tcp_port
    }

    /// The directory holding `config.xml`, `users.xml`, `data/` and the logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Whether the server process is running.
    pub fn is_running(&mut self) -> bool {
        match self.process.as_mut() {
            Some(p) => matches!(p.exited(), Ok(None)),
            None => false,
        }
    }

    /// Runs `sql` as `default` over HTTP and returns the body (TabSeparated unless the query
    /// says otherwise). A non-200 answer is an error carrying ClickHouse's message.
    pub fn query(&self, sql: &str) -> Result<String> {
        self.query_as("default", sql)
    }

    /// Runs `sql` as `user` (e.g. `reader`).
    pub fn query_as(&self, user: &str, sql: &str) -> Result<String> {
        self.query_with(&[("user", user)], sql)
    }

    /// Runs `sql` with these URL parameters (`user`, `password`, `database`, settings such as
    /// `max_execution_time`).
    pub fn query_with(&self, params: &[(&str, &str)], sql: &str) -> Result<String> {
        let query: Vec<String> =
            params.iter().map(|(k, v)| format!("{}={}", http::encode(k), http::encode(v))).collect();
        let target = format!("/?{}", query.join("&"));
        let answer = http::request("POST", self.http_port, &target, sql.as_bytes(), QUERY_TIMEOUT)?;
        if answer.status == 200 {
            Ok(answer.body)
        } else {
            Err(ServerError::Http {
                method: "POST",
                url: format!("{}{target}", self.http_url()),
                message: format!("status {}: {}", answer.status, answer.body.trim()),
            })
        }
    }

    /// Graceful stop: SIGTERM, then waits (up to 30 s, then SIGKILL). Stopping a stopped
    /// server does nothing.
    pub fn stop(&mut self) -> Result<()> {
        if let Some(mut process) = self.process.take() {
            process.stop("TERM", STOP_GRACE)?;
        }
        Ok(())
    }

    /// SIGKILL, as a crash would. Killing a stopped server does nothing.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut process) = self.process.take() {
            process.kill()?;
        }
        Ok(())
    }

    /// Stops the server if it runs (gracefully), then starts it again on the same directory
    /// and ports and waits until it answers. After [`stop`](Self::stop) or
    /// [`kill`](Self::kill) this is how to bring it back.
    pub fn restart(&mut self) -> Result<()> {
        self.stop()?;
        let cleanup = matches!(self.dir, Workdir::Temp(_));
        self.process = Some(launch(&self.command, &self.env, self.dir.path(), self.http_port, cleanup)?);
        Ok(())
    }
}

impl Drop for ClickHouse {
    fn drop(&mut self) {
        let _ = match self.dir {
            Workdir::Temp(_) => self.kill(),
            Workdir::Kept(_) => self.stop(),
        };
    }
}

/// Starts the server on the config in `dir` and waits until `/ping` answers `Ok.`. With
/// `cleanup`, the watchdog removes `dir` if this process dies first.
fn launch(
    command: &[String],
    env: &[(String, String)],
    dir: &Path,
    http_port: u16,
    cleanup: bool,
) -> Result<Supervised> {
    let (program, args) = command.split_first().expect("a server command has a program");
    let mut cmd = Command::new(program);
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    cmd.args(args).arg(format!("--config-file={}", dir.join("config.xml").display())).current_dir(dir);
    let mut server = Supervised::spawn(&mut cmd, &dir.join("stdout.log"), "TERM", cleanup.then_some(dir))?;
    let started = Instant::now();
    loop {
        if let Some(status) = server.exited()? {
            return Err(ServerError::Exited {
                what: WHAT,
                status: status.to_string(),
                log: dir.to_path_buf(),
                tail: log_tail(dir),
            });
        }
        let pong = http::request("GET", http_port, "/ping", b"", Duration::from_secs(2));
        if pong.is_ok_and(|a| a.status == 200 && a.body.trim() == "Ok.") {
            return Ok(server);
        }
        if started.elapsed() > START_TIMEOUT {
            let _ = server.kill();
            return Err(ServerError::StartTimeout {
                what: WHAT,
                seconds: START_TIMEOUT.as_secs(),
                log: dir.to_path_buf(),
                tail: log_tail(dir),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn log_tail(dir: &Path) -> String {
    process::log_tail(&[&dir.join("stdout.log"), &dir.join("server.err.log")], 30)
}

/// `clickhouse-server`, or `clickhouse server` where only the multi-call binary exists.
fn server_command() -> Result<Vec<String>> {
    let extra = ["/usr/bin", "/usr/sbin", "/usr/local/bin"];
    if let Some(bin) = process::find_binary("clickhouse-server", &extra) {
        return Ok(vec![bin.display().to_string()]);
    }
    if let Some(bin) = process::find_binary("clickhouse", &extra) {
        return Ok(vec![bin.display().to_string(), "server".into()]);
    }
    Err(ServerError::NotInstalled { what: WHAT, detail: "no clickhouse-server or clickhouse binary on PATH".into() })
}

/// Copies users files into `dir/users.d/`, where the server merges them over `users.xml`.
fn copy_users_files(dir: &Path, files: &[&Path]) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let users_d = dir.join("users.d");
    std::fs::create_dir_all(&users_d).map_err(ServerError::io(format!("creating {}", users_d.display())))?;
    for file in files {
        let context = format!("copying {} into {}", file.display(), users_d.display());
        let name = file
            .file_name()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file"))
            .map_err(ServerError::io(context.clone()))?;
        std::fs::copy(file, users_d.join(name)).map_err(ServerError::io(context))?;
    }
    Ok(())
}

fn write_config(dir: &Path, http_port: u16, tcp_port: u16, interserver_port: u16) -> Result<()> {
    let d = |sub: &str| -> PathBuf { dir.join(sub) };
    for sub in ["data", "tmp", "user_files", "format_schemas"] {
        std::fs::create_dir_all(d(sub)).map_err(ServerError::io(format!("creating {}", d(sub).display())))?;
    }
    let config = format!(
        r#"<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>{log}</log>
        <errorlog>{errorlog}</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>{http_port}</http_port>
    <tcp_port>{tcp_port}</tcp_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <interserver_http_port>{interserver_port}</interserver_http_port>
    <max_concurrent_queries>100</max_concurrent_queries>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <path>{data}/</path>
    <tmp_path>{tmp}/</tmp_path>
    <user_files_path>{user_files}/</user_files_path>
    <format_schema_path>{format_schemas}/</format_schema_path>
    <users_config>{users}</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <!-- For checking the schema's cluster variant: the macros replicated engines name, and a
         one-replica cluster. Without Keeper, replicated tables stop at "no ZooKeeper". -->
    <macros>
        <shard>01</shard>
        <replica>r1</replica>
    </macros>
    <remote_servers>
        <depinscore_test>
            <shard>
                <replica>
                    <host>127.0.0.1</host>
                    <port>{tcp_port}</port>
                </replica>
            </shard>
        </depinscore_test>
    </remote_servers>
</yandex>
"#,
        log = d("server.log").display(),
        errorlog = d("server.err.log").display(),
        data = d("data").display(),
        tmp = d("tmp").display(),
        user_files = d("user_files").display(),
        format_schemas = d("format_schemas").display(),
        users = d("users.xml").display(),
    );
    let users = r#"<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <!-- Off, as in current releases (18.16 turns it on): what the cache does for the
                 API is measured and tested as it would run in production. -->
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <!-- As schema/clickhouse-users/insert-timeout.xml sets it where docker-compose.yml
                 runs the server: a request body silent for 2 s fails, so an indexer with a
                 lease (15 s by default) can fence its INSERTs. -->
            <http_receive_timeout>2</http_receive_timeout>
        </default>
        <readonly>
            <readonly>1</readonly>
            <use_uncompressed_cache>1</use_uncompressed_cache>
        </readonly>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <reader>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>readonly</profile>
            <quota>default</quota>
        </reader>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
"#;
    std::fs::write(d("config.xml"), config).map_err(ServerError::io("writing config.xml"))?;
    std::fs::write(d("users.xml"), users).map_err(ServerError::io("writing users.xml"))?;
    Ok(())
}
