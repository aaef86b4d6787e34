//! Ingest benchmark: a reference node produces a chain first (default scenario, fast mode),
//! then the indexer commits all of it from genesis into a real ClickHouse twice: over the gRPC
//! stream (a `from_slot` replay of the whole run) and over JSON-RPC (`backfill`). Prints one
//! JSON line with transactions per second for each and the process's peak RSS.
//!
//! `cargo run --release -p depinscore-indexer --example ingest_bench -- [slots] [seconds_per_slot]`
//! (defaults 2000 slots of 400 s). The node runs in the same process, so the RSS includes its
//! ledger; run `depinscore index` separately to see the indexer's own.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use depinscore_indexer::committer::Committed;
use depinscore_indexer::{CommitConfig, backfill};
use nosana_node::driver::DriverConfig;
use nosana_node::grpc::GrpcConfig;
use nosana_node::ledger::LedgerConfig;
use support::*;
use tokio::sync::watch;

/// The allocator the `depinscore` binary runs with, so the numbers are the product's.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().collect();
    let slots: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let seconds_per_slot: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(400.0);
    let driver = DriverConfig {
        fast: true,
        fast_seconds_per_slot: seconds_per_slot,
        until_slot: Some(slots),
        ..Default::default()
    };
    let ledger = LedgerConfig { replay_slots: u64::MAX / 2, history_slots: None };
    let produce = Instant::now();
    let mut node = Node::start("", 1, driver, GrpcConfig::default(), ledger).await;
    let (truth, summary) = node.finish().await;
    let produce_s = produce.elapsed().as_secs_f64();
    eprintln!("node produced {} slots, {} transactions in {produce_s:.1} s", summary.blocks, summary.transactions);

    // 1. The gRPC stream, replayed from genesis.
    let (_ch1, store) = fresh_store("bench_stream").await;
    let checkpoints = Arc::new(MemoryCheckpoints::default());
    let started = Instant::now();
    // The node's first block is slot 1: a replay from 0 is out of its range (and would be
    // caught up over JSON-RPC instead of measuring the stream).
    let stream = depinscore_indexer::StreamConfig { start_slot: Some(1), ..node.stream_config() };
    let mut indexer = Indexer::start(&node, stream, store.clone(), checkpoints);
    indexer.wait_for(summary.last_slot, Duration::from_secs(3600)).await;
    let stream_s = started.elapsed().as_secs_f64();
    indexer.stop().await;
    let diffs = depinscore_indexer::verify::against_truth(&store, &truth, true).await.unwrap();

    // 2. JSON-RPC backfill of the same range.
    let (_ch2, store2) = fresh_store("bench_backfill").await;
    let started = Instant::now();
    let (progress, _rx) = watch::channel(Committed::default());
    let (_stop, shutdown) = watch::channel(false);
    backfill::backfill(
        &node.rpc_client(),
        store2.clone(),
        Arc::new(MemoryCheckpoints::default()),
        CommitConfig::default(),
        backfill::Range { from: 0, to: summary.last_slot, concurrency: 8 },
        progress,
        shutdown,
    )
    .await
    .unwrap();
    let backfill_s = started.elapsed().as_secs_f64();
    let backfill_diffs = depinscore_indexer::verify::against_truth(&store2, &truth, true).await.unwrap();
    let tx = summary.transactions as f64;
    println!(
        "{}",
        serde_json::json!({
            "slots": summary.blocks,
            "transactions": summary.transactions,
            "produce_seconds": produce_s,
            "stream_seconds": stream_s,
            "stream_tx_per_s": tx / stream_s,
            "backfill_seconds": backfill_s,
            "backfill_tx_per_s": tx / backfill_s,
            "truth_differences_after_stream": diffs.len(),
            "truth_differences_after_backfill": backfill_diffs.len(),
            "peak_rss_mb_process": peak_rss_mb(),
        })
    );
}
