//! Imported rubric evidence: the newest import wins, every text stays findable by its digest.

use depinscore_sql::{EvidenceRecord, MAX_EVIDENCE_BYTES, SqlError};

use crate::common::migrated;

#[tokio::test]
async fn the_newest_import_is_the_latest_and_older_texts_stay_findable_by_digest() {
    for db in migrated().await {
        let s = &db.store;
        assert_eq!(s.latest_evidence().await.unwrap(), None, "{}", db.label);
        let first = EvidenceRecord::new("[answers]\na = 1\n".into(), 1_000, "key_a".into());
        let second = EvidenceRecord::new("[answers]\na = 2\n".into(), 2_000, "key_b".into());
        assert_eq!(first.sha256.len(), 64);
        assert_ne!(first.sha256, second.sha256);
        assert!(s.import_evidence(&first).await.unwrap(), "{}", db.label);
        assert!(s.import_evidence(&second).await.unwrap(), "{}", db.label);
        assert_eq!(s.latest_evidence().await.unwrap().as_ref(), Some(&second), "{}", db.label);
        assert_eq!(s.evidence(&first.sha256).await.unwrap().as_ref(), Some(&first), "{}", db.label);
        // Importing the first text again makes it the newest without duplicating it.
        let again = EvidenceRecord::new(first.body.clone(), 3_000, "key_c".into());
        assert!(!s.import_evidence(&again).await.unwrap(), "{}", db.label);
        assert_eq!(s.latest_evidence().await.unwrap().as_ref(), Some(&again), "{}", db.label);
        assert_eq!(s.evidence("0".repeat(64).as_str()).await.unwrap(), None);
    }
}

#[tokio::test]
async fn an_oversized_evidence_file_is_refused_and_nothing_is_stored() {
    for db in migrated().await {
        let s = &db.store;
        let big = EvidenceRecord::new("#".repeat(MAX_EVIDENCE_BYTES + 1), 1_000, "key_a".into());
        let err = s.import_evidence(&big).await.unwrap_err();
        assert!(matches!(err, SqlError::Invalid { .. }), "{}: {err}", db.label);
        assert_eq!(s.latest_evidence().await.unwrap(), None, "{}", db.label);
    }
}
