//! A score that follows the chain: the inputs held in memory with everything a snapshot folds
//! from them — the daily sums, the run table and the running input hash — so that a day's
//! update folds one day of rows, not a year.
//!
//! Flows and job events only grow at their end (the loader reads them in chain order), and the
//! key table grows at its end too. Prices, the node registry, markets, stakes, the supply facts
//! and the chain range are small and replaced whole by each update. A snapshot from a
//! [`Rolling`] is byte for byte the snapshot [`crate::snapshot`] computes from the same inputs
//! at once; where an update breaks what folding relies on (a price point arriving for a time
//! already valued, a methodology with another price age, an as-of time before the latest
//! event), the part concerned is computed afresh from the held inputs instead.

use polars::prelude::*;

use crate::daily::DailyParts;
use crate::digest::InputDigest;
use crate::error::EngineError;
use crate::frames::{ChainRange, Inputs, SupplyFacts};
use crate::runs::RunTable;
use crate::{Rules, Snapshot, assemble, metrics};

/// What one update brings.
#[derive(Clone, Debug)]
pub struct Update {
    /// Flows after the held ones, in chain order (same columns).
    pub flows: DataFrame,
    /// Job events after the held ones, in chain order (same columns).
    pub job_events: DataFrame,
    /// The held key table is cut back to its first `keys_kept` entries (at least the stable
    /// ones) and `new_keys` appended; the first `stable_keys` of the result never change again.
    pub keys_kept: usize,
    pub new_keys: Vec<String>,
    pub stable_keys: usize,
    /// Replacements of the small frames and the facts.
    pub prices: DataFrame,
    pub nodes: DataFrame,
    pub markets: DataFrame,
    pub stakes: DataFrame,
    pub supply: SupplyFacts,
    pub chain: ChainRange,
}

/// The inputs and what has been folded from them.
#[derive(Clone, Debug)]
pub struct Rolling {
    inputs: Inputs,
    stable_keys: usize,
    price_max_age_s: i64,
    daily: DailyParts,
    runs: RunTable,
    digest: InputDigest,
    /// The latest flow time valued (prices at or before it are fixed into the daily sums).
    valued_until: Option<i64>,
}

impl Rolling {
    /// Folds `inputs` whole. Its first `stable_keys` keys never change; flows are valued with a
    /// price no older than `price_max_age_s` (the methodology's parameter).
    pub fn new(inputs: Inputs, stable_keys: usize, price_max_age_s: i64) -> Result<Rolling, EngineError> {
        inputs.validate()?;
        let mut daily = DailyParts::default();
        daily.fold(&inputs.flows, &inputs.job_events, &inputs.prices, price_max_age_s)?;
        let mut runs = RunTable::new();
        runs.fold(&inputs.job_events)?;
        let mut digest = InputDigest::new();
        digest.fold_rows(&inputs.flows, &inputs.job_events)?;
        let stable_keys = stable_keys.min(inputs.keys.len());
        digest.fold_keys(&inputs.keys[..stable_keys]);
        let valued_until = inputs.flows.column("time")?.i64()?.max();
        Ok(Rolling { inputs, stable_keys, price_max_age_s, daily, runs, digest, valued_until })
    }

    /// The held inputs.
    pub fn inputs(&self) -> &Inputs {
        &self.inputs
    }

    /// How many keys never change (an update's table must start with them).
    pub fn stable_keys(&self) -> usize {
        self.stable_keys
    }

    /// Appends an update's rows and takes its small frames and facts. On an error nothing held
    /// has changed.
    pub fn update(&mut self, u: Update) -> Result<(), EngineError> {
        let bad = |column: &'static str, detail: String| EngineError::BadValue { frame: "update", column, detail };
        let (held, stable) = (self.inputs.keys.len(), self.stable_keys);
        let total = u.keys_kept + u.new_keys.len();
        if u.keys_kept < stable || u.keys_kept > held || u.stable_keys < stable || u.stable_keys > total {
            let detail = format!(
                "keeping {} of {held} keys ({stable} stable) and adding {}, {} of them stable",
                u.keys_kept,
                u.new_keys.len(),
                u.stable_keys
            );
            return Err(bad("keys", detail));
        }
        let next = Inputs {
            flows: u.flows,
            job_events: u.job_events,
            prices: u.prices,
            nodes: u.nodes,
            markets: u.markets,
            stakes: u.stakes,
            keys: Vec::new(),
            supply: u.supply,
            chain: u.chain,
        };
        next.validate()?;
        // Everything fallible first, on copies (frames share their buffers).
        let mut flows = self.inputs.flows.clone();
        flows.vstack_mut(&next.flows)?;
        let mut job_events = self.inputs.job_events.clone();
        job_events.vstack_mut(&next.job_events)?;
        let mut digest = self.digest.clone();
        digest.fold_rows(&next.flows, &next.job_events)?;
        let kept = &self.inputs.keys[stable..u.keys_kept];
        digest.fold_keys(kept.iter().chain(&u.new_keys).take(u.stable_keys - stable));
        let prices_moved = !same_prices_until(&self.inputs.prices, &next.prices, self.valued_until)?;
        let mut daily = if prices_moved { DailyParts::default() } else { self.daily.clone() };
        let (new_flows, new_events) = if prices_moved {
            // A point arrived for a time already valued: value every flow again.
            (&flows, &job_events)
        } else {
            (&next.flows, &next.job_events)
        };
        daily.fold(new_flows, new_events, &next.prices, self.price_max_age_s)?;
        let latest = next.flows.column("time")?.i64()?.max();
        // The run table is folded in place (a copy of it is tens of MB for a year); the columns
        // it reads were validated above, and should it fail anyway it is rebuilt as it was.
        if let Err(e) = self.runs.fold(&next.job_events) {
            let mut rebuilt = RunTable::new();
            rebuilt.fold(&self.inputs.job_events)?;
            self.runs = rebuilt;
            return Err(e);
        }
        let mut keys = std::mem::take(&mut self.inputs.keys);
        keys.truncate(u.keys_kept);
        keys.extend(u.new_keys);
        self.inputs = Inputs { flows, job_events, keys, ..next };
        self.stable_keys = u.stable_keys;
        (self.daily, self.digest) = (daily, digest);
        self.valued_until = self.valued_until.max(latest);
        Ok(())
    }

    /// The snapshot as of `as_of`: the same bytes [`crate::snapshot`] gives for the held inputs.
    pub fn snapshot(&self, rules: &Rules<'_>, as_of: i64) -> Result<Snapshot, EngineError> {
        let params = &rules.methodology.parameters;
        let daily = if params.price_max_age_s == self.price_max_age_s {
            self.daily.rows(&self.inputs)?
        } else {
            crate::daily::daily(&self.inputs, params.price_max_age_s)?
        };
        let cut;
        let runs = if self.runs.latest().is_none_or(|t| t <= as_of) {
            &self.runs
        } else {
            // Events after the as-of time are held: fold the events up to it afresh.
            let mut table = RunTable::as_of(as_of);
            table.fold(&self.inputs.job_events)?;
            cut = table;
            &cut
        };
        let input_hash = self.digest.finish(&self.inputs)?;
        let (metrics, daily) = metrics::compute_with(&self.inputs, daily, runs, params, rules.hardware, as_of)?;
        assemble(&self.inputs, rules, metrics, daily, input_hash)
    }
}

/// Whether two price frames hold the same points at or before `until` (None: no flow valued).
fn same_prices_until(old: &DataFrame, new: &DataFrame, until: Option<i64>) -> Result<bool, EngineError> {
    let Some(until) = until else { return Ok(true) };
    let upto = |df: &DataFrame| -> Result<Vec<(i64, u64)>, EngineError> {
        let (t, p) = (df.column("time")?.i64()?, df.column("usd")?.f64()?);
        let mut v: Vec<(i64, u64)> = t
            .iter()
            .zip(p.iter())
            .filter_map(|(t, p)| Some((t?, p.map_or(u64::MAX, f64::to_bits))))
            .filter(|(t, _)| *t <= until)
            .collect();
        v.sort_unstable();
        Ok(v)
    };
    Ok(upto(old)? == upto(new)?)
}
