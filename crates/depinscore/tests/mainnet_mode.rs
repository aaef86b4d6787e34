//! Mainnet mode without mainnet: the shipped `settings-mainnet.toml` (only Nosana transactions,
//! an x-token, slots sealed by their BlockMeta) drives the indexer against the reference node,
//! whose program ids and NOS mint are mainnet's, and `verify --truth` finds zero differences.
//! Only the endpoints differ, overridden in the environment as a deployment would.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use depinscore_localserver::{ClickHouse, TempDir, free_port};
use support::{Env, Killed};

const TOKEN: &str = "provider-token-for-the-test";

fn mainnet_settings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("settings-mainnet.toml")
}

#[test]
fn the_mainnet_settings_check_and_mask_the_provider_token() {
    let dir = TempDir::new("mainnet-check").unwrap();
    let out = support::Env { vars: vec![("DEPINSCORE__INDEXER__X_TOKEN".into(), TOKEN.into())] }
        .command(dir.path())
        .arg("--config")
        .arg(mainnet_settings())
        .args(["config", "check"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("filter = \"nosana\""), "{stdout}");
    assert!(stdout.contains("https://dashboard.k8s.prd.nos.ci/api"), "{stdout}");
    assert!(!stdout.contains(TOKEN), "the token leaked:\n{stdout}");
}

#[test]
fn the_mainnet_settings_index_the_reference_chain_with_zero_differences() {
    let clickhouse = ClickHouse::start().unwrap();
    let dir = TempDir::new("mainnet-mode").unwrap();
    let (grpc, rpc, metrics) = (free_port().unwrap(), free_port().unwrap(), free_port().unwrap());
    let db = dir.path().join("state.db");
    let vars = |token: &str| {
        Env::indexer(&clickhouse.http_url(), &db, grpc, rpc, metrics)
            .with("DEPINSCORE_CONFIG", mainnet_settings().display().to_string())
            .with("DEPINSCORE__CLICKHOUSE__USER", "default")
            .with("DEPINSCORE__INDEXER__X_TOKEN", token)
            // The chain's history from its first slot, as `backfill` would give it on mainnet.
            .with("DEPINSCORE__INDEXER__START", "genesis")
    };
    let last_slot = 900;
    let truth = dir.path().join("truth.json");
    let _node = Killed(
        vars(TOKEN)
            .command(dir.path())
            .args(["node", "--fast", "--compression", "300", "--replay-slots", "100000", "--x-token", TOKEN])
            .args(["--until-slot", &last_slot.to_string(), "--truth", truth.to_str().unwrap()])
            .args(["--grpc", &format!("127.0.0.1:{grpc}"), "--rpc", &format!("127.0.0.1:{rpc}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );

    // A wrong token is refused by the provider: nothing is committed. (Without a lease, so the
    // real indexer below need not wait for this one's to expire.)
    let wrong = vars("wrong").with("DEPINSCORE__INDEXER__LEASE_SECS", "0");
    let log = dir.path().join("wrong-token.log");
    let mut refused = Killed(
        wrong
            .command(dir.path())
            .arg("index")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_secs(4));
    assert!(refused.0.try_wait().unwrap().is_none(), "the refused indexer exited instead of retrying");
    refused.0.kill().unwrap();
    refused.0.wait().unwrap();
    assert_eq!(support::checkpoint(&db, "mainnet"), None, "an unauthenticated indexer committed");
    let said = std::fs::read_to_string(&log).unwrap();
    assert!(said.contains("valid authentication credentials"), "the refusal is not in the log:\n{said}");
    // The mainnet profile logs JSON lines (log.format = "json").
    for line in said.lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(entry["level"].is_string() && entry["fields"]["message"].is_string(), "{line}");
    }

    let mut indexer = Killed(vars(TOKEN).command(dir.path()).arg("index").stdout(Stdio::null()).spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(300);
    while support::checkpoint(&db, "mainnet") != Some(last_slot) || !truth.exists() {
        assert!(Instant::now() < deadline, "checkpoint stuck at {:?}", support::checkpoint(&db, "mainnet"));
        assert!(indexer.0.try_wait().unwrap().is_none(), "the indexer exited");
        std::thread::sleep(Duration::from_millis(500));
    }
    let out = vars(TOKEN).command(dir.path()).args(["verify", "--truth", truth.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "verify failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("zero differences"), "{stdout}");
    let stored: u64 =
        clickhouse.query("SELECT count() FROM depinscore.transactions FINAL").unwrap().trim().parse().unwrap();
    assert!(stored > 0, "no transaction stored");
    let _ = indexer.0.kill();
}
