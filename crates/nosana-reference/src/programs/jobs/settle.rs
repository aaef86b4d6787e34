//! Ending running jobs: the node's `finish` (with a result), the project's `end` (without),
//! and `complete`, which lets the node post its result after an `end`.

use nosana_layouts::accounts::{JobAccount, MarketAccount, RunAccount};
use nosana_layouts::enums::job_state;
use nosana_layouts::errors::{common, jobs as je};
use nosana_layouts::ids;
use nosana_layouts::instruction::AccountMeta;
use nosana_layouts::instructions::jobs::{COMPLETE, END, FINISH};

use super::checks::{self, keys};
use super::payment;
use crate::anchor::{self, constraint};
use crate::error::{ProgramResult, ensure};
use crate::invoke::InvokeContext;

/// `finish`: the running node posts its result; the job is Done, the node paid pro rata,
/// the surplus refunded to the job payer's ATA, and the run closed (rent to its payer).
pub fn finish(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta], ipfs_result: [u8; 32]) -> ProgramResult {
    let [job, run, market, vault, deposit, user, payer_run, payer_job, authority, token_program] =
        keys(&FINISH, metas)?;
    let mut value: JobAccount = anchor::load(ctx, &job, "job")?;
    let r: RunAccount = anchor::load(ctx, &run, "run")?;
    let m: MarketAccount = anchor::load(ctx, &market, "market")?;
    anchor::token_account(ctx, &vault, "vault")?;
    anchor::token_account(ctx, &deposit, "deposit")?;
    let user_account = anchor::token_account(ctx, &user, "user")?;
    constraint(value.market == market, je::INVALID_MARKET_ACCOUNT, "job")?;
    constraint(value.payer == payer_job, common::INVALID_PAYER, "job")?;
    constraint(r.payer == payer_run, common::INVALID_PAYER, "run")?;
    constraint(r.job == job, je::INVALID_JOB_ACCOUNT, "run")?;
    constraint(r.node == authority, common::UNAUTHORIZED, "run")?;
    checks::vault(&m, &vault)?;
    checks::nos_ata(value.price, &deposit, &payer_job, "deposit")?;
    constraint(value.price == 0 || user_account.mint == ids::NOS_MINT, common::INVALID_ATA, "user")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;

    ensure(ipfs_result != [0; 32], je::JOB_RESULT_NULL)?;
    value.ipfs_result = ipfs_result;
    value.node = authority;
    value.state = job_state::DONE;
    value.time_end = ctx.unix_timestamp();
    value.time_start = r.time;
    payment::settle(ctx, &value, &vault, &user, &deposit)?;
    anchor::store(ctx, &job, &value)?;
    anchor::close(ctx, &run, &payer_run)
}

/// `end`: the project stops a running job; the job is Done without a result, the node
/// (`run.node`'s ATA) paid pro rata, the surplus refunded, and the run closed.
pub fn end(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [job, market, run, deposit, user, vault, payer, authority, token_program] = keys(&END, metas)?;
    let mut value: JobAccount = anchor::load(ctx, &job, "job")?;
    let m: MarketAccount = anchor::load(ctx, &market, "market")?;
    let r: RunAccount = anchor::load(ctx, &run, "run")?;
    anchor::token_account(ctx, &deposit, "deposit")?;
    anchor::token_account(ctx, &user, "user")?;
    anchor::token_account(ctx, &vault, "vault")?;
    constraint(value.market == market, je::INVALID_MARKET_ACCOUNT, "job")?;
    checks::project(&value.project, &authority)?;
    checks::vault(&m, &vault)?;
    constraint(r.payer == payer, common::INVALID_PAYER, "run")?;
    constraint(r.job == job, je::INVALID_JOB_ACCOUNT, "run")?;
    checks::nos_ata(value.price, &deposit, &value.payer, "deposit")?;
    checks::nos_ata(value.price, &user, &r.node, "user")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;

    value.state = job_state::DONE;
    value.time_start = r.time;
    value.time_end = ctx.unix_timestamp();
    value.node = r.node;
    payment::settle(ctx, &value, &vault, &user, &deposit)?;
    anchor::store(ctx, &job, &value)?;
    anchor::close(ctx, &run, &payer)
}

/// `complete`: the node of an ended job posts the result it still owes. No payment.
pub fn complete(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta], ipfs_result: [u8; 32]) -> ProgramResult {
    let [job, authority] = keys(&COMPLETE, metas)?;
    let mut value: JobAccount = anchor::load(ctx, &job, "job")?;
    constraint(value.state == job_state::DONE, je::JOB_IN_WRONG_STATE, "job")?;
    constraint(value.node == authority, common::UNAUTHORIZED, "job")?;
    constraint(!value.has_result(), je::JOB_RESULTS_ALREADY_SET, "job")?;
    ensure(ipfs_result != [0; 32], je::JOB_RESULT_NULL)?;
    value.ipfs_result = ipfs_result;
    anchor::store(ctx, &job, &value)
}
