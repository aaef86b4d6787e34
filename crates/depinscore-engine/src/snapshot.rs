//! A score snapshot: metrics, score, sensitivity and the provenance that makes it reproducible.
//! Same inputs and methodology give the same bytes (no wall-clock time inside; the id is a hash
//! of the content).

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::daily::DayRow;
use crate::error::EngineError;
use crate::frames::{ChainRange, Inputs};
use crate::methodology::hex;
use crate::metrics::Metrics;
use crate::score::{PublishedCheck, Score, SensitivityResult};
use crate::series::{Point, SeriesInfo};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Provenance {
    pub chain: ChainRange,
    pub rows: Vec<(String, u64)>,
    /// sha256 of every input frame's values in their given order, the key table and the facts.
    pub input_hash: String,
    pub methodology_version: String,
    pub methodology_sha256: String,
    pub evidence_sha256: String,
    pub hardware_table_version: String,
    pub price_source: String,
    pub engine_version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    /// First 16 hex digits of the sha256 of the rest of the snapshot.
    pub id: String,
    #[serde(flatten)]
    pub body: SnapshotBody,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SnapshotBody {
    pub provenance: Provenance,
    pub score: Score,
    pub sensitivity: Vec<SensitivityResult>,
    pub published_checks: Vec<PublishedCheck>,
    pub metrics: Metrics,
    pub daily: Vec<DayRow>,
    /// Daily series of the metrics the daily table determines (see [`crate::series`]).
    pub series: BTreeMap<String, Vec<Point>>,
    /// Unit, aggregation and definition of each series.
    pub series_info: BTreeMap<String, SeriesInfo>,
}

impl Snapshot {
    pub fn new(body: SnapshotBody) -> Result<Snapshot, EngineError> {
        let bytes = serde_json::to_vec(&body).map_err(|e| EngineError::BadValue {
            frame: "snapshot",
            column: "json",
            detail: e.to_string(),
        })?;
        let id = hex(&Sha256::digest(&bytes))[..16].to_string();
        Ok(Snapshot { id, body })
    }

    /// Canonical JSON bytes.
    pub fn to_json(&self) -> Result<Vec<u8>, EngineError> {
        serde_json::to_vec_pretty(self).map_err(|e| EngineError::BadValue {
            frame: "snapshot",
            column: "json",
            detail: e.to_string(),
        })
    }
}

/// sha256 over the inputs.
pub fn input_hash(inputs: &Inputs) -> Result<String, EngineError> {
    let mut h = Sha256::new();
    for (name, df) in [
        ("flows", &inputs.flows),
        ("job_events", &inputs.job_events),
        ("prices", &inputs.prices),
        ("nodes", &inputs.nodes),
        ("markets", &inputs.markets),
        ("stakes", &inputs.stakes),
    ] {
        h.update(name.as_bytes());
        h.update((df.height() as u64).to_le_bytes());
        let mut names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
        names.sort();
        for column in names {
            h.update(column.as_bytes());
            hash_column(&mut h, df.column(&column)?)?;
        }
    }
    for k in &inputs.keys {
        h.update(k.as_bytes());
        h.update([0]);
    }
    let s = &inputs.supply;
    h.update(s.max_supply.to_le_bytes());
    h.update(s.total_supply_now.map_or([0xff; 8], u64::to_le_bytes));
    h.update(s.locked_now.to_le_bytes());
    Ok(hex(&h.finalize()))
}

fn hash_column(h: &mut Sha256, c: &Column) -> Result<(), EngineError> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let flush = |buf: &mut Vec<u8>, h: &mut Sha256| {
        h.update(&buf[..]);
        buf.clear();
    };
    macro_rules! numeric {
        ($ca:expr) => {
            for v in $ca.iter() {
                match v {
                    Some(v) => {
                        buf.push(1);
                        buf.extend_from_slice(&v.to_le_bytes());
                    }
                    None => buf.push(0),
                }
                if buf.len() >= 1 << 16 {
                    flush(&mut buf, h);
                }
            }
        };
    }
    match c.dtype() {
        DataType::Int64 => numeric!(c.i64()?),
        DataType::UInt64 => numeric!(c.u64()?),
        DataType::UInt32 => numeric!(c.u32()?),
        DataType::Float64 => numeric!(c.f64()?),
        DataType::Boolean => {
            for v in c.bool()?.iter() {
                buf.push(match v {
                    None => 0,
                    Some(false) => 1,
                    Some(true) => 2,
                });
            }
        }
        DataType::String => {
            for v in c.str()?.iter() {
                match v {
                    Some(s) => {
                        buf.push(1);
                        buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
                        buf.extend_from_slice(s.as_bytes());
                    }
                    None => buf.push(0),
                }
                if buf.len() >= 1 << 16 {
                    flush(&mut buf, h);
                }
            }
        }
        other => {
            // Extra columns of other types: hash their text form.
            let s = c.cast(&DataType::String)?;
            buf.extend_from_slice(other.to_string().as_bytes());
            for v in s.str()?.iter() {
                buf.extend_from_slice(v.unwrap_or("\u{0}").as_bytes());
            }
        }
    }
    flush(&mut buf, h);
    Ok(())
}
