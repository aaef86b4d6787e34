//! Small hand-made inputs for the engine's tests.
#![allow(dead_code)]

use depinscore_engine::frames::{ChainRange, Inputs, SupplyFacts};
use depinscore_engine::methodology::Methodology;
use depinscore_engine::{Evidence, HardwareTable};
use polars::prelude::*;

pub const DAY: i64 = 86_400;
/// 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600;
pub const NOS: u64 = 1_000_000;

pub const METHODOLOGY: &str = include_str!("../../../../reports/methodology/v1.toml");
pub const EVIDENCE: &str = include_str!("../../../../reports/evidence/nosana.toml");
pub const HARDWARE: &str = include_str!("../../../../reports/hardware/v1.toml");
pub const PUBLISHED: &str = include_str!("../../../../reports/published/depin-builders-nosana-2026-05-29.toml");

pub fn methodology() -> Methodology {
    Methodology::parse(METHODOLOGY).unwrap()
}
pub fn evidence() -> Evidence {
    Evidence::parse(EVIDENCE).unwrap()
}
pub fn hardware() -> HardwareTable {
    HardwareTable::parse(HARDWARE).unwrap()
}

/// (time, kind, job, run, market, node, project, payer)
type Event = (i64, &'static str, u32, u32, u32, u32, u32, u32);
/// (node, market, location, operator)
type Node = (u32, Option<u32>, Option<(f64, f64)>, Option<u32>);

#[derive(Default)]
pub struct Frames {
    flows: Vec<(i64, &'static str, u32, u32, u32, u64)>,
    events: Vec<Event>,
    prices: Vec<(i64, f64)>,
    nodes: Vec<Node>,
    markets: Vec<(u32, &'static str)>,
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
    /// (time, kind, job, run, market, node, project, payer)
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
    pub fn market(&mut self, market: u32, tier: &'static str) -> &mut Self {
        self.markets.push((market, tier));
        self
    }
    pub fn stake(&mut self, authority: u32, amount: u64, xnos: f64, unstaked: bool) -> &mut Self {
        self.stakes.push((authority, amount, xnos, unstaked));
        self
    }

    pub fn inputs(&self) -> Inputs {
        let f = &self.flows;
        let flows = df!(
            "time" => f.iter().map(|r| r.0).collect::<Vec<i64>>(),
            "slot" => f.iter().map(|r| r.0 as u64).collect::<Vec<u64>>(),
            "kind" => f.iter().map(|r| r.1).collect::<Vec<&str>>(),
            "wallet" => f.iter().map(|r| r.2).collect::<Vec<u32>>(),
            "subject" => f.iter().map(|r| r.3).collect::<Vec<u32>>(),
            "market" => f.iter().map(|r| r.4).collect::<Vec<u32>>(),
            "amount" => f.iter().map(|r| r.5).collect::<Vec<u64>>(),
        )
        .unwrap();
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
        )
        .unwrap();
        let prices = df!(
            "time" => self.prices.iter().map(|r| r.0).collect::<Vec<i64>>(),
            "usd" => self.prices.iter().map(|r| r.1).collect::<Vec<f64>>(),
        )
        .unwrap();
        let n = &self.nodes;
        let nodes = df!(
            "node" => n.iter().map(|r| r.0).collect::<Vec<u32>>(),
            "market" => n.iter().map(|r| r.1).collect::<Vec<Option<u32>>>(),
            "lat" => n.iter().map(|r| r.2.map(|l| l.0)).collect::<Vec<Option<f64>>>(),
            "lng" => n.iter().map(|r| r.2.map(|l| l.1)).collect::<Vec<Option<f64>>>(),
            "operator" => n.iter().map(|r| r.3).collect::<Vec<Option<u32>>>(),
        )
        .unwrap();
        let markets = df!(
            "market" => self.markets.iter().map(|r| r.0).collect::<Vec<u32>>(),
            "tier" => self.markets.iter().map(|r| r.1).collect::<Vec<&str>>(),
        )
        .unwrap();
        let s = &self.stakes;
        let stakes = df!(
            "authority" => s.iter().map(|r| r.0).collect::<Vec<u32>>(),
            "amount" => s.iter().map(|r| r.1).collect::<Vec<u64>>(),
            "xnos" => s.iter().map(|r| r.2).collect::<Vec<f64>>(),
            "unstaked" => s.iter().map(|r| r.3).collect::<Vec<bool>>(),
        )
        .unwrap();
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
        Inputs {
            flows,
            job_events,
            prices,
            nodes,
            markets,
            stakes,
            keys,
            supply: self.supply.clone(),
            chain: ChainRange { first_slot: 0, last_slot: last as u64, first_time: 0, last_time: last },
        }
    }
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}
