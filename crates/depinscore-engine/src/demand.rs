//! Demand: what users pay for compute, how many jobs run, how well, for whom.

use std::collections::HashMap;

use polars::prelude::*;
use serde::Serialize;

use crate::columns::{median, ratio, u32s, u64s};
use crate::daily::DayRow;
use crate::error::EngineError;
use crate::frames::Inputs;
use crate::pricing::NOS;
use crate::runs::{Outcome, Run, RunTable};
use crate::window::Window;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Demand {
    /// Payments to nodes (GMV) in the window: NOS and USD at the time of each payment.
    pub gmv_nos: f64,
    pub gmv_usd: f64,
    /// Network fees (to stakers) in the window.
    pub fees_nos: f64,
    pub fees_usd: f64,
    /// Annualised (GMV + fees): window USD × 365 / covered days.
    pub arr_usd: Option<f64>,
    /// The same over the long window (90 days).
    pub arr_long_usd: Option<f64>,
    /// Window NOS valued at today's price (mark-to-market sensitivity).
    pub arr_spot_usd: Option<f64>,
    /// Days of the window the data covers (< window days for a young network: the sums are
    /// annualised over the covered days).
    pub covered_days: i64,
    /// Share of demand flows in the window with no fresh price (their USD is missing).
    pub unpriced_share: Option<f64>,
    pub jobs_listed: u64,
    pub jobs_per_day: Option<f64>,
    pub runs_finished: u64,
    pub runs_quit: u64,
    /// Nodes leaving a market queue (`stop`): not a job outcome, shown for context.
    pub queue_exits: u64,
    /// finishes / (finishes + quits), by the time the run ended.
    pub success_rate: Option<f64>,
    /// Of runs finished in the window, seconds from assignment to finish.
    pub median_duration_s: Option<f64>,
    /// Of runs started in the window, seconds from the job's listing to assignment.
    pub median_queue_wait_s: Option<f64>,
    /// Spend (payouts + fees of their jobs) per project and per payer, largest first.
    pub projects: u64,
    pub top_projects: Vec<Share>,
    pub payers: u64,
    pub top_payers: Vec<Share>,
    /// Median and mean NOS earned per active node in the window.
    pub median_node_earnings_nos: Option<f64>,
    pub mean_node_earnings_nos: Option<f64>,
}

/// (address, NOS, share of the total).
pub type Share = (String, f64, f64);

pub(crate) struct DemandArgs<'a> {
    pub inputs: &'a Inputs,
    pub daily: &'a [DayRow],
    pub runs: &'a [Run],
    /// Each job's project and payer (from its first listing).
    pub jobs: &'a RunTable,
    pub window: Window,
    pub long_window: Window,
    pub spot: Option<f64>,
    pub top_n: usize,
    pub node_earnings_nos: Vec<f64>,
}

pub(crate) const DEMAND_KINDS: &[&str] = &["payout", "fee"];

fn annualise(value: f64, covered_days: i64) -> Option<f64> {
    (covered_days > 0).then(|| value * 365.0 / covered_days as f64)
}

/// ARR in USD over a window: spend (payouts + fees) at time-of-flow prices, annualised over the
/// days the window covers. None when nothing in it could be priced (or nothing is covered).
pub(crate) fn arr_usd(w: &Window, daily: &[DayRow]) -> Option<f64> {
    let spend = w.flows(daily, DEMAND_KINDS);
    if spend.count == 0 || spend.count > spend.unpriced { annualise(spend.usd, w.covered_days(daily)) } else { None }
}

pub(crate) fn demand(a: DemandArgs<'_>) -> Result<Demand, EngineError> {
    let w = a.window;
    let covered = w.covered_days(a.daily);
    let gmv = w.flows(a.daily, &["payout"]);
    let fees = w.flows(a.daily, &["fee"]);
    let spend = w.flows(a.daily, DEMAND_KINDS);
    let arr_usd = arr_usd(&w, a.daily);
    let arr_long_usd = self::arr_usd(&a.long_window, a.daily);
    let arr_spot_usd = a.spot.and_then(|p| annualise(spend.nos as f64 / NOS * p, covered));
    let (finished, quit, exits) = (w.events(a.daily, "finish"), w.events(a.daily, "quit"), w.events(a.daily, "stop"));
    let listed = w.events(a.daily, "list");
    let mut durations: Vec<f64> = a
        .runs
        .iter()
        .filter(|r| r.outcome == Outcome::Finished && r.end.is_some_and(|e| e >= w.start() && e < w.end()))
        .map(|r| (r.end.unwrap_or(r.start) - r.start) as f64)
        .collect();
    let mut waits: Vec<f64> = a
        .runs
        .iter()
        .filter(|r| r.start >= w.start() && r.start < w.end())
        .filter_map(|r| r.listed.map(|l| (r.start - l).max(0) as f64))
        .collect();
    let [(projects, top_projects), (payers, top_payers)] = spend_by(&a)?;
    let mut earnings = a.node_earnings_nos.clone();
    let mean_earnings = ratio(earnings.iter().sum::<f64>(), earnings.len() as f64);
    Ok(Demand {
        gmv_nos: gmv.nos as f64 / NOS,
        gmv_usd: gmv.usd,
        fees_nos: fees.nos as f64 / NOS,
        fees_usd: fees.usd,
        arr_usd,
        arr_long_usd,
        arr_spot_usd,
        covered_days: covered,
        unpriced_share: ratio(spend.unpriced as f64, spend.count as f64),
        jobs_listed: listed,
        jobs_per_day: ratio(listed as f64, covered as f64),
        runs_finished: finished,
        runs_quit: quit,
        queue_exits: exits,
        success_rate: ratio(finished as f64, (finished + quit) as f64),
        median_duration_s: median(&mut durations),
        median_queue_wait_s: median(&mut waits),
        projects,
        top_projects,
        payers,
        top_payers,
        median_node_earnings_nos: median(&mut earnings),
        mean_node_earnings_nos: mean_earnings,
    })
}

/// Spend (NOS of payouts + fees) in the window per project and per payer of the job (from its
/// first `list` row): how many of each, and the largest with their share.
fn spend_by(a: &DemandArgs<'_>) -> Result<[(u64, Vec<Share>); 2], EngineError> {
    let kinds = DEMAND_KINDS.iter().fold(lit(false), |acc, k| acc.or(col("kind").eq(lit(*k))));
    let df = a
        .inputs
        .flows
        .clone()
        .lazy()
        .filter(a.window.contains_time().and(kinds))
        .select([col("subject"), col("amount")])
        .collect()?;
    let (subject, amount) = (u32s(&df, "subject")?, u64s(&df, "amount")?);
    let (mut by_project, mut by_payer): (HashMap<u32, u64>, HashMap<u32, u64>) = Default::default();
    for (s, n) in subject.into_iter().zip(amount) {
        let (Some(s), Some(n)) = (s, n) else { continue };
        let Some((project, payer)) = a.jobs.parties(s) else { continue };
        *by_project.entry(project).or_insert(0) += n;
        *by_payer.entry(payer).or_insert(0) += n;
    }
    Ok([shares(a, by_project), shares(a, by_payer)])
}

/// How many spenders (id 0 = none is not one), and the largest `top_n` with their share.
fn shares(a: &DemandArgs<'_>, by: HashMap<u32, u64>) -> (u64, Vec<Share>) {
    let mut all: Vec<(u32, u64)> = by.into_iter().filter(|(i, _)| *i != 0).collect();
    let total: u64 = all.iter().map(|(_, n)| n).sum();
    all.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let top = all
        .iter()
        .take(a.top_n)
        .map(|(i, n)| (a.inputs.key(*i).to_string(), *n as f64 / NOS, ratio(*n as f64, total as f64).unwrap_or(0.0)))
        .collect();
    (all.len() as u64, top)
}
