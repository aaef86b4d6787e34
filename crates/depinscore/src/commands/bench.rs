//! `depinscore bench`: the system benchmark on this machine. A throw-away ClickHouse, the
//! reference node (a fast history, then live 400 ms slots) and the product's own commands as
//! separate processes: `backfill` of the history over JSON-RPC (ingest rate), `index` following
//! the live chain (slot-to-queryable lag), `score` (engine time, peak memory), `report` (render
//! time) and `serve` under wrk (requests/s, p50/p99). Prints one JSON summary beside the targets.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use depinscore_localserver::{ClickHouse, TempDir, find_binary, free_port};
use serde_json::{Value, json};

use crate::commands::demo::history_last_slot;
use crate::commands::procs::{Runner, peak_rss_kb, prometheus_value, round1};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Days of simulated history to backfill (365 for the documented year).
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// Block-time compression of the history (1000: 400 s of chain time per slot).
    #[arg(long, default_value_t = 1000)]
    compression: u32,
    /// Seconds of the live chain to measure the lag over.
    #[arg(long, default_value_t = 60)]
    live_secs: u64,
    /// Seconds of load per API route.
    #[arg(long, default_value_t = 15)]
    api_secs: u64,
    /// Scenario file for the node (the default world without).
    #[arg(long)]
    scenario: Option<PathBuf>,
}

/// The targets of the benchmark issue, printed beside the numbers.
fn targets() -> Value {
    json!({
        "ingest_tx_per_sec": ">= 50000", "lag_p99_ms": "<= 1000", "backfill_year_secs": "<= 300",
        "engine_recompute_ms": "<= 2000", "score_rps": ">= 20000", "score_p99_ms": "<= 5",
        "job_list_p99_ms": "<= 50", "indexer_rss_mb": "<= 200",
    })
}

/// The `elapsed_ms` of the first JSON log line whose message is `message`.
fn logged_ms(log: &str, message: &str) -> Option<u64> {
    let line = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["fields"]["message"].as_str() == Some(message))?;
    line["fields"]["elapsed_ms"].as_u64()
}

/// A percentile of sorted values (nearest rank).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn run(_settings: &Settings, args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.days > 0 && args.compression > 0, "--days and --compression must be positive");
    let wrk = find_binary("wrk", &[]).context("wrk is needed for the API load (apt-get install wrk)")?;
    let dir = TempDir::new("bench")?;
    eprintln!("starting ClickHouse");
    let clickhouse = ClickHouse::start().context("starting ClickHouse (apt-get install clickhouse-server)")?;
    let (grpc, rpc, node_metrics, api) = (free_port()?, free_port()?, free_port()?, free_port()?);
    let runner = Runner::new(dir.path(), &clickhouse.http_url(), grpc, rpc, api);
    let http = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
    let get = |url: String| http.block_on(async { client.get(&url).send().await?.text().await });
    let query = |sql: &str| clickhouse.query(sql).map(|s| s.trim().to_string());

    // The node: the history as fast as it can, then live.
    let history_last = history_last_slot(args.days, args.compression);
    let (live_after, compression) = (history_last.to_string(), args.compression.to_string());
    let mut node_args = vec!["node", "--live-after", &live_after, "--compression", &compression];
    let (grpc_addr, rpc_addr, metrics_addr) =
        (format!("127.0.0.1:{grpc}"), format!("127.0.0.1:{rpc}"), format!("127.0.0.1:{node_metrics}"));
    // A replay window of 20 minutes of live slots: `index` resumes by replay after any backfill
    // this machine runs (a longer one catches up over JSON-RPC), while older blocks drop their
    // account writes (a window holding every slot kept them all: 22 GB two-thirds into a year).
    node_args.extend(["--replay-slots", "3000", "--grpc", &grpc_addr, "--rpc", &rpc_addr]);
    node_args.extend(["--metrics", &metrics_addr]);
    let scenario = args.scenario.as_ref().map(std::path::absolute).transpose()?;
    let scenario = scenario.as_ref().map(|p| p.display().to_string());
    if let Some(s) = &scenario {
        node_args.extend(["--scenario", s]);
    }
    let mut node = runner.spawn("node", &node_args)?;
    eprintln!("producing {} days of history (slots 1..={history_last})", args.days);
    let node_head = || {
        get(format!("http://{metrics_addr}/metrics")).ok().and_then(|t| prometheus_value(&t, "nosana_node_head_slot"))
    };
    let started = Instant::now();
    while node_head().is_none_or(|h| (h as u64) < history_last) {
        if node.child.try_wait()?.is_some() {
            bail!("the node exited:\n{}", runner.log("node"));
        }
        node.sample();
        std::thread::sleep(Duration::from_millis(200));
    }
    let produced_secs = started.elapsed().as_secs_f64();

    // Ingest: the history over JSON-RPC, as a backfill.
    eprintln!("backfilling");
    let to_slot = history_last.to_string();
    let started = Instant::now();
    let mut backfill = runner.spawn("backfill", &["backfill", "--to-slot", &to_slot])?;
    backfill.finish("backfill")?;
    let backfill_secs = started.elapsed().as_secs_f64();
    let transactions: u64 = query("SELECT count() FROM depinscore.transactions FINAL")?.parse()?;

    // Lag: the indexer following the live chain; each new head slot timed until queryable.
    eprintln!("following live for {} s", args.live_secs);
    let mut indexer = runner.spawn("index", &["index"])?;
    let mut produced_at: std::collections::BTreeMap<u64, Instant> = std::collections::BTreeMap::new();
    let mut lags = Vec::new();
    let until = Instant::now() + Duration::from_secs(args.live_secs);
    let warm = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        if indexer.child.try_wait()?.is_some() {
            bail!("the indexer exited:\n{}", runner.log("index"));
        }
        if let Some(head) = node_head() {
            produced_at.entry(head as u64).or_insert_with(Instant::now);
        }
        let stored: u64 = query("SELECT max(slot) FROM depinscore.slots")?.parse().unwrap_or(0);
        let now = Instant::now();
        let ready: Vec<u64> = produced_at.range(..=stored).map(|(s, _)| *s).collect();
        for slot in ready {
            let at = produced_at.remove(&slot).expect("listed just above");
            // Slots seen before the indexer caught up are not a live lag.
            if at > warm {
                lags.push(now.duration_since(at).as_secs_f64() * 1000.0);
            }
        }
        indexer.sample();
        node.sample();
        std::thread::sleep(Duration::from_millis(25));
    }
    indexer.stop();
    lags.sort_by(f64::total_cmp);

    // The engine and the report.
    eprintln!("scoring and rendering");
    runner.spawn("import", &["import"])?.finish("import")?;
    let started = Instant::now();
    let mut score = runner.spawn("score", &["score"])?;
    score.finish("score")?;
    let score_secs = started.elapsed().as_secs_f64();
    let recompute_ms = logged_ms(&runner.log("score"), "score computed");
    runner.spawn("report", &["report", "--format", "html"])?.finish("report")?;
    let render_ms = logged_ms(&runner.log("report"), "report rendered");

    // The API under load.
    let mut serve = runner.spawn("serve", &["serve"])?;
    let base = format!("http://127.0.0.1:{api}");
    let up = Instant::now() + Duration::from_secs(60);
    while get(format!("{base}/health")).is_err() {
        anyhow::ensure!(Instant::now() < up, "the API did not start:\n{}", runner.log("serve"));
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut routes = serde_json::Map::new();
    for route in ["/v1/score", "/v1/jobs?limit=20"] {
        eprintln!("loading {route} for {} s", args.api_secs);
        routes.insert(route.to_string(), load(&wrk, &format!("{base}{route}"), args.api_secs)?);
        serve.sample();
    }
    serve.sample();
    node.sample();
    let clickhouse_mb = clickhouse.pid().and_then(peak_rss_kb).map(|kb| round1(kb as f64 / 1024.0));
    serve.stop();
    node.stop();

    let summary = json!({
        "machine": { "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()) },
        "history": { "days": args.days, "compression": args.compression, "slots": history_last,
                     "transactions": transactions, "node_produce_secs": round1(produced_secs) },
        "ingest": { "backfill_secs": round1(backfill_secs),
                    "tx_per_sec": (transactions as f64 / backfill_secs).round() },
        "lag_ms": { "slots": lags.len(), "p50": round1(percentile(&lags, 50.0)), "p99": round1(percentile(&lags, 99.0)) },
        "engine": { "recompute_ms": recompute_ms, "score_command_secs": round1(score_secs), "peak_rss_mb": score.peak_mb() },
        "report_render_ms": render_ms,
        "api": routes,
        "rss_mb": { "node": node.peak_mb(), "backfill": backfill.peak_mb(), "indexer": indexer.peak_mb(),
                    "api": serve.peak_mb(), "clickhouse": clickhouse_mb },
        "targets": targets(),
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

/// wrk with two threads and 64 connections on `url` for `secs`: requests/s, p50 and p99 (ms).
fn load(wrk: &Path, url: &str, secs: u64) -> anyhow::Result<Value> {
    let out = Command::new(wrk)
        .args(["-t2", "-c64", &format!("-d{secs}s"), "--latency", url])
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(out.status.success(), "wrk failed: {text}");
    let field = |prefix: &str| text.lines().map(str::trim).find_map(|l| l.strip_prefix(prefix)).map(str::trim);
    let rps: f64 = field("Requests/sec:").context("no Requests/sec in wrk's output")?.parse()?;
    let non_2xx: u64 = field("Non-2xx or 3xx responses:").map_or(Ok(0), str::parse)?;
    Ok(json!({
        "rps": rps.round(),
        "p50_ms": field("50%").map(wrk_ms).transpose()?,
        "p99_ms": field("99%").map(wrk_ms).transpose()?,
        "non_2xx": non_2xx,
    }))
}

/// wrk's latency (`812.00us`, `3.13ms`, `1.02s`) in milliseconds.
fn wrk_ms(s: &str) -> anyhow::Result<f64> {
    let (number, scale) = if let Some(n) = s.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else {
        bail!("wrk latency `{s}` has no unit")
    };
    Ok((number.parse::<f64>()? * scale * 1000.0).round() / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_latencies_are_read_in_milliseconds() {
        assert_eq!(wrk_ms("812.00us").unwrap(), 0.812);
        assert_eq!(wrk_ms("3.13ms").unwrap(), 3.13);
        assert_eq!(wrk_ms("1.50s").unwrap(), 1500.0);
        assert!(wrk_ms("12").is_err());
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert!(percentile(&[], 50.0).is_nan());
    }

    #[test]
    fn the_elapsed_time_of_a_log_line_is_found_by_its_message() {
        let log = "not json\n{\"fields\":{\"message\":\"score computed\",\"elapsed_ms\":812}}\n";
        assert_eq!(logged_ms(log, "score computed"), Some(812));
        assert_eq!(logged_ms(log, "report rendered"), None);
    }
}
