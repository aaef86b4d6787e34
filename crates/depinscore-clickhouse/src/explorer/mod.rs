//! The explorer's read layer: jobs, nodes, markets, accounts, transactions and the treasury,
//! and the aggregates behind Nosana's own indexer routes, as typed values the API returns as JSON.
//!
//! Every read is deduplicated (`FINAL` on ReplacingMergeTree tables, or `DISTINCT` where rows
//! can only repeat as identical copies; `-Merge` combinators on the AggregatingMergeTree read
//! models of migration 0005) and every value reaches SQL through
//! `bind`. Amounts are u64 base units (u128 quantities such as xNOS are decimal strings), times
//! Unix seconds, addresses base58 strings (empty = none).

mod accounts;
mod jobs;
mod nodes;
mod nosana;
mod transactions;
mod treasury;

use serde::{Deserialize, Serialize};

use crate::ChError;

pub use accounts::{AccountPage, MarketDetail, MarketJobCounts, MarketSummary, Paged, PoolItem, RewardItem, StakeItem};
pub use jobs::{
    JobAccountInfo, JobCursor, JobDetail, JobEventItem, JobFilter, JobFlowItem, JobPage, JobSort, JobState,
    JobStateCounts, JobStats, JobSummary, MarketJobStats,
};
pub use nodes::{NodeAccountInfo, NodeDetail, NodeFilter, NodePage, NodeSummary};
pub use nosana::{CompletedJobsDay, CompletedJobsFilter, CompletedJobsGroup, StakeTotals};
pub use transactions::{InstructionItem, TransactionDetail, TransactionFlowItem, TransactionJobEvent};
pub use treasury::{LatestSlot, TreasuryDay};

/// Largest page any list returns.
pub const MAX_LIMIT: u32 = 500;

/// Checks `1..=MAX_LIMIT`.
pub(crate) fn check_limit(limit: u32) -> Result<u32, ChError> {
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(ChError::InvalidFilter(format!("limit must be 1..={MAX_LIMIT}, got {limit}")))
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Bytes of a hex string, or `None` when it is not hex.
pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    s.as_bytes().chunks(2).map(|p| Some((digit(p[0])? << 4) | digit(p[1])?)).collect()
}

/// Whether `s` looks like a base58 address (what cursors may carry).
pub(crate) fn is_base58_key(s: &str) -> bool {
    (1..=44).contains(&s.len())
        && s.bytes().all(|c| c.is_ascii_alphanumeric() && !matches!(c, b'0' | b'O' | b'I' | b'l'))
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01), proleptic Gregorian.
pub(crate) fn civil_date(days: i64) -> String {
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses the decoded account JSON of `account_states.state` (`null` for a closed account).
pub(crate) fn parse_state<T: for<'de> Deserialize<'de> + Default>(state: &str) -> T {
    serde_json::from_str::<Option<T>>(state).ok().flatten().unwrap_or_default()
}

/// A JSON value from stored text (instruction args), or the text itself when it is not JSON.
pub(crate) fn json_or_text(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

/// A number-or-string JSON field as a decimal string (u128 quantities are stored as strings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = String)]
pub struct Decimal(pub String);

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Decimal(s)),
            serde_json::Value::Number(n) => Ok(Decimal(n.to_string())),
            _ => Ok(Decimal::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        let bytes = b"1|1700000000|Abc";
        assert_eq!(hex_decode(&hex_encode(bytes)).as_deref(), Some(&bytes[..]));
        assert_eq!(hex_decode("abc"), None);
        assert_eq!(hex_decode("zz"), None);
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_675), "2023-11-14");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }

    #[test]
    fn limits_outside_one_to_five_hundred_are_refused() {
        assert!(check_limit(0).is_err());
        assert!(check_limit(501).is_err());
        assert_eq!(check_limit(500).ok(), Some(500));
    }

    #[test]
    fn base58_check_refuses_sql_and_ambiguous_characters() {
        assert!(is_base58_key("nosJhNRqr2bc9g1nfGDcXXTXvYUmxD4cVwy2pMWhrYM"));
        assert!(!is_base58_key("' OR 1=1 --"));
        assert!(!is_base58_key("0OIl"));
        assert!(!is_base58_key(""));
    }
}
