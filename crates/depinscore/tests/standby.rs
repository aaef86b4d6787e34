//! One active indexer per stream, with a standby: two `depinscore index` on one stream. The
//! writer is killed with SIGKILL, or paused (SIGSTOP) past its lease and resumed; the standby
//! takes the stream over from the checkpoint, a resumed writer stops without writing, and the
//! store ends with zero differences from the ground truth and no duplicate row.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use depinscore_localserver::{ClickHouse, TempDir, free_port};
use support::{Env, Killed, wait_until};

const LAST_SLOT: u64 = 1500;

/// The pid in the holder name (`host:pid:nonce`) of the stream's lease.
fn lease_holder_pid(db: &Path) -> Option<u32> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = depinscore_sql::SqlStore::connect(&format!("sqlite://{}", db.display())).await.ok()?;
        let lease = store.lease("grpc").await;
        let lease = lease.ok().flatten();
        store.close().await;
        lease?.holder.split(':').nth(1)?.parse().ok()
    })
}

/// ClickHouse (a test server fails a request body silent for 2 s, as docker-compose's does), a
/// reference node streaming a fast history then 20 ms slots up to `LAST_SLOT`, and the
/// settings of indexers on one stream with an 8 s lease (fenced 3 s before it ends).
struct Stream {
    clickhouse: ClickHouse,
    dir: TempDir,
    db: PathBuf,
    truth: PathBuf,
    grpc: u16,
    rpc: u16,
    _node: Option<Killed>,
}

impl Stream {
    fn new(name: &str) -> Stream {
        let clickhouse = ClickHouse::start().unwrap();
        let dir = TempDir::new(name).unwrap();
        let (db, truth) = (dir.path().join("state.db"), dir.path().join("truth.json"));
        let (grpc, rpc) = (free_port().unwrap(), free_port().unwrap());
        Stream { clickhouse, dir, db, truth, grpc, rpc, _node: None }
    }

    fn env(&self) -> Env {
        Env::indexer(&self.clickhouse.http_url(), &self.db, self.grpc, self.rpc, free_port().unwrap())
            .with("DEPINSCORE__INDEXER__LEASE_SECS", "8")
    }

    fn spawn_indexer(&self, name: &str) -> Killed {
        let log = std::fs::File::create(self.dir.path().join(format!("{name}.log"))).unwrap();
        let command =
            self.env().command(self.dir.path()).arg("index").stdout(log.try_clone().unwrap()).stderr(log).spawn();
        Killed(command.unwrap())
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{name}.log"))).unwrap_or_default()
    }

    /// A fast history, then 20 ms slots: the writer is stopped mid-stream.
    fn start_node(&mut self) {
        let node = self
            .env()
            .command(self.dir.path())
            .args([
                "node",
                "--live-after",
                "300",
                "--slot-ms",
                "20",
                "--compression",
                "300",
                "--replay-slots",
                "100000",
            ])
            .args(["--until-slot", &LAST_SLOT.to_string(), "--truth", self.truth.to_str().unwrap()])
            .args(["--grpc", &format!("127.0.0.1:{}", self.grpc), "--rpc", &format!("127.0.0.1:{}", self.rpc)])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        self._node = Some(Killed(node));
    }

    /// The writer takes the stream before the node even answers; the standby starts once the
    /// writer holds the lease and waits while the writer commits past slot 100.
    fn writer_and_standby(&mut self) -> (Killed, Killed) {
        let writer = self.spawn_indexer("writer");
        let writer_pid = writer.0.id();
        self.start_node();
        wait_until("the first indexer holds the lease", Duration::from_secs(60), || {
            lease_holder_pid(&self.db) == Some(writer_pid)
        });
        let standby = self.spawn_indexer("standby");
        wait_until("the writer commits", Duration::from_secs(120), || self.checkpoint().is_some_and(|s| s > 100));
        (writer, standby)
    }

    fn checkpoint(&self) -> Option<u64> {
        support::checkpoint(&self.db, "grpc")
    }

    /// Waits until `standby` has committed the last slot and the node wrote its truth.
    fn wait_for_the_end(&self, standby: &mut Killed) {
        let deadline = Instant::now() + Duration::from_secs(300);
        while self.checkpoint() != Some(LAST_SLOT) || !self.truth.exists() {
            assert!(Instant::now() < deadline, "checkpoint stuck at {:?}", self.checkpoint());
            assert!(standby.0.try_wait().unwrap().is_none(), "the standby exited:\n{}", self.log("standby"));
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// `verify --truth` finds zero differences, and no table holds a row twice.
    fn assert_exact(&self) {
        // As after any SIGKILL (see kill_restart.rs), what the transactions carry is compared.
        let out = self
            .env()
            .command(self.dir.path())
            .args(["verify", "--no-accounts", "--truth", self.truth.to_str().unwrap()])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "verify failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("zero differences"), "{stdout}");
        for table in ["token_flows", "job_events", "transactions", "slots"] {
            let raw = self.clickhouse.query(&format!("SELECT count() FROM depinscore.{table}")).unwrap();
            let deduplicated = self.clickhouse.query(&format!("SELECT count() FROM depinscore.{table} FINAL")).unwrap();
            assert_eq!(raw, deduplicated, "{table} holds duplicates");
        }
        // The daily rollups add up what was inserted: a batch written twice would show here.
        let rolled = self.clickhouse.query("SELECT sum(amount) FROM depinscore.daily_flows").unwrap();
        let flows = self.clickhouse.query("SELECT sum(amount) FROM depinscore.token_flows FINAL").unwrap();
        assert_eq!(rolled, flows, "the daily rollup of token flows differs from the flows");
    }
}

#[test]
fn a_standby_indexer_takes_the_stream_over_from_the_checkpoint_when_the_writer_is_killed() {
    let mut stream = Stream::new("standby");
    let (mut writer, mut standby) = stream.writer_and_standby();
    let (writer_pid, standby_pid) = (writer.0.id(), standby.0.id());
    std::thread::sleep(Duration::from_secs(10));
    assert!(standby.0.try_wait().unwrap().is_none(), "the standby exited");
    assert_eq!(
        lease_holder_pid(&stream.db),
        Some(writer_pid),
        "the standby took a live writer's stream\nwriter:\n{}\nstandby:\n{}",
        stream.log("writer"),
        stream.log("standby")
    );

    // The writer dies mid-stream: the standby takes over once the lease expires.
    let killed_at = stream.checkpoint();
    writer.0.kill().unwrap();
    writer.0.wait().unwrap();
    wait_until("the standby holds the lease", Duration::from_secs(30), || {
        lease_holder_pid(&stream.db) == Some(standby_pid)
    });
    stream.wait_for_the_end(&mut standby);
    assert!(killed_at < Some(LAST_SLOT), "the writer had finished before it was killed");
    stream.assert_exact();
}

#[test]
fn a_writer_paused_past_its_lease_stops_without_writing_once_the_standby_has_the_stream() {
    let mut stream = Stream::new("paused");
    let (mut writer, mut standby) = stream.writer_and_standby();
    let (writer_pid, standby_pid) = (writer.0.id(), standby.0.id());

    // Frozen mid-stream (a VM pause, a stalled host) with batches in flight; the standby takes
    // over once the lease expires and commits past where the writer stopped.
    let signal = |name: &str| {
        let status = std::process::Command::new("kill").args([&format!("-{name}"), &writer_pid.to_string()]).status();
        assert!(status.unwrap().success(), "kill -{name}");
    };
    signal("STOP");
    let paused_at = stream.checkpoint().unwrap();
    wait_until("the standby holds the lease", Duration::from_secs(30), || {
        lease_holder_pid(&stream.db) == Some(standby_pid)
    });
    wait_until("the standby commits", Duration::from_secs(60), || {
        stream.checkpoint().is_some_and(|s| s > paused_at + 50)
    });

    // Resumed: its fence is closed before its renewer even runs; it finds the lease taken and
    // stops with an error, leaving the stream to the standby.
    signal("CONT");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = writer.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the resumed writer still runs:\n{}", stream.log("writer"));
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(!status.success(), "the resumed writer exited cleanly:\n{}", stream.log("writer"));
    assert!(stream.log("writer").contains("lost the lease"), "{}", stream.log("writer"));
    assert_eq!(lease_holder_pid(&stream.db), Some(standby_pid), "the resumed writer took the lease back");

    stream.wait_for_the_end(&mut standby);
    stream.assert_exact();
}

#[test]
fn an_indexer_refuses_a_lease_too_short_to_outlast_the_servers_insert_timeout() {
    // The server fails a silent INSERT body after 2 s: the fence must close 3 s before the lease
    // ends, which a 5 s lease has no room for. No node is needed to find that out.
    let stream = Stream::new("short-lease");
    let out = stream
        .env()
        .with("DEPINSCORE__INDEXER__LEASE_SECS", "5")
        .command(stream.dir.path())
        .arg("index")
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "an indexer with a 5 s lease ran:\n{stderr}");
    assert!(stderr.contains("http_receive_timeout") && stderr.contains("indexer.lease_secs to at least 6"), "{stderr}");
    assert_eq!(support::checkpoint(&stream.db, "grpc"), None, "it committed something");
}
