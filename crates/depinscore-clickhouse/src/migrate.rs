//! Numbered migrations from `schema/clickhouse/`, applied in order and recorded in
//! `schema_migrations`. Every statement is idempotent (`IF NOT EXISTS`), so a crash between a
//! statement and its record is repaired by the next run.

use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use crate::ChError;
use crate::cluster::for_cluster;
use crate::config::check_identifier;

/// One migration file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. `{db}` in a file stands for the database.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "chain", sql: include_str!("../../../schema/clickhouse/0001_chain.sql") },
    Migration { version: 2, name: "events", sql: include_str!("../../../schema/clickhouse/0002_events.sql") },
    Migration { version: 3, name: "accounts", sql: include_str!("../../../schema/clickhouse/0003_accounts.sql") },
    Migration {
        version: 4,
        name: "daily_rollups",
        sql: include_str!("../../../schema/clickhouse/0004_daily_rollups.sql"),
    },
    Migration { version: 5, name: "explorer", sql: include_str!("../../../schema/clickhouse/0005_explorer.sql") },
    Migration { version: 6, name: "job_parties", sql: include_str!("../../../schema/clickhouse/0006_job_parties.sql") },
    Migration {
        version: 7,
        name: "job_end_kinds",
        sql: include_str!("../../../schema/clickhouse/0007_job_end_kinds.sql"),
    },
    Migration { version: 8, name: "job_ends", sql: include_str!("../../../schema/clickhouse/0008_job_ends.sql") },
];

/// A migration recorded as applied.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct AppliedMigration {
    pub version: u32,
    pub name: String,
    /// Unix seconds.
    pub applied_at: u32,
}

/// The statements of a migration file with comments removed and `{db}` substituted.
pub fn statements(sql: &str, database: &str) -> Vec<String> {
    let without_comments: String = sql
        .lines()
        .map(|l| match l.find("--") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    without_comments.split(';').map(|s| s.trim().replace("{db}", database)).filter(|s| !s.is_empty()).collect()
}

/// Create the database and apply every migration not yet recorded. Returns what was applied.
/// With a `cluster` (empty: one server), every `CREATE` runs on it with replicated engines
/// ([`for_cluster`]).
pub async fn migrate(
    client: &Client,
    database: &str,
    cluster: &str,
    now: u32,
) -> Result<Vec<AppliedMigration>, ChError> {
    check_identifier(database)?;
    if !cluster.is_empty() {
        check_identifier(cluster)?;
    }
    // Nothing pending: no DDL at all. On a cluster, `ON CLUSTER` waits for every replica, so a
    // start with one replica down must not issue it when the schema is already there.
    if let Ok(done) = applied(client, database).await
        && MIGRATIONS.iter().all(|m| done.iter().any(|d| d.version == m.version))
    {
        return Ok(Vec::new());
    }
    let on_cluster = |statement: String| if cluster.is_empty() { statement } else { for_cluster(&statement, cluster) };
    client.query(&on_cluster(format!("CREATE DATABASE IF NOT EXISTS {database}"))).execute().await?;
    client
        .query(&on_cluster(format!(
            "CREATE TABLE IF NOT EXISTS {database}.schema_migrations \
             (version UInt32, name String, applied_at DateTime) \
             ENGINE = ReplacingMergeTree() ORDER BY version"
        )))
        .execute()
        .await?;
    let done = applied(client, database).await?;
    let mut out = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !done.iter().any(|d| d.version == m.version)) {
        for statement in statements(m.sql, database) {
            client.query(&on_cluster(statement)).execute().await.map_err(|source| ChError::Migration {
                version: m.version,
                name: m.name,
                source,
            })?;
        }
        let row = AppliedMigration { version: m.version, name: m.name.to_string(), applied_at: now };
        let mut insert = client.insert_unescaped::<AppliedMigration>(&format!("{database}.schema_migrations")).await?;
        insert.write(&row).await?;
        insert.end().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        out.push(row);
    }
    Ok(out)
}

/// Migrations recorded as applied, by version.
pub async fn applied(client: &Client, database: &str) -> Result<Vec<AppliedMigration>, ChError> {
    check_identifier(database)?;
    Ok(client
        .query(&format!(
            "SELECT version, any(name), min(applied_at) FROM {database}.schema_migrations \
             GROUP BY version ORDER BY version"
        ))
        .fetch_all::<AppliedMigration>()
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_files_split_into_statements_without_comments() {
        let all: Vec<String> = MIGRATIONS.iter().flat_map(|m| statements(m.sql, "x")).collect();
        assert!(all.len() >= 10, "{}", all.len());
        for s in &all {
            assert!(!s.contains("--"), "comment left in {s}");
            assert!(!s.contains("{db}"), "placeholder left in {s}");
            // DDL (a drop only of what exists), or a backfill guarded so it runs once (see 0005).
            assert!(
                s.starts_with("CREATE") || s.starts_with("INSERT INTO") || s.starts_with("DROP TABLE IF EXISTS "),
                "{s}"
            );
            assert!(!s.contains('?'), "a `?` would be read as a bind placeholder: {s}");
        }
    }

    #[test]
    fn migrations_are_numbered_in_order_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
        }
    }

    #[test]
    fn every_migration_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/clickhouse");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("schema/clickhouse exists")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<String> = MIGRATIONS.iter().map(|m| format!("{:04}_{}.sql", m.version, m.name)).collect();
        assert_eq!(files, embedded);
    }

    #[test]
    fn backfills_that_could_count_twice_are_guarded_by_an_empty_target() {
        let all: Vec<String> = MIGRATIONS.iter().flat_map(|m| statements(m.sql, "x")).collect();
        for s in all.iter().filter(|s| s.starts_with("INSERT INTO")) {
            let target = s.trim_start_matches("INSERT INTO ").split_whitespace().next().unwrap_or_default();
            let create = all
                .iter()
                .find(|c| c.starts_with(&format!("CREATE TABLE IF NOT EXISTS {target}")))
                .unwrap_or_else(|| panic!("no CREATE TABLE for {target}"));
            // A repeated copy into a ReplacingMergeTree adds only identical rows (read with
            // DISTINCT or FINAL); into an AggregatingMergeTree it would add sums twice.
            if create.contains("ENGINE = ReplacingMergeTree") {
                continue;
            }
            assert!(s.contains(&format!("(SELECT count() FROM {target}) = 0")), "unguarded backfill: {s}");
        }
    }
}
