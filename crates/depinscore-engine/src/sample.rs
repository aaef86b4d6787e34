//! A small, hand-made Nosana world for other crates' tests (feature `sample`): frames built row
//! by row, and a genuine snapshot of them under the shipped rules in `reports/`. Tests of the
//! API and of the reports render real engine output this way instead of hand-written JSON.

use polars::prelude::*;

use crate::frames::{ChainRange, Inputs, SupplyFacts};
use crate::methodology::Methodology;
use crate::score::Published;
use crate::{EngineError, Evidence, HardwareTable, Rules, Snapshot};

pub const DAY: i64 = 86_400;
/// 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600;
pub const NOS: u64 = 1_000_000;

pub const METHODOLOGY: &str = include_str!("../../../reports/methodology/v1.toml");
pub const EVIDENCE: &str = include_str!("../../../reports/evidence/nosana.toml");
pub const HARDWARE: &str = include_str!("../../../reports/hardware/v1.toml");
pub const PUBLISHED: &str = include_str!("../../../reports/published/depin-builders-nosana-2026-05-29.toml");

/// (time, kind, wallet, subject, market, amount)
type Flow = (i64, &'static str, u32, u32, u32, u64);
/// (time, kind, job, run, market, node, project, payer)
type Event = (i64, &'static str, u32, u32, u32, u32, u32, u32);
/// (node, market, location, operator)
type Node = (u32, Option<u32>, Option<(f64, f64)>, Option<u32>);

/// Rows of each input frame; ids are dense `u32`s whose address is `k{id}`.
#[derive(Clone, Default)]
pub struct Frames {
    flows: Vec<Flow>,
    events: Vec<Event>,
    prices: Vec<(i64, f64)>,
    nodes: Vec<Node>,
    markets: Vec<(u32, String)>,
    stakes: Vec<(u32, u64, f64, bool)>,
    pub supply: SupplyFacts,
}

impl Frames {
    pub fn flow(
        &mut self,
        time: i64,
        kind: &'static str,
        wallet: u32,
        subject: u32,
        market: u32,
        amount: u64,
    ) -> &mut Self {
        self.flows.push((time, kind, wallet, subject, market, amount));
        self
    }

    #[allow(clippy::too_many_arguments)]
    pub fn event(
        &mut self,
        time: i64,
        kind: &'static str,
        job: u32,
        run: u32,
        market: u32,
        node: u32,
        project: u32,
        payer: u32,
    ) -> &mut Self {
        self.events.push((time, kind, job, run, market, node, project, payer));
        self
    }

    pub fn price(&mut self, time: i64, usd: f64) -> &mut Self {
        self.prices.push((time, usd));
        self
    }

    pub fn node(
        &mut self,
        node: u32,
        market: Option<u32>,
        location: Option<(f64, f64)>,
        operator: Option<u32>,
    ) -> &mut Self {
        self.nodes.push((node, market, location, operator));
        self
    }

    pub fn market(&mut self, market: u32, tier: &str) -> &mut Self {
        self.markets.push((market, tier.to_string()));
        self
    }

    pub fn stake(&mut self, authority: u32, amount: u64, xnos: f64, unstaked: bool) -> &mut Self {
        self.stakes.push((authority, amount, xnos, unstaked));
        self
    }

    /// The engine's inputs.
    pub fn inputs(&self) -> Result<Inputs, EngineError> {
        let f = &self.flows;
        let flows = df!(
            "time" => f.iter().map(|r| r.0).collect::<Vec<i64>>(),
            "slot" => f.iter().map(|r| r.0 as u64).collect::<Vec<u64>>(),
            "kind" => f.iter().map(|r| r.1).collect::<Vec<&str>>(),
            "wallet" => f.iter().map(|r| r.2).collect::<Vec<u32>>(),
            "subject" => f.iter().map(|r| r.3).collect::<Vec<u32>>(),
            "market" => f.iter().map(|r| r.4).collect::<Vec<u32>>(),
            "amount" => f.iter().map(|r| r.5).collect::<Vec<u64>>(),
        )?;
        let e = &self.events;
        let job_events = df!(
            "time" => e.iter().map(|r| r.0).collect::<Vec<i64>>(),
            "slot" => e.iter().map(|r| r.0 as u64).collect::<Vec<u64>>(),
            "kind" => e.iter().map(|r| r.1).collect::<Vec<&str>>(),
            "job" => e.iter().map(|r| r.2).collect::<Vec<u32>>(),
            "run" => e.iter().map(|r| r.3).collect::<Vec<u32>>(),
            "market" => e.iter().map(|r| r.4).collect::<Vec<u32>>(),
            "node" => e.iter().map(|r| r.5).collect::<Vec<u32>>(),
            "project" => e.iter().map(|r| r.6).collect::<Vec<u32>>(),
            "payer" => e.iter().map(|r| r.7).collect::<Vec<u32>>(),
        )?;
        let prices = df!(
            "time" => self.prices.iter().map(|r| r.0).collect::<Vec<i64>>(),
            "usd" => self.prices.iter().map(|r| r.1).collect::<Vec<f64>>(),
        )?;
        let n = &self.nodes;
        let nodes = df!(
            "node" => n.iter().map(|r| r.0).collect::<Vec<u32>>(),
            "market" => n.iter().map(|r| r.1).collect::<Vec<Option<u32>>>(),
            "lat" => n.iter().map(|r| r.2.map(|l| l.0)).collect::<Vec<Option<f64>>>(),
            "lng" => n.iter().map(|r| r.2.map(|l| l.1)).collect::<Vec<Option<f64>>>(),
            "operator" => n.iter().map(|r| r.3).collect::<Vec<Option<u32>>>(),
        )?;
        let markets = df!(
            "market" => self.markets.iter().map(|r| r.0).collect::<Vec<u32>>(),
            "tier" => self.markets.iter().map(|r| r.1.as_str()).collect::<Vec<&str>>(),
        )?;
        let s = &self.stakes;
        let stakes = df!(
            "authority" => s.iter().map(|r| r.0).collect::<Vec<u32>>(),
            "amount" => s.iter().map(|r| r.1).collect::<Vec<u64>>(),
            "xnos" => s.iter().map(|r| r.2).collect::<Vec<f64>>(),
            "unstaked" => s.iter().map(|r| r.3).collect::<Vec<bool>>(),
        )?;
        let max_id = f
            .iter()
            .flat_map(|r| [r.2, r.3, r.4])
            .chain(e.iter().flat_map(|r| [r.2, r.3, r.4, r.5, r.6, r.7]))
            .chain(n.iter().flat_map(|r| [Some(r.0), r.1, r.3]).flatten())
            .chain(self.markets.iter().map(|r| r.0))
            .chain(s.iter().map(|r| r.0))
            .max()
            .unwrap_or(0);
        let keys = (0..=max_id).map(|i| if i == 0 { String::new() } else { format!("k{i}") }).collect();
        let last = f.iter().map(|r| r.0).chain(e.iter().map(|r| r.0)).max().unwrap_or(0);
        Ok(Inputs {
            flows,
            job_events,
            prices,
            nodes,
            markets,
            stakes,
            keys,
            supply: self.supply.clone(),
            chain: ChainRange { first_slot: 0, last_slot: last as u64, first_time: 0, last_time: last },
        })
    }
}

/// Tiers of the sample world: (market id, tier name as in the hardware table, NOS per job).
const TIERS: [(u32, &str, u64); 3] = [(1, "Market 4090", 40), (2, "Market 3090", 25), (3, "Market A100", 90)];

/// A world of `days` days: three GPU tiers, twelve nodes in four cities under five operators,
/// jobs every day (finished and quit), fees, emissions, claims, stakes, weekly burns, one mint,
/// a price path, and the mint's supply known.
pub fn world(days: i64) -> Frames {
    let mut f = Frames::default();
    for (market, tier, _) in TIERS {
        f.market(market, tier);
    }
    let cities = [(52.37, 4.89), (40.71, -74.0), (1.35, 103.82), (-33.87, 151.21)];
    for i in 0..12u32 {
        let (lat, lng) = cities[(i % 4) as usize];
        let jitter = f64::from(i) * 0.003;
        f.node(100 + i, Some(TIERS[(i % 3) as usize].0), Some((lat + jitter, lng)), Some(200 + i % 5));
    }
    let mut job = 1_000u32;
    for d in 0..days {
        let t = T0 + d * DAY;
        f.price(t, 0.4 + 0.002 * d as f64);
        for k in 0..6u32 {
            let node = 100 + (d as u32 * 6 + k) % 12;
            let (market, _, nos) = TIERS[(node % 3) as usize];
            let run = job + 50_000;
            let at = t + 600 + i64::from(k) * 3_000;
            f.event(at, "list", job, 0, market, 0, 300 + k % 3, 310 + k % 2);
            f.event(at + 120, "assign", job, run, market, node, 300 + k % 3, 310 + k % 2);
            if (d + i64::from(k)) % 9 == 0 {
                f.event(at + 900, "quit", job, run, market, node, 300 + k % 3, 0);
                f.flow(at + 900, "refund", 310 + k % 2, job, market, nos * NOS);
            } else {
                f.event(at + 1_800, "finish", job, run, market, node, 300 + k % 3, 0);
                f.flow(at + 1_800, "payout", node, job, market, nos * NOS);
                f.flow(at + 1_800, "fee", 400, job, market, nos * NOS / 10);
            }
            job += 1;
        }
        f.flow(t + 3_600, "emission", 401, 402, 0, 180 * NOS);
        f.flow(t + 7_200, "claim", 200 + (d as u32 % 5), 401, 0, 60 * NOS);
        if d % 7 == 6 {
            f.flow(t + 80_000, "burn", 403, 0, 0, 500 * NOS);
        }
        if d == 10 {
            f.flow(t + 50, "mint", 403, 0, 0, 1_000 * NOS);
        }
    }
    for s in 0..8u32 {
        f.stake(200 + s, (10_000 + u64::from(s) * 2_500) * NOS, 12_000.0 * NOS as f64, s == 7);
    }
    f.supply = SupplyFacts {
        max_supply: 100_000_000 * NOS,
        total_supply_now: Some(80_000_000 * NOS),
        locked_now: 5_000_000 * NOS,
    };
    f
}

/// The shipped methodology (or another text of it), evidence, hardware table and published
/// figures, parsed.
pub struct Shipped {
    pub methodology: Methodology,
    pub methodology_text: String,
    pub evidence: Evidence,
    pub hardware: HardwareTable,
    pub published: Vec<Published>,
}

impl Shipped {
    pub fn load() -> Result<Shipped, EngineError> {
        Shipped::with_methodology(METHODOLOGY)
    }

    pub fn with_methodology(text: &str) -> Result<Shipped, EngineError> {
        Ok(Shipped {
            methodology: Methodology::parse(text)?,
            methodology_text: text.to_string(),
            evidence: Evidence::parse(EVIDENCE)?,
            hardware: HardwareTable::parse(HARDWARE)?,
            published: vec![Published::parse(PUBLISHED)?],
        })
    }

    pub fn rules(&self) -> Rules<'_> {
        Rules {
            methodology: &self.methodology,
            methodology_text: &self.methodology_text,
            evidence: &self.evidence,
            evidence_text: EVIDENCE,
            hardware: &self.hardware,
            published: &self.published,
            price_source: "sample",
        }
    }
}

/// The snapshot of `frames` as of `as_of` under the shipped methodology, evidence, hardware
/// table and published figures.
pub fn snapshot(frames: &Frames, as_of: i64) -> Result<Snapshot, EngineError> {
    crate::snapshot(&frames.inputs()?, &Shipped::load()?.rules(), as_of)
}
