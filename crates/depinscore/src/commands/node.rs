//! `depinscore node`: the reference node. Runs the simulated Nosana chain and serves it over
//! Yellowstone gRPC and Solana JSON-RPC (with Nosana-style off-chain endpoints) until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use nosana_chain::Chain;
use nosana_node::driver::{self, DriverConfig};
use nosana_node::grpc::{self, GrpcConfig, Stall};
use nosana_node::ledger::{Ledger, LedgerConfig};
use nosana_node::rpc::{self, RpcState};
use nosana_sim::{Scenario, Simulation};

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
    /// Require this x-token on gRPC calls.
    #[arg(long)]
    x_token: Option<String>,
}

pub fn run(_settings: &Settings, args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.compression > 0.0, "--compression must be positive");
    anyhow::ensure!((0.0..=1.0).contains(&args.corrupt_fraction), "--corrupt-fraction must be within 0..=1");
    let scenario = match &args.scenario {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Scenario::from_toml(&text).with_context(|| format!("scenario {}", path.display()))?
        }
        None => Scenario::default_scenario(),
    };
    let (mut sim, bank) = Simulation::new(&scenario, args.seed).context("building the world")?;
    let chain = Arc::new(RwLock::new(Chain::new(bank, 0)));
    let ledger =
        Arc::new(Ledger::new(LedgerConfig { replay_slots: args.replay_slots, history_slots: args.history_slots }));
    let (events, _keep) = tokio::sync::broadcast::channel(65_536);
    let driver_config = DriverConfig {
        slot_ms: args.slot_ms,
        fast: args.fast,
        fast_seconds_per_slot: 0.4 * args.compression,
        until_slot: args.until_slot,
        dead_every: args.dead_every,
        duplicate_every: args.duplicate_every,
        corrupt_fraction: args.corrupt_fraction,
        commitment_delay: args.commitment_delay,
        ..DriverConfig::default()
    };
    let grpc_config = GrpcConfig {
        x_token: args.x_token.clone(),
        drop_every: args.drop_every_secs.map(Duration::from_secs_f64),
        stall: args.stall_every_secs.zip(args.stall_for_secs).map(|(every, length)| Stall {
            every: Duration::from_secs_f64(every),
            length: Duration::from_secs_f64(length),
        }),
        ..GrpcConfig::default()
    };
    let offchain = Arc::new(nosana_node::offchain::from_sim(sim.offchain()));
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let grpc_listener =
            tokio::net::TcpListener::bind(args.grpc).await.with_context(|| format!("binding {}", args.grpc))?;
        let rpc_listener =
            tokio::net::TcpListener::bind(args.rpc).await.with_context(|| format!("binding {}", args.rpc))?;
        println!("gRPC (Yellowstone) listening on http://{}", grpc_listener.local_addr()?);
        println!("JSON-RPC listening on http://{}", rpc_listener.local_addr()?);
        println!("Off-chain API on http://{}/api/markets", rpc_listener.local_addr()?);

        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let rpc_state = RpcState::new(chain.clone(), ledger.clone(), offchain);
        let grpc_task = tokio::spawn(grpc::serve(
            grpc_listener,
            ledger.clone(),
            events.clone(),
            grpc_config,
            stopped(stop_rx.clone()),
        ));
        let rpc_task = tokio::spawn(rpc::serve(rpc_listener, rpc_state, stopped(stop_rx.clone())));

        let stop_flag = Arc::new(AtomicBool::new(false));
        let producer = {
            let (chain, ledger, events, stop_flag) = (chain.clone(), ledger.clone(), events.clone(), stop_flag.clone());
            std::thread::spawn(move || {
                let summary = driver::run(&mut sim, &chain, &ledger, &events, &driver_config, &stop_flag);
                (sim, summary)
            })
        };
        let producer_done = {
            let stop_flag = stop_flag.clone();
            async move {
                while !producer.is_finished() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let _ = &stop_flag;
                }
                producer.join()
            }
        };
        tokio::pin!(producer_done);
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let (joined, interrupted) = tokio::select! {
            _ = &mut ctrl_c => {
                stop_flag.store(true, Ordering::Relaxed);
                ((&mut producer_done).await, true)
            }
            joined = &mut producer_done => (joined, false),
        };
        let (sim, summary) = joined.map_err(|_| anyhow::anyhow!("the producer thread panicked"))?;
        println!("{}", serde_json::to_string(&summary)?);
        // The truth is written as soon as the run ends, so a follower can be verified while
        // the node keeps serving.
        if let Some(path) = &args.truth {
            let json = serde_json::to_vec(sim.truth())?;
            std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
            println!("ground truth written to {}", path.display());
        }
        if !interrupted && !args.exit_at_end {
            println!("reached slot {}; serving until Ctrl-C", args.until_slot.unwrap_or_default());
            let _ = ctrl_c.await;
        }
        let _ = stop_tx.send(true);
        grpc_task.await.context("gRPC task")?.context("gRPC server")?;
        rpc_task.await.context("JSON-RPC task")?.context("JSON-RPC server")?;
        Ok(())
    })
}
