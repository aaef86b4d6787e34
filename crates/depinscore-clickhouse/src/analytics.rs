//! Row streams the analytics loader reads: every flow and job event in chain order (so the
//! interned ids, and the input hash, are the same for the same data), open stakes, and the
//! supply facts. Rows are streamed, never collected here.

use clickhouse::Row;
use clickhouse::query::RowCursor;
use serde::{Deserialize, Serialize};

use crate::{ChError, ChStore};

/// One token flow, as the engine reads it.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct FlowFact {
    pub block_time: u32,
    pub slot: u64,
    pub kind: String,
    pub wallet: String,
    pub subject: String,
    pub market: String,
    pub amount: u64,
}

/// One job event, as the engine reads it.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct JobEventFact {
    pub block_time: u32,
    pub slot: u64,
    pub kind: String,
    pub job: String,
    pub run: String,
    pub market: String,
    pub node: String,
    pub project: String,
    pub payer: String,
}

/// An open stake account now.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct StakeFact {
    pub authority: String,
    pub amount: u64,
    /// xNOS as the account's decimal string.
    pub xnos: String,
    pub time_unstake: i64,
}

/// The indexed chain's extent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct ChainExtent {
    pub slots: u64,
    pub first_slot: u64,
    pub last_slot: u64,
    pub first_time: u32,
    pub last_time: u32,
}

impl ChStore {
    /// Flows of slots `from_slot..=until_slot`, in chain order.
    pub fn flow_facts(&self, from_slot: u64, until_slot: u64) -> Result<RowCursor<FlowFact>, ChError> {
        let sql = format!(
            "SELECT toUInt32(block_time), slot, kind, wallet, subject, market, amount FROM {} FINAL \
             WHERE slot >= ? AND slot <= ? ORDER BY slot, tx_index, ix, inner",
            self.table("token_flows")
        );
        Ok(self.client().query(&sql).bind(from_slot).bind(until_slot).fetch()?)
    }

    /// Job events of slots `from_slot..=until_slot`, in chain order.
    pub fn job_event_facts(&self, from_slot: u64, until_slot: u64) -> Result<RowCursor<JobEventFact>, ChError> {
        let sql = format!(
            "SELECT toUInt32(block_time), slot, kind, job, run, market, node, project, payer FROM {} FINAL \
             WHERE slot >= ? AND slot <= ? ORDER BY slot, tx_index, ix, inner, kind",
            self.table("job_events")
        );
        Ok(self.client().query(&sql).bind(from_slot).bind(until_slot).fetch()?)
    }

    /// Open stake accounts (latest state), by address.
    pub async fn stake_facts(&self) -> Result<Vec<StakeFact>, ChError> {
        let sql = format!(
            "SELECT authority, amount, visitParamExtractString(state, 'xnos'), \
             visitParamExtractInt(state, 'time_unstake') FROM {} FINAL \
             WHERE kind = 'stake' AND closed = 0 ORDER BY pubkey",
            self.table("account_states")
        );
        Ok(self.client().query(&sql).fetch_all().await?)
    }

    /// The NOS mint's supply now, if the mint account is indexed.
    pub async fn mint_supply(&self) -> Result<Option<u64>, ChError> {
        let sql = format!(
            "SELECT amount FROM {} FINAL WHERE kind = 'mint' AND closed = 0 ORDER BY pubkey",
            self.table("account_states")
        );
        Ok(self.client().query(&sql).fetch_all::<u64>().await?.into_iter().next())
    }

    /// NOS held now by pool vaults, the rewards vault, and token accounts owned by `wallets`.
    pub async fn locked_supply(&self, wallets: &[String]) -> Result<u64, ChError> {
        let states = self.table("account_states");
        // 18.16 types an empty bound array as Array(Nothing), which `has` refuses.
        let treasury = if wallets.is_empty() { "" } else { " OR has(?, authority)" };
        let sql = format!(
            "SELECT sum(amount) FROM {states} FINAL WHERE kind = 'token_account' AND closed = 0 AND \
             (pubkey IN (SELECT visitParamExtractString(state, 'vault') FROM {states} FINAL \
                         WHERE kind IN ('pool', 'reflection') AND closed = 0){treasury})"
        );
        let query = self.client().query(&sql);
        let query = if wallets.is_empty() { query } else { query.bind(wallets) };
        Ok(query.fetch_one::<u64>().await?)
    }

    /// Slots stored with their first and last block time.
    pub async fn chain_extent(&self) -> Result<ChainExtent, ChError> {
        let sql = format!(
            "SELECT count(), min(slot), max(slot), toUInt32(min(block_time)), toUInt32(max(block_time)) FROM {} FINAL",
            self.table("slots")
        );
        Ok(self.client().query(&sql).fetch_one::<ChainExtent>().await?)
    }

    /// How many slots are indexed at or before `slot` (a follower compares it between loads:
    /// a backfill of older slots changes it).
    pub async fn slots_until(&self, slot: u64) -> Result<u64, ChError> {
        let sql = format!("SELECT count() FROM {} FINAL WHERE slot <= ?", self.table("slots"));
        Ok(self.client().query(&sql).bind(slot).fetch_one::<u64>().await?)
    }

    /// The highest indexed slot at or before `slot`, with its block time.
    pub async fn slot_at_or_before(&self, slot: u64) -> Result<Option<(u64, u32)>, ChError> {
        let sql = format!(
            "SELECT slot, toUInt32(block_time) FROM {} FINAL WHERE slot <= ? ORDER BY slot DESC LIMIT 1",
            self.table("slots")
        );
        Ok(self.client().query(&sql).bind(slot).fetch_all::<(u64, u32)>().await?.into_iter().next())
    }

    /// The highest indexed slot whose block time is at or before `time`, with its block time.
    pub async fn slot_at_or_before_time(&self, time: u32) -> Result<Option<(u64, u32)>, ChError> {
        let sql = format!(
            "SELECT slot, toUInt32(block_time) FROM {} FINAL WHERE toUInt32(block_time) <= ? \
             ORDER BY slot DESC LIMIT 1",
            self.table("slots")
        );
        Ok(self.client().query(&sql).bind(time).fetch_all::<(u64, u32)>().await?.into_iter().next())
    }
}
