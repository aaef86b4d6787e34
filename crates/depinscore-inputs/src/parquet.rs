//! The engine's inputs as Parquet files, so an analyst can rerun a score offline: one file per
//! frame, `keys.parquet` (id → address) and `facts.json` (supply facts and chain range).

use std::fs::File;
use std::path::Path;

use depinscore_engine::frames::{ChainRange, Inputs, SupplyFacts};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::InputsError;

const FRAMES: [&str; 6] = ["flows", "job_events", "prices", "nodes", "markets", "stakes"];

#[derive(Serialize, Deserialize)]
struct Facts {
    max_supply: u64,
    total_supply_now: Option<u64>,
    locked_now: u64,
    first_slot: u64,
    last_slot: u64,
    first_time: i64,
    last_time: i64,
}

fn file_err(path: &Path, e: impl std::fmt::Display) -> InputsError {
    InputsError::File { path: path.display().to_string(), message: e.to_string() }
}

fn frames_mut(inputs: &mut Inputs) -> [&mut DataFrame; 6] {
    [
        &mut inputs.flows,
        &mut inputs.job_events,
        &mut inputs.prices,
        &mut inputs.nodes,
        &mut inputs.markets,
        &mut inputs.stakes,
    ]
}

/// Writes every frame to `dir` (created if missing). Returns the files written.
pub fn export(inputs: &Inputs, dir: &Path) -> Result<Vec<String>, InputsError> {
    std::fs::create_dir_all(dir).map_err(|e| file_err(dir, e))?;
    let mut copy = inputs.clone();
    let mut written = Vec::new();
    for (name, df) in FRAMES.iter().zip(frames_mut(&mut copy)) {
        let path = dir.join(format!("{name}.parquet"));
        let file = File::create(&path).map_err(|e| file_err(&path, e))?;
        ParquetWriter::new(file).finish(df).map_err(|e| file_err(&path, e))?;
        written.push(path.display().to_string());
    }
    let path = dir.join("keys.parquet");
    let mut keys = DataFrame::new(
        inputs.keys.len(),
        vec![
            Column::new("id".into(), (0..inputs.keys.len() as u32).collect::<Vec<u32>>()),
            Column::new("key".into(), inputs.keys.iter().map(String::as_str).collect::<Vec<&str>>()),
        ],
    )?;
    let file = File::create(&path).map_err(|e| file_err(&path, e))?;
    ParquetWriter::new(file).finish(&mut keys).map_err(|e| file_err(&path, e))?;
    written.push(path.display().to_string());
    let facts = Facts {
        max_supply: inputs.supply.max_supply,
        total_supply_now: inputs.supply.total_supply_now,
        locked_now: inputs.supply.locked_now,
        first_slot: inputs.chain.first_slot,
        last_slot: inputs.chain.last_slot,
        first_time: inputs.chain.first_time,
        last_time: inputs.chain.last_time,
    };
    let path = dir.join("facts.json");
    let text = serde_json::to_string_pretty(&facts).map_err(|e| file_err(&path, e))?;
    std::fs::write(&path, text).map_err(|e| file_err(&path, e))?;
    written.push(path.display().to_string());
    Ok(written)
}

/// Reads what [`export`] wrote; every frame is checked against the engine's schema.
pub fn import(dir: &Path) -> Result<Inputs, InputsError> {
    let mut inputs = Inputs::empty();
    for (name, slot) in FRAMES.iter().zip(frames_mut(&mut inputs)) {
        let path = dir.join(format!("{name}.parquet"));
        let file = File::open(&path).map_err(|e| file_err(&path, e))?;
        *slot = ParquetReader::new(file).finish().map_err(|e| file_err(&path, e))?;
    }
    let path = dir.join("keys.parquet");
    let file = File::open(&path).map_err(|e| file_err(&path, e))?;
    let keys = ParquetReader::new(file).finish().map_err(|e| file_err(&path, e))?;
    let ids = keys.column("id").and_then(|c| c.u32().cloned()).map_err(|e| file_err(&path, e))?;
    let names = keys.column("key").and_then(|c| c.str().cloned()).map_err(|e| file_err(&path, e))?;
    for (i, (id, key)) in ids.iter().zip(names.iter()).enumerate() {
        if id != Some(i as u32) {
            return Err(file_err(&path, format!("row {i}: ids must be 0, 1, 2, … in order")));
        }
        if i > 0 {
            inputs.keys.push(key.unwrap_or("").to_string());
        }
    }
    let path = dir.join("facts.json");
    let text = std::fs::read_to_string(&path).map_err(|e| file_err(&path, e))?;
    let f: Facts = serde_json::from_str(&text).map_err(|e| file_err(&path, e))?;
    inputs.supply =
        SupplyFacts { max_supply: f.max_supply, total_supply_now: f.total_supply_now, locked_now: f.locked_now };
    inputs.chain = ChainRange {
        first_slot: f.first_slot,
        last_slot: f.last_slot,
        first_time: f.first_time,
        last_time: f.last_time,
    };
    inputs.validate()?;
    Ok(inputs)
}
