//! One active indexer per stream, with a standby: two `depinscore index` on one stream, the
//! writer killed with SIGKILL, the standby takes the stream over from the checkpoint and the
//! store ends with zero differences from the ground truth and no duplicate row.

mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use depinscore_localserver::{ClickHouse, TempDir, free_port};
use support::{Env, Killed, wait_until};

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

#[test]
fn a_standby_indexer_takes_the_stream_over_from_the_checkpoint_when_the_writer_is_killed() {
    let clickhouse = ClickHouse::start().unwrap();
    let dir = TempDir::new("standby").unwrap();
    let (grpc, rpc) = (free_port().unwrap(), free_port().unwrap());
    let db = dir.path().join("state.db");
    let env = |metrics: u16| {
        Env::indexer(&clickhouse.http_url(), &db, grpc, rpc, metrics).with("DEPINSCORE__INDEXER__LEASE_SECS", "5")
    };
    let last_slot = 1500;
    let truth = dir.path().join("truth.json");
    let spawn_indexer = |name: &str| {
        let log = std::fs::File::create(dir.path().join(format!("{name}.log"))).unwrap();
        let command = env(free_port().unwrap())
            .command(dir.path())
            .arg("index")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn();
        Killed(command.unwrap())
    };
    let log = |name: &str| std::fs::read_to_string(dir.path().join(format!("{name}.log"))).unwrap_or_default();

    // The first indexer takes the stream, before the node even answers; the second waits
    // while the first commits.
    let mut writer = spawn_indexer("writer");
    let writer_pid = writer.0.id();
    let _node = Killed(
        env(free_port().unwrap())
            .command(dir.path())
            // A fast history, then 20 ms slots: the writer is killed mid-stream.
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
            .args(["--until-slot", &last_slot.to_string(), "--truth", truth.to_str().unwrap()])
            .args(["--grpc", &format!("127.0.0.1:{grpc}"), "--rpc", &format!("127.0.0.1:{rpc}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );

    wait_until("the first indexer holds the lease", Duration::from_secs(60), || {
        lease_holder_pid(&db) == Some(writer_pid)
    });
    let mut standby = spawn_indexer("standby");
    let standby_pid = standby.0.id();
    wait_until("the writer commits", Duration::from_secs(120), || {
        support::checkpoint(&db, "grpc").is_some_and(|s| s > 100)
    });
    std::thread::sleep(Duration::from_secs(7));
    assert!(standby.0.try_wait().unwrap().is_none(), "the standby exited");
    assert_eq!(
        lease_holder_pid(&db),
        Some(writer_pid),
        "the standby took a live writer's stream\nwriter:\n{}\nstandby:\n{}",
        log("writer"),
        log("standby")
    );

    // The writer dies mid-stream: the standby takes over once the lease expires.
    let killed_at = support::checkpoint(&db, "grpc");
    writer.0.kill().unwrap();
    writer.0.wait().unwrap();
    wait_until("the standby holds the lease", Duration::from_secs(30), || lease_holder_pid(&db) == Some(standby_pid));
    let deadline = Instant::now() + Duration::from_secs(300);
    while support::checkpoint(&db, "grpc") != Some(last_slot) || !truth.exists() {
        assert!(Instant::now() < deadline, "checkpoint stuck at {:?}", support::checkpoint(&db, "grpc"));
        assert!(standby.0.try_wait().unwrap().is_none(), "the standby exited");
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(killed_at < Some(last_slot), "the writer had finished before it was killed");

    // As after any SIGKILL (see kill_restart.rs), what the transactions carry is compared.
    let out = env(free_port().unwrap())
        .command(dir.path())
        .args(["verify", "--no-accounts", "--truth", truth.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "verify failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("zero differences"), "{stdout}");
    for table in ["token_flows", "job_events", "transactions"] {
        let raw = clickhouse.query(&format!("SELECT count() FROM depinscore.{table}")).unwrap();
        let deduplicated = clickhouse.query(&format!("SELECT count() FROM depinscore.{table} FINAL")).unwrap();
        assert_eq!(raw, deduplicated, "{table} holds duplicates");
    }
}
