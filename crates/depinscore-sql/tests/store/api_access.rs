//! API keys (only their digests are stored) and published reports.

use depinscore_sql::{SECRET_PREFIX, SnapshotRecord, secret_digest};
use sqlx::Row;

use crate::common::migrated;

#[tokio::test]
async fn a_created_key_is_found_by_its_secret_and_only_its_digest_is_stored() {
    for db in migrated().await {
        let s = &db.store;
        let new = s.create_api_key("  ops team ", 1_000).await.unwrap();
        assert!(new.secret.starts_with(SECRET_PREFIX) && new.secret.len() == SECRET_PREFIX.len() + 64);
        assert_eq!(new.key.name, "ops team");
        let found = s.api_key_by_secret(&new.secret).await.unwrap().unwrap();
        assert_eq!(found, new.key, "{}", db.label);
        let stored: Vec<String> = sqlx::query("SELECT secret_sha256 FROM api_keys")
            .fetch_all(s.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("secret_sha256").unwrap())
            .collect();
        assert_eq!(stored, [secret_digest(&new.secret)], "{}", db.label);
        assert!(!stored[0].contains(&new.secret[SECRET_PREFIX.len()..]));
        assert!(s.api_key_by_secret("dsk_wrong").await.unwrap().is_none());
        let other = s.create_api_key("ci", 1_001).await.unwrap();
        assert_ne!(other.secret, new.secret);
        assert_ne!(other.key.id, new.key.id);
    }
}

#[tokio::test]
async fn a_revoked_key_no_longer_opens_anything_and_revoking_twice_says_so() {
    for db in migrated().await {
        let s = &db.store;
        let new = s.create_api_key("temp", 1_000).await.unwrap();
        assert!(s.revoke_api_key(&new.key.id, 2_000).await.unwrap(), "{}", db.label);
        assert!(!s.revoke_api_key(&new.key.id, 3_000).await.unwrap(), "{}", db.label);
        assert!(!s.revoke_api_key("key_unknown", 3_000).await.unwrap());
        assert!(s.api_key_by_secret(&new.secret).await.unwrap().is_none(), "{}", db.label);
        let keys = s.api_keys().await.unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].revoked_at, Some(2_000), "{}", db.label);
    }
}

#[tokio::test]
async fn an_empty_key_name_is_refused() {
    for db in migrated().await {
        let e = db.store.create_api_key("   ", 1).await.unwrap_err().to_string();
        assert!(e.contains("name"), "{}: {e}", db.label);
        assert!(db.store.api_keys().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_report_is_published_once_and_only_for_a_stored_snapshot() {
    for db in migrated().await {
        let s = &db.store;
        let snap = SnapshotRecord {
            id: "0123456789abcdef".into(),
            created_at: 1,
            as_of: 2,
            last_slot: 3,
            methodology_version: "v1".into(),
            composite: 70.0,
            input_hash: "h".into(),
            body: "{}".into(),
        };
        s.save_snapshot(&snap).await.unwrap();
        assert!(!s.publish_report("ffffffffffffffff", "key_a", 10).await.unwrap(), "{}", db.label);
        assert!(s.publish_report(&snap.id, "key_a", 10).await.unwrap(), "{}", db.label);
        assert!(s.publish_report(&snap.id, "key_b", 20).await.unwrap());
        let p = s.publications().await.unwrap();
        assert_eq!(p.len(), 1, "{}", db.label);
        assert_eq!(
            (p[0].published_at, p[0].key_id.as_str()),
            (10, "key_a"),
            "{}: the first publication stays",
            db.label
        );
    }
}
