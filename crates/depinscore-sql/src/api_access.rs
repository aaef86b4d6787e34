//! API keys (stored as SHA-256 of the secret, never the secret) and published reports.

use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{SqlError, SqlStore};

/// Prefix of every secret, so a leaked one is recognisable in logs and scanners.
pub const SECRET_PREFIX: &str = "dsk_";

/// One API key as stored (no secret).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKey {
    /// Public id (`key_` + 12 hex digits), shown in listings and recorded with what it did.
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A key just created: the only time its secret exists outside the client.
#[derive(Clone, Debug, PartialEq)]
pub struct NewApiKey {
    pub key: ApiKey,
    pub secret: String,
}

/// A report an administrator published.
#[derive(Clone, Debug, PartialEq)]
pub struct Publication {
    pub snapshot_id: String,
    pub published_at: i64,
    pub key_id: String,
}

/// SHA-256 of a secret, hex.
pub fn secret_digest(secret: &str) -> String {
    sha256_hex(secret)
}

/// SHA-256 of a text, lower-case hex (key digests, evidence files).
pub(crate) fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl ApiKey {
    fn from_row(row: &AnyRow) -> Result<ApiKey, sqlx::Error> {
        Ok(ApiKey {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            created_at: row.try_get("created_at")?,
            revoked_at: row.try_get("revoked_at")?,
        })
    }
}

impl SqlStore {
    /// Creates a key named `name` with a fresh random secret (32 bytes from the OS).
    pub async fn create_api_key(&self, name: &str, now: i64) -> Result<NewApiKey, SqlError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(SqlError::invalid("api key name", "give a name of 1 to 200 characters"));
        }
        let mut random = [0u8; 38];
        getrandom::fill(&mut random).map_err(|e| SqlError::invalid("api key", format!("no OS randomness: {e}")))?;
        let id = format!("key_{}", hex(&random[..6]));
        let secret = format!("{SECRET_PREFIX}{}", hex(&random[6..]));
        sqlx::query("INSERT INTO api_keys (id, name, secret_sha256, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&id)
            .bind(name)
            .bind(secret_digest(&secret))
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(SqlError::query("creating an api key"))?;
        Ok(NewApiKey { key: ApiKey { id, name: name.to_string(), created_at: now, revoked_at: None }, secret })
    }

    /// The live (not revoked) key whose secret this is.
    pub async fn api_key_by_secret(&self, secret: &str) -> Result<Option<ApiKey>, SqlError> {
        let row = sqlx::query(
            "SELECT id, name, created_at, revoked_at FROM api_keys WHERE secret_sha256 = $1 AND revoked_at IS NULL",
        )
        .bind(secret_digest(secret))
        .fetch_optional(&self.pool)
        .await
        .map_err(SqlError::query("looking up an api key"))?;
        row.map(|r| ApiKey::from_row(&r)).transpose().map_err(SqlError::query("reading an api key"))
    }

    /// Every key, oldest first.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>, SqlError> {
        let rows = sqlx::query("SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await
            .map_err(SqlError::query("listing api keys"))?;
        rows.iter().map(ApiKey::from_row).collect::<Result<_, _>>().map_err(SqlError::query("reading api keys"))
    }

    /// Revokes a key; false when no live key has that id.
    pub async fn revoke_api_key(&self, id: &str, now: i64) -> Result<bool, SqlError> {
        let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(SqlError::query("revoking an api key"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a stored snapshot's report as published (once; publishing again keeps the first).
    /// False when no snapshot has that id.
    pub async fn publish_report(&self, snapshot_id: &str, key_id: &str, now: i64) -> Result<bool, SqlError> {
        if self.snapshot_exists(snapshot_id).await? {
            sqlx::query(
                "INSERT INTO published_reports (snapshot_id, published_at, key_id) VALUES ($1, $2, $3)
                 ON CONFLICT (snapshot_id) DO NOTHING",
            )
            .bind(snapshot_id)
            .bind(now)
            .bind(key_id)
            .execute(&self.pool)
            .await
            .map_err(SqlError::query("publishing a report"))?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Every publication, newest first.
    pub async fn publications(&self) -> Result<Vec<Publication>, SqlError> {
        let rows = sqlx::query(
            "SELECT snapshot_id, published_at, key_id FROM published_reports ORDER BY published_at DESC, snapshot_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(SqlError::query("listing publications"))?;
        rows.iter()
            .map(|r| {
                Ok(Publication {
                    snapshot_id: r.try_get("snapshot_id")?,
                    published_at: r.try_get("published_at")?,
                    key_id: r.try_get("key_id")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(SqlError::query("reading publications"))
    }

    async fn snapshot_exists(&self, id: &str) -> Result<bool, SqlError> {
        let row = sqlx::query("SELECT id FROM score_snapshots WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(SqlError::query("finding a snapshot"))?;
        Ok(row.is_some())
    }
}
