//! Line charts of daily series: one path per run of consecutive values (a null day breaks the
//! line), a dot for a value with no neighbour, an optional dashed benchmark line.

use std::collections::BTreeSet;

use super::scale::{Linear, nice_ticks};
use super::svg::{esc, num, open};
use super::{Chart, PALETTE};

const W: f64 = 640.0;
const H: f64 = 300.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 52.0;
const BOTTOM: f64 = 56.0;

/// Draws a line chart that has at least one finite value.
pub fn render(c: &Chart) -> String {
    let dates: Vec<&str> = c
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.x.as_str()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let n = dates.len();
    let (x0, x1) = (LEFT, W - RIGHT);
    let x_at = |i: usize| if n <= 1 { (x0 + x1) / 2.0 } else { x0 + (x1 - x0) * i as f64 / (n - 1) as f64 };
    let index = |d: &str| dates.binary_search(&d).unwrap_or(0);

    let mut values: Vec<f64> = c.values().collect();
    if let Some(r) = c.reference.as_ref().filter(|r| r.value.is_finite()) {
        values.push(r.value);
    }
    if c.include_zero {
        values.push(0.0);
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let ticks = nice_ticks(lo, hi, 5);
    let (t0, t1) = (ticks.first().copied().unwrap_or(0.0), ticks.last().copied().unwrap_or(1.0));
    let y = Linear { d0: t0, d1: t1, r0: H - BOTTOM, r1: TOP };

    let mut s = open(&c.id, W, H, &c.title, &c.description);
    // Grid and value ticks.
    for t in &ticks {
        let yy = num(y.at(*t));
        s.push_str(&format!(r##"<line class="grid" x1="{}" x2="{}" y1="{yy}" y2="{yy}"/>"##, num(x0), num(x1)));
        s.push_str(&format!(
            r#"<text class="tick" x="{}" y="{yy}" dy="4" text-anchor="end">{}</text>"#,
            num(x0 - 6.0),
            esc(&c.unit.label(*t))
        ));
    }
    if t0 < 0.0 && t1 > 0.0 {
        let yy = num(y.at(0.0));
        s.push_str(&format!(r#"<line class="zero" x1="{}" x2="{}" y1="{yy}" y2="{yy}"/>"#, num(x0), num(x1)));
    }
    // Axes.
    s.push_str(&format!(
        r#"<line class="axis" x1="{x0}" x2="{x0}" y1="{top}" y2="{bot}"/><line class="axis" x1="{x0}" x2="{x1}" y1="{bot}" y2="{bot}"/>"#,
        x0 = num(x0),
        x1 = num(x1),
        top = num(TOP),
        bot = num(H - BOTTOM)
    ));
    // Date labels: first, last and up to four between.
    let shown: BTreeSet<usize> = if n <= 1 { [0].into() } else { (0..6).map(|k| k * (n - 1) / 5).collect() };
    for i in shown.into_iter().filter(|i| *i < n) {
        let anchor = if n == 1 {
            "middle"
        } else if i == 0 {
            "start"
        } else if i == n - 1 {
            "end"
        } else {
            "middle"
        };
        s.push_str(&format!(
            r#"<text class="tick" x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
            num(x_at(i)),
            num(H - BOTTOM + 16.0),
            esc(dates[i])
        ));
    }
    axis_titles(&mut s, c);
    // Benchmark.
    if let Some(r) = c.reference.as_ref().filter(|r| r.value.is_finite()) {
        let yy = num(y.at(r.value));
        s.push_str(&format!(
            r#"<line class="reference" x1="{}" x2="{}" y1="{yy}" y2="{yy}"/><text class="reference-label" x="{}" y="{yy}" dy="-4" text-anchor="end">{}</text>"#,
            num(x0),
            num(x1),
            num(x1),
            esc(&r.label)
        ));
    }
    // Series.
    for (k, series) in c.series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        let mut points: Vec<(usize, Option<f64>)> =
            series.points.iter().map(|p| (index(&p.x), p.y.filter(|v| v.is_finite()))).collect();
        points.sort_by_key(|(i, _)| *i);
        for (i, v) in points {
            match v {
                Some(v) => runs.last_mut().map_or((), |r| r.push((x_at(i), y.at(v)))),
                None if runs.last().is_some_and(|r| !r.is_empty()) => runs.push(Vec::new()),
                None => {}
            }
        }
        s.push_str(&format!(r#"<g class="series" data-series="{}">"#, esc(&series.name)));
        for run in runs.iter().filter(|r| !r.is_empty()) {
            if run.len() == 1 {
                s.push_str(&format!(
                    r#"<circle cx="{}" cy="{}" r="3" fill="{colour}"/>"#,
                    num(run[0].0),
                    num(run[0].1)
                ));
            } else {
                let d: Vec<String> = run
                    .iter()
                    .enumerate()
                    .map(|(j, (px, py))| format!("{}{} {}", if j == 0 { "M" } else { "L" }, num(*px), num(*py)))
                    .collect();
                s.push_str(&format!(r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#, d.join(" ")));
            }
        }
        s.push_str("</g>");
    }
    legend(&mut s, c);
    s.push_str("</svg>");
    s
}

fn axis_titles(s: &mut String, c: &Chart) {
    s.push_str(&format!(
        r#"<text class="axis-title" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        num((LEFT + W - RIGHT) / 2.0),
        num(H - 12.0),
        esc(&c.x_label)
    ));
    let cy = (TOP + H - BOTTOM) / 2.0;
    s.push_str(&format!(
        r#"<text class="axis-title" x="14" y="{cy}" text-anchor="middle" transform="rotate(-90 14 {cy})">{}</text>"#,
        esc(&c.y_label),
        cy = num(cy)
    ));
}

fn legend(s: &mut String, c: &Chart) {
    let mut x = LEFT;
    for (k, series) in c.series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        s.push_str(&format!(
            r#"<rect x="{}" y="30" width="12" height="4" fill="{colour}"/><text class="legend" x="{}" y="36">{}</text>"#,
            num(x),
            num(x + 16.0),
            esc(&series.name)
        ));
        x += 24.0 + 6.5 * series.name.chars().count() as f64;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ChartKind, Point, Reference, Series, Table, Unit};
    use super::*;

    fn chart(points: Vec<(&str, Option<f64>)>) -> Chart {
        Chart {
            id: "arr".into(),
            title: "ARR <30 d>".into(),
            description: "ARR over time".into(),
            kind: ChartKind::Line,
            x_label: "Date (UTC)".into(),
            y_label: "USD per year".into(),
            unit: Unit::Usd,
            include_zero: true,
            series: vec![Series {
                name: "ARR".into(),
                points: points.into_iter().map(|(x, y)| Point { x: x.into(), y }).collect(),
            }],
            reference: None,
            source: "test".into(),
            note: None,
            table: Table::default(),
        }
    }

    fn clean(svg: &str) {
        for bad in ["NaN", "inf"] {
            assert!(!svg.contains(bad), "{bad} in {svg}");
        }
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"arr-title\">") && svg.contains("aria-label="));
    }

    #[test]
    fn an_empty_series_is_drawn_as_a_no_data_panel() {
        let c = chart(vec![]);
        let svg = c.svg();
        clean(&svg);
        assert!(svg.contains("No data") && !svg.contains("<path"));
    }

    #[test]
    fn an_all_null_series_is_drawn_as_a_no_data_panel() {
        let c = chart(vec![("2026-01-01", None), ("2026-01-02", None)]);
        let svg = c.svg();
        clean(&svg);
        assert!(svg.contains("No data"));
    }

    #[test]
    fn a_single_point_is_a_dot_in_the_middle() {
        let svg = chart(vec![("2026-01-01", Some(1234.0))]).svg();
        clean(&svg);
        assert!(svg.contains("<circle") && !svg.contains("<path"), "{svg}");
        assert!(svg.contains("2026-01-01"));
    }

    #[test]
    fn a_null_day_breaks_the_line_in_two() {
        let svg = chart(vec![
            ("2026-01-01", Some(1.0)),
            ("2026-01-02", Some(2.0)),
            ("2026-01-03", None),
            ("2026-01-04", Some(3.0)),
            ("2026-01-05", Some(4.0)),
        ])
        .svg();
        clean(&svg);
        assert_eq!(svg.matches("<path").count(), 2, "{svg}");
    }

    #[test]
    fn negative_values_get_a_zero_line_inside_the_axis() {
        let mut c = chart(vec![("2026-01-01", Some(-50.0)), ("2026-01-02", Some(120.0))]);
        c.reference = Some(Reference { value: 0.5, label: "benchmark 0.50".into() });
        let svg = c.svg();
        clean(&svg);
        assert!(svg.contains(r#"class="zero""#) && svg.contains("benchmark 0.50") && svg.contains("−$"), "{svg}");
    }

    #[test]
    fn titles_are_escaped_in_the_svg() {
        let svg = chart(vec![("2026-01-01", Some(1.0)), ("2026-01-02", Some(2.0))]).svg();
        assert!(svg.contains("ARR &lt;30 d&gt;") && !svg.contains("ARR <30"));
    }
}
