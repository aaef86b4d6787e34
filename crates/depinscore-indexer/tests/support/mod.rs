//! A reference node in-process, a real ClickHouse database per test, and an in-memory
//! checkpoint, for end-to-end tests of the indexer.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use depinscore_clickhouse::{ChConfig, ChStore};
use depinscore_indexer::committer::Committed;
use depinscore_indexer::rpc::RpcClient;
use depinscore_indexer::verify::TruthFile;
use depinscore_indexer::{CommitConfig, Commitment, StreamConfig, TxFilter};
use nosana_chain::Chain;
use nosana_node::driver::{self, DriverConfig, DriverSummary};
use nosana_node::grpc::{self, GrpcConfig};
use nosana_node::ledger::{Ledger, LedgerConfig};
use nosana_node::rpc::{self, RpcState};
use nosana_sim::{Scenario, Simulation};
use tokio::sync::watch;

pub const SMALL: &str = "[nodes]\ncount = 60\noperators = 15\nlargest_operator_share = 0.25\n[projects]\ncount = 8\n[stakers]\ncount = 10\n";

/// A real ClickHouse server of the test's own, and a migrated store on it.
pub async fn fresh_store(database: &str) -> (depinscore_localserver::ClickHouse, Arc<ChStore>) {
    let server = tokio::task::spawn_blocking(depinscore_localserver::ClickHouse::start).await.unwrap().unwrap();
    let cfg = ChConfig { url: server.http_url(), database: database.into(), ..ChConfig::default() };
    let store = Arc::new(ChStore::open(&cfg, 1).await.unwrap());
    (server, store)
}

/// Checkpoints in memory (the binary keeps them in SQLite or Postgres).
#[derive(Default)]
pub struct MemoryCheckpoints(Mutex<HashMap<String, u64>>);

impl depinscore_indexer::Checkpoints for MemoryCheckpoints {
    async fn load(&self, stream: &str) -> Result<Option<u64>, String> {
        Ok(self.0.lock().unwrap().get(stream).copied())
    }
    async fn save(&self, stream: &str, slot: u64, _block_time: i64) -> Result<(), String> {
        let mut m = self.0.lock().unwrap();
        let e = m.entry(stream.to_string()).or_insert(slot);
        if slot < *e {
            return Err(format!("checkpoint would move back from {} to {slot}", *e));
        }
        *e = slot;
        Ok(())
    }
}

pub struct Node {
    pub grpc: String,
    pub rpc: String,
    pub ledger: Arc<Ledger>,
    stop: watch::Sender<bool>,
    producer: Option<std::thread::JoinHandle<(Simulation, DriverSummary)>>,
    pub halt: Arc<AtomicBool>,
}

impl Node {
    /// Start the servers and the producer.
    pub async fn start(
        scenario: &str,
        seed: u64,
        driver: DriverConfig,
        grpc_config: GrpcConfig,
        ledger: LedgerConfig,
    ) -> Node {
        let scenario = Scenario::from_toml(scenario).unwrap();
        let (mut sim, bank) = Simulation::new(&scenario, seed).unwrap();
        let chain = Arc::new(RwLock::new(Chain::new(bank, 0)));
        let ledger = Arc::new(Ledger::new(ledger));
        let (events, _) = tokio::sync::broadcast::channel(100_000);
        let offchain = Arc::new(nosana_node::offchain::from_sim(sim.offchain()));
        let grpc_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let rpc_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (grpc_addr, rpc_addr) = (grpc_listener.local_addr().unwrap(), rpc_listener.local_addr().unwrap());
        let (stop, stop_rx) = watch::channel(false);
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        tokio::spawn(grpc::serve(grpc_listener, ledger.clone(), events.clone(), grpc_config, stopped(stop_rx.clone())));
        tokio::spawn(rpc::serve(
            rpc_listener,
            RpcState::new(chain.clone(), ledger.clone(), offchain),
            stopped(stop_rx),
        ));
        let halt = Arc::new(AtomicBool::new(false));
        let producer = {
            let (ledger, halt) = (ledger.clone(), halt.clone());
            std::thread::spawn(move || {
                let summary = driver::run(&mut sim, &chain, &ledger, &events, &driver, &halt);
                (sim, summary)
            })
        };
        Node {
            grpc: format!("http://{grpc_addr}"),
            rpc: format!("http://{rpc_addr}"),
            ledger,
            stop,
            producer: Some(producer),
            halt,
        }
    }

    pub fn rpc_client(&self) -> RpcClient {
        RpcClient::new(&self.rpc, Duration::from_secs(30)).unwrap()
    }

    pub fn stream_config(&self) -> StreamConfig {
        StreamConfig {
            endpoint: self.grpc.clone(),
            commitment: Commitment::Confirmed,
            filter: TxFilter::All,
            watchdog: Duration::from_secs(5),
            backoff_initial: Duration::from_millis(50),
            backoff_max: Duration::from_millis(500),
            start_slot: Some(0),
            ..StreamConfig::default()
        }
    }

    /// Wait for the producer to reach its last slot; the truth as the CLI writes it.
    pub async fn finish(&mut self) -> (TruthFile, DriverSummary) {
        let producer = self.producer.take().expect("producer running");
        let (sim, summary) = tokio::task::spawn_blocking(move || producer.join().unwrap()).await.unwrap();
        let json = nosana_node::truth::with_faults(sim.truth(), &summary).unwrap();
        (serde_json::from_value(json).unwrap(), summary)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.halt.store(true, Ordering::Relaxed);
        let _ = self.stop.send(true);
    }
}

/// A running indexer.
pub struct Indexer {
    pub progress: watch::Receiver<Committed>,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

impl Indexer {
    pub fn start(
        node: &Node,
        stream: StreamConfig,
        store: Arc<ChStore>,
        checkpoints: Arc<MemoryCheckpoints>,
    ) -> Indexer {
        let (progress_tx, progress) = watch::channel(Committed::default());
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(depinscore_indexer::index(
            stream,
            CommitConfig::default(),
            node.rpc_client(),
            store,
            checkpoints,
            progress_tx,
            shutdown_rx,
        ));
        Indexer { progress, shutdown, task }
    }

    /// Wait until slot `slot` is committed.
    pub async fn wait_for(&mut self, slot: u64, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if self.progress.borrow().slot >= slot {
                return;
            }
            let got = self.progress.borrow().slot;
            if tokio::time::timeout_at(deadline, self.progress.changed()).await.is_err() {
                panic!("the indexer reached slot {got}, not {slot}, in {within:?}");
            }
        }
    }

    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        self.task.await.unwrap().unwrap();
    }
}
