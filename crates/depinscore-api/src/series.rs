//! Metric time series. Two kinds:
//! - daily series, stored in each snapshot (`series`, with `series_info` saying each one's
//!   unit, definition and whether days add up or a level is kept); served from the latest
//!   snapshot;
//! - point metrics, one value per snapshot (the composite, active nodes, spacing, …); served
//!   from the history of stored snapshots.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::calendar::{civil_from_days, date_of_day, days_from_civil, parse_date};

/// A point metric: where it lives in a snapshot, its unit and meaning.
pub struct PointMetric {
    pub name: &'static str,
    pub pointer: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
}

pub const POINT_METRICS: &[PointMetric] = &[
    pm("composite", "/score/composite", "points", "the builder score: Σ weight × dimension score / 100"),
    pm("active_nodes", "/metrics/decentralization/active_nodes", "nodes", "nodes with a job event in the window"),
    pm("located_nodes", "/metrics/decentralization/located_nodes", "nodes", "active nodes with a valid location"),
    pm(
        "spacing_coefficient",
        "/metrics/decentralization/spacing/0/coefficient",
        "ratio",
        "occupied H3 cells / active located nodes at the methodology's resolution",
    ),
    pm("occupied_cells", "/metrics/decentralization/spacing/0/cells", "cells", "H3 cells holding an active node"),
    pm(
        "largest_operator_share",
        "/metrics/decentralization/operators/largest_share",
        "ratio",
        "share of active nodes run by the largest operator",
    ),
    pm("nakamoto_33", "/metrics/decentralization/operators/nakamoto_33", "operators", "fewest operators above 33 %"),
    pm("nakamoto_50", "/metrics/decentralization/operators/nakamoto_50", "operators", "fewest operators above 50 %"),
    pm("hhi", "/metrics/decentralization/operators/hhi", "index", "Herfindahl-Hirschman index of operator shares"),
    pm("staking_ratio", "/metrics/staking/staking_ratio", "ratio", "NOS staked / circulating supply"),
    pm("stakers", "/metrics/staking/stakers", "accounts", "open stake accounts with NOS"),
    pm("xnos", "/metrics/staking/xnos", "xNOS", "total xNOS of open stakes"),
    pm("success_rate", "/metrics/demand/success_rate", "ratio", "finished / (finished + quit) runs in the window"),
    pm("jobs_per_day", "/metrics/demand/jobs_per_day", "jobs/day", "jobs listed per covered day in the window"),
    pm("median_duration_s", "/metrics/demand/median_duration_s", "s", "median run time of finished runs"),
    pm("median_queue_wait_s", "/metrics/demand/median_queue_wait_s", "s", "median time from listing to start"),
    pm("arr_spot_usd", "/metrics/demand/arr_spot_usd", "USD/year", "ARR with every flow at the as-of price"),
    pm(
        "demand_to_emission_spot",
        "/metrics/token/demand_to_emission_spot",
        "ratio",
        "spend NOS / emitted NOS in the window (price-free)",
    ),
    pm(
        "years_to_net_deflation",
        "/metrics/token/deflation/years",
        "years",
        "projected years until burns exceed issuance",
    ),
    pm(
        "seed_emission_to_burn",
        "/metrics/token/seed_emission_to_burn",
        "ratio",
        "the seed report's token metric: emission value / burn value in the window",
    ),
    pm(
        "payback_months_net",
        "/metrics/hardware/median_payback_months_net",
        "months",
        "node-weighted median hardware payback, net of power",
    ),
    pm(
        "payback_months_seed",
        "/metrics/hardware/median_payback_months_seed",
        "months",
        "the same by the seed report's formula (no power cost)",
    ),
    pm(
        "utilization",
        "/metrics/utilization",
        "ratio",
        "busy node-seconds / available node-seconds over every tier in the window",
    ),
];

const fn pm(name: &'static str, pointer: &'static str, unit: &'static str, description: &'static str) -> PointMetric {
    PointMetric { name, pointer, unit, description }
}

/// Every point metric of a snapshot body.
pub fn point_metrics(body: &Value) -> BTreeMap<&'static str, Option<f64>> {
    POINT_METRICS.iter().map(|m| (m.name, point_value(body, m))).collect()
}

fn point_value(body: &Value, m: &PointMetric) -> Option<f64> {
    let v = body.pointer(m.pointer)?;
    if m.name == "utilization" {
        let tiers = v.as_array()?;
        let sum = |k: &str| tiers.iter().filter_map(|t| t.get(k).and_then(Value::as_f64)).sum::<f64>();
        let available = sum("available_s");
        return (available > 0.0).then(|| sum("busy_s") / available);
    }
    v.as_f64().filter(|x| x.is_finite())
}

/// One point of a served series.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct SeriesPoint {
    /// The interval's first day (`YYYY-MM-DD`), or for point metrics the snapshot's as-of date.
    pub date: String,
    pub value: Option<f64>,
    /// The snapshot a point metric was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// Daily series: the days of the interval the point combines (days with a null value count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Daily series: true when the point combines fewer days than its interval has (a week or
    /// month cut by the start or end of the data or of the asked range, or one with days
    /// missing), so a sum is not comparable with a whole interval's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<bool>,
}

/// The first day of the interval holding `day`.
pub fn bucket(day: i64, interval: &str) -> i64 {
    match interval {
        // 1970-01-01 was a Thursday; weeks start on Monday.
        "week" => day - (day + 3).rem_euclid(7),
        "month" => {
            let (y, m, _) = civil_from_days(day);
            days_from_civil(y, m, 1)
        }
        _ => day,
    }
}

/// Days in the interval starting on `first`.
pub fn interval_days(first: i64, interval: &str) -> i64 {
    match interval {
        "week" => 7,
        "month" => {
            let (y, m, _) = civil_from_days(first);
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            days_from_civil(ny, nm, 1) - first
        }
        _ => 1,
    }
}

/// A daily series of a snapshot between two days, combined per interval by its aggregation.
pub fn daily_series(body: &Value, name: &str, from_day: i64, to_day: i64, interval: &str) -> Option<Vec<SeriesPoint>> {
    let points = body.get("series")?.get(name)?.as_array()?;
    let aggregate = body
        .get("series_info")
        .and_then(|i| i.get(name))
        .and_then(|i| i.get("aggregate"))
        .and_then(Value::as_str)
        .unwrap_or("last");
    let mut out: Vec<(i64, Option<f64>, u32)> = Vec::new();
    for p in points {
        let Some(day) = p.get("date").and_then(Value::as_str).and_then(parse_date) else { continue };
        if day < from_day || day > to_day {
            continue;
        }
        let value = p.get("value").and_then(Value::as_f64).filter(|v| v.is_finite());
        let b = bucket(day, interval);
        match out.last_mut() {
            Some((last, acc, days)) if *last == b => {
                *days += 1;
                *acc = match aggregate {
                    "sum" => match (*acc, value) {
                        (Some(a), Some(v)) => Some(a + v),
                        (a, v) => a.or(v),
                    },
                    _ => value.or(*acc),
                };
            }
            _ => out.push((b, value, 1)),
        }
    }
    Some(
        out.into_iter()
            .map(|(d, value, days)| SeriesPoint {
                date: date_of_day(d),
                value,
                snapshot: None,
                days: Some(days),
                partial: Some(i64::from(days) < interval_days(d, interval)),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> Value {
        json!({
            "series": {
                "gmv_nos": [
                    {"date": "2026-06-01", "value": 1.0}, {"date": "2026-06-02", "value": 2.0},
                    {"date": "2026-06-08", "value": null}, {"date": "2026-07-01", "value": 4.0}
                ],
                "total_supply_nos": [
                    {"date": "2026-06-01", "value": 10.0}, {"date": "2026-06-30", "value": 12.0},
                    {"date": "2026-07-01", "value": null}
                ]
            },
            "series_info": {"gmv_nos": {"aggregate": "sum"}, "total_supply_nos": {"aggregate": "last"}},
            "score": {"composite": 71.5},
            "metrics": {"utilization": [{"busy_s": 10, "available_s": 40}, {"busy_s": 30, "available_s": 40}],
                        "decentralization": {"spacing": [{"coefficient": 0.5, "cells": 3}]}}
        })
    }

    #[test]
    fn per_day_amounts_add_up_per_interval_and_levels_keep_the_last_known_value() {
        let all = |name, interval| daily_series(&body(), name, 0, 100_000, interval).unwrap();
        let month = all("gmv_nos", "month");
        assert_eq!(
            month.iter().map(|p| (p.date.as_str(), p.value)).collect::<Vec<_>>(),
            [("2026-06-01", Some(3.0)), ("2026-07-01", Some(4.0))]
        );
        let week = all("gmv_nos", "week");
        // 2026-06-01 is a Monday; 06-08 is the next Monday and has no value.
        assert_eq!(week[0].date, "2026-06-01");
        assert_eq!(week[1].value, None);
        let supply = all("total_supply_nos", "month");
        assert_eq!(supply[0].value, Some(12.0));
        assert_eq!(supply[1].value, None);
        // June holds two of its 30 days here, July one of 31: both partial, and say so.
        assert_eq!((month[0].days, month[0].partial), (Some(3), Some(true)));
        assert_eq!((month[1].days, month[1].partial), (Some(1), Some(true)));
        assert_eq!(all("gmv_nos", "day")[0].partial, Some(false));
        assert_eq!(interval_days(parse_date("2024-02-01").unwrap(), "month"), 29);
        assert_eq!(interval_days(parse_date("2026-12-01").unwrap(), "month"), 31);
        assert!(daily_series(&body(), "no_such", 0, 1, "day").is_none());
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        // 2025-01-08 is a Wednesday; its ISO week starts on Monday 2025-01-06.
        let day = days_from_civil(2025, 1, 8);
        assert_eq!(date_of_day(bucket(day, "week")), "2025-01-06");
        assert_eq!(date_of_day(bucket(days_from_civil(2025, 1, 6), "week")), "2025-01-06");
        assert_eq!(date_of_day(bucket(days_from_civil(2025, 1, 5), "week")), "2024-12-30");
        assert_eq!(date_of_day(bucket(day, "month")), "2025-01-01");
        assert_eq!(bucket(day, "day"), day);
    }

    #[test]
    fn the_range_cuts_by_day_inclusively() {
        let from = parse_date("2026-06-02").unwrap();
        let to = parse_date("2026-06-08").unwrap();
        let s = daily_series(&body(), "gmv_nos", from, to, "day").unwrap();
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn point_metrics_read_the_snapshot_and_utilization_pools_every_tier() {
        let p = point_metrics(&body());
        assert_eq!(p["composite"], Some(71.5));
        assert_eq!(p["utilization"], Some(0.5));
        assert_eq!(p["spacing_coefficient"], Some(0.5));
        assert_eq!(p["active_nodes"], None);
        assert_eq!(p.len(), POINT_METRICS.len());
    }
}
