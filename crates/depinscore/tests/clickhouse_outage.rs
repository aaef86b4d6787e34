//! A long-running indexer started while ClickHouse is down waits for it (logging each retry)
//! instead of exiting, goes on once it answers, and still stops cleanly on SIGTERM meanwhile.

mod support;

use std::process::Stdio;
use std::time::Duration;

use depinscore_localserver::{ClickHouse, TempDir, free_port};
use support::{Env, Killed, wait_until};

#[test]
fn an_indexer_started_while_clickhouse_is_down_waits_for_it_then_migrates_and_follows() {
    let mut clickhouse = ClickHouse::start().unwrap();
    clickhouse.stop().unwrap();
    let dir = TempDir::new("ch-outage").unwrap();
    let (grpc, rpc, metrics) = (free_port().unwrap(), free_port().unwrap(), free_port().unwrap());
    let env = Env::indexer(&clickhouse.http_url(), &dir.path().join("state.db"), grpc, rpc, metrics)
        .with("DEPINSCORE__INDEXER__LEASE_SECS", "0")
        .with("DEPINSCORE__LOG__FORMAT", "json");
    let log = dir.path().join("index.log");
    let mut indexer = Killed(
        env.command(dir.path())
            .arg("index")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    wait_until("a retry is logged", Duration::from_secs(30), || {
        std::fs::read_to_string(&log).unwrap_or_default().contains("ClickHouse is not reachable yet")
    });
    std::thread::sleep(Duration::from_secs(2));
    assert!(indexer.0.try_wait().unwrap().is_none(), "the indexer exited:\n{}", std::fs::read_to_string(&log).unwrap());

    clickhouse.restart().unwrap();
    wait_until("the schema is migrated once ClickHouse answers", Duration::from_secs(60), || {
        clickhouse
            .query("SELECT count() FROM system.tables WHERE database = 'depinscore' AND name = 'transactions'")
            .is_ok_and(|n| n.trim() == "1")
    });
    assert!(indexer.0.try_wait().unwrap().is_none(), "the indexer exited:\n{}", std::fs::read_to_string(&log).unwrap());

    // Down again, a new indexer waits; SIGTERM while it waits is a clean stop.
    clickhouse.stop().unwrap();
    let _ = indexer.0.kill();
    let mut waiting =
        Killed(env.command(dir.path()).arg("index").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    std::thread::sleep(Duration::from_secs(2));
    assert!(waiting.0.try_wait().unwrap().is_none());
    std::process::Command::new("kill").args(["-TERM", &waiting.0.id().to_string()]).status().unwrap();
    let mut status = None;
    wait_until("the waiting indexer stops on SIGTERM", Duration::from_secs(20), || {
        status = waiting.0.try_wait().unwrap();
        status.is_some()
    });
    assert!(status.unwrap().success(), "{status:?}");
}
