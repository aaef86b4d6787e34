//! Locking NOS: `stake`, `topup`, `extend`, and the `unstake` / `restake` switch.

use nosana_layouts::accounts::{AnchorAccount, StakeAccount};
use nosana_layouts::errors::{anchor as ae, common as ce, staking as se};
use nosana_layouts::ids;
use nosana_layouts::math::{DURATION_MAX, DURATION_MIN, STAKE_MINIMUM};
use nosana_layouts::pda;
use nosana_layouts::spl::Mint;
use solana_pubkey::Pubkey;

use super::{stake_has_one, update_xnos};
use crate::anchor::{
    self, constraint, create_account, expect_pda, init_token_account, overflow, store, token_account, transfer,
};
use crate::error::{ProgramError, ProgramResult, ensure, ensure_key};
use crate::invoke::InvokeContext;

/// `stake(amount, duration)`: creates the vault and the stake PDAs, moves `amount` in.
pub(super) fn stake(ctx: &mut InvokeContext<'_>, keys: &[Pubkey], amount: u64, duration: u128) -> ProgramResult {
    let [mint, user, vault, stake, authority, system_program, token_program, rent] = anchor::slots(keys)?;
    // Deserialisation, in declaration order.
    mint_account(ctx, &mint)?;
    token_account(ctx, &user, "user")?;
    anchor::program_slot(&system_program, &ids::SYSTEM_PROGRAM_ID, "system_program")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    anchor::rent_slot(&rent)?;
    // `init` accounts.
    let program = ctx.program_id();
    let vault_pda = Pubkey::find_program_address(&[b"vault", mint.as_ref(), authority.as_ref()], &program);
    let vault_bump = expect_pda(&vault, vault_pda, "vault")?;
    init_token_account(ctx, &authority, &vault, &mint, &vault)?;
    let stake_pda = Pubkey::find_program_address(&[b"stake", mint.as_ref(), authority.as_ref()], &program);
    expect_pda(&stake, stake_pda, "stake")?;
    create_account(ctx, &authority, &stake, StakeAccount::SPACE, &program, true)?;
    // Remaining constraints, then the handler.
    ensure_key(&mint, &ids::NOS_MINT, ce::INVALID_MINT, "mint")?;
    ensure(duration >= u128::from(DURATION_MIN), se::DURATION_TOO_SHORT)?;
    ensure(duration <= u128::from(DURATION_MAX), se::DURATION_TOO_LONG)?;
    ensure(meets_minimum(amount), se::AMOUNT_NOT_ENOUGH)?;
    let duration = u64::try_from(duration).map_err(|_| overflow())?;
    let mut value = StakeAccount { amount, authority, duration, time_unstake: 0, vault, vault_bump, xnos: 0 };
    update_xnos(&mut value);
    store(ctx, &stake, &value)?;
    transfer(ctx, &user, &vault, &authority, amount, false)
}

/// `topup(amount)`: adds `amount` to an active stake.
pub(super) fn topup(ctx: &mut InvokeContext<'_>, keys: &[Pubkey], amount: u64) -> ProgramResult {
    let [user, vault, stake_key, authority, token_program] = anchor::slots(keys)?;
    token_account(ctx, &user, "user")?;
    token_account(ctx, &vault, "vault")?;
    let mut stake = anchor::load::<StakeAccount>(ctx, &stake_key, "stake")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    ensure_key(&vault, &stake.vault, ce::INVALID_VAULT, "vault")?;
    stake_has_one(&stake, None, &authority)?;
    constraint(stake.time_unstake == 0, se::ALREADY_UNSTAKED, "stake")?;
    ensure(amount > 0, se::AMOUNT_NOT_ENOUGH)?;
    stake.amount = stake.amount.checked_add(amount).ok_or_else(overflow)?;
    update_xnos(&mut stake);
    store(ctx, &stake_key, &stake)?;
    transfer(ctx, &user, &vault, &authority, amount, false)
}

/// `extend(duration)`: lengthens an active stake, up to a year in total.
pub(super) fn extend(ctx: &mut InvokeContext<'_>, keys: &[Pubkey], duration: u64) -> ProgramResult {
    let [stake_key, authority] = anchor::slots(keys)?;
    let mut stake = anchor::load::<StakeAccount>(ctx, &stake_key, "stake")?;
    stake_has_one(&stake, None, &authority)?;
    constraint(stake.time_unstake == 0, se::ALREADY_UNSTAKED, "stake")?;
    ensure(duration > 0, se::DURATION_TOO_SHORT)?;
    let total = stake.duration.checked_add(duration).ok_or_else(overflow)?;
    ensure(total <= DURATION_MAX, se::DURATION_TOO_LONG)?;
    stake.duration = total;
    update_xnos(&mut stake);
    store(ctx, &stake_key, &stake)
}

/// `unstake`: starts the release clock. The wallet must have left the rewards program first.
pub(super) fn unstake(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [stake_key, reward, authority] = anchor::slots(keys)?;
    let mut stake = anchor::load::<StakeAccount>(ctx, &stake_key, "stake")?;
    stake_has_one(&stake, None, &authority)?;
    constraint(stake.time_unstake == 0, se::ALREADY_UNSTAKED, "stake")?;
    ensure_key(&reward, &pda::reward(&authority).0, ce::INVALID_ACCOUNT, "reward")?;
    constraint(account_is_closed(ctx, &reward)?, se::HAS_REWARD, "reward")?;
    stake.time_unstake = ctx.unix_timestamp();
    update_xnos(&mut stake);
    store(ctx, &stake_key, &stake)
}

/// `restake`: re-activates an unstaked stake with whatever the vault still holds.
pub(super) fn restake(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [vault, stake_key, authority] = anchor::slots(keys)?;
    let balance = token_account(ctx, &vault, "vault")?.amount;
    let mut stake = anchor::load::<StakeAccount>(ctx, &stake_key, "stake")?;
    constraint(meets_minimum(balance), se::AMOUNT_NOT_ENOUGH, "vault")?;
    stake_has_one(&stake, Some(&vault), &authority)?;
    constraint(stake.time_unstake != 0, se::ALREADY_STAKED, "stake")?;
    stake.amount = balance;
    stake.time_unstake = 0;
    update_xnos(&mut stake);
    store(ctx, &stake_key, &stake)
}

/// `amount >= STAKE_MINIMUM`: always true while the minimum is 0, kept as the program has it.
#[allow(clippy::absurd_extreme_comparisons)]
fn meets_minimum(amount: u64) -> bool {
    amount >= STAKE_MINIMUM
}

/// `nosana_common::utils::account_is_closed`: System-owned, or Anchor's old closed marker.
fn account_is_closed(ctx: &InvokeContext<'_>, key: &Pubkey) -> ProgramResult<bool> {
    let account = ctx.account(key)?;
    Ok(account.owner == ids::SYSTEM_PROGRAM_ID || account.data.get(..8) == Some(&[0xff; 8][..]))
}

/// `Account<'info, Mint>`: owned by the Token program and decodable as a mint.
fn mint_account(ctx: &InvokeContext<'_>, key: &Pubkey) -> ProgramResult<Mint> {
    let account = ctx.account(key)?;
    if account.owner != ids::TOKEN_PROGRAM_ID {
        return Err(ProgramError::anchor_on(ae::ACCOUNT_OWNED_BY_WRONG_PROGRAM, "mint"));
    }
    Mint::unpack(&account.data).map_err(|_| ProgramError::anchor_on(ae::ACCOUNT_DID_NOT_DESERIALIZE, "mint"))
}
