//! Each metric against small hand-computed inputs.

mod support;

use depinscore_engine::calendar::date_of;
use depinscore_engine::compute;
use support::*;

fn params() -> depinscore_engine::methodology::Parameters {
    methodology().parameters
}

/// 40 days: each day a 10 NOS payout and 1 NOS fee an hour after midnight, a 100 NOS emission
/// two hours after, and a price point at midnight of 1.00 + 0.01 × day.
fn forty_days() -> Frames {
    let mut f = Frames::default();
    f.market(1, "Market 4090");
    for d in 0..40i64 {
        let t = T0 + d * DAY;
        f.price(t, 1.0 + 0.01 * d as f64);
        f.flow(t + 3600, "payout", 2, 100 + d as u32, 1, 10 * NOS);
        f.flow(t + 3600, "fee", 3, 100 + d as u32, 1, NOS);
        f.flow(t + 7200, "emission", 4, 5, 0, 100 * NOS);
    }
    f
}

#[test]
fn arr_annualises_thirty_whole_days_of_payouts_and_fees_at_the_price_of_each_flow() {
    let (m, daily) = compute(&forty_days().inputs(), &params(), &hardware(), T0 + 40 * DAY).unwrap();
    assert_eq!(daily.len(), 40);
    assert_eq!((m.window.first_day, m.window.last_day), (daily[10].day, daily[39].day));
    // Σ_{d=10..39} 11 × (1 + 0.01 d) = 11 × 37.35.
    let spend = 11.0 * 37.35;
    assert!(close(m.demand.gmv_nos, 300.0) && close(m.demand.fees_nos, 30.0));
    assert!(close(m.demand.arr_usd.unwrap(), spend * 365.0 / 30.0), "{:?}", m.demand.arr_usd);
    assert_eq!(m.demand.covered_days, 30);
    assert_eq!(m.demand.unpriced_share, Some(0.0));
    // Spot = the last point (day 39: 1.39, a day old) × 330 NOS.
    assert!(close(m.spot_price_usd.unwrap(), 1.39));
    assert!(close(m.demand.arr_spot_usd.unwrap(), 330.0 * 1.39 * 365.0 / 30.0));
    // 90-day variant covers the 40 days there are, annualised over them.
    let all = 11.0 * (40.0 + 0.01 * 780.0);
    assert!(close(m.demand.arr_long_usd.unwrap(), all * 365.0 / 40.0));
    // Emissions: 100 × 37.35 USD in the window.
    assert!(close(m.token.emission_usd, 3735.0));
    assert!(close(m.token.demand_to_emission.unwrap(), spend / 3735.0));
    assert!(close(m.token.demand_to_emission_spot.unwrap(), 330.0 / 3000.0));
}

#[test]
fn a_flow_without_a_fresh_price_is_counted_unpriced_not_valued_at_a_stale_price() {
    let mut f = forty_days();
    // Day 45: prices stop at day 39 and may be 2 days old at most.
    f.flow(T0 + 45 * DAY, "payout", 2, 999, 1, 50 * NOS);
    let (m, daily) = compute(&f.inputs(), &params(), &hardware(), T0 + 46 * DAY).unwrap();
    let d45 = daily.iter().find(|r| r.date == date_of(T0 + 45 * DAY)).unwrap();
    assert_eq!((d45.flow("payout").unpriced, d45.flow("payout").usd), (1, 0.0));
    assert!(m.demand.unpriced_share.unwrap() > 0.0);
    assert_eq!(m.spot_price_usd, None, "no price within 2 days of the as-of time");
    assert_eq!(m.demand.arr_spot_usd, None);
}

#[test]
fn days_without_activity_are_rows_of_zero_so_windows_count_calendar_days() {
    let mut f = Frames::default();
    f.price(T0, 2.0);
    f.flow(T0 + 10, "payout", 2, 7, 1, 30 * NOS);
    f.flow(T0 + 20 * DAY + 10, "payout", 2, 8, 1, 30 * NOS);
    f.price(T0 + 20 * DAY, 2.0);
    let (m, daily) = compute(&f.inputs(), &params(), &hardware(), T0 + 21 * DAY).unwrap();
    assert_eq!(daily.len(), 21);
    assert!(daily[1..20].iter().all(|r| r.flows.is_empty()));
    assert_eq!(m.demand.covered_days, 21);
    assert!(close(m.demand.arr_usd.unwrap(), 120.0 * 365.0 / 21.0));
}

/// Two jobs in market 1: job 10 listed at +100, assigned (run 30) at +400, finished by node 5 at
/// +1000; job 11 listed at +200, popped by node 6's `work` (run 31, job not named) at +500,
/// quit at +800.
fn two_runs() -> Frames {
    let mut f = Frames::default();
    f.market(1, "Market 4090");
    f.event(T0 + 100, "list", 10, 0, 1, 0, 20, 21);
    f.event(T0 + 200, "list", 11, 0, 1, 0, 22, 21);
    f.event(T0 + 400, "assign", 10, 30, 1, 0, 20, 21);
    f.event(T0 + 500, "assign", 0, 31, 1, 6, 0, 0);
    // A quit names no market (the run and the node are enough for the program).
    f.event(T0 + 800, "quit", 0, 31, 0, 6, 0, 0);
    f.event(T0 + 1000, "finish", 10, 30, 1, 5, 20, 0);
    // Node 5 leaves the queue: not a job outcome.
    f.event(T0 + 1100, "stop", 0, 0, 1, 5, 0, 0);
    f.node(5, Some(1), Some((52.37, 4.89)), Some(40));
    f.node(6, Some(1), Some((52.371, 4.891)), Some(40));
    f
}

#[test]
fn runs_give_success_rate_duration_and_queue_wait() {
    let (m, _) = compute(&two_runs().inputs(), &params(), &hardware(), T0 + 2 * DAY).unwrap();
    let d = &m.demand;
    assert_eq!((d.jobs_listed, d.runs_finished, d.runs_quit, d.queue_exits), (2, 1, 1, 1));
    assert_eq!(d.success_rate, Some(0.5));
    assert_eq!(d.median_duration_s, Some(600.0));
    // Only run 30 names its job, so only its wait (400 − 100) is known.
    assert_eq!(d.median_queue_wait_s, Some(300.0));
}

#[test]
fn two_nodes_of_one_operator_in_one_cell_score_half_spacing_and_full_concentration() {
    let (m, _) = compute(&two_runs().inputs(), &params(), &hardware(), T0 + 2 * DAY).unwrap();
    let d = &m.decentralization;
    assert_eq!((d.active_nodes, d.located_nodes), (2, 2));
    assert_eq!(d.nodes_per_tier.get("Market 4090"), Some(&2));
    assert_eq!(d.spacing[0].resolution, 5);
    assert_eq!((d.spacing[0].cells, d.spacing[0].coefficient), (1, Some(0.5)));
    assert_eq!(d.operators.largest_share, Some(1.0));
    assert_eq!(d.operators.nakamoto_50, Some(1));
    assert_eq!(m.value("spacing_coefficient"), Some(0.5));
    // Utilisation: 600 s + 300 s busy of 2 nodes × the one day of the 30-day window the data
    // covers (a young network is not diluted by days before it).
    let u = &m.utilization[0];
    assert_eq!((u.tier.as_str(), u.busy_s, u.available_s), ("Market 4090", 900, 2 * DAY));
}

#[test]
fn a_single_node_far_from_others_has_spacing_one_and_is_its_own_entity_without_an_operator() {
    let mut f = two_runs();
    f.event(T0 + 300, "work", 0, 0, 1, 7, 0, 0);
    f.node(7, Some(1), Some((-33.86, 151.2)), None);
    let (m, _) = compute(&f.inputs(), &params(), &hardware(), T0 + 2 * DAY).unwrap();
    let d = &m.decentralization;
    assert_eq!((d.active_nodes, d.spacing[0].cells), (3, 2));
    assert!(close(d.spacing[0].coefficient.unwrap(), 2.0 / 3.0));
    assert!(close(d.operators.largest_share.unwrap(), 2.0 / 3.0));
    assert_eq!(d.operators.entities, 2);
}

#[test]
fn payback_divides_hardware_cost_by_yield_net_of_power_while_busy() {
    let mut f = Frames::default();
    f.market(1, "Market 4090");
    for d in 0..=30i64 {
        f.price(T0 + d * DAY, 0.5);
    }
    for d in 0..30i64 {
        f.flow(T0 + d * DAY + 60, "payout", 5, 100 + d as u32, 1, 100 * NOS);
    }
    // One run keeps node 5 busy for half the window.
    f.event(T0, "assign", 9, 30, 1, 5, 0, 0);
    f.event(T0 + 15 * DAY, "finish", 9, 30, 1, 5, 0, 0);
    let (m, _) = compute(&f.inputs(), &params(), &hardware(), T0 + 30 * DAY).unwrap();
    let t = &m.hardware.tiers[0];
    assert_eq!((t.tier.as_str(), t.nodes), ("Market 4090", 1));
    assert!(close(t.yield_nos_per_day, 100.0) && close(t.yield_usd_per_day, 50.0));
    assert!(close(t.busy_hours_per_day.unwrap(), 12.0));
    // 0.45 kW × 12 h × $0.15.
    assert!(close(t.power_usd_per_day.unwrap(), 0.81));
    assert!(close(t.payback_days_net.unwrap(), 1850.0 / (50.0 - 0.81)));
    assert!(close(t.payback_days_seed.unwrap(), 1850.0 / 50.0));
    assert!(close(m.hardware.median_payback_months_net.unwrap(), 1850.0 / 49.19 / 30.44));
}

#[test]
fn supply_is_rebuilt_backwards_from_the_mint_and_staking_backwards_from_the_open_stakes() {
    let mut f = Frames::default();
    f.flow(T0 + 10, "mint", 1, 0, 0, 100 * NOS);
    f.flow(T0 + 20, "stake", 2, 3, 0, 500 * NOS);
    f.flow(T0 + DAY + 10, "burn", 1, 0, 0, 50 * NOS);
    f.flow(T0 + 2 * DAY + 10, "pool_fund", 1, 4, 0, 300 * NOS);
    f.flow(T0 + 2 * DAY + 20, "claim", 2, 0, 0, 20 * NOS);
    f.flow(T0 + 2 * DAY + 30, "withdraw", 2, 3, 0, 100 * NOS);
    f.stake(2, 400 * NOS, 800.0 * NOS as f64, false);
    f.stake(8, 10 * NOS, 11.0 * NOS as f64, true);
    f.supply.max_supply = 100_000_000 * NOS;
    f.supply.total_supply_now = Some(1000 * NOS);
    f.supply.locked_now = 400 * NOS;
    let (m, daily) = compute(&f.inputs(), &params(), &hardware(), T0 + 3 * DAY).unwrap();
    let (total, circ): (Vec<_>, Vec<_>) =
        daily.iter().map(|r| (r.total_supply.unwrap() / NOS, r.circulating_supply.unwrap() / NOS)).unzip();
    assert_eq!(total, [1050, 1000, 1000]);
    assert_eq!(circ, [930, 880, 600]);
    // The 10 NOS of stake 8 were staked before the first indexed slot (unstaked, not withdrawn:
    // still in the vault); the flows alone would miss them.
    assert_eq!(daily.iter().map(|r| r.staked / NOS).collect::<Vec<_>>(), [510, 510, 410]);
    assert_eq!(m.token.circulating_supply_nos, Some(600.0));
    assert_eq!((m.staking.staked_nos, m.staking.stakers, m.staking.xnos), (410.0, 1, 800.0));
    assert!(close(m.staking.staking_ratio.unwrap(), 410.0 / 600.0));
    // With no stake account indexed, staking is summed forwards from the flows.
    let mut no_accounts = f.inputs();
    no_accounts.stakes = no_accounts.stakes.head(Some(0));
    let (_, daily) = compute(&no_accounts, &params(), &hardware(), T0 + 3 * DAY).unwrap();
    assert_eq!(daily.iter().map(|r| r.staked / NOS).collect::<Vec<_>>(), [500, 500, 400]);
}

#[test]
fn a_network_younger_than_the_window_earns_per_day_it_existed_not_per_window_day() {
    // Ten days of payouts at the end of a 30-day window: 100 NOS a day, not 33.
    let mut f = Frames::default();
    f.market(1, "Market 4090");
    for d in 20..=30i64 {
        f.price(T0 + d * DAY, 0.5);
    }
    for d in 20..30i64 {
        f.flow(T0 + d * DAY + 60, "payout", 5, 100 + d as u32, 1, 100 * NOS);
    }
    f.event(T0 + 20 * DAY, "assign", 9, 30, 1, 5, 0, 0);
    f.event(T0 + 25 * DAY, "finish", 9, 30, 1, 5, 0, 0);
    let (m, _) = compute(&f.inputs(), &params(), &hardware(), T0 + 30 * DAY).unwrap();
    let t = &m.hardware.tiers[0];
    assert!(close(t.yield_nos_per_day, 100.0), "{}", t.yield_nos_per_day);
    let u = &m.utilization[0];
    assert_eq!((u.busy_s, u.available_s), (5 * DAY, 10 * DAY));
    assert!(close(t.busy_hours_per_day.unwrap(), 12.0));
}

#[test]
fn deflation_is_projected_where_the_trend_of_emissions_minus_burns_reaches_zero() {
    let mut f = Frames::default();
    for d in 0..90i64 {
        f.flow(T0 + d * DAY + 5, "emission", 1, 2, 0, 100 * NOS);
        f.flow(T0 + d * DAY + 6, "burn", 3, 0, 0, d as u64 * NOS / 2);
    }
    let as_of = T0 + 90 * DAY;
    let (m, _) = compute(&f.inputs(), &params(), &hardware(), as_of).unwrap();
    let dfl = &m.token.deflation;
    // gap(d) = 100 − d/2 reaches 0 at day 200, 111 days after the last day (89).
    assert!(!dfl.already);
    assert!(close(dfl.years.unwrap(), 111.0 / 365.0), "{dfl:?}");
    assert_eq!(dfl.projected_date.as_deref(), Some(date_of(as_of + 111 * DAY).as_str()));
    assert!(dfl.within_horizon);
    // Seed metric: emission value / burn value — no prices, so no value.
    assert_eq!(m.token.seed_emission_to_burn, None);
}

#[test]
fn burns_above_emissions_mean_deflation_now_and_a_widening_gap_means_none() {
    let mut f = Frames::default();
    for d in 0..40i64 {
        f.flow(T0 + d * DAY + 5, "emission", 1, 2, 0, 100 * NOS);
        f.flow(T0 + d * DAY + 6, "burn", 3, 0, 0, 150 * NOS);
    }
    let (m, _) = compute(&f.inputs(), &params(), &hardware(), T0 + 40 * DAY).unwrap();
    assert!(m.token.deflation.already && m.token.deflation.years == Some(0.0));

    let mut g = Frames::default();
    for d in 0..40i64 {
        g.flow(T0 + d * DAY + 5, "emission", 1, 2, 0, (100 + d as u64) * NOS);
        g.flow(T0 + d * DAY + 6, "burn", 3, 0, 0, 10 * NOS);
    }
    let (m, _) = compute(&g.inputs(), &params(), &hardware(), T0 + 40 * DAY).unwrap();
    assert_eq!((m.token.deflation.years, m.token.deflation.within_horizon), (None, false));
}

#[test]
fn no_emissions_give_an_explicit_null_ratio_never_nan() {
    let mut f = Frames::default();
    f.price(T0, 1.0);
    f.flow(T0 + 10, "payout", 2, 7, 1, 30 * NOS);
    let (m, _) = compute(&f.inputs(), &params(), &hardware(), T0 + DAY).unwrap();
    assert_eq!(m.token.demand_to_emission, None);
    assert_eq!(m.token.demand_to_emission_spot, None);
    assert_eq!(m.value("demand_to_emission"), None);
}

#[test]
fn empty_inputs_compute_with_nulls_and_no_nan_anywhere() {
    let inputs = depinscore_engine::Inputs::empty();
    let (m, daily) = compute(&inputs, &params(), &hardware(), T0).unwrap();
    assert!(daily.is_empty());
    assert_eq!((m.demand.arr_usd, m.demand.success_rate, m.demand.median_duration_s), (None, None, None));
    assert_eq!((m.decentralization.active_nodes, m.decentralization.spacing[0].coefficient), (0, None));
    assert_eq!(m.hardware.median_payback_months_net, None);
    // Ratios with nothing to divide are explicit nulls; sums are zeros.
    assert_eq!((m.token.demand_to_emission, m.token.deflation.years, m.staking.staking_ratio), (None, None, None));
    assert_eq!((m.demand.gmv_nos, m.token.emission_nos), (0.0, 0.0));
}

#[test]
fn a_frame_with_a_wrong_column_type_is_named_in_the_error() {
    let mut inputs = forty_days().inputs();
    inputs.prices = polars::prelude::df!("time" => [T0], "usd" => ["1.0"]).unwrap();
    let err = compute(&inputs, &params(), &hardware(), T0).unwrap_err().to_string();
    assert!(err.contains("prices") && err.contains("usd"), "{err}");
    let mut inputs = forty_days().inputs();
    inputs.prices = polars::prelude::df!("time" => [T0], "usd" => [-1.0]).unwrap();
    let err = compute(&inputs, &params(), &hardware(), T0).unwrap_err().to_string();
    assert!(err.contains("usd") && err.contains("-1"), "{err}");
}
