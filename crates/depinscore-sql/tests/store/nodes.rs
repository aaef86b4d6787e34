//! The node registry: upserts in place, the H3 cell, the operator rule, validation.

use depinscore_sql::{NodeRecord, SqlError, h3_res5};

use crate::common::migrated;

const A: &str = "97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf";
const B: &str = "7AtiXMSH6R1jjBxrcYjehCkkSF7zvYWte63gwEDBcGHq";
const MARKET: &str = "62bAk2ppEL2HpotfPZsscSq4CGEfY6VEqD5dQQuTo7JC";
const OPERATOR: &str = "nosXBVoaCTtYdLvKY6Csb4AC8JCdQKKAaWYtx2ZMoo7";

fn amsterdam(address: &str) -> NodeRecord {
    NodeRecord {
        market: Some(MARKET.into()),
        gpu: Some("NVIDIA GeForce RTX 4090".into()),
        gpu_count: 2,
        vram_mb: Some(24_564),
        country: Some("NL".into()),
        operator: Some(OPERATOR.into()),
        ..NodeRecord::located(address, 52.37, 4.9, 1_750_000_000).unwrap()
    }
}

#[tokio::test]
async fn upserting_a_node_again_updates_it_in_place() {
    for db in migrated().await {
        let s = &db.store;
        assert_eq!(s.upsert_nodes(&[amsterdam(A), amsterdam(B)]).await.unwrap(), 2);
        assert_eq!(s.node(A).await.unwrap(), Some(amsterdam(A)), "{}: every field round-trips", db.label);

        let moved = NodeRecord {
            gpu: Some("NVIDIA GeForce RTX 3060".into()),
            gpu_count: 1,
            vram_mb: Some(12_288),
            country: Some("US".into()),
            updated_at: 1_750_000_600,
            ..NodeRecord::located(A, 40.7128, -74.006, 0)
                .map(|n| NodeRecord { market: Some(MARKET.into()), ..n })
                .unwrap()
        };
        assert_eq!(s.upsert_nodes(std::slice::from_ref(&moved)).await.unwrap(), 1);
        let nodes = s.nodes().await.unwrap();
        assert_eq!(nodes.len(), 2, "{}: updated in place, not added", db.label);
        let a = s.node(A).await.unwrap().unwrap();
        assert_eq!(a.h3_res5, "852a1073fffffff", "{}: the cell follows the location", db.label);
        assert_eq!((a.gpu_count, a.vram_mb, a.country.as_deref()), (1, Some(12_288), Some("US")));
        assert_eq!(a.updated_at, 1_750_000_600);
        assert_eq!(s.node(B).await.unwrap(), Some(amsterdam(B)), "{}: the other node is untouched", db.label);
        assert_eq!(s.node("11111111111111111111111111111111").await.unwrap(), None);
    }
}

#[tokio::test]
async fn the_stored_cell_is_the_h3_cell_of_the_location() {
    for db in migrated().await {
        // Sydney; the expected index is from Uber's h3 library (`h3.latlng_to_cell`).
        let sydney = NodeRecord::located(A, -33.8688, 151.2093, 0).unwrap();
        db.store.upsert_nodes(&[sydney]).await.unwrap();
        let stored = db.store.node(A).await.unwrap().unwrap();
        assert_eq!(stored.h3_res5, "85be0e37fffffff", "{}", db.label);
        assert_eq!((stored.lat, stored.lng), (-33.8688, 151.2093), "{}: coordinates are stored exactly", db.label);
        assert_eq!(h3_res5(stored.lat, stored.lng).unwrap(), stored.h3_res5);
    }
}

#[tokio::test]
async fn an_upsert_that_does_not_know_the_operator_keeps_the_stored_one() {
    for db in migrated().await {
        db.store.upsert_nodes(&[amsterdam(A)]).await.unwrap();
        let unknown = NodeRecord { operator: None, gpu_count: 3, ..amsterdam(A) };
        db.store.upsert_nodes(&[unknown]).await.unwrap();
        let a = db.store.node(A).await.unwrap().unwrap();
        assert_eq!((a.operator.as_deref(), a.gpu_count), (Some(OPERATOR), 3), "{}", db.label);
        let other = NodeRecord { operator: Some(B.into()), ..amsterdam(A) };
        db.store.upsert_nodes(&[other]).await.unwrap();
        assert_eq!(db.store.node(A).await.unwrap().unwrap().operator.as_deref(), Some(B), "{}", db.label);
    }
}

#[tokio::test]
async fn an_invalid_node_is_refused_and_nothing_of_its_batch_is_written() {
    for db in migrated().await {
        let wrong_cell = NodeRecord { h3_res5: "852a1073fffffff".into(), ..amsterdam(B) };
        let e = db.store.upsert_nodes(&[amsterdam(A), wrong_cell]).await.unwrap_err();
        assert!(matches!(e, SqlError::Invalid { .. }), "{}: {e}", db.label);
        assert!(
            e.to_string().starts_with(&format!("invalid node {B}: h3_res5 `852a1073fffffff` is not the cell")),
            "{e}"
        );
        let out_of_range = NodeRecord { lat: 91.0, ..amsterdam(B) };
        let e = db.store.upsert_nodes(&[out_of_range]).await.unwrap_err();
        assert!(e.to_string().contains("latitude 91 is not a number in [-90, 90]"), "{e}");
        assert!(db.store.nodes().await.unwrap().is_empty(), "{}", db.label);
    }
}
