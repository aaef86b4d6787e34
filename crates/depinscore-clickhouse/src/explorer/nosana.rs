//! The aggregates behind the routes Nosana's own indexer serves (`/jobs/stats`, `/stats`):
//! completed jobs' runtime and payments per day, and the stake totals.
//!
//! Nosana's indexer computes these from its copy of the job and stake accounts. Here they come
//! from the indexed chain: a job's runtime from its run start and finish events (capped by
//! its timeout, as Nosana caps it), and what it paid from its payout and fee flows rather than
//! `runtime × price`, so a cleaned (closed) job account loses nothing.

use clickhouse::Row;
use serde::Deserialize;

use crate::{ChError, ChStore};

/// Which completed jobs `/jobs/stats` counts. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompletedJobsFilter {
    pub market: Option<String>,
    /// A node that ran the job.
    pub node: Option<String>,
    pub project: Option<String>,
    pub payer: Option<String>,
    /// Started at or after (Unix seconds).
    pub started_from: Option<u32>,
    /// Ended at or before (Unix seconds).
    pub ended_to: Option<u32>,
}

/// What the completed jobs of one day are grouped by besides the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletedJobsGroup {
    Market,
    Project,
}

/// Completed jobs that started on one UTC day (and share one group key).
#[derive(Clone, Debug, PartialEq, Eq, Row, Deserialize)]
pub struct CompletedJobsDay {
    /// Days since 1970-01-01 of the run's start.
    pub day: u32,
    /// The market or project grouped by (empty when not grouped).
    pub key: String,
    pub completed: u64,
    /// Σ min(end − start, timeout), seconds.
    pub duration: u64,
    /// NOS paid to the nodes, base units.
    pub payout: u64,
    /// Network fees, base units.
    pub fee: u64,
}

/// Stake accounts as Nosana's `refreshStats` counts them at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Row, Deserialize)]
pub struct StakeTotals {
    /// Open stake accounts not yet fully unlocked.
    pub stakers: u64,
    /// NOS still locked, base units: the whole amount while staked, falling linearly to zero
    /// over the lock duration once unstaked.
    pub nos_staked: f64,
    /// Σ xNOS of those accounts, base units.
    pub xnos: f64,
}

impl ChStore {
    /// Completed jobs (newest state event a finish or end, with a run start and an end) per
    /// start day and group, over the filter.
    pub async fn completed_jobs_by_day(
        &self,
        filter: &CompletedJobsFilter,
        group: Option<CompletedJobsGroup>,
    ) -> Result<Vec<CompletedJobsDay>, ChError> {
        let mut having = String::from("s IN ('finish', 'end') AND st > 0 AND en > 0");
        let mut args: Vec<&str> = Vec::new();
        let mut nums: Vec<u32> = Vec::new();
        for (column, value) in [("m", &filter.market), ("p", &filter.project), ("py", &filter.payer)] {
            if let Some(v) = value {
                having.push_str(&format!(" AND {column} = ?"));
                args.push(v);
            }
        }
        if let Some(t) = filter.started_from {
            having.push_str(" AND st >= ?");
            nums.push(t);
        }
        if let Some(t) = filter.ended_to {
            having.push_str(" AND en <= ?");
            nums.push(t);
        }
        let node = match &filter.node {
            Some(_) => format!("WHERE job IN (SELECT job FROM {} WHERE node = ?)", self.table("node_activity")),
            None => String::new(),
        };
        let key = match group {
            Some(CompletedJobsGroup::Market) => "m",
            Some(CompletedJobsGroup::Project) => "p",
            None => "''",
        };
        let sql = format!(
            "SELECT toUInt32(intDiv(st, 86400)) AS day, {key} AS key, count() AS completed, \
             toUInt64(sum(if(tmo > 0, least(en - st, toUInt64(tmo)), en - st))) AS duration, \
             sum(payout) AS payout, sum(fee) AS fee \
             FROM (SELECT job, argMaxMerge(state_kind) AS s, toUInt64(argMaxMerge(started_at)) AS st, \
               toUInt64(greatest(maxMerge(ended_at), argMaxMerge(started_at))) AS en, argMaxMerge(timeout) AS tmo, \
               maxMerge(market) AS m, maxMerge(project) AS p, maxMerge(payer) AS py, \
               sumMerge(payout) AS payout, sumMerge(fee) AS fee \
               FROM {} {node} GROUP BY job HAVING {having}) \
             GROUP BY day, key ORDER BY day, key",
            self.table("job_activity")
        );
        let mut q = self.client().query(&sql);
        if let Some(n) = &filter.node {
            q = q.bind(n.as_str());
        }
        for a in args {
            q = q.bind(a);
        }
        for n in nums {
            q = q.bind(n);
        }
        Ok(q.fetch_all::<CompletedJobsDay>().await?)
    }

    /// Stake totals at `now` (Unix seconds), from the latest stake account states.
    pub async fn stake_totals(&self, now: i64) -> Result<StakeTotals, ChError> {
        let sql = format!(
            "SELECT count(), sum(locked), sum(xnos) FROM \
             (SELECT toFloat64(amount) AS amount, visitParamExtractInt(state, 'time_unstake') AS unstaked, \
               toFloat64(greatest(visitParamExtractUInt(state, 'duration'), 1)) AS duration, \
               toFloat64OrZero(visitParamExtractString(state, 'xnos')) AS xnos, \
               if(unstaked = 0, amount, amount * (1 - (? - unstaked) / duration)) AS locked \
               FROM {} FINAL WHERE kind = 'stake' AND closed = 0) \
             WHERE unstaked = 0 OR ? - unstaked < duration",
            self.table("account_states")
        );
        Ok(self.client().query(&sql).bind(now).bind(now).fetch_one::<StakeTotals>().await?)
    }
}
