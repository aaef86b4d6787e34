//! Every metric at one as-of time, computed from the inputs in one pass.

use serde::Serialize;

use crate::calendar::date_of;
use crate::daily::{DayRow, daily};
use crate::demand::{DEMAND_KINDS, Demand, DemandArgs, demand};
use crate::error::EngineError;
use crate::frames::Inputs;
use crate::hardware::{Hardware, HardwareTable, hardware};
use crate::methodology::Parameters;
use crate::network::{Decentralization, TierUtilization, active_nodes, decentralization, earnings, utilization};
use crate::pricing::{NOS, spot_price};
use crate::runs::RunTable;
use crate::token::{Staking, Token, TokenArgs, staking, token};
use crate::window::Window;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub as_of: i64,
    pub as_of_date: String,
    pub window: Window,
    pub long_window: Window,
    /// NOS/USD at the as-of time (None when no point is fresh enough).
    pub spot_price_usd: Option<f64>,
    pub demand: Demand,
    pub token: Token,
    pub staking: Staking,
    pub decentralization: Decentralization,
    pub utilization: Vec<TierUtilization>,
    pub hardware: Hardware,
}

/// Metric ids a methodology can score or cap on.
pub const METRIC_IDS: &[&str] = &[
    "demand_to_emission",
    "demand_to_emission_long",
    "demand_to_emission_spot",
    "arr_usd",
    "arr_long_usd",
    "arr_spot_usd",
    "years_to_net_deflation",
    "seed_emission_to_burn",
    "spacing_coefficient",
    "spacing_coefficient_res4",
    "spacing_coefficient_res6",
    "largest_operator_share",
    "nakamoto_50",
    "payback_months_net",
    "payback_months_seed",
    "success_rate",
    "staking_ratio",
];

impl Metrics {
    /// The value of a metric id (None when unmeasurable or unknown).
    pub fn value(&self, id: &str) -> Option<f64> {
        let spacing =
            |r: u8| self.decentralization.spacing.iter().find(|s| s.resolution == r).and_then(|s| s.coefficient);
        match id {
            "demand_to_emission" => self.token.demand_to_emission,
            "demand_to_emission_long" => self.token.demand_to_emission_long,
            "demand_to_emission_spot" => self.token.demand_to_emission_spot,
            "arr_usd" => self.demand.arr_usd,
            "arr_long_usd" => self.demand.arr_long_usd,
            "arr_spot_usd" => self.demand.arr_spot_usd,
            "years_to_net_deflation" => self.token.deflation.years,
            "seed_emission_to_burn" => self.token.seed_emission_to_burn,
            "spacing_coefficient" => self.decentralization.spacing.first().and_then(|s| s.coefficient),
            "spacing_coefficient_res4" => spacing(4),
            "spacing_coefficient_res6" => spacing(6),
            "largest_operator_share" => self.decentralization.operators.largest_share,
            "nakamoto_50" => self.decentralization.operators.nakamoto_50.map(|v| v as f64),
            "payback_months_net" => self.hardware.median_payback_months_net,
            "payback_months_seed" => self.hardware.median_payback_months_seed,
            "success_rate" => self.demand.success_rate,
            "staking_ratio" => self.staking.staking_ratio,
            _ => None,
        }
    }
}

/// Computes every metric as of `as_of` (unix seconds). The daily table covers all inputs;
/// windows end with the last complete day at `as_of`.
pub fn compute(
    inputs: &Inputs,
    params: &Parameters,
    table: &HardwareTable,
    as_of: i64,
) -> Result<(Metrics, Vec<DayRow>), EngineError> {
    inputs.validate()?;
    let daily = daily(inputs, params.price_max_age_s)?;
    let mut runs = RunTable::as_of(as_of);
    runs.fold(&inputs.job_events)?;
    compute_with(inputs, daily, &runs, params, table, as_of)
}

/// [`compute`] from a daily table and a run table already folded from the inputs (the run
/// table holding no event after `as_of`).
pub(crate) fn compute_with(
    inputs: &Inputs,
    daily: Vec<DayRow>,
    run_table: &RunTable,
    params: &Parameters,
    table: &HardwareTable,
    as_of: i64,
) -> Result<(Metrics, Vec<DayRow>), EngineError> {
    let window = Window::trailing(as_of, params.window_days);
    let long_window = Window::trailing(as_of, params.long_window_days);
    let spot = spot_price(&inputs.prices, as_of, params.price_max_age_s)?;
    // Only the window's runs: its durations, waits and busy time are made of them.
    let runs = run_table.runs_touching(window.start(), window.end());
    let nodes = active_nodes(inputs, &window)?;
    let earned = earnings(inputs, &nodes, &window, params.price_max_age_s)?;
    let node_earnings_nos = earned.per_node.iter().map(|(_, n, _)| *n as f64 / NOS).collect();
    let demand = demand(DemandArgs {
        inputs,
        daily: &daily,
        runs: &runs,
        jobs: run_table,
        window,
        long_window,
        spot,
        top_n: params.top_n,
        node_earnings_nos,
    })?;
    let token = token(TokenArgs {
        inputs,
        daily: &daily,
        window,
        long_window,
        arr_usd: demand.arr_usd,
        arr_long_usd: demand.arr_long_usd,
        demand_nos: window.flows(&daily, DEMAND_KINDS).nos as f64 / NOS,
        as_of,
        trend_days: params.trend_days,
        horizon_years: params.deflation_horizon_years,
    })?;
    let staking = staking(inputs, &daily, &window, token.circulating_supply_nos)?;
    let mut resolutions = vec![params.h3_resolution];
    resolutions.extend(params.h3_sensitivity.iter().filter(|r| **r != params.h3_resolution));
    let decentralization = decentralization(inputs, &nodes, &resolutions, params.top_n)?;
    // Per-day figures divide by the days of the window the data covers, as ARR does: a network
    // younger than the window is not diluted by days before it existed.
    let covered = window.covered_days(&daily);
    let utilization = utilization(&nodes, &runs, &window, covered);
    let hardware = hardware(table, &nodes, &earned, &utilization, covered, spot, params.power_usd_per_kwh);
    let metrics = Metrics {
        as_of,
        as_of_date: date_of(as_of),
        window,
        long_window,
        spot_price_usd: spot,
        demand,
        token,
        staking,
        decentralization,
        utilization,
        hardware,
    };
    Ok((metrics, daily))
}
