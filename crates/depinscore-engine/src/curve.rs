//! Monotone piecewise-linear curves from a metric to 0–100 points.

use serde::{Deserialize, Serialize};

use crate::error::{EngineError, methodology};

/// Points `(metric, score)` with strictly increasing metric values and monotone scores; the
/// score is interpolated between points and held flat beyond the ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Curve(pub Vec<[f64; 2]>);

impl Curve {
    pub fn validate(&self, key: &str) -> Result<(), EngineError> {
        let p = &self.0;
        if p.len() < 2 {
            return Err(methodology(key, "a curve needs at least two points"));
        }
        for [x, y] in p {
            if !x.is_finite() || !y.is_finite() || !(0.0..=100.0).contains(y) {
                return Err(methodology(
                    key,
                    format!("point [{x}, {y}]: metric must be finite and score within 0–100"),
                ));
            }
        }
        if p.windows(2).any(|w| w[1][0] <= w[0][0]) {
            return Err(methodology(key, "metric values must strictly increase from point to point"));
        }
        let up = p.windows(2).all(|w| w[1][1] >= w[0][1]);
        let down = p.windows(2).all(|w| w[1][1] <= w[0][1]);
        if !up && !down {
            return Err(methodology(key, "scores must be monotone (all rising or all falling)"));
        }
        Ok(())
    }

    /// The score of `x` (curve validated beforehand).
    pub fn score(&self, x: f64) -> f64 {
        let p = &self.0;
        let (first, last) = (p[0], p[p.len() - 1]);
        if x <= first[0] {
            return first[1];
        }
        if x >= last[0] {
            return last[1];
        }
        for w in p.windows(2) {
            let ([x0, y0], [x1, y1]) = (w[0], w[1]);
            if x <= x1 {
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
            }
        }
        last[1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_interpolate_between_points_and_hold_beyond_the_ends() {
        let c = Curve(vec![[0.0, 0.0], [0.5, 75.0], [1.0, 90.0]]);
        c.validate("c").unwrap();
        assert_eq!(c.score(-1.0), 0.0);
        assert_eq!(c.score(0.25), 37.5);
        assert_eq!(c.score(0.5), 75.0);
        assert_eq!(c.score(0.75), 82.5);
        assert_eq!(c.score(5.0), 90.0);
    }

    #[test]
    fn falling_curves_are_allowed_and_non_monotone_ones_are_not() {
        Curve(vec![[6.0, 100.0], [12.0, 80.0], [60.0, 0.0]]).validate("c").unwrap();
        let err = Curve(vec![[0.0, 0.0], [1.0, 90.0], [2.0, 50.0]]).validate("dimensions[0].curve").unwrap_err();
        assert!(err.to_string().contains("dimensions[0].curve") && err.to_string().contains("monotone"), "{err}");
        assert!(Curve(vec![[0.0, 0.0], [0.0, 10.0]]).validate("c").is_err());
        assert!(Curve(vec![[0.0, 0.0], [1.0, 101.0]]).validate("c").is_err());
        assert!(Curve(vec![[0.0, 0.0]]).validate("c").is_err());
    }
}
