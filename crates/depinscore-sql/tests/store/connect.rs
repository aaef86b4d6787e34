//! Connecting: URLs, SQLite file creation, in-memory SQLite, unreachable servers.

use std::time::Duration;

use depinscore_localserver::{TempDir, free_port};
use depinscore_sql::{Backend, SqlError, SqlStore};

#[tokio::test]
async fn connect_creates_the_sqlite_file_and_its_parent_directories() {
    let dir = TempDir::new("sql-connect").unwrap();
    let path = dir.path().join("a").join("b").join("store.db");
    let url = format!("sqlite:{}", path.display());
    let store = SqlStore::connect(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    store.migrate().await.unwrap();
    store.save_checkpoint("jobs", 42, 1_700_000_000).await.unwrap();
    store.close().await;
    assert!(path.is_file(), "{} should exist", path.display());

    let again = SqlStore::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    assert_eq!(again.migrate().await.unwrap(), Vec::<i64>::new(), "the file keeps its schema");
    assert_eq!(again.checkpoint("jobs").await.unwrap().unwrap().slot, 42, "and its rows");
}

#[tokio::test]
async fn an_in_memory_sqlite_store_keeps_its_tables_across_queries() {
    let store = SqlStore::connect("sqlite::memory:").await.unwrap();
    let all: Vec<i64> = depinscore_sql::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(store.migrate().await.unwrap(), all);
    for slot in 1..=20 {
        store.save_checkpoint("s", slot, 0).await.unwrap();
    }
    assert_eq!(store.checkpoint("s").await.unwrap().unwrap().slot, 20);
}

#[tokio::test]
async fn urls_that_are_neither_sqlite_nor_postgres_are_refused() {
    for url in ["mysql://root:hunter2@localhost/db", "", "data/store.db", "sqlite:"] {
        let e = SqlStore::connect(url).await.unwrap_err();
        assert!(matches!(e, SqlError::BadUrl { .. }), "{url}: {e}");
        assert!(e.to_string().contains("expected `sqlite:PATH`"), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_connect_error_that_hides_the_password() {
    let url = format!("postgres://depinscore:hunter2@127.0.0.1:{}/nothing", free_port().unwrap());
    let e = SqlStore::connect_with_timeout(&url, Duration::from_secs(1)).await.unwrap_err();
    assert!(matches!(e, SqlError::Connect { .. }), "{e}");
    let message = e.to_string();
    assert!(message.starts_with("cannot connect to postgres://depinscore:***@127.0.0.1:"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn a_sqlite_path_under_a_file_is_a_clear_error() {
    let dir = TempDir::new("sql-connect").unwrap();
    std::fs::write(dir.path().join("plain"), "x").unwrap();
    let url = format!("sqlite:{}", dir.path().join("plain").join("store.db").display());
    let e = SqlStore::connect(&url).await.unwrap_err();
    assert!(matches!(e, SqlError::CreateDir { .. }), "{e}");
    assert!(e.to_string().contains("the directory of the SQLite file"), "{e}");
}
