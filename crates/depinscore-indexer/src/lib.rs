//! The indexer: follows a Yellowstone gRPC endpoint (the bundled reference node, or a mainnet
//! provider) and commits every Nosana transaction, instruction, job event, token flow, account
//! state and quarantined item to ClickHouse exactly once, in chain order, behind a durable
//! checkpoint. JSON-RPC fills gaps, catches up after `OUT_OF_RANGE`, backfills history and
//! loads snapshots; `verify` compares what was stored with the node and the ground truth.

pub mod backfill;
pub mod checkpoint;
pub mod committer;
pub mod convert;
pub mod fetch;
mod metrics;
pub mod repair;
pub mod rows;
pub mod rpc;
pub mod sealer;
pub mod stream;
pub mod verify;

pub use checkpoint::Checkpoints;
pub use committer::{CommitConfig, Committed};
pub use sealer::{Commitment, SealedSlot, Sealer};
pub use stream::{StreamConfig, TxFilter};

use std::sync::Arc;

use depinscore_clickhouse::ChStore;
use tokio::sync::{mpsc, watch};

/// Follow the stream from the checkpoint until `shutdown` turns true. `progress` starts at the
/// checkpoint and reports each committed batch.
pub async fn index<C: Checkpoints>(
    stream: StreamConfig,
    commit: CommitConfig,
    rpc: rpc::RpcClient,
    store: Arc<ChStore>,
    checkpoints: Arc<C>,
    progress: watch::Sender<Committed>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), String> {
    let checkpoint = checkpoints.load(&commit.stream).await?;
    tracing::info!(checkpoint = ?checkpoint, "starting the indexer");
    // What is committed already counts: a restarted indexer with nothing new to commit still
    // reports the slot it resumed from, not zero.
    if let Some(slot) = checkpoint {
        progress.send_if_modified(|c| {
            let behind = c.slot < slot;
            c.slot = c.slot.max(slot);
            behind
        });
    }
    let io = stream::Io {
        rpc: rpc.clone(),
        store: store.clone(),
        checkpoints: checkpoints.clone(),
        stream: commit.stream.clone(),
    };
    if checkpoint.is_none() {
        // Accounts created before the first streamed slot (genesis, or history the stream
        // does not replay) only exist in a snapshot.
        io.request_snapshot(0).await?;
    }
    if io.snapshot_pending().await? {
        // The node may not answer yet (both just started): retry with the stream's backoff.
        let mut wait = stream.backoff_initial;
        let mut stop = shutdown.clone();
        while let Err(e) = io.snapshot().await {
            tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "account snapshot failed; retrying");
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|s| *s) => return Ok(()),
            }
            wait = (wait * 2).min(stream.backoff_max);
        }
    }
    let (tx, rx) = mpsc::channel(1024);
    let committer =
        tokio::spawn(committer::run(store, checkpoints, commit, Some(rpc.clone()), rx, progress, shutdown.clone()));
    stream::follow(stream, io, checkpoint, tx, shutdown).await;
    committer.await.map_err(|e| format!("committer task: {e}"))?;
    Ok(())
}
