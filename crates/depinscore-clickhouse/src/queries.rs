//! Read queries over deduplicated data (`FINAL`), used by `verify` and the engine's loader.
//! Every value reaches SQL through `bind`; table names are constants.

use clickhouse::Row;
use serde::{Deserialize, Serialize};

use crate::{ChError, ChStore};

/// Count and sum of one flow kind.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct FlowTotal {
    pub kind: String,
    pub flows: u64,
    pub amount: u64,
}

/// Count of one job event kind.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct JobEventCount {
    pub kind: String,
    pub events: u64,
}

/// Rows of a table after deduplication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCount {
    pub table: String,
    pub rows: u64,
}

/// Per-subject sums of one flow kind (e.g. each job's payouts).
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct SubjectFlow {
    pub subject: String,
    pub kind: String,
    pub amount: u64,
}

/// The newest state of one account.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct LatestAccount {
    pub pubkey: String,
    pub kind: String,
    pub program: String,
    pub slot: u64,
    pub closed: u8,
    pub lamports: u64,
    pub amount: u64,
    pub state: String,
}

/// Counts of quarantined items by source and reason.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct QuarantineCount {
    pub source: String,
    pub reason: String,
    pub items: u64,
}

/// One quarantined item: where it was, what it was and why it did not decode.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct QuarantinedItem {
    pub slot: u64,
    pub signature: String,
    pub source: String,
    pub account: String,
    pub program: String,
    pub reason: String,
}

impl ChStore {
    /// Flow totals by kind, up to and including `until_slot`.
    pub async fn flow_totals(&self, until_slot: u64) -> Result<Vec<FlowTotal>, ChError> {
        let sql = format!(
            "SELECT kind, count(), sum(amount) FROM {} FINAL WHERE slot <= ? GROUP BY kind ORDER BY kind",
            self.table("token_flows")
        );
        Ok(self.client().query(&sql).bind(until_slot).fetch_all().await?)
    }

    /// Flow totals by kind from the daily rollup (all time).
    pub async fn daily_flow_totals(&self) -> Result<Vec<FlowTotal>, ChError> {
        let sql = format!(
            "SELECT kind, sum(flows), sum(amount) FROM {} GROUP BY kind ORDER BY kind",
            self.table("daily_flows")
        );
        Ok(self.client().query(&sql).fetch_all().await?)
    }

    /// Sums per (subject, kind) for flows with a subject.
    pub async fn subject_flows(&self, until_slot: u64) -> Result<Vec<SubjectFlow>, ChError> {
        let sql = format!(
            "SELECT subject, kind, sum(amount) FROM {} FINAL WHERE slot <= ? AND subject != '' \
             GROUP BY subject, kind ORDER BY subject, kind",
            self.table("token_flows")
        );
        Ok(self.client().query(&sql).bind(until_slot).fetch_all().await?)
    }

    /// Job event counts by kind.
    pub async fn job_event_counts(&self, until_slot: u64) -> Result<Vec<JobEventCount>, ChError> {
        let sql = format!(
            "SELECT kind, count() FROM {} FINAL WHERE slot <= ? GROUP BY kind ORDER BY kind",
            self.table("job_events")
        );
        Ok(self.client().query(&sql).bind(until_slot).fetch_all().await?)
    }

    /// Job event counts by kind from the daily rollup.
    pub async fn daily_job_event_counts(&self) -> Result<Vec<JobEventCount>, ChError> {
        let sql =
            format!("SELECT kind, sum(events) FROM {} GROUP BY kind ORDER BY kind", self.table("daily_job_events"));
        Ok(self.client().query(&sql).fetch_all().await?)
    }

    /// Successful and failed transactions up to `until_slot`.
    pub async fn transaction_counts(&self, until_slot: u64) -> Result<(u64, u64), ChError> {
        let sql = format!(
            "SELECT countIf(success = 1), countIf(success = 0) FROM {} FINAL WHERE slot <= ?",
            self.table("transactions")
        );
        Ok(self.client().query(&sql).bind(until_slot).fetch_one::<(u64, u64)>().await?)
    }

    /// Deduplicated row counts of the main tables.
    pub async fn table_counts(&self) -> Result<Vec<TableCount>, ChError> {
        let mut out = Vec::new();
        for t in ["slots", "transactions", "instructions", "job_events", "token_flows", "account_states", "quarantine"]
        {
            let rows =
                self.client().query(&format!("SELECT count() FROM {} FINAL", self.table(t))).fetch_one::<u64>().await?;
            out.push(TableCount { table: t.to_string(), rows });
        }
        Ok(out)
    }

    /// Raw (not deduplicated) row counts, to see duplicates a replay may have left.
    pub async fn raw_table_count(&self, table: &str) -> Result<u64, ChError> {
        crate::config::check_identifier(table)?;
        Ok(self.client().query(&format!("SELECT count() FROM {}", self.table(table))).fetch_one::<u64>().await?)
    }

    /// The newest state of every account (closed ones included).
    pub async fn latest_accounts(&self) -> Result<Vec<LatestAccount>, ChError> {
        let sql = format!(
            "SELECT pubkey, kind, program, slot, closed, lamports, amount, state FROM {} FINAL ORDER BY pubkey",
            self.table("account_states")
        );
        Ok(self.client().query(&sql).fetch_all().await?)
    }

    /// Quarantined items by source and reason.
    pub async fn quarantine_counts(&self) -> Result<Vec<QuarantineCount>, ChError> {
        let sql = format!(
            "SELECT source, reason, count() FROM {} FINAL GROUP BY source, reason ORDER BY source, reason",
            self.table("quarantine")
        );
        Ok(self.client().query(&sql).fetch_all().await?)
    }

    /// Every quarantined item, in slot order.
    pub async fn quarantined_items(&self) -> Result<Vec<QuarantinedItem>, ChError> {
        let sql = format!(
            "SELECT slot, signature, source, account, program, reason FROM {} FINAL \
             ORDER BY slot, signature, ix, inner, account",
            self.table("quarantine")
        );
        Ok(self.client().query(&sql).fetch_all().await?)
    }

    /// Which of `slots` hold a stored block or transaction (none should, for dead slots).
    pub async fn stored_among(&self, slots: &[u64]) -> Result<Vec<u64>, ChError> {
        if slots.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT DISTINCT slot FROM (SELECT slot FROM {} WHERE has(?, slot) \
             UNION ALL SELECT slot FROM {} WHERE has(?, slot)) ORDER BY slot",
            self.table("slots"),
            self.table("transactions")
        );
        Ok(self.client().query(&sql).bind(slots).bind(slots).fetch_all().await?)
    }

    /// Slots stored, and the lowest and highest.
    pub async fn slot_range(&self) -> Result<(u64, u64, u64), ChError> {
        let sql = format!("SELECT count(), min(slot), max(slot) FROM {} FINAL", self.table("slots"));
        Ok(self.client().query(&sql).fetch_one::<(u64, u64, u64)>().await?)
    }
}
