//! The whole reference node as one component: the producer thread, the Yellowstone gRPC server
//! and the JSON-RPC server on pre-bound listeners, stopped together.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use nosana_chain::Chain;
use nosana_reference::Bank;
use nosana_sim::Simulation;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::driver::{self, DriverConfig, DriverSummary};
use crate::grpc::{self, GrpcConfig, GrpcError};
use crate::ledger::{Ledger, LedgerConfig};
use crate::rpc::{self, RpcState};

/// How the node produces and serves.
#[derive(Clone, Debug, Default)]
pub struct NodeOptions {
    pub driver: DriverConfig,
    pub grpc: GrpcConfig,
    pub ledger: LedgerConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("the slot producer panicked")]
    ProducerPanicked,
    #[error(transparent)]
    Grpc(#[from] GrpcError),
    #[error("JSON-RPC server failed: {0}")]
    Rpc(#[from] std::io::Error),
    #[error("a server task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// A running reference node. Must be started inside a tokio runtime.
pub struct RunningNode {
    ledger: Arc<Ledger>,
    stop_producing: Arc<AtomicBool>,
    stop_serving: watch::Sender<bool>,
    producer: Option<std::thread::JoinHandle<(Simulation, DriverSummary)>>,
    grpc: JoinHandle<Result<(), GrpcError>>,
    rpc: JoinHandle<std::io::Result<()>>,
}

impl RunningNode {
    /// Starts producing `sim`'s chain from `bank` on its own thread and serving it on the two
    /// listeners.
    pub fn start(
        sim: Simulation,
        bank: Bank,
        options: NodeOptions,
        grpc_listener: TcpListener,
        rpc_listener: TcpListener,
    ) -> RunningNode {
        let chain = Arc::new(RwLock::new(Chain::new(bank, 0)));
        let ledger = Arc::new(Ledger::new(options.ledger));
        let (events, _) = tokio::sync::broadcast::channel(65_536);
        let offchain = Arc::new(crate::offchain::from_sim(sim.offchain()));
        let (stop_serving, stopped) = watch::channel(false);
        let until_stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let grpc = tokio::spawn(grpc::serve(
            grpc_listener,
            ledger.clone(),
            events.clone(),
            options.grpc,
            until_stopped(stopped.clone()),
        ));
        let rpc_state = RpcState::new(chain.clone(), ledger.clone(), offchain);
        let rpc = tokio::spawn(rpc::serve(rpc_listener, rpc_state, until_stopped(stopped)));
        let stop_producing = Arc::new(AtomicBool::new(false));
        let producer = {
            let (ledger, stop, driver) = (ledger.clone(), stop_producing.clone(), options.driver);
            let mut sim = sim;
            std::thread::spawn(move || {
                let summary = driver::run(&mut sim, &chain, &ledger, &events, &driver, &stop);
                (sim, summary)
            })
        };
        RunningNode { ledger, stop_producing, stop_serving, producer: Some(producer), grpc, rpc }
    }

    /// The blocks produced so far.
    pub fn ledger(&self) -> &Arc<Ledger> {
        &self.ledger
    }

    /// Waits until the producer ends (it reached `until_slot`, or was told to stop) and returns
    /// the simulation and what it produced. Cancel-safe; after it returned once, it waits
    /// forever.
    pub async fn produced(&mut self) -> Result<(Simulation, DriverSummary), NodeError> {
        loop {
            if self.producer.as_ref().is_some_and(|p| p.is_finished()) {
                let producer = self.producer.take().expect("checked just above");
                return producer.join().map_err(|_| NodeError::ProducerPanicked);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the producer has ended, without taking its result. Cancel-safe.
    pub async fn wait_until_produced(&self) {
        while self.is_producing() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether the producer still runs (false once it reached `until_slot`, was stopped, or
    /// panicked).
    pub fn is_producing(&self) -> bool {
        self.producer.as_ref().is_some_and(|p| !p.is_finished())
    }

    /// Stops producing (the servers keep serving what was produced).
    pub fn stop_producing(&self) {
        self.stop_producing.store(true, Ordering::Relaxed);
    }

    /// Stops producing and serving; open Subscribe streams end with `UNAVAILABLE`. Returns the
    /// simulation unless [`produced`](Self::produced) already took it.
    pub async fn shutdown(mut self) -> Result<Option<(Simulation, DriverSummary)>, NodeError> {
        self.stop_producing();
        let produced = match self.producer.is_some() {
            true => Some(self.produced().await?),
            false => None,
        };
        let _ = self.stop_serving.send(true);
        let grpc = (&mut self.grpc).await;
        let rpc = (&mut self.rpc).await;
        grpc??;
        rpc??;
        Ok(produced)
    }
}

impl Drop for RunningNode {
    /// Dropped without [`shutdown`](Self::shutdown) (an early return): the producer thread and
    /// the servers are told to stop, not left running.
    fn drop(&mut self) {
        self.stop_producing();
        let _ = self.stop_serving.send(true);
    }
}
