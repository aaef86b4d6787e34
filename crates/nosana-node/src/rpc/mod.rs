//! The node's Solana JSON-RPC 2.0 server (HTTP `POST /`), with the request and response shapes
//! and error codes of Agave's RPC, plus the Nosana-backend-style off-chain endpoints under
//! `/api/...` (see [`crate::offchain`]).
//!
//! Accounts are always served from the head bank, i.e. processed state, whatever commitment a
//! request names; `context.slot` is the ledger's newest slot at the requested commitment
//! (finalized by default, as Agave). Blocks and transactions come from the [`Ledger`] and honour
//! the commitment.

pub mod accounts;
pub mod blocks;
pub mod cluster;
pub mod dispatch;
pub mod encode;
pub mod error;
pub mod params;
pub mod server;

use std::sync::{Arc, RwLockReadGuard};

use nosana_chain::{Chain, Commitment, Hash};
use serde_json::{Value, json};

pub use error::{RpcError, RpcResult};
pub use server::{router, serve};

use crate::Ledger;
use crate::offchain::OffchainData;
use crate::state::SharedChain;

/// What the servers read: the chain (head bank), the ledger, and the off-chain data.
#[derive(Clone)]
pub struct RpcState {
    pub chain: SharedChain,
    pub ledger: Arc<Ledger>,
    pub offchain: Arc<OffchainData>,
    /// `getGenesisHash`.
    pub genesis_hash: Hash,
    /// The slot the chain started at: the context slot before anything has been committed.
    pub genesis_slot: u64,
}

impl RpcState {
    /// Takes the genesis hash and slot from the chain's current head, so build it before the
    /// producer's first block (or set the two fields afterwards).
    pub fn new(chain: SharedChain, ledger: Arc<Ledger>, offchain: Arc<OffchainData>) -> Self {
        let (genesis_hash, genesis_slot) = {
            let c = chain.read().unwrap_or_else(|p| p.into_inner());
            (c.last_blockhash(), c.last_slot())
        };
        RpcState { chain, ledger, offchain, genesis_hash, genesis_slot }
    }

    pub(crate) fn chain(&self) -> RwLockReadGuard<'_, Chain> {
        self.chain.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The newest slot at `commitment` (the genesis slot before any).
    pub(crate) fn slot_at(&self, commitment: Commitment) -> u64 {
        self.ledger.latest(commitment).unwrap_or(self.genesis_slot)
    }

    /// `context` for a request at `commitment`, or -32016 when `minContextSlot` is ahead of it.
    pub(crate) fn context(&self, commitment: Commitment, min_context_slot: Option<u64>) -> RpcResult<(u64, Value)> {
        let slot = self.slot_at(commitment);
        if min_context_slot.is_some_and(|min| slot < min) {
            return Err(RpcError::min_context_slot_not_reached(slot));
        }
        Ok((slot, json!({ "slot": slot, "apiVersion": cluster::SOLANA_CORE_VERSION })))
    }
}

/// A method's result: a JSON value, or JSON already written (a block, written straight from
/// its typed form).
pub enum Answer {
    Value(Value),
    Json(Vec<u8>),
}

/// The lowercase name Agave uses for a commitment (`confirmationStatus`).
pub fn commitment_name(c: Commitment) -> &'static str {
    match c {
        Commitment::Processed => "processed",
        Commitment::Confirmed => "confirmed",
        Commitment::Finalized => "finalized",
    }
}
