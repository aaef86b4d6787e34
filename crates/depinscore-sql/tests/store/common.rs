//! Fresh databases on both backends.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use depinscore_localserver::{Postgres, TempDir};
use depinscore_sql::SqlStore;
use sqlx::Connection;

static POSTGRES: OnceLock<Postgres> = OnceLock::new();

/// The test binary's PostgreSQL server (its watchdog stops it when the binary exits).
pub fn postgres() -> &'static Postgres {
    POSTGRES.get_or_init(|| Postgres::start().unwrap_or_else(|e| panic!("PostgreSQL for the store tests: {e}")))
}

/// A new, empty database on the shared server.
pub async fn fresh_postgres_url() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let pg = postgres();
    let name = format!("store_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let mut conn = sqlx::PgConnection::connect(pg.url()).await.expect("connect to the test server");
    sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("CREATE DATABASE");
    conn.close().await.expect("close");
    pg.database_url(&name)
}

/// One backend's fresh database.
pub struct Db {
    /// `sqlite` or `postgres`, for assertion messages.
    pub label: &'static str,
    pub store: SqlStore,
    _dir: Option<TempDir>,
}

/// A fresh SQLite file and a fresh Postgres database, connected, not migrated.
pub async fn fresh() -> Vec<Db> {
    let dir = TempDir::new("sql-test").expect("temp dir");
    let sqlite_url = format!("sqlite:{}", dir.path().join("store.db").display());
    let postgres_url = fresh_postgres_url().await;
    let sqlite = SqlStore::connect(&sqlite_url).await.expect("connect to SQLite");
    let postgres = SqlStore::connect(&postgres_url).await.expect("connect to Postgres");
    vec![Db { label: "sqlite", store: sqlite, _dir: Some(dir) }, Db { label: "postgres", store: postgres, _dir: None }]
}

/// [`fresh`], migrated.
pub async fn migrated() -> Vec<Db> {
    let dbs = fresh().await;
    for db in &dbs {
        db.store.migrate().await.unwrap_or_else(|e| panic!("{}: migrate: {e}", db.label));
    }
    dbs
}
