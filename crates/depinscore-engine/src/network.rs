//! Supply side: which nodes are active, where they are (H3), who operates them, how busy each
//! GPU tier is, and what a node earns.

use std::collections::{BTreeMap, HashMap, HashSet};

use h3o::{CellIndex, LatLng, Resolution};
use polars::prelude::*;
use serde::Serialize;

use crate::calendar::DAY;
use crate::columns::{f64s, ratio, strs, u32s, u64s};
use crate::concentration::{Concentration, concentration};
use crate::error::EngineError;
use crate::frames::Inputs;
use crate::pricing::{MICRO, NOS, price_at_time};
use crate::runs::Run;
use crate::window::Window;

/// An active node: one that had a job event (queued, assigned, finished, quit, …) in the
/// activity window.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveNode {
    pub node: u32,
    pub tier: String,
    pub location: Option<(f64, f64)>,
    /// Operator entity; a node with no known operator is its own entity.
    pub entity: u64,
}

/// A registry row: market, location, operator.
type Registered = (Option<u32>, Option<(f64, f64)>, Option<u32>);

/// Tier name used when a node's market has no tier in the `markets` frame.
pub const UNKNOWN_TIER: &str = "unknown";

pub(crate) fn tiers(inputs: &Inputs) -> Result<HashMap<u32, String>, EngineError> {
    let (market, tier) = (u32s(&inputs.markets, "market")?, strs(&inputs.markets, "tier")?);
    Ok(market.into_iter().zip(tier).filter_map(|(m, t)| Some((m?, t?))).collect())
}

/// Active nodes in `window`, each with the tier of the market of its latest event there (the
/// registry's market when no event names one).
pub fn active_nodes(inputs: &Inputs, window: &Window) -> Result<Vec<ActiveNode>, EngineError> {
    let tiers = tiers(inputs)?;
    let seen = inputs
        .job_events
        .clone()
        .lazy()
        .filter(window.contains_time().and(col("node").neq(lit(0u32))))
        .group_by([col("node")])
        .agg([{
            // Sort first, then drop events naming no market: both sides of the filter keep the
            // group's length.
            let stable = SortMultipleOptions { maintain_order: true, ..Default::default() };
            let by_time = col("market").sort_by([col("time")], stable);
            by_time.clone().filter(by_time.neq(lit(0u32))).last().alias("market")
        }])
        .sort(["node"], Default::default())
        .collect()?;
    let registry = &inputs.nodes;
    let (r_node, r_market, r_lat, r_lng, r_op) = (
        u32s(registry, "node")?,
        u32s(registry, "market")?,
        f64s(registry, "lat")?,
        f64s(registry, "lng")?,
        u32s(registry, "operator")?,
    );
    let mut reg: HashMap<u32, Registered> = HashMap::new();
    for i in 0..registry.height() {
        let Some(n) = r_node[i] else { continue };
        let loc = match (r_lat[i], r_lng[i]) {
            (Some(a), Some(b)) if a.is_finite() && b.is_finite() => Some((a, b)),
            _ => None,
        };
        reg.insert(n, (r_market[i].filter(|m| *m != 0), loc, r_op[i].filter(|o| *o != 0)));
    }
    let (node, market) = (u32s(&seen, "node")?, u32s(&seen, "market")?);
    let mut out = Vec::with_capacity(seen.height());
    for (n, m) in node.into_iter().zip(market) {
        let Some(n) = n else { continue };
        let (r_market, location, operator) = reg.get(&n).copied().unwrap_or((None, None, None));
        let market = m.filter(|m| *m != 0).or(r_market);
        let tier = market.and_then(|m| tiers.get(&m).cloned()).unwrap_or_else(|| UNKNOWN_TIER.to_string());
        // Operators and nodes share one id space (both are interned addresses), so an entity
        // is the operator's id, or the node's own id shifted out of that range.
        let entity = operator.map_or(u64::from(n) | 1 << 32, u64::from);
        out.push(ActiveNode { node: n, tier, location, entity });
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spacing {
    pub resolution: u8,
    /// Distinct H3 cells occupied by active located nodes.
    pub cells: u64,
    /// cells / active located nodes.
    pub coefficient: Option<f64>,
}

/// The H3 resolution named by a methodology parameter.
fn resolution(r: u8) -> Result<Resolution, EngineError> {
    Resolution::try_from(r).map_err(|_| {
        crate::error::methodology("parameters.h3_resolution", format!("{r} is not an H3 resolution (0–15)"))
    })
}

fn valid(lat: f64, lng: f64) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng)
}

/// The cell holding a node, when it has a valid location (latitude in ±90°, longitude in
/// ±180°, both finite). A node without one is not "located" anywhere in the engine.
fn cell_of(node: &ActiveNode, res: Resolution) -> Option<CellIndex> {
    let (lat, lng) = node.location?;
    if !valid(lat, lng) {
        return None;
    }
    LatLng::new(lat, lng).ok().map(|p| p.to_cell(res))
}

/// The H3 spacing coefficient at `resolution`.
pub fn spacing(nodes: &[ActiveNode], resolution: u8) -> Result<Spacing, EngineError> {
    let res = self::resolution(resolution)?;
    let mut cells = HashSet::new();
    let mut located = 0u64;
    for cell in nodes.iter().filter_map(|n| cell_of(n, res)) {
        located += 1;
        cells.insert(cell);
    }
    Ok(Spacing { resolution, cells: cells.len() as u64, coefficient: ratio(cells.len() as f64, located as f64) })
}

/// Active located nodes per occupied H3 cell (for maps).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hexes {
    pub resolution: u8,
    /// Sorted by cell index.
    pub cells: Vec<HexCount>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HexCount {
    /// The H3 index, lower-case hex (e.g. `85283473fffffff`).
    pub cell: String,
    pub nodes: u64,
}

/// Occupied cells at `resolution` with their active located nodes.
pub fn hexes(nodes: &[ActiveNode], resolution: u8) -> Result<Hexes, EngineError> {
    let res = self::resolution(resolution)?;
    let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
    for cell in nodes.iter().filter_map(|n| cell_of(n, res)) {
        *counts.entry(u64::from(cell)).or_insert(0) += 1;
    }
    let cells = counts.into_iter().map(|(cell, nodes)| HexCount { cell: format!("{cell:x}"), nodes }).collect();
    Ok(Hexes { resolution, cells })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decentralization {
    pub active_nodes: u64,
    pub located_nodes: u64,
    /// Active nodes per tier, by tier name.
    pub nodes_per_tier: BTreeMap<String, u64>,
    /// The methodology's resolution first, then the sensitivity resolutions.
    pub spacing: Vec<Spacing>,
    /// Occupied cells at the methodology's resolution (the first of `spacing`).
    pub hexes: Hexes,
    /// Over operator entities.
    pub operators: Concentration,
    /// The largest operators: (address, active nodes, share).
    pub top_operators: Vec<(String, u64, f64)>,
}

pub fn decentralization(
    inputs: &Inputs,
    nodes: &[ActiveNode],
    resolutions: &[u8],
    top_n: usize,
) -> Result<Decentralization, EngineError> {
    let mut per_tier = BTreeMap::new();
    let mut per_entity: HashMap<u64, u64> = HashMap::new();
    for n in nodes {
        *per_tier.entry(n.tier.clone()).or_insert(0) += 1;
        *per_entity.entry(n.entity).or_insert(0) += 1;
    }
    let counts: Vec<u64> = per_entity.values().copied().collect();
    let total = nodes.len() as f64;
    let mut top: Vec<(u64, u64)> = per_entity.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let top_operators = top
        .into_iter()
        .take(top_n)
        .map(|(e, c)| {
            let name =
                if e >> 32 == 0 { inputs.key(e as u32).to_string() } else { format!("node:{}", inputs.key(e as u32)) };
            (name, c, c as f64 / total)
        })
        .collect();
    Ok(Decentralization {
        active_nodes: nodes.len() as u64,
        located_nodes: nodes.iter().filter(|n| n.location.is_some_and(|(lat, lng)| valid(lat, lng))).count() as u64,
        nodes_per_tier: per_tier,
        spacing: resolutions.iter().map(|r| spacing(nodes, *r)).collect::<Result<_, _>>()?,
        hexes: hexes(nodes, resolutions.first().copied().unwrap_or(5))?,
        operators: concentration(&counts),
        top_operators,
    })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierUtilization {
    pub tier: String,
    pub nodes: u64,
    /// Node-seconds spent in runs inside the window.
    pub busy_s: i64,
    /// Active nodes × seconds of the window the data covers.
    pub available_s: i64,
    pub utilization: Option<f64>,
}

/// Busy node-seconds / available node-seconds per tier over `window`, a node being available
/// on the `covered_days` of the window the data covers.
pub fn utilization(nodes: &[ActiveNode], runs: &[Run], window: &Window, covered_days: i64) -> Vec<TierUtilization> {
    let tier_of: HashMap<u32, &str> = nodes.iter().map(|n| (n.node, n.tier.as_str())).collect();
    let mut busy: BTreeMap<&str, i64> = BTreeMap::new();
    let mut count: BTreeMap<&str, u64> = BTreeMap::new();
    for n in nodes {
        *count.entry(n.tier.as_str()).or_insert(0) += 1;
    }
    for r in runs {
        let Some(tier) = tier_of.get(&r.node) else { continue };
        *busy.entry(tier).or_insert(0) += r.busy_within(window.start(), window.end());
    }
    count
        .into_iter()
        .map(|(tier, n)| {
            let b = busy.get(tier).copied().unwrap_or(0);
            let available = n as i64 * covered_days * DAY;
            TierUtilization {
                tier: tier.to_string(),
                nodes: n,
                busy_s: b,
                available_s: available,
                utilization: ratio(b as f64, available as f64),
            }
        })
        .collect()
}

/// What active nodes earned in the window: node payouts plus reward claims by node wallets.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Earnings {
    /// Per node: NOS base units and USD at the time of each flow.
    pub per_node: Vec<(u32, u64, f64)>,
}

pub fn earnings(
    inputs: &Inputs,
    nodes: &[ActiveNode],
    window: &Window,
    price_max_age_s: i64,
) -> Result<Earnings, EngineError> {
    let flows = inputs
        .flows
        .clone()
        .lazy()
        .filter(window.contains_time().and(col("kind").eq(lit("payout")).or(col("kind").eq(lit("claim")))))
        .select([col("time"), col("wallet"), col("amount")]);
    let df = price_at_time(flows, &inputs.prices, price_max_age_s)
        .group_by([col("wallet")])
        .agg([col("amount").sum().alias("nos"), col("usd_micro").sum().alias("usd_micro")])
        .collect()?;
    let (wallet, nos, usd) = (u32s(&df, "wallet")?, u64s(&df, "nos")?, u64s(&df, "usd_micro")?);
    let by_wallet: HashMap<u32, (u64, f64)> = (0..df.height())
        .filter_map(|i| Some((wallet[i]?, (nos[i].unwrap_or(0), usd[i].unwrap_or(0) as f64 / MICRO))))
        .collect();
    let per_node = nodes
        .iter()
        .map(|n| {
            let (a, u) = by_wallet.get(&n.node).copied().unwrap_or((0, 0.0));
            (n.node, a, u)
        })
        .collect();
    Ok(Earnings { per_node })
}

/// Median NOS earned per active node in the window (whole NOS).
pub fn median_earnings_nos(e: &Earnings) -> Option<f64> {
    let mut v: Vec<f64> = e.per_node.iter().map(|(_, a, _)| *a as f64 / NOS).collect();
    crate::columns::median(&mut v)
}
