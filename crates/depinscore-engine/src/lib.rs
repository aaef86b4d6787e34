//! depinscore-engine: the pure analytics of depinscore. It takes data frames (polars) and
//! returns typed results — metrics per day and over windows, the six-dimension builder score,
//! sensitivity rows, checks of published figures, and reproducible snapshots. No IO: loading
//! from ClickHouse and Parquet lives in `depinscore-inputs`.

pub mod calendar;
pub mod columns;
pub mod concentration;
pub mod curve;
pub mod daily;
pub mod demand;
pub mod digest;
pub mod error;
pub mod frames;
pub mod hardware;
pub mod methodology;
pub mod metrics;
pub mod network;
pub mod pricing;
pub mod rolling;
pub mod rubric;
pub mod runs;
#[cfg(feature = "sample")]
pub mod sample;
pub mod score;
pub mod series;
pub mod snapshot;
pub mod token;
pub mod window;

pub use error::EngineError;
pub use frames::{ChainRange, Inputs, SupplyFacts};
pub use hardware::HardwareTable;
pub use methodology::Methodology;
pub use metrics::{Metrics, compute};
pub use rolling::{Rolling, Update};
pub use rubric::Evidence;
pub use score::{Published, Score};
pub use snapshot::{Provenance, Snapshot, SnapshotBody};

/// The methodology, evidence, hardware table and published figures a score is computed with,
/// with the raw text of the files whose digests go into the provenance.
pub struct Rules<'a> {
    pub methodology: &'a Methodology,
    pub methodology_text: &'a str,
    pub evidence: &'a Evidence,
    pub evidence_text: &'a str,
    pub hardware: &'a HardwareTable,
    pub published: &'a [Published],
    pub price_source: &'a str,
}

/// Computes a full snapshot as of `as_of` (unix seconds).
pub fn snapshot(inputs: &Inputs, rules: &Rules<'_>, as_of: i64) -> Result<Snapshot, EngineError> {
    // The input hash (SHA-256 over every row, half a second for a year) runs beside the metrics,
    // much of which is single-threaded.
    let (computed, input_hash) = std::thread::scope(|scope| {
        let hash = scope.spawn(|| digest::input_hash(inputs));
        let computed = compute(inputs, &rules.methodology.parameters, rules.hardware, as_of);
        let hash = hash.join().unwrap_or_else(|_| {
            Err(EngineError::Polars(polars::error::PolarsError::ComputeError("the input hash thread failed".into())))
        });
        (computed, hash)
    });
    let (metrics, daily) = computed?;
    assemble(inputs, rules, metrics, daily, input_hash?)
}

/// The snapshot of computed metrics and daily table: score, sensitivity, series, provenance.
pub(crate) fn assemble(
    inputs: &Inputs,
    rules: &Rules<'_>,
    metrics: Metrics,
    daily: Vec<daily::DayRow>,
    input_hash: String,
) -> Result<Snapshot, EngineError> {
    let score = score::score(rules.methodology, &metrics, rules.evidence)?;
    let sensitivity = score::sensitivity(rules.methodology, &metrics, &score);
    let p = &rules.methodology.parameters;
    let series = series::series(&daily, metrics.window.last_day, p.window_days, p.long_window_days);
    let provenance = Provenance {
        chain: inputs.chain,
        rows: inputs.row_counts().into_iter().map(|(n, c)| (n.to_string(), c as u64)).collect(),
        input_hash,
        methodology_version: rules.methodology.version.clone(),
        methodology_sha256: Methodology::digest(rules.methodology_text),
        evidence_sha256: Methodology::digest(rules.evidence_text),
        hardware_table_version: rules.hardware.version.clone(),
        price_source: rules.price_source.to_string(),
        engine_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    Snapshot::new(SnapshotBody {
        provenance,
        score,
        sensitivity,
        published_checks: rules.published.iter().map(Published::check).collect(),
        metrics,
        daily,
        series,
        series_info: series::catalogue(),
    })
}
