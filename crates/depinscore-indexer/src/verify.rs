//! Compare what ClickHouse holds with the ground truth the reference node wrote (`--truth`)
//! and with the node's own account state (`getProgramAccounts`). Every difference is listed.

use std::collections::{BTreeMap, HashMap};

use depinscore_clickhouse::ChStore;
use nosana_decode::{AccountDecode, decode_account};
use nosana_layouts::ids;
use serde::{Deserialize, Serialize};

use crate::rpc::RpcClient;

/// One disagreement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub what: String,
    pub expected: String,
    pub found: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: expected {}, found {}", self.what, self.expected, self.found)
    }
}

/// The parts of the reference node's ground truth that verification reads.
#[derive(Clone, Debug, Deserialize)]
pub struct TruthFile {
    pub totals: TruthTotals,
    pub jobs: Vec<TruthJob>,
    /// What the node injected into what it served (absent in older truth files).
    #[serde(default)]
    pub faults: TruthFaults,
}

/// Faults the reference node injected: each must be accounted for in the store.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TruthFaults {
    /// Accounts whose last write in a canonical block was served corrupted.
    pub corrupted_accounts: Vec<CorruptedAccount>,
    /// Slots whose forked block died.
    pub dead_slots: Vec<u64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CorruptedAccount {
    pub slot: u64,
    pub pubkey: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct TruthTotals {
    pub transactions_succeeded: u64,
    pub transactions_failed: u64,
    pub jobs_listed: u64,
    pub deposits: u64,
    pub payouts: u64,
    pub refunds: u64,
    pub network_fees: u64,
    pub staked: u64,
    pub withdrawn: u64,
    pub slashed: u64,
    pub rewards_claimed: u64,
    pub emitted: u64,
    pub burned: u64,
    pub minted: u64,
    /// Failed or rejected transactions by planned action (`unknown_instruction`, …).
    #[serde(default)]
    pub failures_by_action: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct TruthJob {
    pub address: String,
    pub deposit: u64,
    pub payout: u64,
    pub refund: u64,
    pub network_fee: u64,
}

fn diff(out: &mut Vec<Difference>, what: impl Into<String>, expected: impl ToString, found: impl ToString) {
    let (e, f) = (expected.to_string(), found.to_string());
    if e != f {
        out.push(Difference { what: what.into(), expected: e, found: f });
    }
}

/// Compare ClickHouse with the ground truth. `all_transactions`: the indexer followed every
/// transaction (not only Nosana's), so transaction counts must match too.
pub async fn against_truth(
    store: &ChStore,
    truth: &TruthFile,
    all_transactions: bool,
) -> Result<Vec<Difference>, String> {
    let mut out = Vec::new();
    let flows: HashMap<String, u64> =
        store.flow_totals(u64::MAX).await.map_err(|e| e.to_string())?.into_iter().map(|t| (t.kind, t.amount)).collect();
    let daily: HashMap<String, u64> =
        store.daily_flow_totals().await.map_err(|e| e.to_string())?.into_iter().map(|t| (t.kind, t.amount)).collect();
    let f = |k: &str| flows.get(k).copied().unwrap_or(0);
    let t = &truth.totals;
    for (name, expected, found) in [
        ("deposits", t.deposits, f("deposit")),
        ("payouts", t.payouts, f("payout")),
        ("refunds", t.refunds, f("refund")),
        ("network fees", t.network_fees, f("fee")),
        ("staked (stake + topup)", t.staked, f("stake") + f("topup")),
        ("withdrawn", t.withdrawn, f("withdraw")),
        ("slashed", t.slashed, f("slash")),
        ("rewards claimed", t.rewards_claimed, f("claim")),
        ("emitted", t.emitted, f("emission")),
        ("burned", t.burned, f("burn")),
        ("minted", t.minted, f("mint")),
    ] {
        diff(&mut out, format!("total {name}"), expected, found);
    }
    let mut kinds: Vec<&String> = flows.keys().chain(daily.keys()).collect();
    kinds.sort();
    kinds.dedup();
    for k in kinds {
        diff(
            &mut out,
            format!("daily rollup of {k} flows"),
            flows.get(k).copied().unwrap_or(0),
            daily.get(k).copied().unwrap_or(0),
        );
    }
    let events: HashMap<String, u64> = store
        .job_event_counts(u64::MAX)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|c| (c.kind, c.events))
        .collect();
    diff(&mut out, "jobs listed", t.jobs_listed, events.get("list").copied().unwrap_or(0));
    if all_transactions {
        let (ok, failed) = store.transaction_counts(u64::MAX).await.map_err(|e| e.to_string())?;
        diff(&mut out, "successful transactions", t.transactions_succeeded, ok);
        diff(&mut out, "failed transactions", t.transactions_failed, failed);
    }
    let mut per_job: HashMap<String, BTreeMap<String, u64>> = HashMap::new();
    for s in store.subject_flows(u64::MAX).await.map_err(|e| e.to_string())? {
        per_job.entry(s.subject).or_default().insert(s.kind, s.amount);
    }
    for job in &truth.jobs {
        let got = per_job.get(&job.address);
        let g = |k: &str| got.and_then(|m| m.get(k)).copied().unwrap_or(0);
        diff(&mut out, format!("job {} deposit", job.address), job.deposit, g("deposit"));
        diff(&mut out, format!("job {} payout", job.address), job.payout, g("payout"));
        diff(&mut out, format!("job {} refund", job.address), job.refund, g("refund"));
        diff(&mut out, format!("job {} network fee", job.address), job.network_fee, g("fee"));
    }
    quarantine_accounted_for(store, truth, &mut out).await?;
    Ok(out)
}

/// Every quarantined item is a fault the node injected: an account write it served corrupted
/// (by `(slot, account)`), an outdated client's unknown instruction (by count); and nothing is
/// stored of a dead slot. A corrupted write need not be quarantined: slots caught up over
/// JSON-RPC carry no account writes (the snapshot stores those states).
async fn quarantine_accounted_for(store: &ChStore, truth: &TruthFile, out: &mut Vec<Difference>) -> Result<(), String> {
    let items = store.quarantined_items().await.map_err(|e| e.to_string())?;
    let corrupted: std::collections::BTreeSet<(u64, &str)> =
        truth.faults.corrupted_accounts.iter().map(|c| (c.slot, c.pubkey.as_str())).collect();
    let mut instructions = 0u64;
    for q in &items {
        match q.source.as_str() {
            "account" if corrupted.contains(&(q.slot, q.account.as_str())) => {}
            "instruction" if q.reason.contains("unknown discriminator") => instructions += 1,
            _ => diff(
                out,
                format!("quarantined {} {}{} at slot {}", q.source, q.account, q.signature, q.slot),
                "an injected fault",
                &q.reason,
            ),
        }
    }
    let unknown = truth.totals.failures_by_action.get("unknown_instruction").copied().unwrap_or(0);
    diff(out, "quarantined unknown instructions", unknown, instructions);
    let stored = store.stored_among(&truth.faults.dead_slots).await.map_err(|e| e.to_string())?;
    diff(out, "dead slots stored", "[]", format!("{stored:?}"));
    Ok(())
}

/// Compare the newest stored state of every account with what the node holds now. Run it
/// when the indexer has committed the node's current slot (the node stopped producing).
pub async fn against_node(store: &ChStore, rpc: &RpcClient) -> Result<Vec<Difference>, String> {
    let mut out = Vec::new();
    let mut node: BTreeMap<String, String> = BTreeMap::new();
    for program in ids::NOSANA_PROGRAM_IDS {
        let (_, accounts) = rpc.program_accounts(&program, &[]).await.map_err(|e| e.to_string())?;
        for a in accounts {
            if let AccountDecode::State(s) = decode_account(&a) {
                node.insert(a.pubkey.to_string(), s.json.to_string());
            }
        }
    }
    let mut stored: BTreeMap<String, String> = BTreeMap::new();
    let program_ids: Vec<String> = ids::NOSANA_PROGRAM_IDS.iter().map(|p| p.to_string()).collect();
    for a in store.latest_accounts().await.map_err(|e| e.to_string())? {
        if a.closed == 0 && program_ids.contains(&a.program) {
            stored.insert(a.pubkey, a.state);
        }
    }
    for (k, v) in &node {
        match stored.get(k) {
            None => diff(&mut out, format!("account {k}"), "present", "missing"),
            Some(s) if s != v => diff(&mut out, format!("account {k} state"), v, s),
            Some(_) => {}
        }
    }
    for k in stored.keys().filter(|k| !node.contains_key(*k)) {
        diff(&mut out, format!("account {k}"), "absent (closed)", "open");
    }
    Ok(out)
}
