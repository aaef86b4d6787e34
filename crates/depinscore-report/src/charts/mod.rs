//! Charts as inline SVG, drawn in Rust: no script, no external request. A chart is data
//! (`Chart`, part of the report's JSON) until it is drawn; drawing never prints a non-finite
//! number, and a chart without a finite value is drawn as a "no data" panel.

pub mod bar;
pub mod hexmap;
pub mod line;
pub mod scale;
pub mod svg;

use serde::Serialize;

use crate::format;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Daily series over dates.
    Line,
    /// One value per category (horizontal bars).
    Bar,
}

/// How values (and axis ticks) are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Usd,
    Nos,
    Ratio,
    Share,
    Count,
}

impl Unit {
    /// A tick or point label.
    pub fn label(self, v: f64) -> String {
        match self {
            Unit::Usd => format::usd(Some(v)),
            Unit::Nos | Unit::Ratio | Unit::Count => format::compact(v),
            Unit::Share => format!("{}%", format::compact(v * 100.0)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// A date (line charts) or a category (bar charts).
    pub x: String,
    pub y: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    pub points: Vec<Point>,
}

/// A horizontal reference line (a benchmark).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reference {
    pub value: f64,
    pub label: String,
}

/// A small table summarising a chart (the Markdown and the HTML's text alternative).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// One sentence for screen readers (`aria-label` / `<desc>`).
    pub description: String,
    pub kind: ChartKind,
    pub x_label: String,
    /// The value axis, with its unit.
    pub y_label: String,
    pub unit: Unit,
    /// Start the value axis at zero (false for levels such as supply, where the change matters).
    pub include_zero: bool,
    pub series: Vec<Series>,
    pub reference: Option<Reference>,
    /// Where the numbers come from.
    pub source: String,
    /// Why the chart has no data, when it has none.
    pub note: Option<String>,
    pub table: Table,
}

impl Chart {
    /// Every finite value of every series.
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.series.iter().flat_map(|s| s.points.iter().filter_map(|p| format::finite(p.y)))
    }

    pub fn has_data(&self) -> bool {
        self.values().next().is_some()
    }

    /// Fills `table` from the series: for a line chart one row per series (first, last, min,
    /// max, days with a value), for a bar chart one row per category.
    pub fn summarise(mut self) -> Chart {
        let u = self.unit;
        let at = |p: Option<&Point>| match p {
            Some(p) => format!("{} ({})", p.y.map_or_else(|| format::NOT_AVAILABLE.to_string(), |v| u.label(v)), p.x),
            None => format::NOT_AVAILABLE.to_string(),
        };
        self.table = match self.kind {
            ChartKind::Line => Table {
                header: ["Series", "First", "Last", "Min", "Max", "Days with a value"].map(String::from).to_vec(),
                rows: self
                    .series
                    .iter()
                    .map(|s| {
                        let valued: Vec<&Point> = s.points.iter().filter(|p| format::finite(p.y).is_some()).collect();
                        let by = |better: fn(f64, f64) -> bool| {
                            valued.iter().copied().fold(None, |best: Option<&Point>, p| match (best, p.y) {
                                (Some(b), Some(v)) if !better(v, b.y.unwrap_or(v)) => Some(b),
                                _ => Some(p),
                            })
                        };
                        vec![
                            s.name.clone(),
                            at(valued.first().copied()),
                            at(valued.last().copied()),
                            at(by(|a, b| a < b)),
                            at(by(|a, b| a > b)),
                            format!("{} of {}", valued.len(), s.points.len()),
                        ]
                    })
                    .collect(),
            },
            ChartKind::Bar => Table {
                header: vec![self.x_label.clone(), self.y_label.clone()],
                rows: self
                    .series
                    .iter()
                    .flat_map(|s| &s.points)
                    .map(|p| vec![p.x.clone(), p.y.map_or_else(|| format::NOT_AVAILABLE.to_string(), |v| u.label(v))])
                    .collect(),
            },
        };
        self
    }

    /// The chart as an SVG element.
    pub fn svg(&self) -> String {
        if !self.has_data() {
            let why = self.note.clone().unwrap_or_else(|| "no data in this snapshot".to_string());
            return svg::no_data(&self.id, &self.title, &why);
        }
        match self.kind {
            ChartKind::Line => line::render(self),
            ChartKind::Bar => bar::render(self),
        }
    }
}

/// Series colours (colour-blind safe, Okabe–Ito).
pub const PALETTE: [&str; 6] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
