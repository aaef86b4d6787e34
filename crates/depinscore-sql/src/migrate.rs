//! Numbered schema migrations, embedded at compile time, applied once each and recorded.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Backend, SqlError, SqlStore};

/// One schema version: the same change written for each dialect.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// The number in the file names (`0001_init.sql` → 1).
    pub version: i64,
    /// The rest of the file name (`init`).
    pub name: &'static str,
    /// `schema/sql/sqlite/NNNN_name.sql`.
    pub sqlite: &'static str,
    /// `schema/sql/postgres/NNNN_name.sql`.
    pub postgres: &'static str,
}

impl Migration {
    /// The SQL for `backend`.
    pub fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }

    /// SHA-256 (hex) of the SQL for `backend`, recorded when applied and compared afterwards.
    pub fn checksum(&self, backend: Backend) -> String {
        Sha256::digest(self.sql(backend).as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }
}

macro_rules! migration {
    ($version:literal, $number:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../../../schema/sql/sqlite/", $number, "_", $name, ".sql")),
            postgres: include_str!(concat!("../../../schema/sql/postgres/", $number, "_", $name, ".sql")),
        }
    };
}

/// Every migration, ascending. A test keeps this list equal to the files in `schema/sql/`.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001", "init"),
    migration!(2, "0002", "score_snapshots"),
    migration!(3, "0003", "api_access"),
    migration!(4, "0004", "rubric_evidence"),
    migration!(5, "0005", "stream_leases"),
];

/// The table recording applied migrations.
pub const MIGRATIONS_TABLE: &str = "schema_migrations";

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version     BIGINT NOT NULL PRIMARY KEY,
    name        TEXT   NOT NULL,
    checksum    TEXT   NOT NULL,
    applied_at  BIGINT NOT NULL
)";

/// Serialises concurrent migrators on one Postgres database (any fixed number will do).
const PG_LOCK_KEY: i64 = 0x6465_7069_6e73_716c;

impl SqlStore {
    /// Applies the pending migrations in order, each in its own transaction with its row in
    /// `schema_migrations`, and returns the versions it applied (empty when up to date).
    ///
    /// Refuses a database that records a migration this build does not embed
    /// ([`SqlError::UnknownMigration`]), whose applied SQL changed since
    /// ([`SqlError::ModifiedMigration`]), or that would need a migration older than one already
    /// applied ([`SqlError::MigrationOutOfOrder`]).
    pub async fn migrate(&self) -> Result<Vec<i64>, SqlError> {
        self.create_migrations_table().await?;
        let applied = self.applied_migrations().await?;
        let newest_applied = applied.iter().map(|(v, _, _)| *v).max();
        for (version, name, recorded) in &applied {
            let Some(known) = MIGRATIONS.iter().find(|m| m.version == *version) else {
                return Err(SqlError::UnknownMigration { version: *version, name: name.clone() });
            };
            let embedded = known.checksum(self.backend());
            if *recorded != embedded {
                return Err(SqlError::ModifiedMigration {
                    version: *version,
                    name: name.clone(),
                    recorded: recorded.clone(),
                    embedded,
                });
            }
        }
        let pending: Vec<&Migration> =
            MIGRATIONS.iter().filter(|m| !applied.iter().any(|(v, _, _)| *v == m.version)).collect();
        if let (Some(first), Some(newest)) = (pending.first(), newest_applied)
            && first.version < newest
        {
            return Err(SqlError::MigrationOutOfOrder {
                version: first.version,
                name: first.name.into(),
                applied: newest,
            });
        }
        let mut done = Vec::new();
        for migration in pending {
            if self.apply(migration).await? {
                done.push(migration.version);
            }
        }
        Ok(done)
    }

    /// `CREATE TABLE IF NOT EXISTS schema_migrations`, under the Postgres lock (two concurrent
    /// `CREATE … IF NOT EXISTS` can still collide there).
    async fn create_migrations_table(&self) -> Result<(), SqlError> {
        let context = "creating the schema_migrations table";
        let mut tx = self.pool.begin().await.map_err(SqlError::query(context))?;
        self.lock(&mut tx).await.map_err(SqlError::query(context))?;
        sqlx::raw_sql(CREATE_TABLE).execute(&mut *tx).await.map_err(SqlError::query(context))?;
        tx.commit().await.map_err(SqlError::query(context))
    }

    /// On Postgres, takes the migration lock until the transaction ends; nothing on SQLite,
    /// where a write transaction already excludes others.
    async fn lock(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<(), sqlx::Error> {
        if self.backend() == Backend::Postgres {
            // In FROM so the row has a plain int column (the Any driver has no `void`).
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)").bind(PG_LOCK_KEY).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// `(version, name, checksum)` of every applied migration, ascending.
    async fn applied_migrations(&self) -> Result<Vec<(i64, String, String)>, SqlError> {
        let rows = sqlx::query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&self.pool)
            .await
            .map_err(SqlError::query("reading schema_migrations"))?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(SqlError::query("reading schema_migrations"))
    }

    /// Applies one migration unless another migrator got there first; true if this call did.
    async fn apply(&self, m: &Migration) -> Result<bool, SqlError> {
        let failed = |source| SqlError::Migration { version: m.version, name: m.name.into(), source };
        let mut tx = self.pool.begin().await.map_err(failed)?;
        self.lock(&mut tx).await.map_err(failed)?;
        let already = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *tx)
            .await
            .map_err(failed)?;
        if already.is_some() {
            return Ok(false);
        }
        sqlx::raw_sql(m.sql(self.backend())).execute(&mut *tx).await.map_err(failed)?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version)
            .bind(m.name)
            .bind(m.checksum(self.backend()))
            .bind(crate::now_unix())
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `NNNN_name.sql` in one dialect's directory, sorted.
    fn files(dialect: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/sql").join(dialect);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_embedded_migrations_are_exactly_the_schema_files_of_both_dialects() {
        let embedded: Vec<String> = MIGRATIONS.iter().map(|m| format!("{:04}_{}.sql", m.version, m.name)).collect();
        assert_eq!(files("sqlite"), embedded);
        assert_eq!(files("postgres"), embedded);
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(versions, (1..=MIGRATIONS.len() as i64).collect::<Vec<_>>(), "numbered 1, 2, … without gaps");
    }

    #[test]
    fn checksums_differ_by_dialect_and_are_hex_sha256() {
        let m = &MIGRATIONS[0];
        let (a, b) = (m.checksum(Backend::Sqlite), m.checksum(Backend::Postgres));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
