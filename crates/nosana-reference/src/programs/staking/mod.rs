//! `nosana_staking`: NOS locked in a per-wallet vault for a duration, scored as xNOS, released
//! linearly after `unstake`, slashable by the settings authority.

mod admin;
mod lock;
mod release;

use nosana_layouts::accounts::StakeAccount;
use nosana_layouts::errors::{ErrorDef, anchor as ae, common as ce};
use nosana_layouts::ids;
use nosana_layouts::instruction::{AccountMeta, find_spec};
use nosana_layouts::instructions::staking::{ALL, StakingInstruction};
use nosana_layouts::math;
use solana_pubkey::Pubkey;

use crate::anchor::{self, enter};
use crate::error::{ProgramError, ProgramResult, ensure_key};
use crate::invoke::InvokeContext;

/// Anchor's `AccountSysvarMismatch`, raised by a `Sysvar<Rent>` slot holding another key.
const ACCOUNT_SYSVAR_MISMATCH: ErrorDef = ErrorDef {
    code: 3015,
    name: "AccountSysvarMismatch",
    message: "The given public key does not match the required sysvar",
};

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

/// The account slots in order, as an array to destructure.
fn slots<const N: usize>(keys: &[Pubkey]) -> ProgramResult<[Pubkey; N]> {
    keys.get(..N).and_then(|k| k.try_into().ok()).ok_or(ProgramError::anchor(ae::ACCOUNT_NOT_ENOUGH_KEYS))
}

/// `Program<'info, T>`: the slot must hold that program.
fn program_slot(actual: &Pubkey, expected: &Pubkey, slot: &'static str) -> ProgramResult {
    if actual == expected { Ok(()) } else { Err(ProgramError::anchor_on(ae::INVALID_PROGRAM_ID, slot)) }
}

/// `Sysvar<'info, Rent>`.
fn rent_slot(actual: &Pubkey) -> ProgramResult {
    if *actual == ids::RENT_SYSVAR_ID { Ok(()) } else { Err(ProgramError::anchor_on(ACCOUNT_SYSVAR_MISMATCH, "rent")) }
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
