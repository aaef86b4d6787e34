//! The neutral input of every decoder: a transaction or an account write as any source delivers
//! it (Yellowstone gRPC, JSON-RPC `getBlock`, the reference bank). Adapters convert into these
//! types; decoders never see a transport type.

use nosana_layouts::Pubkey;

/// One compiled instruction: indices into [`RawTransaction::account_keys`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawInstruction {
    pub program_id_index: u8,
    pub accounts: Vec<u8>,
    pub data: Vec<u8>,
    /// 1 for top level, 2 for a CPI of a top-level instruction, …; `None` when the source
    /// predates stack heights (then inner instructions count as height 2).
    pub stack_height: Option<u32>,
}

/// The CPIs made by top-level instruction `index`, in execution order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawInnerInstructions {
    pub index: u8,
    pub instructions: Vec<RawInstruction>,
}

/// A token account balance before or after the transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawTokenBalance {
    pub account_index: u8,
    pub mint: Pubkey,
    /// The token account's owner wallet, when the source reports it.
    pub owner: Option<Pubkey>,
    /// Base units.
    pub amount: u64,
}

/// A transaction as a node delivers it, with its status meta.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawTransaction {
    pub slot: u64,
    /// Position in the block.
    pub index: u32,
    /// Unix seconds of the block (0 when unknown).
    pub block_time: i64,
    pub signature: [u8; 64],
    /// Static keys, then loaded writable, then loaded readonly (v0 lookup tables).
    pub account_keys: Vec<Pubkey>,
    /// Number of signatures the message requires (the first keys are the signers).
    pub num_required_signatures: u8,
    pub instructions: Vec<RawInstruction>,
    pub inner_instructions: Vec<RawInnerInstructions>,
    pub pre_token_balances: Vec<RawTokenBalance>,
    pub post_token_balances: Vec<RawTokenBalance>,
    pub fee: u64,
    pub compute_units: Option<u64>,
    /// The transaction error as the node printed it; `None` for success.
    pub err: Option<String>,
}

impl RawTransaction {
    pub fn succeeded(&self) -> bool {
        self.err.is_none()
    }

    /// The key at a compiled index, if it exists.
    pub fn key(&self, index: u8) -> Option<&Pubkey> {
        self.account_keys.get(index as usize)
    }

    /// Base58 signature (five8's fixed-size encoder: a generic base58 of 64 bytes was a few
    /// percent of a backfill's time).
    pub fn signature_string(&self) -> String {
        let mut out = [0u8; 88];
        let len = five8::encode_64(&self.signature, &mut out) as usize;
        out[..len].iter().map(|&b| char::from(b)).collect()
    }
}

/// An account write as the node streams it (or as `getProgramAccounts` returns it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawAccount {
    pub pubkey: Pubkey,
    pub owner: Pubkey,
    pub lamports: u64,
    pub data: Vec<u8>,
    pub slot: u64,
    /// Orders writes within a slot (Geyser `write_version`; 0 from a snapshot).
    pub write_version: u64,
    /// Signature of the transaction that wrote it, when known.
    pub txn_signature: Option<[u8; 64]>,
}

#[cfg(test)]
mod tests {
    use super::RawTransaction;

    #[test]
    fn a_signature_string_is_the_base58_of_its_bytes_leading_zeros_included() {
        let mut tx = RawTransaction {
            slot: 0,
            index: 0,
            block_time: 0,
            signature: [0; 64],
            account_keys: vec![],
            num_required_signatures: 1,
            instructions: vec![],
            inner_instructions: vec![],
            pre_token_balances: vec![],
            post_token_balances: vec![],
            fee: 0,
            compute_units: None,
            err: None,
        };
        for seed in 0u64..200 {
            let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            for (i, b) in tx.signature.iter_mut().enumerate() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Some signatures start with zero bytes, which base58 writes as '1's.
                *b = if i < (seed % 4) as usize { 0 } else { x as u8 };
            }
            assert_eq!(tx.signature_string(), bs58::encode(tx.signature).into_string());
        }
        tx.signature = [0; 64];
        assert_eq!(tx.signature_string(), "1".repeat(64));
    }
}
