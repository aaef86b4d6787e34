//! Number and date formatting for every figure the report prints. A missing or non-finite value
//! prints as "not available", never "NaN" or "inf".

/// What a value that could not be measured prints as.
pub const NOT_AVAILABLE: &str = "not available";

/// The value when it is a finite number.
pub fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// `1234567.891` with `decimals` → `1,234,567.89` (thousands separators; rounded as Rust's
/// formatter rounds the binary value, so an exact tie such as 7.25 goes to the even digit).
pub fn thousands(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "−" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A count: `2800` → `2,800`.
pub fn count(v: u64) -> String {
    thousands(v as f64, 0)
}

/// An optional amount with a unit after it: `12,345.6 NOS`.
pub fn amount(v: Option<f64>, decimals: usize, unit: &str) -> String {
    match finite(v) {
        Some(x) => format!("{} {unit}", thousands(x, decimals)),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// A compact magnitude: `3_400_000` → `3.4M`, `512_000` → `512K`, `950` → `950`, `0.25` → `0.25`.
pub fn compact(v: f64) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let a = v.abs();
    let sign = if v < 0.0 { "−" } else { "" };
    let (scaled, suffix) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e4 {
        (a / 1e3, "K")
    } else {
        (a, "")
    };
    let digits = if suffix.is_empty() {
        if a >= 100.0 {
            0
        } else if a >= 10.0 {
            1
        } else if a >= 1.0 || a == 0.0 {
            2
        } else {
            // Small ratios keep two significant digits.
            (2 - a.log10().floor() as i64 - 1).clamp(2, 6) as usize
        }
    } else if scaled >= 100.0 {
        0
    } else {
        1
    };
    let s = trim_zeros(&format!("{scaled:.digits$}"));
    if s == "0" { "0".to_string() } else { format!("{sign}{s}{suffix}") }
}

/// US dollars, compact: `$3.4M`, `$512K`, `$950`, `$0.45`.
pub fn usd(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) if x < 0.0 => format!("−${}", compact(-x)),
        Some(x) => format!("${}", compact(x)),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// US dollars with cents: `$1,234.57`.
pub fn usd_exact(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) if x < 0.0 => format!("−${}", thousands(-x, 2)),
        Some(x) => format!("${}", thousands(x, 2)),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// A share as a percentage: `0.2346` → `23.5%`.
pub fn percent(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) => format!("{}%", thousands(x * 100.0, 1)),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// A ratio: `0.4567` → `0.46`.
pub fn ratio(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) => thousands(x, 2),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// A score out of 100 to the tenth, without a trailing `.0`: `87.3`, `89`.
pub fn score(v: f64) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    trim_zeros(&format!("{v:.1}"))
}

/// A signed difference of scores: `+1.2`, `−3.4`, `0`.
pub fn delta(v: f64) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let s = score(v.abs());
    if s == "0" {
        s
    } else if v > 0.0 {
        format!("+{s}")
    } else {
        format!("−{s}")
    }
}

/// A weight in percent points: `20` → `20%`, `16.666…` → `16.7%`.
pub fn weight(v: f64) -> String {
    format!("{}%", score(v))
}

/// Seconds as a short duration: `95` → `1 min 35 s`, `7200` → `2 h 0 min`.
pub fn duration(v: Option<f64>) -> String {
    let Some(s) = finite(v) else { return NOT_AVAILABLE.to_string() };
    let s = s.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        3600..86_400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// Months with one decimal: `7.26` → `7.3 months`.
pub fn months(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) => format!("{} months", thousands(x, 1)),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// Days as months with one decimal (30.44 days a month, as the engine).
pub fn days_as_months(v: Option<f64>) -> String {
    months(finite(v).map(|d| d / 30.44))
}

/// `YYYY-MM-DD` of a unix day (proleptic Gregorian, Howard Hinnant's civil_from_days).
pub fn date_of_day(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM UTC` of a unix time.
pub fn datetime(t: i64) -> String {
    let day = t.div_euclid(86_400);
    let s = t.rem_euclid(86_400);
    format!("{} {:02}:{:02} UTC", date_of_day(day), s / 3600, (s % 3600) / 60)
}

/// `2026-01-05` → `5 Jan 2026`; anything else is returned as given.
pub fn long_date(date: &str) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return date.to_string();
    };
    match (y.parse::<u32>(), m.parse::<usize>(), d.parse::<u32>()) {
        (Ok(y), Ok(m @ 1..=12), Ok(d @ 1..=31)) => format!("{d} {} {y}", MONTHS[m - 1]),
        _ => date.to_string(),
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators_group_by_three_and_keep_the_sign() {
        assert_eq!(thousands(0.0, 0), "0");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(thousands(-48_000_000.0, 0), "−48,000,000");
        assert_eq!(thousands(-0.001, 1), "0.0", "a negative that rounds to zero has no sign");
        assert_eq!(count(2800), "2,800");
        assert_eq!(amount(Some(12_345.64), 1, "NOS"), "12,345.6 NOS");
        assert_eq!(amount(None, 1, "NOS"), "not available");
    }

    #[test]
    fn dollars_use_k_m_and_b_suffixes() {
        assert_eq!(usd(Some(3_400_000.0)), "$3.4M");
        assert_eq!(usd(Some(512_000.0)), "$512K");
        assert_eq!(usd(Some(12_500.0)), "$12.5K");
        assert_eq!(usd(Some(950.0)), "$950");
        assert_eq!(usd(Some(0.45)), "$0.45");
        assert_eq!(usd(Some(2.5e9)), "$2.5B");
        assert_eq!(usd(Some(-1_500_000.0)), "−$1.5M");
        assert_eq!(usd(Some(0.0)), "$0");
        assert_eq!(usd_exact(Some(1234.567)), "$1,234.57");
        assert_eq!(compact(0.004_56), "0.0046");
    }

    #[test]
    fn percentages_ratios_scores_and_deltas() {
        assert_eq!(percent(Some(0.2346)), "23.5%");
        assert_eq!(percent(Some(1.0)), "100.0%");
        assert_eq!(ratio(Some(0.4567)), "0.46");
        assert_eq!(score(87.3), "87.3");
        assert_eq!(score(89.0), "89");
        assert_eq!(score(87.26), "87.3");
        assert_eq!(delta(1.7), "+1.7");
        assert_eq!(delta(-3.44), "−3.4");
        assert_eq!(delta(0.01), "0");
        assert_eq!(weight(20.0), "20%");
        assert_eq!(weight(16.666_666_666_666_668), "16.7%");
    }

    #[test]
    fn missing_and_non_finite_values_print_as_not_available() {
        for s in [
            usd(None),
            usd(Some(f64::NAN)),
            percent(Some(f64::INFINITY)),
            ratio(Some(f64::NEG_INFINITY)),
            score(f64::NAN),
            thousands(f64::NAN, 2),
            compact(f64::INFINITY),
            months(None),
            duration(Some(f64::NAN)),
        ] {
            assert_eq!(s, NOT_AVAILABLE);
        }
    }

    #[test]
    fn dates_and_durations() {
        assert_eq!(date_of_day(0), "1970-01-01");
        assert_eq!(date_of_day(20_454), "2026-01-01");
        assert_eq!(datetime(1_767_225_600 + 3600 + 120), "2026-01-01 01:02 UTC");
        assert_eq!(long_date("2026-05-29"), "29 May 2026");
        assert_eq!(long_date("soon"), "soon");
        assert_eq!(duration(Some(95.0)), "1 min 35 s");
        assert_eq!(duration(Some(7200.0)), "2 h 0 min");
        assert_eq!(duration(Some(90_000.0)), "1 d 1 h");
        assert_eq!(months(Some(7.26)), "7.3 months");
        assert_eq!(days_as_months(Some(304.4)), "10.0 months");
    }
}
