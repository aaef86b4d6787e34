-- Explorer read models, kept by materialized views from the chain tables.
--
-- job_list: one row per listed job, ordered by (listed_at, job): the job list pages through it
--   by primary-key ranges (keyset cursor), so a page reads a few granules, not the whole table.
-- job_activity: per job, aggregate states merged from job_events (state, node, run, times),
--   token_flows (deposit/payout/refund/fee sums) and open run accounts (a `work` that pops a
--   queued job names only the run; the run account's write names the job). Small granules:
--   it is read by point lookups of a page's (random) job addresses.
-- node_activity: per (node, job), from job_events, payout flows and open run accounts.
-- tx_by_signature: signature -> (slot, tx_index, block_time), to find a transaction by key.
--
-- The writer inserts each slot into each source table at most once, so the sums never double.
-- A materialized view only sees rows inserted after it exists: the INSERT ... SELECT statements
-- at the end backfill what the source tables already hold. Runs closed before the backfill are
-- gone from account_states (merged into their closing write), so the backfill attributes a
-- `work`'s anonymous assign to its job through the run's other events instead. Each is guarded by "target is
-- empty", so re-running the migration after a crash between the backfill and its record does
-- not count anything twice (the migration runs before the indexer writes).
--
-- The event position `pos` orders events of one job in chain order:
--   slot * 2^30 + tx_index * 2^16 + ix * 2^8 + inner * 4 + (1 for list, 2 otherwise)
-- (clamped fields; a list that assigns at once yields List then Assign at one position). An
-- open run account counts as an assignment at the end of its slot. pos 0 = "not this kind".

CREATE TABLE IF NOT EXISTS {db}.job_list
(
    listed_at UInt32,
    job String,
    slot UInt64,
    signature String,
    market String,
    project String,
    payer String
)
ENGINE = ReplacingMergeTree()
ORDER BY (listed_at, job);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.job_list_mv TO {db}.job_list
AS SELECT toUInt32(block_time) AS listed_at, job, slot, signature, market, project, payer
FROM {db}.job_events
WHERE kind = 'list' AND job != '';

CREATE TABLE IF NOT EXISTS {db}.job_activity
(
    job String,
    first_slot AggregateFunction(min, UInt64),
    last_slot AggregateFunction(max, UInt64),
    first_time AggregateFunction(min, UInt32),
    last_time AggregateFunction(max, UInt32),
    events AggregateFunction(sum, UInt64),
    state_kind AggregateFunction(argMax, String, UInt64),
    node AggregateFunction(argMax, String, UInt64),
    run AggregateFunction(argMax, String, UInt64),
    market AggregateFunction(max, String),
    project AggregateFunction(max, String),
    payer AggregateFunction(max, String),
    started_at AggregateFunction(argMax, UInt32, UInt64),
    ended_at AggregateFunction(max, UInt32),
    timeout AggregateFunction(argMax, Int64, UInt64),
    deposit AggregateFunction(sum, UInt64),
    payout AggregateFunction(sum, UInt64),
    refund AggregateFunction(sum, UInt64),
    fee AggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree()
ORDER BY job
SETTINGS index_granularity = 256;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.job_activity_events_mv TO {db}.job_activity
AS SELECT
    job,
    minState(slot) AS first_slot,
    maxState(slot) AS last_slot,
    minState(toUInt32(block_time)) AS first_time,
    maxState(toUInt32(block_time)) AS last_time,
    sumState(toUInt64(1)) AS events,
    argMaxState(
        if((kind IN ('list', 'assign', 'claim', 'finish', 'end', 'quit', 'delist', 'recover') AS is_state), kind, ''),
        if(is_state, (toUInt64(slot * 1073741824 + least(tx_index, 16383) * 65536 + least(ix, 255) * 256 + least(inner, 63) * 4
            + if(kind = 'list', 1, 2)) AS pos), toUInt64(0))) AS state_kind,
    argMaxState(node, if(node != '', pos, toUInt64(0))) AS node,
    argMaxState(run, if(run != '', pos, toUInt64(0))) AS run,
    maxState(market) AS market,
    maxState(project) AS project,
    maxState(payer) AS payer,
    argMaxState(if((kind IN ('assign', 'claim') AS is_start), toUInt32(block_time), toUInt32(0)),
        if(is_start, pos, toUInt64(0))) AS started_at,
    maxState(if(kind IN ('finish', 'end', 'quit', 'delist', 'recover'), toUInt32(block_time), toUInt32(0))) AS ended_at,
    argMaxState(ifNull(timeout, toInt64(0)), if(isNotNull(timeout), pos, toUInt64(0))) AS timeout,
    sumState(toUInt64(0)) AS deposit,
    sumState(toUInt64(0)) AS payout,
    sumState(toUInt64(0)) AS refund,
    sumState(toUInt64(0)) AS fee
FROM {db}.job_events
WHERE job != ''
GROUP BY job;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.job_activity_flows_mv TO {db}.job_activity
AS SELECT
    subject AS job,
    minState(slot) AS first_slot,
    maxState(slot) AS last_slot,
    minState(toUInt32(block_time)) AS first_time,
    maxState(toUInt32(block_time)) AS last_time,
    sumState(toUInt64(0)) AS events,
    argMaxState('', toUInt64(0)) AS state_kind,
    argMaxState('', toUInt64(0)) AS node,
    argMaxState('', toUInt64(0)) AS run,
    maxState(market) AS market,
    maxState('') AS project,
    maxState('') AS payer,
    argMaxState(toUInt32(0), toUInt64(0)) AS started_at,
    maxState(toUInt32(0)) AS ended_at,
    argMaxState(toInt64(0), toUInt64(0)) AS timeout,
    sumState(if(kind = 'deposit', amount, toUInt64(0))) AS deposit,
    sumState(if(kind = 'payout', amount, toUInt64(0))) AS payout,
    sumState(if(kind = 'refund', amount, toUInt64(0))) AS refund,
    sumState(if(kind = 'fee', amount, toUInt64(0))) AS fee
FROM {db}.token_flows
WHERE subject != '' AND kind IN ('deposit', 'payout', 'refund', 'fee')
GROUP BY subject;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.job_activity_runs_mv TO {db}.job_activity
AS SELECT
    visitParamExtractString(state, 'job') AS job,
    minState(slot) AS first_slot,
    maxState(slot) AS last_slot,
    minState((toUInt32(greatest(visitParamExtractInt(state, 'time'), 0)) AS started)) AS first_time,
    maxState(started) AS last_time,
    sumState(toUInt64(0)) AS events,
    argMaxState('run', (toUInt64(slot * 1073741824 + 1073741823) AS pos)) AS state_kind,
    argMaxState(authority, pos) AS node,
    argMaxState(pubkey, pos) AS run,
    maxState('') AS market,
    maxState('') AS project,
    maxState('') AS payer,
    argMaxState(started, pos) AS started_at,
    maxState(toUInt32(0)) AS ended_at,
    argMaxState(toInt64(0), toUInt64(0)) AS timeout,
    sumState(toUInt64(0)) AS deposit,
    sumState(toUInt64(0)) AS payout,
    sumState(toUInt64(0)) AS refund,
    sumState(toUInt64(0)) AS fee
FROM {db}.account_states
WHERE kind = 'run' AND closed = 0 AND visitParamExtractString(state, 'job') != ''
GROUP BY job;

CREATE TABLE IF NOT EXISTS {db}.node_activity
(
    node String,
    job String,
    market AggregateFunction(argMax, String, UInt64),
    first_slot AggregateFunction(min, UInt64),
    last_slot AggregateFunction(max, UInt64),
    last_time AggregateFunction(max, UInt32),
    events AggregateFunction(sum, UInt64),
    earned AggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree()
ORDER BY (node, job);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.node_activity_events_mv TO {db}.node_activity
AS SELECT
    node,
    job,
    argMaxState(market, if(market != '', toUInt64(slot * 1073741824 + least(tx_index, 16383) * 65536 + least(ix, 255) * 256 + least(inner, 63) * 4
            + if(kind = 'list', 1, 2)), toUInt64(0))) AS market,
    minState(slot) AS first_slot,
    maxState(slot) AS last_slot,
    maxState(toUInt32(block_time)) AS last_time,
    sumState(toUInt64(1)) AS events,
    sumState(toUInt64(0)) AS earned
FROM {db}.job_events
WHERE node != ''
GROUP BY node, job;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.node_activity_flows_mv TO {db}.node_activity
AS SELECT
    wallet AS node,
    subject AS job,
    argMaxState(market, if(market != '', toUInt64(slot * 1073741824), toUInt64(0))) AS market,
    minState(slot) AS first_slot,
    maxState(slot) AS last_slot,
    maxState(toUInt32(block_time)) AS last_time,
    sumState(toUInt64(0)) AS events,
    sumState(amount) AS earned
FROM {db}.token_flows
WHERE kind = 'payout' AND wallet != ''
GROUP BY wallet, subject;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.node_activity_runs_mv TO {db}.node_activity
AS SELECT
    authority AS node,
    visitParamExtractString(state, 'job') AS job,
    argMaxState('', toUInt64(0)) AS market,
    minState(slot) AS first_slot,
    maxState(slot) AS last_slot,
    maxState(toUInt32(greatest(visitParamExtractInt(state, 'time'), 0))) AS last_time,
    sumState(toUInt64(0)) AS events,
    sumState(toUInt64(0)) AS earned
FROM {db}.account_states
WHERE kind = 'run' AND closed = 0 AND authority != ''
GROUP BY node, job;

CREATE TABLE IF NOT EXISTS {db}.tx_by_signature
(
    signature String,
    slot UInt64,
    tx_index UInt32,
    block_time DateTime
)
ENGINE = ReplacingMergeTree()
ORDER BY signature;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.tx_by_signature_mv TO {db}.tx_by_signature
AS SELECT signature, slot, tx_index, block_time FROM {db}.transactions;

-- Backfill of what the source tables held before the views existed (guarded: runs once).

INSERT INTO {db}.job_list
SELECT toUInt32(block_time) AS listed_at, job, slot, signature, market, project, payer
FROM {db}.job_events FINAL
WHERE kind = 'list' AND job != '' AND (SELECT count() FROM {db}.job_list) = 0;

INSERT INTO {db}.tx_by_signature
SELECT signature, slot, tx_index, block_time FROM {db}.transactions FINAL
WHERE (SELECT count() FROM {db}.tx_by_signature) = 0;

INSERT INTO {db}.job_activity
SELECT
    job,
    minState(slot), maxState(slot), minState(toUInt32(block_time)), maxState(toUInt32(block_time)),
    sumState(toUInt64(1)),
    argMaxState(if(is_state, kind, ''), if(is_state, pos, toUInt64(0))),
    argMaxState(node, if(node != '', pos, toUInt64(0))),
    argMaxState(run, if(run != '', pos, toUInt64(0))),
    maxState(market), maxState(project), maxState(payer),
    argMaxState(if(is_start, toUInt32(block_time), toUInt32(0)), if(is_start, pos, toUInt64(0))),
    maxState(if(is_end, toUInt32(block_time), toUInt32(0))),
    argMaxState(ifNull(timeout, toInt64(0)), if(isNotNull(timeout), pos, toUInt64(0))),
    sumState(toUInt64(0)), sumState(toUInt64(0)), sumState(toUInt64(0)), sumState(toUInt64(0))
FROM
(
    SELECT
        job, slot, block_time, kind, node, run, market, project, payer, timeout,
        toUInt64(slot * 1073741824 + least(tx_index, 16383) * 65536 + least(ix, 255) * 256
            + least(inner, 63) * 4 + if(kind = 'list', 1, 2)) AS pos,
        kind IN ('list', 'assign', 'claim', 'finish', 'end', 'quit', 'delist', 'recover') AS is_state,
        kind IN ('assign', 'claim') AS is_start,
        kind IN ('finish', 'end', 'quit', 'delist', 'recover') AS is_end
    FROM {db}.job_events FINAL
    WHERE job != '' AND (SELECT count() FROM {db}.job_activity) = 0
)
GROUP BY job
UNION ALL
SELECT
    subject,
    minState(slot), maxState(slot), minState(toUInt32(block_time)), maxState(toUInt32(block_time)),
    sumState(toUInt64(0)),
    argMaxState('', toUInt64(0)), argMaxState('', toUInt64(0)), argMaxState('', toUInt64(0)),
    maxState(market), maxState(''), maxState(''),
    argMaxState(toUInt32(0), toUInt64(0)), maxState(toUInt32(0)), argMaxState(toInt64(0), toUInt64(0)),
    sumState(if(kind = 'deposit', amount, toUInt64(0))),
    sumState(if(kind = 'payout', amount, toUInt64(0))),
    sumState(if(kind = 'refund', amount, toUInt64(0))),
    sumState(if(kind = 'fee', amount, toUInt64(0)))
FROM {db}.token_flows FINAL
WHERE subject != '' AND kind IN ('deposit', 'payout', 'refund', 'fee')
    AND (SELECT count() FROM {db}.job_activity) = 0
GROUP BY subject
UNION ALL
SELECT
    job,
    minState(slot), maxState(slot), minState(started), maxState(started),
    sumState(toUInt64(0)),
    argMaxState('run', pos), argMaxState(authority, pos), argMaxState(pubkey, pos),
    maxState(''), maxState(''), maxState(''),
    argMaxState(started, pos), maxState(toUInt32(0)), argMaxState(toInt64(0), toUInt64(0)),
    sumState(toUInt64(0)), sumState(toUInt64(0)), sumState(toUInt64(0)), sumState(toUInt64(0))
FROM
(
    SELECT
        visitParamExtractString(state, 'job') AS job, slot, pubkey, authority,
        toUInt32(greatest(visitParamExtractInt(state, 'time'), 0)) AS started,
        toUInt64(slot * 1073741824 + 1073741823) AS pos
    FROM {db}.account_states FINAL
    WHERE kind = 'run' AND closed = 0 AND (SELECT count() FROM {db}.job_activity) = 0
)
WHERE job != ''
GROUP BY job
UNION ALL
SELECT
    job,
    minState(slot), maxState(slot), minState(toUInt32(block_time)), maxState(toUInt32(block_time)),
    sumState(toUInt64(0)),
    argMaxState('assign', pos), argMaxState(node, if(node != '', pos, toUInt64(0))), argMaxState(run, pos),
    maxState(''), maxState(''), maxState(''),
    argMaxState(toUInt32(block_time), pos), maxState(toUInt32(0)), argMaxState(toInt64(0), toUInt64(0)),
    sumState(toUInt64(0)), sumState(toUInt64(0)), sumState(toUInt64(0)), sumState(toUInt64(0))
FROM
(
    SELECT run, slot, block_time, node,
        toUInt64(slot * 1073741824 + least(tx_index, 16383) * 65536 + least(ix, 255) * 256
            + least(inner, 63) * 4 + 2) AS pos
    FROM {db}.job_events FINAL
    WHERE job = '' AND kind = 'assign' AND run != '' AND (SELECT count() FROM {db}.job_activity) = 0
)
ALL INNER JOIN
(
    SELECT DISTINCT run, job FROM {db}.job_events FINAL WHERE job != '' AND run != ''
) USING run
GROUP BY job;

INSERT INTO {db}.node_activity
SELECT
    node, job,
    argMaxState(market, if(market != '', pos, toUInt64(0))),
    minState(slot), maxState(slot), maxState(toUInt32(block_time)),
    sumState(toUInt64(1)), sumState(toUInt64(0))
FROM
(
    SELECT node, job, market, slot, block_time,
        toUInt64(slot * 1073741824 + least(tx_index, 16383) * 65536 + least(ix, 255) * 256
            + least(inner, 63) * 4 + if(kind = 'list', 1, 2)) AS pos
    FROM {db}.job_events FINAL
    WHERE node != '' AND (SELECT count() FROM {db}.node_activity) = 0
)
GROUP BY node, job
UNION ALL
SELECT
    wallet, subject,
    argMaxState(market, if(market != '', toUInt64(slot * 1073741824), toUInt64(0))),
    minState(slot), maxState(slot), maxState(toUInt32(block_time)),
    sumState(toUInt64(0)), sumState(amount)
FROM {db}.token_flows FINAL
WHERE kind = 'payout' AND wallet != '' AND (SELECT count() FROM {db}.node_activity) = 0
GROUP BY wallet, subject
UNION ALL
SELECT
    authority, visitParamExtractString(state, 'job'),
    argMaxState('', toUInt64(0)),
    minState(slot), maxState(slot), maxState(toUInt32(greatest(visitParamExtractInt(state, 'time'), 0))),
    sumState(toUInt64(0)), sumState(toUInt64(0))
FROM {db}.account_states FINAL
WHERE kind = 'run' AND closed = 0 AND authority != '' AND (SELECT count() FROM {db}.node_activity) = 0
GROUP BY authority, visitParamExtractString(state, 'job');
