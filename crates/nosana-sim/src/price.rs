//! The NOS/USD price path: daily points of a mean-reverting geometric random walk, computed
//! at genesis from the seed, and linear in between.

use serde::Serialize;

use crate::rng::SimRng;
use crate::scenario::PriceParams;

const DAY: i64 = 86_400;

/// One daily price.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PricePoint {
    /// Unix time of the day's start (UTC midnight of the simulation's day grid).
    pub time: i64,
    /// USD per NOS.
    pub usd: f64,
}

/// Daily prices from genesis over the scenario's horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct PricePath {
    start: i64,
    daily: Vec<f64>,
}

impl PricePath {
    /// The path for `seed`, starting at `start` (rounded down to a day).
    pub fn new(p: &PriceParams, start: i64, seed: u64) -> Self {
        let mut rng = SimRng::new(seed, 0x0050_5249_4345); // "PRICE"
        let mut x = 0.0f64;
        let daily = (0..p.horizon_days.max(1))
            .map(|_| {
                let price = p.level_usd * x.exp();
                x += -p.mean_reversion_per_day * x + p.daily_volatility * rng.normal();
                price
            })
            .collect();
        PricePath { start: start.div_euclid(DAY) * DAY, daily }
    }

    /// USD per NOS at `unix_time`: interpolated between daily points, flat outside the horizon.
    pub fn at(&self, unix_time: i64) -> f64 {
        let offset = (unix_time - self.start) as f64 / DAY as f64;
        if offset <= 0.0 {
            return self.daily[0];
        }
        let i = offset.floor() as usize;
        if i + 1 >= self.daily.len() {
            return *self.daily.last().unwrap_or(&0.0);
        }
        let f = offset - i as f64;
        self.daily[i] * (1.0 - f) + self.daily[i + 1] * f
    }

    /// The daily points from the first day up to and including `until`.
    pub fn points_until(&self, until: i64) -> Vec<PricePoint> {
        self.daily
            .iter()
            .enumerate()
            .map(|(i, &usd)| PricePoint { time: self.start + i as i64 * DAY, usd })
            .take_while(|p| p.time <= until)
            .collect()
    }

    /// Every daily point of the horizon.
    pub fn points(&self) -> Vec<PricePoint> {
        self.points_until(i64::MAX)
    }

    /// The day index of `unix_time` (days since the first point).
    pub fn day_of(&self, unix_time: i64) -> i64 {
        (unix_time - self.start).div_euclid(DAY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> PriceParams {
        PriceParams { level_usd: 0.5, daily_volatility: 0.04, mean_reversion_per_day: 0.02, horizon_days: 400 }
    }

    #[test]
    fn the_path_is_deterministic_positive_and_stays_near_its_level() {
        let a = PricePath::new(&params(), 1_767_225_600, 9);
        let b = PricePath::new(&params(), 1_767_225_600, 9);
        let c = PricePath::new(&params(), 1_767_225_600, 10);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let pts = a.points();
        assert_eq!(pts.len(), 400);
        assert!(pts.iter().all(|p| p.usd > 0.05 && p.usd < 5.0));
        assert_eq!(pts[0].usd, 0.5);
    }

    #[test]
    fn prices_interpolate_between_days() {
        let a = PricePath::new(&params(), 1_767_225_600, 9);
        let (d0, d1) = (a.at(1_767_225_600), a.at(1_767_225_600 + DAY));
        let mid = a.at(1_767_225_600 + DAY / 2);
        assert!((mid - (d0 + d1) / 2.0).abs() < 1e-12);
        assert_eq!(a.at(0), d0);
    }
}
