//! The rewards program: fees spread over stakers by xNOS through the reflection rate.

mod support;

use nosana_layouts::accounts::{ReflectionAccount, RewardAccount, StakeAccount};
use nosana_layouts::errors::{anchor as ae, staking as se};
use nosana_layouts::ids::{NOS, REWARDS_PROGRAM_ID, STAKING_PROGRAM_ID};
use nosana_layouts::math::{self, DURATION_MAX, DURATION_MIN};
use nosana_layouts::pda;
use nosana_reference::client::rewards;
use nosana_reference::genesis::store_anchor;
use support::*;

fn reflection(g: &nosana_reference::genesis::Genesis) -> ReflectionAccount {
    g.bank.load(&pda::rewards_reflection().0).expect("reflection")
}

#[test]
fn entering_records_the_stake_xnos_at_the_current_rate() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let stake = place_stake(&mut g, &alice, 1_000 * NOS, DURATION_MAX);
    let rate = reflection(&g).rate;
    ok(&mut g, &alice, &[rewards::enter(&alice)]);
    let reward: RewardAccount = g.bank.load(&pda::reward(&alice).0).unwrap();
    assert_eq!(reward.xnos, stake.xnos);
    assert_eq!(reward.reflection, stake.xnos * rate);
    assert_eq!(reward.bump, pda::reward(&alice).1);
    let r = reflection(&g);
    assert_eq!((r.total_xnos, r.total_reflection), (stake.xnos, stake.xnos * rate));
}

#[test]
fn a_fee_is_shared_pro_rata_by_xnos() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let bob = g.wallet("bob", 0).unwrap();
    let payer = g.wallet("payer", 1_000 * NOS).unwrap();
    place_stake(&mut g, &alice, 1_000 * NOS, DURATION_MAX); // 4,000 xNOS
    place_stake(&mut g, &bob, 3_000 * NOS, DURATION_MAX); // 12,000 xNOS
    ok(&mut g, &alice, &[rewards::enter(&alice)]);
    ok(&mut g, &bob, &[rewards::enter(&bob)]);

    let fee = 160 * NOS;
    let tx = ok(&mut g, &payer, &[rewards::add_fee(&payer, fee)]);
    assert_eq!(tx.token_delta(&pda::rewards_vault().0), fee as i128);
    ok(&mut g, &alice, &[rewards::claim(&alice)]);
    ok(&mut g, &bob, &[rewards::claim(&bob)]);
    let (a, b) = (g.bank.token_balance(&pda::nos_ata(&alice)), g.bank.token_balance(&pda::nos_ata(&bob)));
    assert!((a as i64 - (40 * NOS) as i64).abs() <= 1, "alice got {a}");
    assert!((b as i64 - (120 * NOS) as i64).abs() <= 1, "bob got {b}");
    assert!(g.bank.token_balance(&pda::rewards_vault().0) <= 2, "the vault keeps at most rounding dust");
    assert_nos_conserved(&g);
}

#[test]
fn claiming_twice_pays_once() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let bob = g.wallet("bob", 0).unwrap();
    let payer = g.wallet("payer", 100 * NOS).unwrap();
    place_stake(&mut g, &alice, 500 * NOS, DURATION_MIN);
    place_stake(&mut g, &bob, 500 * NOS, DURATION_MIN);
    ok(&mut g, &alice, &[rewards::enter(&alice)]);
    ok(&mut g, &bob, &[rewards::enter(&bob)]);
    ok(&mut g, &payer, &[rewards::add_fee(&payer, 10 * NOS)]);
    ok(&mut g, &alice, &[rewards::claim(&alice)]);
    let first = g.bank.token_balance(&pda::nos_ata(&alice));
    assert!(first >= 5 * NOS - 1);
    let tx = ok(&mut g, &alice, &[rewards::claim(&alice)]);
    assert!(tx.meta.inner_instructions.is_empty(), "a claim of nothing makes no transfer");
    assert_eq!(g.bank.token_balance(&pda::nos_ata(&alice)), first);
}

#[test]
fn closing_forfeits_pending_rewards_to_the_remaining_stakers() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let bob = g.wallet("bob", 0).unwrap();
    let payer = g.wallet("payer", 100 * NOS).unwrap();
    place_stake(&mut g, &alice, 100 * NOS, DURATION_MAX);
    place_stake(&mut g, &bob, 100 * NOS, DURATION_MAX);
    ok(&mut g, &alice, &[rewards::enter(&alice)]);
    ok(&mut g, &bob, &[rewards::enter(&bob)]);
    ok(&mut g, &payer, &[rewards::add_fee(&payer, 20 * NOS)]);
    let rent = g.bank.lamports(&pda::reward(&alice).0);
    let before = g.bank.lamports(&alice);
    let tx = ok(&mut g, &alice, &[rewards::close(&alice)]);
    assert!(g.bank.get(&pda::reward(&alice).0).is_none(), "the reward account is closed");
    assert_eq!(g.bank.lamports(&alice), before + rent - tx.meta.fee, "rent returns to the staker");
    // The rate is not recomputed on close: bob first gets his own half ...
    ok(&mut g, &bob, &[rewards::claim(&bob)]);
    let b = g.bank.token_balance(&pda::nos_ata(&bob));
    assert!((b as i64 - (10 * NOS) as i64).abs() <= 1, "bob got {b}");
    // ... and alice's forfeited half reaches him with the next fee.
    ok(&mut g, &payer, &[rewards::add_fee(&payer, 2 * NOS)]);
    ok(&mut g, &bob, &[rewards::claim(&bob)]);
    let b = g.bank.token_balance(&pda::nos_ata(&bob));
    assert!((b as i64 - (22 * NOS) as i64).abs() <= 2, "bob got {b} in all");
    assert_nos_conserved(&g);
}

#[test]
fn sync_follows_a_grown_stake_and_keeps_what_is_pending() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let bob = g.wallet("bob", 0).unwrap();
    let payer = g.wallet("payer", 100 * NOS).unwrap();
    place_stake(&mut g, &alice, 100 * NOS, DURATION_MAX);
    place_stake(&mut g, &bob, 100 * NOS, DURATION_MAX);
    ok(&mut g, &alice, &[rewards::enter(&alice)]);
    ok(&mut g, &bob, &[rewards::enter(&bob)]);
    ok(&mut g, &payer, &[rewards::add_fee(&payer, 10 * NOS)]);
    let grown = place_stake(&mut g, &alice, 300 * NOS, DURATION_MAX);
    let rate = reflection(&g).rate;
    let before: RewardAccount = g.bank.load(&pda::reward(&alice).0).unwrap();
    let pending = math::pending_reward(&before, rate).unwrap();
    // Anyone may sync: bob pays.
    ok(&mut g, &bob, &[rewards::sync(&alice)]);
    let after: RewardAccount = g.bank.load(&pda::reward(&alice).0).unwrap();
    assert_eq!(after.xnos, grown.xnos);
    assert_eq!(math::pending_reward(&after, reflection(&g).rate).unwrap(), pending);
}

#[test]
fn a_claim_after_the_stake_decreased_fails_with_decreased() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    place_stake(&mut g, &alice, 100 * NOS, DURATION_MAX);
    ok(&mut g, &alice, &[rewards::enter(&alice)]);
    place_stake(&mut g, &alice, 10 * NOS, DURATION_MAX);
    fails_with(&mut g, &alice, &[rewards::claim(&alice)], se::DECREASED.code, "Decreased");
}

#[test]
fn entering_with_an_unstaked_stake_fails_with_already_unstaked() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let mut stake = place_stake(&mut g, &alice, 100 * NOS, DURATION_MAX);
    stake.time_unstake = 1;
    stake.xnos = 0;
    store_anchor(&mut g.bank, pda::stake(&alice).0, STAKING_PROGRAM_ID, &stake);
    fails_with(&mut g, &alice, &[rewards::enter(&alice)], se::ALREADY_UNSTAKED.code, "AlreadyUnstaked");
}

#[test]
fn entering_twice_fails_and_changes_nothing() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    place_stake(&mut g, &alice, 100 * NOS, DURATION_MAX);
    ok(&mut g, &alice, &[rewards::enter(&alice)]);
    let before = g.bank.accounts().clone();
    let tx = g.run(&alice, &[rewards::enter(&alice)]).unwrap();
    assert!(tx.meta.status.is_err());
    assert!(tx.meta.log_messages.iter().any(|l| l.contains("already in use")));
    for (k, a) in g.bank.accounts() {
        if *k != alice {
            assert_eq!(before.get(k), Some(a), "{k} changed");
        }
    }
    assert_eq!(g.bank.lamports(&alice), before[&alice].lamports - tx.meta.fee);
}

#[test]
fn a_stake_of_someone_else_is_refused() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let mallory = g.wallet("mallory", 0).unwrap();
    place_stake(&mut g, &alice, 100 * NOS, DURATION_MAX);
    let mut ix = rewards::enter(&mallory);
    ix.accounts[1].pubkey = pda::stake(&alice).0;
    fails_with(&mut g, &mallory, &[ix], ae::CONSTRAINT_HAS_ONE.code, "ConstraintHasOne");
}

#[test]
fn an_unknown_instruction_fails_with_fallback_not_found() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let mut ix = rewards::sync(&alice);
    ix.data = vec![1, 2, 3, 4, 5, 6, 7, 8];
    fails_with(&mut g, &alice, &[ix], ae::INSTRUCTION_FALLBACK_NOT_FOUND.code, "InstructionFallbackNotFound");
}

#[test]
fn the_add_fee_transaction_logs_like_a_solana_node() {
    let mut g = world();
    let alice = g.wallet("alice", 0).unwrap();
    let payer = g.wallet("payer", 10 * NOS).unwrap();
    place_stake(&mut g, &alice, 100 * NOS, DURATION_MAX);
    ok(&mut g, &alice, &[rewards::enter(&alice)]);
    let tx = ok(&mut g, &payer, &[rewards::add_fee(&payer, NOS)]);
    let logs = &tx.meta.log_messages;
    let id = REWARDS_PROGRAM_ID.to_string();
    assert_eq!(logs[0], format!("Program {id} invoke [1]"));
    assert_eq!(logs[1], "Program log: Instruction: AddFee");
    assert_eq!(logs[2], "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA invoke [2]");
    assert_eq!(logs[3], "Program log: Instruction: Transfer");
    assert!(logs[4].starts_with("Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA consumed 4645 of "));
    assert!(logs[6].starts_with(&format!("Program {id} consumed ")));
    assert_eq!(logs.last().unwrap(), &format!("Program {id} success"));
    assert_eq!(tx.meta.inner_instructions.len(), 1);
    assert_eq!(tx.meta.inner_instructions[0].instructions[0].stack_height, 2);
    assert_eq!(tx.meta.fee, 5_000);
    assert!(tx.meta.compute_units_consumed > 4_645);
    let stake: StakeAccount = g.bank.load(&pda::stake(&alice).0).unwrap();
    assert_eq!(reflection(&g).total_xnos, stake.xnos + NOS as u128);
}
