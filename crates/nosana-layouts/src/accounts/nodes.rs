use borsh::{BorshDeserialize, BorshSerialize};
use serde::Serialize;
use solana_pubkey::Pubkey;

use super::AnchorAccount;

/// Bytes the three strings of a NodeAccount may share (128 allocated − 66 fixed).
pub const NODE_STRINGS_CAPACITY: usize = 62;

/// A node's self-declared hardware (PDA `["node", authority]`).
#[derive(BorshSerialize, BorshDeserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct NodeAccount {
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub authority: Pubkey,
    pub audited: bool,
    pub architecture: u8,
    /// ISO-3166-1 numeric.
    pub country: u16,
    pub cpu: u16,
    pub gpu: u16,
    pub memory: u16,
    pub iops: u16,
    pub storage: u16,
    pub endpoint: String,
    pub icon: String,
    pub version: String,
}

impl AnchorAccount for NodeAccount {
    const NAME: &'static str = "NodeAccount";
    const DISCRIMINATOR: [u8; 8] = [125, 166, 18, 146, 195, 127, 86, 220];
    const SPACE: usize = 128;
}
