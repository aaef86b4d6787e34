//! Following the indexed chain: the inputs loaded once, then only the slots indexed since, folded
//! into the engine's [`Rolling`] score. A daily re-score of a year reads one day of rows.

use depinscore_clickhouse::ChStore;
use depinscore_engine::{Rolling, Rules, Snapshot, Update};
use depinscore_sql::SqlStore;

use crate::error::InputsError;
use crate::interner::Interner;
use crate::load::{LoadOptions, chain_range, chain_rows, small_frames};

/// The chain's ids, the folded inputs and how far they reach.
pub struct Follower {
    keys: Interner,
    rolling: Rolling,
    first_slot: u64,
    last_slot: u64,
    /// Slots indexed at or before `last_slot` when it was loaded.
    held_slots: u64,
    opts: LoadOptions,
}

impl Follower {
    /// Loads everything indexed (up to `opts.until_slot` when given) and folds it, valuing flows
    /// with prices no older than `price_max_age_s`.
    pub async fn start(
        ch: &ChStore,
        sql: &SqlStore,
        opts: LoadOptions,
        price_max_age_s: i64,
    ) -> Result<Follower, InputsError> {
        let extent = ch.chain_extent().await?;
        let mut keys = Interner::default();
        let head = opts.until_slot.unwrap_or(extent.last_slot);
        // Counted before the rows are read: a slot stored in between shows in the next count.
        let held_slots = ch.slots_until(head).await?;
        let (flows, job_events) = chain_rows(ch, 0, head, &mut keys).await?;
        let small = small_frames(ch, sql, &opts, &keys).await?;
        let stable = keys.len();
        let chain = chain_range(ch, &extent, opts.until_slot).await?;
        let inputs = small.into_inputs(flows, job_events, keys.take_keys(), chain);
        let rolling = Rolling::new(inputs, stable, price_max_age_s)?;
        tracing::info!(rows = ?rolling.inputs().row_counts(), last_slot = head, "following the indexed chain");
        Ok(Follower { keys, rolling, first_slot: extent.first_slot, last_slot: head, held_slots, opts })
    }

    /// Folds the slots indexed since the last load (up to `until_slot` when given) and reloads
    /// the small frames and facts. When the indexed history changed at or below the held slots
    /// (a backfill of older slots, the stores reset), it starts afresh. On an error the
    /// follower is gone: start again.
    pub async fn update(
        mut self,
        ch: &ChStore,
        sql: &SqlStore,
        price_max_age_s: i64,
        until_slot: Option<u64>,
    ) -> Result<Follower, InputsError> {
        let extent = ch.chain_extent().await?;
        let head = until_slot.unwrap_or(extent.last_slot);
        self.opts.until_slot = until_slot;
        let held_slots = ch.slots_until(self.last_slot).await?;
        if extent.first_slot != self.first_slot || head < self.last_slot || held_slots != self.held_slots {
            tracing::info!(
                held_slots = self.held_slots,
                now = held_slots,
                last_slot = self.last_slot,
                "the indexed history changed at or below the held slots: loading it afresh"
            );
            return Follower::start(ch, sql, self.opts, price_max_age_s).await;
        }
        let new_held_slots = ch.slots_until(head).await?;
        let (flows, job_events) = chain_rows(ch, self.last_slot + 1, head, &mut self.keys).await?;
        let small = small_frames(ch, sql, &self.opts, &self.keys).await?;
        let mut new_keys = self.keys.take_keys();
        new_keys.extend(small.extra_keys);
        let rows = flows.height() + job_events.height();
        self.rolling.update(Update {
            flows,
            job_events,
            keys_kept: self.rolling.stable_keys(),
            new_keys,
            stable_keys: self.keys.len(),
            prices: small.prices,
            nodes: small.nodes,
            markets: small.markets,
            stakes: small.stakes,
            supply: small.supply,
            chain: chain_range(ch, &extent, until_slot).await?,
        })?;
        tracing::info!(rows, from_slot = self.last_slot + 1, last_slot = head, "followed the indexed chain");
        (self.last_slot, self.held_slots) = (head, new_held_slots);
        Ok(self)
    }

    /// The snapshot as of the last indexed block.
    pub fn snapshot(&self, rules: &Rules<'_>) -> Result<Snapshot, InputsError> {
        Ok(self.rolling.snapshot(rules, self.rolling.inputs().chain.last_time)?)
    }

    /// The followed inputs.
    pub fn inputs(&self) -> &depinscore_engine::Inputs {
        self.rolling.inputs()
    }
}
