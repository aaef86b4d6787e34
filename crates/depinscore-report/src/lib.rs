//! depinscore-report: the builder-score report of one stored snapshot, as one self-contained
//! HTML file (inline CSS and SVG charts, no script, no external request), Markdown and JSON.
//!
//! Pure: callers pass the snapshot's JSON, market prices and the cloud price table in; nothing
//! is read from disk or the network. The snapshot is read into this crate's own view structs
//! (`snapshot_view`), so snapshots from older and newer engines both render.
//!
//! ```no_run
//! use depinscore_report::{BUILTIN_CLOUD_PRICES, CloudPriceTable, Report, ReportInput};
//! # fn run(snapshot_json: &str) -> Result<(), depinscore_report::ReportError> {
//! let cloud = CloudPriceTable::parse(BUILTIN_CLOUD_PRICES)?;
//! let input = ReportInput { snapshot_json, markets: &[], cloud_prices: &cloud, generated_for: Some("Nosana mainnet") };
//! let report = Report::build(&input)?;
//! let html = report.to_html()?;
//! # Ok(()) }
//! ```

pub mod charts;
pub mod cloud;
pub mod error;
pub mod format;
pub mod methodology_view;
mod render;
pub mod snapshot_view;
pub mod view;

use serde::{Deserialize, Serialize};

pub use crate::cloud::{CloudPrice, CloudPriceTable};
pub use crate::error::ReportError;
pub use crate::methodology_view::BUILTIN_METHODOLOGY;
pub use crate::render::md_cell;
pub use crate::view::Report;

/// The reference cloud GPU price table compiled in.
pub const BUILTIN_CLOUD_PRICES: &str = include_str!("../../../reports/cloud-prices/v1.toml");

/// Everything a report is built from.
pub struct ReportInput<'a> {
    /// The stored snapshot (the engine's `Snapshot::to_json` bytes as UTF-8).
    pub snapshot_json: &'a str,
    /// Market prices from the relational store; may be empty.
    pub markets: &'a [MarketPrice],
    /// Dated reference cloud GPU prices.
    pub cloud_prices: &'a CloudPriceTable,
    /// Free text naming what the report is for (e.g. "Nosana mainnet"); not a wall clock.
    pub generated_for: Option<&'a str>,
}

/// What one Nosana market pays a node per hour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketPrice {
    /// The market's name (e.g. "Market 4090" or its address).
    pub name: String,
    /// The GPU tier, as the hardware and cloud tables name it (e.g. "Market 4090").
    pub tier: String,
    pub usd_reward_per_hour: f64,
}
