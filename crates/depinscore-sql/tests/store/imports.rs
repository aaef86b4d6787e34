//! The import history.

use depinscore_sql::{ImportRecord, ImportStatus};

use crate::common::migrated;

fn run(n: i64, status: ImportStatus) -> ImportRecord {
    ImportRecord {
        kind: "offchain".into(),
        source: "http://127.0.0.1:8899/api".into(),
        rows: n as u64 * 10,
        started_at: 1_750_000_000 + n,
        finished_at: 1_750_000_000 + n + 1,
        status,
        message: format!("run {n}"),
    }
}

#[tokio::test]
async fn the_import_history_lists_runs_newest_first_up_to_the_limit() {
    for db in migrated().await {
        assert!(db.store.imports(10).await.unwrap().is_empty());
        for n in 1..=5 {
            let status = if n == 4 { ImportStatus::Failed } else { ImportStatus::Ok };
            db.store.record_import(&run(n, status)).await.unwrap();
        }
        let last3 = db.store.imports(3).await.unwrap();
        assert_eq!(
            last3,
            vec![run(5, ImportStatus::Ok), run(4, ImportStatus::Failed), run(3, ImportStatus::Ok)],
            "{}",
            db.label
        );
        assert_eq!(db.store.imports(100).await.unwrap().len(), 5);
        assert!(db.store.imports(0).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_import_that_finished_before_it_started_is_refused() {
    for db in migrated().await {
        let bad = ImportRecord { finished_at: 1, ..run(1, ImportStatus::Ok) };
        let e = db.store.record_import(&bad).await.unwrap_err();
        assert!(e.to_string().contains("finished at 1 before it started at 1750000001"), "{}: {e}", db.label);
        let nameless = ImportRecord { kind: String::new(), ..run(1, ImportStatus::Ok) };
        assert!(db.store.record_import(&nameless).await.unwrap_err().to_string().contains("the kind is empty"));
        assert!(db.store.imports(10).await.unwrap().is_empty(), "{}", db.label);
    }
}
