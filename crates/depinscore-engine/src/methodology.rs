//! The versioned methodology file (`reports/methodology/v1.toml`): parameters, six weighted
//! dimensions with their metric, benchmark and curve (or rubric items), and sensitivity rows.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::curve::Curve;
use crate::error::{EngineError, methodology};
use crate::metrics::METRIC_IDS;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Methodology {
    pub version: String,
    pub published: String,
    pub title: String,
    pub parameters: Parameters,
    pub dimensions: Vec<Dimension>,
    #[serde(default)]
    pub sensitivity: Vec<SensitivityRow>,
    #[serde(default)]
    pub changelog: Vec<ChangelogEntry>,
    /// Each metric's definition, unit and price convention, by metric id.
    pub definitions: Vec<Definition>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    /// Trailing window for flows and activity, days.
    pub window_days: i64,
    /// Longer window for the stability variants, days.
    pub long_window_days: i64,
    /// A price point older than this does not value a flow, seconds.
    pub price_max_age_s: i64,
    pub h3_resolution: u8,
    pub h3_sensitivity: Vec<u8>,
    pub power_usd_per_kwh: f64,
    pub deflation_horizon_years: f64,
    /// Days of daily series the deflation trend is fitted on.
    pub trend_days: i64,
    /// How many projects, payers, operators the lists show.
    pub top_n: usize,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub benchmark: String,
    /// Plain-text formula shown in reports.
    pub formula: String,
    /// A measured dimension: metric id and curve.
    pub metric: Option<String>,
    pub curve: Option<Curve>,
    /// Score when the metric cannot be measured (reported as "insufficient data").
    #[serde(default)]
    pub when_missing: f64,
    /// A second condition of the benchmark that caps the score.
    pub cap: Option<Cap>,
    /// A rubric dimension: checklist items answered by the evidence file.
    #[serde(default)]
    pub items: Vec<RubricItem>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    pub metric: String,
    /// The cap applies when the metric is below `below` (or above `above`), or unmeasured.
    pub below: Option<f64>,
    pub above: Option<f64>,
    pub max_score: f64,
    pub reason: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RubricItem {
    pub id: String,
    pub question: String,
    pub points: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SensitivityRow {
    pub id: String,
    pub label: String,
    /// Replace one dimension's metric (and optionally its curve)…
    pub dimension: Option<String>,
    pub metric: Option<String>,
    pub curve: Option<Curve>,
    /// …or all weights (in dimension order).
    pub weights: Option<Vec<f64>>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChangelogEntry {
    pub version: String,
    pub date: String,
    pub change: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub metric: String,
    pub definition: String,
    pub unit: String,
    pub price: String,
}

impl Methodology {
    /// Parses and validates; every error names the key.
    pub fn parse(text: &str) -> Result<Methodology, EngineError> {
        let m: Methodology = toml::from_str(text).map_err(|e| {
            let key = e.span().map(|s| format!("byte {}", s.start)).unwrap_or_else(|| "(file)".into());
            methodology(key, e.message().to_string())
        })?;
        m.validate()?;
        Ok(m)
    }

    /// sha256 of the file's bytes, hex: recorded in every snapshot.
    pub fn digest(text: &str) -> String {
        hex(&Sha256::digest(text.as_bytes()))
    }

    pub fn validate(&self) -> Result<(), EngineError> {
        let p = &self.parameters;
        for (key, v, min) in [
            ("parameters.window_days", p.window_days, 1),
            ("parameters.long_window_days", p.long_window_days, 1),
            ("parameters.price_max_age_s", p.price_max_age_s, 1),
            ("parameters.trend_days", p.trend_days, 2),
        ] {
            if v < min {
                return Err(methodology(key, format!("{v} is below the minimum {min}")));
            }
            if v > 1_000_000_000 {
                return Err(methodology(key, format!("{v} is beyond any chain's history")));
            }
        }
        for (i, r) in std::iter::once(&p.h3_resolution).chain(&p.h3_sensitivity).enumerate() {
            if *r > 15 {
                let key = if i == 0 {
                    "parameters.h3_resolution".to_string()
                } else {
                    format!("parameters.h3_sensitivity[{}]", i - 1)
                };
                return Err(methodology(key, format!("{r} is not an H3 resolution (0–15)")));
            }
        }
        if !p.power_usd_per_kwh.is_finite() || p.power_usd_per_kwh < 0.0 {
            return Err(methodology("parameters.power_usd_per_kwh", "must be a non-negative number"));
        }
        if !p.deflation_horizon_years.is_finite() || p.deflation_horizon_years <= 0.0 {
            return Err(methodology("parameters.deflation_horizon_years", "must be a positive number"));
        }
        if self.dimensions.is_empty() {
            return Err(methodology("dimensions", "at least one dimension"));
        }
        let total: f64 = self.dimensions.iter().map(|d| d.weight).sum();
        if (total - 100.0).abs() > 1e-9 {
            return Err(methodology("dimensions[].weight", format!("weights sum to {total}, not 100")));
        }
        for (i, d) in self.dimensions.iter().enumerate() {
            let key = |k: &str| format!("dimensions[{i}].{k}");
            if self.dimensions[..i].iter().any(|o| o.id == d.id) {
                return Err(methodology(key("id"), format!("`{}` appears twice", d.id)));
            }
            if !d.weight.is_finite() || d.weight < 0.0 {
                return Err(methodology(key("weight"), "must be a non-negative number"));
            }
            if !(0.0..=100.0).contains(&d.when_missing) {
                return Err(methodology(key("when_missing"), "must be within 0–100"));
            }
            match (&d.metric, &d.curve, d.items.is_empty()) {
                (Some(metric), Some(curve), true) => {
                    known_metric(metric, &key("metric"))?;
                    curve.validate(&key("curve"))?;
                }
                (None, None, false) => {
                    let points: f64 = d.items.iter().map(|it| it.points).sum();
                    if d.items.iter().any(|it| !it.points.is_finite() || it.points <= 0.0) || points <= 0.0 {
                        return Err(methodology(key("items"), "every item needs positive points"));
                    }
                    for (j, it) in d.items.iter().enumerate() {
                        if d.items[..j].iter().any(|o| o.id == it.id) {
                            return Err(methodology(
                                format!("dimensions[{i}].items[{j}].id"),
                                format!("`{}` appears twice", it.id),
                            ));
                        }
                    }
                }
                _ => {
                    return Err(methodology(
                        key("metric"),
                        "a dimension has either `metric` + `curve` or rubric `items`",
                    ));
                }
            }
            if let Some(cap) = &d.cap {
                known_metric(&cap.metric, &key("cap.metric"))?;
                if cap.below.is_none() == cap.above.is_none() {
                    return Err(methodology(key("cap"), "give exactly one of `below` or `above`"));
                }
                if cap.below.or(cap.above).is_some_and(|v| !v.is_finite()) {
                    return Err(methodology(key("cap"), "the threshold must be a finite number"));
                }
                if !(0.0..=100.0).contains(&cap.max_score) {
                    return Err(methodology(key("cap.max_score"), "must be within 0–100"));
                }
            }
        }
        for (i, s) in self.sensitivity.iter().enumerate() {
            let key = |k: &str| format!("sensitivity[{i}].{k}");
            match (&s.dimension, &s.metric, &s.weights) {
                (Some(dim), Some(metric), None) => {
                    let Some(d) = self.dimensions.iter().find(|d| &d.id == dim) else {
                        return Err(methodology(key("dimension"), format!("no dimension `{dim}`")));
                    };
                    if d.metric.is_none() {
                        return Err(methodology(key("dimension"), format!("`{dim}` is a rubric dimension")));
                    }
                    known_metric(metric, &key("metric"))?;
                    if let Some(c) = &s.curve {
                        c.validate(&key("curve"))?;
                    }
                }
                (None, None, Some(w)) => {
                    let valid = w.iter().all(|x| x.is_finite() && *x >= 0.0);
                    if !valid || w.len() != self.dimensions.len() || (w.iter().sum::<f64>() - 100.0).abs() > 1e-9 {
                        return Err(methodology(key("weights"), "one weight per dimension, summing to 100"));
                    }
                }
                _ => return Err(methodology(key("dimension"), "give `dimension` + `metric`, or `weights`")),
            }
        }
        for (i, d) in self.definitions.iter().enumerate() {
            known_metric(&d.metric, &format!("definitions[{i}].metric"))?;
        }
        Ok(())
    }
}

fn known_metric(id: &str, key: &str) -> Result<(), EngineError> {
    if METRIC_IDS.contains(&id) {
        Ok(())
    } else {
        Err(methodology(key, format!("unknown metric `{id}` (known: {})", METRIC_IDS.join(", "))))
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
