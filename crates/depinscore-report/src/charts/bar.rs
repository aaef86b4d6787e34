//! Horizontal bar charts: one bar per category from zero to its value (left of zero when
//! negative); a category without a value is labelled "n/a".

use super::scale::{Linear, nice_ticks};
use super::svg::{esc, num, open};
use super::{Chart, PALETTE};

const W: f64 = 640.0;
const LABELS: f64 = 190.0;
const RIGHT: f64 = 70.0;
const TOP: f64 = 40.0;
const ROW: f64 = 24.0;
const BOTTOM: f64 = 48.0;

/// Draws a bar chart that has at least one finite value.
pub fn render(c: &Chart) -> String {
    let points: Vec<(&str, Option<f64>)> =
        c.series.iter().flat_map(|s| s.points.iter().map(|p| (p.x.as_str(), p.y.filter(|v| v.is_finite())))).collect();
    let h = TOP + ROW * points.len() as f64 + BOTTOM;
    let values: Vec<f64> = points.iter().filter_map(|(_, v)| *v).chain([0.0]).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let ticks = nice_ticks(lo, hi, 4);
    let (t0, t1) = (ticks.first().copied().unwrap_or(0.0), ticks.last().copied().unwrap_or(1.0));
    let x = Linear { d0: t0, d1: t1, r0: LABELS, r1: W - RIGHT };
    let bottom = h - BOTTOM;

    let mut s = open(&c.id, W, h, &c.title, &c.description);
    for t in &ticks {
        let xx = num(x.at(*t));
        s.push_str(&format!(r#"<line class="grid" x1="{xx}" x2="{xx}" y1="{}" y2="{}"/>"#, num(TOP), num(bottom)));
        s.push_str(&format!(
            r#"<text class="tick" x="{xx}" y="{}" text-anchor="middle">{}</text>"#,
            num(bottom + 16.0),
            esc(&c.unit.label(*t))
        ));
    }
    let zero = x.at(0.0);
    s.push_str(&format!(
        r#"<line class="axis" x1="{z}" x2="{z}" y1="{}" y2="{}"/>"#,
        num(TOP),
        num(bottom),
        z = num(zero)
    ));
    for (i, (label, v)) in points.iter().enumerate() {
        let top = TOP + ROW * i as f64;
        let mid = num(top + ROW / 2.0 + 4.0);
        s.push_str(&format!(
            r#"<text class="tick" x="{}" y="{mid}" text-anchor="end">{}</text>"#,
            num(LABELS - 8.0),
            esc(label)
        ));
        match v {
            Some(v) => {
                let end = x.at(*v);
                let (left, width) = if end >= zero { (zero, end - zero) } else { (end, zero - end) };
                s.push_str(&format!(
                    r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>"#,
                    num(left),
                    num(top + 4.0),
                    num(width.max(0.5)),
                    num(ROW - 8.0),
                    PALETTE[0],
                    esc(label),
                    esc(&c.unit.label(*v))
                ));
                let (lx, anchor) = if end >= zero { (end + 4.0, "start") } else { (end - 4.0, "end") };
                s.push_str(&format!(
                    r#"<text class="value" x="{}" y="{mid}" text-anchor="{anchor}">{}</text>"#,
                    num(lx),
                    esc(&c.unit.label(*v))
                ));
            }
            None => s.push_str(&format!(r#"<text class="value" x="{}" y="{mid}">n/a</text>"#, num(zero + 4.0))),
        }
    }
    s.push_str(&format!(
        r#"<text class="axis-title" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        num((LABELS + W - RIGHT) / 2.0),
        num(h - 10.0),
        esc(&c.y_label)
    ));
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::super::{ChartKind, Point, Series, Table, Unit};
    use super::*;

    fn chart(points: Vec<(&str, Option<f64>)>) -> Chart {
        Chart {
            id: "tiers".into(),
            title: "Active nodes per tier".into(),
            description: "bars".into(),
            kind: ChartKind::Bar,
            x_label: "Tier".into(),
            y_label: "Active nodes".into(),
            unit: Unit::Count,
            include_zero: true,
            series: vec![Series {
                name: "nodes".into(),
                points: points.into_iter().map(|(x, y)| Point { x: x.into(), y }).collect(),
            }],
            reference: None,
            source: "test".into(),
            note: None,
            table: Table::default(),
        }
    }

    #[test]
    fn each_category_gets_a_bar_and_a_missing_value_says_n_a() {
        let svg = chart(vec![("Market 4090", Some(12.0)), ("Market <3060>", Some(3.0)), ("unknown", None)]).svg();
        assert_eq!(svg.matches(r#"<rect class="bar""#).count(), 2);
        assert!(svg.contains("n/a") && svg.contains("Market &lt;3060&gt;"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn negative_bars_extend_left_of_zero() {
        let svg = chart(vec![("a", Some(-5.0)), ("b", Some(10.0))]).svg();
        assert!(svg.contains(r#"text-anchor="end">−5</text>"#), "{svg}");
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn bars_with_no_value_at_all_are_a_no_data_panel() {
        let svg = chart(vec![("a", None)]).svg();
        assert!(svg.contains("No data") && !svg.contains("<rect class=\"bar\""));
        let svg = chart(vec![]).svg();
        assert!(svg.contains("No data"));
    }
}
