//! The dated table of reference cloud GPU prices (`reports/cloud-prices/*.toml`): on-demand list
//! prices per GPU, each with its source, compared with what Nosana's markets pay per hour.

use serde::{Deserialize, Serialize};

use crate::error::ReportError;

/// The cloud price table file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CloudPriceTable {
    pub version: String,
    /// The date the prices were recorded (YYYY-MM-DD).
    pub date: String,
    /// What the prices are and how far to trust them.
    #[serde(default)]
    pub note: String,
    pub rows: Vec<CloudPrice>,
}

/// One provider's on-demand price for one GPU.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CloudPrice {
    /// The Nosana market tier the GPU compares with (e.g. "Market 4090").
    pub tier: String,
    pub gpu: String,
    pub provider: String,
    /// USD per GPU-hour.
    pub usd_per_hour: f64,
    /// Where the price was read.
    pub source: String,
}

impl CloudPriceTable {
    /// Parses and validates the TOML; every error names the key.
    pub fn parse(text: &str) -> Result<CloudPriceTable, ReportError> {
        let de = toml::Deserializer::parse(text)
            .map_err(|e| ReportError::CloudPrices { key: "(file)".into(), message: e.message().to_string() })?;
        let table: CloudPriceTable = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            ReportError::CloudPrices { key, message: e.into_inner().message().to_string() }
        })?;
        table.validate()?;
        Ok(table)
    }

    fn validate(&self) -> Result<(), ReportError> {
        let err = |key: String, message: &str| ReportError::CloudPrices { key, message: message.to_string() };
        if self.version.trim().is_empty() {
            return Err(err("version".into(), "must not be empty"));
        }
        if !is_date(&self.date) {
            return Err(err("date".into(), "must be a date YYYY-MM-DD"));
        }
        for (i, r) in self.rows.iter().enumerate() {
            if !r.usd_per_hour.is_finite() || r.usd_per_hour <= 0.0 {
                return Err(err(format!("rows[{i}].usd_per_hour"), "must be a positive number"));
            }
            for (name, v) in [("tier", &r.tier), ("gpu", &r.gpu), ("provider", &r.provider), ("source", &r.source)] {
                if v.trim().is_empty() {
                    return Err(err(format!("rows[{i}].{name}"), "must not be empty (every price needs a source)"));
                }
            }
        }
        Ok(())
    }

    /// The rows for one tier, cheapest first (ties in file order).
    pub fn for_tier(&self, tier: &str) -> Vec<&CloudPrice> {
        let mut rows: Vec<&CloudPrice> = self.rows.iter().filter(|r| r.tier == tier).collect();
        rows.sort_by(|a, b| a.usd_per_hour.total_cmp(&b.usd_per_hour));
        rows
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(s[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BUILTIN_CLOUD_PRICES;

    #[test]
    fn the_builtin_cloud_price_table_parses_and_every_row_has_a_source() {
        let t = CloudPriceTable::parse(BUILTIN_CLOUD_PRICES).unwrap();
        assert!(!t.rows.is_empty());
        assert!(t.rows.iter().all(|r| !r.source.is_empty() && r.usd_per_hour > 0.0));
        assert!(!t.for_tier("Market 4090").is_empty());
    }

    #[test]
    fn an_unknown_key_in_the_cloud_price_table_is_named() {
        let text = BUILTIN_CLOUD_PRICES.replacen("usd_per_hour", "usd_per_hr", 1);
        let err = CloudPriceTable::parse(&text).unwrap_err().to_string();
        assert!(err.contains("rows[0]") && err.contains("usd_per_hr"), "{err}");
    }

    #[test]
    fn a_wrong_type_or_a_negative_price_names_the_row_and_key() {
        let text = BUILTIN_CLOUD_PRICES.replacen("usd_per_hour = ", "usd_per_hour = -", 1);
        let err = CloudPriceTable::parse(&text).unwrap_err().to_string();
        assert!(err.contains("rows[0].usd_per_hour"), "{err}");
        let text = BUILTIN_CLOUD_PRICES.replacen("usd_per_hour = ", "usd_per_hour = \"cheap\" #", 1);
        let err = CloudPriceTable::parse(&text).unwrap_err().to_string();
        assert!(err.contains("rows[0].usd_per_hour"), "{err}");
        let err = CloudPriceTable::parse("version = \"v1\"\ndate = \"soon\"\nrows = []").unwrap_err().to_string();
        assert!(err.contains("`date`"), "{err}");
        let err = CloudPriceTable::parse("version = ").unwrap_err().to_string();
        assert!(err.starts_with("cloud price table"), "{err}");
    }
}
