//! `nosana_staking`: NOS locked in a per-wallet vault for a duration, scored as xNOS, released
//! linearly after `unstake`, slashable by the settings authority.

mod admin;
mod lock;
mod release;

use nosana_layouts::accounts::StakeAccount;
use nosana_layouts::errors::{anchor as ae, common as ce};
use nosana_layouts::instruction::{AccountMeta, find_spec};
use nosana_layouts::instructions::staking::{ALL, StakingInstruction};
use nosana_layouts::math;
use solana_pubkey::Pubkey;

use crate::anchor::{self, enter};
use crate::error::{ProgramError, ProgramResult, ensure_key};
use crate::invoke::InvokeContext;

/// Runs one staking instruction: logs its name, decodes the arguments, then the handler.
pub fn process(ctx: &mut InvokeContext<'_>, accounts: &[AccountMeta], data: &[u8]) -> ProgramResult {
    let spec =
        find_spec(ALL, "nosana_staking", data).map_err(|_| ProgramError::anchor(ae::INSTRUCTION_FALLBACK_NOT_FOUND))?;
    enter(ctx, spec)?;
    let ix = StakingInstruction::decode(data).map_err(|_| ProgramError::anchor(ae::INSTRUCTION_DID_NOT_DESERIALIZE))?;
    let keys = anchor::accounts(spec, accounts)?;
    match ix {
        StakingInstruction::Init => admin::init_settings(ctx, &keys),
        StakingInstruction::Stake { amount, duration } => lock::stake(ctx, &keys, amount, duration),
        StakingInstruction::Unstake => lock::unstake(ctx, &keys),
        StakingInstruction::Restake => lock::restake(ctx, &keys),
        StakingInstruction::Topup { amount } => lock::topup(ctx, &keys, amount),
        StakingInstruction::Extend { duration } => lock::extend(ctx, &keys, duration),
        StakingInstruction::Close => release::close(ctx, &keys),
        StakingInstruction::Withdraw => release::withdraw(ctx, &keys),
        StakingInstruction::Slash { amount } => admin::slash(ctx, &keys, amount),
        StakingInstruction::UpdateSettings => admin::update_settings(ctx, &keys),
    }
}

/// The stake's `has_one` constraints in declaration order: `vault @ InvalidVault` (when the
/// instruction has one), then `authority @ Unauthorized`.
fn stake_has_one(stake: &StakeAccount, vault: Option<&Pubkey>, authority: &Pubkey) -> ProgramResult {
    if let Some(vault) = vault {
        ensure_key(&stake.vault, vault, ce::INVALID_VAULT, "stake")?;
    }
    ensure_key(&stake.authority, authority, ce::UNAUTHORIZED, "stake")
}

/// `update_xnos`: recomputes the stake's xNOS from its amount, duration and unstake time.
fn update_xnos(stake: &mut StakeAccount) {
    stake.xnos = math::stake_xnos(stake.amount, stake.duration, stake.time_unstake);
}
