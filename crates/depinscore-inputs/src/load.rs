//! Loading the engine's inputs from ClickHouse (flows, job events, stakes, supply) and the sqlx
//! store (node registry, markets, prices). Flows and events are streamed row by row into
//! columns; addresses are interned as they arrive, so memory grows with distinct addresses,
//! not with rows × 44-byte strings.

use std::collections::BTreeMap;

use depinscore_clickhouse::{ChStore, ChainExtent, FlowFact, JobEventFact};
use depinscore_engine::frames::{ChainRange, Inputs, SupplyFacts};
use depinscore_sql::SqlStore;
use polars::prelude::*;

use crate::error::InputsError;
use crate::interner::{Interner, Overlay};

/// NOS: 100,000,000 tokens of 6 decimals.
pub const NOS_MAX_SUPPLY: u64 = 100_000_000 * 1_000_000;

#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Load up to this slot (default: the last indexed slot).
    pub until_slot: Option<u64>,
    /// Wallets whose NOS does not circulate (treasury, team), base58.
    pub treasury_wallets: Vec<String>,
    /// Use only price points of this source (default: all, the alphabetically first source
    /// winning when two share a time).
    pub price_source: Option<String>,
    pub max_supply: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { until_slot: None, treasury_wallets: Vec::new(), price_source: None, max_supply: NOS_MAX_SUPPLY }
    }
}

/// Small string codes for the `kind` columns (a handful of distinct values in millions of rows).
#[derive(Default)]
struct Codes {
    names: Vec<String>,
}

impl Codes {
    fn code(&mut self, s: &str) -> u16 {
        if let Some(i) = self.names.iter().position(|n| n == s) {
            return i as u16;
        }
        self.names.push(s.to_string());
        (self.names.len() - 1) as u16
    }

    fn column(&self, name: &str, codes: &[u16]) -> Column {
        StringChunked::from_iter_values(name.into(), codes.iter().map(|c| self.names[*c as usize].as_str()))
            .into_column()
    }
}

/// Everything indexed up to `opts.until_slot` (default: the last indexed slot).
pub async fn load(ch: &ChStore, sql: &SqlStore, opts: &LoadOptions) -> Result<Inputs, InputsError> {
    let extent = ch.chain_extent().await?;
    let until = opts.until_slot.unwrap_or(extent.last_slot);
    let mut keys = Interner::default();
    let (flows, job_events) = chain_rows(ch, 0, until, &mut keys).await?;
    let small = small_frames(ch, sql, opts, &keys).await?;
    let chain = chain_range(ch, &extent, opts.until_slot).await?;
    let inputs = small.into_inputs(flows, job_events, keys.into_keys(), chain);
    inputs.validate()?;
    tracing::info!(rows = ?inputs.row_counts(), keys = inputs.keys.len(), until_slot = until, "inputs loaded");
    Ok(inputs)
}

/// Flows and job events of slots `from_slot..=until_slot` as the engine's frames. Addresses
/// are interned in chain order, slot by slot (a slot's flows, then its events), so loading a
/// range in parts hands out the same ids as loading it at once.
pub(crate) async fn chain_rows(
    ch: &ChStore,
    from_slot: u64,
    until_slot: u64,
    keys: &mut Interner,
) -> Result<(DataFrame, DataFrame), InputsError> {
    let mut flows = ch.flow_facts(from_slot, until_slot)?;
    let mut events = ch.job_event_facts(from_slot, until_slot)?;
    let (mut f, mut e) = (FlowColumns::default(), EventColumns::default());
    let ch_err = depinscore_clickhouse::ChError::from;
    let mut next_flow = flows.next().await.map_err(ch_err)?;
    let mut next_event = events.next().await.map_err(ch_err)?;
    loop {
        let flow_first = match (&next_flow, &next_event) {
            (None, None) => break,
            (Some(a), Some(b)) => a.slot <= b.slot,
            (a, _) => a.is_some(),
        };
        if flow_first {
            if let Some(r) = next_flow.take() {
                f.push(r, keys);
            }
            next_flow = flows.next().await.map_err(ch_err)?;
        } else {
            if let Some(r) = next_event.take() {
                e.push(r, keys);
            }
            next_event = events.next().await.map_err(ch_err)?;
        }
    }
    Ok((f.frame()?, e.frame()?))
}

#[derive(Default)]
struct FlowColumns {
    time: Vec<i64>,
    slot: Vec<u64>,
    kind: Vec<u16>,
    wallet: Vec<u32>,
    subject: Vec<u32>,
    market: Vec<u32>,
    amount: Vec<u64>,
    codes: Codes,
}

impl FlowColumns {
    fn push(&mut self, r: FlowFact, keys: &mut Interner) {
        self.time.push(i64::from(r.block_time));
        self.slot.push(r.slot);
        self.kind.push(self.codes.code(&r.kind));
        self.wallet.push(keys.id(&r.wallet));
        self.subject.push(keys.id(&r.subject));
        self.market.push(keys.id(&r.market));
        self.amount.push(r.amount);
    }

    fn frame(self) -> Result<DataFrame, InputsError> {
        Ok(DataFrame::new(
            self.time.len(),
            vec![
                Column::new("time".into(), self.time),
                Column::new("slot".into(), self.slot),
                self.codes.column("kind", &self.kind),
                Column::new("wallet".into(), self.wallet),
                Column::new("subject".into(), self.subject),
                Column::new("market".into(), self.market),
                Column::new("amount".into(), self.amount),
            ],
        )?)
    }
}

#[derive(Default)]
struct EventColumns {
    time: Vec<i64>,
    slot: Vec<u64>,
    kind: Vec<u16>,
    /// job, run, market, node, project, payer
    keys: [Vec<u32>; 6],
    codes: Codes,
}

impl EventColumns {
    fn push(&mut self, r: JobEventFact, keys: &mut Interner) {
        self.time.push(i64::from(r.block_time));
        self.slot.push(r.slot);
        self.kind.push(self.codes.code(&r.kind));
        for (c, v) in self.keys.iter_mut().zip([&r.job, &r.run, &r.market, &r.node, &r.project, &r.payer]) {
            c.push(keys.id(v));
        }
    }

    fn frame(self) -> Result<DataFrame, InputsError> {
        let [job, run, market, node, project, payer] = self.keys;
        Ok(DataFrame::new(
            self.time.len(),
            vec![
                Column::new("time".into(), self.time),
                Column::new("slot".into(), self.slot),
                self.codes.column("kind", &self.kind),
                Column::new("job".into(), job),
                Column::new("run".into(), run),
                Column::new("market".into(), market),
                Column::new("node".into(), node),
                Column::new("project".into(), project),
                Column::new("payer".into(), payer),
            ],
        )?)
    }
}

/// The frames and facts that are read whole on every load, and the addresses they name that
/// no flow or event does (numbered after the chain's; see [`Overlay`]).
pub(crate) struct SmallFrames {
    pub prices: DataFrame,
    pub nodes: DataFrame,
    pub markets: DataFrame,
    pub stakes: DataFrame,
    pub supply: SupplyFacts,
    pub extra_keys: Vec<String>,
}

impl SmallFrames {
    /// The engine's inputs of these and the chain's rows, `chain_keys` then the extra keys.
    pub(crate) fn into_inputs(
        self,
        flows: DataFrame,
        job_events: DataFrame,
        mut chain_keys: Vec<String>,
        chain: ChainRange,
    ) -> Inputs {
        chain_keys.extend(self.extra_keys);
        Inputs {
            flows,
            job_events,
            prices: self.prices,
            nodes: self.nodes,
            markets: self.markets,
            stakes: self.stakes,
            keys: chain_keys,
            supply: self.supply,
            chain,
        }
    }
}

pub(crate) async fn small_frames(
    ch: &ChStore,
    sql: &SqlStore,
    opts: &LoadOptions,
    chain_keys: &Interner,
) -> Result<SmallFrames, InputsError> {
    let mut keys = Overlay::new(chain_keys);
    let stakes = ch.stake_facts().await?;
    let mut xnos = Vec::with_capacity(stakes.len());
    for s in &stakes {
        let v: f64 = s.xnos.parse().map_err(|_| InputsError::Invalid {
            what: format!("stake of {}", s.authority),
            message: format!("xnos `{}` is not a number", s.xnos),
        })?;
        xnos.push(v);
    }
    let stakes = DataFrame::new(
        stakes.len(),
        vec![
            Column::new("authority".into(), stakes.iter().map(|s| keys.id(&s.authority)).collect::<Vec<u32>>()),
            Column::new("amount".into(), stakes.iter().map(|s| s.amount).collect::<Vec<u64>>()),
            Column::new("xnos".into(), xnos),
            Column::new("unstaked".into(), stakes.iter().map(|s| s.time_unstake != 0).collect::<Vec<bool>>()),
        ],
    )?;

    let registry = sql.nodes().await?;
    let nodes = DataFrame::new(
        registry.len(),
        vec![
            Column::new("node".into(), registry.iter().map(|n| keys.id(&n.address)).collect::<Vec<u32>>()),
            Column::new(
                "market".into(),
                registry.iter().map(|n| n.market.as_deref().map(|m| keys.id(m))).collect::<Vec<Option<u32>>>(),
            ),
            Column::new("lat".into(), registry.iter().map(|n| Some(n.lat)).collect::<Vec<Option<f64>>>()),
            Column::new("lng".into(), registry.iter().map(|n| Some(n.lng)).collect::<Vec<Option<f64>>>()),
            Column::new(
                "operator".into(),
                registry.iter().map(|n| n.operator.as_deref().map(|o| keys.id(o))).collect::<Vec<Option<u32>>>(),
            ),
        ],
    )?;
    let market_rows = sql.markets().await?;
    let markets = DataFrame::new(
        market_rows.len(),
        vec![
            Column::new("market".into(), market_rows.iter().map(|m| keys.id(&m.address)).collect::<Vec<u32>>()),
            Column::new("tier".into(), market_rows.iter().map(|m| m.name.as_str()).collect::<Vec<&str>>()),
        ],
    )?;

    let mut by_time: BTreeMap<i64, (String, f64)> = BTreeMap::new();
    for p in sql.prices(i64::MIN, i64::MAX).await? {
        if opts.price_source.as_ref().is_some_and(|s| *s != p.source) {
            continue;
        }
        let e = by_time.entry(p.time).or_insert((p.source.clone(), p.usd));
        if p.source < e.0 {
            *e = (p.source, p.usd);
        }
    }
    let prices = DataFrame::new(
        by_time.len(),
        vec![
            Column::new("time".into(), by_time.keys().copied().collect::<Vec<i64>>()),
            Column::new("usd".into(), by_time.values().map(|v| v.1).collect::<Vec<f64>>()),
        ],
    )?;

    let supply = SupplyFacts {
        max_supply: opts.max_supply,
        total_supply_now: ch.mint_supply().await?,
        locked_now: ch.locked_supply(&opts.treasury_wallets).await?,
    };
    Ok(SmallFrames { prices, nodes, markets, stakes, supply, extra_keys: keys.into_keys() })
}

/// The indexed chain's range, up to `until_slot` when given.
pub(crate) async fn chain_range(
    ch: &ChStore,
    extent: &ChainExtent,
    until_slot: Option<u64>,
) -> Result<ChainRange, InputsError> {
    let last = match until_slot {
        Some(until) => ch.slot_at_or_before(until).await?,
        None => Some((extent.last_slot, extent.last_time)),
    };
    Ok(ChainRange {
        first_slot: extent.first_slot,
        last_slot: last.map_or(0, |l| l.0),
        first_time: i64::from(extent.first_time),
        last_time: last.map_or(0, |l| i64::from(l.1)),
    })
}
