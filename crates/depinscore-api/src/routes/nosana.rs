//! The routes of Nosana's own indexer (`nosana-ci/indexer`), in its shapes, so its users can
//! point their clients here: `/jobs`, `/jobs/{address}`, `/jobs/stats` and `/stats`.
//!
//! Where the chain tells more than Nosana's account copy, the values say so in their docs:
//! - `price` sums in `/jobs/stats` are what the payout flows paid (plus the network fee flows
//!   with `useMultiplier`), not `runtime × price × 1.1`;
//! - `usdRewardPerHour` uses the NOS/USD price point at the listing time (the imported prices);
//! - IPFS documents (`jobDefinition`, `jobResult`, `type`, `jobStatus`) are not fetched: null;
//! - `id` (Nosana's database serial) has no counterpart: null;
//! - `/jobs/stats` counts every completed job: Nosana's leaves out jobs priced at 10 NOS/s or
//!   more, a guard against its own bad rows, where the payout flows here are what was paid;
//! - `/jobs` and `/jobs/stats` share Nosana's query names: each accepts (and validates) the
//!   other's parameters and ignores them, as Nosana does.
//!
//! Errors keep this API's convention: 400 `application/problem+json` naming the parameter
//! (Nosana answers 422 `{message}`), 404 for an unknown job.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use depinscore_clickhouse::explorer::{
    CompletedJobsDay, CompletedJobsFilter, CompletedJobsGroup, JobAccountInfo, JobFilter, JobState, JobSummary,
};
use depinscore_sql::PricePoint;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::calendar::{DAY, date_of_day};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::json as json_response;
use crate::params::{Params, address};
use crate::routes::explorer::ch;
use crate::series::bucket;
use crate::state::SharedState;

/// The default (all-zero) public key: Nosana's `node` of a job no node took.
const NO_NODE: &str = "11111111111111111111111111111111";
/// Deepest `offset` served; deeper pages are `/v1/jobs` cursor pages.
const MAX_OFFSET: u64 = 10_000;
const NOS: f64 = 1_000_000.0;

/// A job as Nosana's indexer returns it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NosanaJob {
    /// Nosana's database serial: none here (always null).
    pub id: Option<i64>,
    pub address: String,
    /// CIDv0 of the job definition (null when none).
    pub ipfs_job: Option<String>,
    pub ipfs_result: Option<String>,
    pub market: String,
    /// The node of the newest run; `11111111111111111111111111111111` when none took it.
    pub node: String,
    pub payer: String,
    /// Micro-NOS per second: the job account's price (a cleaned account's recovered as payout ÷
    /// billed seconds).
    pub price: u64,
    pub project: String,
    /// 0 QUEUED, 1 RUNNING, 2 COMPLETED, 3 STOPPED.
    pub state: u8,
    /// From the IPFS job definition, not fetched here: null.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub job_definition: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub job_result: Option<Value>,
    pub job_status: Option<String>,
    /// Unix seconds; 0 until it ends.
    pub time_end: i64,
    /// Unix seconds; 0 until a run starts.
    pub time_start: i64,
    /// Seconds.
    pub timeout: i64,
    /// price × NOS/USD at the listing × 3600; null without a price point.
    pub usd_reward_per_hour: Option<f64>,
    /// Unix seconds of the `list` transaction.
    pub listed_at: Option<u32>,
}

/// `/jobs`: a page and the number of jobs the filter matches.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NosanaJobList {
    pub jobs: Vec<NosanaJob>,
    pub total_jobs: u64,
}

/// Nosana's `GetJobsQuery`: the parameters `/jobs` and `/jobs/stats` share.
const JOBS_QUERY: &[&str] = &[
    "limit",
    "offset",
    "state",
    "market",
    "node",
    "poster",
    "payer",
    "timeStart",
    "timeEnd",
    "groupBy",
    "timeSeriesInterval",
    "useMultiplier",
    "skipCache",
];

/// The `/jobs/stats` parameters `/jobs` accepts and ignores (as Nosana does), checked.
fn ignored_stats_params(p: &Params) -> ApiResult<()> {
    p.uint("timeStart", 0, u64::from(u32::MAX), 0)?;
    p.uint("timeEnd", 0, u64::from(u32::MAX), 0)?;
    if p.get("groupBy").is_some() {
        p.choice("groupBy", &["market", "project"], "market")?;
    }
    if p.get("timeSeriesInterval").is_some() {
        p.choice("timeSeriesInterval", &["day", "week", "month"], "day")?;
    }
    p.boolean("useMultiplier", false)?;
    p.boolean("skipCache", false)?;
    Ok(())
}

/// Nosana's state names and ours: STOPPED is stopped or recovered; delisted jobs do not exist
/// for Nosana (its indexer deletes them).
fn states_of(name: Option<&str>) -> ApiResult<Vec<JobState>> {
    Ok(match name {
        None => vec![JobState::Queued, JobState::Running, JobState::Completed, JobState::Stopped, JobState::Recovered],
        Some("QUEUED") => vec![JobState::Queued],
        Some("RUNNING") => vec![JobState::Running],
        Some("COMPLETED") => vec![JobState::Completed],
        Some("STOPPED") => vec![JobState::Stopped, JobState::Recovered],
        Some(v) => {
            return Err(ApiError::bad("state", format!("`{v}` is not one of QUEUED, RUNNING, COMPLETED, STOPPED")));
        }
    })
}

/// NOS/USD by time, from the price points around the times asked for.
struct Prices(Vec<PricePoint>);

impl Prices {
    /// The points from the last one at or before `from` through `to`.
    async fn load(s: &SharedState, from: i64, to: i64) -> ApiResult<Prices> {
        let store = |e| ApiError::store("the price store", e);
        let mut points: Vec<PricePoint> = s.sql.price_at(from).await.map_err(store)?.into_iter().collect();
        if to > from {
            points.extend(s.sql.prices(from + 1, to).await.map_err(store)?);
        }
        Ok(Prices(points))
    }

    /// USD per NOS at `time`: the newest point at or before it.
    fn at(&self, time: i64) -> Option<f64> {
        let i = self.0.partition_point(|p| p.time <= time);
        i.checked_sub(1).map(|i| self.0[i].usd)
    }
}

fn nosana_job(summary: JobSummary, account: Option<&JobAccountInfo>, prices: &Prices) -> NosanaJob {
    let open = account.filter(|a| !a.closed);
    let time_start = summary.started_at.map(i64::from).or(open.map(|a| a.time_start)).unwrap_or(0);
    let time_end = match (summary.ended_at, open) {
        (Some(t), _) => i64::from(t),
        (None, Some(a)) => a.time_end,
        (None, None) => 0,
    };
    let timeout = open.map(|a| a.timeout).or(summary.timeout).unwrap_or(0);
    let billed = time_end.saturating_sub(time_start).clamp(0, if timeout > 0 { timeout } else { i64::MAX });
    let price = match open {
        Some(a) => a.price,
        None if billed > 0 => summary.payout / billed as u64,
        None => 0,
    };
    let usd = prices.at(i64::from(summary.listed_at)).map(|usd| price as f64 / NOS * usd * 3600.0);
    let cid =
        |a: Option<&JobAccountInfo>, f: fn(&JobAccountInfo) -> &String| a.map(f).filter(|c| !c.is_empty()).cloned();
    NosanaJob {
        id: None,
        address: summary.address,
        ipfs_job: cid(account, |a| &a.ipfs_job),
        ipfs_result: cid(account, |a| &a.ipfs_result),
        market: summary.market,
        node: if summary.node.is_empty() { NO_NODE.to_string() } else { summary.node },
        payer: summary.payer,
        price,
        project: summary.project,
        state: summary.nosana_state.unwrap_or(3),
        kind: None,
        job_definition: None,
        job_result: None,
        job_status: None,
        time_end,
        time_start,
        timeout,
        usd_reward_per_hour: usd,
        listed_at: Some(summary.listed_at),
    }
}

/// Turns summaries into Nosana jobs: their accounts and the prices of their listing times.
async fn nosana_jobs(s: &SharedState, summaries: Vec<JobSummary>) -> ApiResult<Vec<NosanaJob>> {
    let (Some(from), Some(to)) =
        (summaries.iter().map(|j| j.listed_at).min(), summaries.iter().map(|j| j.listed_at).max())
    else {
        return Ok(Vec::new());
    };
    let addresses: Vec<&str> = summaries.iter().map(|j| j.address.as_str()).collect();
    let accounts = s.clickhouse()?.job_accounts(&addresses).await.map_err(ch("address"))?;
    let prices = Prices::load(s, i64::from(from), i64::from(to)).await?;
    Ok(summaries
        .into_iter()
        .map(|j| {
            let account = accounts.get(&j.address);
            nosana_job(j, account, &prices)
        })
        .collect())
}

/// Jobs as Nosana's indexer lists them: `limit` (1..=50, default 10) after `offset`, newest
/// listing first (Nosana sorts by run start), and `totalJobs` for the filter. As Nosana's, it
/// also accepts `/jobs/stats`'s parameters (checked, then ignored).
#[utoipa::path(get, path = "/jobs", tag = "nosana",
    params(
        ("limit" = Option<u32>, Query, description = "1..=50, default 10", minimum = 1, maximum = 50),
        ("offset" = Option<u32>, Query, description = "0..=10000, default 0 (deeper: /v1/jobs cursors)", minimum = 0, maximum = 10000),
        ("state" = Option<String>, Query, description = "QUEUED, RUNNING, COMPLETED or STOPPED", pattern = "^(QUEUED|RUNNING|COMPLETED|STOPPED)$"),
        ("market" = Option<String>, Query, description = "Market address", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("node" = Option<String>, Query, description = "A node that ran the job", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("poster" = Option<String>, Query, description = "The project that posted the job", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("payer" = Option<String>, Query, description = "Who paid the deposit", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
    ),
    responses(
        (status = 200, description = "A page of jobs and the total", body = NosanaJobList),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "A store is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn jobs(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref(), JOBS_QUERY)?;
    ignored_stats_params(&p)?;
    let limit = p.uint("limit", 1, 50, 10)? as u32;
    let offset = p.uint("offset", 0, MAX_OFFSET, 0)?;
    let filter = JobFilter {
        states: states_of(p.get("state"))?,
        market: p.address("market")?,
        node: p.address("node")?,
        project: p.address("poster")?,
        payer: p.address("payer")?,
        ..JobFilter::default()
    };
    let store = s.clickhouse()?;
    let cursor = store.job_cursor_after(&filter, offset).await.map_err(ch("offset"))?;
    let page = store.jobs(&JobFilter { limit, cursor, ..filter.clone() }).await.map_err(ch("offset"))?;
    let summaries = page.items;
    let total_jobs = store.job_count(&filter).await.map_err(ch("state"))?;
    json_response(&NosanaJobList { jobs: nosana_jobs(&s, summaries).await?, total_jobs })
}

/// One job as Nosana's indexer returns it (a delisted job is unknown, as Nosana deletes it).
#[utoipa::path(get, path = "/jobs/{address}", tag = "nosana",
    params(("address" = String, Path, description = "The job account", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$")),
    responses(
        (status = 200, description = "The job", body = NosanaJob),
        (status = 400, description = "Malformed address", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "Unknown job", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "A store is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn job(State(s): State<SharedState>, Path(job): Path<String>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let job = address("address", &job)?;
    let summary = s.clickhouse()?.job_summary(&job).await.map_err(ch("address"))?;
    let Some(summary) = summary.filter(|j| j.state != JobState::Delisted) else {
        return Err(ApiError::not_found(format!("job {job}")));
    };
    let one = nosana_jobs(&s, vec![summary]).await?.pop();
    json_response(&one.ok_or_else(|| ApiError::not_found(format!("job {job}")))?)
}

/// One group's completed jobs in `/jobs/stats`.
#[derive(Clone, Debug, Default, PartialEq)]
struct Totals {
    completed: u64,
    duration: u64,
    price_nos: f64,
    usd: f64,
}

impl Totals {
    fn add(&mut self, d: &CompletedJobsDay, multiplier: bool, usd_per_nos: Option<f64>) {
        let paid = (d.payout + if multiplier { d.fee } else { 0 }) as f64 / NOS;
        self.completed += d.completed;
        self.duration += d.duration;
        self.price_nos += paid;
        self.usd += usd_per_nos.map_or(0.0, |usd| d.payout as f64 / NOS * usd);
    }

    fn numbers(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("completed".into(), json!(self.completed));
        m.insert("duration".into(), json!(self.duration));
        m.insert("price".into(), json!(round6(self.price_nos)));
        m.insert("usdReward".into(), json!(round6(self.usd)));
        m
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Completed jobs' count, runtime, NOS paid and USD value, as Nosana's `/jobs/stats` gives them:
/// totals by default, per market or project with `groupBy`, per day, week or month with
/// `timeSeriesInterval`. As Nosana's, it also accepts `/jobs`'s `limit`, `offset` and `state`
/// (checked, then ignored).
#[utoipa::path(get, path = "/jobs/stats", tag = "nosana",
    params(
        ("market" = Option<String>, Query, description = "Market address", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("node" = Option<String>, Query, description = "A node that ran the job", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("poster" = Option<String>, Query, description = "The project that posted the job", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("payer" = Option<String>, Query, description = "Who paid the deposit", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("timeStart" = Option<u32>, Query, description = "Runs started at or after (unix seconds; 0 = any)"),
        ("timeEnd" = Option<u32>, Query, description = "Runs ended at or before (unix seconds; 0 = any)"),
        ("groupBy" = Option<String>, Query, description = "market or project", pattern = "^(market|project)$"),
        ("timeSeriesInterval" = Option<String>, Query, description = "day, week (ISO, from Monday) or month", pattern = "^(day|week|month)$"),
        ("useMultiplier" = Option<bool>, Query, description = "Add the network fees paid to `price`"),
        ("skipCache" = Option<bool>, Query, description = "Accepted for compatibility; nothing is cached"),
    ),
    responses(
        (status = 200, description = "Totals, groups or a series (see Nosana's indexer); durations in seconds, price in NOS, usdReward in USD", body = Object),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "A store is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn job_stats(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref(), JOBS_QUERY)?;
    // Nosana's stats ignore the list's paging and state (checked all the same).
    p.uint("limit", 1, 50, 10)?;
    p.uint("offset", 0, MAX_OFFSET, 0)?;
    states_of(p.get("state"))?;
    let time = |name: &str| -> ApiResult<Option<u32>> {
        Ok(Some(p.uint(name, 0, u64::from(u32::MAX), 0)? as u32).filter(|t| *t > 0))
    };
    let filter = CompletedJobsFilter {
        market: p.address("market")?,
        node: p.address("node")?,
        project: p.address("poster")?,
        payer: p.address("payer")?,
        started_from: time("timeStart")?,
        ended_to: time("timeEnd")?,
    };
    let group = match p.get("groupBy") {
        None => None,
        Some(_) => match p.choice("groupBy", &["market", "project"], "market")? {
            "project" => Some(CompletedJobsGroup::Project),
            _ => Some(CompletedJobsGroup::Market),
        },
    };
    let interval = match p.get("timeSeriesInterval") {
        None => None,
        Some(_) => Some(p.choice("timeSeriesInterval", &["day", "week", "month"], "day")?),
    };
    let multiplier = p.boolean("useMultiplier", false)?;
    p.boolean("skipCache", false)?;

    let days = s.clickhouse()?.completed_jobs_by_day(&filter, group).await.map_err(ch("stats"))?;
    let retrieved = depinscore_sql::now_unix();
    let (first, last) = (days.first().map_or(0, |d| d.day), days.iter().map(|d| d.day).max().unwrap_or(0));
    let prices = Prices::load(&s, i64::from(first) * DAY, (i64::from(last) + 1) * DAY).await?;
    // A day's NOS is valued at the price at its end.
    let usd = |d: &CompletedJobsDay| prices.at((i64::from(d.day) + 1) * DAY - 1);
    let group_name = match group {
        Some(CompletedJobsGroup::Market) => Some(("markets", "market")),
        Some(CompletedJobsGroup::Project) => Some(("projects", "project")),
        None => None,
    };
    let groups = |rows: &[&CompletedJobsDay]| -> Vec<Value> {
        let Some((_, key)) = group_name else { return Vec::new() };
        let mut by: BTreeMap<&str, Totals> = BTreeMap::new();
        for d in rows {
            by.entry(d.key.as_str()).or_default().add(d, multiplier, usd(d));
        }
        by.into_iter()
            .map(|(k, t)| {
                let mut m = serde_json::Map::new();
                m.insert(key.into(), json!(k));
                if key == "market" {
                    m.insert("name".into(), Value::Null);
                }
                m.extend(t.numbers());
                Value::Object(m)
            })
            .collect()
    };
    let all: Vec<&CompletedJobsDay> = days.iter().collect();
    let body = if let Some(interval) = interval {
        let mut buckets: BTreeMap<i64, Vec<&CompletedJobsDay>> = BTreeMap::new();
        for d in &days {
            buckets.entry(bucket(i64::from(d.day), interval)).or_default().push(d);
        }
        let series: Vec<Value> = buckets
            .into_iter()
            .map(|(start, rows)| {
                let mut t = Totals::default();
                for d in &rows {
                    t.add(d, multiplier, usd(d));
                }
                let mut m = serde_json::Map::new();
                m.insert("time".into(), json!(format!("{} 00:00:00+00", date_of_day(start))));
                m.extend(t.numbers());
                if let Some((name, _)) = group_name {
                    m.insert(name.into(), Value::Array(groups(&rows)));
                }
                Value::Object(m)
            })
            .collect();
        json!({ "retrieved": retrieved, "series": series })
    } else {
        let mut t = Totals::default();
        for d in &days {
            t.add(d, multiplier, usd(d));
        }
        match group_name {
            Some((name, _)) => {
                let mut m = serde_json::Map::new();
                m.insert("retrieved".into(), json!(retrieved));
                m.extend(t.numbers());
                m.insert(name.into(), Value::Array(groups(&all)));
                Value::Object(m)
            }
            // Nosana's plain totals give the sums as decimal strings.
            None => json!({
                "completed": t.completed,
                "duration": t.duration.to_string(),
                "price": format!("{:.6}", t.price_nos),
                "usdReward": format!("{:.6}", t.usd),
                "retrieved": retrieved,
            }),
        }
    };
    json_response(&body)
}

/// Nosana's platform figures, as its `/stats` gives its newest row.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NosanaStats {
    /// When these were computed (ISO 8601).
    pub date: String,
    /// USD value of the NOS still locked in stakes (whole dollars, as text).
    pub usd_value_staked: Option<String>,
    /// NOS still locked in stakes, whole NOS as text (unstaking ones unlock linearly).
    pub nos_staked: Option<String>,
    /// Σ xNOS of those stakes, whole xNOS as text.
    #[serde(rename = "totalXNosStaked")]
    pub total_xnos_staked: Option<String>,
    /// Stake accounts not yet fully unlocked.
    pub stakers: Option<u64>,
    /// USD per NOS: the newest imported price point.
    pub price: Option<f64>,
    /// price × circulating supply, whole dollars.
    pub market_cap: Option<u64>,
    /// Not observable on the chain: null.
    pub daily_volume: Option<u64>,
    /// From the latest score snapshot, whole NOS.
    pub total_supply: Option<u64>,
    pub circulating_supply: Option<u64>,
    /// price × maximum supply, whole dollars.
    pub fully_diluted_market_cap: Option<u64>,
    /// Percent change of the price over the last 24 hours.
    pub daily_price_change: Option<f64>,
}

/// Staking, price and supply figures in the shape of Nosana's `/stats`.
#[utoipa::path(get, path = "/stats", tag = "nosana",
    responses(
        (status = 200, description = "The figures now", body = NosanaStats),
        (status = 400, description = "A parameter was given", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "A store is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn stats(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let now = depinscore_sql::now_unix();
    let stakes = s.clickhouse()?.stake_totals(now).await.map_err(ch("stats"))?;
    let store = |e| ApiError::store("the price store", e);
    let price = s.sql.price_at(now).await.map_err(store)?.map(|p| p.usd);
    let before = s.sql.price_at(now - DAY).await.map_err(store)?.map(|p| p.usd);
    let snapshot = s.cache.latest(&s.sql).await?;
    let token = |key: &str| snapshot.as_ref().and_then(|c| c.body.pointer(&format!("/metrics/token/{key}"))?.as_f64());
    let whole = |x: f64| x.round().max(0.0) as u64;
    let nos_staked = stakes.nos_staked / NOS;
    let (total, circulating, max) =
        (token("total_supply_nos"), token("circulating_supply_nos"), token("max_supply_nos"));
    json_response(&NosanaStats {
        date: format!("{}T{}Z", date_of_day(now.div_euclid(DAY)), clock(now.rem_euclid(DAY))),
        usd_value_staked: price.map(|p| whole(nos_staked * p).to_string()),
        nos_staked: Some(whole(nos_staked).to_string()),
        total_xnos_staked: Some(whole(stakes.xnos / NOS).to_string()),
        stakers: Some(stakes.stakers),
        price,
        market_cap: price.zip(circulating).map(|(p, c)| whole(p * c)),
        daily_volume: None,
        total_supply: total.map(whole),
        circulating_supply: circulating.map(whole),
        fully_diluted_market_cap: price.zip(max).map(|(p, m)| whole(p * m)),
        daily_price_change: price.zip(before).filter(|(_, b)| *b > 0.0).map(|(p, b)| (p / b - 1.0) * 100.0),
    })
}

/// `HH:MM:SS` of a second of the day.
fn clock(second: i64) -> String {
    format!("{:02}:{:02}:{:02}", second / 3600, second / 60 % 60, second % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_is_the_newest_point_at_or_before_the_time() {
        let p = |time, usd| PricePoint { time, usd, source: "t".into() };
        let prices = Prices(vec![p(100, 1.0), p(200, 2.0)]);
        assert_eq!(prices.at(99), None);
        assert_eq!(prices.at(100), Some(1.0));
        assert_eq!(prices.at(199), Some(1.0));
        assert_eq!(prices.at(5_000), Some(2.0));
    }

    #[test]
    fn nosana_state_names_map_to_ours_and_others_are_refused() {
        assert_eq!(states_of(Some("STOPPED")).unwrap(), vec![JobState::Stopped, JobState::Recovered]);
        assert!(!states_of(None).unwrap().contains(&JobState::Delisted));
        assert!(states_of(Some("queued")).is_err(), "case-sensitive, as Nosana's");
    }
}
