//! Markets (with their live queues and job counts) and the latest stake, reward and pool
//! accounts, keyset-paged by address.

use clickhouse::Row;
use serde::{Deserialize, Serialize};

use super::{Decimal, check_limit, is_base58_key, parse_state};
use crate::{ChError, ChStore};

/// Paging of account lists: by address, after `after`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AccountPage {
    /// The last address of the previous page (its `next`).
    pub after: Option<String>,
    /// 1..=500.
    pub limit: u32,
    /// Include accounts closed since (their fields are zero: a closed account has no data).
    pub include_closed: bool,
}

impl Default for AccountPage {
    fn default() -> Self {
        Self { after: None, limit: 50, include_closed: false }
    }
}

/// A page of accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

/// A stake account's latest state.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StakeItem {
    pub address: String,
    pub slot: u64,
    pub closed: bool,
    pub authority: String,
    /// NOS staked, base units.
    pub amount: u64,
    /// Lock duration, seconds.
    pub duration: u64,
    /// 0 while staked; when unstaking started otherwise.
    pub time_unstake: i64,
    /// xNOS (u128 as a decimal string).
    pub xnos: String,
    pub vault: String,
}

/// A rewards-program reward account's latest state.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RewardItem {
    pub address: String,
    pub slot: u64,
    pub closed: bool,
    pub authority: String,
    /// u128 decimal strings.
    pub reflection: String,
    pub xnos: String,
}

/// A pool account's latest state.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PoolItem {
    pub address: String,
    pub slot: u64,
    pub closed: bool,
    pub authority: String,
    /// Token account the emission goes to.
    pub beneficiary: String,
    /// 0 Transfer, 1 AddFee, 255 Unknown.
    pub claim_type: u8,
    pub claimed_tokens: u64,
    pub closeable: bool,
    /// Base units per second.
    pub emission: u64,
    pub start_time: i64,
    pub vault: String,
}

/// A market's decoded state and job counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MarketSummary {
    pub address: String,
    pub slot: u64,
    pub closed: bool,
    pub authority: String,
    pub job_expiration: i64,
    /// Base units per second.
    pub job_price: u64,
    pub job_timeout: i64,
    pub job_type: u8,
    pub vault: String,
    /// NOS in the vault now (deposits of open jobs), when the vault is indexed.
    pub vault_balance: Option<u64>,
    pub node_access_key: String,
    pub node_xnos_minimum: Decimal,
    /// 0 jobs, 1 nodes, 255 empty.
    pub queue_type: u8,
    pub queue_length: u64,
    pub jobs: MarketJobCounts,
}

/// Job events of one market, from the daily rollup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MarketJobCounts {
    /// Jobs listed (`list`, which `assign` also emits).
    pub listed: u64,
    /// Runs started (`assign`, including a `work` or `list` that popped the queue, and `claim`).
    pub started: u64,
    /// `finish` and `end`.
    pub completed: u64,
    pub delisted: u64,
}

/// A market with its live queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MarketDetail {
    pub summary: MarketSummary,
    /// Queued jobs (queue_type 0) or node wallets (1), first in line first.
    pub queue: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct MarketState {
    authority: String,
    job_expiration: i64,
    job_price: u64,
    job_timeout: i64,
    job_type: u8,
    vault: String,
    node_access_key: String,
    node_xnos_minimum: Decimal,
    queue_type: u8,
    queue: Vec<String>,
}

#[derive(Row, Deserialize)]
struct MarketRow {
    pubkey: String,
    slot: u64,
    closed: u8,
    state: String,
}

#[derive(Row, Deserialize)]
struct CountRow {
    market: String,
    kind: String,
    events: u64,
}

impl ChStore {
    /// Every market account (closed ones too, flagged), by address.
    pub async fn markets(&self) -> Result<Vec<MarketSummary>, ChError> {
        Ok(self.market_details(None).await?.into_iter().map(|m| m.summary).collect())
    }

    /// One market with its queue; `None` when no market account has this address.
    pub async fn market(&self, address: &str) -> Result<Option<MarketDetail>, ChError> {
        Ok(self.market_details(Some(address)).await?.into_iter().next())
    }

    async fn market_details(&self, only: Option<&str>) -> Result<Vec<MarketDetail>, ChError> {
        let states = self.table("account_states");
        let cond = if only.is_some() { " AND pubkey = ?" } else { "" };
        let sql = format!(
            "SELECT pubkey, slot, closed, state FROM {states} FINAL WHERE kind = 'market'{cond} ORDER BY pubkey"
        );
        let mut q = self.client().query(&sql);
        if let Some(o) = only {
            q = q.bind(o);
        }
        let rows = q.fetch_all::<MarketRow>().await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let cond = if only.is_some() { " AND market = ?" } else { "" };
        let sql = format!(
            "SELECT market, kind, sum(events) FROM {} WHERE kind IN ('list', 'assign', 'claim', 'finish', 'end', \
             'delist'){cond} GROUP BY market, kind",
            self.table("daily_job_events")
        );
        let mut q = self.client().query(&sql);
        if let Some(o) = only {
            q = q.bind(o);
        }
        let counts = q.fetch_all::<CountRow>().await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut vaults = Vec::new();
        for r in rows {
            let s: MarketState = parse_state(&r.state);
            let mut jobs = MarketJobCounts::default();
            for c in counts.iter().filter(|c| c.market == r.pubkey) {
                match c.kind.as_str() {
                    "list" => jobs.listed += c.events,
                    "assign" | "claim" => jobs.started += c.events,
                    "finish" | "end" => jobs.completed += c.events,
                    "delist" => jobs.delisted += c.events,
                    _ => {}
                }
            }
            if !s.vault.is_empty() {
                vaults.push(s.vault.clone());
            }
            out.push(MarketDetail {
                summary: MarketSummary {
                    address: r.pubkey,
                    slot: r.slot,
                    closed: r.closed != 0,
                    authority: s.authority,
                    job_expiration: s.job_expiration,
                    job_price: s.job_price,
                    job_timeout: s.job_timeout,
                    job_type: s.job_type,
                    vault: s.vault,
                    vault_balance: None,
                    node_access_key: s.node_access_key,
                    node_xnos_minimum: s.node_xnos_minimum,
                    queue_type: s.queue_type,
                    queue_length: s.queue.len() as u64,
                    jobs,
                },
                queue: s.queue,
            });
        }
        if !vaults.is_empty() {
            let sql = format!(
                "SELECT pubkey, amount FROM {states} FINAL WHERE kind = 'token_account' AND closed = 0 AND has(?, pubkey)"
            );
            let balances = self.client().query(&sql).bind(&vaults).fetch_all::<(String, u64)>().await?;
            for m in &mut out {
                m.summary.vault_balance = balances.iter().find(|(k, _)| *k == m.summary.vault).map(|(_, a)| *a);
            }
        }
        Ok(out)
    }

    /// Stake accounts, by address.
    pub async fn stakes(&self, page: &AccountPage) -> Result<Paged<StakeItem>, ChError> {
        self.account_page(
            "stake",
            "authority, amount, visitParamExtractUInt(state, 'duration'), visitParamExtractInt(state, 'time_unstake'), \
             visitParamExtractString(state, 'xnos'), visitParamExtractString(state, 'vault')",
            page,
            |s: &StakeItem| s.address.clone(),
        )
        .await
    }

    /// Reward accounts, by address.
    pub async fn rewards(&self, page: &AccountPage) -> Result<Paged<RewardItem>, ChError> {
        self.account_page(
            "reward",
            "authority, visitParamExtractString(state, 'reflection'), visitParamExtractString(state, 'xnos')",
            page,
            |s: &RewardItem| s.address.clone(),
        )
        .await
    }

    /// Pool accounts, by address.
    pub async fn pools(&self, page: &AccountPage) -> Result<Paged<PoolItem>, ChError> {
        self.account_page(
            "pool",
            "authority, visitParamExtractString(state, 'beneficiary'), \
             toUInt8(visitParamExtractUInt(state, 'claim_type')), visitParamExtractUInt(state, 'claimed_tokens'), \
             visitParamExtractBool(state, 'closeable') != 0, visitParamExtractUInt(state, 'emission'), \
             visitParamExtractInt(state, 'start_time'), visitParamExtractString(state, 'vault')",
            page,
            |s: &PoolItem| s.address.clone(),
        )
        .await
    }

    /// Latest accounts of `kind` with `columns` after (address, slot, closed).
    async fn account_page<T>(
        &self,
        kind: &str,
        columns: &str,
        page: &AccountPage,
        key: impl Fn(&T) -> String,
    ) -> Result<Paged<T>, ChError>
    where
        T: clickhouse::RowOwned + clickhouse::RowRead,
    {
        let limit = check_limit(page.limit)?;
        if let Some(a) = &page.after
            && !is_base58_key(a)
        {
            return Err(ChError::InvalidCursor("`after` is not an address".into()));
        }
        let closed = if page.include_closed { "" } else { " AND closed = 0" };
        let sql = format!(
            "SELECT pubkey, slot, closed != 0, {columns} FROM {} FINAL WHERE kind = ? AND pubkey > ?{closed} \
             ORDER BY pubkey LIMIT ?",
            self.table("account_states")
        );
        let mut items = self
            .client()
            .query(&sql)
            .bind(kind)
            .bind(page.after.as_deref().unwrap_or(""))
            .bind(limit + 1)
            .fetch_all::<T>()
            .await?;
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next = if more { items.last().map(key) } else { None };
        Ok(Paged { items, next })
    }
}
