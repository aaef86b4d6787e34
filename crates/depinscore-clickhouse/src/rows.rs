//! One struct per table, fields in column order (RowBinary without validation relies on it;
//! the integration tests read every table back). Keys are base58 strings, times Unix seconds.

use clickhouse::Row;
use serde::{Deserialize, Serialize};

/// `slots`: one committed block.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct SlotRow {
    pub slot: u64,
    pub parent_slot: u64,
    pub block_time: u32,
    pub block_height: u64,
    pub blockhash: String,
    /// Transactions the block executed (BlockMeta).
    pub executed_transactions: u32,
    /// Transactions the indexer stored for it.
    pub indexed_transactions: u32,
    pub indexed_at: u32,
}

/// `transactions`: every transaction the indexer followed, failed ones included.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct TransactionRow {
    pub slot: u64,
    pub tx_index: u32,
    pub block_time: u32,
    pub signature: String,
    pub fee_payer: String,
    pub success: u8,
    pub err: String,
    pub fee: u64,
    pub compute_units: u64,
    /// Nosana programs the transaction invoked (names).
    pub programs: Vec<String>,
    pub instructions: u16,
}

/// `instructions`: every Nosana instruction, top level and CPI.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct InstructionRow {
    pub slot: u64,
    pub tx_index: u32,
    pub ix: u16,
    pub inner: u16,
    pub block_time: u32,
    pub signature: String,
    pub stack_height: u8,
    pub program: String,
    pub name: String,
    pub account_names: Vec<String>,
    pub accounts: Vec<String>,
    /// Arguments as JSON.
    pub args: String,
    pub success: u8,
}

/// `job_events`: job lifecycle from successful instructions.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct JobEventRow {
    pub job: String,
    pub slot: u64,
    pub tx_index: u32,
    pub ix: u16,
    pub inner: u16,
    pub block_time: u32,
    pub signature: String,
    pub kind: String,
    pub market: String,
    pub run: String,
    pub node: String,
    pub project: String,
    pub payer: String,
    pub timeout: Option<i64>,
}

/// `token_flows`: typed NOS movements.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct TokenFlowRow {
    pub slot: u64,
    pub tx_index: u32,
    pub ix: u16,
    pub inner: u16,
    pub block_time: u32,
    pub signature: String,
    pub kind: String,
    pub mint: String,
    pub source: String,
    pub destination: String,
    pub wallet: String,
    pub subject: String,
    pub market: String,
    pub amount: u64,
}

/// Account state versions are `slot << 20 | n`. A streamed write of a slot has `n` below this
/// bit (its order in the slot); a state read over JSON-RPC (a snapshot, a repair) has it set,
/// so it wins over the slot's streamed writes, and it is never counted when a replayed batch
/// asks how many rows of a slot are already stored.
pub const OUT_OF_BAND_VERSION: u64 = 1 << 19;

/// `slot << 20 | seq` of the `seq`-th streamed write of `slot`.
pub fn streamed_version(slot: u64, seq: usize) -> u64 {
    (slot << 20) | (seq as u64).min(OUT_OF_BAND_VERSION - 1)
}

/// The version of the `seq`-th state read over JSON-RPC at `slot`.
pub fn read_version(slot: u64, seq: usize) -> u64 {
    (slot << 20) | OUT_OF_BAND_VERSION | (seq as u64).min(OUT_OF_BAND_VERSION - 1)
}

/// `account_states`: the newest write of each account wins (by `version`).
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct AccountStateRow {
    pub pubkey: String,
    pub kind: String,
    pub program: String,
    pub slot: u64,
    pub version: u64,
    pub closed: u8,
    pub lamports: u64,
    pub authority: String,
    pub market: String,
    pub amount: u64,
    /// The decoded account as JSON (`null` when closed).
    pub state: String,
    pub indexed_at: u32,
}

impl AccountStateRow {
    /// An account closed (or gone) as of `slot`: no lamports, no state.
    pub fn closed(pubkey: String, kind: String, program: String, slot: u64, version: u64, indexed_at: u32) -> Self {
        AccountStateRow {
            pubkey,
            kind,
            program,
            slot,
            version,
            closed: 1,
            lamports: 0,
            authority: String::new(),
            market: String::new(),
            amount: 0,
            state: "null".into(),
            indexed_at,
        }
    }
}

/// `quarantine`: what did not decode, with its raw bytes.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct QuarantineRow {
    pub slot: u64,
    pub signature: String,
    /// Top-level instruction index, -1 for an account.
    pub ix: i32,
    /// Inner index (0 top level), -1 for an account.
    pub inner: i32,
    pub account: String,
    /// `instruction`, `account` or `transaction`.
    pub source: String,
    pub program: String,
    pub reason: String,
    /// Raw bytes (ClickHouse String holds bytes).
    #[serde(with = "serde_bytes_as_seq")]
    pub data: Vec<u8>,
    pub block_time: u32,
}

/// RowBinary writes a `String` column as varint length + bytes, which is what serde's
/// `serialize_bytes` produces in the clickhouse crate; a plain `Vec<u8>` would be an Array.
mod serde_bytes_as_seq {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
                Ok(v.as_bytes().to_vec())
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Vec<u8>, E> {
                Ok(v.into_bytes())
            }
        }
        d.deserialize_bytes(V)
    }
}
