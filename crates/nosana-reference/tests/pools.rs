//! The pools program: linear emission to the rewards vault or to a beneficiary.

mod support;

use nosana_layouts::accounts::PoolAccount;
use nosana_layouts::enums::claim_type;
use nosana_layouts::errors::{anchor as ae, pools as pe};
use nosana_layouts::ids::{NOS, NOS_MINT};
use nosana_layouts::math::DURATION_MAX;
use nosana_layouts::pda;
use nosana_reference::Pubkey;
use nosana_reference::client::{pools, rewards, spl};
use nosana_reference::genesis::{Genesis, address};
use support::*;

/// A funded pool emitting `emission`/s from now, plus one staker so fees have somewhere to go.
fn pool_world(kind: u8, emission: u64, funded: u64, closeable: bool) -> (Genesis, Pubkey, Pubkey, Pubkey) {
    let mut g = world();
    let owner = g.wallet("pool-owner", funded).unwrap();
    let staker = g.wallet("staker", 0).unwrap();
    place_stake(&mut g, &staker, 1_000 * NOS, DURATION_MAX);
    ok(&mut g, &staker, &[rewards::enter(&staker)]);
    let pool = address("pool-1");
    let beneficiary = if kind == claim_type::ADD_FEE { pda::rewards_vault().0 } else { pda::nos_ata(&owner) };
    let now = g.bank.clock.unix_timestamp;
    ok(&mut g, &owner, &[pools::open(&pool, &owner, &beneficiary, emission, now, kind, closeable)]);
    let vault = pda::pool_vault(&pool).0;
    ok(&mut g, &owner, &[spl::transfer(&pda::nos_ata(&owner), &vault, &owner, funded)]);
    (g, pool, owner, beneficiary)
}

#[test]
fn an_add_fee_pool_releases_linearly_into_the_rewards_vault() {
    let (mut g, pool, owner, _) = pool_world(claim_type::ADD_FEE, 10 * NOS, 100_000 * NOS, false);
    let cranker = g.wallet("cranker", 0).unwrap();
    g.warp(100);
    let tx = ok(&mut g, &cranker, &[pools::claim_fee(&pool, &cranker)]);
    assert_eq!(tx.token_delta(&pda::rewards_vault().0), (1_000 * NOS) as i128);
    let heights: Vec<u32> = tx.meta.inner_instructions[0].instructions.iter().map(|i| i.stack_height).collect();
    assert_eq!(heights, vec![2, 3], "pools → rewards.add_fee → token transfer");
    g.warp(50);
    ok(&mut g, &cranker, &[pools::claim_fee(&pool, &cranker)]);
    let p: PoolAccount = g.bank.load(&pool).unwrap();
    assert_eq!(p.claimed_tokens, 1_500 * NOS);
    assert_eq!(g.bank.token_balance(&pda::pool_vault(&pool).0), 98_500 * NOS);
    assert_eq!(p.authority, owner);
    assert_nos_conserved(&g);
}

#[test]
fn a_claim_of_less_than_one_seconds_emission_is_booked_but_not_paid() {
    // The on-chain quirk: claimed_tokens grows even though nothing moves.
    let (mut g, pool, _, _) = pool_world(claim_type::ADD_FEE, 10 * NOS, 5 * NOS, false);
    let cranker = g.wallet("cranker", 0).unwrap();
    g.warp(10);
    let tx = ok(&mut g, &cranker, &[pools::claim_fee(&pool, &cranker)]);
    assert!(tx.meta.inner_instructions.is_empty());
    let p: PoolAccount = g.bank.load(&pool).unwrap();
    assert_eq!(p.claimed_tokens, 5 * NOS);
    assert_eq!(g.bank.token_balance(&pda::pool_vault(&pool).0), 5 * NOS);
}

#[test]
fn a_claim_before_the_start_fails_with_not_started() {
    let (mut g, pool, _, _) = pool_world(claim_type::ADD_FEE, NOS, 100 * NOS, false);
    let cranker = g.wallet("cranker", 0).unwrap();
    fails_with(&mut g, &cranker, &[pools::claim_fee(&pool, &cranker)], pe::NOT_STARTED.code, "NotStarted");
}

#[test]
fn a_transfer_pool_pays_its_beneficiary_and_refuses_when_underfunded() {
    let (mut g, pool, owner, beneficiary) = pool_world(claim_type::TRANSFER, NOS, 30 * NOS, false);
    let cranker = g.wallet("cranker", 0).unwrap();
    g.warp(20);
    ok(&mut g, &cranker, &[pools::claim_transfer(&pool, &beneficiary, &cranker)]);
    assert_eq!(g.bank.token_balance(&pda::nos_ata(&owner)), 20 * NOS);
    g.warp(20);
    ok(&mut g, &cranker, &[pools::claim_transfer(&pool, &beneficiary, &cranker)]);
    assert_eq!(g.bank.token_balance(&pda::nos_ata(&owner)), 30 * NOS, "capped by the vault");
    g.warp(20);
    fails_with(
        &mut g,
        &cranker,
        &[pools::claim_transfer(&pool, &beneficiary, &cranker)],
        pe::UNDERFUNDED.code,
        "Underfunded",
    );
}

#[test]
fn claiming_with_the_other_claim_type_fails() {
    let (mut g, pool, _, beneficiary) = pool_world(claim_type::TRANSFER, NOS, 30 * NOS, false);
    let cranker = g.wallet("cranker", 0).unwrap();
    g.warp(5);
    fails_with(&mut g, &cranker, &[pools::claim_fee(&pool, &cranker)], pe::WRONG_BENEFICIARY.code, "WrongBeneficiary");
    let (mut g, pool, _, _) = pool_world(claim_type::ADD_FEE, NOS, 30 * NOS, false);
    let cranker = g.wallet("cranker", 0).unwrap();
    g.warp(5);
    let _ = beneficiary;
    fails_with(
        &mut g,
        &cranker,
        &[pools::claim_transfer(&pool, &pda::rewards_vault().0, &cranker)],
        pe::WRONG_CLAIM_TYPE.code,
        "WrongClaimType",
    );
}

#[test]
fn closing_a_funded_pool_needs_it_to_be_closeable() {
    let (mut g, pool, owner, _) = pool_world(claim_type::ADD_FEE, NOS, 50 * NOS, false);
    let ata = pda::nos_ata(&owner);
    fails_with(&mut g, &owner, &[pools::close(&pool, &owner, &ata)], pe::NOT_CLOSEABLE.code, "NotCloseable");

    let (mut g, pool, owner, _) = pool_world(claim_type::ADD_FEE, NOS, 50 * NOS, true);
    let ata = pda::nos_ata(&owner);
    ok(&mut g, &owner, &[pools::close(&pool, &owner, &ata)]);
    assert_eq!(g.bank.token_balance(&ata), 50 * NOS, "the remainder goes to the user");
    assert!(g.bank.get(&pool).is_none() && g.bank.get(&pda::pool_vault(&pool).0).is_none());
    assert_nos_conserved(&g);
}

#[test]
fn the_beneficiary_owner_may_move_the_beneficiary() {
    let (mut g, pool, owner, beneficiary) = pool_world(claim_type::TRANSFER, NOS, 10 * NOS, false);
    let other = g.wallet("other", 1).unwrap();
    let new_ata = pda::nos_ata(&other);
    let mallory = g.wallet("mallory", 1).unwrap();
    fails_with(
        &mut g,
        &mallory,
        &[pools::update_beneficiary(&pool, &beneficiary, &new_ata, &mallory)],
        ae::CONSTRAINT_TOKEN_OWNER.code,
        "ConstraintTokenOwner",
    );
    ok(&mut g, &owner, &[pools::update_beneficiary(&pool, &beneficiary, &new_ata, &owner)]);
    let p: PoolAccount = g.bank.load(&pool).unwrap();
    assert_eq!(p.beneficiary, new_ata);
    assert_eq!(p.vault, pda::pool_vault(&pool).0);
    let _ = NOS_MINT;
}
