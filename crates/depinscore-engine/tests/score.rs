//! The methodology, rubric evidence, composite, sensitivity, published-figure check and
//! snapshot reproducibility.

mod support;

use depinscore_engine::methodology::Methodology;
use depinscore_engine::score::{Published, composite};
use depinscore_engine::{Evidence, Rules, Snapshot, snapshot};
use support::*;

#[test]
fn the_seed_reports_dimension_scores_and_weights_give_87_3_not_its_headline_89() {
    let check = Published::parse(PUBLISHED).unwrap().check();
    assert!((check.recomputed - 87.3).abs() < 1e-9, "{}", check.recomputed);
    assert_eq!(check.headline, 89.0);
    assert!((check.difference - 1.7).abs() < 1e-9);
    assert!(!check.consistent, "89 is not the weighted sum of its own dimension scores");
    assert!(
        (composite(&[20.0, 15.0, 15.0, 15.0, 15.0, 20.0], &[87.0, 88.0, 84.0, 92.0, 82.0, 90.0]) - 87.3).abs() < 1e-9
    );
}

#[test]
fn the_shipped_methodology_has_six_dimensions_weighted_20_15_15_15_15_20() {
    let m = methodology();
    assert_eq!(m.version, "v1");
    let weights: Vec<f64> = m.dimensions.iter().map(|d| d.weight).collect();
    assert_eq!(weights, [20.0, 15.0, 15.0, 15.0, 15.0, 20.0]);
    let rubric: Vec<&str> = m.dimensions.iter().filter(|d| !d.items.is_empty()).map(|d| d.id.as_str()).collect();
    assert_eq!(rubric, ["operator_ease", "transparency"]);
    // Every scored metric has a written definition.
    for d in m.dimensions.iter().filter_map(|d| d.metric.as_ref()) {
        assert!(m.definitions.iter().any(|x| &x.metric == d), "no definition for {d}");
    }
    evidence().validate(&m).unwrap();
}

#[test]
fn a_broken_methodology_is_refused_with_the_key_that_is_wrong() {
    let weights = METHODOLOGY.replacen("weight = 20\nbenchmark = \"Ratio", "weight = 25\nbenchmark = \"Ratio", 1);
    let err = Methodology::parse(&weights).unwrap_err().to_string();
    assert!(err.contains("weight") && err.contains("105"), "{err}");
    let curve = METHODOLOGY.replacen("[1.0, 90.0], [2.0, 100.0]]", "[1.0, 90.0], [2.0, 10.0]]", 1);
    let err = Methodology::parse(&curve).unwrap_err().to_string();
    assert!(err.contains("dimensions[0].curve") && err.contains("monotone"), "{err}");
    let metric = METHODOLOGY.replacen("metric = \"demand_to_emission\"", "metric = \"vibes\"", 1);
    let err = Methodology::parse(&metric).unwrap_err().to_string();
    assert!(err.contains("dimensions[0].metric") && err.contains("vibes"), "{err}");
    let err = Methodology::parse("version = 1").unwrap_err().to_string();
    assert!(err.starts_with("methodology"), "{err}");
}

#[test]
fn rubric_items_earn_their_points_and_a_missing_answer_is_named() {
    let m = methodology();
    let e = evidence();
    let ease = m.dimensions.iter().find(|d| d.id == "operator_ease").unwrap();
    let (items, score) = e.score(ease).unwrap();
    let earned: f64 = items.iter().map(|i| i.earned).sum();
    let points: f64 = items.iter().map(|i| i.points).sum();
    assert!((score - earned / points * 100.0).abs() < 1e-9);
    assert!(items.iter().all(|i| !i.source.is_empty()));
    // 25 + 20 + 15 + 15 + 10 × 0.5 + 15 × 0.5 of 100.
    assert!((score - 87.5).abs() < 1e-9, "{score}");

    let missing = EVIDENCE.replacen("item = \"transparency.audits\"", "item = \"transparency.audited\"", 1);
    let err = Evidence::parse(&missing).unwrap().validate(&m).unwrap_err().to_string();
    assert!(err.contains("transparency.audited"), "{err}");
    let bad = EVIDENCE.replacen("answer = \"no\"", "answer = \"maybe\"", 1);
    let err = Evidence::parse(&bad).unwrap().validate(&m).unwrap_err().to_string();
    assert!(err.contains("maybe"), "{err}");
}

/// The snapshot of `frames` as of day 40 under the shipped rules, with `methodology_text` as
/// the methodology file's bytes (its parsed form is always the shipped one).
fn snapshot_of(frames: &Frames, methodology_text: &str) -> Snapshot {
    let (m, e, h) = (methodology(), evidence(), hardware());
    let p = vec![Published::parse(PUBLISHED).unwrap()];
    let rules = Rules {
        methodology: &m,
        methodology_text,
        evidence: &e,
        evidence_text: EVIDENCE,
        hardware: &h,
        published: &p,
        price_source: "test",
    };
    snapshot(&frames.inputs(), &rules, T0 + 40 * DAY).unwrap()
}

fn small_world() -> Frames {
    let mut f = Frames::default();
    f.market(1, "Market 4090");
    for d in 0..40i64 {
        let t = T0 + d * DAY;
        f.price(t, 0.5);
        f.flow(t + 60, "payout", 5, 100 + d as u32, 1, 200 * NOS);
        f.flow(t + 60, "fee", 3, 100 + d as u32, 1, 20 * NOS);
        f.flow(t + 90, "emission", 4, 2, 0, 100 * NOS);
        f.event(t + 10, "list", 100 + d as u32, 0, 1, 0, 20, 21);
        f.event(t + 30, "assign", 100 + d as u32, 300 + d as u32, 1, 5, 20, 21);
        f.event(t + 60, "finish", 100 + d as u32, 300 + d as u32, 1, 5, 20, 0);
    }
    f.node(5, Some(1), Some((52.37, 4.89)), Some(40));
    f
}

#[test]
fn the_composite_is_the_weighted_sum_and_caps_apply_below_the_arr_floor() {
    let s = snapshot_of(&small_world(), METHODOLOGY);
    let score = &s.body.score;
    let recomputed: f64 = score.dimensions.iter().map(|d| d.weight * d.score).sum::<f64>() / 100.0;
    assert!((score.composite - recomputed).abs() < 1e-9);
    let demand = &score.dimensions[0];
    // D2E = 220 NOS × 0.5 / (100 NOS × 0.5) = 2.2 → 100 on the curve, capped at 60: ARR ≈ $1.3k.
    assert!((demand.value.unwrap() - 2.2).abs() < 1e-9);
    assert_eq!(demand.curve_score, Some(100.0));
    assert_eq!(demand.score, 60.0);
    assert_eq!(demand.cap.as_ref().unwrap().metric, "arr_usd");
    // One operator runs every node: decentralization capped too.
    assert_eq!(score.dimensions[2].cap.as_ref().unwrap().metric, "largest_operator_share");
    // Nothing burned: the token dimension has insufficient data and scores its when_missing.
    assert!(score.dimensions[1].insufficient_data && score.dimensions[1].score == 0.0);
    // Sensitivity: equal weights recompute the same dimension scores.
    let eq = s.body.sensitivity.iter().find(|r| r.id == "equal_weights").unwrap();
    let mean = score.dimensions.iter().map(|d| d.score).sum::<f64>() / 6.0;
    assert!((eq.composite - mean).abs() < 1e-9);
    let spot = s.body.sensitivity.iter().find(|r| r.id == "spot_price").unwrap();
    assert!((spot.value.unwrap() - 2.2).abs() < 1e-9);
    assert_eq!(s.body.published_checks.len(), 1);
}

#[test]
fn the_same_inputs_and_methodology_give_the_same_snapshot_bytes() {
    let a = snapshot_of(&small_world(), METHODOLOGY);
    let b = snapshot_of(&small_world(), METHODOLOGY);
    assert_eq!(a.to_json().unwrap(), b.to_json().unwrap());
    assert_eq!(a.id.len(), 16);
    let mut changed = small_world();
    changed.price(T0 + 40 * DAY, 0.6);
    let c = snapshot_of(&changed, METHODOLOGY);
    assert_ne!(a.body.provenance.input_hash, c.body.provenance.input_hash);
    assert_ne!(a.id, c.id);
    let edited = format!("{METHODOLOGY}\n# a comment\n");
    let d = snapshot_of(&small_world(), &edited);
    assert_ne!(a.body.provenance.methodology_sha256, d.body.provenance.methodology_sha256);
    assert_eq!(a.body.provenance.rows[0], ("flows".to_string(), 120));
}

#[test]
fn the_last_point_of_each_trailing_series_is_the_snapshots_own_metric() {
    let s = snapshot_of(&small_world(), METHODOLOGY);
    let m = &s.body.metrics;
    let last = |name: &str| s.body.series[name].last().unwrap().value;
    assert_eq!(s.body.series["arr_usd"].len(), 40);
    assert_eq!(s.body.series["arr_usd"].last().unwrap().date, m.window.label().split(" .. ").nth(1).unwrap());
    assert!(close(last("arr_usd").unwrap(), m.demand.arr_usd.unwrap()));
    assert!(close(last("arr_long_usd").unwrap(), m.demand.arr_long_usd.unwrap()));
    assert!(close(last("demand_to_emission").unwrap(), m.token.demand_to_emission.unwrap()));
    // 200 NOS paid every day at $0.5.
    assert!(s.body.series["gmv_usd"].iter().all(|p| p.value.is_some_and(|v| close(v, 100.0))));
    // No mint indexed: supply is unknown, not zero.
    assert!(s.body.series["total_supply_nos"].iter().all(|p| p.value.is_none()));
}

#[test]
fn the_hex_map_counts_each_located_active_node_in_its_cell() {
    let mut f = small_world();
    // A second node in the same city and one with coordinates out of range.
    f.node(6, Some(1), Some((52.371, 4.891)), Some(41));
    f.node(7, Some(1), Some((95.0, 4.9)), Some(42));
    for (node, d) in [(6u32, 38i64), (7, 39)] {
        f.event(T0 + d * DAY + 40, "assign", 500 + node, 600 + node, 1, node, 20, 21);
    }
    let s = snapshot_of(&f, METHODOLOGY);
    let dec = &s.body.metrics.decentralization;
    assert_eq!(dec.active_nodes, 3);
    // The node at latitude 95° is active but not located: not in the spacing denominator
    // and not on the map.
    assert_eq!(dec.located_nodes, 2);
    assert_eq!(dec.hexes.resolution, 5);
    let on_map: u64 = dec.hexes.cells.iter().map(|c| c.nodes).sum();
    assert_eq!(on_map, dec.located_nodes);
    assert_eq!(dec.hexes.cells.len() as u64, dec.spacing[0].cells);
    let cell: h3o::CellIndex = dec.hexes.cells[0].cell.parse().unwrap();
    assert_eq!(cell.resolution(), h3o::Resolution::Five);
}
