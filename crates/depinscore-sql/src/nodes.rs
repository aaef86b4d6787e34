//! The node registry: off-chain specs and location of each node.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{SqlError, SqlStore, h3_res5};

/// What the store knows about a node from off-chain sources.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRecord {
    /// The node's authority, base58.
    pub address: String,
    /// The market (GPU tier) it serves, base58.
    pub market: Option<String>,
    /// GPU model, e.g. `NVIDIA GeForce RTX 4090` (the first GPU's when several).
    pub gpu: Option<String>,
    /// Number of GPUs (0 when unknown).
    pub gpu_count: i64,
    /// VRAM of one GPU, MB.
    pub vram_mb: Option<i64>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lng: f64,
    /// The H3 index of the resolution-5 cell holding (`lat`, `lng`); see [`h3_res5`].
    pub h3_res5: String,
    /// The operator (owner wallet), base58, when known. An upsert with `None` keeps the
    /// stored operator: off-chain specs do not know it, the chain does.
    pub operator: Option<String>,
    /// When this record was taken, unix seconds.
    pub updated_at: i64,
}

impl NodeRecord {
    /// A record with only an address and a location (its cell computed); everything else
    /// unknown. Fails on coordinates out of range.
    pub fn located(address: &str, lat: f64, lng: f64, updated_at: i64) -> Result<NodeRecord, SqlError> {
        let h3 = h3_res5(lat, lng).map_err(|e| SqlError::invalid(format!("node {address}"), e.to_string()))?;
        Ok(NodeRecord {
            address: address.to_string(),
            market: None,
            gpu: None,
            gpu_count: 0,
            vram_mb: None,
            country: None,
            lat,
            lng,
            h3_res5: h3,
            operator: None,
            updated_at,
        })
    }

    /// Checks what the database cannot: base58 addresses and a cell that matches the location.
    pub fn validate(&self) -> Result<(), SqlError> {
        let what = || format!("node {}", self.address);
        check_address(&self.address).map_err(|r| SqlError::invalid(what(), r))?;
        for (field, value) in [("market", &self.market), ("operator", &self.operator)] {
            if let Some(v) = value {
                check_address(v).map_err(|r| SqlError::invalid(what(), format!("{field}: {r}")))?;
            }
        }
        if self.gpu_count < 0 || self.vram_mb.is_some_and(|v| v < 0) {
            return Err(SqlError::invalid(what(), "negative GPU count or VRAM"));
        }
        let cell = h3_res5(self.lat, self.lng).map_err(|e| SqlError::invalid(what(), e.to_string()))?;
        if cell != self.h3_res5 {
            return Err(SqlError::invalid(
                what(),
                format!(
                    "h3_res5 `{}` is not the cell of ({}, {}), which is `{cell}`",
                    self.h3_res5, self.lat, self.lng
                ),
            ));
        }
        Ok(())
    }

    fn from_row(row: &AnyRow) -> Result<NodeRecord, sqlx::Error> {
        Ok(NodeRecord {
            address: row.try_get("address")?,
            market: row.try_get("market")?,
            gpu: row.try_get("gpu")?,
            gpu_count: row.try_get("gpu_count")?,
            vram_mb: row.try_get("vram_mb")?,
            country: row.try_get("country")?,
            lat: row.try_get("lat")?,
            lng: row.try_get("lng")?,
            h3_res5: row.try_get("h3_res5")?,
            operator: row.try_get("operator")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// A base58 string of 32 bytes (a Solana address).
pub(crate) fn check_address(value: &str) -> Result<(), String> {
    match bs58::decode(value).into_vec() {
        Ok(bytes) if bytes.len() == 32 => Ok(()),
        Ok(bytes) => Err(format!("`{value}` decodes to {} bytes, not a 32-byte address", bytes.len())),
        Err(e) => Err(format!("`{value}` is not base58: {e}")),
    }
}

const COLUMNS: &str = "address, market, gpu, gpu_count, vram_mb, country, lat, lng, h3_res5, operator, updated_at";

impl SqlStore {
    /// Inserts or updates (by address) every record in one transaction, after validating all
    /// of them ([`NodeRecord::validate`]); returns how many were written. A `None` operator
    /// keeps the stored one; every other field is replaced.
    pub async fn upsert_nodes(&self, nodes: &[NodeRecord]) -> Result<usize, SqlError> {
        for node in nodes {
            node.validate()?;
        }
        let context = "upserting nodes";
        let sql = format!(
            "INSERT INTO nodes ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (address) DO UPDATE SET
               market = excluded.market, gpu = excluded.gpu, gpu_count = excluded.gpu_count,
               vram_mb = excluded.vram_mb, country = excluded.country, lat = excluded.lat, lng = excluded.lng,
               h3_res5 = excluded.h3_res5, operator = COALESCE(excluded.operator, nodes.operator),
               updated_at = excluded.updated_at"
        );
        let mut tx = self.pool.begin().await.map_err(SqlError::query(context))?;
        for n in nodes {
            sqlx::query(&sql)
                .bind(&n.address)
                .bind(&n.market)
                .bind(&n.gpu)
                .bind(n.gpu_count)
                .bind(n.vram_mb)
                .bind(&n.country)
                .bind(n.lat)
                .bind(n.lng)
                .bind(&n.h3_res5)
                .bind(&n.operator)
                .bind(n.updated_at)
                .execute(&mut *tx)
                .await
                .map_err(SqlError::query(context))?;
        }
        tx.commit().await.map_err(SqlError::query(context))?;
        Ok(nodes.len())
    }

    /// Every node, by address.
    pub async fn nodes(&self) -> Result<Vec<NodeRecord>, SqlError> {
        let context = "reading nodes";
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM nodes ORDER BY address"))
            .fetch_all(&self.pool)
            .await
            .map_err(SqlError::query(context))?;
        rows.iter().map(NodeRecord::from_row).collect::<Result<_, _>>().map_err(SqlError::query(context))
    }

    /// One node by address.
    pub async fn node(&self, address: &str) -> Result<Option<NodeRecord>, SqlError> {
        let context = "reading a node";
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM nodes WHERE address = $1"))
            .bind(address)
            .fetch_optional(&self.pool)
            .await
            .map_err(SqlError::query(context))?;
        row.as_ref().map(NodeRecord::from_row).transpose().map_err(SqlError::query(context))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: &str = "97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf";

    #[test]
    fn a_located_record_carries_its_cell_and_validates() {
        let n = NodeRecord::located(ADDRESS, 52.37, 4.9, 1).unwrap();
        assert_eq!(n.h3_res5, "85196953fffffff");
        n.validate().unwrap();
        assert!(NodeRecord::located(ADDRESS, 95.0, 4.9, 1).unwrap_err().to_string().contains("latitude 95"));
    }

    #[test]
    fn records_with_bad_addresses_or_a_foreign_cell_do_not_validate() {
        let good = NodeRecord::located(ADDRESS, 52.37, 4.9, 1).unwrap();
        let bad = |f: fn(&mut NodeRecord)| {
            let mut n = good.clone();
            f(&mut n);
            n.validate().unwrap_err().to_string()
        };
        assert!(bad(|n| n.address = "0OIl".into()).contains("not base58"));
        assert!(bad(|n| n.address = "abc".into()).contains("not a 32-byte address"));
        assert!(bad(|n| n.operator = Some("xyz0".into())).contains("operator"));
        assert!(bad(|n| n.market = Some("111".into())).contains("market"));
        assert!(bad(|n| n.gpu_count = -1).contains("negative"));
        assert!(bad(|n| n.h3_res5 = "852a1073fffffff".into()).contains("which is `85196953fffffff`"));
        assert!(bad(|n| n.lng = 200.0).contains("longitude 200"));
    }
}
