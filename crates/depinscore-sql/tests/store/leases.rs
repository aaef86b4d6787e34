//! Stream leases: one holder at a time, renewed by its holder, taken over once expired.

use crate::common::migrated;

#[tokio::test]
async fn a_free_lease_is_taken_and_renewed_by_its_holder_only() {
    for db in migrated().await {
        let s = &db.store;
        assert_eq!(s.lease("grpc").await.unwrap(), None, "{}", db.label);
        assert!(s.acquire_lease("grpc", "a", 10, 1_000).await.unwrap(), "{}", db.label);
        assert!(!s.acquire_lease("grpc", "b", 10, 1_005).await.unwrap(), "{}: b took a live lease", db.label);
        assert!(s.acquire_lease("grpc", "a", 10, 1_008).await.unwrap(), "{}: a could not renew", db.label);
        let lease = s.lease("grpc").await.unwrap().unwrap();
        assert_eq!((lease.holder.as_str(), lease.acquired_at, lease.expires_at), ("a", 1_000, 1_018), "{}", db.label);
        // Streams are independent.
        assert!(s.acquire_lease("mainnet", "b", 10, 1_008).await.unwrap(), "{}", db.label);
    }
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_its_old_holder_cannot_renew_it() {
    for db in migrated().await {
        let s = &db.store;
        assert!(s.acquire_lease("grpc", "a", 10, 1_000).await.unwrap());
        assert!(!s.acquire_lease("grpc", "b", 10, 1_010).await.unwrap(), "{}: taken at its last second", db.label);
        assert!(s.acquire_lease("grpc", "b", 10, 1_011).await.unwrap(), "{}: not taken once expired", db.label);
        let lease = s.lease("grpc").await.unwrap().unwrap();
        assert_eq!((lease.holder.as_str(), lease.acquired_at, lease.expires_at), ("b", 1_011, 1_021), "{}", db.label);
        assert!(!s.acquire_lease("grpc", "a", 10, 1_012).await.unwrap(), "{}: the old holder renewed", db.label);
    }
}

#[tokio::test]
async fn a_released_lease_is_free_at_once_and_only_its_holder_can_release_it() {
    for db in migrated().await {
        let s = &db.store;
        assert!(s.acquire_lease("grpc", "a", 60, 1_000).await.unwrap());
        assert!(!s.release_lease("grpc", "b").await.unwrap(), "{}", db.label);
        assert!(s.release_lease("grpc", "a").await.unwrap(), "{}", db.label);
        assert!(s.acquire_lease("grpc", "b", 60, 1_001).await.unwrap(), "{}", db.label);
        let e = s.acquire_lease(" ", "a", 60, 1_001).await.unwrap_err();
        assert!(e.to_string().contains("empty"), "{}: {e}", db.label);
    }
}
