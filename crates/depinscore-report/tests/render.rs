//! The report from variations of the golden engine snapshot (`tests/golden/snapshot.json`, written
//! by `engine_snapshot.rs`): missing data, older and newer snapshots, malformed JSON, escaping.

#[path = "common/mod.rs"]
mod common;

use depinscore_report::{BUILTIN_CLOUD_PRICES, CloudPriceTable, MarketPrice, Report, ReportError, ReportInput};
use serde_json::{Value, json};

const SNAPSHOT: &str = include_str!("golden/snapshot.json");

fn snapshot() -> Value {
    serde_json::from_str(SNAPSHOT).unwrap()
}

fn build_with(v: &Value, markets: &[MarketPrice]) -> Result<Report, ReportError> {
    let cloud = CloudPriceTable::parse(BUILTIN_CLOUD_PRICES).unwrap();
    let json = serde_json::to_string(v).unwrap();
    Report::build(&ReportInput { snapshot_json: &json, markets, cloud_prices: &cloud, generated_for: None })
}

fn build(v: &Value) -> Report {
    build_with(v, &[]).unwrap()
}

/// HTML, Markdown and JSON, each checked for non-finite numbers.
fn outputs(r: &Report) -> (String, String, String) {
    let (h, m, j) = (r.to_html().unwrap(), r.to_markdown().unwrap(), r.to_json().unwrap());
    for text in [&h, &m, &j] {
        common::assert_no_non_finite(text);
    }
    common::assert_self_contained(&h);
    (h, m, j)
}

fn set(v: &mut Value, pointer: &str, value: Value) {
    *v.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = value;
}

#[test]
fn a_report_with_no_emissions_says_so_instead_of_dividing_by_zero() {
    let mut v = snapshot();
    for (p, x) in [
        ("/metrics/token/emission_nos", json!(0.0)),
        ("/metrics/token/emission_usd", json!(0.0)),
        ("/metrics/token/emission_annual_usd", json!(0.0)),
        ("/metrics/token/demand_to_emission", Value::Null),
        ("/metrics/token/demand_to_emission_long", Value::Null),
        ("/metrics/token/demand_to_emission_spot", Value::Null),
        ("/score/dimensions/0/value", Value::Null),
        ("/score/dimensions/0/curve_score", Value::Null),
        ("/score/dimensions/0/insufficient_data", json!(true)),
        ("/score/dimensions/0/score", json!(0.0)),
        ("/score/dimensions/0/cap", Value::Null),
    ] {
        set(&mut v, p, x);
    }
    let r = build(&v);
    let (html, md, _) = outputs(&r);
    for text in [&html, &md] {
        assert!(text.contains("No tokens were emitted in the window, so demand-to-emission is not measurable"));
        assert!(text.contains("no tokens were emitted in the window, so there is no emission to compare demand with"));
        assert!(text.contains("insufficient data"));
    }
    let demand = &r.dimensions[0];
    assert_eq!((demand.value, demand.value_text.as_str()), (None, "not available"));
}

#[test]
fn a_malformed_snapshot_is_an_error_naming_the_field_path_not_a_panic() {
    let mut v = snapshot();
    v["score"].as_object_mut().unwrap().remove("composite");
    let err = build_with(&v, &[]).unwrap_err().to_string();
    assert!(err.contains("`score.composite`") && err.contains("missing field"), "{err}");

    let mut v = snapshot();
    set(&mut v, "/metrics/decentralization/active_nodes", json!("many"));
    let err = build_with(&v, &[]).unwrap_err().to_string();
    assert!(err.contains("`metrics.decentralization.active_nodes`"), "{err}");

    let mut v = snapshot();
    set(&mut v, "/score/dimensions/2/weight", json!(null));
    let err = build_with(&v, &[]).unwrap_err().to_string();
    assert!(err.contains("`score.dimensions[2].weight`"), "{err}");

    let mut v = snapshot();
    v.as_object_mut().unwrap().remove("metrics");
    let err = build_with(&v, &[]).unwrap_err().to_string();
    assert!(err.contains("`metrics`"), "{err}");

    let cloud = CloudPriceTable::parse(BUILTIN_CLOUD_PRICES).unwrap();
    for bad in ["", "{", "[]", "null", "{\"id\": 7}"] {
        let input = ReportInput { snapshot_json: bad, markets: &[], cloud_prices: &cloud, generated_for: None };
        let err = Report::build(&input).unwrap_err();
        assert!(matches!(err, ReportError::Snapshot { .. }), "{bad}: {err}");
    }
}

#[test]
fn fields_a_newer_engine_adds_are_ignored() {
    let mut v = snapshot();
    v["a_future_section"] = json!({"x": [1, 2, 3]});
    v["metrics"]["a_future_metric"] = json!(1.5);
    v["score"]["dimensions"][0]["a_future_flag"] = json!(true);
    let r = build(&v);
    assert_eq!(r.composite, v["score"]["composite"].as_f64().unwrap());
}

#[test]
fn an_older_snapshot_without_series_or_hexes_says_not_available() {
    let mut v = snapshot();
    v.as_object_mut().unwrap().remove("series");
    v["metrics"]["decentralization"].as_object_mut().unwrap().remove("hexes");
    let r = build(&v);
    let (html, md, _) = outputs(&r);
    let arr = r.charts.iter().find(|c| c.id == "chart-arr").unwrap();
    assert!(!arr.has_data() && arr.note.as_ref().is_some_and(|n| n.starts_with("not available")));
    assert!(!r.hexmap.available && html.matches("<polygon").count() == 0);
    for text in [&html, &md] {
        assert!(text.contains("Not available in this snapshot"));
        assert!(text.contains("no arr_usd, arr_long_usd series"));
        assert!(text.contains("predates the engine"));
    }
    // The daily table still gives emissions, burns and supply.
    let burns = r.charts.iter().find(|c| c.id == "chart-burn-emission").unwrap();
    assert!(burns.has_data() && burns.source.contains("daily table"));
}

#[test]
fn the_engines_daily_series_are_drawn_with_nulls_as_gaps() {
    let mut v = snapshot();
    let points = |values: &[Option<f64>]| {
        Value::Array(
            values
                .iter()
                .enumerate()
                .map(|(i, x)| json!({"date": format!("2026-02-{:02}", i + 1), "value": x}))
                .collect(),
        )
    };
    v["series"] = json!({
        "arr_usd": points(&[Some(120_000.0), Some(130_000.0), None, Some(150_000.0), Some(160_000.0)]),
        "arr_long_usd": points(&[None, None, None, None, None]),
        "demand_to_emission": points(&[Some(0.31)]),
        "burns_nos": points(&[Some(-5.0), Some(10.0)]),
    });
    let r = build(&v);
    let (html, md, _) = outputs(&r);
    let arr = r.charts.iter().find(|c| c.id == "chart-arr").unwrap();
    assert!(arr.has_data() && arr.source.contains("snapshot series arr_usd"));
    assert_eq!(arr.svg().matches("<path").count(), 2, "a null day splits the line");
    let d2e = r.charts.iter().find(|c| c.id == "chart-d2e").unwrap();
    assert!(d2e.svg().contains("<circle") && d2e.svg().contains("benchmark 0.50"));
    assert!(md.contains("| ARR, 30-day window | $120K (2026-02-01) | $160K (2026-02-05) |"), "summary row");
    assert!(md.contains("| ARR, 90-day window | not available | not available |"));
    assert!(html.contains("aria-labelledby=\"chart-arr-title chart-arr-desc\""));
}

#[test]
fn markdown_escapes_pipes_in_cells_and_html_escapes_markup() {
    let markets = vec![
        MarketPrice { name: "Market|4090 <b>".into(), tier: "Market 4090".into(), usd_reward_per_hour: 0.4 },
        MarketPrice { name: "<script>alert(1)</script>".into(), tier: "Market 3090".into(), usd_reward_per_hour: 0.2 },
    ];
    let mut v = snapshot();
    set(&mut v, "/score/dimensions/4/items/0/source", json!("docs | hosts <grid>"));
    let r = build_with(&v, &markets).unwrap();
    let (html, md, _) = outputs(&r);
    assert!(md.contains("Market\\|4090 <b>") && !md.contains("Market|4090"));
    assert!(md.contains("docs \\| hosts <grid>"));
    // Every table row of the Markdown has as many unescaped pipes as its header.
    let mut expected = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            expected = None;
            continue;
        }
        let pipes = line.replace("\\|", "").matches('|').count();
        assert_eq!(*expected.get_or_insert(pipes), pipes, "{line}");
    }
    // askama writes numeric character references.
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;") && !html.contains("<script"));
    assert!(html.contains("docs | hosts &#60;grid&#62;"));
}

#[test]
fn the_html_is_one_self_contained_file_with_print_css_and_accessible_charts() {
    let r = build(&snapshot());
    let (html, _, _) = outputs(&r);
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("@media print") && html.contains("<style>"));
    assert!(!html.contains("<link") && !html.contains("<img"));
    assert_eq!(html.matches("<svg").count(), r.charts.len() + 1);
    assert_eq!(html.matches("<title id=").count(), r.charts.len() + 1, "every chart has an accessible title");
    assert_eq!(html.matches("role=\"img\"").count(), r.charts.len() + 1);
    for section in [
        "summary",
        "profile",
        "dimensions",
        "charts",
        "hardware",
        "prices",
        "methodology",
        "consistency",
        "sensitivity",
        "provenance",
        "definitions",
    ] {
        assert!(html.contains(&format!("<section id=\"{section}\">")), "{section}");
    }
}

#[test]
fn the_same_snapshot_gives_the_same_json_bytes() {
    let v = snapshot();
    let (a, b) = (build(&v).to_json().unwrap(), build(&v).to_json().unwrap());
    assert_eq!(a, b);
    let parsed: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(parsed["id"], v["id"]);
    assert_eq!(build(&v).to_html().unwrap(), build(&v).to_html().unwrap());
}

#[test]
fn a_network_with_no_active_nodes_draws_no_data_panels() {
    let mut v = snapshot();
    set(&mut v, "/metrics/decentralization/active_nodes", json!(0));
    set(&mut v, "/metrics/decentralization/located_nodes", json!(0));
    set(&mut v, "/metrics/decentralization/nodes_per_tier", json!({}));
    set(&mut v, "/metrics/utilization", json!([]));
    set(&mut v, "/metrics/decentralization/operators/largest_share", Value::Null);
    if v.pointer("/metrics/decentralization/hexes").is_some() {
        set(&mut v, "/metrics/decentralization/hexes/cells", json!([]));
    }
    let r = build(&v);
    let (html, md, _) = outputs(&r);
    assert!(html.matches("No data").count() >= 3, "nodes, utilisation and map panels");
    assert!(md.contains("No active node has a location"));
}

#[test]
fn without_market_prices_the_comparison_shows_the_cloud_table_and_says_why() {
    let r = build(&snapshot());
    assert!(r.prices.notes.iter().any(|n| n.contains("No market prices were supplied")));
    assert!(r.prices.table.rows.iter().all(|row| row[1] == "no market price"));
    let (_, md, _) = outputs(&r);
    assert!(md.contains("RunPod") && md.contains("2025-05-01"));
}

#[test]
fn a_snapshot_scored_with_another_methodology_file_is_flagged() {
    let mut v = snapshot();
    set(&mut v, "/provenance/methodology_sha256", json!("00".repeat(32)));
    let r = build(&v);
    assert!(!r.methodology.builtin_matches);
    assert!(r.notices.iter().any(|n| n.contains("sha256 differs from the built-in copy")));
    set(&mut v, "/provenance/methodology_version", json!("v9"));
    let r = build(&v);
    assert!(r.definitions.rows.is_empty() && r.methodology.parameters.is_empty());
    let (_, md, _) = outputs(&r);
    assert!(md.contains("Definitions are not available for this snapshot's methodology."));
}
