//! `nosana_pools` instructions.

use nosana_layouts::ids::{self, NOS_MINT};
use nosana_layouts::instruction::{Instruction, InstructionSpec};
use nosana_layouts::instructions::pools::{self as spec, PoolsInstruction};
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

fn build(s: &InstructionSpec, keys: &[Pubkey], ix: PoolsInstruction) -> Instruction {
    s.instruction(ids::POOLS_PROGRAM_ID, keys, ix.encode())
}

/// Opens pool `pool` (a fresh keypair) paying out `emission` base units per second from
/// `start_time` to the token account `beneficiary`.
pub fn open(
    pool: &Pubkey,
    authority: &Pubkey,
    beneficiary: &Pubkey,
    emission: u64,
    start_time: i64,
    claim_type: u8,
    closeable: bool,
) -> Instruction {
    let keys = [
        *pool,
        pda::pool_vault(pool).0,
        *beneficiary,
        *authority,
        NOS_MINT,
        ids::SYSTEM_PROGRAM_ID,
        ids::TOKEN_PROGRAM_ID,
        ids::RENT_SYSVAR_ID,
    ];
    build(&spec::OPEN, &keys, PoolsInstruction::Open { emission, start_time, claim_type, closeable })
}

/// Releases what an AddFee pool owes into the rewards vault (any signer may crank it).
pub fn claim_fee(pool: &Pubkey, cranker: &Pubkey) -> Instruction {
    let keys = [
        pda::pool_vault(pool).0,
        pda::rewards_reflection().0,
        pda::rewards_vault().0,
        *pool,
        *cranker,
        ids::TOKEN_PROGRAM_ID,
        ids::REWARDS_PROGRAM_ID,
    ];
    build(&spec::CLAIM_FEE, &keys, PoolsInstruction::ClaimFee)
}

/// Releases what a Transfer pool owes to its beneficiary.
pub fn claim_transfer(pool: &Pubkey, beneficiary: &Pubkey, cranker: &Pubkey) -> Instruction {
    let keys = [pda::pool_vault(pool).0, *beneficiary, *pool, *cranker, ids::TOKEN_PROGRAM_ID];
    build(&spec::CLAIM_TRANSFER, &keys, PoolsInstruction::ClaimTransfer)
}

/// Closes the pool; what is left in its vault goes to `user`.
pub fn close(pool: &Pubkey, authority: &Pubkey, user: &Pubkey) -> Instruction {
    let keys = [pda::pool_vault(pool).0, *user, *pool, *authority, ids::TOKEN_PROGRAM_ID];
    build(&spec::CLOSE, &keys, PoolsInstruction::Close)
}

pub fn update_beneficiary(
    pool: &Pubkey,
    beneficiary: &Pubkey,
    new_beneficiary: &Pubkey,
    authority: &Pubkey,
) -> Instruction {
    let keys = [*beneficiary, *new_beneficiary, *pool, *authority, ids::TOKEN_PROGRAM_ID];
    build(&spec::UPDATE_BENEFICIARY, &keys, PoolsInstruction::UpdateBeneficiary)
}
