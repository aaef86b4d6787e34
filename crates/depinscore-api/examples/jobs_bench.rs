//! Job list latency over a million indexed jobs in a real ClickHouse.
//!
//! ```sh
//! cargo run --release -p depinscore-api --example jobs_bench -- [JOBS] [PORT]
//! wrk -t2 -c16 -d15s --latency http://127.0.0.1:PORT/v1/jobs
//! ```
//! Starts a private ClickHouse (Debian's `clickhouse-server`, as the tests do), applies the
//! migrations and writes JOBS (default 1,000,000) jobs, a year of listings, into `job_events`
//! and `token_flows` with `INSERT ... SELECT`, so the explorer read models (`job_list`,
//! `job_activity`, `node_activity`) are filled by their materialized views exactly as the
//! indexer's writes fill them. Most jobs are assigned and finish; some are stopped; the newest
//! are queued or running. Every job has its own transaction position, so nothing merges away.
//!
//! It then times `ChStore::jobs` (what `GET /v1/jobs` runs, through a reader store with the
//! API's settings; the test server leaves the uncompressed cache off, as current releases do) for the first page, a walk of
//! cursor pages and each filter, prints p50/p99/max, and serves the API for wrk until Ctrl-C.

use std::sync::Arc;
use std::time::Instant;

use depinscore_api::{ApiConfig, AppState};
use depinscore_clickhouse::{ChConfig, ChStore, CompletedJobsFilter, JobFilter, JobSort, JobState};
use depinscore_report::{BUILTIN_CLOUD_PRICES, CloudPriceTable};
use depinscore_sql::SqlStore;

/// 2025-01-01T00:00:00Z: the first listing.
const START: u64 = 1_735_689_600;
const YEAR: u64 = 365 * 86_400;

/// A 44-character base58 address derived from `expr` (hex digits with `0` mapped to `z`).
fn address(prefix: &str, expr: &str, salt: u32) -> String {
    format!(
        "substring(replaceRegexpAll(concat('{prefix}', hex(cityHash64({expr}, {salt})), hex(cityHash64({expr}, {s2})), \
         'zzzzzzzzzzzzzzzz'), '0', 'z'), 1, 44)",
        s2 = salt + 1
    )
}

/// Inserts jobs `[from, to)` of `n`: the list of each, its assignment, its end and its flows.
fn insert_jobs(
    ch: &depinscore_localserver::ClickHouse,
    n: u64,
    from: u64,
    to: u64,
) -> depinscore_localserver::Result<()> {
    let job = address("Jb", "n", 1);
    let run = address("Rn", "n", 3);
    let market = address("Mk", "n % 20", 5);
    let project = address("Pj", "n % 500", 7);
    let node = address("Nd", "cityHash64(n, 9) % 2800", 11);
    // t: listing time; the newest 0.5 % are still queued (even) or running (odd).
    let base = format!(
        "SELECT n, {job} AS job, {run} AS run, {market} AS market, {project} AS project, {node} AS node, \
         toUInt64({START} + intDiv(n * {YEAR}, {n})) AS t, toUInt64(250000000 + intDiv((t - {START}) * 5, 2)) AS slot, \
         n * 200 >= {n} * 199 AS fresh, (fresh AND n % 2 = 0) AS queued, (fresh AND n % 2 = 1) AS running, \
         (NOT fresh AND n % 25 = 0) AS stopped, 30 + n % 90 AS wait, 300 + cityHash64(n, 13) % 7200 AS duration \
         FROM (SELECT number AS n FROM system.numbers LIMIT {from}, {count})",
        count = to - from
    );
    let cols =
        "job, slot, tx_index, ix, inner, block_time, signature, kind, market, run, node, project, payer, timeout";
    // One event per kind: (kind, ix, slot offset in seconds, condition, node, run).
    let events = [
        ("list", 0, "0", "1", "''", "''"),
        ("assign", 1, "wait", "NOT queued", "node", "run"),
        ("finish", 2, "wait + duration", "NOT queued AND NOT running AND NOT stopped", "node", "run"),
        ("quit", 2, "wait + intDiv(duration, 3)", "stopped", "node", "run"),
    ];
    for (kind, ix, offset, cond, who, r) in events {
        ch.query(&format!(
            "INSERT INTO bench.job_events ({cols}) SELECT job, slot + toUInt64(({offset}) * 5 / 2), toUInt32(n), {ix}, 0, \
             toDateTime(t + ({offset})), concat('Sg', job), '{kind}', market, {r}, {who}, project, project, toInt64(7200) \
             FROM ({base}) WHERE {cond}"
        ))?;
    }
    let flows = "slot, tx_index, ix, inner, block_time, signature, kind, mint, source, destination, wallet, subject, market, amount";
    // deposit at listing; payout and fee at the end of a finished job; refund of a stopped one.
    let flow_kinds = [
        ("deposit", 0, "0", "1", "project", "10000000 + duration * 1000"),
        ("payout", 4, "wait + duration", "NOT queued AND NOT running AND NOT stopped", "node", "duration * 1000"),
        ("fee", 5, "wait + duration", "NOT queued AND NOT running AND NOT stopped", "''", "duration * 100"),
        ("refund", 4, "wait + intDiv(duration, 3)", "stopped", "project", "10000000"),
    ];
    for (kind, ix, offset, cond, wallet, amount) in flow_kinds {
        ch.query(&format!(
            "INSERT INTO bench.token_flows ({flows}) SELECT slot + toUInt64(({offset}) * 5 / 2), toUInt32(n), {ix}, 1, \
             toDateTime(t + ({offset})), concat('Sg', job), '{kind}', 'nosXBVoaCTtYdLvKY6Csb4AC8JCdQKKAaWYtx2ZMoo7', \
             '', '', {wallet}, job, market, toUInt64({amount}) FROM ({base}) WHERE {cond}"
        ))?;
    }
    Ok(())
}

fn percentiles(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    format!("p50 {:7.2} ms  p99 {:7.2} ms  max {:7.2} ms  ({} queries)", at(0.5), at(0.99), at(1.0), ms.len())
}

async fn time_pages(
    store: &ChStore,
    filter: &JobFilter,
    repeat: usize,
    pages: usize,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut ms = Vec::new();
    let mut rows = 0;
    for _ in 0..repeat {
        let mut f = filter.clone();
        for _ in 0..pages {
            let started = Instant::now();
            let page = store.jobs(&f).await?;
            ms.push(started.elapsed().as_secs_f64() * 1e3);
            rows += page.items.len();
            match page.next_cursor {
                Some(c) => f.cursor = Some(c),
                None => break,
            }
        }
    }
    Ok(format!("{}  {rows} rows", percentiles(ms)))
}

async fn one(ch: &depinscore_localserver::ClickHouse, sql: &str) -> Result<String, Box<dyn std::error::Error>> {
    Ok(ch.query(sql)?.trim().to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map(|p| p.parse()).transpose()?.unwrap_or(1_000_000);
    let port: u16 = args.next().map(|p| p.parse()).transpose()?.unwrap_or(8089);
    let ch = depinscore_localserver::ClickHouse::start()?;
    let cfg = ChConfig { url: ch.http_url(), database: "bench".into(), ..ChConfig::default() };
    ChStore::open(&cfg, START as u32).await?;
    // Read as `depinscore serve` reads (its reader settings included).
    let store = ChStore::connect(&ChConfig { readonly: true, ..cfg.clone() })?;

    let started = Instant::now();
    let chunk = 200_000;
    for from in (0..n).step_by(chunk as usize) {
        insert_jobs(&ch, n, from, (from + chunk).min(n))?;
    }
    // Merged read models, as a settled server holds them (an OPTIMIZE can return while a merge
    // still runs: repeat until each table is one part).
    for table in ["job_list", "job_activity", "node_activity", "job_parties"] {
        for _ in 0..60 {
            let parts = one(
                &ch,
                &format!("SELECT count() FROM system.parts WHERE active AND database = 'bench' AND table = '{table}'"),
            )
            .await?;
            if parts == "1" {
                break;
            }
            ch.query(&format!("OPTIMIZE TABLE bench.{table} FINAL"))?;
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
    println!(
        "loaded {} jobs ({} events, {} flows) in {:.1} s; job_activity {} rows, node_activity {} rows",
        one(&ch, "SELECT count() FROM bench.job_list").await?,
        one(&ch, "SELECT count() FROM bench.job_events").await?,
        one(&ch, "SELECT count() FROM bench.token_flows").await?,
        started.elapsed().as_secs_f64(),
        one(&ch, "SELECT count() FROM bench.job_activity").await?,
        one(&ch, "SELECT count() FROM bench.node_activity").await?,
    );

    let market = one(&ch, "SELECT any(market) FROM bench.job_list").await?;
    let project = one(&ch, "SELECT any(project) FROM bench.job_list").await?;
    let node = one(&ch, "SELECT any(node) FROM bench.node_activity").await?;
    let market_with_stops = one(&ch, "SELECT any(market) FROM bench.job_events WHERE kind = 'quit'").await?;
    let mid = (START + YEAR / 2) as u32;
    let base = JobFilter::default();
    let cases: Vec<(&str, JobFilter, usize, usize)> = vec![
        ("first page, newest first", base.clone(), 200, 1),
        ("first page, oldest first", JobFilter { sort: JobSort::ListedAsc, ..base.clone() }, 200, 1),
        ("cursor walk, 100 pages", base.clone(), 2, 100),
        ("limit 500, 20 pages", JobFilter { limit: 500, ..base.clone() }, 2, 20),
        ("market, 20 pages", JobFilter { market: Some(market.clone()), ..base.clone() }, 5, 20),
        ("project, 20 pages", JobFilter { project: Some(project.clone()), ..base.clone() }, 5, 20),
        ("payer, 20 pages", JobFilter { payer: Some(project), ..base.clone() }, 5, 20),
        ("node, 5 pages", JobFilter { node: Some(node.clone()), ..base.clone() }, 20, 5),
        ("state running", JobFilter { states: vec![JobState::Running], ..base.clone() }, 50, 1),
        ("state completed, 20 pages", JobFilter { states: vec![JobState::Completed], ..base.clone() }, 5, 20),
        ("state stopped, 20 pages", JobFilter { states: vec![JobState::Stopped], ..base.clone() }, 5, 20),
        (
            "market + state stopped, 5 pages",
            JobFilter { market: Some(market_with_stops), states: vec![JobState::Stopped], ..base.clone() },
            5,
            5,
        ),
        ("state recovered (none: every window)", JobFilter { states: vec![JobState::Recovered], ..base.clone() }, 5, 1),
        (
            "node + state completed",
            JobFilter { node: Some(node.clone()), states: vec![JobState::Completed], ..base.clone() },
            20,
            1,
        ),
        (
            "one month mid-year, 20 pages",
            JobFilter { listed_from: Some(mid), listed_to: Some(mid + 30 * 86_400), ..base.clone() },
            5,
            20,
        ),
    ];
    for (name, filter, repeat, pages) in cases {
        println!("{name:32} {}", time_pages(&store, &filter, repeat, pages).await?);
    }
    // What Nosana's routes add: totalJobs of /jobs, and /jobs/stats over every completed job.
    for (name, filter) in [
        ("count: every job", base.clone()),
        (
            "count: all but delisted (/jobs)",
            JobFilter {
                states: JobState::ALL.into_iter().filter(|s| *s != JobState::Delisted).collect(),
                ..base.clone()
            },
        ),
        ("count: state completed", JobFilter { states: vec![JobState::Completed], ..base.clone() }),
        ("count: market", JobFilter { market: Some(market.clone()), ..base.clone() }),
    ] {
        let mut ms = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            std::hint::black_box(store.job_count(&filter).await?);
            ms.push(started.elapsed().as_secs_f64() * 1e3);
        }
        println!("{name:32} {}", percentiles(ms));
    }
    let mut ms = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        std::hint::black_box(store.completed_jobs_by_day(&CompletedJobsFilter::default(), None).await?);
        ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    println!("{:32} {}", "completed jobs by day (stats)", percentiles(ms));

    let dir = std::env::temp_dir().join(format!("depinscore-jobs-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sql = SqlStore::connect(&format!("sqlite://{}", dir.join("bench.db").display())).await?;
    sql.migrate().await?;
    let config = ApiConfig { rate_limit_per_s: 0, ..ApiConfig::default() };
    let cloud = CloudPriceTable::parse(BUILTIN_CLOUD_PRICES)?;
    let state = AppState::new(sql, Some(Arc::new(store)), config, cloud).with_metrics(Arc::new(String::new));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("serving the job list on http://{}/v1/jobs (Ctrl-C stops)", listener.local_addr()?);
    depinscore_api::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
