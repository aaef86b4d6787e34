//! The explorer: jobs (filtered, sorted, cursor-paged), one job with its timeline and token
//! flows, nodes (joined with the off-chain registry: location cell, operator, GPU), markets
//! with their live queue, stakes, rewards, pools, and one transaction by signature.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use depinscore_clickhouse::ChError;
use depinscore_clickhouse::explorer::{
    AccountPage, JobDetail, JobFilter, JobPage, JobSort, JobState, JobStats, MarketDetail, MarketSummary, NodeDetail,
    NodeFilter, NodeSummary, Paged, PoolItem, RewardItem, StakeItem, TransactionDetail,
};
use depinscore_sql::NodeRecord;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{JSON, bytes_with, json, json_bytes};
use crate::params::{Params, address, signature};
use crate::state::SharedState;

/// A ClickHouse failure: the client's fault (bad cursor or filter) is a 400, anything else 503.
pub(crate) fn ch(parameter: &str) -> impl Fn(ChError) -> ApiError + '_ {
    move |e| {
        if e.is_client_error() { ApiError::bad(parameter, e.to_string()) } else { ApiError::store("ClickHouse", e) }
    }
}

/// An explorer answer through the short-lived read cache (`api.explorer_cache_ms`).
async fn cached<F, Fut>(s: &SharedState, key: String, compute: F) -> ApiResult<Response>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ApiResult<bytes::Bytes>>,
{
    Ok(bytes_with(s.reads.get_or_compute(key, compute).await?, JSON))
}

fn state_of(v: &str) -> ApiResult<JobState> {
    JobState::ALL.into_iter().find(|s| s.as_str() == v).ok_or_else(|| {
        ApiError::bad("state", format!("`{v}` is not one of queued, running, completed, stopped, recovered, delisted"))
    })
}

/// Jobs, newest listing first unless `sort=listed_asc`; `next_cursor` continues the same query.
#[utoipa::path(get, path = "/v1/jobs", tag = "explorer",
    params(
        ("state" = Option<String>, Query, description = "queued, running, completed, stopped, recovered or delisted", pattern = "^(queued|running|completed|stopped|recovered|delisted)$"),
        ("market" = Option<String>, Query, description = "Market address", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("node" = Option<String>, Query, description = "A node that ran the job", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("project" = Option<String>, Query, description = "The job's project (poster)", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("payer" = Option<String>, Query, description = "Who paid the deposit", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("from" = Option<String>, Query, description = "Listed at or after: YYYY-MM-DD or unix seconds", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,10})$"),
        ("to" = Option<String>, Query, description = "Listed at or before: YYYY-MM-DD (whole day) or unix seconds", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,10})$"),
        ("sort" = Option<String>, Query, description = "listed_desc (default) or listed_asc", pattern = "^(listed_desc|listed_asc)$"),
        ("limit" = Option<u32>, Query, description = "1..=500, default 50", minimum = 1, maximum = 500),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page", pattern = "^[0-9a-f]{1,512}$"),
    ),
    responses(
        (status = 200, description = "A page of jobs", body = JobPage),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "ClickHouse is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn jobs(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = Params::parse(
        q.as_deref(),
        &["state", "market", "node", "project", "payer", "from", "to", "sort", "limit", "cursor"],
    )?;
    let time = |name: &str, end: bool| -> ApiResult<Option<u32>> {
        p.time(name, end)?.map(|t| u32::try_from(t).map_err(|_| ApiError::bad(name, "beyond 2106"))).transpose()
    };
    let filter = JobFilter {
        states: p.get("state").map(state_of).transpose()?.into_iter().collect(),
        market: p.address("market")?,
        node: p.address("node")?,
        project: p.address("project")?,
        payer: p.address("payer")?,
        listed_from: time("from", false)?,
        listed_to: time("to", true)?,
        sort: match p.choice("sort", &["listed_desc", "listed_asc"], "listed_desc")? {
            "listed_asc" => JobSort::ListedAsc,
            _ => JobSort::ListedDesc,
        },
        limit: p.uint("limit", 1, 500, 50)? as u32,
        cursor: p.get("cursor").map(|c| c.chars().take(512).collect()),
    };
    if let (Some(a), Some(b)) = (filter.listed_from, filter.listed_to)
        && a > b
    {
        return Err(ApiError::bad("from", "is after `to`"));
    }
    let key = format!("/v1/jobs?{}", q.as_deref().unwrap_or_default());
    cached(&s, key, || async { json_bytes(&s.clickhouse()?.jobs(&filter).await.map_err(ch("cursor"))?) }).await
}

/// One job: its state, account, every lifecycle event in chain order and every token flow.
#[utoipa::path(get, path = "/v1/jobs/{address}", tag = "explorer",
    params(("address" = String, Path, description = "The job account", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$")),
    responses(
        (status = 200, description = "The job", body = JobDetail),
        (status = 400, description = "Malformed address", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "Unknown job", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "ClickHouse is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn job(State(s): State<SharedState>, Path(job): Path<String>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let job = address("address", &job)?;
    let detail = s.clickhouse()?.job(&job).await.map_err(ch("address"))?;
    json(&detail.ok_or_else(|| ApiError::not_found(format!("job {job}")))?)
}

/// Jobs per state and per market, and deposit/payout/refund/fee totals.
#[utoipa::path(get, path = "/v1/jobs/stats", tag = "explorer",
    responses(
        (status = 200, description = "The counts and totals", body = JobStats),
        (status = 400, description = "A parameter was given", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "ClickHouse is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn job_stats(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    cached(&s, "/v1/jobs/stats".into(), || async {
        json_bytes(&s.clickhouse()?.job_stats().await.map_err(ch("stats"))?)
    })
    .await
}

/// What the off-chain registry says about a node.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Registry {
    pub gpu: Option<String>,
    pub gpu_count: i64,
    pub vram_mb: Option<i64>,
    pub country: Option<String>,
    pub lat: f64,
    pub lng: f64,
    /// The H3 resolution-5 cell of the location.
    pub h3_res5: String,
    pub operator: Option<String>,
}

impl From<NodeRecord> for Registry {
    fn from(r: NodeRecord) -> Self {
        Registry {
            gpu: r.gpu,
            gpu_count: r.gpu_count,
            vram_mb: r.vram_mb,
            country: r.country,
            lat: r.lat,
            lng: r.lng,
            h3_res5: r.h3_res5,
            operator: r.operator,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NodeItem {
    #[serde(flatten)]
    pub chain: NodeSummary,
    /// None when the registry does not know the node.
    pub registry: Option<Registry>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NodeList {
    pub items: Vec<NodeItem>,
    pub total: u64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NodeView {
    #[serde(flatten)]
    pub chain: NodeDetail,
    pub registry: Option<Registry>,
}

/// Nodes by address: tier, stake, earnings, jobs, and from the registry location cell,
/// operator and GPU.
#[utoipa::path(get, path = "/v1/nodes", tag = "explorer",
    params(
        ("market" = Option<String>, Query, description = "Nodes of this market (tier or queue)", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("limit" = Option<u32>, Query, description = "1..=500, default 50", minimum = 1, maximum = 500),
        ("offset" = Option<u64>, Query, description = "Nodes to skip, default 0", minimum = 0, maximum = 10000000),
    ),
    responses(
        (status = 200, description = "A page of nodes", body = NodeList),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "A store is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn nodes(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref(), &["market", "limit", "offset"])?;
    let filter = NodeFilter {
        market: p.address("market")?,
        limit: p.uint("limit", 1, 500, 50)? as u32,
        offset: p.uint("offset", 0, 10_000_000, 0)?,
    };
    let page = s.clickhouse()?.nodes(&filter).await.map_err(ch("market"))?;
    let registry = s.sql.nodes().await.map_err(|e| ApiError::store("the node registry", e))?;
    let mut by_address: std::collections::HashMap<String, NodeRecord> =
        registry.into_iter().map(|r| (r.address.clone(), r)).collect();
    let items = page
        .items
        .into_iter()
        .map(|n| NodeItem { registry: by_address.remove(&n.address).map(Registry::from), chain: n })
        .collect();
    json(&NodeList { items, total: page.total })
}

/// One node with its stake, earnings, jobs and registry record.
#[utoipa::path(get, path = "/v1/nodes/{address}", tag = "explorer",
    params(("address" = String, Path, description = "The node's wallet", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$")),
    responses(
        (status = 200, description = "The node", body = NodeView),
        (status = 400, description = "Malformed address", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "Unknown node", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "A store is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn node(
    State(s): State<SharedState>,
    Path(node): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let node = address("address", &node)?;
    let chain = s.clickhouse()?.node(&node).await.map_err(ch("address"))?;
    let registry = s.sql.node(&node).await.map_err(|e| ApiError::store("the node registry", e))?;
    match (chain, registry) {
        (Some(chain), registry) => json(&NodeView { chain, registry: registry.map(Registry::from) }),
        (None, _) => Err(ApiError::not_found(format!("node {node}"))),
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MarketList {
    pub items: Vec<MarketSummary>,
}

/// Every market with its latest state.
#[utoipa::path(get, path = "/v1/markets", tag = "explorer",
    responses(
        (status = 200, description = "The markets", body = MarketList),
        (status = 400, description = "A parameter was given", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "ClickHouse is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn markets(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    cached(&s, "/v1/markets".into(), || async {
        json_bytes(&MarketList { items: s.clickhouse()?.markets().await.map_err(ch("market"))? })
    })
    .await
}

/// One market with its live queue and job counts.
#[utoipa::path(get, path = "/v1/markets/{address}", tag = "explorer",
    params(("address" = String, Path, description = "The market account", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$")),
    responses(
        (status = 200, description = "The market", body = MarketDetail),
        (status = 400, description = "Malformed address", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "Unknown market", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "ClickHouse is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn market(State(s): State<SharedState>, Path(m): Path<String>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let m = address("address", &m)?;
    let detail = s.clickhouse()?.market(&m).await.map_err(ch("address"))?;
    json(&detail.ok_or_else(|| ApiError::not_found(format!("market {m}")))?)
}

fn account_page(q: Option<&str>) -> ApiResult<AccountPage> {
    let p = Params::parse(q, &["after", "limit", "include_closed"])?;
    Ok(AccountPage {
        after: p.address("after")?,
        limit: p.uint("limit", 1, 500, 50)? as u32,
        include_closed: p.boolean("include_closed", false)?,
    })
}

/// Stake accounts by address; `next` continues.
#[utoipa::path(get, path = "/v1/stakes", tag = "explorer",
    params(
        ("after" = Option<String>, Query, description = "`next` of the previous page", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("limit" = Option<u32>, Query, description = "1..=500, default 50", minimum = 1, maximum = 500),
        ("include_closed" = Option<bool>, Query, description = "Also accounts closed since"),
    ),
    responses(
        (status = 200, description = "A page of stakes", body = Paged<StakeItem>),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "ClickHouse is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn stakes(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let page = account_page(q.as_deref())?;
    let key = format!("/v1/stakes?{}", q.as_deref().unwrap_or_default());
    cached(&s, key, || async { json_bytes(&s.clickhouse()?.stakes(&page).await.map_err(ch("after"))?) }).await
}

/// Reward accounts by address; `next` continues.
#[utoipa::path(get, path = "/v1/rewards", tag = "explorer",
    params(
        ("after" = Option<String>, Query, description = "`next` of the previous page", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("limit" = Option<u32>, Query, description = "1..=500, default 50", minimum = 1, maximum = 500),
        ("include_closed" = Option<bool>, Query, description = "Also accounts closed since"),
    ),
    responses(
        (status = 200, description = "A page of reward accounts", body = Paged<RewardItem>),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "ClickHouse is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn rewards(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let page = account_page(q.as_deref())?;
    let key = format!("/v1/rewards?{}", q.as_deref().unwrap_or_default());
    cached(&s, key, || async { json_bytes(&s.clickhouse()?.rewards(&page).await.map_err(ch("after"))?) }).await
}

/// Reward pools by address; `next` continues.
#[utoipa::path(get, path = "/v1/pools", tag = "explorer",
    params(
        ("after" = Option<String>, Query, description = "`next` of the previous page", pattern = "^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
        ("limit" = Option<u32>, Query, description = "1..=500, default 50", minimum = 1, maximum = 500),
        ("include_closed" = Option<bool>, Query, description = "Also accounts closed since"),
    ),
    responses(
        (status = 200, description = "A page of pools", body = Paged<PoolItem>),
        (status = 400, description = "A malformed parameter", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "ClickHouse is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn pools(State(s): State<SharedState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let page = account_page(q.as_deref())?;
    let key = format!("/v1/pools?{}", q.as_deref().unwrap_or_default());
    cached(&s, key, || async { json_bytes(&s.clickhouse()?.pools(&page).await.map_err(ch("after"))?) }).await
}

/// One transaction: its row, decoded instructions, job events and token flows.
#[utoipa::path(get, path = "/v1/transactions/{signature}", tag = "explorer",
    params(("signature" = String, Path, description = "Base58 signature", pattern = "^[1-9A-HJ-NP-Za-km-z]{64,88}$")),
    responses(
        (status = 200, description = "The transaction", body = TransactionDetail),
        (status = 400, description = "Malformed signature", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "Unknown transaction", content_type = "application/problem+json", body = Problem),
        (status = 503, description = "ClickHouse is unavailable", content_type = "application/problem+json", body = Problem),
    ))]
pub async fn transaction(
    State(s): State<SharedState>,
    Path(sig): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let sig = signature("signature", &sig)?;
    let detail = s.clickhouse()?.transaction(&sig).await.map_err(ch("signature"))?;
    json(&detail.ok_or_else(|| ApiError::not_found(format!("transaction {sig}")))?)
}
