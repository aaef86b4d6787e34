//! `nosana_pools`: pools that release NOS linearly, to a beneficiary or into the rewards vault.

use nosana_layouts::accounts::{PoolAccount, ReflectionAccount};
use nosana_layouts::enums::claim_type;
use nosana_layouts::errors::pools as pe;
use nosana_layouts::ids;
use nosana_layouts::instruction::{AccountMeta, Instruction};
use nosana_layouts::instructions::pools::{self as spec, PoolsInstruction};
use nosana_layouts::instructions::rewards::{self as rewards_spec, RewardsInstruction};
use nosana_layouts::math;
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

use crate::anchor::{self, constraint, expect_pda, has_one, overflow};
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

pub fn process(ctx: &mut InvokeContext<'_>, accounts: &[AccountMeta], data: &[u8]) -> ProgramResult {
    anchor::check_discriminator(spec::ALL, data)?;
    let ix = PoolsInstruction::decode(data).map_err(|_| anchor::did_not_deserialize())?;
    anchor::enter(ctx, ix.spec())?;
    let keys = anchor::accounts(ix.spec(), accounts)?;
    match ix {
        PoolsInstruction::Open { emission, start_time, claim_type, closeable } => {
            open(ctx, &keys, emission, start_time, claim_type, closeable)
        }
        PoolsInstruction::ClaimFee => claim_fee(ctx, &keys),
        PoolsInstruction::ClaimTransfer => claim_transfer(ctx, &keys),
        PoolsInstruction::Close => close(ctx, &keys),
        PoolsInstruction::UpdateBeneficiary => update_beneficiary(ctx, &keys),
    }
}

fn open(
    ctx: &mut InvokeContext<'_>,
    keys: &[Pubkey],
    emission: u64,
    start_time: i64,
    claim: u8,
    closeable: bool,
) -> ProgramResult {
    let [pool, vault, beneficiary, authority, mint, system, token, _rent] = anchor::slots(keys)?;
    anchor::program_slot(&system, &ids::SYSTEM_PROGRAM_ID, "system_program")?;
    anchor::program_slot(&token, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    let vault_bump = expect_pda(&vault, pda::pool_vault(&pool), "vault")?;
    let b = anchor::token_account(ctx, &beneficiary, "beneficiary")?;
    constraint(b.mint == mint, nosana_layouts::errors::anchor::CONSTRAINT_TOKEN_MINT, "beneficiary")?;
    let value = PoolAccount {
        authority,
        beneficiary,
        claim_type: claim_type::from_u8(claim),
        claimed_tokens: 0,
        closeable,
        emission,
        start_time,
        vault,
        vault_bump,
    };
    anchor::init(ctx, &authority, &pool, &value, false)?;
    anchor::init_token_account(ctx, &authority, &vault, &mint, &vault)
}

/// `PoolAccount::claim`: books what the schedule releases now, capped by the vault.
fn book_claim(ctx: &InvokeContext<'_>, pool: &mut PoolAccount, vault: &Pubkey) -> ProgramResult<u64> {
    let now = ctx.unix_timestamp();
    constraint(now > pool.start_time, pe::NOT_STARTED, "pool")?;
    let vault_amount = anchor::token_account(ctx, vault, "vault")?.amount;
    let amount = math::pool_claimable(pool, now, vault_amount).ok_or_else(overflow)?;
    pool.claimed_tokens = pool.claimed_tokens.checked_add(amount).ok_or_else(overflow)?;
    Ok(amount)
}

fn claim_fee(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [vault, reflection, rewards_vault, pool_key, _authority, token, rewards_program] = anchor::slots(keys)?;
    anchor::program_slot(&token, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    anchor::program_slot(&rewards_program, &ids::REWARDS_PROGRAM_ID, "rewards_program")?;
    let mut pool = anchor::load::<PoolAccount>(ctx, &pool_key, "pool")?;
    has_one(&pool.vault, &vault, "pool")?;
    constraint(pool.beneficiary == rewards_vault, pe::WRONG_BENEFICIARY, "rewards_vault")?;
    constraint(pool.claim_type == claim_type::ADD_FEE, pe::WRONG_CLAIM_TYPE, "pool")?;
    let reflection_account =
        anchor::load_foreign::<ReflectionAccount>(ctx, &reflection, &ids::REWARDS_PROGRAM_ID, "rewards_reflection")?;
    has_one(&reflection_account.vault, &rewards_vault, "rewards_reflection")?;

    let amount = book_claim(ctx, &mut pool, &vault)?;
    anchor::store(ctx, &pool_key, &pool)?;
    // The on-chain program books the claim but skips the transfer below one second's emission.
    if amount < pool.emission {
        return Ok(());
    }
    let keys = [vault, reflection, rewards_vault, vault, token];
    let ix: Instruction = rewards_spec::ADD_FEE.instruction(
        ids::REWARDS_PROGRAM_ID,
        &keys,
        RewardsInstruction::AddFee { amount }.encode(),
    );
    ctx.invoke(ix, &[vault])
}

fn claim_transfer(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [vault, beneficiary, pool_key, _authority, token] = anchor::slots(keys)?;
    anchor::program_slot(&token, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    let mut pool = anchor::load::<PoolAccount>(ctx, &pool_key, "pool")?;
    has_one(&pool.vault, &vault, "pool")?;
    has_one(&pool.beneficiary, &beneficiary, "pool")?;
    constraint(pool.claim_type == claim_type::TRANSFER, pe::WRONG_CLAIM_TYPE, "pool")?;
    let amount = book_claim(ctx, &mut pool, &vault)?;
    constraint(amount >= pool.emission, pe::UNDERFUNDED, "pool")?;
    anchor::store(ctx, &pool_key, &pool)?;
    anchor::transfer(ctx, &vault, &beneficiary, &vault, amount, true)
}

fn close(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [vault, user, pool_key, authority, token] = anchor::slots(keys)?;
    anchor::program_slot(&token, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    let pool = anchor::load::<PoolAccount>(ctx, &pool_key, "pool")?;
    has_one(&pool.authority, &authority, "pool")?;
    has_one(&pool.vault, &vault, "pool")?;
    let balance = anchor::token_account(ctx, &vault, "vault")?.amount;
    constraint(pool.closeable || balance == 0, pe::NOT_CLOSEABLE, "pool")?;
    if balance > 0 {
        anchor::transfer(ctx, &vault, &user, &vault, balance, true)?;
    }
    anchor::close_token_account(ctx, &vault, &authority, &vault)?;
    anchor::close(ctx, &pool_key, &authority)
}

fn update_beneficiary(ctx: &mut InvokeContext<'_>, keys: &[Pubkey]) -> ProgramResult {
    let [beneficiary, new_beneficiary, pool_key, authority, token] = anchor::slots(keys)?;
    anchor::program_slot(&token, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    let mut pool = anchor::load::<PoolAccount>(ctx, &pool_key, "pool")?;
    has_one(&pool.beneficiary, &beneficiary, "pool")?;
    let current = anchor::token_account(ctx, &beneficiary, "beneficiary")?;
    constraint(current.owner == authority, nosana_layouts::errors::anchor::CONSTRAINT_TOKEN_OWNER, "beneficiary")?;
    let next = anchor::token_account(ctx, &new_beneficiary, "new_beneficiary")?;
    constraint(next.mint == current.mint, nosana_layouts::errors::anchor::CONSTRAINT_TOKEN_MINT, "new_beneficiary")?;
    pool.beneficiary = new_beneficiary;
    anchor::store(ctx, &pool_key, &pool)
}
