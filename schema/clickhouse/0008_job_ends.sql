-- job_ends: every ending event of a job (finish, end, quit, recover, delist) with its block
-- time, ordered by (kind, ended_at, job). Replaces 0007's job_end_kinds, which had no time.
-- - A job in an ended state (completed, stopped, recovered, delisted) has had an event of that
--   state's kinds, so these rows are a superset of the state's jobs, read as one primary-key
--   range per kind. The job list filtered by ended states reads only those jobs' listings and
--   checks each one's merged state in job_activity (a later event, a recover after a quit, can
--   have moved it on), and answers at once when no job ever had the kind.
-- - A job ends after it is listed, so the jobs of a listing window [lo, hi] in an ended state
--   are among those with an ending event at or after lo: newest first, a window's candidates
--   are the jobs that ended since it began (an hour's for the newest hour), not every job that
--   ever ended.
-- Filled by a materialized view from job_events; the backfill copies what job_events already
-- holds. Not guarded (see 0006): a repeated copy adds identical rows, and readers use the rows
-- as a set.

CREATE TABLE IF NOT EXISTS {db}.job_ends
(
    kind String,
    ended_at UInt32,
    job String
)
ENGINE = ReplacingMergeTree()
ORDER BY (kind, ended_at, job)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.job_ends_mv TO {db}.job_ends
AS SELECT kind, toUInt32(block_time) AS ended_at, job
FROM {db}.job_events
WHERE kind IN ('finish', 'end', 'quit', 'recover', 'delist') AND job != '';

INSERT INTO {db}.job_ends
SELECT kind, toUInt32(block_time) AS ended_at, job
FROM {db}.job_events
WHERE kind IN ('finish', 'end', 'quit', 'recover', 'delist') AND job != '';

DROP TABLE IF EXISTS {db}.job_end_kinds_mv;

DROP TABLE IF EXISTS {db}.job_end_kinds;
