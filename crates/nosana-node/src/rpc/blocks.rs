//! Slots, blocks and transactions from the ledger, honouring commitment.

use std::sync::Arc;

use nosana_chain::{Block, Commitment};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::encode::{self, TxEncoding};
use super::error::{RpcError, RpcResult};
use super::params::{Config, Params, kind, signature, u64_value};
use super::{Answer, RpcState, commitment_name};
use crate::convert::error::to_json as error_json;

/// `getBlocks` range and `getBlocksWithLimit` limit.
pub const MAX_BLOCKS_RANGE: u64 = 500_000;
/// `getSignaturesForAddress` limit.
pub const MAX_SIGNATURES_LIMIT: u64 = 1_000;
/// `getSignatureStatuses` inputs.
pub const MAX_SIGNATURE_STATUSES: usize = 256;
/// Blocks a blockhash stays valid for.
const BLOCKHASH_VALIDITY: u64 = 150;

/// Block and transaction methods answer only at confirmed or finalized, as Agave.
fn confirmed_commitment(config: &Config<'_>) -> RpcResult<Commitment> {
    match config.commitment()? {
        Commitment::Processed => Err(RpcError::invalid_params("Method does not support commitment below `confirmed`")),
        c => Ok(c),
    }
}

/// The config of a block or transaction request, which may also be a bare encoding string.
fn block_config<'a>(params: &Params<'a>, index: usize) -> RpcResult<(Config<'a>, Option<TxEncoding>)> {
    match params.get(index) {
        Some(Value::String(name)) => {
            let encoding = TxEncoding::from_name(name)
                .ok_or_else(|| RpcError::invalid_params(format!("Invalid params: unknown encoding `{name}`")))?;
            Ok((Config(None), Some(encoding)))
        }
        _ => Ok((params.config(index)?, None)),
    }
}

/// Whether a stored block is visible at `commitment`.
fn visible(state: &RpcState, block: &Block, commitment: Commitment) -> bool {
    let s = state.ledger.slot_state(block.slot).unwrap_or_default();
    !block.dead && !s.dead && s.commitment.is_some_and(|reached| reached >= commitment)
}

/// The block of `slot` at `commitment`, or the error Agave gives for it.
fn committed_block(state: &RpcState, slot: u64, commitment: Commitment) -> RpcResult<Arc<Block>> {
    let block = state.ledger.block(slot);
    if let Some(block) = &block
        && visible(state, block, commitment)
    {
        return Ok(block.clone());
    }
    let reached = state.ledger.latest(commitment).is_some_and(|latest| slot <= latest);
    if !reached || block.as_ref().is_some_and(|b| !b.dead) {
        return Err(RpcError::block_not_available(slot));
    }
    if let Some(first) = state.ledger.first_canonical_slot()
        && slot < first
    {
        // Pruned history, or (keeping everything) a slot before the chain began.
        return Err(match state.ledger.config().history_slots {
            Some(_) => RpcError::block_cleaned_up(slot, first),
            None => RpcError::long_term_storage_slot_skipped(slot),
        });
    }
    // No block (skipped) or a dead fork below the commitment: skipped either way.
    Err(RpcError::slot_skipped(slot))
}

pub fn get_slot(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 1)?;
    let config = p.config(0)?;
    let (slot, _) = state.context(config.commitment()?, config.min_context_slot()?)?;
    Ok(json!(slot))
}

pub fn get_block_height(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 1)?;
    let config = p.config(0)?;
    let (slot, _) = state.context(config.commitment()?, config.min_context_slot()?)?;
    Ok(json!(state.ledger.header(slot).map_or(0, |b| b.block_height)))
}

pub fn get_latest_blockhash(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 1)?;
    let config = p.config(0)?;
    let (slot, context) = state.context(config.commitment()?, config.min_context_slot()?)?;
    let (hash, height) = state.ledger.header(slot).map_or((state.genesis_hash, 0), |b| (b.blockhash, b.block_height));
    Ok(json!({
        "context": context,
        "value": {
            "blockhash": bs58::encode(hash).into_string(),
            "lastValidBlockHeight": height + BLOCKHASH_VALIDITY,
        },
    }))
}

pub fn get_first_available_block(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    Params::new(params, 0)?;
    Ok(json!(state.ledger.first_canonical_slot().unwrap_or(state.genesis_slot)))
}

pub fn get_block_time(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 1)?;
    let slot = u64_value(p.required(0, "slot")?, "slot")?;
    Ok(json!(committed_block(state, slot, Commitment::Confirmed)?.block_time))
}

/// `getBlock` with full transaction details, typed and written straight to JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FullBlock<'a> {
    previous_blockhash: String,
    blockhash: String,
    parent_slot: u64,
    transactions: Vec<encode::TransactionWithMeta<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rewards: Option<[(); 0]>,
    block_time: i64,
    block_height: u64,
}

pub fn get_block(state: &RpcState, params: Option<&Value>) -> RpcResult<Answer> {
    let p = Params::new(params, 2)?;
    let slot = u64_value(p.required(0, "slot")?, "slot")?;
    let (config, bare_encoding) = block_config(&p, 1)?;
    let encoding = match bare_encoding {
        Some(e) => e,
        None => TxEncoding::from_config(&config)?,
    };
    let details = config.one_of("transactionDetails", &["full", "signatures", "none", "accounts"])?.unwrap_or("full");
    let show_rewards = config.bool("rewards")?.unwrap_or(true);
    let max_supported = encode::max_supported_version(&config)?;
    let commitment = confirmed_commitment(&config)?;
    let block = committed_block(state, slot, commitment)?;

    if details == "full" {
        let full = FullBlock {
            previous_blockhash: block.parent_blockhash_base58(),
            blockhash: block.blockhash_base58(),
            parent_slot: block.parent_slot,
            transactions: block
                .transactions
                .iter()
                .map(|tx| encode::transaction_with_meta(tx, encoding, max_supported, show_rewards))
                .collect::<RpcResult<Vec<_>>>()?,
            rewards: show_rewards.then_some([]),
            block_time: block.block_time,
            block_height: block.block_height,
        };
        return serde_json::to_vec(&full).map(Answer::Json).map_err(|e| RpcError::internal(e.to_string()));
    }
    let mut out = Map::new();
    out.insert("previousBlockhash".into(), json!(block.parent_blockhash_base58()));
    out.insert("blockhash".into(), json!(block.blockhash_base58()));
    out.insert("parentSlot".into(), json!(block.parent_slot));
    match details {
        "accounts" => {
            let txs = block
                .transactions
                .iter()
                .map(|tx| encode::transaction_accounts(tx, max_supported, show_rewards))
                .collect::<RpcResult<Vec<_>>>()?;
            out.insert("transactions".into(), Value::Array(txs));
        }
        "signatures" => {
            let sigs: Vec<String> = block.transactions.iter().map(|tx| tx.signature().to_string()).collect();
            out.insert("signatures".into(), json!(sigs));
        }
        _ => {}
    }
    if show_rewards {
        out.insert("rewards".into(), json!([]));
    }
    out.insert("blockTime".into(), json!(block.block_time));
    out.insert("blockHeight".into(), json!(block.block_height));
    Ok(Answer::Value(Value::Object(out)))
}

pub fn get_blocks(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 3)?;
    let start = u64_value(p.required(0, "start_slot")?, "start_slot")?;
    // The second parameter is the end slot or, without one, the config.
    let (end, config) = match p.get(1) {
        None => (None, p.config(2)?),
        Some(Value::Object(_)) => (None, p.config(1)?),
        Some(v @ Value::Number(_)) => (Some(u64_value(v, "end_slot")?), p.config(2)?),
        Some(other) => {
            return Err(RpcError::invalid_params(format!(
                "Invalid params: `end_slot` must be an unsigned integer, got {}",
                kind(other)
            )));
        }
    };
    let commitment = confirmed_commitment(&config)?;
    let Some(latest) = state.ledger.latest(commitment) else { return Ok(json!([])) };
    let end = end.unwrap_or_else(|| start.saturating_add(MAX_BLOCKS_RANGE)).min(latest);
    if end < start {
        return Ok(json!([]));
    }
    if end - start > MAX_BLOCKS_RANGE {
        return Err(RpcError::invalid_params(format!("Slot range too large; max {MAX_BLOCKS_RANGE}")));
    }
    Ok(json!(state.ledger.canonical_slots(start, end)))
}

pub fn get_blocks_with_limit(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 3)?;
    let start = u64_value(p.required(0, "start_slot")?, "start_slot")?;
    let limit = u64_value(p.required(1, "limit")?, "limit")?;
    let config = p.config(2)?;
    if limit > MAX_BLOCKS_RANGE {
        return Err(RpcError::invalid_params(format!("Limit too large; max {MAX_BLOCKS_RANGE}")));
    }
    let commitment = confirmed_commitment(&config)?;
    let Some(latest) = state.ledger.latest(commitment) else { return Ok(json!([])) };
    Ok(json!(state.ledger.canonical_slots_limited(start, latest, limit as usize)))
}

pub fn get_transaction(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 2)?;
    let sig = signature(p.required(0, "signature")?, "signature")?;
    let (config, bare_encoding) = block_config(&p, 1)?;
    let encoding = match bare_encoding {
        Some(e) => e,
        None => TxEncoding::from_config(&config)?,
    };
    let max_supported = encode::max_supported_version(&config)?;
    let commitment = confirmed_commitment(&config)?;
    let Some((block, index)) = state.ledger.transaction(&sig) else { return Ok(Value::Null) };
    let Some(tx) = block.transactions.get(index) else { return Ok(Value::Null) };
    if !visible(state, &block, commitment) {
        return Ok(Value::Null);
    }
    let mut out = Map::new();
    out.insert("slot".into(), json!(block.slot));
    out.extend(encode::transaction_with_meta(tx, encoding, max_supported, true)?.into_map());
    out.insert("blockTime".into(), json!(block.block_time));
    Ok(Value::Object(out))
}

/// The commitment a visible slot has reached, from the latest slots at each level.
fn status_of(slot: u64, finalized: Option<u64>, confirmed: Option<u64>) -> Commitment {
    if finalized.is_some_and(|f| slot <= f) {
        Commitment::Finalized
    } else if confirmed.is_some_and(|c| slot <= c) {
        Commitment::Confirmed
    } else {
        Commitment::Processed
    }
}

pub fn get_signatures_for_address(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 2)?;
    let address = super::params::pubkey(p.required(0, "address")?, "address")?;
    let config = p.config(1)?;
    let limit = config.u64("limit")?.unwrap_or(MAX_SIGNATURES_LIMIT);
    if limit == 0 || limit > MAX_SIGNATURES_LIMIT {
        return Err(RpcError::invalid_params(format!("Invalid limit; max {MAX_SIGNATURES_LIMIT}")));
    }
    let before = config.get("before").map(|v| signature(v, "before")).transpose()?;
    let until = config.get("until").map(|v| signature(v, "until")).transpose()?;
    let commitment = confirmed_commitment(&config)?;
    let (max_slot, _) = state.context(commitment, config.min_context_slot()?)?;
    if state.ledger.latest(commitment).is_none() {
        return Ok(json!([]));
    }
    // As Agave: an unknown `before` finds nothing; an unknown `until` is ignored.
    if before.as_ref().is_some_and(|b| !state.ledger.has_transaction(b)) {
        return Ok(json!([]));
    }
    let found = state.ledger.signatures_for_address_through(
        &address,
        before.as_ref(),
        until.as_ref(),
        limit as usize,
        max_slot,
    );
    let (finalized, confirmed) =
        (state.ledger.latest(Commitment::Finalized), state.ledger.latest(Commitment::Confirmed));
    let out: Vec<Value> = found
        .iter()
        .filter_map(|(block, index)| {
            let tx = block.transactions.get(*index)?;
            Some(json!({
                "signature": tx.signature().to_string(),
                "slot": block.slot,
                "err": tx.meta.status.as_ref().err().map(error_json),
                "memo": null,
                "blockTime": block.block_time,
                "confirmationStatus": commitment_name(status_of(block.slot, finalized, confirmed)),
            }))
        })
        .collect();
    Ok(Value::Array(out))
}

pub fn get_signature_statuses(state: &RpcState, params: Option<&Value>) -> RpcResult<Value> {
    let p = Params::new(params, 2)?;
    let list = p.required(0, "signatures")?;
    let Value::Array(list) = list else {
        return Err(RpcError::invalid_params(format!(
            "Invalid params: `signatures` must be an array, got {}",
            kind(list)
        )));
    };
    if list.len() > MAX_SIGNATURE_STATUSES {
        return Err(RpcError::invalid_params(format!("Too many inputs provided; max {MAX_SIGNATURE_STATUSES}")));
    }
    let sigs = list
        .iter()
        .enumerate()
        .map(|(i, v)| signature(v, &format!("signatures[{i}]")))
        .collect::<RpcResult<Vec<_>>>()?;
    let config = p.config(1)?;
    config.bool("searchTransactionHistory")?;
    let (_, context) = state.context(Commitment::Processed, None)?;
    let (finalized, confirmed) =
        (state.ledger.latest(Commitment::Finalized), state.ledger.latest(Commitment::Confirmed));
    let tip_height =
        state.ledger.latest(Commitment::Processed).and_then(|s| state.ledger.header(s)).map(|b| b.block_height);
    let value: Vec<Value> = sigs
        .iter()
        .map(|sig| {
            let Some((block, index)) = state.ledger.transaction(sig) else { return Value::Null };
            let Some(tx) = block.transactions.get(index) else { return Value::Null };
            if !visible(state, &block, Commitment::Processed) {
                return Value::Null;
            }
            let status = status_of(block.slot, finalized, confirmed);
            let confirmations = match status {
                Commitment::Finalized => Value::Null,
                _ => json!(tip_height.unwrap_or(block.block_height).saturating_sub(block.block_height)),
            };
            let err = tx.meta.status.as_ref().err().map(error_json);
            let result = match &err {
                None => json!({ "Ok": null }),
                Some(e) => json!({ "Err": e }),
            };
            json!({
                "slot": block.slot,
                "confirmations": confirmations,
                "err": err,
                "status": result,
                "confirmationStatus": commitment_name(status),
            })
        })
        .collect();
    Ok(json!({ "context": context, "value": value }))
}
