//! Daily time series of the metrics that the daily table determines, one point per UTC day up
//! to the last complete day at the as-of time. Trailing metrics (ARR, demand-to-emission) use
//! the same windows and formulas as the point metrics, ending on each day in turn, so the last
//! point of `arr_usd` is the snapshot's ARR.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::daily::DayRow;
use crate::demand::arr_usd;
use crate::pricing::NOS;
use crate::token::{demand_to_emission, emission_annual_usd};
use crate::window::Window;

/// One day of one series. `value` is None where the metric is undefined that day (no price,
/// nothing to annualise, no mint indexed), never NaN.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    pub date: String,
    pub value: Option<f64>,
}

/// The series names, in the order a reader meets them; each is documented in [`describe`].
pub const SERIES: &[&str] = &[
    "gmv_usd",
    "gmv_nos",
    "fees_nos",
    "arr_usd",
    "arr_long_usd",
    "emission_nos",
    "emission_usd",
    "burns_nos",
    "burns_usd",
    "mints_nos",
    "net_emission_nos",
    "demand_to_emission",
    "total_supply_nos",
    "circulating_supply_nos",
    "staked_nos",
    "jobs_listed",
    "runs_finished",
    "runs_quit",
    "price_usd",
];

/// What a series measures: its unit, how days combine into longer intervals (`sum` for
/// per-day amounts, `last` for levels and trailing figures), and its definition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesInfo {
    pub unit: &'static str,
    pub aggregate: &'static str,
    pub description: &'static str,
}

/// Unit, aggregation and meaning of a series.
pub fn describe(name: &str) -> Option<SeriesInfo> {
    let (unit, aggregate, description) = match name {
        "gmv_usd" => ("USD/day", "sum", "payments to nodes that day, each valued at the NOS/USD price of its time"),
        "gmv_nos" => ("NOS/day", "sum", "payments to nodes that day"),
        "fees_nos" => ("NOS/day", "sum", "network fees paid that day"),
        "arr_usd" => {
            ("USD/year", "last", "(payouts + fees) over the trailing short window at time-of-flow prices × 365 / days")
        }
        "arr_long_usd" => ("USD/year", "last", "the same over the trailing long window"),
        "emission_nos" => ("NOS/day", "sum", "rewards-pool releases that day"),
        "emission_usd" => ("USD/day", "sum", "rewards-pool releases valued at time-of-flow prices"),
        "burns_nos" => ("NOS/day", "sum", "NOS burned that day (SPL Burn/BurnChecked of the mint, by anyone)"),
        "burns_usd" => ("USD/day", "sum", "burns valued at time-of-flow prices"),
        "mints_nos" => ("NOS/day", "sum", "NOS minted that day"),
        "net_emission_nos" => ("NOS/day", "sum", "emission + mints − burns that day (positive = inflation)"),
        "demand_to_emission" => {
            ("ratio", "last", "trailing ARR / annualised trailing emission value (both USD at time of flow)")
        }
        "total_supply_nos" => ("NOS", "last", "mint supply at the end of the day"),
        "circulating_supply_nos" => ("NOS", "last", "total supply minus NOS in non-circulating accounts, end of day"),
        "staked_nos" => ("NOS", "last", "NOS in stake vaults at the end of the day"),
        "jobs_listed" => ("jobs/day", "sum", "jobs posted that day"),
        "runs_finished" => ("runs/day", "sum", "runs finished that day"),
        "runs_quit" => ("runs/day", "sum", "runs quit by their node that day"),
        "price_usd" => ("USD", "last", "the day's last NOS/USD point"),
        _ => return None,
    };
    Some(SeriesInfo { unit, aggregate, description })
}

/// Every series' description, by name.
pub fn catalogue() -> BTreeMap<String, SeriesInfo> {
    SERIES.iter().filter_map(|n| describe(n).map(|i| (n.to_string(), i))).collect()
}

/// Every series over the daily table's days up to `last_day` (inclusive), with trailing windows
/// of `window_days` and `long_window_days`.
pub fn series(
    daily: &[DayRow],
    last_day: i64,
    window_days: i64,
    long_window_days: i64,
) -> BTreeMap<String, Vec<Point>> {
    let mut out: BTreeMap<String, Vec<Point>> = SERIES.iter().map(|s| (s.to_string(), Vec::new())).collect();
    let nos = |base: u64| base as f64 / NOS;
    for row in daily.iter().filter(|r| r.day <= last_day) {
        let short = Window { days: window_days, first_day: row.day - window_days + 1, last_day: row.day };
        let long = Window { days: long_window_days, first_day: row.day - long_window_days + 1, last_day: row.day };
        let arr = arr_usd(&short, daily);
        let (emission, burn, mint) = (row.flow("emission"), row.flow("burn"), row.flow("mint"));
        let payout = row.flow("payout");
        let values: [(&str, Option<f64>); 19] = [
            ("gmv_usd", priced(payout.usd, payout.count, payout.unpriced)),
            ("gmv_nos", Some(nos(payout.nos))),
            ("fees_nos", Some(nos(row.flow("fee").nos))),
            ("arr_usd", arr),
            ("arr_long_usd", arr_usd(&long, daily)),
            ("emission_nos", Some(nos(emission.nos))),
            ("emission_usd", priced(emission.usd, emission.count, emission.unpriced)),
            ("burns_nos", Some(nos(burn.nos))),
            ("burns_usd", priced(burn.usd, burn.count, burn.unpriced)),
            ("mints_nos", Some(nos(mint.nos))),
            ("net_emission_nos", Some(nos(emission.nos) + nos(mint.nos) - nos(burn.nos))),
            ("demand_to_emission", demand_to_emission(arr, emission_annual_usd(&short, daily))),
            ("total_supply_nos", row.total_supply.map(nos)),
            ("circulating_supply_nos", row.circulating_supply.map(nos)),
            ("staked_nos", Some(nos(row.staked))),
            ("jobs_listed", Some(row.event("list") as f64)),
            ("runs_finished", Some(row.event("finish") as f64)),
            ("runs_quit", Some(row.event("quit") as f64)),
            ("price_usd", row.close_usd),
        ];
        for (name, value) in values {
            if let Some(points) = out.get_mut(name) {
                points.push(Point { date: row.date.clone(), value: value.filter(|v| v.is_finite()) });
            }
        }
    }
    out
}

/// A day's USD sum, or None when it had flows and none of them could be priced.
fn priced(usd: f64, count: u64, unpriced: u64) -> Option<f64> {
    (count == 0 || count > unpriced).then_some(usd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daily::FlowDay;

    fn day(day: i64, payout_usd: f64, emission_usd: f64) -> DayRow {
        let mut flows = BTreeMap::new();
        flows.insert("payout".to_string(), FlowDay { nos: 2_000_000, usd: payout_usd, count: 1, unpriced: 0 });
        flows.insert("emission".to_string(), FlowDay { nos: 1_000_000, usd: emission_usd, count: 1, unpriced: 0 });
        DayRow { day, date: crate::calendar::date_of_day(day), flows, ..DayRow::default() }
    }

    #[test]
    fn every_named_series_has_one_point_per_day_up_to_the_last_day() {
        let daily: Vec<DayRow> = (100..110).map(|d| day(d, 10.0, 5.0)).collect();
        let s = series(&daily, 107, 3, 6);
        assert_eq!(s.len(), SERIES.len());
        for name in SERIES {
            assert_eq!(s[*name].len(), 8, "{name}");
            assert!(describe(name).is_some(), "{name} is not described");
        }
    }

    #[test]
    fn the_trailing_arr_annualises_only_the_days_the_table_covers() {
        let daily: Vec<DayRow> = (100..105).map(|d| day(d, 10.0, 5.0)).collect();
        let s = series(&daily, 104, 3, 30);
        let arr: Vec<Option<f64>> = s["arr_usd"].iter().map(|p| p.value).collect();
        // Day 100 covers one day: 10 × 365; from day 102 on, three days: 30 × 365 / 3.
        assert_eq!(arr[0], Some(3650.0));
        assert_eq!(arr[4], Some(3650.0));
        // Demand 10/day vs emission 5/day → 2.
        assert!(s["demand_to_emission"].iter().all(|p| p.value == Some(2.0)));
        assert!(s["net_emission_nos"].iter().all(|p| p.value == Some(1.0)));
    }

    #[test]
    fn a_day_whose_flows_could_not_be_priced_is_null_not_zero() {
        let mut d = day(100, 0.0, 0.0);
        d.flows.insert("payout".into(), FlowDay { nos: 1, usd: 0.0, count: 2, unpriced: 2 });
        let s = series(&[d], 100, 30, 90);
        assert_eq!(s["gmv_usd"][0].value, None);
        assert_eq!(s["arr_usd"][0].value, None);
        assert_eq!(s["gmv_nos"][0].value, Some(1e-6));
    }
}
