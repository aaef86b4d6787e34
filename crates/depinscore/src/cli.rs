//! Command line: global options and one subcommand per job.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands;
use crate::settings::Settings;

#[derive(Debug, Parser)]
#[command(name = "depinscore", version, about = "Nosana chain indexer and builder-score backend")]
pub struct Cli {
    /// Settings file (TOML); every key can also come from DEPINSCORE__SECTION__KEY.
    #[arg(short, long, global = true, env = "DEPINSCORE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the reference program through a scripted life of the network (market, node, stake,
    /// job, payment, fee, emission, rewards, burn) and print every transaction and the
    /// resulting accounts.
    Lifecycle(commands::lifecycle::Args),
    /// Run the reference node: the simulated Nosana chain served over Yellowstone gRPC and
    /// Solana JSON-RPC (plus Nosana-style off-chain HTTP), until Ctrl-C.
    Node(commands::node::Args),
    /// Apply the ClickHouse and relational database migrations.
    Migrate(commands::migrate::Args),
    /// Follow a Yellowstone gRPC stream into ClickHouse, exactly once, until Ctrl-C.
    Index(commands::index::Args),
    /// Fetch history over JSON-RPC into ClickHouse (resumable); optionally snapshot accounts.
    Backfill(commands::backfill::Args),
    /// Import node specs and locations, markets and NOS/USD prices from the off-chain API.
    Import(commands::import::Args),
    /// Compare ClickHouse with the node and the ground truth; non-zero exit on any difference.
    Verify(commands::verify::Args),
    /// Compute the builder score from the stores (or a Parquet export), store the snapshot and
    /// print it.
    Score(commands::score::Args),
    /// Write the score's input frames as Parquet for offline reruns.
    Export(commands::export::Args),
    /// Serve the HTTP API (scores, metrics, explorer, treasury, hexes, reports) until Ctrl-C.
    Serve(commands::serve::Args),
    /// Render the builder-score report of a stored snapshot (HTML, Markdown, JSON, PDF).
    Report(commands::report::Args),
    /// Create, list or revoke the API keys admin routes need.
    ApiKey(commands::api_key::Args),
    /// The whole product on this machine with no configuration: a local ClickHouse, the
    /// reference node, the indexer (history, then live), the score, the report in
    /// reports/out/ and the API, until Ctrl-C. A second run reuses the data.
    Demo(commands::demo::Args),
    /// Validate the settings and print the effective ones with secrets masked.
    Config(commands::config::Args),
    /// The system benchmark: a throw-away ClickHouse, the reference node and the product's
    /// commands as processes; prints one JSON summary of ingest, lag, engine, report and API
    /// figures beside their targets.
    Bench(commands::bench::Args),
    /// The fault campaign: SIGKILLs of the indexer, dropped streams, a ClickHouse outage, dead
    /// slots, replays, corrupted accounts and unknown instructions on a long stream, then
    /// `verify --truth`; decoder fuzzing; attacks on the live API. Prints `N passed, N failed`.
    Faults(commands::faults::Args),
}

impl Cli {
    pub fn run(self) -> anyhow::Result<()> {
        let settings = Settings::load(self.config.as_deref())?;
        crate::logging::init(&settings.log)?;
        match self.command {
            Command::Lifecycle(args) => commands::lifecycle::run(&settings, &args),
            Command::Node(args) => commands::node::run(&settings, &args),
            Command::Migrate(args) => commands::migrate::run(&settings, &args),
            Command::Index(args) => commands::index::run(&settings, &args),
            Command::Backfill(args) => commands::backfill::run(&settings, &args),
            Command::Import(args) => commands::import::run(&settings, &args),
            Command::Verify(args) => commands::verify::run(&settings, &args),
            Command::Score(args) => commands::score::run(&settings, &args),
            Command::Export(args) => commands::export::run(&settings, &args),
            Command::Serve(args) => commands::serve::run(&settings, &args),
            Command::Report(args) => commands::report::run(&settings, &args),
            Command::ApiKey(args) => commands::api_key::run(&settings, &args),
            Command::Demo(args) => commands::demo::run(&settings, &args),
            Command::Config(args) => commands::config::run(&settings, &args),
            Command::Bench(args) => commands::bench::run(&settings, &args),
            Command::Faults(args) => commands::faults::run(&settings, &args),
        }
    }
}
