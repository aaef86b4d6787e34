//! The treasury per UTC day (from the `daily_flows` rollup) and the indexer's head for `/ready`.

use clickhouse::Row;
use serde::{Deserialize, Serialize};

use super::civil_date;
use crate::{ChError, ChStore};

/// NOS supply movements of one UTC day, base units.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TreasuryDay {
    /// Unix seconds of 00:00 UTC.
    pub day: i64,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// SPL burns of NOS.
    pub burned: u64,
    /// SPL mints of NOS.
    pub minted: u64,
    /// Pool releases (`emission`: claim_fee into the rewards vault, claim_transfer to a beneficiary).
    pub emitted: u64,
    /// Staker claims out of the rewards vault (`claim`), i.e. emissions and fees reaching wallets.
    pub claimed: u64,
    /// Network fees paid into the rewards vault (`fee`).
    pub fees: u64,
    /// `minted + emitted - burned` (emissions leave the pools' locked supply; burns remove supply).
    pub net_emission: i64,
}

/// The highest committed slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Row, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LatestSlot {
    pub slot: u64,
    /// Its block time (Unix seconds).
    pub block_time: u32,
    /// When the indexer wrote it.
    pub indexed_at: u32,
    /// The ClickHouse server's clock now, so lag = `server_time - block_time` needs no local clock.
    pub server_time: u32,
}

impl LatestSlot {
    /// Seconds between the block time and the server's clock now (0 if the block is "ahead").
    pub fn lag_seconds(&self) -> u32 {
        self.server_time.saturating_sub(self.block_time)
    }
}

/// Longest range `treasury_daily` fills (about 30 years).
const MAX_DAYS: i64 = 11_000;

impl ChStore {
    /// Every UTC day containing `from..=to` (Unix seconds), zeros where nothing moved.
    pub async fn treasury_daily(&self, from: u32, to: u32) -> Result<Vec<TreasuryDay>, ChError> {
        let (first, last) = (i64::from(from) / 86_400, i64::from(to) / 86_400);
        if first > last {
            return Ok(Vec::new());
        }
        if last - first >= MAX_DAYS {
            return Err(ChError::InvalidFilter(format!("at most {MAX_DAYS} days")));
        }
        #[derive(Row, Deserialize)]
        struct R {
            day: u16,
            burned: u64,
            minted: u64,
            emitted: u64,
            claimed: u64,
            fees: u64,
        }
        let sql = format!(
            "SELECT toUInt16(day) AS d, sumIf(amount, kind = 'burn'), sumIf(amount, kind = 'mint'), \
             sumIf(amount, kind = 'emission'), sumIf(amount, kind = 'claim'), sumIf(amount, kind = 'fee') \
             FROM {} WHERE toUInt16(day) >= ? AND toUInt16(day) <= ? \
             AND kind IN ('burn', 'mint', 'emission', 'claim', 'fee') GROUP BY d ORDER BY d",
            self.table("daily_flows")
        );
        let clamp = |d: i64| u16::try_from(d.clamp(0, i64::from(u16::MAX))).unwrap_or(u16::MAX);
        let rows = self.client().query(&sql).bind(clamp(first)).bind(clamp(last)).fetch_all::<R>().await?;
        let mut out = Vec::new();
        let mut rows = rows.into_iter().peekable();
        for d in first..=last {
            let mut day = TreasuryDay { day: d * 86_400, date: civil_date(d), ..TreasuryDay::default() };
            if let Some(r) = rows.next_if(|r| i64::from(r.day) == d) {
                day.burned = r.burned;
                day.minted = r.minted;
                day.emitted = r.emitted;
                day.claimed = r.claimed;
                day.fees = r.fees;
                let net = i128::from(r.minted) + i128::from(r.emitted) - i128::from(r.burned);
                day.net_emission = i64::try_from(net).unwrap_or(if net < 0 { i64::MIN } else { i64::MAX });
            }
            out.push(day);
        }
        Ok(out)
    }

    /// The highest slot in `slots` (written last, so complete), with its block time.
    pub async fn latest_slot(&self) -> Result<Option<LatestSlot>, ChError> {
        let slots = self.table("slots");
        // The recent partitions first (cheap); the whole table only when they are empty.
        for cond in ["WHERE block_time >= now() - 172800", ""] {
            let sql = format!(
                "SELECT slot, toUInt32(block_time), toUInt32(indexed_at), toUInt32(now()) FROM {slots} FINAL {cond} \
                 ORDER BY slot DESC LIMIT 1"
            );
            if let Some(s) = self.client().query(&sql).fetch_optional::<LatestSlot>().await? {
                return Ok(Some(s));
            }
        }
        Ok(None)
    }
}
