//! Property test: long random sequences of instructions, valid and invalid, against a world of
//! markets, nodes, projects, stakers and a rewards pool. After every step the bank must not
//! have panicked and every invariant in `checks` must hold.
//!
//! - `world.rs`: the world, built through real transactions, and the test's model of it.
//! - `actions.rs`: the actions, their strategies, and how each becomes a transaction.
//! - `checks.rs`: the invariants.
//!
//! The default run (256 cases of up to 150 actions) takes about 15 s in debug mode.
//! For a long soak, raise the case count and, if wanted, the sequence length:
//!
//! ```text
//! PROPTEST_CASES=2000 INVARIANTS_MAX_ACTIONS=400 \
//!     cargo test -p nosana-reference --test invariants -j 1 -- --nocapture
//! ```
//!
//! A failure is shrunk and its seed saved in proptest's default place, a file under
//! `tests/proptest-regressions/`; commit that file so that every later run replays the
//! failure first.

mod actions;
mod checks;
mod world;

use nosana_layouts::accounts::NosanaAccount;
use nosana_layouts::ids;
use nosana_layouts::instructions::jobs as jobs_spec;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use actions::Action;
use world::World;

/// 256 cases unless `PROPTEST_CASES` says otherwise (proptest reads it into the default).
fn config() -> Config {
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() { Config::default().cases } else { 256 };
    Config {
        cases,
        max_shrink_iters: 1_024,
        failure_persistence: Some(Box::new(FileFailurePersistence::SourceParallel("proptest-regressions"))),
        ..Config::default()
    }
}

fn max_actions() -> usize {
    std::env::var("INVARIANTS_MAX_ACTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(150)
}

/// Runs one action and checks every invariant; the error names the step and the action.
fn step(w: &mut World, n: usize, action: &Action) -> Result<(), TestCaseError> {
    let context = |e: TestCaseError| TestCaseError::fail(format!("step {n}, {action:?}:\n{e}"));
    let Some(tx) = action.build(w) else {
        if let Action::Warp(seconds) = action {
            w.g.warp(*seconds);
        }
        return checks::all(w).map_err(context);
    };
    let before = w.g.bank.accounts().clone();
    let double_claimed = w.markets_double_claimed_by(&tx);
    let result = w.g.bank.execute_instructions(&tx.payer, &tx.ixs);
    checks::atomicity(&before, w.g.bank.accounts(), &tx.payer, &result).map_err(context)?;
    if let Ok(executed) = &result {
        w.fees_charged += executed.meta.fee;
        if executed.succeeded() {
            w.expected_supply -= tx.burn;
            w.double_claimed_markets.extend(double_claimed);
            w.note_donations(executed);
            note_admin_cleans(w, &tx.ixs);
        }
    }
    for m in &w.markets {
        if !matches!(w.decode(&m.key), Some(NosanaAccount::Market(_))) {
            w.closed_markets.insert(m.key);
        }
    }
    checks::all(w).map_err(context)
}

/// Jobs closed by a successful `clean_admin` (structured or garbage).
fn note_admin_cleans(w: &mut World, ixs: &[nosana_reference::Instruction]) {
    for ix in ixs {
        let is_clean_admin =
            ix.program_id == ids::JOBS_PROGRAM_ID && ix.data.get(..8) == Some(&jobs_spec::CLEAN_ADMIN.discriminator);
        if let Some(job) = ix.accounts.first().filter(|_| is_clean_admin) {
            w.admin_cleaned.insert(job.pubkey);
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_instruction_sequences_never_panic_and_keep_every_invariant(
        fee_fraction in prop_oneof![Just(0u64), Just(10u64)],
        actions in prop::collection::vec(actions::action(), 1..=max_actions()),
    ) {
        let mut w = World::new(fee_fraction);
        checks::all(&w)?;
        for (n, action) in actions.iter().enumerate() {
            step(&mut w, n, action)?;
        }
    }
}

/// The strategies must reach deep states to be worth running: a fixed-seed sample of
/// sequences must settle jobs, and mix successful transactions with failed ones.
#[test]
fn random_sequences_both_succeed_and_fail_and_settle_jobs() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let (mut settled, mut succeeded, mut failed) = (0usize, 0usize, 0usize);
    for _ in 0..4 {
        let actions = prop::collection::vec(actions::action(), 150).new_tree(&mut runner).expect("sample").current();
        let mut w = World::new(10);
        for action in &actions {
            let Some(tx) = action.build(&mut w) else {
                if let Action::Warp(seconds) = action {
                    w.g.warp(*seconds);
                }
                continue;
            };
            match w.g.bank.execute_instructions(&tx.payer, &tx.ixs) {
                Ok(t) if t.succeeded() => {
                    succeeded += 1;
                    let settles = matches!(action, Action::Finish { .. } | Action::End { .. });
                    settled += usize::from(settles);
                }
                _ => failed += 1,
            }
        }
    }
    assert!(succeeded >= 100, "only {succeeded} of {} transactions succeeded", succeeded + failed);
    assert!(failed >= 150, "only {failed} transactions failed: the invalid half is missing");
    assert!(settled >= 5, "only {settled} jobs were settled by finish or end");
}

/// Why `checks::market_vaults` skips markets with a double claim: `claim` only requires a
/// Stopped job (spec §2.4.13) and `finish` has no state check (§2.4.15), so two nodes can
/// claim one stopped job and both finish it. The second settlement pays the deposit out again,
/// from the deposit of another job still running in the same market.
#[test]
fn two_claims_of_one_stopped_job_settle_it_twice_from_another_jobs_deposit() {
    use nosana_reference::client::jobs::{self, RunParties};

    let mut w = World::new(0);
    let market = w.markets[0].key;
    let (project, nodes) = (w.projects[0], w.nodes.clone());
    let ok = |w: &mut World, payer: &nosana_reference::Pubkey, ixs: Vec<nosana_reference::Instruction>| {
        let tx = w.g.run(payer, &ixs).expect("included");
        assert!(tx.succeeded(), "{}", tx.meta.log_messages.join("\n"));
    };
    let (job_a, job_b) = (w.new_job(), w.new_job());
    for job in [job_a, job_b] {
        let run = w.new_run();
        ok(&mut w, &project, vec![jobs::list(&job, &market, &run, &project, &project, [1; 32], 3_600)]);
    }
    let (run_a, run_b) = (w.new_run(), w.new_run());
    ok(&mut w, &nodes[0], vec![jobs::work(&run_a, &market, &nodes[0], &nodes[0], None)]);
    ok(&mut w, &nodes[1], vec![jobs::work(&run_b, &market, &nodes[1], &nodes[1], None)]);
    ok(&mut w, &nodes[0], vec![jobs::quit(&job_a, &run_a, &nodes[0], &nodes[0])]);
    let claims = [(w.new_run(), nodes[0]), (w.new_run(), nodes[2])];
    for (run, node) in claims {
        ok(&mut w, &node, vec![jobs::claim(&job_a, &run, &market, &node, &node, None)]);
    }
    w.g.warp(60);
    for (run, node) in claims {
        let parties = RunParties { job_payer: project, run_payer: node, node };
        ok(&mut w, &node, vec![jobs::finish(&job_a, &run, &market, &parties, 100, [9; 32])]);
    }
    let vault = w.g.bank.token_balance(&jobs::vault(&market));
    let b = w.job(&job_b).expect("job B is still running");
    assert_eq!(b.state, nosana_layouts::enums::job_state::QUEUED);
    assert!(vault < 100 * 3_600, "the vault ({vault}) no longer covers job B's deposit");
}
