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

/// What the fold gathers about a run: its first `assign`, its first ending event and which
/// one that was, and the largest job, node and market it names. Times are unix seconds in a
/// u32 (as ClickHouse's `DateTime`; the inputs are validated to fit), `u32::MAX` = not seen: a
/// table entry per id is 24 bytes.
#[derive(Clone, Copy, Debug)]
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

/// What the fold gathers about a job: its first listing time, and the project and payer of its
/// first `list` row (whenever that row happened: spend is attributed by it).
#[derive(Clone, Copy, Debug)]
struct JobSeen {
    listed: u32,
    parties: Option<(u32, u32)>,
}

const UNLISTED: JobSeen = JobSeen { listed: u32::MAX, parties: None };

const LIST: u8 = 1;
const ASSIGN: u8 = 2;
const FINISH: u8 = 3;
const QUIT: u8 = 4;
const END: u8 = 5;

/// A numeric column's values in row order, `missing` for nulls.
fn values<T: PolarsNumericType>(ca: &ChunkedArray<T>, missing: T::Native) -> Vec<T::Native> {
    ca.downcast_iter().flat_map(|a| a.iter().map(move |v| v.copied().unwrap_or(missing))).collect()
}

/// Runs and jobs folded from job events, one pass per batch: per run the first `assign`, the
/// first ending event (`finish`, `quit`, `end`) and which one it was, and the largest non-zero
/// job, node and market it names; per job its first listing. Every one of these is a minimum or
/// a maximum (or the first row), so folding events in several batches in chain order gives the
/// same table as one pass over all of them.
///
/// Runs and jobs are interned ids (dense from 1): entries live in a table indexed by id, not a
/// hash map (a million-entry map made the pass take a second). Ids from elsewhere may be sparse:
/// a table that meets one far beyond its rows numbers ids through a map instead.
#[derive(Clone, Debug, Default)]
pub struct RunTable {
    runs: Vec<Seen>,
    jobs: Vec<JobSeen>,
    /// Sparse mode: original id → table index, and back.
    index: Option<(PlHashMap<u32, u32>, Vec<u32>)>,
    /// Events folded, and the latest event time among them (for as-of checks).
    events: usize,
    latest: Option<i64>,
    /// The as-of cut the table was folded with (events after it were skipped).
    cut: Option<i64>,
}

impl RunTable {
    /// A table of every event (no as-of cut).
    pub fn new() -> RunTable {
        RunTable::default()
    }

    /// A table of the events at or before `as_of` only.
    pub fn as_of(as_of: i64) -> RunTable {
        RunTable { cut: Some(as_of), ..RunTable::default() }
    }

    /// The latest event time folded (None when none).
    pub fn latest(&self) -> Option<i64> {
        self.latest
    }

    fn slot_of(&mut self, id: u32) -> usize {
        match &mut self.index {
            None => id as usize,
            Some((map, ids)) if id != 0 => *map.entry(id).or_insert_with(|| {
                ids.push(id);
                (ids.len() - 1) as u32
            }) as usize,
            Some(_) => 0,
        }
    }

    fn original(&self, slot: u32) -> u32 {
        self.index.as_ref().map_or(slot, |(_, ids)| ids[slot as usize])
    }

    /// Folds a batch of events (later in the chain than any folded before), a slice of rows at
    /// a time so the columns copied out stay small.
    pub fn fold(&mut self, job_events: &DataFrame) -> Result<(), EngineError> {
        const SLICE: usize = 1 << 20;
        for offset in (0..job_events.height()).step_by(SLICE) {
            self.fold_slice(&job_events.slice(offset as i64, SLICE))?;
        }
        Ok(())
    }

    fn fold_slice(&mut self, job_events: &DataFrame) -> Result<(), EngineError> {
        // Plain vectors first: per-element iteration over chunked columns dominated the pass.
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
        let run = values(job_events.column("run")?.u32()?, 0);
        let job = values(job_events.column("job")?.u32()?, 0);
        // The other keys too (a slice of a million rows is 4 MB a column).
        let stream = |name: &str| -> Result<Vec<u32>, EngineError> { Ok(values(job_events.column(name)?.u32()?, 0)) };
        let (node, market) = (stream("node")?, stream("market")?);
        let (project, payer) = (stream("project")?, stream("payer")?);

        self.events += kinds.len();
        let largest = run.iter().chain(job.iter()).max().map_or(0, |m| *m as usize + 1);
        if self.index.is_none() && largest > self.events.saturating_mul(4).max(1 << 20) {
            self.go_sparse();
        }
        if self.index.is_none() && self.runs.len() < largest {
            self.runs.resize(largest, UNSEEN);
            self.jobs.resize(largest, UNLISTED);
        }
        for i in 0..kinds.len() {
            let (k, t) = (kinds[i], time[i]);
            let (r, j) = (self.slot_of(run[i]), self.slot_of(job[i]));
            if self.runs.len() <= r.max(j) {
                self.runs.resize(r.max(j) + 1, UNSEEN);
                self.jobs.resize(r.max(j) + 1, UNLISTED);
            }
            if k == LIST && j != 0 && self.jobs[j].parties.is_none() {
                self.jobs[j].parties = Some((project[i], payer[i]));
            }
            if t == u32::MAX || self.cut.is_some_and(|cut| i64::from(t) > cut) {
                continue;
            }
            self.latest = self.latest.max(Some(i64::from(t)));
            if k == LIST && j != 0 {
                self.jobs[j].listed = self.jobs[j].listed.min(t);
            }
            if r == 0 {
                continue;
            }
            let (seen_job, s) = (self.runs[r].job, &mut self.runs[r]);
            match k {
                ASSIGN => s.start = s.start.min(t),
                // Lower kind codes win a tie: finish, then quit, then end.
                FINISH | QUIT | END if t < s.end || (t == s.end && k < s.end_kind) => {
                    s.end = t;
                    s.end_kind = k;
                }
                _ => {}
            }
            s.node = s.node.max(node[i]);
            s.market = s.market.max(market[i]);
            if self.original(j as u32) > self.original(seen_job) {
                self.runs[r].job = j as u32;
            }
        }
        Ok(())
    }

    /// Switches a dense table to numbering through a map (its entries keep their ids).
    fn go_sparse(&mut self) {
        let mut map = PlHashMap::new();
        let mut ids = vec![0u32];
        let mut named = vec![false; self.runs.len()];
        for s in &self.runs {
            named[s.job as usize] = true;
        }
        let used = |i: usize| {
            named[i]
                || self.runs[i].start != u32::MAX
                || self.runs[i].end != u32::MAX
                || self.jobs[i].listed != u32::MAX
                || self.jobs[i].parties.is_some()
        };
        let kept: Vec<usize> = (1..self.runs.len()).filter(|i| used(*i)).collect();
        let (mut runs, mut jobs) = (vec![UNSEEN], vec![UNLISTED]);
        for i in &kept {
            map.insert(*i as u32, ids.len() as u32);
            ids.push(*i as u32);
            runs.push(self.runs[*i]);
            jobs.push(self.jobs[*i]);
        }
        for s in &mut runs {
            s.job = map.get(&s.job).copied().unwrap_or(0);
        }
        (self.runs, self.jobs, self.index) = (runs, jobs, Some((map, ids)));
    }

    /// The runs that started (their ends after the cut are ignored), by run.
    pub fn runs(&self) -> Vec<Run> {
        self.runs_touching(i64::MIN, i64::MAX)
    }

    /// The runs that touch `[from, to)`: started or ended in it, or running through it (what a
    /// window's durations, waits and busy time are made of), by run.
    pub fn runs_touching(&self, from: i64, to: i64) -> Vec<Run> {
        let known = |t: u32| (t != u32::MAX).then_some(i64::from(t));
        let inside = |t: i64| t >= from && t < to;
        let touches = |s: &Seen| {
            let (start, end) = (i64::from(s.start), known(s.end));
            inside(start) || end.is_some_and(inside) || (start < to && end.is_none_or(|e| e >= from))
        };
        let mut out: Vec<Run> = self
            .runs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.start != u32::MAX && touches(s))
            .map(|(r, s)| Run {
                run: self.original(r as u32),
                job: self.original(s.job),
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
                listed: if s.job == 0 { None } else { known(self.jobs[s.job as usize].listed) },
            })
            .collect();
        if self.index.is_some() {
            out.sort_unstable_by_key(|r| r.run);
        }
        out
    }

    /// The project and payer of a job's first `list` row (None when it has none).
    pub fn parties(&self, job: u32) -> Option<(u32, u32)> {
        let slot = match &self.index {
            None => job as usize,
            Some((map, _)) => *map.get(&job)? as usize,
        };
        self.jobs.get(slot)?.parties
    }
}

/// The runs that started at or before `as_of` (their ends after `as_of` are ignored), by run.
pub fn runs(job_events: &DataFrame, as_of: i64) -> Result<Vec<Run>, EngineError> {
    let mut table = RunTable::as_of(as_of);
    table.fold(job_events)?;
    Ok(table.runs())
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
    fn events_folded_in_batches_give_the_runs_of_one_pass() {
        let all = events(1);
        let mut table = RunTable::new();
        table.fold(&all.slice(0, 3)).unwrap();
        table.fold(&all.slice(3, 5)).unwrap();
        assert_eq!(table.runs(), runs(&all, 1_000).unwrap());
        assert_eq!(table.parties(2), Some((0, 0)));
        assert_eq!(table.latest(), Some(80));
        // A batch naming ids far beyond the rows seen turns the table sparse midway.
        let scale = 400_000_000;
        let sparse = events(scale);
        let mut table = RunTable::new();
        table.fold(&events(1).slice(0, 3)).unwrap();
        table.fold(&sparse.slice(3, 5)).unwrap();
        let mut one_pass = events(1).slice(0, 3);
        one_pass.vstack_mut(&sparse.slice(3, 5)).unwrap();
        assert_eq!(table.runs(), runs(&one_pass, 1_000).unwrap());
        assert_eq!(table.runs().len(), 3);
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
