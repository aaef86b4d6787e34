//! The network fee (spec §2.6) under `JOB_FEE_FRACTION = 10`: paid on top of the deposit
//! into the rewards vault through a `rewards.add_fee` CPI, and never refunded.

mod common;

use common::{PRICE, PROJECT_NOS, TIMEOUT, World, default_params};
use nosana_layouts::accounts::ReflectionAccount;
use nosana_layouts::ids;
use nosana_layouts::instructions::rewards::RewardsInstruction;
use nosana_layouts::pda;
use nosana_layouts::spl::TokenInstruction;
use nosana_reference::client::jobs;
use nosana_reference::{ProgramConfig, Pubkey};

fn fee_world() -> World {
    World::with(ProgramConfig { fee_fraction: 10 }, default_params(), ids::SYSTEM_PROGRAM_ID)
}

fn reflection(w: &World) -> ReflectionAccount {
    w.g.bank.load(&pda::rewards_reflection().0).expect("reflection")
}

fn rewards_vault_balance(w: &World) -> u64 {
    w.g.bank.token_balance(&pda::rewards_vault().0)
}

#[test]
fn list_pays_a_tenth_of_the_deposit_to_the_rewards_vault_through_add_fee() {
    let mut w = fee_world();
    let total_xnos = reflection(&w).total_xnos;
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    let tx = w.ok(&project, &[jobs::list(&job, &market, &run, &project, &project, [1; 32], TIMEOUT)]);
    let deposit = PRICE * TIMEOUT as u64;
    let fee = deposit / 10;
    assert_eq!(w.balance(&project), PROJECT_NOS - deposit - fee);
    assert_eq!(w.g.bank.token_balance(&w.vault()), deposit);
    assert_eq!(rewards_vault_balance(&w), fee);
    assert_eq!(reflection(&w).total_xnos, total_xnos + fee as u128);

    let keys = &tx.message.account_keys;
    let trace: Vec<(u32, Pubkey, &[u8])> = tx.meta.inner_instructions[0]
        .instructions
        .iter()
        .map(|i| (i.stack_height, keys[i.instruction.program_id_index as usize], i.instruction.data.as_slice()))
        .collect();
    assert_eq!(trace.len(), 4, "create job, deposit, add_fee, its transfer");
    assert_eq!((trace[2].0, trace[2].1), (2, ids::REWARDS_PROGRAM_ID));
    assert_eq!(RewardsInstruction::decode(trace[2].2), Ok(RewardsInstruction::AddFee { amount: fee }));
    assert_eq!((trace[3].0, trace[3].1), (3, ids::TOKEN_PROGRAM_ID));
    assert_eq!(TokenInstruction::decode(trace[3].2), Ok(TokenInstruction::Transfer { amount: fee }));
    assert!(tx.meta.log_messages.contains(&"Program log: Instruction: AddFee".to_string()));
}

#[test]
fn delist_refunds_the_deposit_but_not_the_fee() {
    let mut w = fee_world();
    let (job, _) = w.list(TIMEOUT);
    let (market, project) = (w.market, w.project);
    w.ok(&project, &[jobs::delist(&job, &market, &project, &project)]);
    let fee = PRICE * TIMEOUT as u64 / 10;
    assert_eq!(w.balance(&project), PROJECT_NOS - fee);
    assert_eq!(rewards_vault_balance(&w), fee);
}

#[test]
fn recover_refunds_the_deposit_but_not_the_fee() {
    let mut w = fee_world();
    let (job, run) = w.running_job(TIMEOUT);
    let (n0, market, project) = (w.nodes[0], w.market, w.project);
    w.ok(&n0, &[jobs::quit(&job, &run, &n0, &n0)]);
    w.ok(&project, &[jobs::recover(&job, &market, &project, &project, &pda::nos_ata(&project))]);
    assert_eq!(w.balance(&project), PROJECT_NOS - PRICE * TIMEOUT as u64 / 10);
}

#[test]
fn extend_pays_the_fee_on_the_added_deposit_only() {
    let mut w = fee_world();
    let (job, _) = w.list(TIMEOUT);
    let (market, project) = (w.market, w.project);
    let before = rewards_vault_balance(&w);
    w.ok(&project, &[jobs::extend(&job, &market, &project, &project, TIMEOUT + 1_000)]);
    assert_eq!(rewards_vault_balance(&w) - before, PRICE * 1_000 / 10);
    assert_eq!(w.g.bank.token_balance(&w.vault()), PRICE * (TIMEOUT as u64 + 1_000));
}

#[test]
fn assign_pays_the_fee_too() {
    let mut w = fee_world();
    let n0 = w.nodes[0];
    w.work(&n0);
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    w.ok(&project, &[jobs::assign(&job, &market, &run, &n0, &project, &project, [1; 32], 500)]);
    assert_eq!(rewards_vault_balance(&w), PRICE * 500 / 10);
}

#[test]
fn the_legacy_list_fee_is_a_tenth_of_the_price_per_second() {
    let mut w = fee_world();
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    w.ok(&project, &[jobs::list_legacy(&job, &market, &run, &project, &project, [1; 32])]);
    assert_eq!(rewards_vault_balance(&w), PRICE / 10);
    assert_eq!(w.balance(&project), PROJECT_NOS - PRICE * TIMEOUT as u64 - PRICE / 10);
}

#[test]
fn a_finished_job_pays_the_node_from_the_deposit_alone() {
    let mut w = fee_world();
    let (job, run) = w.running_job(TIMEOUT);
    let (n0, market) = (w.nodes[0], w.market);
    w.g.warp(10);
    w.ok(&n0, &[jobs::finish(&job, &run, &market, &w.parties(&n0), PRICE, [1; 32])]);
    assert_eq!(w.balance(&n0), PRICE * 10);
    assert_eq!(w.g.bank.token_balance(&w.vault()), 0);
    assert_eq!(w.balance(&w.project), PROJECT_NOS - PRICE * 10 - PRICE * TIMEOUT as u64 / 10);
}
