//! Market metadata: what the backend says about each GPU market.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::nodes::check_address;
use crate::{SqlError, SqlStore};

/// One market as the backend describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct MarketRecord {
    /// The market account, base58.
    pub address: String,
    /// Display name, e.g. `NVIDIA 3060`.
    pub name: String,
    /// URL slug, e.g. `nvidia-3060`.
    pub slug: String,
    /// `PREMIUM` or `COMMUNITY`.
    pub kind: String,
    /// GPU models the market accepts.
    pub gpu_types: Vec<String>,
    /// The VRAM floor, GB.
    pub lowest_vram_gb: i64,
    /// What a job pays per hour, USD.
    pub usd_reward_per_hour: f64,
    /// The access-key (SFT) collection, base58, if gated.
    pub sft: Option<String>,
    /// When this record was taken, unix seconds.
    pub updated_at: i64,
}

impl MarketRecord {
    /// Checks the address and the numbers.
    pub fn validate(&self) -> Result<(), SqlError> {
        let what = || format!("market {}", self.address);
        check_address(&self.address).map_err(|r| SqlError::invalid(what(), r))?;
        if let Some(sft) = &self.sft {
            check_address(sft).map_err(|r| SqlError::invalid(what(), format!("sft: {r}")))?;
        }
        if self.lowest_vram_gb < 0 || !self.usd_reward_per_hour.is_finite() || self.usd_reward_per_hour < 0.0 {
            return Err(SqlError::invalid(
                what(),
                format!(
                    "lowest VRAM {} GB and reward {} USD/h must be ≥ 0",
                    self.lowest_vram_gb, self.usd_reward_per_hour
                ),
            ));
        }
        Ok(())
    }

    fn from_row(row: &AnyRow) -> Result<MarketRecord, sqlx::Error> {
        let gpu_types: String = row.try_get("gpu_types")?;
        Ok(MarketRecord {
            address: row.try_get("address")?,
            name: row.try_get("name")?,
            slug: row.try_get("slug")?,
            kind: row.try_get("kind")?,
            gpu_types: serde_json::from_str(&gpu_types).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            lowest_vram_gb: row.try_get("lowest_vram_gb")?,
            usd_reward_per_hour: row.try_get("usd_reward_per_hour")?,
            sft: row.try_get("sft")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

const COLUMNS: &str = "address, name, slug, kind, gpu_types, lowest_vram_gb, usd_reward_per_hour, sft, updated_at";

impl SqlStore {
    /// Inserts or replaces (by address) every market in one transaction, after validating
    /// all; returns how many were written.
    pub async fn upsert_markets(&self, markets: &[MarketRecord]) -> Result<usize, SqlError> {
        for market in markets {
            market.validate()?;
        }
        let context = "upserting markets";
        let sql = format!(
            "INSERT INTO markets ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (address) DO UPDATE SET
               name = excluded.name, slug = excluded.slug, kind = excluded.kind, gpu_types = excluded.gpu_types,
               lowest_vram_gb = excluded.lowest_vram_gb, usd_reward_per_hour = excluded.usd_reward_per_hour,
               sft = excluded.sft, updated_at = excluded.updated_at"
        );
        let mut tx = self.pool.begin().await.map_err(SqlError::query(context))?;
        for m in markets {
            let gpu_types = serde_json::to_string(&m.gpu_types).unwrap_or_else(|_| "[]".into());
            sqlx::query(&sql)
                .bind(&m.address)
                .bind(&m.name)
                .bind(&m.slug)
                .bind(&m.kind)
                .bind(gpu_types)
                .bind(m.lowest_vram_gb)
                .bind(m.usd_reward_per_hour)
                .bind(&m.sft)
                .bind(m.updated_at)
                .execute(&mut *tx)
                .await
                .map_err(SqlError::query(context))?;
        }
        tx.commit().await.map_err(SqlError::query(context))?;
        Ok(markets.len())
    }

    /// Every market, by address.
    pub async fn markets(&self) -> Result<Vec<MarketRecord>, SqlError> {
        let context = "reading markets";
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM markets ORDER BY address"))
            .fetch_all(&self.pool)
            .await
            .map_err(SqlError::query(context))?;
        rows.iter().map(MarketRecord::from_row).collect::<Result<_, _>>().map_err(SqlError::query(context))
    }
}
