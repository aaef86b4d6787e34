//! The programs this bank runs, dispatched by program id.

pub mod ata;
pub mod jobs;
pub mod nodes;
pub mod pools;
pub mod rewards;
pub mod staking;
pub mod system;
pub mod token;

use nosana_layouts::ids;
use nosana_layouts::instruction::AccountMeta;
use solana_pubkey::Pubkey;

use crate::error::{InstructionError, ProgramResult};
use crate::invoke::InvokeContext;

pub fn process(
    ctx: &mut InvokeContext<'_>,
    program_id: &Pubkey,
    accounts: &[AccountMeta],
    data: &[u8],
) -> ProgramResult {
    match *program_id {
        ids::SYSTEM_PROGRAM_ID => system::process(ctx, accounts, data),
        ids::TOKEN_PROGRAM_ID => token::process(ctx, accounts, data),
        ids::ASSOCIATED_TOKEN_PROGRAM_ID => ata::process(ctx, accounts, data),
        ids::JOBS_PROGRAM_ID => jobs::process(ctx, accounts, data),
        ids::REWARDS_PROGRAM_ID => rewards::process(ctx, accounts, data),
        ids::POOLS_PROGRAM_ID => pools::process(ctx, accounts, data),
        ids::STAKING_PROGRAM_ID => staking::process(ctx, accounts, data),
        ids::NODES_PROGRAM_ID => nodes::process(ctx, accounts, data),
        _ => Err(InstructionError::UnsupportedProgramId.into()),
    }
}

/// The first `n` keys, or `NotEnoughAccountKeys`.
pub(crate) fn keys<const N: usize>(accounts: &[AccountMeta]) -> ProgramResult<[Pubkey; N]> {
    if accounts.len() < N {
        return Err(InstructionError::NotEnoughAccountKeys.into());
    }
    Ok(std::array::from_fn(|i| accounts[i].pubkey))
}
