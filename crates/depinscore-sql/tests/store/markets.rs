//! Market metadata round-trips, GPU type lists included.

use depinscore_sql::MarketRecord;

use crate::common::migrated;

fn market_3060(reward: f64) -> MarketRecord {
    MarketRecord {
        address: "7AtiXMSH6R1jjBxrcYjehCkkSF7zvYWte63gwEDBcGHq".into(),
        name: "NVIDIA 3060".into(),
        slug: "nvidia-3060".into(),
        kind: "PREMIUM".into(),
        gpu_types: vec!["NVIDIA GeForce RTX 3060".into(), "NVIDIA GeForce RTX 3060 Ti".into()],
        lowest_vram_gb: 12,
        usd_reward_per_hour: reward,
        sft: None,
        updated_at: 1_750_000_000,
    }
}

#[tokio::test]
async fn markets_round_trip_and_update_in_place() {
    for db in migrated().await {
        db.store.upsert_markets(&[market_3060(0.048)]).await.unwrap();
        assert_eq!(db.store.markets().await.unwrap(), vec![market_3060(0.048)], "{}", db.label);
        db.store.upsert_markets(&[market_3060(0.05)]).await.unwrap();
        assert_eq!(db.store.markets().await.unwrap(), vec![market_3060(0.05)], "{}", db.label);
        let bad = MarketRecord { usd_reward_per_hour: f64::NAN, ..market_3060(0.0) };
        assert!(db.store.upsert_markets(&[bad]).await.unwrap_err().to_string().contains("must be ≥ 0"));
    }
}
