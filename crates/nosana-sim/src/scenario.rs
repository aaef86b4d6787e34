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
    /// Chain-level settings.
    pub chain: ChainParams,
    /// The NOS/USD price path.
    pub price: PriceParams,
    /// GPU hosts.
    pub nodes: NodeParams,
    /// Projects posting jobs.
    pub projects: ProjectParams,
    /// Job arrivals and behaviour.
    pub jobs: JobParams,
    /// Pure stakers.
    pub stakers: StakerParams,
    /// Reward pools.
    pub pools: PoolParams,
    /// Treasury burns and mints.
    pub treasury: TreasuryParams,
    /// GPU markets (tiers).
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
    /// Transactions per day calling a Nosana program with an instruction it does not know.
    pub unknown_instructions_per_day: f64,
}

/// The NOS/USD price path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceParams {
    /// The level (USD per NOS) the walk starts at and reverts to.
    pub level_usd: f64,
    /// Standard deviation of the daily log-return (0.04 = 4 % a day).
    pub daily_volatility: f64,
    /// Fraction of the log-distance to the level closed each day (0 = pure random walk).
    pub mean_reversion_per_day: f64,
    /// Days of price path computed at genesis; later times use the last day's price.
    pub horizon_days: u32,
}

/// GPU hosts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeParams {
    /// Number of nodes (analytics.md: "2,800+ verified GPUs").
    pub count: u32,
    /// Number of operator entities owning the nodes (many own one node, a few own many).
    pub operators: u32,
    /// Share of all nodes owned by the largest operator; set above 0.20 to break the "no entity above 20 %"
    /// rule, below to keep it.
    pub largest_operator_share: f64,
    /// Zipf exponent of the other operators' sizes (higher = more skewed).
    pub operator_zipf_exponent: f64,
    /// Probability that a node sits at its operator's site (data centre or home) instead of a random place in
    /// a region: this is what makes some H3 res-5 cells crowded.
    pub operator_colocation: f64,
    /// Multiplies every region's geographic spread (smaller = tighter clusters).
    pub location_spread_scale: f64,
    /// Fraction of nodes that also register their hardware in the nodes program.
    pub registered_share: f64,
    /// Median stake of a node in NOS (raised where needed to meet its market's xNOS minimum). Keep all
    /// stakes' xNOS well below 100 M NOS: the rewards reflection overflows above that.
    pub stake_median_nos: f64,
    /// Log-space standard deviation of node stakes.
    pub stake_sigma: f64,
    /// Shortest node stake duration in days (the staking program allows 14..365).
    pub stake_days_min: u32,
    /// Longest node stake duration in days.
    pub stake_days_max: u32,
    /// Rate (per hour) at which an online node goes offline (leaves the queue or stops after its job).
    pub offline_per_hour: f64,
    /// Rate (per hour) at which an offline node comes back online.
    pub online_per_hour: f64,
    /// Probability that a node quits a job it runs (another node then claims it).
    pub quit_probability: f64,
    /// Staking reward claims per node per year.
    pub reward_claims_per_year: f64,
    /// Stake top-ups per node per year.
    pub topups_per_year: f64,
    /// Stake duration extensions per node per year.
    pub extends_per_year: f64,
    /// Node software versions, reported in the off-chain specs (drawn uniformly).
    pub versions: Vec<String>,
}

/// Projects that post jobs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectParams {
    /// Number of projects.
    pub count: u32,
    /// Zipf exponent of how jobs spread over projects (a few post most jobs).
    pub zipf_exponent: f64,
    /// Fraction of projects whose jobs are paid by a separate payer wallet.
    pub separate_payer_share: f64,
    /// NOS each payer holds at genesis.
    pub initial_nos: f64,
    /// A payer whose balance falls below this (NOS) is topped up by a mint from the treasury.
    pub topup_below_nos: f64,
    /// NOS minted to a payer per top-up.
    pub topup_nos: f64,
}

/// How jobs arrive and behave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobParams {
    /// Multiplies every market's jobs_per_day (sweep utilisation, or shrink for small worlds).
    pub rate_scale: f64,
    /// Daily seasonality: arrival rate = base * (1 + amplitude * cos(2 pi (hour - peak) / 24)).
    pub daily_amplitude: f64,
    /// Hour (UTC) of the daily peak of arrivals.
    pub peak_hour_utc: f64,
    /// Arrival-rate multiplier on Saturdays and Sundays (UTC).
    pub weekend_factor: f64,
    /// Shortest job duration in seconds (durations are log-normal per market, then clamped).
    pub min_duration_s: f64,
    /// Longest job duration in seconds (3 days).
    pub max_duration_s: f64,
    /// Fraction of jobs posted with the market's default timeout (the rest pick their own).
    pub timeout_default_share: f64,
    /// A self-chosen timeout is the job's duration times a factor drawn between slack_min and ...
    pub timeout_slack_min: f64,
    /// ... slack_max, rounded up to 10 minutes.
    pub timeout_slack_max: f64,
    /// Fraction of jobs whose timeout is shorter than their run (payment capped at the timeout).
    pub underestimate_share: f64,
    /// Probability that a project extends the timeout of a job that would run past it.
    pub extend_probability: f64,
    /// Fraction of projects' jobs that are delisted if still queued after their patience.
    pub delist_share: f64,
    /// Median patience (seconds, exponential) before such a job is delisted.
    pub delist_patience_median_s: f64,
    /// Fraction of running jobs that the project ends itself (before the node finishes).
    pub end_share: f64,
    /// Probability that the node posts its result (`complete`) after a project ended the job.
    pub complete_after_end: f64,
    /// Seconds a stopped (quit) job waits for another node to claim it before the project recovers it.
    pub recover_after_s: f64,
    /// Seconds after a job may be cleaned (its market's expiration) before `clean` is sent.
    pub clean_delay_s: f64,
    /// Jobs cleaned per `clean` transaction.
    pub clean_batch: u32,
    /// New jobs are held back while this many jobs already wait in a market's queue (the on-chain queue holds
    /// 314 entries).
    pub max_queued_per_market: u32,
}

/// Pure stakers (not running nodes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakerParams {
    /// Number of pure stakers.
    pub count: u32,
    /// Median stake in NOS (all stakes' xNOS must stay well below 100 M NOS, see nodes).
    pub stake_median_nos: f64,
    /// Log-space standard deviation of stakes.
    pub stake_sigma: f64,
    /// Reward claims per staker per year.
    pub reward_claims_per_year: f64,
    /// Stake top-ups per staker per year.
    pub topups_per_year: f64,
    /// Stake duration extensions per staker per year.
    pub extends_per_year: f64,
    /// Permissionless reward syncs per staker per year (sent by the staker).
    pub syncs_per_year: f64,
    /// Unstakes per active staker per year (close the reward, unstake, then withdraw over time).
    pub unstakes_per_year: f64,
    /// Days between withdrawals of an unstaking staker.
    pub withdraw_interval_days: f64,
    /// Probability that an unstaking staker restakes (and re-enters rewards) at its next step.
    pub restake_probability: f64,
    /// Slashes per year over all pure stakers, by the staking settings authority.
    pub slashes_per_year: f64,
    /// Fraction of a stake taken by one slash.
    pub slash_fraction: f64,
}

/// Reward pools releasing NOS into the rewards vault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolParams {
    /// Base units released per second (25,367/s = about 0.8 M NOS a year, tests/data/pool.json).
    pub emission_per_second: u64,
    /// Seconds between pool rotations (a new pool opens funded for one period, the old one closes).
    pub rotation_seconds: i64,
    /// Seconds between `claim_fee` cranks that move the released NOS into the rewards vault.
    pub crank_interval_s: i64,
}

/// The foundation treasury: buy-back-and-burn and minting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreasuryParams {
    /// NOS the treasury holds at genesis.
    pub initial_nos: f64,
    /// NOS bought back and burned per day on average.
    pub burn_nos_per_day: f64,
    /// Hours between burns.
    pub burn_interval_hours: f64,
}

/// One GPU market (tier).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSpec {
    /// Display name (off-chain metadata, as Nosana's backend serves it).
    pub name: String,
    /// URL slug (off-chain metadata).
    pub slug: String,
    /// The market's real mainnet address (off-chain metadata; the simulated account is derived).
    pub mainnet_address: String,
    /// PREMIUM (curated data-centre tier) or COMMUNITY.
    pub kind: String,
    /// GPU models accepted in this tier.
    pub gpu_types: Vec<String>,
    /// GPUs per node.
    pub gpu_count: u16,
    /// VRAM per GPU in GB.
    pub vram_gb: u32,
    /// Job price in NOS base units per second.
    pub price: u64,
    /// Default job timeout in seconds.
    pub job_timeout: i64,
    /// Seconds a finished job must age before it may be cleaned (24 hours).
    pub job_expiration: i64,
    /// Minimum xNOS a node needs to work here, in NOS.
    pub xnos_minimum_nos: u64,
    /// Whether nodes need an access NFT of the market's collection (then they get one at genesis).
    pub gated: bool,
    /// Relative share of nodes in this tier.
    pub node_weight: f64,
    /// Average job arrivals per day (before daily and weekly seasonality).
    pub jobs_per_day: f64,
    /// Median job duration in seconds (log-normal).
    pub duration_median_s: f64,
    /// Log-space standard deviation of job durations.
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
        check(
            c.unknown_instructions_per_day.is_finite() && c.unknown_instructions_per_day >= 0.0,
            "chain.unknown_instructions_per_day",
            "must be a finite number, 0 or more",
        )?;

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
