//! Who owns the nodes: a skewed distribution of operator entities where the largest holds a
//! configured share, so the "no entity above 20 %" rule can be met or broken on purpose.

use crate::rng::SimRng;

/// Node counts per operator (index 0 is the largest), summing to `nodes`.
///
/// Operator 0 gets `largest_share` of the nodes; the rest follow a Zipf law of exponent
/// `zipf`, each with at least one node while nodes remain, and none above operator 0.
pub fn operator_sizes(nodes: u32, operators: u32, largest_share: f64, zipf: f64) -> Vec<u32> {
    let operators = operators.clamp(1, nodes.max(1));
    if operators == 1 {
        return vec![nodes];
    }
    let first = ((largest_share * nodes as f64).round() as u32).clamp(1, nodes);
    let mut sizes = vec![first];
    let rest = nodes - first;
    let others = (operators - 1) as usize;
    let weights: Vec<f64> = (0..others).map(|i| 1.0 / ((i + 1) as f64).powf(zipf)).collect();
    let total: f64 = weights.iter().sum();
    // Everyone gets one node first (while nodes last), the remainder by weight.
    let base = rest.min(others as u32);
    let extra = rest - base;
    let mut alloc: Vec<u32> = (0..others).map(|i| u32::from((i as u32) < base)).collect();
    let exact: Vec<f64> = weights.iter().map(|w| w / total * extra as f64).collect();
    let mut given = 0u32;
    for (a, e) in alloc.iter_mut().zip(&exact) {
        *a += e.floor() as u32;
        given += e.floor() as u32;
    }
    let mut order: Vec<usize> = (0..others).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    for &i in order.iter().cycle().take((extra - given) as usize) {
        alloc[i] += 1;
    }
    // Keep operator 0 the largest: move any excess to the smallest operators.
    let mut excess = 0u32;
    for a in alloc.iter_mut() {
        if *a > first {
            excess += *a - first;
            *a = first;
        }
    }
    while excess > 0 {
        let (i, _) = alloc.iter().enumerate().min_by_key(|(i, a)| (**a, *i)).unwrap_or((0, &0));
        if alloc[i] >= first {
            sizes[0] += excess;
            break;
        }
        alloc[i] += 1;
        excess -= 1;
    }
    sizes.extend(alloc);
    sizes
}

/// Each node's operator, shuffled so operators span markets and node indices.
pub fn assign(sizes: &[u32], rng: &mut SimRng) -> Vec<u32> {
    let mut owner: Vec<u32> =
        sizes.iter().enumerate().flat_map(|(op, &n)| std::iter::repeat_n(op as u32, n as usize)).collect();
    for i in (1..owner.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        owner.swap(i, j);
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_sum_to_the_nodes_and_the_largest_holds_its_share() {
        for (share, nodes, ops) in [(0.12, 2800, 900), (0.35, 2800, 900), (0.1, 40, 12), (0.5, 10, 10)] {
            let s = operator_sizes(nodes, ops, share, 1.1);
            assert_eq!(s.iter().sum::<u32>(), nodes);
            assert_eq!(s.len(), ops as usize);
            let max = *s.iter().max().unwrap();
            assert_eq!(max, s[0]);
            assert!((s[0] as f64 / nodes as f64 - share).abs() <= 1.0 / nodes as f64 + 0.05, "{share} {:?}", &s[..3]);
        }
    }

    #[test]
    fn most_operators_are_small() {
        let s = operator_sizes(2800, 900, 0.12, 1.1);
        let singles = s.iter().filter(|&&n| n == 1).count();
        assert!(singles > 450, "{singles}");
    }
}
