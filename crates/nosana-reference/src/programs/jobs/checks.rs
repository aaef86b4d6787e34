//! Account checks shared by the handlers: slot keys, program slots, the project and admin
//! signers, the run-account slot of `list`/`assign`/`work`, and ATA constraints.

use nosana_layouts::accounts::MarketAccount;
use nosana_layouts::errors::common;
use nosana_layouts::ids;
use nosana_layouts::instruction::{AccountMeta, InstructionSpec};
use nosana_layouts::pda;
use solana_pubkey::Pubkey;

use crate::anchor::{self, constraint};
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

/// The instruction's keys in slot order, after Anchor's count/signer/mut checks.
pub fn keys<const N: usize>(spec: &InstructionSpec, metas: &[AccountMeta]) -> ProgramResult<[Pubkey; N]> {
    anchor::slots(&anchor::accounts(spec, metas)?)
}

/// `address = MARKET_ADMIN @ Unauthorized` of the `*_admin` instructions.
pub fn admin(authority: &Pubkey) -> ProgramResult {
    constraint(*authority == ids::MARKET_ADMIN, common::UNAUTHORIZED, "authority")
}

/// `has_one = vault @ InvalidVault` on the market.
pub fn vault(market: &MarketAccount, vault: &Pubkey) -> ProgramResult {
    constraint(market.vault == *vault, common::INVALID_VAULT, "market")
}

/// `constraint = job.project == authority @ Unauthorized`, as the program source has it.
pub fn project(job_project: &Pubkey, authority: &Pubkey) -> ProgramResult {
    constraint(job_project == authority, common::UNAUTHORIZED, "job")
}

/// The optional run slot of `list`, `assign` and `work`: an unused, system-owned keypair.
pub fn fresh_run(ctx: &InvokeContext<'_>, run: &Pubkey) -> ProgramResult {
    let account = ctx.account(run)?;
    constraint(account.owner == ids::SYSTEM_PROGRAM_ID, common::INVALID_OWNER, "run")?;
    constraint(account.lamports == 0, common::LAMPORTS_NON_NULL, "run")
}

/// `constraint = price == 0 || key == ATA(owner) @ InvalidATA`.
pub fn nos_ata(price: u64, key: &Pubkey, owner: &Pubkey, slot: &'static str) -> ProgramResult {
    constraint(price == 0 || *key == pda::nos_ata(owner), common::INVALID_ATA, slot)
}
