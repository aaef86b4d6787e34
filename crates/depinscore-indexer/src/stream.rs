//! Follows a Yellowstone gRPC endpoint: one subscription with the full filter set, resumed with
//! `from_slot` after the checkpoint; reconnects with capped exponential backoff, a watchdog for
//! silent streams, gap filling over JSON-RPC, and a JSON-RPC catch-up when the node answers
//! `OUT_OF_RANGE`.

use std::collections::HashMap;
use std::time::Duration;

use std::sync::Arc;

use depinscore_clickhouse::ChStore;
use futures::{SinkExt, StreamExt};

use crate::checkpoint::Checkpoints;
use nosana_layouts::ids;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};
use yellowstone_grpc_client::GeyserGrpcClient;
use yellowstone_grpc_proto::prelude::{
    CommitmentLevel, SlotStatus, SubscribeRequest, SubscribeRequestFilterAccounts,
    SubscribeRequestFilterAccountsFilter, SubscribeRequestFilterAccountsFilterMemcmp, SubscribeRequestFilterBlocksMeta,
    SubscribeRequestFilterSlots, SubscribeRequestFilterTransactions, SubscribeRequestPing, SubscribeUpdate,
    subscribe_request_filter_accounts_filter::Filter as AccountsFilter,
    subscribe_request_filter_accounts_filter_memcmp::Data as MemcmpData, subscribe_update::UpdateOneof,
};
use yellowstone_grpc_proto::tonic::Code;

use crate::convert;
use crate::fetch::fetch_range;
use crate::metrics as m;
use crate::rpc::RpcClient;
use crate::sealer::{BlockInfo, Commitment, SealedSlot, Sealer};

/// Which transactions to subscribe to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TxFilter {
    /// Transactions touching the five programs or the NOS mint (mainnet). BlockMeta seals a slot.
    Nosana,
    /// Every non-vote transaction; a slot seals only when the count matches BlockMeta.
    All,
}

/// How to follow the stream.
#[derive(Clone, Debug)]
pub struct StreamConfig {
    pub endpoint: String,
    pub x_token: Option<String>,
    pub commitment: Commitment,
    pub filter: TxFilter,
    /// Reconnect when nothing (not even a ping) arrived for this long.
    pub watchdog: Duration,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// Concurrent `getBlock` calls when filling gaps.
    pub rpc_concurrency: usize,
    /// Without a checkpoint, start here (`from_slot`; older than the node's replay window
    /// means a JSON-RPC catch-up first). `None` starts at the live tip.
    pub start_slot: Option<u64>,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            endpoint: "http://127.0.0.1:10000".into(),
            x_token: None,
            commitment: Commitment::Confirmed,
            filter: TxFilter::All,
            watchdog: Duration::from_secs(30),
            backoff_initial: Duration::from_millis(250),
            backoff_max: Duration::from_secs(5),
            rpc_concurrency: 8,
            start_slot: None,
        }
    }
}

fn commitment_level(c: Commitment) -> CommitmentLevel {
    match c {
        Commitment::Processed => CommitmentLevel::Processed,
        Commitment::Confirmed => CommitmentLevel::Confirmed,
        Commitment::Finalized => CommitmentLevel::Finalized,
    }
}

/// The full filter set: Nosana transactions, accounts of the five programs, the NOS mint and
/// NOS token accounts, every slot status, and block metas.
pub fn subscribe_request(config: &StreamConfig, from_slot: Option<u64>) -> SubscribeRequest {
    let programs: Vec<String> = ids::NOSANA_PROGRAM_IDS.iter().map(|p| p.to_string()).collect();
    let mut include = programs.clone();
    include.push(ids::NOS_MINT.to_string());
    let transactions = SubscribeRequestFilterTransactions {
        vote: Some(false),
        failed: None,
        account_include: if config.filter == TxFilter::Nosana { include } else { vec![] },
        ..Default::default()
    };
    let nos_token_accounts = SubscribeRequestFilterAccounts {
        owner: vec![ids::TOKEN_PROGRAM_ID.to_string()],
        filters: vec![
            SubscribeRequestFilterAccountsFilter { filter: Some(AccountsFilter::Datasize(165)) },
            SubscribeRequestFilterAccountsFilter {
                filter: Some(AccountsFilter::Memcmp(SubscribeRequestFilterAccountsFilterMemcmp {
                    offset: 0,
                    data: Some(MemcmpData::Bytes(ids::NOS_MINT.to_bytes().to_vec())),
                })),
            },
        ],
        ..Default::default()
    };
    SubscribeRequest {
        accounts: HashMap::from([
            ("programs".to_string(), SubscribeRequestFilterAccounts { owner: programs, ..Default::default() }),
            (
                "nos_mint".to_string(),
                SubscribeRequestFilterAccounts { account: vec![ids::NOS_MINT.to_string()], ..Default::default() },
            ),
            ("nos_token_accounts".to_string(), nos_token_accounts),
        ]),
        transactions: HashMap::from([("nosana".to_string(), transactions)]),
        slots: HashMap::from([(
            "slots".to_string(),
            SubscribeRequestFilterSlots { filter_by_commitment: Some(false), interslot_updates: Some(false) },
        )]),
        blocks_meta: HashMap::from([("meta".to_string(), SubscribeRequestFilterBlocksMeta {})]),
        commitment: Some(commitment_level(config.commitment) as i32),
        from_slot,
        ..Default::default()
    }
}

/// What the follower reads and writes besides the stream.
pub struct Io<C> {
    pub rpc: RpcClient,
    pub store: Arc<ChStore>,
    pub checkpoints: Arc<C>,
    /// Checkpoint name of the stream; snapshot bookkeeping uses `<stream>/snapshot-*`.
    pub stream: String,
}

impl<C: Checkpoints> Io<C> {
    /// Record that account state must be re-read from a snapshot covering `slot`.
    pub async fn request_snapshot(&self, slot: u64) -> Result<(), String> {
        let name = format!("{}/snapshot-needed", self.stream);
        let current = self.checkpoints.load(&name).await?.unwrap_or(0);
        self.checkpoints.save(&name, current.max(slot), 0).await
    }

    /// True when a requested snapshot has not been taken since.
    pub async fn snapshot_pending(&self) -> Result<bool, String> {
        let needed = self.checkpoints.load(&format!("{}/snapshot-needed", self.stream)).await?;
        let done = self.checkpoints.load(&format!("{}/snapshot-at", self.stream)).await?;
        Ok(match (needed, done) {
            (Some(n), Some(d)) => n > d,
            (Some(_), None) => true,
            (None, _) => false,
        })
    }

    /// Load every account's current state and record it as done.
    pub async fn snapshot(&self) -> Result<(u64, u64), String> {
        let (slot, rows) = crate::backfill::snapshot(&self.rpc, &self.store, crate::rows::unix_now()).await?;
        let name = format!("{}/snapshot-at", self.stream);
        let current = self.checkpoints.load(&name).await?.unwrap_or(0);
        self.checkpoints.save(&name, current.max(slot), 0).await?;
        tracing::info!(slot, rows, "account snapshot");
        Ok((slot, rows))
    }
}

enum Ended {
    Shutdown,
    /// Reconnect after a backoff.
    Retry(&'static str),
    /// The node cannot replay from our checkpoint: catch up over JSON-RPC first.
    OutOfRange,
}

/// Follow the stream until shutdown, sending sealed slots (in chain order) to `out`.
/// `checkpoint` is the last committed slot.
pub async fn follow<C: Checkpoints>(
    config: StreamConfig,
    io: Io<C>,
    checkpoint: Option<u64>,
    out: mpsc::Sender<SealedSlot>,
    mut shutdown: watch::Receiver<bool>,
) {
    let count_gate = config.filter == TxFilter::All;
    let mut sealer = Sealer::new(config.commitment, count_gate, checkpoint);
    let mut backoff = config.backoff_initial;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let from = sealer.last_released().map(|s| s + 1).or(config.start_slot);
        let ended = session(&config, &io, from, &mut sealer, &out, &mut shutdown).await;
        match ended {
            Ended::Shutdown => return,
            Ended::OutOfRange => {
                m::reconnect("out_of_range");
                let head = match io.rpc.slot("confirmed").await {
                    Ok(h) => h,
                    Err(e) => {
                        tracing::warn!(error = %e, "getSlot failed during catch-up");
                        if wait(backoff, &mut shutdown).await {
                            return;
                        }
                        backoff = (backoff * 2).min(config.backoff_max);
                        continue;
                    }
                };
                let start = from.unwrap_or(0);
                tracing::info!(from = start, to = head, "replay window passed; catching up over JSON-RPC");
                match fill(&io, &mut sealer, start, head, config.rpc_concurrency, &out).await {
                    Ok(true) => backoff = config.backoff_initial,
                    Ok(false) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "JSON-RPC catch-up failed");
                        if wait(backoff, &mut shutdown).await {
                            return;
                        }
                        backoff = (backoff * 2).min(config.backoff_max);
                    }
                }
            }
            Ended::Retry(reason) => {
                m::reconnect(reason);
                tracing::warn!(reason, retry_in = ?backoff, "stream ended; reconnecting");
                if wait(backoff, &mut shutdown).await {
                    return;
                }
                backoff = (backoff * 2).min(config.backoff_max);
            }
        }
    }
}

async fn wait(d: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => *shutdown.borrow(),
        _ = shutdown.changed() => *shutdown.borrow(),
    }
}

/// Fetch `from..=to` over JSON-RPC into `out`; the sealer continues after it. Blocks carry no
/// account writes, so the current state of every account is then loaded as a snapshot.
async fn fill<C: Checkpoints>(
    io: &Io<C>,
    sealer: &mut Sealer,
    from: u64,
    to: u64,
    concurrency: usize,
    out: &mpsc::Sender<SealedSlot>,
) -> Result<bool, crate::rpc::RpcError> {
    // Durable before any filled slot is committed: a restart must still take the snapshot.
    io.request_snapshot(to).await.map_err(|e| crate::rpc::RpcError::Shape { method: "checkpoint", detail: e })?;
    fetch_range(&io.rpc, from, to, concurrency, |slot| {
        let out = out.clone();
        async move { out.send(slot).await.is_ok() }
    })
    .await?;
    if out.is_closed() {
        return Ok(false);
    }
    sealer.resume_after(to);
    if let Err(e) = io.snapshot().await {
        // Still requested: the next start takes it.
        tracing::warn!(error = %e, "account snapshot after JSON-RPC fill failed");
    }
    Ok(true)
}

async fn session<C: Checkpoints>(
    config: &StreamConfig,
    io: &Io<C>,
    from_slot: Option<u64>,
    sealer: &mut Sealer,
    out: &mpsc::Sender<SealedSlot>,
    shutdown: &mut watch::Receiver<bool>,
) -> Ended {
    let request = subscribe_request(config, from_slot);
    let builder = match GeyserGrpcClient::build_from_shared(config.endpoint.clone()) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, endpoint = %config.endpoint, "bad gRPC endpoint");
            return Ended::Retry("bad_endpoint");
        }
    };
    // Providers serve Yellowstone over TLS: https:// endpoints verify against the system's roots.
    let builder = if config.endpoint.starts_with("https://") {
        match builder.tls_config(tonic::transport::ClientTlsConfig::new().with_native_roots()) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, endpoint = %config.endpoint, "TLS setup failed");
                return Ended::Retry("tls");
            }
        }
    } else {
        builder
    };
    let builder = match builder.x_token(config.x_token.clone()) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "bad x-token");
            return Ended::Retry("bad_token");
        }
    };
    let connect = builder.max_decoding_message_size(1 << 30).connect_timeout(Duration::from_secs(5)).connect();
    let mut client = tokio::select! {
        c = connect => match c {
            Ok(c) => c,
            Err(e) => { tracing::warn!(error = %e, "gRPC connect failed"); return Ended::Retry("connect"); }
        },
        _ = shutdown.changed() => return Ended::Shutdown,
    };
    let (mut sink, mut stream) = match client.subscribe_with_request(Some(request.clone())).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "subscribe failed");
            return Ended::Retry("subscribe");
        }
    };
    tracing::info!(from_slot = ?from_slot, endpoint = %config.endpoint, "subscribed");
    let mut gap_since: Option<tokio::time::Instant> = None;
    let mut ping_id = 0i32;
    loop {
        let next = tokio::select! {
            _ = shutdown.changed() => if *shutdown.borrow() { return Ended::Shutdown } else { continue },
            n = tokio::time::timeout(config.watchdog, stream.next()) => n,
        };
        let update: SubscribeUpdate = match next {
            Err(_) => {
                tracing::warn!(watchdog = ?config.watchdog, "no message from the stream; reconnecting");
                return Ended::Retry("watchdog");
            }
            Ok(None) => return Ended::Retry("ended"),
            Ok(Some(Err(status))) => {
                if status.code() == Code::OutOfRange {
                    tracing::warn!(message = status.message(), "from_slot out of range");
                    return Ended::OutOfRange;
                }
                tracing::warn!(code = ?status.code(), message = status.message(), "stream error");
                return Ended::Retry("error");
            }
            Ok(Some(Ok(u))) => u,
        };
        match update.update_oneof {
            Some(UpdateOneof::Transaction(t)) => {
                match t.transaction.as_ref().map(|i| convert::transaction(t.slot, i)) {
                    Some(Ok(tx)) => sealer.on_transaction(tx),
                    Some(Err(e)) => {
                        // A transaction we cannot read would break the count gate: refetch the slot
                        // over JSON-RPC by treating it as a gap.
                        tracing::error!(slot = t.slot, error = %e, "unreadable transaction update");
                        m::quarantined(1);
                    }
                    None => tracing::error!(slot = t.slot, "transaction update without transaction"),
                }
            }
            Some(UpdateOneof::Account(a)) => match convert::account(&a) {
                Ok(acc) => sealer.on_account(acc),
                Err(e) => {
                    tracing::error!(slot = a.slot, error = %e, "unreadable account update");
                    m::quarantined(1);
                }
            },
            Some(UpdateOneof::BlockMeta(b)) => sealer.on_block(BlockInfo {
                slot: b.slot,
                parent_slot: b.parent_slot,
                block_time: b.block_time.map(|t| t.timestamp).unwrap_or(0),
                block_height: b.block_height.map(|h| h.block_height).unwrap_or(0),
                blockhash: b.blockhash,
                executed_transaction_count: b.executed_transaction_count,
            }),
            Some(UpdateOneof::Slot(s)) => {
                let status = match SlotStatus::try_from(s.status) {
                    Ok(SlotStatus::SlotProcessed) => {
                        m::head_slot(s.slot, sealer.last_released());
                        Some(Some(Commitment::Processed))
                    }
                    Ok(SlotStatus::SlotConfirmed) => Some(Some(Commitment::Confirmed)),
                    Ok(SlotStatus::SlotFinalized) => Some(Some(Commitment::Finalized)),
                    Ok(SlotStatus::SlotDead) => Some(None),
                    _ => None,
                };
                if let Some(status) = status {
                    sealer.on_status(s.slot, status);
                }
            }
            Some(UpdateOneof::Ping(_)) => {
                ping_id = ping_id.wrapping_add(1);
                let mut pong = request.clone();
                pong.ping = Some(SubscribeRequestPing { id: ping_id });
                if sink.send(pong).await.is_err() {
                    return Ended::Retry("ping");
                }
            }
            _ => {}
        }
        for slot in sealer.release() {
            if out.send(slot).await.is_err() {
                return Ended::Shutdown;
            }
        }
        match sealer.gap() {
            None => gap_since = None,
            Some((from, to)) => {
                let since = *gap_since.get_or_insert_with(tokio::time::Instant::now);
                if since.elapsed() >= Duration::from_millis(500) {
                    tracing::warn!(from, to, "stream skipped slots; filling over JSON-RPC");
                    match fill(io, sealer, from, to, config.rpc_concurrency, out).await {
                        Ok(true) => gap_since = None,
                        Ok(false) => return Ended::Shutdown,
                        Err(e) => {
                            tracing::warn!(error = %e, "gap fill failed");
                            return Ended::Retry("gap_fill");
                        }
                    }
                    for slot in sealer.release() {
                        if out.send(slot).await.is_err() {
                            return Ended::Shutdown;
                        }
                    }
                }
            }
        }
    }
}
