//! A small world run for days in large time steps through the reference bank.

mod common;

use std::collections::BTreeMap;

use nosana_layouts::ids::{NOS_MINT, TOKEN_PROGRAM_ID};
use nosana_layouts::spl::{TOKEN_ACCOUNT_LEN, TokenAccount};
use nosana_reference::Pubkey;
use nosana_sim::truth::{RewardKind, StakeKind};
use nosana_sim::{JobOutcome, Simulation};

#[test]
fn a_small_world_runs_for_days_with_jobs_paid_burns_emissions_and_consistent_truth() {
    let scenario = common::small_world();
    let (mut sim, mut bank) = Simulation::new(&scenario, 42).unwrap();
    let ata = |k: &Pubkey| nosana_layouts::pda::nos_ata(k);
    let genesis_balance: BTreeMap<Pubkey, u64> =
        sim.truth().nodes.iter().map(|n| (n.authority, bank.token_balance(&ata(&n.authority)))).collect();

    // Six days in 2-minute slots.
    common::run(&mut sim, &mut bank, 6 * 720, 120);
    let t = sim.truth();
    let tot = &t.totals;
    let failed = tot.transactions_failed + tot.transactions_rejected + tot.transactions_missing;
    println!(
        "planned {} included {} failed {} rejected {} missing {}; jobs {} completed {} ended {} delisted {} recovered {}",
        tot.transactions_planned,
        tot.transactions_included,
        tot.transactions_failed,
        tot.transactions_rejected,
        tot.transactions_missing,
        t.jobs.len(),
        tot.jobs_completed,
        tot.jobs_ended,
        tot.jobs_delisted,
        tot.jobs_recovered
    );
    println!("failures by action {:?}", tot.failures_by_action);
    println!("failures by error {:?}", tot.failures_by_error);

    // Jobs ran and nodes were paid.
    assert!(tot.jobs_completed > 300, "completed {}", tot.jobs_completed);
    assert!(
        t.jobs.iter().filter(|j| j.outcome == JobOutcome::Completed).all(|j| j.payout > 0 && j.paid_node.is_some())
    );
    assert!(tot.jobs_ended > 0 && tot.jobs_delisted + tot.jobs_recovered > 0);
    assert!(t.jobs.iter().any(|j| j.quits > 0), "some node quit a job");
    assert!(t.jobs.iter().any(|j| j.extensions > 0), "some job was extended");
    assert!(t.jobs.iter().any(|j| j.cleaned_at.is_some()), "old jobs were cleaned");
    // Almost everything planned lands.
    let rate = failed as f64 / tot.transactions_planned as f64;
    assert!(rate < 0.01, "failure rate {rate}");
    assert_eq!(tot.transactions_rejected + tot.transactions_missing, 0);

    // The 10 % network fee went to the rewards vault with every listing and extension.
    assert!(tot.network_fees > 0);
    for j in t.jobs.iter().filter(|j| j.extensions == 0) {
        assert_eq!(j.network_fee, j.deposit / 10, "{j:?}");
    }

    // Burns, mints, emissions, pools rotated, stake life cycle.
    assert!(!t.mints.is_empty() && t.mints.iter().all(|m| m.amount == 2_000_000_000));
    assert!(!t.burns.is_empty() && t.burns.iter().all(|b| b.amount > 0));
    assert!(!t.emissions.is_empty() && t.pools.len() >= 3 && t.pools[0].closed_at.is_some());
    let kinds: Vec<StakeKind> = t.stake_events.iter().map(|e| e.kind).collect();
    for k in [
        StakeKind::Stake,
        StakeKind::Topup,
        StakeKind::Extend,
        StakeKind::Unstake,
        StakeKind::Withdraw,
        StakeKind::Slash,
    ] {
        assert!(kinds.contains(&k), "no {k:?} event");
    }
    assert!(t.reward_events.iter().any(|e| e.kind == RewardKind::Claim && e.amount > 0));

    // Totals equal the sums over the events.
    let sum = |f: &dyn Fn(&nosana_sim::truth::JobTruth) -> u64| t.jobs.iter().map(f).sum::<u64>();
    assert_eq!(tot.jobs_listed, t.jobs.len() as u64);
    assert_eq!(tot.payouts, sum(&|j| j.payout));
    assert_eq!(tot.refunds, sum(&|j| j.refund));
    assert_eq!(tot.deposits, sum(&|j| j.deposit));
    assert_eq!(tot.network_fees, sum(&|j| j.network_fee));
    assert_eq!(tot.jobs_completed, t.jobs.iter().filter(|j| j.outcome == JobOutcome::Completed).count() as u64);
    let stake_sum = |k: StakeKind| t.stake_events.iter().filter(|e| e.kind == k).map(|e| e.amount).sum::<u64>();
    assert_eq!(tot.staked, stake_sum(StakeKind::Stake) + stake_sum(StakeKind::Topup));
    assert_eq!(tot.withdrawn, stake_sum(StakeKind::Withdraw));
    assert_eq!(tot.slashed, stake_sum(StakeKind::Slash));
    let claimed: u64 = t.reward_events.iter().filter(|e| e.kind == RewardKind::Claim).map(|e| e.amount).sum();
    assert_eq!(tot.rewards_claimed, claimed);
    assert_eq!(tot.emitted, t.emissions.iter().map(|e| e.amount).sum::<u64>());
    assert_eq!(tot.burned, t.burns.iter().map(|e| e.amount).sum::<u64>());
    assert_eq!(tot.minted, t.mints.iter().map(|e| e.amount).sum::<u64>());
    // Settled jobs: deposit = payout + refund.
    for j in t.jobs.iter().filter(|j| matches!(j.outcome, JobOutcome::Completed | JobOutcome::Ended)) {
        assert_eq!(j.deposit, j.payout + j.refund, "{j:?}");
    }

    // Node balances in the bank are explained by the truth.
    for (i, n) in t.nodes.iter().enumerate() {
        let paid: u64 = t.jobs.iter().filter(|j| j.paid_node == Some(i as u32)).map(|j| j.payout).sum();
        let of = |k: StakeKind| {
            t.stake_events.iter().filter(|e| e.staker == n.authority && e.kind == k).map(|e| e.amount).sum::<u64>()
        };
        let claims: u64 = t
            .reward_events
            .iter()
            .filter(|e| e.staker == n.authority && e.kind == RewardKind::Claim)
            .map(|e| e.amount)
            .sum();
        let expected = genesis_balance[&n.authority] + paid + claims - of(StakeKind::Stake) - of(StakeKind::Topup);
        assert_eq!(bank.token_balance(&ata(&n.authority)), expected, "node {i}");
    }

    // NOS is conserved: token accounts hold the supply, which moved only by mints and burns.
    let held: u64 = bank
        .accounts()
        .values()
        .filter(|a| a.owner == TOKEN_PROGRAM_ID && a.data.len() == TOKEN_ACCOUNT_LEN)
        .filter_map(|a| TokenAccount::unpack(&a.data).ok())
        .filter(|ta| ta.mint == NOS_MINT)
        .map(|ta| ta.amount)
        .sum();
    let supply = bank.mint(&NOS_MINT).unwrap().supply;
    assert_eq!(held, supply);
    assert_eq!(supply, t.genesis_supply + tot.minted - tot.burned);

    // Prices were recorded daily and the truth serialises.
    assert_eq!(t.prices.len(), 7);
    let json = serde_json::to_value(t).unwrap();
    assert_eq!(json["jobs"].as_array().unwrap().len(), t.jobs.len());
    assert!(json["jobs"][0]["address"].as_str().unwrap().len() > 30);
}

#[test]
fn the_largest_operator_holds_the_configured_share_and_locations_cluster() {
    for share in [0.12, 0.30] {
        let mut s = nosana_sim::Scenario::default_scenario();
        s.nodes.largest_operator_share = share;
        let (sim, _) = Simulation::new(&s, 7).unwrap();
        let nodes = &sim.truth().nodes;
        let mut per_op: BTreeMap<u32, usize> = BTreeMap::new();
        for n in nodes {
            *per_op.entry(n.operator).or_default() += 1;
        }
        let max = *per_op.values().max().unwrap() as f64 / nodes.len() as f64;
        assert!((max - share).abs() < 0.01, "largest share {max} for knob {share}");

        // ~11 km buckets: colocated operators crowd a few, rural regions spread the rest.
        let buckets: std::collections::BTreeSet<(i64, i64)> =
            nodes.iter().map(|n| ((n.lat * 10.0).round() as i64, (n.lng * 10.0).round() as i64)).collect();
        let ratio = buckets.len() as f64 / nodes.len() as f64;
        assert!(ratio < 0.6 && ratio > 0.1, "distinct buckets / nodes = {ratio}");
        let mut per_bucket: BTreeMap<(i64, i64), usize> = BTreeMap::new();
        for n in nodes {
            *per_bucket.entry(((n.lat * 10.0).round() as i64, (n.lng * 10.0).round() as i64)).or_default() += 1;
        }
        let lonely = per_bucket.values().filter(|&&c| c == 1).count();
        let crowded = per_bucket.values().filter(|&&c| c >= 20).count();
        assert!(lonely > 100 && crowded > 0, "lonely {lonely} crowded {crowded}");
    }
}
