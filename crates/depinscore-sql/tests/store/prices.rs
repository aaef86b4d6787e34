//! NOS/USD prices: ranges, the price at a time, replacement, validation.

use depinscore_sql::PricePoint;

use crate::common::migrated;

fn point(time: i64, usd: f64, source: &str) -> PricePoint {
    PricePoint { time, usd, source: source.into() }
}

#[tokio::test]
async fn price_at_takes_the_latest_point_at_or_before_a_time() {
    for db in migrated().await {
        let s = &db.store;
        let day = 86_400;
        let points: Vec<PricePoint> =
            (0..5).map(|d| point(1_700_000_000 + d * day, 0.5 + d as f64 / 10.0, "api")).collect();
        assert_eq!(s.upsert_prices(&points).await.unwrap(), 5);
        assert_eq!(s.price_at(1_700_000_000 - 1).await.unwrap(), None, "{}: nothing before the first", db.label);
        assert_eq!(s.price_at(1_700_000_000).await.unwrap(), Some(points[0].clone()), "{}: at counts", db.label);
        assert_eq!(s.price_at(1_700_000_000 + 2 * day + 5).await.unwrap(), Some(points[2].clone()), "{}", db.label);
        assert_eq!(s.price_at(i64::MAX).await.unwrap(), Some(points[4].clone()), "{}", db.label);
        // Two sources at one time: the first by name.
        s.upsert_prices(&[point(1_700_000_000 + 4 * day, 0.91, "aaa")]).await.unwrap();
        assert_eq!(s.price_at(i64::MAX).await.unwrap().unwrap().source, "aaa", "{}", db.label);
        assert_eq!(s.latest_price_time("api").await.unwrap(), Some(1_700_000_000 + 4 * day));
        assert_eq!(s.latest_price_time("none").await.unwrap(), None);
    }
}

#[tokio::test]
async fn prices_in_a_range_are_inclusive_and_ordered_by_time() {
    for db in migrated().await {
        let s = &db.store;
        let points = [point(30, 0.3, "api"), point(10, 0.1, "api"), point(20, 0.2, "api"), point(40, 0.4, "api")];
        s.upsert_prices(&points).await.unwrap();
        let got: Vec<i64> = s.prices(10, 30).await.unwrap().iter().map(|p| p.time).collect();
        assert_eq!(got, [10, 20, 30], "{}", db.label);
        assert!(s.prices(41, 100).await.unwrap().is_empty(), "{}", db.label);
        assert!(s.prices(30, 10).await.unwrap_err().to_string().contains("from (30) is after to (10)"));
    }
}

#[tokio::test]
async fn upserting_a_price_point_again_replaces_its_value() {
    for db in migrated().await {
        db.store.upsert_prices(&[point(10, 0.1, "api")]).await.unwrap();
        db.store.upsert_prices(&[point(10, 0.125, "api")]).await.unwrap();
        assert_eq!(db.store.prices(0, 100).await.unwrap(), vec![point(10, 0.125, "api")], "{}", db.label);
    }
}

#[tokio::test]
async fn a_price_that_is_not_a_finite_non_negative_number_is_refused() {
    for db in migrated().await {
        for bad in [f64::NAN, f64::INFINITY, -0.5] {
            let e = db.store.upsert_prices(&[point(1, 0.2, "api"), point(2, bad, "api")]).await.unwrap_err();
            assert!(e.to_string().starts_with("invalid price point at 2 from `api`"), "{}: {e}", db.label);
        }
        assert!(db.store.upsert_prices(&[point(1, 0.2, "")]).await.is_err());
        assert!(db.store.prices(i64::MIN, i64::MAX).await.unwrap().is_empty(), "{}: nothing written", db.label);
    }
}
