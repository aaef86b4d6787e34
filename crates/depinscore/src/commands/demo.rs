//! `depinscore demo`: the whole product on this machine with no configuration. A managed local
//! ClickHouse, the reference node (a fast history, then live 400 ms slots), the indexer, the
//! score, the report in `reports/out/` and the API, until Ctrl-C. A second run reuses the data:
//! the node regenerates the same chain and the indexer resumes from its checkpoint.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use depinscore_indexer::Committed;
use depinscore_inputs::Follower;
use depinscore_localserver::ClickHouse;
use indicatif::{ProgressBar, ProgressStyle};
use nosana_node::driver::DriverConfig;
use nosana_node::{NodeOptions, RunningNode};
use nosana_sim::{Scenario, Simulation};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::commands::{config, import, index, metrics_server, node, report, score, serve, stores};
use crate::settings::{DatabaseSettings, DemoSettings, Settings};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Stop once the first report is written, instead of following live until Ctrl-C.
    #[arg(long)]
    exit_after_report: bool,
}

/// Seconds of chain time per live slot (the node's real-time slot length).
const SLOT_SECONDS: f64 = DriverConfig::DEFAULT_SLOT_MS as f64 / 1000.0;

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    config::check(settings)?;
    let demo = &settings.demo;
    let data_dir = PathBuf::from(&demo.data_dir);
    std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {} (demo.data_dir)", data_dir.display()))?;
    let scenario_path = (!demo.scenario.is_empty()).then(|| PathBuf::from(&demo.scenario));
    let scenario = node::load_scenario(scenario_path.as_deref()).context("demo.scenario")?;
    let mut settings = settings.clone();
    if settings.database.url == DatabaseSettings::default().url {
        settings.database.url = format!("sqlite://{}", data_dir.join("depinscore.db").display());
    }
    let clickhouse = if demo.managed_clickhouse {
        let dir = data_dir.join("clickhouse");
        println!("starting ClickHouse in {}", dir.display());
        let server = ClickHouse::start_in(&dir).context(
            "starting a local ClickHouse (install Debian's clickhouse-server, or set demo.managed_clickhouse = false \
             and clickhouse.url)",
        )?;
        settings.clickhouse.url = server.http_url();
        settings.clickhouse.user = "default".into();
        settings.clickhouse.password = String::new();
        println!("ClickHouse on {}", server.http_url());
        Some(server)
    } else {
        None
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    // The API and the indexer run as local tasks of this thread (the relational store's futures
    // are not `Send`); what they spawn runs on the runtime's workers.
    let result = runtime.block_on(tokio::task::LocalSet::new().run_until(run_async(settings, &scenario, args)));
    drop(runtime);
    if let Some(mut server) = clickhouse {
        println!("stopping ClickHouse");
        server.stop().context("stopping ClickHouse")?;
    }
    result
}

/// What makes the demo's chain: a rerun must produce the same blocks as the run whose data it
/// resumes, or the stores would mix two chains.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct ChainIdentity {
    seed: u64,
    history_days: u32,
    compression: u32,
    scenario: serde_json::Value,
}

/// Records the chain in `data_dir/chain.json` while nothing is indexed (`resume` 0); refuses a
/// rerun on other terms once something is.
fn same_chain_as_before(demo: &DemoSettings, scenario: &Scenario, resume: u64) -> anyhow::Result<()> {
    let now = ChainIdentity {
        seed: demo.seed,
        history_days: demo.history_days,
        compression: demo.compression,
        scenario: serde_json::to_value(scenario)?,
    };
    let path = Path::new(&demo.data_dir).join("chain.json");
    match std::fs::read(&path) {
        Ok(bytes) if resume > 0 => {
            let before: ChainIdentity =
                serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))?;
            anyhow::ensure!(
                before == now,
                "{} holds a chain made with other demo settings (seed {}, {} history days, compression {}, or another \
                 scenario); restore them, or remove {} to start over",
                demo.data_dir,
                before.seed,
                before.history_days,
                before.compression,
                demo.data_dir
            );
            Ok(())
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("reading {}", path.display()))
        }
        _ => std::fs::write(&path, serde_json::to_vec_pretty(&now)?)
            .with_context(|| format!("writing {}", path.display())),
    }
}

/// The last slot of the fast history: `history_days` of chain time at `compression`.
pub fn history_last_slot(days: u32, compression: u32) -> u64 {
    let seconds_per_slot = SLOT_SECONDS * f64::from(compression);
    DriverConfig::default().first_slot + (f64::from(days) * 86_400.0 / seconds_per_slot).ceil() as u64
}

async fn run_async(mut settings: Settings, scenario: &Scenario, args: &Args) -> anyhow::Result<()> {
    let (stop_tx, shutdown) = watch::channel(false);
    stores::send_on_signal(stop_tx.clone());

    // The stores, migrated; where the indexer stopped last time.
    stores::clickhouse(&settings).await?;
    let resume = stores::sql(&settings).await?.checkpoint(&settings.indexer.stream).await?.map_or(0, |c| c.slot);
    same_chain_as_before(&settings.demo, scenario, resume)?;

    // The reference node on free loopback ports.
    let demo = settings.demo.clone();
    let (sim, bank) = Simulation::new(scenario, demo.seed).context("building the world")?;
    let operators = sim.truth().operator_wallets();
    let history_last = history_last_slot(demo.history_days, demo.compression);
    let options = NodeOptions {
        driver: DriverConfig {
            fast_seconds_per_slot: SLOT_SECONDS * f64::from(demo.compression),
            live_after: Some(history_last),
            catch_up_to: resume,
            ..DriverConfig::default()
        },
        ..NodeOptions::default()
    };
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let (grpc_listener, rpc_listener) = node::bind(loopback, loopback).await?;
    settings.indexer.grpc = format!("http://{}", grpc_listener.local_addr()?);
    settings.indexer.rpc = format!("http://{}", rpc_listener.local_addr()?);
    settings.indexer.start = "genesis".into();
    settings.offchain.url = format!("{}/api", settings.indexer.rpc);
    let node = RunningNode::start(sim, bank, options, grpc_listener, rpc_listener);
    println!("reference node: gRPC {} · JSON-RPC {}", settings.indexer.grpc, settings.indexer.rpc);

    // The API (with the process's metrics) and the indexer.
    let api_listener = bind_api(&settings.api.listen).await?;
    let metrics = metrics_server::install()?;
    let api: JoinHandle<anyhow::Result<()>> = {
        let (settings, shutdown) = (settings.clone(), shutdown.clone());
        tokio::task::spawn_local(async move { serve::serve_api(&settings, api_listener, metrics, shutdown).await })
    };
    let (progress_tx, progress) = watch::channel(Committed { slot: resume, ..Committed::default() });
    let mut indexer: Option<JoinHandle<anyhow::Result<()>>> = {
        let (settings, shutdown) = (settings.clone(), shutdown.clone());
        Some(tokio::task::spawn_local(async move { index::follow(&settings, progress_tx, shutdown).await }))
    };

    let parts = Parts { node: &node, api: &api, indexer: &mut indexer, progress, shutdown };
    let outcome = follow(&settings, args, &operators, history_last, resume, parts).await;

    // Everything stops, whatever ended the run; the first failure is the one reported.
    let _ = stop_tx.send(true);
    let indexed = match indexer {
        Some(handle) => joined(handle.await, "indexer"),
        None => Ok(()),
    };
    let served = joined(api.await, "API");
    let node_stopped = node.shutdown().await.map(|_| ()).context("stopping the reference node");
    outcome.and(indexed).and(served).and(node_stopped)?;
    println!("stopped cleanly; `depinscore demo` again resumes from here");
    Ok(())
}

/// Waits for the indexer to end (forever once it has ended); an end before shutdown is an error.
async fn indexer_ended(
    indexer: &mut Option<JoinHandle<anyhow::Result<()>>>,
    shutdown: &watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let Some(handle) = indexer.as_mut() else { return std::future::pending().await };
    let result = handle.await;
    *indexer = None;
    joined(result, "indexer")?;
    anyhow::ensure!(*shutdown.borrow(), "the indexer stopped on its own");
    Ok(())
}

fn joined(result: Result<anyhow::Result<()>, tokio::task::JoinError>, what: &str) -> anyhow::Result<()> {
    result.with_context(|| format!("the {what} task stopped"))?.with_context(|| format!("the {what}"))
}

/// `api.listen`, or any free loopback port when it is taken.
async fn bind_api(listen: &str) -> anyhow::Result<TcpListener> {
    match TcpListener::bind(listen).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            tracing::warn!(%listen, "api.listen is taken; the API takes a free port instead");
            TcpListener::bind("127.0.0.1:0").await.context("binding a loopback port for the API")
        }
        Err(e) => Err(e).with_context(|| format!("binding {listen} (api.listen)")),
    }
}

/// What the demo runs, as `follow` watches it.
struct Parts<'a> {
    node: &'a RunningNode,
    api: &'a JoinHandle<anyhow::Result<()>>,
    indexer: &'a mut Option<JoinHandle<anyhow::Result<()>>>,
    progress: watch::Receiver<Committed>,
    shutdown: watch::Receiver<bool>,
}

impl Parts<'_> {
    /// An error once the API or the node's producer has stopped before shutdown.
    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.api.is_finished(), "the API stopped");
        anyhow::ensure!(self.node.is_producing(), "the reference node stopped producing");
        Ok(())
    }

    /// The node's newest slot.
    fn head(&self) -> u64 {
        self.node.ledger().head().unwrap_or(0)
    }
}

/// Indexes the history with a progress bar, scores and reports, then follows live (re-scoring
/// every `demo.rescore_secs`) until shutdown. Ends early when the indexer, the API or the node
/// stops on its own.
async fn follow(
    settings: &Settings,
    args: &Args,
    operators: &BTreeMap<String, String>,
    history_last: u64,
    resume: u64,
    mut parts: Parts<'_>,
) -> anyhow::Result<()> {
    let stopped = parts.shutdown.clone();
    let days = settings.demo.history_days;
    if resume >= history_last {
        println!("history already indexed (checkpoint at slot {resume}); scoring now");
    } else {
        println!("indexing {days} days of history (slots {}..={history_last}) ...", resume + 1);
    }
    let bar = ProgressBar::new(history_last);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] slot {pos}/{len} {per_sec} eta {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_position(resume.min(history_last));
    let started = Instant::now();
    let mut last_line = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    while parts.progress.borrow().slot < history_last {
        let ticked = tokio::select! {
            biased;
            _ = parts.shutdown.wait_for(|s| *s) => return Ok(()),
            result = indexer_ended(parts.indexer, &stopped) => return result,
            _ = parts.progress.changed() => false,
            _ = tick.tick() => true,
        };
        if ticked {
            parts.check()?;
        }
        let p = *parts.progress.borrow();
        bar.set_position(p.slot.min(history_last));
        bar.set_message(format!("{} transactions · node at slot {}", p.transactions, parts.head()));
        if bar.is_hidden() && last_line.elapsed() >= Duration::from_secs(10) {
            println!("indexed slot {}/{history_last} ({} transactions)", p.slot, p.transactions);
            last_line = Instant::now();
        }
    }
    bar.finish_and_clear();
    let p = *parts.progress.borrow();
    if resume < history_last {
        println!(
            "history indexed through slot {} ({} transactions) in {:.1} s",
            p.slot,
            p.transactions,
            started.elapsed().as_secs_f64()
        );
    }
    // The score follows the indexed chain: each re-score folds only the slots indexed since.
    let mut follower = None;
    score_and_report(settings, operators, &mut follower).await?;
    if args.exit_after_report {
        return Ok(());
    }
    println!("following the live chain (400 ms slots); Ctrl-C stops everything");
    let rescore = Duration::from_secs(settings.demo.rescore_secs.min(365 * 86_400));
    let mut next_score = Instant::now() + rescore;
    let mut status = tokio::time::interval(Duration::from_secs(10));
    loop {
        tokio::select! {
            biased;
            _ = parts.shutdown.wait_for(|s| *s) => return Ok(()),
            result = indexer_ended(parts.indexer, &stopped) => return result,
            _ = status.tick() => {}
        }
        parts.check()?;
        let (head, p) = (parts.head(), *parts.progress.borrow());
        println!("live: node at slot {head}, indexed through {} ({} behind)", p.slot, head.saturating_sub(p.slot));
        if !rescore.is_zero() && Instant::now() >= next_score {
            if let Err(e) = score_and_report(settings, operators, &mut follower).await {
                tracing::warn!(error = %format!("{e:#}"), "re-scoring failed; the previous report stays");
            }
            next_score = Instant::now() + rescore;
        }
    }
}

/// Imports node specs, markets and prices from the node's off-chain API (`offchain.url`) and
/// names each node's operator.
async fn import_offchain(settings: &Settings, operators: &BTreeMap<String, String>) -> anyhow::Result<()> {
    let (store, report) = import::import(settings, &settings.offchain.url).await?;
    let mut nodes = store.nodes().await?;
    for n in &mut nodes {
        n.operator = operators.get(&n.address).cloned();
    }
    store.upsert_nodes(&nodes).await?;
    println!("off-chain import: {}", report.summary());
    Ok(())
}

/// Imports the off-chain data, computes and stores the score, then writes its report into
/// `report.out_dir`.
async fn score_and_report(
    settings: &Settings,
    operators: &BTreeMap<String, String>,
    follower: &mut Option<Follower>,
) -> anyhow::Result<()> {
    import_offchain(settings, operators).await?;
    let started = Instant::now();
    let (snapshot, _) = score::follow_and_store(settings, follower).await.context("computing the score")?;
    println!(
        "builder score {:.1} (snapshot {}, {:.1} s)",
        snapshot.body.score.composite,
        snapshot.id,
        started.elapsed().as_secs_f64()
    );
    let out = Path::new(&settings.report.out_dir);
    let formats = ["html", "markdown", "json", "pdf"];
    for path in report::write(settings, Some(&snapshot.id), &formats, out, true).await? {
        println!("report: {}", path.display());
    }
    Ok(())
}
