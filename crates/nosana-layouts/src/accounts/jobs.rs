use borsh::{BorshDeserialize, BorshSerialize};
use serde::Serialize;
use solana_pubkey::Pubkey;

use super::{AnchorAccount, borsh_error, check_discriminator};
use crate::error::LayoutError;

/// Queue capacity of a market allocated after the 2024-04-23 queue increase.
pub const MARKET_QUEUE_CAPACITY: usize = 314;
/// Markets opened before 2024-04-23 allocated room for 100 queue entries.
pub const LEGACY_MARKET_SPACE: usize = 8 + 168 + 100 * 32;
/// Jobs listed before 2024-11-14 had no `timeout` field.
pub const LEGACY_JOB_SPACE: usize = 232;

/// A market: one GPU tier with its price, its vault and one FIFO queue of jobs or nodes.
#[derive(BorshSerialize, BorshDeserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct MarketAccount {
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub authority: Pubkey,
    pub job_expiration: i64,
    /// NOS base units per second.
    pub job_price: u64,
    pub job_timeout: i64,
    pub job_type: u8,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub vault: Pubkey,
    pub vault_bump: u8,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub node_access_key: Pubkey,
    #[serde(serialize_with = "super::u128_string::serialize")]
    pub node_xnos_minimum: u128,
    pub queue_type: u8,
    #[serde(serialize_with = "super::pubkey_string::serialize_vec")]
    pub queue: Vec<Pubkey>,
}

impl AnchorAccount for MarketAccount {
    const NAME: &'static str = "MarketAccount";
    const DISCRIMINATOR: [u8; 8] = [201, 78, 187, 225, 240, 198, 201, 251];
    const SPACE: usize = 8 + 168 + MARKET_QUEUE_CAPACITY * 32;
}

impl MarketAccount {
    /// How many queue entries fit in account data of `data_len` bytes.
    pub fn queue_capacity(data_len: usize) -> usize {
        // Queue items start at byte 151 (discriminator included).
        data_len.saturating_sub(151) / 32
    }
}

/// Which on-chain generation of `JobAccount` a buffer holds.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobLayout {
    /// 240 bytes, with `timeout`.
    Current,
    /// 232 bytes, before 2024-11-14: no `timeout`; the market's `job_timeout` applied.
    Legacy,
}

/// A job posted to a market.
#[derive(BorshSerialize, BorshDeserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct JobAccount {
    #[serde(serialize_with = "super::cid_string::serialize")]
    pub ipfs_job: [u8; 32],
    #[serde(serialize_with = "super::cid_string::serialize")]
    pub ipfs_result: [u8; 32],
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub market: Pubkey,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub node: Pubkey,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub payer: Pubkey,
    pub price: u64,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub project: Pubkey,
    pub state: u8,
    pub time_end: i64,
    pub time_start: i64,
    pub timeout: i64,
}

impl AnchorAccount for JobAccount {
    const NAME: &'static str = "JobAccount";
    const DISCRIMINATOR: [u8; 8] = [91, 16, 162, 5, 45, 210, 125, 65];
    const SPACE: usize = 240;
}

/// The legacy JobAccount: every field of the current one except `timeout`.
#[derive(BorshDeserialize)]
struct LegacyJobAccount {
    ipfs_job: [u8; 32],
    ipfs_result: [u8; 32],
    market: Pubkey,
    node: Pubkey,
    payer: Pubkey,
    price: u64,
    project: Pubkey,
    state: u8,
    time_end: i64,
    time_start: i64,
}

impl JobAccount {
    /// Reads either generation. A legacy job comes back with `timeout = 0`; its effective
    /// timeout is the market's `job_timeout`.
    pub fn decode_any(data: &[u8]) -> Result<(Self, JobLayout), LayoutError> {
        // Current jobs are 233 bytes of discriminator + Borsh (240 allocated); legacy ones 225 (232).
        if data.len() >= 8 + 225 {
            return Ok((Self::from_account_data(data)?, JobLayout::Current));
        }
        let mut body = check_discriminator(Self::NAME, &Self::DISCRIMINATOR, data)?;
        let l = LegacyJobAccount::deserialize(&mut body).map_err(|e| borsh_error(Self::NAME, e))?;
        let job = JobAccount {
            ipfs_job: l.ipfs_job,
            ipfs_result: l.ipfs_result,
            market: l.market,
            node: l.node,
            payer: l.payer,
            price: l.price,
            project: l.project,
            state: l.state,
            time_end: l.time_end,
            time_start: l.time_start,
            timeout: 0,
        };
        Ok((job, JobLayout::Legacy))
    }

    pub fn has_result(&self) -> bool {
        self.ipfs_result != [0u8; 32]
    }
}

/// A node running a job.
#[derive(BorshSerialize, BorshDeserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct RunAccount {
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub job: Pubkey,
    /// The node's authority (wallet).
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub node: Pubkey,
    #[serde(serialize_with = "super::pubkey_string::serialize")]
    pub payer: Pubkey,
    /// Never written by the program (always 0).
    pub state: u8,
    pub time: i64,
}

impl AnchorAccount for RunAccount {
    const NAME: &'static str = "RunAccount";
    const DISCRIMINATOR: [u8; 8] = [194, 169, 110, 230, 235, 11, 225, 22];
    const SPACE: usize = 120;
}
