//! A benchmark, not a timed test: fills a ledger with blocks of NOS transfers and measures
//! getBlock requests per second over loopback. Run it with
//! `cargo test -p nosana-node --release --test rpc -- --ignored --nocapture benchmark`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use nosana_chain::{MessageVersion, Signer, SlotStatus, derive_keypair};
use nosana_node::Ledger;
use nosana_node::ledger::LedgerConfig;
use nosana_node::rpc::RpcState;
use serde_json::json;

use crate::world::{BLOCK_TIME, GENESIS_SLOT, genesis_chain, offchain_data, start, transfer};

const BLOCKS: u64 = 500;
const TXS_PER_BLOCK: u64 = 20;
const CONCURRENCY: usize = 8;
const RUN: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; run with --ignored --nocapture"]
async fn benchmark_get_block_requests_per_second() {
    let alice = Arc::new(derive_keypair(2, "alice"));
    let bob = Arc::new(derive_keypair(2, "bob"));
    let chain = Arc::new(RwLock::new(genesis_chain(&alice, &bob)));
    let ledger = Arc::new(Ledger::new(LedgerConfig::default()));
    let state = RpcState::new(chain.clone(), ledger.clone(), Arc::new(offchain_data()));
    let started = Instant::now();
    for i in 1..=BLOCKS {
        let slot = GENESIS_SLOT + i;
        // Distinct amounts keep every signature in a block distinct.
        let requests: Vec<_> =
            (1..=TXS_PER_BLOCK).map(|a| transfer(&alice, &bob.pubkey(), a, MessageVersion::Legacy)).collect();
        let (block, rejected) = chain.write().unwrap().produce(slot, BLOCK_TIME + i as i64, &requests);
        assert!(rejected.is_empty());
        ledger.insert_block(Arc::new(block));
        for s in [SlotStatus::Processed, SlotStatus::Confirmed, SlotStatus::Finalized] {
            ledger.set_status(slot, &s);
        }
    }
    println!("filled {BLOCKS} blocks x {TXS_PER_BLOCK} transfers in {:.2} s", started.elapsed().as_secs_f64());
    let (url, _shutdown) = start(state).await;
    let client = reqwest::Client::new();

    for (encoding, details) in [("json", "full"), ("base64", "full"), ("json", "signatures")] {
        let done = Arc::new(AtomicU64::new(0));
        let bytes = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + RUN;
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|worker| {
                let (client, url, done, bytes) = (client.clone(), url.clone(), done.clone(), bytes.clone());
                tokio::spawn(async move {
                    let mut n = worker as u64;
                    while Instant::now() < deadline {
                        let slot = GENESIS_SLOT + 1 + (n * 7919) % BLOCKS;
                        n += 1;
                        let body = json!({"jsonrpc": "2.0", "id": n, "method": "getBlock",
                            "params": [slot, {"encoding": encoding, "transactionDetails": details}]});
                        let r = client.post(&url).json(&body).send().await.expect("request");
                        let text = r.bytes().await.expect("body");
                        assert!(text.starts_with(b"{\"id\"") || text.starts_with(b"{\"jsonrpc\""));
                        assert!(!text.windows(8).any(|w| w == b"\"error\":"), "getBlock {slot} failed");
                        done.fetch_add(1, Ordering::Relaxed);
                        bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("worker");
        }
        let n = done.load(Ordering::Relaxed);
        let secs = RUN.as_secs_f64();
        let tx_per_s = if details == "full" { n as f64 * TXS_PER_BLOCK as f64 / secs } else { 0.0 };
        println!(
            "getBlock encoding={encoding} details={details}: {n} requests in {secs:.1} s = {:.0} req/s, \
             {tx_per_s:.0} tx/s, {:.1} MB/s, {} bytes/response ({CONCURRENCY} connections)",
            n as f64 / secs,
            bytes.load(Ordering::Relaxed) as f64 / secs / 1e6,
            bytes.load(Ordering::Relaxed) / n.max(1),
        );
        assert!(n > 0);
    }
}
