//! Exactly-once writes of contiguous slot batches.
//!
//! Each table receives one `INSERT` per batch, which ClickHouse applies atomically as long as it
//! stays below `max_insert_block_size` rows (the indexer caps batches well below). After a crash
//! the indexer resumes from its checkpoint and may send slots again: for every table the writer
//! first asks how many rows of each of the batch's slots the table already holds and skips
//! that many (a slot an interrupted INSERT stored in part gets the rest), so the materialized
//! rollups never count a row twice. The content tables' INSERTs run concurrently; the `slots`
//! row is written after all of them and marks a slot as complete. ReplacingMergeTree keys
//! deduplicate any remaining overlap for `FINAL` reads.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clickhouse::{Client, Row, RowOwned, RowWrite};
use serde::Serialize;

use crate::migrate::{self, AppliedMigration};
use crate::rows::*;
use crate::{ChConfig, ChError, WriteFence};

/// A fenced INSERT checks its fence again after this many rows: a writer whose fence has closed
/// sends at most this many rows more, then abandons the INSERT.
pub const FENCE_CHECK_ROWS: u64 = 256;

/// Rows for the contiguous slot range `first..=last`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlotBatch {
    pub first: u64,
    pub last: u64,
    pub slots: Vec<SlotRow>,
    pub transactions: Vec<TransactionRow>,
    pub instructions: Vec<InstructionRow>,
    pub job_events: Vec<JobEventRow>,
    pub token_flows: Vec<TokenFlowRow>,
    pub account_states: Vec<AccountStateRow>,
    pub quarantine: Vec<QuarantineRow>,
}

impl SlotBatch {
    /// Rows in all tables.
    pub fn rows(&self) -> usize {
        self.slots.len()
            + self.transactions.len()
            + self.instructions.len()
            + self.job_events.len()
            + self.token_flows.len()
            + self.account_states.len()
            + self.quarantine.len()
    }

    /// Append another batch that starts after this one.
    pub fn append(&mut self, mut other: SlotBatch) {
        if self.slots.is_empty() && self.rows() == 0 {
            self.first = other.first;
        }
        self.last = self.last.max(other.last);
        self.slots.append(&mut other.slots);
        self.transactions.append(&mut other.transactions);
        self.instructions.append(&mut other.instructions);
        self.job_events.append(&mut other.job_events);
        self.token_flows.append(&mut other.token_flows);
        self.account_states.append(&mut other.account_states);
        self.quarantine.append(&mut other.quarantine);
    }
}

/// What a write did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub rows_written: u64,
    /// Rows of slots a table already held (a replay after a crash).
    pub rows_skipped: u64,
}

/// The indexer's handle on ClickHouse.
pub struct ChStore {
    client: Client,
    inserter: Client,
    database: String,
    /// Where migrations create the schema (empty: this server).
    cluster: String,
    /// Highest slot any table may hold; batches above it skip the "already there?" queries.
    high_water: AtomicU64,
    /// When set, every write first checks it (one active writer per stream).
    fence: Option<WriteFence>,
}

trait HasSlot {
    fn slot(&self) -> u64;
}

macro_rules! has_slot {
    ($($t:ty),*) => { $(impl HasSlot for $t { fn slot(&self) -> u64 { self.slot } })* };
}
has_slot!(SlotRow, TransactionRow, InstructionRow, JobEventRow, TokenFlowRow, AccountStateRow, QuarantineRow);

impl ChStore {
    /// Connect, apply pending migrations and read the high-water slot.
    pub async fn open(config: &ChConfig, now: u32) -> Result<Self, ChError> {
        let client = config.client()?;
        migrate::migrate(&client, &config.database, &config.cluster, now).await?;
        let store = Self {
            client,
            inserter: config.insert_client()?,
            database: config.database.clone(),
            cluster: config.cluster.clone(),
            high_water: AtomicU64::new(0),
            fence: None,
        };
        let hw = store.max_slot_in_any_table().await?;
        store.high_water.store(hw.unwrap_or(0), Ordering::SeqCst);
        Ok(store)
    }

    /// Connect without migrating (read-only users).
    pub fn connect(config: &ChConfig) -> Result<Self, ChError> {
        Ok(Self {
            client: config.client()?,
            inserter: config.insert_client()?,
            database: config.database.clone(),
            cluster: config.cluster.clone(),
            high_water: AtomicU64::new(u64::MAX),
            fence: None,
        })
    }

    /// This store writes only while `fence` is open: every batch, every table's INSERT (before
    /// it starts, every [`FENCE_CHECK_ROWS`] rows and before it is completed) and every
    /// snapshot checks it, and a closed fence fails the write with [`ChError::Fenced`] (an
    /// INSERT not completed is abandoned). The fence's margin is not checked against the
    /// server: a lease holder uses [`fenced`](Self::fenced).
    pub fn with_fence(mut self, fence: WriteFence) -> Self {
        self.fence = Some(fence);
        self
    }

    /// [`with_fence`](Self::with_fence), after widening the fence's margin to the server's
    /// [`insert_stall_timeout`](Self::insert_stall_timeout) and a second. A writer paused
    /// mid-INSERT stops sending when its fence closes; ClickHouse fails that INSERT once its
    /// body has been silent for the timeout, so it cannot be applied (not even the part of its
    /// rows received, as 18.16 does when the connection closes) after a standby has taken the
    /// lease and checked what each table holds. Fails with [`ChError::FenceTooNarrow`] when the
    /// lease is too short for that.
    pub async fn fenced(self, fence: WriteFence) -> Result<Self, ChError> {
        let timeout = self.insert_stall_timeout().await?;
        fence.require_margin(timeout + Duration::from_secs(1))?;
        Ok(self.with_fence(fence))
    }

    /// How long the server waits for the next bytes of a request body before failing the
    /// request: its `http_receive_timeout`, as this user's profile reports it (the HTTP server
    /// takes it from the default profile).
    pub async fn insert_stall_timeout(&self) -> Result<Duration, ChError> {
        let value = self
            .client
            .query("SELECT value FROM system.settings WHERE name = 'http_receive_timeout'")
            .fetch_one::<String>()
            .await?;
        value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| ChError::UnexpectedAnswer(format!("http_receive_timeout = {value:?}")))
    }

    fn check_fence(&self) -> Result<(), ChError> {
        self.fence.as_ref().map_or(Ok(()), WriteFence::check)
    }

    /// Apply pending migrations.
    pub async fn migrate(&self, now: u32) -> Result<Vec<AppliedMigration>, ChError> {
        migrate::migrate(&self.client, &self.database, &self.cluster, now).await
    }

    /// Migrations recorded as applied.
    pub async fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, ChError> {
        migrate::applied(&self.client, &self.database).await
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    /// `database.table`.
    pub fn table(&self, name: &str) -> String {
        format!("{}.{}", self.database, name)
    }

    /// Check the server answers.
    pub async fn ping(&self) -> Result<(), ChError> {
        self.client.query("SELECT 1").fetch_one::<u8>().await?;
        Ok(())
    }

    async fn max_slot_in_any_table(&self) -> Result<Option<u64>, ChError> {
        let mut max = None;
        for t in ["slots", "transactions", "instructions", "job_events", "token_flows", "account_states", "quarantine"]
        {
            let (n, m) = self
                .client
                .query(&format!("SELECT count(), max(slot) FROM {}", self.table(t)))
                .fetch_one::<(u64, u64)>()
                .await?;
            if n > 0 {
                max = Some(max.unwrap_or(0).max(m));
            }
        }
        Ok(max)
    }

    /// Highest slot in `slots` (a fully written slot), if any.
    pub async fn last_written_slot(&self) -> Result<Option<u64>, ChError> {
        let (n, m) = self
            .client
            .query(&format!("SELECT count(), max(slot) FROM {}", self.table("slots")))
            .fetch_one::<(u64, u64)>()
            .await?;
        Ok((n > 0).then_some(m))
    }

    /// Write a batch exactly once per table (see the module docs).
    pub async fn write(&self, batch: &SlotBatch) -> Result<WriteReport, ChError> {
        self.check_fence()?;
        let check = batch.first <= self.high_water.load(Ordering::SeqCst);
        let result = self.write_tables(batch, check).await;
        // Whatever happened, some tables may now hold these slots (an INSERT can be applied
        // even when its answer is lost): a retry must check.
        self.high_water.fetch_max(batch.last, Ordering::SeqCst);
        result
    }

    /// The six content tables at once (their INSERTs are independent; ClickHouse works on
    /// them in parallel while this side serialises the next), then `slots`, which marks the
    /// batch's slots complete.
    async fn write_tables(&self, batch: &SlotBatch, check: bool) -> Result<WriteReport, ChError> {
        let reports = tokio::try_join!(
            self.write_table("quarantine", &batch.quarantine, batch, check),
            self.write_table("account_states", &batch.account_states, batch, check),
            self.write_table("instructions", &batch.instructions, batch, check),
            self.write_table("job_events", &batch.job_events, batch, check),
            self.write_table("token_flows", &batch.token_flows, batch, check),
            self.write_table("transactions", &batch.transactions, batch, check),
        )?;
        let slots = self.write_table("slots", &batch.slots, batch, check).await?;
        let (a, b, c, d, e, f) = reports;
        Ok([a, b, c, d, e, f, slots].into_iter().fold(WriteReport::default(), |sum, r| WriteReport {
            rows_written: sum.rows_written + r.rows_written,
            rows_skipped: sum.rows_skipped + r.rows_skipped,
        }))
    }

    async fn write_table<T>(
        &self,
        table: &str,
        rows: &[T],
        batch: &SlotBatch,
        check: bool,
    ) -> Result<WriteReport, ChError>
    where
        T: Row + RowOwned + RowWrite + Serialize + HasSlot,
    {
        let mut report = WriteReport::default();
        if rows.is_empty() {
            return Ok(report);
        }
        self.check_fence()?;
        if let Some(r) = rows.iter().find(|r| r.slot() < batch.first || r.slot() > batch.last) {
            return Err(ChError::RowOutsideBatch { first: batch.first, last: batch.last, slot: r.slot() });
        }
        // Rows each slot already has in the table. An INSERT cut short by a crash can have stored
        // a prefix of its rows, in write order (ClickHouse applies the complete compressed chunks
        // it received): of a slot held in part, its first `held` rows are skipped and the rest
        // written. Rows are produced in the same order on every replay.
        // States read over JSON-RPC (snapshots, repairs) are not a slot's streamed rows.
        let streamed_only = if table == "account_states" {
            format!(" AND bitAnd(version, {}) = 0", crate::rows::OUT_OF_BAND_VERSION)
        } else {
            String::new()
        };
        let held: HashMap<u64, u64> = if check {
            self.client
                .query(&format!(
                    "SELECT slot, count() FROM {} WHERE slot >= ? AND slot <= ?{streamed_only} GROUP BY slot",
                    self.table(table)
                ))
                .bind(batch.first)
                .bind(batch.last)
                .fetch_all::<(u64, u64)>()
                .await?
                .into_iter()
                .collect()
        } else {
            HashMap::new()
        };
        let mut seen: HashMap<u64, u64> = HashMap::new();
        let mut insert = self.inserter.insert_unescaped::<T>(&self.table(table)).await?;
        let mut written = 0u64;
        for row in rows {
            let index = seen.entry(row.slot()).or_insert(0);
            *index += 1;
            if *index <= held.get(&row.slot()).copied().unwrap_or(0) {
                report.rows_skipped += 1;
                continue;
            }
            if written.is_multiple_of(FENCE_CHECK_ROWS) {
                self.check_fence()?;
            }
            insert.write(row).await?;
            written += 1;
        }
        if written > 0 {
            // Dropped without `end`, the INSERT is abandoned.
            self.check_fence()?;
            insert.end().await?;
        }
        report.rows_written += written;
        Ok(report)
    }
}

impl ChStore {
    /// Write account states from a snapshot (`getProgramAccounts`). Not slot-gated: the table
    /// has no rollups and `version` makes the newest state win.
    pub async fn write_account_snapshot(&self, rows: &[AccountStateRow]) -> Result<u64, ChError> {
        if rows.is_empty() {
            return Ok(0);
        }
        self.check_fence()?;
        let mut insert = self.inserter.insert_unescaped::<AccountStateRow>(&self.table("account_states")).await?;
        for (i, row) in rows.iter().enumerate() {
            if (i as u64).is_multiple_of(FENCE_CHECK_ROWS) {
                self.check_fence()?;
            }
            insert.write(row).await?;
        }
        self.check_fence()?;
        insert.end().await?;
        Ok(rows.len() as u64)
    }
}
