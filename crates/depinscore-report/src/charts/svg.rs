//! Small SVG writing helpers: escaping, numbers that are never NaN, the frame of a chart.

/// Escapes text for SVG/XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A coordinate with one decimal; a non-finite value (never expected) becomes 0.
pub fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".to_string() } else { s }
}

/// The opening tag of a chart with its accessible name and description, and the visible title.
pub fn open(id: &str, width: f64, height: f64, title: &str, desc: &str) -> String {
    let (id, title, desc) = (esc(id), esc(title), esc(desc));
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" viewBox="0 0 {w} {h}" "#,
            r#"width="100%" role="img" aria-labelledby="{id}-title {id}-desc" aria-label="{title}">"#,
            r#"<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#,
            r#"<text class="chart-title" x="8" y="18">{title}</text>"#,
        ),
        id = id,
        w = num(width),
        h = num(height),
        title = title,
        desc = desc,
    )
}

/// A panel saying why there is nothing to draw.
pub fn no_data(id: &str, title: &str, why: &str) -> String {
    let mut s = open(id, 640.0, 120.0, title, &format!("{title}: no data. {why}"));
    s.push_str(r##"<rect x="1" y="28" width="638" height="88" fill="#f4f4f4" stroke="#bbb"/>"##);
    s.push_str(&format!(
        r#"<text class="no-data" x="320" y="66" text-anchor="middle">No data</text><text class="note" x="320" y="90" text-anchor="middle">{}</text>"#,
        esc(why)
    ));
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_text_is_escaped_and_numbers_are_never_nan() {
        assert_eq!(esc(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(num(f64::NAN), "0.0");
        assert_eq!(num(f64::INFINITY), "0.0");
        assert_eq!(num(-0.01), "0.0");
        assert_eq!(num(12.345), "12.3");
    }
}
