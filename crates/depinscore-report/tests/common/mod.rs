//! Checks shared by the report's tests.
#![allow(dead_code)]

/// No "NaN" anywhere, and no "inf" / "infinity" as a word (a non-finite number printed).
pub fn assert_no_non_finite(text: &str) {
    assert!(!text.contains("NaN"), "NaN in output");
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for (i, _) in lower.match_indices("inf") {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = &lower[i + 3..];
        let word_start = before.is_none_or(|b| !b.is_ascii_alphabetic());
        let rest = after.strip_prefix("inity").unwrap_or(after);
        let word_end = rest.bytes().next().is_none_or(|b| !b.is_ascii_alphabetic());
        assert!(
            !(word_start && word_end),
            "a non-finite number near {:?}",
            &text[i.saturating_sub(40)..(i + 20).min(text.len())]
        );
    }
}

/// One self-contained HTML file: no script, no external `src`/`href`, no imported font or CSS.
pub fn assert_self_contained(html: &str) {
    assert!(!html.contains("<script"), "script in HTML");
    assert!(!html.contains("@import") && !html.contains("@font-face") && !html.contains("url("), "external CSS");
    let lower = html.to_ascii_lowercase();
    for attr in ["src=", "href=", "xlink:href="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..].trim_start_matches(['"', '\'']);
            assert!(
                !value.starts_with("http://") && !value.starts_with("https://") && !value.starts_with("//"),
                "external {attr} at {:?}",
                &html[i..(i + 60).min(html.len())]
            );
        }
    }
    assert!(html.contains("@media print"), "print CSS");
}
