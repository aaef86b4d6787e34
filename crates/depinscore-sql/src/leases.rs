//! One active writer per indexer stream: a lease in the store that its holder renews, and that
//! a standby takes over once it has expired. Times are unix seconds of the contenders' clocks.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{SqlError, SqlStore};

/// Who holds a stream's lease, since when and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub stream: String,
    pub holder: String,
    pub acquired_at: i64,
    pub expires_at: i64,
}

impl Lease {
    fn from_row(row: &AnyRow) -> Result<Lease, sqlx::Error> {
        Ok(Lease {
            stream: row.try_get("stream")?,
            holder: row.try_get("holder")?,
            acquired_at: row.try_get("acquired_at")?,
            expires_at: row.try_get("expires_at")?,
        })
    }
}

impl SqlStore {
    /// Takes or renews the lease of `stream` for `holder` until `now + ttl_secs`. True when
    /// `holder` holds it afterwards: it was free, had expired before `now`, or was already
    /// `holder`'s. One statement, so of two contenders only one can win.
    pub async fn acquire_lease(&self, stream: &str, holder: &str, ttl_secs: u64, now: i64) -> Result<bool, SqlError> {
        if stream.trim().is_empty() || holder.trim().is_empty() {
            return Err(SqlError::invalid("lease", "the stream or holder name is empty"));
        }
        let ttl = i64::try_from(ttl_secs).map_err(|_| SqlError::invalid("lease", "the lease time exceeds i64"))?;
        let written = sqlx::query(
            "INSERT INTO stream_leases (stream, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (stream) DO UPDATE
             SET acquired_at = CASE WHEN stream_leases.holder = excluded.holder
                                    THEN stream_leases.acquired_at ELSE excluded.acquired_at END,
                 holder = excluded.holder,
                 expires_at = excluded.expires_at
             WHERE stream_leases.holder = excluded.holder OR stream_leases.expires_at < excluded.acquired_at",
        )
        .bind(stream)
        .bind(holder)
        .bind(now)
        .bind(now.saturating_add(ttl))
        .execute(&self.pool)
        .await
        .map_err(SqlError::query("taking a stream lease"))?
        .rows_affected();
        Ok(written == 1)
    }

    /// The lease of `stream`, if anyone took it.
    pub async fn lease(&self, stream: &str) -> Result<Option<Lease>, SqlError> {
        let context = "reading a stream lease";
        let row = sqlx::query("SELECT stream, holder, acquired_at, expires_at FROM stream_leases WHERE stream = $1")
            .bind(stream)
            .fetch_optional(&self.pool)
            .await
            .map_err(SqlError::query(context))?;
        row.as_ref().map(Lease::from_row).transpose().map_err(SqlError::query(context))
    }

    /// Gives up `holder`'s lease of `stream` (a clean stop), so a standby need not wait for it
    /// to expire. False when `holder` did not hold it.
    pub async fn release_lease(&self, stream: &str, holder: &str) -> Result<bool, SqlError> {
        let deleted = sqlx::query("DELETE FROM stream_leases WHERE stream = $1 AND holder = $2")
            .bind(stream)
            .bind(holder)
            .execute(&self.pool)
            .await
            .map_err(SqlError::query("releasing a stream lease"))?
            .rows_affected();
        Ok(deleted == 1)
    }
}
