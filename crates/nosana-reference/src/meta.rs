//! What a node records for an executed transaction, modelled on `TransactionStatusMeta`.

use serde::{Deserialize, Serialize};
use solana_pubkey::Pubkey;

use crate::error::TransactionError;
use crate::message::{CompiledInstruction, Message};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnerInstruction {
    pub instruction: CompiledInstruction,
    /// 2 for a CPI made by a top-level instruction, 3 for one made from there, …
    pub stack_height: u32,
}

/// The CPIs one top-level instruction made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnerInstructions {
    pub index: u8,
    pub instructions: Vec<InnerInstruction>,
}

/// A token account's balance before or after the transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBalance {
    pub account_index: u8,
    #[serde(with = "crate::compact::key")]
    pub mint: Pubkey,
    #[serde(with = "crate::compact::key")]
    pub owner: Pubkey,
    #[serde(with = "crate::compact::key")]
    pub program_id: Pubkey,
    pub amount: u64,
    pub decimals: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionMeta {
    pub status: Result<(), TransactionError>,
    pub fee: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub inner_instructions: Vec<InnerInstructions>,
    pub log_messages: Vec<String>,
    pub pre_token_balances: Vec<TokenBalance>,
    pub post_token_balances: Vec<TokenBalance>,
    pub compute_units_consumed: u64,
}

/// A transaction as included in a block: the message and its meta.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutedTransaction {
    pub message: Message,
    pub meta: TransactionMeta,
}

impl ExecutedTransaction {
    pub fn succeeded(&self) -> bool {
        self.meta.status.is_ok()
    }

    /// Every instruction in execution order, top level then its CPIs, with stack heights.
    pub fn instruction_trace(&self) -> Vec<(u32, &CompiledInstruction)> {
        let mut out = Vec::new();
        for (i, ix) in self.message.instructions.iter().enumerate() {
            out.push((1, ix));
            if let Some(inner) = self.meta.inner_instructions.iter().find(|x| x.index as usize == i) {
                out.extend(inner.instructions.iter().map(|x| (x.stack_height, &x.instruction)));
            }
        }
        out
    }

    /// Change of a token account's balance over the transaction (post − pre), by key.
    pub fn token_delta(&self, key: &Pubkey) -> i128 {
        let Some(idx) = self.message.index_of(key) else { return 0 };
        let find =
            |list: &[TokenBalance]| list.iter().find(|b| b.account_index == idx).map(|b| b.amount as i128).unwrap_or(0);
        find(&self.meta.post_token_balances) - find(&self.meta.pre_token_balances)
    }
}
