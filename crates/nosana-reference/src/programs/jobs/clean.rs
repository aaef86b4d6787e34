//! Closing finished jobs: `clean` (anyone, once the market's expiration has passed) and
//! `clean_admin` (the market admin, any job, no refund).

use nosana_layouts::accounts::{JobAccount, MarketAccount};
use nosana_layouts::enums::job_state;
use nosana_layouts::errors::{common, jobs as je};
use nosana_layouts::instruction::AccountMeta;
use nosana_layouts::instructions::jobs::{CLEAN, CLEAN_ADMIN};

use super::checks::{self, keys};
use crate::anchor::{self, constraint};
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

/// `clean`: closes a Done job more than `market.job_expiration` seconds after its end; the
/// rent goes to the job's payer.
pub fn clean(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [job, market, payer] = keys(&CLEAN, metas)?;
    let value: JobAccount = anchor::load(ctx, &job, "job")?;
    let m: MarketAccount = anchor::load(ctx, &market, "market")?;
    constraint(value.payer == payer, common::INVALID_PAYER, "job")?;
    constraint(value.state == job_state::DONE, je::JOB_IN_WRONG_STATE, "job")?;
    let age = ctx.unix_timestamp().checked_sub(value.time_end).ok_or_else(anchor::overflow)?;
    constraint(m.job_expiration < age, je::JOB_NOT_EXPIRED, "job")?;
    anchor::close(ctx, &job, &payer)
}

/// `clean_admin`: the market admin closes any job; tokens left in the vault stay there.
pub fn clean_admin(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [job, payer, authority] = keys(&CLEAN_ADMIN, metas)?;
    let value: JobAccount = anchor::load(ctx, &job, "job")?;
    constraint(value.payer == payer, common::INVALID_PAYER, "job")?;
    checks::admin(&authority)?;
    anchor::close(ctx, &job, &payer)
}
