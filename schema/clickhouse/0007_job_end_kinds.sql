-- job_end_kinds: which jobs ever had each ending event (finish, end, quit, recover, delist),
-- ordered by (kind, job).
-- - A job in an ended state (completed, stopped, recovered, delisted) has had an event of that
--   state's kinds, so these rows are a superset of the state's jobs, read as one primary-key
--   range per kind. The job list filtered by a rare ended state looks up the states of only
--   these jobs within a listing window (instead of every job of the window), and answers at
--   once when no job ever had the kind. Each candidate's state is still checked against
--   job_activity: a later event (a recover after a quit) can have moved it on.
-- Filled by a materialized view from job_events; the backfill copies what job_events already
-- holds. Not guarded (see 0006): a repeated copy adds identical rows, and readers use the rows
-- as a set.

CREATE TABLE IF NOT EXISTS {db}.job_end_kinds
(
    kind String,
    job String
)
ENGINE = ReplacingMergeTree()
ORDER BY (kind, job)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.job_end_kinds_mv TO {db}.job_end_kinds
AS SELECT kind, job
FROM {db}.job_events
WHERE kind IN ('finish', 'end', 'quit', 'recover', 'delist') AND job != '';

INSERT INTO {db}.job_end_kinds
SELECT kind, job
FROM {db}.job_events
WHERE kind IN ('finish', 'end', 'quit', 'recover', 'delist') AND job != '';
