//! The input hash of a snapshot's provenance: sha256 over every input frame's values in their
//! given order, the key table and the supply facts.
//!
//! Each column is hashed on its own (its digest then goes into the whole), so the append-only
//! parts — flows, job events and the key table, which grow at their end as the chain goes on —
//! can be hashed as rows arrive: [`InputDigest`] keeps their running sha256 states, and a
//! daily update hashes one day of rows, not a year, yet gives the same hash as hashing
//! everything at once.

use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::EngineError;
use crate::frames::Inputs;
use crate::methodology::hex;

/// Running sha256 states of the append-only inputs.
#[derive(Clone, Debug, Default)]
pub struct InputDigest {
    flows: Frame,
    job_events: Frame,
    keys: Sha256,
    keys_hashed: usize,
}

/// One frame's running column digests (by sorted column name) and its row count.
#[derive(Clone, Debug, Default)]
struct Frame {
    rows: u64,
    columns: Vec<(String, DataType, Sha256)>,
}

impl Frame {
    fn fold(&mut self, name: &'static str, df: &DataFrame) -> Result<(), EngineError> {
        let mut names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
        names.sort();
        if self.columns.is_empty() && self.rows == 0 {
            self.columns = names
                .iter()
                .map(|n| Ok((n.clone(), df.column(n)?.dtype().clone(), Sha256::new())))
                .collect::<Result<_, EngineError>>()?;
        }
        let same = names.len() == self.columns.len()
            && names
                .iter()
                .zip(&self.columns)
                .all(|(n, (c, dtype, _))| n == c && df.column(n).is_ok_and(|col| col.dtype() == dtype));
        if !same {
            let detail = format!("appended rows have columns {names:?}, the held ones {:?}", self.column_names());
            return Err(EngineError::BadValue { frame: name, column: "*", detail });
        }
        for (column, _, h) in &mut self.columns {
            hash_column(h, df.column(column)?)?;
        }
        self.rows += df.height() as u64;
        Ok(())
    }

    fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|(n, _, _)| n.as_str()).collect()
    }

    fn finish(&self, name: &str, h: &mut Sha256) {
        h.update(name.as_bytes());
        h.update(self.rows.to_le_bytes());
        for (column, dtype, state) in &self.columns {
            h.update(column.as_bytes());
            h.update(dtype.to_string().as_bytes());
            h.update(state.clone().finalize());
        }
    }
}

impl InputDigest {
    pub fn new() -> InputDigest {
        InputDigest::default()
    }

    /// Hashes rows appended to the flows and job events (in their order, after any hashed
    /// before).
    pub fn fold_rows(&mut self, flows: &DataFrame, job_events: &DataFrame) -> Result<(), EngineError> {
        self.flows.fold("flows", flows)?;
        self.job_events.fold("job_events", job_events)
    }

    /// Hashes the next entries of the key table (they may never change afterwards).
    pub fn fold_keys<'a>(&mut self, keys: impl IntoIterator<Item = &'a String>) {
        for k in keys {
            hash_key(&mut self.keys, k);
            self.keys_hashed += 1;
        }
    }

    /// The input hash of `inputs`, whose flows, job events and first keys are the ones folded
    /// (the rest of the key table, the small frames and the facts are hashed here).
    pub fn finish(&self, inputs: &Inputs) -> Result<String, EngineError> {
        let mut h = Sha256::new();
        self.flows.finish("flows", &mut h);
        self.job_events.finish("job_events", &mut h);
        for (name, df) in [
            ("prices", &inputs.prices),
            ("nodes", &inputs.nodes),
            ("markets", &inputs.markets),
            ("stakes", &inputs.stakes),
        ] {
            let mut frame = Frame::default();
            frame.fold(name, df)?;
            frame.finish(name, &mut h);
        }
        let mut keys = self.keys.clone();
        for k in inputs.keys.get(self.keys_hashed..).unwrap_or(&[]) {
            hash_key(&mut keys, k);
        }
        h.update(b"keys");
        h.update(keys.finalize());
        let s = &inputs.supply;
        h.update(s.max_supply.to_le_bytes());
        h.update(s.total_supply_now.map_or([0xff; 8], u64::to_le_bytes));
        h.update(s.locked_now.to_le_bytes());
        Ok(hex(&h.finalize()))
    }
}

/// sha256 over the inputs.
pub fn input_hash(inputs: &Inputs) -> Result<String, EngineError> {
    let mut d = InputDigest::new();
    d.fold_rows(&inputs.flows, &inputs.job_events)?;
    d.fold_keys(&inputs.keys);
    d.finish(inputs)
}

fn hash_key(h: &mut Sha256, k: &str) {
    h.update(k.as_bytes());
    h.update([0]);
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
        _ => {
            // Extra columns of other types: their text form (the type goes into the whole).
            let s = c.cast(&DataType::String)?;
            for v in s.str()?.iter() {
                buf.extend_from_slice(v.unwrap_or("\u{0}").as_bytes());
                buf.push(0);
            }
        }
    }
    flush(&mut buf, h);
    Ok(())
}
