//! Blocks that left the replay window, kept compactly: the header as fields, the transactions
//! as lz4-compressed bincode. A year of blocks held as `Block` values needs about 5 KB a
//! transaction (log lines, token balances and the wire bytes beside the decoded message);
//! frozen, a block is a small fraction of that, and JSON-RPC thaws it on demand. The wire bytes
//! are not stored: they are rebuilt from the signatures and the message, which is how they were
//! made.

use std::borrow::Cow;
use std::sync::Arc;

use nosana_chain::wire::{message_bytes, transaction_bytes};
use nosana_chain::{Block, BlockTransaction, Hash, MessageVersion, Signature};
use nosana_reference::{Message, TransactionMeta};
use serde::{Deserialize, Serialize};

/// What callers that do not need the transactions read: no thawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    pub slot: u64,
    pub parent_slot: u64,
    pub blockhash: Hash,
    pub block_height: u64,
    /// Unix seconds.
    pub block_time: i64,
    pub dead: bool,
}

impl BlockHeader {
    pub fn of(block: &Block) -> Self {
        BlockHeader {
            slot: block.slot,
            parent_slot: block.parent_slot,
            blockhash: block.blockhash,
            block_height: block.block_height,
            block_time: block.block_time,
            dead: block.dead,
        }
    }
}

/// A block without its account writes, compressed. Cheap to clone (shared bytes).
#[derive(Clone, Debug)]
pub struct FrozenBlock {
    pub header: BlockHeader,
    bytes: Arc<[u8]>,
}

/// A frozen block's bytes did not decode: a bug in this module, never chain input.
#[derive(Debug, thiserror::Error)]
pub enum ThawError {
    #[error("frozen block {slot} does not decompress: {source}")]
    Decompress { slot: u64, source: lz4_flex::block::DecompressError },
    #[error("frozen block {slot} does not decode: {source}")]
    Decode { slot: u64, source: bincode::Error },
}

/// The serialised form. `Cow` lets freezing borrow from the block and thawing own the result.
#[derive(Serialize, Deserialize)]
struct Body<'a> {
    parent_blockhash: Hash,
    transactions: Vec<Tx<'a>>,
}

#[derive(Serialize, Deserialize)]
struct Tx<'a> {
    index: u32,
    request: u64,
    /// The signatures, 64 bytes each, concatenated.
    signatures: Cow<'a, [u8]>,
    version: MessageVersion,
    message: Cow<'a, Message>,
    meta: Cow<'a, TransactionMeta>,
}

impl FrozenBlock {
    /// Freezes `block`, leaving out its account writes (only the replay window serves them).
    /// Serialising plain data does not fail; should it, the caller keeps the block whole.
    pub fn freeze(block: &Block) -> Result<FrozenBlock, bincode::Error> {
        let body = Body {
            parent_blockhash: block.parent_blockhash,
            transactions: block
                .transactions
                .iter()
                .map(|tx| Tx {
                    index: tx.index,
                    request: tx.request as u64,
                    signatures: Cow::Owned(tx.signatures.iter().flat_map(|s| <[u8; 64]>::from(*s)).collect()),
                    version: tx.version,
                    message: Cow::Borrowed(&tx.message),
                    meta: Cow::Borrowed(&tx.meta),
                })
                .collect(),
        };
        let raw = bincode::serialize(&body)?;
        Ok(FrozenBlock { header: BlockHeader::of(block), bytes: lz4_flex::block::compress_prepend_size(&raw).into() })
    }

    /// The compressed size, for accounting.
    pub fn compressed_len(&self) -> usize {
        self.bytes.len()
    }

    /// The block as it was frozen, with no account writes.
    pub fn thaw(&self) -> Result<Block, ThawError> {
        let slot = self.header.slot;
        let raw = lz4_flex::block::decompress_size_prepended(&self.bytes)
            .map_err(|source| ThawError::Decompress { slot, source })?;
        let body: Body<'_> = bincode::deserialize(&raw).map_err(|source| ThawError::Decode { slot, source })?;
        let h = self.header;
        let transactions = body
            .transactions
            .into_iter()
            .map(|tx| {
                let raw_signatures: Vec<[u8; 64]> =
                    tx.signatures.chunks_exact(64).filter_map(|c| <[u8; 64]>::try_from(c).ok()).collect();
                let signatures = raw_signatures.iter().map(|s| Signature::from(*s)).collect();
                let message = tx.message.into_owned();
                let wire = transaction_bytes(&raw_signatures, &message_bytes(&message, tx.version));
                BlockTransaction {
                    index: tx.index,
                    request: tx.request as usize,
                    signatures,
                    version: tx.version,
                    message,
                    wire,
                    meta: tx.meta.into_owned(),
                }
            })
            .collect();
        Ok(Block {
            slot,
            parent_slot: h.parent_slot,
            blockhash: h.blockhash,
            parent_blockhash: body.parent_blockhash,
            block_height: h.block_height,
            block_time: h.block_time,
            transactions,
            account_writes: Vec::new(),
            dead: h.dead,
        })
    }
}
