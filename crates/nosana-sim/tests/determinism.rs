//! Same scenario and seed: identical requests; another seed: different ones.

mod common;

use nosana_chain::{Signer, TxRequest};
use nosana_sim::Simulation;

/// Everything that defines a request: version, payer, signers, and each instruction's program,
/// accounts with flags, and data.
fn fingerprint(reqs: &[TxRequest]) -> Vec<String> {
    reqs.iter()
        .map(|r| {
            let signers: Vec<String> = r.signers.iter().map(|k| k.pubkey().to_string()).collect();
            let ixs: Vec<String> = r
                .instructions
                .iter()
                .map(|ix| {
                    let keys: Vec<String> = ix
                        .accounts
                        .iter()
                        .map(|a| format!("{}:{}{}", a.pubkey, a.is_signer as u8, a.is_writable as u8))
                        .collect();
                    format!("{} {} {:?}", ix.program_id, keys.join(","), ix.data)
                })
                .collect();
            format!("{:?} {} [{}] {}", r.version, r.payer.pubkey(), signers.join(","), ixs.join(" | "))
        })
        .collect()
}

fn plan(seed: u64) -> Vec<String> {
    let (mut sim, mut bank) = Simulation::new(&common::small_world(), seed).unwrap();
    fingerprint(&common::run(&mut sim, &mut bank, 600, 300))
}

#[test]
fn two_simulations_with_the_same_seed_plan_identical_requests() {
    let (a, b) = (plan(11), plan(11));
    assert!(a.len() > 500, "{}", a.len());
    assert_eq!(a, b);
}

#[test]
fn different_seeds_plan_different_requests() {
    assert_ne!(plan(11), plan(12));
}

#[test]
fn a_deterministic_fraction_of_transactions_are_v0() {
    let (mut sim, mut bank) = Simulation::new(&common::small_world(), 3).unwrap();
    let reqs = common::run(&mut sim, &mut bank, 300, 300);
    let v0 = reqs.iter().filter(|r| r.version == nosana_chain::MessageVersion::V0).count() as f64;
    let share = v0 / reqs.len() as f64;
    assert!((share - 0.3).abs() < 0.05, "v0 share {share}");
}
