//! Instruction data (discriminator + Borsh arguments) and account lists of the five programs.
//! The account lists are generated from `shared/reference/idl/*.json`; a test re-reads the
//! JSON and compares.

pub mod jobs;
pub mod nodes;
pub mod pools;
pub mod rewards;
pub mod staking;

use solana_pubkey::Pubkey;

use crate::error::LayoutError;
use crate::ids;
use crate::instruction::InstructionSpec;

/// The spec table of a program, if it is one of the five.
pub fn specs_of(program_id: &Pubkey) -> Option<&'static [InstructionSpec]> {
    Some(match *program_id {
        ids::JOBS_PROGRAM_ID => jobs::ALL,
        ids::STAKING_PROGRAM_ID => staking::ALL,
        ids::REWARDS_PROGRAM_ID => rewards::ALL,
        ids::POOLS_PROGRAM_ID => pools::ALL,
        ids::NODES_PROGRAM_ID => nodes::ALL,
        _ => return None,
    })
}

/// A decoded instruction of any of the five programs. Dispatches on program id first, since
/// discriminators are shared across programs (`close`, `open`, `claim`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NosanaInstruction {
    Jobs(jobs::JobsInstruction),
    Staking(staking::StakingInstruction),
    Rewards(rewards::RewardsInstruction),
    Pools(pools::PoolsInstruction),
    Nodes(nodes::NodesInstruction),
}

impl NosanaInstruction {
    pub fn decode(program_id: &Pubkey, data: &[u8]) -> Result<Self, LayoutError> {
        Ok(match *program_id {
            ids::JOBS_PROGRAM_ID => NosanaInstruction::Jobs(jobs::JobsInstruction::decode(data)?),
            ids::STAKING_PROGRAM_ID => NosanaInstruction::Staking(staking::StakingInstruction::decode(data)?),
            ids::REWARDS_PROGRAM_ID => NosanaInstruction::Rewards(rewards::RewardsInstruction::decode(data)?),
            ids::POOLS_PROGRAM_ID => NosanaInstruction::Pools(pools::PoolsInstruction::decode(data)?),
            ids::NODES_PROGRAM_ID => NosanaInstruction::Nodes(nodes::NodesInstruction::decode(data)?),
            _ => return Err(LayoutError::UnknownInstruction(program_id.to_string(), "not a Nosana program")),
        })
    }

    pub fn spec(&self) -> &'static InstructionSpec {
        match self {
            NosanaInstruction::Jobs(i) => i.spec(),
            NosanaInstruction::Staking(i) => i.spec(),
            NosanaInstruction::Rewards(i) => i.spec(),
            NosanaInstruction::Pools(i) => i.spec(),
            NosanaInstruction::Nodes(i) => i.spec(),
        }
    }
}
