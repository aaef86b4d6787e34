//! Report errors. Each names what was wrong: the snapshot's field path, the price table's key.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ReportError {
    /// The snapshot JSON is malformed or lacks a field the report needs.
    #[error("snapshot: `{path}`: {message}")]
    Snapshot { path: String, message: String },
    /// The cloud price table is malformed or has an invalid value.
    #[error("cloud price table: `{key}`: {message}")]
    CloudPrices { key: String, message: String },
    /// The methodology compiled into this crate does not parse (a build defect).
    #[error("built-in methodology: {0}")]
    Methodology(String),
    #[error("rendering the report: {0}")]
    Template(#[from] askama::Error),
    #[error("writing the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
}
