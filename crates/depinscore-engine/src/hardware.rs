//! Hardware economics: payback of a node's hardware per GPU tier, from measured yields and a
//! versioned table of hardware costs and power draw (`reports/hardware/*.toml`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::columns::{median, ratio};
use crate::error::EngineError;
use crate::network::{ActiveNode, Earnings, TierUtilization};
use crate::pricing::NOS;

/// The hardware table file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HardwareTable {
    /// Version (a date) of the table.
    pub version: String,
    pub tiers: Vec<HardwareTier>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HardwareTier {
    /// The market name the tier is traded in (e.g. "Market 4090").
    pub tier: String,
    pub gpu: String,
    pub hardware_usd: f64,
    pub shipping_usd: f64,
    /// Board power under load, watts.
    pub power_w: f64,
    /// Where the price and power come from.
    pub source: String,
}

impl HardwareTable {
    pub fn parse(text: &str) -> Result<HardwareTable, EngineError> {
        let t: HardwareTable =
            toml::from_str(text).map_err(|e| EngineError::Hardware { key: "(file)".into(), message: e.to_string() })?;
        for (i, tier) in t.tiers.iter().enumerate() {
            for (name, v) in
                [("hardware_usd", tier.hardware_usd), ("shipping_usd", tier.shipping_usd), ("power_w", tier.power_w)]
            {
                if !v.is_finite() || v < 0.0 {
                    return Err(EngineError::Hardware {
                        key: format!("tiers[{i}].{name}"),
                        message: format!("{v} is not a non-negative number"),
                    });
                }
            }
            if tier.source.trim().is_empty() {
                return Err(EngineError::Hardware {
                    key: format!("tiers[{i}].source"),
                    message: "every cost needs a source".into(),
                });
            }
        }
        Ok(t)
    }

    pub fn tier(&self, name: &str) -> Option<&HardwareTier> {
        self.tiers.iter().find(|t| t.tier == name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierEconomics {
    pub tier: String,
    pub gpu: Option<String>,
    pub nodes: u64,
    /// Per active node per day over the window: payouts + reward claims.
    pub yield_nos_per_day: f64,
    /// USD at the time of each flow.
    pub yield_usd_per_day: f64,
    pub hardware_usd: Option<f64>,
    pub shipping_usd: Option<f64>,
    pub power_w: Option<f64>,
    /// Utilisation × 24 h.
    pub busy_hours_per_day: Option<f64>,
    /// power_w × busy hours × $/kWh.
    pub power_usd_per_day: Option<f64>,
    /// Seed formula: (hardware + shipping) / (daily yield in NOS × today's price), days.
    pub payback_days_seed: Option<f64>,
    /// Net of power while busy, yield at time-of-flow prices, days (None: never pays back).
    pub payback_days_net: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hardware {
    pub tiers: Vec<TierEconomics>,
    /// Node-weighted median payback over tiers with a hardware cost, in months (30.44 days).
    pub median_payback_months_seed: Option<f64>,
    pub median_payback_months_net: Option<f64>,
    /// Active nodes whose tier is missing from the hardware table.
    pub nodes_without_cost: u64,
    pub power_usd_per_kwh: f64,
    pub table_version: String,
}

pub const DAYS_PER_MONTH: f64 = 30.44;

pub(crate) fn hardware(
    table: &HardwareTable,
    nodes: &[ActiveNode],
    earnings: &Earnings,
    utilization: &[TierUtilization],
    covered_days: i64,
    spot: Option<f64>,
    power_usd_per_kwh: f64,
) -> Hardware {
    let tier_of: BTreeMap<u32, &str> = nodes.iter().map(|n| (n.node, n.tier.as_str())).collect();
    let mut per_tier: BTreeMap<&str, (u64, u64, f64)> = BTreeMap::new();
    for n in nodes {
        per_tier.entry(n.tier.as_str()).or_default().0 += 1;
    }
    for (node, nos, usd) in &earnings.per_node {
        if let Some(t) = tier_of.get(node) {
            let e = per_tier.entry(t).or_default();
            e.1 += nos;
            e.2 += usd;
        }
    }
    let mut tiers = Vec::new();
    let (mut seed_points, mut net_points) = (Vec::new(), Vec::new());
    let mut without = 0;
    for (tier, (count, nos, usd)) in per_tier {
        let node_days = (count as f64) * covered_days as f64;
        let yield_nos = ratio(nos as f64 / NOS, node_days).unwrap_or(0.0);
        let yield_usd = ratio(usd, node_days).unwrap_or(0.0);
        let hw = table.tier(tier);
        let util = utilization.iter().find(|u| u.tier == tier).and_then(|u| u.utilization);
        let busy_hours = util.map(|u| u * 24.0);
        let power_usd = hw.zip(busy_hours).map(|(h, b)| h.power_w / 1000.0 * b * power_usd_per_kwh);
        let capex = hw.map(|h| h.hardware_usd + h.shipping_usd);
        let seed = capex.zip(spot).and_then(|(c, p)| ratio(c, yield_nos * p));
        let net = capex.zip(power_usd).and_then(|(c, p)| {
            let daily = yield_usd - p;
            if daily > 0.0 { ratio(c, daily) } else { None }
        });
        if hw.is_none() {
            without += count;
        } else {
            seed_points.push((seed, count));
            net_points.push((net, count));
        }
        tiers.push(TierEconomics {
            tier: tier.to_string(),
            gpu: hw.map(|h| h.gpu.clone()),
            nodes: count,
            yield_nos_per_day: yield_nos,
            yield_usd_per_day: yield_usd,
            hardware_usd: hw.map(|h| h.hardware_usd),
            shipping_usd: hw.map(|h| h.shipping_usd),
            power_w: hw.map(|h| h.power_w),
            busy_hours_per_day: busy_hours,
            power_usd_per_day: power_usd,
            payback_days_seed: seed,
            payback_days_net: net,
        });
    }
    Hardware {
        tiers,
        median_payback_months_seed: weighted_median_months(&seed_points),
        median_payback_months_net: weighted_median_months(&net_points),
        nodes_without_cost: without,
        power_usd_per_kwh,
        table_version: table.version.clone(),
    }
}

/// Node-weighted median of payback days, in months. A tier that never pays back counts as
/// infinitely long (it pulls the median up rather than vanishing); None when the median itself
/// never pays back or there is no tier.
fn weighted_median_months(points: &[(Option<f64>, u64)]) -> Option<f64> {
    let mut expanded: Vec<f64> = Vec::new();
    for (days, n) in points {
        let v = days.unwrap_or(f64::INFINITY);
        expanded.extend(std::iter::repeat_n(v, *n as usize));
    }
    median(&mut expanded).filter(|m| m.is_finite()).map(|d| d / DAYS_PER_MONTH)
}
