//! A score that follows the chain day by day gives the same snapshot, byte for byte, as a full
//! recompute of the same inputs.

use depinscore_engine::frames::{ChainRange, Inputs};
use depinscore_engine::sample::{self, DAY, Shipped, T0};
use depinscore_engine::{EngineError, Methodology, Rolling, Rules, Update};
use polars::prelude::*;

/// The sample world's inputs with flows and events in chain (slot) order.
fn world(days: i64) -> Inputs {
    let mut inputs = sample::world(days).inputs().unwrap();
    let stable = SortMultipleOptions { maintain_order: true, ..Default::default() };
    inputs.flows = inputs.flows.sort(["slot"], stable.clone()).unwrap();
    inputs.job_events = inputs.job_events.sort(["slot"], stable).unwrap();
    inputs
}

fn rows_between(df: &DataFrame, from: i64, to: i64) -> DataFrame {
    df.clone().lazy().filter(col("time").gt_eq(lit(from)).and(col("time").lt(lit(to)))).collect().unwrap()
}

/// What the chain looked like at `end`: every row before it, the chain range up to it.
fn until(all: &Inputs, end: i64) -> Inputs {
    Inputs {
        flows: rows_between(&all.flows, 0, end),
        job_events: rows_between(&all.job_events, 0, end),
        chain: ChainRange { first_slot: 0, last_slot: (end - 1) as u64, first_time: 0, last_time: end - 1 },
        ..all.clone()
    }
}

/// A score following the chain of `all` up to `end`.
fn following(all: &Inputs, end: i64, rules: &Rules<'_>) -> Rolling {
    Rolling::new(until(all, end), all.keys.len(), rules.methodology.parameters.price_max_age_s).unwrap()
}

/// The rows of `[from, to)` as an update, with the small frames of `all`.
fn day(all: &Inputs, from: i64, to: i64) -> Update {
    Update {
        flows: rows_between(&all.flows, from, to),
        job_events: rows_between(&all.job_events, from, to),
        keys_kept: all.keys.len(),
        new_keys: Vec::new(),
        stable_keys: all.keys.len(),
        prices: all.prices.clone(),
        nodes: all.nodes.clone(),
        markets: all.markets.clone(),
        stakes: all.stakes.clone(),
        supply: all.supply.clone(),
        chain: ChainRange { first_slot: 0, last_slot: (to - 1) as u64, first_time: 0, last_time: to - 1 },
    }
}

#[test]
fn a_score_updated_day_by_day_equals_a_full_recompute_each_day() {
    let shipped = Shipped::load().unwrap();
    let rules = shipped.rules();
    let all = world(45);
    let mut rolling = following(&all, T0 + 35 * DAY, &rules);
    for d in 35..45 {
        let (from, to) = (T0 + d * DAY, T0 + (d + 1) * DAY);
        rolling.update(day(&all, from, to)).unwrap();
        let full = depinscore_engine::snapshot(&until(&all, to), &rules, to - 1).unwrap();
        let followed = rolling.snapshot(&rules, to - 1).unwrap();
        assert_eq!(followed.id, full.id, "day {d}: the followed snapshot differs from the full recompute");
        assert_eq!(followed.to_json().unwrap(), full.to_json().unwrap());
        assert!(full.body.metrics.demand.jobs_listed > 0, "the window has jobs");
    }
}

#[test]
fn a_followed_score_as_of_an_earlier_time_equals_the_full_recompute_then() {
    let shipped = Shipped::load().unwrap();
    let rules = shipped.rules();
    let all = world(40);
    let rolling = Rolling::new(all.clone(), all.keys.len(), rules.methodology.parameters.price_max_age_s).unwrap();
    let as_of = T0 + 33 * DAY + 5_000;
    let full = depinscore_engine::snapshot(&all, &rules, as_of).unwrap();
    assert_eq!(rolling.snapshot(&rules, as_of).unwrap(), full);
}

#[test]
fn a_price_point_for_a_time_already_valued_revalues_the_flows() {
    let shipped = Shipped::load().unwrap();
    let rules = shipped.rules();
    let all = world(40);
    let first = T0 + 39 * DAY;
    let mut rolling = following(&all, first, &rules);
    // A late import: a point early on day 30 (before its jobs paid), far from the path.
    let extra = df!("time" => [T0 + 30 * DAY + 100], "usd" => [9.0]).unwrap();
    let mut prices = all.prices.vstack(&extra).unwrap();
    prices = prices.sort(["time"], Default::default()).unwrap();
    let mut update = day(&all, first, T0 + 40 * DAY);
    update.prices = prices.clone();
    rolling.update(update).unwrap();
    let full_inputs = Inputs { prices, ..until(&all, T0 + 40 * DAY) };
    let full = depinscore_engine::snapshot(&full_inputs, &rules, T0 + 40 * DAY - 1).unwrap();
    let followed = rolling.snapshot(&rules, T0 + 40 * DAY - 1).unwrap();
    assert_eq!(followed, full);
    let day30 = full.body.daily.iter().find(|r| r.day * DAY == T0 + 30 * DAY).unwrap();
    let payout = day30.flow("payout");
    assert!(payout.usd > 5.0 * payout.nos as f64 / 1e6, "the late point values day 30's payouts: {payout:?}");
}

#[test]
fn a_methodology_with_another_price_age_gets_the_full_recompute() {
    let edited = sample::METHODOLOGY.replace("price_max_age_s = 172800", "price_max_age_s = 172801");
    let shipped = Shipped::with_methodology(&edited).unwrap();
    let rules = shipped.rules();
    let all = world(40);
    let original = Methodology::parse(sample::METHODOLOGY).unwrap();
    assert_ne!(original.parameters.price_max_age_s, rules.methodology.parameters.price_max_age_s);
    let rolling = Rolling::new(all.clone(), all.keys.len(), original.parameters.price_max_age_s).unwrap();
    let as_of = T0 + 40 * DAY - 1;
    assert_eq!(rolling.snapshot(&rules, as_of).unwrap(), depinscore_engine::snapshot(&all, &rules, as_of).unwrap());
}

#[test]
fn an_update_that_drops_stable_keys_or_a_column_is_refused_and_changes_nothing() {
    let shipped = Shipped::load().unwrap();
    let rules = shipped.rules();
    let all = world(40);
    let first = T0 + 39 * DAY;
    let mut rolling = following(&all, first, &rules);
    let before = rolling.snapshot(&rules, first - 1).unwrap();
    let mut update = day(&all, first, T0 + 40 * DAY);
    update.keys_kept = 3;
    let err = rolling.update(update).unwrap_err();
    assert!(matches!(err, EngineError::BadValue { column: "keys", .. }), "{err}");
    let mut update = day(&all, first, T0 + 40 * DAY);
    update.flows = update.flows.drop("slot").unwrap();
    assert!(rolling.update(update).is_err(), "flows without a slot column are refused");
    assert_eq!(rolling.snapshot(&rules, first - 1).unwrap(), before);
}

#[test]
fn keys_past_the_stable_ones_are_replaced_by_each_update() {
    // The loader interns the registry's and stakes' addresses after the chain's on every load:
    // those keys are held, not stable, and the next update replaces them.
    let shipped = Shipped::load().unwrap();
    let rules = shipped.rules();
    let all = world(40);
    let first = T0 + 39 * DAY;
    let stable = all.keys.len() - 5;
    let mut held = until(&all, first);
    held.keys.truncate(stable);
    held.keys.extend((0..5).map(|i| format!("extra{i}")));
    let mut rolling = Rolling::new(held, stable, rules.methodology.parameters.price_max_age_s).unwrap();
    let mut update = day(&all, first, T0 + 40 * DAY);
    update.keys_kept = stable;
    update.new_keys = all.keys[stable..].to_vec();
    update.stable_keys = stable + 2;
    rolling.update(update).unwrap();
    assert_eq!(rolling.inputs().keys, all.keys);
    assert_eq!(rolling.stable_keys(), stable + 2);
    let as_of = T0 + 40 * DAY - 1;
    let full = depinscore_engine::snapshot(&until(&all, T0 + 40 * DAY), &rules, as_of).unwrap();
    assert_eq!(rolling.snapshot(&rules, as_of).unwrap(), full);
}
