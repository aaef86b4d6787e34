//! Rubric evidence files imported through the API. The newest one is what re-scores use; every
//! import is kept, keyed by its SHA-256, so a snapshot's `evidence_sha256` finds its text.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{SqlError, SqlStore};

/// The largest evidence file accepted (the shipped one is about 10 KB).
pub const MAX_EVIDENCE_BYTES: usize = 1 << 20;

/// One imported evidence file.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceRecord {
    /// SHA-256 of `body`, hex: the digest a snapshot records as `evidence_sha256`.
    pub sha256: String,
    pub body: String,
    pub imported_at: i64,
    /// The API key that imported it.
    pub key_id: String,
}

impl EvidenceRecord {
    pub fn new(body: String, imported_at: i64, key_id: String) -> EvidenceRecord {
        let sha256 = crate::api_access::sha256_hex(&body);
        EvidenceRecord { sha256, body, imported_at, key_id }
    }

    fn from_row(row: &AnyRow) -> Result<EvidenceRecord, sqlx::Error> {
        Ok(EvidenceRecord {
            sha256: row.try_get("sha256")?,
            body: row.try_get("body")?,
            imported_at: row.try_get("imported_at")?,
            key_id: row.try_get("key_id")?,
        })
    }
}

impl SqlStore {
    /// Stores an evidence file (already validated against the methodology by the caller).
    /// Importing the same text again makes it the newest again; returns whether the text was new.
    pub async fn import_evidence(&self, record: &EvidenceRecord) -> Result<bool, SqlError> {
        if record.body.len() > MAX_EVIDENCE_BYTES {
            return Err(SqlError::invalid("evidence", format!("larger than {MAX_EVIDENCE_BYTES} bytes")));
        }
        let existed = self.evidence(&record.sha256).await?.is_some();
        sqlx::query(
            "INSERT INTO rubric_evidence (sha256, body, imported_at, key_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sha256) DO UPDATE SET imported_at = excluded.imported_at, key_id = excluded.key_id",
        )
        .bind(&record.sha256)
        .bind(&record.body)
        .bind(record.imported_at)
        .bind(&record.key_id)
        .execute(&self.pool)
        .await
        .map_err(SqlError::query("importing evidence"))?;
        Ok(!existed)
    }

    /// The newest imported evidence file, if any was imported.
    pub async fn latest_evidence(&self) -> Result<Option<EvidenceRecord>, SqlError> {
        let row = sqlx::query(
            "SELECT sha256, body, imported_at, key_id FROM rubric_evidence ORDER BY imported_at DESC, sha256 LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(SqlError::query("reading the latest evidence"))?;
        row.map(|r| EvidenceRecord::from_row(&r)).transpose().map_err(SqlError::query("reading evidence"))
    }

    /// One imported evidence file by its SHA-256.
    pub async fn evidence(&self, sha256: &str) -> Result<Option<EvidenceRecord>, SqlError> {
        let row = sqlx::query("SELECT sha256, body, imported_at, key_id FROM rubric_evidence WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await
            .map_err(SqlError::query("reading evidence"))?;
        row.map(|r| EvidenceRecord::from_row(&r)).transpose().map_err(SqlError::query("reading evidence"))
    }
}
