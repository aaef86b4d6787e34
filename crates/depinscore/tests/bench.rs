//! `depinscore bench` in its short form (the long form is documented in BENCHMARKS.md): every
//! figure the summary promises is measured, none is missing or zero.

mod support;

use std::process::Command;

use depinscore_localserver::TempDir;
use serde_json::Value;
use support::BIN;

const SCENARIO: &str = "[nodes]\ncount = 60\noperators = 15\nlargest_operator_share = 0.25\n\
                        [projects]\ncount = 8\n[stakers]\ncount = 10\n";

#[test]
fn the_short_benchmark_prints_every_figure_it_promises() {
    let dir = TempDir::new("bench-test").unwrap();
    std::fs::write(dir.path().join("small.toml"), SCENARIO).unwrap();
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["bench", "--days", "2", "--live-secs", "8", "--api-secs", "2", "--scenario", "small.toml"])
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let s: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let positive = |path: &str| {
        let v = path.split('.').fold(&s, |v, k| &v[k]);
        assert!(v.as_f64().is_some_and(|x| x > 0.0), "{path} = {v} in {s:#}");
    };
    for path in [
        "history.transactions",
        "ingest.backfill_secs",
        "ingest.tx_per_sec",
        "lag_ms.slots",
        "lag_ms.p50",
        "lag_ms.p99",
        "engine.recompute_ms",
        "engine.peak_rss_mb",
        "rss_mb.node",
        "rss_mb.backfill",
        "rss_mb.indexer",
        "rss_mb.api",
        "rss_mb.clickhouse",
    ] {
        positive(path);
    }
    assert!(s["report_render_ms"].is_u64(), "{s:#}");
    for route in ["/v1/score", "/v1/jobs?limit=20"] {
        let r = &s["api"][route];
        assert!(r["rps"].as_f64().is_some_and(|x| x > 0.0), "{route}: {r}");
        assert!(r["p99_ms"].as_f64().is_some_and(|x| x > 0.0), "{route}: {r}");
        assert_eq!(r["non_2xx"], 0, "{route}: {r}");
    }
    assert_eq!(s["targets"]["lag_p99_ms"], "<= 1000");
}
