//! Throughput of the Yellowstone gRPC server to one subscriber (the official client), in
//! transactions per second received. Not a test: it prints numbers.
//!
//! `cargo run --release -p nosana-node --example grpc_bench -- [total_txs] [txs_per_block]`
//!
//! Blocks are built once with real signed transactions (a handful of distinct banks, re-slotted),
//! then pushed through the ledger and the event broadcast as the producer does, with at most a
//! window of blocks in flight so the measure is the stream's rate, not a queue filling up.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{GENESIS_SLOT, Node, World};
use futures::StreamExt;
use nosana_chain::{Block, MessageVersion, SlotStatus};
use nosana_node::NodeEvent;
use nosana_node::grpc::GrpcConfig;
use yellowstone_grpc_client::GeyserGrpcClient;
use yellowstone_grpc_proto::prelude::subscribe_update::UpdateOneof;
use yellowstone_grpc_proto::prelude::{
    SubscribeRequest, SubscribeRequestFilterBlocksMeta, SubscribeRequestFilterTransactions,
};

/// Blocks the producer may be ahead of the subscriber.
const WINDOW: u64 = 8;
/// Distinct banks built with real transactions and reused under new slot numbers.
const TEMPLATES: usize = 8;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let total: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let per_block: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let blocks = total.div_ceil(per_block);

    let built = Instant::now();
    let mut w = World::new();
    let mut templates: Vec<Block> = vec![];
    for t in 0..TEMPLATES as u64 {
        let requests: Vec<_> = (0..per_block)
            .map(|i| {
                let version = if i % 2 == 0 { MessageVersion::Legacy } else { MessageVersion::V0 };
                w.token_transfer(1 + i + t * per_block, version)
            })
            .collect();
        templates.push(w.produce(GENESIS_SLOT + 1 + t, &requests).0);
    }
    println!("built {TEMPLATES} banks of {per_block} transactions in {:.1?}", built.elapsed());

    let node = Node::start(GrpcConfig::default()).await;
    let mut client = GeyserGrpcClient::build_from_shared(node.endpoint())
        .unwrap()
        .max_decoding_message_size(1 << 30)
        .connect()
        .await
        .unwrap();
    let request = SubscribeRequest {
        transactions: HashMap::from([("all".to_string(), SubscribeRequestFilterTransactions::default())]),
        blocks_meta: HashMap::from([("meta".to_string(), SubscribeRequestFilterBlocksMeta::default())]),
        ..Default::default()
    };
    let (_sink, mut stream) = client.subscribe_with_request(Some(request)).await.unwrap();
    // Let the server apply the request before producing.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let sealed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let producer = {
        let sealed = sealed.clone();
        let ledger = node.ledger.clone();
        let events = node.events.clone();
        tokio::spawn(async move {
            for n in 0..blocks {
                while n >= sealed.load(Ordering::Acquire) + WINDOW {
                    tokio::task::yield_now().await;
                }
                let mut block = templates[(n as usize) % TEMPLATES].clone();
                block.slot = GENESIS_SLOT + 100 + n;
                block.parent_slot = block.slot - 1;
                block.block_height = 100 + n;
                let block = Arc::new(block);
                ledger.insert_block(block.clone());
                let _ = events.send(NodeEvent::Block(block.clone()));
                ledger.set_status(block.slot, &SlotStatus::Processed);
                let _ = events.send(NodeEvent::Status {
                    slot: block.slot,
                    parent: Some(block.parent_slot),
                    status: SlotStatus::Processed,
                });
            }
        })
    };

    let mut txs = 0u64;
    let mut bytes = 0usize;
    while sealed.load(Ordering::Acquire) < blocks {
        let update = stream.next().await.expect("stream open").expect("no error");
        match update.update_oneof {
            Some(UpdateOneof::Transaction(t)) => {
                txs += 1;
                bytes += t.transaction.map(|i| i.signature.len()).unwrap_or(0);
            }
            Some(UpdateOneof::BlockMeta(_)) => {
                sealed.fetch_add(1, Ordering::Release);
            }
            _ => {}
        }
    }
    let elapsed = start.elapsed();
    producer.await.unwrap();
    assert_eq!(txs, blocks * per_block);
    assert_eq!(bytes as u64, txs * 64);
    println!(
        "received {txs} transactions in {blocks} blocks in {elapsed:.2?}: {:.0} transactions/s",
        txs as f64 / elapsed.as_secs_f64()
    );
}
