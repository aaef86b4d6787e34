//! Trailing windows of whole UTC days ending with the last complete day at the as-of time.

use serde::Serialize;

use crate::calendar::{DAY, date_of_day, day_of};
use crate::daily::{DayRow, FlowDay};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    pub days: i64,
    /// First unix day in the window.
    pub first_day: i64,
    /// Last unix day in the window (the last complete day at the as-of time).
    pub last_day: i64,
}

impl Window {
    /// The `days` whole days ending with the last day that is complete at `as_of`.
    pub fn trailing(as_of: i64, days: i64) -> Window {
        let last_day = day_of(as_of + 1) - 1;
        Window { days, first_day: last_day - days + 1, last_day }
    }

    /// `[start, end)` in unix seconds.
    pub fn start(&self) -> i64 {
        self.first_day * DAY
    }

    pub fn end(&self) -> i64 {
        (self.last_day + 1) * DAY
    }

    /// Rows whose `time` falls in `[start, end)`.
    pub fn contains_time(&self) -> polars::prelude::Expr {
        use polars::prelude::{col, lit};
        col("time").gt_eq(lit(self.start())).and(col("time").lt(lit(self.end())))
    }

    pub fn seconds(&self) -> i64 {
        self.days * DAY
    }

    pub fn label(&self) -> String {
        format!("{} .. {}", date_of_day(self.first_day), date_of_day(self.last_day))
    }

    pub fn rows<'a>(&self, daily: &'a [DayRow]) -> impl Iterator<Item = &'a DayRow> {
        let (a, b) = (self.first_day, self.last_day);
        daily.iter().filter(move |r| r.day >= a && r.day <= b)
    }

    /// Sum of some flow kinds over the window.
    pub fn flows(&self, daily: &[DayRow], kinds: &[&str]) -> FlowDay {
        let mut out = FlowDay::default();
        for r in self.rows(daily) {
            let f = r.flows_of(kinds);
            out.nos += f.nos;
            out.usd += f.usd;
            out.count += f.count;
            out.unpriced += f.unpriced;
        }
        out
    }

    pub fn events(&self, daily: &[DayRow], kind: &str) -> u64 {
        self.rows(daily).map(|r| r.event(kind)).sum()
    }

    /// Days of the window covered by the daily table (a window reaching before the first
    /// indexed day is partly empty; annualising it would understate).
    pub fn covered_days(&self, daily: &[DayRow]) -> i64 {
        self.rows(daily).count() as i64
    }
}
