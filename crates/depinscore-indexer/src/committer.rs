//! Decodes sealed slots and commits them to ClickHouse in batches, repairs the accounts a
//! batch quarantined (read again over JSON-RPC), then advances the durable checkpoint. A failed write is retried with capped backoff until it succeeds or shutdown:
//! slow or absent ClickHouse blocks the channel (backpressure), it never drops a slot.

use std::sync::Arc;
use std::time::{Duration, Instant};

use depinscore_clickhouse::{ChError, ChStore, SlotBatch};
use tokio::sync::{mpsc, watch};

use crate::checkpoint::Checkpoints;
use crate::metrics as m;
use crate::repair::repair_rows;
use crate::rows::{slot_rows, unix_now};
use crate::rpc::RpcClient;
use crate::sealer::SealedSlot;

/// Batching knobs.
#[derive(Clone, Debug)]
pub struct CommitConfig {
    /// Flush after this many slots.
    pub max_slots: usize,
    /// Flush after this many rows (keeps each INSERT far below `max_insert_block_size`).
    pub max_rows: usize,
    /// Flush a non-empty batch after this long.
    pub max_delay: Duration,
    /// Checkpoint name.
    pub stream: String,
}

impl Default for CommitConfig {
    fn default() -> Self {
        Self { max_slots: 512, max_rows: 200_000, max_delay: Duration::from_millis(100), stream: "grpc".into() }
    }
}

/// Progress the committer publishes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Committed {
    pub slot: u64,
    pub block_time: i64,
    pub transactions: u64,
}

/// One slot's rows, decoded.
pub struct DecodedSlot {
    pub rows: SlotBatch,
    pub transactions: u64,
    pub block_time: i64,
}

/// Decode sealed slots into rows on a thread of its own, so decoding overlaps with the stream
/// read and the ClickHouse write. Ends when `slots` closes or the receiver is dropped.
pub fn spawn_decoder(mut slots: mpsc::Receiver<SealedSlot>, capacity: usize) -> mpsc::Receiver<DecodedSlot> {
    let (tx, rx) = mpsc::channel(capacity);
    std::thread::Builder::new()
        .name("decoder".into())
        .spawn(move || {
            while let Some(slot) = slots.blocking_recv() {
                let rows = slot_rows(&slot, unix_now());
                let decoded = DecodedSlot {
                    rows,
                    transactions: slot.transactions.len() as u64,
                    block_time: slot.block.block_time,
                };
                if tx.blocking_send(decoded).is_err() {
                    return;
                }
            }
        })
        .map(|_| ())
        .unwrap_or_else(|e| tracing::error!(error = %e, "cannot start the decoder thread"));
    rx
}

/// Run until the channel closes (then flush) or shutdown (then stop after the current write).
pub async fn run<C: Checkpoints>(
    store: Arc<ChStore>,
    checkpoints: Arc<C>,
    config: CommitConfig,
    rpc: Option<RpcClient>,
    slots: mpsc::Receiver<SealedSlot>,
    progress: watch::Sender<Committed>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut batch = SlotBatch::default();
    let mut batch_slots = 0usize;
    let mut batch_txs = 0u64;
    let mut last_time = 0i64;
    let mut started = Instant::now();
    let mut total = progress.borrow().transactions;
    // One batch decoded ahead is all the overlap there is to gain: while a batch is written the
    // decoder fills the next. A deeper queue only holds more decoded rows in memory when
    // ClickHouse is the slower side.
    let mut slots = spawn_decoder(slots, config.max_slots.clamp(64, 4096));
    loop {
        // With an empty batch, wait for the next slot as long as it takes.
        let wait = if batch_slots > 0 {
            config.max_delay.saturating_sub(started.elapsed())
        } else {
            Duration::from_secs(24 * 3600)
        };
        let next = tokio::select! {
            _ = shutdown.changed() => { if *shutdown.borrow() { return } else { continue } }
            r = tokio::time::timeout(wait, slots.recv()) => r.ok(),
        };
        let mut closed = matches!(next, Some(None));
        if let Some(Some(first)) = next {
            if batch_slots == 0 {
                started = Instant::now();
            }
            // Take everything already decoded (it queued while the last batch was written).
            let mut slot = Some(first);
            while let Some(s) = slot.take() {
                batch_txs += s.transactions;
                last_time = s.block_time;
                m::quarantined(s.rows.quarantine.len());
                batch.append(s.rows);
                batch_slots += 1;
                if batch_slots >= config.max_slots || batch.rows() >= config.max_rows {
                    break;
                }
                match slots.try_recv() {
                    Ok(next) => slot = Some(next),
                    Err(mpsc::error::TryRecvError::Disconnected) => closed = true,
                    Err(mpsc::error::TryRecvError::Empty) => {}
                }
            }
        }
        let full = batch_slots >= config.max_slots || batch.rows() >= config.max_rows;
        let due = batch_slots > 0 && (full || closed || started.elapsed() >= config.max_delay);
        if due {
            let last = batch.last;
            if !write_with_retry(&store, &batch, &mut shutdown).await {
                return;
            }
            if let Some(rpc) = &rpc
                && !repair_with_retry(&store, rpc, &batch, &mut shutdown).await
            {
                return;
            }
            loop {
                match checkpoints.save(&config.stream, last, last_time).await {
                    Ok(()) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "checkpoint save failed; retrying");
                        if sleep_or_shutdown(Duration::from_millis(500), &mut shutdown).await {
                            return;
                        }
                    }
                }
            }
            total += batch_txs;
            m::committed(last, last_time, batch_txs, batch.rows());
            progress.send_replace(Committed { slot: last, block_time: last_time, transactions: total });
            batch = SlotBatch::default();
            batch_slots = 0;
            batch_txs = 0;
        }
        if closed {
            return;
        }
    }
}

async fn sleep_or_shutdown(d: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => *shutdown.borrow(),
        _ = shutdown.changed() => *shutdown.borrow(),
    }
}

/// Stores the current state of every account `batch` quarantined. A node that is unreachable,
/// slow or behind is retried until it answers (false when shut down first); a node that
/// refuses the request or answers nonsense is logged and counted, and the accounts stay
/// quarantined (stale until their next write) rather than the indexer stalling.
async fn repair_with_retry(
    store: &ChStore,
    rpc: &RpcClient,
    batch: &SlotBatch,
    shutdown: &mut watch::Receiver<bool>,
) -> bool {
    if !batch.quarantine.iter().any(|q| q.source == "account") {
        return true;
    }
    let mut backoff = Duration::from_millis(100);
    loop {
        let failure = match repair_rows(rpc, batch, unix_now()).await {
            Ok(rows) => match store.write_account_snapshot(&rows).await {
                Ok(n) => {
                    m::repaired(n);
                    return true;
                }
                Err(e) => e.to_string(),
            },
            Err(e) if e.is_transient() => e.to_string(),
            Err(e) => {
                tracing::error!(error = %e, first = batch.first, last = batch.last, "account repair refused; the accounts stay quarantined");
                m::repair_failed();
                return true;
            }
        };
        tracing::warn!(error = %failure, first = batch.first, last = batch.last, "account repair failed; retrying");
        if sleep_or_shutdown(backoff, shutdown).await {
            return false;
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// How often a write waits for a closed fence to open again.
const FENCE_POLL: Duration = Duration::from_millis(250);

/// Retry until written; false when shut down first. A closed write fence (the stream's lease
/// has run out) is waited out: the lease holder either renews it or stops the indexer.
async fn write_with_retry(store: &ChStore, batch: &SlotBatch, shutdown: &mut watch::Receiver<bool>) -> bool {
    let mut backoff = Duration::from_millis(100);
    loop {
        let started = Instant::now();
        match store.write(batch).await {
            Ok(report) => {
                tracing::debug!(first = batch.first, last = batch.last, rows = batch.rows(), elapsed = ?started.elapsed(), "batch written");
                if report.rows_skipped > 0 {
                    tracing::info!(
                        skipped = report.rows_skipped,
                        first = batch.first,
                        last = batch.last,
                        "replayed rows skipped"
                    );
                }
                return true;
            }
            // Until the lease is renewed (the fence opens again) or lost (shutdown comes).
            Err(ChError::Fenced) => {
                tracing::warn!(first = batch.first, last = batch.last, "{}; waiting", ChError::Fenced);
                if sleep_or_shutdown(FENCE_POLL, shutdown).await {
                    return false;
                }
            }
            Err(e) => {
                m::write_error();
                tracing::warn!(error = %e, first = batch.first, last = batch.last, retry_in = ?backoff, "ClickHouse write failed");
                if sleep_or_shutdown(backoff, shutdown).await {
                    return false;
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}
