//! The parts of a stored snapshot (the engine's `Snapshot::to_json`) the report reads. These are
//! the report's own structs: fields the engine adds later are ignored, and the two newest fields
//! (`series` and `metrics.decentralization.hexes`) default to empty when an older snapshot lacks
//! them.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::ReportError;

#[derive(Clone, Debug, Deserialize)]
pub struct SnapshotView {
    pub id: String,
    pub provenance: Provenance,
    pub score: Score,
    #[serde(default)]
    pub sensitivity: Vec<Sensitivity>,
    #[serde(default)]
    pub published_checks: Vec<PublishedCheck>,
    pub metrics: Metrics,
    #[serde(default)]
    pub daily: Vec<DayRow>,
    /// Daily series by metric name (`arr_usd`, `demand_to_emission`, …). Empty in snapshots
    /// written before the engine produced them.
    #[serde(default)]
    pub series: BTreeMap<String, Vec<SeriesPoint>>,
    /// Unit, aggregation and definition of each series.
    #[serde(default)]
    pub series_info: BTreeMap<String, SeriesInfo>,
}

impl SnapshotView {
    /// Parses the snapshot JSON; an error names the field path that is missing or wrong.
    pub fn parse(json: &str) -> Result<SnapshotView, ReportError> {
        let mut de = serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = inner.to_string();
            // A missing field is reported at its parent; name the field itself.
            let path = match missing_field(&message) {
                Some(field) if path == "." => field.to_string(),
                Some(field) => format!("{path}.{field}"),
                None => path,
            };
            ReportError::Snapshot { path, message }
        })
    }
}

fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

#[derive(Clone, Debug, Deserialize)]
pub struct Provenance {
    pub chain: ChainRange,
    /// `[frame, rows]` pairs.
    #[serde(default)]
    pub rows: Vec<(String, u64)>,
    pub input_hash: String,
    pub methodology_version: String,
    pub methodology_sha256: String,
    #[serde(default)]
    pub evidence_sha256: String,
    #[serde(default)]
    pub hardware_table_version: String,
    #[serde(default)]
    pub price_source: String,
    #[serde(default)]
    pub engine_version: String,
}

#[derive(Clone, Copy, Debug, Deserialize)]
pub struct ChainRange {
    pub first_slot: u64,
    pub last_slot: u64,
    pub first_time: i64,
    pub last_time: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Score {
    pub composite: f64,
    pub dimensions: Vec<DimensionScore>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DimensionScore {
    pub id: String,
    pub name: String,
    pub weight: f64,
    #[serde(default)]
    pub benchmark: String,
    #[serde(default)]
    pub formula: String,
    pub metric: Option<String>,
    pub value: Option<f64>,
    pub curve_score: Option<f64>,
    pub score: f64,
    pub cap: Option<CapApplied>,
    #[serde(default)]
    pub insufficient_data: bool,
    #[serde(default)]
    pub items: Vec<ItemScore>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CapApplied {
    pub metric: String,
    pub value: Option<f64>,
    pub max_score: f64,
    pub reason: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ItemScore {
    pub item: String,
    pub question: String,
    pub points: f64,
    pub earned: f64,
    pub answer: String,
    pub source: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Sensitivity {
    pub id: String,
    pub label: String,
    pub composite: f64,
    pub delta: f64,
    pub dimension: Option<String>,
    pub dimension_score: Option<f64>,
    pub value: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PublishedCheck {
    pub source: String,
    pub date: String,
    pub headline: f64,
    pub recomputed: f64,
    pub difference: f64,
    pub consistent: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Metrics {
    pub as_of: i64,
    pub as_of_date: String,
    pub window: Window,
    pub long_window: Window,
    pub spot_price_usd: Option<f64>,
    pub demand: Demand,
    pub token: Token,
    pub staking: Staking,
    pub decentralization: Decentralization,
    #[serde(default)]
    pub utilization: Vec<TierUtilization>,
    pub hardware: Hardware,
}

#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Window {
    pub days: i64,
    pub first_day: i64,
    pub last_day: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Demand {
    pub gmv_nos: f64,
    pub gmv_usd: f64,
    pub fees_nos: f64,
    pub fees_usd: f64,
    pub arr_usd: Option<f64>,
    pub arr_long_usd: Option<f64>,
    pub arr_spot_usd: Option<f64>,
    pub covered_days: i64,
    pub unpriced_share: Option<f64>,
    pub jobs_listed: u64,
    pub jobs_per_day: Option<f64>,
    pub runs_finished: u64,
    pub runs_quit: u64,
    #[serde(default)]
    pub queue_exits: u64,
    pub success_rate: Option<f64>,
    pub median_duration_s: Option<f64>,
    pub median_queue_wait_s: Option<f64>,
    #[serde(default)]
    pub projects: u64,
    #[serde(default)]
    pub top_projects: Vec<(String, f64, f64)>,
    #[serde(default)]
    pub payers: u64,
    #[serde(default)]
    pub top_payers: Vec<(String, f64, f64)>,
    pub median_node_earnings_nos: Option<f64>,
    pub mean_node_earnings_nos: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Token {
    pub emission_nos: f64,
    pub emission_usd: f64,
    pub emission_annual_usd: Option<f64>,
    pub emission_annual_nos: Option<f64>,
    pub claims_nos: f64,
    pub burns_nos: f64,
    pub burns_usd: f64,
    pub mints_nos: f64,
    pub demand_to_emission: Option<f64>,
    pub demand_to_emission_long: Option<f64>,
    pub demand_to_emission_spot: Option<f64>,
    pub net_emission_annual_nos: Option<f64>,
    pub seed_emission_to_burn: Option<f64>,
    pub total_supply_nos: Option<f64>,
    pub circulating_supply_nos: Option<f64>,
    pub max_supply_nos: f64,
    pub deflation: Deflation,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Deflation {
    pub already: bool,
    pub projected_date: Option<String>,
    pub years: Option<f64>,
    pub within_horizon: bool,
    pub horizon_years: f64,
    pub trend_days: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Staking {
    pub staked_nos: f64,
    pub xnos: f64,
    pub stakers: u64,
    pub staking_ratio: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Decentralization {
    pub active_nodes: u64,
    pub located_nodes: u64,
    #[serde(default)]
    pub nodes_per_tier: BTreeMap<String, u64>,
    #[serde(default)]
    pub spacing: Vec<Spacing>,
    /// Occupied H3 cells at the scoring resolution. None in snapshots written before the
    /// engine produced it.
    #[serde(default)]
    pub hexes: Option<Hexes>,
    pub operators: Concentration,
    #[serde(default)]
    pub top_operators: Vec<(String, u64, f64)>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Spacing {
    pub resolution: u8,
    pub cells: u64,
    pub coefficient: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Hexes {
    pub resolution: u8,
    #[serde(default)]
    pub cells: Vec<HexCount>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct HexCount {
    /// H3 index as lower-case hex.
    pub cell: String,
    pub nodes: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Concentration {
    pub entities: u64,
    pub largest_share: Option<f64>,
    pub nakamoto_33: Option<u64>,
    pub nakamoto_50: Option<u64>,
    pub hhi: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct TierUtilization {
    pub tier: String,
    pub nodes: u64,
    pub busy_s: i64,
    pub available_s: i64,
    pub utilization: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Hardware {
    #[serde(default)]
    pub tiers: Vec<TierEconomics>,
    pub median_payback_months_seed: Option<f64>,
    pub median_payback_months_net: Option<f64>,
    pub nodes_without_cost: u64,
    pub power_usd_per_kwh: f64,
    pub table_version: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct TierEconomics {
    pub tier: String,
    pub gpu: Option<String>,
    pub nodes: u64,
    pub yield_nos_per_day: f64,
    pub yield_usd_per_day: f64,
    pub hardware_usd: Option<f64>,
    pub shipping_usd: Option<f64>,
    pub power_w: Option<f64>,
    pub busy_hours_per_day: Option<f64>,
    pub power_usd_per_day: Option<f64>,
    pub payback_days_seed: Option<f64>,
    pub payback_days_net: Option<f64>,
}

/// One UTC day of the daily table.
#[derive(Clone, Debug, Deserialize)]
pub struct DayRow {
    pub date: String,
    #[serde(default)]
    pub close_usd: Option<f64>,
    #[serde(default)]
    pub flows: BTreeMap<String, FlowDay>,
    #[serde(default)]
    pub events: BTreeMap<String, u64>,
    #[serde(default)]
    pub total_supply: Option<u64>,
    #[serde(default)]
    pub circulating_supply: Option<u64>,
    #[serde(default)]
    pub staked: u64,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct FlowDay {
    /// Base units (6 decimals).
    pub nos: u64,
    #[serde(default)]
    pub usd: f64,
}

/// One day of a series (`null` = not measurable that day).
#[derive(Clone, Debug, Deserialize)]
pub struct SeriesPoint {
    pub date: String,
    pub value: Option<f64>,
}

/// What a daily series measures.
#[derive(Clone, Debug, Deserialize)]
pub struct SeriesInfo {
    #[serde(default)]
    pub unit: String,
    /// How days combine into longer intervals (`sum` or `last`).
    #[serde(default)]
    pub aggregate: String,
    #[serde(default)]
    pub description: String,
}
