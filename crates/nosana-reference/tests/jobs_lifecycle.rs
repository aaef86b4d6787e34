//! Every path a job takes through the jobs program (spec §2.5), asserting the accounts,
//! balances and queue after each step.

mod common;

use common::{PRICE, TIMEOUT, World};
use nosana_layouts::enums::{job_state, queue_type};
use nosana_layouts::errors::{common as ce, jobs as je};
use nosana_reference::client::jobs;

#[test]
fn a_listed_job_is_queued_then_worked_then_finished_and_the_node_is_paid_for_its_time() {
    let mut w = World::new();
    let (job, _) = w.list(TIMEOUT);
    let listed = w.job(&job);
    assert_eq!(listed.state, job_state::QUEUED);
    assert_eq!((listed.price, listed.timeout, listed.project, listed.payer), (PRICE, TIMEOUT, w.project, w.project));
    assert_eq!(w.market().queue, vec![job]);
    assert_eq!(w.market().queue_type, queue_type::JOB);
    assert_eq!(w.g.bank.token_balance(&w.vault()), PRICE * TIMEOUT as u64);

    let node = w.nodes[0];
    let run = w.work(&node);
    let r = w.run_account(&run);
    assert_eq!((r.job, r.node, r.payer, r.time), (job, node, node, w.now()));
    assert!(w.market().queue.is_empty());
    assert_eq!(w.market().queue_type, queue_type::EMPTY);

    w.g.warp(600);
    let node_lamports = w.g.bank.lamports(&node);
    let run_rent = w.g.bank.lamports(&run);
    let market = w.market;
    w.ok(&node, &[jobs::finish(&job, &run, &market, &w.parties(&node), PRICE, [9; 32])]);
    let done = w.job(&job);
    assert_eq!(done.state, job_state::DONE);
    assert_eq!((done.ipfs_result, done.node), ([9; 32], node));
    assert_eq!((done.time_start, done.time_end), (r.time, r.time + 600));
    assert!(w.g.bank.get(&run).is_none(), "the run is closed");
    assert_eq!(w.g.bank.lamports(&node), node_lamports + run_rent - 5_000, "run rent back to its payer, minus the fee");
    assert_eq!(w.balance(&node), PRICE * 600);
    assert_eq!(w.balance(&w.project), common::PROJECT_NOS - PRICE * 600);
    assert_eq!(w.g.bank.token_balance(&w.vault()), 0);
}

#[test]
fn a_node_that_works_first_waits_in_the_node_queue_and_gets_the_next_listed_job() {
    let mut w = World::new();
    let (n0, n1) = (w.nodes[0], w.nodes[1]);
    w.work(&n0);
    w.work(&n1);
    assert_eq!(w.market().queue, vec![n0, n1]);
    assert_eq!(w.market().queue_type, queue_type::NODE);

    let (job, run) = w.list(TIMEOUT);
    let r = w.run_account(&run);
    assert_eq!((r.job, r.node, r.payer, r.time), (job, n0, w.project, w.now()));
    assert_eq!(w.market().queue, vec![n1], "first in, first out");
    assert_eq!(w.job(&job).state, job_state::QUEUED, "running is state 0 plus a run account");
}

#[test]
fn a_node_cannot_queue_twice() {
    let mut w = World::new();
    let n0 = w.nodes[0];
    w.work(&n0);
    let (run, market) = (w.key("run"), w.market);
    w.fails(&n0, &[jobs::work(&run, &market, &n0, &n0, None)], 0, je::NODE_ALREADY_QUEUED);
    assert_eq!(w.market().queue, vec![n0]);
}

#[test]
fn assign_takes_the_named_node_out_of_the_node_queue_and_starts_its_run() {
    let mut w = World::new();
    let (n0, n1, n2) = (w.nodes[0], w.nodes[1], w.nodes[2]);
    w.work(&n0);
    w.work(&n1);
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    w.ok(&project, &[jobs::assign(&job, &market, &run, &n1, &project, &project, [1; 32], 900)]);
    assert_eq!(w.market().queue, vec![n0]);
    let r = w.run_account(&run);
    assert_eq!((r.job, r.node, r.payer), (job, n1, project));
    assert_eq!((w.job(&job).timeout, w.job(&job).state), (900, job_state::QUEUED));
    assert_eq!(w.g.bank.token_balance(&w.vault()), PRICE * 900);

    let (job2, run2) = (w.key("job"), w.key("run"));
    w.fails(
        &project,
        &[jobs::assign(&job2, &market, &run2, &n2, &project, &project, [1; 32], 900)],
        0,
        je::NOT_IN_MARKET_QUEUE,
    );
    assert!(w.g.bank.get(&job2).is_none());
}

#[test]
fn assign_needs_a_node_queue() {
    let mut w = World::new();
    w.list(TIMEOUT);
    let (job, run, market, project, n0) = (w.key("job"), w.key("run"), w.market, w.project, w.nodes[0]);
    w.fails(
        &project,
        &[jobs::assign(&job, &market, &run, &n0, &project, &project, [1; 32], 900)],
        0,
        je::MARKET_IN_WRONG_STATE,
    );
}

#[test]
fn end_pays_the_node_pro_rata_and_complete_lets_it_post_the_result_afterwards() {
    let mut w = World::new();
    let (job, run) = w.running_job(TIMEOUT);
    let node = w.nodes[0];
    w.g.warp(100);
    let (market, project) = (w.market, w.project);
    w.ok(&project, &[jobs::end(&job, &market, &run, &w.parties(&node), &project, PRICE)]);
    let ended = w.job(&job);
    assert_eq!((ended.state, ended.node, ended.ipfs_result), (job_state::DONE, node, [0; 32]));
    assert_eq!(ended.time_end - ended.time_start, 100);
    assert!(w.g.bank.get(&run).is_none());
    assert_eq!(w.balance(&node), PRICE * 100);
    assert_eq!(w.g.bank.token_balance(&w.vault()), 0);

    let stranger = w.nodes[1];
    w.fails(&stranger, &[jobs::complete(&job, &stranger, [5; 32])], 0, ce::UNAUTHORIZED);
    w.fails(&node, &[jobs::complete(&job, &node, [0; 32])], 0, je::JOB_RESULT_NULL);
    w.ok(&node, &[jobs::complete(&job, &node, [5; 32])]);
    assert_eq!(w.job(&job).ipfs_result, [5; 32]);
    w.fails(&node, &[jobs::complete(&job, &node, [6; 32])], 0, je::JOB_RESULTS_ALREADY_SET);
}

#[test]
fn only_the_project_can_end_a_job() {
    let mut w = World::new();
    let (job, run) = w.running_job(TIMEOUT);
    let node = w.nodes[0];
    let market = w.market;
    w.fails(&node, &[jobs::end(&job, &market, &run, &w.parties(&node), &node, PRICE)], 0, ce::UNAUTHORIZED);
    assert_eq!(w.job(&job).state, job_state::QUEUED);
}

#[test]
fn a_quit_job_is_stopped_until_another_node_claims_and_finishes_it() {
    let mut w = World::new();
    let (job, run) = w.running_job(TIMEOUT);
    let (n0, n1) = (w.nodes[0], w.nodes[1]);
    w.g.warp(50);
    w.ok(&n0, &[jobs::quit(&job, &run, &n0, &n0)]);
    assert_eq!(w.job(&job).state, job_state::STOPPED);
    assert!(w.g.bank.get(&run).is_none());
    assert_eq!(w.balance(&n0), 0, "quitting earns nothing");

    let (run2, market) = (w.key("run"), w.market);
    w.ok(&n1, &[jobs::claim(&job, &run2, &market, &n1, &n1, None)]);
    let r = w.run_account(&run2);
    assert_eq!((r.job, r.node, r.payer, r.time), (job, n1, n1, w.now()));
    assert_eq!(w.job(&job).state, job_state::STOPPED, "claim keeps the job stopped");

    w.g.warp(30);
    w.ok(&n1, &[jobs::finish(&job, &run2, &market, &w.parties(&n1), PRICE, [3; 32])]);
    let done = w.job(&job);
    assert_eq!((done.state, done.node, done.time_end - done.time_start), (job_state::DONE, n1, 30));
    assert_eq!(w.balance(&n1), PRICE * 30);
}

#[test]
fn only_a_stopped_job_can_be_claimed() {
    let mut w = World::new();
    let (job, _) = w.list(TIMEOUT);
    let (n1, run, market) = (w.nodes[1], w.key("run"), w.market);
    w.fails(&n1, &[jobs::claim(&job, &run, &market, &n1, &n1, None)], 0, je::JOB_IN_WRONG_STATE);
    assert!(w.g.bank.get(&run).is_none());
}

#[test]
fn only_the_running_node_can_quit_or_finish() {
    let mut w = World::new();
    let (job, run) = w.running_job(TIMEOUT);
    let (n0, n1, market) = (w.nodes[0], w.nodes[1], w.market);
    w.fails(&n1, &[jobs::quit(&job, &run, &n0, &n1)], 0, ce::UNAUTHORIZED);
    let mut parties = w.parties(&n0);
    parties.node = n1;
    w.fails(&n1, &[jobs::finish(&job, &run, &market, &parties, PRICE, [1; 32])], 0, ce::UNAUTHORIZED);
    w.fails(&n0, &[jobs::finish(&job, &run, &market, &w.parties(&n0), PRICE, [0; 32])], 0, je::JOB_RESULT_NULL);
}

#[test]
fn delist_refunds_the_whole_deposit_and_closes_the_job() {
    let mut w = World::new();
    let project_lamports = w.g.bank.lamports(&w.project);
    let (job, _) = w.list(TIMEOUT);
    let job_rent = w.g.bank.lamports(&job);
    let (market, project) = (w.market, w.project);
    w.ok(&project, &[jobs::delist(&job, &market, &project, &project)]);
    assert!(w.g.bank.get(&job).is_none());
    assert!(w.market().queue.is_empty());
    assert_eq!(w.market().queue_type, queue_type::EMPTY);
    assert_eq!(w.balance(&project), common::PROJECT_NOS);
    assert_eq!(w.g.bank.token_balance(&w.vault()), 0);
    assert!(job_rent > 0);
    // The rent came back; only the fees stayed spent: list signs as project, job and run.
    assert_eq!(w.g.bank.lamports(&project), project_lamports - 3 * 5_000 - 5_000);
}

#[test]
fn a_running_job_cannot_be_delisted() {
    let mut w = World::new();
    let (job, _) = w.running_job(TIMEOUT);
    let (market, project) = (w.market, w.project);
    w.fails(&project, &[jobs::delist(&job, &market, &project, &project)], 0, je::MARKET_IN_WRONG_STATE);
}

#[test]
fn recover_refunds_a_stopped_job_to_the_project() {
    let mut w = World::new();
    let (job, run) = w.running_job(TIMEOUT);
    let (n0, market, project) = (w.nodes[0], w.market, w.project);
    let user = nosana_layouts::pda::nos_ata(&project);
    w.fails(&project, &[jobs::recover(&job, &market, &project, &project, &user)], 0, je::JOB_IN_WRONG_STATE);
    w.ok(&n0, &[jobs::quit(&job, &run, &n0, &n0)]);
    w.ok(&project, &[jobs::recover(&job, &market, &project, &project, &user)]);
    assert!(w.g.bank.get(&job).is_none());
    assert_eq!(w.balance(&project), common::PROJECT_NOS);
    assert_eq!(w.g.bank.token_balance(&w.vault()), 0);
}

#[test]
fn extend_raises_the_timeout_and_tops_up_the_deposit() {
    let mut w = World::new();
    let (job, _) = w.list(TIMEOUT);
    let (market, project) = (w.market, w.project);
    w.ok(&project, &[jobs::extend(&job, &market, &project, &project, TIMEOUT + 600)]);
    assert_eq!(w.job(&job).timeout, TIMEOUT + 600);
    assert_eq!(w.g.bank.token_balance(&w.vault()), PRICE * (TIMEOUT + 600) as u64);
    w.fails(&project, &[jobs::extend(&job, &market, &project, &project, TIMEOUT)], 0, je::JOB_TIMEOUT_NOT_GREATER);
    let stranger = w.nodes[0];
    w.fails(&stranger, &[jobs::extend(&job, &market, &project, &stranger, TIMEOUT * 2)], 0, ce::UNAUTHORIZED);
}

#[test]
fn a_running_job_can_be_extended_and_the_node_is_paid_up_to_the_new_timeout() {
    let mut w = World::new();
    let (job, run) = w.running_job(100);
    let (n0, market, project) = (w.nodes[0], w.market, w.project);
    w.ok(&project, &[jobs::extend(&job, &market, &project, &project, 200)]);
    w.g.warp(500);
    w.ok(&n0, &[jobs::finish(&job, &run, &market, &w.parties(&n0), PRICE, [1; 32])]);
    assert_eq!(w.balance(&n0), PRICE * 200);
}

#[test]
fn clean_closes_a_done_job_only_after_the_market_expiration() {
    let mut w = World::new();
    let (job, run) = w.running_job(TIMEOUT);
    let (n0, market, project) = (w.nodes[0], w.market, w.project);
    w.fails(&n0, &[jobs::clean(&job, &market, &project)], 0, je::JOB_IN_WRONG_STATE);
    w.ok(&n0, &[jobs::finish(&job, &run, &market, &w.parties(&n0), PRICE, [1; 32])]);
    w.fails(&n0, &[jobs::clean(&job, &market, &project)], 0, je::JOB_NOT_EXPIRED);
    w.g.warp(common::EXPIRATION);
    w.fails(&n0, &[jobs::clean(&job, &market, &project)], 0, je::JOB_NOT_EXPIRED);
    w.g.warp(1);
    let before = w.g.bank.lamports(&project);
    let rent = w.g.bank.lamports(&job);
    w.ok(&n0, &[jobs::clean(&job, &market, &project)]);
    assert!(w.g.bank.get(&job).is_none());
    assert_eq!(w.g.bank.lamports(&project), before + rent, "anyone cleans; the rent goes to the job payer");
}

#[test]
fn clean_admin_closes_any_job_without_refunding_the_vault() {
    let mut w = World::new();
    let (job, _) = w.list(TIMEOUT);
    let project = w.project;
    let mut forged = jobs::clean_admin(&job, &project);
    forged.accounts[2].pubkey = project;
    w.fails(&project, &[forged], 0, ce::UNAUTHORIZED);
    let admin = nosana_layouts::ids::MARKET_ADMIN;
    w.ok(&admin, &[jobs::clean_admin(&job, &project)]);
    assert!(w.g.bank.get(&job).is_none());
    assert_eq!(w.g.bank.token_balance(&w.vault()), PRICE * TIMEOUT as u64, "the deposit stays in the vault");
    assert_eq!(w.market().queue, vec![job], "the queue still names the closed job");
}

#[test]
fn quit_admin_closes_the_run_and_leaves_the_job_orphaned() {
    let mut w = World::new();
    let (job, run) = w.running_job(TIMEOUT);
    let n0 = w.nodes[0];
    let mut forged = jobs::quit_admin(&run, &n0);
    forged.accounts[2].pubkey = n0;
    w.fails(&n0, &[forged], 0, ce::UNAUTHORIZED);
    let before = w.g.bank.lamports(&n0);
    let rent = w.g.bank.lamports(&run);
    let admin = nosana_layouts::ids::MARKET_ADMIN;
    w.ok(&admin, &[jobs::quit_admin(&run, &n0)]);
    assert!(w.g.bank.get(&run).is_none());
    assert_eq!(w.g.bank.lamports(&n0), before + rent);
    let orphan = w.job(&job);
    assert_eq!(orphan.state, job_state::QUEUED);
    assert!(!w.market().queue.contains(&job));
}

#[test]
fn stop_takes_a_node_out_of_the_queue_when_the_node_or_the_market_authority_signs() {
    let mut w = World::new();
    let (n0, n1, n2) = (w.nodes[0], w.nodes[1], w.nodes[2]);
    w.work(&n0);
    w.work(&n1);
    let (market, owner) = (w.market, w.owner);
    w.fails(&n2, &[jobs::stop(&market, &n0, &n2)], 0, ce::UNAUTHORIZED);
    w.ok(&owner, &[jobs::stop(&market, &n1, &owner)]);
    assert_eq!(w.market().queue, vec![n0]);
    w.fails(&n2, &[jobs::stop(&market, &n2, &n2)], 0, je::NOT_IN_MARKET_QUEUE);
    w.ok(&n0, &[jobs::stop(&market, &n0, &n0)]);
    assert!(w.market().queue.is_empty());
    assert_eq!(w.market().queue_type, queue_type::EMPTY);
    w.fails(&n0, &[jobs::stop(&market, &n0, &n0)], 0, je::MARKET_IN_WRONG_STATE);
}
