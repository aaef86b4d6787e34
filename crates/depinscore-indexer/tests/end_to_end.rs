//! The indexer against the reference node and a real ClickHouse: what it stores equals what
//! happened, whatever the stream does.

mod support;

use std::sync::Arc;
use std::time::Duration;

use depinscore_indexer::{StreamConfig, verify};
use nosana_node::driver::DriverConfig;
use nosana_node::grpc::GrpcConfig;
use nosana_node::ledger::LedgerConfig;
use support::*;

fn fast(until: u64) -> DriverConfig {
    DriverConfig { fast: true, fast_seconds_per_slot: 120.0, until_slot: Some(until), ..Default::default() }
}

async fn assert_no_differences(store: &depinscore_clickhouse::ChStore, node: &Node, truth: &verify::TruthFile) {
    let diffs = verify::against_truth(store, truth, true).await.unwrap();
    assert!(diffs.is_empty(), "{} differences with the truth, first: {:?}", diffs.len(), &diffs[..diffs.len().min(10)]);
    let diffs = verify::against_node(store, &node.rpc_client()).await.unwrap();
    assert!(diffs.is_empty(), "{} differences with the node, first: {:?}", diffs.len(), &diffs[..diffs.len().min(10)]);
    assert!(truth.totals.deposits > 0 && truth.totals.payouts > 0, "the run moved money: {:?}", truth.totals);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_live_run_verify_finds_zero_differences_with_the_truth_and_the_node() {
    let (_clickhouse, store) = fresh_store("e2e_live").await;
    let mut node = Node::start(SMALL, 11, fast(500), GrpcConfig::default(), LedgerConfig::default()).await;
    let checkpoints = Arc::new(MemoryCheckpoints::default());
    let mut indexer = Indexer::start(&node, node.stream_config(), store.clone(), checkpoints);
    let (truth, summary) = node.finish().await;
    indexer.wait_for(summary.last_slot, Duration::from_secs(120)).await;
    indexer.stop().await;
    assert_no_differences(&store, &node, &truth).await;
    let (slots, _, last) = store.slot_range().await.unwrap();
    assert_eq!(last, summary.last_slot);
    assert_eq!(slots, summary.blocks);
    assert_eq!(store.raw_table_count("token_flows").await.unwrap(), store.table_counts().await.unwrap()[4].rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_streams_dead_slots_and_duplicate_replays_leave_zero_differences() {
    let (_clickhouse, store) = fresh_store("e2e_faults").await;
    let driver = DriverConfig { dead_every: Some(7), duplicate_every: Some(5), replay_depth: 4, ..fast(500) };
    let grpc = GrpcConfig { drop_every: Some(Duration::from_millis(700)), ..GrpcConfig::default() };
    let mut node = Node::start(SMALL, 12, driver, grpc, LedgerConfig::default()).await;
    let checkpoints = Arc::new(MemoryCheckpoints::default());
    let mut indexer = Indexer::start(&node, node.stream_config(), store.clone(), checkpoints);
    let (truth, summary) = node.finish().await;
    assert!(summary.dead_blocks > 0);
    // verify checks that nothing of these slots was stored.
    assert_eq!(truth.faults.dead_slots.len() as u64, summary.dead_blocks);
    indexer.wait_for(summary.last_slot, Duration::from_secs(180)).await;
    indexer.stop().await;
    assert_no_differences(&store, &node, &truth).await;
    assert_eq!(store.raw_table_count("token_flows").await.unwrap(), store.table_counts().await.unwrap()[4].rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_indexer_restarted_from_its_checkpoint_loses_and_doubles_nothing() {
    let (_clickhouse, store) = fresh_store("e2e_restart").await;
    let mut node = Node::start(
        SMALL,
        13,
        DriverConfig { slot_ms: 5, ..fast(600) },
        GrpcConfig::default(),
        LedgerConfig { replay_slots: 10_000, history_slots: None },
    )
    .await;
    let checkpoints = Arc::new(MemoryCheckpoints::default());
    for round in 0..3u64 {
        let mut indexer = Indexer::start(&node, node.stream_config(), store.clone(), checkpoints.clone());
        indexer.wait_for(100 * (round + 1), Duration::from_secs(60)).await;
        indexer.stop().await;
    }
    let mut indexer = Indexer::start(&node, node.stream_config(), store.clone(), checkpoints);
    let (truth, summary) = node.finish().await;
    indexer.wait_for(summary.last_slot, Duration::from_secs(120)).await;
    indexer.stop().await;
    assert_no_differences(&store, &node, &truth).await;
    assert_eq!(store.raw_table_count("token_flows").await.unwrap(), store.table_counts().await.unwrap()[4].rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_indexer_behind_the_replay_window_catches_up_over_json_rpc() {
    let (_clickhouse, store) = fresh_store("e2e_catchup").await;
    let ledger = LedgerConfig { replay_slots: 20, history_slots: None };
    let mut node = Node::start(SMALL, 14, fast(400), GrpcConfig::default(), ledger).await;
    let (truth, summary) = node.finish().await;
    // The whole run is over before the indexer starts: from genesis is far outside the window.
    let checkpoints = Arc::new(MemoryCheckpoints::default());
    use depinscore_indexer::Checkpoints;
    checkpoints.save("grpc", 0, 0).await.unwrap();
    let mut indexer = Indexer::start(&node, node.stream_config(), store.clone(), checkpoints);
    indexer.wait_for(summary.last_slot, Duration::from_secs(120)).await;
    indexer.stop().await;
    assert_no_differences(&store, &node, &truth).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clickhouse_stopped_and_restarted_mid_run_leaves_zero_differences() {
    let (mut clickhouse, store) = fresh_store("e2e_ch_restart").await;
    let mut node = Node::start(
        SMALL,
        15,
        fast(900),
        GrpcConfig::default(),
        LedgerConfig { replay_slots: 10_000, history_slots: None },
    )
    .await;
    let checkpoints = Arc::new(MemoryCheckpoints::default());
    let mut indexer = Indexer::start(&node, node.stream_config(), store.clone(), checkpoints);
    indexer.wait_for(20, Duration::from_secs(60)).await;
    clickhouse.stop().unwrap();
    let stopped_at = indexer.progress.borrow().slot;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(indexer.progress.borrow().slot <= stopped_at + 512, "nothing can commit without ClickHouse");
    clickhouse.restart().unwrap();
    let (truth, summary) = node.finish().await;
    indexer.wait_for(summary.last_slot, Duration::from_secs(120)).await;
    indexer.stop().await;
    assert_no_differences(&store, &node, &truth).await;
    assert_eq!(store.raw_table_count("token_flows").await.unwrap(), store.table_counts().await.unwrap()[4].rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_account_data_is_quarantined_then_repaired_from_the_node_and_nothing_else_changes() {
    let (_clickhouse, store) = fresh_store("e2e_corrupt").await;
    let driver = DriverConfig { corrupt_fraction: 0.05, ..fast(400) };
    let mut node = Node::start(SMALL, 16, driver, GrpcConfig::default(), LedgerConfig::default()).await;
    let checkpoints = Arc::new(MemoryCheckpoints::default());
    // Replay from slot 1 over gRPC: a start at 0 is out of range and would catch up over
    // JSON-RPC, which never carries the corrupted streamed account copies (on a loaded machine
    // the whole short run could be caught up that way, leaving nothing to quarantine).
    let config = StreamConfig { start_slot: Some(1), ..node.stream_config() };
    let mut indexer = Indexer::start(&node, config, store.clone(), checkpoints);
    let (truth, summary) = node.finish().await;
    indexer.wait_for(summary.last_slot, Duration::from_secs(120)).await;
    indexer.stop().await;
    // Transactions are intact, so every flow and job still matches the truth, and every
    // quarantined account is one the node corrupted (and every corrupted one is quarantined).
    let diffs = verify::against_truth(&store, &truth, true).await.unwrap();
    assert!(diffs.is_empty(), "{diffs:?}");
    assert!(!truth.faults.corrupted_accounts.is_empty());
    // Streamed from slot 1, every corrupted write was seen: the quarantine is exactly them.
    let quarantined: std::collections::BTreeSet<(u64, String)> =
        store.quarantined_items().await.unwrap().into_iter().map(|q| (q.slot, q.account)).collect();
    let corrupted: std::collections::BTreeSet<(u64, String)> =
        truth.faults.corrupted_accounts.iter().map(|c| (c.slot, c.pubkey.clone())).collect();
    assert_eq!(quarantined, corrupted);
    // A quarantine the truth does not explain is a difference.
    let mut unexplained = truth.clone();
    let dropped = unexplained.faults.corrupted_accounts.pop().unwrap();
    let diffs = verify::against_truth(&store, &unexplained, true).await.unwrap();
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert!(diffs[0].what.starts_with(&format!("quarantined account {}", dropped.pubkey)), "{diffs:?}");
    // Each quarantined account was read again over JSON-RPC: every stored state is the node's.
    let diffs = verify::against_node(&store, &node.rpc_client()).await.unwrap();
    assert!(diffs.is_empty(), "{diffs:?}");
    let quarantined = store.quarantine_counts().await.unwrap();
    let accounts: u64 = quarantined.iter().filter(|q| q.source == "account").map(|q| q.items).sum();
    assert!(accounts > 0, "corrupted writes were quarantined: {quarantined:?}");
    let raw = store
        .client()
        .query("SELECT count() FROM e2e_corrupt.quarantine WHERE length(data) > 0")
        .fetch_one::<u64>()
        .await
        .unwrap();
    assert!(raw >= accounts, "the raw bytes are kept");
}
