//! Rubric evidence: an answer and a source for each checklist item of the rubric dimensions.

use serde::{Deserialize, Serialize};

use crate::error::EngineError;
use crate::methodology::{Dimension, Methodology};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The methodology version the answers were given for.
    pub methodology: String,
    pub project: String,
    /// When the evidence was last reviewed (YYYY-MM-DD).
    pub reviewed: String,
    pub answers: Vec<Answer>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// `<dimension id>.<item id>`.
    pub item: String,
    /// "yes", "no", or "partial" (with `fraction`).
    pub answer: String,
    pub fraction: Option<f64>,
    /// Where a reader can check the answer.
    pub source: String,
    #[serde(default)]
    pub note: String,
}

/// What one item earned.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemScore {
    pub item: String,
    pub question: String,
    pub points: f64,
    pub earned: f64,
    pub answer: String,
    pub source: String,
    pub note: String,
}

impl Evidence {
    pub fn parse(text: &str) -> Result<Evidence, EngineError> {
        toml::from_str(text)
            .map_err(|e| EngineError::Evidence { key: "(file)".into(), message: e.message().to_string() })
    }

    /// Checks the evidence against the methodology: every rubric item answered once, with a
    /// source; nothing answered that the methodology does not ask.
    pub fn validate(&self, m: &Methodology) -> Result<(), EngineError> {
        let err = |key: String, message: String| EngineError::Evidence { key, message };
        if self.methodology != m.version {
            return Err(err(
                "methodology".into(),
                format!("answers are for `{}`, the methodology is `{}`", self.methodology, m.version),
            ));
        }
        for (i, a) in self.answers.iter().enumerate() {
            let key = |k: &str| format!("answers[{i}].{k}");
            let asked = m.dimensions.iter().any(|d| d.items.iter().any(|it| format!("{}.{}", d.id, it.id) == a.item));
            if !asked {
                return Err(err(key("item"), format!("`{}` is not a rubric item of the methodology", a.item)));
            }
            if self.answers[..i].iter().any(|o| o.item == a.item) {
                return Err(err(key("item"), format!("`{}` is answered twice", a.item)));
            }
            fraction(a).map_err(|m| err(key("answer"), m))?;
            if a.source.trim().is_empty() {
                return Err(err(key("source"), "every answer needs a source".into()));
            }
        }
        for d in &m.dimensions {
            for it in &d.items {
                let id = format!("{}.{}", d.id, it.id);
                if !self.answers.iter().any(|a| a.item == id) {
                    return Err(err("answers".into(), format!("`{id}` has no answer")));
                }
            }
        }
        Ok(())
    }

    /// A rubric dimension's items with what each earned, and its 0–100 score.
    pub fn score(&self, d: &Dimension) -> Result<(Vec<ItemScore>, f64), EngineError> {
        let mut items = Vec::new();
        let (mut total, mut earned) = (0.0, 0.0);
        for it in &d.items {
            let id = format!("{}.{}", d.id, it.id);
            let a = self.answers.iter().find(|a| a.item == id).ok_or_else(|| EngineError::Evidence {
                key: "answers".into(),
                message: format!("`{id}` has no answer"),
            })?;
            let f = fraction(a).map_err(|message| EngineError::Evidence { key: id.clone(), message })?;
            total += it.points;
            earned += it.points * f;
            items.push(ItemScore {
                item: id,
                question: it.question.clone(),
                points: it.points,
                earned: it.points * f,
                answer: a.answer.clone(),
                source: a.source.clone(),
                note: a.note.clone(),
            });
        }
        Ok((items, if total > 0.0 { earned / total * 100.0 } else { 0.0 }))
    }
}

fn fraction(a: &Answer) -> Result<f64, String> {
    match (a.answer.as_str(), a.fraction) {
        ("yes", None) => Ok(1.0),
        ("no", None) => Ok(0.0),
        ("partial", Some(f)) if f.is_finite() && f > 0.0 && f < 1.0 => Ok(f),
        ("partial", _) => Err("`partial` needs a `fraction` strictly between 0 and 1".into()),
        ("yes" | "no", Some(_)) => Err("`fraction` goes only with `partial`".into()),
        (other, _) => Err(format!("`{other}` is not yes, no or partial")),
    }
}
