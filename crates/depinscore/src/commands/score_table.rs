//! The score as a plain-text table for a terminal.

use std::fmt::Write;

use depinscore_engine::Snapshot;

fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.decimals$}"))
}

pub fn render(s: &Snapshot) -> String {
    let b = &s.body;
    let m = &b.metrics;
    let p = &b.provenance;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Builder score {:.1} / 100  (snapshot {}, methodology {})",
        b.score.composite, s.id, p.methodology_version
    );
    let _ = writeln!(
        o,
        "As of {} (slot {}), window {} ({} days covered)",
        m.as_of_date,
        p.chain.last_slot,
        m.window.label(),
        m.demand.covered_days
    );
    let _ = writeln!(o, "\n{:<26} {:>6} {:>14} {:>8}  Metric", "Dimension", "Weight", "Measured", "Score");
    for d in &b.score.dimensions {
        let measured = match (&d.metric, d.value) {
            (Some(_), v) => num(v, 3),
            (None, _) => "rubric".to_string(),
        };
        let mut note = d.metric.clone().unwrap_or_else(|| format!("{} checklist items", d.items.len()));
        if let Some(c) = &d.cap {
            let _ = write!(note, "; capped at {} ({})", c.max_score, c.reason);
        }
        if d.insufficient_data {
            note.push_str("; insufficient data");
        }
        let _ = writeln!(o, "{:<26} {:>5}% {:>14} {:>8.1}  {}", d.name, d.weight, measured, d.score, note);
    }
    let _ = writeln!(o, "\nProfile");
    let (arr, arr_long) =
        (format!("ARR ({} d, time-of-flow prices)", m.window.days), format!("ARR ({} d)", m.long_window.days));
    let rows = [
        (arr.as_str(), num(m.demand.arr_usd, 0) + " USD"),
        (arr_long.as_str(), num(m.demand.arr_long_usd, 0) + " USD"),
        ("Demand-to-emission", num(m.token.demand_to_emission, 3)),
        ("GMV / fees in window", format!("{:.2} / {:.2} NOS", m.demand.gmv_nos, m.demand.fees_nos)),
        ("Jobs per day", num(m.demand.jobs_per_day, 1)),
        ("Success rate", num(m.demand.success_rate, 3)),
        (
            "Emissions / burns / mints (window)",
            format!("{:.2} / {:.2} / {:.2} NOS", m.token.emission_nos, m.token.burns_nos, m.token.mints_nos),
        ),
        (
            "Net deflation",
            match (&m.token.deflation.projected_date, m.token.deflation.already) {
                (_, true) => "already (burns ≥ emissions)".to_string(),
                (Some(d), false) => format!("projected {d}"),
                (None, false) => "not projected within 10 years".to_string(),
            },
        ),
        (
            "Circulating / max supply",
            format!("{} / {:.0} NOS", num(m.token.circulating_supply_nos, 0), m.token.max_supply_nos),
        ),
        ("Staked / stakers", format!("{:.0} NOS / {}", m.staking.staked_nos, m.staking.stakers)),
        (
            "Active nodes (located)",
            format!("{} ({})", m.decentralization.active_nodes, m.decentralization.located_nodes),
        ),
        ("Largest operator share", num(m.decentralization.operators.largest_share, 3)),
        (
            "Payback, median (net / seed formula)",
            format!(
                "{} / {} months",
                num(m.hardware.median_payback_months_net, 1),
                num(m.hardware.median_payback_months_seed, 1)
            ),
        ),
        ("NOS/USD at as-of", num(m.spot_price_usd, 4)),
    ];
    for (k, v) in rows {
        let _ = writeln!(o, "  {k:<38} {v}");
    }
    if !b.sensitivity.is_empty() {
        let _ = writeln!(o, "\nSensitivity (composite under another convention)");
        for r in &b.sensitivity {
            let _ = writeln!(o, "  {:>6.1} ({:+.1})  {}", r.composite, r.delta, r.label);
        }
    }
    for c in &b.published_checks {
        let verdict = if c.consistent { "consistent" } else { "NOT the weighted sum of its own dimension scores" };
        let _ = writeln!(
            o,
            "\nPublished check: {} ({}) headline {:.1}; its dimension scores × weights give {:.1}: {}",
            c.source, c.date, c.headline, c.recomputed, verdict
        );
    }
    let _ = writeln!(o, "\nInputs sha256 {}; rows {:?}", p.input_hash, p.rows);
    o
}
