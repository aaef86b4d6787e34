//! The report's view model: everything the templates print, computed once from one snapshot.
//! Numbers are kept raw where a caller may check them (composite, dimension scores, ARR, active
//! nodes) and as formatted text where the templates print them.

mod charts;
mod dimensions;
mod economics;
mod method;
mod summary;

use serde::Serialize;

pub use self::dimensions::DimensionView;
pub use self::economics::{HardwareView, PriceComparison};
pub use self::method::{Consistency, MethodologyInfo};
use crate::ReportInput;
use crate::charts::hexmap::HexMap;
use crate::charts::{Chart, Table};
use crate::error::ReportError;
use crate::methodology_view::MethodologyView;
use crate::snapshot_view::SnapshotView;

/// A label, its value and an optional note (profile, provenance and measured numbers).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub label: String,
    pub value: String,
    pub note: String,
}

impl Row {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Row {
        Row { label: label.into(), value: value.into(), note: String::new() }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Row {
        self.note = note.into();
        self
    }
}

/// The builder-score report of one snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The snapshot's id.
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub generated_for: Option<String>,
    /// The snapshot's as-of time and date (UTC).
    pub as_of: String,
    pub as_of_date: String,
    pub composite: f64,
    pub composite_text: String,
    pub arr_usd: Option<f64>,
    pub active_nodes: u64,
    /// Executive summary, one paragraph per entry.
    pub summary: Vec<String>,
    pub profile: Vec<Row>,
    pub dimensions: Vec<DimensionView>,
    /// The six-dimension table.
    pub dimension_table: Table,
    pub charts: Vec<Chart>,
    pub hexmap: HexMap,
    /// The busiest cells, as text.
    pub hexmap_table: Table,
    pub hardware: HardwareView,
    pub prices: PriceComparison,
    pub methodology: MethodologyInfo,
    pub consistency: Consistency,
    pub sensitivity: Table,
    pub provenance: Vec<Row>,
    /// Metric, definition, unit, price convention.
    pub definitions: Table,
    /// Daily series: name, definition, unit, aggregation.
    pub series_definitions: Table,
    /// What this snapshot does not have and the report therefore leaves out.
    pub notices: Vec<String>,
    pub disclaimer: String,
}

impl Report {
    /// Builds the view model from one stored snapshot and the reference data passed in.
    pub fn build(input: &ReportInput<'_>) -> Result<Report, ReportError> {
        let snap = SnapshotView::parse(input.snapshot_json)?;
        let method = MethodologyView::builtin()?;
        let m = &snap.metrics;
        let dimensions = dimensions::build(&snap, &method);
        let charts = charts::build(&snap, &method);
        let (hexmap, hexmap_table) = charts::hexmap(&snap);
        let mut notices: Vec<String> = charts
            .iter()
            .filter(|c| !c.has_data())
            .filter_map(|c| c.note.as_ref().map(|n| format!("{}: {n}", c.title)))
            .collect();
        if let Some(n) = &hexmap.note {
            notices.push(format!("{}: {n}", hexmap.title));
        }
        let methodology = method::methodology(&snap, &method);
        if !methodology.builtin_matches {
            notices.push(methodology.note.clone());
        }
        let title = "Nosana builder score".to_string();
        Ok(Report {
            id: snap.id.clone(),
            subtitle: format!(
                "Six-dimension builder score of the Nosana GPU-compute network on Solana, computed from the chain as of {}",
                crate::format::long_date(&m.as_of_date)
            ),
            title,
            generated_for: input.generated_for.map(str::to_string),
            as_of: crate::format::datetime(m.as_of),
            as_of_date: m.as_of_date.clone(),
            composite: snap.score.composite,
            composite_text: crate::format::score(snap.score.composite),
            arr_usd: crate::format::finite(m.demand.arr_usd),
            active_nodes: m.decentralization.active_nodes,
            summary: summary::paragraphs(&snap, &dimensions),
            profile: summary::profile(&snap),
            dimension_table: dimensions::table(&dimensions),
            dimensions,
            charts,
            hexmap,
            hexmap_table,
            hardware: economics::hardware(&snap),
            prices: economics::prices(&snap, input.markets, input.cloud_prices),
            consistency: method::consistency(&snap),
            sensitivity: method::sensitivity(&snap),
            provenance: method::provenance(&snap, input.cloud_prices),
            definitions: method::definitions(&snap, &method),
            series_definitions: method::series_definitions(&snap),
            methodology,
            notices,
            disclaimer: format!(
                "Computed by depinscore from Nosana's on-chain data (snapshot {}); every figure is reproducible from the \
                 snapshot's inputs and methodology. Hardware costs and cloud prices are dated reference tables, not \
                 measurements. Nothing here is financial, investment, legal or tax advice.",
                snap.id
            ),
        })
    }
}
