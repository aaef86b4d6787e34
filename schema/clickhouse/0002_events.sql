-- Job lifecycle events and typed NOS token flows, from successful transactions only.

CREATE TABLE IF NOT EXISTS {db}.job_events
(
    job String,
    slot UInt64,
    tx_index UInt32,
    ix UInt16,
    inner UInt16,
    block_time DateTime,
    signature String,
    kind String,
    market String,
    run String,
    node String,
    project String,
    payer String,
    timeout Nullable(Int64)
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(block_time)
ORDER BY (job, slot, tx_index, ix, inner, kind);

CREATE TABLE IF NOT EXISTS {db}.token_flows
(
    slot UInt64,
    tx_index UInt32,
    ix UInt16,
    inner UInt16,
    block_time DateTime,
    signature String,
    kind String,
    mint String,
    source String,
    destination String,
    wallet String,
    subject String,
    market String,
    amount UInt64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(block_time)
ORDER BY (slot, tx_index, ix, inner);
