//! A node for gRPC tests: a real chain (signed transactions over the reference program's
//! genesis), a ledger, the event broadcast, and the gRPC server on 127.0.0.1:0. Tests drive it
//! by producing blocks and statuses the way the producer does (ledger first, then the event).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use nosana_chain::{Block, Chain, CommitmentTracker, Lags, MessageVersion, SlotStatus, TxRequest, derive_keypair};
use nosana_chain::{Keypair, Signer};
use nosana_layouts::ids::{NOS, TOKEN_PROGRAM_ID};
use nosana_layouts::pda;
use nosana_node::events::EventSender;
use nosana_node::grpc::{GrpcConfig, GrpcError};
use nosana_node::ledger::LedgerConfig;
use nosana_node::{Ledger, NodeEvent};
use nosana_reference::ProgramConfig;
use nosana_reference::client::spl;
use nosana_reference::genesis::Genesis;
use solana_pubkey::Pubkey;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

pub const GENESIS_SLOT: u64 = 1_000;

pub struct World {
    pub chain: Chain,
    pub alice: Arc<Keypair>,
    pub bob: Arc<Keypair>,
    pub tracker: CommitmentTracker,
    pub time: i64,
}

impl World {
    pub fn new() -> Self {
        let mut g = Genesis::new(ProgramConfig::default());
        let alice = Arc::new(derive_keypair(1, "alice"));
        let bob = Arc::new(derive_keypair(1, "bob"));
        g.fund(&alice.pubkey(), 1_000_000_000_000);
        g.fund(&bob.pubkey(), 1_000_000_000_000);
        g.mint_nos(&alice.pubkey(), 1_000_000 * NOS).unwrap();
        g.mint_nos(&bob.pubkey(), 0).unwrap();
        World {
            chain: Chain::new(g.bank, GENESIS_SLOT),
            alice,
            bob,
            tracker: CommitmentTracker::new(Lags { confirm: 1, finalize: 3 }),
            time: 1_750_000_000,
        }
    }

    /// A NOS transfer alice → bob (token program).
    pub fn token_transfer(&self, amount: u64, version: MessageVersion) -> TxRequest {
        let (a, b) = (self.alice.pubkey(), self.bob.pubkey());
        TxRequest {
            payer: self.alice.clone(),
            signers: vec![],
            instructions: vec![spl::transfer(&pda::nos_ata(&a), &pda::nos_ata(&b), &a, amount)],
            version,
        }
    }

    /// A SOL transfer bob → alice (system program only).
    pub fn sol_transfer(&self, lamports: u64) -> TxRequest {
        TxRequest {
            payer: self.bob.clone(),
            signers: vec![],
            instructions: vec![spl::system_transfer(&self.bob.pubkey(), &self.alice.pubkey(), lamports)],
            version: MessageVersion::Legacy,
        }
    }

    /// A transfer of more NOS than bob holds: included, failed.
    pub fn failing_transfer(&self) -> TxRequest {
        let (a, b) = (self.alice.pubkey(), self.bob.pubkey());
        TxRequest {
            payer: self.bob.clone(),
            signers: vec![],
            instructions: vec![spl::transfer(&pda::nos_ata(&b), &pda::nos_ata(&a), &b, u64::MAX / 2)],
            version: MessageVersion::Legacy,
        }
    }

    /// The standard mix: two token transfers (legacy, v0), a SOL transfer, a failing transfer.
    pub fn mix(&self) -> Vec<TxRequest> {
        vec![
            self.token_transfer(NOS, MessageVersion::Legacy),
            self.sol_transfer(1_000),
            self.token_transfer(2 * NOS, MessageVersion::V0),
            self.failing_transfer(),
        ]
    }

    /// Produces `slot` with `requests`; returns the block and the statuses now due.
    pub fn produce(&mut self, slot: u64, requests: &[TxRequest]) -> (Block, Vec<(u64, SlotStatus)>) {
        self.time += 1;
        let (block, rejected) = self.chain.produce(slot, self.time, requests);
        assert!(rejected.is_empty(), "rejected: {rejected:?}");
        let statuses = self.tracker.produced(slot);
        (block, statuses)
    }

    pub fn produce_dead(&mut self, slot: u64, requests: &[TxRequest]) -> (Block, Vec<(u64, SlotStatus)>) {
        self.time += 1;
        let (block, _) = self.chain.produce_dead(slot, self.time, requests);
        (block, self.tracker.dead(slot, "fork abandoned"))
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

pub fn token_program() -> Pubkey {
    TOKEN_PROGRAM_ID
}

pub struct Node {
    pub addr: SocketAddr,
    pub ledger: Arc<Ledger>,
    pub events: EventSender,
    shutdown: Option<oneshot::Sender<()>>,
    pub server: Option<JoinHandle<Result<(), GrpcError>>>,
}

impl Node {
    pub async fn start(config: GrpcConfig) -> Node {
        Node::start_with(config, LedgerConfig::default(), 65_536).await
    }

    pub async fn start_with(config: GrpcConfig, ledger: LedgerConfig, broadcast_capacity: usize) -> Node {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let ledger = Arc::new(Ledger::new(ledger));
        let (events, _) = broadcast::channel(broadcast_capacity);
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(nosana_node::grpc::serve(listener, ledger.clone(), events.clone(), config, async {
            let _ = rx.await;
        }));
        Node { addr, ledger, events, shutdown: Some(tx), server: Some(server) }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Records and announces a block, as the producer does.
    pub fn block(&self, block: Block) -> Arc<Block> {
        let block = Arc::new(block);
        self.ledger.insert_block(block.clone());
        let _ = self.events.send(NodeEvent::Block(block.clone()));
        block
    }

    pub fn status(&self, slot: u64, status: SlotStatus) {
        self.ledger.set_status(slot, &status);
        let parent = self.ledger.slot_state(slot).and_then(|s| s.parent);
        let _ = self.events.send(NodeEvent::Status { slot, parent, status });
    }

    /// A produced block and its statuses.
    pub fn publish(&self, (block, statuses): (Block, Vec<(u64, SlotStatus)>)) -> Arc<Block> {
        let block = self.block(block);
        for (slot, status) in statuses {
            self.status(slot, status);
        }
        block
    }

    pub async fn stop(&mut self) -> Result<(), GrpcError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.server.take() {
            Some(handle) => handle.await.expect("server task"),
            None => Ok(()),
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
