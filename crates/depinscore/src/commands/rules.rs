//! The files a score is computed with: methodology, evidence, hardware table, published
//! figures. `builtin:<name>` selects the copy compiled into the binary.

use anyhow::{Context, bail};
use depinscore_engine::{Evidence, HardwareTable, Methodology, Published};

use crate::settings::ScoreSettings;

const BUILTIN: &[(&str, &str)] = &[
    ("methodology:v1", include_str!("../../../../reports/methodology/v1.toml")),
    ("evidence:nosana", include_str!("../../../../reports/evidence/nosana.toml")),
    ("hardware:v1", include_str!("../../../../reports/hardware/v1.toml")),
    (
        "published:depin-builders-nosana-2026-05-29",
        include_str!("../../../../reports/published/depin-builders-nosana-2026-05-29.toml"),
    ),
];

/// The text of a setting's file (`key` names the setting in errors).
fn text(kind: &str, key: &str, value: &str) -> anyhow::Result<String> {
    if let Some(name) = value.strip_prefix("builtin:") {
        let wanted = format!("{kind}:{name}");
        return match BUILTIN.iter().find(|(k, _)| *k == wanted) {
            Some((_, t)) => Ok((*t).to_string()),
            None => bail!("{key}: no built-in {kind} `{name}`"),
        };
    }
    std::fs::read_to_string(value).with_context(|| format!("{key}: reading {value}"))
}

pub struct LoadedRules {
    pub methodology: Methodology,
    pub methodology_text: String,
    pub evidence: Evidence,
    pub evidence_text: String,
    pub hardware: HardwareTable,
    pub published: Vec<Published>,
}

impl LoadedRules {
    pub fn load(s: &ScoreSettings, methodology_override: Option<&str>) -> anyhow::Result<LoadedRules> {
        let m_value = methodology_override.unwrap_or(&s.methodology);
        let methodology_text = text("methodology", "score.methodology", m_value)?;
        let methodology =
            Methodology::parse(&methodology_text).with_context(|| format!("score.methodology ({m_value})"))?;
        let evidence_text = text("evidence", "score.evidence", &s.evidence)?;
        let evidence = Evidence::parse(&evidence_text).with_context(|| format!("score.evidence ({})", s.evidence))?;
        evidence.validate(&methodology).with_context(|| format!("score.evidence ({})", s.evidence))?;
        let hardware = HardwareTable::parse(&text("hardware", "score.hardware", &s.hardware)?)
            .with_context(|| format!("score.hardware ({})", s.hardware))?;
        let mut published = Vec::new();
        for p in &s.published {
            let t = text("published", "score.published", p)?;
            published.push(Published::parse(&t).with_context(|| format!("score.published ({p})"))?);
        }
        Ok(LoadedRules { methodology, methodology_text, evidence, evidence_text, hardware, published })
    }

    /// Replaces the evidence with an imported file (`POST /v1/admin/evidence`), checked against
    /// the methodology again.
    pub fn with_evidence(mut self, text: String, what: &str) -> anyhow::Result<LoadedRules> {
        let evidence = Evidence::parse(&text).with_context(|| what.to_string())?;
        evidence.validate(&self.methodology).with_context(|| what.to_string())?;
        self.evidence = evidence;
        self.evidence_text = text;
        Ok(self)
    }

    /// Checks an evidence file against this methodology, saying what is wrong.
    pub fn check_evidence(&self, text: &str) -> Result<(), String> {
        Evidence::parse(text).and_then(|e| e.validate(&self.methodology)).map_err(|e| e.to_string())
    }

    pub fn rules<'a>(&'a self, price_source: &'a str) -> depinscore_engine::Rules<'a> {
        depinscore_engine::Rules {
            methodology: &self.methodology,
            methodology_text: &self.methodology_text,
            evidence: &self.evidence,
            evidence_text: &self.evidence_text,
            hardware: &self.hardware,
            published: &self.published,
            price_source,
        }
    }
}
