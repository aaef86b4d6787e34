//! Staking, rewards, pools and treasury transactions executed on the reference bank and
//! decoded into their NOS flows.

mod support;

use nosana_decode::{FlowKind, Position, Program, TokenFlow, check_balances, decode_transaction};
use nosana_layouts::enums::claim_type;
use nosana_layouts::ids::{self, NOS, NOS_DECIMALS, NOS_MINT};
use nosana_layouts::math::DURATION_MIN;
use nosana_layouts::pda;
use nosana_reference::Pubkey;
use nosana_reference::client::{pools, rewards, spl, staking};
use nosana_reference::genesis::address;
use support::world::World;

fn kinds(flows: &[TokenFlow]) -> Vec<FlowKind> {
    flows.iter().map(|f| f.kind).collect()
}

#[test]
fn staking_moves_are_stake_topup_slash_and_withdraw() {
    let mut w = World::new(0);
    let staker = w.g.wallet("staker", 10_000 * NOS).unwrap();
    let (stake, vault, ata) = (pda::stake(&staker).0, pda::stake_vault(&staker).0, pda::nos_ata(&staker));

    let d = w.ok(&staker, &[staking::stake(&staker, 1_000 * NOS, DURATION_MIN)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Stake]);
    let f = &d.flows[0];
    assert_eq!((f.source, f.destination, f.amount, f.wallet, f.subject), (ata, vault, 1_000 * NOS, staker, stake));
    assert_eq!(f.market, Pubkey::default());
    assert!(d.job_events.is_empty());

    let d = w.ok(&staker, &[staking::topup(&staker, 500 * NOS)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Topup]);
    assert_eq!((d.flows[0].amount, d.flows[0].wallet), (500 * NOS, staker));

    let d = w.ok(&ids::AUTHORITY, &[staking::slash(&ids::AUTHORITY, &staker, &ids::TOKEN_ACCOUNT, 100 * NOS)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Slash]);
    let f = &d.flows[0];
    assert_eq!((f.source, f.destination, f.amount, f.subject), (vault, ids::TOKEN_ACCOUNT, 100 * NOS, stake));
    assert_eq!(f.wallet, Pubkey::default(), "the slashed staker is not named by the instruction");

    let d = w.ok(&staker, &[staking::unstake(&staker)]);
    assert!(d.flows.is_empty());
    w.g.warp(DURATION_MIN as i64 + 1);
    let d = w.ok(&staker, &[staking::withdraw(&staker)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Withdraw]);
    let f = &d.flows[0];
    assert_eq!((f.source, f.destination, f.amount, f.wallet), (vault, ata, 1_400 * NOS, staker));
    let d = w.ok(&staker, &[staking::close(&staker)]);
    assert!(d.flows.is_empty());
    assert_eq!(d.instructions[0].name, "close");
}

#[test]
fn a_rewards_claim_is_a_claim_and_a_direct_add_fee_is_a_donation() {
    let mut w = World::new(0);
    let staker = w.g.wallet("staker", 1_000 * NOS).unwrap();
    w.ok(&staker, &[staking::stake(&staker, 1_000 * NOS, DURATION_MIN), rewards::enter(&staker)]);
    let donor = w.g.wallet("donor", 50 * NOS).unwrap();
    let d = w.ok(&donor, &[rewards::add_fee(&donor, 50 * NOS)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Donation]);
    let f = &d.flows[0];
    assert_eq!((f.source, f.destination, f.wallet), (pda::nos_ata(&donor), pda::rewards_vault().0, donor));

    let d = w.ok(&staker, &[rewards::claim(&staker)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Claim]);
    let f = &d.flows[0];
    assert_eq!((f.destination, f.wallet, f.subject), (pda::nos_ata(&staker), staker, pda::stake(&staker).0));
    // The whole donation went to the only staker (less rounding in the reflection math).
    assert!(f.amount > 49 * NOS && f.amount <= 50 * NOS, "{}", f.amount);
}

#[test]
fn a_pool_is_funded_streams_through_add_fee_and_returns_the_rest_at_close() {
    let mut w = World::new(0);
    let staker = w.g.wallet("staker", 1_000 * NOS).unwrap();
    w.ok(&staker, &[staking::stake(&staker, 1_000 * NOS, DURATION_MIN), rewards::enter(&staker)]);
    let treasury = w.g.wallet("treasury", 100_000 * NOS).unwrap();
    let (pool, rewards_vault) = (address("pool-1"), pda::rewards_vault().0);
    let pool_vault = pda::pool_vault(&pool).0;
    let now = w.g.bank.clock.unix_timestamp;
    let d = w.ok(
        &treasury,
        &[
            pools::open(&pool, &treasury, &rewards_vault, 10 * NOS, now, claim_type::ADD_FEE, true),
            spl::transfer(&pda::nos_ata(&treasury), &pool_vault, &treasury, 5_000 * NOS),
        ],
    );
    assert_eq!(kinds(&d.flows), [FlowKind::PoolFund]);
    let f = &d.flows[0];
    assert_eq!((f.destination, f.amount, f.subject, f.wallet), (pool_vault, 5_000 * NOS, pool, treasury));
    assert_eq!(f.at, Position { ix: 1, inner: 0, stack_height: 1 }, "a top-level transfer");

    w.g.warp(100);
    let cranker = w.g.wallet("cranker", 0).unwrap();
    let d = w.ok(&cranker, &[pools::claim_fee(&pool, &cranker)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Emission]);
    let f = &d.flows[0];
    assert_eq!((f.source, f.destination, f.amount, f.subject), (pool_vault, rewards_vault, 1_000 * NOS, pool));
    assert_eq!(f.at.stack_height, 3, "pools → rewards.add_fee → transfer");
    let names: Vec<(Program, &str)> = d.instructions.iter().map(|i| (i.program, i.name)).collect();
    assert_eq!(names, [(Program::Pools, "claim_fee"), (Program::Rewards, "add_fee")]);
    let without =
        decode_transaction(&support::without_stack_heights(w.run(&cranker, &[pools::claim_fee(&pool, &cranker)])));
    assert_eq!(kinds(&without.flows), [], "no second emission within the same second");
    w.g.warp(10);
    let raw = support::without_stack_heights(w.run(&cranker, &[pools::claim_fee(&pool, &cranker)]));
    let without = decode_transaction(&raw);
    assert_eq!(kinds(&without.flows), [FlowKind::Emission], "told apart without stack heights too");
    check_balances(&raw, &without).unwrap();

    let d = w.ok(&treasury, &[pools::close(&pool, &treasury, &pda::nos_ata(&treasury))]);
    assert_eq!(kinds(&d.flows), [FlowKind::PoolReturn]);
    let f = &d.flows[0];
    assert_eq!((f.source, f.amount, f.wallet, f.subject), (pool_vault, 3_900 * NOS, treasury, pool));
}

#[test]
fn a_transfer_pool_emits_to_its_beneficiary() {
    let mut w = World::new(0);
    let owner = w.g.wallet("pool-owner", 100 * NOS).unwrap();
    let (pool, beneficiary) = (address("pool-2"), pda::nos_ata(&owner));
    let now = w.g.bank.clock.unix_timestamp;
    let vault = pda::pool_vault(&pool).0;
    let open = pools::open(&pool, &owner, &beneficiary, NOS, now, claim_type::TRANSFER, false);
    w.ok(&owner, &[open, spl::transfer(&beneficiary, &vault, &owner, 60 * NOS)]);
    // A later top-up in a transaction without a pools instruction: nothing in it says the
    // destination is a pool vault, so it is not a flow (the store knows the vault from the
    // PoolAccount and can classify it).
    let raw = w.run(&owner, &[spl::transfer(&beneficiary, &vault, &owner, 40 * NOS)]);
    assert!(decode_transaction(&raw).flows.is_empty());
    w.g.warp(20);
    let d = w.ok(&owner, &[pools::claim_transfer(&pool, &beneficiary, &owner)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Emission]);
    let f = &d.flows[0];
    assert_eq!((f.destination, f.amount, f.wallet, f.subject), (beneficiary, 20 * NOS, owner, pool));
}

#[test]
fn burns_and_mints_of_nos_are_flows_wherever_they_happen() {
    let mut w = World::new(0);
    let holder = w.g.wallet("holder", 1_000 * NOS).unwrap();
    let ata = pda::nos_ata(&holder);
    let d = w.ok(
        &holder,
        &[
            spl::burn_checked(&ata, &NOS_MINT, &holder, 10 * NOS, NOS_DECIMALS),
            spl::burn(&ata, &NOS_MINT, &holder, NOS),
        ],
    );
    assert_eq!(kinds(&d.flows), [FlowKind::Burn, FlowKind::Burn]);
    let f = &d.flows[0];
    assert_eq!((f.source, f.destination, f.amount, f.wallet, f.mint), (ata, NOS_MINT, 10 * NOS, holder, NOS_MINT));
    assert!(d.instructions.is_empty(), "no Nosana instruction");

    let authority = w.g.mint_authority;
    let d = w.ok(&authority, &[spl::mint_to(&NOS_MINT, &ata, &authority, 7 * NOS)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Mint]);
    let f = &d.flows[0];
    assert_eq!((f.source, f.destination, f.amount, f.wallet), (NOS_MINT, ata, 7 * NOS, holder));
}

#[test]
fn a_plain_nos_transfer_outside_any_nosana_instruction_is_not_a_flow() {
    let mut w = World::new(0);
    let (a, b) = (w.g.wallet("a", 10 * NOS).unwrap(), w.g.wallet("b", 0).unwrap());
    let raw = w.run(&a, &[spl::transfer(&pda::nos_ata(&a), &pda::nos_ata(&b), &a, NOS)]);
    let d = decode_transaction(&raw);
    assert!(d.flows.is_empty() && d.quarantine.is_empty());
    // So its balance change is not explained: check_balances says which accounts moved.
    let err = check_balances(&raw, &d).unwrap_err();
    assert!(err.contains(&pda::nos_ata(&a).to_string()), "{err}");
}
