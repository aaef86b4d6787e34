//! NOS/USD price points.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{SqlError, SqlStore};

/// NOS/USD at a time, from a source.
#[derive(Clone, Debug, PartialEq)]
pub struct PricePoint {
    /// Unix seconds.
    pub time: i64,
    /// USD per NOS.
    pub usd: f64,
    /// Where it came from (`nosana-backend`, …). With `time`, the point's key.
    pub source: String,
}

impl PricePoint {
    fn from_row(row: &AnyRow) -> Result<PricePoint, sqlx::Error> {
        Ok(PricePoint { time: row.try_get("time")?, usd: row.try_get("usd")?, source: row.try_get("source")? })
    }
}

impl SqlStore {
    /// Inserts or replaces (by time and source) every point in one transaction; returns how
    /// many were written. A price that is not a finite number ≥ 0, or an empty source, is
    /// refused before anything is written.
    pub async fn upsert_prices(&self, points: &[PricePoint]) -> Result<usize, SqlError> {
        for p in points {
            if !p.usd.is_finite() || p.usd < 0.0 || p.source.trim().is_empty() {
                return Err(SqlError::invalid(
                    format!("price point at {} from `{}`", p.time, p.source),
                    format!("needs a finite USD price ≥ 0 and a source, got {}", p.usd),
                ));
            }
        }
        let context = "upserting prices";
        let mut tx = self.pool.begin().await.map_err(SqlError::query(context))?;
        for p in points {
            sqlx::query(
                "INSERT INTO prices (time, source, usd) VALUES ($1, $2, $3)
                 ON CONFLICT (time, source) DO UPDATE SET usd = excluded.usd",
            )
            .bind(p.time)
            .bind(&p.source)
            .bind(p.usd)
            .execute(&mut *tx)
            .await
            .map_err(SqlError::query(context))?;
        }
        tx.commit().await.map_err(SqlError::query(context))?;
        Ok(points.len())
    }

    /// Points with `from <= time <= to`, by time then source. `from > to` is an error.
    pub async fn prices(&self, from: i64, to: i64) -> Result<Vec<PricePoint>, SqlError> {
        if from > to {
            return Err(SqlError::invalid("price range", format!("from ({from}) is after to ({to})")));
        }
        let context = "reading prices";
        let rows =
            sqlx::query("SELECT time, usd, source FROM prices WHERE time >= $1 AND time <= $2 ORDER BY time, source")
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await
                .map_err(SqlError::query(context))?;
        rows.iter().map(PricePoint::from_row).collect::<Result<_, _>>().map_err(SqlError::query(context))
    }

    /// The latest point at or before `time` (of any source; the first source by name when
    /// several share that time), or `None` when there is none.
    pub async fn price_at(&self, time: i64) -> Result<Option<PricePoint>, SqlError> {
        let context = "reading the price at a time";
        let row =
            sqlx::query("SELECT time, usd, source FROM prices WHERE time <= $1 ORDER BY time DESC, source ASC LIMIT 1")
                .bind(time)
                .fetch_optional(&self.pool)
                .await
                .map_err(SqlError::query(context))?;
        row.as_ref().map(PricePoint::from_row).transpose().map_err(SqlError::query(context))
    }

    /// The time of the newest point from `source`, or `None`.
    pub async fn latest_price_time(&self, source: &str) -> Result<Option<i64>, SqlError> {
        let context = "reading the newest price time";
        let row = sqlx::query("SELECT time FROM prices WHERE source = $1 ORDER BY time DESC LIMIT 1")
            .bind(source)
            .fetch_optional(&self.pool)
            .await
            .map_err(SqlError::query(context))?;
        row.map(|r| r.try_get::<i64, _>("time")).transpose().map_err(SqlError::query(context))
    }
}
