//! Nodes: every wallet seen working (job events, payouts, run accounts), registered in the
//! nodes program, or waiting in a market's node queue, with its stake and earnings. Location and
//! operator live in the relational store (the API joins them).

use std::collections::BTreeMap;

use clickhouse::Row;
use serde::{Deserialize, Serialize};

use super::{check_limit, parse_state};
use crate::{ChError, ChStore};

/// Filters of the node list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NodeFilter {
    /// Nodes whose tier is this market, or that wait in its queue.
    pub market: Option<String>,
    /// 1..=500.
    pub limit: u32,
    pub offset: u64,
}

impl Default for NodeFilter {
    fn default() -> Self {
        Self { market: None, limit: 50, offset: 0 }
    }
}

/// One node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NodeSummary {
    /// The node's wallet (authority).
    pub address: String,
    /// Its tier: the market it queues in now, else the market of its newest job event.
    pub market: String,
    /// Markets whose node queue holds it now.
    pub queued_in: Vec<String>,
    /// NOS staked by this wallet (open stake account), base units.
    pub stake: u64,
    /// xNOS of that stake (decimal string).
    pub xnos: String,
    /// Payouts received, base units.
    pub earned: u64,
    /// Distinct jobs it ran (or runs).
    pub jobs: u64,
    /// Open run accounts (jobs running now).
    pub running: u64,
    pub registered: bool,
    pub last_slot: u64,
    pub last_time: u32,
}

/// A page of nodes, ordered by address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NodePage {
    pub items: Vec<NodeSummary>,
    /// Nodes matching the filter.
    pub total: u64,
}

/// The nodes-program account of a node, when registered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NodeAccountInfo {
    pub audited: bool,
    pub architecture: u8,
    /// ISO-3166-1 numeric.
    pub country: u16,
    pub cpu: u16,
    pub gpu: u16,
    pub memory: u16,
    pub iops: u16,
    pub storage: u16,
    pub endpoint: String,
    pub icon: String,
    pub version: String,
}

/// One node with its registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NodeDetail {
    pub summary: NodeSummary,
    pub account: Option<NodeAccountInfo>,
    /// Jobs it runs now (from open run accounts).
    pub running_jobs: Vec<String>,
}

#[derive(Row, Deserialize)]
struct ActivityRow {
    node: String,
    market: String,
    jobs: u64,
    earned: u64,
    last_slot: u64,
    last_time: u32,
}

#[derive(Row, Deserialize)]
struct AccountRow {
    authority: String,
    slot: u64,
    state: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct QueueState {
    queue_type: u8,
    queue: Vec<String>,
}

#[derive(Row, Deserialize)]
struct RunRow {
    authority: String,
    job: String,
    slot: u64,
}

#[derive(Row, Deserialize)]
struct StakeRow {
    authority: String,
    amount: u64,
    xnos: String,
}

fn entry<'a>(nodes: &'a mut BTreeMap<String, NodeSummary>, n: &str) -> &'a mut NodeSummary {
    nodes.entry(n.to_string()).or_insert_with(|| NodeSummary { address: n.to_string(), ..NodeSummary::default() })
}

/// Queue type of a node queue.
const QUEUE_NODES: u8 = 1;

impl ChStore {
    /// A page of nodes (ordered by address).
    pub async fn nodes(&self, filter: &NodeFilter) -> Result<NodePage, ChError> {
        let limit = check_limit(filter.limit)?;
        let (all, _) = self.node_summaries(None).await?;
        let matching: Vec<NodeSummary> = all
            .into_values()
            .filter(|n| filter.market.as_ref().is_none_or(|m| &n.market == m || n.queued_in.contains(m)))
            .collect();
        let total = matching.len() as u64;
        let offset = usize::try_from(filter.offset).unwrap_or(usize::MAX);
        let items = matching.into_iter().skip(offset).take(limit as usize).collect();
        Ok(NodePage { items, total })
    }

    /// One node; `None` when the address never appeared as a node.
    pub async fn node(&self, address: &str) -> Result<Option<NodeDetail>, ChError> {
        let (mut all, running_jobs) = self.node_summaries(Some(address)).await?;
        let Some(summary) = all.remove(address) else { return Ok(None) };
        let sql = format!(
            "SELECT authority, slot, state FROM {} FINAL WHERE kind = 'node' AND closed = 0 AND authority = ? \
             ORDER BY slot DESC LIMIT 1",
            self.table("account_states")
        );
        let account = self
            .client()
            .query(&sql)
            .bind(address)
            .fetch_optional::<AccountRow>()
            .await?
            .map(|r| parse_state::<NodeAccountInfo>(&r.state));
        Ok(Some(NodeDetail { summary, account, running_jobs }))
    }

    /// Every node (or the one `only`), by address, and the jobs `only` runs now.
    async fn node_summaries(
        &self,
        only: Option<&str>,
    ) -> Result<(BTreeMap<String, NodeSummary>, Vec<String>), ChError> {
        let mut nodes: BTreeMap<String, NodeSummary> = BTreeMap::new();
        let wanted = |n: &str| only.is_none_or(|o| o == n);

        // Activity: job events, payouts, run accounts.
        let node_cond = if only.is_some() { "WHERE node = ?" } else { "" };
        let sql = format!(
            "SELECT node, argMax(market, if(market != '', last_slot, toUInt64(0))), countIf(job != ''), sum(earned), \
             max(last_slot), max(last_time) FROM \
             (SELECT node, job, argMaxMerge(market) AS market, maxMerge(last_slot) AS last_slot, \
              maxMerge(last_time) AS last_time, sumMerge(earned) AS earned FROM {} {node_cond} GROUP BY node, job) \
             GROUP BY node",
            self.table("node_activity")
        );
        let mut q = self.client().query(&sql);
        if let Some(o) = only {
            q = q.bind(o);
        }
        for r in q.fetch_all::<ActivityRow>().await? {
            {
                let n = entry(&mut nodes, &r.node);
                n.market = r.market;
                n.jobs = r.jobs;
                n.earned = r.earned;
                n.last_slot = r.last_slot;
                n.last_time = r.last_time;
            }
        }

        let states = self.table("account_states");
        // Registered nodes.
        let sql = format!(
            "SELECT authority, slot, '' FROM {states} FINAL WHERE kind = 'node' AND closed = 0 AND authority != ''"
        );
        for r in self.client().query(&sql).fetch_all::<AccountRow>().await? {
            if wanted(&r.authority) {
                {
                    let n = entry(&mut nodes, &r.authority);
                    n.registered = true;
                    n.last_slot = n.last_slot.max(r.slot);
                }
            }
        }

        // Open runs.
        let sql = format!(
            "SELECT authority, visitParamExtractString(state, 'job'), slot FROM {states} FINAL \
             WHERE kind = 'run' AND closed = 0 ORDER BY slot"
        );
        let mut running_jobs = Vec::new();
        for r in self.client().query(&sql).fetch_all::<RunRow>().await? {
            if wanted(&r.authority) && !r.authority.is_empty() {
                {
                    let n = entry(&mut nodes, &r.authority);
                    n.running += 1;
                    n.last_slot = n.last_slot.max(r.slot);
                }
                if only.is_some() {
                    running_jobs.push(r.job);
                }
            }
        }

        // Market node queues.
        let sql = format!(
            "SELECT pubkey, slot, state FROM {states} FINAL WHERE kind = 'market' AND closed = 0 ORDER BY pubkey"
        );
        for m in self.client().query(&sql).fetch_all::<AccountRow>().await? {
            let queue: QueueState = parse_state(&m.state);
            if queue.queue_type != QUEUE_NODES {
                continue;
            }
            for node in queue.queue.iter().filter(|n| wanted(n)) {
                {
                    let n = entry(&mut nodes, node);
                    // `authority` holds the market's address here (SELECT pubkey).
                    n.queued_in.push(m.authority.clone());
                }
            }
        }
        for n in nodes.values_mut() {
            if let Some(first) = n.queued_in.first() {
                n.market = first.clone();
            }
        }

        // Stakes of the nodes' wallets.
        if !nodes.is_empty() {
            let sql = format!(
                "SELECT authority, amount, visitParamExtractString(state, 'xnos') \
                 FROM {states} FINAL WHERE kind = 'stake' AND closed = 0 AND authority != ''{}",
                if only.is_some() { " AND authority = ?" } else { "" }
            );
            let mut q = self.client().query(&sql);
            if let Some(o) = only {
                q = q.bind(o);
            }
            for s in q.fetch_all::<StakeRow>().await? {
                if let Some(n) = nodes.get_mut(&s.authority) {
                    n.stake = s.amount;
                    n.xnos = s.xnos;
                }
            }
        }
        Ok((nodes, running_jobs))
    }
}
