//! One section per dimension: the measured numbers, the bullets they justify, and for a rubric
//! dimension each item with the points it earned and where the answer can be checked.

use serde::Serialize;

use super::Row;
use crate::charts::Table;
use crate::format::{self, NOT_AVAILABLE, amount, count, finite, percent, ratio, usd};
use crate::methodology_view::MethodologyView;
use crate::snapshot_view::{DimensionScore, SnapshotView};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DimensionView {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub weight_text: String,
    /// The metric scored (None for a rubric dimension).
    pub metric: Option<String>,
    pub metric_text: String,
    pub benchmark: String,
    pub formula: String,
    pub value: Option<f64>,
    pub value_text: String,
    pub curve_score_text: String,
    pub score: f64,
    pub score_text: String,
    /// The cap that lowered the score, in words.
    pub cap: Option<String>,
    pub insufficient_data: bool,
    /// How the score was reached, in one sentence.
    pub verdict: String,
    pub measured: Vec<Row>,
    pub bullets: Vec<String>,
    /// Rubric items: question, points, earned, answer, source, note.
    pub items: Table,
}

pub(super) fn build(snap: &SnapshotView, method: &MethodologyView) -> Vec<DimensionView> {
    snap.score.dimensions.iter().map(|d| view(d, snap, method)).collect()
}

/// The six-dimension table.
pub(super) fn table(dims: &[DimensionView]) -> Table {
    Table {
        header: ["Dimension", "Weight", "Metric", "Benchmark", "Measured", "Score", "Cap applied"]
            .map(String::from)
            .to_vec(),
        rows: dims
            .iter()
            .map(|d| {
                vec![
                    d.name.clone(),
                    d.weight_text.clone(),
                    d.metric_text.clone(),
                    d.benchmark.clone(),
                    d.value_text.clone(),
                    d.score_text.clone(),
                    d.cap.clone().unwrap_or_else(|| "no".to_string()),
                ]
            })
            .collect(),
    }
}

/// A metric's value as the report prints it.
pub(crate) fn metric_value(metric: &str, v: Option<f64>) -> String {
    let Some(x) = finite(v) else { return NOT_AVAILABLE.to_string() };
    match metric {
        m if m.starts_with("arr") => usd(Some(x)),
        m if m.starts_with("spacing_coefficient") => format::thousands(x, 3),
        "years_to_net_deflation" => format!("{} years", format::thousands(x, 1)),
        m if m.starts_with("payback_months") => format::months(Some(x)),
        "largest_operator_share" | "success_rate" | "staking_ratio" => percent(Some(x)),
        "nakamoto_50" => format::thousands(x, 0),
        _ => ratio(Some(x)),
    }
}

fn metric_name(metric: &str, window_days: i64) -> String {
    match metric {
        "demand_to_emission" => format!("Demand-to-emission ratio ({window_days}-day window)"),
        "years_to_net_deflation" => "Years to net deflation".into(),
        "spacing_coefficient" => "H3 spacing coefficient".into(),
        "payback_months_net" => "Hardware payback, net of power".into(),
        other => other.replace('_', " "),
    }
}

fn view(d: &DimensionScore, snap: &SnapshotView, method: &MethodologyView) -> DimensionView {
    let rubric = d.metric.is_none();
    let cap = d.cap.as_ref().map(|c| {
        format!(
            "capped at {}: {} ({} = {})",
            format::score(c.max_score),
            c.reason,
            c.metric,
            metric_value(&c.metric, c.value)
        )
    });
    let metric_text = match &d.metric {
        Some(m) => format!("{} ({m})", metric_name(m, snap.metrics.window.days)),
        None => "Rubric (evidence file)".to_string(),
    };
    let when_missing = method.dimension(&d.id).map_or(0.0, |m| m.when_missing);
    let verdict = if rubric {
        let (earned, points) = d.items.iter().fold((0.0, 0.0), |(e, p), i| (e + i.earned, p + i.points));
        format!(
            "{} of {} rubric points earned: {} / 100.",
            format::score(earned),
            format::score(points),
            format::score(d.score)
        )
    } else if d.insufficient_data {
        format!(
            "The metric could not be measured from this snapshot, so the dimension scores the methodology's \
             value for an unmeasurable metric ({}) and is marked insufficient data.",
            format::score(when_missing)
        )
    } else {
        let mut s = format!(
            "Measured {} → {} on the curve",
            metric_value(d.metric.as_deref().unwrap_or(""), d.value),
            d.curve_score.map_or_else(|| NOT_AVAILABLE.to_string(), format::score)
        );
        match &cap {
            Some(c) => s.push_str(&format!(", {c}.")),
            None => s.push('.'),
        }
        s
    };
    let (measured, bullets) = match d.id.as_str() {
        "demand" => demand(snap, d),
        "token" => token(snap),
        "decentralization" => decentralization(snap, d),
        "hardware" => hardware(snap),
        _ if rubric => (Vec::new(), rubric_bullets(d)),
        _ => (Vec::new(), Vec::new()),
    };
    let items = Table {
        header: ["Item", "Points", "Earned", "Answer", "Evidence source"].map(String::from).to_vec(),
        rows: d
            .items
            .iter()
            .map(|i| {
                let answer = if i.note.is_empty() { i.answer.clone() } else { format!("{} — {}", i.answer, i.note) };
                vec![i.question.clone(), format::score(i.points), format::score(i.earned), answer, i.source.clone()]
            })
            .collect(),
    };
    DimensionView {
        id: d.id.clone(),
        name: d.name.clone(),
        weight: d.weight,
        weight_text: format::weight(d.weight),
        metric: d.metric.clone(),
        metric_text,
        benchmark: d.benchmark.clone(),
        formula: d.formula.clone(),
        value: finite(d.value),
        value_text: if rubric {
            format!("{} / 100", format::score(d.score))
        } else {
            metric_value(d.metric.as_deref().unwrap_or(""), d.value)
        },
        curve_score_text: d.curve_score.map_or_else(|| NOT_AVAILABLE.to_string(), format::score),
        score: d.score,
        score_text: format::score(d.score),
        cap,
        insufficient_data: d.insufficient_data,
        verdict,
        measured,
        bullets,
        items,
    }
}

/// How a benchmark's cap bears on a dimension's score, after the condition that triggers it.
fn cap_effect(d: &DimensionScore) -> String {
    match (&d.cap, d.curve_score) {
        (Some(c), _) => format!("so the score is capped at {}", format::score(c.max_score)),
        (None, Some(curve)) => {
            format!("which caps the score, but the curve's {} is already below the cap", format::score(curve))
        }
        (None, None) => "which caps the score".to_string(),
    }
}

fn demand(s: &SnapshotView, dim: &DimensionScore) -> (Vec<Row>, Vec<String>) {
    let (d, t) = (&s.metrics.demand, &s.metrics.token);
    let w = s.metrics.window.days;
    let rows = vec![
        Row::new(format!("ARR ({w}-day window)"), usd(d.arr_usd))
            .with_note("(node payouts + network fees) × 365 / days covered, each flow at its time's price"),
        Row::new(format!("ARR ({}-day window)", s.metrics.long_window.days), usd(d.arr_long_usd)),
        Row::new("ARR at today's price", usd(d.arr_spot_usd)),
        Row::new(
            "GMV (node payouts) in the window",
            format!("{} ({})", amount(Some(d.gmv_nos), 0, "NOS"), usd(Some(d.gmv_usd))),
        ),
        Row::new(
            "Network fees in the window",
            format!("{} ({})", amount(Some(d.fees_nos), 0, "NOS"), usd(Some(d.fees_usd))),
        ),
        Row::new(
            "Emissions in the window",
            format!("{} ({})", amount(Some(t.emission_nos), 0, "NOS"), usd(Some(t.emission_usd))),
        ),
        Row::new("Annualised emission value", usd(t.emission_annual_usd)),
        Row::new(format!("Demand-to-emission ({w}-day window)"), ratio(t.demand_to_emission)),
        Row::new(
            format!("Demand-to-emission ({}-day window)", s.metrics.long_window.days),
            ratio(t.demand_to_emission_long),
        ),
        Row::new("Demand-to-emission (spot, NOS / NOS)", ratio(t.demand_to_emission_spot)),
        Row::new("Jobs listed", count(d.jobs_listed)).with_note(format!("{} a day", ratio(d.jobs_per_day))),
        Row::new("Runs finished / quit", format!("{} / {}", count(d.runs_finished), count(d.runs_quit))),
        Row::new("Success rate", percent(d.success_rate)),
        Row::new("Median run time", format::duration(d.median_duration_s)),
        Row::new("Median queue wait", format::duration(d.median_queue_wait_s)),
        Row::new("Paying projects / payers", format!("{} / {}", count(d.projects), count(d.payers))),
        Row::new("Days of the window with data", format!("{} of {w}", d.covered_days)),
        Row::new("Demand flows without a fresh price", percent(d.unpriced_share)),
    ];
    let mut b = Vec::new();
    match finite(d.arr_usd) {
        Some(arr) if arr >= 500_000.0 => {
            b.push(format!("ARR of {} clears the benchmark's $500K floor.", usd(Some(arr))));
        }
        Some(arr) => {
            b.push(format!("ARR of {} is below the benchmark's $500K floor, {}.", usd(Some(arr)), cap_effect(dim)))
        }
        None => b.push("ARR is not measurable: no demand flow in the window could be priced.".to_string()),
    }
    if t.emission_nos <= 0.0 {
        b.push(
            "No tokens were emitted in the window, so demand-to-emission is not measurable (there is nothing to \
             divide by) and the dimension is scored as insufficient data."
                .to_string(),
        );
    } else if let Some(r) = finite(t.demand_to_emission) {
        let verb = if r >= 0.5 { "meets" } else { "misses" };
        b.push(format!(
            "Paying demand is {} times the value of emissions ({} ARR against {} of emissions a year): it {verb} the 0.50 benchmark.",
            ratio(Some(r)),
            usd(d.arr_usd),
            usd(t.emission_annual_usd)
        ));
    } else {
        b.push(
            "Emissions could not be valued in USD (no fresh price), so demand-to-emission is not measurable.".into(),
        );
    }
    if let (Some(short), Some(long)) = (finite(t.demand_to_emission), finite(t.demand_to_emission_long)) {
        b.push(format!(
            "Over {} days the ratio is {} ({w} days: {}); the sensitivity table shows what the longer window does to the composite.",
            s.metrics.long_window.days,
            ratio(Some(long)),
            ratio(Some(short))
        ));
    }
    if let Some(share) = finite(d.unpriced_share).filter(|s| *s > 0.0) {
        b.push(format!(
            "{} of demand flows had no price within the staleness limit and add no USD.",
            percent(Some(share))
        ));
    }
    (rows, b)
}

fn token(s: &SnapshotView) -> (Vec<Row>, Vec<String>) {
    let (t, st) = (&s.metrics.token, &s.metrics.staking);
    let df = &t.deflation;
    let rows = vec![
        Row::new("Emissions (pool releases) in the window", amount(Some(t.emission_nos), 0, "NOS")),
        Row::new(
            "Burns in the window",
            format!("{} ({})", amount(Some(t.burns_nos), 0, "NOS"), usd(Some(t.burns_usd))),
        ),
        Row::new("Mints in the window", amount(Some(t.mints_nos), 0, "NOS")),
        Row::new("Staking rewards claimed in the window", amount(Some(t.claims_nos), 0, "NOS")),
        Row::new("Net emission, annualised", amount(t.net_emission_annual_nos, 0, "NOS / year"))
            .with_note("emissions + mints − burns; positive = supply entering circulation"),
        Row::new("Seed formula: emission value / burn value", ratio(t.seed_emission_to_burn)),
        Row::new("Projected net deflation", df.projected_date.clone().unwrap_or_else(|| "none within 10 years".into())),
        Row::new("Total supply", amount(t.total_supply_nos, 0, "NOS")),
        Row::new("Circulating supply", amount(t.circulating_supply_nos, 0, "NOS")),
        Row::new("Maximum supply", amount(Some(t.max_supply_nos), 0, "NOS")),
        Row::new("NOS staked", amount(Some(st.staked_nos), 0, "NOS"))
            .with_note(format!("{} of circulating supply", percent(st.staking_ratio))),
        Row::new("xNOS / stakers", format!("{} / {}", amount(Some(st.xnos), 0, "xNOS"), count(st.stakers))),
    ];
    let mut b = Vec::new();
    if t.burns_nos <= 0.0 {
        b.push(
            "Nothing was burned in the window: supply cannot shrink, no date of net deflation can be projected, and \
             the dimension scores the methodology's value for an unmeasurable metric."
                .to_string(),
        );
    } else if df.already {
        b.push("Burns already exceed emissions and mints over the window: the token is net deflationary now.".into());
    } else if let (Some(date), Some(years)) = (&df.projected_date, finite(df.years)) {
        let within = if df.within_horizon { "within" } else { "beyond" };
        b.push(format!(
            "The linear trends of the last {} days project burns overtaking emissions + mints on {date} ({} years), {within} the {}-year horizon.",
            df.trend_days,
            format::thousands(years, 1),
            format::score(df.horizon_years)
        ));
    } else {
        b.push(format!(
            "Burns are not closing the gap to emissions + mints under the last {} days' trends: no deflation within 10 years.",
            df.trend_days
        ));
    }
    if let Some(r) = finite(t.seed_emission_to_burn) {
        b.push(format!(
            "The seed report's own token metric (annual emission value / burn value) would read {}.",
            ratio(Some(r))
        ));
    }
    b.push(format!(
        "{} is staked by {} wallets ({} of circulating supply), a supply sink that earns xNOS.",
        amount(Some(st.staked_nos), 0, "NOS"),
        count(st.stakers),
        percent(st.staking_ratio)
    ));
    (rows, b)
}

fn decentralization(s: &SnapshotView, dim: &DimensionScore) -> (Vec<Row>, Vec<String>) {
    let d = &s.metrics.decentralization;
    let mut rows = vec![
        Row::new("Active nodes", count(d.active_nodes)).with_note("any job event in the window"),
        Row::new("Active nodes with a location", count(d.located_nodes)),
    ];
    for sp in &d.spacing {
        rows.push(
            Row::new(
                format!("Spacing coefficient, H3 resolution {}", sp.resolution),
                metric_value("spacing_coefficient", sp.coefficient),
            )
            .with_note(format!("{} occupied cells", count(sp.cells))),
        );
    }
    let o = &d.operators;
    rows.extend([
        Row::new("Operators (entities)", count(o.entities)),
        Row::new("Largest operator's share of nodes", percent(o.largest_share)),
        Row::new(
            "Nakamoto coefficient (33% / 50%)",
            format!("{} / {}", opt_count(o.nakamoto_33), opt_count(o.nakamoto_50)),
        ),
        Row::new("HHI (0–10,000)", o.hhi.map_or_else(|| NOT_AVAILABLE.to_string(), |h| format::thousands(h, 0))),
    ]);
    let mut b = Vec::new();
    match (d.spacing.first(), d.located_nodes) {
        (_, 0) => b.push("No active node has a location, so the spacing coefficient is not measurable.".into()),
        (Some(sp), located) => {
            let c = finite(sp.coefficient);
            let verb = if c.is_some_and(|c| c >= 0.85) { "meets" } else { "misses" };
            b.push(format!(
                "{} located nodes occupy {} distinct H3 cells at resolution {}: a coefficient of {}, which {verb} the 0.85 benchmark.",
                count(located),
                count(sp.cells),
                sp.resolution,
                metric_value("spacing_coefficient", c)
            ));
        }
        (None, _) => {}
    }
    match finite(o.largest_share) {
        Some(x) if x > 0.2 => b.push(format!(
            "One operator runs {} of active nodes, over the benchmark's 20% limit, {}.",
            percent(Some(x)),
            cap_effect(dim)
        )),
        Some(x) => b.push(format!("No operator runs more than 20% of active nodes (largest: {}).", percent(Some(x)))),
        None => b.push("Operator concentration is not measurable without active nodes.".into()),
    }
    (rows, b)
}

fn hardware(s: &SnapshotView) -> (Vec<Row>, Vec<String>) {
    let h = &s.metrics.hardware;
    let rows = vec![
        Row::new("Median payback, net of power", format::months(h.median_payback_months_net))
            .with_note("node-weighted over tiers, yield at time-of-flow prices"),
        Row::new("Median payback, seed formula", format::months(h.median_payback_months_seed))
            .with_note("no power cost, yield at today's price"),
        Row::new("Electricity price", format!("{} per kWh", format::usd_exact(Some(h.power_usd_per_kwh)))),
        Row::new("Active nodes in tiers without a hardware cost", count(h.nodes_without_cost)),
        Row::new("Hardware table", h.table_version.clone()),
    ];
    let mut b = Vec::new();
    match finite(h.median_payback_months_net) {
        Some(m) => {
            let verb = if m <= 12.0 { "meets" } else { "misses" };
            b.push(format!(
                "The median node pays back its hardware in {}, net of power: it {verb} the 12-month benchmark.",
                format::months(Some(m))
            ));
        }
        None => b.push(
            "The median node does not pay back its hardware at the measured yield net of power (or no tier has a \
             hardware cost), so payback is not measurable."
                .into(),
        ),
    }
    if let (Some(seed), Some(net)) = (finite(h.median_payback_months_seed), finite(h.median_payback_months_net)) {
        b.push(format!(
            "The seed report's formula (no power, today's price) gives {} instead of {}.",
            format::months(Some(seed)),
            format::months(Some(net))
        ));
    }
    if h.nodes_without_cost > 0 {
        b.push(format!(
            "{} active nodes are in tiers the hardware table does not price and are left out of the median.",
            count(h.nodes_without_cost)
        ));
    }
    (rows, b)
}

/// The rubric in three lines: items earned in full, in part, and not at all (the table above
/// lists each with its source).
fn rubric_bullets(d: &DimensionScore) -> Vec<String> {
    let pick = |f: fn(&crate::snapshot_view::ItemScore) -> bool| -> Vec<String> {
        d.items.iter().filter(|i| f(i)).map(|i| i.question.trim_end_matches('.').to_string()).collect()
    };
    let full = pick(|i| i.points > 0.0 && i.earned >= i.points);
    let part = pick(|i| i.earned > 0.0 && i.earned < i.points);
    let none = pick(|i| i.earned <= 0.0);
    let mut b = Vec::new();
    if !full.is_empty() {
        b.push(format!("Earned in full: {}.", full.join("; ")));
    }
    if !part.is_empty() {
        b.push(format!("Earned in part: {}.", part.join("; ")));
    }
    if !none.is_empty() {
        b.push(format!("Not earned: {}.", none.join("; ")));
    }
    b
}

fn opt_count(v: Option<u64>) -> String {
    v.map_or_else(|| NOT_AVAILABLE.to_string(), count)
}
