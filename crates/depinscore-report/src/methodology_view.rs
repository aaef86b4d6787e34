//! The built-in methodology (`reports/methodology/v1.toml`), read for what a snapshot does not
//! carry: each dimension's curve and cap, the parameters, the changelog and every metric's
//! definition and unit. The snapshot records the methodology's version and sha256; the report
//! says whether the built-in file is the one the snapshot was scored with.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::ReportError;

/// The methodology compiled in (the engine's `builtin:v1`).
pub const BUILTIN_METHODOLOGY: &str = include_str!("../../../reports/methodology/v1.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct MethodologyView {
    pub version: String,
    pub published: String,
    pub title: String,
    pub parameters: Parameters,
    pub dimensions: Vec<Dimension>,
    #[serde(default)]
    pub changelog: Vec<ChangelogEntry>,
    #[serde(default)]
    pub definitions: Vec<Definition>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Parameters {
    pub window_days: i64,
    pub long_window_days: i64,
    pub price_max_age_s: i64,
    pub h3_resolution: u8,
    #[serde(default)]
    pub h3_sensitivity: Vec<u8>,
    pub power_usd_per_kwh: f64,
    pub deflation_horizon_years: f64,
    pub trend_days: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Dimension {
    pub id: String,
    pub curve: Option<Vec<[f64; 2]>>,
    #[serde(default)]
    pub when_missing: f64,
    pub cap: Option<Cap>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Cap {
    pub metric: String,
    pub below: Option<f64>,
    pub above: Option<f64>,
    pub max_score: f64,
    pub reason: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ChangelogEntry {
    pub version: String,
    pub date: String,
    pub change: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Definition {
    pub metric: String,
    pub definition: String,
    pub unit: String,
    pub price: String,
}

impl MethodologyView {
    pub fn builtin() -> Result<MethodologyView, ReportError> {
        toml::from_str(BUILTIN_METHODOLOGY).map_err(|e| ReportError::Methodology(e.message().to_string()))
    }

    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }

    pub fn definition(&self, metric: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.metric == metric)
    }
}

/// sha256 of the built-in methodology's bytes, hex (as the engine records it).
pub fn builtin_sha256() -> String {
    Sha256::digest(BUILTIN_METHODOLOGY.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_methodology_parses_with_curves_and_definitions() {
        let m = MethodologyView::builtin().unwrap();
        assert_eq!(m.version, "v1");
        assert_eq!(m.dimensions.len(), 6);
        assert!(m.dimension("demand").and_then(|d| d.curve.as_ref()).is_some());
        assert!(m.definition("arr_usd").is_some_and(|d| d.unit == "USD per year"));
        assert_eq!(builtin_sha256().len(), 64);
    }
}
