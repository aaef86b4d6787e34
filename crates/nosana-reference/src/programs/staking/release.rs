//! Getting NOS back after `unstake`: `withdraw` (linear release) and `close` (after the lock).

use nosana_layouts::accounts::StakeAccount;
use nosana_layouts::errors::{common as ce, staking as se};
use nosana_layouts::ids;
use nosana_layouts::math;
use solana_pubkey::Pubkey;

use super::stake_has_one;
use crate::anchor::{self, close_token_account, constraint, overflow, token_account, transfer};
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

/// `withdraw`: moves what has been released since `unstake` from the vault to `user`.
pub(super) fn withdraw(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [user, vault, stake_key, authority, token_program] = anchor::slots(keys)?;
    token_account(ctx, &user, "user")?;
    let balance = token_account(ctx, &vault, "vault")?.amount;
    let stake = anchor::load::<StakeAccount>(ctx, &stake_key, "stake")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    constraint(balance != 0, ce::VAULT_EMPTY, "vault")?;
    stake_has_one(&stake, Some(&vault), &authority)?;
    constraint(stake.time_unstake != 0, se::NOT_UNSTAKED, "stake")?;
    let elapsed = ctx.unix_timestamp().checked_sub(stake.time_unstake).ok_or_else(overflow)?;
    let elapsed = u64::try_from(elapsed).map_err(|_| overflow())?;
    let amount = math::withdraw_amount(stake.amount, stake.duration, balance, elapsed).ok_or_else(overflow)?;
    if amount == 0 {
        return Ok(());
    }
    transfer(ctx, &vault, &user, &vault, amount, true)
}

/// `close`: once unlocked and emptied, closes the vault and the stake; rent goes to authority.
pub(super) fn close(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [user, stake_key, vault, authority, token_program] = anchor::slots(keys)?;
    token_account(ctx, &user, "user")?;
    let stake = anchor::load::<StakeAccount>(ctx, &stake_key, "stake")?;
    let balance = token_account(ctx, &vault, "vault")?.amount;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    stake_has_one(&stake, Some(&vault), &authority)?;
    constraint(stake.time_unstake != 0, se::NOT_UNSTAKED, "stake")?;
    let duration = i64::try_from(stake.duration).map_err(|_| overflow())?;
    let unlock = stake.time_unstake.checked_add(duration).ok_or_else(overflow)?;
    constraint(unlock < ctx.unix_timestamp(), se::LOCKED, "stake")?;
    constraint(balance == 0, ce::VAULT_NOT_EMPTY, "vault")?;
    close_token_account(ctx, &vault, &authority, &vault)?;
    anchor::close(ctx, &stake_key, &authority)
}
