//! Posting jobs: `list` and `assign` create them with their deposit; `delist` and `recover`
//! take them back with a refund; `extend` raises their timeout and deposit.

use nosana_layouts::accounts::{AnchorAccount, JobAccount, MarketAccount, ReflectionAccount, RunAccount};
use nosana_layouts::enums::{job_state, queue_type};
use nosana_layouts::errors::{common, jobs as je};
use nosana_layouts::ids;
use nosana_layouts::instruction::AccountMeta;
use nosana_layouts::instructions::jobs::{ASSIGN, DELIST, EXTEND, LIST, RECOVER};
use solana_pubkey::Pubkey;

use super::checks::{self, keys};
use super::payment::{self, Funding};
use super::queue;
use crate::anchor::{self, constraint};
use crate::error::{ProgramResult, ensure};
use crate::invoke::InvokeContext;

/// The slots `list` and `assign` share.
struct Posting {
    job: Pubkey,
    market: Pubkey,
    run: Pubkey,
    funding: Funding,
    authority: Pubkey,
}

/// `list`: creates the job, then queues it or, when a node waits, pairs it with the first
/// node at once. Without `timeout` (the pre-2024-11 instruction) the market's timeout
/// applies and the fee is the legacy `job_price / fraction`.
pub fn list(
    ctx: &mut InvokeContext<'_>,
    metas: &[AccountMeta],
    ipfs_job: [u8; 32],
    timeout: Option<i64>,
) -> ProgramResult {
    let [
        job,
        market,
        run,
        user,
        vault,
        payer,
        rewards_reflection,
        rewards_vault,
        authority,
        rewards_program,
        token_program,
        system_program,
    ] = keys(&LIST, metas)?;
    let funding = Funding { user, payer, vault, rewards_reflection, rewards_vault };
    let p = Posting { job, market, run, funding, authority };
    let mut m = validate(ctx, &p)?;
    anchor::program_slot(&rewards_program, &ids::REWARDS_PROGRAM_ID, "rewards_program")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    anchor::program_slot(&system_program, &ids::SYSTEM_PROGRAM_ID, "system_program")?;

    let effective_timeout = timeout.unwrap_or(m.job_timeout);
    let value = new_job(&p, &m, ipfs_job, effective_timeout);
    if queue::kind(&m) == queue_type::NODE {
        let node = queue::pop(&mut m)?;
        create_run(ctx, &p, node)?;
    } else {
        queue::push(&mut m, job, queue_type::JOB);
    }
    if value.price != 0 {
        let deposit = payment::deposit_of(value.price, effective_timeout)?;
        let fee = match timeout {
            Some(_) => payment::fee_of(ctx, deposit),
            None => payment::fee_of(ctx, value.price),
        };
        payment::collect(ctx, &p.funding, deposit, fee)?;
    }
    anchor::store(ctx, &job, &value)?;
    anchor::store(ctx, &market, &m)
}

/// `assign`: creates the job and its run for `node`, taking the node out of the node queue.
pub fn assign(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta], ipfs_job: [u8; 32], timeout: i64) -> ProgramResult {
    let [
        job,
        market,
        run,
        node,
        user,
        vault,
        payer,
        rewards_reflection,
        rewards_vault,
        authority,
        rewards_program,
        token_program,
        system_program,
    ] = keys(&ASSIGN, metas)?;
    let funding = Funding { user, payer, vault, rewards_reflection, rewards_vault };
    let p = Posting { job, market, run, funding, authority };
    let mut m = validate(ctx, &p)?;
    constraint(queue::kind(&m) == queue_type::NODE, je::MARKET_IN_WRONG_STATE, "market")?;
    anchor::program_slot(&rewards_program, &ids::REWARDS_PROGRAM_ID, "rewards_program")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    anchor::program_slot(&system_program, &ids::SYSTEM_PROGRAM_ID, "system_program")?;

    queue::remove(&mut m, &node)?;
    let value = new_job(&p, &m, ipfs_job, timeout);
    create_run(ctx, &p, node)?;
    if value.price != 0 {
        let deposit = payment::deposit_of(value.price, timeout)?;
        let fee = payment::fee_of(ctx, deposit);
        payment::collect(ctx, &p.funding, deposit, fee)?;
    }
    anchor::store(ctx, &job, &value)?;
    anchor::store(ctx, &market, &m)
}

/// Creates the job account (Anchor `init`), loads the market and checks the shared slots.
fn validate(ctx: &mut InvokeContext<'_>, p: &Posting) -> ProgramResult<MarketAccount> {
    let program_id = ctx.program_id();
    anchor::create_account(ctx, &p.funding.payer, &p.job, JobAccount::SPACE, &program_id, false)?;
    let market: MarketAccount = anchor::load(ctx, &p.market, "market")?;
    anchor::token_account(ctx, &p.funding.user, "user")?;
    anchor::token_account(ctx, &p.funding.vault, "vault")?;
    anchor::load_foreign::<ReflectionAccount>(
        ctx,
        &p.funding.rewards_reflection,
        &ids::REWARDS_PROGRAM_ID,
        "rewards_reflection",
    )?;
    anchor::token_account(ctx, &p.funding.rewards_vault, "rewards_vault")?;
    checks::vault(&market, &p.funding.vault)?;
    checks::fresh_run(ctx, &p.run)?;
    checks::nos_ata(market.job_price, &p.funding.user, &p.funding.payer, "user")?;
    Ok(market)
}

fn new_job(p: &Posting, market: &MarketAccount, ipfs_job: [u8; 32], timeout: i64) -> JobAccount {
    JobAccount {
        ipfs_job,
        ipfs_result: [0; 32],
        market: p.market,
        node: Pubkey::default(),
        payer: p.funding.payer,
        price: market.job_price,
        project: p.authority,
        state: job_state::QUEUED,
        time_end: 0,
        time_start: 0,
        timeout,
    }
}

/// `RunAccount::initialize`: a 120-byte run funded by the payer, starting now.
fn create_run(ctx: &mut InvokeContext<'_>, p: &Posting, node: Pubkey) -> ProgramResult {
    let run = RunAccount { job: p.job, node, payer: p.funding.payer, state: 0, time: ctx.unix_timestamp() };
    anchor::init(ctx, &p.funding.payer, &p.run, &run, false)
}

/// `has_one = market` and `job.project == authority` of `delist`, `recover` and `extend`.
fn project_job(value: &JobAccount, market: &Pubkey, authority: &Pubkey) -> ProgramResult {
    constraint(value.market == *market, je::INVALID_MARKET_ACCOUNT, "job")?;
    checks::project(&value.project, authority)
}

/// `delist`: a queued job leaves the job queue; its whole deposit goes back to the payer's
/// ATA and the job closes (rent to the payer). The network fee is not refunded.
pub fn delist(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [job, market, deposit, payer, vault, token_program, authority] = keys(&DELIST, metas)?;
    let value: JobAccount = anchor::load(ctx, &job, "job")?;
    let mut m: MarketAccount = anchor::load(ctx, &market, "market")?;
    anchor::token_account(ctx, &deposit, "deposit")?;
    anchor::token_account(ctx, &vault, "vault")?;
    constraint(value.payer == payer, common::INVALID_PAYER, "job")?;
    project_job(&value, &market, &authority)?;
    constraint(value.state == job_state::QUEUED, je::JOB_IN_WRONG_STATE, "job")?;
    checks::vault(&m, &vault)?;
    constraint(m.queue_type == queue_type::JOB, je::MARKET_IN_WRONG_STATE, "market")?;
    checks::nos_ata(value.price, &deposit, &payer, "deposit")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;

    queue::remove(&mut m, &job)?;
    if value.price != 0 {
        let refund = payment::deposit_of(value.price, value.timeout)?;
        payment::pay_out(ctx, &vault, &deposit, refund)?;
    }
    anchor::close(ctx, &job, &payer)?;
    anchor::store(ctx, &market, &m)
}

/// `recover`: the project takes back the whole deposit of a stopped job into `user` (any
/// token account) and the job closes (rent to the payer).
pub fn recover(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [job, market, vault, user, payer, authority, token_program] = keys(&RECOVER, metas)?;
    let value: JobAccount = anchor::load(ctx, &job, "job")?;
    let m: MarketAccount = anchor::load(ctx, &market, "market")?;
    anchor::token_account(ctx, &vault, "vault")?;
    anchor::token_account(ctx, &user, "user")?;
    constraint(value.payer == payer, common::INVALID_PAYER, "job")?;
    project_job(&value, &market, &authority)?;
    constraint(value.state == job_state::STOPPED, je::JOB_IN_WRONG_STATE, "job")?;
    checks::vault(&m, &vault)?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;

    if value.price != 0 {
        let refund = payment::deposit_of(value.price, value.timeout)?;
        payment::pay_out(ctx, &vault, &user, refund)?;
    }
    anchor::close(ctx, &job, &payer)
}

/// `extend`: sets a larger absolute timeout; the payer deposits `price * (new - old)` and
/// the fee on that.
pub fn extend(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta], timeout: i64) -> ProgramResult {
    let [job, market, user, vault, rewards_reflection, rewards_vault, authority, payer, rewards_program, token_program] =
        keys(&EXTEND, metas)?;
    let mut value: JobAccount = anchor::load(ctx, &job, "job")?;
    let m: MarketAccount = anchor::load(ctx, &market, "market")?;
    anchor::token_account(ctx, &user, "user")?;
    anchor::token_account(ctx, &vault, "vault")?;
    anchor::load_foreign::<ReflectionAccount>(
        ctx,
        &rewards_reflection,
        &ids::REWARDS_PROGRAM_ID,
        "rewards_reflection",
    )?;
    anchor::token_account(ctx, &rewards_vault, "rewards_vault")?;
    project_job(&value, &market, &authority)?;
    constraint(value.price == 0 || value.payer == payer, common::UNAUTHORIZED, "job")?;
    constraint(value.state == job_state::QUEUED, je::JOB_IN_WRONG_STATE, "job")?;
    checks::vault(&m, &vault)?;
    checks::nos_ata(value.price, &user, &payer, "user")?;
    anchor::program_slot(&rewards_program, &ids::REWARDS_PROGRAM_ID, "rewards_program")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;

    ensure(timeout > value.timeout, je::JOB_TIMEOUT_NOT_GREATER)?;
    let added = timeout.checked_sub(value.timeout).ok_or_else(anchor::overflow)?;
    value.timeout = timeout;
    if value.price != 0 {
        let deposit = payment::deposit_of(value.price, added)?;
        let fee = payment::fee_of(ctx, deposit);
        let funding = Funding { user, payer, vault, rewards_reflection, rewards_vault };
        payment::collect(ctx, &funding, deposit, fee)?;
    }
    anchor::store(ctx, &job, &value)
}
