//! The history of import runs.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{SqlError, SqlStore};

/// How an import run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportStatus {
    /// Everything it read was stored.
    Ok,
    /// It stopped on an error (see the message); what it had stored before stays.
    Failed,
}

impl ImportStatus {
    /// `ok` or `failed`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Ok => "ok",
            ImportStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<ImportStatus, sqlx::Error> {
        match s {
            "ok" => Ok(ImportStatus::Ok),
            "failed" => Ok(ImportStatus::Failed),
            other => Err(sqlx::Error::Decode(format!("unknown import status `{other}`").into())),
        }
    }
}

/// One import run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRecord {
    /// What was imported (`offchain`, …).
    pub kind: String,
    /// Where from (a URL, a file).
    pub source: String,
    /// Rows written.
    pub rows: u64,
    /// Unix seconds.
    pub started_at: i64,
    /// Unix seconds, ≥ `started_at`.
    pub finished_at: i64,
    /// How it ended.
    pub status: ImportStatus,
    /// A summary, or the error.
    pub message: String,
}

impl ImportRecord {
    fn from_row(row: &AnyRow) -> Result<ImportRecord, sqlx::Error> {
        let rows: i64 = row.try_get("rows")?;
        let status: String = row.try_get("status")?;
        Ok(ImportRecord {
            kind: row.try_get("kind")?,
            source: row.try_get("source")?,
            rows: rows as u64,
            started_at: row.try_get("started_at")?,
            finished_at: row.try_get("finished_at")?,
            status: ImportStatus::parse(&status)?,
            message: row.try_get("message")?,
        })
    }
}

impl SqlStore {
    /// Appends a run to the history. An empty kind or a run that finished before it started
    /// is refused.
    pub async fn record_import(&self, record: &ImportRecord) -> Result<(), SqlError> {
        let what = || format!("import record `{}` from `{}`", record.kind, record.source);
        if record.kind.trim().is_empty() {
            return Err(SqlError::invalid(what(), "the kind is empty"));
        }
        if record.finished_at < record.started_at {
            return Err(SqlError::invalid(
                what(),
                format!("finished at {} before it started at {}", record.finished_at, record.started_at),
            ));
        }
        let rows = i64::try_from(record.rows).map_err(|_| SqlError::invalid(what(), "row count exceeds i64"))?;
        sqlx::query(
            "INSERT INTO imports (kind, source, rows, started_at, finished_at, status, message)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&record.kind)
        .bind(&record.source)
        .bind(rows)
        .bind(record.started_at)
        .bind(record.finished_at)
        .bind(record.status.as_str())
        .bind(&record.message)
        .execute(&self.pool)
        .await
        .map_err(SqlError::query("recording an import"))?;
        Ok(())
    }

    /// The newest `limit` runs, newest first.
    pub async fn imports(&self, limit: u32) -> Result<Vec<ImportRecord>, SqlError> {
        let context = "reading the import history";
        let rows = sqlx::query(
            "SELECT kind, source, rows, started_at, finished_at, status, message FROM imports
             ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(SqlError::query(context))?;
        rows.iter().map(ImportRecord::from_row).collect::<Result<_, _>>().map_err(SqlError::query(context))
    }
}
