//! Dimension scores, the weighted composite, sensitivity rows, and the check of published
//! figures against their own weights.

use serde::{Deserialize, Serialize};

use crate::curve::Curve;
use crate::error::EngineError;
use crate::methodology::{Dimension, Methodology};
use crate::metrics::Metrics;
use crate::rubric::{Evidence, ItemScore};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DimensionScore {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub benchmark: String,
    pub formula: String,
    /// The metric scored (None for a rubric dimension).
    pub metric: Option<String>,
    pub value: Option<f64>,
    /// The curve's score before any cap.
    pub curve_score: Option<f64>,
    pub score: f64,
    pub cap: Option<CapApplied>,
    /// The metric could not be measured; `score` is the methodology's `when_missing`.
    pub insufficient_data: bool,
    pub items: Vec<ItemScore>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CapApplied {
    pub metric: String,
    pub value: Option<f64>,
    pub max_score: f64,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    /// Σ weight × score / 100.
    pub composite: f64,
    pub dimensions: Vec<DimensionScore>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SensitivityResult {
    pub id: String,
    pub label: String,
    pub composite: f64,
    /// composite − the scored composite.
    pub delta: f64,
    pub dimension: Option<String>,
    pub dimension_score: Option<f64>,
    pub value: Option<f64>,
}

fn measured(d: &Dimension, metric: &str, curve: &Curve, metrics: &Metrics) -> DimensionScore {
    let value = metrics.value(metric);
    let curve_score = value.map(|v| curve.score(v));
    let mut score = curve_score.unwrap_or(d.when_missing);
    let mut cap = None;
    if let Some(c) = &d.cap {
        let v = metrics.value(&c.metric);
        let applies = match v {
            None => true,
            Some(v) => c.below.is_some_and(|b| v < b) || c.above.is_some_and(|a| v > a),
        };
        if applies && score > c.max_score {
            score = c.max_score;
            cap = Some(CapApplied {
                metric: c.metric.clone(),
                value: v,
                max_score: c.max_score,
                reason: c.reason.clone(),
            });
        }
    }
    DimensionScore {
        id: d.id.clone(),
        name: d.name.clone(),
        weight: d.weight,
        benchmark: d.benchmark.clone(),
        formula: d.formula.clone(),
        metric: Some(metric.to_string()),
        value,
        curve_score,
        score,
        cap,
        insufficient_data: value.is_none(),
        items: Vec::new(),
    }
}

fn dimension(d: &Dimension, metrics: &Metrics, evidence: &Evidence) -> Result<DimensionScore, EngineError> {
    if let (Some(metric), Some(curve)) = (&d.metric, &d.curve) {
        return Ok(measured(d, metric, curve, metrics));
    }
    let (items, score) = evidence.score(d)?;
    Ok(DimensionScore {
        id: d.id.clone(),
        name: d.name.clone(),
        weight: d.weight,
        benchmark: d.benchmark.clone(),
        formula: d.formula.clone(),
        metric: None,
        value: None,
        curve_score: None,
        score,
        cap: None,
        insufficient_data: false,
        items,
    })
}

/// Weighted composite (weights sum to 100).
pub fn composite(weights: &[f64], scores: &[f64]) -> f64 {
    weights.iter().zip(scores).map(|(w, s)| w * s).sum::<f64>() / 100.0
}

pub fn score(m: &Methodology, metrics: &Metrics, evidence: &Evidence) -> Result<Score, EngineError> {
    evidence.validate(m)?;
    let dimensions: Vec<DimensionScore> =
        m.dimensions.iter().map(|d| dimension(d, metrics, evidence)).collect::<Result<_, _>>()?;
    let weights: Vec<f64> = dimensions.iter().map(|d| d.weight).collect();
    let scores: Vec<f64> = dimensions.iter().map(|d| d.score).collect();
    Ok(Score { composite: composite(&weights, &scores), dimensions })
}

/// The composite under each of the methodology's alternative conventions.
pub fn sensitivity(m: &Methodology, metrics: &Metrics, scored: &Score) -> Vec<SensitivityResult> {
    let weights: Vec<f64> = scored.dimensions.iter().map(|d| d.weight).collect();
    let scores: Vec<f64> = scored.dimensions.iter().map(|d| d.score).collect();
    m.sensitivity
        .iter()
        .map(|row| {
            if let Some(w) = &row.weights {
                let c = composite(w, &scores);
                return SensitivityResult {
                    id: row.id.clone(),
                    label: row.label.clone(),
                    composite: c,
                    delta: c - scored.composite,
                    dimension: None,
                    dimension_score: None,
                    value: None,
                };
            }
            let dim_id = row.dimension.clone().unwrap_or_default();
            let metric = row.metric.clone().unwrap_or_default();
            let idx = m.dimensions.iter().position(|d| d.id == dim_id).unwrap_or(0);
            let d = &m.dimensions[idx];
            let curve = row.curve.as_ref().or(d.curve.as_ref()).cloned().unwrap_or(Curve(vec![[0.0, 0.0], [1.0, 0.0]]));
            let alt = measured(d, &metric, &curve, metrics);
            let mut s = scores.clone();
            s[idx] = alt.score;
            let c = composite(&weights, &s);
            SensitivityResult {
                id: row.id.clone(),
                label: row.label.clone(),
                composite: c,
                delta: c - scored.composite,
                dimension: Some(dim_id),
                dimension_score: Some(alt.score),
                value: alt.value,
            }
        })
        .collect()
}

/// Published figures to check: a headline and the dimension scores and weights it claims to
/// combine (e.g. `reports/published/*.toml`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Published {
    pub source: String,
    pub date: String,
    pub headline: f64,
    pub dimensions: Vec<PublishedDimension>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PublishedDimension {
    pub name: String,
    pub weight: f64,
    pub score: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublishedCheck {
    pub source: String,
    pub date: String,
    pub headline: f64,
    /// Σ weight × score / Σ weight of the published dimension scores.
    pub recomputed: f64,
    pub difference: f64,
    /// The headline equals the recomputed composite to the published precision (±0.5).
    pub consistent: bool,
}

impl Published {
    pub fn parse(text: &str) -> Result<Published, EngineError> {
        toml::from_str(text)
            .map_err(|e| EngineError::Methodology { key: "published".into(), message: e.message().to_string() })
    }

    pub fn check(&self) -> PublishedCheck {
        let total: f64 = self.dimensions.iter().map(|d| d.weight).sum();
        let sum: f64 = self.dimensions.iter().map(|d| d.weight * d.score).sum();
        let recomputed = if total > 0.0 { sum / total } else { 0.0 };
        let difference = self.headline - recomputed;
        PublishedCheck {
            source: self.source.clone(),
            date: self.date.clone(),
            headline: self.headline,
            recomputed,
            difference,
            consistent: difference.abs() < 0.5,
        }
    }
}
