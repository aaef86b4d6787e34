//! History over JSON-RPC (`getBlocks` + `getBlock`), committed through the same pipeline as
//! the live stream and behind the same checkpoint, so it resumes where it stopped; and the
//! current state of every Nosana account through `getProgramAccounts` (`--snapshot`).

use std::sync::Arc;

use depinscore_clickhouse::{AccountStateRow, ChStore};
use nosana_decode::{AccountDecode, decode_account};
use nosana_layouts::ids;
use tokio::sync::{mpsc, watch};

use crate::checkpoint::Checkpoints;
use crate::committer::{self, CommitConfig, Committed};
use crate::fetch::fetch_range;
use crate::rows::{account_row, quarantine_row};
use crate::rpc::{AccountFilter, RpcClient};

/// Which blocks to fetch and how many `getBlock` calls may run at once.
#[derive(Clone, Copy, Debug)]
pub struct Range {
    pub from: u64,
    pub to: u64,
    pub concurrency: usize,
}

/// Commit blocks `from..=to` (resuming after the checkpoint when it is further).
pub async fn backfill<C: Checkpoints>(
    rpc: &RpcClient,
    store: Arc<ChStore>,
    checkpoints: Arc<C>,
    commit: CommitConfig,
    range: Range,
    progress: watch::Sender<Committed>,
    shutdown: watch::Receiver<bool>,
) -> Result<Option<u64>, String> {
    let Range { from, to, concurrency } = range;
    let start = match checkpoints.load(&commit.stream).await? {
        Some(c) if c + 1 > from => c + 1,
        _ => from,
    };
    if start > to {
        return Ok(None);
    }
    // Fetched blocks waiting for the decoder: enough to keep `concurrency` requests busy while
    // a batch is written. Now that fetching outruns ClickHouse, a deeper queue only holds more
    // blocks in memory (256 put the backfill's peak near 290 MB).
    let (tx, rx) = mpsc::channel(concurrency.max(1) * 4);
    let committer =
        tokio::spawn(committer::run(store, checkpoints, commit, Some(rpc.clone()), rx, progress, shutdown.clone()));
    let result = fetch_range(rpc, start, to, concurrency, |slot| {
        let tx = tx.clone();
        let shutdown = shutdown.clone();
        async move { !*shutdown.borrow() && tx.send(slot).await.is_ok() }
    })
    .await;
    drop(tx);
    committer.await.map_err(|e| format!("committer task: {e}"))?;
    result.map_err(|e| e.to_string())
}

/// Load the current state of every account of the five programs, the NOS mint and every NOS
/// token account. Returns (context slot, rows written): the lowest context slot of its reads,
/// since each read is taken at a different moment and the snapshot covers a slot only when
/// every read does (an early read of the staking accounts must not count as covering a slot
/// that created stakes after it).
pub async fn snapshot(rpc: &RpcClient, store: &ChStore, now: u32) -> Result<(u64, u64), String> {
    let mut accounts = Vec::new();
    let mut slot = u64::MAX;
    for program in ids::NOSANA_PROGRAM_IDS {
        let (s, mut list) = rpc.program_accounts(&program, &[]).await.map_err(|e| e.to_string())?;
        slot = slot.min(s);
        accounts.append(&mut list);
    }
    let token_filters = [AccountFilter::DataSize(165), AccountFilter::Memcmp(0, ids::NOS_MINT.to_bytes().to_vec())];
    let (s, mut tokens) =
        rpc.program_accounts(&ids::TOKEN_PROGRAM_ID, &token_filters).await.map_err(|e| e.to_string())?;
    slot = slot.min(s);
    accounts.append(&mut tokens);
    let (s, mints) = rpc
        .program_accounts(&ids::TOKEN_PROGRAM_ID, &[AccountFilter::DataSize(82)])
        .await
        .map_err(|e| e.to_string())?;
    slot = slot.min(s);
    accounts.extend(mints.into_iter().filter(|a| a.pubkey == ids::NOS_MINT));
    let mut rows: Vec<AccountStateRow> = Vec::new();
    let mut quarantine = Vec::new();
    for (seq, a) in accounts.iter().enumerate() {
        let version = depinscore_clickhouse::read_version(a.slot, seq);
        match decode_account(a) {
            AccountDecode::State(st) => rows.push(account_row(&st, a.lamports, version, now)),
            AccountDecode::Quarantine(q) => quarantine.push(quarantine_row(a.slot, "", "account", &q, 0)),
            AccountDecode::Ignored => {}
        }
    }
    // Accounts of the five programs stored as open but absent now were closed meanwhile.
    let present: std::collections::HashSet<&str> = rows.iter().map(|r| r.pubkey.as_str()).collect();
    let programs: Vec<String> = ids::NOSANA_PROGRAM_IDS.iter().map(|p| p.to_string()).collect();
    let mut closed = Vec::new();
    for a in store.latest_accounts().await.map_err(|e| e.to_string())? {
        if a.closed == 0 && programs.contains(&a.program) && !present.contains(a.pubkey.as_str()) && a.slot <= slot {
            let version = depinscore_clickhouse::read_version(slot, usize::MAX);
            closed.push(AccountStateRow::closed(a.pubkey, a.kind, a.program, slot, version, now));
        }
    }
    rows.extend(closed);
    let written = store.write_account_snapshot(&rows).await.map_err(|e| e.to_string())?;
    if !quarantine.is_empty() {
        tracing::warn!(items = quarantine.len(), "snapshot accounts that did not decode");
        let first = quarantine.iter().map(|q| q.slot).min().unwrap_or(slot);
        let last = quarantine.iter().map(|q| q.slot).max().unwrap_or(slot);
        let batch = depinscore_clickhouse::SlotBatch { first, last, quarantine, ..Default::default() };
        store.write(&batch).await.map_err(|e| e.to_string())?;
    }
    Ok((slot, written))
}
