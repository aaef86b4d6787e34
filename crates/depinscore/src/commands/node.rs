//! `depinscore node`: the reference node. Runs the simulated Nosana chain and serves it over
//! Yellowstone gRPC and Solana JSON-RPC (with Nosana-style off-chain endpoints) until Ctrl-C.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use nosana_node::driver::DriverConfig;
use nosana_node::grpc::{GrpcConfig, Stall};
use nosana_node::ledger::LedgerConfig;
use nosana_node::{NodeOptions, RunningNode};
use nosana_sim::{Scenario, Simulation};
use tokio::net::TcpListener;

use crate::commands::{metrics_server, stores};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file (TOML) laid over the default scenario; the default world without it.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Seed of every random draw: the same scenario and seed give byte-identical blocks.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Yellowstone gRPC listen address.
    #[arg(long, default_value = "127.0.0.1:10000")]
    grpc: SocketAddr,
    /// JSON-RPC and off-chain HTTP listen address.
    #[arg(long, default_value = "127.0.0.1:8899")]
    rpc: SocketAddr,
    /// Produce slots as fast as possible; block time advances `0.4 s × compression` per slot.
    #[arg(long)]
    fast: bool,
    /// Fast mode: block-time compression factor (1000 → 400 s of block time per slot).
    #[arg(long, default_value_t = 1000.0)]
    compression: f64,
    /// History, then live: produce slots up to this one as in --fast (compressed block time),
    /// then in real time (`depinscore demo` runs the node this way).
    #[arg(long, conflicts_with = "fast")]
    live_after: Option<u64>,
    /// Wall-clock milliseconds per slot in real-time mode.
    #[arg(long, default_value_t = 400)]
    slot_ms: u64,
    /// Stop producing after this slot (keep serving until Ctrl-C unless --exit-at-end).
    #[arg(long)]
    until_slot: Option<u64>,
    /// Exit once --until-slot is reached.
    #[arg(long, requires = "until_slot")]
    exit_at_end: bool,
    /// Write the ground truth (JSON) here on exit.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Slots behind the head a gRPC `from_slot` may replay.
    #[arg(long, default_value_t = 150)]
    replay_slots: u64,
    /// Slots of history kept for JSON-RPC (all when unset).
    #[arg(long)]
    history_slots: Option<u64>,
    /// Fault: end every gRPC stream this many seconds after it opened.
    #[arg(long)]
    drop_every_secs: Option<f64>,
    /// Fault: stall every gRPC stream every N seconds ...
    #[arg(long, requires = "stall_for_secs")]
    stall_every_secs: Option<f64>,
    /// ... for this many seconds.
    #[arg(long)]
    stall_for_secs: Option<f64>,
    /// Fault: every N slots a forked block that dies.
    #[arg(long)]
    dead_every: Option<u64>,
    /// Fault: every N slots announce the last 3 blocks again.
    #[arg(long)]
    duplicate_every: Option<u64>,
    /// Fault: fraction of Nosana account writes whose streamed data is corrupted.
    #[arg(long, default_value_t = 0.0)]
    corrupt_fraction: f64,
    /// Fault: extra slots before confirmed/finalized statuses are released.
    #[arg(long, default_value_t = 0)]
    commitment_delay: u64,
    /// Prometheus `/metrics` listen address (blocks, transactions, head slot, subscriptions).
    #[arg(long)]
    metrics: Option<SocketAddr>,
    /// Require this x-token on gRPC calls.
    #[arg(long)]
    x_token: Option<String>,
}

pub fn run(_settings: &Settings, args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.compression > 0.0, "--compression must be positive");
    anyhow::ensure!((0.0..=1.0).contains(&args.corrupt_fraction), "--corrupt-fraction must be within 0..=1");
    let scenario = load_scenario(args.scenario.as_deref())?;
    let (sim, bank) = Simulation::new(&scenario, args.seed).context("building the world")?;
    let options = NodeOptions {
        driver: DriverConfig {
            slot_ms: args.slot_ms,
            fast: args.fast,
            fast_seconds_per_slot: 0.4 * args.compression,
            live_after: args.live_after,
            until_slot: args.until_slot,
            dead_every: args.dead_every,
            duplicate_every: args.duplicate_every,
            corrupt_fraction: args.corrupt_fraction,
            commitment_delay: args.commitment_delay,
            ..DriverConfig::default()
        },
        grpc: GrpcConfig {
            x_token: args.x_token.clone(),
            drop_every: args.drop_every_secs.map(Duration::from_secs_f64),
            stall: args.stall_every_secs.zip(args.stall_for_secs).map(|(every, length)| Stall {
                every: Duration::from_secs_f64(every),
                length: Duration::from_secs_f64(length),
            }),
            ..GrpcConfig::default()
        },
        ledger: LedgerConfig { replay_slots: args.replay_slots, history_slots: args.history_slots },
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let (grpc_listener, rpc_listener) = bind(args.grpc, args.rpc).await?;
        println!("gRPC (Yellowstone) listening on http://{}", grpc_listener.local_addr()?);
        println!("JSON-RPC listening on http://{}", rpc_listener.local_addr()?);
        println!("Off-chain API on http://{}/api/markets", rpc_listener.local_addr()?);
        let mut shutdown = stores::shutdown_signal();
        let metrics = match args.metrics {
            Some(addr) => {
                let listener = TcpListener::bind(addr).await.with_context(|| format!("binding {addr} (--metrics)"))?;
                println!("metrics on http://{}/metrics", listener.local_addr()?);
                let handle = metrics_server::install()?;
                Some(tokio::spawn(metrics_server::serve(listener, handle, shutdown.clone())))
            }
            None => None,
        };
        let mut node = RunningNode::start(sim, bank, options, grpc_listener, rpc_listener);
        let interrupted = tokio::select! {
            _ = shutdown.wait_for(|s| *s) => true,
            _ = node.wait_until_produced() => false,
        };
        node.stop_producing();
        let (sim, summary) = node.produced().await?;
        println!("{}", serde_json::to_string(&summary)?);
        // The truth is written as soon as the run ends, so a follower can be verified while the
        // node keeps serving.
        if let Some(path) = &args.truth {
            std::fs::write(path, serde_json::to_vec(&nosana_node::truth::with_faults(sim.truth(), &summary)?)?)
                .with_context(|| format!("writing {}", path.display()))?;
            println!("ground truth written to {}", path.display());
        }
        if !interrupted && !args.exit_at_end {
            println!("reached slot {}; serving until Ctrl-C", args.until_slot.unwrap_or_default());
            let _ = shutdown.wait_for(|s| *s).await;
        }
        node.shutdown().await?;
        if let Some(m) = metrics {
            m.abort();
        }
        Ok(())
    })
}

/// The scenario file laid over the default scenario, or the default world.
pub fn load_scenario(path: Option<&Path>) -> anyhow::Result<Scenario> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Scenario::from_toml(&text).with_context(|| format!("scenario {}", path.display()))
        }
        None => Ok(Scenario::default_scenario()),
    }
}

/// Binds the gRPC and JSON-RPC listeners.
pub async fn bind(grpc: SocketAddr, rpc: SocketAddr) -> anyhow::Result<(TcpListener, TcpListener)> {
    let grpc_listener = TcpListener::bind(grpc).await.with_context(|| format!("binding {grpc}"))?;
    let rpc_listener = TcpListener::bind(rpc).await.with_context(|| format!("binding {rpc}"))?;
    Ok((grpc_listener, rpc_listener))
}
