//! Stream checkpoints: round trip, and never backwards.

use depinscore_sql::SqlError;

use crate::common::migrated;

#[tokio::test]
async fn a_checkpoint_round_trips() {
    for db in migrated().await {
        let s = &db.store;
        assert_eq!(s.checkpoint("jobs").await.unwrap(), None, "{}", db.label);
        let before = depinscore_sql::now_unix();
        let saved = s.save_checkpoint("jobs", 312_000_123, 1_735_689_600).await.unwrap();
        assert_eq!((saved.stream.as_str(), saved.slot, saved.block_time), ("jobs", 312_000_123, 1_735_689_600));
        assert!(saved.updated_at >= before, "{}", db.label);
        assert_eq!(s.checkpoint("jobs").await.unwrap(), Some(saved.clone()), "{}", db.label);
        s.save_checkpoint("accounts", 7, 1).await.unwrap();
        let all = s.checkpoints().await.unwrap();
        assert_eq!(
            all.iter().map(|c| (c.stream.as_str(), c.slot)).collect::<Vec<_>>(),
            [("accounts", 7), ("jobs", 312_000_123)]
        );
    }
}

#[tokio::test]
async fn a_checkpoint_never_moves_backwards() {
    for db in migrated().await {
        let s = &db.store;
        s.save_checkpoint("jobs", 1_000, 100).await.unwrap();
        let e = s.save_checkpoint("jobs", 999, 99).await.unwrap_err();
        assert!(
            matches!(&e, SqlError::CheckpointBackwards { stream, stored: 1_000, attempted: 999 } if stream == "jobs"),
            "{}: {e}",
            db.label
        );
        assert_eq!(e.to_string(), "the checkpoint of stream `jobs` cannot move backwards from slot 1000 to slot 999");
        let kept = s.checkpoint("jobs").await.unwrap().unwrap();
        assert_eq!((kept.slot, kept.block_time), (1_000, 100), "{}: the refused save changed nothing", db.label);

        // The same slot again is allowed (a replayed save), then forward.
        assert_eq!(s.save_checkpoint("jobs", 1_000, 101).await.unwrap().block_time, 101);
        s.save_checkpoint("jobs", 1_001, 102).await.unwrap();
        assert_eq!(s.checkpoint("jobs").await.unwrap().unwrap().slot, 1_001, "{}", db.label);
        // Streams are independent.
        s.save_checkpoint("other", 5, 0).await.unwrap();
    }
}

#[tokio::test]
async fn a_checkpoint_with_an_empty_stream_or_a_slot_beyond_i64_is_refused() {
    for db in migrated().await {
        let e = db.store.save_checkpoint(" ", 1, 0).await.unwrap_err();
        assert_eq!(e.to_string(), "invalid checkpoint: the stream name is empty", "{}", db.label);
        let e = db.store.save_checkpoint("jobs", u64::MAX, 0).await.unwrap_err();
        assert!(e.to_string().contains("exceeds i64"), "{}: {e}", db.label);
        assert!(db.store.checkpoints().await.unwrap().is_empty(), "{}", db.label);
    }
}
