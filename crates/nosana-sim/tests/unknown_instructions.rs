//! Outdated clients: `chain.unknown_instructions_per_day` plans transactions calling Nosana
//! programs with instructions they do not know; each fails, and the rest of the world is
//! exactly what it is without them.

mod common;

use nosana_layouts::ids::NOSANA_PROGRAM_IDS;
use nosana_sim::{Scenario, Simulation};

fn world(per_day: f64) -> Scenario {
    let text =
        common::SMALL_WORLD.replacen("[chain]\n", &format!("[chain]\nunknown_instructions_per_day = {per_day}\n"), 1);
    Scenario::from_toml(&text).unwrap()
}

#[test]
fn unknown_instructions_fail_with_fallback_not_found_and_change_nothing_else() {
    let (mut with, mut bank_with) = Simulation::new(&world(200.0), 7).unwrap();
    let (mut without, mut bank_without) = Simulation::new(&world(0.0), 7).unwrap();
    let planned = common::run(&mut with, &mut bank_with, 2 * 720, 120);
    common::run(&mut without, &mut bank_without, 2 * 720, 120);

    let unknown: Vec<_> = planned
        .iter()
        .filter(|r| r.instructions.len() == 1 && r.instructions[0].accounts.len() == 1)
        .filter(|r| NOSANA_PROGRAM_IDS.contains(&r.instructions[0].program_id))
        .collect();
    let failed = with.truth().totals.failures_by_action.get("unknown_instruction").copied().unwrap_or(0);
    // About 200 a day over two days.
    assert!((300..=500).contains(&failed), "{failed} unknown instructions failed");
    assert_eq!(unknown.len() as u64, failed);
    let fallback = with
        .truth()
        .totals
        .failures_by_error
        .iter()
        // Anchor's InstructionFallbackNotFound is error 101.
        .filter(|(e, _)| e.ends_with("custom program error: 0x65"))
        .map(|(_, n)| n)
        .sum::<u64>();
    assert_eq!(fallback, failed, "{:?}", with.truth().totals.failures_by_error);

    // Everything else happened exactly as in the world without them.
    let (a, b) = (with.truth(), without.truth());
    assert_eq!(a.jobs, b.jobs);
    assert_eq!(a.totals.transactions_succeeded, b.totals.transactions_succeeded);
    assert_eq!(a.totals.transactions_failed, b.totals.transactions_failed + failed);
    assert_eq!(
        (a.totals.burned, a.totals.emitted, a.totals.staked),
        (b.totals.burned, b.totals.emitted, b.totals.staked)
    );
    assert!(!without.truth().totals.failures_by_action.contains_key("unknown_instruction"));
}

#[test]
fn a_negative_rate_is_an_error_naming_the_key() {
    let text = common::SMALL_WORLD.replacen("[chain]\n", "[chain]\nunknown_instructions_per_day = -1.0\n", 1);
    let e = Scenario::from_toml(&text).and_then(|s| s.validate().map(|_| s)).unwrap_err();
    assert!(e.to_string().contains("chain.unknown_instructions_per_day"), "{e}");
}
