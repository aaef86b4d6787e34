//! A score snapshot: metrics, score, sensitivity and the provenance that makes it reproducible.
//! Same inputs and methodology give the same bytes (no wall-clock time inside; the id is a hash
//! of the content).

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::daily::DayRow;
use crate::error::EngineError;
use crate::frames::ChainRange;
use crate::methodology::hex;
use crate::metrics::Metrics;
use crate::score::{PublishedCheck, Score, SensitivityResult};
use crate::series::{Point, SeriesInfo};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Provenance {
    pub chain: ChainRange,
    pub rows: Vec<(String, u64)>,
    /// sha256 of every input frame's values in their given order, the key table and the facts
    /// (see [`crate::digest`]).
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
