//! `nosana_rewards` instructions.

use nosana_layouts::ids::{self, NOS_MINT};
use nosana_layouts::instruction::{Instruction, InstructionSpec};
use nosana_layouts::instructions::rewards::{self as spec, RewardsInstruction};
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

fn build(s: &InstructionSpec, keys: &[Pubkey], ix: RewardsInstruction) -> Instruction {
    s.instruction(ids::REWARDS_PROGRAM_ID, keys, ix.encode())
}

pub fn init(authority: &Pubkey) -> Instruction {
    let keys = [
        NOS_MINT,
        pda::rewards_reflection().0,
        pda::rewards_vault().0,
        *authority,
        ids::SYSTEM_PROGRAM_ID,
        ids::TOKEN_PROGRAM_ID,
        ids::RENT_SYSVAR_ID,
    ];
    build(&spec::INIT, &keys, RewardsInstruction::Init)
}

/// Enters `authority`'s stake into the fee distribution.
pub fn enter(authority: &Pubkey) -> Instruction {
    let keys = [
        pda::rewards_reflection().0,
        pda::stake(authority).0,
        pda::reward(authority).0,
        *authority,
        ids::SYSTEM_PROGRAM_ID,
    ];
    build(&spec::ENTER, &keys, RewardsInstruction::Enter)
}

/// Pays `amount` from `authority`'s NOS ATA into the rewards vault for all stakers.
pub fn add_fee(authority: &Pubkey, amount: u64) -> Instruction {
    let keys = [
        pda::nos_ata(authority),
        pda::rewards_reflection().0,
        pda::rewards_vault().0,
        *authority,
        ids::TOKEN_PROGRAM_ID,
    ];
    build(&spec::ADD_FEE, &keys, RewardsInstruction::AddFee { amount })
}

/// Claims `authority`'s pending reward into its NOS ATA.
pub fn claim(authority: &Pubkey) -> Instruction {
    let keys = [
        pda::nos_ata(authority),
        pda::rewards_vault().0,
        pda::rewards_reflection().0,
        pda::reward(authority).0,
        pda::stake(authority).0,
        *authority,
        ids::TOKEN_PROGRAM_ID,
    ];
    build(&spec::CLAIM, &keys, RewardsInstruction::Claim)
}

/// Re-enters `staker`'s reward account at its current xNOS (permissionless).
pub fn sync(staker: &Pubkey) -> Instruction {
    let keys = [pda::reward(staker).0, pda::stake(staker).0, pda::rewards_reflection().0];
    build(&spec::SYNC, &keys, RewardsInstruction::Sync)
}

/// Leaves the distribution; pending rewards go to the others.
pub fn close(authority: &Pubkey) -> Instruction {
    let keys = [pda::rewards_reflection().0, pda::reward(authority).0, *authority];
    build(&spec::CLOSE, &keys, RewardsInstruction::Close)
}
