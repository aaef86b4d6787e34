//! The product's own commands as child processes, for the benchmark and the fault campaign:
//! each with the same settings in its environment, its stderr in a log file, and its peak RSS
//! sampled while it runs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// A child `depinscore` process, killed if still running when dropped; its peak RSS is
/// sampled while it runs.
pub struct Proc {
    pub child: Child,
    pub peak_kb: u64,
}

impl Proc {
    pub fn sample(&mut self) {
        self.peak_kb = self.peak_kb.max(peak_rss_kb(self.child.id()).unwrap_or(0));
    }

    /// Waits for it to exit, sampling its peak RSS; fails when it fails.
    pub fn finish(&mut self, what: &str) -> anyhow::Result<()> {
        loop {
            self.sample();
            if let Some(status) = self.child.try_wait()? {
                anyhow::ensure!(status.success(), "{what} failed: {status}");
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then waits up to 30 s.
    pub fn stop(&mut self) {
        self.sample();
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn peak_mb(&self) -> f64 {
        round1(self.peak_kb as f64 / 1024.0)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `VmHWM` (peak resident set) of a process, in KiB.
pub fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The commands of the benchmark, with their settings in the environment.
pub struct Runner {
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
}

impl Runner {
    /// Commands run in `dir` against ClickHouse at `clickhouse`, the SQLite store
    /// `dir/state.db`, the reference node's gRPC and JSON-RPC ports (its off-chain API too),
    /// the API on `api`; no lease, no rate limit, JSON logs.
    pub fn new(dir: &Path, clickhouse: &str, grpc: u16, rpc: u16, api: u16) -> Runner {
        let env = [
            ("DEPINSCORE__CLICKHOUSE__URL", clickhouse.to_string()),
            ("DEPINSCORE__DATABASE__URL", format!("sqlite://{}", dir.join("state.db").display())),
            ("DEPINSCORE__INDEXER__GRPC", format!("http://127.0.0.1:{grpc}")),
            ("DEPINSCORE__INDEXER__RPC", format!("http://127.0.0.1:{rpc}")),
            ("DEPINSCORE__INDEXER__METRICS", String::new()),
            ("DEPINSCORE__INDEXER__LEASE_SECS", "0".into()),
            ("DEPINSCORE__OFFCHAIN__URL", format!("http://127.0.0.1:{rpc}/api")),
            ("DEPINSCORE__API__LISTEN", format!("127.0.0.1:{api}")),
            ("DEPINSCORE__API__RATE_LIMIT_PER_SECOND", "0".into()),
            ("DEPINSCORE__REPORT__OUT_DIR", dir.join("reports").display().to_string()),
            ("RUST_LOG", "warn,depinscore::commands=info".into()),
            ("DEPINSCORE__LOG__FORMAT", "json".into()),
        ];
        Runner { dir: dir.to_path_buf(), env: env.into_iter().map(|(k, v)| (k.to_string(), v)).collect() }
    }

    pub fn command(&self, args: &[&str]) -> anyhow::Result<Command> {
        let mut c = Command::new(std::env::current_exe().context("locating this binary")?);
        c.current_dir(&self.dir).args(args).envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c.stdin(Stdio::null()).stdout(Stdio::null());
        Ok(c)
    }

    /// Starts `args` with stderr into `<dir>/<name>.log`.
    pub fn spawn(&self, name: &str, args: &[&str]) -> anyhow::Result<Proc> {
        self.spawn_with(name, args, &[])
    }

    /// [`spawn`](Self::spawn) with more environment variables (overriding the runner's).
    pub fn spawn_with(&self, name: &str, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Proc> {
        let log = std::fs::File::create(self.dir.join(format!("{name}.log")))?;
        let child = self
            .command(args)?
            .envs(env.iter().copied())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        Ok(Proc { child, peak_kb: 0 })
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default()
    }
}

/// The value of an unlabelled Prometheus sample `name` in a `/metrics` text.
pub fn prometheus_value(text: &str, name: &str) -> Option<f64> {
    text.lines().find(|l| l.starts_with(&format!("{name} ")))?.rsplit(' ').next()?.parse().ok()
}
