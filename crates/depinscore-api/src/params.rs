//! Query parameters, parsed strictly: an unknown or repeated parameter is refused by name (a
//! typo such as `limt=5` must not silently return the default), and every value is checked with
//! a message that names the parameter.

use crate::calendar::{DAY, parse_date};
use crate::error::{ApiError, ApiResult};

pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses a raw query string, accepting only `allowed` names, each at most once.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> ApiResult<Params> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if !allowed.contains(&k.as_ref()) {
                let known = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                return Err(ApiError::bad(k.as_ref(), format!("unknown parameter (this route takes: {known})")));
            }
            if pairs.iter().any(|(seen, _)| seen == k.as_ref()) {
                return Err(ApiError::bad(k.as_ref(), "given more than once"));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Params { pairs })
    }

    /// The raw value, if given (an empty value counts as given).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// An unsigned integer in `min..=max`, or `default` when absent.
    pub fn uint(&self, name: &str, min: u64, max: u64, default: u64) -> ApiResult<u64> {
        let Some(v) = self.get(name) else { return Ok(default) };
        let n: u64 = v.parse().map_err(|_| ApiError::bad(name, format!("`{v}` is not a whole number")))?;
        if n < min || n > max {
            return Err(ApiError::bad(name, format!("{n} is outside {min}..={max}")));
        }
        Ok(n)
    }

    /// One of `choices`, or `default` when absent.
    pub fn choice<'a>(&'a self, name: &str, choices: &[&'a str], default: &'a str) -> ApiResult<&'a str> {
        let Some(v) = self.get(name) else { return Ok(default) };
        choices
            .iter()
            .find(|c| **c == v)
            .copied()
            .ok_or_else(|| ApiError::bad(name, format!("`{v}` is not one of {}", choices.join(", "))))
    }

    /// A time: a UTC date `YYYY-MM-DD` (its first second, or with `end_of_day` its last) or unix
    /// seconds.
    pub fn time(&self, name: &str, end_of_day: bool) -> ApiResult<Option<i64>> {
        let Some(v) = self.get(name) else { return Ok(None) };
        if let Some(day) = parse_date(v) {
            return Ok(Some(if end_of_day { (day + 1) * DAY - 1 } else { day * DAY }));
        }
        match v.parse::<i64>() {
            Ok(t) if (0..=253_402_300_799).contains(&t) => Ok(Some(t)),
            _ => Err(ApiError::bad(name, format!("`{v}` is neither a date (YYYY-MM-DD) nor unix seconds"))),
        }
    }

    /// A Solana address (base58 of 32 bytes).
    pub fn address(&self, name: &str) -> ApiResult<Option<String>> {
        self.get(name).map(|v| address(name, v)).transpose()
    }

    /// A boolean `true`/`false`, or `default` when absent.
    pub fn boolean(&self, name: &str, default: bool) -> ApiResult<bool> {
        match self.get(name) {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(v) => Err(ApiError::bad(name, format!("`{v}` is not true or false"))),
        }
    }
}

/// Checks a base58 Solana address (32 bytes).
pub fn address(name: &str, v: &str) -> ApiResult<String> {
    let bad = || ApiError::bad(name, format!("`{}` is not a base58 Solana address", shorten(v)));
    if v.len() < 32 || v.len() > 44 {
        return Err(bad());
    }
    match bs58::decode(v).into_vec() {
        Ok(bytes) if bytes.len() == 32 => Ok(v.to_string()),
        _ => Err(bad()),
    }
}

/// A snapshot id: 16 lower-case hex digits.
pub fn snapshot_id(name: &str, v: &str) -> ApiResult<String> {
    if v.len() == 16 && v.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(v.to_string())
    } else {
        Err(ApiError::bad(name, format!("`{}` is not a snapshot id (16 hex digits)", shorten(v))))
    }
}

/// A transaction signature: base58 of 64 bytes.
pub fn signature(name: &str, v: &str) -> ApiResult<String> {
    let bad = || ApiError::bad(name, format!("`{}` is not a base58 transaction signature", shorten(v)));
    if v.len() < 64 || v.len() > 88 {
        return Err(bad());
    }
    match bs58::decode(v).into_vec() {
        Ok(bytes) if bytes.len() == 64 => Ok(v.to_string()),
        _ => Err(bad()),
    }
}

/// Echoed values are cut short so an error never reflects a megabyte back.
fn shorten(v: &str) -> String {
    let cut: String = v.chars().take(96).collect();
    if cut.len() < v.len() { format!("{cut}…") } else { cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(e: ApiError) -> String {
        e.problem().parameter.unwrap_or_default()
    }

    #[test]
    fn an_unknown_or_repeated_parameter_is_refused_by_name() {
        assert_eq!(named(Params::parse(Some("limt=5"), &["limit"]).err().unwrap()), "limt");
        assert_eq!(named(Params::parse(Some("limit=5&limit=6"), &["limit"]).err().unwrap()), "limit");
        assert!(Params::parse(Some("limit=5"), &["limit"]).is_ok());
        assert!(Params::parse(None, &[]).is_ok());
    }

    #[test]
    fn numbers_out_of_range_or_not_numbers_name_the_parameter() {
        let p = Params::parse(Some("limit=0&offset=x"), &["limit", "offset"]).unwrap();
        assert_eq!(named(p.uint("limit", 1, 500, 50).unwrap_err()), "limit");
        assert_eq!(named(p.uint("offset", 0, 10, 0).unwrap_err()), "offset");
        assert_eq!(p.uint("absent", 1, 500, 50).unwrap(), 50);
    }

    #[test]
    fn times_are_dates_or_unix_seconds_and_a_date_can_mean_its_last_second() {
        let p = Params::parse(Some("from=2026-05-28&to=1800000000&bad=2026-13-01"), &["from", "to", "bad"]).unwrap();
        assert_eq!(p.time("from", false).unwrap(), Some(20_601 * DAY));
        assert_eq!(p.time("from", true).unwrap(), Some(20_602 * DAY - 1));
        assert_eq!(p.time("to", false).unwrap(), Some(1_800_000_000));
        assert_eq!(named(p.time("bad", false).unwrap_err()), "bad");
    }

    #[test]
    fn addresses_ids_and_signatures_are_checked_and_echoed_short() {
        assert!(address("node", "11111111111111111111111111111111").is_ok());
        assert!(address("node", "' OR 1=1 --").is_err());
        assert!(address("node", "0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl").is_err());
        assert!(snapshot_id("id", "0123456789abcdef").is_ok());
        assert!(snapshot_id("id", "0123456789ABCDEF").is_err());
        let long = "x".repeat(10_000);
        assert!(snapshot_id("id", &long).unwrap_err().to_string().len() < 300);
        assert!(signature("signature", &"1".repeat(64)).is_ok());
        assert!(signature("signature", "abc").is_err());
    }
}
