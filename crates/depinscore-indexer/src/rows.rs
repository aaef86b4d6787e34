//! A sealed slot, decoded, as the rows of every ClickHouse table.

use depinscore_clickhouse::*;
use nosana_decode::{
    AccountDecode, AccountState, DecodedTransaction, Program, Quarantined, RawTransaction, decode_account,
    decode_transaction,
};
use nosana_layouts::Pubkey;

use crate::sealer::SealedSlot;

/// Base58, or empty for the zero key (meaning "none").
pub fn key(k: &Pubkey) -> String {
    if k.to_bytes() == [0u8; 32] { String::new() } else { k.to_string() }
}

pub fn program_name(p: Program) -> &'static str {
    match p {
        Program::Jobs => "jobs",
        Program::Staking => "staking",
        Program::Rewards => "rewards",
        Program::Pools => "pools",
        Program::Nodes => "nodes",
    }
}

fn kind_name<T: serde::Serialize>(kind: &T) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

fn time(t: i64) -> u32 {
    u32::try_from(t.max(0)).unwrap_or(u32::MAX)
}

/// Rows of one slot. `now` is the indexing time (Unix seconds).
pub fn slot_rows(slot: &SealedSlot, now: u32) -> SlotBatch {
    let b = &slot.block;
    let block_time = time(b.block_time);
    let mut batch = SlotBatch { first: b.slot, last: b.slot, ..SlotBatch::default() };
    batch.slots.push(SlotRow {
        slot: b.slot,
        parent_slot: b.parent_slot,
        block_time,
        block_height: b.block_height,
        blockhash: b.blockhash.clone(),
        executed_transactions: u32::try_from(b.executed_transaction_count).unwrap_or(u32::MAX),
        indexed_transactions: slot.transactions.len() as u32,
        indexed_at: now,
    });
    for tx in &slot.transactions {
        let decoded = decode_transaction(tx);
        transaction_rows(tx, &decoded, block_time, &mut batch);
    }
    for (seq, account) in slot.accounts.iter().enumerate() {
        let version = depinscore_clickhouse::streamed_version(b.slot, seq);
        match decode_account(account) {
            AccountDecode::State(s) => batch.account_states.push(account_row(&s, account.lamports, version, now)),
            AccountDecode::Quarantine(q) => {
                batch.quarantine.push(quarantine_row(b.slot, "", "account", &q, block_time));
            }
            AccountDecode::Ignored => {}
        }
    }
    batch
}

/// Unix seconds now.
pub(crate) fn unix_now() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as u32).unwrap_or(0)
}

/// The `account_states` row of a decoded account write.
pub(crate) fn account_row(s: &AccountState, lamports: u64, version: u64, now: u32) -> AccountStateRow {
    AccountStateRow {
        pubkey: s.pubkey.to_string(),
        kind: kind_name(&s.kind),
        program: s.program.to_string(),
        slot: s.slot,
        version,
        closed: s.closed as u8,
        lamports,
        authority: key(&s.authority),
        market: key(&s.market),
        amount: u64::try_from(s.amount).unwrap_or(u64::MAX),
        state: s.json.to_string(),
        indexed_at: now,
    }
}

pub(crate) fn quarantine_row(
    slot: u64,
    signature: &str,
    source: &str,
    q: &Quarantined,
    block_time: u32,
) -> QuarantineRow {
    QuarantineRow {
        slot,
        signature: signature.to_string(),
        ix: q.at.map_or(-1, |p| p.ix as i32),
        inner: q.at.map_or(-1, |p| p.inner as i32),
        account: key(&q.account),
        source: source.to_string(),
        program: key(&q.program),
        reason: q.reason.clone(),
        data: q.data.clone(),
        block_time,
    }
}

fn transaction_rows(tx: &RawTransaction, d: &DecodedTransaction, block_time: u32, batch: &mut SlotBatch) {
    let signature = tx.signature_string();
    let (slot, tx_index) = (tx.slot, tx.index);
    let success = tx.succeeded() as u8;
    let mut programs: Vec<String> = Vec::new();
    for ix in &d.instructions {
        let name = program_name(ix.program).to_string();
        if !programs.contains(&name) {
            programs.push(name.clone());
        }
        batch.instructions.push(InstructionRow {
            slot,
            tx_index,
            ix: ix.at.ix,
            inner: ix.at.inner,
            block_time,
            signature: signature.clone(),
            stack_height: ix.at.stack_height,
            program: name,
            name: ix.name.to_string(),
            account_names: ix.accounts.iter().map(|(n, _)| n.to_string()).collect(),
            accounts: ix.accounts.iter().map(|(_, k)| k.to_string()).collect(),
            args: ix.args.to_string(),
            success,
        });
    }
    batch.transactions.push(TransactionRow {
        slot,
        tx_index,
        block_time,
        signature: signature.clone(),
        fee_payer: tx.account_keys.first().map(key).unwrap_or_default(),
        success,
        err: tx.err.clone().unwrap_or_default(),
        fee: tx.fee,
        compute_units: tx.compute_units.unwrap_or(0),
        programs,
        instructions: tx.instructions.len().min(u16::MAX as usize) as u16,
    });
    for e in &d.job_events {
        batch.job_events.push(JobEventRow {
            job: key(&e.job),
            slot,
            tx_index,
            ix: e.at.ix,
            inner: e.at.inner,
            block_time,
            signature: signature.clone(),
            kind: kind_name(&e.kind),
            market: key(&e.market),
            run: key(&e.run),
            node: key(&e.node),
            project: key(&e.project),
            payer: key(&e.payer),
            timeout: e.timeout,
        });
    }
    for f in &d.flows {
        batch.token_flows.push(TokenFlowRow {
            slot,
            tx_index,
            ix: f.at.ix,
            inner: f.at.inner,
            block_time,
            signature: signature.clone(),
            kind: kind_name(&f.kind),
            mint: key(&f.mint),
            source: key(&f.source),
            destination: key(&f.destination),
            wallet: key(&f.wallet),
            subject: key(&f.subject),
            market: key(&f.market),
            amount: f.amount,
        });
    }
    for q in &d.quarantine {
        batch.quarantine.push(quarantine_row(slot, &signature, "instruction", q, block_time));
    }
}
