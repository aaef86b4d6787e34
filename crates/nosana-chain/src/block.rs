//! Blocks as a node exposes them: slot, parent, hashes, time, the transactions with their
//! metadata and wire bytes, and every account write in execution order.

use nosana_reference::{Account, Message, TransactionMeta};
use serde::Serialize;
use solana_pubkey::Pubkey;

use crate::keys::Signature;
use crate::request::MessageVersion;

pub type Hash = [u8; 32];

/// How final a slot is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Commitment {
    #[default]
    Processed,
    Confirmed,
    Finalized,
}

/// A slot's lifecycle events, as Geyser reports them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SlotStatus {
    CreatedBank,
    Completed,
    Processed,
    Confirmed,
    Finalized,
    /// A fork that will never be confirmed, with the reason.
    Dead(String),
}

impl SlotStatus {
    pub fn commitment(&self) -> Option<Commitment> {
        match self {
            SlotStatus::Processed => Some(Commitment::Processed),
            SlotStatus::Confirmed => Some(Commitment::Confirmed),
            SlotStatus::Finalized => Some(Commitment::Finalized),
            _ => None,
        }
    }
}

/// One included transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockTransaction {
    /// Position in the block.
    pub index: u32,
    /// Which request of the slot produced it.
    pub request: usize,
    pub signatures: Vec<Signature>,
    pub version: MessageVersion,
    /// The compiled message (static keys, header, instructions, blockhash).
    pub message: Message,
    /// The signed transaction in Solana's wire format.
    pub wire: Vec<u8>,
    pub meta: TransactionMeta,
}

impl BlockTransaction {
    /// The transaction id: its first signature.
    pub fn signature(&self) -> &Signature {
        &self.signatures[0]
    }

    pub fn succeeded(&self) -> bool {
        self.meta.status.is_ok()
    }
}

/// An account as it stood after a write, with the write's global order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountWrite {
    pub pubkey: Pubkey,
    pub account: Account,
    /// Strictly increasing across the chain.
    pub write_version: u64,
    /// The transaction that wrote it; `None` for writes outside transactions (genesis).
    pub txn_signature: Option<Signature>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub slot: u64,
    pub parent_slot: u64,
    pub blockhash: Hash,
    pub parent_blockhash: Hash,
    pub block_height: u64,
    /// Unix seconds.
    pub block_time: i64,
    pub transactions: Vec<BlockTransaction>,
    pub account_writes: Vec<AccountWrite>,
    /// A forked slot: shown at processed, then reported dead; never confirmed.
    pub dead: bool,
}

impl Block {
    pub fn blockhash_base58(&self) -> String {
        solana_pubkey::Pubkey::new_from_array(self.blockhash).to_string()
    }

    pub fn parent_blockhash_base58(&self) -> String {
        solana_pubkey::Pubkey::new_from_array(self.parent_blockhash).to_string()
    }
}
