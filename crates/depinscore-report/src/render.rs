//! The report as HTML (askama, HTML escaping on), Markdown (askama, cells escaped with `md`)
//! and JSON (the view model, deterministic).

use askama::Template;

use crate::charts::Chart;
use crate::error::ReportError;
use crate::view::Report;

#[derive(Template)]
#[template(path = "report.html")]
struct Html<'a> {
    r: &'a Report,
    /// Each chart with its SVG (drawn here, inserted unescaped: the SVG escapes its own text).
    charts: Vec<(&'a Chart, String)>,
    hexmap_svg: String,
}

#[derive(Template)]
#[template(path = "report.md")]
struct Markdown<'a> {
    r: &'a Report,
}

mod filters {
    /// Escapes a Markdown table cell: `|` would end the cell and a newline the row.
    #[askama::filter_fn]
    pub fn md(value: impl std::fmt::Display, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::md_cell(&value.to_string()))
    }
}

/// A Markdown table cell: `|` escaped, line breaks as spaces, backslashes kept literal.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

impl Report {
    /// The snapshot's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// One self-contained HTML document.
    pub fn to_html(&self) -> Result<String, ReportError> {
        let charts = self.charts.iter().map(|c| (c, c.svg())).collect();
        Ok(Html { r: self, charts, hexmap_svg: self.hexmap.svg() }.render()?)
    }

    /// The same content as Markdown (charts as small tables).
    pub fn to_markdown(&self) -> Result<String, ReportError> {
        Ok(Markdown { r: self }.render()?)
    }

    /// The view model as pretty JSON; the same snapshot gives the same bytes.
    pub fn to_json(&self) -> Result<String, ReportError> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_escape_pipes_and_line_breaks() {
        assert_eq!(md_cell("a | b"), "a \\| b");
        assert_eq!(md_cell("line\r\nnext"), "line next");
        assert_eq!(md_cell(r"C:\x"), r"C:\\x");
    }
}
