//! Token movements of the jobs program (spec §2.6): deposits and the network fee going in,
//! payouts and refunds coming out of the market vault, which signs with its PDA seeds.

use nosana_layouts::accounts::JobAccount;
use nosana_layouts::ids;
use nosana_layouts::instructions::rewards::{ADD_FEE, RewardsInstruction};
use nosana_layouts::math;
use solana_pubkey::Pubkey;

use crate::anchor::{self, overflow};
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

/// Where a deposit comes from and where its fee goes.
pub struct Funding {
    /// The payer's NOS token account.
    pub user: Pubkey,
    /// The token owner of `user`, signing the transfers.
    pub payer: Pubkey,
    pub vault: Pubkey,
    pub rewards_reflection: Pubkey,
    pub rewards_vault: Pubkey,
}

/// `price * timeout`, failing on overflow or a negative timeout.
pub fn deposit_of(price: u64, timeout: i64) -> ProgramResult<u64> {
    math::job_deposit(price, timeout).ok_or_else(overflow)
}

/// The network fee on a deposit under the running program's `JOB_FEE_FRACTION`.
pub fn fee_of(ctx: &InvokeContext<'_>, amount: u64) -> u64 {
    math::network_fee(amount, ctx.config.fee_fraction)
}

/// Moves `deposit` into the vault and pays `fee` to the rewards vault through
/// `rewards.add_fee`; the CPI is skipped when the fee is zero.
pub fn collect(ctx: &mut InvokeContext<'_>, f: &Funding, deposit: u64, fee: u64) -> ProgramResult {
    anchor::transfer(ctx, &f.user, &f.vault, &f.payer, deposit, false)?;
    if fee == 0 {
        return Ok(());
    }
    let keys = [f.user, f.rewards_reflection, f.rewards_vault, f.payer, ids::TOKEN_PROGRAM_ID];
    let ix = ADD_FEE.instruction(ids::REWARDS_PROGRAM_ID, &keys, RewardsInstruction::AddFee { amount: fee }.encode());
    ctx.invoke(ix, &[])
}

/// A transfer out of the market vault, signed by the vault PDA.
pub fn pay_out(ctx: &mut InvokeContext<'_>, vault: &Pubkey, to: &Pubkey, amount: u64) -> ProgramResult {
    anchor::transfer(ctx, vault, to, vault, amount, true)
}

/// Settles a finished or ended job: the node gets `price * min(elapsed, timeout)` into
/// `user`, the rest of the deposit goes back to `deposit`. Nothing moves for free jobs.
pub fn settle(
    ctx: &mut InvokeContext<'_>,
    job: &JobAccount,
    vault: &Pubkey,
    user: &Pubkey,
    deposit: &Pubkey,
) -> ProgramResult {
    if job.price == 0 {
        return Ok(());
    }
    let total = deposit_of(job.price, job.timeout)?;
    let pay = math::job_reimbursement(job.price, job.time_start, job.time_end, job.timeout).ok_or_else(overflow)?;
    let refund = total.checked_sub(pay).ok_or_else(overflow)?;
    pay_out(ctx, vault, user, pay)?;
    pay_out(ctx, vault, deposit, refund)
}
