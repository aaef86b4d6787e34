//! Our chain's types in Geyser's proto shapes (`geyser.proto` and Agave's `solana-storage.proto`).
//! Written from the proto definitions and Agave's documented mapping rules: signatures and keys
//! as raw bytes, `versioned` set for v0 messages, `TransactionError.err` as the bincode of
//! Solana's `TransactionError`, and the `*_none` flags telling "absent" from "empty".

use std::time::SystemTime;

use nosana_chain::{AccountWrite, Block, BlockTransaction, MessageVersion, SlotStatus};
use nosana_reference::TokenBalance;
use nosana_reference::meta::InnerInstructions;
use yellowstone_grpc_proto::prelude as pb;
use yellowstone_grpc_proto::prost_types::Timestamp;

use crate::convert::error::to_bincode;
use crate::rpc::encode::ui_amount_string;

/// Agave reports `u64::MAX` as the rent epoch of rent-exempt accounts, which all of ours are.
pub const RENT_EXEMPT_RENT_EPOCH: u64 = u64::MAX;

/// The bank id we report: one bank per slot, so the slot itself.
pub fn bank_id(slot: u64) -> u64 {
    slot
}

pub fn now() -> Option<Timestamp> {
    Some(Timestamp::from(SystemTime::now()))
}

/// An update listing the filters that matched it, stamped with the time it was created.
pub fn update(filters: Vec<String>, oneof: pb::subscribe_update::UpdateOneof) -> pb::SubscribeUpdate {
    pb::SubscribeUpdate { filters, update_oneof: Some(oneof), created_at: now() }
}

pub fn transaction_info(tx: &BlockTransaction) -> pb::SubscribeUpdateTransactionInfo {
    pb::SubscribeUpdateTransactionInfo {
        signature: tx.signature().as_ref().to_vec(),
        is_vote: false,
        transaction: Some(transaction(tx)),
        meta: Some(meta(tx)),
        index: u64::from(tx.index),
    }
}

fn transaction(tx: &BlockTransaction) -> pb::Transaction {
    let m = &tx.message;
    pb::Transaction {
        signatures: tx.signatures.iter().map(|s| s.as_ref().to_vec()).collect(),
        message: Some(pb::Message {
            header: Some(pb::MessageHeader {
                num_required_signatures: u32::from(m.header.num_required_signatures),
                num_readonly_signed_accounts: u32::from(m.header.num_readonly_signed_accounts),
                num_readonly_unsigned_accounts: u32::from(m.header.num_readonly_unsigned_accounts),
            }),
            account_keys: m.account_keys.iter().map(|k| k.to_bytes().to_vec()).collect(),
            recent_blockhash: m.recent_blockhash.to_vec(),
            instructions: m
                .instructions
                .iter()
                .map(|ix| pb::CompiledInstruction {
                    program_id_index: u32::from(ix.program_id_index),
                    accounts: ix.accounts.clone(),
                    data: ix.data.clone(),
                })
                .collect(),
            versioned: tx.version == MessageVersion::V0,
            // We never use address lookup tables.
            address_table_lookups: vec![],
            config: None,
        }),
    }
}

fn meta(tx: &BlockTransaction) -> pb::TransactionStatusMeta {
    let m = &tx.meta;
    pb::TransactionStatusMeta {
        err: transaction_error(tx),
        fee: m.fee,
        pre_balances: m.pre_balances.clone(),
        post_balances: m.post_balances.clone(),
        inner_instructions: m.inner_instructions.iter().map(inner_instructions).collect(),
        inner_instructions_none: false,
        log_messages: m.log_messages.clone(),
        log_messages_none: false,
        pre_token_balances: m.pre_token_balances.iter().map(token_balance).collect(),
        post_token_balances: m.post_token_balances.iter().map(token_balance).collect(),
        rewards: vec![],
        loaded_writable_addresses: vec![],
        loaded_readonly_addresses: vec![],
        // Our programs set no return data; Agave reports that as `None`.
        return_data: None,
        return_data_none: true,
        compute_units_consumed: Some(m.compute_units_consumed),
        cost_units: None,
    }
}

fn transaction_error(tx: &BlockTransaction) -> Option<pb::TransactionError> {
    tx.meta.status.as_ref().err().map(|e| pb::TransactionError { err: to_bincode(e) })
}

fn inner_instructions(inner: &InnerInstructions) -> pb::InnerInstructions {
    pb::InnerInstructions {
        index: u32::from(inner.index),
        instructions: inner
            .instructions
            .iter()
            .map(|ix| pb::InnerInstruction {
                program_id_index: u32::from(ix.instruction.program_id_index),
                accounts: ix.instruction.accounts.clone(),
                data: ix.instruction.data.clone(),
                stack_height: Some(ix.stack_height),
            })
            .collect(),
    }
}

fn token_balance(b: &TokenBalance) -> pb::TokenBalance {
    pb::TokenBalance {
        account_index: u32::from(b.account_index),
        mint: b.mint.to_string(),
        ui_token_amount: Some(pb::UiTokenAmount {
            ui_amount: ui_amount(b.amount, b.decimals),
            decimals: u32::from(b.decimals),
            amount: b.amount.to_string(),
            ui_amount_string: ui_amount_string(b.amount, b.decimals),
        }),
        owner: b.owner.to_string(),
        program_id: b.program_id.to_string(),
    }
}

/// The amount in whole tokens, as a float (lossy, as Solana's `ui_amount` is).
pub fn ui_amount(amount: u64, decimals: u8) -> f64 {
    amount as f64 / 10f64.powi(i32::from(decimals))
}

/// An account write, with `data` already cut to the subscriber's data slices.
pub fn account_info(write: &AccountWrite, data: Vec<u8>) -> pb::SubscribeUpdateAccountInfo {
    pb::SubscribeUpdateAccountInfo {
        pubkey: write.pubkey.to_bytes().to_vec(),
        lamports: write.account.lamports,
        owner: write.account.owner.to_bytes().to_vec(),
        executable: write.account.executable,
        rent_epoch: RENT_EXEMPT_RENT_EPOCH,
        data,
        write_version: write.write_version,
        txn_signature: write.txn_signature.map(|s| s.as_ref().to_vec()),
    }
}

pub fn account_update(slot: u64, info: pb::SubscribeUpdateAccountInfo) -> pb::SubscribeUpdateAccount {
    pb::SubscribeUpdateAccount { account: Some(info), slot, is_startup: false, bank_id: Some(bank_id(slot)) }
}

pub fn transaction_update(slot: u64, info: pb::SubscribeUpdateTransactionInfo) -> pb::SubscribeUpdateTransaction {
    pb::SubscribeUpdateTransaction { transaction: Some(info), slot, bank_id: bank_id(slot) }
}

pub fn transaction_status(slot: u64, tx: &BlockTransaction) -> pb::SubscribeUpdateTransactionStatus {
    pb::SubscribeUpdateTransactionStatus {
        slot,
        signature: tx.signature().as_ref().to_vec(),
        is_vote: false,
        index: u64::from(tx.index),
        err: transaction_error(tx),
        bank_id: bank_id(slot),
    }
}

fn rewards() -> Option<pb::Rewards> {
    Some(pb::Rewards { rewards: vec![], num_partitions: None })
}

pub fn block_meta(block: &Block) -> pb::SubscribeUpdateBlockMeta {
    pb::SubscribeUpdateBlockMeta {
        slot: block.slot,
        blockhash: block.blockhash_base58(),
        rewards: rewards(),
        block_time: Some(pb::UnixTimestamp { timestamp: block.block_time }),
        block_height: Some(pb::BlockHeight { block_height: block.block_height }),
        parent_slot: block.parent_slot,
        parent_blockhash: block.parent_blockhash_base58(),
        executed_transaction_count: block.transactions.len() as u64,
        entries_count: 0,
        bank_id: bank_id(block.slot),
    }
}

/// A full block with the transactions and accounts a blocks filter selected.
pub fn block(
    block: &Block,
    transactions: Vec<pb::SubscribeUpdateTransactionInfo>,
    accounts: Vec<pb::SubscribeUpdateAccountInfo>,
) -> pb::SubscribeUpdateBlock {
    pb::SubscribeUpdateBlock {
        slot: block.slot,
        blockhash: block.blockhash_base58(),
        rewards: rewards(),
        block_time: Some(pb::UnixTimestamp { timestamp: block.block_time }),
        block_height: Some(pb::BlockHeight { block_height: block.block_height }),
        parent_slot: block.parent_slot,
        parent_blockhash: block.parent_blockhash_base58(),
        executed_transaction_count: block.transactions.len() as u64,
        transactions,
        updated_account_count: accounts.len() as u64,
        accounts,
        // We produce no entries.
        entries_count: 0,
        entries: vec![],
        bank_id: bank_id(block.slot),
    }
}

pub fn slot_status(status: &SlotStatus) -> pb::SlotStatus {
    match status {
        SlotStatus::CreatedBank => pb::SlotStatus::SlotCreatedBank,
        SlotStatus::Completed => pb::SlotStatus::SlotCompleted,
        SlotStatus::Processed => pb::SlotStatus::SlotProcessed,
        SlotStatus::Confirmed => pb::SlotStatus::SlotConfirmed,
        SlotStatus::Finalized => pb::SlotStatus::SlotFinalized,
        SlotStatus::Dead(_) => pb::SlotStatus::SlotDead,
    }
}

pub fn slot(slot: u64, parent: Option<u64>, status: &SlotStatus) -> pb::SubscribeUpdateSlot {
    pb::SubscribeUpdateSlot {
        slot,
        parent,
        status: slot_status(status) as i32,
        dead_error: match status {
            SlotStatus::Dead(reason) => Some(reason.clone()),
            _ => None,
        },
        bank_id: Some(bank_id(slot)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_amount_strings_trim_trailing_zeros_like_solana() {
        assert_eq!(ui_amount_string(1_500_000, 6), "1.5");
        assert_eq!(ui_amount_string(0, 6), "0");
        assert_eq!(ui_amount_string(1, 6), "0.000001");
        assert_eq!(ui_amount_string(42_000_000, 6), "42");
        assert_eq!(ui_amount_string(7, 0), "7");
        assert_eq!(ui_amount(1_500_000, 6), 1.5);
    }

    #[test]
    fn dead_slots_carry_their_reason_and_lifecycle_statuses_map_to_interslot_codes() {
        let dead = slot(9, Some(8), &SlotStatus::Dead("fork".into()));
        assert_eq!(dead.status, pb::SlotStatus::SlotDead as i32);
        assert_eq!(dead.dead_error.as_deref(), Some("fork"));
        assert_eq!(slot_status(&SlotStatus::CreatedBank), pb::SlotStatus::SlotCreatedBank);
        assert_eq!(slot_status(&SlotStatus::Completed), pb::SlotStatus::SlotCompleted);
        assert_eq!(slot(9, None, &SlotStatus::Confirmed).dead_error, None);
    }
}
