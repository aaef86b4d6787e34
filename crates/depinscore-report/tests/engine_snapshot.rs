//! A genuine snapshot from the real engine (depinscore-engine is a dev-dependency only),
//! rendered by the report: the numbers in the report are the snapshot's, and the committed
//! goldens (`tests/golden/snapshot.json`, `tests/golden/report.json`) are what the code produces.
//!
//! Regenerate the goldens after an intended change to the engine or the report with
//! `UPDATE_GOLDEN=1 cargo test -p depinscore-report --test engine_snapshot`. With
//! `REPORT_OUT=DIR` the fixture's report is also written there as `report.html` and `report.md`
//! (to look at).

#[path = "../../depinscore-engine/tests/support/mod.rs"]
mod support;

#[path = "common/mod.rs"]
mod common;

use depinscore_engine::score::Published;
use depinscore_engine::{Rules, Snapshot, snapshot};
use depinscore_report::{BUILTIN_CLOUD_PRICES, CloudPriceTable, MarketPrice, Report, ReportInput, format};
use support::*;

/// (lat, lng) of the nodes: clustered in a few cities, so several share an H3 cell.
const PLACES: &[(f64, f64)] = &[
    (52.3702, 4.8952),
    (52.3710, 4.8960),
    (52.3690, 4.8940),
    (52.5200, 13.4050),
    (52.5210, 13.4060),
    (40.7128, -74.0060),
    (40.7130, -74.0050),
    (40.7300, -73.9900),
    (1.3521, 103.8198),
    (1.3530, 103.8200),
    (-23.5505, -46.6333),
];

/// Sixty days of a small network: three GPU tiers, twelve nodes (one without a location, five
/// run by one operator), a job per node per day (every seventh quits), payouts and fees, daily
/// emissions, staking-reward claims, burns that grow from day 20, one mint, stakes and top-ups,
/// and a NOS/USD price drifting up.
fn world() -> Frames {
    let mut f = Frames::default();
    f.market(1, "Market 4090").market(2, "Market 3090").market(3, "Market A100");
    let nodes: Vec<u32> = (10..22).collect();
    for (i, node) in nodes.iter().enumerate() {
        let market = 1 + (i % 3) as u32;
        let location = PLACES.get(i).copied();
        let operator = (i < 5).then_some(30);
        f.node(*node, Some(market), location, operator);
    }
    for s in 0..5u32 {
        f.stake(60 + s, (10_000 + 5_000 * u64::from(s)) * NOS, (20_000.0 + 9_000.0 * f64::from(s)) * 1e6, false);
    }
    f.stake(65, 1_000 * NOS, 1_100.0 * 1e6, true);
    for d in 0..60i64 {
        let t = T0 + d * DAY;
        f.price(t, 0.50 + 0.004 * d as f64);
        for (k, node) in nodes.iter().enumerate() {
            let market = 1 + (k % 3) as u32;
            let job = 1000 + (d as u32) * 20 + k as u32;
            let run = 5000 + (d as u32) * 20 + k as u32;
            let (project, payer) = (40 + (k % 3) as u32, 50 + (k % 2) as u32);
            let start = t + 600 + 60 * k as i64;
            f.event(start - 300, "list", job, 0, market, 0, project, payer);
            f.event(start, "assign", job, run, market, *node, project, payer);
            if (d as usize + k).is_multiple_of(7) {
                f.event(start + 1800, "quit", job, run, market, *node, project, 0);
                continue;
            }
            let hours = 4 + (k as i64 % 5);
            f.event(start + hours * 3600, "finish", job, run, market, *node, project, 0);
            let per_hour = [18, 9, 36][k % 3];
            let paid = per_hour * hours as u64 * NOS;
            f.flow(start + hours * 3600, "payout", *node, job, market, paid);
            f.flow(start + hours * 3600, "fee", 3, job, market, paid / 10);
        }
        f.flow(t + 7200, "emission", 4, 2, 0, 2_000 * NOS);
        f.flow(t + 7300, "claim", 60 + (d % 5) as u32, 4, 0, 150 * NOS);
        if d >= 20 {
            f.flow(t + 8000, "burn", 70, 0, 0, (40 + 25 * (d as u64 - 20)) * NOS);
        }
        if d < 5 {
            f.flow(t + 100, "stake", 60 + d as u32, 0, 0, 10_000 * NOS);
        }
        if d == 30 {
            f.flow(t + 100, "topup", 61, 0, 0, 2_500 * NOS);
            f.flow(t + 200, "mint", 71, 0, 0, 1_000 * NOS);
        }
    }
    f.supply = depinscore_engine::SupplyFacts {
        max_supply: 100_000_000 * NOS,
        total_supply_now: Some(99_990_000 * NOS),
        locked_now: 42_000_000 * NOS,
    };
    f
}

fn engine_snapshot() -> Snapshot {
    let (m, e, h) = (methodology(), evidence(), hardware());
    let published = vec![Published::parse(PUBLISHED).unwrap()];
    let rules = Rules {
        methodology: &m,
        methodology_text: METHODOLOGY,
        evidence: &e,
        evidence_text: EVIDENCE,
        hardware: &h,
        published: &published,
        price_source: "test fixture",
    };
    snapshot(&world().inputs(), &rules, T0 + 60 * DAY).unwrap()
}

fn markets() -> Vec<MarketPrice> {
    [("Market 4090", 0.42), ("Market 3090", 0.19), ("Market A100", 0.95), ("Market 3060", 0.08)]
        .into_iter()
        .map(|(n, p)| MarketPrice { name: n.to_string(), tier: n.to_string(), usd_reward_per_hour: p })
        .collect()
}

fn render(json: &str) -> Report {
    let cloud = CloudPriceTable::parse(BUILTIN_CLOUD_PRICES).unwrap();
    let markets = markets();
    let input = ReportInput {
        snapshot_json: json,
        markets: &markets,
        cloud_prices: &cloud,
        generated_for: Some("engine test fixture"),
    };
    Report::build(&input).unwrap()
}

fn snapshot_json(s: &Snapshot) -> String {
    String::from_utf8(s.to_json().unwrap()).unwrap()
}

#[test]
fn the_report_of_a_real_engine_snapshot_prints_the_snapshots_own_numbers() {
    let snap = engine_snapshot();
    let body = &snap.body;
    let report = render(&snapshot_json(&snap));
    let (html, md) = (report.to_html().unwrap(), report.to_markdown().unwrap());

    assert_eq!(report.id(), snap.id);
    assert_eq!(report.composite, body.score.composite);
    let composite = format::score(body.score.composite);
    assert_eq!(report.composite_text, composite);
    assert!(html.contains(&format!(r#"<span class="score">{composite}</span>"#)), "composite {composite}");
    assert!(md.starts_with(&format!("# Nosana builder score: {composite} / 100")));

    assert_eq!(report.dimensions.len(), 6);
    for (view, dim) in report.dimensions.iter().zip(&body.score.dimensions) {
        assert_eq!((view.id.as_str(), view.score, view.weight), (dim.id.as_str(), dim.score, dim.weight));
        let heading =
            format!("### {} ({} weight): {} / 100", dim.name, format::weight(dim.weight), format::score(dim.score));
        assert!(md.contains(&heading), "{heading}");
        assert!(html.contains(&format!("<span class=\"score\">{} / 100</span>", format::score(dim.score))));
        assert_eq!(view.cap.is_some(), dim.cap.is_some(), "{}", dim.id);
    }

    let arr = body.metrics.demand.arr_usd.expect("the fixture's demand is priced");
    assert_eq!(report.arr_usd, Some(arr));
    assert!(html.contains(&format::usd(Some(arr))) && md.contains(&format::usd(Some(arr))));

    let active = body.metrics.decentralization.active_nodes;
    assert_eq!(active, 12);
    assert_eq!(report.active_nodes, active);
    assert!(md.contains(&format!("| Active compute nodes | {} (", format::count(active))), "active nodes row");

    // The seed report's figures: its own dimension scores give 87.3, not its headline 89.
    for text in [&html, &md] {
        assert!(text.contains("87.3") && text.contains("headline of 89"), "consistency check");
    }
    assert_eq!(report.consistency.published.rows[0][2..5], ["89", "87.3", "+1.7"]);

    // ARR is far below $500K while demand-to-emission alone would score more than 60: the cap
    // binds and the report says so.
    let demand = report.dimensions.iter().find(|d| d.id == "demand").unwrap();
    assert!(
        demand.cap.as_ref().is_some_and(|c| c.starts_with("capped at 60") && c.contains("arr_usd")),
        "{:?}",
        demand.cap
    );
    assert!(html.contains("so the score is capped at 60"));
    // One operator runs five of twelve nodes, over 20%; the spacing already scores below 60.
    let dec = report.dimensions.iter().find(|d| d.id == "decentralization").unwrap();
    assert!(
        dec.cap.is_none()
            && dec.bullets.iter().any(|b| b.contains("41.7% of active nodes, over the benchmark's 20% limit"))
    );

    for text in [&html, &md, &report.to_json().unwrap()] {
        common::assert_no_non_finite(text);
    }
    common::assert_self_contained(&html);
}

#[test]
fn the_h3_map_of_a_real_snapshot_has_one_polygon_per_occupied_cell() {
    let snap = engine_snapshot();
    let json = snapshot_json(&snap);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let report = render(&json);
    let html = report.to_html().unwrap();
    let map_svg = report.hexmap.svg();
    match value.pointer("/metrics/decentralization/hexes/cells").and_then(|c| c.as_array()) {
        Some(cells) => {
            assert!(!cells.is_empty());
            assert_eq!(map_svg.matches("<polygon").count(), cells.len());
            assert_eq!(html.matches("<polygon").count(), cells.len());
            let nodes: u64 = cells.iter().filter_map(|c| c["nodes"].as_u64()).sum();
            assert_eq!(nodes, snap.body.metrics.decentralization.located_nodes);
        }
        // An engine without per-cell counts yet: the report says so instead of drawing.
        None => {
            assert!(!report.hexmap.available);
            assert!(map_svg.contains("not available") && html.matches("<polygon").count() == 0);
        }
    }
}

#[test]
fn the_report_of_the_fixture_snapshot_matches_the_committed_golden() {
    let snap = engine_snapshot();
    let json = snapshot_json(&snap);
    let rendered = render(&json);
    let report = rendered.to_json().unwrap();
    if let Some(out) = std::env::var_os("REPORT_OUT") {
        let out = std::path::Path::new(&out);
        std::fs::create_dir_all(out).unwrap();
        std::fs::write(out.join("report.html"), rendered.to_html().unwrap()).unwrap();
        std::fs::write(out.join("report.md"), rendered.to_markdown().unwrap()).unwrap();
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("snapshot.json"), format!("{json}\n")).unwrap();
        std::fs::write(dir.join("report.json"), &report).unwrap();
        return;
    }
    let golden_snapshot = std::fs::read_to_string(dir.join("snapshot.json")).expect("tests/golden/snapshot.json");
    assert!(
        golden_snapshot.trim_end() == json,
        "the engine's snapshot of the fixture changed: rerun with UPDATE_GOLDEN=1 if intended"
    );
    let golden = std::fs::read_to_string(dir.join("report.json")).expect("tests/golden/report.json");
    assert!(golden == report, "the report changed: rerun with UPDATE_GOLDEN=1 if intended");
    // Rendering the stored snapshot gives the same bytes again.
    assert_eq!(render(&golden_snapshot).to_json().unwrap(), golden);
}
