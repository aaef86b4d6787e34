//! `geyser.Geyser` as upstream's server answers it: Subscribe over our events and ledger, the
//! unary calls from the ledger at the requested commitment, `UNIMPLEMENTED` for the Triton and
//! gossip extensions.

use std::pin::Pin;
use std::sync::Arc;

use futures::Stream;
use nosana_chain::Commitment;
use tonic::{Request, Response, Status, Streaming};
use yellowstone_grpc_proto::geyser::geyser_server::Geyser;
use yellowstone_grpc_proto::prelude::*;

use super::filter;
use super::subscriber::{self, Shared, SubscribeStream};
use crate::ledger::Ledger;

/// Blockhashes stay valid for this many blocks (Solana's `MAX_RECENT_BLOCKHASHES`).
pub const MAX_RECENT_BLOCKHASHES: u64 = 300;
/// The proto version we serve.
pub const PROTO_VERSION: &str = "14.0.1";
/// The Solana version the node claims: the same as JSON-RPC `getVersion`.
pub const SOLANA_VERSION: &str = crate::rpc::cluster::SOLANA_CORE_VERSION;

type Boxed<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

pub struct GeyserService {
    shared: Arc<Shared>,
}

impl GeyserService {
    pub fn new(shared: Arc<Shared>) -> Self {
        GeyserService { shared }
    }

    fn ledger(&self) -> &Ledger {
        &self.shared.ledger
    }

    /// The newest canonical slot at `commitment` with its block height and hash.
    fn latest(&self, commitment: Option<i32>) -> Result<(u64, u64, String), Status> {
        let commitment = unary_commitment(commitment)?;
        let not_yet = || Status::internal("block is not available yet");
        let slot = self.ledger().latest(commitment).ok_or_else(not_yet)?;
        let block = self.ledger().block(slot).ok_or_else(not_yet)?;
        Ok((slot, block.block_height, block.blockhash_base58()))
    }
}

/// Upstream answers an unknown commitment value on the unary calls with `UNKNOWN`.
fn unary_commitment(value: Option<i32>) -> Result<Commitment, Status> {
    filter::commitment(value).map_err(|e| Status::unknown(e.to_string()))
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_string())
}

/// `GetVersion`'s JSON in upstream's shape.
pub fn version_json() -> String {
    serde_json::json!({
        "version": {
            "package": "depinscore-node",
            "version": env!("CARGO_PKG_VERSION"),
            "proto": PROTO_VERSION,
            "solana": SOLANA_VERSION,
            "git": option_env!("DEPINSCORE_GIT").unwrap_or("unknown"),
            "rustc": option_env!("DEPINSCORE_RUSTC").unwrap_or("unknown"),
            "buildts": option_env!("DEPINSCORE_BUILDTS").unwrap_or("unknown"),
        },
        "extra": { "hostname": hostname() },
    })
    .to_string()
}

#[tonic::async_trait]
impl Geyser for GeyserService {
    type SubscribeStream = SubscribeStream;

    async fn subscribe(
        &self,
        request: Request<Streaming<SubscribeRequest>>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        Ok(Response::new(subscriber::open(self.shared.clone(), request.into_inner())))
    }

    type SubscribeDeshredStream = Boxed<SubscribeUpdateDeshred>;

    async fn subscribe_deshred(
        &self,
        _request: Request<Streaming<SubscribeDeshredRequest>>,
    ) -> Result<Response<Self::SubscribeDeshredStream>, Status> {
        Err(Status::unimplemented("not implemented"))
    }

    type SubscribeGossipStream = Boxed<SubscribeUpdateGossip>;

    async fn subscribe_gossip(
        &self,
        _request: Request<SubscribeGossipRequest>,
    ) -> Result<Response<Self::SubscribeGossipStream>, Status> {
        Err(Status::unimplemented("not implemented"))
    }

    async fn subscribe_replay_info(
        &self,
        _request: Request<SubscribeReplayInfoRequest>,
    ) -> Result<Response<SubscribeReplayInfoResponse>, Status> {
        Ok(Response::new(SubscribeReplayInfoResponse { first_available: self.ledger().first_available() }))
    }

    async fn ping(&self, request: Request<PingRequest>) -> Result<Response<PongResponse>, Status> {
        Ok(Response::new(PongResponse { count: request.into_inner().count }))
    }

    async fn get_latest_blockhash(
        &self,
        request: Request<GetLatestBlockhashRequest>,
    ) -> Result<Response<GetLatestBlockhashResponse>, Status> {
        let (slot, height, blockhash) = self.latest(request.into_inner().commitment)?;
        Ok(Response::new(GetLatestBlockhashResponse {
            slot,
            blockhash,
            last_valid_block_height: height + MAX_RECENT_BLOCKHASHES,
        }))
    }

    async fn get_block_height(
        &self,
        request: Request<GetBlockHeightRequest>,
    ) -> Result<Response<GetBlockHeightResponse>, Status> {
        let (_, block_height, _) = self.latest(request.into_inner().commitment)?;
        Ok(Response::new(GetBlockHeightResponse { block_height }))
    }

    async fn get_slot(&self, request: Request<GetSlotRequest>) -> Result<Response<GetSlotResponse>, Status> {
        let (slot, _, _) = self.latest(request.into_inner().commitment)?;
        Ok(Response::new(GetSlotResponse { slot }))
    }

    async fn is_blockhash_valid(
        &self,
        request: Request<IsBlockhashValidRequest>,
    ) -> Result<Response<IsBlockhashValidResponse>, Status> {
        let request = request.into_inner();
        let (slot, height, _) = self.latest(request.commitment)?;
        let valid = match bs58::decode(&request.blockhash).into_vec() {
            Ok(hash) if hash.len() == 32 => recent_blockhash(self.ledger(), slot, height, &hash),
            _ => false,
        };
        Ok(Response::new(IsBlockhashValidResponse { slot, valid }))
    }

    async fn get_version(&self, _request: Request<GetVersionRequest>) -> Result<Response<GetVersionResponse>, Status> {
        Ok(Response::new(GetVersionResponse { version: version_json() }))
    }
}

/// How far back (in slots) the blockhash window is looked for: 300 blocks even with many
/// skipped slots.
const BLOCKHASH_SCAN_SLOTS: u64 = 4_096;

/// Whether `hash` is the blockhash of one of the last `MAX_RECENT_BLOCKHASHES` canonical blocks
/// up to `slot` (whose height is `height`).
fn recent_blockhash(ledger: &Ledger, slot: u64, height: u64, hash: &[u8]) -> bool {
    let oldest_height = height.saturating_sub(MAX_RECENT_BLOCKHASHES - 1);
    for s in ledger.canonical_slots(slot.saturating_sub(BLOCKHASH_SCAN_SLOTS), slot).iter().rev() {
        let Some(block) = ledger.header(*s) else { continue };
        if block.block_height < oldest_height {
            return false;
        }
        if block.blockhash[..] == *hash {
            return true;
        }
    }
    false
}
