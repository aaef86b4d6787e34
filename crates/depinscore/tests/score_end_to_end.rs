//! The score end to end, as a user runs it: `depinscore node` → `depinscore index` into a real
//! ClickHouse → off-chain import → `depinscore score`, then the numbers are checked against
//! what the node's ground truth implies; `export` → `score --inputs` gives the same bytes; and
//! the same stores are published: `depinscore report` writes the report files and
//! `depinscore serve` answers over HTTP (score, reports, hexes, readiness, an admin re-score).

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
fn the_score_of_a_reference_chain_matches_its_ground_truth_and_is_served_and_reported() {
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

    reports_and_api(dir.path(), &vars, &s, &truth);
}

/// `depinscore report` and `depinscore serve` over the stores the pipeline filled.
fn reports_and_api(dir: &Path, vars: &[(String, String)], s: &Value, truth: &Value) {
    let id = s["id"].as_str().unwrap();
    let out = dir.join("reports-out");
    let written = run_ok(command(dir, vars).args(["report", "--format", "all", "--out", out.to_str().unwrap()]));
    let html_path = out.join(format!("nosana-builder-score-{id}.html"));
    assert!(written.contains(html_path.to_str().unwrap()), "{written}");
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("<svg") && html.contains(id) && !html.contains("NaN"));
    assert!(out.join(format!("nosana-builder-score-{id}.md")).is_file());
    let report_json: Value =
        serde_json::from_slice(&std::fs::read(out.join(format!("nosana-builder-score-{id}.json"))).unwrap()).unwrap();
    assert!(report_json.is_object());

    let port = free_port().unwrap();
    let mut api_vars = vars.to_vec();
    api_vars.push(("DEPINSCORE__API__LISTEN".into(), format!("127.0.0.1:{port}")));
    api_vars.push(("DEPINSCORE__API__RATE_LIMIT_PER_SECOND".into(), "0".into()));
    let _api = Killed(command(dir, &api_vars).arg("serve").stdout(Stdio::null()).spawn().unwrap());
    let key = run_ok(command(dir, vars).args(["api-key", "create", "--name", "e2e"]));
    let secret = key.lines().find_map(|l| l.strip_prefix("secret: ")).unwrap().trim().to_string();
    let base = format!("http://127.0.0.1:{port}");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let up = Instant::now() + Duration::from_secs(30);
        while http.get(format!("{base}/health")).send().await.is_err() {
            assert!(Instant::now() < up, "the API did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let get = |path: &str| {
            let http = http.clone();
            let url = format!("{base}{path}");
            async move {
                let r = http.get(&url).send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.text().await.unwrap())
            }
        };
        let (status, body) = get("/v1/score").await;
        assert_eq!(status, 200, "{body}");
        let served: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(served["id"], s["id"]);
        assert_eq!(served["score"], s["score"]);
        let (status, page) = get("/v1/reports/latest").await;
        assert_eq!(status, 200);
        assert_eq!(page, html, "the API serves the same report the command wrote");
        let (_, hexes) = get("/v1/hexes").await;
        let hexes: Value = serde_json::from_str(&hexes).unwrap();
        let on_map: u64 =
            hexes["features"].as_array().unwrap().iter().map(|f| f["properties"]["nodes"].as_u64().unwrap()).sum();
        assert_eq!(on_map, hexes["located_nodes"].as_u64().unwrap());
        assert!(on_map >= s["metrics"]["decentralization"]["located_nodes"].as_u64().unwrap());
        // The explorer: every job once across cursor pages, each with the truth's payout and
        // refund; one job's timeline; its transaction by signature; nodes and markets.
        let truth_jobs: BTreeMap<&str, &Value> =
            truth["jobs"].as_array().unwrap().iter().map(|j| (j["address"].as_str().unwrap(), j)).collect();
        let mut seen = HashSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/jobs?limit=500&cursor={c}"),
                None => "/v1/jobs?limit=500".to_string(),
            };
            let (status, body) = get(&path).await;
            assert_eq!(status, 200, "{body}");
            let page: Value = serde_json::from_str(&body).unwrap();
            for j in page["items"].as_array().unwrap() {
                let address = j["address"].as_str().unwrap().to_string();
                let t = truth_jobs.get(address.as_str()).unwrap_or_else(|| panic!("{address} is not in the truth"));
                assert_eq!(j["payout"].as_u64(), t["payout"].as_u64(), "{address}");
                assert_eq!(j["refund"].as_u64(), t["refund"].as_u64(), "{address}");
                assert!(seen.insert(address), "a job on two pages");
            }
            cursor = page["next_cursor"].as_str().map(str::to_string);
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(seen.len(), truth_jobs.len(), "every job listed exactly once");
        let (first, t) = truth_jobs.iter().find(|(_, t)| t["outcome"] == "completed").unwrap();
        let (status, body) = get(&format!("/v1/jobs/{first}")).await;
        assert_eq!(status, 200, "{body}");
        let detail: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(detail["summary"]["state"], "completed");
        assert_eq!(detail["summary"]["payout"].as_u64(), t["payout"].as_u64());
        let kinds: Vec<&str> =
            detail["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.first(), Some(&"list"), "{kinds:?}");
        let signature = detail["events"][0]["signature"].as_str().unwrap();
        let (status, tx) = get(&format!("/v1/transactions/{signature}")).await;
        assert_eq!(status, 200, "{tx}");
        assert!(tx.contains(first), "the listing transaction names the job");
        let (status, nodes) = get("/v1/nodes?limit=5").await;
        assert_eq!(status, 200, "{nodes}");
        let nodes: Value = serde_json::from_str(&nodes).unwrap();
        assert!(nodes["total"].as_u64().unwrap() > 0);
        assert!(nodes["items"][0]["registry"]["h3_res5"].is_string(), "registry joined: {}", nodes["items"][0]);
        let (status, markets) = get("/v1/markets").await;
        assert_eq!(status, 200);
        assert!(!serde_json::from_str::<Value>(&markets).unwrap()["items"].as_array().unwrap().is_empty());
        assert_eq!(get("/v1/jobs?state=nonsense").await.0, 400);
        assert_eq!(get("/v1/jobs/11111111111111111111111111111112").await.0, 404);

        let (status, ready) = get("/ready").await;
        assert!(status == 200 || status == 503, "{ready}");
        let ready: Value = serde_json::from_str(&ready).unwrap();
        let checks = ready["checks"].as_array().unwrap();
        assert!(checks.iter().any(|c| c["name"] == "clickhouse" && c["ok"] == true), "{ready}");
        // A re-score by an administrator computes the default methodology's snapshot (windows
        // of 30 and 90 days, not the whole run) as of the last indexed block; it is stored, but
        // the snapshot as of 2100 stays the latest by as-of time.
        let r = http.post(format!("{base}/v1/admin/rescore")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
        let r = http.post(format!("{base}/v1/admin/rescore")).bearer_auth(&secret).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let outcome: Value = r.json().await.unwrap();
        assert_ne!(outcome["id"], s["id"]);
        assert_eq!(outcome["new"], true);
        let (_, latest) = get("/v1/score").await;
        let latest: Value = serde_json::from_str(&latest).unwrap();
        let (_, history) = get("/v1/score/history").await;
        let history: Value = serde_json::from_str(&history).unwrap();
        assert_eq!(history["items"].as_array().unwrap().len(), 2);
        assert_eq!(latest["id"], s["id"], "the newest as-of wins");
        let ids: Vec<&Value> = history["items"].as_array().unwrap().iter().map(|i| &i["id"]).collect();
        assert_eq!(ids, [&s["id"], &outcome["id"]]);
        // Imported rubric evidence replaces the configured file from the next re-score on: one
        // answer turned from yes to no lowers the composite, and the snapshot records its digest.
        let shipped = include_str!("../../../reports/evidence/nosana.toml");
        let changed = shipped.replacen("answer = \"yes\"", "answer = \"no\"", 1);
        let r = http.post(format!("{base}/v1/admin/evidence")).bearer_auth(&secret).body(changed).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let imported: Value = r.json().await.unwrap();
        let r = http.post(format!("{base}/v1/admin/rescore")).bearer_auth(&secret).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let rescored: Value = r.json().await.unwrap();
        assert_ne!(rescored["id"], outcome["id"]);
        assert!(rescored["composite"].as_f64().unwrap() < outcome["composite"].as_f64().unwrap(), "{rescored}");
        let (_, one) = get(&format!("/v1/score/{}", rescored["id"].as_str().unwrap())).await;
        let one: Value = serde_json::from_str(&one).unwrap();
        assert_eq!(one["provenance"]["evidence_sha256"], imported["sha256"]);
        let (status, metrics) = get("/metrics").await;
        assert_eq!(status, 200);
        assert!(metrics.contains("depinscore_api_requests_total"), "{metrics}");
    });
}
