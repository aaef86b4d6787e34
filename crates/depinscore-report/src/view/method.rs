//! Methodology, the consistency check of the composite and of published figures, the
//! sensitivity table, data provenance and metric definitions.

use serde::Serialize;

use super::Row;
use super::dimensions::metric_value;
use crate::charts::Table;
use crate::cloud::CloudPriceTable;
use crate::format::{self, count};
use crate::methodology_view::{MethodologyView, builtin_sha256};
use crate::snapshot_view::SnapshotView;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MethodologyInfo {
    pub version: String,
    pub title: String,
    pub published: String,
    pub sha256: String,
    /// The built-in methodology file is byte for byte the one the snapshot was scored with.
    pub builtin_matches: bool,
    pub note: String,
    pub parameters: Vec<Row>,
    /// Dimension, weight, metric, curve, cap, when missing.
    pub weights: Table,
    pub changelog: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Consistency {
    /// Σ weight × score / 100 of the snapshot's own dimension scores.
    pub recomputed: f64,
    pub statement: String,
    pub published: Table,
    pub statements: Vec<String>,
}

/// The built-in methodology describes the snapshot's: the same bytes, or at least the same
/// version.
fn usable(s: &SnapshotView, m: &MethodologyView) -> bool {
    s.provenance.methodology_sha256 == builtin_sha256() || s.provenance.methodology_version == m.version
}

pub(super) fn methodology(s: &SnapshotView, m: &MethodologyView) -> MethodologyInfo {
    let p = &s.provenance;
    let builtin_matches = p.methodology_sha256 == builtin_sha256();
    let same_version = p.methodology_version == m.version;
    let note = if builtin_matches {
        format!("The snapshot was scored with the built-in methodology {} (sha256 matches).", m.version)
    } else if same_version {
        format!(
            "The snapshot was scored with a methodology file named {} whose sha256 differs from the built-in copy: \
             curves, parameters and definitions below are the built-in {} and may differ from the ones used.",
            p.methodology_version, m.version
        )
    } else {
        format!(
            "The snapshot was scored with methodology {}; this build only has {}: curves, parameters and definitions \
             are not available.",
            p.methodology_version, m.version
        )
    };
    let usable = usable(s, m);
    let pr = &m.parameters;
    let parameters = if usable {
        vec![
            Row::new(
                "Window",
                format!("{} whole UTC days (stability variant: {})", pr.window_days, pr.long_window_days),
            ),
            Row::new("Price staleness limit", format!("{} hours", pr.price_max_age_s / 3600)),
            Row::new(
                "H3 resolution",
                format!(
                    "{} (sensitivity: {})",
                    pr.h3_resolution,
                    pr.h3_sensitivity.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
                ),
            ),
            Row::new("Electricity price", format!("{} per kWh", format::usd_exact(Some(pr.power_usd_per_kwh)))),
            Row::new("Deflation horizon", format!("{} years", format::score(pr.deflation_horizon_years))),
            Row::new("Deflation trend fitted on", format!("{} days", pr.trend_days)),
        ]
    } else {
        Vec::new()
    };
    let weights = Table {
        header: ["Dimension", "Weight", "Metric", "Curve (metric → points)", "Cap", "When not measurable"]
            .map(String::from)
            .to_vec(),
        rows: s
            .score
            .dimensions
            .iter()
            .map(|d| {
                let md = m.dimension(&d.id).filter(|_| usable);
                let curve = match md.and_then(|x| x.curve.as_ref()) {
                    Some(c) => c
                        .iter()
                        .map(|[x, y]| format!("{} → {}", format::compact(*x), format::score(*y)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    None if d.metric.is_none() => "rubric: points earned / points available × 100".to_string(),
                    None => format::NOT_AVAILABLE.to_string(),
                };
                let cap = md.and_then(|x| x.cap.as_ref()).map_or_else(
                    || "none".to_string(),
                    |c| {
                        let cond = match (c.below, c.above) {
                            (Some(b), _) => format!("{} < {}", c.metric, metric_value(&c.metric, Some(b))),
                            (_, Some(a)) => format!("{} > {}", c.metric, metric_value(&c.metric, Some(a))),
                            _ => c.metric.clone(),
                        };
                        format!("at most {} when {cond} ({})", format::score(c.max_score), c.reason)
                    },
                );
                let missing = match md {
                    Some(x) if d.metric.is_some() => format::score(x.when_missing),
                    _ => "—".to_string(),
                };
                vec![
                    d.name.clone(),
                    format::weight(d.weight),
                    d.metric.clone().unwrap_or_else(|| "rubric".into()),
                    curve,
                    cap,
                    missing,
                ]
            })
            .collect(),
    };
    MethodologyInfo {
        version: p.methodology_version.clone(),
        title: if usable { m.title.clone() } else { format!("Methodology {}", p.methodology_version) },
        published: if usable { m.published.clone() } else { String::new() },
        sha256: p.methodology_sha256.clone(),
        builtin_matches,
        note,
        parameters,
        weights,
        changelog: if usable {
            m.changelog.iter().map(|c| format!("{} ({}): {}", c.version, c.date, c.change)).collect()
        } else {
            Vec::new()
        },
    }
}

pub(super) fn consistency(s: &SnapshotView) -> Consistency {
    let dims = &s.score.dimensions;
    let total: f64 = dims.iter().map(|d| d.weight).sum();
    let recomputed = dims.iter().map(|d| d.weight * d.score).sum::<f64>() / 100.0;
    let statement = if (recomputed - s.score.composite).abs() < 1e-6 && (total - 100.0).abs() < 1e-6 {
        format!(
            "The composite {} is the weighted sum of the six dimension scores above (Σ weight × score / 100 = {}).",
            format::score(s.score.composite),
            format::score(recomputed)
        )
    } else {
        format!(
            "The composite {} differs from the weighted sum of the dimension scores above ({}, weights summing to {}): \
             the snapshot is inconsistent.",
            format::score(s.score.composite),
            format::score(recomputed),
            format::score(total)
        )
    };
    let mut rows = Vec::new();
    let mut statements = Vec::new();
    for c in &s.published_checks {
        rows.push(vec![
            c.source.clone(),
            c.date.clone(),
            format::score(c.headline),
            format::score(c.recomputed),
            format::delta(c.difference),
            if c.consistent { "yes".into() } else { "no".into() },
        ]);
        statements.push(if c.consistent {
            format!(
                "{} ({}) publishes a headline of {}; its own dimension scores and weights give {}, consistent to the \
                 published precision.",
                c.source,
                format::long_date(&c.date),
                format::score(c.headline),
                format::score(c.recomputed)
            )
        } else {
            format!(
                "{} ({}) publishes a headline of {}, but its own dimension scores and weights give {} \
                 (Σ weight × score / Σ weight), {} points {}: the headline is not the weighted composite of its own \
                 dimension scores.",
                c.source,
                format::long_date(&c.date),
                format::score(c.headline),
                format::score(c.recomputed),
                format::score(c.difference.abs()),
                if c.difference > 0.0 { "lower" } else { "higher" }
            )
        });
    }
    if rows.is_empty() {
        statements.push("No published figures were checked in this snapshot.".to_string());
    }
    Consistency {
        recomputed,
        statement,
        published: Table {
            header: [
                "Published by",
                "Date",
                "Headline",
                "Recomputed from its dimensions",
                "Headline − recomputed",
                "Consistent",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        },
        statements,
    }
}

pub(super) fn sensitivity(s: &SnapshotView) -> Table {
    let name = |id: &Option<String>| {
        id.as_ref().map_or_else(
            || "all (weights)".to_string(),
            |id| s.score.dimensions.iter().find(|d| &d.id == id).map_or_else(|| id.clone(), |d| d.name.clone()),
        )
    };
    Table {
        header: ["Convention", "Dimension", "Value", "Dimension score", "Composite", "Change"]
            .map(String::from)
            .to_vec(),
        rows: s
            .sensitivity
            .iter()
            .map(|r| {
                vec![
                    r.label.clone(),
                    name(&r.dimension),
                    r.value.map_or_else(
                        || if r.dimension.is_some() { format::NOT_AVAILABLE.to_string() } else { "—".to_string() },
                        |v| format::thousands(v, 3),
                    ),
                    r.dimension_score.map_or_else(|| "—".to_string(), format::score),
                    format::score(r.composite),
                    format::delta(r.delta),
                ]
            })
            .collect(),
    }
}

pub(super) fn provenance(s: &SnapshotView, cloud: &CloudPriceTable) -> Vec<Row> {
    let p = &s.provenance;
    let c = &p.chain;
    let rows: u64 = p.rows.iter().map(|(_, n)| n).sum();
    let per_frame = p.rows.iter().map(|(f, n)| format!("{f} {}", count(*n))).collect::<Vec<_>>().join(", ");
    let w = &s.metrics.window;
    vec![
        Row::new("Snapshot id", s.id.clone()),
        Row::new("As of", format::datetime(s.metrics.as_of)),
        Row::new(
            "Window",
            format!("{} to {} ({} days)", format::date_of_day(w.first_day), format::date_of_day(w.last_day), w.days),
        ),
        Row::new("Slots", format!("{} to {}", count(c.first_slot), count(c.last_slot))),
        Row::new("Block times", format!("{} to {}", format::datetime(c.first_time), format::datetime(c.last_time))),
        Row::new("Input rows", count(rows)).with_note(per_frame),
        Row::new("Input hash (sha256)", p.input_hash.clone()),
        Row::new("Methodology", format!("{} (sha256 {})", p.methodology_version, p.methodology_sha256)),
        Row::new("Rubric evidence (sha256)", p.evidence_sha256.clone()),
        Row::new("Hardware table", p.hardware_table_version.clone()),
        Row::new("Cloud price table", format!("{} ({})", cloud.version, cloud.date)),
        Row::new(
            "NOS/USD price source",
            if p.price_source.is_empty() { "every source in the store".to_string() } else { p.price_source.clone() },
        ),
        Row::new("Engine version", p.engine_version.clone()),
    ]
}

/// The daily series' definitions, as the snapshot gives them.
pub(super) fn series_definitions(s: &SnapshotView) -> Table {
    Table {
        header: ["Series", "Definition", "Unit", "Days combine by"].map(String::from).to_vec(),
        rows: s
            .series_info
            .iter()
            .map(|(name, i)| vec![name.clone(), i.description.clone(), i.unit.clone(), i.aggregate.clone()])
            .collect(),
    }
}

pub(super) fn definitions(s: &SnapshotView, m: &MethodologyView) -> Table {
    let usable = usable(s, m);
    Table {
        header: ["Metric", "Definition", "Unit", "Price convention"].map(String::from).to_vec(),
        rows: if usable {
            m.definitions
                .iter()
                .map(|d| vec![d.metric.clone(), d.definition.clone(), d.unit.clone(), d.price.clone()])
                .collect()
        } else {
            Vec::new()
        },
    }
}
