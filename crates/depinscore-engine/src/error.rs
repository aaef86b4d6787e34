//! Engine errors. Every one names what was wrong: the frame and column, the methodology key,
//! the evidence item.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum EngineError {
    #[error("input frame `{frame}` has no column `{column}`")]
    MissingColumn { frame: &'static str, column: &'static str },
    #[error("input frame `{frame}` column `{column}` is {found}, expected {expected}")]
    WrongType { frame: &'static str, column: &'static str, expected: &'static str, found: String },
    #[error("input frame `{frame}` column `{column}` has a null or invalid value: {detail}")]
    BadValue { frame: &'static str, column: &'static str, detail: String },
    #[error("methodology: `{key}`: {message}")]
    Methodology { key: String, message: String },
    #[error("evidence: `{key}`: {message}")]
    Evidence { key: String, message: String },
    #[error("hardware table: `{key}`: {message}")]
    Hardware { key: String, message: String },
    #[error("polars: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

pub(crate) fn methodology(key: impl Into<String>, message: impl Into<String>) -> EngineError {
    EngineError::Methodology { key: key.into(), message: message.into() }
}
