//! The daily table: one row per UTC day from the first to the last day the inputs cover, every
//! day present (a day without jobs is a row of zeros, not a missing row, so trailing windows
//! count calendar days).

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::Serialize;

use crate::calendar::{DAY, date_of_day, day_of};
use crate::columns::{f64s, i64s, strs, u64s};
use crate::error::EngineError;
use crate::frames::Inputs;
use crate::pricing::{MICRO, price_at_time};

/// NOS moved by one kind of flow in one day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct FlowDay {
    /// Base units.
    pub nos: u64,
    /// USD at the time of each flow (unpriced flows add nothing).
    pub usd: f64,
    pub count: u64,
    /// Flows with no fresh price.
    pub unpriced: u64,
}

impl FlowDay {
    fn add(&mut self, other: &FlowDay) {
        self.nos += other.nos;
        self.usd += other.usd;
        self.count += other.count;
        self.unpriced += other.unpriced;
    }
}

/// One UTC day.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DayRow {
    /// Unix day number.
    pub day: i64,
    pub date: String,
    /// The day's last NOS/USD point, if any.
    pub close_usd: Option<f64>,
    /// Flows by kind (`payout`, `fee`, `emission`, `burn`, …); kinds with none are absent.
    pub flows: BTreeMap<String, FlowDay>,
    /// Job events by kind.
    pub events: BTreeMap<String, u64>,
    /// Mint supply at the end of the day, when the mint is indexed (base units).
    pub total_supply: Option<u64>,
    /// Total supply minus NOS held by non-circulating accounts, end of day.
    pub circulating_supply: Option<u64>,
    /// NOS in stake vaults at the end of the day (the open stake accounts now, less the stakes
    /// and top-ups and plus the withdrawals and slashes after that day).
    pub staked: u64,
}

impl DayRow {
    pub fn flow(&self, kind: &str) -> FlowDay {
        self.flows.get(kind).copied().unwrap_or_default()
    }

    /// Sum of several kinds.
    pub fn flows_of(&self, kinds: &[&str]) -> FlowDay {
        let mut out = FlowDay::default();
        for k in kinds {
            out.add(&self.flow(k));
        }
        out
    }

    pub fn event(&self, kind: &str) -> u64 {
        self.events.get(kind).copied().unwrap_or(0)
    }
}

/// Flow kinds that move NOS into non-circulating accounts (pool vaults, rewards vault) and out.
const LOCKING: &[&str] = &["pool_fund", "fee", "donation"];
const UNLOCKING: &[&str] = &["claim", "pool_return"];

/// Builds the daily table. Supplies are reconstructed backwards from the facts "now" through
/// every flow (so the whole input is used, not only days up to an as-of cut).
pub fn daily(inputs: &Inputs, price_max_age_s: i64) -> Result<Vec<DayRow>, EngineError> {
    let mut parts = DailyParts::default();
    parts.fold(&inputs.flows, &inputs.job_events, &inputs.prices, price_max_age_s)?;
    parts.rows(inputs)
}

/// One day's sums before they become a [`DayRow`]: USD in whole micro-dollars, so days folded
/// in several parts add up to exactly what one pass gives.
#[derive(Clone, Debug, Default)]
struct PartDay {
    /// kind → (NOS, micro-USD, count, unpriced).
    flows: BTreeMap<String, (u64, u64, u64, u64)>,
    events: BTreeMap<String, u64>,
}

/// The daily sums of flows and job events folded so far. Folding rows in several batches gives
/// the same table as folding them at once (every figure is a sum), which is what lets a score
/// follow the chain day by day without re-reading a year ([`crate::rolling`]).
#[derive(Clone, Debug, Default)]
pub struct DailyParts {
    days: BTreeMap<i64, PartDay>,
}

impl DailyParts {
    /// Adds flows (valued at `prices`) and job events to the sums, a slice of rows at a time
    /// (valuing a year of flows at once copied and sorted all of them).
    pub fn fold(
        &mut self,
        flows: &DataFrame,
        job_events: &DataFrame,
        prices: &DataFrame,
        price_max_age_s: i64,
    ) -> Result<(), EngineError> {
        const SLICE: usize = 1 << 20;
        let flows = flows.select(["time", "kind", "amount"])?;
        for offset in (0..flows.height()).step_by(SLICE) {
            self.fold_flows(&flows.slice(offset as i64, SLICE), prices, price_max_age_s)?;
        }
        let events = job_events.select(["time", "kind"])?;
        for offset in (0..events.height()).step_by(SLICE) {
            self.fold_events(&events.slice(offset as i64, SLICE))?;
        }
        Ok(())
    }

    fn fold_flows(&mut self, flows: &DataFrame, prices: &DataFrame, price_max_age_s: i64) -> Result<(), EngineError> {
        let priced = price_at_time(flows.clone().lazy(), prices, price_max_age_s)
            .with_column((col("time") / lit(DAY)).alias("day"))
            .group_by([col("day"), col("kind")])
            .agg([
                col("amount").sum().alias("nos"),
                col("usd_micro").sum().alias("usd_micro"),
                len().alias("count"),
                col("price").null_count().alias("unpriced"),
            ])
            .collect()?;
        let (f_day, f_kind, f_nos, f_usd, f_count, f_unpriced) = (
            i64s(&priced, "day")?,
            strs(&priced, "kind")?,
            u64s(&priced, "nos")?,
            u64s(&priced, "usd_micro")?,
            u64s(&priced, "count")?,
            u64s(&priced, "unpriced")?,
        );
        for i in 0..priced.height() {
            let (Some(day), Some(kind)) = (f_day[i], f_kind[i].clone()) else { continue };
            let sums = self.days.entry(day).or_default().flows.entry(kind).or_default();
            sums.0 += f_nos[i].unwrap_or(0);
            sums.1 += f_usd[i].unwrap_or(0);
            sums.2 += f_count[i].unwrap_or(0);
            sums.3 += f_unpriced[i].unwrap_or(0);
        }
        Ok(())
    }

    fn fold_events(&mut self, job_events: &DataFrame) -> Result<(), EngineError> {
        let events = job_events
            .clone()
            .lazy()
            .with_column((col("time") / lit(DAY)).alias("day"))
            .group_by([col("day"), col("kind")])
            .agg([len().alias("count")])
            .collect()?;
        let (e_day, e_kind, e_count) = (i64s(&events, "day")?, strs(&events, "kind")?, u64s(&events, "count")?);
        for i in 0..events.height() {
            let (Some(day), Some(kind)) = (e_day[i], e_kind[i].clone()) else { continue };
            *self.days.entry(day).or_default().events.entry(kind).or_default() += e_count[i].unwrap_or(0);
        }
        Ok(())
    }

    /// The daily table: the folded sums, every day of the chain's range present, closing
    /// prices and supplies from `inputs` (its prices and facts; its rows are not read).
    pub fn rows(&self, inputs: &Inputs) -> Result<Vec<DayRow>, EngineError> {
        // Closing prices.
        let (p_time, p_usd) = (i64s(&inputs.prices, "time")?, f64s(&inputs.prices, "usd")?);
        let mut closes: BTreeMap<i64, (i64, f64)> = BTreeMap::new();
        for (t, p) in p_time.into_iter().zip(p_usd) {
            let (Some(t), Some(p)) = (t, p) else { continue };
            let e = closes.entry(day_of(t)).or_insert((t, p));
            if t >= e.0 {
                *e = (t, p);
            }
        }
        // The chain's days (quiet days at either end included when the chain range is known);
        // prices before or after them add no rows.
        let (Some(mut first), Some(mut last)) =
            (self.days.keys().next().copied(), self.days.keys().next_back().copied())
        else {
            return Ok(Vec::new());
        };
        if inputs.chain.first_time > 0 && inputs.chain.last_time >= inputs.chain.first_time {
            first = first.min(day_of(inputs.chain.first_time));
            last = last.max(day_of(inputs.chain.last_time));
        }
        let mut out = Vec::with_capacity((last - first + 1) as usize);
        for day in first..=last {
            let mut row = DayRow { day, date: date_of_day(day), ..DayRow::default() };
            if let Some(part) = self.days.get(&day) {
                for (kind, (nos, usd_micro, count, unpriced)) in &part.flows {
                    let usd = *usd_micro as f64 / MICRO;
                    let flow = FlowDay { nos: *nos, usd, count: *count, unpriced: *unpriced };
                    row.flows.insert(kind.clone(), flow);
                }
                row.events = part.events.clone();
            }
            row.close_usd = closes.get(&day).map(|(_, p)| *p);
            out.push(row);
        }
        fill_supplies(&mut out, inputs);
        Ok(out)
    }
}

/// Staked NOS backwards from the open stake accounts now (so stakes made before the first
/// indexed slot count), or forwards from zero when no stake account is indexed; total and
/// circulating supply backwards from the facts now.
fn fill_supplies(rows: &mut [DayRow], inputs: &Inputs) {
    let moved =
        |row: &DayRow| row.flows_of(&["stake", "topup"]).nos as i128 - row.flows_of(&["withdraw", "slash"]).nos as i128;
    match staked_now(inputs) {
        Some(now) => {
            let mut staked = now;
            for row in rows.iter_mut().rev() {
                row.staked = staked.max(0) as u64;
                staked -= moved(row);
            }
        }
        None => {
            let mut staked: i128 = 0;
            for row in rows.iter_mut() {
                staked += moved(row);
                row.staked = staked.max(0) as u64;
            }
        }
    }
    let Some(total_now) = inputs.supply.total_supply_now else { return };
    let mut total = total_now as i128;
    let mut locked = inputs.supply.locked_now as i128;
    for row in rows.iter_mut().rev() {
        row.total_supply = Some(total.max(0) as u64);
        row.circulating_supply = Some((total - locked).max(0) as u64);
        // Undo this day to get the end of the previous day.
        total -= row.flow("mint").nos as i128 - row.flow("burn").nos as i128;
        locked -= row.flows_of(LOCKING).nos as i128 - row.flows_of(UNLOCKING).nos as i128;
    }
}

/// NOS held by the open stake accounts (unstaked ones included: their NOS stays in the vault
/// until withdrawn); None when the inputs hold no stake account.
fn staked_now(inputs: &Inputs) -> Option<i128> {
    let amounts = inputs.stakes.column("amount").ok()?.u64().ok()?;
    (inputs.stakes.height() > 0).then(|| amounts.iter().map(|a| i128::from(a.unwrap_or(0))).sum())
}
