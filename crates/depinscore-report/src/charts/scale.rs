//! Linear scales and "nice" axis ticks.

/// Maps a domain `[d0, d1]` onto a range `[r0, r1]` (either may be reversed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Linear {
    pub fn at(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 || !span.is_finite() || !v.is_finite() {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
}

/// About `count` round ticks covering `[lo, hi]` (1, 2, 2.5 or 5 × a power of ten apart). The
/// first tick is at or below `lo`, the last at or above `hi`. Finite inputs only; an empty or
/// degenerate range is widened first.
pub fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() { (lo.min(hi), lo.max(hi)) } else { (0.0, 1.0) };
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        lo -= pad;
        hi += pad;
    }
    let raw = (hi - lo) / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude);
    let first = (lo / step).floor() * step;
    let mut ticks = Vec::new();
    let mut i = 0;
    loop {
        let t = first + i as f64 * step;
        // Round away binary noise (0.30000000000000004).
        let t = (t / step).round() * step;
        ticks.push(if t == 0.0 { 0.0 } else { t });
        if t >= hi - step * 1e-9 || i > 50 {
            break;
        }
        i += 1;
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(nice_ticks(0.0, 3_400_000.0, 5), vec![0.0, 1e6, 2e6, 3e6, 4e6]);
        let t = nice_ticks(-3.0, 7.0, 5);
        assert!(t[0] <= -3.0 && *t.last().unwrap() >= 7.0 && t.contains(&0.0), "{t:?}");
        // A single value is widened; a zero-only range becomes ±1.
        let t = nice_ticks(5.0, 5.0, 5);
        assert!(t[0] < 5.0 && *t.last().unwrap() > 5.0, "{t:?}");
        let t = nice_ticks(0.0, 0.0, 5);
        assert!(t[0] <= -1.0 && *t.last().unwrap() >= 1.0, "{t:?}");
        assert!(nice_ticks(f64::NAN, 1.0, 5).iter().all(|t| t.is_finite()));
    }

    #[test]
    fn a_scale_maps_the_domain_onto_the_range_and_a_flat_domain_onto_its_middle() {
        let s = Linear { d0: 0.0, d1: 10.0, r0: 200.0, r1: 0.0 };
        assert_eq!(s.at(0.0), 200.0);
        assert_eq!(s.at(10.0), 0.0);
        assert_eq!(s.at(5.0), 100.0);
        let flat = Linear { d0: 1.0, d1: 1.0, r0: 0.0, r1: 10.0 };
        assert_eq!(flat.at(1.0), 5.0);
    }
}
