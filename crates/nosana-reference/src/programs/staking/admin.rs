//! The settings singleton and what its authority may do: `init`, `update_settings`, `slash`.

use nosana_layouts::accounts::{SettingsAccount, StakeAccount};
use nosana_layouts::errors::{anchor as ae, common as ce, staking as se};
use nosana_layouts::ids;
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

use super::update_xnos;
use crate::anchor::{self, constraint, expect_pda, init, store, token_account, transfer};
use crate::error::{ProgramResult, ensure, ensure_key};
use crate::invoke::InvokeContext;

/// `init`: creates the settings PDA with the mainnet slash authority and destination.
pub(super) fn init_settings(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [settings, authority, system_program, rent] = anchor::slots(keys)?;
    anchor::program_slot(&system_program, &ids::SYSTEM_PROGRAM_ID, "system_program")?;
    anchor::rent_slot(&rent)?;
    expect_pda(&settings, pda::staking_settings(), "settings")?;
    let value = SettingsAccount { authority: ids::AUTHORITY, token_account: ids::TOKEN_ACCOUNT };
    init(ctx, &authority, &settings, &value, true)
}

/// `update_settings`: hands the slash authority and destination to new keys.
pub(super) fn update_settings(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [new_authority, token_account_key, settings_key, authority] = anchor::slots(keys)?;
    let destination = token_account(ctx, &token_account_key, "token_account")?;
    let mut settings = anchor::load::<SettingsAccount>(ctx, &settings_key, "settings")?;
    constraint(destination.mint == ids::NOS_MINT, ae::CONSTRAINT_TOKEN_MINT, "token_account")?;
    ensure_key(&settings.authority, &authority, ce::UNAUTHORIZED, "settings")?;
    expect_pda(&settings_key, pda::staking_settings(), "settings")?;
    settings.authority = new_authority;
    settings.token_account = token_account_key;
    store(ctx, &settings_key, &settings)
}

/// `slash(amount)`: takes `amount` of a stake to the settings' token account.
pub(super) fn slash(ctx: &mut InvokeContext<'_>, keys: &[Pubkey], amount: u64) -> ProgramResult {
    let [vault, stake_key, token_account_key, settings_key, authority, token_program] = anchor::slots(keys)?;
    token_account(ctx, &vault, "vault")?;
    let mut stake = anchor::load::<StakeAccount>(ctx, &stake_key, "stake")?;
    token_account(ctx, &token_account_key, "token_account")?;
    let settings = anchor::load::<SettingsAccount>(ctx, &settings_key, "settings")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    ensure_key(&stake.vault, &vault, ce::INVALID_VAULT, "stake")?;
    ensure_key(&token_account_key, &settings.token_account, ce::INVALID_TOKEN_ACCOUNT, "token_account")?;
    ensure_key(&settings.authority, &authority, ce::UNAUTHORIZED, "settings")?;
    expect_pda(&settings_key, pda::staking_settings(), "settings")?;
    ensure(amount <= stake.amount, se::AMOUNT_NOT_ENOUGH)?;
    stake.amount -= amount;
    update_xnos(&mut stake);
    store(ctx, &stake_key, &stake)?;
    transfer(ctx, &vault, &token_account_key, &vault, amount, true)
}
