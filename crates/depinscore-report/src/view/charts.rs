//! The charts' data from the snapshot: daily series from `series` (the engine's, when the
//! snapshot has them) or, for the quantities the daily table holds directly, from `daily`;
//! per-tier bars from the metrics; the H3 map from `decentralization.hexes`.

use crate::charts::hexmap::HexMap;
use crate::charts::{Chart, ChartKind, Point, Reference, Series, Table, Unit};
use crate::format::{self, count};
use crate::methodology_view::MethodologyView;
use crate::snapshot_view::{DayRow, SnapshotView};

/// Base units per NOS.
const NOS: f64 = 1_000_000.0;
/// The demand benchmark of methodology v1: "Ratio at or above 0.50".
const D2E_BENCHMARK: f64 = 0.5;

/// Where a series came from.
enum Source {
    Engine,
    Daily,
}

/// The points of series `name`: the snapshot's own, or derived from the daily table when the
/// daily table holds the quantity itself (flows per kind, supplies, stake, closing price).
fn series(s: &SnapshotView, name: &str) -> Option<(Vec<Point>, Source)> {
    if let Some(points) = s.series.get(name) {
        let points = points.iter().map(|p| Point { x: p.date.clone(), y: format::finite(p.value) }).collect();
        return Some((points, Source::Engine));
    }
    if s.daily.is_empty() {
        return None;
    }
    let values = s.daily.iter().map(|r| from_daily(name, r)).collect::<Option<Vec<Option<f64>>>>()?;
    let points = s.daily.iter().zip(values).map(|(r, y)| Point { x: r.date.clone(), y }).collect();
    Some((points, Source::Daily))
}

/// The value of series `name` on one day of the daily table, for the quantities the table holds
/// itself (None: the table does not determine this series directly).
fn from_daily(name: &str, r: &DayRow) -> Option<Option<f64>> {
    let flow = |kind: &str| Some(r.flows.get(kind).map_or(0, |f| f.nos) as f64 / NOS);
    Some(match name {
        "emission_nos" => flow("emission"),
        "burns_nos" => flow("burn"),
        "mints_nos" => flow("mint"),
        "gmv_nos" => flow("payout"),
        "fees_nos" => flow("fee"),
        "total_supply_nos" => r.total_supply.map(|v| v as f64 / NOS),
        "circulating_supply_nos" => r.circulating_supply.map(|v| v as f64 / NOS),
        "staked_nos" => Some(r.staked as f64 / NOS),
        "price_usd" => format::finite(r.close_usd),
        _ => return None,
    })
}

struct Spec {
    id: &'static str,
    title: &'static str,
    y_label: &'static str,
    unit: Unit,
    include_zero: bool,
    /// (series name in the snapshot, legend label; `{short}` and `{long}` stand for the
    /// snapshot's window lengths in days)
    series: &'static [(&'static str, &'static str)],
    what: &'static str,
}

const LINES: &[Spec] = &[
    Spec {
        id: "chart-arr",
        title: "Annualised recurring revenue over time",
        y_label: "USD per year",
        unit: Unit::Usd,
        include_zero: true,
        series: &[("arr_usd", "ARR, {short}-day window"), ("arr_long_usd", "ARR, {long}-day window")],
        what: "Trailing ARR (node payouts plus network fees, annualised) on each day",
    },
    Spec {
        id: "chart-d2e",
        title: "Demand-to-emission ratio over time",
        y_label: "ratio (ARR / annual emission value)",
        unit: Unit::Ratio,
        include_zero: true,
        series: &[("demand_to_emission", "Demand-to-emission, {short}-day window")],
        what: "Trailing demand-to-emission ratio on each day against the 0.50 benchmark",
    },
    Spec {
        id: "chart-burn-emission",
        title: "Emissions, burns and mints per day",
        y_label: "NOS per day",
        unit: Unit::Nos,
        include_zero: true,
        series: &[("emission_nos", "Emitted (pool releases)"), ("burns_nos", "Burned"), ("mints_nos", "Minted")],
        what: "NOS emitted, burned and minted each day",
    },
    Spec {
        id: "chart-supply",
        title: "NOS supply",
        y_label: "NOS",
        unit: Unit::Nos,
        include_zero: false,
        series: &[
            ("total_supply_nos", "Total supply"),
            ("circulating_supply_nos", "Circulating supply"),
            ("staked_nos", "Staked"),
        ],
        what: "Total, circulating and staked NOS at the end of each day",
    },
];

pub(super) fn build(s: &SnapshotView, method: &MethodologyView) -> Vec<Chart> {
    let mut charts: Vec<Chart> = LINES.iter().map(|spec| line(s, spec, method)).collect();
    charts.push(tiers(s));
    charts.push(utilization(s));
    charts.into_iter().map(Chart::summarise).collect()
}

fn line(s: &SnapshotView, spec: &Spec, method: &MethodologyView) -> Chart {
    let mut series = Vec::new();
    let mut sources = Vec::new();
    let mut missing = Vec::new();
    for (name, label) in spec.series {
        match self::series(s, name) {
            Some((points, source)) => {
                sources.push(match source {
                    Source::Engine => format!("snapshot series {name}"),
                    Source::Daily => format!("daily table ({name} derived per day)"),
                });
                let label = label
                    .replace("{short}", &s.metrics.window.days.to_string())
                    .replace("{long}", &s.metrics.long_window.days.to_string());
                series.push(Series { name: label, points });
            }
            None => missing.push((*name).to_string()),
        }
    }
    let reference = match spec.id {
        "chart-d2e" => Some(Reference { value: D2E_BENCHMARK, label: "benchmark 0.50".into() }),
        "chart-arr" => method
            .dimension("demand")
            .and_then(|d| d.cap.as_ref())
            .filter(|c| c.metric == "arr_usd")
            .and_then(|c| c.below)
            .map(|v| Reference { value: v, label: format!("benchmark floor {}", format::usd(Some(v))) }),
        _ => None,
    };
    let note = if series.is_empty() {
        Some(format!(
            "not available: this snapshot has no {} series (written before the engine stored daily series)",
            missing.join(", ")
        ))
    } else if !series.iter().any(|x| x.points.iter().any(|p| p.y.is_some())) {
        Some("no value in any day of the series".to_string())
    } else if !missing.is_empty() {
        Some(format!("not available in this snapshot: {}", missing.join(", ")))
    } else {
        None
    };
    let days = series.iter().map(|x| x.points.len()).max().unwrap_or(0);
    Chart {
        id: spec.id.to_string(),
        title: spec.title.to_string(),
        description: format!("{} ({}), {days} days.", spec.what, spec.y_label),
        kind: ChartKind::Line,
        x_label: "Date (UTC)".to_string(),
        y_label: spec.y_label.to_string(),
        unit: spec.unit,
        include_zero: spec.include_zero,
        series,
        reference,
        source: if sources.is_empty() { "none".to_string() } else { sources.join("; ") },
        note,
        table: Table::default(),
    }
}

fn tiers(s: &SnapshotView) -> Chart {
    let d = &s.metrics.decentralization;
    let points: Vec<Point> =
        d.nodes_per_tier.iter().map(|(tier, n)| Point { x: tier.clone(), y: Some(*n as f64) }).collect();
    Chart {
        id: "chart-nodes-per-tier".into(),
        title: "Active nodes per GPU tier".into(),
        description: format!("Bar chart of {} active nodes over {} GPU tiers.", count(d.active_nodes), points.len()),
        kind: ChartKind::Bar,
        x_label: "GPU tier (market)".into(),
        y_label: "Active nodes".into(),
        unit: Unit::Count,
        include_zero: true,
        note: points.is_empty().then(|| "no active node in the window".to_string()),
        series: vec![Series { name: "Active nodes".into(), points }],
        reference: None,
        source: "metrics.decentralization.nodes_per_tier".into(),
        table: Table::default(),
    }
}

fn utilization(s: &SnapshotView) -> Chart {
    let points: Vec<Point> =
        s.metrics.utilization.iter().map(|u| Point { x: u.tier.clone(), y: format::finite(u.utilization) }).collect();
    Chart {
        id: "chart-utilization".into(),
        title: "Utilisation per GPU tier".into(),
        description: format!(
            "Bar chart of the share of node time spent running jobs over the {}-day window, per tier.",
            s.metrics.window.days
        ),
        kind: ChartKind::Bar,
        x_label: "GPU tier (market)".into(),
        y_label: "Share of node time busy".into(),
        unit: Unit::Share,
        include_zero: true,
        note: points.is_empty().then(|| "no active node in the window".to_string()),
        series: vec![Series { name: "Utilisation".into(), points }],
        reference: None,
        source: "metrics.utilization (busy node-seconds / available node-seconds)".into(),
        table: Table::default(),
    }
}

/// The H3 map and a table of its busiest cells.
pub(super) fn hexmap(s: &SnapshotView) -> (HexMap, Table) {
    let hexes = s.metrics.decentralization.hexes.as_ref();
    let map = HexMap::new(
        "chart-hexmap",
        hexes.map(|h| h.resolution),
        hexes.map(|h| h.cells.iter().map(|c| (c.cell.clone(), c.nodes)).collect()),
    );
    let table = Table {
        header: vec!["H3 cell".into(), "Active located nodes".into()],
        rows: map.busiest(10).into_iter().map(|c| vec![c.cell.clone(), count(c.nodes)]).collect(),
    };
    (map, table)
}
