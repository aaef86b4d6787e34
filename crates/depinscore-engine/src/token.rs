//! Supply and token: emissions against paying demand, burns and mints, supply, the projected
//! date of net deflation, and staking.

use serde::Serialize;

use crate::calendar::{DAY, date_of};
use crate::columns::{f64s, ratio, u32s, u64s};
use crate::daily::DayRow;
use crate::error::EngineError;
use crate::frames::Inputs;
use crate::pricing::NOS;
use crate::window::Window;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Token {
    /// Pool releases (emissions) in the window: NOS, USD at the time of each release.
    pub emission_nos: f64,
    pub emission_usd: f64,
    /// Annualised emission value (USD) and amount (NOS).
    pub emission_annual_usd: Option<f64>,
    pub emission_annual_nos: Option<f64>,
    /// Rewards claimed by stakers in the window (NOS).
    pub claims_nos: f64,
    pub burns_nos: f64,
    pub burns_usd: f64,
    pub mints_nos: f64,
    /// ARR / annualised emission value (time-of-flow prices). None when nothing was emitted.
    pub demand_to_emission: Option<f64>,
    /// The same over the long window.
    pub demand_to_emission_long: Option<f64>,
    /// Both sides valued at one (today's) price: the ratio of NOS amounts.
    pub demand_to_emission_spot: Option<f64>,
    /// (emissions + mints − burns) × 365 / covered days, NOS per year. Positive = inflation.
    pub net_emission_annual_nos: Option<f64>,
    /// The seed report's token metric as written: annual emission value / annual burn value.
    /// None when nothing was burned.
    pub seed_emission_to_burn: Option<f64>,
    pub total_supply_nos: Option<f64>,
    pub circulating_supply_nos: Option<f64>,
    pub max_supply_nos: f64,
    pub deflation: Deflation,
}

/// When burns overtake emissions + mints, under linear trends of the trailing daily series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deflation {
    /// Burns already exceed emissions + mints over the window (strictly).
    pub already: bool,
    /// Projected date (None: not within the search horizon, or no data).
    pub projected_date: Option<String>,
    /// Years from the as-of time to the projected date.
    pub years: Option<f64>,
    /// Projected within the methodology's horizon.
    pub within_horizon: bool,
    pub horizon_years: f64,
    /// Days of daily series the trends were fitted on.
    pub trend_days: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Staking {
    /// NOS in stake vaults at the end of the window's last day.
    pub staked_nos: f64,
    /// xNOS of open (not unstaked) stakes now.
    pub xnos: f64,
    /// Wallets with an open stake now.
    pub stakers: u64,
    /// staked / circulating supply.
    pub staking_ratio: Option<f64>,
}

pub(crate) struct TokenArgs<'a> {
    pub inputs: &'a Inputs,
    pub daily: &'a [DayRow],
    pub window: Window,
    pub long_window: Window,
    pub arr_usd: Option<f64>,
    pub arr_long_usd: Option<f64>,
    pub demand_nos: f64,
    pub as_of: i64,
    pub trend_days: i64,
    pub horizon_years: f64,
}

fn annualise(value: f64, days: i64) -> Option<f64> {
    (days > 0).then(|| value * 365.0 / days as f64)
}

/// The emission of a window valued at time-of-flow prices, annualised over its covered days.
pub(crate) fn emission_annual_usd(w: &Window, daily: &[DayRow]) -> Option<f64> {
    annualise(w.flows(daily, &["emission"]).usd, w.covered_days(daily))
}

/// Demand-to-emission: ARR over the annualised value of the emission (both USD, time of flow).
pub(crate) fn demand_to_emission(arr_usd: Option<f64>, emission_annual_usd: Option<f64>) -> Option<f64> {
    arr_usd.zip(emission_annual_usd).and_then(|(d, e)| ratio(d, e))
}

pub(crate) fn token(a: TokenArgs<'_>) -> Result<Token, EngineError> {
    let w = a.window;
    let covered = w.covered_days(a.daily);
    let emission = w.flows(a.daily, &["emission"]);
    let burns = w.flows(a.daily, &["burn"]);
    let mints = w.flows(a.daily, &["mint"]);
    let claims = w.flows(a.daily, &["claim"]);
    let emission_annual_usd = emission_annual_usd(&w, a.daily);
    let long_annual_usd = self::emission_annual_usd(&a.long_window, a.daily);
    let net = (emission.nos as f64 + mints.nos as f64 - burns.nos as f64) / NOS;
    let last = w.rows(a.daily).last();
    Ok(Token {
        emission_nos: emission.nos as f64 / NOS,
        emission_usd: emission.usd,
        emission_annual_usd,
        emission_annual_nos: annualise(emission.nos as f64 / NOS, covered),
        claims_nos: claims.nos as f64 / NOS,
        burns_nos: burns.nos as f64 / NOS,
        burns_usd: burns.usd,
        mints_nos: mints.nos as f64 / NOS,
        demand_to_emission: demand_to_emission(a.arr_usd, emission_annual_usd),
        demand_to_emission_long: demand_to_emission(a.arr_long_usd, long_annual_usd),
        demand_to_emission_spot: ratio(a.demand_nos, emission.nos as f64 / NOS),
        net_emission_annual_nos: annualise(net, covered),
        seed_emission_to_burn: ratio(emission.usd, burns.usd),
        total_supply_nos: last.and_then(|r| r.total_supply).map(|v| v as f64 / NOS),
        circulating_supply_nos: last.and_then(|r| r.circulating_supply).map(|v| v as f64 / NOS),
        max_supply_nos: a.inputs.supply.max_supply as f64 / NOS,
        deflation: deflation(&a, emission.nos + mints.nos, burns.nos),
    })
}

/// Least-squares line through (x, y); None with fewer than two points.
fn fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let (sx, sy) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = ratio(sxy, sxx)?;
    Some((my - slope * mx, slope))
}

fn deflation(a: &TokenArgs<'_>, issued: u64, burned: u64) -> Deflation {
    let trend = Window::trailing(a.as_of, a.trend_days);
    let rows: Vec<&DayRow> = trend.rows(a.daily).collect();
    let base = Deflation {
        already: false,
        projected_date: None,
        years: None,
        within_horizon: false,
        horizon_years: a.horizon_years,
        trend_days: rows.len() as i64,
    };
    // Without burns supply cannot shrink: no deflation to project.
    if burned == 0 {
        return base;
    }
    if burned > issued {
        return Deflation {
            already: true,
            projected_date: Some(date_of(a.as_of)),
            years: Some(0.0),
            within_horizon: true,
            ..base
        };
    }
    // Daily gap g(d) = issued(d) − burned(d), fitted linearly in days since the trend's start.
    let points: Vec<(f64, f64)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let issued = r.flows_of(&["emission", "mint"]).nos as f64;
            (i as f64, issued - r.flow("burn").nos as f64)
        })
        .collect();
    let Some((intercept, slope)) = fit(&points) else { return base };
    if slope >= 0.0 {
        return base; // the gap is not closing
    }
    let today = (rows.len() - 1) as f64;
    let zero_at = -intercept / slope;
    let days_ahead = (zero_at - today).max(0.0);
    let years = days_ahead / 365.0;
    if years > 10.0 {
        return base;
    }
    let when = a.as_of + (days_ahead * DAY as f64) as i64;
    Deflation {
        projected_date: Some(date_of(when)),
        years: Some(years),
        within_horizon: years <= a.horizon_years,
        ..base
    }
}

pub(crate) fn staking(
    inputs: &Inputs,
    daily: &[DayRow],
    window: &Window,
    circulating_nos: Option<f64>,
) -> Result<Staking, EngineError> {
    let staked = window.rows(daily).last().map_or(0, |r| r.staked) as f64 / NOS;
    let s = &inputs.stakes;
    let (authority, amount, xnos) = (u32s(s, "authority")?, u64s(s, "amount")?, f64s(s, "xnos")?);
    let unstaked: Vec<Option<bool>> = s.column("unstaked")?.bool()?.iter().collect();
    let mut stakers = std::collections::HashSet::new();
    let mut total_xnos = 0.0;
    for i in 0..s.height() {
        if unstaked[i] == Some(true) || amount[i].unwrap_or(0) == 0 {
            continue;
        }
        if let Some(a) = authority[i] {
            stakers.insert(a);
        }
        total_xnos += xnos[i].filter(|v| v.is_finite()).unwrap_or(0.0);
    }
    Ok(Staking {
        staked_nos: staked,
        xnos: total_xnos / NOS,
        stakers: stakers.len() as u64,
        staking_ratio: circulating_nos.and_then(|c| ratio(staked, c)),
    })
}
