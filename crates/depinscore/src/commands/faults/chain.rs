//! The chain half of the campaign: the node serving a faulty stream, the indexer killed and
//! restarted, ClickHouse stopped and restarted, then `verify` against the node's truth.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use depinscore_localserver::ClickHouse;

use super::{Args, Report, Rng};
use crate::commands::demo::history_last_slot;
use crate::commands::procs::{Proc, Runner, prometheus_value};

/// Block-time compression of the history.
const COMPRESSION: u32 = 1000;
/// Live slots per minute at 400 ms.
const SLOTS_PER_MINUTE: f64 = 150.0;

/// Loopback ports of the campaign's servers.
pub(crate) struct Ports {
    pub grpc: u16,
    pub rpc: u16,
    pub node_metrics: u16,
    pub api: u16,
}

/// What happens at a moment of the run, counted from the indexer's first start.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    Kill,
    StopClickHouse,
    StartClickHouse,
}

/// `kills` moments spread over `secs` (one in each equal share, at a random point of it) and
/// one ClickHouse outage of `outage` seconds starting just before the middle, with one of the
/// kills a third into it; in time order.
fn schedule(rng: &mut Rng, secs: f64, kills: u32, outage: u64) -> Vec<(Duration, Fault)> {
    let mut out: Vec<(Duration, Fault)> = (0..kills)
        .map(|i| {
            let share = secs / f64::from(kills.max(1));
            (Duration::from_secs_f64(share * (f64::from(i) + 0.1 + 0.8 * rng.unit())), Fault::Kill)
        })
        .collect();
    if outage > 0 {
        let start = Duration::from_secs_f64(secs * 0.45);
        // The kill nearest a third into the outage moves there: its restart meets ClickHouse
        // down, which a service must wait out rather than exit.
        let during = start + Duration::from_secs(outage) / 3;
        if let Some(k) = out.iter_mut().min_by_key(|(at, _)| at.abs_diff(during)) {
            k.0 = during;
        }
        out.push((start, Fault::StopClickHouse));
        out.push((start + Duration::from_secs(outage), Fault::StartClickHouse));
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// Runs the chain half; returns the node, still serving (the fuzzer reads its blocks).
pub(crate) fn campaign(
    args: &Args,
    runner: &Runner,
    clickhouse: &mut ClickHouse,
    ports: &Ports,
    report: &mut Report,
) -> anyhow::Result<Proc> {
    let history_last = history_last_slot(args.history_days, COMPRESSION);
    let last_slot = history_last + (args.minutes * SLOTS_PER_MINUTE).ceil() as u64;
    let truth = runner.dir.join("truth.json");
    let scenario = runner.dir.join("scenario.toml");
    // Outdated clients: about a hundred unknown instructions over the history.
    let per_day = 100.0 / f64::from(args.history_days);
    std::fs::write(&scenario, format!("[chain]\nunknown_instructions_per_day = {per_day}\n"))?;
    let (live_after, until, compression) = (history_last.to_string(), last_slot.to_string(), COMPRESSION.to_string());
    let drop_every = args.drop_every_secs.to_string();
    let (grpc, rpc, metrics) = (
        format!("127.0.0.1:{}", ports.grpc),
        format!("127.0.0.1:{}", ports.rpc),
        format!("127.0.0.1:{}", ports.node_metrics),
    );
    let node_args = [
        "node",
        "--live-after",
        &live_after,
        "--compression",
        &compression,
        "--until-slot",
        &until,
        "--truth",
        truth.to_str().context("a UTF-8 path")?,
        "--scenario",
        scenario.to_str().context("a UTF-8 path")?,
        "--replay-slots",
        "1000000",
        "--grpc",
        &grpc,
        "--rpc",
        &rpc,
        "--metrics",
        &metrics,
        "--dead-every",
        "37",
        "--duplicate-every",
        "23",
        "--corrupt-fraction",
        "0.002",
        "--drop-every-secs",
        &drop_every,
    ];
    eprintln!("node: {} days of history (slots 1..={history_last}), then live to slot {last_slot}", args.history_days);
    let mut node = runner.spawn("node", &node_args)?;
    let http = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
    let node_metric = |name: &str| -> Option<f64> {
        let url = format!("http://{metrics}/metrics");
        let text = http.block_on(async { client.get(&url).send().await.ok()?.text().await.ok() })?;
        prometheus_value(&text, name)
    };
    let up = Instant::now() + Duration::from_secs(60);
    while node_metric("nosana_node_head_slot").is_none() {
        anyhow::ensure!(node.child.try_wait()?.is_none(), "the node exited:\n{}", runner.log("node"));
        anyhow::ensure!(Instant::now() < up, "the node did not start:\n{}", runner.log("node"));
        std::thread::sleep(Duration::from_millis(100));
    }

    // The indexer under faults.
    let mut rng = Rng::new(args.seed);
    let secs = args.minutes * 60.0;
    let plan = schedule(&mut rng, secs, args.kills, args.clickhouse_outage_secs);
    let started = Instant::now();
    let mut indexer = runner.spawn("index-0", &["index"])?;
    let db = runner.dir.join("state.db");
    let (mut kills, mut own_exits) = (0u32, Vec::new());
    // The checkpoint when ClickHouse stopped, when it came back, and when commits resumed.
    let (mut stopped_at, mut restarted, mut resumed): (Option<u64>, Option<Instant>, Option<f64>) = (None, None, None);
    for (at, fault) in plan {
        while started.elapsed() < at {
            if let (Some(since), None) = (restarted, resumed)
                && read_checkpoint(&http, &db).unwrap_or(None) > stopped_at
            {
                resumed = Some(since.elapsed().as_secs_f64());
            }
            if let Some(status) = indexer.child.try_wait()? {
                // A long-running service does not exit on its own; note it and restart it as a
                // supervisor would, so the rest of the campaign still runs.
                own_exits.push(format!("{status} at {:.0} s", started.elapsed().as_secs_f64()));
                std::thread::sleep(Duration::from_secs(1));
                indexer = runner.spawn(&format!("index-exit-{}", own_exits.len()), &["index"])?;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        match fault {
            Fault::Kill => {
                // Only a kill of a running indexer counts; one found dead exited on its own.
                if let Some(status) = indexer.child.try_wait()? {
                    own_exits.push(format!("{status} at {:.0} s", started.elapsed().as_secs_f64()));
                } else {
                    indexer.child.kill()?;
                    indexer.child.wait()?;
                    kills += 1;
                }
                indexer = runner.spawn(&format!("index-{kills}-{}", own_exits.len()), &["index"])?;
            }
            Fault::StopClickHouse => {
                eprintln!("stopping ClickHouse for {} s", args.clickhouse_outage_secs);
                clickhouse.stop()?;
                // A batch written just before the stop may still save its checkpoint.
                std::thread::sleep(Duration::from_secs(2));
                stopped_at = read_checkpoint(&http, &db).unwrap_or(None);
            }
            Fault::StartClickHouse => {
                clickhouse.restart()?;
                eprintln!("ClickHouse is back");
                restarted = Some(Instant::now());
            }
        }
    }
    report.check(
        "SIGKILL and restart of the indexer",
        kills == args.kills,
        format!("{kills} of {} planned kills hit a running indexer, each followed by a restart", args.kills),
    );
    if let Some(since) = restarted {
        // Commits resume once ClickHouse is back (waited for here if the plan ended first).
        while resumed.is_none() && since.elapsed() < Duration::from_secs(120) {
            if read_checkpoint(&http, &db).unwrap_or(None) > stopped_at {
                resumed = Some(since.elapsed().as_secs_f64());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        report.check(
            "commits resume after a ClickHouse outage",
            resumed.is_some(),
            match resumed {
                Some(secs) => format!(
                    "stopped for {} s at checkpoint {}; committing again {secs:.1} s after it came back",
                    args.clickhouse_outage_secs,
                    stopped_at.map_or("none".into(), |s| s.to_string())
                ),
                None => format!("checkpoint still {stopped_at:?} 120 s after ClickHouse came back"),
            },
        );
    }

    // The run's end: the node settles its last slot, the indexer commits it.
    let end = Instant::now() + Duration::from_secs(600);
    while node_metric("nosana_node_head_slot").is_none_or(|h| (h as u64) < last_slot) || !truth.exists() {
        anyhow::ensure!(Instant::now() < end, "the node did not reach slot {last_slot}:\n{}", runner.log("node"));
        std::thread::sleep(Duration::from_millis(200));
    }
    let caught_up = wait_for_checkpoint(&http, &db, last_slot, &mut indexer, Duration::from_secs(600));
    report.check(
        "the indexer catches up after the faults",
        caught_up.is_ok(),
        match &caught_up {
            Ok(secs) => format!("checkpoint at slot {last_slot} {secs:.1} s after the node's last slot"),
            Err(e) => format!("{e:#}"),
        },
    );
    report.check(
        "the indexer never exits on its own",
        own_exits.is_empty() && indexer.child.try_wait()?.is_none(),
        match own_exits.len() {
            0 => "running throughout".to_string(),
            n => format!("{n} exits, the first: {}", own_exits[..n.min(3)].join(", ")),
        },
    );
    // Kills cut some streams short of their drop, so at least half the drops a single stream
    // would see.
    let dropped = node_metric("nosana_node_grpc_streams_dropped_total").unwrap_or(0.0);
    let expected_drops = (secs / args.drop_every_secs / 2.0).floor();
    report.check(
        "gRPC streams dropped and resumed",
        dropped >= expected_drops && caught_up.is_ok(),
        format!(
            "the node dropped {dropped} streams (one {} s after it opened); the indexer resumed each",
            args.drop_every_secs
        ),
    );
    indexer.stop();

    // Zero differences with the truth, every quarantined item accounted for.
    let truth_path = truth.to_str().context("a UTF-8 path")?;
    let (ok, out) = output(runner, "verify-truth", &["verify", "--truth", truth_path, "--no-accounts"])?;
    report.check("verify --truth: flows, jobs, transactions, quarantine, dead slots", ok, summary(&out, ok));
    let (ok, out) = output(runner, "verify-accounts", &["verify"])?;
    report.check("verify: every account state equals the node's", ok, summary(&out, ok));
    // Rollups add every inserted row (merges never take one away); a row inserted twice would
    // make them exceed the deduplicated tables.
    let mut doubled = Vec::new();
    for (rollup, base) in [
        (
            "SELECT sum(flows), sum(amount) FROM depinscore.daily_flows",
            "SELECT count(), sum(amount) FROM depinscore.token_flows FINAL",
        ),
        ("SELECT sum(events) FROM depinscore.daily_job_events", "SELECT count() FROM depinscore.job_events FINAL"),
        (
            "SELECT sum(transactions), sum(fees) FROM depinscore.daily_transactions",
            "SELECT count(), sum(fee) FROM depinscore.transactions FINAL",
        ),
    ] {
        let (summed, unique) = (clickhouse.query(rollup)?, clickhouse.query(base)?);
        if summed.trim() != unique.trim() {
            doubled.push(format!("{rollup}: {} ≠ {}", summed.trim(), unique.trim()));
        }
    }
    report.check(
        "every row inserted once",
        doubled.is_empty(),
        if doubled.is_empty() {
            "the daily rollups of flows, job events and transactions equal the deduplicated tables".into()
        } else {
            doubled.join("; ")
        },
    );
    Ok(node)
}

/// The indexer's checkpoint in the SQLite store at `db`, once its account snapshot is done.
fn read_checkpoint(http: &tokio::runtime::Runtime, db: &std::path::Path) -> anyhow::Result<Option<u64>> {
    let url = format!("sqlite://{}", db.display());
    http.block_on(async {
        let store = depinscore_sql::SqlStore::connect(&url).await?;
        let read = |s: &str| {
            let store = store.clone();
            let s = s.to_string();
            async move { store.checkpoint(&s).await.map(|c| c.map(|c| c.slot)) }
        };
        let (at, needed, done) =
            (read("grpc").await, read("grpc/snapshot-needed").await, read("grpc/snapshot-at").await);
        store.close().await;
        let (at, needed, done) = (at?, needed?, done?);
        anyhow::Ok(if needed.is_some_and(|n| done.is_none_or(|d| d < n)) { None } else { at })
    })
}

/// Waits until the indexer's checkpoint reaches `slot`; seconds waited. A store that cannot be
/// read for a moment (the indexer writing) is read again.
fn wait_for_checkpoint(
    http: &tokio::runtime::Runtime,
    db: &std::path::Path,
    slot: u64,
    indexer: &mut Proc,
    within: Duration,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut at = None;
    loop {
        match read_checkpoint(http, db) {
            Ok(now) => at = now,
            Err(e) => tracing::debug!(error = %e, "reading the checkpoint; again"),
        }
        if at.is_some_and(|s| s >= slot) {
            return Ok(started.elapsed().as_secs_f64());
        }
        anyhow::ensure!(indexer.child.try_wait()?.is_none(), "the indexer exited at checkpoint {at:?}");
        anyhow::ensure!(started.elapsed() < within, "checkpoint at {at:?} after {within:?}, not {slot}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Runs a command to its end: whether it succeeded, and its stdout.
fn output(runner: &Runner, name: &str, args: &[&str]) -> anyhow::Result<(bool, String)> {
    let log = std::fs::File::create(runner.dir.join(format!("{name}.log")))?;
    let out = runner.command(args)?.stdout(Stdio::piped()).stderr(log).output()?;
    Ok((out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// The lines of `verify`'s output worth printing: its totals and the quarantine by source on
/// success, the first differences on failure.
fn summary(out: &str, ok: bool) -> String {
    if !ok {
        return out.lines().filter(|l| l.starts_with("DIFF")).take(10).collect::<Vec<_>>().join("; ");
    }
    let mut lines: Vec<String> =
        out.lines().filter(|l| !l.starts_with("DIFF") && !l.starts_with("quarantined:")).map(String::from).collect();
    // "quarantined: 5 account × JobAccount: …" summed by source.
    let mut by_source: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for l in out.lines().filter_map(|l| l.strip_prefix("quarantined: ")) {
        let mut words = l.split_whitespace();
        if let (Some(Ok(n)), Some(source)) = (words.next().map(str::parse::<u64>), words.next()) {
            *by_source.entry(source).or_default() += n;
        }
    }
    if !by_source.is_empty() {
        let parts: Vec<String> = by_source.iter().map(|(s, n)| format!("{n} {s}")).collect();
        lines.push(format!("quarantined {}", parts.join(", ")));
    }
    lines.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kills_fall_one_in_each_share_and_the_outage_sits_mid_run() {
        let plan = schedule(&mut Rng::new(7), 600.0, 20, 60);
        let kills: Vec<f64> = plan.iter().filter(|(_, f)| *f == Fault::Kill).map(|(at, _)| at.as_secs_f64()).collect();
        assert_eq!(kills.len(), 20);
        let stop = plan.iter().find(|(_, f)| *f == Fault::StopClickHouse).unwrap().0;
        let start = plan.iter().find(|(_, f)| *f == Fault::StartClickHouse).unwrap().0;
        assert_eq!((stop.as_secs(), (start - stop).as_secs()), (270, 60));
        // One kill restarts the indexer while ClickHouse is down; the others one per share.
        assert!(kills.contains(&290.0), "{kills:?}");
        let others: Vec<f64> = kills.iter().copied().filter(|at| *at != 290.0).collect();
        assert_eq!(others.len(), 19);
        for at in others {
            let share = (at / 30.0).floor();
            assert!(at >= share * 30.0 + 3.0 && at < share * 30.0 + 27.0, "kill at {at}");
        }
        assert!(plan.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!(schedule(&mut Rng::new(7), 60.0, 0, 0).is_empty());
    }

    #[test]
    fn a_verify_summary_sums_the_quarantine_by_source_or_lists_differences() {
        let out = "truth: 12 jobs, 0 differences\nquarantined: 5 account × JobAccount: short\n\
                   quarantined: 16 account × unknown discriminator\nquarantined: 1 instruction × x\nverify: zero differences\n";
        assert_eq!(
            summary(out, true),
            "truth: 12 jobs, 0 differences; verify: zero differences; quarantined 21 account, 1 instruction"
        );
        assert_eq!(
            summary("DIFF a: expected 1, found 2\nquarantined: 1 account × y\n", false),
            "DIFF a: expected 1, found 2"
        );
    }
}
