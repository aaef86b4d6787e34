//! Score snapshots: stored once per content id, listed newest first, read back whole.

use depinscore_sql::SnapshotRecord;

use crate::common::migrated;

fn snap(id: &str, as_of: i64, composite: f64) -> SnapshotRecord {
    SnapshotRecord {
        id: id.into(),
        created_at: 1_800_000_000,
        as_of,
        last_slot: 12_345,
        methodology_version: "v1".into(),
        composite,
        input_hash: format!("hash-{id}"),
        body: format!("{{\"id\":\"{id}\"}}"),
    }
}

#[tokio::test]
async fn a_snapshot_is_stored_once_per_id_and_listed_newest_first() {
    for db in migrated().await {
        let s = &db.store;
        assert!(s.latest_snapshot().await.unwrap().is_none(), "{}", db.label);
        assert!(s.save_snapshot(&snap("a", 100, 71.25)).await.unwrap(), "{}", db.label);
        assert!(s.save_snapshot(&snap("b", 300, 80.5)).await.unwrap());
        assert!(s.save_snapshot(&snap("c", 200, 75.0)).await.unwrap());
        let mut again = snap("a", 100, 71.25);
        again.body = "changed".into();
        assert!(!s.save_snapshot(&again).await.unwrap(), "{}: the same id is not stored twice", db.label);
        let list = s.snapshots(10).await.unwrap();
        assert_eq!(list.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["b", "c", "a"], "{}", db.label);
        assert!(list.iter().all(|r| r.body.is_empty()));
        assert_eq!(s.snapshots(1).await.unwrap().len(), 1);
        let a = s.snapshot("a").await.unwrap().unwrap();
        assert_eq!(a, snap("a", 100, 71.25), "{}: the first body stays", db.label);
        assert_eq!(s.latest_snapshot().await.unwrap().unwrap().id, "b");
        assert!(s.snapshot("zzz").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_snapshot_without_an_id_or_with_a_nan_composite_is_refused() {
    for db in migrated().await {
        let s = &db.store;
        assert!(s.save_snapshot(&snap("", 1, 1.0)).await.is_err(), "{}", db.label);
        assert!(s.save_snapshot(&snap("x", 1, f64::NAN)).await.is_err(), "{}", db.label);
        assert!(s.snapshots(10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn snapshots_between_two_times_come_in_the_asked_order_and_stop_at_the_limit() {
    for db in migrated().await {
        let s = &db.store;
        for (id, as_of) in [("a", 100), ("b", 300), ("c", 200), ("d", 400)] {
            s.save_snapshot(&snap(id, as_of, 50.0)).await.unwrap();
        }
        let ids = |v: Vec<SnapshotRecord>| v.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(s.snapshots_between(150, 400, 10, false).await.unwrap()), ["c", "b", "d"], "{}", db.label);
        assert_eq!(ids(s.snapshots_between(150, 400, 2, false).await.unwrap()), ["c", "b"], "{}", db.label);
        assert_eq!(ids(s.snapshots_between(150, 400, 2, true).await.unwrap()), ["d", "b"], "{}", db.label);
        assert!(s.snapshots_between(500, 600, 10, false).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn of_two_snapshots_as_of_the_same_time_the_one_stored_last_is_the_latest_everywhere() {
    for db in migrated().await {
        let s = &db.store;
        // Ordered by id alone the older one ("0000") would win.
        let mut old = snap("0000", 500, 60.0);
        old.created_at = 1;
        let mut new = snap("ffff", 500, 61.0);
        new.created_at = 2;
        s.save_snapshot(&old).await.unwrap();
        s.save_snapshot(&new).await.unwrap();
        assert_eq!(s.latest_snapshot().await.unwrap().unwrap().id, "ffff", "{}", db.label);
        assert_eq!(s.snapshots(1).await.unwrap()[0].id, "ffff", "{}", db.label);
        assert_eq!(s.snapshots_between(0, 1000, 1, true).await.unwrap()[0].id, "ffff", "{}", db.label);
    }
}
