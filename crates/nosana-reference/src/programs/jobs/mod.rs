//! `nosana_jobs`: markets with one FIFO queue, jobs posted to them, and runs pairing a job
//! with a node (spec §2). Each handler validates its accounts the way Anchor's generated code
//! does (load every slot, then check constraints in declaration order), runs, then writes
//! back or closes the accounts it owns.

mod access;
mod checks;
mod clean;
mod market;
mod payment;
mod post;
mod queue;
mod run;
mod settle;

use nosana_layouts::instruction::{AccountMeta, find_spec};
use nosana_layouts::instructions::jobs::{self as spec, JobsInstruction};

use crate::anchor;
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

/// Decodes the instruction, logs its name and runs its handler.
pub fn process(ctx: &mut InvokeContext<'_>, accounts: &[AccountMeta], data: &[u8]) -> ProgramResult {
    anchor::check_discriminator(spec::ALL, data)?;
    let spec = find_spec(spec::ALL, "nosana_jobs", data).map_err(|_| anchor::did_not_deserialize())?;
    anchor::enter(ctx, spec)?;
    let ix = JobsInstruction::decode(data).map_err(|_| anchor::did_not_deserialize())?;
    use JobsInstruction::*;
    match ix {
        Open { job_expiration, job_price, job_timeout, job_type, node_xnos_minimum } => {
            let params = market::Params { job_expiration, job_price, job_timeout, job_type, node_xnos_minimum };
            market::open(ctx, accounts, &params)
        }
        Update { job_expiration, job_price, job_type, node_stake_minimum, job_timeout } => {
            let params = market::Update {
                job_expiration,
                job_price,
                job_type,
                node_xnos_minimum: node_stake_minimum,
                job_timeout,
            };
            market::update(ctx, accounts, &params)
        }
        Close => market::close(ctx, accounts, false),
        CloseAdmin => market::close(ctx, accounts, true),
        List { ipfs_job, timeout } => post::list(ctx, accounts, ipfs_job, timeout),
        Assign { ipfs_job, timeout } => post::assign(ctx, accounts, ipfs_job, timeout),
        Delist => post::delist(ctx, accounts),
        Recover => post::recover(ctx, accounts),
        Extend { timeout } => post::extend(ctx, accounts, timeout),
        End => settle::end(ctx, accounts),
        Work => run::work(ctx, accounts),
        Stop => run::stop(ctx, accounts),
        Claim => run::claim(ctx, accounts),
        Complete { ipfs_result } => settle::complete(ctx, accounts, ipfs_result),
        Finish { ipfs_result } => settle::finish(ctx, accounts, ipfs_result),
        Quit => run::quit(ctx, accounts),
        QuitAdmin => run::quit_admin(ctx, accounts),
        Clean => clean::clean(ctx, accounts),
        CleanAdmin => clean::clean_admin(ctx, accounts),
    }
}
