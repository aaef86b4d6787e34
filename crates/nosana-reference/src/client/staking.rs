//! `nosana_staking` instructions for a staker (`authority`) and the settings authority. Stake,
//! vault and settings PDAs and the staker's NOS ATA are derived here.

use nosana_layouts::ids::{self, NOS_MINT, STAKING_PROGRAM_ID};
use nosana_layouts::instruction::Instruction;
use nosana_layouts::instructions::staking::{self as spec, StakingInstruction};
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

/// Creates the settings singleton, paid by `authority`.
pub fn init(authority: &Pubkey) -> Instruction {
    let keys = [pda::staking_settings().0, *authority, ids::SYSTEM_PROGRAM_ID, ids::RENT_SYSVAR_ID];
    spec::INIT.instruction(STAKING_PROGRAM_ID, &keys, StakingInstruction::Init.encode())
}

/// Stakes `amount` NOS base units from `authority`'s ATA for `duration` seconds.
pub fn stake(authority: &Pubkey, amount: u64, duration: u64) -> Instruction {
    let keys = [
        NOS_MINT,
        pda::nos_ata(authority),
        pda::stake_vault(authority).0,
        pda::stake(authority).0,
        *authority,
        ids::SYSTEM_PROGRAM_ID,
        ids::TOKEN_PROGRAM_ID,
        ids::RENT_SYSVAR_ID,
    ];
    let data = StakingInstruction::Stake { amount, duration: u128::from(duration) }.encode();
    spec::STAKE.instruction(STAKING_PROGRAM_ID, &keys, data)
}

/// Starts the release of `authority`'s stake (its reward account must be closed).
pub fn unstake(authority: &Pubkey) -> Instruction {
    let keys = [pda::stake(authority).0, pda::reward(authority).0, *authority];
    spec::UNSTAKE.instruction(STAKING_PROGRAM_ID, &keys, StakingInstruction::Unstake.encode())
}

/// Re-activates an unstaked stake with the vault's balance.
pub fn restake(authority: &Pubkey) -> Instruction {
    let keys = [pda::stake_vault(authority).0, pda::stake(authority).0, *authority];
    spec::RESTAKE.instruction(STAKING_PROGRAM_ID, &keys, StakingInstruction::Restake.encode())
}

/// Adds `amount` from `authority`'s ATA to its active stake.
pub fn topup(authority: &Pubkey, amount: u64) -> Instruction {
    let keys = [
        pda::nos_ata(authority),
        pda::stake_vault(authority).0,
        pda::stake(authority).0,
        *authority,
        ids::TOKEN_PROGRAM_ID,
    ];
    spec::TOPUP.instruction(STAKING_PROGRAM_ID, &keys, StakingInstruction::Topup { amount }.encode())
}

/// Lengthens `authority`'s active stake by `duration` seconds.
pub fn extend(authority: &Pubkey, duration: u64) -> Instruction {
    let keys = [pda::stake(authority).0, *authority];
    spec::EXTEND.instruction(STAKING_PROGRAM_ID, &keys, StakingInstruction::Extend { duration }.encode())
}

/// Closes an unlocked, emptied stake and its vault; rent returns to `authority`.
pub fn close(authority: &Pubkey) -> Instruction {
    let keys = [
        pda::nos_ata(authority),
        pda::stake(authority).0,
        pda::stake_vault(authority).0,
        *authority,
        ids::TOKEN_PROGRAM_ID,
    ];
    spec::CLOSE.instruction(STAKING_PROGRAM_ID, &keys, StakingInstruction::Close.encode())
}

/// Withdraws the released part of an unstaked stake to `authority`'s ATA.
pub fn withdraw(authority: &Pubkey) -> Instruction {
    let keys = [
        pda::nos_ata(authority),
        pda::stake_vault(authority).0,
        pda::stake(authority).0,
        *authority,
        ids::TOKEN_PROGRAM_ID,
    ];
    spec::WITHDRAW.instruction(STAKING_PROGRAM_ID, &keys, StakingInstruction::Withdraw.encode())
}

/// `slasher` takes `amount` of `staker`'s stake to `token_account` (the settings' destination).
pub fn slash(slasher: &Pubkey, staker: &Pubkey, token_account: &Pubkey, amount: u64) -> Instruction {
    let keys = [
        pda::stake_vault(staker).0,
        pda::stake(staker).0,
        *token_account,
        pda::staking_settings().0,
        *slasher,
        ids::TOKEN_PROGRAM_ID,
    ];
    spec::SLASH.instruction(STAKING_PROGRAM_ID, &keys, StakingInstruction::Slash { amount }.encode())
}

/// The settings authority hands over to `new_authority` and a new slash destination.
pub fn update_settings(authority: &Pubkey, new_authority: &Pubkey, token_account: &Pubkey) -> Instruction {
    let keys = [*new_authority, *token_account, pda::staking_settings().0, *authority];
    spec::UPDATE_SETTINGS.instruction(STAKING_PROGRAM_ID, &keys, StakingInstruction::UpdateSettings.encode())
}
