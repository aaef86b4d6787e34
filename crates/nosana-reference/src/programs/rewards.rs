//! `nosana_rewards`: reflection-based distribution of fees to stakers.

use nosana_layouts::accounts::{ReflectionAccount, RewardAccount, StakeAccount};
use nosana_layouts::errors::staking as se;
use nosana_layouts::ids;
use nosana_layouts::instruction::AccountMeta;
use nosana_layouts::instructions::rewards::{self as spec, RewardsInstruction};
use nosana_layouts::math;
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

use crate::anchor::{self, constraint, expect_address, expect_pda, has_one, overflow};
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

pub fn process(ctx: &mut InvokeContext<'_>, accounts: &[AccountMeta], data: &[u8]) -> ProgramResult {
    let ix = decode(data)?;
    anchor::enter(ctx, ix.spec())?;
    let keys = anchor::accounts(ix.spec(), accounts)?;
    match ix {
        RewardsInstruction::Init => init(ctx, &keys),
        RewardsInstruction::Enter => enter(ctx, &keys),
        RewardsInstruction::AddFee { amount } => add_fee(ctx, &keys, amount),
        RewardsInstruction::Claim => claim(ctx, &keys),
        RewardsInstruction::Sync => sync(ctx, &keys),
        RewardsInstruction::Close => close(ctx, &keys),
    }
}

fn decode(data: &[u8]) -> ProgramResult<RewardsInstruction> {
    anchor::check_discriminator(spec::ALL, data)?;
    RewardsInstruction::decode(data).map_err(|_| anchor::did_not_deserialize())
}

fn reflection_pda(ctx: &InvokeContext<'_>, key: &Pubkey) -> ProgramResult<ReflectionAccount> {
    expect_pda(key, pda::rewards_reflection(), "reflection")?;
    anchor::load::<ReflectionAccount>(ctx, key, "reflection")
}

/// An active stake of `authority`.
fn active_stake(ctx: &InvokeContext<'_>, key: &Pubkey, authority: &Pubkey) -> ProgramResult<StakeAccount> {
    let stake = anchor::load_foreign::<StakeAccount>(ctx, key, &ids::STAKING_PROGRAM_ID, "stake")?;
    has_one(&stake.authority, authority, "stake")?;
    constraint(stake.time_unstake == 0, se::ALREADY_UNSTAKED, "stake")?;
    Ok(stake)
}

fn init(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [mint, reflection, vault, authority, system, token, _rent] = anchor::slots(keys)?;
    expect_address(&mint, &ids::NOS_MINT, "mint")?;
    anchor::program_slot(&system, &ids::SYSTEM_PROGRAM_ID, "system_program")?;
    anchor::program_slot(&token, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    expect_pda(&reflection, pda::rewards_reflection(), "reflection")?;
    let vault_bump = expect_pda(&vault, pda::rewards_vault(), "vault")?;
    let value = ReflectionAccount { rate: math::INITIAL_RATE, total_reflection: 0, total_xnos: 0, vault, vault_bump };
    anchor::init(ctx, &authority, &reflection, &value, true)?;
    anchor::init_token_account(ctx, &authority, &vault, &mint, &vault)
}

fn enter(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [reflection_key, stake_key, reward_key, authority, system] = anchor::slots(keys)?;
    anchor::program_slot(&system, &ids::SYSTEM_PROGRAM_ID, "system_program")?;
    let mut reflection = reflection_pda(ctx, &reflection_key)?;
    let stake = active_stake(ctx, &stake_key, &authority)?;
    let bump = expect_pda(&reward_key, pda::reward(&authority), "reward")?;
    let entry = math::add_rewards_account(&mut reflection, stake.xnos, 0).ok_or_else(overflow)?;
    let reward = RewardAccount { authority, bump, reflection: entry, xnos: stake.xnos };
    anchor::init(ctx, &authority, &reward_key, &reward, true)?;
    anchor::store(ctx, &reflection_key, &reflection)
}

fn add_fee(ctx: &mut InvokeContext<'_>, keys: &[Pubkey], amount: u64) -> ProgramResult {
    let [user, reflection_key, vault, authority, token] = anchor::slots(keys)?;
    anchor::program_slot(&token, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    let mut reflection = reflection_pda(ctx, &reflection_key)?;
    has_one(&reflection.vault, &vault, "reflection")?;
    math::add_fee(&mut reflection, amount as u128).ok_or_else(overflow)?;
    anchor::store(ctx, &reflection_key, &reflection)?;
    anchor::transfer(ctx, &user, &vault, &authority, amount, false)
}

fn claim(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [user, vault, reflection_key, reward_key, stake_key, authority, token] = anchor::slots(keys)?;
    anchor::program_slot(&token, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    let mut reflection = reflection_pda(ctx, &reflection_key)?;
    has_one(&reflection.vault, &vault, "reflection")?;
    let mut reward = anchor::load::<RewardAccount>(ctx, &reward_key, "reward")?;
    has_one(&reward.authority, &authority, "reward")?;
    let stake = active_stake(ctx, &stake_key, &authority)?;
    constraint(stake.xnos >= reward.xnos, se::DECREASED, "stake")?;

    let amount = math::pending_reward(&reward, reflection.rate).ok_or_else(overflow)?;
    if amount == 0 {
        return Ok(());
    }
    let removed_xnos = reward.xnos.checked_add(amount).ok_or_else(overflow)?;
    math::remove_rewards_account(&mut reflection, reward.reflection, removed_xnos).ok_or_else(overflow)?;
    reward.reflection = math::add_rewards_account(&mut reflection, stake.xnos, 0).ok_or_else(overflow)?;
    reward.xnos = stake.xnos;
    anchor::store(ctx, &reflection_key, &reflection)?;
    anchor::store(ctx, &reward_key, &reward)?;
    let amount = u64::try_from(amount).map_err(|_| overflow())?;
    anchor::transfer(ctx, &vault, &user, &vault, amount, true)
}

fn sync(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [reward_key, stake_key, reflection_key] = anchor::slots(keys)?;
    let mut reward = anchor::load::<RewardAccount>(ctx, &reward_key, "reward")?;
    let stake = active_stake(ctx, &stake_key, &reward.authority)?;
    let mut reflection = reflection_pda(ctx, &reflection_key)?;
    let pending = math::pending_reward(&reward, reflection.rate).ok_or_else(overflow)?;
    math::remove_rewards_account(&mut reflection, reward.reflection, reward.xnos).ok_or_else(overflow)?;
    reward.reflection = math::add_rewards_account(&mut reflection, stake.xnos, pending).ok_or_else(overflow)?;
    reward.xnos = stake.xnos;
    anchor::store(ctx, &reflection_key, &reflection)?;
    anchor::store(ctx, &reward_key, &reward)
}

fn close(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [reflection_key, reward_key, authority] = anchor::slots(keys)?;
    let mut reflection = reflection_pda(ctx, &reflection_key)?;
    let reward = anchor::load::<RewardAccount>(ctx, &reward_key, "reward")?;
    has_one(&reward.authority, &authority, "reward")?;
    math::remove_rewards_account(&mut reflection, reward.reflection, reward.xnos).ok_or_else(overflow)?;
    anchor::store(ctx, &reflection_key, &reflection)?;
    anchor::close(ctx, &reward_key, &authority)
}
