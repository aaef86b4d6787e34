//! The score end to end, as a user runs it: `depinscore node` → `depinscore index` into a real
//! ClickHouse → off-chain import → `depinscore score`, then the numbers are checked against
//! what the node's ground truth implies; `export` → `score --inputs` gives the same bytes; and
//! the same stores are published: `depinscore report` writes the report files and
//! `depinscore serve` answers over HTTP (score, reports, hexes, readiness, an admin re-score).
//! The report JSON of this fixed seed is a golden (`tests/golden/reference-seed-report.json`;
//! `UPDATE_GOLDEN=1` rewrites it after an intended change).

mod support;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use depinscore_inputs::Follower;
use depinscore_localserver::{ClickHouse, TempDir, free_port};
use serde_json::Value;
use support::{Env, Killed, run_ok};

const NOS: f64 = 1_000_000.0;
const AT: &str = "2100-01-01";

fn command(dir: &Path, vars: &[(String, String)]) -> Command {
    Env { vars: vars.to_vec() }.command(dir)
}

fn checkpoint(db: &Path) -> Option<u64> {
    support::checkpoint(db, "grpc")
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

/// `actual` equals `tests/golden/{name}`; `UPDATE_GOLDEN=1` rewrites the golden instead.
fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{actual}\n")).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (write it with UPDATE_GOLDEN=1)", path.display()));
    let golden = golden.trim_end();
    if golden != actual {
        let line = golden.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{} differs from what the pipeline produced, first at line {}:\n  golden: {}\n  actual: {}\n\
             rerun with UPDATE_GOLDEN=1 if the change is intended",
            path.display(),
            line + 1,
            golden.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>")
        );
    }
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
    let vars = Env::indexer(&clickhouse.http_url(), &db, grpc, rpc, metrics)
        .with("RUST_LOG", std::env::var("E2E_LOG").unwrap_or_else(|_| "warn".into()))
        .vars;
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

    // What `serve` and `demo` keep between re-scores: a score loaded up to slot 700, then
    // following the stores to slot 1100 and to the end, is the snapshot of one full load byte for
    // byte (addresses interned slot by slot keep their ids as the chain grows). Polars plans on
    // a multi-threaded runtime only, as the binary's does.
    let multi = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    multi.block_on(async {
        let cfg = depinscore_clickhouse::ChConfig { url: clickhouse.http_url(), ..Default::default() };
        let ch = depinscore_clickhouse::ChStore::open(&cfg, 0).await.unwrap();
        let sql = depinscore_sql::SqlStore::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        let shipped = depinscore_engine::sample::Shipped::load().unwrap();
        let rules = shipped.rules();
        let max_age = rules.methodology.parameters.price_max_age_s;
        let opts = |until_slot| depinscore_inputs::LoadOptions { until_slot, ..Default::default() };
        let mut follower = Follower::start(&ch, &sql, opts(Some(700)), max_age).await.unwrap();
        let held = follower.inputs().job_events.height();
        follower = follower.update(&ch, &sql, max_age, Some(1100)).await.unwrap();
        assert!(follower.inputs().job_events.height() > held, "slots 701..=1100 brought job events");
        follower = follower.update(&ch, &sql, max_age, None).await.unwrap();
        let full = depinscore_inputs::load(&ch, &sql, &opts(None)).await.unwrap();
        assert_eq!(follower.inputs().keys, full.keys);
        let whole = depinscore_engine::snapshot(&full, &rules, full.chain.last_time).unwrap();
        let followed = follower.snapshot(&rules).unwrap();
        assert_eq!(followed.id, whole.id, "the followed score differs from a full load's");
        assert_eq!(followed.to_json().unwrap(), whole.to_json().unwrap());
        sql.close().await;
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

/// Nosana's own indexer routes (`/jobs`, `/jobs/{address}`, `/jobs/stats`, `/stats`) in its
/// shapes, against the truth: delisted jobs do not exist there, STOPPED covers recovered jobs,
/// and the stats' NOS is what the payouts paid.
async fn nosana_routes<F, Fut>(get: &F, truth: &Value, truth_jobs: &BTreeMap<&str, &Value>)
where
    F: Fn(&str) -> Fut,
    Fut: std::future::Future<Output = (u16, String)>,
{
    let json = |(status, body): (u16, String)| -> Value {
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    let outcome =
        |names: &[&str]| truth_jobs.values().filter(|j| names.contains(&j["outcome"].as_str().unwrap())).count();
    let listed = truth_jobs.len() - outcome(&["delisted"]);
    let page = json(get("/jobs?limit=50").await);
    assert_eq!(page["totalJobs"].as_u64().unwrap() as usize, listed);
    let jobs = page["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), listed.min(50));
    for j in jobs {
        assert!(j["id"].is_null() && j["jobDefinition"].is_null());
        let t = truth_jobs[j["address"].as_str().unwrap()];
        let state = j["state"].as_u64().unwrap();
        let expect = match t["outcome"].as_str().unwrap() {
            "queued" => 0,
            "running" => 1,
            "completed" | "ended" => 2,
            _ => 3,
        };
        assert_eq!(state, expect, "{j}");
        if state == 2 {
            assert!(j["timeEnd"].as_i64().unwrap() >= j["timeStart"].as_i64().unwrap(), "{j}");
            assert!(j["timeStart"].as_i64().unwrap() > 0 && j["price"].as_u64().unwrap() > 0, "{j}");
        }
    }
    // An offset continues the same order.
    let second = json(get("/jobs?limit=10&offset=40").await);
    let addresses = |v: &Value| -> Vec<String> {
        v["jobs"].as_array().unwrap().iter().map(|j| j["address"].as_str().unwrap().to_string()).collect()
    };
    let first = addresses(&page);
    assert_eq!(addresses(&second), first[40.min(first.len())..].to_vec());
    let stopped = json(get("/jobs?state=STOPPED&limit=5").await);
    assert_eq!(stopped["totalJobs"].as_u64().unwrap() as usize, outcome(&["stopped", "recovered"]));
    let one = &jobs[0];
    let same = json(get(&format!("/jobs/{}", one["address"].as_str().unwrap())).await);
    assert_eq!(&same, one);
    if let Some((gone, _)) = truth_jobs.iter().find(|(_, t)| t["outcome"] == "delisted") {
        assert_eq!(get(&format!("/jobs/{gone}")).await.0, 404, "a delisted job does not exist for Nosana");
    }

    let completed: Vec<&&Value> =
        truth_jobs.values().filter(|j| matches!(j["outcome"].as_str(), Some("completed" | "ended"))).collect();
    let stats = json(get("/jobs/stats").await);
    assert_eq!(stats["completed"].as_u64().unwrap() as usize, completed.len(), "{stats}");
    let paid: f64 = completed.iter().map(|j| j["payout"].as_u64().unwrap() as f64).sum::<f64>() / NOS;
    let price: f64 = stats["price"].as_str().unwrap().parse().unwrap();
    assert!((price - paid).abs() < 1e-5, "{price} vs {paid}");
    assert!(stats["duration"].as_str().unwrap().parse::<u64>().unwrap() > 0);
    let by_market = json(get("/jobs/stats?groupBy=market").await);
    let markets = by_market["markets"].as_array().unwrap();
    assert_eq!(markets.iter().map(|m| m["completed"].as_u64().unwrap()).sum::<u64>() as usize, completed.len());
    let series = json(get("/jobs/stats?timeSeriesInterval=week&groupBy=project").await);
    let series = series["series"].as_array().unwrap();
    assert_eq!(series.iter().map(|b| b["completed"].as_u64().unwrap()).sum::<u64>() as usize, completed.len());
    assert!(series.iter().all(|b| b["time"].as_str().unwrap().ends_with(" 00:00:00+00") && b["projects"].is_array()));

    let stats = json(get("/stats").await);
    assert!(stats["stakers"].as_u64().unwrap() > 0, "{stats}");
    let staked: f64 = stats["nosStaked"].as_str().unwrap().parse().unwrap();
    let t = |k: &str| truth["totals"][k].as_u64().unwrap() as f64 / NOS;
    assert!(staked <= t("staked") - t("withdrawn") - t("slashed") + 1.0, "{stats}");
    assert!(stats["dailyVolume"].is_null());
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
    // The reference chain, the indexer, the engine and the report are deterministic: the
    // report of this seed is a golden, so any change to what they compute shows up here.
    assert_golden("reference-seed-report.json", &serde_json::to_string_pretty(&report_json).unwrap());

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
        nosana_routes(&get, truth, &truth_jobs).await;
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
