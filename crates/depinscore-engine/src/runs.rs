//! Runs: one node working one job, from its `assign` to its `finish`, `quit` or `end`.
//! Built from job events keyed by the run account (the only key every event of a run carries:
//! a `work` that pops a queued job does not name the job, a `list` that meets a queued node does
//! not name the node).

use polars::prelude::*;

use crate::columns::{i64s, u32s};
use crate::error::EngineError;

/// Run outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Running,
    Finished,
    Quit,
    /// Ended by the project (`end`), paid for the time worked.
    Ended,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub run: u32,
    pub job: u32,
    pub node: u32,
    pub market: u32,
    pub start: i64,
    /// When the run stopped (None while running).
    pub end: Option<i64>,
    pub outcome: Outcome,
    /// When its job was listed, if the listing is in the inputs.
    pub listed: Option<i64>,
}

/// The runs that started at or before `as_of` (their ends after `as_of` are ignored).
pub fn runs(job_events: &DataFrame, as_of: i64) -> Result<Vec<Run>, EngineError> {
    let events = job_events.clone().lazy().filter(col("time").lt_eq(lit(as_of)));
    let is = |k: &str| col("kind").eq(lit(k.to_string()));
    let ending = is("finish").or(is("quit")).or(is("end"));
    let first_when = |c: &str, cond: Expr| col(c).filter(cond).min();
    let any_key = |c: &str| col(c).filter(col(c).neq(lit(0u32))).max();
    let runs = events
        .clone()
        .filter(col("run").neq(lit(0u32)))
        .group_by([col("run")])
        .agg([
            first_when("time", is("assign")).alias("start"),
            first_when("time", ending.clone()).alias("end"),
            first_when("time", is("finish")).alias("finished"),
            first_when("time", is("quit")).alias("quit"),
            any_key("job"),
            any_key("node"),
            any_key("market"),
        ])
        .filter(col("start").is_not_null());
    let listed = events
        .filter(is("list").and(col("job").neq(lit(0u32))))
        .group_by([col("job")])
        .agg([col("time").min().alias("listed")]);
    let df = runs
        .join(listed, [col("job")], [col("job")], JoinArgs::new(JoinType::Left))
        .sort(["run"], Default::default())
        .collect()?;
    let (run, job, node, market) = (u32s(&df, "run")?, u32s(&df, "job")?, u32s(&df, "node")?, u32s(&df, "market")?);
    let (start, end, finished, quit, listed) =
        (i64s(&df, "start")?, i64s(&df, "end")?, i64s(&df, "finished")?, i64s(&df, "quit")?, i64s(&df, "listed")?);
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let (Some(r), Some(s)) = (run[i], start[i]) else { continue };
        let end = end[i];
        let outcome = match end {
            None => Outcome::Running,
            Some(e) if finished[i] == Some(e) => Outcome::Finished,
            Some(e) if quit[i] == Some(e) => Outcome::Quit,
            Some(_) => Outcome::Ended,
        };
        out.push(Run {
            run: r,
            job: job[i].unwrap_or(0),
            node: node[i].unwrap_or(0),
            market: market[i].unwrap_or(0),
            start: s,
            end,
            outcome,
            listed: listed[i],
        });
    }
    Ok(out)
}

impl Run {
    /// Seconds of this run inside `[from, to)` (a running run counts up to `to`).
    pub fn busy_within(&self, from: i64, to: i64) -> i64 {
        let end = self.end.unwrap_or(to).min(to);
        (end - self.start.max(from)).max(0)
    }
}
