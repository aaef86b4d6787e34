use borsh::{BorshDeserialize, BorshSerialize};
use serde::Serialize;
use solana_pubkey::Pubkey;

use super::AnchorAccount;

/// Staking settings: the slash authority and where slashed tokens go.
#[derive(BorshSerialize, BorshDeserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct SettingsAccount {
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub authority: Pubkey,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub token_account: Pubkey,
}

impl AnchorAccount for SettingsAccount {
    const NAME: &'static str = "SettingsAccount";
    const DISCRIMINATOR: [u8; 8] = [63, 89, 203, 155, 76, 237, 115, 58];
    const SPACE: usize = 72;
}

/// One wallet's stake (PDA `["stake", NOS mint, authority]`).
#[derive(BorshSerialize, BorshDeserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct StakeAccount {
    pub amount: u64,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub authority: Pubkey,
    pub duration: u64,
    /// 0 while active; the unix time of `unstake` afterwards.
    pub time_unstake: i64,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub vault: Pubkey,
    pub vault_bump: u8,
    #[serde(serialize_with = "super::u128_string::serialize")]
    pub xnos: u128,
}

impl AnchorAccount for StakeAccount {
    const NAME: &'static str = "StakeAccount";
    const DISCRIMINATOR: [u8; 8] = [80, 158, 67, 124, 50, 189, 192, 255];
    const SPACE: usize = 120;
}
