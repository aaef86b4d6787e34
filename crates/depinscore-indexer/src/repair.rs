//! Repair of quarantined account writes. A streamed account update that does not decode is
//! quarantined, which alone would leave the account's stored state stale (or missing, for a
//! new account) until its next write. Before a batch's checkpoint advances, every account
//! quarantined in it is read again over JSON-RPC and its current state stored, newer than
//! anything of the batch: a crash in between replays the batch and repairs again.

use std::collections::BTreeMap;

use depinscore_clickhouse::{AccountStateRow, SlotBatch};
use nosana_decode::{AccountDecode, decode_account};
use nosana_layouts::Pubkey;

use crate::rows::account_row;
use crate::rpc::{RpcClient, RpcError};

/// State rows for every account quarantined in `batch`, as the node holds it now (read no
/// earlier than the newest quarantined write): a decoded state, or closed when the account is
/// gone or no longer a Nosana account. An account whose current data does not decode either
/// stays quarantined only. Each row carries the quarantined write's slot and a version in the
/// slot the node read it at, so it wins over every streamed write up to that slot.
pub async fn repair_rows(rpc: &RpcClient, batch: &SlotBatch, now: u32) -> Result<Vec<AccountStateRow>, RpcError> {
    // The latest quarantined write of each account, and the program that owned it.
    let mut wanted: BTreeMap<Pubkey, (u64, String)> = BTreeMap::new();
    for q in batch.quarantine.iter().filter(|q| q.source == "account") {
        let Ok(key) = q.account.parse::<Pubkey>() else { continue };
        let entry = wanted.entry(key).or_insert((q.slot, q.program.clone()));
        if q.slot > entry.0 {
            *entry = (q.slot, q.program.clone());
        }
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<Pubkey> = wanted.keys().copied().collect();
    // Read no earlier than the newest quarantined write, so the state is at least that new.
    let newest = wanted.values().map(|(slot, _)| *slot).max().unwrap_or(0);
    let accounts = rpc.multiple_accounts(&keys, newest).await?;
    let mut rows = Vec::new();
    for (key, (read_at, account)) in keys.iter().zip(accounts) {
        let (slot, program) = &wanted[key];
        let version = depinscore_clickhouse::read_version(read_at.max(*slot), usize::MAX);
        let state = account.as_ref().map(|a| (a, decode_account(a)));
        match state {
            Some((a, AccountDecode::State(state))) => {
                let mut row = account_row(&state, a.lamports, version, now);
                row.slot = *slot;
                rows.push(row);
            }
            // Its current data does not decode either: it stays quarantined, nothing to store.
            Some((_, AccountDecode::Quarantine(_))) => {}
            // Gone, or no longer a Nosana account (reassigned): closed for this store.
            None | Some((_, AccountDecode::Ignored)) => rows.push(AccountStateRow::closed(
                key.to_string(),
                "unknown".into(),
                program.clone(),
                *slot,
                version,
                now,
            )),
        }
    }
    Ok(rows)
}
