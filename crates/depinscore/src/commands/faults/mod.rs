//! `depinscore faults`: the fault campaign. Against a long reference-node stream (a fast
//! history, then live 400 ms slots, with dead forks, duplicated replays, corrupted account data
//! and outdated clients' unknown instructions), it kills the indexer with SIGKILL again and
//! again, drops every gRPC stream every few seconds and stops ClickHouse for a while, then
//! checks with `verify --truth` that nothing was lost, doubled or left unexplained. It fuzzes
//! the decoders with mutations of the chain's own transactions and accounts, and attacks the
//! live API: schemathesis, admin routes without a key, SQL-injection strings in every
//! parameter. Prints one line per check and `N passed, N failed`; fails when any check failed.

mod api;
mod chain;
mod fuzz;

use std::fmt::Display;

use anyhow::Context;
use depinscore_localserver::{ClickHouse, TempDir, free_port};

use crate::commands::procs::Runner;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Minutes of live stream (400 ms slots) the faults run over.
    #[arg(long, default_value_t = 10.0)]
    pub minutes: f64,
    /// Days of simulated history produced before the live stream (compressed 1000×).
    #[arg(long, default_value_t = 3)]
    pub history_days: u32,
    /// SIGKILLs of the indexer at random moments, each followed by a restart.
    #[arg(long, default_value_t = 20)]
    pub kills: u32,
    /// The node ends every gRPC stream this many seconds after it opened.
    #[arg(long, default_value_t = 10.0)]
    pub drop_every_secs: f64,
    /// Seconds ClickHouse is stopped (once, mid-run) before it restarts.
    #[arg(long, default_value_t = 60)]
    pub clickhouse_outage_secs: u64,
    /// Seconds of decoder fuzzing.
    #[arg(long, default_value_t = 600)]
    pub fuzz_secs: u64,
    /// schemathesis examples per API operation.
    #[arg(long, default_value_t = 50)]
    pub api_examples: u32,
    /// Fewest generated API requests that count as a run.
    #[arg(long, default_value_t = 1000)]
    pub api_min_requests: u64,
    /// Seed of the kill schedule and the fuzzer.
    #[arg(long, default_value_t = 20261207)]
    pub seed: u64,
    /// Keep the working directory (logs, ClickHouse data, truth) and print where it is.
    #[arg(long)]
    pub keep: bool,
}

/// Passed and failed checks, printed as they are decided.
#[derive(Debug, Default)]
pub(crate) struct Report {
    passed: u32,
    failed: u32,
}

impl Report {
    pub(crate) fn check(&mut self, name: &str, ok: bool, detail: impl Display) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        println!("{} {name}: {detail}", if ok { "PASS" } else { "FAIL" });
    }
}

/// A small deterministic generator (SplitMix64) for the kill schedule and the mutations.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn run(_settings: &Settings, args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.minutes > 0.0 && args.minutes.is_finite(), "--minutes must be positive");
    anyhow::ensure!(args.drop_every_secs > 0.0, "--drop-every-secs must be positive");
    anyhow::ensure!(args.history_days > 0, "--history-days must be positive");
    let dir = TempDir::new("faults")?;
    eprintln!("working in {}", dir.path().display());
    let mut report = Report::default();
    let result = campaign(args, dir.path(), &mut report);
    if args.keep {
        // Kept whatever happened, the logs of a run that stopped half-way included.
        eprintln!("kept {}", dir.keep().display());
    }
    result?;
    println!("{} passed, {} failed", report.passed, report.failed);
    anyhow::ensure!(report.failed == 0, "{} of {} checks failed", report.failed, report.passed + report.failed);
    Ok(())
}

fn campaign(args: &Args, dir: &std::path::Path, report: &mut Report) -> anyhow::Result<()> {
    let mut clickhouse = ClickHouse::start_in(&dir.join("clickhouse"))
        .context("starting ClickHouse (apt-get install clickhouse-server)")?;
    let ports = chain::Ports { grpc: free_port()?, rpc: free_port()?, node_metrics: free_port()?, api: free_port()? };
    let runner = Runner::new(dir, &clickhouse.http_url(), ports.grpc, ports.rpc, ports.api);
    let mut node = chain::campaign(args, &runner, &mut clickhouse, &ports, report)?;
    fuzz::campaign(args, &ports, report)?;
    api::campaign(args, &runner, &clickhouse, &ports, report)?;
    node.stop();
    Ok(())
}
