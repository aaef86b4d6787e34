-- Daily rollups maintained by materialized views. The writer inserts each slot into each
-- table at most once (it skips slots a table already holds), so these sums never double.

CREATE TABLE IF NOT EXISTS {db}.daily_flows
(
    day Date,
    kind String,
    mint String,
    flows UInt64,
    amount UInt64
)
ENGINE = SummingMergeTree((flows, amount))
ORDER BY (day, kind, mint);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.daily_flows_mv TO {db}.daily_flows
AS SELECT toDate(block_time) AS day, kind, mint, toUInt64(count()) AS flows, sum(amount) AS amount
FROM {db}.token_flows
GROUP BY day, kind, mint;

CREATE TABLE IF NOT EXISTS {db}.daily_job_events
(
    day Date,
    kind String,
    market String,
    events UInt64
)
ENGINE = SummingMergeTree(events)
ORDER BY (day, kind, market);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.daily_job_events_mv TO {db}.daily_job_events
AS SELECT toDate(block_time) AS day, kind, market, toUInt64(count()) AS events
FROM {db}.job_events
GROUP BY day, kind, market;

CREATE TABLE IF NOT EXISTS {db}.daily_transactions
(
    day Date,
    success UInt8,
    transactions UInt64,
    fees UInt64,
    compute_units UInt64
)
ENGINE = SummingMergeTree((transactions, fees, compute_units))
ORDER BY (day, success);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.daily_transactions_mv TO {db}.daily_transactions
AS SELECT toDate(block_time) AS day, success, toUInt64(count()) AS transactions, sum(fee) AS fees,
    sum(compute_units) AS compute_units
FROM {db}.transactions
GROUP BY day, success;
