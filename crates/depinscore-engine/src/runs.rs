//! Runs: one node working one job, from its `assign` to its `finish`, `quit` or `end`.
//! Built from job events keyed by the run account (the only key every event of a run carries:
//! a `work` that pops a queued job does not name the job, a `list` that meets a queued node does
//! not name the node).

use polars::prelude::*;

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

/// What one pass gathers about a run: its first `assign`, its first ending event and which
/// one that was, and the largest job, node and market it names. Times are unix seconds in a
/// u32 (as ClickHouse's `DateTime`; the inputs are validated to fit), `u32::MAX` = not seen: a
/// table entry per id is 24 bytes.
#[derive(Clone, Copy)]
struct Seen {
    start: u32,
    end: u32,
    /// The ending event at `end` (FINISH before QUIT before END when they tie).
    end_kind: u8,
    job: u32,
    node: u32,
    market: u32,
}

const UNSEEN: Seen = Seen { start: u32::MAX, end: u32::MAX, end_kind: 0, job: 0, node: 0, market: 0 };

/// A numeric column's values in row order, `missing` for nulls.
fn values<T: PolarsNumericType>(ca: &ChunkedArray<T>, missing: T::Native) -> Vec<T::Native> {
    ca.downcast_iter().flat_map(|a| a.iter().map(move |v| v.copied().unwrap_or(missing))).collect()
}

/// The runs that started at or before `as_of` (their ends after `as_of` are ignored), by run.
///
/// One pass over the events (a group-by with filtered aggregations over a million runs took
/// seconds): per run the first `assign`, the first ending event (`finish`, `quit`, `end`) and
/// which one it was, and the largest non-zero job, node and market it names.
pub fn runs(job_events: &DataFrame, as_of: i64) -> Result<Vec<Run>, EngineError> {
    // Plain vectors first: per-element iteration over chunked columns dominated the pass.
    const LIST: u8 = 1;
    const ASSIGN: u8 = 2;
    const FINISH: u8 = 3;
    const QUIT: u8 = 4;
    const END: u8 = 5;
    let kinds: Vec<u8> = job_events
        .column("kind")?
        .str()?
        .downcast_iter()
        .flat_map(|a| a.iter())
        .map(|k| match k {
            Some("list") => LIST,
            Some("assign") => ASSIGN,
            Some("finish") => FINISH,
            Some("quit") => QUIT,
            Some("end") => END,
            _ => 0,
        })
        .collect();
    // A missing time (or one outside u32, which validation refuses) counts as no event; a
    // missing key is no key (0).
    let time: Vec<u32> = job_events
        .column("time")?
        .i64()?
        .downcast_iter()
        .flat_map(|a| a.iter().map(|t| t.and_then(|t| u32::try_from(*t).ok()).unwrap_or(u32::MAX)))
        .collect();
    let mut run = values(job_events.column("run")?.u32()?, 0);
    let mut job = values(job_events.column("job")?.u32()?, 0);
    // Node and market are only folded per row: streamed, not copied.
    let node_ca = job_events.column("node")?.u32()?;
    let market_ca = job_events.column("market")?.u32()?;
    let mut nodes = node_ca.downcast_iter().flat_map(|a| a.iter().map(|v| v.copied().unwrap_or(0)));
    let mut markets = market_ca.downcast_iter().flat_map(|a| a.iter().map(|v| v.copied().unwrap_or(0)));
    // Runs and jobs are interned ids (dense from 1): a table indexed by id, not a hash map
    // (a million-entry map made the pass take a second).
    // Ids from elsewhere may be sparse: those are renumbered first (`id_of` maps back).
    let mut size = run.iter().chain(job.iter()).max().map_or(0, |m| *m as usize + 1);
    let mut id_of: Option<Vec<u32>> = None;
    if size > kinds.len().saturating_mul(4).max(1 << 20) {
        let mut index: PlHashMap<u32, u32> = PlHashMap::new();
        let mut ids = vec![0u32];
        for id in run.iter_mut().chain(job.iter_mut()).filter(|id| **id != 0) {
            *id = *index.entry(*id).or_insert_with(|| {
                ids.push(*id);
                (ids.len() - 1) as u32
            });
        }
        size = ids.len();
        id_of = Some(ids);
    }
    let original = |i: u32| id_of.as_ref().map_or(i, |ids| ids[i as usize]);
    let mut seen: Vec<Seen> = vec![UNSEEN; size];
    let mut listed: Vec<u32> = vec![u32::MAX; size];
    for i in 0..kinds.len() {
        let (k, t, j, r) = (kinds[i], time[i], job[i] as usize, run[i] as usize);
        let (n, m) = (nodes.next().unwrap_or(0), markets.next().unwrap_or(0));
        if t == u32::MAX || i64::from(t) > as_of {
            continue;
        }
        if k == LIST && j != 0 {
            listed[j] = listed[j].min(t);
        }
        if r == 0 {
            continue;
        }
        let s = &mut seen[r];
        match k {
            ASSIGN => s.start = s.start.min(t),
            // Lower kind codes win a tie: finish, then quit, then end.
            FINISH | QUIT | END if t < s.end || (t == s.end && k < s.end_kind) => {
                s.end = t;
                s.end_kind = k;
            }
            _ => {}
        }
        if original(job[i]) > original(s.job) {
            s.job = job[i];
        }
        s.node = s.node.max(n);
        s.market = s.market.max(m);
    }
    let known = |t: u32| (t != u32::MAX).then_some(i64::from(t));
    let mut out: Vec<Run> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.start != u32::MAX)
        .map(|(r, s)| Run {
            run: original(r as u32),
            job: original(s.job),
            node: s.node,
            market: s.market,
            start: i64::from(s.start),
            end: known(s.end),
            outcome: match s.end_kind {
                0 => Outcome::Running,
                FINISH => Outcome::Finished,
                QUIT => Outcome::Quit,
                _ => Outcome::Ended,
            },
            listed: if s.job == 0 { None } else { known(listed[s.job as usize]) },
        })
        .collect();
    if id_of.is_some() {
        out.sort_unstable_by_key(|r| r.run);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn events(scale: u32) -> DataFrame {
        let id = |v: u32| if v == 0 { 0 } else { v * scale };
        df!(
            "time" => [10i64, 20, 30, 40, 50, 60, 70, 80],
            "slot" => [1u64, 2, 3, 4, 5, 6, 7, 8],
            "kind" => ["list", "assign", "finish", "list", "assign", "quit", "assign", "end"],
            "job" => [id(1), 0, id(1), id(2), id(2), id(2), 0, id(2)],
            "run" => [0, id(7), id(7), 0, id(8), id(8), id(9), id(9)],
            "market" => [3u32, 3, 3, 4, 4, 4, 4, 4],
            "node" => [0u32, 5, 5, 0, 6, 6, 6, 6],
            "project" => [0u32; 8],
            "payer" => [0u32; 8],
        )
        .unwrap()
    }

    #[test]
    fn each_run_gets_its_start_end_outcome_keys_and_listing() {
        let r = runs(&events(1), 1_000).unwrap();
        let brief: Vec<_> = r.iter().map(|r| (r.run, r.job, r.node, r.start, r.end, r.outcome, r.listed)).collect();
        assert_eq!(
            brief,
            [
                (7, 1, 5, 20, Some(30), Outcome::Finished, Some(10)),
                (8, 2, 6, 50, Some(60), Outcome::Quit, Some(40)),
                // Run 9 names its job only in its `end`.
                (9, 2, 6, 70, Some(80), Outcome::Ended, Some(40)),
            ]
        );
        // As of 65: run 9 has not started, run 8's quit happened.
        let early = runs(&events(1), 65).unwrap();
        assert_eq!(
            early.iter().map(|r| (r.run, r.outcome)).collect::<Vec<_>>(),
            [(7, Outcome::Finished), (8, Outcome::Quit)]
        );
        let mid = runs(&events(1), 55).unwrap();
        assert_eq!(mid[1].outcome, Outcome::Running);
    }

    #[test]
    fn sparse_ids_give_the_same_runs_as_dense_ones() {
        let scale = 400_000_000;
        let sparse = runs(&events(scale), 1_000).unwrap();
        let dense = runs(&events(1), 1_000).unwrap();
        assert_eq!(sparse.len(), dense.len());
        for (s, d) in sparse.iter().zip(&dense) {
            assert_eq!((s.run, s.job), (d.run * scale, d.job * scale));
            assert_eq!((s.start, s.end, s.outcome, s.listed, s.node), (d.start, d.end, d.outcome, d.listed, d.node));
        }
    }
}
