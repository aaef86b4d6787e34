//! The score end to end, as a user runs it: `depinscore node` → `depinscore index` into a real
//! ClickHouse → off-chain import → `depinscore score`, then the numbers are checked against
//! what the node's ground truth implies; and `export` → `score --inputs` gives the same bytes.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use depinscore_testkit::{ClickHouse, TempDir, free_port};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_depinscore");
const NOS: f64 = 1_000_000.0;
const AT: &str = "2100-01-01";

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn command(dir: &Path, vars: &[(String, String)]) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir).envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    c
}

fn run_ok(c: &mut Command) -> String {
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

fn checkpoint(db: &Path) -> Option<u64> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = depinscore_sql::SqlStore::connect(&format!("sqlite://{}", db.display())).await.ok()?;
        let c = store.checkpoint("grpc").await.ok().flatten().map(|c| c.slot);
        store.close().await;
        c
    })
}

fn f(v: &Value, path: &str) -> f64 {
    let mut cur = v;
    for k in path.split('.') {
        cur = match k.parse::<usize>() {
            Ok(i) => &cur[i],
            Err(_) => &cur[k],
        };
    }
    cur.as_f64().unwrap_or_else(|| panic!("{path} is not a number: {cur}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn the_score_of_a_reference_chain_matches_what_its_ground_truth_implies() {
    let clickhouse = ClickHouse::start().unwrap();
    let dir = TempDir::new("score-e2e").unwrap();
    let (grpc, rpc, metrics) = (free_port().unwrap(), free_port().unwrap(), free_port().unwrap());
    let db = dir.path().join("state.db");
    let vars: Vec<(String, String)> = vec![
        ("DEPINSCORE__CLICKHOUSE__URL".into(), clickhouse.http_url()),
        ("DEPINSCORE__DATABASE__URL".into(), format!("sqlite://{}", db.display())),
        ("DEPINSCORE__INDEXER__GRPC".into(), format!("http://127.0.0.1:{grpc}")),
        ("DEPINSCORE__INDEXER__RPC".into(), format!("http://127.0.0.1:{rpc}")),
        ("DEPINSCORE__INDEXER__METRICS".into(), format!("127.0.0.1:{metrics}")),
        ("DEPINSCORE__INDEXER__WATCHDOG_SECS".into(), "5".into()),
        ("RUST_LOG".into(), std::env::var("E2E_LOG").unwrap_or_else(|_| "warn".into())),
    ];
    let last_slot = 1500;
    let truth_path = dir.path().join("truth.json");
    let _node = Killed(
        command(dir.path(), &vars)
            .args(["node", "--fast", "--compression", "600", "--replay-slots", "100000"])
            .args(["--until-slot", &last_slot.to_string(), "--truth", truth_path.to_str().unwrap()])
            .args(["--grpc", &format!("127.0.0.1:{grpc}"), "--rpc", &format!("127.0.0.1:{rpc}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The indexer starts once the node serves (it would otherwise wait out its backoff).
    let up = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", grpc)).is_err() {
        assert!(Instant::now() < up, "the node did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _indexer = Killed(command(dir.path(), &vars).arg("index").stdout(Stdio::null()).spawn().unwrap());
    let deadline = Instant::now()
        + Duration::from_secs(std::env::var("E2E_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(300));
    while checkpoint(&db) != Some(last_slot) || !truth_path.exists() {
        assert!(Instant::now() < deadline, "checkpoint stuck at {:?}", checkpoint(&db));
        std::thread::sleep(Duration::from_millis(500));
    }
    let truth: Value = serde_json::from_slice(&std::fs::read(&truth_path).unwrap()).unwrap();

    // The node registry from the node's off-chain API, with each node's operator from the
    // truth (the chain does not name operators; a real deployment imports them).
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = depinscore_sql::SqlStore::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        depinscore_sql::offchain::import(&format!("http://127.0.0.1:{rpc}/api"), &store).await.unwrap();
        let mut nodes = store.nodes().await.unwrap();
        // An operator is a wallet: stand in the first node address of each operator name.
        let mut wallet_of: BTreeMap<&str, &str> = BTreeMap::new();
        let mut operators: BTreeMap<&str, &str> = BTreeMap::new();
        for n in truth["nodes"].as_array().unwrap() {
            let (node, name) = (n["authority"].as_str().unwrap(), n["operator"].as_str().unwrap());
            operators.insert(node, wallet_of.entry(name).or_insert(node));
        }
        for n in &mut nodes {
            n.operator = operators.get(n.address.as_str()).map(|o| o.to_string());
        }
        store.upsert_nodes(&nodes).await.unwrap();
        store.close().await;
    });

    // One window over the whole run (and the as-of time after it, so the last partial day is
    // inside), so every total is comparable with the truth's.
    let methodology =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports/methodology/v1.toml"))
            .unwrap()
            .replace("window_days = 30", "window_days = 36500")
            .replace("long_window_days = 90", "long_window_days = 36500");
    let m_path = dir.path().join("whole-run.toml");
    std::fs::write(&m_path, methodology).unwrap();
    let json = run_ok(command(dir.path(), &vars).args([
        "score",
        "--at",
        AT,
        "--format",
        "json",
        "--methodology",
        m_path.to_str().unwrap(),
    ]));
    let s: Value = serde_json::from_str(&json).unwrap();
    let m = &s["metrics"];
    let jobs = truth["jobs"].as_array().unwrap();
    let sum = |k: &str| jobs.iter().map(|j| j[k].as_u64().unwrap()).sum::<u64>() as f64 / NOS;
    let totals = &truth["totals"];
    let t = |k: &str| totals[k].as_u64().unwrap() as f64 / NOS;

    // Demand: every payout and fee, the jobs, the run outcomes.
    assert!(close(f(m, "demand.gmv_nos"), sum("payout")), "gmv {} vs {}", f(m, "demand.gmv_nos"), sum("payout"));
    assert!(close(f(m, "demand.fees_nos"), sum("network_fee")));
    assert_eq!(f(m, "demand.jobs_listed") as usize, jobs.len());
    let completed = jobs.iter().filter(|j| j["outcome"] == "completed").count() as f64;
    let quits = jobs.iter().map(|j| j["quits"].as_u64().unwrap()).sum::<u64>() as f64;
    assert_eq!(f(m, "demand.runs_finished"), completed);
    assert_eq!(f(m, "demand.runs_quit"), quits);
    assert!(close(f(m, "demand.success_rate"), completed / (completed + quits)), "{}", m["demand"]);
    assert!(f(m, "demand.arr_usd") > 0.0 && f(m, "demand.unpriced_share") == 0.0);
    // Token: emissions, burns, mints; demand-to-emission in NOS.
    assert!(close(f(m, "token.emission_nos"), t("emitted")));
    assert!(close(f(m, "token.burns_nos"), t("burned")) && close(f(m, "token.mints_nos"), t("minted")));
    assert!(close(f(m, "token.demand_to_emission_spot"), (sum("payout") + sum("network_fee")) / t("emitted")));
    assert!(close(f(m, "staking.staked_nos"), t("staked") - t("withdrawn") - t("slashed")));
    if !m["token"]["total_supply_nos"].is_null() {
        let genesis = truth["genesis_supply"].as_u64().unwrap() as f64 / NOS;
        assert!(close(f(m, "token.total_supply_nos"), genesis + t("minted") - t("burned")));
    }
    // Decentralization: every node that worked a job is active, located, with its operator.
    let worked: HashSet<&str> =
        jobs.iter().flat_map(|j| j["nodes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap())).collect();
    let active = f(m, "decentralization.active_nodes") as usize;
    assert!(
        active >= worked.len() && active <= truth["nodes"].as_array().unwrap().len(),
        "{active} vs {}",
        worked.len()
    );
    assert_eq!(f(m, "decentralization.located_nodes") as usize, active);
    let spacing = f(m, "decentralization.spacing.0.coefficient");
    assert!(spacing > 0.0 && spacing <= 1.0);

    // Score: weighted sum; the seed check flags 89.
    let composite = f(&s, "score.composite");
    let weighted: f64 =
        s["score"]["dimensions"].as_array().unwrap().iter().map(|d| f(d, "weight") * f(d, "score")).sum::<f64>()
            / 100.0;
    assert!(close(composite, weighted));
    assert_eq!(s["published_checks"][0]["consistent"], false);

    // Stored, and the same data give the same snapshot; a Parquet export reruns to the same bytes.
    let again = run_ok(command(dir.path(), &vars).args([
        "score",
        "--at",
        AT,
        "--format",
        "json",
        "--methodology",
        m_path.to_str().unwrap(),
    ]));
    assert_eq!(json, again, "same data, same methodology, same bytes");
    let export = dir.path().join("export");
    run_ok(command(dir.path(), &vars).args(["export", "--out", export.to_str().unwrap()]));
    let offline = run_ok(
        command(dir.path(), &vars)
            .args(["score", "--at", AT, "--format", "json", "--no-store", "--inputs", export.to_str().unwrap()])
            .args(["--methodology", m_path.to_str().unwrap()]),
    );
    assert_eq!(json, offline, "the Parquet export reproduces the snapshot byte for byte");
    let table =
        run_ok(command(dir.path(), &vars).args(["score", "--at", AT, "--methodology", m_path.to_str().unwrap()]));
    assert!(table.contains("Builder score") && table.contains("NOT the weighted sum"), "{table}");
    let listed: Value =
        serde_json::from_str(&run_ok(command(dir.path(), &vars).args(["score", "--list", "--format", "json"])))
            .unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "three runs of one snapshot store it once");
    assert_eq!(listed[0]["id"], s["id"]);
}
