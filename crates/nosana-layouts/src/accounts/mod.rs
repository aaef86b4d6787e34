//! Account layouts: 8-byte Anchor discriminator, Borsh fields in declaration order, then zero
//! padding up to the allocated size (`8 + size_of::<T>()` on the SBF target).

mod jobs;
mod nodes;
mod pools;
mod rewards;
mod staking;

pub use jobs::{
    JobAccount, JobLayout, LEGACY_JOB_SPACE, LEGACY_MARKET_SPACE, MARKET_QUEUE_CAPACITY, MarketAccount, RunAccount,
};
pub use nodes::NODE_STRINGS_CAPACITY;
pub use nodes::NodeAccount;
pub use pools::PoolAccount;
pub use rewards::{ReflectionAccount, RewardAccount};
pub use staking::{SettingsAccount, StakeAccount};

use borsh::{BorshDeserialize, BorshSerialize};

use crate::discriminator::Discriminator;
use crate::error::{LayoutError, hex8};
use crate::ids;
use solana_pubkey::Pubkey;

/// An Anchor account type with its discriminator and allocated size.
pub trait AnchorAccount: BorshSerialize + BorshDeserialize + Sized {
    const NAME: &'static str;
    const DISCRIMINATOR: Discriminator;
    /// Bytes allocated on chain, discriminator and trailing padding included.
    const SPACE: usize;

    /// Freshly allocated account data: discriminator, Borsh fields, zero padding to `SPACE`.
    fn to_account_data(&self) -> Result<Vec<u8>, LayoutError> {
        let mut data = vec![0u8; Self::SPACE];
        self.write_into(&mut data)?;
        Ok(data)
    }

    /// Overwrites allocated account data in place, as Anchor's exit serialisation does. Fails
    /// when the Borsh bytes do not fit (Anchor's `AccountDidNotSerialize`).
    fn write_into(&self, data: &mut [u8]) -> Result<(), LayoutError> {
        let body = borsh::to_vec(self).map_err(|e| borsh_error(Self::NAME, e))?;
        if 8 + body.len() > data.len() {
            return Err(LayoutError::TooShort { what: Self::NAME, len: data.len() });
        }
        data[..8].copy_from_slice(&Self::DISCRIMINATOR);
        data[8..8 + body.len()].copy_from_slice(&body);
        Ok(())
    }

    /// Reads the account from its data, checking the discriminator and ignoring trailing bytes.
    fn from_account_data(data: &[u8]) -> Result<Self, LayoutError> {
        let mut body = check_discriminator(Self::NAME, &Self::DISCRIMINATOR, data)?;
        Self::deserialize(&mut body).map_err(|e| borsh_error(Self::NAME, e))
    }
}

pub(crate) fn check_discriminator<'a>(
    what: &'static str,
    expected: &Discriminator,
    data: &'a [u8],
) -> Result<&'a [u8], LayoutError> {
    if data.len() < 8 {
        return Err(LayoutError::TooShort { what, len: data.len() });
    }
    if &data[..8] != expected {
        return Err(LayoutError::WrongDiscriminator { what, expected: hex8(expected), found: hex8(data) });
    }
    Ok(&data[8..])
}

pub(crate) fn borsh_error(what: &'static str, e: std::io::Error) -> LayoutError {
    LayoutError::Borsh { what, reason: e.to_string() }
}

/// Any account of the five programs, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NosanaAccount {
    Market(MarketAccount),
    Job(JobAccount, JobLayout),
    Run(RunAccount),
    Settings(SettingsAccount),
    Stake(StakeAccount),
    Reflection(ReflectionAccount),
    Reward(RewardAccount),
    Pool(PoolAccount),
    Node(NodeAccount),
}

impl NosanaAccount {
    pub fn kind(&self) -> &'static str {
        match self {
            NosanaAccount::Market(_) => MarketAccount::NAME,
            NosanaAccount::Job(..) => JobAccount::NAME,
            NosanaAccount::Run(_) => RunAccount::NAME,
            NosanaAccount::Settings(_) => SettingsAccount::NAME,
            NosanaAccount::Stake(_) => StakeAccount::NAME,
            NosanaAccount::Reflection(_) => ReflectionAccount::NAME,
            NosanaAccount::Reward(_) => RewardAccount::NAME,
            NosanaAccount::Pool(_) => PoolAccount::NAME,
            NosanaAccount::Node(_) => NodeAccount::NAME,
        }
    }

    /// Decodes the data of an account owned by `owner`. Dispatches on the owning program first,
    /// then on the discriminator.
    pub fn decode(owner: &Pubkey, data: &[u8]) -> Result<Self, LayoutError> {
        if data.len() < 8 {
            return Err(LayoutError::TooShort { what: "account", len: data.len() });
        }
        let disc: Discriminator = data[..8].try_into().expect("eight bytes");
        let unknown = || LayoutError::UnknownInstruction(hex8(&disc), "account owner");
        Ok(match *owner {
            ids::JOBS_PROGRAM_ID => match disc {
                MarketAccount::DISCRIMINATOR => NosanaAccount::Market(MarketAccount::from_account_data(data)?),
                JobAccount::DISCRIMINATOR => {
                    let (job, layout) = JobAccount::decode_any(data)?;
                    NosanaAccount::Job(job, layout)
                }
                RunAccount::DISCRIMINATOR => NosanaAccount::Run(RunAccount::from_account_data(data)?),
                _ => return Err(unknown()),
            },
            ids::STAKING_PROGRAM_ID => match disc {
                SettingsAccount::DISCRIMINATOR => NosanaAccount::Settings(SettingsAccount::from_account_data(data)?),
                StakeAccount::DISCRIMINATOR => NosanaAccount::Stake(StakeAccount::from_account_data(data)?),
                _ => return Err(unknown()),
            },
            ids::REWARDS_PROGRAM_ID => match disc {
                ReflectionAccount::DISCRIMINATOR => {
                    NosanaAccount::Reflection(ReflectionAccount::from_account_data(data)?)
                }
                RewardAccount::DISCRIMINATOR => NosanaAccount::Reward(RewardAccount::from_account_data(data)?),
                _ => return Err(unknown()),
            },
            ids::POOLS_PROGRAM_ID if disc == PoolAccount::DISCRIMINATOR => {
                NosanaAccount::Pool(PoolAccount::from_account_data(data)?)
            }
            ids::NODES_PROGRAM_ID if disc == NodeAccount::DISCRIMINATOR => {
                NosanaAccount::Node(NodeAccount::from_account_data(data)?)
            }
            _ => return Err(unknown()),
        })
    }
}

/// u128 fields serialise as decimal strings: JSON numbers lose precision past 2^53 in most
/// readers, and xNOS and reflection values exceed it.
pub(crate) mod u128_string {
    pub fn serialize<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

/// Addresses serialise as base58 strings, as every Solana tool shows them.
pub(crate) mod pubkey_string {
    use serde::ser::SerializeSeq;
    use solana_pubkey::Pubkey;

    pub fn serialize<S: serde::Serializer>(k: &Pubkey, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(k)
    }

    pub fn serialize_vec<S: serde::Serializer>(keys: &[Pubkey], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(keys.len()))?;
        for k in keys {
            seq.serialize_element(&k.to_string())?;
        }
        seq.end()
    }
}

/// IPFS digests serialise as their CIDv0.
pub(crate) mod cid_string {
    pub fn serialize<S: serde::Serializer>(digest: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::cid::cid_from_bytes(digest))
    }
}
