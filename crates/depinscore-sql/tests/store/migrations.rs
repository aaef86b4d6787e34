//! Migrations: applied once, recorded, and refused when the database does not fit this build.

use depinscore_sql::{MIGRATIONS, SqlError, SqlStore, TABLES};
use sqlx::Row;

use crate::common::{fresh, fresh_postgres_url};

#[tokio::test]
async fn migrations_apply_once_and_a_second_run_applies_nothing() {
    for db in fresh().await {
        let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(db.store.migrate().await.unwrap(), all, "{}", db.label);
        assert_eq!(db.store.migrate().await.unwrap(), Vec::<i64>::new(), "{}", db.label);
        for table in TABLES {
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(db.store.pool())
                .await
                .unwrap_or_else(|e| panic!("{}: {table}: {e}", db.label))
                .try_get("n")
                .unwrap();
            let expected = if table == "schema_migrations" { MIGRATIONS.len() as i64 } else { 0 };
            assert_eq!(n, expected, "{}: {table}", db.label);
        }
        let counts = db.store.table_counts().await.unwrap();
        assert_eq!(counts.len(), TABLES.len());
        assert_eq!(counts[0], ("schema_migrations", MIGRATIONS.len() as i64), "{}", db.label);
        assert!(counts[1..].iter().all(|(_, n)| *n == 0), "{}: {counts:?}", db.label);
        db.store.create_api_key("counted", 1).await.unwrap();
        let after = db.store.table_counts().await.unwrap();
        assert!(after.contains(&("api_keys", 1)), "{}: {after:?}", db.label);
        let row = sqlx::query("SELECT version, name, checksum FROM schema_migrations WHERE version = 1")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
        assert_eq!(row.try_get::<String, _>("name").unwrap(), "init");
        assert_eq!(row.try_get::<String, _>("checksum").unwrap(), MIGRATIONS[0].checksum(db.store.backend()));
    }
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_build_is_refused() {
    for db in fresh().await {
        db.store.migrate().await.unwrap();
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (99, 'future', 'x', 0)",
        )
        .execute(db.store.pool())
        .await
        .unwrap();
        let e = db.store.migrate().await.unwrap_err();
        assert!(matches!(e, SqlError::UnknownMigration { version: 99, .. }), "{}: {e}", db.label);
        assert!(e.to_string().contains("migrated by a newer depinscore"), "{e}");
    }
}

#[tokio::test]
async fn a_migration_changed_after_it_was_applied_is_refused() {
    for db in fresh().await {
        db.store.migrate().await.unwrap();
        sqlx::query("UPDATE schema_migrations SET checksum = 'abc' WHERE version = 1")
            .execute(db.store.pool())
            .await
            .unwrap();
        let e = db.store.migrate().await.unwrap_err();
        assert!(matches!(e, SqlError::ModifiedMigration { version: 1, .. }), "{}: {e}", db.label);
        assert!(e.to_string().contains("add a new migration instead"), "{e}");
    }
}

#[tokio::test]
async fn a_half_built_schema_makes_the_migration_fail_and_roll_back() {
    for db in fresh().await {
        // Someone created a table the first migration also creates, outside the migrations.
        sqlx::raw_sql("CREATE TABLE prices (x INTEGER)").execute(db.store.pool()).await.unwrap();
        let e = db.store.migrate().await.unwrap_err();
        assert!(matches!(e, SqlError::Migration { version: 1, .. }), "{}: {e}", db.label);
        assert!(e.to_string().starts_with("migration 1 (`init`) failed: "), "{e}");
        // Nothing of the migration stayed: no checkpoints table, no record.
        assert!(sqlx::query("SELECT 1 FROM checkpoints").fetch_all(db.store.pool()).await.is_err(), "{}", db.label);
        let applied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations")
            .fetch_one(db.store.pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        assert_eq!(applied, 0, "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_migrators_racing_on_one_postgres_database_apply_each_migration_once() {
    let url = fresh_postgres_url().await;
    let (a, b) = (SqlStore::connect(&url).await.unwrap(), SqlStore::connect(&url).await.unwrap());
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let mut applied = [ra, rb].concat();
    applied.sort();
    assert_eq!(applied, MIGRATIONS.iter().map(|m| m.version).collect::<Vec<_>>());
}
