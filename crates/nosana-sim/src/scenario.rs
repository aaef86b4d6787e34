//! The scenario: every knob of the simulated world, read from TOML. A scenario file is laid
//! over the embedded default ([`Scenario::default_scenario`]), so a file only needs the keys
//! it changes; unknown keys, wrong types and out-of-range values are errors naming the key.

use serde::{Deserialize, Serialize};
use solana_pubkey::Pubkey;

use crate::error::ScenarioError;

/// The embedded default world, documented key by key.
pub const DEFAULT_TOML: &str = include_str!("../scenarios/default.toml");

/// A whole world.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub chain: ChainParams,
    pub price: PriceParams,
    pub nodes: NodeParams,
    pub projects: ProjectParams,
    pub jobs: JobParams,
    pub stakers: StakerParams,
    pub pools: PoolParams,
    pub treasury: TreasuryParams,
    pub markets: Vec<MarketSpec>,
}

/// Chain-level settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainParams {
    /// Unix time of genesis.
    pub start_time: i64,
    /// `JOB_FEE_FRACTION` of the jobs program (0 = no network fee).
    pub fee_fraction: u64,
    /// Fraction of transactions sent as v0 messages.
    pub v0_fraction: f64,
    /// Most set-up transactions (market opens, stakes) planned in one slot.
    pub bootstrap_tx_per_slot: u32,
}

/// The NOS/USD price path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceParams {
    pub level_usd: f64,
    pub daily_volatility: f64,
    pub mean_reversion_per_day: f64,
    pub horizon_days: u32,
}

/// GPU hosts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeParams {
    pub count: u32,
    pub operators: u32,
    pub largest_operator_share: f64,
    pub operator_zipf_exponent: f64,
    pub operator_colocation: f64,
    pub location_spread_scale: f64,
    pub registered_share: f64,
    pub stake_median_nos: f64,
    pub stake_sigma: f64,
    pub stake_days_min: u32,
    pub stake_days_max: u32,
    pub offline_per_hour: f64,
    pub online_per_hour: f64,
    pub quit_probability: f64,
    pub reward_claims_per_year: f64,
    pub topups_per_year: f64,
    pub extends_per_year: f64,
    pub versions: Vec<String>,
}

/// Projects that post jobs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectParams {
    pub count: u32,
    pub zipf_exponent: f64,
    pub separate_payer_share: f64,
    pub initial_nos: f64,
    pub topup_below_nos: f64,
    pub topup_nos: f64,
}

/// How jobs arrive and behave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobParams {
    pub rate_scale: f64,
    pub daily_amplitude: f64,
    pub peak_hour_utc: f64,
    pub weekend_factor: f64,
    pub min_duration_s: f64,
    pub max_duration_s: f64,
    pub timeout_default_share: f64,
    pub timeout_slack_min: f64,
    pub timeout_slack_max: f64,
    pub underestimate_share: f64,
    pub extend_probability: f64,
    pub delist_share: f64,
    pub delist_patience_median_s: f64,
    pub end_share: f64,
    pub complete_after_end: f64,
    pub recover_after_s: f64,
    pub clean_delay_s: f64,
    pub clean_batch: u32,
    pub max_queued_per_market: u32,
}

/// Pure stakers (not running nodes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakerParams {
    pub count: u32,
    pub stake_median_nos: f64,
    pub stake_sigma: f64,
    pub reward_claims_per_year: f64,
    pub topups_per_year: f64,
    pub extends_per_year: f64,
    pub syncs_per_year: f64,
    pub unstakes_per_year: f64,
    pub withdraw_interval_days: f64,
    pub restake_probability: f64,
    pub slashes_per_year: f64,
    pub slash_fraction: f64,
}

/// Reward pools releasing NOS into the rewards vault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolParams {
    pub emission_per_second: u64,
    pub rotation_seconds: i64,
    pub crank_interval_s: i64,
}

/// The foundation treasury: buy-back-and-burn and minting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreasuryParams {
    pub initial_nos: f64,
    pub burn_nos_per_day: f64,
    pub burn_interval_hours: f64,
}

/// One GPU market (tier).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSpec {
    pub name: String,
    pub slug: String,
    pub mainnet_address: String,
    pub kind: String,
    pub gpu_types: Vec<String>,
    pub gpu_count: u16,
    pub vram_gb: u32,
    pub price: u64,
    pub job_timeout: i64,
    pub job_expiration: i64,
    pub xnos_minimum_nos: u64,
    pub gated: bool,
    pub node_weight: f64,
    pub jobs_per_day: f64,
    pub duration_median_s: f64,
    pub duration_sigma: f64,
}

impl Scenario {
    /// The embedded default world (about 2,800 nodes over the 17 mainnet markets).
    pub fn default_scenario() -> Scenario {
        // The embedded file is tested to parse and validate.
        Self::parse_table(default_table()).unwrap_or_else(|e| unreachable!("embedded default scenario: {e}"))
    }

    /// Reads a scenario: the keys in `text` replace those of the default scenario (tables merge
    /// key by key; arrays such as `markets` replace the default's whole array).
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let overlay: toml::Table = text.parse().map_err(|e: toml::de::Error| ScenarioError::Parse(e.to_string()))?;
        let mut base = default_table();
        merge(&mut base, overlay);
        Self::parse_table(base)
    }

    fn parse_table(table: toml::Table) -> Result<Scenario, ScenarioError> {
        let s: Scenario = table.try_into().map_err(|e: toml::de::Error| ScenarioError::Parse(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// Checks every value's range; the error names the key.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let c = &self.chain;
        check(c.start_time > 0, "chain.start_time", "must be a positive unix time")?;
        prob("chain.v0_fraction", c.v0_fraction)?;
        check(c.bootstrap_tx_per_slot > 0, "chain.bootstrap_tx_per_slot", "must be at least 1")?;

        let p = &self.price;
        positive("price.level_usd", p.level_usd)?;
        non_negative("price.daily_volatility", p.daily_volatility)?;
        prob("price.mean_reversion_per_day", p.mean_reversion_per_day)?;
        check(p.horizon_days > 0, "price.horizon_days", "must be at least 1")?;

        let n = &self.nodes;
        check(n.count > 0, "nodes.count", "must be at least 1")?;
        check(n.operators > 0 && n.operators <= n.count, "nodes.operators", "must be between 1 and nodes.count")?;
        prob("nodes.largest_operator_share", n.largest_operator_share)?;
        non_negative("nodes.operator_zipf_exponent", n.operator_zipf_exponent)?;
        prob("nodes.operator_colocation", n.operator_colocation)?;
        positive("nodes.location_spread_scale", n.location_spread_scale)?;
        prob("nodes.registered_share", n.registered_share)?;
        positive("nodes.stake_median_nos", n.stake_median_nos)?;
        non_negative("nodes.stake_sigma", n.stake_sigma)?;
        check((14..=365).contains(&n.stake_days_min), "nodes.stake_days_min", "must be within 14..=365")?;
        check(
            (n.stake_days_min..=365).contains(&n.stake_days_max),
            "nodes.stake_days_max",
            "must be within nodes.stake_days_min..=365",
        )?;
        non_negative("nodes.offline_per_hour", n.offline_per_hour)?;
        positive("nodes.online_per_hour", n.online_per_hour)?;
        prob("nodes.quit_probability", n.quit_probability)?;
        non_negative("nodes.reward_claims_per_year", n.reward_claims_per_year)?;
        non_negative("nodes.topups_per_year", n.topups_per_year)?;
        non_negative("nodes.extends_per_year", n.extends_per_year)?;
        check(!n.versions.is_empty(), "nodes.versions", "must name at least one version")?;

        let pr = &self.projects;
        check(pr.count > 0, "projects.count", "must be at least 1")?;
        non_negative("projects.zipf_exponent", pr.zipf_exponent)?;
        prob("projects.separate_payer_share", pr.separate_payer_share)?;
        positive("projects.initial_nos", pr.initial_nos)?;
        non_negative("projects.topup_below_nos", pr.topup_below_nos)?;
        positive("projects.topup_nos", pr.topup_nos)?;

        let j = &self.jobs;
        non_negative("jobs.rate_scale", j.rate_scale)?;
        prob("jobs.daily_amplitude", j.daily_amplitude)?;
        check((0.0..24.0).contains(&j.peak_hour_utc), "jobs.peak_hour_utc", "must be within 0..24")?;
        non_negative("jobs.weekend_factor", j.weekend_factor)?;
        check(j.min_duration_s >= 1.0, "jobs.min_duration_s", "must be at least 1 second")?;
        check(j.max_duration_s >= j.min_duration_s, "jobs.max_duration_s", "must be at least jobs.min_duration_s")?;
        prob("jobs.timeout_default_share", j.timeout_default_share)?;
        check(j.timeout_slack_min >= 1.0, "jobs.timeout_slack_min", "must be at least 1")?;
        check(j.timeout_slack_max >= j.timeout_slack_min, "jobs.timeout_slack_max", "must be >= timeout_slack_min")?;
        prob("jobs.underestimate_share", j.underestimate_share)?;
        prob("jobs.extend_probability", j.extend_probability)?;
        prob("jobs.delist_share", j.delist_share)?;
        positive("jobs.delist_patience_median_s", j.delist_patience_median_s)?;
        prob("jobs.end_share", j.end_share)?;
        prob("jobs.complete_after_end", j.complete_after_end)?;
        positive("jobs.recover_after_s", j.recover_after_s)?;
        non_negative("jobs.clean_delay_s", j.clean_delay_s)?;
        check((1..=20).contains(&j.clean_batch), "jobs.clean_batch", "must be within 1..=20")?;
        check((1..=314).contains(&j.max_queued_per_market), "jobs.max_queued_per_market", "must be within 1..=314")?;

        let s = &self.stakers;
        positive("stakers.stake_median_nos", s.stake_median_nos)?;
        non_negative("stakers.stake_sigma", s.stake_sigma)?;
        for (key, v) in [
            ("stakers.reward_claims_per_year", s.reward_claims_per_year),
            ("stakers.topups_per_year", s.topups_per_year),
            ("stakers.extends_per_year", s.extends_per_year),
            ("stakers.syncs_per_year", s.syncs_per_year),
            ("stakers.unstakes_per_year", s.unstakes_per_year),
            ("stakers.slashes_per_year", s.slashes_per_year),
        ] {
            non_negative(key, v)?;
        }
        positive("stakers.withdraw_interval_days", s.withdraw_interval_days)?;
        prob("stakers.restake_probability", s.restake_probability)?;
        prob("stakers.slash_fraction", s.slash_fraction)?;

        let po = &self.pools;
        check(po.rotation_seconds >= 3_600, "pools.rotation_seconds", "must be at least 3600")?;
        check(po.crank_interval_s >= 1, "pools.crank_interval_s", "must be at least 1")?;

        let t = &self.treasury;
        positive("treasury.initial_nos", t.initial_nos)?;
        non_negative("treasury.burn_nos_per_day", t.burn_nos_per_day)?;
        positive("treasury.burn_interval_hours", t.burn_interval_hours)?;

        check(!self.markets.is_empty(), "markets", "must list at least one market")?;
        check(self.markets.len() <= 200, "markets", "at most 200 markets")?;
        let mut slugs = std::collections::BTreeSet::new();
        for (i, m) in self.markets.iter().enumerate() {
            let key = |k: &str| format!("markets[{i}].{k}");
            check(!m.name.is_empty(), &key("name"), "must not be empty")?;
            check(slugs.insert(m.slug.clone()), &key("slug"), "must be unique")?;
            check(m.mainnet_address.parse::<Pubkey>().is_ok(), &key("mainnet_address"), "must be a base58 address")?;
            check(m.kind == "PREMIUM" || m.kind == "COMMUNITY", &key("kind"), "must be PREMIUM or COMMUNITY")?;
            check(!m.gpu_types.is_empty(), &key("gpu_types"), "must name at least one GPU")?;
            check(m.gpu_count > 0, &key("gpu_count"), "must be at least 1")?;
            check(m.vram_gb > 0, &key("vram_gb"), "must be at least 1")?;
            check(m.price <= 1_000_000, &key("price"), "at most 1,000,000 base units per second")?;
            check(m.job_timeout > 0, &key("job_timeout"), "must be positive")?;
            check(m.job_expiration >= 0, &key("job_expiration"), "must not be negative")?;
            check(m.xnos_minimum_nos <= 10_000_000, &key("xnos_minimum_nos"), "at most 10,000,000 NOS")?;
            non_negative(&key("node_weight"), m.node_weight)?;
            non_negative(&key("jobs_per_day"), m.jobs_per_day)?;
            check(m.duration_median_s >= 1.0, &key("duration_median_s"), "must be at least 1 second")?;
            non_negative(&key("duration_sigma"), m.duration_sigma)?;
        }
        check(self.markets.iter().any(|m| m.node_weight > 0.0), "markets", "some market needs node_weight > 0")?;
        Ok(())
    }
}

fn default_table() -> toml::Table {
    DEFAULT_TOML.parse().unwrap_or_else(|e| unreachable!("embedded default scenario is TOML: {e}"))
}

/// Lays `overlay` over `base`: tables merge key by key, everything else replaces.
fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn check(ok: bool, key: &str, message: &str) -> Result<(), ScenarioError> {
    if ok { Ok(()) } else { Err(ScenarioError::invalid(key, message)) }
}

fn prob(key: &str, v: f64) -> Result<(), ScenarioError> {
    check((0.0..=1.0).contains(&v), key, "must be a fraction within 0..=1")
}

fn positive(key: &str, v: f64) -> Result<(), ScenarioError> {
    check(v.is_finite() && v > 0.0, key, "must be a positive number")
}

fn non_negative(key: &str, v: f64) -> Result<(), ScenarioError> {
    check(v.is_finite() && v >= 0.0, key, "must be a non-negative number")
}
