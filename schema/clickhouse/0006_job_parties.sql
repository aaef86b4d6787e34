-- job_parties: the job list once per party of each job (its market, its project, its payer)
-- and once under the job itself, ordered by (role, party, listed_at, job).
-- - A job list filtered by market, project or payer pages through one party's primary-key
--   range instead of scanning listing windows of every job; the other filter columns are kept
--   so combined filters stay one range read.
-- - Role `job` finds a job's listing time by its address, so a list filtered by node reads the
--   node's jobs (node_activity) and then exactly their rows here by primary key.
-- Filled by a materialized view from the `list` events, like job_list; the backfill copies
-- what job_list already holds. It is not guarded by "target is empty" (as 0005's are): rows the
-- view wrote before it ran would make the guard skip the whole history, and a copy repeated
-- after a crash only adds identical rows, which every read takes DISTINCT or FINAL.

CREATE TABLE IF NOT EXISTS {db}.job_parties
(
    role String,
    party String,
    listed_at UInt32,
    job String,
    market String,
    project String,
    payer String
)
ENGINE = ReplacingMergeTree()
ORDER BY (role, party, listed_at, job)
SETTINGS index_granularity = 256;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.job_parties_mv TO {db}.job_parties
AS SELECT
    tupleElement(role_party, 1) AS role,
    tupleElement(role_party, 2) AS party,
    toUInt32(block_time) AS listed_at,
    job, market, project, payer
FROM {db}.job_events
ARRAY JOIN [('job', job), ('market', market), ('project', project), ('payer', payer)] AS role_party
WHERE kind = 'list' AND job != '' AND tupleElement(role_party, 2) != '';

INSERT INTO {db}.job_parties
SELECT
    tupleElement(role_party, 1) AS role,
    tupleElement(role_party, 2) AS party,
    listed_at, job, market, project, payer
FROM {db}.job_list FINAL
ARRAY JOIN [('job', job), ('market', market), ('project', project), ('payer', payer)] AS role_party
WHERE tupleElement(role_party, 2) != '';
