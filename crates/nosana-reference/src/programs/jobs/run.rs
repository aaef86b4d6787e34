//! Nodes and runs: `work` (queue up or take a job), `stop` (leave the node queue), `claim`
//! (take over a stopped job), `quit` and `quit_admin` (drop a run).

use nosana_layouts::accounts::{JobAccount, MarketAccount, RunAccount};
use nosana_layouts::enums::{job_state, queue_type};
use nosana_layouts::errors::{common, jobs as je};
use nosana_layouts::ids;
use nosana_layouts::instruction::AccountMeta;
use nosana_layouts::instructions::jobs::{CLAIM, QUIT, QUIT_ADMIN, STOP, WORK};

use super::access::{self, NodeSlots};
use super::checks::{self, keys};
use super::queue;
use crate::anchor::{self, constraint};
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

/// `work`: an eligible node joins the node queue, or takes the first queued job and starts
/// a run on it now.
pub fn work(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [run, market, payer, stake, nft, metadata, authority, system_program] = keys(&WORK, metas)?;
    let mut m: MarketAccount = anchor::load(ctx, &market, "market")?;
    checks::fresh_run(ctx, &run)?;
    let not_queued = queue::kind(&m) == queue_type::JOB || !queue::contains(&m, &authority);
    constraint(not_queued, je::NODE_ALREADY_QUEUED, "market")?;
    access::check(ctx, &m, &NodeSlots { authority, stake, nft, metadata })?;
    anchor::program_slot(&system_program, &ids::SYSTEM_PROGRAM_ID, "system_program")?;

    if queue::kind(&m) == queue_type::JOB {
        let job = queue::pop(&mut m)?;
        let value = RunAccount { job, node: authority, payer, state: 0, time: ctx.unix_timestamp() };
        anchor::init(ctx, &payer, &run, &value, false)?;
    } else {
        queue::push(&mut m, authority, queue_type::NODE);
    }
    anchor::store(ctx, &market, &m)
}

/// `stop`: takes `node` out of the node queue; the node itself or the market authority signs.
pub fn stop(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [market, node, authority] = keys(&STOP, metas)?;
    let mut m: MarketAccount = anchor::load(ctx, &market, "market")?;
    constraint(queue::kind(&m) == queue_type::NODE, je::MARKET_IN_WRONG_STATE, "market")?;
    constraint(authority == m.authority || authority == node, common::UNAUTHORIZED, "market")?;
    queue::remove(&mut m, &node)?;
    anchor::store(ctx, &market, &m)
}

/// `claim`: an eligible node starts a run on a job another node quit. The job stays
/// Stopped until `finish`.
pub fn claim(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [job, run, market, stake, nft, metadata, payer, authority, system_program] = keys(&CLAIM, metas)?;
    let value: JobAccount = anchor::load(ctx, &job, "job")?;
    let started = RunAccount { job, node: authority, payer, state: 0, time: ctx.unix_timestamp() };
    anchor::init(ctx, &payer, &run, &started, false)?;
    let m: MarketAccount = anchor::load(ctx, &market, "market")?;
    constraint(value.market == market, je::INVALID_MARKET_ACCOUNT, "job")?;
    constraint(value.state == job_state::STOPPED, je::JOB_IN_WRONG_STATE, "job")?;
    access::check(ctx, &m, &NodeSlots { authority, stake, nft, metadata })?;
    anchor::program_slot(&system_program, &ids::SYSTEM_PROGRAM_ID, "system_program")
}

/// `quit`: the running node gives up; the job is Stopped and the run closed (rent to its
/// payer). No tokens move.
pub fn quit(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [job, run, payer, authority] = keys(&QUIT, metas)?;
    let mut value: JobAccount = anchor::load(ctx, &job, "job")?;
    let r: RunAccount = anchor::load(ctx, &run, "run")?;
    constraint(r.job == job, je::INVALID_JOB_ACCOUNT, "run")?;
    constraint(r.payer == payer, common::INVALID_PAYER, "run")?;
    constraint(r.node == authority, common::UNAUTHORIZED, "run")?;
    value.state = job_state::STOPPED;
    anchor::store(ctx, &job, &value)?;
    anchor::close(ctx, &run, &payer)
}

/// `quit_admin`: the market admin closes a run. The job is left as it is.
pub fn quit_admin(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta]) -> ProgramResult {
    let [run, payer, authority] = keys(&QUIT_ADMIN, metas)?;
    let r: RunAccount = anchor::load(ctx, &run, "run")?;
    constraint(r.payer == payer, common::INVALID_PAYER, "run")?;
    checks::admin(&authority)?;
    anchor::close(ctx, &run, &payer)
}
