//! The engine's inputs: data frames with fixed column names and types, plus a few facts.
//!
//! Addresses are interned to `UInt32` ids by whoever builds the frames (id 0 = "none"), and
//! [`Inputs::keys`] maps them back for display. A year of Nosana is millions of rows naming
//! the same accounts again and again; ids keep a full recompute inside its memory budget.
//! Times are unix seconds (`Int64`), amounts NOS base units (`UInt64`, 6 decimals).

use polars::prelude::*;

use crate::error::EngineError;

/// `flows`: one typed NOS token movement (see `nosana-decode`'s `FlowKind`, snake case).
pub const FLOWS: &[(&str, DataType)] = &[
    ("time", DataType::Int64),
    ("slot", DataType::UInt64),
    ("kind", DataType::String),
    ("wallet", DataType::UInt32),
    ("subject", DataType::UInt32),
    ("market", DataType::UInt32),
    ("amount", DataType::UInt64),
];

/// `job_events`: one job lifecycle event (`list`, `assign`, `work`, `finish`, `quit`, …).
pub const JOB_EVENTS: &[(&str, DataType)] = &[
    ("time", DataType::Int64),
    ("slot", DataType::UInt64),
    ("kind", DataType::String),
    ("job", DataType::UInt32),
    ("run", DataType::UInt32),
    ("market", DataType::UInt32),
    ("node", DataType::UInt32),
    ("project", DataType::UInt32),
    ("payer", DataType::UInt32),
];

/// `prices`: NOS/USD points, any spacing.
pub const PRICES: &[(&str, DataType)] = &[("time", DataType::Int64), ("usd", DataType::Float64)];

/// `nodes`: the off-chain node registry (location and operator may be unknown).
pub const NODES: &[(&str, DataType)] = &[
    ("node", DataType::UInt32),
    ("market", DataType::UInt32),
    ("lat", DataType::Float64),
    ("lng", DataType::Float64),
    ("operator", DataType::UInt32),
];

/// `markets`: market id → tier name (the GPU class).
pub const MARKETS: &[(&str, DataType)] = &[("market", DataType::UInt32), ("tier", DataType::String)];

/// `stakes`: latest stake accounts (open ones).
pub const STAKES: &[(&str, DataType)] = &[
    ("authority", DataType::UInt32),
    ("amount", DataType::UInt64),
    ("xnos", DataType::Float64),
    ("unstaked", DataType::Boolean),
];

/// Facts that are not rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SupplyFacts {
    /// The token's maximum supply in base units (NOS: 100 M × 10⁶).
    pub max_supply: u64,
    /// The mint's supply now (latest mint account), when indexed.
    pub total_supply_now: Option<u64>,
    /// NOS held now by accounts that do not circulate (pool vaults, the rewards vault,
    /// configured treasury wallets).
    pub locked_now: u64,
}

/// Everything a score is computed from.
#[derive(Clone, Debug)]
pub struct Inputs {
    pub flows: DataFrame,
    pub job_events: DataFrame,
    pub prices: DataFrame,
    pub nodes: DataFrame,
    pub markets: DataFrame,
    pub stakes: DataFrame,
    /// id → address (index = id; entry 0 is the empty string).
    pub keys: Vec<String>,
    pub supply: SupplyFacts,
    /// First and last indexed slot and their block times.
    pub chain: ChainRange,
}

/// What part of the chain the inputs cover.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ChainRange {
    pub first_slot: u64,
    pub last_slot: u64,
    pub first_time: i64,
    pub last_time: i64,
}

impl Inputs {
    /// Checks every frame's columns and types; extra columns are allowed.
    pub fn validate(&self) -> Result<(), EngineError> {
        check("flows", &self.flows, FLOWS)?;
        check("job_events", &self.job_events, JOB_EVENTS)?;
        check("prices", &self.prices, PRICES)?;
        check("nodes", &self.nodes, NODES)?;
        check("markets", &self.markets, MARKETS)?;
        check("stakes", &self.stakes, STAKES)?;
        // Unix times before 1970 do not occur on chain; refusing them lets day numbers be
        // plain integer division.
        for (frame, df) in [("flows", &self.flows), ("job_events", &self.job_events), ("prices", &self.prices)] {
            let times = df.column("time")?.i64()?;
            if let Some(t) = times.min().filter(|t| *t < 0) {
                return Err(EngineError::BadValue { frame, column: "time", detail: format!("negative unix time {t}") });
            }
            // Seconds as ClickHouse's DateTime holds them; milliseconds would land here.
            if let Some(t) = times.max().filter(|t| *t > i64::from(u32::MAX)) {
                let detail = format!("unix time {t} is beyond 2106 (not seconds?)");
                return Err(EngineError::BadValue { frame, column: "time", detail });
            }
        }
        let bad = self.prices.column("usd")?.f64()?.iter().flatten().find(|v| !v.is_finite() || *v < 0.0);
        if let Some(v) = bad {
            return Err(EngineError::BadValue { frame: "prices", column: "usd", detail: format!("price {v}") });
        }
        Ok(())
    }

    /// The address behind an id ("" for 0 or an unknown id).
    pub fn key(&self, id: u32) -> &str {
        self.keys.get(id as usize).map(String::as_str).unwrap_or("")
    }

    /// Empty inputs with the right schemas.
    pub fn empty() -> Inputs {
        Inputs {
            flows: empty_frame(FLOWS),
            job_events: empty_frame(JOB_EVENTS),
            prices: empty_frame(PRICES),
            nodes: empty_frame(NODES),
            markets: empty_frame(MARKETS),
            stakes: empty_frame(STAKES),
            keys: vec![String::new()],
            supply: SupplyFacts::default(),
            chain: ChainRange::default(),
        }
    }

    /// Row counts per frame, in a fixed order.
    pub fn row_counts(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("flows", self.flows.height()),
            ("job_events", self.job_events.height()),
            ("prices", self.prices.height()),
            ("nodes", self.nodes.height()),
            ("markets", self.markets.height()),
            ("stakes", self.stakes.height()),
        ]
    }
}

fn check(frame: &'static str, df: &DataFrame, spec: &[(&'static str, DataType)]) -> Result<(), EngineError> {
    for (column, dtype) in spec {
        let c = df.column(column).map_err(|_| EngineError::MissingColumn { frame, column })?;
        if c.dtype() != dtype {
            return Err(EngineError::WrongType {
                frame,
                column,
                expected: dtype_name(dtype),
                found: c.dtype().to_string(),
            });
        }
    }
    Ok(())
}

fn dtype_name(d: &DataType) -> &'static str {
    match d {
        DataType::Int64 => "i64",
        DataType::UInt64 => "u64",
        DataType::UInt32 => "u32",
        DataType::Float64 => "f64",
        DataType::Boolean => "bool",
        DataType::String => "str",
        _ => "another type",
    }
}

/// A frame with the spec's columns and no rows.
pub fn empty_frame(spec: &[(&str, DataType)]) -> DataFrame {
    let columns = spec.iter().map(|(n, d)| Column::new_empty((*n).into(), d)).collect();
    DataFrame::new(0, columns).expect("columns of equal (zero) length")
}
