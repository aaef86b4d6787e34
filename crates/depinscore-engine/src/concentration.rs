//! Concentration of a population over entities: largest share, Nakamoto coefficients, HHI.

use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Concentration {
    /// Entities with at least one member.
    pub entities: u64,
    /// Largest entity's share of members (0–1).
    pub largest_share: Option<f64>,
    /// Smallest number of entities holding more than 33 % / 50 % of members.
    pub nakamoto_33: Option<u64>,
    pub nakamoto_50: Option<u64>,
    /// Herfindahl–Hirschman index on the percentage scale (0–10,000).
    pub hhi: Option<f64>,
}

/// From member counts per entity (any order).
pub fn concentration(counts: &[u64]) -> Concentration {
    let mut counts: Vec<u64> = counts.iter().copied().filter(|c| *c > 0).collect();
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return Concentration::default();
    }
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let total_f = total as f64;
    let nakamoto = |threshold: f64| {
        let mut held = 0u64;
        for (i, c) in counts.iter().enumerate() {
            held += c;
            if held as f64 / total_f > threshold {
                return Some(i as u64 + 1);
            }
        }
        None
    };
    let hhi = counts.iter().map(|c| (*c as f64 / total_f * 100.0).powi(2)).sum();
    Concentration {
        entities: counts.len() as u64,
        largest_share: Some(counts[0] as f64 / total_f),
        nakamoto_33: nakamoto(1.0 / 3.0),
        nakamoto_50: nakamoto(0.5),
        hhi: Some(hhi),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entity_holds_everything() {
        let c = concentration(&[7]);
        assert_eq!(
            (c.entities, c.largest_share, c.nakamoto_33, c.nakamoto_50, c.hhi),
            (1, Some(1.0), Some(1), Some(1), Some(10_000.0))
        );
    }

    #[test]
    fn equal_entities_need_a_third_and_a_half_of_them() {
        let c = concentration(&[1; 10]);
        assert_eq!(c.largest_share, Some(0.1));
        // 4 of 10 hold 40 % > 33 %; 6 of 10 hold 60 % > 50 % (strictly more than half).
        assert_eq!((c.nakamoto_33, c.nakamoto_50), (Some(4), Some(6)));
        assert!((c.hhi.unwrap() - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn skewed_entities_are_ranked_by_size() {
        // 50, 30, 10, 10 of 100.
        let c = concentration(&[10, 50, 10, 30, 0]);
        assert_eq!(c.entities, 4);
        assert_eq!(c.largest_share, Some(0.5));
        assert_eq!((c.nakamoto_33, c.nakamoto_50), (Some(1), Some(2)));
        assert!((c.hhi.unwrap() - (2500.0 + 900.0 + 100.0 + 100.0)).abs() < 1e-9);
    }

    #[test]
    fn nobody_gives_explicit_nulls() {
        assert_eq!(concentration(&[]), Concentration::default());
        assert_eq!(concentration(&[0, 0]).largest_share, None);
    }
}
