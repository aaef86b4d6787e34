use borsh::{BorshDeserialize, BorshSerialize};
use serde::Serialize;
use solana_pubkey::Pubkey;

use super::AnchorAccount;

/// The rewards program's singleton (PDA `["reflection"]`).
#[derive(BorshSerialize, BorshDeserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct ReflectionAccount {
    #[serde(serialize_with = "super::u128_string::serialize")]
    pub rate: u128,
    #[serde(serialize_with = "super::u128_string::serialize")]
    pub total_reflection: u128,
    #[serde(serialize_with = "super::u128_string::serialize")]
    pub total_xnos: u128,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub vault: Pubkey,
    pub vault_bump: u8,
}

impl AnchorAccount for ReflectionAccount {
    const NAME: &'static str = "ReflectionAccount";
    const DISCRIMINATOR: [u8; 8] = [205, 153, 160, 54, 239, 26, 219, 188];
    const SPACE: usize = 96;
}

/// A staker's entry in the fee distribution (PDA `["reward", authority]`).
#[derive(BorshSerialize, BorshDeserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct RewardAccount {
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub authority: Pubkey,
    pub bump: u8,
    #[serde(serialize_with = "super::u128_string::serialize")]
    pub reflection: u128,
    #[serde(serialize_with = "super::u128_string::serialize")]
    pub xnos: u128,
}

impl AnchorAccount for RewardAccount {
    const NAME: &'static str = "RewardAccount";
    const DISCRIMINATOR: [u8; 8] = [225, 81, 31, 253, 84, 234, 171, 129];
    const SPACE: usize = 80;
}
