//! Hardware tiers (payback by the seed report's formula and net of power) and the price
//! comparison of Nosana's markets with reference cloud prices.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::MarketPrice;
use crate::charts::Table;
use crate::cloud::CloudPriceTable;
use crate::format::{self, NOT_AVAILABLE, count, percent, usd_exact};
use crate::snapshot_view::SnapshotView;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HardwareView {
    pub table: Table,
    /// Why the report scores payback net of power and not as the seed report wrote it.
    pub explanation: Vec<String>,
    pub median_net: String,
    pub median_seed: String,
    pub table_version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceComparison {
    pub table: Table,
    pub notes: Vec<String>,
    pub cloud_version: String,
    pub cloud_date: String,
}

pub(super) fn hardware(s: &SnapshotView) -> HardwareView {
    let h = &s.metrics.hardware;
    let rows = h
        .tiers
        .iter()
        .map(|t| {
            let capex = t.hardware_usd.zip(t.shipping_usd).map(|(a, b)| a + b);
            vec![
                t.tier.clone(),
                t.gpu.clone().unwrap_or_else(|| "not in the hardware table".into()),
                count(t.nodes),
                format::thousands(t.yield_nos_per_day, 2),
                usd_exact(Some(t.yield_usd_per_day)),
                usd_exact(capex),
                t.power_w.map_or_else(|| NOT_AVAILABLE.to_string(), |w| format!("{} W", format::thousands(w, 0))),
                t.busy_hours_per_day
                    .map_or_else(|| NOT_AVAILABLE.to_string(), |b| format!("{} h", format::thousands(b, 1))),
                usd_exact(t.power_usd_per_day),
                payback(t.payback_days_seed, capex.is_some()),
                payback(t.payback_days_net, capex.is_some()),
            ]
        })
        .collect();
    let table = Table {
        header: [
            "Tier",
            "GPU",
            "Active nodes",
            "Yield (NOS/day)",
            "Yield (USD/day)",
            "Hardware + shipping",
            "Board power",
            "Busy (h/day)",
            "Power (USD/day)",
            "Payback, seed formula",
            "Payback, net of power",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    let explanation = vec![
        "Seed formula: payback = (hardware + shipping) / (daily yield in NOS × today's NOS price). It ignores \
         electricity and values a month of earnings at a single day's price."
            .to_string(),
        format!(
            "Net of power (scored): payback = (hardware + shipping) / (daily yield valued at the NOS price when each \
             payment was made − board power × hours busy × {} per kWh). A GPU running inference draws its board power \
             while busy, and that cost is paid in dollars whatever the token does; time-of-flow prices keep a price \
             spike after the window from shortening the payback.",
            usd_exact(Some(h.power_usd_per_kwh))
        ),
        "A tier whose yield does not cover its power never pays back (\"never\"); it counts as infinitely long in the \
         node-weighted median rather than being dropped."
            .to_string(),
        format!(
            "Hardware costs and board power come from the hardware table version {}, each with its source.",
            h.table_version
        ),
    ];
    HardwareView {
        table,
        explanation,
        median_net: format::months(h.median_payback_months_net),
        median_seed: format::months(h.median_payback_months_seed),
        table_version: h.table_version.clone(),
    }
}

fn payback(days: Option<f64>, has_cost: bool) -> String {
    match format::finite(days) {
        Some(d) => format::days_as_months(Some(d)),
        None if has_cost => "never".to_string(),
        None => NOT_AVAILABLE.to_string(),
    }
}

pub(super) fn prices(s: &SnapshotView, markets: &[MarketPrice], cloud: &CloudPriceTable) -> PriceComparison {
    let mut by_tier: BTreeMap<&str, Vec<&MarketPrice>> = BTreeMap::new();
    for m in markets.iter().filter(|m| m.usd_reward_per_hour.is_finite() && m.usd_reward_per_hour >= 0.0) {
        by_tier.entry(m.tier.as_str()).or_default().push(m);
    }
    let active: BTreeSet<&str> = s.metrics.decentralization.nodes_per_tier.keys().map(String::as_str).collect();
    let tiers: BTreeSet<&str> = by_tier.keys().copied().chain(cloud.rows.iter().map(|r| r.tier.as_str())).collect();
    let mut rows = Vec::new();
    for tier in tiers {
        let markets = by_tier.get(tier).cloned().unwrap_or_default();
        let nosana = if markets.is_empty() {
            None
        } else {
            Some(markets.iter().map(|m| m.usd_reward_per_hour).sum::<f64>() / markets.len() as f64)
        };
        let nosana_text = if markets.is_empty() {
            "no market price".to_string()
        } else {
            markets
                .iter()
                .map(|m| format!("{} {}", m.name, usd_exact(Some(m.usd_reward_per_hour))))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let tier_label = if active.contains(tier) { tier.to_string() } else { format!("{tier} (no active node)") };
        let clouds = cloud.for_tier(tier);
        if clouds.is_empty() {
            rows.push(vec![
                tier_label.clone(),
                nosana_text.clone(),
                "no reference price in the table".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for c in clouds {
            let share = nosana.and_then(|n| format::finite(Some(n / c.usd_per_hour)));
            rows.push(vec![
                tier_label.clone(),
                nosana_text.clone(),
                c.provider.clone(),
                c.gpu.clone(),
                usd_exact(Some(c.usd_per_hour)),
                share.map_or_else(|| NOT_AVAILABLE.to_string(), |x| percent(Some(x))),
                c.source.clone(),
            ]);
        }
    }
    let mut notes = vec![
        "Nosana: what a market pays a node per hour of a job (USD per hour, from the markets in the relational store; \
         the mean when a tier has several markets). Cloud: the provider's on-demand list price per GPU-hour."
            .to_string(),
        format!(
            "Cloud prices are table version {}, recorded {}: {}",
            cloud.version,
            cloud.date,
            if cloud.note.is_empty() { "list prices as recorded by the maintainers." } else { cloud.note.as_str() }
        ),
    ];
    if markets.is_empty() {
        notes.push("No market prices were supplied, so only the reference cloud prices are shown.".to_string());
    }
    PriceComparison {
        table: Table {
            header: [
                "Tier",
                "Nosana (USD/hour)",
                "Provider",
                "GPU",
                "Cloud (USD/hour)",
                "Nosana as % of cloud",
                "Source",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        },
        notes,
        cloud_version: cloud.version.clone(),
        cloud_date: cloud.date.clone(),
    }
}
