//! Jobs-program transactions executed on the reference bank and decoded: the instructions with
//! their named accounts, the job events and the NOS flows each one yields.

mod support;

use nosana_decode::{FlowKind, JobEventKind, Position, Program, TokenFlow, check_balances, decode_transaction};
use nosana_layouts::ids::NOS_MINT;
use nosana_layouts::pda;
use nosana_reference::Pubkey;
use nosana_reference::client::jobs::{self, RunParties};
use support::world::{PRICE, TIMEOUT, World};

fn kinds(flows: &[TokenFlow]) -> Vec<FlowKind> {
    flows.iter().map(|f| f.kind).collect()
}

#[test]
fn a_list_with_fee_yields_a_deposit_and_a_fee() {
    let mut w = World::new(10);
    let (job, run, d) = w.list(TIMEOUT);
    let deposit = PRICE * TIMEOUT as u64;
    let project_ata = pda::nos_ata(&w.project);

    assert_eq!(kinds(&d.flows), [FlowKind::Deposit, FlowKind::Fee]);
    let (dep, fee) = (&d.flows[0], &d.flows[1]);
    assert_eq!((dep.source, dep.destination, dep.amount), (project_ata, w.vault(), deposit));
    assert_eq!((fee.source, fee.destination, fee.amount), (project_ata, pda::rewards_vault().0, deposit / 10));
    for f in &d.flows {
        assert_eq!((f.mint, f.wallet, f.subject, f.market), (NOS_MINT, w.project, job, w.market));
    }
    // The fee moves inside rewards.add_fee, a CPI of list: stack height 3.
    assert_eq!(fee.at, Position { ix: 0, inner: 4, stack_height: 3 });
    assert_eq!(dep.at, Position { ix: 0, inner: 2, stack_height: 2 });

    let names: Vec<(Program, &str, Position)> = d.instructions.iter().map(|i| (i.program, i.name, i.at)).collect();
    assert_eq!(
        names,
        [
            (Program::Jobs, "list", Position { ix: 0, inner: 0, stack_height: 1 }),
            (Program::Rewards, "add_fee", Position { ix: 0, inner: 3, stack_height: 2 })
        ]
    );
    let list = &d.instructions[0];
    assert_eq!(list.accounts[0], ("job", job));
    assert_eq!(list.accounts[1], ("market", w.market));
    assert_eq!(list.accounts[2], ("run", run));
    assert_eq!(list.args["timeout"], TIMEOUT);
    assert_eq!(d.instructions[1].args["amount"], deposit / 10);

    assert_eq!(d.job_events.len(), 1, "no node waited, so no assignment");
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.job, e.market, e.run), (JobEventKind::List, job, w.market, run));
    assert_eq!((e.project, e.payer, e.node, e.timeout), (w.project, w.project, Pubkey::default(), Some(TIMEOUT)));
}

#[test]
fn a_list_without_fee_yields_a_deposit_only() {
    let mut w = World::new(0);
    let (_, _, d) = w.list(TIMEOUT);
    assert_eq!(kinds(&d.flows), [FlowKind::Deposit]);
    assert_eq!(d.instructions.len(), 1);
}

#[test]
fn work_on_an_empty_queue_queues_the_node_and_a_list_then_assigns_the_job_to_it() {
    let mut w = World::new(0);
    let (node_run, d) = w.work(0);
    assert_eq!(d.job_events.len(), 1);
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.node, e.run, e.job), (JobEventKind::Work, w.nodes[0], node_run, Pubkey::default()));

    let (job, run, d) = w.list(TIMEOUT);
    let got: Vec<(JobEventKind, Pubkey, Pubkey)> = d.job_events.iter().map(|e| (e.kind, e.job, e.run)).collect();
    assert_eq!(got, [(JobEventKind::List, job, run), (JobEventKind::Assign, job, run)]);
}

#[test]
fn work_on_a_job_queue_assigns_the_queued_job_to_the_node() {
    let mut w = World::new(0);
    let _ = w.list(TIMEOUT);
    let (run, d) = w.work(1);
    assert_eq!(d.job_events.len(), 1);
    let e = &d.job_events[0];
    // The job comes off the market queue: the instruction does not name it.
    assert_eq!(
        (e.kind, e.node, e.run, e.market, e.job),
        (JobEventKind::Assign, w.nodes[1], run, w.market, Pubkey::default())
    );
    assert!(d.flows.is_empty());
}

#[test]
fn a_finished_job_pays_the_node_and_refunds_the_payer() {
    let mut w = World::new(10);
    let (job, _, _) = w.list(TIMEOUT);
    let (run, _) = w.work(0);
    w.g.warp(10);
    let node = w.nodes[0];
    let parties = RunParties { job_payer: w.project, run_payer: node, node };
    let d = w.ok(&node, &[jobs::finish(&job, &run, &w.market, &parties, PRICE, [9; 32])]);
    assert_eq!(kinds(&d.flows), [FlowKind::Payout, FlowKind::Refund]);
    let (pay, refund) = (&d.flows[0], &d.flows[1]);
    assert_eq!((pay.destination, pay.wallet, pay.amount), (pda::nos_ata(&node), node, PRICE * 10));
    assert_eq!(
        (refund.destination, refund.wallet, refund.amount),
        (pda::nos_ata(&w.project), w.project, PRICE * (TIMEOUT as u64 - 10))
    );
    assert!(d.flows.iter().all(|f| f.source == w.vault() && f.subject == job && f.market == w.market));
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.job, e.run, e.node, e.payer), (JobEventKind::Finish, job, run, node, w.project));
    assert_eq!(d.instructions[0].accounts[6], ("payer_run", node));
    assert_eq!(d.instructions[0].accounts[7], ("payer_job", w.project));
    assert!(d.instructions[0].args["ipfs_result"].as_str().unwrap().starts_with("Qm"));
}

#[test]
fn an_ended_job_pays_the_node_named_by_its_token_account_and_a_complete_follows() {
    let mut w = World::new(0);
    let (job, _, _) = w.list(TIMEOUT);
    let (run, _) = w.work(1);
    w.g.warp(100);
    let (node, project) = (w.nodes[1], w.project);
    let parties = RunParties { job_payer: project, run_payer: node, node };
    let d = w.ok(&project, &[jobs::end(&job, &w.market, &run, &parties, &project, PRICE)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Payout, FlowKind::Refund]);
    assert_eq!((d.flows[0].wallet, d.flows[0].amount), (node, PRICE * 100));
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.node, e.project, e.run), (JobEventKind::End, node, project, run));

    let d = w.ok(&node, &[jobs::complete(&job, &node, [3; 32])]);
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.job, e.node), (JobEventKind::Complete, job, node));
    assert!(d.flows.is_empty());
}

#[test]
fn delist_refunds_the_deposit_but_not_the_fee() {
    let mut w = World::new(10);
    let (job, _, _) = w.list(TIMEOUT);
    let (market, project) = (w.market, w.project);
    let d = w.ok(&project, &[jobs::delist(&job, &market, &project, &project)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Refund]);
    assert_eq!((d.flows[0].amount, d.flows[0].wallet, d.flows[0].subject), (PRICE * TIMEOUT as u64, project, job));
    assert_eq!(d.job_events[0].kind, JobEventKind::Delist);
}

#[test]
fn a_quit_job_is_claimed_by_another_node_or_recovered_by_its_project() {
    let mut w = World::new(0);
    let (job, _, _) = w.list(TIMEOUT);
    let (run, _) = w.work(0);
    let (n0, n1, market, project) = (w.nodes[0], w.nodes[1], w.market, w.project);
    let d = w.ok(&n0, &[jobs::quit(&job, &run, &n0, &n0)]);
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.job, e.run, e.node), (JobEventKind::Quit, job, run, n0));
    assert!(d.flows.is_empty());

    let run2 = w.key("run");
    let d = w.ok(&n1, &[jobs::claim(&job, &run2, &market, &n1, &n1, None)]);
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.job, e.run, e.node), (JobEventKind::Claim, job, run2, n1));
    let d = w.ok(&n1, &[jobs::quit(&job, &run2, &n1, &n1)]);
    assert_eq!(d.job_events[0].kind, JobEventKind::Quit);

    let d = w.ok(&project, &[jobs::recover(&job, &market, &project, &project, &pda::nos_ata(&project))]);
    assert_eq!(kinds(&d.flows), [FlowKind::Refund]);
    assert_eq!(d.flows[0].amount, PRICE * TIMEOUT as u64);
    assert_eq!(d.job_events[0].kind, JobEventKind::Recover);
}

#[test]
fn extend_deposits_the_difference_and_pays_its_fee() {
    let mut w = World::new(10);
    let (job, _, _) = w.list(TIMEOUT);
    let (market, project) = (w.market, w.project);
    let d = w.ok(&project, &[jobs::extend(&job, &market, &project, &project, TIMEOUT + 1_000)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Deposit, FlowKind::Fee]);
    assert_eq!((d.flows[0].amount, d.flows[1].amount), (PRICE * 1_000, PRICE * 100));
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.job, e.timeout), (JobEventKind::Extend, job, Some(TIMEOUT + 1_000)));
}

#[test]
fn an_assign_creates_and_hands_out_the_job_with_a_deposit_and_a_fee() {
    let mut w = World::new(10);
    let _ = w.work(0);
    let (job, run, market, project, node) = (w.key("job"), w.key("run"), w.market, w.project, w.nodes[0]);
    let d = w.ok(&project, &[jobs::assign(&job, &market, &run, &node, &project, &project, [1; 32], 500)]);
    assert_eq!(kinds(&d.flows), [FlowKind::Deposit, FlowKind::Fee]);
    let got: Vec<(JobEventKind, Pubkey)> = d.job_events.iter().map(|e| (e.kind, e.node)).collect();
    assert_eq!(got, [(JobEventKind::List, node), (JobEventKind::Assign, node)]);
}

#[test]
fn stop_clean_and_the_admin_instructions_yield_their_events() {
    let mut w = World::new(0);
    let _ = w.work(0);
    let (market, n0) = (w.market, w.nodes[0]);
    let d = w.ok(&n0, &[jobs::stop(&market, &n0, &n0)]);
    let e = &d.job_events[0];
    assert_eq!((e.kind, e.node, e.market), (JobEventKind::Stop, n0, market));

    let (job, _, _) = w.list(TIMEOUT);
    let (run, _) = w.work(1);
    let n1 = w.nodes[1];
    let d = w.ok(&n1, &[jobs::quit_admin(&run, &n1)]);
    assert_eq!((d.job_events[0].kind, d.job_events[0].run), (JobEventKind::Quit, run));
    let project = w.project;
    let d = w.ok(&project, &[jobs::clean_admin(&job, &project)]);
    assert_eq!((d.job_events[0].kind, d.job_events[0].job), (JobEventKind::Clean, job));
}

#[test]
fn a_legacy_list_without_timeout_is_listed_with_no_timeout() {
    let mut w = World::new(10);
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    let d = w.ok(&project, &[jobs::list_legacy(&job, &market, &run, &project, &project, [1; 32])]);
    assert_eq!(d.job_events[0].timeout, None);
    assert!(d.instructions[0].args["timeout"].is_null());
    // The legacy fee was a tenth of the price per second.
    assert_eq!(kinds(&d.flows), [FlowKind::Deposit, FlowKind::Fee]);
    assert_eq!((d.flows[0].amount, d.flows[1].amount), (PRICE * TIMEOUT as u64, PRICE / 10));
}

#[test]
fn a_failed_transaction_yields_its_instructions_but_no_events_or_flows() {
    let mut w = World::new(10);
    let (job, run, market) = (w.key("job"), w.key("run"), w.market);
    let poor = w.g.wallet("poor", 5).unwrap();
    let raw = w.run(&poor, &[jobs::list(&job, &market, &run, &poor, &poor, [1; 32], TIMEOUT)]);
    assert!(raw.err.is_some(), "a payer without NOS cannot list");
    let d = decode_transaction(&raw);
    assert_eq!(d.instructions.len(), 1);
    assert_eq!(d.instructions[0].name, "list");
    assert!(d.job_events.is_empty() && d.flows.is_empty() && d.quarantine.is_empty());
    check_balances(&raw, &d).unwrap();
}

#[test]
fn without_stack_heights_the_fee_is_still_told_from_the_deposit() {
    let mut w = World::new(10);
    let (job, run, market, project) = (w.key("job"), w.key("run"), w.market, w.project);
    let raw = w.run(&project, &[jobs::list(&job, &market, &run, &project, &project, [7; 32], TIMEOUT)]);
    let with = decode_transaction(&raw);
    let without = decode_transaction(&support::without_stack_heights(raw.clone()));
    assert_eq!(kinds(&without.flows), [FlowKind::Deposit, FlowKind::Fee]);
    let amounts = |d: &nosana_decode::DecodedTransaction| {
        d.flows.iter().map(|f| (f.kind, f.amount, f.subject)).collect::<Vec<_>>()
    };
    assert_eq!(amounts(&with), amounts(&without));
    // Every inner instruction counts as height 2 then.
    assert!(without.flows.iter().all(|f| f.at.stack_height == 2));
    check_balances(&raw, &without).unwrap();
}
