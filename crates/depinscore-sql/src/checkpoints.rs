//! Where each indexer stream has got to.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{SqlError, SqlStore};

/// A stream's position: the last slot it has fully stored, and that slot's block time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The stream's name (`jobs`, `accounts`, …).
    pub stream: String,
    /// The slot.
    pub slot: u64,
    /// The slot's block time, unix seconds.
    pub block_time: i64,
    /// When it was saved, unix seconds.
    pub updated_at: i64,
}

impl Checkpoint {
    fn from_row(row: &AnyRow) -> Result<Checkpoint, sqlx::Error> {
        let slot: i64 = row.try_get("slot")?;
        Ok(Checkpoint {
            stream: row.try_get("stream")?,
            slot: slot as u64,
            block_time: row.try_get("block_time")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl SqlStore {
    /// The stream's checkpoint, or `None` before its first save.
    pub async fn checkpoint(&self, stream: &str) -> Result<Option<Checkpoint>, SqlError> {
        let context = "reading a checkpoint";
        let row = sqlx::query("SELECT stream, slot, block_time, updated_at FROM checkpoints WHERE stream = $1")
            .bind(stream)
            .fetch_optional(&self.pool)
            .await
            .map_err(SqlError::query(context))?;
        row.as_ref().map(Checkpoint::from_row).transpose().map_err(SqlError::query(context))
    }

    /// Every stream's checkpoint, by stream name.
    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>, SqlError> {
        let context = "reading checkpoints";
        let rows = sqlx::query("SELECT stream, slot, block_time, updated_at FROM checkpoints ORDER BY stream")
            .fetch_all(&self.pool)
            .await
            .map_err(SqlError::query(context))?;
        rows.iter().map(Checkpoint::from_row).collect::<Result<_, _>>().map_err(SqlError::query(context))
    }

    /// Records that `stream` has stored everything up to `slot` and returns the saved
    /// checkpoint.
    ///
    /// A checkpoint never moves backwards: saving a lower slot than the stored one is refused
    /// with [`SqlError::CheckpointBackwards`] and changes nothing (a rewind is a bug in the
    /// caller, not something to hide). Saving the same slot again is allowed and refreshes
    /// `block_time` and `updated_at`. The check and the write are one statement, so two
    /// writers cannot race it backwards.
    pub async fn save_checkpoint(&self, stream: &str, slot: u64, block_time: i64) -> Result<Checkpoint, SqlError> {
        if stream.trim().is_empty() {
            return Err(SqlError::invalid("checkpoint", "the stream name is empty"));
        }
        let stored_slot = i64::try_from(slot).map_err(|_| {
            SqlError::invalid(format!("checkpoint of stream `{stream}`"), format!("slot {slot} exceeds i64"))
        })?;
        let updated_at = crate::now_unix();
        let written = sqlx::query(
            "INSERT INTO checkpoints (stream, slot, block_time, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (stream) DO UPDATE
             SET slot = excluded.slot, block_time = excluded.block_time, updated_at = excluded.updated_at
             WHERE excluded.slot >= checkpoints.slot",
        )
        .bind(stream)
        .bind(stored_slot)
        .bind(block_time)
        .bind(updated_at)
        .execute(&self.pool)
        .await
        .map_err(SqlError::query("saving a checkpoint"))?
        .rows_affected();
        if written == 0 {
            let stored = self.checkpoint(stream).await?.map_or(0, |c| c.slot);
            return Err(SqlError::CheckpointBackwards { stream: stream.to_string(), stored, attempted: slot });
        }
        Ok(Checkpoint { stream: stream.to_string(), slot, block_time, updated_at })
    }
}
