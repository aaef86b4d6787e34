//! The binaries as a user runs them: `depinscore node`, then `depinscore index` killed with
//! SIGKILL at arbitrary moments and restarted, then `depinscore verify --truth`.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use depinscore_localserver::{ClickHouse, TempDir, free_port};
use support::{Env, Killed};

fn checkpoint(db: &std::path::Path) -> Option<u64> {
    support::checkpoint(db, "grpc")
}

#[test]
fn an_indexer_killed_with_sigkill_again_and_again_ends_with_zero_differences() {
    let clickhouse = ClickHouse::start().unwrap();
    let dir = TempDir::new("kill-restart").unwrap();
    let (grpc, rpc, metrics) = (free_port().unwrap(), free_port().unwrap(), free_port().unwrap());
    let node_metrics = free_port().unwrap();
    let db = dir.path().join("state.db");
    // Each restart writes at once instead of waiting out the killed one's lease, so every kill
    // lands on a writer (standby.rs tests the lease).
    let env =
        Env::indexer(&clickhouse.http_url(), &db, grpc, rpc, metrics).with("DEPINSCORE__INDEXER__LEASE_SECS", "0");
    let last_slot = 1200;
    let truth = dir.path().join("truth.json");
    let _node = Killed(
        env.command(dir.path())
            .args(["node", "--fast", "--compression", "300", "--replay-slots", "100000"])
            .args(["--until-slot", &last_slot.to_string(), "--truth", truth.to_str().unwrap()])
            .args(["--grpc", &format!("127.0.0.1:{grpc}"), "--rpc", &format!("127.0.0.1:{rpc}")])
            .args(["--metrics", &format!("127.0.0.1:{node_metrics}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Kill the indexer at pseudo-random moments: some before it has committed anything,
    // some mid-batch, some while it catches up.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut kills = 0;
    for _ in 0..8 {
        let mut child = Killed(env.command(dir.path()).arg("index").stdout(Stdio::null()).spawn().unwrap());
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::thread::sleep(Duration::from_millis(300 + state % 2500));
        child.0.kill().unwrap();
        child.0.wait().unwrap();
        kills += 1;
    }
    let mut indexer = Killed(env.command(dir.path()).arg("index").stdout(Stdio::null()).spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(300);
    while checkpoint(&db) != Some(last_slot) || !truth.exists() {
        assert!(Instant::now() < deadline, "checkpoint stuck at {:?}", checkpoint(&db));
        assert!(indexer.0.try_wait().unwrap().is_none(), "the indexer exited");
        std::thread::sleep(Duration::from_millis(500));
    }
    // Every flow, job, event and transaction count, and every account state the node holds.
    let out = env.command(dir.path()).args(["verify", "--truth", truth.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        // Say what the store holds for the first account that differs.
        if let Some(key) =
            stdout.lines().find_map(|l| l.strip_prefix("DIFF account ")).and_then(|l| l.split([':', ' ']).next())
        {
            let rows = clickhouse
                .query(&format!("SELECT slot, version, closed, kind, indexed_at FROM depinscore.account_states WHERE pubkey = '{key}' ORDER BY version"))
                .unwrap_or_default();
            eprintln!("rows of {key}:\n{rows}");
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let store = depinscore_sql::SqlStore::connect(&format!("sqlite://{}", db.display())).await.unwrap();
            eprintln!("checkpoints: {:?}", store.checkpoints().await.unwrap());
        });
    }
    assert!(
        out.status.success(),
        "verify failed after {kills} kills:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("zero differences"), "{stdout}");
    // Nothing doubled: raw rows equal deduplicated rows.
    for table in ["token_flows", "job_events", "transactions"] {
        let raw = clickhouse.query(&format!("SELECT count() FROM depinscore.{table}")).unwrap();
        let deduplicated = clickhouse.query(&format!("SELECT count() FROM depinscore.{table} FINAL")).unwrap();
        assert_eq!(raw, deduplicated, "{table} holds duplicates");
    }
    // The node's Prometheus metrics count what it produced.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let text = runtime.block_on(async {
        reqwest::get(format!("http://127.0.0.1:{node_metrics}/metrics")).await.unwrap().text().await.unwrap()
    });
    let value = |name: &str| -> f64 {
        let line = text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(value("nosana_node_head_slot"), last_slot as f64);
    assert!(value("nosana_node_transactions") > 0.0, "{text}");
    // The last indexer is subscribed; killed ones may have died before subscribing.
    assert_eq!(value("nosana_node_grpc_subscriptions"), 1.0, "{text}");
    assert!(value("nosana_node_grpc_subscriptions_opened_total") >= 1.0, "{text}");
    let _ = indexer.0.kill();
}
