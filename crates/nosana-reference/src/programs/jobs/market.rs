//! Markets: `open`, `update`, `close` and `close_admin`.

use nosana_layouts::accounts::MarketAccount;
use nosana_layouts::enums::{job_type, queue_type};
use nosana_layouts::errors::common;
use nosana_layouts::ids;
use nosana_layouts::instruction::AccountMeta;
use nosana_layouts::instructions::jobs::{CLOSE, CLOSE_ADMIN, OPEN, UPDATE};
use nosana_layouts::pda;

use super::checks::{self, keys};
use super::payment;
use crate::anchor::{self, constraint};
use crate::error::ProgramResult;
use crate::invoke::InvokeContext;

/// The arguments of `open`.
pub struct Params {
    pub job_expiration: i64,
    pub job_price: u64,
    pub job_timeout: i64,
    pub job_type: u8,
    pub node_xnos_minimum: u128,
}

/// The arguments of `update`; `job_timeout` is absent in the pre-2024-11 variant.
pub struct Update {
    pub job_expiration: i64,
    pub job_price: u64,
    pub job_type: u8,
    pub node_xnos_minimum: u128,
    pub job_timeout: Option<i64>,
}

/// Creates the market (10224 bytes) and its vault PDA `[market, mint]`, which owns itself.
pub fn open(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta], p: &Params) -> ProgramResult {
    let [mint, market, vault, authority, access_key, rent, system_program, token_program] = keys(&OPEN, metas)?;
    constraint(mint == ids::NOS_MINT, common::INVALID_MINT, "mint")?;
    let (_, vault_bump) = pda::market_vault(&market);
    anchor::expect_pda(&vault, pda::market_vault(&market), "vault")?;
    anchor::rent_slot(&rent)?;
    anchor::program_slot(&system_program, &ids::SYSTEM_PROGRAM_ID, "system_program")?;
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    let value = MarketAccount {
        authority,
        job_expiration: p.job_expiration,
        job_price: p.job_price,
        job_timeout: p.job_timeout,
        job_type: job_type::from_u8(p.job_type),
        vault,
        vault_bump,
        node_access_key: access_key,
        node_xnos_minimum: p.node_xnos_minimum,
        queue_type: queue_type::EMPTY,
        queue: Vec::new(),
    };
    anchor::init(ctx, &authority, &market, &value, false)?;
    anchor::init_token_account(ctx, &authority, &vault, &mint, &vault)
}

/// Overwrites the market's settings (its authority only). The queue is untouched.
pub fn update(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta], p: &Update) -> ProgramResult {
    let [market_key, access_key, authority] = keys(&UPDATE, metas)?;
    let mut market: MarketAccount = anchor::load(ctx, &market_key, "market")?;
    constraint(market.authority == authority, common::UNAUTHORIZED, "market")?;
    market.job_expiration = p.job_expiration;
    market.job_price = p.job_price;
    market.job_type = p.job_type;
    market.node_access_key = access_key;
    market.node_xnos_minimum = p.node_xnos_minimum;
    if let Some(timeout) = p.job_timeout {
        market.job_timeout = timeout;
    }
    anchor::store(ctx, &market_key, &market)
}

/// `close` / `close_admin`: empties the vault into `user`, then closes the vault and the
/// market, their rent going to the signer.
pub fn close(ctx: &mut InvokeContext<'_>, metas: &[AccountMeta], admin: bool) -> ProgramResult {
    let spec = if admin { &CLOSE_ADMIN } else { &CLOSE };
    let [market_key, vault, user, authority, token_program] = keys(spec, metas)?;
    let market: MarketAccount = anchor::load(ctx, &market_key, "market")?;
    let balance = anchor::token_account(ctx, &vault, "vault")?.amount;
    anchor::token_account(ctx, &user, "user")?;
    if !admin {
        constraint(market.authority == authority, common::UNAUTHORIZED, "market")?;
    }
    checks::vault(&market, &vault)?;
    if admin {
        checks::admin(&authority)?;
    }
    anchor::program_slot(&token_program, &ids::TOKEN_PROGRAM_ID, "token_program")?;
    payment::pay_out(ctx, &vault, &user, balance)?;
    anchor::close_token_account(ctx, &vault, &authority, &vault)?;
    anchor::close(ctx, &market_key, &authority)
}
