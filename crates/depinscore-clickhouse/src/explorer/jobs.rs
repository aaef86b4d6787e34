//! Jobs: the list (keyset-paged over `job_list`, or `job_parties` for a market, project, payer
//! or node), one job with its timeline and flows, counts, and the job statistics.
//!
//! ## Job state
//!
//! A job's state is the kind of its newest state-changing event (chain order; an open run
//! account naming the job counts as an assignment, since a `work` that pops a queued job names
//! only the run):
//!
//! | newest event | state | Nosana (`JobState` / indexer) |
//! |---|---|---|
//! | `list` | `queued` | 0 QUEUED |
//! | `assign`, `claim`, open run account | `running` | 1 RUNNING (virtual: state 0 or 3 + a run) |
//! | `finish`, `end` | `completed` | 2 COMPLETED (Done) |
//! | `quit` | `stopped` | 3 STOPPED |
//! | `recover` | `recovered` | 3 STOPPED, account closed, deposit refunded |
//! | `delist` | `delisted` | none: Nosana's indexer deletes delisted jobs |
//!
//! `extend`, `complete`, `clean` and `work`/`stop` (node queue moves) do not change the state.
//! `quit_admin` names no job (only the run), so a job whose run an admin closed stays
//! `running` here until its next event.

use std::collections::HashMap;

use clickhouse::Row;
use serde::{Deserialize, Serialize};

use super::{MAX_LIMIT, check_limit, hex_decode, hex_encode, is_base58_key};
use crate::{ChError, ChStore};

/// What a job is doing now (see the module docs for the mapping).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Completed,
    Stopped,
    Recovered,
    Delisted,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Queued,
        JobState::Running,
        JobState::Completed,
        JobState::Stopped,
        JobState::Recovered,
        JobState::Delisted,
    ];

    /// The state of a job whose newest state-changing event is `kind` (`run` = an open run account).
    pub fn from_event_kind(kind: &str) -> JobState {
        match kind {
            "assign" | "claim" | "run" => JobState::Running,
            "finish" | "end" => JobState::Completed,
            "quit" => JobState::Stopped,
            "recover" => JobState::Recovered,
            "delist" => JobState::Delisted,
            _ => JobState::Queued,
        }
    }

    /// Event kinds whose being newest means this state.
    pub fn event_kinds(self) -> &'static [&'static str] {
        match self {
            JobState::Queued => &["list", ""],
            JobState::Running => &["assign", "claim", "run"],
            JobState::Completed => &["finish", "end"],
            JobState::Stopped => &["quit"],
            JobState::Recovered => &["recover"],
            JobState::Delisted => &["delist"],
        }
    }

    /// Nosana's numeric state (QUEUED 0, RUNNING 1, COMPLETED 2, STOPPED 3); `None` for a
    /// delisted job, which Nosana's indexer deletes.
    pub fn nosana_code(self) -> Option<u8> {
        match self {
            JobState::Queued => Some(0),
            JobState::Running => Some(1),
            JobState::Completed => Some(2),
            JobState::Stopped | JobState::Recovered => Some(3),
            JobState::Delisted => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Completed => "completed",
            JobState::Stopped => "stopped",
            JobState::Recovered => "recovered",
            JobState::Delisted => "delisted",
        }
    }

    fn is_ended(self) -> bool {
        matches!(self, JobState::Completed | JobState::Stopped | JobState::Recovered | JobState::Delisted)
    }
}

/// Order of the job list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobSort {
    /// Newest listing first.
    #[default]
    ListedDesc,
    ListedAsc,
}

/// Filters of the job list. Every field is optional; values are compared exactly (bound, never
/// spliced into SQL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct JobFilter {
    /// Jobs in any of these states (empty: every state).
    pub states: Vec<JobState>,
    pub market: Option<String>,
    /// Jobs this node ran (any run of the job).
    pub node: Option<String>,
    /// The project (job authority, Nosana's "poster").
    pub project: Option<String>,
    pub payer: Option<String>,
    /// Listed at or after (Unix seconds).
    pub listed_from: Option<u32>,
    /// Listed at or before (Unix seconds).
    pub listed_to: Option<u32>,
    pub sort: JobSort,
    /// 1..=500.
    pub limit: u32,
    /// `next_cursor` of the previous page (same filter and sort).
    pub cursor: Option<String>,
}

impl Default for JobFilter {
    fn default() -> Self {
        Self {
            states: Vec::new(),
            market: None,
            node: None,
            project: None,
            payer: None,
            listed_from: None,
            listed_to: None,
            sort: JobSort::default(),
            limit: 50,
            cursor: None,
        }
    }
}

/// The position after which the next page starts: the last row's `(listed_at, job)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobCursor {
    pub listed_at: u32,
    pub job: String,
}

const CURSOR_VERSION: &str = "j1";

impl JobCursor {
    /// Opaque text (hex of `j1|listed_at|job`).
    pub fn encode(&self) -> String {
        hex_encode(format!("{CURSOR_VERSION}|{}|{}", self.listed_at, self.job).as_bytes())
    }

    /// Parses a cursor from [`encode`](Self::encode); anything else is [`ChError::InvalidCursor`].
    pub fn decode(text: &str) -> Result<JobCursor, ChError> {
        let bad = |why: &str| ChError::InvalidCursor(why.to_string());
        if text.len() > 200 {
            return Err(bad("too long"));
        }
        let bytes = hex_decode(text).ok_or_else(|| bad("not hex"))?;
        let plain = String::from_utf8(bytes).map_err(|_| bad("not text"))?;
        let mut parts = plain.splitn(3, '|');
        let (Some(version), Some(time), Some(job)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("missing fields"));
        };
        if version != CURSOR_VERSION {
            return Err(bad("unknown version"));
        }
        let listed_at = time.parse::<u32>().map_err(|_| bad("bad time"))?;
        if !is_base58_key(job) {
            return Err(bad("bad job address"));
        }
        Ok(JobCursor { listed_at, job: job.to_string() })
    }
}

/// One job in the list (and the head of [`JobDetail`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobSummary {
    pub address: String,
    pub state: JobState,
    /// Nosana's numeric state (see [`JobState::nosana_code`]).
    pub nosana_state: Option<u8>,
    pub market: String,
    /// The node of the newest run (empty while queued and none ran it).
    pub node: String,
    /// The newest run account.
    pub run: String,
    pub project: String,
    pub payer: String,
    /// Block time of the `list` (or, for a job listed before the indexed range, its first event).
    pub listed_at: u32,
    /// Start of the newest run, if any.
    pub started_at: Option<u32>,
    /// When it finished, ended, quit, was recovered or delisted (only in those states).
    pub ended_at: Option<u32>,
    /// Timeout of the newest `list`/`extend`, seconds.
    pub timeout: Option<i64>,
    pub first_slot: u64,
    pub last_slot: u64,
    /// Job events seen (the runs' anonymous `assign`s excluded).
    pub events: u64,
    pub deposit: u64,
    pub payout: u64,
    pub refund: u64,
    pub fee: u64,
}

/// A page of jobs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobPage {
    pub items: Vec<JobSummary>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// One job event of a job's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobEventItem {
    pub slot: u64,
    pub tx_index: u32,
    pub ix: u16,
    pub inner: u16,
    pub block_time: u32,
    pub signature: String,
    pub kind: String,
    pub market: String,
    pub run: String,
    pub node: String,
    pub project: String,
    pub payer: String,
    pub timeout: Option<i64>,
}

/// One token flow whose subject is the job.
#[derive(Clone, Debug, PartialEq, Eq, Row, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobFlowItem {
    pub slot: u64,
    pub tx_index: u32,
    pub ix: u16,
    pub inner: u16,
    pub block_time: u32,
    pub signature: String,
    pub kind: String,
    pub amount: u64,
    pub source: String,
    pub destination: String,
    pub wallet: String,
}

/// The job account's latest decoded state (absent when the account was never indexed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobAccountInfo {
    pub slot: u64,
    pub closed: bool,
    /// On-chain `JobState` byte: 0 Queued, 2 Done, 3 Stopped.
    pub state: u8,
    pub price: u64,
    pub timeout: i64,
    pub time_start: i64,
    pub time_end: i64,
    /// CIDv0 of the job definition and result (empty when none).
    pub ipfs_job: String,
    pub ipfs_result: String,
}

/// One job with everything indexed about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobDetail {
    pub summary: JobSummary,
    pub account: Option<JobAccountInfo>,
    /// Every job event in chain order, with the anonymous `assign` of a run that popped the job
    /// from the queue (named by its run).
    pub events: Vec<JobEventItem>,
    pub flows: Vec<JobFlowItem>,
}

/// Jobs per state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobStateCounts {
    pub queued: u64,
    pub running: u64,
    pub completed: u64,
    pub stopped: u64,
    pub recovered: u64,
    pub delisted: u64,
}

impl JobStateCounts {
    fn add(&mut self, state: JobState, n: u64) {
        let slot = match state {
            JobState::Queued => &mut self.queued,
            JobState::Running => &mut self.running,
            JobState::Completed => &mut self.completed,
            JobState::Stopped => &mut self.stopped,
            JobState::Recovered => &mut self.recovered,
            JobState::Delisted => &mut self.delisted,
        };
        *slot += n;
    }

    pub fn total(&self) -> u64 {
        self.queued + self.running + self.completed + self.stopped + self.recovered + self.delisted
    }
}

/// One market's jobs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MarketJobStats {
    pub market: String,
    pub jobs: u64,
    pub states: JobStateCounts,
    pub deposit: u64,
    pub payout: u64,
}

/// Counts and totals over every job.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobStats {
    pub jobs: u64,
    pub states: JobStateCounts,
    pub markets: Vec<MarketJobStats>,
    pub deposit: u64,
    pub payout: u64,
    pub refund: u64,
    pub fee: u64,
}

/// The listing key of one job (column order matters: RowBinary without validation). Only the
/// key: the page's market, project and payer come with its activity, so the list reads two
/// columns of each listing it passes (a node's listings are a granule each).
#[derive(Debug, Row, Deserialize)]
struct ListRow {
    listed_at: u32,
    job: String,
}

/// A job's merged `job_activity` (columns in [`ACTIVITY_COLUMNS`] order).
#[derive(Debug, Default, Row, Deserialize)]
struct ActivityRow {
    job: String,
    first_slot: u64,
    last_slot: u64,
    first_time: u32,
    events: u64,
    state_kind: String,
    node: String,
    run: String,
    market: String,
    project: String,
    payer: String,
    started_at: u32,
    ended_at: u32,
    timeout: i64,
    deposit: u64,
    payout: u64,
    refund: u64,
    fee: u64,
}

impl ActivityRow {
    /// The summary of this job; `list` is its listing key, when it has one.
    fn summary(self, list: Option<ListRow>) -> JobSummary {
        let state = JobState::from_event_kind(&self.state_kind);
        let listed_at = list.map_or(self.first_time, |l| l.listed_at);
        JobSummary {
            address: self.job,
            state,
            nosana_state: state.nosana_code(),
            market: self.market,
            node: self.node,
            run: self.run,
            project: self.project,
            payer: self.payer,
            listed_at: if listed_at > 0 { listed_at } else { self.first_time },
            started_at: (self.started_at > 0 && state != JobState::Queued).then_some(self.started_at),
            ended_at: (self.ended_at > 0 && state.is_ended()).then_some(self.ended_at),
            timeout: (self.timeout > 0).then_some(self.timeout),
            first_slot: self.first_slot,
            last_slot: self.last_slot,
            events: self.events,
            deposit: self.deposit,
            payout: self.payout,
            refund: self.refund,
            fee: self.fee,
        }
    }
}

/// Merged `job_activity` columns after `job`, in [`ActivityRow`] order from `first_slot`.
const ACTIVITY_COLUMNS: &str = "minMerge(first_slot) AS first_slot, maxMerge(last_slot) AS last_slot, \
     minMerge(first_time) AS first_time, sumMerge(events) AS events, argMaxMerge(state_kind) AS state_kind, \
     argMaxMerge(node) AS node, argMaxMerge(run) AS run, maxMerge(market) AS a_market, \
     maxMerge(project) AS a_project, maxMerge(payer) AS a_payer, argMaxMerge(started_at) AS started_at, \
     maxMerge(ended_at) AS ended_at, argMaxMerge(timeout) AS timeout, sumMerge(deposit) AS deposit, \
     sumMerge(payout) AS payout, sumMerge(refund) AS refund, sumMerge(fee) AS fee";

/// Listing windows the job list tries, newest (or oldest) first, before reading everything:
/// a page over a million jobs then reads a few primary-key ranges instead of the whole table.
/// Each window reads only the listings the narrower ones before it did not, so a state whose
/// jobs start hours back (completed, behind a head of running jobs) looks up each job once.
const WINDOWS: [u32; 7] = [3600, 4 * 3600, 12 * 3600, 2 * 86_400, 8 * 86_400, 32 * 86_400, 128 * 86_400];
/// Windows a state filter over every listing tries (through 8 days) before merging every
/// job's state: past that, looking up the states window by window costs more than one merge.
const BROAD_STATE_WINDOWS: usize = 5;
/// An ended-state filter looks up only the jobs that ever had its ending events (`job_ends`)
/// when there are at most this many: then even a read of every listing looks up fewer states
/// than merging every job's. Newest first (and no node, whose jobs are bound), it always does:
/// a window's candidates are only the jobs that ended since the window began.
const END_KIND_LOOKUPS_MAX: u64 = 100_000;
/// How far before a listing its job's ending event may be stamped: none on a chain whose block
/// times never go back; an hour of slack keeps the bound exact should they.
const END_TIME_SLACK: u32 = 3600;

/// The most listings one step of an ended-state scan reads.
const ENDED_CHUNK_MAX: u32 = 4096;

/// A node's jobs are bound into its list queries (found by key in `job_parties` and
/// `job_activity`) when it ran at most this many; a busier node's are read by a subquery, which
/// ClickHouse cannot use as a key. (A query's text is parsed up to 256 KiB by default: 4,000
/// addresses take about 190 KiB.)
const NODE_JOBS_BOUND_MAX: usize = 4000;

/// What the list queries of one page (or count) share.
struct KeyQuery<'a> {
    filter: &'a JobFilter,
    /// The jobs the filter's node ran, when there are at most [`NODE_JOBS_BOUND_MAX`].
    node_jobs: Option<Vec<String>>,
    desc: bool,
}

/// Where an ended-state scan is: the last listing read, the jobs found so far, the next chunk.
struct EndedScan {
    cursor: Option<JobCursor>,
    found: Vec<ListRow>,
    chunk: u32,
}

/// Which jobs a list query looks up the state of, for a state filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StateScope {
    /// Every job of the listing range.
    Range,
    /// None: the listings of the jobs that ever had one of the filter's ending events
    /// (`job_ends`), whose states the caller checks.
    EndKinds,
    /// Every job: each job's state is merged once.
    Global,
}

/// One value a list query binds, in placeholder order.
#[derive(Clone)]
enum Arg<'a> {
    U32(u32),
    Str(&'a str),
    Kinds(Vec<&'static str>),
    Jobs(&'a [String]),
}

fn bind_all(mut q: clickhouse::query::Query, args: &[Arg<'_>]) -> clickhouse::query::Query {
    for a in args {
        q = match a {
            Arg::U32(v) => q.bind(*v),
            Arg::Str(v) => q.bind(*v),
            Arg::Kinds(v) => q.bind(v),
            Arg::Jobs(v) => q.bind(*v),
        };
    }
    q
}

impl JobFilter {
    /// The party filter the list reads through `job_parties` (the most selective first).
    fn party(&self) -> Option<(&'static str, &str)> {
        [("project", &self.project), ("payer", &self.payer), ("market", &self.market)]
            .into_iter()
            .find_map(|(role, v)| v.as_deref().map(|v| (role, v)))
    }

    /// Event kinds whose being newest puts a job in one of the filter's states (empty: any).
    fn state_kinds(&self) -> Vec<&'static str> {
        self.states.iter().flat_map(|s| s.event_kinds().iter().copied()).collect()
    }

    /// The ending event kinds of the filter's states when it filters by ended states only
    /// (completed, stopped, recovered, delisted): a job in one of them has had such an event.
    fn end_kinds(&self) -> Option<Vec<&'static str>> {
        (!self.states.is_empty() && self.states.iter().all(|s| s.is_ended())).then(|| self.state_kinds())
    }
}

impl ChStore {
    /// A page of jobs (see [`JobFilter`]). A bad cursor or limit is a client error
    /// ([`ChError::is_client_error`]).
    ///
    /// Two reads: the page's listing keys (one primary-key range of `job_list`, or of
    /// `job_parties` when a market, project, payer or node is given), then the page's merged
    /// `job_activity` by point lookups. Pages without a node grow a listing window from the
    /// anchor until it holds a page, each window reading only the listings the narrower ones
    /// before it did not. A state filter merges only the `state_kind` column of the window's
    /// jobs; over every listing it gives up after five windows (8 days) and merges every job's
    /// state once. Ended states only read the listings of the jobs with such an ending event
    /// (`job_ends`): newest first, those that ended since the window began. A node's jobs (at
    /// most [`NODE_JOBS_BOUND_MAX`]) are bound as keys, their states looked up first.
    pub async fn jobs(&self, filter: &JobFilter) -> Result<JobPage, ChError> {
        let limit = check_limit(filter.limit)?;
        let keys = self.page_keys(filter, limit).await?;
        self.page(keys, limit).await
    }

    /// The cursor that continues after the first `offset` jobs of the filter (its own cursor
    /// and limit aside), walking listing keys only; `None` for offset 0. Past the last job it
    /// is the last job's cursor (the page after it is empty).
    pub async fn job_cursor_after(&self, filter: &JobFilter, offset: u64) -> Result<Option<String>, ChError> {
        let mut left = offset;
        let mut cursor: Option<String> = None;
        while left > 0 {
            let take = left.min(u64::from(MAX_LIMIT)) as u32;
            let step = JobFilter { limit: take, cursor: cursor.clone(), ..filter.clone() };
            let keys = self.page_keys(&step, take).await?;
            let Some(last) = keys.get(take as usize - 1).or(keys.last()) else { break };
            cursor = Some(JobCursor { listed_at: last.listed_at, job: last.job.clone() }.encode());
            if keys.len() <= take as usize {
                break;
            }
            left -= u64::from(take);
        }
        Ok(cursor)
    }

    /// The listing keys of the page (`limit` and one more when another page follows).
    async fn page_keys(&self, filter: &JobFilter, limit: u32) -> Result<Vec<ListRow>, ChError> {
        let cursor = filter.cursor.as_deref().map(JobCursor::decode).transpose()?;
        let desc = filter.sort == JobSort::ListedDesc;
        let (from, to) = (filter.listed_from.unwrap_or(0), filter.listed_to.unwrap_or(u32::MAX));
        if from > to {
            return Ok(Vec::new());
        }
        let node_jobs = self.node_jobs(filter).await?;
        if node_jobs.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        // A node's jobs (bound) in the filter's states: their states looked up at once, the
        // list then reads only the listings of those in the states.
        let stateless;
        let (filter, node_jobs) = match node_jobs {
            Some(jobs) if !filter.states.is_empty() => {
                let jobs = self.jobs_in_states(jobs, &filter.state_kinds()).await?;
                if jobs.is_empty() {
                    return Ok(Vec::new());
                }
                stateless = JobFilter { states: Vec::new(), ..filter.clone() };
                (&stateless, Some(jobs))
            }
            other => (filter, other),
        };
        let q = KeyQuery { filter, node_jobs, desc };
        // An ended state no job ever reached has no page; a rarely reached one looks up only
        // the jobs that reached it.
        let end_kind_jobs = self.end_kind_jobs(filter).await?;
        if end_kind_jobs == Some(0) {
            return Ok(Vec::new());
        }
        let by_end_kinds = end_kind_jobs.is_some_and(|n| n <= END_KIND_LOOKUPS_MAX || (desc && filter.node.is_none()));
        // A node's jobs are few and found by key: one read of the whole range. A state over
        // every listing looks up the states of a few windows' jobs, then merges every job's
        // state once (a rare state would otherwise look up most jobs, window after window).
        let broad_state =
            !filter.states.is_empty() && filter.node.is_none() && filter.party().is_none() && !by_end_kinds;
        let windows_tried = match (filter.node.is_some(), broad_state) {
            (true, _) => 0,
            (false, true) => BROAD_STATE_WINDOWS,
            (false, false) => WINDOWS.len(),
        };
        let mut windows: Vec<Option<u32>> = WINDOWS[..windows_tried].iter().map(|w| Some(*w)).collect();
        windows.push(None);
        // The oldest and newest listing, read when needed (once).
        let mut bounds = None;
        if let Some(n) = end_kind_jobs.filter(|_| by_end_kinds) {
            // Windows too narrow to hold two pages of candidates at their average density are
            // skipped: each window read costs the same lookup of the candidates.
            let b = *bounds.insert(self.listing_bounds().await?);
            let span = u64::from(b.map_or(0, |(oldest, newest)| newest.saturating_sub(oldest)).max(1));
            let want = 2 * u64::from(limit + 1);
            windows.retain(|w| w.is_none_or(|w| n * u64::from(w) >= want * span));
        }
        // The anchor the windows grow from: the cursor, else the newest (oldest) listing. Only
        // windows need one (a node's jobs are read in one range).
        let anchor = match (&cursor, desc) {
            _ if windows.iter().all(Option::is_none) => Some(0),
            (Some(c), _) => Some(c.listed_at),
            (None, true) if to != u32::MAX => Some(to),
            (None, false) if from != 0 => Some(from),
            (None, _) => {
                let b = match bounds {
                    Some(b) => b,
                    None => self.listing_bounds().await?,
                };
                b.map(|(oldest, newest)| if desc { newest } else { oldest })
            }
        };
        let Some(anchor) = anchor else { return Ok(Vec::new()) };
        let mut ended = EndedScan { cursor: cursor.clone(), found: Vec::new(), chunk: (limit + 1).max(64) };
        let mut found: Vec<ListRow> = Vec::new();
        // The listings the windows so far covered, `[lo, hi]`.
        let mut read: Option<(u32, u32)> = None;
        for window in windows {
            // [lo, hi] = the filter's range intersected with the window.
            let (lo, hi, complete) = match (window, desc) {
                (Some(w), true) => {
                    let lo = anchor.saturating_sub(w);
                    (lo.max(from), to, lo <= from)
                }
                (Some(w), false) => {
                    let hi = anchor.saturating_add(w);
                    (from, hi.min(to), hi >= to)
                }
                (None, _) => (from, to, true),
            };
            if by_end_kinds {
                // The scan's cursor already skips what the narrower windows read.
                if self.scan_ended(&q, &mut ended, (lo, hi), limit + 1).await? || complete {
                    return Ok(ended.found);
                }
                continue;
            }
            // Only the part of the window beyond what was read (a window that was not complete
            // stopped short of the filter's edge, so the step does not wrap).
            let new = match (read, desc) {
                (None, _) => (lo, hi),
                (Some((read_lo, _)), true) => (lo, read_lo.saturating_sub(1)),
                (Some((_, read_hi)), false) => (read_hi.saturating_add(1), hi),
            };
            read = Some((lo, hi));
            let scope = if window.is_none() && broad_state { StateScope::Global } else { StateScope::Range };
            if new.0 <= new.1 {
                let take = limit + 1 - found.len() as u32;
                found.extend(self.job_keys(&q, cursor.as_ref(), new, take, scope).await?);
            }
            if found.len() > limit as usize || complete {
                return Ok(found);
            }
        }
        Ok(found)
    }

    /// Goes on with an ended-state page through the listings in `[lo, hi]`: the listings of
    /// jobs that ever had one of the states' ending events, in list order from where the scan
    /// stopped, a chunk at a time, each job's merged state checked. True once `take` are found.
    /// Exact: every job in an ended state is among those listings, and each chunk is checked
    /// whole before the next is read.
    async fn scan_ended(
        &self,
        q: &KeyQuery<'_>,
        scan: &mut EndedScan,
        range: (u32, u32),
        take: u32,
    ) -> Result<bool, ChError> {
        let kinds = q.filter.state_kinds();
        loop {
            let candidates = self.job_keys(q, scan.cursor.as_ref(), range, scan.chunk, StateScope::EndKinds).await?;
            let exhausted = candidates.len() < scan.chunk as usize;
            if let Some(last) = candidates.last() {
                scan.cursor = Some(JobCursor { listed_at: last.listed_at, job: last.job.clone() });
            }
            let jobs: Vec<&str> = candidates.iter().map(|k| k.job.as_str()).collect();
            let states = self.state_kinds_of(&jobs).await?;
            for key in candidates {
                if states.get(&key.job).is_some_and(|s| kinds.contains(&s.as_str())) {
                    scan.found.push(key);
                    if scan.found.len() >= take as usize {
                        return Ok(true);
                    }
                }
            }
            if exhausted {
                return Ok(false);
            }
            scan.chunk = scan.chunk.saturating_mul(4).min(ENDED_CHUNK_MAX);
        }
    }

    /// Those of `jobs` whose newest state-changing event is one of `kinds`, in their order.
    async fn jobs_in_states(&self, jobs: Vec<String>, kinds: &[&str]) -> Result<Vec<String>, ChError> {
        let states = self.state_kinds_of(&jobs.iter().map(String::as_str).collect::<Vec<_>>()).await?;
        Ok(jobs.into_iter().filter(|j| states.get(j).is_some_and(|s| kinds.contains(&s.as_str()))).collect())
    }

    /// The kind of each job's newest state-changing event, by job.
    async fn state_kinds_of(&self, jobs: &[&str]) -> Result<HashMap<String, String>, ChError> {
        if jobs.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT job, argMaxMerge(state_kind) FROM {} WHERE job IN (SELECT arrayJoin(?)) GROUP BY job",
            self.table("job_activity")
        );
        Ok(self.client().query(&sql).bind(jobs).fetch_all::<(String, String)>().await?.into_iter().collect())
    }

    /// How many `job_ends` rows the filter's ending kinds have (at least the number of jobs
    /// that ever had one), counted up to one more than [`END_KIND_LOOKUPS_MAX`] (all a reader
    /// needs to know beyond that is "many"); `None` when it filters by other states too.
    async fn end_kind_jobs(&self, filter: &JobFilter) -> Result<Option<u64>, ChError> {
        let Some(kinds) = filter.end_kinds() else { return Ok(None) };
        let sql = format!(
            "SELECT count() FROM (SELECT 1 FROM {} WHERE kind IN (SELECT arrayJoin(?)) LIMIT ?)",
            self.table("job_ends")
        );
        Ok(Some(self.client().query(&sql).bind(&kinds).bind(END_KIND_LOOKUPS_MAX + 1).fetch_one::<u64>().await?))
    }

    /// The jobs the filter's node ran, when it names one that ran at most
    /// [`NODE_JOBS_BOUND_MAX`].
    async fn node_jobs(&self, filter: &JobFilter) -> Result<Option<Vec<String>>, ChError> {
        let Some(node) = &filter.node else { return Ok(None) };
        let sql = format!("SELECT DISTINCT job FROM {} WHERE node = ? LIMIT ?", self.table("node_activity"));
        let jobs =
            self.client().query(&sql).bind(node).bind(NODE_JOBS_BOUND_MAX as u64 + 1).fetch_all::<String>().await?;
        Ok((jobs.len() <= NODE_JOBS_BOUND_MAX).then_some(jobs))
    }

    /// The oldest and the newest listing time, if any job is listed.
    async fn listing_bounds(&self) -> Result<Option<(u32, u32)>, ChError> {
        let sql = format!("SELECT count(), min(listed_at), max(listed_at) FROM {}", self.table("job_list"));
        let (n, oldest, newest) = self.client().query(&sql).fetch_one::<(u64, u32, u32)>().await?;
        Ok((n > 0).then_some((oldest, newest)))
    }

    /// The listing keys of at most `take` jobs of the filter listed in `[lo, hi]`, after the
    /// cursor, in list order (`scope`: see [`Self::list_selection`]).
    async fn job_keys(
        &self,
        q: &KeyQuery<'_>,
        cursor: Option<&JobCursor>,
        range: (u32, u32),
        take: u32,
        scope: StateScope,
    ) -> Result<Vec<ListRow>, ChError> {
        let (from, args) = self.list_selection(q, cursor, range, scope);
        let dir = if q.desc { "DESC" } else { "ASC" };
        let sql = format!("SELECT DISTINCT listed_at, job {from} ORDER BY listed_at {dir}, job {dir} LIMIT ?");
        Ok(bind_all(self.client().query(&sql), &args).bind(take).fetch_all::<ListRow>().await?)
    }

    /// How many listed jobs match the filter (its limit, cursor and sort aside). With a state
    /// and no node or party to narrow it, every job's state is merged once (a second or so
    /// over a million jobs) rather than looked up job by job.
    pub async fn job_count(&self, filter: &JobFilter) -> Result<u64, ChError> {
        let (from, to) = (filter.listed_from.unwrap_or(0), filter.listed_to.unwrap_or(u32::MAX));
        if from > to {
            return Ok(0);
        }
        let node_jobs = self.node_jobs(filter).await?;
        if node_jobs.as_ref().is_some_and(Vec::is_empty) {
            return Ok(0);
        }
        let plain = JobFilter { states: Vec::new(), ..filter.clone() };
        let q = KeyQuery { filter: &plain, node_jobs, desc: true };
        let (selection, args) = self.list_selection(&q, None, (from, to), StateScope::Range);
        let kinds = filter.state_kinds();
        if kinds.is_empty() {
            // Counting merges replaced rows faster than it deduplicates them.
            let sql = format!("SELECT count() {}", selection.replacen(" WHERE ", " FINAL WHERE ", 1));
            return Ok(bind_all(self.client().query(&sql), &args).fetch_one::<u64>().await?);
        }
        // Every state but delisted (Nosana's jobs): delisting ends a job (its account closes),
        // so those are the jobs with a `delist` event, counted without merging any state.
        let but_delisted = !filter.states.contains(&JobState::Delisted)
            && JobState::ALL.iter().all(|s| *s == JobState::Delisted || filter.states.contains(s));
        if but_delisted {
            let sql = format!(
                "SELECT count() {} AND job NOT IN (SELECT job FROM {} WHERE kind = 'delist')",
                selection.replacen(" WHERE ", " FINAL WHERE ", 1),
                self.table("job_ends")
            );
            return Ok(bind_all(self.client().query(&sql), &args).fetch_one::<u64>().await?);
        }
        // The states looked up: the node's or party's jobs, and of an ended state rarely
        // reached, the jobs that reached it; else every job's, merged once.
        let end_kind_jobs = self.end_kind_jobs(filter).await?;
        if end_kind_jobs == Some(0) {
            return Ok(0);
        }
        let mut lookups = Vec::new();
        let mut lookup_args = Vec::new();
        if let Some(jobs) = &q.node_jobs {
            lookups.push("job IN (SELECT arrayJoin(?))".to_string());
            lookup_args.push(Arg::Jobs(jobs));
        } else if filter.node.is_some() || filter.party().is_some() {
            lookups.push(format!("job IN (SELECT job {selection})"));
            lookup_args.extend(args.iter().cloned());
        }
        if let (Some(n), Some(end_kinds)) = (end_kind_jobs, filter.end_kinds())
            && n <= END_KIND_LOOKUPS_MAX
        {
            lookups.push(self.end_kinds_condition());
            lookup_args.extend([Arg::Kinds(end_kinds), Arg::U32(from.saturating_sub(END_TIME_SLACK))]);
        }
        let lookup = if lookups.is_empty() { String::new() } else { format!("WHERE {}", lookups.join(" AND ")) };
        let sql = format!(
            "SELECT count() FROM (SELECT job, argMaxMerge(state_kind) AS s FROM {} {lookup} GROUP BY job) \
             WHERE has(?, s) AND job IN (SELECT job {selection})",
            self.table("job_activity")
        );
        let q = bind_all(self.client().query(&sql), &lookup_args);
        Ok(bind_all(q.bind(&kinds), &args).fetch_one::<u64>().await?)
    }

    /// `FROM … WHERE …` of the listed jobs of the filter in `[lo, hi]` after the cursor, and
    /// its bound values in placeholder order. A state is checked by looking up the states of
    /// the jobs `scope` names. Rows repeat only when a slot was replayed (identical copies):
    /// readers take `DISTINCT` rows, cheaper here than `FINAL`.
    fn list_selection<'a>(
        &self,
        q: &'a KeyQuery<'a>,
        cursor: Option<&'a JobCursor>,
        (lo, hi): (u32, u32),
        scope: StateScope,
    ) -> (String, Vec<Arg<'a>>) {
        let (filter, desc) = (q.filter, q.desc);
        let mut cond = String::new();
        let mut args: Vec<Arg<'a>> = Vec::new();
        // The narrowest primary-key range: a node's jobs, else one party's, else every listing.
        let source = if let Some(jobs) = &q.node_jobs {
            cond.push_str("role = 'job' AND party IN (SELECT arrayJoin(?)) AND ");
            args.push(Arg::Jobs(jobs));
            self.table("job_parties")
        } else if let Some(node) = &filter.node {
            cond.push_str(&format!(
                "role = 'job' AND party IN (SELECT job FROM {} WHERE node = ?) AND ",
                self.table("node_activity")
            ));
            args.push(Arg::Str(node));
            self.table("job_parties")
        } else if let Some((role, value)) = filter.party() {
            cond.push_str("role = ? AND party = ? AND ");
            args.extend([Arg::Str(role), Arg::Str(value)]);
            self.table("job_parties")
        } else {
            self.table("job_list")
        };
        cond.push_str("listed_at >= ? AND listed_at <= ?");
        args.extend([Arg::U32(lo), Arg::U32(hi)]);
        if let Some(c) = cursor {
            let (op, bound) = if desc { ("<", "listed_at <= ?") } else { (">", "listed_at >= ?") };
            cond.push_str(&format!(" AND {bound} AND (listed_at {op} ? OR (listed_at = ? AND job {op} ?))"));
            args.extend([Arg::U32(c.listed_at), Arg::U32(c.listed_at), Arg::U32(c.listed_at), Arg::Str(&c.job)]);
        }
        for (column, value) in [("market", &filter.market), ("project", &filter.project), ("payer", &filter.payer)] {
            if let Some(v) = value {
                cond.push_str(&format!(" AND {column} = ?"));
                args.push(Arg::Str(v));
            }
        }
        let kinds = filter.state_kinds();
        if kinds.is_empty() {
            return (format!("FROM {source} WHERE {cond}"), args);
        }
        if let (StateScope::EndKinds, Some(end_kinds)) = (scope, filter.end_kinds()) {
            // Candidates only: the caller checks their states (see `scan_ended`).
            // A job listed at or after `lo` ended at or after it.
            cond.push_str(&format!(" AND {}", self.end_kinds_condition()));
            args.extend([Arg::Kinds(end_kinds), Arg::U32(lo.saturating_sub(END_TIME_SLACK))]);
            return (format!("FROM {source} WHERE {cond}"), args);
        }
        if scope == StateScope::Global {
            // Every job's state merged once: cheaper than looking up most of a million jobs.
            let state_cond = format!(
                " AND job IN (SELECT job FROM (SELECT job, argMaxMerge(state_kind) AS s FROM {} GROUP BY job) \
                 WHERE has(?, s))",
                self.table("job_activity")
            );
            let mut all = args;
            all.push(Arg::Kinds(kinds));
            return (format!("FROM {source} WHERE {cond}{state_cond}"), all);
        }
        // The state column alone of the range's jobs (or the node's, bound), by point lookups.
        let mut all = args.clone();
        let looked_up = match &q.node_jobs {
            Some(jobs) => {
                all.push(Arg::Jobs(jobs));
                "SELECT arrayJoin(?)".to_string()
            }
            None => {
                all.extend(args);
                format!("SELECT job FROM {source} WHERE {cond}")
            }
        };
        let state_cond = format!(
            " AND job IN (SELECT job FROM (SELECT job, argMaxMerge(state_kind) AS s FROM {} \
             WHERE job IN ({looked_up}) GROUP BY job) WHERE has(?, s))",
            self.table("job_activity")
        );
        all.push(Arg::Kinds(kinds));
        (format!("FROM {source} WHERE {cond}{state_cond}"), all)
    }

    /// `job IN` the jobs that had one of the ending kinds (the first placeholder) at or after a
    /// time (the second).
    fn end_kinds_condition(&self) -> String {
        format!(
            "job IN (SELECT job FROM {} WHERE kind IN (SELECT arrayJoin(?)) AND ended_at >= ?)",
            self.table("job_ends")
        )
    }

    /// The merged activity of `jobs`, by job.
    async fn activities(&self, jobs: &[&str]) -> Result<HashMap<String, ActivityRow>, ChError> {
        if jobs.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT job, {ACTIVITY_COLUMNS} FROM {} WHERE job IN (SELECT arrayJoin(?)) GROUP BY job",
            self.table("job_activity")
        );
        let rows = self.client().query(&sql).bind(jobs).fetch_all::<ActivityRow>().await?;
        Ok(rows.into_iter().map(|r| (r.job.clone(), r)).collect())
    }

    /// The page of at most `limit` of `keys` (one more means there is a next page).
    async fn page(&self, mut keys: Vec<ListRow>, limit: u32) -> Result<JobPage, ChError> {
        let more = keys.len() > limit as usize;
        keys.truncate(limit as usize);
        let next_cursor = if more {
            keys.last().map(|k| JobCursor { listed_at: k.listed_at, job: k.job.clone() }.encode())
        } else {
            None
        };
        let jobs: Vec<&str> = keys.iter().map(|k| k.job.as_str()).collect();
        let mut activity = self.activities(&jobs).await?;
        let items = keys
            .into_iter()
            .map(|k| {
                let a =
                    activity.remove(&k.job).unwrap_or_else(|| ActivityRow { job: k.job.clone(), ..Default::default() });
                a.summary(Some(k))
            })
            .collect();
        Ok(JobPage { items, next_cursor })
    }

    /// One job's summary alone (one point lookup); `None` when nothing about it is indexed. Its
    /// `listed_at` is its first event's time, which is the listing's for a listed job.
    pub async fn job_summary(&self, address: &str) -> Result<Option<JobSummary>, ChError> {
        Ok(self.activities(&[address]).await?.remove(address).map(|row| row.summary(None)))
    }

    /// One job with its timeline and flows; `None` when nothing about it is indexed.
    pub async fn job(&self, address: &str) -> Result<Option<JobDetail>, ChError> {
        let Some(summary) = self.job_summary(address).await? else {
            return Ok(None);
        };
        let events_sql = format!(
            "SELECT slot, tx_index, ix, inner, toUInt32(block_time), signature, kind, market, run, node, project, \
             payer, timeout FROM {} FINAL WHERE job = ? ORDER BY slot, tx_index, ix, inner, kind != 'list', kind",
            self.table("job_events")
        );
        let mut events = self.client().query(&events_sql).bind(address).fetch_all::<JobEventItem>().await?;
        // Anonymous events of this job's runs (a `work` that popped it names only the run).
        let mut runs: Vec<&str> = events.iter().map(|e| e.run.as_str()).filter(|r| !r.is_empty()).collect();
        if !summary.run.is_empty() {
            runs.push(&summary.run);
        }
        runs.sort_unstable();
        runs.dedup();
        if !runs.is_empty() {
            let sql = format!(
                "SELECT slot, tx_index, ix, inner, toUInt32(block_time), signature, kind, market, run, node, project, \
                 payer, timeout FROM {} FINAL WHERE job = '' AND slot >= ? AND slot <= ? AND has(?, run) \
                 ORDER BY slot, tx_index, ix, inner, kind",
                self.table("job_events")
            );
            let anonymous = self
                .client()
                .query(&sql)
                .bind(summary.first_slot)
                .bind(summary.last_slot)
                .bind(&runs)
                .fetch_all::<JobEventItem>()
                .await?;
            if !anonymous.is_empty() {
                events.extend(anonymous);
                events.sort_by(|a, b| {
                    (a.slot, a.tx_index, a.ix, a.inner, a.kind != "list").cmp(&(
                        b.slot,
                        b.tx_index,
                        b.ix,
                        b.inner,
                        b.kind != "list",
                    ))
                });
            }
        }
        let flows_sql = format!(
            "SELECT slot, tx_index, ix, inner, toUInt32(block_time), signature, kind, amount, source, destination, \
             wallet FROM {} FINAL WHERE slot >= ? AND slot <= ? AND subject = ? ORDER BY slot, tx_index, ix, inner",
            self.table("token_flows")
        );
        let flows = self
            .client()
            .query(&flows_sql)
            .bind(summary.first_slot)
            .bind(summary.last_slot)
            .bind(address)
            .fetch_all::<JobFlowItem>()
            .await?;
        let account = self.job_account(address).await?;
        let mut summary = summary;
        if let Some(list) = events.iter().find(|e| e.kind == "list") {
            summary.listed_at = list.block_time;
        }
        Ok(Some(JobDetail { summary, account, events, flows }))
    }

    async fn job_account(&self, address: &str) -> Result<Option<JobAccountInfo>, ChError> {
        Ok(self.job_accounts(&[address]).await?.remove(address))
    }

    /// The latest decoded job accounts of `jobs` (absent: never indexed), by address.
    pub async fn job_accounts(&self, jobs: &[&str]) -> Result<HashMap<String, JobAccountInfo>, ChError> {
        #[derive(Row, Deserialize)]
        struct R {
            pubkey: String,
            slot: u64,
            closed: u8,
            state: u64,
            price: u64,
            timeout: i64,
            time_start: i64,
            time_end: i64,
            ipfs_job: String,
            ipfs_result: String,
        }
        if jobs.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT pubkey, slot, closed, visitParamExtractUInt(state, 'state'), visitParamExtractUInt(state, 'price'), \
             visitParamExtractInt(state, 'timeout'), visitParamExtractInt(state, 'time_start'), \
             visitParamExtractInt(state, 'time_end'), visitParamExtractString(state, 'ipfs_job'), \
             visitParamExtractString(state, 'ipfs_result') FROM {} FINAL \
             WHERE pubkey IN (SELECT arrayJoin(?)) AND kind = 'job'",
            self.table("account_states")
        );
        let rows = self.client().query(&sql).bind(jobs).fetch_all::<R>().await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let info = JobAccountInfo {
                    slot: r.slot,
                    closed: r.closed != 0,
                    state: u8::try_from(r.state).unwrap_or(u8::MAX),
                    price: r.price,
                    timeout: r.timeout,
                    time_start: r.time_start,
                    time_end: r.time_end,
                    ipfs_job: r.ipfs_job,
                    ipfs_result: r.ipfs_result,
                };
                (r.pubkey, info)
            })
            .collect())
    }

    /// Jobs per state and market, and the deposit/payout/refund/fee totals.
    pub async fn job_stats(&self) -> Result<JobStats, ChError> {
        #[derive(Row, Deserialize)]
        struct R {
            state_kind: String,
            market: String,
            jobs: u64,
            deposit: u64,
            payout: u64,
            refund: u64,
            fee: u64,
        }
        let sql = format!(
            "SELECT state_kind, market, count(), sum(deposit), sum(payout), sum(refund), sum(fee) FROM \
             (SELECT job, argMaxMerge(state_kind) AS state_kind, maxMerge(market) AS market, \
              sumMerge(deposit) AS deposit, sumMerge(payout) AS payout, sumMerge(refund) AS refund, \
              sumMerge(fee) AS fee FROM {} GROUP BY job) \
             GROUP BY state_kind, market ORDER BY market, state_kind",
            self.table("job_activity")
        );
        let rows = self.client().query(&sql).fetch_all::<R>().await?;
        let mut stats = JobStats::default();
        for r in rows {
            let state = JobState::from_event_kind(&r.state_kind);
            stats.jobs += r.jobs;
            stats.states.add(state, r.jobs);
            stats.deposit += r.deposit;
            stats.payout += r.payout;
            stats.refund += r.refund;
            stats.fee += r.fee;
            let market = match stats.markets.iter_mut().find(|m| m.market == r.market) {
                Some(m) => m,
                None => {
                    stats.markets.push(MarketJobStats { market: r.market.clone(), ..MarketJobStats::default() });
                    let last = stats.markets.len() - 1;
                    &mut stats.markets[last]
                }
            };
            market.jobs += r.jobs;
            market.states.add(state, r.jobs);
            market.deposit += r.deposit;
            market.payout += r.payout;
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_a_typed_error() {
        let c = JobCursor { listed_at: 1_700_000_000, job: "nosJhNRqr2bc9g1nfGDcXXTXvYUmxD4cVwy2pMWhrYM".into() };
        assert_eq!(JobCursor::decode(&c.encode()).ok(), Some(c));
        for bad in
            ["", "zz", "' OR 1=1 --", &hex_encode(b"j1|x|abc"), &hex_encode(b"j2|1|abc"), &hex_encode(b"j1|1|a'b")]
        {
            assert!(matches!(JobCursor::decode(bad), Err(ChError::InvalidCursor(_))), "{bad:?} accepted");
        }
    }

    #[test]
    fn every_state_maps_back_from_its_event_kinds() {
        for s in JobState::ALL {
            for k in s.event_kinds() {
                assert_eq!(JobState::from_event_kind(k), s);
            }
        }
    }
}
