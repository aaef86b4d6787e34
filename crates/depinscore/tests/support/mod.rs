//! What the binary's tests share: running `depinscore` with settings from the environment,
//! children killed on drop, and the indexer's checkpoint.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_depinscore");

/// `DEPINSCORE__…` (and other) variables every command of a test runs with.
pub struct Env {
    pub vars: Vec<(String, String)>,
}

impl Env {
    /// What every command of an indexer test needs: ClickHouse at `clickhouse`, the SQLite store
    /// `db`, the reference node's gRPC and JSON-RPC ports, the indexer's metrics port, a 5 s
    /// watchdog, warnings only.
    pub fn indexer(clickhouse: &str, db: &Path, grpc: u16, rpc: u16, metrics: u16) -> Env {
        let vars = [
            ("DEPINSCORE__CLICKHOUSE__URL", clickhouse.to_string()),
            ("DEPINSCORE__DATABASE__URL", format!("sqlite://{}", db.display())),
            ("DEPINSCORE__INDEXER__GRPC", format!("http://127.0.0.1:{grpc}")),
            ("DEPINSCORE__INDEXER__RPC", format!("http://127.0.0.1:{rpc}")),
            ("DEPINSCORE__INDEXER__METRICS", format!("127.0.0.1:{metrics}")),
            ("DEPINSCORE__INDEXER__WATCHDOG_SECS", "5".to_string()),
            ("RUST_LOG", "warn".to_string()),
        ];
        Env { vars: vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect() }
    }

    /// The same with `key` set to `value` (replacing an earlier value).
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Env {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.to_string(), value.into()));
        self
    }

    pub fn command(&self, dir: &Path) -> Command {
        let mut c = Command::new(BIN);
        c.current_dir(dir).envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c
    }
}

/// A child process killed when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `c` to completion; its stdout, or a panic with both outputs.
pub fn run_ok(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed:\n{}\n{}",
        c,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Waits until `done`, polling every 200 ms; panics naming `what` after `within`.
pub fn wait_until(what: &str, within: std::time::Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + within;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// The checkpoint of `stream` in the SQLite store at `db`, once no account snapshot of it is
/// outstanding.
pub fn checkpoint(db: &Path, stream: &str) -> Option<u64> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = depinscore_sql::SqlStore::connect(&format!("sqlite://{}", db.display())).await.ok()?;
        let slot = |name: String| {
            let store = store.clone();
            async move { store.checkpoint(&name).await.ok().flatten().map(|c| c.slot) }
        };
        let (c, needed, done) = (
            slot(stream.to_string()).await,
            slot(format!("{stream}/snapshot-needed")).await,
            slot(format!("{stream}/snapshot-at")).await,
        );
        store.close().await;
        if needed.is_some_and(|n| done.is_none_or(|d| d < n)) {
            return None;
        }
        c
    })
}
