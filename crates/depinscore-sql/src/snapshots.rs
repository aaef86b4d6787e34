//! Stored score snapshots: the engine's canonical JSON with a few columns to list and find them.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{SqlError, SqlStore};

/// One stored snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotRecord {
    /// Content hash (the snapshot's own id).
    pub id: String,
    /// When it was stored, unix seconds (not part of the content).
    pub created_at: i64,
    /// The as-of time of the metrics, unix seconds.
    pub as_of: i64,
    pub last_slot: u64,
    pub methodology_version: String,
    pub composite: f64,
    pub input_hash: String,
    /// Canonical JSON (empty in listings).
    pub body: String,
}

impl SnapshotRecord {
    fn from_row(row: &AnyRow, with_body: bool) -> Result<SnapshotRecord, sqlx::Error> {
        let last_slot: i64 = row.try_get("last_slot")?;
        Ok(SnapshotRecord {
            id: row.try_get("id")?,
            created_at: row.try_get("created_at")?,
            as_of: row.try_get("as_of")?,
            last_slot: last_slot.max(0) as u64,
            methodology_version: row.try_get("methodology_version")?,
            composite: row.try_get("composite")?,
            input_hash: row.try_get("input_hash")?,
            body: if with_body { row.try_get("body")? } else { String::new() },
        })
    }
}

const COLUMNS: &str = "id, created_at, as_of, last_slot, methodology_version, composite, input_hash";

impl SqlStore {
    /// Stores a snapshot; returns false when one with the same id (same content) is already
    /// stored, which is left as it was.
    pub async fn save_snapshot(&self, s: &SnapshotRecord) -> Result<bool, SqlError> {
        let what = || format!("snapshot `{}`", s.id);
        if s.id.is_empty() || s.body.is_empty() {
            return Err(SqlError::invalid(what(), "id and body are required"));
        }
        if !s.composite.is_finite() {
            return Err(SqlError::invalid(what(), "the composite is not a number"));
        }
        let last_slot = i64::try_from(s.last_slot).map_err(|_| SqlError::invalid(what(), "slot exceeds i64"))?;
        let done = sqlx::query(
            "INSERT INTO score_snapshots (id, created_at, as_of, last_slot, methodology_version, composite, input_hash, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&s.id)
        .bind(s.created_at)
        .bind(s.as_of)
        .bind(last_slot)
        .bind(&s.methodology_version)
        .bind(s.composite)
        .bind(&s.input_hash)
        .bind(&s.body)
        .execute(&self.pool)
        .await
        .map_err(SqlError::query("storing a snapshot"))?;
        Ok(done.rows_affected() == 1)
    }

    /// The newest `limit` snapshots by as-of time, then by when they were stored (a re-score of
    /// the same chain state after new prices or registry data wins), without bodies.
    pub async fn snapshots(&self, limit: u32) -> Result<Vec<SnapshotRecord>, SqlError> {
        let context = "listing snapshots";
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM score_snapshots ORDER BY as_of DESC, created_at DESC, id LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(SqlError::query(context))?;
        rows.iter()
            .map(|r| SnapshotRecord::from_row(r, false))
            .collect::<Result<_, _>>()
            .map_err(SqlError::query(context))
    }

    /// Snapshots with an as-of time in `[from, to]`, oldest first (or newest first), at most
    /// `limit`, without bodies.
    pub async fn snapshots_between(
        &self,
        from: i64,
        to: i64,
        limit: u32,
        newest_first: bool,
    ) -> Result<Vec<SnapshotRecord>, SqlError> {
        let context = "listing snapshots in a time range";
        let order = if newest_first { "as_of DESC, created_at DESC, id" } else { "as_of, created_at, id" };
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM score_snapshots WHERE as_of >= $1 AND as_of <= $2 ORDER BY {order} LIMIT $3"
        ))
        .bind(from)
        .bind(to)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(SqlError::query(context))?;
        rows.iter()
            .map(|r| SnapshotRecord::from_row(r, false))
            .collect::<Result<_, _>>()
            .map_err(SqlError::query(context))
    }

    /// One snapshot with its body.
    pub async fn snapshot(&self, id: &str) -> Result<Option<SnapshotRecord>, SqlError> {
        let context = "reading a snapshot";
        let row = sqlx::query(&format!("SELECT {COLUMNS}, body FROM score_snapshots WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(SqlError::query(context))?;
        row.map(|r| SnapshotRecord::from_row(&r, true)).transpose().map_err(SqlError::query(context))
    }

    /// The snapshot with the newest as-of time, with its body.
    pub async fn latest_snapshot(&self) -> Result<Option<SnapshotRecord>, SqlError> {
        let context = "reading the latest snapshot";
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, body FROM score_snapshots ORDER BY as_of DESC, created_at DESC, id LIMIT 1"
        ))
        .fetch_optional(&self.pool)
        .await
        .map_err(SqlError::query(context))?;
        row.map(|r| SnapshotRecord::from_row(&r, true)).transpose().map_err(SqlError::query(context))
    }
}
