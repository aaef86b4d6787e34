//! Decoding one instruction of the five Nosana programs: the layouts crate reads the data, the
//! IDL-generated account lists name the keys.

use nosana_layouts::Pubkey;
use nosana_layouts::ids;
use nosana_layouts::instructions::NosanaInstruction;
use nosana_layouts::instructions::jobs::{self, JobsInstruction};

use crate::args::args_json;
use crate::error::DecodeError;
use crate::output::{DecodedInstruction, Position, Program};

impl Program {
    /// The Nosana program with this id, if it is one of the five.
    pub fn of(id: &Pubkey) -> Option<Program> {
        Some(match *id {
            ids::JOBS_PROGRAM_ID => Program::Jobs,
            ids::STAKING_PROGRAM_ID => Program::Staking,
            ids::REWARDS_PROGRAM_ID => Program::Rewards,
            ids::POOLS_PROGRAM_ID => Program::Pools,
            ids::NODES_PROGRAM_ID => Program::Nodes,
            _ => return None,
        })
    }

    /// The program's mainnet id.
    pub fn id(self) -> Pubkey {
        match self {
            Program::Jobs => ids::JOBS_PROGRAM_ID,
            Program::Staking => ids::STAKING_PROGRAM_ID,
            Program::Rewards => ids::REWARDS_PROGRAM_ID,
            Program::Pools => ids::POOLS_PROGRAM_ID,
            Program::Nodes => ids::NODES_PROGRAM_ID,
        }
    }

    /// The program's crate name, e.g. `nosana_jobs`.
    pub fn name(self) -> &'static str {
        match self {
            Program::Jobs => "nosana_jobs",
            Program::Staking => "nosana_staking",
            Program::Rewards => "nosana_rewards",
            Program::Pools => "nosana_pools",
            Program::Nodes => "nosana_nodes",
        }
    }
}

/// Name given to account keys past the end of the declared list (Anchor's remaining accounts).
pub const REMAINING_ACCOUNT: &str = "remaining";

/// A decoded Nosana instruction with its keys named.
#[derive(Clone, Debug)]
pub(crate) struct NosanaIx {
    pub program: Program,
    pub ix: NosanaInstruction,
    pub name: &'static str,
    pub accounts: Vec<(&'static str, Pubkey)>,
}

impl NosanaIx {
    /// The key in the named slot.
    pub fn key(&self, name: &str) -> Option<Pubkey> {
        self.accounts.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// The key in the named slot, or the zero key.
    pub fn key_or_zero(&self, name: &str) -> Pubkey {
        self.key(name).unwrap_or_default()
    }

    /// Whether this is `program`'s instruction `name`.
    pub fn is(&self, program: Program, name: &str) -> bool {
        self.program == program && self.name == name
    }

    /// The output row at `at`.
    pub fn row(&self, at: Position) -> DecodedInstruction {
        DecodedInstruction {
            at,
            program: self.program,
            name: self.name,
            accounts: self.accounts.clone(),
            args: args_json(&self.ix),
        }
    }
}

/// Decodes `data` of `program` with its account `keys`, in a block of `block_time` (0 when
/// unknown; it picks historic layouts of `update` and `finish`).
pub(crate) fn decode(program: Program, keys: &[Pubkey], data: &[u8], block_time: i64) -> Result<NosanaIx, DecodeError> {
    let ix = match program {
        Program::Jobs => NosanaInstruction::Jobs(JobsInstruction::decode_at(data, block_time)?),
        _ => NosanaInstruction::decode(&program.id(), data)?,
    };
    let spec = match &ix {
        NosanaInstruction::Jobs(JobsInstruction::Finish { .. }) => jobs::finish_spec(keys.len(), block_time),
        other => other.spec(),
    };
    if keys.len() < spec.accounts.len() {
        return Err(DecodeError::TooFewAccounts {
            program: program.name(),
            name: spec.name,
            expected: spec.accounts.len(),
            got: keys.len(),
        });
    }
    let mut accounts: Vec<(&'static str, Pubkey)> = spec.accounts.iter().zip(keys).map(|(a, k)| (a.name, *k)).collect();
    accounts.extend(keys[spec.accounts.len()..].iter().map(|k| (REMAINING_ACCOUNT, *k)));
    Ok(NosanaIx { program, ix, name: spec.name, accounts })
}
