use borsh::{BorshDeserialize, BorshSerialize};
use serde::Serialize;
use solana_pubkey::Pubkey;

use super::AnchorAccount;

/// A linear emission pool.
#[derive(BorshSerialize, BorshDeserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct PoolAccount {
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub authority: Pubkey,
    /// A token account.
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub beneficiary: Pubkey,
    pub claim_type: u8,
    pub claimed_tokens: u64,
    pub closeable: bool,
    /// Base units released per second.
    pub emission: u64,
    pub start_time: i64,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub vault: Pubkey,
    pub vault_bump: u8,
}

impl AnchorAccount for PoolAccount {
    const NAME: &'static str = "PoolAccount";
    const DISCRIMINATOR: [u8; 8] = [116, 210, 187, 119, 196, 196, 52, 137];
    const SPACE: usize = 136;
}
